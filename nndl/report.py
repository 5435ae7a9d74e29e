"""Rendering helpers every capability shares: output formats, numbers for reading, JSON of
result dataclasses, and Rich renderables as plain text. Renderers only format data."""

from __future__ import annotations

import dataclasses
import io
import json
import math
import re
import unicodedata
from enum import StrEnum
from typing import Any

from nndl.errors import NNDLError
from nndl.text import LANGS, Text

MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)  # inline $…$ and display $$…$$ math


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


def fit_tables(columns: list[str], rows: list[list[str]], width: int | None = None, *,
               title: str | None = None, key_columns: int = 1, **table_options: Any) -> list:
    """Rich tables showing ``rows`` within ``width`` columns (the terminal's when None), no
    cell cut: when the whole table does not fit, its columns are split into groups that do,
    each group repeating the first ``key_columns`` (the row's name, e.g. t or the layer).
    A column is never narrower than its longest word, so no number is broken."""
    from rich.cells import cell_len
    from rich.table import Table

    width = terminal_width(width) - 2  # Rich's own margins: a table that would touch the edge folds

    def need(k: int) -> int:  # the narrowest the column can be, plus padding and a rule
        words = [w for text in [columns[k], *(r[k] for r in rows)] for w in str(text).split()]
        return max((cell_len(w) for w in words), default=1) + 3

    keys = list(range(min(key_columns, len(columns))))
    groups: list[list[int]] = []
    current: list[int] = []
    used = 1 + sum(need(k) for k in keys)
    for k in range(len(keys), len(columns)):
        if current and used + need(k) > width:
            groups.append(current)
            current, used = [], 1 + sum(need(j) for j in keys)
        current.append(k)
        used += need(k)
    groups.append(current)

    def table(group: list[int], name: str | None):
        t = Table(title=name, **table_options)
        for k in keys + group:
            t.add_column(columns[k], overflow="fold", min_width=min(need(k) - 3, width - 8))
        for r in rows:
            t.add_row(*(r[k] for k in keys + group))
        return t

    def too_wide(t) -> bool:  # Rich's own layout can end a cell over the estimate: it then
        from rich.console import Console  # crops the table's right edge, so ask Rich

        console = Console(width=width + 2, file=io.StringIO())
        widths = t._calculate_column_widths(console, console.options.update_width(
            width + 2 - t._extra_width))
        return sum(widths) + t._extra_width > width + 2

    i = 0
    while i < len(groups):  # a group Rich would crop gives its last column to the next
        if len(groups[i]) > 1 and too_wide(table(groups[i], title)):
            moved = groups[i].pop()
            if i + 1 == len(groups):
                groups.append([])
            groups[i + 1].insert(0, moved)
            continue
        i += 1
    return [table(group, title if len(groups) == 1 or title is None
                  else f"{title} ({n + 1}/{len(groups)})") for n, group in enumerate(groups)]


# ------------------------------------------------------------------ LaTeX -> Unicode (terminal)
_LATEX_SYMBOLS = {
    r"\rightarrow": "→", r"\to": "→", r"\infty": "∞", r"\times": "×", r"\cdot": "·",
    r"\leq": "≤", r"\le": "≤", r"\geq": "≥", r"\ge": "≥", r"\neq": "≠", r"\approx": "≈",
    r"\partial": "∂", r"\theta": "θ", r"\sigma": "σ", r"\delta": "δ", r"\ell": "ℓ",
    r"\sum": "Σ", r"\prod": "Π", r"\odot": "⊙", r"\in": "∈", r"\quad": "  ", r"\,": " ",
    r"\{": "{", r"\}": "}", r"\left": "", r"\right": "", r"\alpha": "α", r"\beta": "β",
    r"\gamma": "γ", r"\eta": "η", r"\lambda": "λ", r"\mu": "μ", r"\pm": "±", r"\prime": "′",
    r"\angle": "∠", r"\lVert": "‖", r"\rVert": "‖", r"\|": "‖", r"\tanh": "tanh",
    r"\exp": "exp", r"\log": "log", r"\max": "max", r"\min": "min", r"\ldots": "…",
    r"\dots": "…", r"\qquad": "    ", r"\;": " ", r"\!": "", r"\mathrm": "", r"\operatorname": "",
    "\\ ": " ",
}
_SUPERSCRIPT = str.maketrans("0123456789+-−()Tnlijmk", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁽⁾ᵀⁿˡⁱʲᵐᵏ")
_SUBSCRIPT = str.maketrans("0123456789+-−()nlijk", "₀₁₂₃₄₅₆₇₈₉₊₋₋₍₎ₙₗᵢⱼₖ")


# a line of Chinese may break after any character, but not before closing punctuation
_CLOSING = set("，。；：、）》」』！？…")
_OPENING = set("（《「『“")
# a run of anything but spaces, Chinese characters and full-width marks stays whole: σ(S)(1, x1,
# 27,000,100, --floor
_TOKEN = re.compile(r"[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]+|.")


def wrap_zh(line: str, width: int) -> list[str]:
    """``line`` in lines of at most ``width`` cells, broken between any two Chinese
    characters (Rich breaks only at spaces, so a Chinese sentence would jump whole to the
    next line); a Latin word or a number stays whole, a closing mark stays on its line."""
    from rich.cells import cell_len

    indent = line[:len(line) - len(line.lstrip(" "))]
    marked = line.lstrip(" ")[:2] in ("⚠ ", "✓ ", "✗ ", "? ", "* ", "† ")
    hang = indent + ("  " if marked or indent else "")  # an indented line goes on further in
    out: list[str] = []
    cur = ""
    tokens = [piece for tok in _TOKEN.findall(line)  # a run wider than a line: cut anywhere
              for piece in (tok if cell_len(tok) > width // 2 else [tok])]
    toks: list[str] = []  # the tokens of the line being filled, after its indent
    for tok in tokens:
        if "".join(toks).strip() and cell_len(cur + "".join(toks) + tok) > width:
            if tok == " ":
                out.append((cur + "".join(toks)).rstrip())
                cur, toks = hang, []
                continue
            # what goes down with the break: the token before a closing mark ("padding）",
            # "子，"), and an opening mark before what it opens ("（padding", "？（6）")
            keep = len(toks) - (1 if tok in _CLOSING and toks[-1].strip() else 0)
            while keep > 0 and toks[keep - 1] in _OPENING:
                keep -= 1
            if not "".join(toks[:keep]).strip():
                keep = len(toks)  # nothing would stay: break at the overflow as it is
            out.append((cur + "".join(toks[:keep])).rstrip())
            cur, toks = hang, toks[keep:]
        toks.append(tok)
    cur += "".join(toks)
    if cur.strip():
        out.append(cur.rstrip())
    return out


_CASE = Text("{v}（{c} 时）", "{v} if {c}")


def cases_to_plain(tex: str, lang: str) -> str:
    """A cases environment as a terminal reads it: 1（u>0 时）；0（u≤0 时）, not '1 u>0; 0 u≤ 0'
    (the rest of ``tex`` is left to :func:`latex_to_plain`)."""
    def one_line(m: re.Match) -> str:
        rows = [r.split("&") for r in m.group(1).split("\\\\")]
        return Text("；", "; ")(lang).join(
            _CASE.format(v=v.strip(), c=c.strip())(lang) for v, c in rows)

    return re.sub(r"\\begin\{cases\}(.*?)\\end\{cases\}", one_line, tex)


def latex_to_plain(tex: str) -> str:
    """A readable Unicode approximation of simple LaTeX, for the terminal only."""
    s = re.sub(r"\\begin\{[a-z*]+\}|\\end\{[a-z*]+\}", "", tex)
    s = s.replace("&", "").replace("\\\\", "; ")
    s = s.replace(r"\top", "T").replace(r"\equiv", "≡").replace(r"\Rightarrow", "⇒")
    for k in sorted(_LATEX_SYMBOLS, key=len, reverse=True):
        if k[-1].isalpha() and _LATEX_SYMBOLS[k] not in "×·→≤≥≠≈⊙∈±ΣΠ":
            # a letter-like command (\\partial x) swallows the space that ends it
            s = re.sub(re.escape(k) + r"(?![A-Za-z]) ?", lambda _m, v=_LATEX_SYMBOLS[k]: v, s)
        else:
            s = s.replace(k, _LATEX_SYMBOLS[k])

    def sup(m: re.Match) -> str:
        body = m.group(1) if m.group(1) is not None else m.group(2)
        conv = body.translate(_SUPERSCRIPT)
        return conv if all(c in "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ᵀⁿˡⁱʲᵐᵏ" for c in conv) else f"^({body})"

    def sub(m: re.Match) -> str:
        body = m.group(1) if m.group(1) is not None else m.group(2)
        conv = body.translate(_SUBSCRIPT)
        return conv if all(c in "₀₁₂₃₄₅₆₇₈₉₊₋₍₎ₙₗᵢⱼₖ" for c in conv) else f"_({body})"

    # innermost groups first, so nested braces resolve from the inside out
    for _ in range(6):
        before = s
        s = re.sub(r"\\(?:mathbf|boldsymbol|mathit|text|textrm|mathrm|operatorname)\{([^{}]*)\}",
                   r"\1", s)
        s = re.sub(r"\\hat\{(\w)\}|\\hat(\w)", lambda m: (m.group(1) or m.group(2)) + "\u0302", s)
        s = re.sub(r"\^\{([^{}]*)\}|\^(\w)", sup, s)
        s = re.sub(r"_\{([^{}]*)\}|_(\w)", sub, s)
        s = re.sub(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}",
                   lambda m: f"{_group(m.group(1))}/{_group(m.group(2))}", s)
        s = re.sub(r"\\sqrt\{([^{}]*)\}", r"√(\1)", s)
        s = re.sub(r"\{([^{}]*)\}", r"\1", s) if s == before else s
        if s == before:
            break
    s = s.replace("{", "").replace("}", "")
    return unicodedata.normalize("NFC", re.sub(r"[ \t]+", " ", s).strip())


def _group(text: str) -> str:
    """Parenthesise a fraction's part unless it is one token."""
    return text if re.fullmatch(r"[\w\u0302⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾ᵀⁿˡⁱʲᵐᵏ₀₁₂₃₄₅₆₇₈₉ₙᵢⱼₖ∂ℓσθ.]+", text) else f"({text})"


def inline_plain(text: str) -> str:
    return MATH.sub(lambda m: latex_to_plain(m.group(1) or m.group(2)), text)


