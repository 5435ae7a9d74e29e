"""Issue 20 for `nndl gen`: a Chinese teacher reads the variants, answer keys and refusals in
Chinese — text, Markdown, the HTML exam sheet, JSON and the Moodle bank (zh, and the zh half
of --lang both) carry no English outside a short allow-list; every refusal says 错误：/提示：
in Chinese with NNDL_LANG=zh and the English as before with --lang en."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

import pytest
from test_errors_zh import _english_words
from test_figures_zh import english_words

from nndl.activations import analyze
from nndl.cli import main
from nndl.gen import core as gen_core
from nndl.gen import ex1 as gen_ex1
from nndl.gen import generate, render
from nndl.gen.moodle import to_moodle
from nndl.glossary import check as glossary_check
from nndl.glossary import check_punctuation

SEED = 11

# Latin words a Chinese variant keeps on purpose, besides test_figures_zh's names: the sheet's
# own wording that the statements quote (layer labels Conv-1/MaxPool-1/FC-1, "输入层 Input",
# "Max Pooling 操作", "步长（stride）", "边缘填充（padding）", RGB), Kaiming (He's initialisation,
# named as PyTorch names it), and g_(PLA), the sheet's symbol for the perceptron's boundary
SHEET = {"Conv", "MaxPool", "FC", "Input", "Max", "Pooling", "stride", "padding", "RGB",
         "Kaiming", "g_"}
# what a student types for a shape (Moodle's short-answer hint: 写作 WxHxD，例如 8x8x8)
TYPED = {"WxH", "WxHxD"}
ROMAN = re.compile(r"\((?:i|ii|iii|iv|v|vi|vii|viii|ix|x)\)")  # the sheet's (i) … (ix)


@pytest.fixture(scope="module")
def variants():
    """Each exercise at every difficulty (one variant each; two of exercise 1's, so that the
    piecewise f′ of ReLU, leaky ReLU, hardtanh and hardsigmoid come up)."""
    out = []
    for n in range(1, 7):
        for d in ("easy", "standard", "hard"):
            out += generate(n, count=3 if n == 1 else 1, seed=SEED, difficulty=d)
    return out


def _typed(variants) -> list[str]:
    """What a reader meets as code: answer keys, mistake ids, variant ids and the difficulty
    names typed after -d (longest first)."""
    words = {v.id for v in variants} | set(gen_core.DIFFICULTIES)
    for v in variants:
        words |= set(v.answers)
        words |= {m for ds in v.distractors.values() for _, m in ds}
    return sorted(words, key=len, reverse=True)


def _english(text: str, variants) -> list[str]:
    for w in _typed(variants):  # whole tokens only (ex4's keys include p, q, r)
        text = re.sub(rf"(?<![\w-]){re.escape(w)}(?![\w-])", " ", text)
    text = re.sub(r"nndl (check|solve|gen)\b|--[a-z][a-z-]*", " ", text)  # command lines
    text = ROMAN.sub(" ", text)
    text = re.sub(r"\\\(.*?\\\)", " ", text, flags=re.S)  # Moodle's MathJax \(…\)
    return [w for w in english_words(text) if w not in SHEET | TYPED]


def _html_text(page: str) -> str:
    page = re.sub(r"<style>.*?</style>|<math\b.*?</math>|<script\b.*?</script>", " ", page,
                  flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


# ------------------------------------------------------------------ the reader's forms
def test_piecewise_derivatives_read_in_chinese_as_nndl_solve_writes_them():
    """gen's Chinese form of a typed piecewise f′ is nndl solve 1's (derive.py's own), for
    every activation gen asks about; formulas that are not piecewise have none."""
    for name in gen_ex1.CHECKED:
        d = analyze(name).derivation
        zh = gen_ex1.reader_zh(d.derivative_plain)
        if "if" in d.derivative_plain:
            assert zh == d.derivative_text("zh"), name
        else:
            assert zh is None, name
    # a wrong option, typed with <=, reads with ≤ and the condition where "otherwise" holds
    assert gen_ex1.reader_zh("{0 if x <= 0; -1 otherwise}") == "{0（x ≤ 0）；-1（x > 0）}"
    assert gen_ex1.reader_zh("{0 if x ≤ -1; 0 if x ≥ 1; 1 otherwise}") == \
        "{0（x ≤ −1）；0（x ≥ 1）；1（−1 < x < 1）}"


def test_the_key_keeps_what_a_student_types_and_shows_what_a_reader_reads(variants):
    pieces = [v for v in variants if any("otherwise" in str(a) for a in v.answers.values())]
    assert pieces, "no piecewise f′ among the variants: widen the fixture"
    for v in pieces:
        for k, a in v.answers.items():
            if isinstance(a, str) and "otherwise" in a:
                assert gen_core.shown(v, a, "en") == a  # the typed form, for nndl check
                zh = gen_core.shown(v, a, "zh")
                assert "if" not in zh and "otherwise" not in zh and "（" in zh, (k, zh)
    ex2 = next(v for v in variants if v.exercise == 2)
    flag = ex2.answers["bp_classifies_x4"]
    assert gen_core.display(flag, "zh") == ("是" if flag else "否")
    assert gen_core.display(flag) == ("yes" if flag else "no")
    assert gen_core.display(-3) == "−3" == gen_core.display(-3.0)


# ------------------------------------------------------------------ every format in Chinese
def test_text_and_markdown_in_chinese(variants):
    text = render.to_text(variants, "zh")
    md = render.to_markdown(variants, "zh")
    for out in (text, md):
        assert _english(out, variants) == [], sorted(set(_english(out, variants)))
        assert "答案" in out and "难度为" in out
    assert "\\frac" not in text and "\\delta" not in text  # exercise 3's LaTeX, read as math
    assert "答案：" in text and "答案:" not in text
    assert "| 答案键 | 答案 | 错误选项 |" in md
    # the sentences gen writes: one term per concept, Chinese punctuation
    ours = [ln for ln in text.splitlines() if ln.startswith(("共 ", "答案", "批改", "  "))]
    assert ours
    for line in ours:
        assert glossary_check(line, "zh") == [] and check_punctuation(line) == [], line


def test_html_exam_sheet_in_chinese(variants):
    page = render.exam_html(variants, "zh")
    words = _english(_html_text(page), variants)
    assert words == [], sorted(set(words))
    assert "姓名：" in page and 'lang="zh-CN"' in page


def test_json_problems_in_chinese(variants):
    """JSON: the problem is the reader's text; keys, ids, parameters and answers are data (the
    forms nndl check reads), the same in both languages."""
    data = json.loads(render.to_json(variants, "zh"))
    for v in data["variants"]:
        assert _english(v["problem"], variants) == [], v["problem"]


def test_html_key_in_chinese():
    """The HTML key (worked solutions, both languages, a switch): its Chinese half reads
    Chinese, and each exercise keeps its own title with the variant's id (exercise 1's was the
    last activation's name, 'Mish（变体 …）')."""
    vs = generate(5, count=1, seed=3) + generate(1, count=1, seed=3, difficulty="hard")
    page = render.key_html(vs, "zh")
    assert "激活函数的导数与优缺点（变体 1-g2-s3-i0-hard）" in page
    assert "Derivatives of activation functions, pros and cons (variant 1-g2-s3-i0-hard)" in page
    zh = re.sub(r'<(span|div|p|figcaption|td|th|li|h\d)[^>]*class="[^"]*l-en[^"]*"[^>]*>.*?</\1>',
                " ", page, flags=re.S)
    zh = re.sub(r"<svg\b.*?</svg>", " ", zh, flags=re.S)  # figures: test_figures_zh
    # PyTorch's class names, the symbol N_in, and the switch's label for English readers
    words = [w for w in _english(_html_text(zh), vs)
             if w not in {"Flatten", "Linear", "N_in", "English"}]
    assert words == [], sorted(set(words))


def _moodle_texts(bank: str) -> list[str]:
    """What a Moodle user reads: names, category paths, question texts, feedback and the
    multiple-choice options (the numerical and short-answer answers are what is typed)."""
    root = ET.fromstring(bank.encode("utf-8"))
    out = []
    for q in root:
        kind = q.get("type")
        for el in q.iter():
            if el.tag == "text" and el.text:
                out.append(el.text.replace("$course$/top/", " "))
        if kind in ("numerical", "shortanswer", "truefalse"):
            for a in q.findall("answer"):
                out.remove(a.find("text").text)
    return [_html_text(t) for t in out]


def test_moodle_bank_in_chinese(variants):
    bank = to_moodle(variants, "zh")
    words = [w for t in _moodle_texts(bank) for w in _english(t, variants)]
    assert words == [], sorted(set(words))
    assert "选择题" in bank and "（“是”选“对”，“否”选“错”）" in bank


def test_moodle_bilingual_bank_chinese_half(variants):
    """--lang both: every Chinese span reads Chinese, and a formula the same in both
    languages is written once (no multilang block around it)."""
    both = to_moodle(variants, "both")
    zh = re.findall(r'<span lang="zh_cn" class="multilang">(.*?)</span>', html.unescape(both),
                    re.S)
    assert len(zh) > 50
    words = [w for t in zh for w in _english(_html_text(t), variants)]
    assert words == [], sorted(set(words))
    en = re.findall(r'<span lang="en" class="multilang">(.*?)</span>', html.unescape(both), re.S)
    assert any("otherwise" in t for t in en)  # the English option is the typed form


def test_cli_text_output_in_chinese(capsys, monkeypatch):
    monkeypatch.setenv("NNDL_LANG", "zh")
    assert main(["gen", "1,5", "-n", "2", "--difficulty", "easy"]) == 0
    out = capsys.readouterr()
    assert re.search(r"^种子 \d+（用 --seed \d+ 可以再次得到这些变体）$", out.err, re.M), out.err
    assert "seed" not in out.err.replace("--seed", "")
    assert "难度为简单（easy）" in out.out
    assert main(["gen", "1,5", "-n", "30", "--difficulty", "easy", "-s", "1"]) == 0
    err = capsys.readouterr().err
    assert "注意：第 1 题在难度 easy 下只有 6 个不同的变体，全部给出" in err, err
    assert main(["gen", "1,5", "-n", "30", "--difficulty", "easy", "-s", "1", "--lang", "en"]) == 0
    assert "note: exercise 1 has 6 different variants at easy; giving all 6" in \
        capsys.readouterr().err


# ------------------------------------------------------------------ refusals
# bad input -> a phrase of its Chinese message and of its English message
REFUSALS = [
    (["gen", "5", "-n", "0"], "至少要有一个变体", "at least one"),
    (["gen", "5", "--count", "501"], "一次最多生成的 500 个", "more than the 500"),
    (["gen", "5", "--seed", "-1"], "不是 0 到 4294967295 之间的整数", "seed=-1"),
    (["gen", "5", "-s", "4294967296"], "不是 0 到 4294967295 之间的整数", "is not a whole number"),
    (["gen", "1", "-n", "30", "--difficulty", "easy"], "只有 6 个不同的变体", "found only 6"),
    (["gen", "5", "-f", "json", "--no-key"], "总是附带答案", "always carries the answer key"),
    (["gen", "5", "-f", "moodle", "--no-key"], "总是附带答案", "always carries the answer key"),
    (["gen", "5", "-f", "html", "--key"], "需要用 -o", "needs -o"),
    (["solve", "--variant", "5-g1-s42-i0-medium"], "未知的难度", "unknown difficulty"),
    (["solve", "--variant", "5-g1-s42-i999-easy"], "序号 999", "the index 999"),
]


def _refusal_english(err: str, args: list[str]) -> list[str]:
    """test_errors_zh's filter, after what a refusal names for the user to type: options
    (--count, -o), their values (zh, en, both; text, md, html, json, moodle), file names,
    $NNDL_LANG."""
    err = re.sub(r"(?<![\w-])--?[a-z][a-z-]*|\$NNDL_LANG|[\w-]+\.(?:html|xml|json|md|txt)", " ",
                 err)
    typed = {"zh", "en", "both", "text", "md", "html", "json", "moodle", "HTML"}
    return [w for w in _english_words(err, args) if w not in typed]


@pytest.mark.parametrize(("args", "zh", "en"), REFUSALS,
                         ids=[" ".join(c[0])[:40] for c in REFUSALS])
def test_refusals_in_chinese_and_english(capsys, monkeypatch, args, zh, en):
    monkeypatch.setenv("NNDL_LANG", "zh")
    assert main(args) == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.err and out.out == ""
    assert out.err.startswith("错误："), out.err
    assert zh in out.err and en not in out.err, out.err
    assert _refusal_english(out.err, args) == [], out.err
    assert main([*args, "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and en in err and "错误" not in err, err


def test_html_on_a_terminal_is_refused(capsys, monkeypatch):
    """A printable page is for a browser: on a terminal gen says how to write it to a file."""
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    for lang, label, phrase in (("zh", "错误：", "终端无法显示"), ("en", "error:", "cannot show")):
        assert main(["gen", "5", "-n", "1", "-s", "1", "-f", "html", "--lang", lang]) == 2
        out = capsys.readouterr()
        assert out.err.startswith(label) and phrase in out.err and out.out == "", out.err
        assert "-o exam.html" in out.err


@pytest.mark.parametrize(("lang", "zh", "en"), [
    ("both", "只适用于 --format moodle", "both languages in one file is for --format moodle"),
    ("fr", "nndl 不会写这种语言", "is not a language nndl writes"),
])
def test_a_bad_lang_is_refused_in_the_language_of_nndl_lang(capsys, monkeypatch, lang, zh, en):
    """--lang itself is wrong, so the refusal speaks $NNDL_LANG's language."""
    args = ["gen", "5", "-n", "1", "--lang", lang] + (["-f", "text"] if lang == "both" else [])
    for env, phrase, label in (("zh", zh, "错误："), ("en", en, "error:")):
        monkeypatch.setenv("NNDL_LANG", env)
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.startswith(label) and phrase in err, err
        if env == "zh":
            assert _refusal_english(err, args) == [], err


def test_library_refusals_carry_both_languages():
    for call, zh, en in [
        (lambda: gen_core.module(7), "还没有第 7 题的生成器", "no generator for exercise 7"),
        (lambda: generate(5, count=0), "至少要有一个变体", "at least one variant"),
        (lambda: generate(5, count=1, difficulty="medium"), "未知的难度", "unknown difficulty"),
        (lambda: to_moodle(generate(5, count=1), "fr"), "不是 'fr'", "not 'fr'"),
    ]:
        with pytest.raises(gen_core.GenError) as e:
            call()
        said = e.value.message_in("zh") + "\n" + (e.value.hint_in("zh") or "")
        assert zh in said and en in str(e.value) and en not in said
        assert _refusal_english(said, ["medium", "to_moodle"]) == [], said
