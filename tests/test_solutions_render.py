"""Renderers format the data model faithfully, in both languages (no exercise builders needed)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from nndl.errors import NNDLError
from nndl.solutions import parse_selection
from nndl.solutions.model import (
    Answer,
    Check,
    Erratum,
    Figure,
    Math,
    Paragraph,
    Section,
    Solution,
    Table,
    Text,
    fmt_int,
    fmt_num,
    problems,
)
from nndl.solutions.render import latex_to_plain, to_data, to_html, to_markdown

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect id="r" width="5" height="5"/></svg>'


def _solution() -> Solution:
    return Solution(
        number=9,
        title=Text("标题", "Title"),
        statement=Text("求 $x^2$ 的导数", "Differentiate $x^2$"),
        sections=[Section(Text("解", "Solution"), [
            Paragraph(Text("因为 $a<b$", "Since $a<b$")),
            Math(r"\frac{d}{dx} x^2 = 2x"),
            Table([Text("层", "layer"), Text("参数", "params")], [["FC-1", "1,000"]]),
            Figure("demo", SVG, Text("图", "figure")),
            Check(Text("检查", "check"), Text("两种方法", "two ways"), True, "diff 0"),
            Erratum(Text("原文有误", "The sheet is wrong")),
        ])],
        answers=[Answer("n", Text("数量", "count"), 1000, "1,000")],
    )


def test_number_formatting():
    assert fmt_int(27000100) == "27,000,100"
    assert fmt_num(-54.0) == "−54"
    assert fmt_num(0.25) == "0.25"
    assert fmt_num(1.5e-9) == "1.5×10⁻⁹"
    assert fmt_num(1e9) == "1×10⁹"


def test_selection_parsing():
    assert parse_selection("all") == [1, 2, 3, 4, 5, 6]
    assert parse_selection("2-4") == [2, 3, 4]
    assert parse_selection("5,1") == [1, 5]
    with pytest.raises(NNDLError):
        parse_selection("7")
    with pytest.raises(NNDLError):
        parse_selection("one")
    with pytest.raises(NNDLError, match="backwards"):
        parse_selection("3-1")


def test_problem_statements_in_both_languages():
    p = problems()
    assert sorted(p) == [1, 2, 3, 4, 5, 6]
    for ex in p.values():
        assert ex["statement"]["zh"] and ex["statement"]["en"]
        assert ex["statement"]["zh"].count("$") % 2 == 0
        assert ex["statement"]["en"].count("$") % 2 == 0


def test_json_and_markdown():
    s = _solution()
    data = to_data([s])
    assert data["exercises"][0]["answers"] == {"n": 1000}
    json.dumps(data)
    md_zh, md_en = to_markdown([s], "zh"), to_markdown([s], "en")
    assert "因为 $a<b$" in md_zh and "Since $a<b$" in md_en
    assert "| FC-1 | 1,000 |" in md_en
    assert "$$\n\\frac{d}{dx} x^2 = 2x\n$$" in md_en


def test_html_is_wellformed_and_has_mathml():
    page = to_html([_solution()], "en")
    assert page.count("<math") >= 3  # statement (2 langs) + paragraph + display formula
    assert "$" not in page.split("<body>", 1)[1].split("<script>")[0].replace("data:", "")
    assert 'data-lang="en"' in page
    # the inline SVG's ids are made unique
    assert 'id="e9s0b3-r"' in page
    body = page.split("<main>", 1)[1].split("</main>", 1)[0]
    ET.fromstring("<main>" + body.replace("&nbsp;", " ") + "</main>")


def test_latex_to_plain():
    assert latex_to_plain(r"\frac{\partial f}{\partial x} = -36") == "∂f/∂x = -36"
    assert latex_to_plain(r"x^{2} \cdot z") == "x² · z"
    assert latex_to_plain(r"\mathbf{x}_4 = (0, -t)^T") == "x₄ = (0, -t)ᵀ"
    assert latex_to_plain(r"\theta(u) = \frac{1}{1+e^{-u}}") == "θ(u) = 1/(1+e^(-u))"
    assert latex_to_plain(r"\frac{\partial \ell_n}{\partial \hat{\mathbf{y}}}") == "∂ℓₙ/∂ŷ"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_exercise_3_text_reads_without_latex(lang):
    """Issue 20: the index form and the vector form of δ on lines of their own, no LaTeX in
    the terminal (l=1:\\ (1/4)³ was one), and the note that W⁽ˡ⁺¹⁾ has no bias row."""
    from nndl.solutions import ex3, solve
    from nndl.solutions.render import to_text

    out = to_text([solve(3, ex3.Params(depths=(2, 4)))], lang, width=100)
    assert "\\" not in out, [line for line in out.splitlines() if "\\" in line][:3]
    assert "(the bias input" not in out  # no English left in a formula
    lines = [line.strip() for line in out.splitlines()]
    assert "δ⁽²⁾ = (W⁽³⁾δ⁽³⁾) ⊙ θ'(S⁽²⁾)" in lines  # the vector form alone on its line
    assert any(line.startswith("δⱼ⁽²⁾ = ") and "⊙" not in line for line in lines)
    assert "w₀ⱼ⁽ˡ⁺¹⁾" in out and ("不含偏置行" in out if lang == "zh" else "excludes the bias row" in out)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_in_a_folder_links_figure_files_instead_of_data_uris(tmp_path, capsys, lang):
    """--format md -o DIR: the figures are SVG files beside solutions.md, linked by name, which
    every Markdown viewer shows (issue 20: 284 KB of base64 that many did not); to stdout the
    page stays self-contained, and --help says how to get the files."""
    from nndl.cli import main

    assert main(["solve", "4", "--format", "md", "--lang", lang, "-o", str(tmp_path)]) == 0
    md = (tmp_path / "solutions.md").read_text(encoding="utf-8")
    assert "data:" not in md
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert links, md
    for name in links:
        assert "/" not in name and name.endswith(".svg")
        ET.fromstring((tmp_path / name).read_text(encoding="utf-8"))  # a whole SVG file
    capsys.readouterr()
    assert main(["solve", "4", "--format", "md", "--lang", lang]) == 0
    assert "](data:image/svg+xml;base64," in capsys.readouterr().out
    assert main(["solve", "--help", "--lang", lang]) == 0
    assert {"zh": "另存为", "en": "beside"}[lang] in capsys.readouterr().out


def test_mathml_prime_is_attached_and_bold_keeps_mathvariant():
    from nndl.solutions.render import _mathml

    for tex in (r"\theta'(s)", r"\theta^{\prime}", r"\theta'^{(l)}", r"f''(x)"):
        out = _mathml(tex, False)
        # the prime is an operator right after its letter, never a raised <mi>
        assert re.search(r"<mi>&#x0203[234];</mi>", out) is None, out
        assert re.search(r'<mi>[^<]+</mi><mo lspace="0" rspace="0">&#x0203[234];</mo>', out), out
    assert "<msup><mrow><mi>&#x003B8;</mi><mo" in _mathml(r"\theta'^{(l)}", False)
    out = _mathml(r"\mathbf{W}^{(l)} \mathbf{x}", True)
    assert '<mi mathvariant="bold">W</mi>' in out and '<mi mathvariant="bold">x</mi>' in out
    assert "&#x1D4" not in out  # no Mathematical Bold character a font may lack
    assert 'mathvariant="bold-italic"' in _mathml(r"\boldsymbol{\delta}", False)


def test_page_prints_on_a4_and_remembers_the_language():
    page = to_html([_solution()], "zh")
    assert re.search(r"@page\s*\{\s*size:\s*A4;\s*margin:", page)
    assert "localStorage.getItem('nndl-lang')" in page
    css = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert 'mi[mathvariant="bold"]' in css and "font-weight: bold" in css


def test_a_subsection_sits_under_its_section():
    s = _solution()
    sub = Section(Text("第 1 层", "Layer 1"), [Paragraph(Text("细节", "detail"))])
    sub.level = 1  # what the model's Section.level gives (exercise 6's per-layer working)
    s.sections.append(sub)
    assert "<h4>" in to_html([s], "en") and "<h3>" in to_html([s], "en")
    md = to_markdown([s], "en")
    assert "#### Layer 1" in md and "### Solution" in md


def test_exercise_6_per_layer_headings_sit_under_layer_by_layer():
    from nndl.solutions import solve
    from nndl.solutions.render import to_html, to_markdown

    ex6 = [solve(6)]
    md = to_markdown(ex6, "en")
    headings = [line for line in md.splitlines() if line.startswith("#")]
    layer_by_layer = headings.index("### Layer by layer")
    assert headings[layer_by_layer + 1].startswith("#### Conv-1")
    assert headings[headings.index("### Summary table") - 1].startswith("#### ")
    html = to_html(ex6, "en")
    assert "<h4" in html and "Conv-1" in html.split("<h4", 1)[1].split("</h4>", 1)[0]
