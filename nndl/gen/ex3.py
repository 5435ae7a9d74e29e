"""Variants of exercise 3: a fully connected network whose every neuron applies θ, its δ
recursion, and the bound the derivation puts on the vanishing gradient.

easy: the sigmoid, 2–4 weight layers of 2–5 units, one output, PyTorch's initialisation;
standard: the sigmoid or tanh, 3–5 weight layers of 2–8 units, one or two outputs, PyTorch's
or Xavier's initialisation; hard: the sigmoid, tanh or ReLU, 4–8 weight layers of 2–16
units, 1–4 outputs, any initialisation. The sweep's depths (what ``nndl solve`` measures)
grow with the level. The questions a student answers by hand: how many θ′ factors reach
w⁽¹⁾ (one per weight layer), the largest θ′, and their product's bound (max θ′)^L; the wrong
options are those numbers with a mistake of :mod:`nndl.check.vanishing` switched on (θ′
left out, σ taken for σ′, one layer short or too many), each kept only if ``nndl check``
diagnoses it. The derivation's two formulas (``delta_output``, ``gradient_rule``) are in
the key as LaTeX; the measured sweep keys are in ``nndl solve 3 --variant ID`` only."""

from __future__ import annotations

import random
from typing import Any

from nndl.check import check
from nndl.check.vanishing import KEYS, bound_numbers, mistaken_values
from nndl.deep import derive_backprop
from nndl.gen.core import answer_text
from nndl.solutions import ex3
from nndl.solutions.params import ParamError
from nndl.text import Text

_LEVELS = {  # activations, weight layers, unit range, outputs, inits, deepest sweep
    "easy": (("sigmoid",), (2, 4), (2, 5), (1, 1), ("pytorch",), (8, 10)),
    "standard": (("sigmoid", "sigmoid", "tanh"), (3, 5), (2, 8), (1, 2), ("pytorch", "xavier"),
                 (10, 12, 15)),
    "hard": (("sigmoid", "tanh", "relu"), (4, 8), (2, 16), (1, 4), ("pytorch", "xavier", "he"),
             (15, 20)),
}


def sample(rng: random.Random, difficulty: str) -> ex3.Params | None:
    acts, (lo, hi), (u_lo, u_hi), (o_lo, o_hi), inits, deepest = _LEVELS[difficulty]
    layers = rng.randint(lo, hi)
    sizes = (rng.randint(2, 4),) + tuple(rng.randint(u_lo, u_hi) for _ in range(layers - 1)) \
        + (rng.randint(o_lo, o_hi),)
    last = rng.choice(deepest)
    step = rng.choice((1, 2)) if difficulty != "easy" else 2
    depths = tuple(range(2, last + 1, step))
    p = ex3.Params(sizes=sizes, activation=rng.choice(acts), init=rng.choice(inits),
                   depths=depths)
    try:
        p.validate()
    except ParamError:
        return None
    return None if p.is_sheet() else p


def normal(p: ex3.Params) -> Any:
    return p


_ASK = Text("（1）∂ℓ/∂w⁽¹⁾ 中有几个 θ′ 因子？（2）θ′ 的最大值是多少？"
            "（3）这些 θ′ 因子之积的上界是多少？",
            " (1) How many θ′ factors does ∂ℓ/∂w⁽¹⁾ carry? (2) What is the largest value of θ′? "
            "(3) What bound does that put on the product of those θ′ factors?")


def problem(p: ex3.Params) -> Text:
    return ex3.statement(p) + _ASK


def answers(p: ex3.Params) -> dict[str, Any]:
    """The derivation's two formulas as ``nndl solve 3`` gives them, and the bound's numbers."""
    d = derive_backprop(depth=len(p.sizes) - 1, activation=p.activation)
    out: dict[str, Any] = {"delta_output": d.delta[1], "gradient_rule": d.gradient[-1]}
    out.update(bound_numbers(p.sizes, p.activation) or {})
    return out


def shown(answers: dict[str, Any], wrong: dict[str, list[tuple[Any, str]]]) -> dict[str, Text]:
    """The derivation's formulas for reading: the index form, then the vector form (the key
    keeps the LaTeX, the two forms side by side as ``nndl solve 3`` writes them)."""
    out = {}
    for k in ("delta_output", "gradient_rule"):
        index, _, vector = (part.strip() for part in answers[k].partition(r"\qquad"))
        out[answers[k]] = (Text(f"${index}$\n向量形式：${vector}$", f"${index}$\nvector form: ${vector}$")
                           if vector else Text.same(f"${index}$"))
    return out


def labels(p: ex3.Params) -> dict[str, Text]:
    """The labels of the keys that become questions (the bound's numbers), as ``nndl solve``'s."""
    return dict(ex3.BOUND_LABELS)


def distractors(p: ex3.Params, key: dict[str, Any]) -> dict[str, list[tuple[Any, str]]]:
    out: dict[str, list[tuple[Any, str]]] = {}
    for k in KEYS:
        kept = []
        for value, mistake in mistaken_values(p.sizes, p.activation, k):
            item = check(3, {k: answer_text(value)}, p).items[0]
            if item.verdict == "wrong" and item.mistakes == [mistake]:
                kept.append((value, mistake))
        out[k] = kept
    return out
