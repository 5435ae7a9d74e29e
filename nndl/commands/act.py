"""`nndl act`: activation functions — derivatives, derivations, measured properties, pros/cons."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from nndl.commands._common import Language, TextMdJson, lang_option, render_result, rendered
from nndl.report import Format
from nndl.text import Text

WROTE = Text("已写入 {path}", "wrote {path}")


def act_command(
    names: list[str] = typer.Argument(None, help="Activations (default: sigmoid tanh relu, the three the sheet asks about); 'all' for every one."),
    all_: bool = typer.Option(False, "--all", help="Every registered activation."),
    plot: Path | None = typer.Option(None, "--plot", "-p", help="Also draw f and f′ to this file (.svg, .png or .pdf)."),
    fmt: TextMdJson = typer.Option(Format.text, "--format", "-f", help="text (terminal), md (Markdown), json (every measured number)."),
    lang: Language = lang_option(),
    timing: bool = typer.Option(False, "--timing/--no-timing", help="Also time f and f′ against ReLU (a second or two; the time varies between runs, so no verdict uses it: cost is counted in operations)."),
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


def register(app: typer.Typer) -> None:
    app.command("act")(act_command)
