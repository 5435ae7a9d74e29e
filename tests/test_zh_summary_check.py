"""Issue 20: `nndl summary` and `nndl check` as a Chinese student reads them — the text table at
80 columns, Markdown and JSON of summary, the text and JSON of check — carry no English word
outside a short allow-list of names, symbols and keys, no ASCII colon after Chinese, the
glossary's terms and Chinese punctuation; and every refusal of both commands reads
错误：/提示： in Chinese with NNDL_LANG=zh and stays the English it was with --lang en."""

from __future__ import annotations

import io
import json
import os
import re

import pytest
from rich.cells import cell_len
from test_errors_zh import _english_words
from test_figures_zh import english_words

import nndl
from nndl.check import check
from nndl.cli import main
from nndl.errors import NNDLError
from nndl.glossary import check as glossary_check
from nndl.glossary import check_punctuation

# Latin words a Chinese summary or check may show, beyond test_figures_zh.ALLOWED: each a name,
# a symbol or something typed or read as code (common.md), never an English sentence word.
ALLOWED = {
    # layer labels of the table (the sheet's Conv-1, FC-1 …) and PyTorch class names
    "Conv", "MaxPool", "AvgPool", "FC", "BN", "Flatten", "Dropout", "Softmax", "Embedding",
    "LayerNorm", "BatchNorm", "Linear", "Identity", "BasicBlock", "Sequential",
    "AdaptiveAvgPool", "Conv2d", "MaxPool2d", "AvgPool2d",
    # spec keywords as typed (the source of each row: conv 96 11x11 stride=4)
    "input", "conv", "maxpool", "avgpool", "fc", "bn", "dropout", "softmax", "embedding",
    "layernorm", "stride", "pad", "relu",
    # symbols of the formulas, PyTorch's argument names, a dtype, units and a tool's name
    "N_in", "N_out", "embedding_dim", "num_embeddings", "normalized_shape", "output_size",
    "float", "KB", "MB", "GB", "torchinfo", "meta",
    "solve",  # the command a note points to: nndl solve 3
}
CJK_COLON = re.compile(r"[\u4e00-\u9fff）」]\s*:(?!//)")
SPEC = "input 32x32x3; conv 6 5x5; bn; relu; dropout 0.5; maxpool 2; fc 10; softmax"
ALEX = ("input 227x227x3; conv 96 11x11 stride=4; maxpool 3x3 stride=2; conv 256 5x5 pad=2; "
        "maxpool 3x3 stride=2; fc 4096; fc 1000")


def _run(capsys, monkeypatch, args: list[str], lang: str = "zh") -> tuple[int, str, str]:
    monkeypatch.setenv("NNDL_LANG", lang)
    monkeypatch.setenv("COLUMNS", "80")
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def _foreign(text: str, typed: list[str] = ()) -> list[str]:
    """English words of zh output outside the allow-lists, flags (--floor) and what the user
    typed (answer keys such as maxpool1_output)."""
    mine = set(english_words(" ".join(typed)))
    text = re.sub(r"--[a-z][a-z-]*", " ", text)
    return [w for w in english_words(text) if w not in ALLOWED and w not in mine]


# in a refusal: units, an encoding, a dtype (int64 wraps) beside the names above
REFUSAL_ALLOWED = ALLOWED | {"MB", "KB", "UTF", "int64", "model", "Python", "FIFO",
                             "graph", "derivative"}  # the last two: nndl check's problems


def _refusal_foreign(err: str, typed: list[str]) -> list[str]:
    """English words of a zh refusal, outside the echoed input (test_errors_zh), command lines
    to type (cat spec.txt | nndl summary -, nndl check 5 --variant …), API calls
    (nndl.summary(…)) and the list of answer keys a hint gives."""
    text = re.sub(r"(cat \S+ \| )?nndl (check|summary|solve|gen)\b[^\n，。；）]*", " ", err)
    text = re.sub(r"nndl\.\w+\([^)]*\)\)?", " ", text)
    text = re.sub(r"可用的答案键：.*|例如 [\w./-]+=\S*", " ", text)
    return [w for w in _english_words(text, typed) if w not in REFUSAL_ALLOWED]


def _chinese_problems(text: str) -> list[str]:
    """ASCII colons after Chinese, and the glossary's complaints (terms, punctuation)."""
    found = [f"ASCII colon | {m.group(0)}" for m in CJK_COLON.finditer(text)]
    for line in text.splitlines():
        found += [f"{v} | {line.strip()[:90]}" for v in glossary_check(line, "zh")
                  + check_punctuation(line)]
    return found


def test_the_filters_catch_what_they_are_for():
    assert _foreign("参数总量：12,226 Conv-1 float32 KB") == []
    assert _foreign("params = N_in·N_out") == ["params"]
    assert _chinese_problems("参数总量: 12") and _chinese_problems("步骤：a, 然后")
    assert not _chinese_problems("参数总量：12,226（float32）")


# ------------------------------------------------------------------ summary
@pytest.mark.parametrize("spec", [SPEC, ALEX, "input 50; embedding 10000x128; layernorm; fc 10",
                                  "input 32x32x3; conv 6 5x5 stride=2"],
                         ids=["lenet-ish", "alexnet", "embedding", "floor"])
def test_summary_text_at_80_columns_is_chinese(capsys, monkeypatch, spec):
    floor = ["--floor"] if "stride=2" in spec and "227" not in spec else []
    code, out, err = _run(capsys, monkeypatch, ["summary", spec, "--explain", *floor])
    assert code == 0 and err == ""
    assert _foreign(out) == [], out
    assert _chinese_problems(out) == [], out
    wide = [line for line in out.splitlines() if cell_len(line) > 80]
    assert wide == [] and "…" not in out, out
    # the formulas name their quantity in Chinese, the totals take a Chinese colon
    assert "参数总量：" in out and "参数量 = " in out and "params =" not in out
    assert "批大小 1" in out and "batch" not in out


def test_summary_torchinfo_explain_says_which_convention_its_formulas_follow(capsys, monkeypatch):
    code, out, _ = _run(capsys, monkeypatch, ["summary", SPEC, "--explain", "--mult-adds",
                                              "torchinfo"])
    assert code == 0 and "下面的乘加次数公式按 nndl 的约定" in out and "按 torchinfo 的约定" in out
    assert _foreign(out) == [] and _chinese_problems(out) == [], out
    # the table's Conv-1 count is torchinfo's (weights and biases × output positions)
    assert "357,504" in out and "乘加次数 = W2·H2·D2·F·F·D1 = 28·28·6·5·5·3 = 352,800" in out


def test_summary_cells_fold_rather_than_clip_at_80_columns(capsys, monkeypatch):
    code, out, _ = _run(capsys, monkeypatch, ["summary", "input 300x300x3; fc 100000000"])
    assert code == 0 and "…" not in out
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    # the folded cells still hold every digit: 27,000,100,000,000 parameters
    assert "27,000,100," in out and "000,000" in out


def test_summary_markdown_is_chinese(capsys, monkeypatch):
    code, out, _ = _run(capsys, monkeypatch, ["summary", SPEC, "--explain", "-f", "md"])
    assert code == 0
    text = out.replace("`", " ")  # formulas sit in code spans: they are read too
    assert _foreign(text) == [], out
    assert _chinese_problems(out.replace("`", "")) == [], out
    assert "参数量 = F·F·D1·K + K = 5·5·3·6 + 6 = 456" in out and "**Conv-1**（" in out


def test_summary_json_keeps_its_keys_and_speaks_chinese(capsys, monkeypatch):
    code, out, err = _run(capsys, monkeypatch,
                          ["summary", "input 32x32x3; conv 6 5x5 stride=2", "--floor", "-f",
                           "json"])
    data = json.loads(out)
    assert code == 0 and data["total_params"] == 456 and data["layers"][0]["name"] == "Conv-1"
    human = [f for r in data["layers"] for f in r["formulas"]] + \
            [n["zh"] for r in data["layers"] for n in r["notes"]] + [n["zh"] for n in data["notes"]]
    assert any(f.startswith("参数量 = ") for f in human)
    assert _foreign("\n".join(human)) == [] and _chinese_problems("\n".join(human)) == []
    assert err.startswith("警告：") and _foreign(err, ["--floor"]) == [], err
    # English: the formulas' English names, as the playground reads them
    en = json.loads(_run(capsys, monkeypatch, ["summary", "input 32x32x3; conv 6 5x5", "-f",
                                               "json", "--lang", "en"])[1])
    assert "params = F·F·D1·K + K = 5·5·3·6 + 6 = 456" in en["layers"][0]["formulas"]
    assert json.loads(nndl.summary.render.to_json(nndl.summary("input 8x8x1; fc 2")))[
        "layers"][-1]["formulas"][0].startswith("params = ")


def test_summary_of_a_pytorch_model_in_chinese():
    torch = pytest.importorskip("torch")
    from nndl.summary import render

    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, stride=2), torch.nn.BatchNorm2d(8),
                                torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(8 * 7 * 7, 10))
    s = nndl.summary(model, input_size=(3, 16, 16))
    from rich.console import Console

    buf = io.StringIO()
    render.print_table(s, "zh", explain=True,
                       console=Console(file=buf, width=80, color_system=None))
    out = buf.getvalue()
    assert s.total_params == sum(p.numel() for p in model.parameters())  # PyTorch's own count
    assert _foreign(out) == [], out
    assert _chinese_problems(out) == [], out
    assert "参数量 = 2·D（γ 和 β） = 2·8 = 16" in out and "Conv-1（0）" in out


# ------------------------------------------------------------------ check
CHECKS = [
    ["check", "5", "fc_params=27,000,000", "conv_output_shape=296x296x100"],
    ["check", "6", "maxpool1_output=26x26x96", "conv2_image_size=26x26", "conv1_params=34,848"],
    ["check", "4", "f=-54", "df/dx=-6", "df/dz=9"],
    ["check", "graph", "x*y+x", "--at", "x=2,y=3", "df/dx=3"],
    ["check", "summary", "input 32x32x3; conv 6 5x5; fc 10", "Conv-1.params=450",
     "FC-1.output=11", "FC-1.params=4000"],
    ["check", "derivative", "tanh", "1-tanh(x)"],
    ["check", "1", "sigmoid_derivative=x(1-x)", "relu_derivative=1", "tanh_max_slope=-1"],
    ["check", "2", "bp_boundary_D=1+x1", "pla_separates_all=yes", "bp_turn_deg_t_max=1"],
    ["check", "3", "delta_output=1", "sigmoid_factor_per_layer=0.25", "max_theta_prime=0.5"],
]


@pytest.mark.parametrize("args", CHECKS, ids=[" ".join(a[1:3]) for a in CHECKS])
def test_check_text_and_json_are_chinese(capsys, monkeypatch, args):
    code, out, err = _run(capsys, monkeypatch, args)
    assert code == 1 and err == ""  # every case holds a wrong answer
    assert _foreign(out, args) == [], out
    assert _chinese_problems(out) == [], out
    assert max(cell_len(line) for line in out.splitlines()) <= 80, out
    assert "✗ " in out and "正确" in out
    code, out, _ = _run(capsys, monkeypatch, [*args, "-f", "json"])
    data = json.loads(out)
    human = [v for it in data["items"] for v in (it["feedback"], it["step"], it["expected"],
                                                 *it["mistake_names"]) if v]
    assert _foreign("\n".join(human), args) == [], human
    assert _chinese_problems("\n".join(human)) == [], human


def test_check_names_its_problem_and_step_in_chinese(capsys, monkeypatch):
    for args, title in ((CHECKS[3], "答案检查：计算图"), (CHECKS[4], "答案检查：网络结构"),
                        (CHECKS[5], "答案检查：导数")):
        assert title in _run(capsys, monkeypatch, args)[1]
    assert "实数按相对误差 10⁻⁶ 比较。" in _run(capsys, monkeypatch, CHECKS[5])[1]
    out = _run(capsys, monkeypatch, CHECKS[0])[1]
    assert "相关步骤：FC-1：参数量 = N_in·N_out + N_out = 270,000·100 + 100 = 27,000,100" in out
    assert "✗ fc_params：" in out
    en = _run(capsys, monkeypatch, [*CHECKS[0], "--lang", "en"])[1]
    assert "FC-1: params = N_in·N_out + N_out = 270,000·100 + 100 = 27,000,100" in en
    assert "Checked answers: exercise 5" in en
    data = json.loads(_run(capsys, monkeypatch, [*CHECKS[0], "-f", "json"])[1])
    assert data["items"][0]["mistakes"] == ["no_bias"] and data["items"][0]["mistake_names"] == [
        "漏了偏置"]
    # a yes/no answer and a boundary are written in the reader's language
    zh = check(2, {"pla_separates_all": "yes", "bp_boundary_D": "1+x1"})
    assert [it.expected_in("zh") for it in zh.items] == ["是", "任何把所有点分对的直线"]
    assert [it.expected_in("en") for it in zh.items] == ["yes", "any line that separates every point"]
    relu = check(1, {"relu_derivative": "1"}).items[0]
    assert relu.expected_in("zh") == "{0（x ≤ 0）；1（x > 0）}"  # as solve, act and gen write it
    from nndl.activations import derivation
    assert relu.expected_in("zh") == derivation("relu").derivative_text("zh")
    assert relu.expected_in("en") == "{0 if x ≤ 0; 1 otherwise}"
    # nndl check reads back the Chinese form it shows
    assert check(1, {"relu_derivative": relu.expected_in("zh")}).items[0].verdict == "correct"


def test_an_fc_layers_output_is_answered_as_a_vector():
    """Was an IndexError: a one-number answer to an output shape."""
    spec = "input 32x32x3; conv 6 5x5; fc 10"
    r = check("summary", {"FC-1.output": "10", "Conv-1.output": "28"}, spec)
    assert [it.verdict for it in r.items] == ["correct", "wrong"]
    assert check("summary", {"FC-1.output": "1x1x10"}, spec).items[0].verdict == "correct"
    assert check("summary", {"FC-1.output": "11"}, spec).items[0].verdict == "wrong"


# ------------------------------------------------------------------ refusals
# bad input -> a word of its Chinese message, and of the English message it had before
REFUSALS = [
    (["summary", "/dev/null"], "字符设备", "is a character device, not a spec file"),
    (["summary", "fc 10", "--input", "99999999x99999999x99999"], "10^15",
     "values; nndl counts at most 10^15"),
    (["summary", "input 1000000x1000000x1000; conv 1000000 3x3"], "它的输出",
     "more than nndl counts"),
    (["summary", "input 1000000x1000000x1; fc 10000000000"], "个参数", "parameters, more than"),
    (["summary", "fc 10", "--input", "abc"], "无法识别的输入尺寸", "cannot read the input size 'abc'"),
    (["summary", "fc 10", "--input", "3x3 foo"], "输入尺寸 '3x3 foo'：多余的",
     "the input size '3x3 foo': unexpected 'foo'"),
    (["summary", "input 32x32x3; maxpool 2 pad=5"], "超过了窗口", "must be at most half the "
     "pooling window 2×2"),
    (["check", "5", "fc_params=abc"], "无法识别", "cannot read 'abc' at character 1"),
    (["check", "5", "fc_params=1.5"], "不是整数", "'1.5' is not a whole number"),
    (["check", "5", "conv_output_shape=296x296"], "应有 3 个数", "expected 3 numbers"),
    (["check", "5", "foo=1"], "没有答案键", "exercise 5 has no answer key 'foo'"),
    (["check", "5"], "没有要检查的答案", "no answers to check for 5"),
    (["check", "6", "total_params=1/0"], "除以了零", "divides by zero"),
    (["check", "6", "total_params=1e999999"], "超出范围", "the exponent 999999 is out of range"),
    (["check", "6", "total_params=" + "1" * 600], "个字符", "characters long"),
    (["check", "1", "sigmoid_derivative={0 if x <= 0; banana}"], "无法识别分段",
     "cannot read the branch"),
    (["check", "1", "sigmoid_derivative=x((1"], "表达式", "cannot read the expression"),
    (["check", "1", "sigmoid_derivative=y*2"], "只是 x 的函数", "f′ is a function of x only"),
    (["check", "derivative", "foo", "1"], "既不是 nndl 认识的激活函数",
     "the function 'foo' is neither an activation nndl knows nor an expression in x"),
    (["check", "2", "bp_boundary_D=1+2*z"], "分界线", "a boundary is a formula in x1 and x2"),
    (["check", "2", "bp_boundary_D=x1*x2"], "不是一条直线", "is not a line"),
    (["check", "2", "pla_separates_all=maybe"], "读成", "as yes or no"),
    (["check", "graph", "x*y+x", "--at", "x=2,y=3", "dg/dz=3"], "的计算图没有答案键",
     "has no answer key 'dg/dz'"),
    (["check", "graph", "x*y+x", "--at", "x=2,y=3"], "没有要检查的答案", "no answers to check"),
    (["check", "summary", "input 8x8x1; fc 2", "FC-9.params=1"], "没有答案键",
     "nndl check summary has no answer key"),
    (["check", "graph", "x*y", "--variant", "5-g1-s42-i3-standard", "df/dx=1"], "习题号",
     "--variant belongs with an exercise number"),
]


@pytest.mark.parametrize(("args", "zh", "en"), REFUSALS, ids=[" ".join(c[0])[:40] for c in REFUSALS])
def test_refusals_in_chinese_and_english(capsys, monkeypatch, args, zh, en):
    code, out, err = _run(capsys, monkeypatch, args)
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.startswith("错误：") and zh in err and en not in err, err
    assert _refusal_foreign(err, args) == [], err
    assert "error:" not in err and "hint:" not in err
    code, _, err = _run(capsys, monkeypatch, [*args, "--lang", "en"])
    assert code == 2 and err.startswith("error: ") and en in err, err


def _files(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 1_000_001)
    model = tmp_path / "model.py"
    model.write_text("import torch\nnet = torch.nn.Linear(3, 4)\n")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    return [(str(big), "字节", "a spec file is at most"),
            (str(model), "Python 文件", "is a Python file; nndl summary reads a spec"),
            (str(fifo), "命名管道", "is a FIFO (named pipe), not a spec file")]


def test_file_refusals_in_chinese_and_english(capsys, monkeypatch, tmp_path):
    for path, zh, en in _files(tmp_path):
        code, out, err = _run(capsys, monkeypatch, ["summary", path])
        assert code == 2 and err.startswith("错误：") and zh in err and en not in err, err
        assert _refusal_foreign(err, [path]) == [], err
        code, out, err = _run(capsys, monkeypatch, ["summary", path, "--lang", "en"])
        assert code == 2 and en in err, err


class _Stdin:
    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


@pytest.mark.parametrize(("stdin", "zh", "en"), [
    (io.StringIO(), "标准输入已关闭", "standard input is closed"),
    (_Stdin(b"a" * 1_000_001), "标准输入超过", "standard input holds more than"),
    (_Stdin(b"\xff"), "标准输入：第 1 个字节", "standard input: byte 0 is not UTF-8"),
])
def test_standard_input_refusals(capsys, monkeypatch, stdin, zh, en):
    for lang, word in (("zh", zh), ("en", en)):
        if isinstance(stdin, _Stdin):
            stdin.buffer.seek(0)
        monkeypatch.setattr("sys.stdin", stdin)
        code, _, err = _run(capsys, monkeypatch, ["summary", "-"], lang)
        assert code == 2 and word in err, err
        if lang == "zh":
            assert err.startswith("错误：") and _refusal_foreign(err, ["-"]) == [], err


def _error(call) -> NNDLError:
    with pytest.raises(NNDLError) as info:
        call()
    return info.value


def test_library_refusals_carry_both_languages():
    torch = pytest.importorskip("torch")
    cases = [
        (lambda: nndl.summary(5), "无法汇总", "cannot summarise a int"),
        (lambda: nndl.summary("input 8x8x1; fc 2", mult_adds="x"), "计数约定",
         "is not a convention nndl knows"),
        (lambda: nndl.summary(torch.nn.Linear(3, 4)), "需要给出 input_size",
         "needs input_size (or input_data)"),
        (lambda: nndl.summary(nndl.nn.Sequential(nndl.nn.Linear(3, 4))), "需要给出 input_size",
         "summary of a model needs input_size"),
        (lambda: nndl.summary(torch.nn.Linear(3, 4), input_size=(0, 3, 3)), "每一维都是正数",
         "with positive sizes"),
        (lambda: nndl.summary(torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3),
                                                  torch.nn.Linear(10, 2)), input_size=(3, 8, 8)),
         "抛出了 RuntimeError", "raised RuntimeError in module '1' (Linear)"),
        (lambda: check("nonsense", {}), "没有可检查的题目", "there is no problem 'nonsense'"),
    ]
    for call, zh, en in cases:
        e = _error(call)
        zh_text = e.message_in("zh") + "\n" + (e.hint_in("zh") or "")
        assert zh in zh_text and en in e.message and str(e).startswith(e.message), zh_text
        # the model's own exception is quoted after 原始信息： as PyTorch wrote it
        nndls_part = zh_text.split("原始信息：")[0] + "\n" + (e.hint_in("zh") or "")
        assert _refusal_foreign(nndls_part, ["summary", "input_size", "input_data", "int",
                                           "mult_adds", "torchinfo", "RuntimeError", "Linear",
                                           "in_features", "Flatten", "nndl.nn.Module",
                                           "torch.nn.Module", "forward"]) == [], zh_text


@pytest.mark.parametrize("answer", ["{0 if x <= 0; 1 otherwise}", "{0（x ≤ 0）；1（x > 0）}",
                                    "{0 当 x ≤ 0; 1 其他}", "{0 (x <= 0); 1 (x > 0)}",
                                    "{0（当 x ≤ 0 时）；1（其他）}"])
def test_every_written_form_of_a_piecewise_derivative_is_read(answer):
    from nndl.check import check

    assert check(1, {"relu_derivative": answer}).items[0].verdict == "correct"
    wrong = answer.replace("1", "2", 1) if "1" in answer else answer
    assert check(1, {"relu_derivative": wrong}).items[0].verdict == "wrong"


def test_a_piecewise_formula_of_the_users_own_reads_as_nndl_writes_it(monkeypatch, capsys):
    """abs-like f′ not from the activation table: the branches with their conditions."""
    from nndl.check.derivative import _in_chinese

    assert _in_chinese("{-1 if x < 0; 1 otherwise}")("zh") == "{-1（x < 0）；1（x ≥ 0）}"
    assert _in_chinese("{-1 if x < 0; 1 otherwise}")("en") == "{-1 if x < 0; 1 otherwise}"


def test_a_pooling_window_is_not_called_a_kernel(monkeypatch, capsys):
    from nndl.cli import main

    monkeypatch.setenv("NNDL_LANG", "zh")
    assert main(["summary", "input 4x4x1; maxpool 8x8"]) == 2
    err = capsys.readouterr().err
    assert "池化窗口（宽 8）" in err and "卷积核" not in err
    assert main(["summary", "input 4x4x1; conv 2 8x8"]) == 2
    assert "卷积核（宽 8）" in capsys.readouterr().err
