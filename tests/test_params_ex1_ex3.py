"""Exercises 1 and 3 as functions of their parameters (issue 13 §1): for drawn parameters each
solves; its answers agree with independent oracles (SymPy differentiation of definitions
written here from PyTorch's documentation; PyTorch autograd); zh and en carry the same
numbers; bad parameters raise ParamError naming the parameter; the sheet's instance is the
default."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracles import require_torch

from nndl.activations import SEED_NAMES, get
from nndl.activations import names as registry_names
from nndl.cli import main
from nndl.deep import check_gradients
from nndl.deep.backprop import ACTIVATIONS, INITS
from nndl.solutions import ex1, ex3, solve
from nndl.solutions.model import fmt_num, problem_text
from nndl.solutions.params import ParamError, show
from nndl.solutions.render import to_data, to_markdown

torch = require_torch()
SLOW = settings(max_examples=5, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ------------------------------------------------------------------ oracle: exercise 1
X = sp.Symbol("x", real=True)
_SELU_ALPHA = sp.Float("1.6732632423543772848170429916717", 30)
_SELU_SCALE = sp.Float("1.0507009873554804934193349852946", 30)
_SIG = 1 / (1 + sp.exp(-X))
# each activation as PyTorch documents it (default parameters), written independently of nndl
DEFINITIONS = {
    "sigmoid": _SIG,
    "tanh": sp.tanh(X),
    "relu": sp.Piecewise((0, X <= 0), (X, True)),
    "leaky_relu": sp.Piecewise((X, X > 0), (sp.Rational(1, 100) * X, True)),
    "elu": sp.Piecewise((X, X > 0), (sp.exp(X) - 1, True)),
    "selu": _SELU_SCALE * sp.Piecewise((X, X > 0), (_SELU_ALPHA * (sp.exp(X) - 1), True)),
    "softplus": sp.log(1 + sp.exp(X)),
    "gelu": X * (1 + sp.erf(X / sp.sqrt(2))) / 2,
    "gelu_tanh": X / 2 * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (X + sp.Rational(44715, 10**6) * X**3))),
    "silu": X * _SIG,
    "mish": X * sp.tanh(sp.log(1 + sp.exp(X))),
    "hardsigmoid": sp.Piecewise((0, X <= -3), (1, X >= 3), (X / 6 + sp.Rational(1, 2), True)),
    "hardtanh": sp.Piecewise((-1, X <= -1), (1, X >= 1), (X, True)),
}
# the function symbol each answer may use for f itself (f′ rewritten in terms of f)
_SELF = {"sigmoid": "σ", "relu": "ReLU", "leaky_relu": "LeakyReLU", "elu": "ELU", "selu": "SELU",
         "softplus": "softplus", "gelu": "GELU", "silu": "SiLU", "mish": "Mish",
         "hardsigmoid": "hardsigmoid", "hardtanh": "hardtanh"}
_PARAMS = {"a": sp.Rational(1, 100), "alpha": 1, "lam": _SELU_SCALE}
POINTS = (-4.7, -2.2, -0.8, -0.3, 0.4, 1.3, 2.6, 4.1)  # no kink (0, ±1, ±3) among them


def _answer_expr(name: str, plain: str):
    """The answer's printed f′ ('(1 - σ(x))·σ(x)', '{0 if x ≤ 0; 1 otherwise}', …) as SymPy."""
    local = {"x": X, "sigma": sp.Lambda(X, _SIG), "pi": sp.pi, "E": sp.E, **_PARAMS}
    if name == "selu":
        local["alpha"] = _SELU_ALPHA
    if name in _SELF and name != "sigmoid":
        local["self_f"] = sp.Lambda(X, DEFINITIONS[name])

    def to_sympy(text: str):
        t = text.strip()
        if name in _SELF and name != "sigmoid":
            t = t.replace(_SELF[name] + "(", "self_f(")
        for a, b in (("e^(", "exp("), ("·", "*"), ("^", "**"), ("√", "sqrt"), ("π", "pi"),
                     ("σ(", "sigma("), ("α", "alpha"), ("λ", "lam"), ("≤", "<="), ("≥", ">=")):
            t = t.replace(a, b)
        return sp.sympify(t, locals=local)

    if not plain.startswith("{"):
        return to_sympy(plain)
    branches = []
    for part in plain[1:-1].split("; "):
        if part.endswith(" otherwise"):
            branches.append((to_sympy(part[: -len(" otherwise")]), True))
        else:
            value, cond = part.split(" if ")
            branches.append((to_sympy(value), to_sympy(cond)))
    return sp.Piecewise(*branches)


def _max_abs_slope(name: str) -> float:
    import scipy.special

    d = sp.lambdify(X, sp.diff(DEFINITIONS[name], X), modules=[{"erf": scipy.special.erf}, "numpy"])
    x = np.concatenate([np.linspace(-20, 20, 40001), [0.0]])  # a limit at ±∞ is reached by ±20
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.nanmax(np.abs(np.broadcast_to(d(x), x.shape))))


# ------------------------------------------------------------------ helpers
_DECIMAL = re.compile(r"[−-]?\d+\.\d+(?:e[+-]\d+)?(?:×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?|\d+e[+-]\d+")


def _decimals(md: str) -> set[str]:
    body = "\n".join(line for line in md.splitlines() if "data:image" not in line)
    return set(_DECIMAL.findall(body))


def _same_numbers(solution) -> None:
    zh, en = to_markdown([solution], "zh"), to_markdown([solution], "en")
    assert _decimals(zh) == _decimals(en)
    for a in solution.answers:
        if isinstance(a.display, str) and a.display:
            assert a.display in zh and a.display in en, a.key


NAMES = st.lists(st.sampled_from(registry_names()), min_size=1, max_size=3, unique=True)


# ------------------------------------------------------------------ exercise 1
@SLOW
@given(NAMES)
def test_ex1_any_activations_match_sympy(names):
    p = ex1.Params(names=tuple(names))
    s = solve(1, p)
    data = to_data([s])["exercises"][0]
    assert data["params"] == {"names": list(names)}
    assert [a.key for a in s.answers] == [f"{n}_{k}" for n in names for k in ("derivative", "max_slope")]
    for n in names:
        shown = _answer_expr(n, data["answers"][f"{n}_derivative"])
        oracle = sp.diff(DEFINITIONS[n], X)
        for x0 in POINTS:
            assert float(shown.subs(X, x0).evalf(30)) == pytest.approx(
                float(oracle.subs(X, x0).evalf(30)), rel=1e-9, abs=1e-12), (n, x0)
        assert data["answers"][f"{n}_max_slope"] == pytest.approx(_max_abs_slope(n), rel=1e-5)
    assert all(c["passed"] for c in data["checks"])
    # sections (1)…(k) follow the names; the figure and the summary mention every one
    titles = [sec.title.en for sec in s.sections]
    for i, a in enumerate(s.answers[::2], start=1):
        assert titles[i - 1].startswith(f"({i}) ")
        assert a.label.en.removeprefix("derivative of ").lower() in s.figures[0].caption.en.lower()
    assert (s.statement == problem_text(1)[1]) == (tuple(names) == SEED_NAMES)
    for n in set(names) - {"sigmoid", "tanh"}:
        assert get(n).label("zh") in s.statement.zh and get(n).title in s.statement.en
    assert any(e for e in data["errata"]) == ("relu" in names)
    _same_numbers(s)


def test_ex1_sheet_instance_unchanged():
    p = ex1.Params()
    assert p.names == SEED_NAMES and p.is_sheet()
    assert ex1.statement(p) == problem_text(1)[1]
    assert ex1.Params.from_strings({"names": show(p.names)}) == p
    assert ex1.Params.from_strings({"names": "Logistic, TANH,relu"}) == p  # aliases, any case
    s = solve(1)
    keys = [a.key for a in s.answers]
    assert keys == ["sigmoid_derivative", "sigmoid_max_slope", "tanh_derivative", "tanh_max_slope",
                    "relu_derivative", "relu_max_slope"]
    assert s.sections[-1].title.en == "Summary: why sigmoid makes gradients vanish in deep nets"
    assert len(s.checks) == 5 and len(s.errata) == 1


def test_ex1_statement_in_the_sheets_words():
    st_ = ex1.statement(ex1.Params(names=("gelu", "tanh")))
    assert st_.zh == "计算 GELU 函数和双曲正切函数的导数函数，分析这两个函数作为激活函数时的优缺点。"
    assert st_.en == ("Compute the derivatives of GELU and the hyperbolic tangent, and analyse the "
                      "strengths and weaknesses of these two functions as activation functions.")
    one = ex1.statement(ex1.Params(names=("silu",)))
    assert "这个函数" in one.zh and "this function" in one.en


@pytest.mark.parametrize("text", ["foo", "sigmoid,bogus", "", " , ", "relu,relu"])
def test_ex1_bad_names(text):
    with pytest.raises(ParamError, match="names"):
        ex1.Params.from_strings({"names": text})


def test_ex1_bad_names_from_python():
    for bad in (("nope",), (), ("relu", "relu")):
        with pytest.raises(ParamError, match="names"):
            solve(1, ex1.Params(names=bad))


def test_cli_ex1_names(capsys):
    assert main(["solve", "1", "names=gelu,silu", "-f", "json"]) == 0
    ex = json.loads(capsys.readouterr().out)["exercises"][0]
    assert ex["params"] == {"names": ["gelu", "silu"]}
    assert set(ex["answers"]) == {"gelu_derivative", "gelu_max_slope", "silu_derivative",
                                  "silu_max_slope"}
    assert "GELU" in ex["problem"]["zh"] and "SiLU" in ex["problem"]["en"]
    assert main(["solve", "1", "names=gelu,bogus"]) == 2
    err = capsys.readouterr().err
    assert "names" in err and "bogus" in err


# ------------------------------------------------------------------ exercise 3
SIZES = st.lists(st.integers(1, 5), min_size=2, max_size=5).map(tuple)
DEPTHS = st.lists(st.integers(1, 10), min_size=2, max_size=4, unique=True).map(lambda d: tuple(sorted(d)))


def _torch_grads(g):
    """∂ℓ/∂W⁽ˡ⁾ of the check's network, by PyTorch autograd (float64)."""
    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
           "identity": lambda v: v}[g.activation]
    Ws = [torch.tensor(np.array(W), dtype=torch.float64, requires_grad=True) for W in g.weights]
    h = torch.tensor([g.x], dtype=torch.float64)
    for W in Ws:
        h = act(h @ W[1:] + W[0])
    loss = ((h - torch.tensor([g.y], dtype=torch.float64)) ** 2).sum()
    loss.backward()
    return float(loss.detach()), [W.grad.numpy() for W in Ws]


@SLOW
@given(SIZES, st.sampled_from(ACTIVATIONS), st.sampled_from(INITS), DEPTHS)
def test_ex3_any_network_matches_torch(sizes, activation, init, depths):
    p = ex3.Params(sizes=sizes, activation=activation, init=init, depths=depths)
    s = solve(3, p)
    data = to_data([s])["exercises"][0]
    assert data["params"] == {"sizes": list(sizes), "activation": activation, "init": init,
                              "depths": list(depths)}
    L = len(sizes) - 1
    a = data["answers"]
    assert f"\\delta_{{j}}^{{({L})}}" in a["delta_output"]
    assert "w_{ij}^{(1)}" in a["gradient_rule"]
    # the numeric instance the solution shows, against PyTorch
    g = ex3._numeric_instance(p)  # seed 0, or the first seed whose point is off ReLU's kink
    assert (g.sizes, g.activation, g.init) == (list(sizes), activation, init)
    assert g == check_gradients(sizes, activation=activation, init=init, seed=g.seed)
    assert a["three_way_max_diff"] == max(g.max_abs_diff.values()) < 1e-7
    loss, grads = _torch_grads(g)
    assert loss == pytest.approx(g.loss_value, rel=1e-12, abs=1e-14)
    for mine, theirs in zip(g.grads_delta, grads, strict=True):
        np.testing.assert_allclose(np.array(mine), theirs, rtol=1e-9, atol=1e-12)
    text = "\n".join(b.text.en for sec in s.sections for b in sec.blocks if hasattr(b, "text"))
    assert f"Network {'-'.join(map(str, sizes))}" in text and f"seed {g.seed})" in text
    assert f"ℓ = {fmt_num(loss, 6)}" in text
    assert s.checks[0].passed
    # the sweep covers the depths asked for, with the initialisation asked for
    table = next(b for b in s.sections[-1].blocks if hasattr(b, "rows"))
    assert [int(r[0]) for r in table.rows] == list(depths)
    assert 0 < a["sigmoid_factor_per_layer"] < 1
    for n in sizes:
        assert str(n) in s.statement.zh and str(n) in s.statement.en
    _same_numbers(s)


def test_ex3_sheet_instance_unchanged():
    p = ex3.Params()
    assert (p.sizes, p.activation, p.init, p.depths) == (
        (3, 4, 3, 1), "sigmoid", "pytorch", (2, 4, 6, 8, 10, 15, 20))
    assert p.is_sheet() and ex3.statement(p) == problem_text(3)[1]
    assert ex3.title(p) == problem_text(3)[0]
    assert ex3.Params.from_strings({k: show(getattr(p, k)) for k in
                                    ("sizes", "activation", "init", "depths")}) == p
    assert ex3.Params.from_strings({"sizes": "(3, 4, 3, 1)", "depths": "2,4,6,8,10,15,20"}) == p
    assert ex3.Params.from_strings({"depths": "2-5"}).depths == (2, 3, 4, 5)
    assert p.sweep_depths(full=True) == tuple(range(2, 31))
    assert ex3.Params(depths=(2, 3)).sweep_depths(full=True) == (2, 3)


def test_ex3_statement_and_title_follow_the_network():
    p = ex3.Params(sizes=(5, 8, 2), activation="tanh", init="xavier")
    t, st_ = ex3.title(p), ex3.statement(p)
    assert t.zh == "含一个隐藏层的 tanh 网络的梯度与梯度消失"
    assert t.en == "Gradients of a one-hidden-layer tanh network, and the vanishing gradient"
    assert "5 维输入" in st_.zh and "8 个神经元" in st_.zh and "Xavier" in st_.zh
    assert "5-dimensional input" in st_.en and "hidden layer of 8 neurons" in st_.en
    assert "$w_{ij}^{(2)}$" in st_.zh and "$w_{ij}^{(2)}$" in st_.en


@pytest.mark.parametrize("name,text", [
    ("sizes", "0,3"), ("sizes", "3"), ("sizes", "a,b"), ("sizes", "3,-1"), ("sizes", ""),
    ("sizes", "200,200,2"), ("sizes", ",".join(["2"] * 53)), ("activation", "gelu"),
    ("init", "zeros"), ("depths", "5"), ("depths", "2-300"), ("depths", "ten"), ("depths", "9-3"),
])
def test_ex3_bad_parameters(name, text):
    with pytest.raises(ParamError, match=name):
        ex3.Params.from_strings({name: text})


def test_ex3_bad_parameters_from_python():
    for kwargs, name in (({"sizes": (3, 0, 1)}, "sizes"), ({"sizes": (3,)}, "sizes"),
                         ({"activation": "softplus"}, "activation"), ({"depths": (4,)}, "depths"),
                         ({"depths": (0, 5)}, "depths")):
        with pytest.raises(ParamError, match=name):
            solve(3, ex3.Params(**kwargs))


def test_cli_ex3_params(capsys):
    assert main(["solve", "3", "sizes=2x3x1", "activation=relu", "depths=2,6", "-f", "json"]) == 0
    ex = json.loads(capsys.readouterr().out)["exercises"][0]
    assert ex["params"] == {"sizes": [2, 3, 1], "activation": "relu", "init": "pytorch",
                            "depths": [2, 6]}
    assert "ReLU" in ex["problem"]["zh"]
    assert main(["solve", "3", "--params", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "sizes" in out and "3x4x3x1" in out and "depths" in out
