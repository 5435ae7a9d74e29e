"""Exercise 3: the δ recursion vs. the engine vs. finite differences vs. PyTorch; the LaTeX
derivation; the vanishing-gradient sweep."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import require_torch

from nndl.deep import (
    BackpropError,
    check_gradients,
    delta_backprop,
    derive_backprop,
    engine_grads,
    init_weights,
    make_network,
    vanishing_sweep,
)
from nndl.deep.vanish import measure, parse_depths

torch = require_torch()


def _torch_grads(net, X, y, loss):
    Ws = [torch.tensor(W, dtype=torch.float64, requires_grad=True) for W in net.weights]
    h = torch.tensor(np.atleast_2d(X), dtype=torch.float64)
    acts = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
            "identity": lambda v: v}
    for l, W in enumerate(Ws, start=1):
        h = acts[net.activation_of(l)](h @ W[1:] + W[0])
    yt = torch.tensor(np.asarray(y, dtype=np.float64).reshape(h.shape))
    ell = ((h - yt) ** 2).sum() if loss == "squared" else \
        torch.nn.functional.binary_cross_entropy(h, yt, reduction="sum")
    ell.backward()
    return [W.grad.numpy() for W in Ws]


@pytest.mark.parametrize("loss", ["squared", "bce"])
def test_three_routes_agree_on_the_seeds_network(loss):
    c = check_gradients((3, 4, 3, 1), activation="sigmoid", loss=loss, seed=0)
    assert c.agree
    assert c.max_abs_diff["delta-engine"] < 1e-14
    assert c.max_abs_diff["delta-fd"] < 1e-8 and c.max_abs_diff["engine-fd"] < 1e-8
    net = make_network((3, 4, 3, 1), "sigmoid", seed=0)
    for mine, ref in zip(c.grads_delta, _torch_grads(net, np.array(c.x), np.array(c.y), loss),
                         strict=True):
        np.testing.assert_allclose(mine, ref, rtol=1e-12, atol=1e-15)


@settings(max_examples=20)
@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=6),
       act=st.sampled_from(["sigmoid", "tanh", "relu"]), seed=st.integers(0, 1000),
       init=st.sampled_from(["pytorch", "xavier", "he"]))
def test_delta_recursion_matches_engine_and_torch_any_depth(sizes, act, seed, init):
    net = make_network(sizes, act, init=init, seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((3, sizes[0]))
    y = rng.standard_normal((3, sizes[-1]))
    dp = delta_backprop(net, X, y)
    ge, ell = engine_grads(net, X, y)
    assert ell == pytest.approx(dp.loss, rel=1e-12)
    for a, b, c in zip(dp.grads, ge, _torch_grads(net, X, y, "squared"), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-13)


def test_finite_differences_for_tanh_and_a_deeper_net():
    c = check_gradients((2, 5, 5, 5, 5, 2), activation="tanh", seed=4)
    assert c.agree and len(c.layer_max_abs_diff) == 5


def test_init_matches_pytorch_schemes():
    torch.manual_seed(0)
    lin = torch.nn.Linear(50, 40)
    bound = 1 / np.sqrt(50)
    # PyTorch's default draws weights and biases within ±1/√fan_in; so do ours
    assert lin.weight.abs().max().item() <= bound and lin.bias.abs().max().item() <= bound
    W = init_weights((50, 40), "pytorch", 0)[0]
    assert np.abs(W).max() <= bound and np.abs(W).max() > 0.95 * bound
    assert np.var(W[1:]) == pytest.approx(lin.weight.var().item(), rel=0.15)
    Wx = init_weights((50, 40), "xavier", 0)[0]
    tx = torch.empty(40, 50)
    torch.nn.init.xavier_uniform_(tx)
    assert np.var(Wx[1:]) == pytest.approx(tx.var().item(), rel=0.15) and not Wx[0].any()
    Wh = init_weights((200, 100), "he", 0)[0]
    th = torch.empty(100, 200)
    torch.nn.init.kaiming_normal_(th, nonlinearity="relu")
    assert np.std(Wh[1:]) == pytest.approx(th.std().item(), rel=0.05)


def test_derivation_in_the_seeds_notation_any_depth():
    from latex2mathml.converter import convert

    for L in range(1, 7):
        d = derive_backprop(L)
        for eq in d.all_equations():
            convert(eq)                                    # well-formed LaTeX
        assert len(d.delta) == L + 1 and len(d.gradient) == L
        first = d.unrolled[-1]                             # ∂ℓ/∂w_ij^(1), unrolled
        assert first.count(r"\theta'") == L                # one θ′ per layer: the product
        assert first.count(r"\sum") == L - 1
        assert f"S_{{j}}^{{({L})}}" in "".join(d.forward)
    seed = derive_backprop(3)
    assert r"\hat{y}_{j} = \theta\left(S_{j}^{(3)}\right)" in seed.forward
    assert r"\mathbf{x}^{(0)} \boldsymbol{\delta}^{(1)\top}" in seed.gradient[-1]
    assert "0.015625" in seed.vanishing[-1]                # (1/4)^3, computed


def test_bad_arguments_raise_with_hints():
    with pytest.raises(BackpropError, match="layer 1 has 0 units"):
        make_network((3, 0, 1))
    with pytest.raises(BackpropError, match="unknown activation"):
        derive_backprop(3, "swish")
    with pytest.raises(BackpropError, match="item 2"):
        parse_depths("2,x")
    with pytest.raises(BackpropError, match="init"):
        vanishing_sweep([2], inits=["glorot"])


def test_a_huge_depth_range_is_refused_before_it_is_expanded(monkeypatch):
    # no range past the bound is ever expanded (10^12 depths would not fit in memory)
    import builtins

    import nndl.deep.vanish as vanish

    def small_range(a, b):
        if b - a > 200:
            raise AssertionError(f"range({a}, {b}) built")
        return builtins.range(a, b)

    monkeypatch.setattr(vanish, "range", small_range, raising=False)
    for spec, item in (("1-999999999999", "item 1"), ("2,0-3", "item 2"), ("201", "item 1")):
        with pytest.raises(BackpropError, match=f"{item} .* outside 1 to 200 hidden layers") as e:
            parse_depths(spec)
        assert "between 1 and 200" in e.value.hint
    monkeypatch.undo()
    assert parse_depths("2-4, 200") == [2, 3, 4, 200]
    with pytest.raises(BackpropError, match=r"depths \(0–3\) outside 1 to 200"):
        vanishing_sweep([0, 3])


@pytest.fixture(scope="module")
def sweep():
    return vanishing_sweep(range(2, 21), width=16, batch=32)


def test_sigmoid_first_layer_gradient_falls_faster_than_relu(sweep):
    for init in sweep.inits:
        tr = {t.activation: t for t in sweep.trends if t.init == init}
        assert tr["sigmoid"].slope_log10_per_layer < tr["relu"].slope_log10_per_layer, init
        assert tr["sigmoid"].factor_per_layer < 0.5
        s2 = sweep.run("sigmoid", init, 2).first_layer_norm
        s20 = sweep.run("sigmoid", init, 20).first_layer_norm
        assert s20 < 1e-4 * s2


def test_sigmoid_dtheta_products_respect_the_quarter_bound(sweep):
    for init in sweep.inits:
        for d in sweep.depths:
            for lay in sweep.run("sigmoid", init, d).layers[:d]:
                assert 0 < lay.mean_dtheta <= 0.25
                assert lay.dtheta_product <= lay.sigmoid_bound * (1 + 1e-12)


def test_sweep_norms_equal_the_delta_recursion():
    from nndl.deep.backprop import INITS, Network, forward
    from nndl.deep.vanish import init_weights as iw

    run = measure(6, "tanh", "xavier", width=8, batch=5, seed=2)
    rng = np.random.default_rng([2, 6, INITS.index("xavier")])
    sizes = [8] * 7 + [1]
    net = Network(sizes, "tanh", "identity", iw(sizes, "xavier", rng))
    X, y = rng.standard_normal((5, 8)), rng.standard_normal((5, 1))
    dp = delta_backprop(net, X, y)
    np.testing.assert_allclose([lay.grad_norm for lay in run.layers],
                               [np.linalg.norm(g) for g in dp.grads], rtol=1e-12)
    S, _ = forward(net, X)
    assert run.layers[0].mean_dtheta == pytest.approx(np.mean(1 - np.tanh(S[0]) ** 2))


# ------------------------------------------------------------------ CLI
def test_cli_vanish_json_and_plot(tmp_path, capsys):
    from nndl.cli import main

    fig = tmp_path / "v.png"
    assert main(["vanish", "-d", "2-5", "--width", "8", "-f", "json", "--plot", str(fig)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["depths"] == [2, 3, 4, 5] and len(data["runs"]) == 4 * 9
    assert fig.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_vanish_text_and_md(lang, capsys):
    from nndl.cli import main

    assert main(["vanish", "-d", "3,6", "-a", "sigmoid,relu", "-i", "pytorch", "-l", lang]) == 0
    out = capsys.readouterr().out
    assert "0.25^(L−l+1)" in out
    assert main(["vanish", "-d", "3", "-f", "md", "-l", lang]) == 0
    assert "| " in capsys.readouterr().out


def test_cli_vanish_bad_activation(capsys):
    from nndl.cli import main

    assert main(["vanish", "-a", "softsign"]) == 2
    assert "softsign" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["text", "md", "json"])
def test_cli_backprop(fmt, capsys):
    from nndl.cli import main

    assert main(["experiment", "backprop", "--layers", "3", "-f", fmt, "-l", "en"]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        data = json.loads(out)
        assert data["check"]["agree"] and data["derivation"]["depth"] == 3
    elif fmt == "md":
        assert "agree" in out and r"\delta" in out
    else:  # the terminal reads Unicode, not LaTeX (issue 20)
        assert "agree" in out and "δ⁽¹⁾" in out and "\\" not in out
    assert main(["experiment", "backprop", "--sizes", "3,x"]) == 2


# ------------------------------------------------------------------ issue 20's bugs
@pytest.mark.parametrize("fmt", ["text", "md"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_depth_prints_no_nan(fmt, lang):
    """nndl vanish -d 10 -a sigmoid -i pytorch printed "+nan" and "×nan": one depth has no
    trend over depth, so the trend table is left out and the summary says why."""
    from nndl.deep import render

    s = vanishing_sweep("10", ["sigmoid"], ["pytorch"], width=8, batch=8)
    out = render.to_text(s, lang, width=120) if fmt == "text" else render.to_markdown(s, lang)
    assert "nan" not in out.lower()
    assert ("-d 2-30" in out) and ("10" in out)
