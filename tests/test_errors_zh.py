"""Issue 20: a refusal reads in the chosen language — 错误：/提示： and Chinese sentences with
NNDL_LANG=zh, the English as before with --lang en — exit status 2 and no traceback."""

from __future__ import annotations

import re

import pytest

from nndl.cli import main
from nndl.errors import NNDLError
from nndl.text import Text

# Words a Chinese message may keep: layer keywords and option names as they are typed, function
# names, units, names of tools and layers, and the spec's WxHxD size pattern.
ALLOWED = {
    "input", "conv", "maxpool", "avgpool", "fc", "relu", "sigmoid", "tanh", "leakyrelu",
    "softmax", "flatten", "dropout", "bn", "embedding", "layernorm", "stride", "pad", "kernel",
    "filters", "bias", "channels", "dilation", "out", "kernel_size", "padding",
    "exp", "log", "ln", "sqrt", "abs", "sin", "cos", "max", "min", "expr", "spec",
    "nndl", "solve", "gen", "summary", "params", "verify", "floor", "true", "false", "input_size",
    "pytorch", "conv2d", "gib", "im2col", "float64", "wxhxd", "vxd", "easy", "standard", "hard",
    "image", "fc_units",
}

# bad input -> a word of its Chinese message and of its English message
CASES = [
    (["summary", "cnov 3"], "未知的层", "unknown layer 'cnov'"),
    (["summary", "input 8x8x1; conv 4 3x3 stride=4 stride=2"], "重复给出", "stride is given twice"),
    (["summary", "fc 1e3"], "必须是整数", "must be a whole number"),
    (["summary", "fc 3"], "不以 input 行开头", "does not start with an input line"),
    (["summary", "input 8x8x3; fc 3; conv 3 3x3"], "需要图像输入", "needs an image input"),
    (["summary", "input 32x32x3; conv 6 5x5 stride=2"], "步长不能整除", "the stride does not divide"),
    (["summary", "input 8x8x3; conv 4 9x9"], "比填充后的输入", "larger than the padded input"),
    (["summary", "input 8x8x3; fc 3 strde=2"], "没有选项", "unknown option 'strde' for fc"),
    (["summary", "a" * 50], "未知的层", "unknown layer"),  # too long to suggest a keyword
    (["summary", "nosuch/lenet.txt"], "没有这个文件", "no such file"),
    (["summary", "tests"], "是文件夹", "is a folder, not a spec file"),
    (["summary", " "], "网络描述是空的", "the spec is empty"),
    (["graph", "(x+y)^2*", "x=1", "y=2"], "无法解析表达式", "cannot read the expression"),
    (["graph", "foo(x)", "x=1"], "未知的函数", "unknown function 'foo'"),
    (["graph", "x y", "x=1", "y=2"], "缺少运算符", "expected an operator between two names"),
    (["solve", "5", "kernel=99"], "前向传播", "runs a real forward pass"),
    (["solve", "5", "kernel=abc"], "不是整数", "is not a whole number"),
    (["solve", "5", "foo=1"], "没有参数", "has no parameter 'foo'"),
    (["check", "5", "kernel=0"], "超出范围", "is outside"),
    (["check", "6", "spec=input 8x8x1; cnov 3", "total_params=1"], "未知的层", "unknown layer"),
    (["solve", "--variant", "bad"], "无法识别变体编号", "cannot read the variant id 'bad'"),
    (["solve", "--variant", "5-g9-s1-i0-standard"], "生成器", "generator version 9"),
]

_QUOTED = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"")  # the user's own text, echoed


def _english_words(err: str, args: list[str]) -> list[str]:
    """Latin words of a message outside the echoed input, the caret excerpt and the allow-list."""
    lines = [ln for ln in err.splitlines() if not ln.startswith("  ")]  # excerpt and caret
    text = _QUOTED.sub(" ", "\n".join(lines))
    typed = set(re.findall(r"[A-Za-z_0-9]+", " ".join(args)))  # what the user wrote
    words = [w for w in re.findall(r"(?<![0-9A-Za-z_])[A-Za-z][A-Za-z_0-9]*", text)
             if w not in typed]
    # single letters and letter-digit symbols are formula names (W2, H2, F, K, D1, x)
    return [w for w in words if len(re.sub(r"\d", "", w)) > 1 and w.lower() not in ALLOWED
            and not re.fullmatch(r"[A-Z]\d*[a-z]?\d*", w)]


@pytest.mark.parametrize(("args", "zh", "en"), CASES, ids=[" ".join(c[0])[:40] for c in CASES])
def test_refusals_in_chinese_and_english(capsys, monkeypatch, args, zh, en):
    monkeypatch.setenv("NNDL_LANG", "zh")
    assert main(args) == 2
    out = capsys.readouterr()
    err = out.err
    assert "Traceback" not in err and out.out == ""
    assert err.startswith("错误："), err
    assert zh in err and en not in err, err
    assert _english_words(err, args) == [], err
    assert "error:" not in err and "hint:" not in err
    assert main([*args, "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith("error: ") and en in err, err
    assert not re.search(r"[\u4e00-\u9fff：（）]", err), err  # no Chinese left in English


def test_error_keeps_english_for_library_code_and_gives_each_language():
    e = NNDLError(Text("第 2 行：步长不能整除", "line 2: the stride does not divide"),
                  hint=Text("用 pad=1", "use pad=1"))
    assert e.message == "line 2: the stride does not divide" and e.hint == "use pad=1"
    assert str(e) == "line 2: the stride does not divide\nHint: use pad=1"
    assert e.message_in("zh") == "第 2 行：步长不能整除" and e.hint_in("zh") == "用 pad=1"
    assert e.message_in("en") == e.message and e.hint_in("en") == e.hint
    plain = NNDLError("shape (2, 3) @ (4, 5)")  # a tensor error mirrors PyTorch: English in both
    assert plain.message_in("zh") == plain.message_in("en") == str(plain)
    assert plain.hint is None and plain.hint_in("zh") is None


def test_layer_errors_from_the_library_stay_english_in_str():
    from nndl import nn
    from nndl.nn.module import LayerShapeError

    with pytest.raises(LayerShapeError, match="the stride does not divide") as info:
        nn.Conv2d(3, 6, 5, stride=2).describe((3, 32, 32))
    assert "步长不能整除" in info.value.message_in("zh")
    assert info.value.hint_in("zh").endswith("像 PyTorch 一样向下取整，并给出提醒")
    # the English hint is _fix_hint's, word for word
    from nndl.nn._explain import _fix_hint
    assert info.value.hint == _fix_hint(32, 5, 2, 0, 1, False)
