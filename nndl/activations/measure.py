"""Properties of an activation measured numerically from its NumPy f and f′ — never typed in.

Grid: x = -20 … 20 in steps of 0.001 (exact multiples, so kinks at 0, ±1, ±3 are grid
points) plus 200 log-spaced points on each tail out to |x| = 1e4, where the limits are read.
"""

from __future__ import annotations

import functools
import math
import timeit
from dataclasses import dataclass, field

import numpy as np

from nndl.activations.cost import Cost, Timing, count_cost
from nndl.activations.registry import Activation, get

CORE = 20.0          # dense grid half-width
STEP = 1e-3
FAR = 1e4            # "x → ±∞" is read here
SATURATION = 0.01    # |f′| below 1 % of its maximum
ZERO_MEAN_TOL = 0.05  # |E f(x)| for x ~ N(0, 1) below this counts as zero-centred
N_SAMPLES = 10**6
SEED = 0
COST_N = 10**6
CHAIN_DEPTHS = (2, 5, 10, 20)


@dataclass
class Interval:
    lo: float
    hi: float
    lo_closed: bool = False
    hi_closed: bool = False

    @property
    def width(self) -> float:
        return self.hi - self.lo

    def text(self, digits: int = 4) -> str:
        def num(v):
            if math.isinf(v):
                return "−∞" if v < 0 else "∞"
            return f"{v:.{digits}g}".replace("-", "−")

        if self.lo == self.hi:
            return f"{{{num(self.lo)}}}"
        left = "[" if self.lo_closed and not math.isinf(self.lo) else "("
        right = "]" if self.hi_closed and not math.isinf(self.hi) else ")"
        return f"{left}{num(self.lo)}, {num(self.hi)}{right}"


@dataclass
class Properties:
    name: str
    range: Interval                      # inf(f), sup(f) over the real line (±∞ if unbounded)
    limit_neg: float                     # f(x) as x → −∞ (read at x = −1e4; ±inf if unbounded)
    limit_pos: float
    mean_output: float                   # E f(x), x ~ N(0, 1), seeded
    zero_centred: bool
    odd_symmetric: bool                  # f(−x) = −f(x)
    nonnegative: bool                    # f(x) ≥ 0 everywhere
    fraction_positive: float             # P(f(x) > 0), x ~ N(0, 1)
    monotonic: bool
    strictly_monotonic: bool
    minimum: float | None                # the dip of a non-monotonic activation: min f …
    minimum_at: float | None             # … and where
    max_slope: float                     # max |f′|
    max_slope_where: Interval            # a point {x}, an interval, or {±∞} for a supremum at infinity
    max_slope_is_limit: bool             # the maximum is only approached as x → ±∞
    slope_at_0: float                    # f′(0), PyTorch's convention at a kink
    slope_neg_inf: float                 # f′ read at x = −1e4 and x = +1e4
    slope_pos_inf: float
    mean_abs_slope: float                # E |f′(x)|, x ~ N(0, 1)
    saturation_threshold: float          # 1 % of max |f′|
    saturation: list[Interval]           # where |f′| < threshold
    saturates_left: bool
    saturates_right: bool
    active_band: Interval                # between the two saturated tails
    dead: list[Interval]                 # where f′ = 0 exactly, on an interval
    kinks: list[float]                   # where f′ jumps
    smooth_at_0: bool
    slope_left_0: float                  # one-sided difference quotients of f at 0
    slope_right_0: float
    nonlinear: bool
    piecewise_linear: bool
    uses: list[str]                      # transcendental functions in the definition (SymPy)
    chain_factor: float                  # = max |f′|: bound on each layer's factor in backprop
    chain_bound: dict[int, float]        # chain_factor ** L
    chain_typical: dict[int, float]      # (E|f′|) ** L for x ~ N(0, 1)
    cost: Cost | None = None
    grid: dict = field(default_factory=dict)


# ------------------------------------------------------------------ helpers
def _grid() -> np.ndarray:
    core = np.arange(-round(CORE / STEP), round(CORE / STEP) + 1) / round(1 / STEP)
    tail = np.logspace(math.log10(CORE), math.log10(FAR), 201)[1:]
    return np.concatenate([-tail[::-1], core, tail])


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Index ranges [i, j] (inclusive) of consecutive True values."""
    m = np.concatenate([[False], mask, [False]]).astype(np.int8)
    d = np.diff(m)
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1) - 1, strict=True))


def _bisect(pred, inside: float, outside: float, iters: int = 80) -> float:
    for _ in range(iters):
        mid = 0.5 * (inside + outside)
        if mid in (inside, outside):
            break
        if pred(mid):
            inside = mid
        else:
            outside = mid
    return inside


def _snap(v: float, kinks: list[float]) -> float:
    for k in kinks:
        if abs(v - k) < 1e-7:
            return k
    return v


def _end(v: float, kinks: list[float]) -> tuple[float, bool]:
    """An endpoint to 1e-6 (bisection is exact to ~1e-9 at best near a flat maximum), and
    whether it is a 'round' point (a kink, 0, ±3...) where closedness is worth deciding."""
    v = _snap(v, kinks)
    r = round(v, 6) + 0.0
    return r, (v in kinks or abs(v - r) < 1e-8)


def _region(pred, x: np.ndarray, mask: np.ndarray, kinks: list[float]) -> list[Interval]:
    """The runs of ``mask`` on the grid as intervals, endpoints refined by bisection on ``pred``.
    An endpoint is closed only where it is an exact point that satisfies ``pred``; a boundary
    of a smooth function is where |f′| equals the threshold, so the strict region is open."""
    out = []
    n = len(x)
    for i, j in _runs(mask):
        lo, lo_exact = (-math.inf, False) if i == 0 else _end(_bisect(pred, x[i], x[i - 1]), kinks)
        hi, hi_exact = (math.inf, False) if j == n - 1 else _end(_bisect(pred, x[j], x[j + 1]), kinks)
        out.append(Interval(float(lo), float(hi),
                            lo_closed=lo_exact and bool(pred(lo)),
                            hi_closed=hi_exact and bool(pred(hi))))
    return out


def _exactly_zero(act: Activation, points: list[float]) -> bool:
    """f′ = 0 at these points in 50-digit arithmetic (SymPy definition), so that a float64
    underflow or rounding (1 − tanh²(19) == 0.0) is not mistaken for a dead region."""
    import sympy as sp

    expr, x, params = act.sympy()
    d = sp.diff(expr, x).subs(params)
    return all(sp.N(d.subs(x, sp.Rational(str(p))), 50) == 0 for p in points)


def _scalar(fn, v: float) -> float:
    return float(fn(np.array([v], dtype=np.float64))[0])


def _crossing(act: Activation, s: Interval) -> bool:
    """A bounded stretch of small |f′| where f′ changes sign: f turns there (GELU's dip at
    x ≈ −0.75), it does not level off, so it is not saturation."""
    if math.isinf(s.lo) or math.isinf(s.hi):
        return False
    pad = max(STEP, 1e-3 * s.width)
    return _scalar(act.df, s.lo - pad) * _scalar(act.df, s.hi + pad) < 0


def _find_kinks(act: Activation, x: np.ndarray, d: np.ndarray, m: float) -> list[float]:
    """Where f′ jumps: a step between neighbouring grid points far larger than smooth variation allows."""
    core = np.abs(x) <= CORE
    xc, dc = x[core], d[core]
    jumps = np.flatnonzero(np.abs(np.diff(dc)) > 0.01 * max(m, 1e-12))
    out = []
    for i in jumps:
        a, b = xc[i], xc[i + 1]
        da, db = dc[i], dc[i + 1]
        lo, hi = a, b
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            if mid in (lo, hi):
                break
            dm = _scalar(act.df, mid)
            if abs(dm - da) <= abs(dm - db):
                lo = mid
            else:
                hi = mid
        out.append(round(0.5 * (lo + hi), 9) + 0.0)
    return sorted(set(out))


def _uses(act: Activation) -> list[str]:
    import sympy as sp

    expr, _, _ = act.sympy()
    funcs = {type(f).__name__ for f in expr.atoms(sp.Function) if not isinstance(f, sp.Piecewise)}
    return sorted(funcs)


@functools.cache
def _relu_times() -> tuple[float, float]:
    return _time(get("relu"))


def _best(fn, x, repeat: int = 5) -> float:
    """Seconds per call: best of ``repeat`` runs of enough calls to last about 10 ms."""
    once = min(timeit.repeat(lambda: fn(x), number=1, repeat=2))
    number = max(1, int(0.01 / max(once, 1e-6)))
    return min(timeit.repeat(lambda: fn(x), number=number, repeat=repeat)) / number


def _time(act: Activation) -> tuple[float, float]:
    x = np.random.default_rng(SEED).standard_normal(COST_N).astype(np.float32)
    return _best(act.f, x) * 1e9 / COST_N, _best(act.df, x) * 1e9 / COST_N


def measure_timing(act: Activation) -> Timing:
    """Measured ns per element of f and f′ and the ratio to ReLU's: it varies between runs,
    so it is shown as a measurement and no verdict reads it."""
    rf, rd = _relu_times()
    tf, td = (rf, rd) if act.name == "relu" else _time(act)
    return Timing(tf, td, (tf + td) / (rf + rd))


# ------------------------------------------------------------------ measure
@functools.cache
def _measure(name: str) -> Properties:
    act = get(name)
    x = _grid()
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # a kernel bug, not data
        y = act.f(x)
        d = act.df(x)
    core = np.abs(x) <= CORE
    m = float(np.max(np.abs(d)))
    kinks = _find_kinks(act, x, d, m)

    # range and limits
    def bound(idx_edge: int, idx_near: int, sign: int) -> tuple[float, float]:
        far, near = y[idx_edge], _scalar(act.f, sign * FAR / 10)
        unbounded = abs(far - near) > 1.0
        return (sign * math.inf if unbounded else float(far)), unbounded

    lim_neg, unb_neg = bound(0, 0, -1)
    lim_pos, unb_pos = bound(-1, -1, 1)
    lo_val, hi_val = float(np.min(y)), float(np.max(y))
    if unb_neg and lim_neg < 0 or unb_pos and lim_pos < 0:
        lo_val = -math.inf
    if unb_neg and lim_neg > 0 or unb_pos and lim_pos > 0:
        hi_val = math.inf
    near = np.abs(x) <= 10

    def attained(v):
        return not math.isinf(v) and bool(np.any(np.abs(y[near] - v) <= 1e-12 * max(1.0, abs(v))))

    rng_ = Interval(lo_val, hi_val, attained(lo_val), attained(hi_val))

    # statistics under x ~ N(0, 1)
    z = np.random.default_rng(SEED).standard_normal(N_SAMPLES)
    fz = act.f(z)
    mean = float(np.mean(fz))
    mean_abs_slope = float(np.mean(np.abs(act.df(z))))

    # shape
    xs = x[core]
    ys = y[core]
    odd = bool(np.allclose(act.f(-xs), -ys, rtol=1e-12, atol=1e-12))
    monotonic = bool(np.all(d >= -1e-15) or np.all(d <= 1e-15))
    strictly = monotonic and bool(np.all(np.abs(d[core]) > 0))
    minimum = minimum_at = None
    if not monotonic:
        i = int(np.argmin(ys))
        a, b = xs[max(i - 1, 0)], xs[min(i + 1, len(xs) - 1)]
        for _ in range(100):  # ternary search on the dip
            m1, m2 = a + (b - a) / 3, b - (b - a) / 3
            if _scalar(act.f, m1) < _scalar(act.f, m2):
                b = m2
            else:
                a = m1
        minimum_at = 0.5 * (a + b)
        minimum = _scalar(act.f, minimum_at)

    # steepest slope
    absd = np.abs(d)
    top = absd >= m * (1 - 1e-9)
    i_max = int(np.argmax(absd))
    run = next(r for r in _runs(top) if r[0] <= i_max <= r[1])
    is_limit = False
    if run[0] == run[1]:
        a, b = x[max(run[0] - 1, 0)], x[min(run[0] + 1, len(x) - 1)]
        for _ in range(100):
            m1, m2 = a + (b - a) / 3, b - (b - a) / 3
            if abs(_scalar(act.df, m1)) < abs(_scalar(act.df, m2)):
                a = m1
            else:
                b = m2
        p = _snap(round(0.5 * (a + b), 6) + 0.0, kinks)
        where = Interval(p, p, True, True)
    else:
        where = _region(lambda v: abs(_scalar(act.df, v)) >= m * (1 - 1e-9), x, top, kinks)
        where = next(w for w in where if w.lo <= x[i_max] <= w.hi)
        if where.lo >= CORE or where.hi <= -CORE:  # only reached far out: a supremum at ±∞
            is_limit = True
            inf = math.inf if where.lo >= CORE else -math.inf
            where = Interval(inf, inf)

    # saturation and dead regions
    thr = SATURATION * m
    sat = [s for s in _region(lambda v: abs(_scalar(act.df, v)) < thr, x, absd < thr, kinks)
           if not _crossing(act, s)]
    left = any(math.isinf(s.lo) and s.lo < 0 for s in sat)
    right = any(math.isinf(s.hi) and s.hi > 0 for s in sat)
    band_lo = max((s.hi for s in sat if math.isinf(s.lo)), default=-math.inf)
    band_hi = min((s.lo for s in sat if math.isinf(s.hi) and s.hi > 0), default=math.inf)
    band = Interval(band_lo, band_hi)
    zero = d == 0
    # exact zeros only count on the dense grid, where no underflow can fake them
    dead_mask = zero & core
    dead = []
    for r in _region(lambda v: _scalar(act.df, v) == 0, x, dead_mask, kinks):
        if r.width <= 2 * STEP:
            continue
        inner = [v for v in (r.lo + STEP, r.hi - STEP, 0.5 * (r.lo + r.hi)) if abs(v) <= CORE]
        if not _exactly_zero(act, inner):
            continue
        if r.lo <= -CORE + STEP and np.all(zero[x < -CORE]):
            r.lo, r.lo_closed = -math.inf, False
        if r.hi >= CORE - STEP and np.all(zero[x > CORE]):
            r.hi, r.hi_closed = math.inf, False
        dead.append(r)

    h = 1e-6
    f0 = _scalar(act.f, 0.0)
    sl, sr = (f0 - _scalar(act.f, -h)) / h, (_scalar(act.f, h) - f0) / h
    smooth0 = abs(sl - sr) <= 1e-4 * max(1.0, abs(sl), abs(sr))

    band5 = np.abs(xs) <= 5
    A = np.column_stack([xs[band5], np.ones(band5.sum())])
    coef, *_ = np.linalg.lstsq(A, ys[band5], rcond=None)
    resid = float(np.max(np.abs(A @ coef - ys[band5])))
    distinct = np.unique(np.round(d[core], 12))

    return Properties(
        name=act.name, range=rng_, limit_neg=lim_neg, limit_pos=lim_pos,
        mean_output=mean, zero_centred=abs(mean) < ZERO_MEAN_TOL, odd_symmetric=odd,
        nonnegative=bool(np.min(y) >= 0), fraction_positive=float(np.mean(fz > 0)),
        monotonic=monotonic, strictly_monotonic=strictly, minimum=minimum, minimum_at=minimum_at,
        max_slope=m, max_slope_where=where, max_slope_is_limit=is_limit,
        slope_at_0=_scalar(act.df, 0.0), slope_neg_inf=float(d[0]), slope_pos_inf=float(d[-1]),
        mean_abs_slope=mean_abs_slope,
        saturation_threshold=thr, saturation=sat, saturates_left=left, saturates_right=right,
        active_band=band, dead=dead, kinks=kinks, smooth_at_0=smooth0,
        slope_left_0=sl, slope_right_0=sr, nonlinear=resid > 1e-6,
        piecewise_linear=len(distinct) <= 5, uses=_uses(act),
        chain_factor=m, chain_bound={L: m**L for L in CHAIN_DEPTHS},
        chain_typical={L: mean_abs_slope**L for L in CHAIN_DEPTHS},
        grid={"core": CORE, "step": STEP, "far": FAR, "points": int(len(x)),
              "samples": N_SAMPLES, "seed": SEED},
    )


def measure(name: str, *, cost: bool = True, timing: bool = False) -> Properties:
    """Measure every property of an activation (cached). ``cost``: operations per element of
    f and f′, counted from the formulas (the same every run); ``timing``: also time them
    against ReLU (a measurement that varies between runs)."""
    import copy

    props = copy.deepcopy(_measure(get(name).name))
    if cost or timing:
        props.cost = count_cost(name)
        if timing:
            props.cost.timing = measure_timing(get(name))
    return props
