"""The textbook's size formula for a sliding window, with its numbers, and the fix when
it does not work. Shared by ``Conv2d``, ``MaxPool2d`` and ``AvgPool2d``."""

from __future__ import annotations

import math
import random

from nndl.nn.module import Formula, LayerShapeError, fmt
from nndl.text import Text


def check_positive(layer: str, **sizes: int | tuple[int, ...] | None) -> None:
    for name, v in sizes.items():
        if v is None:
            continue
        vals = v if isinstance(v, tuple | list) else (v,)
        for x in vals:
            if not isinstance(x, int) or x <= 0:
                raise LayerShapeError(
                    Text(f"{layer}：{name} 必须是正整数，这里是 {x!r}",
                         f"{layer}: {name} must be a positive whole number, got {x!r}"),
                    hint=Text(f"给 {name} 一个 >= 1 的值", f"give {name} a value >= 1"))


def check_nonneg(layer: str, **sizes: int | tuple[int, ...]) -> None:
    for name, v in sizes.items():
        for x in (v if isinstance(v, tuple | list) else (v,)):
            if not isinstance(x, int) or x < 0:
                raise LayerShapeError(
                    Text(f"{layer}：{name} 必须是 >= 0 的整数，这里是 {x!r}",
                         f"{layer}: {name} must be a whole number >= 0, got {x!r}"))


def _expr(sym_in: str, f: str, s: str, p: str, d: str, dilation: int, padding: int,
          pool: bool) -> str:
    pad = f" + 2{p}" if (padding or not pool) else ""
    if dilation == 1:
        return f"({sym_in} − {f}{pad})/{s} + 1"
    return f"({sym_in}{pad} − {d}·({f} − 1) − 1)/{s} + 1"


def _subst(n: int, k: int, s: int, p: int, d: int, pool: bool) -> str:
    pad = f" + 2·{p}" if (p or not pool) else ""
    if d == 1:
        return f"({n} − {k}{pad})/{s} + 1"
    return f"({n}{pad} − {d}·({k} − 1) − 1)/{s} + 1"


def window(layer: str, h: int, w: int, k: tuple[int, int], s: tuple[int, int],
           p: tuple[int, int], d: tuple[int, int], *, floor: bool, pool: bool = False,
           ) -> tuple[int, int, list[Formula], list[Text]]:
    """H2, W2 by (W1 − F + 2P)/S + 1 (dilated: (W1 + 2P − D·(F − 1) − 1)/S + 1).

    A result that is not a whole number is an error that names the padding, stride or
    input size that would fix it; with ``floor=True`` it is rounded down as PyTorch
    does, and a note says so.
    """
    square = h == w and k[0] == k[1] and s[0] == s[1] and p[0] == p[1] and d[0] == d[1]
    axes = [("W", w, 1)] if square else [("W", w, 1), ("H", h, 0)]
    out = {}
    formulas: list[Formula] = []
    notes: list[Text] = []
    for sym, n, i in axes:
        suffix = "" if k[0] == k[1] else sym.lower()
        f, ss, pp, dd = (("F" + suffix), "S" + ("" if s[0] == s[1] else sym.lower()),
                         "P" + ("" if p[0] == p[1] else sym.lower()),
                         "D" + ("" if d[0] == d[1] else sym.lower()))
        expr = _expr(f"{sym}1", f, ss, pp, dd, d[i], p[i], pool)
        subst = _subst(n, k[i], s[i], p[i], d[i], pool)
        name = "W2 = H2" if square else f"{sym}2"
        span = n + 2 * p[i] - d[i] * (k[i] - 1) - 1  # W1 − F + 2P for dilation 1
        if span < 0:
            eff = d[i] * (k[i] - 1) + 1
            formula = f"{name} = {expr} = {subst} = {fmt((span / s[i]) + 1)}"
            window = "池化窗口" if pool else "卷积核"  # what the sheet calls each
            raise LayerShapeError(
                Text(f"{layer}：{window}（{'' if d[i] == 1 else '膨胀后'}宽 {eff}）比填充后的输入"
                     f"（{n} + 2·{p[i]} = {n + 2 * p[i]}）还大：{formula}",
                     f"{layer}: the kernel ({eff} wide{'' if d[i] == 1 else ' after dilation'}) is "
                     f"larger than the padded input ({n} + 2·{p[i]} = {n + 2 * p[i]}): {formula}"),
                hint=Text(f"用 pad={(eff - n + 1) // 2} 或更大的填充、不超过 {n + 2 * p[i]} 的{window}，"
                          "或更大的输入",
                          f"use pad={(eff - n + 1) // 2} or more, a kernel of at most "
                          f"{n + 2 * p[i]}, or a larger input"))
        if span % s[i]:
            exact = span / s[i] + 1
            if not floor:
                formula = f"{name} = {expr} = {subst} = {exact:g}"
                raise LayerShapeError(
                    Text(f"{layer}：步长不能整除：{formula} 不是整数",
                         f"{layer}: the stride does not divide: {formula} is not a whole number"),
                    hint=fix_hint_text(n, k[i], s[i], p[i], d[i], pool))
            value = span // s[i] + 1
            formulas.append(Formula(name, expr, subst + f" = {exact:g} → ⌊{exact:g}⌋",
                                    value))
            notes.append(Text(
                zh=f"{name}：{exact:g} 向下取整为 {value}（按 PyTorch 的规则；填充后输入的最后 "
                   f"{span % s[i]} 行/列没有被窗口覆盖）",
                en=f"{name}: {exact:g} rounded down to {value} (PyTorch's floor rule; the last "
                   f"{span % s[i]} row(s)/column(s) of the padded input are never covered)"))
        else:
            value = span // s[i] + 1
            formulas.append(Formula(name, expr, subst, value))
        out[sym] = value
    return out.get("H", out["W"]), out["W"], formulas, notes


def _fix_hint(n: int, k: int, s: int, p: int, d: int, pool: bool) -> str:
    """The fixes in English, one sentence (compared word for word with a search in tests)."""
    return fix_hint_text(n, k, s, p, d, pool).en


def fix_hint_text(n: int, k: int, s: int, p: int, d: int, pool: bool) -> Text:
    """What makes (n + 2p − d·(k − 1) − 1)/s + 1 a whole number: the padding nearest p, the
    nearest input sizes below and above n, the stride nearest s (each the smaller on a
    tie), and --floor. Closed form, whatever the sizes (a search over paddings, sizes or
    strides took minutes for a stride of 10^10 or an input of 10^9): a linear congruence
    for the padding and the sizes, the divisors of one number for the stride."""
    fixes: list[Text] = []
    c = n - d * (k - 1) - 1  # the span (n + 2p − d·(k − 1) − 1) is c + 2·pad
    q = _nearest_pad(c, s, p, upper=min(p + s, k // 2) if pool else p + s)
    if q is not None:
        fixes.append(Text.same(f"pad={q} ") + Text("得到 ", "gives ")
                     + f"({n} − {k} + 2·{q})/{s} + 1 = {(c + 2 * q) // s + 1}")
    e = 2 * p - d * (k - 1) - 1  # the span is size + e: sizes ≡ −e (mod s) divide
    r = (-e) % s
    below = (n - 1) - ((n - 1 - r) % s)  # the largest such size < n, and the smallest > n
    above = (n + 1) + ((r - (n + 1)) % s)
    for m in (below, above):
        if max(1, n - s + 1) <= m < n + s and m != n and m + e >= 0:
            fixes.append(Text(f"输入为 {m} 得到 ", f"an input of {m} gives ")
                         + f"({m} − {k} + 2·{p})/{s} + 1 = {(m + e) // s + 1}")
    span = n + e
    t = _nearest_divisor(max(span, 1), s)
    if t is not None:
        fixes.append(Text.same(f"stride={t} ") + Text("得到 ", "gives ")
                     + f"{span}/{t} + 1 = {span // t + 1}")
    fixes.append(Text("--floor（floor=True）像 PyTorch 一样向下取整，并给出提醒",
                      "--floor (floor=True) rounds down as PyTorch does, with a warning"))
    return Text("；".join(f.zh for f in fixes), "; ".join(f.en for f in fixes))


def _nearest_pad(c: int, s: int, p: int, upper: int) -> int | None:
    """The q in [max(0, ⌈−c/2⌉), upper] with (c + 2q) % s == 0 nearest p (the smaller on a
    tie), or None: 2q ≡ −c (mod s) is q ≡ r (mod m), m = s (s odd) or s/2 (s even)."""
    if s % 2:
        m, r = s, ((-c * pow(2, -1, s)) % s if s > 1 else 0)
    elif c % 2:
        return None  # c + 2q is odd, s even: no padding fits
    else:
        m, r = s // 2, (-c // 2) % (s // 2)
    lower = max(0, -(c // 2))  # c + 2q ≥ 0
    if lower > upper:
        return None
    t = min(max(p, lower), upper)
    a = t - ((t - r) % m)  # the largest q ≤ t in the class, and the next one above
    cands = [q for q in (a, a + m) if lower <= q <= upper]
    return min(cands, key=lambda q: (abs(q - p), q)) if cands else None


def _nearest_divisor(n: int, s: int) -> int | None:
    """The divisor t ≠ s of n nearest s (the smaller on a tie), or None."""
    divs = [1]
    for prime, power in _factor(n).items():
        divs = [x * prime ** e for x in divs for e in range(power + 1)]
    return min((t for t in divs if t != s), key=lambda t: (abs(t - s), t), default=None)


_SMALL_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)


def _factor(n: int) -> dict[int, int]:
    """n's prime factors and their powers: small primes by division, the rest by Pollard's
    rho (milliseconds even for a 20-digit n, where trial division would take hours)."""
    out: dict[int, int] = {}
    for prime in _SMALL_PRIMES:
        while n % prime == 0:
            out[prime] = out.get(prime, 0) + 1
            n //= prime
    stack = [n] if n > 1 else []
    while stack:
        m = stack.pop()
        if _is_prime(m):
            out[m] = out.get(m, 0) + 1
        else:
            f = _pollard_brent(m)
            stack += [f, m // f]
    return out


def _is_prime(n: int) -> bool:
    """Miller-Rabin with the first twelve primes as bases: exact below 3.3·10^24 (sizes
    beyond that are refused long before a hint is needed)."""
    if n < 2:
        return False
    if n in _SMALL_PRIMES:
        return True
    if any(n % q == 0 for q in _SMALL_PRIMES):
        return False
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for a in _SMALL_PRIMES:
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
    """A proper factor of the odd composite n (Brent's variant of Pollard's rho), seeded by
    n so that the same n always takes the same steps."""
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
        if g == n:  # the batch overshot: step back one at a time
            g = 1
            while g == 1:
                ys = (ys * ys + c) % n
                g = math.gcd(abs(x - ys), n)
        if g != n:
            return g
