"""`nndl vanish`: per-layer gradient norms vs. depth, activation and initialisation."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from nndl.commands._common import Language, TextMdJson, lang_option, render_result, rendered
from nndl.report import Format


def _names(spec: str) -> list[str]:
    return [p.strip() for p in spec.split(",") if p.strip()]


def vanish_command(
    depth: str = typer.Option("2-30", "--depth", "-d", help="Hidden-layer counts: a range 2-30, a list 2,5,10, or one number."),
    activations: str = typer.Option("sigmoid,tanh,relu", "--activations", "-a", help="Comma-separated: sigmoid, tanh, relu."),
    init: str = typer.Option("pytorch,xavier,he", "--init", "-i", help="Comma-separated: pytorch (nn.Linear default), xavier, he."),
    width: int = typer.Option(32, "--width", help="Units per hidden layer."),
    batch: int = typer.Option(64, "--batch", help="Samples in the (seeded, standard normal) batch."),
    seed: int = typer.Option(0, "--seed", help="Seed of the weights and the batch."),
    plot: Path | None = typer.Option(None, "--plot", "-p", help="Draw the log-scale figure to this file (.svg/.png/.pdf)."),
    fmt: TextMdJson = typer.Option(Format.text, "--format", "-f", help="text, md or json."),
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
            typer.echo(f"wrote {plot}")


def register(app: typer.Typer) -> None:
    app.command("vanish")(vanish_command)
