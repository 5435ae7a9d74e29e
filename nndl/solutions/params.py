"""Exercises as functions of their parameters.

Each exercise module defines ``Params``, a frozen dataclass whose defaults are the sheet's
own instance, and ``build(params, full)``. A field says how it is read from the command
line (``name=value``), what values it allows and what it means, in its ``metadata``
(see :func:`param`); ``validate()`` refuses impossible combinations before anything is
computed, naming the parameter and the fix.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from nndl.errors import NNDLError
from nndl.solutions.model import Text


class ParamError(NNDLError):
    """A parameter of an exercise that cannot be read or cannot work."""


def param(default: Any, *, kind: Text, allowed: Text, help: Text,
          parse: Callable[[str, str], Any]) -> Any:
    """A dataclass field of exercise parameters: ``parse(name, text)`` reads the command
    line's value (and raises ParamError naming ``name``)."""
    factory = (lambda: default) if isinstance(default, list | dict) else None
    meta = {"kind": kind, "allowed": allowed, "help": help, "parse": parse}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


@dataclass(frozen=True)
class ParamInfo:
    """One row of ``nndl solve N --params``."""

    name: str
    kind: Text
    default: str
    allowed: Text
    help: Text


class ExerciseParams:
    """Shared behaviour of every exercise's ``Params`` dataclass."""

    number: ClassVar[int]

    def validate(self) -> None:
        """Raise ParamError if these parameters cannot give a solution (override)."""

    @classmethod
    def info(cls) -> list[ParamInfo]:
        default = cls()
        return [ParamInfo(f.name, f.metadata["kind"], show(getattr(default, f.name)),
                          f.metadata["allowed"], f.metadata["help"])
                for f in dataclasses.fields(cls)]  # type: ignore[arg-type]

    @classmethod
    def from_strings(cls, pairs: dict[str, str]) -> Self:
        """Parameters from ``name=value`` pairs; unnamed ones keep the sheet's values."""
        fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        values: dict[str, Any] = {}
        for name, text in pairs.items():
            if name not in fields:
                listed = ", ".join(fields)
                raise ParamError(Text(f"第 {cls.number} 题没有参数 '{name}'",
                                      f"exercise {cls.number} has no parameter '{name}'"),
                                 hint=Text(f"它的参数是 {listed}（nndl solve {cls.number} --params "
                                           "列出它们）",
                                           f"its parameters are {listed} (nndl solve {cls.number} "
                                           "--params lists them)"))
            values[name] = fields[name].metadata["parse"](name, text)
        made = cls(**values)
        made.validate()
        return made

    def is_sheet(self) -> bool:
        """True for the sheet's own instance (whose statement is the sheet's text)."""
        return self == type(self)()

    def to_json(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name))
                for f in dataclasses.fields(self)}  # type: ignore[arg-type]


def _plain(v: Any) -> Any:
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


def show(v: Any) -> str:
    """A parameter value as the command line writes it."""
    if isinstance(v, tuple) and all(isinstance(x, int) for x in v):
        return "x".join(str(x) for x in v)
    if isinstance(v, tuple):
        return ",".join(show(x) for x in v)
    if isinstance(v, float) and v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return str(v)


# ----------------------------------------------------------------- parsers
def integer(lo: int, hi: int) -> Callable[[str, str], int]:
    def parse(name: str, text: str) -> int:
        t = text.strip().replace(",", "").replace("_", "")
        try:
            v = int(t)
        except ValueError:
            raise ParamError(Text(f"{name}={text!r} 不是整数", f"{name}={text!r} is not a whole number"),
                             hint=Text(f"写成 {name}=<{lo} 到 {hi:,} 之间的整数>",
                                       f"write {name}=<a whole number from {lo} to {hi:,}>")) from None
        if not lo <= v <= hi:
            raise ParamError(Text(f"{name}={v} 超出范围 {lo}..{hi:,}",
                                  f"{name}={v} is outside {lo}..{hi:,}"),
                             hint=Text(f"{name} 取 {lo} 到 {hi:,} 之间的值",
                                       f"choose {name} from {lo} to {hi:,}"))
        return v
    return parse


def number(lo: float, hi: float) -> Callable[[str, str], float]:
    def parse(name: str, text: str) -> float:
        try:
            v = float(text.strip().replace("−", "-"))
        except ValueError:
            raise ParamError(Text(f"{name}={text!r} 不是数", f"{name}={text!r} is not a number"),
                             hint=Text(f"写成 {name}=<一个数，例如 0.5>",
                                       f"write {name}=<a number such as 0.5>")) from None
        if not (lo <= v <= hi):  # also refuses nan
            raise ParamError(Text(f"{name}={text} 超出范围 {show(lo)}..{show(hi)}",
                                  f"{name}={text} is outside {show(lo)}..{show(hi)}"),
                             hint=Text(f"{name} 取 {show(lo)} 到 {show(hi)} 之间的值",
                                       f"choose {name} from {show(lo)} to {show(hi)}"))
        return v
    return parse


_SEPARATORS = re.compile(r"\s*[x×*,]\s*")


def dims(count: int, lo: int, hi: int) -> Callable[[str, str], tuple[int, ...]]:
    """'300x300x3', '300×300×3', '300*300*3', '(300, 300, 3)' -> (300, 300, 3)."""
    def parse(name: str, text: str) -> tuple[int, ...]:
        parts = [p for p in _SEPARATORS.split(text.strip().strip("()[]")) if p]
        example = "x".join(["224"] * (count - 1) + ["3"]) if count == 3 else "x".join(["5"] * count)
        try:
            values = tuple(int(p) for p in parts)
        except ValueError:
            values = ()
        if len(values) != count:
            raise ParamError(Text(f"无法把 {name}={text!r} 读成 {count} 个整数",
                                  f"cannot read {name}={text!r} as {count} whole numbers"),
                             hint=Text(f"写成 {name}={example}", f"write it as {name}={example}"))
        for v in values:
            if not lo <= v <= hi:
                raise ParamError(Text(f"{name}={text}：{v} 超出范围 {lo}..{hi:,}",
                                      f"{name}={text}: {v} is outside {lo}..{hi:,}"),
                                 hint=Text(f"{name} 的每个数都要在 {lo} 到 {hi:,} 之间",
                                           f"each number of {name} must be from {lo} to {hi:,}"))
        return values
    return parse


def text_value(name: str, text: str) -> str:
    if not text.strip():
        raise ParamError(Text(f"{name} 是空的", f"{name} is empty"),
                         hint=Text(f"写成 {name}=<值>", f"write {name}=<a value>"))
    return text.strip()


def words(choices: Callable[[], list[str]]) -> Callable[[str, str], tuple[str, ...]]:
    """'sigmoid,tanh,relu' -> ('sigmoid', 'tanh', 'relu'), each one of ``choices()``."""
    def parse(name: str, text: str) -> tuple[str, ...]:
        items = tuple(w.strip().lower() for w in text.split(",") if w.strip())
        if not items:
            raise ParamError(Text(f"{name} 是空的", f"{name} is empty"),
                             hint=Text(f"写成 {name}=a,b,c", f"write {name}=a,b,c"))
        known = choices()
        for w in items:
            if w not in known:
                raise ParamError(Text(f"{name}：未知的值 '{w}'", f"{name}: unknown value '{w}'"),
                                 hint=Text("可选：", "choose from ") + ", ".join(known))
        return items
    return parse


def one_of(choices: tuple[str, ...]) -> Callable[[str, str], str]:
    def parse(name: str, text: str) -> str:
        v = text.strip().lower()
        if v not in choices:
            listed = ", ".join(choices)
            raise ParamError(Text(f"{name}={text!r} 不是 {listed} 之一",
                                  f"{name}={text!r} is not one of {listed}"),
                             hint=Text(f"写成 {name}={choices[0]}", f"write {name}={choices[0]}"))
        return v
    return parse
