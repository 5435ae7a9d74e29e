"""``nndl graph``: the computational graph of an expression, with every forward value
and backward gradient, as a table, JSON, Markdown, or a drawing (SVG, PNG, DOT)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import typer
from rich.console import Console

from nndl.commands._common import Language, command_help, helptext, lang_option
from nndl.errors import NNDLError
from nndl.expr import ExprValueError, trace
from nndl.expr.errors import brief
from nndl.fileio import check_writable
from nndl.text import Text
from nndl.viz import SAVE_FORMATS, draw, graph_json, graph_markdown, graph_table

FORMATS = ("table", "json", "md", "svg", "dot")  # not nndl.report.Format: drawings too
_SAVED = Text("已保存", "saved")
_TWICE = Text("--plot 和 -o 都指定了图的文件", "--plot and -o both name the drawing's file")
_TWICE_HINT = Text("只给其中一个（-o 是 --plot 的旧写法）",
                   "give one of them (-o is the older spelling of --plot)")
_T = {
    "bad_value": Text("无法读取取值 {item}", "cannot read the value {item}"),
    "bad_value_hint": Text("取值写成 名称=数，例如 x=1 y=2 z=-6",
                           "write values as name=number, e.g. x=1 y=2 z=-6"),
    "twice": Text("{name} 给了两个取值：{a} 和 {b}", "two values for {name}: {a} and {b}"),
    "twice_hint": Text("{name} 只给一个取值", "give {name} one value"),
    "format": Text("未知的输出格式 {fmt}", "unknown format {fmt}"),
    "format_hint": Text("从这些中选一个：{choices}", "use one of: {choices}"),
}
_SPLIT_ITEMS = re.compile(r"(?<=\S)\s+(?=[^\s=,;]+\s*=)")  # "x=1 y=2": break before "y="
_ITEM = re.compile(r"\s*([^\s=,;]+)\s*=\s*(.+?)\s*")


def _top_level_split(text: str) -> list[str]:
    """Split at commas/semicolons outside parentheses (a value may be max(1, 2))."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth -= 1
        if ch in ",;，；" and depth <= 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def parse_assignments(args: list[str]) -> dict[str, str]:
    """["x=1", "y=2"], ["x=1,y=2"], ["x", "=", "1"] -> {"x": "1", "y": "2"}."""
    values: dict[str, str] = {}
    for part in _top_level_split(" ".join(args)):
        for item in _SPLIT_ITEMS.split(part.strip()):
            if not item.strip():
                continue
            m = _ITEM.fullmatch(item)
            if not m:
                raise ExprValueError(_T["bad_value"].format(item=repr(brief(item.strip()))),
                                     hint=_T["bad_value_hint"])
            name, value = m.groups()
            if name in values:
                raise ExprValueError(
                    _T["twice"].format(name=brief(name), a=brief(values[name]), b=brief(value)),
                    hint=_T["twice_hint"].format(name=brief(name)))
            values[name] = value
    return values


def register(app: typer.Typer) -> None:
    @app.command("graph", context_settings={"ignore_unknown_options": True})
    def graph(
        expression: str = typer.Argument(..., help=helptext('表达式，如 "(x+y)^2*z"。',
                                                            'The expression, e.g. "(x+y)^2*z".')),
        values: list[str] = typer.Argument(None, show_default=False, help=helptext(
            "变量取值：x=1 y=2 z=-6（或 x=1,y=2,z=-6）。",
            "Values: x=1 y=2 z=-6 (or x=1,y=2,z=-6).")),
        plot: Path = typer.Option(None, "--plot", "-p", help=helptext(
            "把图画到这个文件：.svg、.png、.pdf 或 .dot（与其他命令的 --plot 相同）。",
            "Draw the graph to this file: .svg, .png, .pdf or .dot (as --plot elsewhere).")),
        output: Path = typer.Option(None, "--output", "-o", help=helptext(
            "把图写到这个文件，同 --plot（旧写法，仍然可用）。",
            "The file to draw the graph to: the same as --plot (the older spelling).")),
        fmt: str = typer.Option("table", "--format", "-f", help=helptext(
            "输出什么：table、json、md、svg 或 dot。",
            "What to print: table, json, md, svg or dot.")),
        lang: Language = lang_option(),
    ) -> None:
        """Computational graph of an expression: values, gradients, chain-rule steps, drawing.

        Example: nndl graph "(x+y)^2*z" x=1 y=2 z=-6 --plot graph.svg
        """
        language = lang.value
        if plot is not None and output is not None and plot != output:
            raise NNDLError(_TWICE, hint=_TWICE_HINT)
        output = plot if plot is not None else output
        if fmt not in FORMATS:
            raise NNDLError(_T["format"].format(fmt=repr(brief(fmt))),
                            hint=Text(_T["format_hint"].zh.format(choices="、".join(FORMATS)),
                                      _T["format_hint"].en.format(choices=", ".join(FORMATS))))
        if output is not None:
            check_writable(output, SAVE_FORMATS, "drawing")
        result = trace(expression, parse_assignments(values or []))
        console = Console(highlight=False)
        if fmt == "table":
            console.print(graph_table(result, language))
        elif fmt == "json":
            sys.stdout.write(graph_json(result) + "\n")
        elif fmt == "md":
            sys.stdout.write(graph_markdown(result, language))
        elif fmt == "svg":
            sys.stdout.write(draw(result, language).svg)
        else:
            sys.stdout.write(draw(result, language).dot)
        if output is not None:
            saved = draw(result, language).save(output)
            Console(stderr=fmt != "table", highlight=False).print(f"{_SAVED(language)} {saved}")

    command_help(graph, """计算图：前向数值、反向梯度、每一步链式法则，并作图。

        示例：nndl graph "(x+y)^2*z" x=1 y=2 z=-6 --plot graph.svg
        """)
