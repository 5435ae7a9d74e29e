"""Pieces every subcommand shares (this module registers no command)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal, get_args

import typer

from nndl.report import Format, check_format
from nndl.text import LANGS, Lang, Text, default_lang


class Language(StrEnum):
    """The two languages every report renders in."""

    zh = "zh"
    en = "en"


WROTE = Text("已写入 {path}", "wrote {path}")  # every command's line after writing a file


# ------------------------------------------------------------------ --help in both languages
# Typer takes help as a plain str when a command is defined; the Text behind each one is kept
# here under its English, and cli.py swaps in the reader's language when --help is shown.
HELPS: dict[str, Text] = {}


def helptext(zh: str, en: str) -> str:
    """An option's help in both languages; Typer is given the English (the key)."""
    HELPS[_key(en)] = Text(zh, en)
    return en


def command_help(command: Any, zh: str) -> Any:
    """The Chinese of ``command``'s docstring (its English help), for zh --help."""
    HELPS[_key(command.__doc__ or "")] = Text(zh, command.__doc__ or "")
    return command


def _key(help: str) -> str:
    import inspect

    return inspect.cleandoc(help).strip()


def help_in(help: str | None, lang: Lang) -> str | None:
    """``help`` in ``lang`` when it was registered, else as it is."""
    text = HELPS.get(_key(help)) if help else None
    return text(lang) if text is not None else help


def help_lang(argv: list[str]) -> Lang:
    """The language --help speaks: a --lang/-l on the command line (help is shown before
    options are parsed, so it is looked for here), else $NNDL_LANG, else Chinese."""
    for i, arg in enumerate(argv):
        value = None
        if arg in ("--lang", "-l") and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        if value is not None and value.strip().lower() in LANGS:
            return value.strip().lower()  # type: ignore[return-value]
    return default_lang()


def lang_option(help: str = helptext("zh（中文）或 en（英文）。", "zh or en.")) -> Any:
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
