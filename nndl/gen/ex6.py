"""Variants of exercise 6: a convolutional network built of stages (convolution, sometimes
two, then pooling) and fully connected layers, as real CNNs are.

easy: a small image (16–32 px), 1–2 stages of one 3×3 or 5×5 convolution (stride 1, no or
"same" padding, 16–64 filters) and 2×2/2 max pooling, then one or two small fully
connected layers; standard: 32–227 px, 2–3 stages, a first convolution up to 11×11 with
stride up to 4, 16–512 filters, 2×2/2 or 3×3/2 pooling, two fully connected layers;
hard: 96–256 px, 3–4 stages, a large strided first convolution (7×7 to 11×11, stride 2–4),
stages of two convolutions, a stage without pooling, up to three fully connected layers,
and questions about the last stage as well. At every level each convolution and pooling
output is a whole number, the last feature map is at least 2×2, and the network has at
most 1 (easy), 30 (standard) or 100 (hard) million parameters (the sheet's: 182 million),
so that ``nndl solve`` and ``nndl check``, which build every weight, stay quick."""

from __future__ import annotations

import random
from typing import Any

from nndl.check.layers import chain
from nndl.check.problems import exercise6_questions
from nndl.gen.layers import layer_distractors
from nndl.solutions import ex6
from nndl.summary import summary
from nndl.summary.core import spec_model
from nndl.text import Text

FILTERS = (16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)
LIMIT = {"easy": 1_000_000, "standard": 30_000_000, "hard": 100_000_000}


class _Reject(Exception):
    """This draw breaks a constraint: draw again."""


def _side(n: int, k: int, p: int, s: int) -> int:
    if k > n + 2 * p or (n - k + 2 * p) % s:
        raise _Reject
    return (n - k + 2 * p) // s + 1


def _conv(lines: list[str], side: int, filters: int, k: int, s: int, p: int) -> int:
    out = _side(side, k, p, s)
    lines.append(f"conv {filters} {k}x{k}" + (f" stride={s}" if s != 1 else "")
                 + (f" pad={p}" if p else ""))
    return out


def _pool(lines: list[str], side: int, k: int, s: int) -> int:
    out = _side(side, k, 0, s)
    lines.append(f"maxpool {k}x{k} stride={s}")
    return out


def _more(rng: random.Random, filters: int, top: int) -> int:
    """The next stage's filters: the same or up to twice as many (as real CNNs grow)."""
    return rng.choice([f for f in FILTERS if filters <= f <= min(2 * filters, top)])


def _network(rng: random.Random, difficulty: str) -> tuple[str, int, int]:
    """A spec, its number of stages and of fully connected layers (raises _Reject)."""
    if difficulty == "easy":
        side, c = rng.choice((16, 20, 24, 28, 32)), rng.choice((1, 3))
        stages, top = rng.choice((1, 2)), 64
        filters = rng.choice((16, 32))
    elif difficulty == "standard":
        side = rng.choice((32, 48, 64, 96, 128, 224, 227))
        c = rng.choice((1, 3)) if side <= 64 else 3
        stages, top = rng.choice((2, 2, 3)), 512
        filters = rng.choice((16, 32, 48, 64, 96))
    else:
        side, c = rng.choice((96, 128, 224, 227, 256)), 3
        stages, top = rng.choice((3, 4)), 512
        filters = rng.choice((32, 48, 64, 96))
    lines = [f"input {side}x{side}x{c}"]
    no_pool = rng.randrange(1, stages) if difficulty == "hard" else -1
    for stage in range(stages):
        if stage == 0 and difficulty == "standard" and side >= 96:
            k = rng.choice((5, 7, 11))
            s = rng.choice((2, 4)) if k == 11 else rng.choice((1, 2))
            p = rng.choice((0, k // 2))
        elif stage == 0 and difficulty == "hard":
            k = rng.choice((7, 9, 11))
            s = rng.choice((2, 3, 4))
            p = rng.randint(0, k // 2)
        else:
            k = rng.choice((3, 5))
            s = 1
            p = rng.choice((0, k // 2)) if difficulty != "hard" else k // 2
        side = _conv(lines, side, filters, k, s, p)
        if difficulty == "hard" and stage > 0 and rng.random() < 0.5:  # conv, conv, pool
            side = _conv(lines, side, filters, 3, 1, 1)
        if stage != no_pool:
            pk, ps = (2, 2) if difficulty == "easy" else rng.choice(((2, 2), (3, 2)))
            side = _pool(lines, side, pk, ps)
        if side < 2:
            raise _Reject
        if stage < stages - 1:
            filters = _more(rng, filters, top)
    if difficulty == "easy":
        fcs = rng.choice(([10], [32, 10], [64, 10], [100, 10]))
    elif difficulty == "standard":
        fcs = [rng.choice((128, 256, 512, 1024)), rng.choice((10, 100))]
    else:
        hidden = rng.choice((512, 1024, 2048, 4096))
        fcs = [hidden, hidden, 1000] if rng.random() < 0.5 else [hidden, rng.choice((100, 1000))]
    lines += [f"fc {n}" for n in fcs]
    return "; ".join(lines), stages, len(fcs)


def _questions(names: list[str], hard: bool) -> tuple[str, ...]:
    """The sheet's questions that this network has, and at hard the last stage's too."""
    asked = list(ex6.Params(spec="input 8x8x1; fc 1").asked(set(names)))  # the sheet's order
    if hard:
        convs = [n for n in names if n.startswith("Conv-")]
        pools = [n for n in names if n.startswith("MaxPool-")]
        extra = []
        if len(convs) > 2:
            k = convs[-1].split("-")[1]
            extra += [f"conv{k}_image_size", f"conv{k}_params"]
        if len(pools) > 1:
            extra.append(f"maxpool{pools[-1].split('-')[1]}_output")
        at = next(i for i, q in enumerate(asked) if q.startswith("fc") or q == "total_params")
        asked[at:at] = extra  # in the network's order: after the second stage, before the fcs
    return tuple(asked)


def sample(rng: random.Random, difficulty: str) -> ex6.Params | None:
    try:
        spec, _, _ = _network(rng, difficulty)
    except _Reject:
        return None
    rows = chain(spec)  # the layer arithmetic, checked against the calculator
    if sum(r.params for r in rows) > LIMIT[difficulty]:
        return None
    p = ex6.Params(spec=spec, questions=_questions([r.name for r in rows], difficulty == "hard"))
    return None if p.is_sheet() else p


def normal(p: ex6.Params) -> Any:
    return (p.spec, p.questions)


def problem(p: ex6.Params) -> Text:
    model, in_shape = spec_model(p.spec, meta=True)  # no weights: the statement needs none
    return ex6.statement(p, summary(model, in_shape).layers, model)


def answers(p: ex6.Params) -> dict[str, Any]:
    """The keys of ``nndl solve 6`` (its asked questions) from the layer arithmetic."""
    by_key = {q.key: q for q in exercise6_questions(p)}
    rows = chain(p.spec)
    return {k: by_key[k].value(rows) for k in p.asked({r.name for r in rows})}


def distractors(p: ex6.Params, key: dict[str, Any]) -> dict[str, list[tuple[Any, str]]]:
    return layer_distractors(exercise6_questions(p), key)
