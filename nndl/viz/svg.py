"""SVG written by nndl itself (no Graphviz): text stays text, output is byte-identical
for the same input, and every string is XML-escaped."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

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

# CJK families after the Latin ones: a browser takes 汉字 from the first that has them
FONT_FAMILY = ("DejaVu Sans, Helvetica, Arial, WenQuanYi Micro Hei, Noto Sans CJK SC, "
               "PingFang SC, Microsoft YaHei, sans-serif")
ROLE_COLOR = {"label": INK, "caption": MUTED, "value": VALUE_COLOR, "grad": GRAD_COLOR,
              "meta": MUTED}
STUB = 70.0


def _f(v: float) -> str:
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


_anchor = text_anchor   # the layout placed the labels (and measured their boxes) with it


def _text(x, y, s, *, size=FONT, color=INK, anchor="middle", weight=None, italic=False,
          halo=False) -> str:
    attrs = [f'x="{_f(x)}"', f'y="{_f(y)}"', f'font-size="{size}"', f'fill="{color}"',
             f'text-anchor="{anchor}"']
    if weight:
        attrs.append(f'font-weight="{weight}"')
    if italic:
        attrs.append('font-style="italic"')
    if halo:  # a white outline keeps labels readable where they cross a wire
        attrs.append('stroke="#ffffff" stroke-width="3" paint-order="stroke"')
    return f"<text {' '.join(attrs)}>{escape(s)}</text>"


def header_height(d: Diagram) -> float:
    return (22.0 if d.title else 0.0) + (18.0 if d.subtitle else 0.0) + (8.0 if d.title else 0.0)


def render_svg(d: Diagram) -> str:
    top = header_height(d)
    lay = layout(d, top=top)
    rs = routes(d, lay, STUB)
    legend_h = 26.0 if d.legend else 0.0
    width = lay.width + (STUB + 10 if d.output is not None else 0)
    width = max(width, 24 + text_width(d.title, FONT + 2) + 24,
                24 + text_width(d.subtitle, SMALL + 1) + 24,
                24 + sum(text_width(t, SMALL) + 60 for _, t in d.legend))
    height = lay.height + legend_h
    title = " — ".join(t for t in (d.title, d.subtitle) if t) or "computational graph"
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(width)}" height="{_f(height)}" '
        f'viewBox="0 0 {_f(width)} {_f(height)}" font-family={quoteattr(FONT_FAMILY)} '
        f'role="img" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="nndl-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto"><path d="M0,1 L10,5 L0,9 z" fill="{MUTED}"/></marker>'
        "</defs>",
        f'<rect x="0" y="0" width="{_f(width)}" height="{_f(height)}" fill="#ffffff"/>',
    ]
    y = 0.0
    if d.title:
        y += 22
        out.append(_text(24, y, d.title, size=FONT + 2, anchor="start", weight="bold"))
    if d.subtitle:
        y += 18
        out.append(_text(24, y, d.subtitle, size=SMALL + 1, color=MUTED, anchor="start"))

    out.append('<g id="wires" fill="none" stroke="#57606a" stroke-width="1.4">')
    for r in rs:
        (x0, y0), (x1, y1) = r.p0, r.p1
        if r.ctrl is None:
            path = f"M{_f(x0)},{_f(y0)} L{_f(x1)},{_f(y1)}"
        else:
            path = f"M{_f(x0)},{_f(y0)} Q{_f(r.ctrl[0])},{_f(r.ctrl[1])} {_f(x1)},{_f(y1)}"
        out.append(f'<path d="{path}" marker-end="url(#nndl-arrow)"/>')
    out.append("</g>")

    out.append('<g id="wire-labels">')
    for r in rs:
        above, below = label_points(r)
        anchor = _anchor(r.normal[0])
        if r.top:
            out.append(_text(*above, r.top, size=SMALL, color=VALUE_COLOR, anchor=anchor,
                             halo=True))
        if r.bottom:
            out.append(_text(*below, r.bottom, size=SMALL, color=GRAD_COLOR,
                             anchor=_anchor(-r.normal[0]), halo=True))
    out.append("</g>")

    out.append('<g id="nodes">')
    for n in d.nodes:
        p = lay.pos[n.id]
        if n.shape == "circle":
            out.append(f'<circle cx="{_f(p.x)}" cy="{_f(p.y)}" r="{_f(p.w / 2)}" '
                       f'fill="{n.fill}" stroke="{INK}" stroke-width="1.5"/>')
        else:
            out.append(f'<rect x="{_f(p.x - p.w / 2)}" y="{_f(p.y - p.h / 2)}" width="{_f(p.w)}" '
                       f'height="{_f(p.h)}" rx="6" fill="{n.fill}" stroke="{INK}" '
                       'stroke-width="1.5"/>')
        first = p.y - (len(n.lines) - 1) * LINE_H / 2 + FONT * 0.35
        for i, line in enumerate(n.lines):
            out.append(_text(p.x, first + i * LINE_H, line.text, size=FONT if i == 0 else SMALL,
                             color=ROLE_COLOR[line.role], weight="bold" if i == 0 else None))
        if n.caption:
            out.append(_text(p.x, p.y - p.h / 2 - 6, n.caption, size=SMALL + 1, color=MUTED,
                             italic=True))
        if n.note:
            out.append(_text(p.x, p.y + p.h / 2 + SMALL + 4, n.note.text, size=SMALL,
                             color=ROLE_COLOR[n.note.role]))
    out.append("</g>")
    if d.output is not None:
        r = rs[-1]
        out.append(_text(r.p1[0] + 6, r.p1[1] + 4, d.output.src, size=FONT, italic=True,
                         anchor="start", color=MUTED))

    if d.legend:
        out.append('<g id="legend">')
        x, ly = 24.0, height - 12
        for color, label in d.legend:
            out.append(f'<line x1="{_f(x)}" y1="{_f(ly - 4)}" x2="{_f(x + 18)}" y2="{_f(ly - 4)}" '
                       f'stroke="{color}" stroke-width="3"/>')
            out.append(_text(x + 24, ly, label, size=SMALL, color=color, anchor="start"))
            x += 24 + text_width(label, SMALL) + 36
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
