"""Pieces every subcommand shares (this module registers no command)."""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    """The two languages every report renders in."""

    zh = "zh"
    en = "en"
