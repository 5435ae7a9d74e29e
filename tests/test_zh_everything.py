"""Issue 20, read end to end: every command and format the README documents, run in Chinese
(NNDL_LANG=zh, COLUMNS=80), meets no English outside one short allow-list — in the terminal
text, Markdown, HTML, JSON and every figure or file the command writes. The text output fits
80 columns, and a second run of each JSON output (in a fresh interpreter, so that no cache in
this one can make it agree) gives the same bytes apart from time fields.

Each README example line is run as written, with `--lang en` dropped (this is the Chinese
reading), and with smaller sizes where the size changes how long it takes but not the words
(`train` for a few epochs, `gen` for a few variants, `--brief` for two exercises). `gen
--lang both` is left out: bilingual on purpose (its Chinese is the `gen -f moodle` read here).
Commands run in-process through nndl.cli.main, once per line; the tests below share the
results.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rich.cells import cell_len

from nndl.cli import main
from nndl.solutions.model import problems

WIDTH = 80
CJK = re.compile(r"[\u3400-\u9fff]")

# ---------------------------------------------------------------- the one allow-list
# Latin words a Chinese reader meets as they are. Everything else of two or more Latin letters
# in a Chinese output is English that should have been said in Chinese.
ALLOWED = frozenset({
    # names: tools, libraries, algorithms, initialisations, models, file formats, Moodle
    "nndl", "PyTorch", "SymPy", "NumPy", "Matplotlib", "Rich", "Typer", "Python", "Jupyter",
    "torchinfo", "PLA", "BP", "SGD", "Adam", "He", "Xavier", "Kaiming", "Novikoff", "Glorot",
    "LeNet", "AlexNet", "MLP", "CNN", "Moodle", "JSON", "HTML", "Markdown", "SVG", "PNG", "PDF",
    "XML", "MathML", "LaTeX", "BLAS", "GEMM", "CPU", "UTF", "Graphviz", "RGB", "BN",
    "float32", "float64",  # NumPy's and PyTorch's names of the number types
    # activation names, as the glossary writes them in prose and as the user types them
    "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Swish",
    "Mish", "Softplus", "Softsign", "Hardsigmoid", "Hardtanh", "Hardswish", "ReLU6", "Softmax",
    "GELU_tanh",
    "sigmoid", "tanh", "relu", "gelu", "silu", "swish", "mish", "softplus", "softsign",
    "hardsigmoid", "hardtanh", "hardswish", "elu", "selu", "celu", "leakyrelu", "softmax",
    "identity",
    # PyTorch class names (the layers nndl builds and counts)
    "Linear", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "BatchNorm2d",
    "BatchNorm1d", "BatchNorm", "LayerNorm", "Flatten", "Dropout", "Embedding", "Sequential",
    "Module", "Tensor", "CrossEntropyLoss", "MSELoss",
    # math functions and symbols written with letters
    "exp", "log", "log10", "log2", "ln", "sqrt", "abs", "sin", "cos", "erf", "max", "min",
    "inf", "mod", "argmax", "sign", "uv",  # (u/v)′ = (u′v − uv′)/v², the quotient rule
    # units
    "KB", "MB", "GB", "KiB", "MiB", "GiB", "ns", "ms", "px", "pt", "GFLOP", "FLOPs",
    # the spec's keywords and options, as the user types them (exercises 5 and 6, summary)
    "input", "conv", "fc", "linear", "dense", "maxpool", "avgpool", "flatten", "dropout", "bn",
    "embedding", "embed", "emb", "layernorm", "stride", "pad", "dilation",
    # the commands, as the user types them (nndl --help lists them bare)
    "solve", "check", "act", "experiment", "outlier", "backprop", "vanish", "graph", "summary",
    "train", "gen", "play", "derivative", "digits",
    # values the user types to options: difficulty, initialisation, loss, format, model names,
    # lr schedule, gen's --lang both, the exercise argument's `all`
    "easy", "standard", "hard", "pytorch", "xavier", "he", "squared", "bce", "all",
    "constant", "cosine", "both",
    "text", "md", "html", "json", "moodle", "table", "svg", "dot", "mlp", "lenet",
    "sgd", "adam", "zh", "en",
})
# one-hot: Chinese courses write the English term (独热 is rare); scikit-learn: a name
_MARKERS = re.compile(r"\((?:i{1,3}|iv|vi{0,3}|ix|x)\)")  # (i) … (vii): the sheet's list markers
_TERMS = re.compile(r"\bone-hot\b|\bscikit-learn\b|\bCtrl-[A-Z]\b")  # and a key: Ctrl-C

# the sheet's layer labels and the keys built on them (Conv-1, MaxPool-1, FC-1, Conv-1.params)
_LAYER_LABEL = re.compile(
    r"\b(?:Input|Conv|MaxPool|AvgPool|FC|Flatten|ReLU|Sigmoid|Tanh|Softmax|Dropout|BN|BatchNorm"
    r"|Embedding|LayerNorm|LeakyReLU|Pool)-\d+(?:\.\w+)?")


def _param_names() -> str:
    """The exercises' parameter names (image, kernel, loss, …), typed as NAME=VALUE; the first
    column of `nndl solve N --params`."""
    import dataclasses
    import importlib

    return "|".join(sorted({f.name for n in range(1, 7) for f in dataclasses.fields(
        importlib.import_module(f"nndl.solutions.ex{n}").Params)}, key=len, reverse=True))


# what is cut before words are counted: data and markup, math, and code the user types
_CUT = [
    re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+"),       # data: URIs
    re.compile(r"https?://\S+"),                               # addresses
    re.compile(r"(?<=│)\s+\*?\s*[a-z_]+(?:\.\.\.)?(?=\s+<)"),    # help: an argument's name
    re.compile(r"[\w-]+\.<[^>\n]*>"),                           # help: solutions.<格式>
    re.compile(r"<[^>\n]*>|<[\w|.-]+"),                        # tags; <text|md|…> metavars
    re.compile(r"\$course\$/top"),                               # Moodle's category root
    re.compile(r"\\(?:begin|end)\{\w+\}"),                     # LaTeX environments
    re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$", re.S),               # LaTeX between $…$
    re.compile(r"\\[A-Za-z]+"),                                 # LaTeX commands elsewhere
    re.compile(r"`[^`\n]*`"),                                   # code spans
    re.compile(r"(?<![A-Za-z])'[^'\n]*'(?![A-Za-z])"),          # 'quoted' input (not x4's)
    re.compile(r"(?<![A-Za-z])\"[^\"\n]*\"(?![A-Za-z])"),       # "quoted" input
    re.compile(r"(?:torch|nndl|nn|F|optim)(?:\.\w+)+(?:\([^)\n]*\))?"),  # Python API names
    re.compile(r"\bnndl(?:\s+[^\s\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+)*"),  # nndl … lines
    re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*"),                 # --flags and -f
    re.compile(r"(?<=默认：)[^\]\s]+"),                          # a flag's default: no-bias
    re.compile(r"[\w./~-]*\.(?:svg|png|pdf|html|md|json|txt|xml|npz|safetensors|dot|py)\b"),
    re.compile(r"[\w.]+=[^\s，。；、）]+"),                      # NAME=VALUE as typed
    re.compile(rf"^[\s│|]*(?:{_param_names()})(?=\s{{2,}}|\s*\|)"),  # --params' name column
    re.compile(r"\b[a-z_]+\.\.\."),                             # help: names... (a metavar)
    _LAYER_LABEL,
    _TERMS,
    re.compile(r"\b[WHD](?:x[WHD])+\b"),                        # the size patterns WxHxD
    _MARKERS,
    re.compile(r"[A-Za-z0-9_-]+(?::[A-Za-z0-9_]+)+"),            # Moodle's question ids
    # an English term glossed after its Chinese name, as the sheet does: 边缘填充（padding）
    re.compile(r"(?<=[\u3400-\u9fff])\s?[（(][A-Za-z][A-Za-z -]*[）)]"),
    re.compile(r"\bd[A-Za-z]\w*/d[A-Za-z]\w*"),                 # df/dx, dq/dx (answer keys)
    re.compile(r"\d+(?:\.\d+)?(?:\s*[x×]\s*\d+)+"),              # shapes 224x224x3
    re.compile(r"\d(?:\.\d+)?e[-+−]?\d+"),                      # 1e-3, 2.7e7, 1e−09
]
_WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z0-9_]*")
# a math symbol: one letter, optional digits, optional subscript (x, W2, x_2, N_in, g_PLA, w1)
_SYMBOL = re.compile(r"[A-Za-z]\d*(?:_[A-Za-z0-9]*)?\d*")
# snake_case answer keys and mistake ids (fc_params, no_bias, bp_boundary_D)
_SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[A-Za-z0-9]+)+")
# all capitals: metavariables and environment variables (SPEC, KEY=VALUE, NNDL_LANG) and
# acronyms
_CAPS = re.compile(r"[A-Z][A-Z0-9_]*[A-Z0-9]")
# the words inside math that a reader reads: \text{当}, \text{otherwise}
_MATH_TEXT = re.compile(r"\\text(?:rm)?\{([^{}]*)\}")


def _words(line: str) -> list[str]:
    said = " ".join(_MATH_TEXT.findall(line))
    for cut in _CUT:
        line = cut.sub(" ", line)
    return [w for w in _WORD.findall(f"{line} {said}")
            if w not in ALLOWED and not _SYMBOL.fullmatch(w) and not _SNAKE.fullmatch(w)
            and not _CAPS.fullmatch(w)]


def _sheet_words() -> frozenset[str]:
    """The sheet's own Latin words in its Chinese problem statements (卷积层 Conv-1、做 Max
    Pooling 操作、全链接方式 (Fully Connected neural Network)): a problem written in the sheet's
    style keeps them, as the course itself does. Read from the sheet, not typed in."""
    from importlib.resources import files

    sheet = json.loads(files("nndl.resources").joinpath("problems.json").read_text("utf-8"))
    text = " ".join(ex["statement"]["zh"] for ex in sheet["exercises"])
    for cut in (re.compile(r"\$[^$]*\$"), _LAYER_LABEL, _MARKERS):  # math, Conv-1, (ii)
        text = cut.sub(" ", text)
    return frozenset(w for w in _WORD.findall(text) if w not in ALLOWED
                     and not _SYMBOL.fullmatch(w) and not _CAPS.fullmatch(w))


SHEET_WORDS = _sheet_words()


def english_words(line: str) -> list[str]:
    """The Latin words of ``line`` outside the allow-list and the sheet's own words, after
    data, markup, math and code are cut."""
    return [w for w in _words(line) if w not in SHEET_WORDS]


def english_lines(text: str) -> list[str]:
    """``words | line`` for each line of ``text`` that has English in it."""
    found = []
    for line in text.splitlines():
        value, _, where = line.partition(_AT)
        words = english_words(value)
        if words:
            found.append(f"{sorted(set(words))} | {where + ': ' if where else ''}"
                         f"{value.strip()[:150]}")
    return found


def test_the_sheets_own_words_are_few():
    assert len(SHEET_WORDS) <= 8, SHEET_WORDS  # Input, Max, Pooling, Fully, Connected, …


def test_the_filter_keeps_code_and_names_and_finds_english():
    ok = ("Sigmoid 的导数 σ′ = σ(1 − σ)，W2 = (W1 − F + 2P)/S + 1，N_in、g_PLA、x_2，"
          "Conv-1 的参数量 456，MaxPool-1，`fc_params`，用 nndl check 5 fc_params=27,000,000 核对，"
          "加 --format md，写入 key/solutions.html，image=224x224x3，1e−09，df/dx = 3，no_bias，"
          "$\\frac{\\partial \\ell}{\\partial w}$，data:image/svg+xml;base64,PHN2Zz4=，12 MB，"
          "PyTorch 的 nn.Conv2d 与 torch.sigmoid(x)")
    assert english_words(ok) == []
    assert english_words("max |Δ| = 1.3e-10 (finite diff.)") == ["finite", "diff"]
    assert english_words("{0 if x ≤ 0; 1 otherwise}") == ["if", "otherwise"]
    assert english_words("t=1: 7 upd.，x4's 梯度 vs 0") == ["upd", "vs"]
    assert english_words("Usage: nndl solve [OPTIONS]") == ["Usage"]


# ---------------------------------------------------------------- what each format shows
class _Reader(HTMLParser):
    """The Chinese text of an HTML page, SVG or Moodle XML: text and the attributes a reader
    meets (alt, title, aria-label, placeholder), outside the English half of the language
    switch (lang="en") and outside style, script and code; in MathML only the words (mtext)."""

    SKIP = {"style", "script", "code", "pre", "metadata"}  # metadata: Matplotlib's own
    VOID = {"img", "br", "hr", "meta", "link", "input", "col", "area", "base", "source", "wbr"}
    SHOWN = ("alt", "title", "aria-label", "placeholder")
    BLOCK = {"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section",
             "table", "caption", "figcaption", "figure", "header", "nav", "br", "dt", "dd",
             "text", "title", "name", "answer", "feedback", "question", "tspan"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []  # per open element: "shown", "hidden" or "math"
        self.parts: list[str] = []

    def _state(self) -> str:
        return self.stack[-1] if self.stack else "shown"

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        lang = (a.get("lang") or a.get("xml:lang") or "")
        parent = self._state()
        if (parent == "hidden" or tag in self.SKIP or lang.startswith("en")
                or "l-en" in (a.get("class") or "").split()
                or a.get("data-set") == "en"):  # the switch's "English", named in English
            state = "hidden"
        elif tag == "math" or parent == "math":
            state = "shown" if tag == "mtext" else "math"
        else:
            state = "shown"
        self.parts.append("\n" if tag in self.BLOCK else " ")  # cells do not run together
        if state != "hidden":
            self.parts += [f"\n{a[k]}\n" for k in self.SHOWN if a.get(k)]
        if tag not in self.VOID:
            self.stack.append(state)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        self.parts.append("\n" if tag in self.BLOCK else " ")
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self._state() == "shown":
            self.parts.append(data)

    def text(self) -> str:
        return re.sub(r"[ \t]*\n\s*", "\n", "".join(self.parts))


def html_text(page: str) -> str:
    page = re.sub(r"<!\[CDATA\[(.*?)\]\]>", lambda m: m.group(1), page, flags=re.S)
    r = _Reader()
    r.feed(page)
    r.close()
    text = r.text()
    if "&lt;" in text:  # Moodle keeps its question HTML escaped inside <text>
        text = html_text(html.unescape(text))
    return text


def moodle_text(xml: str) -> str:
    """What Moodle shows of a question bank: the <text> of names, questions, answers and
    feedback (the rest is Moodle's settings: <shuffleanswers>true</shuffleanswers>, …)."""
    return "\n".join(html_text(t) for t in re.findall(r"<text>(.*?)</text>", xml, flags=re.S))


def markdown_text(md: str) -> str:
    md = re.sub(r"```.*?```", " ", md, flags=re.S)                 # code blocks
    md = re.sub(r"\$\$(.*?)\$\$", lambda m: " ".join(              # display math: its words
        f"\\text{{{t}}}" for t in _MATH_TEXT.findall(m.group(1))), md, flags=re.S)
    md = html.unescape(md)                                         # &nbsp;
    md = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", md)             # links and images: the text
    return md


# In JSON the check reads string values, except:
# - under a key named "en": the English twin of a "zh" value (both languages are data); so
#   is a key K beside a K_zh (act's derivative_plain, the form nndl check reads back);
# - machine fields, whose strings are values for programs, not sentences for a reader:
#   "answers" (the values `nndl check` reads back, in its own input syntax, e.g.
#   "{0 if x ≤ 0; 1 otherwise}"; "answer_display" carries the reader's form and is checked),
#   "params" (the parameters as typed), "figures" (figure ids), "id"/"variant"/"key"/"mistake"
#   (ids), "spec"/"expr"/"source" (the user's input, echoed), "argv"/"command" (command
#   lines);
# - LaTeX (keys with "latex" in the name, or a value of LaTeX commands) is math: only its \text{…}
#   words are read;
# - a value that is a single token of identifier characters (an enum such as "sigmoid",
#   "pytorch", "right"; a file name; a shape): a program's value, never a sentence.
def _is_latex(key: str, value) -> bool:
    """LaTeX source: under a key named for it (latex, definition_latex, latex_zh), or commands (\\frac, \\sum) with no Chinese
    and no $ around them."""
    return isinstance(value, str) and ("latex" in key or (
        bool(re.search(r"\\[A-Za-z]{2,}", value)) and "$" not in value
        and not CJK.search(value)))


_MACHINE_KEYS = {"en", "answers", "params", "figures", "id", "variant", "key", "mistake",
                 "mistakes", "spec", "expr", "argv", "command", "source"}
_TOKEN = re.compile(r"[\w.+\-/:]*")


def json_lines(obj, path: str = "", key: str = "") -> list[str]:
    if isinstance(obj, dict):
        return [line for k, v in obj.items() if k not in _MACHINE_KEYS and f"{k}_zh" not in obj
                for line in json_lines(v, f"{path}/{k}", k)]
    if isinstance(obj, list):
        return [line for v in obj for line in json_lines(v, f"{path}[]", key)]
    if isinstance(obj, str) and not _TOKEN.fullmatch(obj):
        text = f"$${' '.join(obj.splitlines())}$$" if _is_latex(key, obj) else obj
        return [f"{line}{_AT}{path}" for line in text.splitlines()]
    return []


_AT = "  \u2063@ "  # a JSON line's path follows this mark: shown in a failure, never checked


# time fields: how long something took, different on every run (train's and solve's
# "seconds", act's "timing" with --timing); nothing else may change
_TIME_KEYS = {"seconds", "timing"}


def _drop_time(obj):
    if isinstance(obj, dict):
        return {k: _drop_time(v) for k, v in obj.items() if k not in _TIME_KEYS}
    if isinstance(obj, list):
        return [_drop_time(v) for v in obj]
    return obj


def readable(fmt: str, text: str) -> list[str]:
    """The lines a Chinese reader reads in an output of format ``fmt``, labelled for a failure
    message where the line alone would not say where it is (JSON)."""
    if fmt == "json":
        return json_lines(json.loads(text))
    if fmt == "moodle":
        return moodle_text(text).splitlines()
    if fmt in ("html", "svg"):
        return html_text(text).splitlines()
    if fmt == "md":
        return markdown_text(text).splitlines()
    if fmt == "dot":  # the labels drawn, not the DOT syntax around them
        return re.findall(r'(?:label|tooltip)\s*=\s*"((?:[^"\\]|\\.)*)"', text)
    return text.splitlines()


def test_the_readers_skip_only_the_english_twin_and_machine_fields():
    page = ('<p><span class="l-zh" lang="zh-CN">梯度 vs 数值</span><span class="l-en" lang="en">'
            'the gradient</span></p><img alt="loss curve"><style>p { color: red }</style>'
            '<math><mi>x</mi><mtext>otherwise</mtext></math>')
    assert english_lines(html_text(page)) == [
        "['vs'] | 梯度 vs 数值", "['curve', 'loss'] | loss curve", "['otherwise'] | otherwise"]
    doc = {"title": {"zh": "梯度", "en": "the gradient"}, "answers": {"k": "{0 if x ≤ 0}"},
           "activation": "sigmoid", "detail": "3 upd.", "f_latex": "\\text{otherwise}"}
    assert [w.split(" | ")[0] for w in english_lines("\n".join(json_lines(doc)))] == [
        "['upd']", "['otherwise']"]
    bank = ("<question><name><text>6-g1-s1-i0-standard:fc1_params:numerical</text></name>"
            "<questiontext><text><![CDATA[<p>参数量 is</p>]]></text></questiontext>"
            "<shuffleanswers>true</shuffleanswers></question>")
    assert english_lines(moodle_text(bank)) == ["['is'] | 参数量 is"]
    assert english_lines(markdown_text("$$\n\\text{若} x > 0\n$$\n![loss curve](a.svg)")) == [
        "['curve', 'loss'] | loss curve"]


# ---------------------------------------------------------------- every README line, in zh
@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    files: tuple[str, ...] = ()       # what it writes into its folder, checked too
    json_twice: bool = False          # the determinism check runs it again
    usage_error: bool = False         # a wrong command line: exit status 2, said in Chinese
    codes: tuple[int, ...] = (0,)     # check: 1 when an answer is wrong, as the README's are

    @property
    def fmt(self) -> str:
        for flag in ("--format", "-f"):
            if flag in self.args:
                return self.args[self.args.index(flag) + 1]
        return "text"

    @property
    def name(self) -> str:
        return "nndl " + " ".join(a if " " not in a else repr(a) for a in self.args)


# the sheet's exercise-6 network, as the README's alexnet.txt holds it
ALEXNET = problems()[6]["spec"] + "\n"

VARIANT = "6-g1-s2027-i3-standard"

CASES = [
    # worked solutions
    Case(("solve",)),
    Case(("solve", "4")),
    Case(("solve", "--format", "html", "-o", "{dir}/key"), files=("key/*.html", "key/*.svg")),
    Case(("solve", "1-3", "--format", "md", "-o", "{dir}/keymd"),
         files=("keymd/*.md", "keymd/*.svg")),
    Case(("solve", "--format", "json"), json_twice=True),
    Case(("solve", "5-6", "--brief")),  # the same words for all six, in a tenth of the time
    Case(("solve", "2", "--full")),
    Case(("solve", "5", "image=224x224x3", "filters=64", "kernel=3", "pad=1")),
    Case(("solve", "4", "expr=sigmoid(w*x+b)", "w=0.5", "x=-1.5", "b=0.25")),
    Case(("solve", "6", "spec=input 32x32x1; conv 6 5x5; maxpool 2x2 stride=2; fc 10")),
    Case(("solve", "1", "names=gelu,silu,mish")),
    Case(("solve", "3", "sizes=3x8x8x8x1", "activation=tanh", "init=xavier")),
    Case(("solve", "2", "data=0,1:1; 1,0:1; -1,0:-1", "direction=1,-1", "loss=cross_entropy")),
    Case(("solve", "5", "--params")),
    Case(("solve", "6", "--variant", VARIANT)),
    Case(("solve", "6", "--format", "md")),
    # check
    Case(("check", "5", "fc_params=27,000,000", "conv_output_shape=296x296x100"), codes=(0, 1)),
    Case(("check", "5", "image=32x32x3", "fc_params=307,300"), codes=(0, 1)),
    Case(("check", "6", "maxpool1_output=26x26x96", "conv2_image_size=26x26"), codes=(0, 1)),
    Case(("check", "4", "f=-54", "df/dx=-6", "df/dz=9"), codes=(0, 1)),
    Case(("check", "graph", "x*y+x", "--at", "x=2,y=3", "df/dx=3"), codes=(0, 1)),
    Case(("check", "summary", "input 32x32x3; conv 6 5x5; fc 10", "Conv-1.params=450"),
         codes=(0, 1)),
    Case(("check", "derivative", "tanh", "1-tanh(x)"), codes=(0, 1)),
    Case(("check", "1", "sigmoid_derivative=x(1-x)", "--format", "json"), json_twice=True,
         codes=(0, 1)),
    Case(("check", "6", "--variant", VARIANT, "conv1_params=576"), codes=(0, 1)),
    # exercise 1
    Case(("act",)),
    Case(("act", "gelu", "silu", "mish")),
    Case(("act", "--all", "--format", "json")),
    Case(("act", "--format", "json"), json_twice=True),  # the verdicts read no timing
    Case(("act", "--all", "--format", "md")),
    Case(("act", "sigmoid", "tanh", "relu", "--plot", "{dir}/act.svg"), files=("act.svg",)),
    # exercises 2 and 3
    Case(("experiment", "outlier")),
    Case(("experiment", "outlier", "--t", "1,10,1e9", "--bias", "--plot", "{dir}/o.svg"),
         files=("o.svg",)),
    Case(("experiment", "outlier", "-f", "md")),
    Case(("experiment", "outlier", "-f", "json"), json_twice=True),
    Case(("experiment", "backprop")),
    Case(("experiment", "backprop", "-d", "2", "-a", "sigmoid", "-i", "pytorch", "-f", "md")),
    Case(("experiment", "backprop", "--sizes", "3,4,3,1", "-f", "json"), json_twice=True),
    Case(("vanish",)),
    Case(("vanish", "-d", "2-30", "-a", "sigmoid,tanh,relu", "-i", "pytorch,xavier,he",
          "--plot", "{dir}/v.svg"), files=("v.svg",)),
    Case(("vanish", "-d", "10", "-a", "sigmoid", "-i", "pytorch")),
    Case(("vanish", "-f", "md")),
    Case(("vanish", "-f", "json"), json_twice=True),
    # exercise 4
    Case(("graph", "(x+y)^2*z", "x=1", "y=2", "z=-6", "--plot", "{dir}/graph.svg"),
         files=("graph.svg",)),
    Case(("graph", "(x+y)^2*z", "x=1,y=2,z=-6", "--format", "md")),
    Case(("graph", "(x+y)^2*z", "x=1,y=2,z=-6", "--format", "json"), json_twice=True),
    Case(("graph", "(x+y)^2*z", "x=1,y=2,z=-6", "--format", "svg")),
    Case(("graph", "(x+y)^2*z", "x=1,y=2,z=-6", "--format", "dot")),
    # exercises 5 and 6
    Case(("summary", "input 300x300x3; fc 100")),
    Case(("summary", "{dir}/alexnet.txt", "--explain", "--verify")),
    Case(("summary", "input 227x227x3; conv 96 11x11 stride=4; maxpool 3x3 stride=2",
          "--format", "json"), json_twice=True),
    Case(("summary", "input 227x227x3; conv 96 11x11 stride=4; maxpool 3x3 stride=2",
          "--format", "md")),
    # training (a few epochs: the same words as sixty)
    Case(("train", "digits", "--epochs", "2")),
    Case(("train", "digits", "--model", "mlp", "--optimizer", "adam", "--lr", "0.001",
          "--epochs", "2")),
    Case(("train", "digits", "--affine", "0", "--label-smoothing", "0", "--epochs", "1",
          "--format", "md")),
    Case(("train", "digits", "--epochs", "1", "--plot", "{dir}/curves.svg", "--save",
          "{dir}/lenet.safetensors", "--format", "json"), files=("curves.svg",)),
    Case(("train", "digits", "--model", "mlp", "--epochs", "2", "--format", "json"),
         json_twice=True),
    # variants (a few: the same words as thirty)
    Case(("gen", "6", "--count", "3", "--seed", "2027")),
    Case(("gen", "6", "-n", "2", "-s", "2027", "-f", "html", "-o", "{dir}/exam.html"),
         files=("exam.html", "exam-key.html")),
    Case(("gen", "6", "-n", "2", "-s", "2027", "-f", "moodle", "-o", "{dir}/bank.xml"),
         files=("bank.xml",)),
    Case(("gen", "6", "-n", "2", "-s", "2027", "-f", "json"), json_twice=True),
    Case(("gen", "6", "-n", "2", "-s", "2027", "-f", "md")),
    *[Case(("gen", str(n), "-n", "1", "-s", "2027")) for n in (1, 2, 3, 4, 5)],
    # help, in the reader's language
    Case(("--help",)),
    *[Case((*c, "--help")) for c in (("solve",), ("check",), ("act",), ("experiment",),
                                     ("experiment", "outlier"), ("experiment", "backprop"),
                                     ("vanish",), ("graph",), ("summary",), ("train",),
                                     ("train", "digits"), ("gen",), ("play",))],
    # usage errors: a misspelt command, a missing argument, a bad choice, an unknown option
    *[Case(a, usage_error=True) for a in (("slove",), ("graph",), ("solve", "--format", "pdf"),
                                          ("solve", "--colour"), ("solve", "9"))],
]
IDS = [c.name.replace("{dir}/", "")[:70] for c in CASES]


@dataclass
class Run:
    code: int
    out: str
    err: str
    folder: Path
    files: dict[str, str] = field(default_factory=dict)


def _argv(case: Case, folder: Path) -> list[str]:
    return [a.replace("{dir}", str(folder)) for a in case.args]


@contextlib.contextmanager
def _zh_terminal():
    saved = {k: os.environ.get(k) for k in ("NNDL_LANG", "COLUMNS", "NO_COLOR", "TERM")}
    os.environ.update(NNDL_LANG="zh", COLUMNS=str(WIDTH))
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Each case run once, on first use, in its own folder; shared by the tests below."""
    done: dict[Case, Run] = {}
    root = tmp_path_factory.mktemp("zh")

    def run(case: Case) -> Run:
        if case not in done:
            folder = root / f"case{CASES.index(case)}"
            folder.mkdir()
            (folder / "alexnet.txt").write_text(ALEXNET, encoding="utf-8")
            out, err = io.StringIO(), io.StringIO()
            with _zh_terminal(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(_argv(case, folder))
            files = {str(p.relative_to(folder)): p.read_text(encoding="utf-8")
                     for pattern in case.files for p in sorted(folder.glob(pattern))
                     if not p.stem.endswith("_en")}  # the switch's English twin of a figure
            missing = [p for p in case.files if not any(folder.glob(p))]
            assert not missing, f"{case.name} did not write {missing}"
            done[case] = Run(code, out.getvalue(), err.getvalue(), folder, files)
        return done[case]

    return run


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_output_is_chinese(runs, case):
    r = runs(case)
    if case.usage_error:
        assert r.code == 2 and "Traceback" not in r.err, (case.name, r.code, r.err)
    else:
        assert r.code in case.codes, f"{case.name} exited {r.code}: {r.err[-500:]}"
    fmt = case.fmt
    if fmt in ("html", "moodle", "svg") and not r.out.lstrip().startswith("<"):
        fmt = "text"  # written to a file (-o): the terminal says where
    shown = {f"{fmt} (stdout)": (fmt, r.out), "stderr": ("text", r.err)}
    for name, text in r.files.items():
        ext = name.rsplit(".", 1)[-1]
        shown[name] = ({"xml": "moodle"}.get(ext, ext), text)
    problems = []
    for where, (fmt, text) in shown.items():
        if not text.strip():
            continue
        lines = readable(fmt, text)
        if where != "stderr" and fmt != "json":  # a JSON of numbers has nothing to say
            assert any(CJK.search(line) for line in lines), f"{case.name}: no Chinese in {where}"
        problems += [f"  [{where}] {p}" for p in english_lines("\n".join(lines))]
    assert not problems, (f"English in `{case.name}` (zh), {len(problems)} lines:\n"
                          + "\n".join(problems[:40]))


# Rich's mark of a cut cell: … after a word, then the cell's padding or border (not the
# usage line's "[参数]…", a sentence's closing "答案 …", nor help's "答案名=值…  <文本>")
_CUT_CELL = re.compile(r"(?<=[\w\s\u3400-\u9fff])…(?=\s{2,}(?![\s<])|\s*[│┃|])")
# a table's border line that runs to the terminal's edge without its right corner: Rich cut
# the table's last columns off (a table too wide for the terminal)
_CROPPED = re.compile(r"[┏┌╭└┗╰┡┢╞┣├][━─═┳┬┯╇┼┻┴╤╧╋┿]+")
TEXT_CASES = [c for c in CASES if c.fmt in ("text", "table")]


@pytest.mark.parametrize("case", TEXT_CASES, ids=[IDS[CASES.index(c)] for c in TEXT_CASES])
def test_text_fits_80_columns(runs, case):
    """No line wider than the terminal, no table cut at the right edge and no cell cut with
    '…' at its end (Rich's mark), on stdout and stderr. (tests/test_render_width.py checks the renderers' cells word by word
    for outlier, vanish, backprop and solve; this covers every command as the CLI prints it.)"""
    r = runs(case)
    bad = []
    for stream, text in (("stdout", r.out), ("stderr", r.err)):
        for line in text.splitlines():
            if cell_len(line) > WIDTH:
                bad.append(f"  [{stream}] {cell_len(line)} columns: {line[:120]}")
            elif _CROPPED.fullmatch(line.strip()):
                bad.append(f"  [{stream}] a table cut at the right edge: {line[-60:]}")
            elif _CUT_CELL.search(line):
                bad.append(f"  [{stream}] a cut cell: {line[:120]}")
    assert not bad, f"`{case.name}` at COLUMNS={WIDTH}, {len(bad)} lines:\n" + "\n".join(bad[:20])


JSON_CASES = [c for c in CASES if c.json_twice]


@pytest.mark.parametrize("case", JSON_CASES, ids=[IDS[CASES.index(c)] for c in JSON_CASES])
def test_json_is_the_same_on_a_second_run(runs, case, tmp_path):
    """The second run is a fresh interpreter (no cache shared with the first); only time fields
    may differ."""
    first = runs(case)
    (tmp_path / "alexnet.txt").write_text(ALEXNET, encoding="utf-8")
    env = {**os.environ, "NNDL_LANG": "zh", "COLUMNS": str(WIDTH)}
    second = subprocess.run([sys.executable, "-m", "nndl", *_argv(case, tmp_path)],
                            capture_output=True, text=True, env=env, timeout=300)
    assert second.returncode == first.code and first.code in case.codes, second.stderr[-500:]
    a, b = _drop_time(json.loads(first.out)), _drop_time(json.loads(second.stdout))
    a, b = (json.dumps(x, ensure_ascii=False, indent=1, sort_keys=True).replace(
        str(folder), "{dir}") for x, folder in ((a, first.folder), (b, tmp_path)))
    if a != b:
        import difflib

        diff = [d for d in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
                if d[:1] in "+-" and d[:3] not in ("+++", "---")]
        pytest.fail(f"`{case.name}` differs between two runs ({len(diff)} lines):\n"
                    + "\n".join(diff[:30]))


def test_play_says_where_it_listens_in_chinese():
    """`nndl play --port 0 --no-browser`: what the terminal shows before the page takes over
    (the page itself: tests/test_zh_play.py)."""
    env = {**os.environ, "NNDL_LANG": "zh", "COLUMNS": str(WIDTH)}
    proc = subprocess.Popen([sys.executable, "-m", "nndl", "play", "--port", "0", "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        lines = [proc.stdout.readline() for _ in range(2)]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    text = "".join(lines)
    assert "http://127.0.0.1:" in text and CJK.search(text), text
    assert not english_lines(text), english_lines(text)
