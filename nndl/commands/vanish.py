"""`nndl vanish`: per-layer gradient norms vs. depth, activation and initialisation."""

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


def _names(spec: str) -> list[str]:
    return [p.strip() for p in spec.split(",") if p.strip()]


def vanish_command(
    depth: str = typer.Option("2-30", "--depth", "-d", help=helptext(
        "隐藏层层数：范围 2-30、列表 2,5,10 或一个数。",
        "Hidden-layer counts: a range 2-30, a list 2,5,10, or one number.")),
    activations: str = typer.Option("sigmoid,tanh,relu", "--activation", "-a",
                                    help=helptext("激活函数，逗号分隔：sigmoid、tanh、relu。",
                                                  "Comma-separated: sigmoid, tanh, relu.")),
    init: str = typer.Option("pytorch,xavier,he", "--init", "-i", help=helptext(
        "初始化，逗号分隔：pytorch（nn.Linear 的默认）、xavier、he。",
        "Comma-separated: pytorch (nn.Linear default), xavier, he.")),
    width: int = typer.Option(32, "--width", help=helptext("每个隐藏层的单元数。",
                                                           "Units per hidden layer.")),
    batch: int = typer.Option(64, "--batch", help=helptext(
        "一批样本的个数（固定种子的标准正态样本）。",
        "Samples in the (seeded, standard normal) batch.")),
    seed: int = typer.Option(0, "--seed", help=helptext("权重与样本的随机种子。",
                                                        "Seed of the weights and the batch.")),
    plot: Path | None = typer.Option(None, "--plot", "-p", help=helptext(
        "把对数坐标图画到这个文件（.svg/.png/.pdf）。",
        "Draw the log-scale figure to this file (.svg/.png/.pdf).")),
    fmt: TextMdJson = typer.Option(Format.text, "--format", "-f",
                                   help=helptext("text、md 或 json。", "text, md or json.")),
    lang: Language = lang_option(),
) -> None:
    """Exercise 3: the vanishing gradient, measured (‖∂ℓ/∂W⁽ˡ⁾‖ per layer, θ′ products).

    \b
    Examples:
      nndl vanish                              depths 2-30, 3 activations, 3 inits
      nndl vanish -d 10 -a sigmoid -i pytorch  one network, with the 0.25^L bound
      nndl vanish --plot vanish.svg --lang en
    """
    fmt = rendered(fmt, lang, TextMdJson)
    from nndl.deep import render
    from nndl.deep.render import plot_vanishing
    from nndl.deep.vanish import vanishing_sweep
    from nndl.fileio import check_writable
    from nndl.plotting import FORMATS

    if plot is not None:
        check_writable(plot, FORMATS, "figure")
    s = vanishing_sweep(depth, _names(activations), _names(init), width=width, batch=batch,
                        seed=seed)
    sys.stdout.write(render_result(render, s, fmt, lang.value))
    if plot is not None:
        from nndl.plotting import save_figure

        save_figure(plot_vanishing(s, lang=lang.value), plot)
        if fmt is Format.text:
            typer.echo(WROTE.format(path=plot)(lang.value))


command_help(vanish_command, """习题 3：实测梯度消失（逐层 ‖∂ℓ/∂W⁽ˡ⁾‖ 与 θ′ 的连乘）。

    \b
    示例：
      nndl vanish                              深度 2-30，3 种激活，3 种初始化
      nndl vanish -d 10 -a sigmoid -i pytorch  一个网络，并给出 0.25^L 的上界
      nndl vanish --plot vanish.svg --lang en
    """)


def register(app: typer.Typer) -> None:
    app.command("vanish")(vanish_command)
