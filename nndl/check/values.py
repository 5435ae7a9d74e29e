"""Answers as students write them: numbers with digit groups or powers of ten, shapes,
booleans. Each reader returns a value or raises :class:`AnswerError` with a caret under
the character it could not read."""

from __future__ import annotations

import re
from fractions import Fraction

from nndl.errors import NNDLError
from nndl.text import Text

MAX_ANSWER_CHARS = 500  # a homework answer; longer input is refused, not parsed


class AnswerError(NNDLError, ValueError):
    """An answer that cannot be read; the message shows where."""


def _caret(text: str, pos: int, what: str, expected: Text) -> AnswerError:
    excerpt = f"\n  {text}\n  " + " " * pos + "^"
    return AnswerError(Text(f"{what}：{text!r} 的第 {pos + 1} 个字符无法识别" + excerpt,
                            f"{what}: cannot read {text!r} at character {pos + 1}" + excerpt),
                       hint=Text("写成", "write ") + expected)


_A_NUMBER = Text("一个数，例如 27,000,100、2.7e7 或 2.7×10^7",
                 "a number such as 27,000,100, 2.7e7 or 2.7×10^7")
_A_SHAPE = Text("一个形状，例如 296x296x100 或 (296, 296, 100)",
                "a shape such as 296x296x100 or (296, 296, 100)")


def _check_size(text: str, what: str) -> str:
    if not isinstance(text, str):
        kind = type(text).__name__
        raise AnswerError(Text(f"{what}：答案应是文本，这里是 {kind}",
                               f"{what}: the answer must be text, got {kind}"))
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerError(Text(f"{what}：答案长达 {len(text):,} 个字符",
                               f"{what}: the answer is {len(text):,} characters long"),
                          hint=Text(f"一个答案最多 {MAX_ANSWER_CHARS} 个字符",
                                    f"an answer has at most {MAX_ANSWER_CHARS} characters"))
    return text.strip()


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_NUMBER = re.compile(
    r"""^(?P<sign>[-+−]?)\s*
        (?P<mant>(\d{1,3}(,\d{3})+|\d+)(\.\d*)?|\.\d+)
        (?:\s*(?:[eE](?P<exp1>[-+−]?\d+)
             |\s*[x×*·]\s*10\s*(?:\^|\*\*)\s*\(?(?P<exp2>[-+−]?\d+)\)?
             |\s*[x×*·]\s*10(?P<exp3>[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)))?$""", re.X)


def parse_number(text: str, what: str = "answer") -> Fraction:
    """'27,000,100', '27000100', '2.70001e7', '2.70001×10^7', '2.7×10⁷', '−3', '1/4' ->
    an exact Fraction (so integers stay exact and decimals compare without rounding)."""
    t = _check_size(text, what)
    if re.fullmatch(r"[-+−]?\s*\d+\s*/\s*\d+", t):
        num, den = t.replace("−", "-").replace(" ", "").split("/")
        if int(den) == 0:
            raise AnswerError(Text(f"{what}：{text!r} 除以了零", f"{what}: {text!r} divides by zero"),
                              hint=Text("写一个数", "write a number"))
        return Fraction(int(num), int(den))
    m = _NUMBER.match(t)
    if m is None:
        pos = next((i for i, ch in enumerate(t) if not (ch.isdigit() or ch in ",.-+− ")), len(t) - 1)
        raise _caret(t, max(pos, 0), what, _A_NUMBER)
    value = Fraction(m.group("mant").replace(",", ""))
    exp = m.group("exp1") or m.group("exp2") or (m.group("exp3") or "").translate(_SUPERSCRIPTS)
    if exp:
        e = int(exp.replace("−", "-"))
        if abs(e) > 400:
            raise AnswerError(Text(f"{what}：指数 {e} 超出范围", f"{what}: the exponent {e} is out of "
                                   "range"), hint=Text("检查 10 的幂次", "check the power of ten"))
        value *= Fraction(10) ** e
    return -value if m.group("sign") in ("-", "−") else value


_SHAPE_SPLIT = re.compile(r"\s*(?:[x×*,]|\s)\s*")


def parse_shape(text: str, what: str = "answer") -> tuple[int, ...]:
    """'296x296x100', '296×296×100', '(296, 296, 100)', '296 296 100' -> (296, 296, 100);
    also a single number '8761600' -> (8761600,)."""
    t = _check_size(text, what)
    inner = t.strip("()[] ")
    parts = _SHAPE_SPLIT.split(inner)
    if not inner or "" in parts:
        raise _caret(t, len(t) - 1 if inner else 0, what, _A_SHAPE)
    out = []
    for p in parts:
        if not p.isdigit():
            pos = t.find(p)
            raise _caret(t, max(pos, 0), what, _A_SHAPE)
        out.append(int(p))
    return tuple(out)


_TRUE = {"true", "yes", "y", "1", "是", "对", "能", "可以", "正确"}
_FALSE = {"false", "no", "n", "0", "否", "不", "不能", "不可以", "错误"}


def parse_bool(text: str, what: str = "answer") -> bool:
    t = _check_size(text, what).lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise AnswerError(Text(f"{what}：无法把 {text!r} 读成“是”或“否”",
                           f"{what}: cannot read {text!r} as yes or no"),
                      hint=Text("写“是”或“否”", "write yes or no (是 / 否)"))
