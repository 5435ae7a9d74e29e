"""`nndl summary`: shapes, neurons, parameters and mult-adds of a network, with the working."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Literal

import typer

from nndl.commands._common import Language, lang_option, rendered
from nndl.errors import NNDLError
from nndl.report import Format

# the first paragraph stays on one line: `nndl --help` lists it as written
HELP = ("Per-layer output shape (W×H×D and PyTorch C×H×W), neurons, parameters and mult-adds "
        "of a network written as the textbook writes it, with the formulas and their numbers."
        + r"""

SPEC is the text itself, a file holding it, or - for standard input.
One layer per line, or several separated by ';'. '#' starts a comment.

  input 227x227x3         width x height x channels; also 227*227*3,
                          227×227×3, 28x28 (1 channel), 784 (a vector),
                          "300x300 rgb"
  conv 96 11x11 stride=4  K filters of F×F; pad=P stride=S dilation=D
                          bias=false (also p= s= d=, "stride 4");
                          shorthand 96@11x11/4; 11x11x3 checks D1 = 3
  maxpool 3x3 stride=2    also "maxpool 3/2"; "maxpool 2" means stride 2
  avgpool 2               same options as maxpool
  fc 4096                 also linear, dense; flatten implied after an image
  relu sigmoid tanh leakyrelu \[slope] softmax flatten dropout \[p] bn
  An activation may end a layer line: conv 6 5x5 pad=2 relu

A size rule that gives no whole number, e.g. (224 − 11 + 2·0)/4 + 1 = 54.25,
is an error naming the padding, stride or input that fixes it; --floor
rounds down as PyTorch does, with a warning.

Examples:
  nndl summary "input 300x300x3; fc 100"                   exercise 5 (1)
  nndl summary "input 300x300x3; conv 100 5x5" --explain   exercise 5 (2)
  nndl summary alexnet.txt --explain --verify --lang en
  nndl summary "conv 6 5x5 pad=2; maxpool 2" --input 28x28 -f json
""")


# "table" (the default) and "text" both print the Rich table
SummaryFormat = Literal["table", Format.text, Format.md, Format.json]


def summary_command(
    spec: str = typer.Argument(..., metavar="SPEC_OR_FILE",
                               help="The spec text, a file containing it, or - (stdin)."),
    input_size: str | None = typer.Option(None, "--input", "-i",
                                          help="Input size WxHxD when SPEC has no input line."),
    explain: bool = typer.Option(False, "--explain", "-e",
                                 help="Show every formula with its numbers substituted."),
    verify: bool = typer.Option(False, "--verify",
                                help="Also build the model and run a forward pass on zeros; "
                                     "check every shape."),
    floor: bool = typer.Option(False, "--floor",
                               help="Round a non-dividing stride down (PyTorch's rule) instead "
                                    "of failing."),
    fmt: SummaryFormat = typer.Option("table", "--format", "-f", help="table, md or json."),
    lang: Language = lang_option(),
) -> None:
    from nndl.summary import render, summary

    fmt = rendered(fmt, lang, SummaryFormat, aliases={"table": Format.text})

    text = _read(spec)
    result = summary(text, input_size=input_size, verify=verify, floor=floor)
    if fmt is Format.text:
        render.print_table(result, lang.value, explain=explain)
    elif fmt is Format.md:
        sys.stdout.write(render.to_markdown(result, lang.value, explain=explain))
    else:
        sys.stdout.write(render.to_json(result))
    if result.notes and fmt is not Format.text:
        for n in result.notes:
            typer.echo(f"warning: {n(lang.value)}", err=True)


def _read(spec: str) -> str:
    if spec == "-":
        return sys.stdin.read()
    if "\n" not in spec and ";" not in spec and len(spec) < 4096:
        path = Path(spec)
        try:
            is_file, is_dir = path.is_file(), path.is_dir()
        except OSError:  # a name too long for the file system is spec text
            is_file = is_dir = False
        if is_file:
            try:
                return path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise NNDLError(f"{spec}: byte {exc.start} is not UTF-8 text; is this a spec file?",
                                hint="save the spec as plain UTF-8 text, one layer per line"
                                ) from None
            except OSError as exc:
                raise NNDLError(f"cannot read {spec}: {exc.strerror}",
                                hint="check the file's permissions") from None
        if is_dir:
            raise NNDLError(f"{spec} is a folder, not a spec file",
                            hint="give a file inside it, or the spec text itself")
        if _PATH_LIKE.search(spec):
            raise NNDLError(f"no such file: {spec}",
                            hint='check the path, or give the spec itself, e.g. '
                                 '"input 300x300x3; fc 100"')
    return spec


# one word with a folder separator or a file suffix (alexnet.txt, specs/lenet): a path, not a
# layer, since no layer keyword contains '/' or '.' and layers with numbers have spaces
_PATH_LIKE = re.compile(r"^\S*([/\\]\S*|\.[A-Za-z]\w*)$")


def register(app: typer.Typer) -> None:
    app.command("summary", help=HELP,
                short_help="Exercises 5 and 6: shapes, neurons, parameters and mult-adds of a "
                           "network, with every formula.")(summary_command)
