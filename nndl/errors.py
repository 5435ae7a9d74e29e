"""One exception family for every user-facing error in nndl.

The command line prints an ``NNDLError`` without a traceback and exits non-zero,
so every message must say *where* (layer, line, character), *what* failed and,
where there is one, *the fix*.
"""

from __future__ import annotations


class NNDLError(Exception):
    """Base class of every error nndl raises on purpose."""

    def __init__(self, message: str, *, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message if hint is None else f"{message}\nHint: {hint}")


class GraphError(NNDLError):
    """Misuse of the autodiff graph (backward on a tensor without grad, a freed graph...)."""


class ShapeError(NNDLError):
    """Shapes that cannot work together (matmul, broadcasting, layers)."""


class DataError(NNDLError, ValueError):
    """Data that cannot be used: a data set that cannot be loaded, training samples or
    labels a model cannot take, a split or batch request that cannot work."""
