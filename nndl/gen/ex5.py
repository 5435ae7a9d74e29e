"""Variants of exercise 5: one image, a fully connected layer and one convolution.

easy: a small square image (8–32 px, 1 or 3 channels), 3×3 or 5×5 filters, stride 1, no
padding, few filters and neurons (every number can be done by hand); standard: common image
sizes (28–300 px), 3×3 to 7×7 filters, stride 1 or 2, no or "same" padding; hard: any
width and height (24–512 px, not square), 1–4 channels, 1×1 to 11×11 filters, stride 1–4,
any padding below the filter size, and always a stride above 1 or some padding. At every
level the output side is a whole number and the fully connected layer has at most 30
million weights (the sheet's has 27 million), so that ``nndl solve`` builds it quickly."""

from __future__ import annotations

import random
from typing import Any

from nndl.check.layers import chain
from nndl.check.problems import exercise5_questions
from nndl.gen.layers import layer_distractors
from nndl.solutions import ex5
from nndl.solutions.params import ParamError
from nndl.text import Text

FC_LIMIT = 30_000_000  # weights of the fully connected layer (the sheet: 27,000,000)
_SIDES = (28, 32, 48, 64, 96, 100, 128, 150, 200, 224, 227, 256, 300)


def sample(rng: random.Random, difficulty: str) -> ex5.Params | None:
    if difficulty == "easy":
        side = rng.choice((8, 10, 12, 16, 20, 24, 28, 32))
        w = h = side
        d = rng.choice((1, 3))
        kernel, stride, pad = rng.choice((3, 5)), 1, 0
        filters = rng.choice((4, 6, 8, 10, 16, 20))
        fc = rng.choice((10, 16, 20, 32, 50, 64, 100))
    elif difficulty == "standard":
        w = h = rng.choice(_SIDES)
        d = rng.choice((1, 3, 3))
        kernel = rng.choice((3, 5, 7))
        stride = rng.choice((1, 2))
        pad = rng.choice((0, kernel // 2))
        filters = rng.choice((16, 20, 32, 48, 50, 64, 96, 100, 128, 256))
        fc = rng.choice((50, 64, 100, 128, 200, 256, 500, 512, 1000))
    else:
        w, h = rng.randint(24, 512), rng.randint(24, 512)
        d = rng.choice((1, 3, 4))
        kernel = rng.randint(1, 11)  # even sizes too: the formula does not care
        stride = rng.randint(1, 4)
        pad = rng.randint(0, kernel - 1)
        filters = 8 * rng.randint(2, 64)
        fc = rng.choice((64, 100, 128, 256, 500, 512, 1000, 1024, 2048, 4096))
        if w == h or (stride == 1 and pad == 0):
            return None
    if (w - kernel + 2 * pad) % stride or (h - kernel + 2 * pad) % stride:
        return None  # the output side must be a whole number
    if w * h * d * fc > FC_LIMIT:
        return None
    p = ex5.Params(image=(w, h, d), fc_units=fc, filters=filters, kernel=kernel, stride=stride,
                   pad=pad)
    try:
        p.validate()
    except ParamError:
        return None
    return None if p.is_sheet() else p  # a variant is never the sheet itself


def normal(p: ex5.Params) -> Any:
    return p


def problem(p: ex5.Params) -> Text:
    return ex5.statement(p)


def answers(p: ex5.Params) -> dict[str, Any]:
    """The keys of ``nndl solve 5`` from the layer arithmetic (which checks itself against
    the calculator that ``nndl solve`` uses on every call)."""
    return {q.key: q.value(chain(q.spec)) for q in exercise5_questions(p)}


def distractors(p: ex5.Params, key: dict[str, Any]) -> dict[str, list[tuple[Any, str]]]:
    return layer_distractors(exercise5_questions(p), key)
