"""Issue 20, as a Chinese student reads `nndl experiment outlier|backprop`, `nndl vanish`,
`nndl graph` and `nndl train digits`: their zh output (text at 80 columns, Markdown, the zh
side of the JSON) has no English outside a short allow-list; their refusals read 错误：… in
Chinese and stay as they were with --lang en; the numbers on a graph figure's wires are
written as the answer tables write them."""

from __future__ import annotations

import json
import re

import pytest
from rich.cells import cell_len
from test_figures_zh import english_words

from nndl.cli import main

WIDTH = 80

# Latin words a Chinese line may keep beyond test_figures_zh's ALLOWED (names, symbols, what
# the user types), each for a reason:
ALLOWED = {
    "g_PLA", "g_BP",                      # the sheet's boundaries, as it names them
    "float",                              # float64, a type name
    "scikit", "learn",                    # scikit-learn, the data set's library
    "Conv", "BatchNorm", "MaxPool", "Linear", "Flatten",  # PyTorch layer classes (Conv2d …)
    "sigmoid", "relu", "identity", "pytorch", "xavier", "he", "squared", "bce",  # -a/-i/--loss
    "sin", "cos", "sign", "abs",          # functions of a typed expression
    "GiB", "CPU",                         # a unit, a part of the machine
    "ln",                                 # log (ln), a function name the parser knows
    "table", "json", "md", "svg", "dot", "safetensors",  # -f values, a file format's name
    "Python", "descr", "shape", "zip",    # an .npz: a zip of .npy arrays, each headed by a Python dict
}

_CODE = re.compile(
    r"'[^']*'|\"[^\"]*\"|`[^`]*`"         # the user's own text, echoed, and code spans
    r"|(?<![\w-])--?[A-Za-z][\w-]*"       # flags: --pla-max-iter, -a
    r"|\b\w+=\S+"                         # name=value as typed: x=1, max_iter=2000
    r"|\bnndl(\.\w+|( [a-z]+)+)?\b"       # the module (nndl.save), a command (nndl vanish)
    r"|\b\w*_\w*\b"                       # identifiers: fc_params, load_into
    r"|\b[A-Za-z]\w*(\.\w+)+"              # dotted code names: numpy.savez
    r"|\.\w+\b")                          # file endings: .npz, .safetensors


def foreign(text: str) -> list[str]:
    """English words left in Chinese output, after code, flags and echoed input are cut."""
    return [w for w in english_words(_CODE.sub(" ", text)) if w not in ALLOWED]


def _run(capsys, monkeypatch, args: list[str], lang: str = "zh") -> tuple[int, str, str]:
    monkeypatch.setenv("NNDL_LANG", lang)
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_filter_catches_english_and_keeps_names():
    assert foreign("δ 递推 vs 引擎") == ["vs"]
    assert foreign("⚠ 收敛警告（ConvergenceWarning）：…") == ["ConvergenceWarning"]
    assert foreign("Sigmoid · PyTorch 默认初始化；可增大 --pla-max-iter（max_iter=2000）") == []


# ------------------------------------------------------------------ output
COMMANDS = {
    "outlier": ["experiment", "outlier", "--t", "1,1e6", "--epochs", "30",
                "--pla-max-iter", "50"],
    "outlier-bias": ["experiment", "outlier", "--t", "10", "--epochs", "30", "--bias"],
    "backprop": ["experiment", "backprop"],
    "backprop-tanh": ["experiment", "backprop", "-a", "tanh", "-i", "he", "--sizes", "3,4,2"],
    "vanish": ["vanish", "-d", "2,4", "--width", "8", "--batch", "8"],
    "vanish-one": ["vanish", "-d", "3", "-a", "sigmoid", "-i", "pytorch", "--width", "8",
                   "--batch", "8"],
    "graph": ["graph", "relu(x)+abs(x)+max(x,y)*sin(y)", "x=0", "y=0"],
    "graph-neuron": ["graph", "sigmoid(w*x+b)", "w=1.5", "x=0.2", "b=-0.3"],
    "train": ["train", "digits", "--model", "mlp", "--epochs", "1", "--no-progress"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_text_is_chinese_and_fits_80_columns(capsys, monkeypatch, name):
    code, out, _ = _run(capsys, monkeypatch, COMMANDS[name])
    assert code == 0 and re.search("[\u4e00-\u9fff]", out)
    assert foreign(out) == [], out
    wide = [line for line in out.splitlines() if cell_len(line) > WIDTH]
    assert not wide, wide[0]
    assert "…" not in out, "a cell was cut"
    assert not [line for line in out.splitlines() if _CROPPED.fullmatch(line.strip())], out


# a border line that ends at the terminal's edge without its corner: Rich cropped the table
_CROPPED = re.compile(r"[┏┌└┡├][━─┳┬╇┼┻┴]+")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("args", [
    ["experiment", "outlier", "--t", "1,10,1e9", "--bias"],  # Rich made this 81 columns wide
    ["vanish", "-d", "2,3", "--width", "8", "--batch", "8"],
], ids=["outlier", "vanish"])
def test_no_table_is_cropped_at_80_columns(capsys, monkeypatch, lang, args):
    code, out, _ = _run(capsys, monkeypatch, args, lang)
    assert code == 0
    assert not [line for line in out.splitlines() if _CROPPED.fullmatch(line.strip())], out


@pytest.mark.parametrize("name", [n for n in COMMANDS if not n.startswith("vanish-")])
def test_markdown_is_chinese(capsys, monkeypatch, name):
    code, out, _ = _run(capsys, monkeypatch, [*COMMANDS[name], "-f", "md"])
    assert code == 0 and re.search("[\u4e00-\u9fff]", out)
    out = re.sub(r"&nbsp;", " ", out)  # an HTML space, not a word
    assert foreign(out) == [], out


def _strings(obj, path=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v, f"{path}[]")
    elif isinstance(obj, str):
        yield path, obj


@pytest.mark.parametrize("name, must", [
    ("outlier", ".warnings[].zh"),         # a PLA run stopped at its cap: said in both languages
    ("graph", ".steps[].note_zh"),         # the kinks of relu, abs and max, said in Chinese
    ("backprop", None), ("vanish", None), ("train", None),
])
def test_json_zh_side_is_chinese(capsys, monkeypatch, name, must):
    code, out, _ = _run(capsys, monkeypatch, [*COMMANDS[name], "-f", "json"])
    assert code == 0
    strings = list(_strings(json.loads(out)))
    chinese = [(p, s) for p, s in strings if re.search("[\u4e00-\u9fff]", s)]
    assert [(p, s) for p, s in chinese if foreign(s)] == []
    if must:
        assert any(p == must and s for p, s in chinese), must
        english = [s for p, s in strings if p == must.replace("_zh", "").replace(".zh", ".en")]
        assert english and all(not re.search("[\u4e00-\u9fff]", s) for s in english if s)


def test_graph_drawing_is_chinese(capsys, monkeypatch):
    import html

    code, svg, _ = _run(capsys, monkeypatch, [*COMMANDS["graph-neuron"], "-f", "svg"])
    assert code == 0
    texts = [html.unescape(t) for t in re.findall(r"<(?:text|title)[^>]*>([^<]*)<", svg)]
    assert "数值（前向传播）" in texts and any("其中" in t for t in texts)
    assert foreign("\n".join(texts)) == [], texts


def test_vanish_names_each_combination_in_chinese_and_english(capsys, monkeypatch):
    args = ["vanish", "-d", "2,3", "-a", "sigmoid,relu", "-i", "pytorch,he", "--width", "8",
            "--batch", "8", "-f", "md"]
    _, zh, _ = _run(capsys, monkeypatch, args)
    assert "Sigmoid · PyTorch 默认初始化" in zh and "ReLU · He 初始化" in zh
    assert "PyTorch 默认初始化：σ′ 的均值" in zh and "深度 2 时的 ‖∂ℓ/∂W⁽¹⁾‖" in zh
    assert "sigmoid/pytorch" not in zh and "mean" not in zh
    _, en, _ = _run(capsys, monkeypatch, args, "en")
    assert "sigmoid/pytorch" in en and "relu/he" in en and "pytorch: mean σ′" in en


def test_backprop_says_vs_and_the_activation_in_chinese(capsys, monkeypatch):
    _, zh, _ = _run(capsys, monkeypatch, ["experiment", "backprop"])
    assert "3 层（Sigmoid）" in zh and "δ 递推与引擎之差" in zh and "vs" not in zh
    _, en, _ = _run(capsys, monkeypatch, ["experiment", "backprop"], "en")
    assert "δ recursion vs engine" in en and "3-layer sigmoid network" in en


def test_backprop_activation_formulas_read_in_the_terminal(capsys, monkeypatch):
    """ReLU's θ′ is a cases environment and tanh a function call: neither may come out as
    '1 u>0; 0 u≤ 0' or 'tanhu'."""
    _, zh, _ = _run(capsys, monkeypatch, ["experiment", "backprop", "-a", "relu", "--no-check"])
    assert "θ'(u) = 1（u > 0 时）；0（u ≤ 0 时）" in zh
    _, en, _ = _run(capsys, monkeypatch, ["experiment", "backprop", "-a", "relu", "--no-check"],
                    "en")
    assert "θ'(u) = 1 if u > 0; 0 if u ≤ 0" in en
    _, zh, _ = _run(capsys, monkeypatch, ["experiment", "backprop", "-a", "tanh", "--no-check"])
    assert "θ(u) = tanh(u)" in zh and "tanhu" not in zh and "1-tanh²(u)" in zh


def test_graph_op_names_kinks_and_colons(capsys, monkeypatch):
    args = ["graph", "relu(x)+abs(x)+max(x,y)", "x=0", "y=0"]
    _, zh, _ = _run(capsys, monkeypatch, args)
    assert "+（加法）" in zh and "max（取较大者）" in zh and "(add)" not in zh
    assert "梯度：∂f/∂x = 0.5，∂f/∂y = 0.5" in zh
    assert "ReLU 在 0 处不可导" in zh and "as PyTorch" not in zh
    # the local derivative [x > 0] is text, not Rich markup that vanished ("∂q/∂x =  = …")
    assert "∂q/∂x = [x > 0] = [0 > 0] = 0" in zh and "=  =" not in zh
    _, en, _ = _run(capsys, monkeypatch, args, "en")
    en = " ".join(en.split())  # a long note wraps in its column
    assert "+ (add)" in en and "Gradients: ∂f/∂x = 0.5, ∂f/∂y = 0.5" in en
    assert "relu has no derivative at 0; nndl uses relu'(0) = 0, as PyTorch" in en
    assert "∂q/∂x = [x > 0] = [0 > 0] = 0" in en


def test_train_names_the_optimiser_in_chinese(capsys, monkeypatch):
    _, zh, _ = _run(capsys, monkeypatch, [*COMMANDS["train"], "--optimizer", "sgd"])
    assert "SGD（学习率 0.05，动量 0.9）" in zh and "lr=" not in zh
    _, en, _ = _run(capsys, monkeypatch, [*COMMANDS["train"], "--optimizer", "sgd"], "en")
    assert "SGD(lr=0.05, momentum=0.9)" in en


def test_train_progress_bar_speaks_the_language():
    from nndl.commands.train import _ProgressBar

    zh, en = _ProgressBar("zh"), _ProgressBar("en")
    assert zh.label == "轮次" and zh.stats.format(loss=0.5, acc=0.25) == "损失 0.5000  准确率 25.0%"
    assert en.stats.format(loss=0.5, acc=0.25) == "loss 0.5000  acc 25.0%"


# ------------------------------------------------------------------ the wire-number bug
def test_a_round_off_on_a_wire_is_written_as_the_tables_write_it():
    """1.5·0.2 − 0.3 is 5.55e−17 in float64 (not 0): the figure showed it raw as
    5.55112e−17; it now reads as the answer tables write numbers (4 digits, ×10ⁿ)."""
    from nndl.expr import trace
    from nndl.report import fmt_num
    from nndl.viz import draw
    from nndl.viz.diagram import from_trace

    w, x, b = 1.5, 0.2, -0.3
    t = trace("sigmoid(w*x+b)", w=w, x=x, b=b)
    s = w * x + b  # the oracle: Python's own float64 arithmetic
    assert s != 0 and next(n for n in t.nodes if n.id == "p").value == s
    d = from_trace(t, "zh")
    labels = [e.top for e in d.edges] + [e.bottom for e in d.edges] + [d.output.top]
    assert fmt_num(s) == "5.551×10⁻¹⁷" and fmt_num(s) in labels
    assert not [lab for lab in labels if "e" in lab], labels
    value = {n.id: n.value for n in t.nodes}
    assert [e.top for e in d.edges] == [fmt_num(value[e.src]) for e in d.edges]
    svg = draw(t, "zh").svg
    assert "5.551×10⁻¹⁷" in svg and "e−17" not in svg and "e-17" not in svg


# ------------------------------------------------------------------ refusals
# bad input -> a word of its Chinese message and of its English message
REFUSALS = [
    (["experiment", "outlier", "--t", "1,abc"], "不是数", "item 2 ('abc') is not a number"),
    (["experiment", "outlier", "--t", "1", "--plot-t", "5"], "不在 --t 的取值中",
     "is not one of the --t values"),
    (["experiment", "outlier", "--t", "1", "--lr", "-1"], "学习率必须是正数",
     "learning rate must be a positive number"),
    (["experiment", "outlier", "--t", "1", "--epochs", "0"], "轮数至少为 1",
     "epochs must be ≥ 1"),
    (["experiment", "outlier", "--t", "1", "--pla-max-iter", "0"], "最多轮数至少为 1",
     "max_iter must be ≥ 1"),
    (["experiment", "outlier", "--t", "-1"], "不是有限的正数", "is not a positive finite number"),
    (["experiment", "outlier", "--t", "1e13"], "太大", "is too large for float64"),
    (["experiment", "backprop", "-a", "foo"], "未知的激活函数", "unknown activation 'foo'"),
    (["experiment", "backprop", "-i", "foo"], "未知的初始化", "unknown init 'foo'"),
    (["experiment", "backprop", "--loss", "foo"], "未知的损失函数", "unknown loss 'foo'"),
    (["experiment", "backprop", "-a", "sigmoid,relu"], "只取一个名称", "takes one name"),
    (["experiment", "backprop", "--sizes", "3,0,1"], "每层至少要有一个", "has 0 units"),
    (["experiment", "backprop", "--sizes", "3,a"], "不是逗号分隔的整数列表",
     "is not a comma-separated list of integers"),
    (["experiment", "backprop", "-d", "200"], "至多为 49", "--depth must be ≤ 49"),
    (["experiment", "backprop", "--sizes", "300,300,1"], "有限差分检验", "finite-difference"),
    (["experiment", "backprop", "-a", "tanh", "--loss", "bce"], "二元交叉熵",
     "binary cross-entropy needs the output"),
    (["vanish", "-d", "abc"], "既不是数也不是范围", "is not a number or a range"),
    (["vanish", "-d", "5-2"], "倒着写", "runs backwards"),
    (["vanish", "-d", "0"], "超出 1 到 200", "is outside 1 to 200 hidden layers"),
    (["vanish", "-a", "foo"], "未知的激活函数", "unknown activation 'foo' for the sweep"),
    (["vanish", "-a", ","], "至少要有一个激活函数", "needs at least one activation"),
    (["vanish", "-i", "foo"], "未知的初始化", "unknown init 'foo'"),
    (["vanish", "--width", "0"], "都必须 ≥ 1", "must be ≥ 1"),
    (["vanish", "--width", "100000", "-d", "30"], "内存", "need about"),
    (["graph", "x", "x=1", "x=2"], "给了两个取值", "two values for x"),
    (["graph", "x", "x=1", "-f", "yaml"], "未知的输出格式", "unknown format"),
    (["graph", "x", "x=="], "无法解析表达式", "cannot read the expression"),
    (["graph", "x+y", "x=1"], "没有给出取值", "has no value"),
    (["graph", "x", "x=1", "y=1"], "没有变量 y", "has no variable y"),
    (["graph", "x", "x=abc"], "必须是数", "must be a number"),
    (["graph", "2+3"], "没有变量", "has no variables"),
    (["graph", "log(x)", "x=0"], "对非正数取对数", "log of a non-positive number"),
    (["graph", "x/y", "x=1", "y=0"], "除以零", "division by zero"),
    (["graph", "sqrt(x)", "x=-1"], "对负数开平方", "square root of a negative number"),
    (["graph", "x^0.5", "x=-4"], "不是实数", "is not a real number"),
    (["graph", "exp(x)*2", "x=1000"], "溢出", "overflows"),
    (["graph", "sqrt(x)", "x=0"], "不是有限值", "is not finite"),
    (["graph", "x", "x=1", "--plot", "a.svg", "-o", "b.svg"], "都指定了", "both name"),
    (["train", "digits", "--epochs", "0"], "轮数必须是不超过", "the epochs must be"),
    (["train", "digits", "--lr", "0"], "学习率必须是正数", "the learning rate must be"),
    (["train", "digits", "--batch-size", "0"], "批大小", "the batch size must be"),
    (["train", "digits", "--momentum", "1"], "动量", "SGD momentum must be"),
    (["train", "digits", "--affine", "1,2"], "三个以逗号分隔的数", "three numbers"),
    (["train", "digits", "--affine", "200,0,0"], "超出范围", "affine limits out of range"),
    (["train", "digits", "--augment", "9"], "平移增强", "0 to 3 pixels"),
    (["train", "digits", "--warmup", "99"], "预热", "the warm-up must be"),
    (["train", "digits", "--label-smoothing", "1"], "标签平滑", "label smoothing must be"),
    (["train", "digits", "--model", "mlp", "--batchnorm"], "BatchNorm", "lenet model only"),
    (["train", "digits", "--threads", "0"], "线程数", "threads must be from 1"),
    (["train", "digits", "--save", "w.txt"], "看不出检查点", "cannot tell the checkpoint format"),
]


@pytest.mark.parametrize(("args", "zh", "en"), REFUSALS,
                         ids=[" ".join(c[0])[:48] for c in REFUSALS])
def test_refusals_in_chinese_and_english(capsys, monkeypatch, tmp_path, args, zh, en):
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, monkeypatch, args)
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.startswith("错误："), err
    assert zh in err and en not in err, err
    assert "error:" not in err and "hint:" not in err
    lines = [ln for ln in err.splitlines() if not ln.startswith("  ")]  # the caret excerpt
    assert foreign("\n".join(lines)) == [], err
    code, out, err = _run(capsys, monkeypatch, [*args, "--lang", "en"])
    assert code == 2 and "Traceback" not in err
    assert err.startswith("error: ") and en in err, err
    lines = [ln for ln in err.splitlines() if not ln.startswith("  ")]
    assert not re.search(r"[\u4e00-\u9fff：（）]", "\n".join(lines)), err


@pytest.fixture
def saved(tmp_path):
    from nndl import checkpoint, nn

    path = tmp_path / "w.safetensors"
    checkpoint.save(nn.Linear(3, 2), path)
    return path


def _checkpoint_cases(path):
    from nndl import checkpoint, nn

    cut = path.with_name("cut.safetensors")
    cut.write_bytes(path.read_bytes()[:-5])
    npz = path.with_name("cut.npz")
    checkpoint.save(nn.Linear(3, 2), npz)
    npz.write_bytes(npz.read_bytes().replace(b"(2, 3)", b"(2, 9)"))  # a shape its data lacks
    short = path.with_name("short.npz")
    checkpoint.save(nn.Linear(3, 2), short)
    short.write_bytes(short.read_bytes()[:-40])  # cut: the zip's directory is gone
    other = path.with_name("x.npz")
    other.write_bytes(b"hello world")
    return [
        (lambda: checkpoint.load_into(nn.Linear(3, 3), path), "的形状是", "has shape"),
        (lambda: checkpoint.load_into(nn.Linear(3, 2), cut), "超出了数据区",
         "outside the data"),
        (lambda: checkpoint.load_arrays(npz), "是损坏的 .npz 文件", "is a damaged .npz file"),
        (lambda: checkpoint.load_arrays(short), "文件被截断或改动过", "is not a zip file"),
        (lambda: checkpoint.load_arrays(other), "既不是 .npz 也不是 safetensors",
         "is neither an .npz nor a safetensors"),
        (lambda: checkpoint.load_arrays(path.with_name("none.npz")), "不存在", "does not exist"),
        (lambda: checkpoint.load_arrays(path.parent), "是文件夹", "is a folder"),
        (lambda: checkpoint.save(nn.Linear(3, 2), path.with_name("w.pt")), "看不出检查点",
         "cannot tell the checkpoint format"),
        (lambda: checkpoint.check_compatible({"a": [1.0]}, {"b": [1.0]}), "缺少键",
         "missing keys"),
    ]


def test_checkpoint_refusals_in_chinese_and_english(saved):
    from nndl.checkpoint import CheckpointError

    for call, zh, en in _checkpoint_cases(saved):
        with pytest.raises(CheckpointError) as info:
            call()
        e = info.value
        assert zh in e.message_in("zh") and en in e.message, e.message_in("zh")
        assert str(e).startswith(e.message)  # library callers keep the English
        for text in (e.message_in("zh"), e.hint_in("zh")):
            assert foreign(text.replace(str(saved.parent), "")) == [], text
        assert not re.search(r"[\u4e00-\u9fff]", e.message + (e.hint or ""))
