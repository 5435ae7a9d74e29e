"""The textbook's size formula for a sliding window, with its numbers, and the fix when
it does not work. Shared by ``Conv2d``, ``MaxPool2d`` and ``AvgPool2d``."""

from __future__ import annotations

from nndl.nn.module import Formula, LayerShapeError, fmt
from nndl.text import Text


def check_positive(layer: str, **sizes: int | tuple[int, ...] | None) -> None:
    for name, v in sizes.items():
        if v is None:
            continue
        vals = v if isinstance(v, tuple | list) else (v,)
        for x in vals:
            if not isinstance(x, int) or x <= 0:
                raise LayerShapeError(f"{layer}: {name} must be a positive whole number, got {x!r}",
                                      hint=f"give {name} a value >= 1")


def check_nonneg(layer: str, **sizes: int | tuple[int, ...]) -> None:
    for name, v in sizes.items():
        for x in (v if isinstance(v, tuple | list) else (v,)):
            if not isinstance(x, int) or x < 0:
                raise LayerShapeError(f"{layer}: {name} must be a whole number >= 0, got {x!r}")


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
            raise LayerShapeError(
                f"{layer}: the kernel ({eff} wide{'' if d[i] == 1 else ' after dilation'}) is "
                f"larger than the padded input ({n} + 2·{p[i]} = {n + 2 * p[i]}): "
                f"{name} = {expr} = {subst} = {fmt((span / s[i]) + 1)}",
                hint=f"use pad={(eff - n + 1) // 2} or more, a kernel of at most "
                     f"{n + 2 * p[i]}, or a larger input")
        if span % s[i]:
            exact = span / s[i] + 1
            if not floor:
                raise LayerShapeError(
                    f"{layer}: the stride does not divide: {name} = {expr} = {subst} = "
                    f"{exact:g} is not a whole number",
                    hint=_fix_hint(n, k[i], s[i], p[i], d[i], pool))
            value = span // s[i] + 1
            formulas.append(Formula(name, expr, subst + f" = {exact:g} → ⌊{exact:g}⌋",
                                    value))
            notes.append(Text(
                zh=f"{name}：{exact:g} 向下取整为 {value}（PyTorch 的 floor 规则；填充后输入的最后 "
                   f"{span % s[i]} 行/列没有被窗口覆盖）",
                en=f"{name}: {exact:g} rounded down to {value} (PyTorch's floor rule; the last "
                   f"{span % s[i]} row(s)/column(s) of the padded input are never covered)"))
        else:
            value = span // s[i] + 1
            formulas.append(Formula(name, expr, subst, value))
        out[sym] = value
    return out.get("H", out["W"]), out["W"], formulas, notes


def _fix_hint(n: int, k: int, s: int, p: int, d: int, pool: bool) -> str:
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
