"""Issue 20: `nndl solve` as a Chinese student reads it. Exercises 1–6 rendered in Chinese as
text (80 and 200 columns), Markdown, HTML and JSON hold no English word outside a short
allow-list (names, symbols, and the sheet's own statement, which is quoted as the sheet wrote
it); every exercise parameter refused is refused in Chinese with NNDL_LANG=zh and in the same
English as before with --lang en."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from test_figures_zh import english_words

from nndl.activations import names as activation_names
from nndl.cli import main
from nndl.errors import NNDLError
from nndl.solutions import params_class, solve_all
from nndl.solutions.params import ParamError
from nndl.solutions.render import inline_plain, to_html, to_json, to_markdown, to_text

# Beyond test_figures_zh's ALLOWED (activation and tool names, exp/log/max, …), solve shows:
ALLOWED = {
    "Conv", "MaxPool", "FC", "Flatten",  # the sheet's layer labels Conv-1, MaxPool-1, FC-1 (Flatten-1)
    "Linear",  # PyTorch class names in the type column (Conv2d, MaxPool2d are cut to Conv, MaxPool)
    "AlexNet",  # a name
    "N_in", "N_out", "g_BP",  # symbols of the formulas (N_in = W·H·D) and of the sheet (g_BP)
}
CJK = re.compile("[\u4e00-\u9fff]")


def _prose(text: str) -> str:
    """The text a reader reads as words: command lines (nndl solve 2 --full), flags with
    their value (--format html), file names (ex1_activations.svg) and the dtype float64
    are code the user types or reads as such."""
    text = re.sub(r"\bnndl(?:\s+[-A-Za-z0-9_=.,/]+)*", " ", text)  # (wrapped lines too)
    text = re.sub(r"(?<![\w.])--?[a-z][a-z-]*(?:\s+(?:html|md|json|text)\b)?", " ", text)
    text = re.sub(r"[\w-]+\.svg\b", " ", text)
    return text.replace("float64", " ")


def _english(text: str, statement_words: set[str]) -> list[str]:
    return sorted({w for w in english_words(_prose(text)) if w not in ALLOWED | statement_words})


@pytest.fixture(scope="module")
def solutions():
    return solve_all()


@pytest.fixture(scope="module")
def statement_words(solutions) -> set[str]:
    """The sheet's own words inside its statements (Fully Connected, Max Pooling, stride,
    padding, RGB, its (i)…(vii)): the problem is quoted as the sheet wrote it."""
    return {w for s in solutions for text in (s.statement("zh"), inline_plain(s.statement("zh")))
            for w in english_words(text)} - ALLOWED


def test_statement_words_are_only_the_sheets(statement_words):
    # the exception is the sheet's text, and a short one: not a door for anything else
    assert statement_words <= {"Fully", "Connected", "neural", "Network", "stride", "padding",
                               "RGB", "Input", "Max", "Pooling", "ii", "iii", "iv", "vi", "vii",
                               "g_"}, statement_words


@pytest.mark.parametrize("width", [80, 200])
def test_text_has_no_english(solutions, statement_words, width):
    out = to_text(solutions, "zh", width=width)
    assert "第 6 题" in out and "验证" in out
    assert _english(out, statement_words) == []
    assert max(len(line) for line in out.splitlines()) <= width * 2  # sanity: rendered at width


def test_markdown_has_no_english(solutions, statement_words):
    md = to_markdown(solutions, "zh", figure_links=True)
    # words inside formulas: \text{…} is read as a word (参数量, not params)
    inside = " ".join(re.findall(r"\\text\{([^}]*)\}", md))
    assert "参数量" in inside and "乘加次数" in inside and "神经元数" in inside
    assert _english(md, statement_words) == []
    assert _english(inside, statement_words) == []


class _ZhText(HTMLParser):
    """The Chinese page's visible words: skips the English half (class l-en), style, script
    and the figures (tests/test_figures_zh checks those); inside MathML keeps only <mtext>."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden)
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("meta", "br", "img", "input", "link", "hr"):
            return
        cls = dict(attrs).get("class") or ""
        hidden = (bool(self.stack) and self.stack[-1][1]) or "l-en" in cls.split() \
            or tag in ("style", "script", "svg")
        self.stack.append((tag, hidden))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1][1]:
            return
        tags = [t for t, _ in self.stack]
        if "math" in tags and tags[-1] != "mtext":
            return  # symbols: x, W, log …
        self.words.append(data)


def test_html_has_no_english(solutions, statement_words):
    page = to_html(solutions, "zh")
    p = _ZhText()
    p.feed(page)
    text = " ".join(p.words)
    assert "第 1 题" in text and "参数量" in text
    # "nndl" in the title and the English switch button's label are names
    assert _english(text.replace("English", " "), statement_words) == []


def _zh_strings(node, path=()):
    """Every string of the JSON a Chinese reader sees: all but the "en" halves and the machine
    forms (answers, params, figure names) that `nndl check` and scripts read."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("en", "answers", "params", "figures"):
                continue
            yield from _zh_strings(v, (*path, k))
    elif isinstance(node, list):
        for v in node:
            yield from _zh_strings(v, path)
    elif isinstance(node, str):
        yield path, node


def test_json_zh_side_has_no_english(solutions, statement_words):
    data = json.loads(to_json(solutions))
    strings = list(_zh_strings(data))
    assert any("detail" in p for p, _ in strings)
    bad = {(p[-2] if len(p) > 1 else p[-1], s): _english(s, statement_words)
           for p, s in strings if _english(s, statement_words)}
    assert bad == {}
    for ex in data["exercises"]:
        for c in ex["checks"]:  # a check's numbers in both languages; the English has no Chinese
            assert set(c["detail"]) == {"zh", "en"}
            assert not CJK.search(c["detail"]["en"]), c["detail"]
    # ReLU′'s machine form stays what `nndl check` reads; its display is Chinese in zh
    ex1 = data["exercises"][0]
    assert ex1["answers"]["relu_derivative"] == "{0 if x ≤ 0; 1 otherwise}"
    assert ex1["answer_display"]["relu_derivative"]["zh"] == "{0（x ≤ 0）；1（x > 0）}"


def test_english_output_keeps_its_words(solutions):
    """The English rendering says what it said before (the Chinese came in beside it)."""
    out = to_text(solutions, "en", width=200)
    for phrase in ("(autodiff)", "(finite diff.)", "upd.", "δ recursion vs autodiff",
                   "formula vs. a real forward pass through the engine (zeros, batch 1)",
                   "params = F·F·D1·K + K", "mult-adds = N_in·N_out",
                   "With a 224×224 input the first layer gives: Conv2d: the stride does not divide",
                   "see it with -o DIR or --format html"):
        assert phrase in out, phrase
    assert not CJK.search(out)


# ------------------------------------------------------------------ parameter errors
# (exercise, NAME=VALUE pairs, a phrase of the unchanged English message)
PARAM_CASES = [
    (1, {"names": "foo"}, "unknown value 'foo'"),
    (1, {"names": "sigmoid,sigmoid"}, "'sigmoid' is given twice"),
    (2, {"data": "0,1"}, "point 1 ('0,1') has no label"),
    (2, {"data": "0,1:1"}, "data has 1 sample; the exercise takes 2 to 10"),
    (2, {"data": "0,1:1;1,0:1"}, "data has no negative (label -1) sample"),
    (2, {"data": "0,0:1;1,0:-1"}, "x1 = (0, 0) lies on every line through the origin"),
    (2, {"data": "1,0:1;-1,0:1;0,1:-1;0,-1:-1"}, "no line through the origin separates"),
    (2, {"data": "a,1:1;1,0:-1"}, "cannot read point 1's coordinate 'a' as a number"),
    (2, {"data": "1,0:2;1,1:-1"}, "point 1's label '2' is not ±1"),
    (2, {"data": "1,2,3:1;1,0:-1"}, "does not have two coordinates"),
    (2, {"data": "500,0:1;1,1:-1"}, "has a coordinate that is not finite or beyond ±100"),
    (2, {"direction": "0,0"}, "puts the outlier at the origin for every t"),
    (2, {"direction": "1"}, "cannot read direction='1' as two numbers"),
    (2, {"direction": "inf,1"}, "is not a finite number"),
    (2, {"direction": "500,1"}, "has a component beyond ±100"),
    (2, {"label": "3"}, "is not a label ±1"),
    (2, {"ts": ""}, "ts is empty"),
    (2, {"ts": "0,1"}, "is not a positive number"),
    (2, {"ts": "1e300"}, "where float64 no longer resolves margins"),
    (2, {"loss": "foo"}, "is not a loss this neuron knows"),
    (2, {"lr": "0"}, "is not a learning rate in (0, 10]"),
    (3, {"sizes": "3x0x1"}, "0 is outside 1..20,000"),
    (3, {"sizes": "3"}, "has 1 number; it needs 2 to 51"),
    (3, {"sizes": "a,b"}, "as whole numbers separated by commas or x"),
    (3, {"sizes": "300,300,300,1"}, "the finite-difference check perturbs them one at a time"),
    (3, {"activation": "foo"}, "is not one of sigmoid"),
    (3, {"depths": "5"}, "the trend per layer needs at least two different depths"),
    (3, {"depths": "1-500"}, "is outside 1 to 200 hidden layers"),
    (3, {"depths": "a"}, "is not a number or a range"),
    (3, {"depths": "5-2"}, "runs backwards"),
    (4, {"expr": "3+4"}, "has no variable to differentiate by"),
    (4, {"expr": "x*y"}, "no value for the variable x of expr=x*y"),
    (4, {"expr": "log(x)", "x": "0"}, "expr at x=0: "),
    (4, {"w": "3"}, "has no variable 'w'"),
    (5, {"image": "3000x3000x3", "fc_units": "1000"}, "nndl checks every answer by running the layer"),
    (5, {"pad": "5"}, "pad=5 is not smaller than kernel=5"),
    (5, {"kernel": "400"}, "is larger than the padded image width"),
    (5, {"stride": "2"}, "stride=2 does not divide the image width"),
    (6, {"spec": "input 32x32x3"}, "the network has only its input line"),
    (6, {"spec": "input 32x32x3; conv 6 50x50"}, "spec: "),
    (6, {"questions": "bar"}, "'bar' is not an answer key"),
    (6, {"questions": "conv1_neurons"}, "asks for neurons of a Conv layer"),
    (6, {"questions": "conv9_params"}, "the network has no layer Conv-9"),
]
# what a message may name besides ALLOWED: the exercise's own parameter names, the values and
# names the user types (answer keys, loss names, the spec's keywords), and code words
_TYPED = {"names", "data", "direction", "label", "ts", "loss", "lr", "epochs", "sizes",
          "activation", "init", "depths", "expr", "image", "fc_units", "filters", "kernel",
          "stride", "pad", "spec", "questions", "squared", "cross_entropy", "sigmoid", "pytorch",
          "input", "conv", "fc", "convK_params", "convK_image_size", "maxpoolK_output",
          "maxpoolK_neurons", "fcK_params", "total_params", "conv1_params", "conv1_image_size",
          "xavier", "he", "relu", "identity", "easy", "standard", "hard",
          *activation_names()}


def _message_words(text: str) -> list[str]:
    """English words of a Chinese message: quoted echoes of the input ('foo') and the caret
    excerpt lines aside."""
    lines = [ln for ln in text.splitlines() if not ln.startswith("  ")]
    text = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", " ", "\n".join(lines))
    text = re.sub(r"\b[a-z]+\d*_[a-z_]+\b", " ", text)  # answer keys: conv1_params, fc_units
    return [w for w in english_words(_prose(text)) if w not in ALLOWED | _TYPED]


@pytest.mark.parametrize(("number", "pairs", "en"), PARAM_CASES,
                         ids=[f"{n}-{' '.join(f'{k}={v}' for k, v in p.items())}"[:40]
                              for n, p, _ in PARAM_CASES])
def test_parameter_errors_in_both_languages(number, pairs, en):
    with pytest.raises(ParamError) as info:
        params_class(number).from_strings(pairs)
    e = info.value
    zh = e.message_in("zh") + "\n" + (e.hint_in("zh") or "")
    assert CJK.search(e.message_in("zh")), zh
    assert _message_words(zh) == [], zh
    # the English as before: str() and message are English, with no Chinese in them
    assert en in e.message and e.message == e.message_in("en"), e.message
    assert not CJK.search(e.message + (e.hint or "")), e.message


@pytest.mark.parametrize("args", [
    ["solve", "3", "sizes=3x0x1"], ["solve", "2", "data=0,1"], ["solve", "1", "names=foo"],
    ["solve", "4", "expr=x*y"], ["solve", "7"], ["solve", "3-1"],
    ["solve", "4", "--variant", "5-g1-s42-i3-standard"],
])
def test_solve_refusals_on_the_command_line(capsys, monkeypatch, args):
    monkeypatch.setenv("NNDL_LANG", "zh")
    assert main(args) == 2
    out = capsys.readouterr()
    assert out.out == "" and "Traceback" not in out.err
    assert out.err.startswith("错误："), out.err
    first = out.err.splitlines()[0]
    assert _message_words(first) == [], out.err
    assert main([*args, "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and not CJK.search(err), err


def test_exercise_selection_errors_keep_english_for_library_callers():
    from nndl.solutions import parse_selection

    with pytest.raises(NNDLError) as info:
        parse_selection("9")
    assert str(info.value).startswith("the sheet has exercises 1-6; there is no exercise 9")
    assert info.value.message_in("zh") == "习题共 6 题（1-6），没有第 9 题"


# Python callers build Params directly: validate() says the same in both languages
VALIDATE_CASES = [
    ("ex1", {"names": ()}, "names is empty"),
    ("ex1", {"names": 5}, "is not a list of activation names"),
    ("ex2", {"data": "x"}, "data is not a list of ((x1, x2), label) samples"),
    ("ex2", {"data": (((0, 1), 2), ((1, 0), -1))}, "x1's label 2 is not ±1"),
    ("ex2", {"direction": (0, 0, 1)}, "is not two finite numbers"),
    ("ex2", {"label": 3}, "label=3 is not ±1"),
    ("ex2", {"loss": "mse"}, "is not a loss this neuron knows"),
    ("ex2", {"lr": 0.0}, "is not a learning rate in (0, 10]"),
    ("ex2", {"epochs": 0}, "is not a whole number from 1 to 10,000"),
    ("ex2", {"ts": ()}, "ts must hold 1 to 12 values of t"),
    ("ex2", {"ts": (10.0, 1.0)}, "ts is not increasing"),
    ("ex3", {"sizes": ("a",)}, "is not a list of whole numbers"),
    ("ex3", {"sizes": (3,)}, "gives 0 weight layers"),
    ("ex3", {"sizes": (3, 0, 1)}, "a layer has 0 units"),
    ("ex3", {"init": "kaiming"}, "is not one of pytorch, xavier, he"),
    ("ex3", {"depths": (0, 5)}, "has a depth outside 1..200"),
]


@pytest.mark.parametrize(("module", "fields", "en"), VALIDATE_CASES,
                         ids=[f"{m}-{'-'.join(f)}-{i}" for i, (m, f, _) in enumerate(VALIDATE_CASES)])
def test_validate_refuses_in_both_languages(module, fields, en):
    import importlib

    cls = importlib.import_module(f"nndl.solutions.{module}").Params
    with pytest.raises(ParamError) as info:
        cls(**fields).validate()
    e = info.value
    zh = e.message_in("zh") + "\n" + (e.hint_in("zh") or "")
    assert CJK.search(e.message_in("zh")) and _message_words(zh) == [], zh
    assert en in str(e) and not CJK.search(str(e)), str(e)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_params_tables_fit_80_columns_without_cutting(lang):
    """`nndl solve N --params` at 80 columns: cells wrap, none is cut with "…" (the table at
    400 columns, where nothing is cut, has exactly as many "…" as the texts themselves)."""
    import io

    from rich.console import Console

    from nndl.solutions.render import print_params

    def shown(n: int, width: int) -> str:
        console = Console(width=width, file=io.StringIO())
        print_params(params_class(n), lang, console)
        return console.file.getvalue()

    for n in range(1, 7):
        narrow = shown(n, 80)
        assert max(len(line) for line in narrow.splitlines()) <= 80
        assert narrow.count("…") == shown(n, 400).count("…"), narrow


def test_exercise_3_relu_theta_prime_reads_as_the_terminal_writes_it():
    """solve 3 with ReLU printed θ'(u) = 1 u>0; 0 u≤ 0 (the cases block lost its words)."""
    from nndl.solutions import ex3, render, solve

    sol = solve(3, ex3.Params(activation="relu"))
    zh, en = render.to_text([sol], "zh", width=200), render.to_text([sol], "en", width=200)
    assert "θ'(u) = 1（u > 0 时）；0（u ≤ 0 时）" in zh and "u>0; 0 u" not in zh
    assert "θ'(u) = 1 if u > 0; 0 if u ≤ 0" in en


def test_grouped_numbers_are_one_mathml_number():
    """34{,}944 was <mn>34</mn><mo>,</mo><mn>944</mn>: browsers spaced it '34, 944'."""
    from nndl.solutions import render, solve

    page = render.to_html([solve(5)], "zh")
    assert "<mn>27,000,100</mn>" in page
    assert "<mo>&#x0002C;</mo></mrow><mn>" not in page


def test_exercise_6_hint_offers_only_fixes_solve_has(monkeypatch, capsys):
    """The calculator's hint ends with --floor, an option of nndl summary, not of nndl solve."""
    from nndl.cli import main

    for lang in ("zh", "en"):
        assert main(["solve", "6", "spec=input 8x8x1; conv 3 3x3 stride=2", "-l", lang]) == 2
        err = capsys.readouterr().err
        assert "stride=1" in err and "--floor" not in err, err


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_exercise_3_answers_show_index_and_vector_forms_on_lines_of_their_own(lang):
    """The answers table ran δ's index form and vector form together, as if one product."""
    from nndl.solutions import render, solve

    out = render.to_text([solve(3)], lang, width=100)
    assert not any("θ'(Sⱼ⁽³⁾)" in line and "δ⁽³⁾ =" in line for line in out.splitlines())
    rows = [line for line in out.splitlines() if "δ⁽³⁾ = ∂ℓₙ/∂ŷ ⊙ θ'(S⁽³⁾)" in line]
    assert rows, out


def test_exercise_1_derivation_writes_piecewise_as_the_answers_do():
    """The derivation showed {0 当 x ≤ 0; x 其他} while the answers showed {0（x ≤ 0）；…}."""
    from nndl.solutions import render, solve

    out = render.to_text([solve(1)], "zh", width=100)
    assert "ReLU′(x) = {0（x ≤ 0）；1（x > 0）}" in out and " 其他}" not in out
