"""Variants of exercise 1: which activation functions are asked about (from the registry).

easy: one or two of the sheet's three (sigmoid, tanh, ReLU); standard: two or three of
those, softplus, leaky ReLU (slope a = 0.01 left of 0) and hardtanh; hard: three or four
of those, mish and hardsigmoid, with at least one beyond the sheet's three. Only
activations whose worked answer ``nndl check`` reads back as correct are drawn (ELU's key
is written α + ELU(x), GELU's and SELU's with erf or λ: names the checker's formula reader
does not know). The wrong options are the derivative with a mistake switched on
(:func:`nndl.check.derivative.mistaken`: x put in place of f(x), the square left out, the
sign), written in the form a student would write; the piecewise-constant slopes (hardtanh,
hardsigmoid) have none that the catalogue's mistakes give, so they are asked without."""

from __future__ import annotations

import itertools
import random
from functools import cache
from typing import Any

from nndl.activations import analyze
from nndl.activations import names as registry_names
from nndl.check import check
from nndl.check.derivative import (
    DERIVATIVE_MISTAKES,
    mistaken,
    reader_zh,
    true_derivative,
    write_formula,
)
from nndl.solutions import ex1
from nndl.text import Text

CHECKED = ("sigmoid", "tanh", "relu", "softplus", "leaky_relu", "hardtanh", "mish",
           "hardsigmoid")
_STANDARD = ("sigmoid", "tanh", "relu", "softplus", "leaky_relu", "hardtanh")
POOLS = {"easy": (("sigmoid", "tanh", "relu"), (1, 2), ()),
         "standard": (_STANDARD, (2, 3), ()),
         "hard": (CHECKED, (3, 4), CHECKED[3:])}
# how f is written inside its own derivative, where the formula reader knows its name
_F_NAME = {"sigmoid": "σ(x)", "tanh": "tanh(x)"}


def _choices(difficulty: str) -> list[tuple[str, ...]]:
    pool, sizes, needs = POOLS[difficulty]
    order = registry_names()
    out = []
    for k in sizes:
        for combo in itertools.combinations(sorted(pool, key=order.index), k):
            if needs and not set(needs) & set(combo):
                continue
            if ex1.Params(combo).is_sheet():
                continue
            out.append(combo)
    return out


def capacity(difficulty: str) -> int:
    return len(_choices(difficulty))


def sample(rng: random.Random, difficulty: str) -> ex1.Params | None:
    return ex1.Params(rng.choice(_choices(difficulty)))


def normal(p: ex1.Params) -> Any:
    return p.names


def problem(p: ex1.Params) -> Text:
    return ex1.statement(p)


@cache
def _report(name: str):
    return analyze(name)  # what ex1's solution shows for this activation


def answers(p: ex1.Params) -> dict[str, Any]:
    """The keys of ``nndl solve 1``: each f′ as the derivation writes it, and max |f′|."""
    out: dict[str, Any] = {}
    for name in p.names:
        r = _report(name)
        out[f"{name}_derivative"] = r.derivation.derivative_plain
        out[f"{name}_max_slope"] = r.properties.max_slope
    return out


def _through_f(expr, name: str) -> str | None:
    """``expr`` as a polynomial c0 + c1·f + c2·f² in f itself (σ(x)² − σ(x)), if it is one."""
    import numpy as np
    import sympy as sp

    if name not in _F_NAME:
        return None
    _, f, _, _ = true_derivative(name)
    x = sp.Symbol("x", real=True)
    pts = np.linspace(-3, 3, 25)
    fx, ex = sp.lambdify(x, f), sp.lambdify(x, expr)
    try:
        fv = np.array([float(fx(float(t))) for t in pts])
        ev = np.array([float(ex(float(t))) for t in pts])
    except (ArithmeticError, TypeError, ValueError):
        return None
    coef, *_ = np.linalg.lstsq(np.stack([np.ones_like(fv), fv, fv * fv], 1), ev, rcond=None)
    c = [sp.nsimplify(round(float(v), 9)) for v in coef]
    if sp.simplify(c[0] + c[1] * f + c[2] * f ** 2 - expr) != 0:
        return None
    big_f = sp.Symbol("F")
    text = sp.sstr(c[0] + c[1] * big_f + c[2] * big_f ** 2)
    return text.replace("**", "^").replace("F", _F_NAME[name])


def _written(branches, name: str) -> list[str]:
    """Ways to write the mistaken f′, most readable first."""
    import sympy as sp

    e = branches[0].expr
    if len(branches) > 1 or e.has(sp.Piecewise):  # nndl check's {A if x <= a; B otherwise}
        text = write_formula(branches)
        return [text] if text else []
    return [t.replace("**", "^") for t in (_through_f(e, name), sp.sstr(e)) if t]


@cache
def _wrong_derivatives(name: str) -> tuple[tuple[str, str], ...]:
    """(formula, mistake) for each mistake that applies to ``name``'s f′ and is not a
    constant, written so that ``nndl check`` reads it and diagnoses that mistake."""
    key = f"{name}_derivative"
    out = []
    for m in DERIVATIVE_MISTAKES:
        branches = mistaken(name, m)
        if branches is None or (len(branches) == 1 and not branches[0].expr.free_symbols):
            continue  # does not apply, or a constant (σ′ without its square is 0): no option
        for text in _written(branches, name):
            try:
                item = check(1, {key: text}, ex1.Params((name,))).items[0]
            except Exception:  # noqa: BLE001 - a form the reader refuses: try the next
                continue
            if item.verdict == "wrong" and item.mistakes == [m]:
                out.append((text, m))
                break
    return tuple(out)


def distractors(p: ex1.Params, key: dict[str, Any]) -> dict[str, list[tuple[Any, str]]]:
    return {f"{n}_derivative": list(_wrong_derivatives(n)) for n in p.names}


def shown(answers: dict[str, Any], wrong: dict[str, list[tuple[Any, str]]]) -> dict[str, Text]:
    """The reader's form of each piecewise f′ (the key's and the wrong options'): Chinese
    without "if" and "otherwise"; the English is what a student types."""
    values = [*answers.values(), *(w for ds in wrong.values() for w, _ in ds)]
    return {v: Text(zh, v) for v in values if isinstance(v, str)
            and (zh := reader_zh(v)) is not None}
