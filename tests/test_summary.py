"""The architecture calculator: the seed's exercises 5 and 6 as oracles, PyTorch's own
parameter counts and forward shapes, every bad-input path, renderers and the CLI."""

from __future__ import annotations

import json
import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import require_torch

import nndl
import nndl.summary
from nndl import nn
from nndl.cli import main
from nndl.summary import SpecError, SummaryError, render, spec_model
from nndl.summary import summary as summarize

torch = require_torch()
tnn = torch.nn

EX6 = """
input 227x227x3          # textbook order: width x height x channels
conv 96 11x11 stride=4   # Conv-1
maxpool 3x3 stride=2     # MaxPool-1
conv 256 5x5 pad=2       # Conv-2
maxpool 3x3 stride=2     # MaxPool-2
fc 4096                  # FC-1 (flatten implied)
fc 1000                  # FC-2
"""

VGG16 = "input 224x224x3\n" + "\n".join(
    [f"conv {c} 3x3 pad=1 relu" for c in (64, 64)] + ["maxpool 2"]
    + [f"conv {c} 3x3 pad=1 relu" for c in (128, 128)] + ["maxpool 2"]
    + [f"conv {c} 3x3 pad=1 relu" for c in (256, 256, 256)] + ["maxpool 2"]
    + [f"conv {c} 3x3 pad=1 relu" for c in (512, 512, 512)] + ["maxpool 2"]
    + [f"conv {c} 3x3 pad=1 relu" for c in (512, 512, 512)] + ["maxpool 2"]
    + ["fc 4096 relu", "dropout 0.5", "fc 4096 relu", "dropout 0.5", "fc 1000"])


def _formula(row, name):
    return next(f for f in row.formulas if f.name.startswith(name))


# ------------------------------------------------------------------ the seed's oracles
def test_exercise5_fully_connected():
    s = nndl.summary("input 300x300x3; fc 100")
    assert s.layer("FC-1").params == 27_000_100
    assert s.total_params == 27_000_100
    assert str(_formula(s.layer("FC-1"), "params")) == \
        "params = N_in·N_out + N_out = 270,000·100 + 100 = 27,000,100"


def test_exercise5_convolution():
    s = nndl.summary("input 300x300x3\nconv 100 5x5x3 stride=1")
    conv = s.layer("Conv-1")
    assert conv.params == 7_600
    assert conv.textbook_shape == "296×296×100"
    assert conv.neurons == 8_761_600
    texts = [str(f) for f in conv.formulas]
    assert "W2 = H2 = (W1 − F + 2P)/S + 1 = (300 − 5 + 2·0)/1 + 1 = 296" in texts
    assert "params = F·F·D1·K + K = 5·5·3·100 + 100 = 7,600" in texts
    assert "neurons = W2·H2·D2 = 296·296·100 = 8,761,600" in texts


def test_exercise6_alexnet_like():
    s = nndl.summary(EX6, verify=True)
    assert [r.name for r in s.layers] == ["Conv-1", "MaxPool-1", "Conv-2", "MaxPool-2",
                                          "Flatten-1", "FC-1", "FC-2"]
    assert s.layer("Conv-1").params == 34_944
    assert s.layer("Conv-1").textbook_shape == "55×55×96"
    assert str(_formula(s.layer("Conv-1"), "W2")) == \
        "W2 = H2 = (W1 − F + 2P)/S + 1 = (227 − 11 + 2·0)/4 + 1 = 55"
    assert s.layer("MaxPool-1").textbook_shape == "27×27×96"
    assert s.layer("MaxPool-1").neurons == 27 * 27 * 96
    assert s.layer("Conv-2").textbook_shape.startswith("27×27×")
    assert s.layer("Conv-2").params == 614_656
    assert s.layer("FC-1").params == 177_213_440
    assert s.layer("FC-2").params == 4_097_000
    assert s.total_params == 181_960_040
    assert s.layer("Flatten-1").implied and s.layer("Flatten-1").output_shape == (43_264,)
    assert s.verified and all(r.verified_shape == r.output_shape for r in s.layers)


def test_rows_add_up_to_totals():
    for spec in (EX6, VGG16, "input 28x28; conv 6 5x5 pad=2 relu; bn; maxpool 2; fc 10"):
        s = nndl.summary(spec)
        assert s.total_params == sum(r.params for r in s.layers)
        assert s.trainable_params == sum(r.trainable for r in s.layers)
        assert s.total_neurons == sum(r.neurons for r in s.layers)
        assert s.total_mult_adds == sum(r.mult_adds for r in s.layers)
        assert s.param_bytes == 4 * s.total_params
        assert s.activation_bytes == 4 * sum(int(np.prod(r.output_shape)) for r in s.layers)
        for r in s.layers:  # every formula's value is the number in the row
            for f in r.formulas:
                if f.name == "params":
                    assert f.value == r.params
                if f.name == "mult-adds":
                    assert f.value == r.mult_adds
                if f.name == "neurons":
                    assert f.value == r.neurons


# ------------------------------------------------------------------ one source of truth
def _torch_from_spec(model: nn.Sequential):
    """The equivalent PyTorch model, written from the nndl layers' hyper-parameters."""
    layers = []
    for m in model:
        if isinstance(m, nn.Conv2d):
            layers.append(tnn.Conv2d(m.in_channels, m.out_channels, m.kernel_size, m.stride,
                                     m.padding, m.dilation, bias=m.bias is not None))
        elif isinstance(m, nn.Linear):
            layers.append(tnn.Linear(m.in_features, m.out_features, bias=m.bias is not None))
        elif isinstance(m, nn.MaxPool2d):
            layers.append(tnn.MaxPool2d(m.kernel_size, m.stride, m.padding, m.dilation))
        elif isinstance(m, nn.AvgPool2d):
            layers.append(tnn.AvgPool2d(m.kernel_size, m.stride, m.padding))
        elif isinstance(m, nn.BatchNorm2d | nn.BatchNorm1d):
            layers.append(getattr(tnn, type(m).__name__)(m.num_features))
        elif isinstance(m, nn.Dropout):
            layers.append(tnn.Dropout(m.p))
        elif isinstance(m, nn.Softmax):
            layers.append(tnn.Softmax(dim=m.dim))
        elif isinstance(m, nn.LeakyReLU):
            layers.append(tnn.LeakyReLU(m.negative_slope))
        else:
            layers.append(getattr(tnn, type(m).__name__)())
    return tnn.Sequential(*layers)


SPECS = [
    EX6,
    "input 28x28\nconv 6 5x5 pad=2 relu\nmaxpool 2\nconv 16 5x5 relu\nmaxpool 2\nfc 120 relu\n"
    "fc 84 relu\nfc 10",
    "input 32x32x3; conv 8 3x3 s=1 p=1 d=2 bias=false; bn; leakyrelu 0.1; avgpool 2; "
    "conv 4 3x3 stride 2 pad 1; tanh; flatten; dropout 0.3; fc 10; softmax",
    "input 64x48x3; conv 16@5x5/1; maxpool 2/2; conv 8 3x5; sigmoid; fc 7 bias=false",
    "input 784; fc 256 relu; fc 256 relu; fc 10",
]


@pytest.mark.parametrize("spec", SPECS)
def test_spec_params_equal_pytorch_and_shapes_equal_forward_pass(spec):
    s = nndl.summary(spec, verify=True)
    model, in_shape = spec_model(spec)
    theirs = _torch_from_spec(model)
    assert s.total_params == sum(p.numel() for p in theirs.parameters())
    assert [k for k in model.state_dict()] == [k for k in theirs.state_dict()]
    theirs.eval()
    shapes = []
    hooks = [m.register_forward_hook(lambda mod, i, o: shapes.append(tuple(o.shape[1:])))
             for m in theirs]
    theirs(torch.zeros((1,) + in_shape))
    for h in hooks:
        h.remove()
    assert [r.output_shape for r in s.layers] == shapes  # analytic == PyTorch's forward
    assert s.verified


@st.composite
def conv_spec(draw):
    w, h = draw(st.integers(8, 40)), draw(st.integers(8, 40))
    k, s, p, d = (draw(st.integers(1, 5)), draw(st.integers(1, 3)), draw(st.integers(0, 2)),
                  draw(st.integers(1, 2)))
    return f"input {w}x{h}x{draw(st.integers(1, 4))}; conv {draw(st.integers(1, 6))} {k}x{k} " \
           f"stride={s} pad={p} dilation={d}; maxpool 2; fc 3"


@given(conv_spec())
def test_drawn_specs_agree_with_the_real_forward_pass(spec):
    try:
        s = nndl.summary(spec, verify=True, floor=True)
    except SpecError as exc:  # only a kernel larger than the input may fail
        assert "larger than" in exc.message
        return
    assert s.verified


def test_nndl_model_summary():
    model = nn.Sequential(nn.Conv2d(3, 96, 11, stride=4), nn.ReLU(), nn.MaxPool2d(3, 2),
                          nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
                          nn.Flatten(), nn.Linear(13 * 13 * 256, 4096), nn.ReLU(),
                          nn.Linear(4096, 1000))
    s = nndl.summary(model, input_size=(3, 227, 227), verify=True)
    assert s.total_params == 181_960_040 == sum(p.numel() for p in model.parameters())
    assert s.layer("FC-1").source == "7"
    assert nndl.summary(model, input_size="227x227x3").total_params == 181_960_040


def test_torch_model_summary_and_channel_mismatch():
    model = tnn.Sequential(tnn.Conv2d(3, 96, 11, stride=4), tnn.ReLU(), tnn.MaxPool2d(3, 2),
                           tnn.Conv2d(96, 256, 5, padding=2), tnn.BatchNorm2d(256), tnn.ReLU(),
                           tnn.MaxPool2d(3, 2), tnn.Flatten(), tnn.Linear(43264, 4096),
                           tnn.ReLU(), tnn.Dropout(), tnn.Linear(4096, 1000))
    s = nndl.summary(model, input_size=(1, 3, 227, 227), verify=True)
    assert s.total_params == sum(p.numel() for p in model.parameters())
    assert s.layer("Conv-2").params == 614_656 and s.verified
    bad = tnn.Sequential(tnn.Conv2d(3, 96, 11, stride=4), tnn.Conv2d(64, 8, 3))
    with pytest.raises(SummaryError, match=r"'1' \(Conv2d.*in_channels = 64.*96 channels"):
        nndl.summary(bad, input_size=(3, 227, 227))
    bad_fc = tnn.Sequential(tnn.Conv2d(1, 4, 3), tnn.Flatten(), tnn.Linear(100, 2))
    with pytest.raises(SummaryError, match=r"'2' \(Linear.*in_features = 100.*2,704"):
        nndl.summary(bad_fc, input_size=(1, 28, 28))


def test_analytic_summary_allocates_no_weights_and_is_fast():
    nndl.summary(VGG16)  # warm imports
    tracemalloc.start()
    t0 = time.perf_counter()
    s = nndl.summary(VGG16)
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert s.total_params == 138_357_544  # VGG-16, as torchvision counts it
    assert peak < 2_000_000  # 138 M float32 weights would be 553 MB
    assert elapsed < 1.0  # generous: measured ~5 ms; a real build takes seconds


# ------------------------------------------------------------------ grammar
@pytest.mark.parametrize("text", ["input 227*227*3", "input 227×227×3", "input 227 x 227 x 3",
                                  "INPUT 227X227X3", "image 227x227 rgb"])
def test_input_spellings(text):
    assert nndl.summary(text + "; conv 96 11x11 s=4").layer("Conv-1").output_shape == (96, 55, 55)


@pytest.mark.parametrize("line", ["conv 96 11x11 stride=4", "conv 96@11x11/4",
                                  "conv 96 11 s=4", "conv 96 11x11 stride 4 pad 0",
                                  "Conv2d 96 kernel=11x11 stride=4", "conv 96 11x11x3 /4"[:-3]
                                  + " s=4"])
def test_conv_spellings(line):
    assert nndl.summary("input 227x227x3\n" + line).layer("Conv-1").params == 34_944


def test_pool_defaults_and_non_square():
    s = nndl.summary("input 28x28; maxpool 2; avgpool 3/1 pad=1")
    assert s.layer("MaxPool-1").output_shape == (1, 14, 14)  # stride = kernel, as PyTorch
    assert s.layer("AvgPool-1").output_shape == (1, 14, 14)
    s = nndl.summary("input 40x30x3; conv 4 5x3 stride=1")  # kernel 5 wide, 3 high
    assert s.layer("Conv-1").output_shape == (4, 28, 36)
    assert s.layer("Conv-1").textbook_shape == "36×28×4"
    texts = [str(f) for f in s.layer("Conv-1").formulas]
    assert "W2 = (W1 − Fw + 2P)/S + 1 = (40 − 5 + 2·0)/1 + 1 = 36" in texts
    assert "H2 = (H1 − Fh + 2P)/S + 1 = (30 − 3 + 2·0)/1 + 1 = 28" in texts


def test_dilation_formula():
    s = nndl.summary("input 32x32x1; conv 2 3x3 dilation=2")
    assert str(_formula(s.layer("Conv-1"), "W2")) == \
        "W2 = H2 = (W1 + 2P − D·(F − 1) − 1)/S + 1 = (32 + 2·0 − 2·(3 − 1) − 1)/1 + 1 = 28"


def test_input_option_and_tuple():
    assert nndl.summary("conv 6 5x5", input_size="32x32x3").layer("Conv-1").output_shape == (6, 28, 28)
    assert nndl.summary("conv 6 5x5", input_size=(3, 32, 32)).total_params == 456
    with pytest.raises(SpecError, match="--input gives"):
        nndl.summary("input 32x32x3; conv 6 5x5", input_size="28x28x1")


# ------------------------------------------------------------------ bad input
def _err(spec, **kw):
    with pytest.raises((SpecError, SummaryError)) as info:
        nndl.summary(spec, **kw)
    return info.value


def test_non_dividing_stride_is_an_error_with_the_fix():
    e = _err("input 224x224x3\nconv 96 11x11 stride=4")
    assert "line 2" in e.message and "Conv-1" in e.message
    assert "(224 − 11 + 2·0)/4 + 1 = 54.25" in e.message
    assert "an input of 227" in e.hint and "--floor" in e.hint
    e = _err("input 10x10x1; conv 1 4x4 stride=4")  # padding fixes this one
    assert "pad=1 gives (10 − 4 + 2·1)/4 + 1 = 3" in e.hint


def test_floor_follows_pytorch_with_a_note():
    s = nndl.summary("input 224x224x3; conv 96 11x11 stride=4", floor=True, verify=True)
    conv = s.layer("Conv-1")
    assert conv.output_shape == (96, 54, 54)
    assert tuple(tnn.Conv2d(3, 96, 11, 4)(torch.zeros(1, 3, 224, 224)).shape[1:]) == (96, 54, 54)
    assert conv.notes and "54.25" in conv.notes[0].en and "54.25" in conv.notes[0].zh
    assert s.notes


def test_kernel_larger_than_input():
    e = _err("input 5x5x1\nconv 2 7x7")
    assert "larger than the padded input" in e.message and "line 2" in e.message
    assert "pad=1" in e.hint


@pytest.mark.parametrize(("spec", "where", "what"), [
    ("input 0x227x3", "line 1", "positive"),
    ("input 227x227x3; conv 0 3x3", "column 23", "positive"),
    ("input 227x227x3; conv 4 3x3 stride=0", "line 1", "positive"),
    ("input 227x227x3; conv 4 3x3 pad=-1", "line 1", ">= 0"),
    ("input 227x227x3; conv 4 3x0", "line 1", "positive"),
    ("input 227x227x3; fc 0", "line 1", "positive"),
    ("input -5x5", "line 1", "positive"),
])
def test_zero_and_negative_sizes(spec, where, what):
    e = _err(spec)
    assert where in e.message and what in e.message


def test_unknown_keyword_and_option_suggest_the_closest():
    e = _err("input 227x227x3\nconvv 96 11x11")
    assert "line 2" in e.message and "convv" in e.message and "did you mean 'conv'" in e.hint
    e = _err("input 227x227x3\nconv 96 11x11 strid=4")
    assert "strid" in e.message and "did you mean 'stride'" in e.hint


def test_missing_input_line():
    e = _err("conv 96 11x11 stride=4")
    assert "input" in e.message and "input 227x227x3" in e.hint


def test_other_structural_errors():
    assert "image input" in _err("input 784; conv 4 3x3").message
    assert "depth 4" in _err("input 32x32x3; conv 4 3x3x4").message
    assert "second input" in _err("input 32x32x3; input 28x28").message
    assert "filters" in _err("input 32x32x3; conv 3x3").message
    assert "takes no arguments" in _err("input 32x32x3; relu 3").message


# ------------------------------------------------------------------ renderers and CLI
def test_json_and_markdown_render_the_same_numbers():
    s = nndl.summary(EX6)
    data = json.loads(render.to_json(s))
    assert data["total_params"] == 181_960_040
    assert [layer["name"] for layer in data["layers"]][0] == "Conv-1"
    first = data["layers"][0]
    assert set(first) >= {"name", "type", "output_shape", "neurons", "params", "mult_adds",
                          "formulas"}
    assert first["output_shape"] == [96, 55, 55] and first["output_shape_textbook"] == "55×55×96"
    for lang, word in (("en", "Total params"), ("zh", "参数总量")):
        md = render.to_markdown(s, lang, explain=True)
        assert word in md and "181,960,040" in md and "11·11·3·96 + 96 = 34,944" in md


def test_cli_table_explain_verify(capsys):
    assert main(["summary", EX6, "--explain", "--verify", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "181,960,040" in out and "(227 − 11 + 2·0)/4 + 1 = 55" in out
    assert "forward pass" in out


def test_cli_json_file_and_stdin(tmp_path, capsys):
    f = tmp_path / "alexnet.txt"
    f.write_text(EX6, encoding="utf-8")
    assert main(["summary", str(f), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["total_params"] == 181_960_040
    assert main(["summary", "conv 100 5x5", "--input", "300x300x3", "--format", "md",
                 "--lang", "zh"]) == 0
    assert "8,761,600" in capsys.readouterr().out


def test_cli_errors_have_no_traceback(capsys):
    assert main(["summary", "input 224x224x3; conv 96 11x11 stride=4"]) == 2
    err = capsys.readouterr().err
    assert "54.25" in err and "Traceback" not in err and "--floor" in err
    assert main(["summary", "input 224x224x3; conv 96 11x11 stride=4", "--floor",
                 "--format", "json", "--lang", "en"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["layers"][0]["output_shape"] == [96, 54, 54]
    assert "warning" in captured.err


def test_cli_help_documents_the_grammar(capsys):
    assert main(["summary", "--help"]) == 0
    out = capsys.readouterr().out
    for word in ("input 227x227x3", "maxpool", "dropout [p]", "--floor",
                 "--verify", "96@11x11/4"):
        assert word in out
    assert "leakyrelu [斜率]" in out or "leakyrelu [slope]" in out  # the help's language


def test_module_is_callable_and_function_importable():
    assert nndl.summary is not summarize
    assert nndl.summary("input 300x300x3; fc 100").total_params == \
        summarize("input 300x300x3; fc 100").total_params
