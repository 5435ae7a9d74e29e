"""Variants as a Moodle question bank (Moodle XML, ``--format moodle``).

For every answer key of every variant: a *numerical* question for a number (exact for
counts of parameters and neurons, ±0.1 % for real numbers), a *short answer* question for
a shape (W×H×D written in the usual ways), a *true/false* question for a yes/no key
(exercise 2), and — where the key has wrong options — a
*multiple choice* question whose wrong options are the distractors. Every wrong answer
Moodle can recognise carries feedback naming the mistake that gives it, from
:data:`nndl.check.mistakes.CATALOGUE`. Questions sit in one category per exercise and
question type (``$course$/top/nndl gen/Exercise 5/numerical``); formulas are written
``\\(…\\)`` for Moodle's MathJax filter. Built with :mod:`xml.etree.ElementTree`, so every
text is escaped.

``lang="both"`` writes every text in both languages as Moodle's multilang filter reads them
(its documented syntax: a "lang block" of ``<span lang="XX" class="multilang">…</span>``
next to each other, one per language; Moodle shows the reader's language, else the first):
Chinese first, under Moodle's language-pack name ``zh_cn``, then ``en``. Names and
category paths are plain text in both languages."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from typing import Any

from nndl.check.core import CORRECT
from nndl.check.mistakes import CATALOGUE
from nndl.gen.core import GenError, Variant, answer_text, shown
from nndl.text import Text

MAX_OPTIONS = 5  # a multiple-choice question: the key and up to four wrong options
RELATIVE = 1e-3  # tolerance of a real number, as nndl check grades it
BOTH = "both"  # every text in both languages (Moodle's multilang filter picks one)
LANGS = ("zh", "en")
# (nndl's language, Moodle's language-pack name), in the block's order: Chinese first
MOODLE_PACKS = (("zh", "zh_cn"), ("en", "en"))

UI = {
    "category": Text("第 {n} 题", "Exercise {n}"),
    "numerical": Text("数值题", "numerical"),
    "shortanswer": Text("填空题", "short answer"),
    "multichoice": Text("选择题", "multiple choice"),
    "truefalse": Text("判断题", "true/false"),
    # Moodle's true/false buttons read 对/错 in its zh_cn pack (qtype_truefalse: true, false)
    "yes_no": Text("（“是”选“对”，“否”选“错”）", " (True for yes, False for no)"),
    "tf_wrong": Text("不对，答案是“{answer}”；理由见 nndl solve 的解答。",
                     "Not right: the answer is {answer}; nndl solve shows why."),
    "info": Text("nndl gen 生成的第 {n} 题变体（每个数字都由 nndl 计算）。",
                 "Variants of exercise {n} made by nndl gen (every number computed by nndl)."),
    "give": Text("请给出：{label}", "Give: {label}"),
    "choose": Text("请选择：{label}", "Choose: {label}"),
    "shape_hint": Text("（写作 {form}，例如 {example}）", " (write it as {form}, e.g. {example})"),
    "unknown": Text("不对，也没有一个已知的常见错误能得出这个答案。",
                    "Not right, and no known mistake gives this answer."),
    "general": Text("正确答案：{answer}。完整解答：nndl solve {n} --variant {id}",
                    "The answer: {answer}. Worked solution: nndl solve {n} --variant {id}"),
    "partly": Text("部分正确。", "Partly correct."),
    "wrong": Text("不对。", "Not right."),
    "mc": Text("选择题", "MC"),  # a question name's last part: the multiple-choice twin
}


def _math(text: str) -> str:
    """Escaped HTML with $…$ written \\(…\\) (Moodle's MathJax filter reads that)."""
    return re.sub(r"\$(.+?)\$", lambda m: r"\(" + m.group(1) + r"\)", html.escape(text))


def _multi(lang: str, html_of) -> str:
    """``html_of(l)`` (escaped HTML in language l) in ``lang``, or for ``both`` one multilang
    block: a span per language, nothing between them (so the filter sees one block)."""
    if lang != BOTH:
        return html_of(lang)
    texts = {code: html_of(code) for code in LANGS}
    if len(set(texts.values())) == 1:  # the same in both (a number, a formula): once
        return texts["zh"]
    return "".join(f'<span lang="{pack}" class="multilang">{texts[code]}</span>'
                   for code, pack in MOODLE_PACKS)


def _plain(lang: str, text_of) -> str:
    """Plain text (names, category paths): one language, or both joined by ' · '."""
    return " · ".join(text_of(code) for code in LANGS) if lang == BOTH else text_of(lang)


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = "html") -> ET.Element:
    el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(el, "text").text = text
    return el


def _feedback(mistake: str, lang: str) -> str:
    m = CATALOGUE[mistake]
    return _multi(lang, lambda code: html.escape(
        f"{m.name(code)}（{mistake}）：{m.explanation(code)}" if code == "zh" else
        f"{m.name(code)} ({mistake}): {m.explanation(code)}"))


def _ui(name: str, lang: str, **kw: Any) -> str:
    """One of the bank's own sentences, escaped, in ``lang`` (or both)."""
    return _multi(lang, lambda code: html.escape(UI[name].format(**kw)(code)))


def _shape_forms(values: list[int]) -> list[str]:
    """How students write a shape: 27x27x96, 27×27×96, 27*27*96, 27 x 27 x 96, 27, 27, 96 …"""
    s = [str(v) for v in values]
    return list(dict.fromkeys(["x".join(s), "×".join(s), "*".join(s), " x ".join(s),
                               ", ".join(s), ",".join(s), "(" + ", ".join(s) + ")"]))


def _kind(value: Any) -> str | None:
    if isinstance(value, bool):  # a yes/no question (exercise 2's (1) and (2))
        return "truefalse"
    if isinstance(value, list):
        return "shortanswer"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "numerical"
    return None  # a formula: only multiple choice


def _tolerance(exercise: int, value: Any) -> str:
    if exercise in (5, 6):  # counts: exact
        return "0"
    return repr(max(abs(float(value)) * RELATIVE, 1e-9))


def _question(parent: ET.Element, kind: str, name: str, idnumber: str, body: str,
              general: str) -> ET.Element:
    q = ET.SubElement(parent, "question", {"type": kind})
    _text(q, "name", name, None)
    _text(q, "questiontext", body)
    _text(q, "generalfeedback", general)
    ET.SubElement(q, "defaultgrade").text = "1.0000000"
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"
    ET.SubElement(q, "idnumber").text = idnumber
    return q


def _answer(q: ET.Element, fraction: int, text: str, feedback: str, fmt: str = "moodle_auto_format",
            tolerance: str | None = None) -> None:
    a = ET.SubElement(q, "answer", {"fraction": str(fraction), "format": fmt})
    ET.SubElement(a, "text").text = text
    _text(a, "feedback", feedback)
    if tolerance is not None:
        ET.SubElement(a, "tolerance").text = tolerance


def _labels(v: Variant) -> dict[str, Text]:
    """Each answer key's label: from the generator when it has them without solving (a
    worked solution of exercise 3 measures a whole sweep), else from the solution."""
    from nndl.gen.core import module

    cheap = getattr(module(v.exercise), "labels", None)
    if cheap is not None:
        return cheap(v.params)
    return {a.key: a.label for a in v.solution().answers}


def to_moodle(variants: list[Variant], lang: str) -> str:
    """The question bank as Moodle XML, in ``lang`` ("zh", "en" or "both")."""
    if lang not in (*LANGS, BOTH):
        raise GenError(Text(f"to_moodle：语言是 zh、en 或 both，不是 {lang!r}",
                            f"to_moodle: lang must be zh, en or both, not {lang!r}"))
    groups: dict[tuple[int, str], list] = {}
    for v in variants:
        labels = _labels(v)
        for key, value in v.answers.items():
            kind = _kind(value)
            if kind is not None:
                groups.setdefault((v.exercise, kind), []).append((v, key, value, labels[key]))
            if v.distractors.get(key):
                groups.setdefault((v.exercise, "multichoice"), []).append(
                    (v, key, value, labels[key]))
    root = ET.Element("quiz")
    order = {"numerical": 0, "shortanswer": 1, "truefalse": 2, "multichoice": 3}
    for (n, kind), items in sorted(groups.items(), key=lambda g: (g[0][0], order[g[0][1]])):
        cat = ET.SubElement(root, "question", {"type": "category"})
        path = (f"$course$/top/nndl gen/{_plain(lang, UI['category'].format(n=n))}/"
                f"{_plain(lang, UI[kind])}")
        _text(cat, "category", path, None)
        _text(cat, "info", _ui("info", lang, n=n))
        for v, key, value, label in items:
            _write(root, kind, v, key, value, label, lang)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _write(root: ET.Element, kind: str, v: Variant, key: str, value: Any, label: Text,
           lang: str) -> None:
    general = _multi(lang, lambda code: html.escape(UI["general"].format(
        answer=shown(v, value, code), n=v.exercise, id=v.id)(code)))

    def ask(code: str) -> str:
        text = UI["choose" if kind == "multichoice" else "give"].format(label=label(code))(code)
        if kind == "truefalse":
            text += UI["yes_no"](code)
        if kind == "shortanswer":
            form = "WxHxD" if len(value) == 3 else "WxH"
            text += UI["shape_hint"].format(form=form, example="x".join(["8"] * len(value)))(code)
        return _math(text)

    body = (f"<p>{_multi(lang, lambda code: _math(v.problem(code)))}</p>"
            f"<p><b>{_multi(lang, ask)}</b></p>")
    name = f"{v.id} · {key}" + (" · " + _plain(lang, UI["mc"]) if kind == "multichoice" else "")
    q = _question(root, kind, name, f"{v.id}:{key}:{kind}", body, general)
    right = _multi(lang, lambda code: html.escape(CORRECT(code)))
    wrong = v.distractors.get(key, [])
    if kind == "numerical":
        _answer(q, 100, answer_text(value), right, tolerance=_tolerance(v.exercise, value))
        for w, m in wrong:
            _answer(q, 0, answer_text(w), _feedback(m, lang), tolerance=_tolerance(v.exercise, w))
        _answer(q, 0, "*", _ui("unknown", lang), tolerance="0")
        ET.SubElement(q, "unitgradingtype").text = "0"
        ET.SubElement(q, "unitpenalty").text = "0.1000000"
        ET.SubElement(q, "showunits").text = "3"
        ET.SubElement(q, "unitsleft").text = "0"
    elif kind == "truefalse":  # Moodle's two answers, "true" and "false"
        said = _multi(lang, lambda code: html.escape(
            UI["tf_wrong"].format(answer=Text("是", "yes")(code) if value else
                                  Text("否", "no")(code))(code)))
        for truth in (True, False):
            _answer(q, 100 if truth == value else 0, "true" if truth else "false",
                    right if truth == value else said)
    elif kind == "shortanswer":
        ET.SubElement(q, "usecase").text = "0"
        for form in _shape_forms(value):
            _answer(q, 100, form, right)
        for w, m in wrong:
            for form in _shape_forms(w):
                _answer(q, 0, form, _feedback(m, lang))
        _answer(q, 0, "*", _ui("unknown", lang))
    else:
        ET.SubElement(q, "single").text = "true"
        ET.SubElement(q, "shuffleanswers").text = "true"
        ET.SubElement(q, "answernumbering").text = "abc"
        _text(q, "correctfeedback", right)
        _text(q, "partiallycorrectfeedback", _ui("partly", lang))
        _text(q, "incorrectfeedback", _ui("wrong", lang))
        # the options as a reader sees them (exercise 1's piecewise f′ without words in zh)
        _answer(q, 100, _multi(lang, lambda code: html.escape(shown(v, value, code))), right,
                fmt="html")
        for w, m in wrong[:MAX_OPTIONS - 1]:
            _answer(q, 0, _multi(lang, lambda code, w=w: html.escape(shown(v, w, code))),
                    _feedback(m, lang), fmt="html")
