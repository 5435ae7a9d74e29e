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

from nndl.text import Lang, Text


class NNDLError(Exception):
    """Base class of every error nndl raises on purpose.

    ``message`` and ``hint`` are plain English strings or :class:`Text` (zh and en). ``str(e)``,
    ``e.message`` and ``e.hint`` are always English (what library code and PyTorch-style
    ``except`` blocks see); ``e.message_in(lang)`` and ``e.hint_in(lang)`` give the language the
    command line speaks. A plain str is the same in both languages (tensor errors that mirror
    PyTorch's stay English)."""

    def __init__(self, message: str | Text, *, hint: str | Text | None = None):
        # message_t / hint_t: both languages, for a wrapper that adds context (Text + Text)
        self.message_t = message if isinstance(message, Text) else Text.same(message)
        self.hint_t = hint if isinstance(hint, Text) or hint is None else Text.same(hint)
        self.message = self.message_t.en
        self.hint = None if self.hint_t is None else self.hint_t.en
        super().__init__(self.message if self.hint is None
                         else f"{self.message}\nHint: {self.hint}")

    def message_in(self, lang: Lang | str) -> str:
        """The message in ``lang`` (zh or en)."""
        return self.message_t(lang)

    def hint_in(self, lang: Lang | str) -> str | None:
        """The hint in ``lang``, or None when there is none."""
        return None if self.hint_t is None else self.hint_t(lang)


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
