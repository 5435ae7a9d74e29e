"""Variants of exercise 2: the perceptron vs one sigmoid neuron when an outlier t·d is added.

easy: three points of D with coordinates in −2…2, the outlier along an axis, t up to 100;
standard: three or four points in −3…3, any direction with components in −2…2, t up to
1000; hard: four or five points in −5…5, directions in −3…3, t up to 10⁶, learning rate
0.5, 1 or 2, and D ∪ {x} need not be separable (PLA may fail). Every level uses the
sheet's squared loss and 300 epochs.

A draw is kept only if the outlier's effect is visible, checked on the trained neuron: D is
separable through the origin (BP's boundary has no bias); the outlier lies on the wrong side
of BP's boundary on D; its gradient at that boundary fades as t grows (at the largest t
below 10⁻³ and under a tenth of its value at the smallest t: σ saturates); BP continued
with it still misclassifies it at the largest t; and at easy and standard D ∪ {x} is
separable with a bias for every t and PLA finds a line that separates it at the largest t
(so PLA succeeds where BP does not — the sheet's contrast). At hard the set may be inseparable at the largest t; then PLA's last line is no
answer and ``pla_boundary_t_max`` is left out of the key. Where there is a solution, PLA's
line as the key writes it (4 digits) must still separate every point, or the draw is
rejected. The key is ``nndl solve 2``'s, from the same experiment; the wrong options of
the gradient are its closed form with a mistake of :mod:`nndl.check.outlier` switched on
(σ′ left out, the 2 of the square dropped), each kept only if ``nndl check`` diagnoses it."""

from __future__ import annotations

import random
from functools import lru_cache
from typing import Any

import numpy as np

from nndl.check import check
from nndl.check.boundary import boundary_item
from nndl.check.outlier import fit_on_d, mistaken_values, x4_gradient
from nndl.classic import max_margin
from nndl.gen.core import answer_text, display
from nndl.solutions import ex2
from nndl.solutions.params import ParamError
from nndl.text import Text

_LEVELS = {  # points of D, coordinate range, direction range, ts, learning rates, separable
    "easy": ((3, 3), 2, 0, (1.0, 10.0, 100.0), (1.0,), True),
    "standard": ((3, 4), 3, 2, (1.0, 10.0, 1000.0), (1.0,), True),
    "hard": ((4, 5), 5, 3, (1.0, 100.0, 1e6), (0.5, 1.0, 2.0), False),
}
_AXES = ((0, 1), (0, -1), (1, 0), (-1, 0))
TINY = 1e-3  # the outlier's gradient at the largest t: saturated below this


def _point(rng: random.Random, r: int) -> tuple[int, int]:
    return (rng.randint(-r, r), rng.randint(-r, r))


def sample(rng: random.Random, difficulty: str) -> ex2.Params | None:
    (lo, hi), r, dr, ts, lrs, separable = _LEVELS[difficulty]
    n = rng.randint(lo, hi)
    points = [_point(rng, r) for _ in range(n)]
    labels = [rng.choice((1, -1)) for _ in range(n)]
    if len(set(points)) < n or (0, 0) in points or len(set(labels)) < 2:
        return None
    direction = rng.choice(_AXES) if dr == 0 else _point(rng, dr)
    if direction == (0, 0):
        return None
    p = ex2.Params(data=tuple(zip(points, labels, strict=True)), direction=direction,
                   label=rng.choice((1, -1)), ts=ts, loss="squared", lr=rng.choice(lrs))
    try:
        p.validate()  # D separable by a line through the origin, sizes in range
    except ParamError:
        return None
    if p.is_sheet() or p.sheet_data() or not _visible(p, separable):
        return None
    return p


def _visible(p: ex2.Params, separable: bool) -> bool:
    """The outlier's effect, checked on the trained neuron (see the module's docstring)."""
    w = fit_on_d(p)
    d = np.asarray(p.direction, dtype=np.float64)
    if p.label * float(w @ d) >= 0:
        return False  # on the right side of BP's boundary: not an outlier for BP
    first, last = x4_gradient(p, min(p.ts), w), x4_gradient(p, max(p.ts), w)
    if first is None or last is None or not (last < TINY and last < first / 10):
        return False
    X4, y4 = np.vstack([p.X(), max(p.ts) * d]), np.append(p.y(), p.label)
    for t in p.ts:
        Z1 = np.hstack([np.ones((len(X4), 1)), np.vstack([p.X(), t * d])])
        if max_margin(Z1, y4)[1] <= 0:
            if separable:
                return False
            break
    else:  # separable at every t: PLA must reach a solution within its epochs (the contrast)
        if not _pla_separates(X4, y4):
            return False
    last_row = _experiment(p).rows[-1]
    if last_row.pla_scaled.separates:  # the key's line, as written (4 digits), separates too
        line = last_row.pla_scaled.equation
        if boundary_item("pla_boundary_t_max", line, X4.tolist(), y4.tolist(),
                         None).verdict != "correct":
            return False
    elif last_row.separable_with_bias:
        return False  # separable, but PLA stopped short: its last line is no key
    return not last_row.bp.x4_correct  # BP continued with the outlier still gets it wrong


def _pla_separates(X: np.ndarray, y: np.ndarray) -> bool:
    """PLA as the experiment runs it at each t (max-abs scaled, 2000 epochs, no shuffling):
    does it stop with every sample right? (Cheap: run before the experiment's neurons.)"""
    import warnings

    from nndl.classic import Perceptron

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pla = Perceptron(max_iter=2000, feature_scaling="maxabs", shuffle=False).fit(X, y)
    return bool(np.all(y * pla.decision_function(X) > 0))


@lru_cache(maxsize=64)
def _experiment(p: ex2.Params):
    """The experiment behind ``nndl solve 2`` (sampling's last test and the key share it)."""
    return ex2.experiment(p)


def normal(p: ex2.Params) -> Any:
    return p


_ASK = Text("数值部分取 t = {t}：BP（学习率 {lr}，从 w = 0 起全批量梯度下降 {epochs} 轮）在 D 上的分类面；"
            "在该分类面处 {x} 的损失对 w 的梯度范数；加入 {x} 后再训练 {epochs} 轮，分类面转过的角度（度），"
            "以及它能否分对 {x}；PLA 在 D ∪ {{{x}}} 上的一个解。",
            " For the numbers take t = {t}: BP's boundary on D (learning rate {lr}, {epochs} "
            "epochs of full-batch gradient descent from w = 0); the norm of the gradient of "
            "{x}'s loss with respect to w at that boundary; after adding {x} and training "
            "{epochs} epochs more, the angle (degrees) the boundary turns and whether it "
            "classifies {x}; one PLA solution on D ∪ {{{x}}}.")


_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def problem(p: ex2.Params) -> Text:
    x = "x" + str(len(p.data) + 1).translate(_SUBSCRIPT)  # x₄, as the statement writes it
    return ex2.statement(p) + _ASK.format(t=display(max(p.ts)), lr=display(p.lr),
                                          epochs=p.epochs, x=x)


def answers(p: ex2.Params) -> dict[str, Any]:
    """``nndl solve 2``'s keys, from its experiment at the largest t."""
    res = _experiment(p)
    last = res.rows[-1]
    out = {"pla_separates_all": all(r.separable_with_bias for r in res.rows),
           "pla_boundary_t_max": last.pla_scaled.equation,
           "bp_boundary_D": res.bp_D.equation,
           "bp_turn_deg_t_max": last.bp.angle_deg,
           "x4_gradient_t_max": last.bp.x4_grad_first,
           "bp_classifies_x4": bool(last.bp.x4_correct)}
    if not last.separable_with_bias:  # no line separates: PLA's last line answers nothing
        del out["pla_boundary_t_max"]
    return out


def distractors(p: ex2.Params, key: dict[str, Any]) -> dict[str, list[tuple[Any, str]]]:
    kept = []
    for value, mistake in mistaken_values(p, max(p.ts)):
        item = check(2, {"x4_gradient_t_max": answer_text(value)}, p).items[0]
        if item.verdict == "wrong" and item.mistakes == [mistake]:
            kept.append((value, mistake))
    return {"x4_gradient_t_max": kept}
