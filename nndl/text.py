"""The one zh/en text layer: every sentence a user reads is a :class:`Text` with both
languages, chosen at render time. This module sits at the bottom of the package (it imports
nothing from nndl), so every layer — the engine's errors included — may use it.

>>> t = Text("输出", "output")
>>> t("en"), t("zh")
('output', '输出')
>>> Text("第 {n} 层", "layer {n}").format(n=2)("zh")
'第 2 层'
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal, cast

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"  # the sheet's language
LANG_ENV = "NNDL_LANG"


def default_lang() -> Lang:
    """``$NNDL_LANG`` when it names a language, else Chinese (the sheet's language)."""
    v = os.environ.get(LANG_ENV, "").strip().lower()
    return cast(Lang, v) if v in LANGS else DEFAULT_LANG


def check_lang(lang: str) -> Lang:
    """``lang`` as a Lang, or ValueError naming the choices (callers wrap it in their error)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language '{lang}': use zh or en")
    return cast(Lang, lang)


@dataclass(frozen=True)
class Text:
    """One sentence or paragraph in both languages. Inline math goes between $…$."""

    zh: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def format(self, **values) -> Text:
        """Both languages with ``{name}`` fields filled in."""
        return Text(self.zh.format(**values), self.en.format(**values))

    def __add__(self, other: Text | str) -> Text:
        if isinstance(other, Text):
            return Text(self.zh + other.zh, self.en + other.en)
        return Text(self.zh + other, self.en + other)

    @staticmethod
    def same(text: str) -> Text:
        """Language-neutral text (a formula, a name) used where a Text is expected."""
        return Text(text, text)

    def missing(self) -> list[str]:
        """The languages this text lacks (empty or not a string): what the tests refuse."""
        return [lang for lang in LANGS if not isinstance(getattr(self, lang), str)
                or not getattr(self, lang).strip()]
