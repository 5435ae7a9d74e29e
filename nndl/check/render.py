"""Renderers of a :class:`~nndl.check.core.CheckReport`: terminal text and JSON. They only
format; every verdict, diagnosis and sentence comes from the report."""

from __future__ import annotations

import json
import math

from nndl.check.core import CheckReport
from nndl.check.mistakes import CATALOGUE
from nndl.text import Text

_MARK = {"correct": "✓", "wrong": "✗", "undetermined": "?"}
UI = {
    "title": Text("答案检查：{problem}", "Checked answers: {problem}"),
    "key": Text("答案键", "key"),
    "given": Text("你的答案", "your answer"),
    "expected": Text("正确答案", "right answer"),
    "verdict": Text("结果", "verdict"),
    "mistake": Text("诊断", "diagnosis"),
    "correct": Text("对", "right"),
    "wrong": Text("错", "wrong"),
    "undetermined": Text("无法判定", "undetermined"),
    "score": Text("{correct}/{total} 正确", "{correct} of {total} right"),
    "step": Text("相关步骤：", "The step: "),
    "tolerance": Text("实数按相对误差 {tol} 比较。", "Real numbers are compared to a relative "
                      "tolerance of {tol}."),
    "exercise": Text("第 {n} 题", "exercise {n}"),
}
# the problems of a student's own (nndl check graph/summary/derivative), as a title names them
PROBLEM = {"graph": Text("计算图", "graph"), "summary": Text("网络结构", "summary"),
           "derivative": Text("导数", "derivative")}


def _problem_name(report: CheckReport, lang: str) -> str:
    if report.problem.isdigit():
        return UI["exercise"].format(n=report.problem)(lang)
    return PROBLEM[report.problem](lang) if report.problem in PROBLEM else report.problem


def _power_of_ten(tol: float) -> str:
    """1e-06 as a reader writes it, 10⁻⁶; 0.001 stays 0.001."""
    exp = math.log10(tol) if tol > 0 else 0.0
    if tol < 1e-3 and exp == round(exp):
        return "10" + str(int(exp)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{tol:g}"


def to_json(report: CheckReport, lang: str) -> str:
    return json.dumps(report.to_json(lang), ensure_ascii=False, indent=2)


def to_text(report: CheckReport, lang: str, width: int | None = None) -> str:
    """The table of answers, then a paragraph for each one not right, laid out for ``width``
    columns (the terminal's when None)."""
    from rich import box
    from rich.table import Table

    from nndl.report import rich_to_text, terminal_width, wrap_zh
    from nndl.summary.render import colon

    table = Table(title=UI["title"].format(problem=_problem_name(report, lang))(lang),
                  box=box.SIMPLE_HEAD, title_justify="left")
    for k in ("key", "given", "expected", "verdict", "mistake"):
        table.add_column(UI[k](lang))
    for it in report.items:
        names = ", ".join(CATALOGUE[m].name(lang) for m in it.mistakes)
        table.add_row(it.key, it.given, it.expected_in(lang),
                      f"{_MARK[it.verdict]} {UI[it.verdict](lang)}", names)
    width = min(terminal_width(width), 110)
    lines = [rich_to_text(table, width=width).rstrip()]

    def say(line: str) -> None:
        lines.extend(wrap_zh(line, width) if lang == "zh" else [line])

    for it in report.items:
        if it.verdict == "correct":
            continue
        say(f"{_MARK[it.verdict]} {it.key}{colon(lang)}{it.feedback(lang)}")
        if it.step is not None:
            say(f"  {UI['step'](lang)}{it.step(lang)}")
    if report.tolerance is not None:
        lines.append(UI["tolerance"].format(tol=_power_of_ten(report.tolerance))(lang))
    lines.append(UI["score"].format(correct=report.correct, total=report.total)(lang))
    return "\n".join(lines) + "\n"
