"""Renderers of activation reports: terminal (Rich), Markdown and JSON, in zh or en.
They only format :class:`ActivationReport` objects; every number comes from there."""

from __future__ import annotations

import dataclasses
import json
import math

from nndl.activations.cost import ops_text
from nndl.activations.registry import get
from nndl.activations.report import ActivationReport, n
from nndl.text import Text

L = {
    "property": Text("性质", "property"),
    "range": Text("值域", "output range"),
    "mean": Text("输出均值（x ~ N(0,1)）", "mean output (x ~ N(0,1))"),
    "zero_centred": Text("以 0 为中心", "zero-centred"),
    "monotonic": Text("单调", "monotonic"),
    "max_slope": Text("|f′| 的最大值（位置）", "max |f′| (where)"),
    "slope0": Text("f′(0)", "f′(0)"),
    "saturation": Text("饱和区（|f′| < 最大值的 1%）", "saturation (|f′| < 1% of max)"),
    "band": Text("非饱和区宽度", "non-saturated width"),
    "dead": Text("死区 f′ = 0", "dead region f′ = 0"),
    "smooth0": Text("在 0 处光滑", "smooth at 0"),
    "cost_f": Text("f 的运算量（每元素）", "operations for f (per element)"),
    "cost_df": Text("f′ 的运算量（每元素）", "operations for f′ (per element)"),
    "timing": Text("实测耗时 f+f′（每次运行略有不同）", "measured time f+f′ (varies per run)"),
    "chain": Text("每层链式因子上界 / 10 层", "chain factor per layer / 10 layers"),
    "derivation": Text("推导", "Derivation"),
    "pros": Text("优点", "Pros"),
    "cons": Text("缺点", "Cons"),
    "notes": Text("说明", "Notes"),
    "yes": Text("是", "yes"),
    "no": Text("否", "no"),
    "none": Text("无", "none"),
    "figure": Text("f 与 f′ 的曲线", "f and f′"),
    "reuse": Text("（复用 f(x)）", " (reusing f(x))"),
    "title": Text("激活函数：导数、性质与优缺点（均由 nndl 实时计算）",
                  "Activation functions: derivatives, properties, pros and cons (computed by nndl now)"),
}


def _title(r: ActivationReport, lang: str) -> str:
    return get(r.name).label(lang)


def _yn(b: bool, lang: str) -> str:
    return L["yes" if b else "no"](lang)


def rows(r: ActivationReport, lang: str) -> list[tuple[str, str]]:
    p = r.properties
    w = p.max_slope_where
    where = (f"x → {n(w.lo)}" if p.max_slope_is_limit else
             f"x = {n(w.lo)}" if w.lo == w.hi else f"x ∈ {w.text()}")
    sat = " ∪ ".join(s.text() for s in p.saturation) or L["none"](lang)
    dead = " ∪ ".join(s.text() for s in p.dead) or L["none"](lang)
    cost_f = "—" if p.cost is None else ops_text(p.cost.f, lang)
    cost_df = "—" if p.cost is None else ops_text(p.cost.df, lang)
    if p.cost is not None and p.cost.df_reuses_output:
        cost_df += L["reuse"](lang)
    timed = p.cost.timing if p.cost is not None else None
    return [
        (L["range"](lang), p.range.text()),
        (L["mean"](lang), n(p.mean_output, 3)),
        (L["zero_centred"](lang), _yn(p.zero_centred, lang)),
        (L["monotonic"](lang), _yn(p.monotonic, lang)),
        (L["max_slope"](lang), f"{n(p.max_slope)} ({where})"),
        (L["slope0"](lang), n(p.slope_at_0)),
        (L["saturation"](lang), sat),
        (L["band"](lang), n(p.active_band.width)),
        (L["dead"](lang), dead),
        (L["smooth0"](lang), _yn(p.smooth_at_0, lang)),
        (L["cost_f"](lang), cost_f),
        (L["cost_df"](lang), cost_df),
        (L["chain"](lang), f"{n(p.chain_factor)} / {n(p.chain_bound[10], 2)}"),
    ] + ([] if timed is None else [
        (L["timing"](lang), f"{n(timed.ns_f + timed.ns_df, 3)} ns ({n(timed.relative, 2)}× ReLU)")])


MAX_CELL = 26  # columns: a wider cell wraps rather than pushing the table off the terminal


def _groups(reports, all_rows, width: int) -> list[list[int]]:
    """Activations in groups whose columns fit ``width`` side by side (one table each), so
    that 13 activations on 80 columns are several readable tables, not 13 clipped columns."""
    from rich.cells import cell_len

    label_w = min(MAX_CELL, max(cell_len(label) for label, _ in all_rows[0])) + 3
    groups: list[list[int]] = [[]]
    used = label_w + 1
    for k, rs in enumerate(all_rows):
        w = min(MAX_CELL, max([cell_len(v) for _, v in rs] + [cell_len(reports[k].title)])) + 3
        if groups[-1] and used + w > width:
            groups.append([])
            used = label_w + 1
        groups[-1].append(k)
        used += w
    return groups


def print_text(reports: list[ActivationReport], lang: str, console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    console.print(f"[bold]{L['title'](lang)}[/]")
    all_rows = [rows(r, lang) for r in reports]
    for group in _groups(reports, all_rows, console.width):
        table = Table(show_lines=False)
        table.add_column(L["property"](lang), max_width=MAX_CELL, overflow="fold")
        for k in group:
            table.add_column(_title(reports[k], lang), max_width=MAX_CELL, overflow="fold")
        for i, (label, _) in enumerate(all_rows[0]):
            table.add_row(label, *[all_rows[k][i][1] for k in group])
        console.print(table, highlight=False)
    for r in reports:
        console.print(f"\n[bold underline]{_title(r, lang)}[/]  ({r.torch})", highlight=False)
        console.print(f"[bold]{L['derivation'](lang)}[/]")
        for k, s in enumerate(r.derivation.steps, 1):
            sep = "：" if lang == "zh" else ": "
            console.print(f"  {k}. {s.title(lang)}{sep}{s.plain_for(lang)}", highlight=False,
                          markup=False)
            if s.note:
                console.print(f"     {s.note(lang)}", highlight=False, markup=False)
        for key, pts in (("pros", r.pros), ("cons", r.cons), ("notes", r.notes)):
            if pts:
                console.print(f"[bold]{L[key](lang)}[/]")
                for q in pts:
                    console.print(f"  • {q.text(lang)}", highlight=False, markup=False)


def to_text(reports: list[ActivationReport], lang: str, width: int | None = None,
            color: bool = False) -> str:
    """:func:`print_text` into a string (``width`` columns, the terminal's when None)."""
    from nndl.report import text_console

    console = text_console(width, color)
    print_text(reports, lang, console)
    return console.file.getvalue()


def to_markdown(reports: list[ActivationReport], lang: str, figure: str | None = None) -> str:
    out = [f"# {L['title'](lang)}", ""]
    def cell(s: str) -> str:
        return s.replace("|", "\\|")

    head = [L["property"](lang)] + [_title(r, lang) for r in reports]
    out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    all_rows = [rows(r, lang) for r in reports]
    for i, (label, _) in enumerate(all_rows[0]):
        out.append("| " + " | ".join(cell(c) for c in [label] + [rs[i][1] for rs in all_rows]) + " |")
    if figure:
        out += ["", f"![{L['figure'](lang)}]({figure})"]
    for r in reports:
        out += ["", f"## {_title(r, lang)}", "", f"`{r.torch}`", "", f"### {L['derivation'](lang)}", ""]
        sep = "：" if lang == "zh" else ": "
        for k, s in enumerate(r.derivation.steps, 1):
            out.append(f"{k}. {s.title(lang)}{sep}$${_latex_for(s.latex, lang)}$$")
            if s.note:
                out.append(f"   {s.note(lang)}")
        for key, pts in (("pros", r.pros), ("cons", r.cons), ("notes", r.notes)):
            if pts:
                out += ["", f"### {L[key](lang)}", ""] + [f"- {q.text(lang)}" for q in pts]
    return "\n".join(out) + "\n"


def _latex_for(latex: str, lang: str) -> str:
    """SymPy's words in a cases block ("for", "otherwise") in Chinese."""
    if lang != "zh":
        return latex
    return latex.replace(r"\text{for}", r"\text{当}").replace(r"\text{otherwise}", r"\text{其他}")


def _with_zh_twins(r: ActivationReport, d: dict) -> dict:
    """The JSON stays language-neutral: a formula whose plain or LaTeX form has words ("if",
    "otherwise", SymPy's "for") gets a ``…_zh`` twin beside it, as the steps' ``plain_zh``.
    The plain forms themselves stay as they are: ``derivative_plain`` is what ``nndl check``
    reads back."""
    der, steps = d["derivation"], d["derivation"]["steps"]
    from nndl.activations.registry import get

    if get(r.name).label("zh") != d["title"]:  # GELU (tanh approx.) -> GELU（tanh 近似）
        d["title_zh"] = get(r.name).label("zh")
    for key in ("definition_latex", "derivative_latex"):
        if _latex_for(der[key], "zh") != der[key]:
            der[key + "_zh"] = _latex_for(der[key], "zh")
    zh_derivative = r.derivation.derivative_text("zh")
    if zh_derivative and zh_derivative != der["derivative_plain"]:
        der["derivative_plain_zh"] = zh_derivative
    for step in steps:
        if _latex_for(step["latex"], "zh") != step["latex"]:
            step["latex_zh"] = _latex_for(step["latex"], "zh")
        # the definition as the first step writes it in Chinese: "ReLU(x) = {0（x ≤ 0）；x（x > 0）}"
        if (step["plain_zh"] and "definition_plain_zh" not in der
                and step["plain"].endswith(" = " + der["definition_plain"])):
            der["definition_plain_zh"] = step["plain_zh"].split(" = ", 1)[1]
    return d


def _jsonable(v):
    if isinstance(v, float):
        return v if math.isfinite(v) else ("inf" if v > 0 else "-inf" if v < 0 else "nan")
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, str):  # NumPy scalars
        return _jsonable(v.item())
    return v


def to_json(reports: list[ActivationReport]) -> str:
    data = {"activations": [_with_zh_twins(r, _jsonable(dataclasses.asdict(r))) for r in reports]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
