"""Variants rendered: JSON, plain text and Markdown (problems, then the answer key with the
wrong options and their mistakes), a printable HTML exam sheet (one variant per page, a
line for the student's name) and an HTML answer key of worked solutions. Renderers only
format :class:`~nndl.gen.core.Variant` data; the worked solutions come from
:func:`nndl.solutions.solve` and :func:`nndl.solutions.render.to_html`."""

from __future__ import annotations

import dataclasses
import html
import json

from nndl.check.mistakes import CATALOGUE
from nndl.gen.core import Variant, shown
from nndl.text import Text

UI = {
    "title": Text("神经网络与深度学习 · 练习变体", "Neural Networks and Deep Learning · exercise variants"),
    "exercise": Text("第 {n} 题", "Exercise {n}"),
    "variant": Text("变体", "Variant"),
    "key": Text("答案", "Answer key"),
    "key_colon": Text("答案：", "Answer key:"),
    "key_name": Text("答案键", "key"),
    "key_value": Text("答案键=答案", "KEY=VALUE"),
    "wrong": Text("错误选项", "wrong options"),
    "check_with": Text("批改学生答案：", "Check a student's answers: "),
    "name": Text("姓名", "Name"),
    "student_no": Text("学号", "Student number"),
    "date": Text("日期", "Date"),
    "answer_space": Text("解答", "Your answer"),
    "count": Text("共 {k} 个变体，种子 {seed}，难度为{difficulty}，生成器第 {g} 版",
                  "{k} variants, seed {seed}, difficulty {difficulty} (generator {g})"),
    "key_title": Text("练习变体的答案与详解", "Exercise variants: answer key with worked solutions"),
    "key_variant": Text("（变体 {id}）", " (variant {id})"),
    "page": Text("第 {i} / {k} 页", "page {i} of {k}"),
}


# ------------------------------------------------------------------ JSON
def to_json(variants: list[Variant], lang: str) -> str:
    """{"variants": [{"id", "exercise", "params", "problem", "answers", "distractors"}]}."""
    return json.dumps({"variants": [v.to_json(lang) for v in variants]}, ensure_ascii=False,
                      indent=2, allow_nan=False) + "\n"


# ------------------------------------------------------------------ text and Markdown
# a difficulty as a Chinese teacher says it, with the name typed after -d
DIFFICULTY = {"easy": Text("简单（easy）", "easy"), "standard": Text("标准（standard）", "standard"),
              "hard": Text("困难（hard）", "hard")}


def _mistake(mistake: str, lang: str) -> str:
    name = CATALOGUE[mistake].name(lang)
    return f"{name}（{mistake}）" if lang == "zh" else f"{name} ({mistake})"


def _heading(variants: list[Variant], lang: str) -> str:
    first = variants[0]
    from nndl.gen.core import parse_id

    vid = parse_id(first.id)
    said = UI["count"].format(k=len(variants), seed=vid.seed,
                              difficulty=DIFFICULTY[vid.difficulty](lang), g=vid.generator)(lang)
    return said.replace("1 variants,", "1 variant,", 1) if len(variants) == 1 else said


def _check_line(v: Variant, lang: str) -> str:
    return f"nndl check {v.exercise} --variant {v.id} {UI['key_value'](lang)} …"


def to_text(variants: list[Variant], lang: str, key: bool = True, width: int | None = None) -> str:
    """The variants for the terminal, every line folded to ``width`` columns (the terminal's
    when None): a Chinese line between characters, a Latin word or a number kept whole."""
    from nndl.report import terminal_width, wrap_zh

    width = terminal_width(width)
    return "\n".join(part for line in _text_lines(variants, lang, key)
                     for part in (wrap_zh(line, width) or [""])).rstrip() + "\n"


def _text_lines(variants: list[Variant], lang: str, key: bool) -> list[str]:
    from nndl.solutions.render import inline_plain

    out = [UI["title"](lang), _heading(variants, lang), ""]
    for v in variants:
        head = f"{UI['exercise'](lang).format(n=v.exercise)} · {UI['variant'](lang)} {v.id}"
        out += ["━" * 8 + f" {head} " + "━" * 8, inline_plain(v.problem(lang)), ""]
        if key:
            out.append(UI["key_colon"](lang))
            width = max(len(k) for k in v.answers)
            for k, value in v.answers.items():
                first, *more = _plain(shown(v, value, lang))
                out.append(f"  {k:<{width}}  {first}")
                out += [f"  {'':<{width}}  {line}" for line in more]
                for wrong, m in v.distractors.get(k, []):
                    out.append(f"  {'':<{width}}    ✗ {_plain(shown(v, wrong, lang))[0]}"
                               f"  — {_mistake(m, lang)}")
            out += [UI["check_with"](lang) + _check_line(v, lang), ""]
    return out


def _plain(text: str) -> list[str]:
    """A shown value for the terminal: $…$ math as plain Unicode, one line per line of it
    (exercise 3's formula: the index form, then the vector form)."""
    from nndl.solutions.render import inline_plain

    return [inline_plain(line) for line in text.split("\n")]


def _md(s: str, lang: str = "en") -> str:
    return s.replace("|", r"\|").replace("\n", "；" if lang == "zh" else "; ")


def to_markdown(variants: list[Variant], lang: str, key: bool = True) -> str:
    out = [f"# {UI['title'](lang)}", "", f"_{_heading(variants, lang)}_", ""]
    for v in variants:
        out += [f"## {UI['exercise'](lang).format(n=v.exercise)} · {UI['variant'](lang)} `{v.id}`",
                "", v.problem(lang), ""]
        if key:
            out += [f"**{UI['key'](lang)}**", "",
                    f"| {UI['key_name'](lang)} | {UI['key'](lang)} | {UI['wrong'](lang)} |",
                    "|---|---|---|"]
            for k, value in v.answers.items():
                wrong = ("；" if lang == "zh" else "; ").join(
                    f"{shown(v, w, lang)}（{CATALOGUE[m].name(lang)}，{m}）" if lang == "zh"
                    else f"{shown(v, w, lang)} ({_mistake(m, lang)})"
                    for w, m in v.distractors.get(k, []))
                out.append(f"| `{k}` | **{_md(shown(v, value, lang), lang)}** | {_md(wrong, lang)} |")
            out += ["", f"{UI['check_with'](lang)}`{_check_line(v, lang)}`", ""]
    return "\n".join(out).rstrip() + "\n"


# ------------------------------------------------------------------ the printable exam sheet
_EXAM_CSS = """
@page { size: A4; margin: 16mm 16mm 18mm; }
* { box-sizing: border-box; }
html { font-family: "Noto Serif CJK SC", "Songti SC", "SimSun", Georgia, serif; color: #111;
       line-height: 1.55; font-size: 11.5pt; }
body { margin: 0; }
section.variant { break-after: page; page-break-after: always; max-width: 178mm; margin: 0 auto;
                  padding: 0; overflow-wrap: anywhere; }
section.variant:last-of-type { break-after: auto; page-break-after: auto; }
header.sheet { display: flex; justify-content: space-between; border-bottom: 1.5px solid #111;
               padding-bottom: 2mm; font-size: 10pt; }
.vid { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.student { display: flex; gap: 6mm; margin: 5mm 0 6mm; }
.student span { flex: 1; border-bottom: 1px solid #111; padding-bottom: 1mm; white-space: nowrap; }
.student span.short { flex: 0.6; }
h2 { font-size: 13pt; margin: 0 0 3mm; }
.problem { margin: 0 0 5mm; }
math { font-size: 1.05em; }
.space { border: 1px solid #999; border-radius: 2mm; min-height: 50mm; padding: 2mm 3mm;
         color: #666; font-size: 9pt;
         background: repeating-linear-gradient(transparent, transparent 9mm, #ddd 9mm, #ddd 9.3mm); }
footer.sheet { margin-top: 3mm; font-size: 8.5pt; color: #555; text-align: right; }
@media print { section.variant { display: flex; flex-direction: column; min-height: 255mm; }
               .space { flex: 1 1 auto; } }
@media screen { body { background: #eee; } section.variant { background: #fff; padding: 12mm;
                margin: 8mm auto; box-shadow: 0 1px 4px #0003; } .space { height: 150mm; } }
"""


def _bcp(lang: str) -> str:
    return "zh-CN" if lang == "zh" else "en"


def exam_html(variants: list[Variant], lang: str) -> str:
    """One printable sheet per variant (CSS page breaks): header with the variant's id, a
    line for the student's name, the problem with MathML formulas, room for the answer."""
    from nndl.solutions.render import _html_inline  # $…$ -> MathML, the answer key's way

    pages = []
    colon = "：" if lang == "zh" else ":"
    for i, v in enumerate(variants, 1):
        pages.append(f"""<section class="variant" id="v-{html.escape(v.id)}">
<header class="sheet"><span>{html.escape(UI['title'](lang))}</span><span class="vid">{html.escape(v.id)}</span></header>
<div class="student"><span>{html.escape(UI['name'](lang))}{colon}</span><span>{html.escape(UI['student_no'](lang))}{colon}</span><span class="short">{html.escape(UI['date'](lang))}{colon}</span></div>
<h2>{html.escape(UI['exercise'](lang).format(n=v.exercise))}</h2>
<div class="problem">{_html_inline(v.problem(lang))}</div>
<div class="space">{html.escape(UI['answer_space'](lang))}</div>
<footer class="sheet">{html.escape(UI['page'].format(i=i, k=len(variants))(lang))}</footer>
</section>""")
    title = html.escape(UI["title"](lang) + " · " + _heading(variants, lang))
    return f"""<!DOCTYPE html>
<html lang="{_bcp(lang)}">
<head>
<meta charset="utf-8">
<meta name="generator" content="nndl gen">
<title>{title}</title>
<style>{_EXAM_CSS}</style>
</head>
<body>
{chr(10).join(pages)}
</body>
</html>
"""


def key_html(variants: list[Variant], lang: str) -> str:
    """The worked solutions of every variant in one offline page (MathML, inline SVG), as
    :func:`nndl.solutions.render.to_html` renders the sheet's answer key; each exercise's
    title carries its variant id, and each section a unique anchor."""
    from nndl.solutions.render import to_html

    solutions = []
    for v in variants:
        s = v.solution()
        suffix = UI["key_variant"].format(id=v.id)
        solutions.append(dataclasses.replace(s, title=s.title + suffix))
    page = to_html(solutions, "zh" if lang == "zh" else "en")
    # one anchor per variant (to_html names a section by its exercise number)
    for v in variants:
        anchor = f'id="ex{v.exercise}"'
        page = page.replace(anchor, f'id="v-{html.escape(v.id)}"', 1)
        page = page.replace(f'href="#ex{v.exercise}"', f'href="#v-{html.escape(v.id)}"', 1)
    return page.replace(html.escape(_doc_title(lang)), html.escape(UI["key_title"](lang)), 1)


def _doc_title(lang: str) -> str:
    from nndl.solutions.render import UI as SOLUTION_UI

    return SOLUTION_UI["doc_title"](lang)
