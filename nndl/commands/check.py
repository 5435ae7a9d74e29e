"""`nndl check`: a student's answers checked, each wrong one diagnosed."""

from __future__ import annotations

import sys

import typer

from nndl.commands._common import Language, lang_option
from nndl.errors import NNDLError
from nndl.report import Format

FORMATS = (Format.text, Format.json)


def check_command(
    problem: str = typer.Argument(..., metavar="PROBLEM",
                                  help="1-6 (an exercise of the sheet), or summary (a network "
                                       "spec, given as the first VALUE)."),
    args: list[str] | None = typer.Argument(
        None, metavar="[SPEC] KEY=VALUE...",
        help="Your answers under the keys of `nndl solve N --format json` (fc_params=27,000,100 "
             "conv_output_shape=296x296x100), and the exercise's parameters, as in nndl solve."),
    lang: Language = lang_option("zh or en (the feedback's language)."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text or json."),
) -> None:
    """Check your answers: which are right, and which mistake gave each wrong one.

    For each wrong answer nndl names the step that went wrong and the mistake that gives
    exactly that number, found by re-running the solver with each mistake switched on.

    Exit status: 0 when every answer is right, 1 when any is wrong or undetermined, 2 when
    the input cannot be read.

    \b
    Examples:
      nndl check 5 fc_params=27,000,000 conv_output_shape=296x296x100
      nndl check 5 image=32x32x3 fc_params=307,300
      nndl check 6 conv1_params=34,944 maxpool1_output=27x27x96
      nndl check summary "input 32x32x3; conv 6 5x5; fc 10" Conv-1.params=456
    """
    from nndl.check import check
    from nndl.check.render import to_json, to_text
    from nndl.commands.solve import _pairs
    from nndl.solutions import params_class

    if fmt not in FORMATS:
        raise NNDLError(f"nndl check writes text or json, not {fmt.value}",
                        hint="use --format text or --format json")
    rest = list(args or [])
    target = problem.strip().lower()
    if target == "summary":
        if not rest or "=" in rest[0].split()[0]:
            raise NNDLError("nndl check summary needs the network spec first",
                            hint='e.g. nndl check summary "input 32x32x3; conv 6 5x5" Conv-1.params=456')
        spec, pairs = rest[0], _pairs(rest[1:])
        report = check("summary", pairs, spec)
    elif target in ("5", "6"):
        pairs = _pairs(rest)
        cls = params_class(int(target))
        names = {p.name for p in cls.info()}
        chosen = {k: v for k, v in pairs.items() if k in names}
        answers = {k: v for k, v in pairs.items() if k not in names}
        params = cls.from_strings(chosen) if chosen else None
        report = check(int(target), answers, params)
    else:
        raise NNDLError(f"nndl check cannot check '{problem}' yet",
                        hint="check exercise 5 or 6, or summary")
    out = to_json(report, lang.value) if fmt is Format.json else to_text(report, lang.value)
    sys.stdout.write(out)
    if not report.all_correct:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)
