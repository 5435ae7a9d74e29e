"""What an activation costs, counted from its formulas — never timed, so the same on every run.

f is counted on the registry's SymPy definition, f′ on its derivative as nndl derives it:
where f′ was rewritten in terms of f (σ′ = σ(1 − σ), tanh′ = 1 − tanh²) the backward pass
reuses the forward output, as autograd does, and only the arithmetic on it is counted.
Common subexpressions are counted once, and e^(−u) next to e^(u) is 1/e^(u) (tanh's
(e^x − e^(−x))/(e^x + e^(−x)) needs one exponential, not two). A piecewise function costs
its comparisons plus its dearest branch.

Timing (``--timing``) is kept apart in :class:`Timing`: informational, and no verdict reads it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from nndl.activations.registry import get
from nndl.text import Text

# SymPy's operation names (count_ops(visual=True)) -> nndl's three kinds of cost
ARITH = {"ADD", "SUB", "MUL", "DIV", "NEG", "POW", "ABS"}
KINDS = ("transcendental", "arith", "compare")


@dataclass
class Ops:
    """Operations per element: each transcendental function by name, arithmetic (+ − × ÷ and
    integer powers) and comparisons (the conditions of a piecewise definition)."""

    transcendental: dict[str, int] = field(default_factory=dict)
    arith: int = 0
    compare: int = 0

    def total_transcendental(self) -> int:
        return sum(self.transcendental.values())


@dataclass
class Cost:
    """f and f′ per element, by operation count (see the module's docstring)."""

    f: Ops
    df: Ops
    df_reuses_output: bool    # f′ is computed from f(x), kept from the forward pass
    functions: list[str]      # transcendental functions f or f′ evaluates (exp, erf, ...)
    timing: Timing | None = None  # measured only on request; never used by a verdict


@dataclass
class Timing:
    """Best-of-5 time per element on 10^6 float32 inputs, and the ratio to ReLU's (f + f′).
    It varies from run to run (load, CPU, cache): shown as a measurement, never a verdict."""

    ns_f: float
    ns_df: float
    relative: float


def _count(expr) -> Ops:
    import sympy as sp

    # e^(−u) beside e^(u) is 1/e^(u): one exponential, held in a symbol (SymPy would turn
    # 1/e^(u) straight back into e^(−u)), and one division
    args = {e.args[0] for e in expr.atoms(sp.exp)}
    paired = {}
    for u in args:
        if -u in args and not u.could_extract_minus_sign():
            paired[u] = sp.Dummy("E")
    expr = expr.xreplace({**{sp.exp(u): E for u, E in paired.items()},
                          **{sp.exp(-u): 1 / E for u, E in paired.items()}})
    expr = sp.nfloat(expr)  # constants (√2, 1/√π) are numbers, not operations
    replaced, reduced = sp.cse(expr)
    ops = Ops({"exp": len(paired)} if paired else {})
    for e in [r for _, r in replaced] + list(reduced):
        visual = sp.count_ops(e, visual=True)
        if visual == 0:
            continue
        for sym, k in visual.as_coefficients_dict().items():
            name = str(sym)
            if name in ARITH:
                ops.arith += int(k)
            else:
                fn = name.lower()
                ops.transcendental[fn] = ops.transcendental.get(fn, 0) + int(k)
    return ops


def _count_piecewise(branches) -> Ops:
    """Comparisons of every condition + the dearest branch (by transcendental, then arithmetic)."""
    import sympy as sp

    compares = sum(len(c.atoms(sp.core.relational.Relational)) for _, c in branches)
    worst = max((_count(e) for e, _ in branches),
                key=lambda o: (o.total_transcendental(), o.arith))
    return Ops(dict(worst.transcendental), worst.arith, compares)


def _branches(expr):
    import sympy as sp

    return list(expr.args) if isinstance(expr, sp.Piecewise) else [(expr, sp.true)]


@functools.cache
def _cost(name: str) -> tuple[Ops, Ops, bool]:
    import sympy as sp

    from nndl.activations.derive import derivation, derivative_forms

    act = get(name)
    expr, _, params = act.sympy()
    f = _count_piecewise(_branches(expr.subs(params)))
    forms = derivative_forms(act.name)
    y = sp.Symbol("y")  # f(x) kept from the forward pass: free
    df = _count_piecewise(forms)
    reuses = derivation(act.name).in_terms_of_f and any(e.has(y) for e, _ in forms)
    return f, df, reuses


def count_cost(name: str) -> Cost:
    """Operation counts of f and f′ (cached; a fresh copy each call)."""
    import copy

    f, df, reuses = copy.deepcopy(_cost(get(name).name))
    functions = sorted(set(f.transcendental) | set(df.transcendental))
    return Cost(f, df, reuses, functions)


T = {
    "fn": Text("{k} 次 {fn}", "{k} {fn}"),
    "arith": Text("{k} 次四则运算", "{k} arithmetic operations"),
    "arith1": Text("{k} 次四则运算", "{k} arithmetic operation"),
    "compare": Text("{k} 次比较", "{k} comparison"),
    "compares": Text("{k} 次比较", "{k} comparisons"),
    "nothing": Text("无需计算", "nothing to compute"),
    "sep": Text("、", ", "),
}


def ops_text(o: Ops, lang: str) -> str:
    """'1 次 exp、3 次四则运算' / '1 exp, 3 arithmetic operations': what one element needs."""
    parts = [T["fn"].format(k=k, fn=fn)(lang) for fn, k in sorted(o.transcendental.items())]
    if o.arith:
        parts.append(T["arith" if o.arith > 1 else "arith1"].format(k=o.arith)(lang))
    if o.compare:
        parts.append(T["compare" if o.compare == 1 else "compares"].format(k=o.compare)(lang))
    return T["sep"](lang).join(parts) if parts else T["nothing"](lang)
