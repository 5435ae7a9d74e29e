"""`nndl experiment`: exercise 2's outlier experiment and exercise 3's backprop check."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from nndl.commands._common import Language, TextMdJson, lang_option, render_result, rendered
from nndl.report import Format


def _floats(spec: str, what: str) -> list[float]:
    from nndl.classic.errors import DataError

    out = []
    for k, part in enumerate(p.strip() for p in spec.split(",")):
        try:
            out.append(float(part))
        except ValueError:
            raise DataError(f"{what} '{spec}': item {k + 1} ('{part}') is not a number",
                            hint="write numbers separated by commas, e.g. 1,10,100,1e9") from None
    return out


def outlier_command(
    ts: str = typer.Option("1,10,100,1e3,1e6,1e9", "--t", help="Values of t for x4 = (0, −t), comma-separated."),
    lr: float = typer.Option(1.0, "--lr", help="Learning rate of the sigmoid neuron's gradient descent."),
    epochs: int = typer.Option(300, "--epochs", help="Gradient-descent epochs (on D, and again after adding x4); "
                                                      "300 as in nndl solve 2 (1000 with its --full)."),
    bias: bool = typer.Option(False, "--bias/--no-bias", help="Give the neuron a bias (the sheet's g_BP = x1 + x2 has none)."),
    pla_max_iter: int = typer.Option(2000, "--pla-max-iter", help="Epoch cap of PLA on the raw data."),
    shuffle: bool = typer.Option(False, "--shuffle", help="PLA visits samples in a seeded random order."),
    seed: int = typer.Option(0, "--seed", help="Seed of PLA's random order."),
    plot: Path | None = typer.Option(None, "--plot", "-p", help="Draw the boundaries and per-epoch frames to this file (.svg/.png/.pdf)."),
    plot_t: float | None = typer.Option(None, "--plot-t", help="Which t to draw (default: the largest)."),
    fmt: TextMdJson = typer.Option(Format.text, "--format", "-f", help="text, md or json."),
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

        raise DataError(f"--plot-t {plot_t:g} is not one of the --t values",
                        hint="choose one of " + ", ".join(f"{t:g}" for t in t_values))
    res = outlier_experiment(t_values, lr=lr, epochs=epochs, fit_intercept=bias,
                             pla_max_iter=pla_max_iter, pla_shuffle=shuffle, random_state=seed)
    sys.stdout.write(render_result(render, res, fmt, lang.value))
    if plot is not None:
        from nndl.classic.plots import plot_outlier
        from nndl.plotting import save_figure

        save_figure(plot_outlier(res, plot_t, lang=lang.value), plot)
        if fmt is Format.text:
            typer.echo(f"wrote {plot}")


def backprop_command(
    depth: int = typer.Option(3, "--depth", help="Layers of weights L (the sheet: 3 = two hidden layers + output; "
                                                 "the sheet's network 3-4-3-1, as in nndl solve 3)."),
    sizes: str | None = typer.Option(None, "--sizes", help="Units per layer incl. input, e.g. 3,4,3,1 (overrides --depth)."),
    activation: str = typer.Option("sigmoid", "--activation", "-a", help="sigmoid, tanh, relu or identity."),
    loss: str = typer.Option("squared", "--loss", help="squared: Σ(ŷ − y)²; bce: binary cross-entropy."),
    init: str = typer.Option("pytorch", "--init", help="pytorch (nn.Linear default), xavier or he."),
    seed: int = typer.Option(0, "--seed", help="Seed of the weights and the sample."),
    check: bool = typer.Option(True, "--check/--no-check", help="Also compute the numeric instance three ways."),
    fmt: TextMdJson = typer.Option(Format.text, "--format", "-f", help="text, md (LaTeX in $$) or json."),
    lang: Language = lang_option(),
) -> None:
    """Exercise 3: the δ recursion in LaTeX for any depth, checked numerically.

    The numeric check computes every gradient three ways: the hand-written
    δ recursion, the engine's autodiff and finite differences.

    \b
    Examples:
      nndl experiment backprop                  the seed's 2-hidden-layer network
      nndl experiment backprop --depth 6 -f md  six layers, Markdown with LaTeX
      nndl experiment backprop --sizes 4,8,8,2 -a tanh
    """
    fmt = rendered(fmt, lang, TextMdJson)
    from nndl.deep import render
    from nndl.deep.backprop import BackpropError, check_gradients
    from nndl.deep.derivation import BackpropReport, derive_backprop

    if sizes is not None:
        try:
            layer_sizes = [int(s) for s in sizes.split(",")]
        except ValueError:
            raise BackpropError(f"--sizes '{sizes}' is not a comma-separated list of integers",
                                hint="e.g. --sizes 3,4,3,1") from None
        if len(layer_sizes) < 2:
            raise BackpropError(f"--sizes '{sizes}' names {len(layer_sizes)} layer; the input "
                                "and at least the output are needed",
                                hint="e.g. --sizes 3,4,3,1 (input 3, hidden 4 and 3, output 1)")
        depth = len(layer_sizes) - 1
    else:
        if depth < 1:
            raise BackpropError(f"--depth must be ≥ 1, got {depth}", hint="e.g. --depth 3")
        # the sheet's 3-4-3-1 for L = 3 (as nndl solve 3), with more 4-unit layers for deeper
        layer_sizes = [3] + [4] * (depth - 2) + [3, 1] if depth >= 2 else [3, 1]
    d = derive_backprop(depth, activation)
    c = check_gradients(layer_sizes, activation=activation, loss=loss, init=init,
                        seed=seed) if check else None
    sys.stdout.write(render_result(render, BackpropReport(d, c), fmt, lang.value))


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help="Experiments of exercises 2 and 3 / 习题 2、3 的实验。",
                      no_args_is_help=True)
    sub.command("outlier")(outlier_command)
    sub.command("backprop")(backprop_command)
    app.add_typer(sub, name="experiment")
