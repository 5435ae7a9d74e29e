"""The data of a worked solution. Builders (one module per exercise) fill these with numbers
computed at run time; renderers (text, Markdown, HTML, JSON) only format them, in either
language, from the same objects."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from nndl.report import fmt_int as fmt_int
from nndl.report import fmt_num as fmt_num
from nndl.text import LANGS as LANGS
from nndl.text import Lang as Lang
from nndl.text import Text as Text


@dataclass
class Paragraph:
    text: Text
    kind: str = "paragraph"


@dataclass
class Math:
    """A displayed formula: LaTeX for HTML/Markdown, and a Unicode rendering for the terminal."""

    latex: str
    plain: str = ""
    kind: str = "math"
    # the formula in Chinese where it has words of its own (exercise 5's 参数量 = …); empty: the
    # same as ``latex``/``plain`` up to the Piecewise words below
    latex_zh: str = ""
    plain_zh: str = ""

    # words inside a formula ("for x ≤ 0", "otherwise", as SymPy prints a Piecewise) in Chinese
    _ZH_WORDS = ((r"\text{for}", r"\text{当}"), (r"\text{otherwise}", r"\text{其他}"),
                 (" if ", " 当 "), (" otherwise", " 其他"))

    def latex_for(self, lang: Lang) -> str:
        if lang != "zh":
            return self.latex
        return self.latex_zh or _translate(self.latex, self._ZH_WORDS[:2])

    def plain_for(self, lang: Lang) -> str:
        if lang != "zh":
            return self.plain
        return self.plain_zh or _translate(self.plain, self._ZH_WORDS[2:])


def _translate(text: str, pairs) -> str:
    for en, zh in pairs:
        text = text.replace(en, zh)
    return text


@dataclass
class Table:
    columns: list[Text]
    rows: list[list[str | Text]]  # a cell is language-neutral text or a bilingual Text
    caption: Text | None = None
    kind: str = "table"


@dataclass
class Figure:
    """An SVG figure; ``name`` becomes its file name when written to a folder.

    ``draw`` is the SVG itself or, in the worked solutions, a function that draws it in a
    language: it is called on first use and the SVG kept, so a solution shown as text or
    checked (``nndl check``) draws nothing, and Markdown draws only the language it shows.
    ``bilingual``: the drawing has words, so ``draw("en")`` differs from ``draw("zh")``."""

    name: str
    draw: str | Callable[[Lang], str]
    caption: Text
    bilingual: bool = False
    kind: str = "figure"
    _svgs: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def svg_for(self, lang: Lang) -> str:
        lang = lang if self.bilingual else "zh"
        if lang not in self._svgs:
            self._svgs[lang] = self.draw if isinstance(self.draw, str) else self.draw(lang)
        return self._svgs[lang]

    @property
    def svg(self) -> str:
        """The drawing (in Chinese when it has words)."""
        return self.svg_for("zh")

    @property
    def svg_en(self) -> str | None:
        """The English drawing when it has words, else None (``svg`` serves both)."""
        return self.svg_for("en") if self.bilingual else None

    def file_name(self, lang: Lang) -> str:
        return f"{self.name}_en.svg" if (lang == "en" and self.bilingual) else f"{self.name}.svg"


@dataclass
class Check:
    """One answer verified two independent ways."""

    what: Text
    methods: Text
    passed: bool
    detail: str | Text = ""  # the numbers compared: language-neutral, or a Text where it has words
    kind: str = "check"

    def detail_in(self, lang: Lang) -> str:
        return self.detail(lang) if isinstance(self.detail, Text) else self.detail


@dataclass
class Erratum:
    """Where the sheet's own text is wrong or incomplete, said politely."""

    text: Text
    kind: str = "erratum"


Block = Paragraph | Math | Table | Figure | Check | Erratum


@dataclass
class Section:
    title: Text
    blocks: list[Block] = field(default_factory=list)
    level: int = 0  # 1: a subsection of the section before it (exercise 6's layers)


@dataclass
class Answer:
    """A final answer: ``value`` is machine-readable (JSON), ``display`` is what a reader sees."""

    key: str
    label: Text
    value: Any
    display: str | Text  # language-neutral, or per language (yes/no)
    # the key of another answer whose display already says this value (69,984 inside
    # "27×27×96 = 69,984"): kept in the JSON, not listed again in the answer table
    restates: str = ""

    @staticmethod
    def listed(answers: list[Answer]) -> list[Answer]:
        """The answers a reader sees, each once."""
        keys = {a.key for a in answers}
        return [a for a in answers if a.restates not in keys]


@dataclass
class Solution:
    number: int
    title: Text
    statement: Text
    sections: list[Section]
    answers: list[Answer]
    checks: list[Check] = field(default_factory=list)
    errata: list[Erratum] = field(default_factory=list)
    seconds: float = 0.0
    params: Any = None  # the exercise's Params (see nndl.solutions.params)

    @property
    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]


@cache
def problems() -> dict[int, dict]:
    """The sheet's problem statements (zh from the seed, en translated), kept as package data."""
    raw = resources.files("nndl").joinpath("resources/problems.json").read_text(encoding="utf-8")
    return {p["number"]: p for p in json.loads(raw)["exercises"]}


def problem_text(number: int) -> tuple[Text, Text]:
    p = problems()[number]
    return Text(**p["title"]), Text(**p["statement"])




def brief(solution: Solution) -> Solution:
    """The solution as ``nndl solve --brief`` shows it: the problem, the answers and the
    checks (no worked sections, no errata, no figures)."""
    return dataclasses.replace(solution, sections=[], errata=[])
