"""`nndl act`: activation functions — derivatives, derivations, measured properties, pros/cons."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from nndl.commands._common import (
    WROTE,
    Language,
    TextMdJson,
    command_help,
    helptext,
    lang_option,
    render_result,
    rendered,
)
from nndl.report import Format


def act_command(
    names: list[str] = typer.Argument(None, help=helptext(
        "激活函数（默认为原题问的三个：Sigmoid、tanh、ReLU）；all 表示全部。",
        "Activations (default: sigmoid tanh relu, the three the sheet asks about); 'all' for "
        "every one.")),
    all_: bool = typer.Option(False, "--all", help=helptext("全部已注册的激活函数。",
                                                            "Every registered activation.")),
    plot: Path | None = typer.Option(None, "--plot", "-p", help=helptext(
        "同时把 f 与 f′ 画到这个文件（.svg、.png 或 .pdf）。",
        "Also draw f and f′ to this file (.svg, .png or .pdf).")),
    fmt: TextMdJson = typer.Option(Format.text, "--format", "-f", help=helptext(
        "text（终端）、md（Markdown）、json（全部实测数值）。",
        "text (terminal), md (Markdown), json (every measured number).")),
    lang: Language = lang_option(),
    timing: bool = typer.Option(False, "--timing/--no-timing", help=helptext(
        "同时测 f 与 f′ 相对 ReLU 的耗时（一两秒；每次运行结果不同，所以结论不用它："
        "计算量按运算次数计）。",
        "Also time f and f′ against ReLU (a second or two; the time varies between runs, so no "
        "verdict uses it: cost is counted in operations).")),
) -> None:
    """Derivatives (derived with SymPy), measured properties and pros/cons of activation functions.

    \b
    Examples:
      nndl act                            sigmoid, tanh, ReLU (exercise 1)
      nndl act gelu silu mish --lang en   three modern ones, in English
      nndl act --all --format json        every number, machine-readable
      nndl act sigmoid tanh --plot f.svg  f and f′, saturation shaded
    """
    fmt = rendered(fmt, lang, TextMdJson)
    from nndl.activations import analyze, render, resolve
    from nndl.fileio import check_writable
    from nndl.plotting import FORMATS

    acts = resolve(["all"] if all_ else (names or None))
    if plot is not None:
        check_writable(plot, FORMATS, "figure")
    reports = [analyze(a.name, timing=timing) for a in acts]
    figure = None
    if plot is not None:
        from nndl.activations.plot import save_curves

        save_curves(plot, [a.name for a in acts], lang=lang.value)
        figure = plot.name
    sys.stdout.write(render_result(render, reports, fmt, lang.value, figure=figure))
    if fmt is Format.text and plot is not None:
        typer.echo(WROTE.format(path=plot)(lang.value))


command_help(act_command, """激活函数的导数（用 SymPy 推导）、实测性质与优缺点。

    \b
    示例：
      nndl act                            sigmoid、tanh、ReLU（习题 1）
      nndl act gelu silu mish --lang en   三个现代激活函数，英文输出
      nndl act --all --format json        全部数值，机器可读
      nndl act sigmoid tanh --plot f.svg  f 与 f′ 的曲线，饱和区加阴影
    """)


def register(app: typer.Typer) -> None:
    app.command("act")(act_command)
