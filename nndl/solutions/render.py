"""Renderers of worked solutions: terminal (Rich), Markdown, self-contained HTML, JSON.

They only format :mod:`nndl.solutions.model` objects; no number is computed or typed here.
"""

from __future__ import annotations

import base64
import html
import json
import re
from typing import Any

from nndl.report import MATH, fit_tables, inline_plain, latex_to_plain  # noqa: F401  (gen and tests use them here)
from nndl.solutions.model import (
    LANGS,
    Answer,
    Check,
    Erratum,
    Figure,
    Lang,
    Math,
    Paragraph,
    Solution,
    Table,
    Text,
)

UI = {
    "answers": Text("答案", "Answers"),
    "checks": Text("验证", "Checks"),
    "errata": Text("勘误", "Errata"),
    "problem": Text("题目", "Problem"),
    "contents": Text("目录", "Contents"),
    "exercise": Text("第 {n} 题", "Exercise {n}"),
    "passed": Text("通过", "passed"),
    "failed": Text("未通过", "FAILED"),
    "doc_title": Text("神经网络与深度学习习题解答（nndl 计算）",
                      "Neural Networks and Deep Learning — worked solutions (computed by nndl)"),
    "param_name": Text("参数", "parameter"),
    "param_kind": Text("类型", "type"),
    "param_default": Text("默认值（原题）", "default (the sheet)"),
    "param_allowed": Text("取值范围", "allowed"),
    "param_help": Text("含义", "meaning"),
    "params_title": Text("第 {n} 题的参数", "Parameters of exercise {n}"),
    "check_hint": Text("想核对自己的答案？运行 nndl check 题号 答案键=你的答案（例如 nndl check 5 "
                       "fc_params=27,000,000），它会指出哪一步错了、错在哪里。",
                       "To check your own answers, run nndl check N KEY=VALUE (e.g. nndl check 5 "
                       "fc_params=27,000,000): it says which step went wrong, and why."),
    # a figure in the terminal: where to see it (-o writes the SVG files into a folder)
    "figure_where": Text("（{file}：用 -o 文件夹 保存，或用 --format html 查看）",
                         " ({file} — see it with -o DIR or --format html)"),
    "generated": Text("本文件中的每个数字都由 nndl 在运行时计算得到。",
                      "Every number in this document was computed by nndl when it was generated."),
}

_MATH = MATH


# ------------------------------------------------------------------ JSON
def to_data(solutions: list[Solution]) -> dict[str, Any]:
    """The JSON shape: {"exercises": [{"number", "answers": {key: value}, ...}]}."""
    out = []
    for s in solutions:
        out.append({
            "number": s.number,
            "title": {lang: s.title(lang) for lang in LANGS},
            "params": s.params.to_json() if s.params is not None else None,
            "problem": {lang: s.statement(lang) for lang in LANGS},
            "answers": {a.key: a.value for a in s.answers},
            "answer_labels": {a.key: {lang: a.label(lang) for lang in LANGS} for a in s.answers},
            "answer_display": {a.key: ({lang: a.display(lang) for lang in LANGS}
                                       if isinstance(a.display, Text) else a.display)
                               for a in s.answers},
            "all_checks_passed": all(c.passed for c in s.checks),
            "checks": [{"what": {lang: c.what(lang) for lang in LANGS},
                        "methods": {lang: c.methods(lang) for lang in LANGS},
                        "passed": c.passed,
                        "detail": {lang: c.detail_in(lang) for lang in LANGS}} for c in s.checks],
            "errata": [{lang: e.text(lang) for lang in LANGS} for e in s.errata],
            "figures": [f.name for f in s.figures],
            "seconds": round(s.seconds, 3),
        })
    return {"all_checks_passed": all(c.passed for s in solutions for c in s.checks),
            "exercises": out}


def to_json(solutions: list[Solution]) -> str:
    return json.dumps(to_data(solutions), ensure_ascii=False, indent=2, default=_json_default)


def _json_default(o):
    if hasattr(o, "tolist"):
        return o.tolist()
    if hasattr(o, "item"):
        return o.item()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


# ------------------------------------------------------------------ Markdown
def _cell(c: str | Text, lang: Lang) -> str:
    """A table cell is language-neutral text or a bilingual Text."""
    return c(lang) if isinstance(c, Text) else c


def _md_cell(s: str) -> str:
    return s.replace("|", r"\|").replace("\n", " ")


def to_markdown(solutions: list[Solution], lang: Lang, figure_links: bool | None = None) -> str:
    """GitHub/notebook Markdown with $…$ math; figures linked by file name when written to a folder,
    otherwise embedded as data URIs."""
    lines = [f"# {UI['doc_title'](lang)}", "", f"_{UI['generated'](lang)}_", ""]
    for s in solutions:
        lines += [f"## {UI['exercise'](lang).format(n=s.number)}{'：' if lang == 'zh' else '. '}"
                  f"{s.title(lang)}", "",
                  f"**{UI['problem'](lang)}** {s.statement(lang)}", ""]
        for sec in s.sections:
            lines += [f"{'####' if _sub(sec) else '###'} {sec.title(lang)}", ""]
            for b in sec.blocks:
                lines += _md_block(b, lang, figure_links)
        lines += [f"### {UI['answers'](lang)}", ""]
        lines += [f"- {a.label(lang)}{_colon(lang)}**{_cell(a.display, lang)}**"
                  for a in Answer.listed(s.answers)]
        lines.append("")
        if s.checks:
            lines += [f"### {UI['checks'](lang)}", ""]
            lines += [_md_check(c, lang) for c in s.checks]
            lines.append("")
        if s.errata:
            lines += [f"### {UI['errata'](lang)}", ""]
            lines += [f"- {e.text(lang)}" for e in s.errata]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _sub(section) -> bool:
    """A section that belongs under the one before it (exercise 6's per-layer working under
    "Layer by layer"): ``Section.level`` 1, where the model gives one."""
    return section.level >= 1


def _colon(lang: Lang) -> str:
    """A label's colon: the full-width one in Chinese (it carries its own space)."""
    return "：" if lang == "zh" else ": "


def _md_check(c: Check, lang: Lang) -> str:
    mark = "✅" if c.passed else "❌"
    o, cl = ("（", "）") if lang == "zh" else (" (", ")")
    detail = f"{o}{c.detail_in(lang)}{cl}" if c.detail_in(lang) else ""
    return f"- {mark} {c.what(lang)} — {c.methods(lang)}{detail}"


def _md_block(b, lang: Lang, figure_links) -> list[str]:
    if isinstance(b, Paragraph):
        return [b.text(lang), ""]
    if isinstance(b, Math):
        return ["$$", b.latex_for(lang), "$$", ""]
    if isinstance(b, Table):
        head = "| " + " | ".join(_md_cell(c(lang)) for c in b.columns) + " |"
        rule = "|" + "---|" * len(b.columns)
        rows = ["| " + " | ".join(_md_cell(_cell(c, lang)) for c in r) + " |" for r in b.rows]
        cap = [f"_{b.caption(lang)}_", ""] if b.caption else []
        return cap + [head, rule, *rows, ""]
    if isinstance(b, Figure):
        if figure_links is not None:
            src = b.file_name(lang)
        else:
            src = "data:image/svg+xml;base64," + base64.b64encode(b.svg_for(lang).encode()).decode()
        return [f"![{b.caption(lang)}]({src})", "", f"_{b.caption(lang)}_", ""]
    if isinstance(b, Check):
        return [_md_check(b, lang), ""]
    if isinstance(b, Erratum):
        return [f"> **{UI['errata'](lang)}{_colon(lang).strip()}** {b.text(lang)}", ""]
    raise TypeError(type(b))


# ------------------------------------------------------------------ terminal
def to_text(solutions: list[Solution], lang: Lang, width: int | None = None,
            color: bool = False) -> str:
    """Text for the terminal (``width`` columns, the terminal's when None; ANSI colours when
    ``color``): math as Unicode, tables as tables, figures by name."""
    from nndl.report import text_console

    console = text_console(width, color)
    _print_text(solutions, lang, console)
    return console.file.getvalue()


def _answer_plain(display: str) -> str:
    """An answer for the terminal; an index form and its vector form (a \\qquad apart in
    the LaTeX) on lines of their own, not run together as if one product."""
    m = re.fullmatch(r"\$([^$]*)\$", display.strip())
    if m and r"\qquad" in m.group(1):
        return "\n".join(inline_plain(f"${part.strip()}$") for part in m.group(1).split(r"\qquad"))
    return inline_plain(display)


def _fold(text: str, lang: Lang, width: int) -> str:
    """Chinese folded between characters (Rich folds only at spaces, leaving a line half
    empty before a long run of Chinese); other languages are left to Rich."""
    if lang != "zh":
        return text
    from nndl.report import wrap_zh

    return "\n".join(part for line in text.split("\n")
                     for part in (wrap_zh(line, width) or [""]))


def _print_text(solutions: list[Solution], lang: Lang, console) -> None:
    from rich import box
    from rich.cells import cell_len
    from rich.panel import Panel
    from rich.rule import Rule
    from rich.table import Table as RichTable

    for s in solutions:
        heading = f"{UI['exercise'](lang).format(n=s.number)}{'：' if lang == 'zh' else '. '}{s.title(lang)}"
        if cell_len(heading) + 6 <= console.width:
            console.print(Rule(f"[bold]{heading}"))
        else:  # a rule would cut a long title with "…": the title above a plain rule
            console.print(f"[bold]{heading}[/]")
            console.print(Rule())
        console.print(Panel(_fold(inline_plain(s.statement(lang)), lang, console.width - 4),
                            title=UI["problem"](lang),
                            title_align="left", border_style="dim"), highlight=False)
        for sec in s.sections:
            if _sub(sec):
                console.print(f"\n[cyan]· {sec.title(lang)}[/]")
            else:
                console.print(f"\n[bold cyan]{sec.title(lang)}[/]")
            for b in sec.blocks:
                if isinstance(b, Paragraph):
                    console.print(_fold(inline_plain(b.text(lang)), lang, console.width),
                                  highlight=False)
                elif isinstance(b, Math):
                    # an index form and its vector form (a \qquad apart) on lines of their own
                    for line in (b.plain_for(lang) or "").split("\n") if b.plain_for(lang) else [
                            latex_to_plain(part) for part in b.latex_for(lang).split(r"\qquad")]:
                        console.print("    " + line, highlight=False, style="italic")
                elif isinstance(b, Table):
                    # compact; a table wider than the terminal is split into column groups
                    # (each repeating the first column), and no number is broken or cut
                    cells = [[inline_plain(_cell(c, lang)) for c in r] for r in b.rows]
                    for t in fit_tables([inline_plain(c(lang)) for c in b.columns], cells,
                                        console.width,
                                        title=b.caption(lang) if b.caption else None,
                                        show_lines=False, box=box.SIMPLE_HEAD, padding=(0, 1)):
                        console.print(t)
                elif isinstance(b, Figure):
                    # a word, not 🖼: the emoji is a box in many terminal fonts
                    console.print(f"[dim]{_FIGURE_LABEL(lang)}{b.caption(lang)}"
                                  f"{UI['figure_where'](lang).format(file=b.name + '.svg')}[/]",
                                  highlight=False)
                elif isinstance(b, Check):
                    # markup counts as width here: a line folds a little early, never late
                    console.print(_fold(_term_check(b, lang), lang, console.width), highlight=False)
                elif isinstance(b, Erratum):
                    label = f"{UI['errata'](lang)}{_colon(lang)}"
                    text = _fold(label + inline_plain(b.text(lang)), lang, console.width)
                    console.print(f"[yellow]{label}[/]{text[len(label):]}", highlight=False)
        t = RichTable(title=UI["answers"](lang), title_justify="left", show_header=False)
        t.add_column(overflow="fold")
        t.add_column(style="bold green", overflow="fold")
        for a in Answer.listed(s.answers):
            t.add_row(inline_plain(a.label(lang)), _answer_plain(_cell(a.display, lang)))
        console.print(t)
        if s.checks:
            console.print(f"[bold]{UI['checks'](lang)}[/]")
            for c in s.checks:
                console.print(_fold(_term_check(c, lang), lang, console.width), highlight=False)
        for e in s.errata:
            label = f"{UI['errata'](lang)}{_colon(lang)}"
            text = _fold(label + inline_plain(e.text(lang)), lang, console.width)
            console.print(f"[yellow]{label}[/]{text[len(label):]}", highlight=False)
        console.print()


def _term_check(c: Check, lang: Lang) -> str:
    mark = "[green]✓[/]" if c.passed else "[red]✗[/]"
    o, cl = ("（", "）") if lang == "zh" else (" (", ")")
    detail = f"[dim]{o}{c.detail_in(lang)}{cl}[/]" if c.detail_in(lang) else ""
    return f"  {mark} {inline_plain(c.what(lang))} — {c.methods(lang)}{detail}"


_FIGURE_LABEL = Text("图：", "Figure: ")


# ------------------------------------------------------------------ HTML
def _mathml(tex: str, display: bool) -> str:
    from latex2mathml.converter import convert

    return _fix_mathml(convert(tex, display="block" if display else "inline"))


# latex2mathml writes θ' as <msup><mi>θ</mi><mi>′</mi></msup>: the prime glyph is already
# raised, so raised again it floats off as a detached tick. It is an operator after its base.
_PRIME = re.compile(r"<msup>(<mrow><mi[^>]*>[^<]*</mi></mrow>|<mi[^>]*>[^<]*</mi>)"
                    r"(?:<mrow>)?<mi>(&#x0203[234];)</mi>(?:</mrow>)?</msup>")
# \mathbf{W} becomes the character 𝐖 (U+1D416), bold only where a font has it, and not
# mathvariant-bold as MathML says it; the letter with mathvariant="bold" (and the page's CSS
# for browsers that implement only MathML Core) keeps a vector bold everywhere
_PRIME_THEN_SUP = re.compile(r"<msup>(<mrow><mi[^>]*>[^<]*</mi></mrow>|<mi[^>]*>[^<]*</mi>)"
                             r"<mrow><mi>(&#x0203[234];)</mi>")  # θ'^{(l)}: prime, then (l)
_BOLD_LETTER = re.compile(r"<mi>&#x(1D4[0-3][0-9A-F]);</mi>")
# 290{,}400 comes out as <mn>290</mn><mrow><mo>,</mo></mrow><mn>400</mn>: a separator
# operator, which browsers space as "290, 400". A grouped number is one <mn>.
_GROUPED = re.compile(r"<mn>(\d[\d,]*)</mn><mrow><mo>&#x0002C;</mo></mrow><mn>(\d{3})</mn>")


def _fix_mathml(mathml: str) -> str:
    mathml = _PRIME.sub(r'<mrow>\1<mo lspace="0" rspace="0">\2</mo></mrow>', mathml)
    mathml = _PRIME_THEN_SUP.sub(r'<msup><mrow>\1<mo lspace="0" rspace="0">\2</mo></mrow><mrow>',
                                 mathml)

    def bold(m: re.Match) -> str:
        k = int(m.group(1), 16) - 0x1D400
        letter = chr(ord("A") + k) if k < 26 else chr(ord("a") + k - 26)
        return f'<mi mathvariant="bold">{letter}</mi>'

    while _GROUPED.search(mathml):
        mathml = _GROUPED.sub(r"<mn>\1,\2</mn>", mathml)
    return _BOLD_LETTER.sub(bold, mathml)


def _html_inline(text: str) -> str:
    """Escape text and turn $…$ into MathML."""
    out, pos = [], 0
    for m in _MATH.finditer(text):
        out.append(html.escape(text[pos:m.start()]))
        if m.group(1) is not None:
            out.append(_mathml(m.group(1), True))
        else:
            out.append(_mathml(m.group(2), False))
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _html_both(text: Text, tag: str = "span") -> str:
    return "".join(f'<{tag} class="l-{lang}" lang="{_bcp(lang)}">{_html_inline(text(lang))}</{tag}>'
                   for lang in LANGS)


def _bcp(lang: Lang) -> str:
    return "zh-CN" if lang == "zh" else "en"


def _strip_xml_prolog(svg: str) -> str:
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    return re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)


def _inline_svg(svg: str, uid: str) -> str:
    """An SVG ready to sit inside HTML: no prolog, and ids made unique in the page."""
    svg = _strip_xml_prolog(svg)
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{uid}-{m.group(1)}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{uid}-{m.group(1)})", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', lambda m: f'xlink:href="#{uid}-{m.group(1)}"', svg)
    return re.sub(r'(?<!:)href="#([^"]+)"', lambda m: f'href="#{uid}-{m.group(1)}"', svg)


def _html_block(b, uid: str) -> str:
    if isinstance(b, Paragraph):
        return _html_both(b.text, "p")
    if isinstance(b, Math):
        if b.latex_for("zh") != b.latex:
            return "".join(f'<div class="math l-{lang}">{_mathml(b.latex_for(lang), True)}</div>'
                           for lang in LANGS)
        return f'<div class="math">{_mathml(b.latex, True)}</div>'
    if isinstance(b, Table):
        head = "".join(f"<th>{_html_both(c)}</th>" for c in b.columns)
        rows = "".join("<tr>" + "".join(
            f"<td>{_html_both(c) if isinstance(c, Text) else _html_inline(c)}</td>" for c in r)
            + "</tr>" for r in b.rows)
        cap = f"<caption>{_html_both(b.caption)}</caption>" if b.caption else ""
        return f'<div class="tablewrap"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'
    if isinstance(b, Figure):
        if b.svg_en:
            svg = "".join(f'<div class="l-{lang}">{_inline_svg(b.svg_for(lang), f"{uid}{lang}")}</div>'
                          for lang in LANGS)
        else:
            svg = _inline_svg(b.svg, uid)
        return (f'<figure id="fig-{html.escape(b.name)}">{svg}'
                f"<figcaption>{_html_both(b.caption)}</figcaption></figure>")
    if isinstance(b, Check):
        return _html_check(b)
    if isinstance(b, Erratum):
        label = "".join(f'<span class="l-{lang}" lang="{_bcp(lang)}">{html.escape(UI["errata"](lang))}'
                        f"{_colon(lang)}</span>" for lang in LANGS)
        return f'<div class="erratum"><b>{label}</b>{_html_both(b.text)}</div>'
    raise TypeError(type(b))


def _html_check(c: Check) -> str:
    cls = "ok" if c.passed else "bad"
    mark = "✓" if c.passed else "✗"
    opens, closes = Text("（", "("), Text("）", ")")
    detail = "".join(f' <span class="detail l-{lang}" lang="{_bcp(lang)}">{opens(lang)}'
                     f"{html.escape(c.detail_in(lang))}{closes(lang)}</span>"
                     for lang in LANGS if c.detail_in(lang))
    return f'<li class="check {cls}"><span class="mark">{mark}</span> {_html_both(c.what)} — {_html_both(c.methods)}{detail}</li>'


_CSS = """
:root { --ink:#1d2330; --muted:#5b6475; --accent:#1f6feb; --ok:#1a7f37; --bad:#cf222e; --bg:#fff; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "PingFang SC",
       "Microsoft YaHei", sans-serif; color: var(--ink); background: var(--bg); margin: 0; line-height: 1.6; }
main { max-width: 980px; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
header.top { position: sticky; top: 0; background: #f6f8fa; border-bottom: 1px solid #d0d7de;
             padding: .5rem 1.25rem; display: flex; gap: 1rem; align-items: center; z-index: 2; }
header.top h1 { font-size: 1.05rem; margin: 0; flex: 1; }
button.lang { border: 1px solid #d0d7de; background: #fff; border-radius: 6px; padding: .2rem .7rem; cursor: pointer; }
html[data-lang="zh"] button.lang[data-set="zh"], html[data-lang="en"] button.lang[data-set="en"] {
  background: var(--accent); color: #fff; border-color: var(--accent); }
html[data-lang="zh"] .l-en, html[data-lang="en"] .l-zh { display: none; }
nav.toc { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 8px; padding: .5rem 1.25rem; }
nav.toc ol { margin: .3rem 0; }
section.exercise { border-top: 2px solid #d0d7de; margin-top: 2rem; padding-top: .5rem; }
.problem { background: #fff8e6; border-left: 4px solid #d4a72c; padding: .6rem 1rem; border-radius: 4px; }
.math { overflow-x: auto; overflow-y: hidden; padding: .15rem 0; margin: .6rem 0; }
math[display="block"] { font-size: 1.08em; }
/* MathML Core (Chromium) ignores mathvariant except "normal": bold vectors by CSS */
math mi[mathvariant="bold"] { text-transform: none; font-weight: bold; font-style: normal; }
math mi[mathvariant="bold-italic"] { text-transform: none; font-weight: bold; font-style: italic; }
.tablewrap { overflow-x: auto; }
table { border-collapse: collapse; margin: .6rem 0; font-variant-numeric: tabular-nums; }
td:first-child { white-space: nowrap; }
th, td { border: 1px solid #d0d7de; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
caption { caption-side: top; text-align: left; color: var(--muted); font-style: italic; }
figure { margin: 1rem 0; text-align: center; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .92em; }
ul.checks { list-style: none; padding-left: .3rem; }
li.check .mark { font-weight: bold; }
li.check.ok .mark { color: var(--ok); }
li.check.bad .mark { color: var(--bad); }
.detail { color: var(--muted); font-size: .9em; }
.erratum { background: #fff1f0; border-left: 4px solid var(--bad); padding: .4rem .9rem; margin: .6rem 0; border-radius: 4px; }
dl.answers { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem;
             background: #f0fff4; border: 1px solid #aceebb; border-radius: 8px; padding: .6rem 1rem; }
dl.answers dd { margin: 0; font-weight: 600; }
h4 { margin: 1rem 0 .3rem; font-size: 1rem; }
/* paper: A4 with margins; nothing can scroll there, so wide tables wrap and formulas shrink */
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { font-size: 10pt; line-height: 1.45; }
  main { max-width: none; padding: 0; }
  header.top { position: static; padding: 0 0 .4rem; background: none; }
  header.top button { display: none; }
  section.exercise { break-before: page; }
  figure, .math { break-inside: avoid; }
  tr { break-inside: avoid; }
  .tablewrap, .math { overflow: visible; }
  table { width: 100%; font-size: 8.5pt; }
  th, td { padding: .1rem .25rem; overflow-wrap: break-word; }
  td:first-child { white-space: nowrap; }  /* row labels (t = 1×10⁹, Conv-1) stay whole */
  math[display="block"] { font-size: .9em; max-width: 100%; }
  figure svg { max-width: 100%; height: auto; }
}
"""

_JS = """
function setLang(l){document.documentElement.setAttribute('data-lang',l);
document.documentElement.setAttribute('lang', l==='zh'?'zh-CN':'en');
try{localStorage.setItem('nndl-lang',l)}catch(e){}}
document.querySelectorAll('button.lang').forEach(function(b){b.addEventListener('click',function(){setLang(b.dataset.set)})});
// the reader's last choice wins over the language the page was written in
try{var saved=localStorage.getItem('nndl-lang');if(saved==='zh'||saved==='en'){
document.documentElement.setAttribute('data-lang',saved);
document.documentElement.setAttribute('lang',saved==='zh'?'zh-CN':'en');}}catch(e){}
"""


def to_html(solutions: list[Solution], lang: Lang) -> str:
    """One self-contained page: inline SVG figures, MathML math, a contents list, a zh/en switch
    (``lang`` is the language it opens in), and print styles."""
    toc = "".join(
        f'<li><a href="#ex{s.number}">{_html_both(s.title)}</a></li>' for s in solutions)
    body = []
    for s in solutions:
        parts = [f'<section class="exercise" id="ex{s.number}">',
                 f"<h2>{_html_both(Text(UI['exercise'].zh.format(n=s.number), UI['exercise'].en.format(n=s.number)))}"
                 f" · {_html_both(s.title)}</h2>",
                 f'<div class="problem"><b>{_html_both(UI["problem"])}</b> {_html_both(s.statement)}</div>']
        for k, sec in enumerate(s.sections):
            h = "h4" if _sub(sec) else "h3"
            parts.append(f"<{h}>{_html_both(sec.title)}</{h}>")
            checks_open = False
            for j, b in enumerate(sec.blocks):
                is_check = isinstance(b, Check)
                if is_check and not checks_open:
                    parts.append('<ul class="checks">')
                    checks_open = True
                elif not is_check and checks_open:
                    parts.append("</ul>")
                    checks_open = False
                parts.append(_html_block(b, f"e{s.number}s{k}b{j}"))
            if checks_open:
                parts.append("</ul>")
        parts.append(f"<h3>{_html_both(UI['answers'])}</h3><dl class=\"answers\">")
        for a in Answer.listed(s.answers):
            display = _html_both(a.display) if isinstance(a.display, Text) else _html_inline(a.display)
            parts.append(f"<dt>{_html_both(a.label)}</dt><dd>{display}</dd>")
        parts.append("</dl>")
        if s.checks:
            parts.append(f"<h3>{_html_both(UI['checks'])}</h3><ul class=\"checks\">")
            parts += [_html_check(c) for c in s.checks]
            parts.append("</ul>")
        if s.errata:
            parts.append(f"<h3>{_html_both(UI['errata'])}</h3>")
            parts += [f'<div class="erratum">{_html_both(e.text)}</div>' for e in s.errata]
        parts.append("</section>")
        body.append("\n".join(parts))
    title = html.escape(UI["doc_title"](lang))
    return f"""<!DOCTYPE html>
<html lang="{_bcp(lang)}" data-lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="nndl">
<title>{title}</title>
<style>{_CSS}</style>
</head>
<body>
<header class="top"><h1>{_html_both(UI['doc_title'])}</h1>
<button class="lang" data-set="zh" type="button">中文</button>
<button class="lang" data-set="en" type="button">English</button></header>
<main>
<p class="muted">{_html_both(UI['generated'])} {_html_both(UI['check_hint'])}</p>
<nav class="toc"><b>{_html_both(UI['contents'])}</b><ol>{toc}</ol></nav>
{''.join(body)}
</main>
<script>{_JS}</script>
</body>
</html>
"""


# ------------------------------------------------------------------ parameters
def print_params(params_cls, lang: Lang, console=None) -> None:
    """``nndl solve N --params``: one row per parameter."""
    from rich import box
    from rich.console import Console
    from rich.table import Table as RichTable

    table = RichTable(title=UI["params_title"](lang).format(n=params_cls.number), box=box.SIMPLE)
    for key in ("param_name", "param_kind", "param_default", "param_allowed", "param_help"):
        table.add_column(UI[key](lang), overflow="fold")  # wrapped, never cut with "…"
    for p in params_cls.info():
        table.add_row(p.name, p.kind(lang), p.default, p.allowed(lang), p.help(lang))
    (console or Console()).print(table)
