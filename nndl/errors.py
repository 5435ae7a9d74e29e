"""One exception family for every user-facing error in nndl.

The command line prints an ``NNDLError`` without a traceback and exits non-zero,
so every message must say *where* (layer, line, character), *what* failed and,
where there is one, *the fix*.

Each error of the engine, the layers and the optimisers also derives from the built-in
exception PyTorch raises in the same case, so course code written for PyTorch catches it
the same way: ``except RuntimeError`` a shape mismatch or a second backward,
``except IndexError`` a dim or an index out of range, ``except ValueError`` a bad
argument value (a reduction name, a learning rate, a probability).
"""

from __future__ import annotations


class NNDLError(Exception):
    """Base class of every error nndl raises on purpose."""

    def __init__(self, message: str, *, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message if hint is None else f"{message}\nHint: {hint}")


class GraphError(NNDLError, RuntimeError):
    """Misuse of the autodiff graph (backward on a tensor without grad, a freed graph...);
    a RuntimeError, as PyTorch raises."""


class ShapeError(NNDLError, RuntimeError):
    """Shapes that cannot work together (matmul, broadcasting, layers); a RuntimeError, as
    PyTorch raises."""


class DimError(ShapeError, IndexError):
    """A dim out of range for the tensor (``x.sum(5)`` on a 2-d tensor); an IndexError too,
    as PyTorch's "Dimension out of range"."""


class ArgumentError(NNDLError, ValueError):
    """An argument value an op, a layer or an optimiser cannot use (a reduction name, a
    probability outside [0, 1], a negative learning rate); a ValueError, as PyTorch raises."""


class ArgumentTypeError(NNDLError, TypeError):
    """An argument of a type that cannot be used there (``len()`` of a 0-d tensor, a float
    tensor as an index); a TypeError, as PyTorch raises."""


class DataError(NNDLError, ValueError):
    """Data that cannot be used: a data set that cannot be loaded, training samples or
    labels a model cannot take, a split or batch request that cannot work."""
