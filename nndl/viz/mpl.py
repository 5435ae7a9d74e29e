"""The same drawing with matplotlib patches, for PNG (and PDF) output.

Same Diagram, same layout and wires as the SVG, one pixel of the SVG = one point here
at 100 dpi. Chinese text needs a CJK font (:func:`nndl.plotting.cjk_font`); callers draw the
English diagram when there is none.
"""

from __future__ import annotations

from matplotlib import patheffects
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Path, PathPatch

from nndl.plotting import figure_bytes, new_figure
from nndl.plotting import label as describe
from nndl.viz.diagram import GRAD_COLOR, INK, MUTED, VALUE_COLOR, Diagram
from nndl.viz.layout import (
    FONT,
    LINE_H,
    SMALL,
    label_points,
    layout,
    routes,
    text_anchor,
    text_width,
)
from nndl.viz.svg import ROLE_COLOR, STUB, header_height

_HALO = [patheffects.withStroke(linewidth=3, foreground="white")]
_HA = {"start": "left", "end": "right", "middle": "center"}


def _anchor(nx: float) -> str:
    return _HA[text_anchor(nx)]   # as the SVG (the layout measured the labels so)


def render_figure(d: Diagram):
    top = header_height(d)
    lay = layout(d, top=top)
    rs = routes(d, lay, STUB)
    legend_h = 26.0 if d.legend else 0.0
    width = max(lay.width + (STUB + 10 if d.output is not None else 0),
                48 + text_width(d.title, FONT + 2),
                48 + sum(text_width(t, SMALL) + 60 for _, t in d.legend))
    height = lay.height + legend_h
    fig, ax = new_figure(figsize=(width / 100, height / 100))
    fig.subplots_adjust(0, 0, 1, 1)
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    ax.set_aspect("equal")
    pt = 0.72  # px (1/100 in) -> points

    def text(x, y, s, size, color=INK, ha="center", va="baseline", **kw):
        ax.text(x, y, s, fontsize=size * pt, color=color, ha=ha, va=va, **kw)

    describe(fig, " — ".join(t for t in (d.title, d.subtitle) if t) or "computational graph")

    y = 0.0
    if d.title:
        y += 22
        text(24, y, d.title, FONT + 2, ha="left", fontweight="bold")
    if d.subtitle:
        y += 18
        text(24, y, d.subtitle, SMALL + 1, MUTED, ha="left")
    for r in rs:
        if r.ctrl is None:
            path = Path([r.p0, r.p1], [Path.MOVETO, Path.LINETO])
        else:
            path = Path([r.p0, r.ctrl, r.p1], [Path.MOVETO, Path.CURVE3, Path.CURVE3])
        ax.add_patch(FancyArrowPatch(path=path, arrowstyle="-|>", mutation_scale=10, color=MUTED,
                                     linewidth=1.0, shrinkA=0, shrinkB=0))
    for r in rs:
        above, below = label_points(r)
        if r.top:
            text(*above, r.top, SMALL, VALUE_COLOR, _anchor(r.normal[0]), path_effects=_HALO)
        if r.bottom:
            text(*below, r.bottom, SMALL, GRAD_COLOR, _anchor(-r.normal[0]), path_effects=_HALO)
    for n in d.nodes:
        p = lay.pos[n.id]
        if n.shape == "circle":
            ax.add_patch(Circle((p.x, p.y), p.w / 2, facecolor=n.fill, edgecolor=INK, lw=1.1))
        else:
            ax.add_patch(FancyBboxPatch((p.x - p.w / 2, p.y - p.h / 2), p.w, p.h,
                                        boxstyle="round,pad=0,rounding_size=6", facecolor=n.fill,
                                        edgecolor=INK, lw=1.1))
        first = p.y - (len(n.lines) - 1) * LINE_H / 2
        for i, line in enumerate(n.lines):
            text(p.x, first + i * LINE_H, line.text, FONT if i == 0 else SMALL,
                 ROLE_COLOR[line.role], va="center", fontweight="bold" if i == 0 else "normal")
        if n.caption:
            text(p.x, p.y - p.h / 2 - 6, n.caption, SMALL + 1, MUTED, style="italic")
        if n.note:
            text(p.x, p.y + p.h / 2 + SMALL + 4, n.note.text, SMALL, ROLE_COLOR[n.note.role])
    if d.output is not None:
        r = rs[-1]
        text(r.p1[0] + 6, r.p1[1], d.output.src, FONT, MUTED, ha="left", va="center",
             style="italic")
    if d.legend:
        x, ly = 24.0, height - 12
        for color, label in d.legend:
            ax.add_patch(PathPatch(Path([(x, ly - 4), (x + 18, ly - 4)]), color=color, lw=2.2))
            text(x + 24, ly, label, SMALL, color, ha="left")
            x += 24 + text_width(label, SMALL) + 36
    return fig


def render_png(d: Diagram) -> bytes:
    return figure_bytes(render_figure(d), "png")
