"""Issue 18: the hint of a window layer whose stride does not divide (Conv2d, MaxPool2d,
AvgPool2d) is computed in closed form (nndl/nn/_explain.py), so a stride of 10^10 or an
input of 10^9 gets its hint at once instead of after minutes of searching; the words are
those of the search it replaces, which this file keeps as the oracle."""

from __future__ import annotations

import math
import random

import pytest

from nndl import nn
from nndl.nn._explain import _fix_hint, _nearest_divisor
from nndl.nn.module import LayerShapeError


def _searched_hint(n: int, k: int, s: int, p: int, d: int, pool: bool) -> str:
    """The search the closed form replaces, verbatim (fine for small sizes)."""
    fixes = []
    pads = [q for q in range(0, p + s + 1) if (n + 2 * q - d * (k - 1) - 1) % s == 0
            and n + 2 * q - d * (k - 1) - 1 >= 0 and (not pool or 2 * q <= k)]
    if pads:
        q = min(pads, key=lambda q: (abs(q - p), q))
        fixes.append(f"pad={q} gives ({n} − {k} + 2·{q})/{s} + 1 = "
                     f"{(n + 2 * q - d * (k - 1) - 1) // s + 1}")
    sizes = [m for m in range(max(1, n - s + 1), n + s) if m != n
             and (m + 2 * p - d * (k - 1) - 1) % s == 0 and m + 2 * p - d * (k - 1) - 1 >= 0]
    for m in [max((m for m in sizes if m < n), default=None),
              min((m for m in sizes if m > n), default=None)]:
        if m is not None:
            fixes.append(f"an input of {m} gives ({m} − {k} + 2·{p})/{s} + 1 = "
                         f"{(m + 2 * p - d * (k - 1) - 1) // s + 1}")
    span = n + 2 * p - d * (k - 1) - 1
    strides = [t for t in range(1, max(span, 1) + 1) if span % t == 0 and t != s]
    if strides:
        t = min(strides, key=lambda t: (abs(t - s), t))
        fixes.append(f"stride={t} gives {span}/{t} + 1 = {span // t + 1}")
    fixes.append("--floor (floor=True) rounds down as PyTorch does, with a warning")
    return "; ".join(fixes)


def test_closed_form_gives_the_searched_hint_word_for_word():
    rng = random.Random(18)
    for _ in range(4000):
        n, k, s = rng.randint(1, 300), rng.randint(1, 11), rng.randint(1, 40)
        p, d, pool = rng.randint(0, 8), rng.randint(1, 3), rng.random() < 0.5
        assert _fix_hint(n, k, s, p, d, pool) == _searched_hint(n, k, s, p, d, pool), \
            (n, k, s, p, d, pool)


def _fixes(hint: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"pad": [], "input": [], "stride": []}
    for part in hint.split("; "):
        for key, prefix in (("pad", "pad="), ("input", "an input of "), ("stride", "stride=")):
            if part.startswith(prefix):
                out[key].append(part[len(prefix):].split(" ", 1)[0])
    return out


@pytest.mark.parametrize("n, k, s, p, pool", [
    (10, 3, 10**10, 0, False),       # summary "input 10x10; conv 1 3x3 stride=10000000000"
    (10**9, 7, 7, 0, True),          # summary "input 1000000000x1x1; maxpool 7"
    (2**61 + 5, 3, 10**12 + 39, 1, False),
])
def test_huge_sizes_get_a_hint_that_works(n, k, s, p, pool):
    """Each fix the hint names makes the division exact, and the stride is the divisor
    nearest s (checked against the prime factors, independently)."""
    hint = _fix_hint(n, k, s, p, 1, pool)
    fixes = _fixes(hint)
    for q in map(int, fixes["pad"]):
        assert (n + 2 * q - (k - 1) - 1) % s == 0 and q >= 0
    for m in map(int, fixes["input"]):
        assert (m + 2 * p - (k - 1) - 1) % s == 0 and abs(m - n) < s
    span = n + 2 * p - (k - 1) - 1
    (t,) = map(int, fixes["stride"])
    assert span % t == 0 and t != s
    assert hint.endswith("rounds down as PyTorch does, with a warning")


def test_nearest_divisor_against_trial_division():
    rng = random.Random(5)
    for _ in range(300):
        n, s = rng.randint(1, 10**6), rng.randint(1, 2000)
        divisors = [t for i in range(1, math.isqrt(n) + 1) if n % i == 0 for t in (i, n // i)]
        expected = min((t for t in set(divisors) if t != s), key=lambda t: (abs(t - s), t),
                       default=None)
        assert _nearest_divisor(n, s) == expected
    big_prime = 2**61 - 1  # a Mersenne prime: its divisors are 1 and itself
    assert _nearest_divisor(big_prime, 10) == 1
    assert _nearest_divisor(big_prime * 3, 10) == 3


def test_layers_raise_it():
    with pytest.raises(LayerShapeError) as info:
        nn.Conv2d(1, 1, 3, stride=10**10).describe((1, 10, 10))
    assert "stride does not divide" in str(info.value) and "stride=7 gives 7/7 + 1 = 2" in \
        info.value.hint
    with pytest.raises(LayerShapeError) as info:
        nn.MaxPool2d(7).describe((1, 10**9, 10**9))
    assert "stride=3 gives 999999993/3 + 1 = 333333332" in info.value.hint
