"""Pieces every subcommand shares (this module registers no command)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import typer


class Language(StrEnum):
    """The two languages every report renders in."""

    zh = "zh"
    en = "en"


def lang_option(help: str = "zh or en.") -> Any:
    """``--lang/-l``: zh unless $NNDL_LANG says otherwise, so a teacher who writes answer keys
    in English sets it once (a wrong value is refused with the variable named)."""
    return typer.Option(Language.zh, "--lang", "-l", envvar="NNDL_LANG", help=help)
