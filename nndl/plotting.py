"""Matplotlib set-up shared by every figure nndl draws.

Figures are rendered off-screen (Agg), SVG keeps text as text (searchable), and output is
deterministic: same input, same bytes. Chinese figures need a CJK font: the first one found
of :data:`CJK_FONTS` (CI installs Debian's fonts-wqy-microhei) is the fallback family after
DejaVu Sans, glyph by glyph, so Latin and math come from DejaVu and 汉字 from the CJK font.
Without one, :func:`figure_lang` draws the English version instead of tofu boxes.

Every SVG gets ``role="img"``, an ``aria-label`` and a ``<title>`` (the figure's label), so a
screen reader announces what the figure shows.
"""

from __future__ import annotations

import functools
import io
import os
import re
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from nndl.errors import NNDLError  # noqa: E402
from nndl.fileio import atomic_write  # noqa: E402
from nndl.text import Lang, check_lang  # noqa: E402

# CJK fonts by family name, most likely first on a Linux box; files are matched by these
# stems when matplotlib's font cache predates the font's installation
CJK_FONTS = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC",
             "Source Han Sans SC", "Droid Sans Fallback", "AR PL UMing CN", "SimHei",
             "Microsoft YaHei", "PingFang SC")
CJK_FILES = ("wqy-microhei", "wqy-zenhei", "notosanscjk", "notosanssc", "sourcehansans",
             "droidsansfallback", "uming", "simhei", "msyh", "pingfang")
# what a browser without the figure's own CJK font tries next (SVG text is text)
SVG_CJK_FALLBACK = "'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
LEGEND_SIZE = 9      # points: legends stay readable (7 px was not)
BASE = {
    "svg.fonttype": "none",      # text stays text in SVG
    "svg.hashsalt": "nndl",      # stable ids -> byte-identical SVG
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "font.size": 10,
    "legend.fontsize": LEGEND_SIZE,
    "axes.unicode_minus": True,
}
FORMATS = ("svg", "png", "pdf")


@functools.cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or None. Looks in matplotlib's font cache,
    then on disk (a font installed after the cache was built), registering what it finds."""
    import logging

    from matplotlib import font_manager as fm

    # a CJK font has no bold face: matplotlib's "using 400 instead" is noise on the terminal
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    known = {f.name for f in fm.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in known:
            return name
    for path in sorted(fm.findSystemFonts()):
        stem = Path(path).name.lower().replace("-", "").replace("_", "")
        if any(k.replace("-", "") in stem for k in CJK_FILES):
            try:
                fm.fontManager.addfont(path)
                return fm.FontProperties(fname=path).get_name()
            except (OSError, RuntimeError, ValueError):
                continue  # unreadable font file: try the next
    return None


def figure_lang(lang: str) -> Lang:
    """The language a figure can be drawn in: Chinese needs a CJK font, else English
    (a readable English figure, not boxes where the characters should be)."""
    lang = check_lang(lang)
    return lang if lang == "en" or cjk_font() else "en"


def style() -> dict:
    """nndl's rc parameters, with the CJK font as a per-glyph fallback when there is one."""
    cjk = cjk_font()
    return {**BASE, "font.family": ["DejaVu Sans"] + ([cjk] if cjk else [])}




def new_figure(*args, **kwargs):
    """``plt.subplots`` under nndl's style. Titles and labels are added after this returns,
    outside the rc context, so the CJK fallback also goes into matplotlib's default family
    while that is matplotlib's own (DejaVu Sans first either way: only glyphs it lacks change;
    a generic 'sans-serif' would resolve to DejaVu Sans alone, with no fallback)."""
    family = style()["font.family"]
    if matplotlib.rcParams["font.family"] in (["sans-serif"], family[:1]):
        matplotlib.rcParams["font.family"] = family
    with plt.rc_context(style()):
        return plt.subplots(*args, **kwargs)


def label(fig, text: str):
    """What the figure shows, in one sentence: the SVG's <title> and aria-label."""
    fig.nndl_label = text
    return fig


def integer_ticks(ax, axis: str = "x") -> None:
    """Whole-number ticks (epochs, layers): never 2.5 of them."""
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))


def _set_fonts(fig) -> None:
    """nndl's font list on every text of the figure: texts made after :func:`new_figure`
    returned (titles, labels, legends) were made outside its rc context."""
    from matplotlib.text import Text as MplText

    family = style()["font.family"]
    for t in fig.findobj(MplText):
        t.set_fontfamily(family)


def _label_of(fig) -> str:
    given = getattr(fig, "nndl_label", None)
    if given:
        return given
    titles = [fig._suptitle.get_text()] if getattr(fig, "_suptitle", None) else []
    titles += [ax.get_title() for ax in fig.axes]
    seen: list[str] = []
    for t in titles:
        t = " ".join(t.split())
        if t and t not in seen:
            seen.append(t)
    return "; ".join(seen) or "figure"


def accessible_svg(svg: str, text: str) -> str:
    """``role="img"``, ``aria-label`` and a ``<title>`` on the root <svg>; CJK fallbacks
    appended to each font-family list."""
    m = re.search(r"<svg\b[^>]*>", svg)
    if m is None:
        return svg
    tag = m.group(0)
    tag = tag[:-1] + f' role="img" aria-label={quoteattr(text)}>'
    svg = svg[:m.start()] + tag + f"\n <title>{escape(text)}</title>" + svg[m.end():]
    cjk = cjk_font()
    if cjk:
        svg = svg.replace(f"'{cjk}'", f"'{cjk}', {SVG_CJK_FALLBACK}")
    return svg


def figure_bytes(fig, fmt: str) -> bytes:
    """Render a figure to SVG/PNG/PDF bytes, with no timestamps, then close it."""
    if fmt not in FORMATS:
        raise NNDLError(f"unknown figure format '{fmt}'", hint=f"use one of: {', '.join(FORMATS)}")
    buf = io.BytesIO()
    metadata = {"Date": None} if fmt in ("svg", "pdf") else {"Software": "nndl"}
    if fmt == "pdf":
        metadata["CreationDate"] = None
        metadata.pop("Date")
    _set_fonts(fig)
    with plt.rc_context(style()):
        fig.savefig(buf, format=fmt, bbox_inches="tight", metadata=metadata)
    text = _label_of(fig)
    plt.close(fig)
    if fmt == "svg":
        return accessible_svg(buf.getvalue().decode("utf-8"), text).encode("utf-8")
    return buf.getvalue()


def save_figure(fig, path: str | os.PathLike) -> Path:
    """Save by the file's extension (.svg, .png, .pdf), atomically."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        plt.close(fig)
        raise NNDLError(f"cannot tell the figure format of '{path}'",
                        hint="end the file name with .svg, .png or .pdf")
    return atomic_write(path, figure_bytes(fig, fmt))
