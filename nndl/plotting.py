"""Matplotlib set-up shared by every figure nndl draws.

Figures are rendered off-screen (Agg), SVG keeps text as text (searchable, and the
browser supplies CJK glyphs), and output is deterministic: same input, same bytes.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from nndl.errors import NNDLError  # noqa: E402
from nndl.fileio import atomic_write  # noqa: E402

STYLE = {
    "svg.fonttype": "none",      # text stays text in SVG
    "svg.hashsalt": "nndl",      # stable ids -> byte-identical SVG
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "font.size": 10,
}
FORMATS = ("svg", "png", "pdf")


def new_figure(*args, **kwargs):
    """``plt.subplots`` under nndl's style."""
    with plt.rc_context(STYLE):
        return plt.subplots(*args, **kwargs)


def figure_bytes(fig, fmt: str) -> bytes:
    """Render a figure to SVG/PNG/PDF bytes, with no timestamps, then close it."""
    if fmt not in FORMATS:
        raise NNDLError(f"unknown figure format '{fmt}'", hint=f"use one of: {', '.join(FORMATS)}")
    buf = io.BytesIO()
    metadata = {"Date": None} if fmt in ("svg", "pdf") else {"Software": "nndl"}
    if fmt == "pdf":
        metadata["CreationDate"] = None
        metadata.pop("Date")
    with plt.rc_context(STYLE):
        fig.savefig(buf, format=fmt, bbox_inches="tight", metadata=metadata)
    plt.close(fig)
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
