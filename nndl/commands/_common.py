"""Pieces every subcommand shares (this module registers no command)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal, get_args

import typer

from nndl.report import Format, check_format


class Language(StrEnum):
    """The two languages every report renders in."""

    zh = "zh"
    en = "en"


def lang_option(help: str = "zh or en.") -> Any:
    """``--lang/-l``: zh unless $NNDL_LANG says otherwise, so a teacher who writes answer keys
    in English sets it once (a wrong value is refused with the variable named)."""
    return typer.Option(Language.zh, "--lang", "-l", envvar="NNDL_LANG", help=help)


# What a command's --format accepts: the members of the one nndl.report.Format it renders.
# Typer offers exactly these (`nndl CMD --help` lists them, another value is refused).
TextMdJson = Literal[Format.text, Format.md, Format.json]


def rendered(fmt: str, lang: str, accepted: Any, aliases: dict[str, Format] | None = None
             ) -> Format:
    """``fmt`` as a :class:`Format`, refusing (with the formats named) one this command does
    not render: the guard for calls that do not come through the command line. ``accepted``
    is the command's Literal of formats (or Format itself: all of them); ``aliases`` maps an
    extra spelling to a format (summary's "table" is text)."""
    choices = list(accepted) if isinstance(accepted, type) else get_args(accepted)
    names = tuple(str(getattr(v, "value", v)) for v in choices)
    name = str(getattr(fmt, "value", fmt))
    check_format(name, str(getattr(lang, "value", lang)), names)
    return (aliases or {}).get(name) or Format(name)


# Every area's render module offers the same names, one per format (tests/test_render_api.py).
RENDERERS = {Format.text: "to_text", Format.md: "to_markdown", Format.json: "to_json",
             Format.html: "to_html"}


def render_result(module: Any, result: Any, fmt: Format, lang: str, **md_options: Any) -> str:
    """``result`` rendered by ``module``'s renderer for ``fmt``: to_text for the terminal (its
    width, colours only when stdout is one), to_markdown (with ``md_options``), to_html,
    to_json (language-neutral)."""
    import sys

    fmt = Format(fmt)
    render = getattr(module, RENDERERS[fmt])
    if fmt is Format.json:
        return render(result)
    if fmt is Format.text:
        return render(result, lang, color=sys.stdout.isatty())
    if fmt is Format.md:
        return render(result, lang, **md_options)
    return render(result, lang)
