"""Drawings of computational graphs: nndl's own SVG (no Graphviz), PNG via matplotlib,
Graphviz DOT text, and terminal / Markdown / JSON reports of a traced expression.

>>> from nndl.expr import trace
>>> from nndl.viz import graph_svg
>>> svg = graph_svg(trace("(x+y)^2*z", x=1, y=2, z=-6), lang="en")

``draw(t)`` draws the autograd graph of any engine tensor; the object it returns shows
itself in Jupyter (``_repr_svg_``) and has ``.svg``, ``.png()``, ``.dot`` and ``.save(path)``.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from nndl.engine.tensor import Tensor
from nndl.errors import NNDLError
from nndl.expr.graph import GraphTrace
from nndl.fileio import atomic_write
from nndl.viz.diagram import Diagram, from_tensor, from_trace
from nndl.viz.dot import render_dot
from nndl.viz.report import graph_json, graph_markdown, graph_table
from nndl.viz.svg import render_svg

SAVE_FORMATS = ("svg", "png", "pdf", "dot", "gv")


class Drawing:
    """A graph drawing: ``.svg`` (text), ``.png()`` (bytes), ``.dot`` (text), ``.save(path)``."""

    def __init__(self, diagram: Diagram, english: Diagram | None = None):
        self.diagram = diagram
        # PNG/PDF need a CJK font for Chinese: without one they draw the English version
        self.english = english or diagram

    def _raster(self) -> Diagram:
        from nndl.plotting import cjk_font

        return self.diagram if cjk_font() else self.english

    @cached_property
    def svg(self) -> str:
        return render_svg(self.diagram)

    @cached_property
    def dot(self) -> str:
        return render_dot(self.diagram)

    def png(self) -> bytes:
        from nndl.viz.mpl import render_png

        return render_png(self._raster())

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str | os.PathLike) -> Path:
        """Write by the file's extension: .svg, .png, .pdf, .dot or .gv."""
        path = Path(path)
        fmt = path.suffix.lower().lstrip(".")
        if fmt == "svg":
            return atomic_write(path, self.svg)
        if fmt in ("dot", "gv"):
            return atomic_write(path, self.dot)
        if fmt in ("png", "pdf"):
            from nndl.plotting import figure_bytes
            from nndl.viz.mpl import render_figure

            return atomic_write(path, figure_bytes(render_figure(self._raster()), fmt))
        raise NNDLError(f"cannot tell the drawing format of '{path}'",
                        hint=f"end the file name with one of: .{', .'.join(SAVE_FORMATS)}")


def draw(obj: Tensor | GraphTrace, lang: str = "en") -> Drawing:
    """The computational graph of an engine tensor or of a traced expression."""
    if isinstance(obj, GraphTrace):
        return Drawing(from_trace(obj, lang), from_trace(obj, "en"))
    if isinstance(obj, Tensor):
        return Drawing(from_tensor(obj, lang), from_tensor(obj, "en"))
    raise NNDLError(f"draw() takes an nndl Tensor or a GraphTrace, got {type(obj).__name__}",
                    hint="for an expression use draw(nndl.expr.trace('(x+y)^2*z', x=1, y=2, z=-6))")


def graph_svg(trace: GraphTrace, lang: str = "en") -> str:
    return render_svg(from_trace(trace, lang))


def graph_png(trace: GraphTrace, lang: str = "en") -> bytes:
    """PNG bytes; Chinese needs a CJK font (:func:`nndl.plotting.figure_lang`), else English."""
    from nndl.plotting import figure_lang
    from nndl.viz.mpl import render_png

    return render_png(from_trace(trace, figure_lang(lang)))


def graph_dot(trace: GraphTrace, lang: str = "en") -> str:
    return render_dot(from_trace(trace, lang))


__all__ = ["Drawing", "draw", "graph_svg", "graph_png", "graph_dot", "graph_table",
           "graph_markdown", "graph_json", "from_trace", "from_tensor", "Diagram"]
