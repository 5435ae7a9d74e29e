"""The fix for a sliding window whose stride does not divide, in closed form.

``nndl.nn._explain._fix_hint`` searches padding, input sizes and strides one by one, so a
stride of 10^10 or an input of 10^9 takes minutes. The same hint, the same words, comes
from a linear congruence (padding, input size) and the divisors of one number (stride),
whatever the sizes: :func:`fix_hint`. :func:`describe` runs a window layer's ``describe``
with it, so the calculator never reaches the slow search.
"""

from __future__ import annotations

import math
import random
from typing import Any

from nndl.nn.module import LayerShapeError, ShapeInfo

FLOOR_HINT = "--floor (floor=True) rounds down as PyTorch does, with a warning"
_WINDOW_TYPES = ("Conv2d", "MaxPool2d", "AvgPool2d")


def _pair(v: Any) -> tuple[int, int]:
    return (v[0], v[1]) if isinstance(v, tuple | list) else (v, v)


def describe(m: Any, shape: tuple[int, ...], floor: bool) -> ShapeInfo:
    """``m.describe(shape, floor=floor)``, with the stride error of a window layer (and its
    hint) computed here in closed form instead of by the layer's search."""
    if floor or type(m).__name__ not in _WINDOW_TYPES or len(shape) != 3:
        return m.describe(shape, floor=floor)
    info = m.describe(shape, floor=True)  # fast: rounding down needs no hint
    for f in info.formulas:
        if " → ⌊" not in f.substituted:
            continue
        pool = type(m).__name__ != "Conv2d"
        k, s = _pair(m.kernel_size), _pair(m.stride if m.stride is not None else m.kernel_size)
        p, d = _pair(m.padding), _pair(getattr(m, "dilation", getattr(m, "_dilation", 1)))
        i = 0 if f.name == "H2" else 1  # "W2 = H2" (square) and "W2": the width axis
        n = shape[1] if i == 0 else shape[2]
        subst = f.substituted.rsplit(" → ", 1)[0]
        raise LayerShapeError(
            f"{type(m).__name__}: the stride does not divide: {f.name} = {f.expr} = {subst} "
            f"is not a whole number", hint=fix_hint(n, k[i], s[i], p[i], d[i], pool))
    return info


def fix_hint(n: int, k: int, s: int, p: int, d: int, pool: bool) -> str:
    """What makes (n + 2p − d·(k − 1) − 1)/s + 1 whole: the nearest padding, the nearest input
    sizes below and above n, the stride nearest s, and --floor (the words of
    ``nndl.nn._explain._fix_hint``, computed without a search)."""
    fixes = []
    c = n - d * (k - 1) - 1  # span = c + 2·pad
    q = _nearest_pad(c, s, p, upper=min(p + s, k // 2) if pool else p + s)
    if q is not None:
        fixes.append(f"pad={q} gives ({n} − {k} + 2·{q})/{s} + 1 = {(c + 2 * q) // s + 1}")
    e = 2 * p - d * (k - 1) - 1  # span = size + e
    r = (-e) % s
    below = (n - 1) - ((n - 1 - r) % s)
    above = (n + 1) + ((r - (n + 1)) % s)
    for m in (below, above):
        if max(1, n - s + 1) <= m < n + s and m != n and m + e >= 0:
            fixes.append(f"an input of {m} gives ({m} − {k} + 2·{p})/{s} + 1 = "
                         f"{(m + e) // s + 1}")
    span = n + e
    t = _nearest_divisor(max(span, 1), s)
    if t is not None:
        fixes.append(f"stride={t} gives {span}/{t} + 1 = {span // t + 1}")
    fixes.append(FLOOR_HINT)
    return "; ".join(fixes)


def _nearest_pad(c: int, s: int, p: int, upper: int) -> int | None:
    """The q in [max(0, ⌈−c/2⌉), upper] with (c + 2q) % s == 0 nearest p (the smaller on a
    tie), or None: 2q ≡ −c (mod s) is q ≡ r (mod m)."""
    if s % 2:
        m, r = s, (-c * pow(2, -1, s)) % s if s > 1 else 0
    elif c % 2:
        return None  # c + 2q is odd, s even
    else:
        m, r = s // 2, (-c // 2) % (s // 2)
    lower = max(0, -(c // 2))  # c + 2q ≥ 0
    if lower > upper:
        return None
    t = min(max(p, lower), upper)
    a = t - ((t - r) % m)  # the largest q ≤ t in the class
    cands = [q for q in (a, a + m) if lower <= q <= upper]
    return min(cands, key=lambda q: (abs(q - p), q)) if cands else None


def _nearest_divisor(n: int, s: int) -> int | None:
    """The divisor t ≠ s of n nearest s (the smaller on a tie), or None."""
    best = None
    for t in _divisors(n):
        if t != s and (best is None or (abs(t - s), t) < (abs(best - s), best)):
            best = t
    return best


def _divisors(n: int) -> list[int]:
    divs = [1]
    for prime, power in _factor(n).items():
        divs = [x * prime ** e for x in divs for e in range(power + 1)]
    return divs


def _factor(n: int) -> dict[int, int]:
    out: dict[int, int] = {}
    for prime in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        while n % prime == 0:
            out[prime] = out.get(prime, 0) + 1
            n //= prime
    stack = [n] if n > 1 else []
    while stack:
        m = stack.pop()
        if _is_prime(m):
            out[m] = out.get(m, 0) + 1
            continue
        f = _pollard_brent(m)
        stack += [f, m // f]
    return out


def _is_prime(n: int) -> bool:
    """Miller-Rabin with the first twelve primes as bases: exact below 3.3·10^24."""
    if n < 2:
        return False
    small = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
    if n in small:
        return True
    if any(n % q == 0 for q in small):
        return False
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for a in small:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _pollard_brent(n: int) -> int:
    """A proper factor of the odd composite n (Brent's variant of Pollard's rho); seeded, so
    the same n always takes the same steps."""
    rng = random.Random(n)
    while True:
        y, c, m = rng.randrange(1, n), rng.randrange(1, n), 128
        g = r = q = 1
        x = ys = y
        while g == 1:
            x = y
            for _ in range(r):
                y = (y * y + c) % n
            k = 0
            while k < r and g == 1:
                ys = y
                for _ in range(min(m, r - k)):
                    y = (y * y + c) % n
                    q = q * abs(x - y) % n
                g = math.gcd(q, n)
                k += m
            r *= 2
        if g == n:
            g = 1
            while g == 1:
                ys = (ys * ys + c) % n
                g = math.gcd(abs(x - ys), n)
        if g != n:
            return g
