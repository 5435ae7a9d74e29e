"""Rendering helpers every capability shares: output formats, numbers for reading, JSON of
result dataclasses, and Rich renderables as plain text. Renderers only format data."""

from __future__ import annotations

import dataclasses
import io
import json
import math
from enum import StrEnum
from typing import Any

from nndl.errors import NNDLError
from nndl.text import LANGS


class Format(StrEnum):
    """Output formats; each command offers the subset it can render."""

    text = "text"
    md = "md"
    html = "html"
    json = "json"


FORMATS = ("text", "md", "json")  # what every capability renders (html: the answer key)


def check_format(fmt: str, lang: str, formats: tuple[str, ...] = FORMATS) -> None:
    """Refuse an unknown format or language before anything is computed."""
    if fmt not in formats:
        raise NNDLError(f"unknown output format '{fmt}'", hint=f"use one of: {', '.join(formats)}")
    if lang not in LANGS:
        raise NNDLError(f"unknown language '{lang}'", hint="use zh or en")


def fmt_int(n: int) -> str:
    """27000100 -> '27,000,100' (the grouping both languages read)."""
    return f"{int(n):,}"


_SUPERSCRIPT_DIGITS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def fmt_num(x: float, digits: int = 4) -> str:
    """A float for reading: integers without '.0', others to ``digits`` significant figures,
    with a true minus sign."""
    x = float(x)
    if x == int(x) and abs(x) < 1e6:
        s = str(int(x))
    else:
        s = f"{x:.{digits}g}"
        if "e" in s:
            mant, exp = s.split("e")
            s = f"{mant}×10{str(int(exp)).translate(_SUPERSCRIPT_DIGITS)}"
    return s.replace("-", "−")


def g(v: float | None, digits: int = 4) -> str:
    """A measured number in a table: '—' for none, '∞' for infinity."""
    if v is None:
        return "—"
    if isinstance(v, float) and math.isinf(v):
        return "∞"
    return f"{v:.{digits}g}"


def jsonable(obj: Any) -> Any:
    """asdict, with inf/nan as strings (JSON has no such numbers)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        obj = dataclasses.asdict(obj)
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    return obj


def to_json(obj: Any) -> str:
    return json.dumps(jsonable(obj), ensure_ascii=False, indent=2, allow_nan=False)


def terminal_width(width: int | None = None) -> int:
    """The width text output is laid out for: ``width`` when given, else the terminal's
    ($COLUMNS first, as Rich reads it; 80 when neither says)."""
    if width is not None:
        return width
    from rich.console import Console

    return Console().width


def text_console(width: int | None = None, color: bool = False, markup: bool = True):
    """A Rich console that writes into a string (``console.file.getvalue()``), laid out for
    ``width`` columns (the terminal's when None), with ANSI colours only when ``color``."""
    from rich.console import Console

    return Console(file=io.StringIO(), width=terminal_width(width), force_terminal=color,
                   color_system="standard" if color else None, markup=markup,
                   highlight=color)


def rich_to_text(*items: Any, width: int | None = None, color: bool = False,
                 markup: bool = False) -> str:
    """Rich renderables (tables, panels, strings) as text laid out for ``width`` columns (the
    terminal's when None): plain, or with ANSI colours when ``color`` (stdout is a terminal).
    ``markup``: strings carry Rich markup ([bold]…[/])."""
    console = text_console(width, color, markup)
    for it in items:
        console.print(it, highlight=False)
    return console.file.getvalue()
