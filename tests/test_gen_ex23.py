"""nndl gen for exercises 2 and 3, against independent oracles.

Exercise 3 (200 seeds per difficulty): the network is what the level promises; the number of
θ′ factors reaching w⁽¹⁾ and their bound (max θ′)^L equal PyTorch autograd's gradient of a
chain network held at its steepest point (every S = 0, every weight 1), and max θ′ equals
autograd's θ′ over a grid; every wrong option is diagnosed by ``nndl check`` as its mistake
and never equals the key; the key is graded correct; the key is what ``nndl solve`` answers.

Exercise 2: see the second half of the file.
"""

from __future__ import annotations

import json
import math

import pytest
from oracles import require_torch

from nndl.check import check
from nndl.check.vanishing import KEYS
from nndl.gen import DIFFICULTIES, answer_text, from_id, generate
from nndl.gen import core as gen_core
from nndl.gen.render import to_json
from nndl.solutions import solve

torch = require_torch()

SEED = 2027
N3 = 200  # exercise 3 variants per difficulty (cheap: the numbers need no training)
_CACHE: dict = {}


def _variants(number: int, difficulty: str, count: int):
    key = (number, difficulty, count)
    if key not in _CACHE:
        _CACHE[key] = generate(number, count=count, seed=SEED, difficulty=difficulty)
    return _CACHE[key]


_TORCH_THETA = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
                "identity": lambda s: s}


def _torch_max_theta_prime(activation: str) -> float:
    s = torch.cat([torch.linspace(-8, 8, 16001, dtype=torch.float64),
                   torch.tensor([0.0, 1e-9], dtype=torch.float64)]).requires_grad_()
    _TORCH_THETA[activation](s).sum().backward()
    return float(s.grad.max())


def _torch_chain_gradient(layers: int) -> float:
    """∂ŷ/∂w⁽¹⁾ of a chain of ``layers`` sigmoid neurons, every weight 1 and every bias set so
    that every S is 0 (the sigmoid's steepest point): the product of the θ′ factors that
    reach w⁽¹⁾, each σ′(0), by autograd."""
    w1 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    x = torch.tensor(1.0, dtype=torch.float64)
    s = w1 * x - 1.0  # bias −1: S⁽¹⁾ = 0
    h = torch.sigmoid(s)
    for _ in range(layers - 1):
        s = 1.0 * h - torch.sigmoid(torch.tensor(0.0, dtype=torch.float64))  # S = 0 again
        h = torch.sigmoid(s)
    h.backward()
    return float(w1.grad)


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_exercise3_networks_follow_the_level(difficulty):
    from nndl.gen import ex3 as g3

    acts, (lo, hi), (u_lo, u_hi), (o_lo, o_hi), inits, deepest = g3._LEVELS[difficulty]
    vs = _variants(3, difficulty, N3)
    assert len({g3.normal(v.params) for v in vs}) == N3
    for v in vs:
        p = v.params
        p.validate()
        assert not p.is_sheet() and p.activation in acts and p.init in inits
        assert lo <= len(p.sizes) - 1 <= hi and o_lo <= p.sizes[-1] <= o_hi
        assert all(u_lo <= u <= u_hi for u in p.sizes[1:-1])
        assert any(0 <= d - max(p.depths) < p.depths[1] - p.depths[0] for d in deepest)
    for v in (vs[0], vs[-1]):  # the id rebuilds the variant
        assert from_id(v.id) == v.params


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_exercise3_key_equals_pytorch_autograd(difficulty):
    peaks = {a: _torch_max_theta_prime(a) for a in _TORCH_THETA}
    chains = {}
    for v in _variants(3, difficulty, N3):
        L = len(v.params.sizes) - 1
        if L not in chains:
            chains[L] = _torch_chain_gradient(L)
        # the count: log of the chain's gradient in units of log σ′(0)
        assert v.answers["theta_prime_factors_w1"] == round(
            math.log(chains[L]) / math.log(peaks["sigmoid"]))
        assert v.answers["max_theta_prime"] == pytest.approx(peaks[v.params.activation], rel=1e-9)
        assert v.answers["theta_prime_bound_w1"] == pytest.approx(
            peaks[v.params.activation] ** L, rel=1e-9)
        if v.params.activation == "sigmoid":  # the bound is attained: autograd's own product
            assert v.answers["theta_prime_bound_w1"] == pytest.approx(chains[L], rel=1e-9)


def _check_numbers(number: int, v, keys) -> int:
    """The key graded correct; each wrong option diagnosed as exactly its mistake."""
    report = check(number, {k: answer_text(v.answers[k]) for k in keys}, v.params)
    assert report.all_correct, (v.id, [(i.key, i.given) for i in report.items
                                       if i.verdict != "correct"])
    checked = 0
    for key, wrong in v.distractors.items():
        for value, mistake in wrong:
            assert not math.isclose(float(value), float(v.answers[key]), rel_tol=1e-3), \
                (v.id, key, value)
            item = check(number, {key: answer_text(value)}, v.params).items[0]
            assert item.verdict == "wrong" and item.mistakes == [mistake], \
                (v.id, key, value, mistake, item.mistakes)
            checked += 1
    return checked


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_exercise3_check_grades_the_key_and_diagnoses_every_wrong_option(difficulty):
    checked = sum(_check_numbers(3, v, KEYS) for v in _variants(3, difficulty, N3))
    assert checked >= 3 * N3
    mistakes = {m for v in _variants(3, difficulty, N3) for ds in v.distractors.values()
                for _, m in ds}
    want = {"no_theta_prime", "one_layer_short", "one_layer_over"}
    if any(v.params.activation == "sigmoid" for v in _variants(3, difficulty, N3)):
        want.add("sigma_for_sigma_prime")
    assert mistakes == want


def test_exercise3_key_is_what_nndl_solve_answers():
    v = _variants(3, "easy", N3)[0]
    solved = {a.key: a.value for a in solve(3, v.params).answers}
    for k, value in v.answers.items():
        assert solved[k] == value if isinstance(value, str) else \
            solved[k] == pytest.approx(value, rel=1e-11), k


def test_exercise3_same_seed_same_bytes_and_languages_share_the_data():
    a = to_json(generate(3, count=5, seed=7, difficulty="hard"), "en")
    assert a == to_json(generate(3, count=5, seed=7, difficulty="hard"), "en")
    zh = json.loads(to_json(generate(3, count=5, seed=7, difficulty="hard"), "zh"))
    for x, y in zip(zh["variants"], json.loads(a)["variants"], strict=True):
        assert x["problem"] != y["problem"]
        assert {k: x[k] for k in ("id", "params", "answers", "distractors")} == \
               {k: y[k] for k in ("id", "params", "answers", "distractors")}
    assert gen_core.module(3).normal(generate(3, 1, 7, "hard")[0].params) is not None


# ================================================================== exercise 2
# Each variant trains the neuron (the experiment behind nndl solve 2: about 1.5 s), so this
# half draws N2 variants per difficulty, not 200; every one is re-fitted by PyTorch.
N2 = 6


def _separable(Z, y) -> bool:
    """An LP (scipy): is there v with y·vᵀz ≥ 1 for every row z?"""
    import numpy as np
    from oracles import require

    linprog = require("scipy.optimize").linprog
    res = linprog(np.zeros(Z.shape[1]), A_ub=-(y[:, None] * Z), b_ub=-np.ones(len(Z)),
                  bounds=[(None, None)] * Z.shape[1], method="highs")
    return res.status == 0


def _torch_fit(X, y, lr: float, epochs: int, w0=None):
    """BP as the exercise trains it, by PyTorch: the mean of (σ(y·wᵀx) − 1)², full-batch
    gradient descent through the origin, from w0 (default 0)."""
    Xt = torch.tensor(X, dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.float64)
    w = torch.zeros(2, dtype=torch.float64) if w0 is None else w0.clone()
    w.requires_grad_()
    for _ in range(epochs):
        loss = ((torch.sigmoid(yt * (Xt @ w)) - 1) ** 2).mean()
        (g,) = torch.autograd.grad(loss, w)
        with torch.no_grad():
            w -= lr * g
    return w.detach()


def _torch_grad_norm(w, x, label: float) -> float:
    w = w.clone().requires_grad_()
    ell = (torch.sigmoid(label * (w @ torch.tensor(x, dtype=torch.float64))) - 1) ** 2
    ell.backward()
    return float(w.grad.norm())


def _line(equation: str):
    """'1 + 0.0004995·x1 − 0.001·x2' -> (b, w1, w2)."""
    import re

    text = equation.replace("−", "-").replace(" ", "")
    b = w1 = w2 = 0.0
    for sign, num, var in re.findall(r"([+-]?)([\d.e+-]*?\d(?:\.\d+)?(?:e[+-]?\d+)?)?(?:·?(x[12]))?(?=[+-]|$)",
                                     text):
        if not num and not var:
            continue
        v = float(num) if num else 1.0
        v = -v if sign == "-" else v
        if var == "x1":
            w1 = v
        elif var == "x2":
            w2 = v
        else:
            b = v
    return b, w1, w2


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_exercise2_outlier_effect_is_visible_and_key_equals_a_pytorch_refit(difficulty):
    import numpy as np

    from nndl.gen import ex2 as g2

    (lo, hi), r, dr, ts, lrs, must_separate = g2._LEVELS[difficulty]
    vs = _variants(2, difficulty, N2)
    assert len({g2.normal(v.params) for v in vs}) == N2
    for v in vs:
        p, key = v.params, v.answers
        X, y = p.X(), p.y()
        assert lo <= len(X) <= hi and np.abs(X).max() <= r and p.ts == ts and p.lr in lrs
        assert not p.is_sheet() and p.loss == "squared"
        assert _separable(X, y)  # through the origin: BP's boundary has no bias
        d = np.asarray(p.direction, dtype=np.float64)
        sep_all = all(_separable(np.hstack([np.ones((len(X) + 1, 1)), np.vstack([X, t * d])]),
                                 np.append(y, p.label)) for t in p.ts)
        assert key["pla_separates_all"] == sep_all and (sep_all or not must_separate)
        # BP on D re-fitted by PyTorch: the same boundary, graded by nndl check
        w = _torch_fit(X, y, p.lr, p.epochs)
        mine = f"{float(w[0])!r}*x1 + {float(w[1])!r}*x2"
        assert check(2, {"bp_boundary_D": mine}, p).all_correct, (v.id, mine, key["bp_boundary_D"])
        # the outlier: on the wrong side, and its gradient fades as t grows (autograd)
        assert p.label * float(w @ torch.tensor(d)) < 0
        t_max, t_min = max(p.ts), min(p.ts)
        g_max = _torch_grad_norm(w, t_max * d, p.label)
        assert math.isclose(key["x4_gradient_t_max"], g_max, rel_tol=1e-6, abs_tol=1e-300)
        assert g_max < 1e-3 and g_max < _torch_grad_norm(w, t_min * d, p.label) / 10
        # continued with the outlier vs without it (D's samples weighed as in the run with
        # it: the loss is a mean, so the reference steps lr·n/(n+1)): the turn, and the
        # outlier stays wrong
        X4, y4 = np.vstack([X, t_max * d]), np.append(y, p.label)
        n = len(X)
        w4 = _torch_fit(X4, y4, p.lr, p.epochs, w)
        ref = _torch_fit(X, y, p.lr * n / (n + 1), p.epochs, w)
        cos = float(w4 @ ref) / float(w4.norm() * ref.norm())
        turn = math.degrees(math.acos(max(-1.0, min(1.0, cos))))
        assert key["bp_turn_deg_t_max"] == pytest.approx(turn, rel=1e-4, abs=1e-5)  # rounding
        assert turn < 0.01  # the saturated outlier does not move BP's boundary
        assert key["bp_classifies_x4"] is False
        assert (p.label * float(w4 @ torch.tensor(t_max * d)) > 0) is False
        # PLA's line separates D ∪ {x(t_max)} where it is separable; else it is no key
        assert ("pla_boundary_t_max" in key) == _separable(
            np.hstack([np.ones((len(X4), 1)), X4]), y4)
        if "pla_boundary_t_max" in key:
            b, a1, a2 = _line(key["pla_boundary_t_max"])
            assert np.all(y4 * (b + X4 @ np.array([a1, a2])) > 0), key["pla_boundary_t_max"]


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_exercise2_check_grades_the_key_and_diagnoses_every_wrong_option(difficulty):
    vs = _variants(2, difficulty, N2)
    checked = sum(_check_numbers(2, v, ["x4_gradient_t_max"]) for v in vs)
    assert checked >= N2  # σ′ left out always gives a different (growing) number
    # every key at once (this solves the exercise: two variants)
    for v in vs[:2 if difficulty == "easy" else 1]:
        report = check(2, {k: answer_text(x) for k, x in v.answers.items()}, v.params)
        assert report.all_correct, [(i.key, i.given, i.expected) for i in report.items
                                    if i.verdict != "correct"]


def test_exercise2_key_is_what_nndl_solve_answers_and_ids_rebuild():
    v = _variants(2, "standard", N2)[0]
    solved = {a.key: a.value for a in solve(2, v.params).answers}
    assert set(v.answers) <= set(solved)
    for k, value in v.answers.items():
        assert solved[k] == value if isinstance(value, str | bool) else \
            solved[k] == pytest.approx(value, rel=1e-11, abs=1e-300), k
    assert from_id(v.id) == v.params


def test_exercise2_same_seed_same_bytes_and_languages_share_the_data():
    a = to_json(generate(2, count=2, seed=7, difficulty="easy"), "en")
    assert a == to_json(generate(2, count=2, seed=7, difficulty="easy"), "en")
    zh = json.loads(to_json(generate(2, count=2, seed=7, difficulty="easy"), "zh"))
    for x, y in zip(zh["variants"], json.loads(a)["variants"], strict=True):
        assert x["problem"] != y["problem"]
        assert {k: x[k] for k in ("id", "params", "answers", "distractors")} == \
               {k: y[k] for k in ("id", "params", "answers", "distractors")}
