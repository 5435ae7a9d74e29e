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
