"""Exercise 2's gradient of the outlier's loss, with mistake switches.

BP on D (full-batch gradient descent from w = 0, through the origin, as ``nndl solve 2``
trains it) gives w; the added sample x = t·d with label y then has, with s = y·wᵀx,

* the sheet's squared loss ℓ = (σ(s) − 1)²: ∂ℓ/∂w = 2(σ(s) − 1)·σ(s)(1 − σ(s))·y·x,
* cross-entropy ℓ = log(1 + e^(−s)): ∂ℓ/∂w = −σ(−s)·y·x,

and the answer key ``x4_gradient_t_max`` is its norm at the largest t. :func:`x4_gradient`
computes it with any of :data:`GRADIENT_MISTAKES` switched on — σ′ left out of the chain
rule (the norm then grows with t instead of vanishing: the point of the exercise), or the
2 of the square dropped — as :func:`nndl.check.layers.chain` does for layer arithmetic."""

from __future__ import annotations

import math

import numpy as np

GRADIENT_MISTAKES = ("no_theta_prime", "no_factor_two")


def _sigmoid(z: float) -> float:
    # both branches are exact where the other would overflow
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def fit_on_d(p) -> np.ndarray:
    """BP's w on D, as ``nndl solve 2`` trains it (the same neuron, loss, lr and epochs)."""
    from nndl.classic import Neuron
    from nndl.solutions.ex2 import LOSSES

    model = Neuron(loss=LOSSES[p.loss], lr=p.lr, epochs=p.epochs, fit_intercept=False)
    return np.asarray(model.fit(p.X(), p.y()).coef_, dtype=np.float64)


def x4_gradient(p, t: float, w: np.ndarray | None = None,
                mistakes: frozenset[str] = frozenset()) -> float | None:
    """‖∂ℓ/∂w‖ of the added sample t·d at BP's boundary on D, with ``mistakes`` on; None
    where a switch does not apply (cross-entropy's gradient has no σ′ and no square)."""
    if p.loss != "squared" and mistakes:
        return None
    w = fit_on_d(p) if w is None else w
    x = t * np.asarray(p.direction, dtype=np.float64)
    y = float(p.label)
    s = y * float(w @ x)
    if p.loss != "squared":
        return float(np.linalg.norm(_sigmoid(-s) * y * x))
    th = _sigmoid(s)
    factor = 1.0 if "no_factor_two" in mistakes else 2.0
    slope = 1.0 if "no_theta_prime" in mistakes else th * (1.0 - th)
    return float(np.linalg.norm(factor * (th - 1.0) * slope * y * x))


def mistaken_values(p, t: float, w: np.ndarray | None = None) -> list[tuple[float, str]]:
    """(value, mistake) for each single mistake that changes the key's number."""
    w = fit_on_d(p) if w is None else w
    right = x4_gradient(p, t, w)
    out: list[tuple[float, str]] = []
    for m in GRADIENT_MISTAKES:
        v = x4_gradient(p, t, w, frozenset({m}))
        if v is None or right is None or math.isclose(v, right, rel_tol=1e-3, abs_tol=1e-12):
            continue
        out.append((v, m))
    return out
