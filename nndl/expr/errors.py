"""Errors of the expression tracer: each says where (character position, node) and what.

Messages that point into the expression carry a two-line excerpt with a caret (or a
run of carets under a whole sub-expression), so the command line shows exactly
which character was wrong.
"""

from __future__ import annotations

from nndl.errors import NNDLError
from nndl.text import Text

EXCERPT = 60  # characters shown on each side of the caret; a longer text is cut with …


def caret_excerpt(text: str, start: int, end: int | None = None) -> str:
    """The expression on one line and ``^`` under characters ``start..end`` (exclusive); a
    long expression is cut to about EXCERPT characters around them (a 1 MB expression's
    error is a few lines, not 2 MB)."""
    end = start + 1 if end is None or end <= start else end
    start = max(0, min(start, len(text)))
    end = max(start + 1, min(end, len(text) + 1))
    lo = max(0, start - EXCERPT)
    hi = min(len(text), max(end, start + 1) + EXCERPT, lo + 3 * EXCERPT)
    end = min(end, hi + 1)
    # Tabs and newlines would shift the caret; show them as spaces.
    shown = "".join(" " if ch in "\t\r\n\f\v" else ch for ch in text[lo:hi])
    left = "…" if lo else ""
    right = "…" if hi < len(text) else ""
    pad = len(left) + start - lo
    return f"  {left}{shown}{right}\n  {' ' * pad}{'^' * max(end - start, 1)}"


def brief(text: str, limit: int = 60) -> str:
    """A piece of the user's text as a message quotes it: cut, with its length, when long."""
    return text if len(text) <= limit else f"{text[:limit - 20]}… ({len(text):,} characters)"


class ExprError(NNDLError):
    """Base class of every error raised for an expression or its values."""


class ExprSyntaxError(ExprError):
    """The expression cannot be read: bad character, missing operand, unbalanced parenthesis."""

    def __init__(self, message: str | Text, text: str, position: int, *, end: int | None = None,
                 hint: str | Text | None = None):
        self.text = text
        self.position = position
        msg = message if isinstance(message, Text) else Text.same(message)
        excerpt = caret_excerpt(text, position, end)
        at_end = position >= len(text)
        full = Text(f"无法解析表达式{'末尾' if at_end else f'第 {position + 1} 个字符'}："
                    f"{msg.zh}\n{excerpt}",
                    f"cannot read the expression "
                    f"{'at the end' if at_end else f'at character {position + 1}'}: {msg.en}"
                    f"\n{excerpt}")
        super().__init__(full, hint=hint)


class UnknownFunctionError(ExprSyntaxError):
    """A name followed by ``(`` that is not one of the known functions."""


class ExprValueError(ExprError):
    """A variable without a value, a value for a variable the expression lacks, a bad number."""


class ExprDomainError(ExprError):
    """An operation outside its domain (log of a non-positive number, division by zero...)."""

    def __init__(self, message: str | Text, *, node: str, text: str = "",
                 span: tuple[int, int] | None = None, hint: str | Text | None = None):
        self.node = node
        excerpt = f"\n{caret_excerpt(text, *span)}" if text and span else ""
        msg = message if isinstance(message, Text) else Text.same(message)
        super().__init__(msg + excerpt, hint=hint)
