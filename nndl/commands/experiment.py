"""`nndl experiment`: exercise 2's outlier experiment and exercise 3's backprop check."""

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
from nndl.text import Text

_T = {
    "one_name": Text("{flag} '{value}'：nndl experiment backprop 推导的是一个网络，所以只取一个名称",
                     "{flag} '{value}': experiment backprop derives one network, so it takes "
                     "one name"),
    "one_name_hint": Text("例如 {flag} {first}；要比较几个，用 nndl vanish",
                          "e.g. {flag} {first}; nndl vanish compares several"),
    "not_t": Text("--plot-t {t} 不在 --t 的取值中", "--plot-t {t} is not one of the --t values"),
    "not_t_hint": Text("从这些值中选一个：{values}", "choose one of {values}"),
    "sizes_ints": Text("--sizes '{sizes}' 不是逗号分隔的整数列表",
                       "--sizes '{sizes}' is not a comma-separated list of integers"),
    "sizes_ints_hint": Text("例如 --sizes 3,4,3,1", "e.g. --sizes 3,4,3,1"),
    "sizes_short": Text("--sizes '{sizes}' 只有 {n} 层；至少需要输入层和输出层",
                        "--sizes '{sizes}' names {n} layer; the input and at least the output "
                        "are needed"),
    "sizes_short_hint": Text("例如 --sizes 3,4,3,1（输入 3，隐藏层 4 和 3，输出 1）",
                             "e.g. --sizes 3,4,3,1 (input 3, hidden 4 and 3, output 1)"),
    "at_least": Text("{flag} 至少为 {least}，现在是 {value}", "{flag} must be ≥ {least}, got {value}"),
    "at_least_hint": Text("例如 {flag} {example}", "e.g. {flag} {example}"),
    "at_most": Text("{flag} 至多为 {most}，现在是 {value}", "{flag} must be ≤ {most}, got {value}"),
    "not_number": Text("{what} '{spec}'：第 {k} 项（'{part}'）不是数",
                       "{what} '{spec}': item {k} ('{part}') is not a number"),
    "not_number_hint": Text("写成逗号分隔的数，例如 1,10,100,1e9",
                            "write numbers separated by commas, e.g. 1,10,100,1e9"),
}


MAX_LAYERS = 50  # weight layers derive_backprop writes out


def _floats(spec: str, what: str) -> list[float]:
    from nndl.classic.errors import DataError

    out = []
    for k, part in enumerate(p.strip() for p in spec.split(",")):
        try:
            out.append(float(part))
        except ValueError:
            raise DataError(_T["not_number"].format(what=what, spec=spec, k=k + 1, part=part),
                            hint=_T["not_number_hint"]) from None
    return out


def outlier_command(
    ts: str = typer.Option("1,10,100,1e3,1e6,1e9", "--t", help=helptext(
        "x4 = (0, −t) 中 t 的取值，逗号分隔。", "Values of t for x4 = (0, −t), comma-separated.")),
    lr: float = typer.Option(1.0, "--lr", help=helptext(
        "Sigmoid 神经元梯度下降的学习率。",
        "Learning rate of the sigmoid neuron's gradient descent.")),
    epochs: int = typer.Option(300, "--epochs", help=helptext(
        "梯度下降的轮数（先在 D 上，加入 x4 后再来一遍）；与 nndl solve 2 相同为 300"
        "（其 --full 为 1000）。",
        "Gradient-descent epochs (on D, and again after adding x4); 300 as in nndl solve 2 "
        "(1000 with its --full).")),
    bias: bool = typer.Option(False, "--bias/--no-bias", help=helptext(
        "给神经元加偏置（原题的 g_BP = x1 + x2 没有偏置）。",
        "Give the neuron a bias (the sheet's g_BP = x1 + x2 has none).")),
    pla_max_iter: int = typer.Option(2000, "--pla-max-iter", help=helptext(
        "感知机在原始数据上的最多轮数。", "Epoch cap of PLA on the raw data.")),
    shuffle: bool = typer.Option(False, "--shuffle", help=helptext(
        "感知机按固定种子的随机顺序访问样本。",
        "PLA visits samples in a seeded random order.")),
    seed: int = typer.Option(0, "--seed", help=helptext("感知机随机顺序的种子。",
                                                        "Seed of PLA's random order.")),
    plot: Path | None = typer.Option(None, "--plot", "-p", help=helptext(
        "把决策边界和逐轮画面画到这个文件（.svg/.png/.pdf）。",
        "Draw the boundaries and per-epoch frames to this file (.svg/.png/.pdf).")),
    plot_t: float | None = typer.Option(None, "--plot-t", help=helptext(
        "画哪一个 t（默认最大的）。", "Which t to draw (default: the largest).")),
    fmt: TextMdJson = typer.Option(Format.text, "--format", "-f",
                                   help=helptext("text、md 或 json。", "text, md or json.")),
    lang: Language = lang_option(),
) -> None:
    """Exercise 2: PLA vs. a sigmoid neuron on D, then with x4 = (0, −t) added.

    \b
    Examples:
      nndl experiment outlier                       the worked solution's six t
      nndl experiment outlier --t 1e9 --plot o.svg  the extreme case, drawn
      nndl experiment outlier --bias --lang en      with a bias, in English
    """
    fmt = rendered(fmt, lang, TextMdJson)
    from nndl.classic import render
    from nndl.classic.experiment import outlier_experiment
    from nndl.fileio import check_writable
    from nndl.plotting import FORMATS

    t_values = _floats(ts, "--t")
    if plot is not None:
        check_writable(plot, FORMATS, "figure")
    if plot_t is not None and plot_t not in t_values:
        from nndl.classic.errors import DataError

        values = ", ".join(f"{t:g}" for t in t_values)
        raise DataError(_T["not_t"].format(t=f"{plot_t:g}"),
                        hint=_T["not_t_hint"].format(values=values))
    res = outlier_experiment(t_values, lr=lr, epochs=epochs, fit_intercept=bias,
                             pla_max_iter=pla_max_iter, pla_shuffle=shuffle, random_state=seed)
    sys.stdout.write(render_result(render, res, fmt, lang.value))
    if plot is not None:
        from nndl.classic.plots import plot_outlier
        from nndl.plotting import save_figure

        save_figure(plot_outlier(res, plot_t, lang=lang.value), plot)
        if fmt is Format.text:
            typer.echo(WROTE.format(path=plot)(lang.value))


def backprop_command(
    depth: int = typer.Option(2, "--depth", "-d", help=helptext(
        "隐藏层层数，与 nndl vanish 的 -d 相同（原题：2，即网络 3-4-3-1，同 nndl solve 3）。",
        "Hidden layers, as -d in nndl vanish (the sheet: 2, the network 3-4-3-1, as in "
        "nndl solve 3).")),
    layers: int | None = typer.Option(None, "--layers", help=helptext(
        "权重层数 L（= 隐藏层数 + 1；旧版 --depth 的含义），优先于 --depth。",
        "Layers of weights L (= hidden layers + 1; what --depth used to mean); overrides "
        "--depth.")),
    sizes: str | None = typer.Option(None, "--sizes", help=helptext(
        "每层单元数（含输入层），如 3,4,3,1（优先于 --depth）。",
        "Units per layer incl. input, e.g. 3,4,3,1 (overrides --depth).")),
    activation: str = typer.Option("sigmoid", "--activation", "-a", help=helptext(
        "一个激活函数：sigmoid、tanh、relu 或 identity（推导针对一个网络）。",
        "One activation: sigmoid, tanh, relu or identity (the derivation is of one network).")),
    loss: str = typer.Option("squared", "--loss", help=helptext(
        "squared：Σ(ŷ − y)²；bce：二元交叉熵。",
        "squared: Σ(ŷ − y)²; bce: binary cross-entropy.")),
    init: str = typer.Option("pytorch", "--init", "-i", help=helptext(
        "一种初始化：pytorch（nn.Linear 的默认）、xavier 或 he。",
        "One initialisation: pytorch (nn.Linear default), xavier or he.")),
    seed: int = typer.Option(0, "--seed", help=helptext("权重与样本的随机种子。",
                                                        "Seed of the weights and the sample.")),
    check: bool = typer.Option(True, "--check/--no-check", help=helptext(
        "同时用三种方法算出数值实例。", "Also compute the numeric instance three ways.")),
    fmt: TextMdJson = typer.Option(Format.text, "--format", "-f", help=helptext(
        "text、md（$$ 中的 LaTeX）或 json。", "text, md (LaTeX in $$) or json.")),
    lang: Language = lang_option(),
) -> None:
    """Exercise 3: the δ recursion in LaTeX for any depth, checked numerically.

    The numeric check computes every gradient three ways: the hand-written
    δ recursion, the engine's autodiff and finite differences.

    \b
    Examples:
      nndl experiment backprop                  the sheet's 2-hidden-layer network
      nndl experiment backprop -d 6 -f md       six hidden layers, in Markdown
      nndl experiment backprop --sizes 4,8,8,2 -a tanh
    """
    fmt = rendered(fmt, lang, TextMdJson)
    from nndl.deep import render
    from nndl.deep.backprop import BackpropError, check_gradients

    for flag, value in (("-a", activation), ("-i", init)):
        if "," in value:  # vanish's -a/-i take lists; one derivation has one of each
            first = value.split(",")[0].strip()
            raise BackpropError(_T["one_name"].format(flag=flag, value=value),
                                hint=_T["one_name_hint"].format(flag=flag, first=first))
    from nndl.deep.derivation import BackpropReport, derive_backprop

    if sizes is not None:
        try:
            layer_sizes = [int(s) for s in sizes.split(",")]
        except ValueError:
            raise BackpropError(_T["sizes_ints"].format(sizes=sizes),
                                hint=_T["sizes_ints_hint"]) from None
        if len(layer_sizes) < 2:
            raise BackpropError(_T["sizes_short"].format(sizes=sizes, n=len(layer_sizes)),
                                hint=_T["sizes_short_hint"])
        depth = len(layer_sizes) - 1
    else:
        if layers is not None:
            if layers < 1:
                raise BackpropError(
                    _T["at_least"].format(flag="--layers", least=1, value=layers),
                    hint=_T["at_least_hint"].format(flag="--layers", example=3))
            if layers > MAX_LAYERS:
                raise BackpropError(
                    _T["at_most"].format(flag="--layers", most=MAX_LAYERS, value=layers),
                    hint=_T["at_least_hint"].format(flag="--layers", example=3))
            depth = layers
        else:  # hidden layers, as in nndl vanish; L = hidden + output
            if depth < 0:
                raise BackpropError(
                    _T["at_least"].format(flag="--depth", least=0, value=depth),
                    hint=_T["at_least_hint"].format(flag="--depth", example=2))
            if depth > MAX_LAYERS - 1:  # said in hidden layers, as the user typed it
                raise BackpropError(
                    _T["at_most"].format(flag="--depth", most=MAX_LAYERS - 1, value=depth),
                    hint=_T["at_least_hint"].format(flag="--depth", example=2))
            depth += 1
        # the sheet's 3-4-3-1 for L = 3 (as nndl solve 3), with more 4-unit layers for deeper
        layer_sizes = [3] + [4] * (depth - 2) + [3, 1] if depth >= 2 else [3, 1]
    d = derive_backprop(depth, activation)
    c = check_gradients(layer_sizes, activation=activation, loss=loss, init=init,
                        seed=seed) if check else None
    sys.stdout.write(render_result(render, BackpropReport(d, c), fmt, lang.value))


command_help(outlier_command, """习题 2：感知机与一个 Sigmoid 神经元在 D 上的对比，再加入 x4 = (0, −t)。

    \b
    示例：
      nndl experiment outlier                       题解中的六个 t
      nndl experiment outlier --t 1e9 --plot o.svg  极端情形，并作图
      nndl experiment outlier --bias --lang en      带偏置，英文输出
    """)
command_help(backprop_command, """习题 3：任意深度的 δ 递推（LaTeX），并用数值验证。

    数值验证用三种方法计算每个梯度：手写的 δ 递推、
    引擎的自动微分，以及有限差分。

    \b
    示例：
      nndl experiment backprop                  原题的两隐藏层网络
      nndl experiment backprop -d 6 -f md       六个隐藏层，Markdown 中的 LaTeX
      nndl experiment backprop --sizes 4,8,8,2 -a tanh
    """)


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help=helptext("习题 2、3 的实验。", "Experiments of exercises 2 and 3."),
                      no_args_is_help=True)
    sub.command("outlier")(outlier_command)
    sub.command("backprop")(backprop_command)
    app.add_typer(sub, name="experiment")
