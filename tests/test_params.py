"""Exercises 4-6 as functions of their parameters, against independent oracles: PyTorch
layer parameter counts and forward shapes (5, 6), PyTorch autograd (4); zh and en carry
the same numbers; bad parameters are refused by name before anything is computed."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from oracles import require_torch

from nndl.cli import main
from nndl.solutions import ex4, ex5, ex6, render, solve
from nndl.solutions.params import ParamError

torch = require_torch()


def _answers(solution) -> dict:
    return {a.key: a.value for a in solution.answers}


def _numbers(text: str) -> list[str]:
    return sorted(re.findall(r"\d[\d,]*(?:\.\d+)?", text))


def _same_numbers_in_both_languages(solution) -> None:
    """Every answer's display is language-neutral or carries the same digits in zh and en,
    and the Markdown of both languages holds the same multiset of answer numbers."""
    zh, en = render.to_markdown([solution], "zh"), render.to_markdown([solution], "en")
    for a in solution.answers:
        display = a.display if isinstance(a.display, str) else a.display.zh
        for n in _numbers(display):
            assert n in zh and n in en, (a.key, n)


# ------------------------------------------------------------------ exercise 5
@st.composite
def ex5_params(draw):
    w, h = draw(st.integers(4, 64)), draw(st.integers(4, 64))
    d = draw(st.integers(1, 4))
    kernel = draw(st.integers(1, min(w, h, 7)))
    pad = draw(st.integers(0, kernel - 1))
    divisors = [s for s in range(1, 5)
                if (w - kernel + 2 * pad) % s == 0 and (h - kernel + 2 * pad) % s == 0]
    stride = draw(st.sampled_from(divisors))
    return ex5.Params(image=(w, h, d), fc_units=draw(st.integers(1, 300)),
                      filters=draw(st.integers(1, 64)), kernel=kernel, stride=stride, pad=pad)


@settings(max_examples=25)
@given(ex5_params())
def test_exercise5_matches_torch_for_any_parameters(p):
    got = _answers(solve(5, p))
    w, h, d = p.image
    fc = torch.nn.Linear(w * h * d, p.fc_units)
    conv = torch.nn.Conv2d(d, p.filters, p.kernel, stride=p.stride, padding=p.pad)
    out = conv(torch.zeros(1, d, h, w)).shape
    assert got["fc_params"] == sum(t.numel() for t in fc.parameters())
    assert got["conv_params"] == sum(t.numel() for t in conv.parameters())
    assert got["conv_output_shape"] == [out[3], out[2], out[1]]  # W×H×D as the sheet writes it
    assert got["conv_neurons"] == out[1] * out[2] * out[3]


def test_exercise5_sheet_instance_keeps_the_sheet_text_and_errata():
    s = solve(5)
    assert s.params == ex5.Params() and s.params.is_sheet()
    assert s.statement.zh.startswith("对于一幅 300×300")
    assert s.errata
    other = solve(5, ex5.Params(image=(32, 32, 3)))
    assert "32×32" in other.statement.zh and "32×32" in other.statement.en
    assert not other.errata  # the sheet's "(300 − 5 / 1) + 1" slip is the sheet's only


@settings(max_examples=10)
@given(ex5_params())
def test_exercise5_zh_and_en_carry_the_same_numbers(p):
    _same_numbers_in_both_languages(solve(5, p))


@pytest.mark.parametrize("pairs, names", [
    ({"kernel": "400"}, "kernel"),
    ({"stride": "2"}, "stride"),
    ({"image": "3x3"}, "image"),
    ({"image": "0x10x3"}, "image"),
    ({"pad": "5"}, "pad"),
    ({"filters": "many"}, "filters"),
    ({"colour": "red"}, "colour"),
])
def test_exercise5_bad_parameters_are_named(pairs, names):
    with pytest.raises(ParamError) as err:
        ex5.Params.from_strings(pairs)
    assert names in err.value.message and err.value.hint


# ------------------------------------------------------------------ exercise 6
@st.composite
def cnn_specs(draw):
    """A random small CNN spec that works: convs and pools that fit, then fcs."""
    w, h, c = draw(st.integers(16, 48)), draw(st.integers(16, 48)), draw(st.integers(1, 4))
    lines = [f"input {w}x{h}x{c}"]
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            k = draw(st.integers(1, 5))
            s = draw(st.integers(1, 2))
            p = draw(st.integers(0, k // 2))
            if (w - k + 2 * p) % s or (h - k + 2 * p) % s or k > min(w, h) + 2 * p:
                continue
            ch = draw(st.integers(1, 16))
            lines.append(f"conv {ch} {k}x{k} stride={s} pad={p}")
            w, h = (w - k + 2 * p) // s + 1, (h - k + 2 * p) // s + 1
        else:
            if (w - 2) % 2 or (h - 2) % 2 or min(w, h) < 2:
                continue
            lines.append("maxpool 2x2 stride=2")
            w, h = (w - 2) // 2 + 1, (h - 2) // 2 + 1
    fcs = draw(st.lists(st.integers(1, 64), min_size=0 if len(lines) > 1 else 1, max_size=2))
    lines += [f"fc {n}" for n in fcs]
    return "\n".join(lines)


def _torch_model(spec: str):
    """The same network built directly in PyTorch from the spec's lines."""
    lines = spec.splitlines()
    w, h, c = (int(v) for v in lines[0].split()[1].split("x"))
    c_in = c
    mods = []
    flat = None
    for line in lines[1:]:
        parts = line.split()
        if parts[0] == "conv":
            k = int(parts[2].split("x")[0])
            kw = dict(x.split("=") for x in parts[3:])
            mods.append(torch.nn.Conv2d(c, int(parts[1]), k, stride=int(kw["stride"]),
                                        padding=int(kw["pad"])))
            c = int(parts[1])
        elif parts[0] == "maxpool":
            mods.append(torch.nn.MaxPool2d(2, 2))
        else:
            if flat is None:
                mods.append(torch.nn.Flatten())
                flat = torch.nn.Sequential(*mods)(torch.zeros(1, c_in, h, w)).shape[1]
                n_in = flat
            mods.append(torch.nn.Linear(n_in, int(parts[1])))
            n_in = int(parts[1])
    return torch.nn.Sequential(*mods)


@settings(max_examples=25)
@given(cnn_specs())
def test_exercise6_matches_torch_for_any_network(case):
    spec = case
    s = solve(6, ex6.Params(spec=spec, questions=()))
    model = _torch_model(spec)
    assume(len(model) > 0)
    got = _answers(s)
    assert got["total_params"] == sum(t.numel() for t in model.parameters())
    w, h, c = (int(v) for v in spec.splitlines()[0].split()[1].split("x"))
    x = torch.zeros(1, c, h, w)
    convs = pools = fcs = 0
    for m in model:
        x = m(x)
        if isinstance(m, torch.nn.Conv2d):
            convs += 1
            if f"conv{convs}_params" in got:
                assert got[f"conv{convs}_params"] == sum(t.numel() for t in m.parameters())
            if f"conv{convs}_image_size" in got:
                assert got[f"conv{convs}_image_size"] == [x.shape[3], x.shape[2]]
        elif isinstance(m, torch.nn.MaxPool2d):
            pools += 1
            if f"maxpool{pools}_output" in got:
                assert got[f"maxpool{pools}_output"] == [x.shape[3], x.shape[2], x.shape[1]]
                assert got[f"maxpool{pools}_neurons"] == x[0].numel()
        elif isinstance(m, torch.nn.Linear):
            fcs += 1
            if f"fc{fcs}_params" in got:
                assert got[f"fc{fcs}_params"] == sum(t.numel() for t in m.parameters())


def test_exercise6_asks_any_layer_and_refuses_what_is_not_there():
    spec = "input 32x32x1; conv 6 5x5; maxpool 2x2 stride=2; conv 16 5x5; fc 10"
    s = solve(6, ex6.Params.from_strings({"spec": spec, "questions": "conv2_params,fc1_params"}))
    assert _answers(s) == {"conv2_params": 16 * 6 * 25 + 16, "fc1_params": 16 * 10 * 10 * 10 + 10}
    with pytest.raises(ParamError, match="no layer FC-2"):
        ex6.Params.from_strings({"spec": spec, "questions": "fc2_params"})
    with pytest.raises(ParamError, match="spec:"):
        ex6.Params.from_strings({"spec": "input 32x32x1; conv 6 55x5"})
    with pytest.raises(ParamError, match="only its input line"):
        ex6.Params.from_strings({"spec": "input 32x32x1"})
    with pytest.raises(ParamError, match="not an answer key"):
        ex6.Params.from_strings({"questions": "everything"})


# ------------------------------------------------------------------ exercise 4
_EXPRS = ["(x+y)^2*z", "x*y+x", "sigmoid(w*x+b)", "exp(a)*b-a^3", "tanh(u*v)+u/v",
          "relu(p-q)*q", "log(m^2+1)*n", "sqrt(s^2+t^2)"]


@settings(max_examples=25)
@given(st.sampled_from(_EXPRS), st.lists(st.floats(-3, 3).filter(lambda v: abs(v) > 0.1),
                                         min_size=3, max_size=3))
def test_exercise4_matches_torch_autograd_for_any_expression(expr, numbers):
    names = ex4.Params._names(expr)
    values = dict(zip(names, numbers, strict=False))
    p = ex4.Params(expr, tuple(values.items()))
    got = _answers(solve(4, p))
    env = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in values.items()}
    torch_fns = {"sigmoid": torch.sigmoid, "exp": torch.exp, "tanh": torch.tanh,
                 "relu": torch.relu, "log": torch.log, "sqrt": torch.sqrt}
    f = eval(expr.replace("^", "**"), {"__builtins__": {}}, {**torch_fns, **env})  # test oracle only
    f.backward()
    assert got["f"] == pytest.approx(f.item(), rel=1e-9, abs=1e-12)
    for k, t in env.items():
        assert got[f"df/d{k}"] == pytest.approx(t.grad.item(), rel=1e-9, abs=1e-12)


def test_exercise4_values_under_their_own_names_from_the_command_line(capsys):
    assert main(["solve", "4", "expr=x*y+x", "x=2", "y=3", "-f", "json"]) == 0
    d = json.loads(capsys.readouterr().out)["exercises"][0]
    assert d["params"] == {"expr": "x*y+x", "x": 2.0, "y": 3.0}
    assert d["answers"]["f"] == 8 and d["answers"]["df/dx"] == 4 and d["answers"]["df/dy"] == 2
    assert not d["errata"]


@pytest.mark.parametrize("args, says", [
    (["expr=x*y", "x=1"], "no value for the variable y"),
    (["w=3"], "has no variable 'w'"),
    (["expr=log(x)", "x=0"], "log"),
    (["expr=x+"], "expr:"),
    (["x=abc"], "x='abc' is not a number"),
])
def test_exercise4_bad_parameters_exit_2_with_the_reason(capsys, args, says):
    assert main(["solve", "4", *args, "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


# ------------------------------------------------------------------ the command line
def test_params_lists_names_types_defaults_and_ranges(capsys):
    assert main(["solve", "5", "--params", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    for name in ("image", "fc_units", "filters", "kernel", "stride", "pad", "300x300x3"):
        assert name in out


def test_parameters_need_exactly_one_exercise(capsys):
    assert main(["solve", "1-3", "kernel=3", "--lang", "en"]) == 2
    assert "one exercise" in capsys.readouterr().err


def test_a_malformed_assignment_is_refused(capsys):
    assert main(["solve", "5", "kernel", "--lang", "en"]) == 2  # zh says 参数名=值
    assert "NAME=VALUE" in capsys.readouterr().err


def test_json_of_the_sheet_carries_its_params(capsys):
    assert main(["solve", "5", "-f", "json"]) == 0
    d = json.loads(capsys.readouterr().out)["exercises"][0]
    assert d["params"] == {"image": [300, 300, 3], "fc_units": 100, "filters": 100, "kernel": 5,
                           "stride": 1, "pad": 0}
    assert d["problem"]["zh"].startswith("对于一幅 300×300")


def test_exercise5_refuses_a_layer_too_big_to_verify():
    with pytest.raises(ParamError, match="fc_units"):
        ex5.Params.from_strings({"fc_units": "4335"})  # 300·300·3·4335 = 1.17e9 weights


def test_exercise_5_too_large_to_verify_names_the_parameters_not_verify():
    # the user never passed --verify: the refusal says which parameters make the solution's
    # own forward-pass check too large, and how to get the numbers without it
    from nndl.solutions import ex5, solve
    from nndl.solutions.params import ParamError

    with pytest.raises(ParamError) as e:
        solve(5, ex5.Params(kernel=99))
    assert "too large to check the answers by a real forward pass" in e.value.message
    assert 'nndl summary "input 300x300x3; conv 100 99x99' in e.value.hint
    assert "leave out --verify" not in str(e.value)
    assert "真实的前向传播" in e.value.message_in("zh")
