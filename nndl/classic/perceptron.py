"""The perceptron learning algorithm (PLA), with scikit-learn's names.

Labels are ±1. A sample is a mistake when y·(wᵀx + b) ≤ 0 (a point on the line
counts as a mistake, so PLA started from w = 0 always makes its first update).
Each mistake updates w ← w + η·y·x, b ← b + η·y. An epoch that makes no mistake
ends training; so does ``max_iter`` epochs.

Novikoff's theorem bounds the number of updates from w = 0 by (R/γ)², with
R = max‖x̃‖ and γ the margin min y·uᵀx̃ of any *unit* separator u, both in the
augmented space x̃ = (1, x) when there is a bias. :func:`novikoff_bound`
reports it for two choices of u: the separator PLA found (normalised), and the
maximum-margin separator (computed exactly for small data sets), which gives
the tightest bound.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from nndl.classic.errors import DataError, check_xy
from nndl.text import Text


class ConvergenceWarning(UserWarning):
    """PLA stopped after ``max_iter`` epochs without separating the data (scikit-learn's
    ``sklearn.exceptions.ConvergenceWarning``, for the same situation)."""


@dataclass
class PLAEpoch:
    """One epoch of PLA: the weights after it, and the samples it corrected."""

    epoch: int
    coef: list[float]
    intercept: float
    mistakes: int
    updated: list[int]          # indices of the samples that caused an update, in order


@dataclass
class NovikoffBound:
    """Novikoff's bound on PLA's updates, (R/γ)², in the space PLA ran in.

    ``gamma_found`` is the margin of the separator PLA found, normalised to unit
    length (augmented with the bias when there is one); ``gamma_max`` is the
    largest margin any unit separator reaches (the hard-margin SVM without
    slack, in the same space). Any separator's γ gives a valid bound; the
    maximum-margin one gives the smallest. Valid for a start from w = 0.
    """

    R: float
    gamma_found: float
    bound_found: float
    gamma_max: float
    bound_max: float
    max_margin_separator: list[float]   # unit vector (b, w) or w
    exact: bool                          # gamma_max computed exactly (small data) or approximately
    updates: int
    holds: bool                          # updates ≤ bound_max (only claimed for a zero start)
    zero_start: bool


class Perceptron:
    """Rosenblatt's perceptron trained by PLA.

    Parameters follow ``sklearn.linear_model.Perceptron`` where it has them
    (``max_iter``, ``shuffle``, ``random_state``, ``eta0``, ``fit_intercept``),
    plus ``init`` ("zeros" or "random": seeded N(0, 1) weights) and
    ``feature_scaling`` (None or "maxabs": train on x / max|x| per feature and
    map the line back; the line separates the raw data iff it separates the
    scaled data, but the number of updates can differ enormously).
    """

    def __init__(self, *, max_iter: int = 1000, shuffle: bool = False,
                 random_state: int | None = None, eta0: float = 1.0,
                 fit_intercept: bool = True, init: str = "zeros",
                 feature_scaling: str | None = None):
        if init not in ("zeros", "random"):
            raise DataError(f"Perceptron: unknown init '{init}'", hint="use 'zeros' or 'random'")
        if feature_scaling not in (None, "maxabs"):
            raise DataError(f"Perceptron: unknown feature_scaling '{feature_scaling}'",
                            hint="use None or 'maxabs'")
        if max_iter < 1:
            raise DataError(Text(f"PLA 的最多轮数至少为 1，现在是 {max_iter}",
                                 f"Perceptron: max_iter must be ≥ 1, got {max_iter}"),
                            hint=Text("它限制 PLA 的轮数，例如 --pla-max-iter 2000（max_iter=2000）",
                                      "it caps PLA's epochs, e.g. max_iter=2000 "
                                      "(--pla-max-iter 2000)"))
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.eta0 = eta0
        self.fit_intercept = fit_intercept
        self.init = init
        self.feature_scaling = feature_scaling

    # ----------------------------------------------------------------- fit
    def fit(self, X, y) -> Perceptron:
        X, y = check_xy(X, y, "Perceptron.fit")
        scale = np.ones(X.shape[1])
        if self.feature_scaling == "maxabs":
            m = np.abs(X).max(axis=0)
            scale = np.where(m > 0, m, 1.0)
        Xs = X / scale
        Xa = np.hstack([np.ones((len(Xs), 1)), Xs]) if self.fit_intercept else Xs
        rng = np.random.default_rng(self.random_state)
        w = rng.standard_normal(Xa.shape[1]) if self.init == "random" else np.zeros(Xa.shape[1])
        self.scale_ = scale
        self.history_: list[PLAEpoch] = []
        self.n_updates_ = 0
        self.converged_ = False
        order = np.arange(len(X))
        for epoch in range(1, self.max_iter + 1):
            if self.shuffle:
                order = rng.permutation(len(X))
            updated = []
            for i in order:
                if y[i] * (Xa[i] @ w) <= 0:
                    w = w + self.eta0 * y[i] * Xa[i]
                    updated.append(int(i))
            self.n_updates_ += len(updated)
            self._set(w)
            self.history_.append(PLAEpoch(epoch, self.coef_.tolist(), self.intercept_,
                                          len(updated), updated))
            if not updated:
                self.converged_ = True
                break
        self.n_iter_ = len(self.history_)
        self._w_aug, self._Xa, self._y = w, Xa, y
        if not self.converged_:
            warnings.warn(ConvergenceWarning(self.convergence_message()), stacklevel=2)
        return self

    def convergence_message(self) -> str:
        """Why the last ``fit`` stopped without separating the data, with the number of
        updates Novikoff's bound predicts (empty when it converged)."""
        if self.converged_:
            return ""
        nb = self.novikoff_bound()
        head = (f"Perceptron: PLA stopped after max_iter={self.max_iter} epochs "
                f"({self.n_updates_} updates) without separating the data")
        if predicted_updates(nb) is None:
            return (f"{head}: no separator has a positive margin (the data are not linearly "
                    f"separable{' through the origin' if not self.fit_intercept else ''}), "
                    "so PLA never converges")
        start = "" if nb.zero_start else " (the bound is for a start from w = 0)"
        return (f"{head}. Novikoff's bound ⌊(R/γ*)²⌋ predicts at most "
                f"{count_text(predicted_updates(nb) or 0)} updates{start}; raise max_iter, or "
                "scale the features (feature_scaling='maxabs')")

    def _set(self, w: np.ndarray) -> None:
        if self.fit_intercept:
            self.intercept_ = float(w[0])
            self.coef_ = w[1:] / self.scale_
        else:
            self.intercept_ = 0.0
            self.coef_ = w / self.scale_

    # ------------------------------------------------------------- predict
    def decision_function(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        return X @ self.coef_ + self.intercept_

    def predict(self, X) -> np.ndarray:
        # as scikit-learn: score > 0 -> +1, otherwise -1
        return np.where(self.decision_function(X) > 0, 1, -1)

    def novikoff_bound(self) -> NovikoffBound:
        """Novikoff's (R/γ)² for the data of the last ``fit``, in the space PLA ran in."""
        Xa, y, w = self._Xa, self._y, self._w_aug
        R = float(row_norms(Xa).max())
        nw = float(row_norms(w[None, :])[0])
        g_found = float(np.min(y * (Xa @ w)) / nw) if nw > 0 else 0.0
        u, g_max, exact = max_margin(Xa, y)
        if g_found > g_max:  # rounding beat the search (rows of 1e-195 beside 1e6): PLA's own
            # separator is a valid u too, and the better one here
            u, g_max, exact = w / nw, g_found, False
        return NovikoffBound(
            R=R, gamma_found=g_found, bound_found=_squared_ratio(R, g_found),
            gamma_max=g_max, bound_max=_squared_ratio(R, g_max),
            max_margin_separator=u.tolist(), exact=exact, updates=self.n_updates_,
            holds=self.n_updates_ <= _squared_ratio(R, g_max) if g_max > 0 else False,
            zero_start=self.init == "zeros",
        )


def _squared_ratio(r: float, gamma: float) -> float:
    """(r/γ)² as a float: inf when γ = 0 or when it is past 1.8e308 (``** 2`` would raise
    OverflowError for γ = 1e-159 beside R = 1e12)."""
    if not gamma > 0:
        return float("inf")
    ratio = r / gamma
    return ratio * ratio


def predicted_updates(nb: NovikoffBound) -> int | None:
    """⌊(R/γ*)²⌋, the most updates Novikoff's theorem allows PLA from w = 0 (None when the
    data are not separable: no bound). Exact in rationals, so a bound past float64's range
    is still a number."""
    if not nb.gamma_max > 0 or not math.isfinite(nb.R):
        return None
    ratio = Fraction(nb.R) / Fraction(nb.gamma_max)
    return math.floor(ratio * ratio * (1 + Fraction(1, 10**12)))  # 64.99999999999 is 65


def count_text(n: int) -> str:
    """An update count as text: 5,000,000,000,009, or 1.23e+342 past 10^15 digits' worth."""
    if n < 10**15:
        return f"{n:,}"
    digits = str(n)
    return f"{digits[0]}.{digits[1:3]}e+{len(digits) - 1}"


# --------------------------------------------------------------- max margin
def max_margin(Z, y, *, max_subsets: int = 200_000) -> tuple[np.ndarray, float, bool]:
    """Unit u maximising min_n y_n uᵀz_n (no bias term: put a 1 column in Z for one).

    With p_n = y_n z_n this is the hard-margin problem min ‖v‖² s.t. p_nᵀv ≥ 1 for all
    n, u = v*/‖v*‖ and γ* = 1/‖v*‖ (γ* = 0 when no v is feasible: not separable).
    At the optimum the active rows S (p_nᵀv* = 1) can be taken linearly independent,
    so |S| ≤ d, and v* is the least-norm solution of P_S v = 1. For small data
    every such S is solved, each solve well conditioned (see :func:`_least_norm_ones`),
    and the S whose unit v attains the largest margin min_n p_nᵀu over *all* rows is
    kept: exact, and whatever rounding does, the γ returned is one that u attains.
    Larger data: Frank-Wolfe on the dual (the hull point of {p_n} nearest 0).
    Returns (u, γ, exact); γ is recomputed as min y·uᵀz, so it is always attained.
    """
    P = np.asarray(Z, dtype=np.float64) * np.asarray(y, dtype=np.float64)[:, None]
    n, d = P.shape
    kmax = min(n, d)
    count = sum(_comb(n, k) for k in range(1, kmax + 1))
    exact = count <= max_subsets
    if not exact:
        best = _frank_wolfe(P)
        nb = float(row_norms(best[None, :])[0])
        if nb < 1e-14 * max(1.0, np.abs(P).max()):  # rounding noise of the iteration
            return np.zeros(d), 0.0, exact
        u = best / nb
        return u, float(max(np.min(P @ u), 0.0)), exact
    norms = row_norms(P)
    if np.any(norms == 0):          # a zero row has margin 0 for every u
        return np.zeros(d), 0.0, exact
    u = _best_active_set(P, norms, kmax)
    if u is None:
        return np.zeros(d), 0.0, exact
    margins = P @ u
    gamma = float(np.min(margins))
    # not separable: every u has some margin ≤ 0, which rounding can lift to about
    # eps·Σ_j |p_nj·u_j| of that row (componentwise, so a huge coordinate that u ignores adds
    # nothing, and a row of size 1e6 does not drown the margin of a row of size 1e-9)
    if np.any(margins <= 64 * np.finfo(np.float64).eps * (np.abs(P) @ np.abs(u))):
        return np.zeros(d), 0.0, exact
    return u, gamma, exact


def row_norms(A: np.ndarray) -> np.ndarray:
    """‖a_i‖ of each row, scaled first so that squares neither underflow (a row of 1e-191
    is not 0) nor overflow (nor a row of 1e200 inf)."""
    A = np.asarray(A, dtype=np.float64)
    m = np.abs(A).max(axis=1)
    safe = np.where(m > 0, m, 1.0)
    return m * np.linalg.norm(A / safe[:, None], axis=1)


def _comb(n: int, k: int) -> int:
    from math import comb

    return comb(n, k)


def _best_active_set(P: np.ndarray, norms: np.ndarray, kmax: int,
                     chunk: int = 4096) -> np.ndarray | None:
    """The unit u = v_S/‖v_S‖ with the largest attained margin over every row set S,
    |S| ≤ kmax, where v_S is the least-norm solution of P_S v = 1; None if none is finite."""
    n, _ = P.shape
    best_u, best_g = None, -np.inf
    for k in range(1, kmax + 1):
        combos = itertools.combinations(range(n), k)
        while True:
            idx = np.fromiter(itertools.chain.from_iterable(itertools.islice(combos, chunk)),
                              dtype=np.intp)
            if idx.size == 0:
                break
            idx = idx.reshape(-1, k)
            V = _least_norm_ones(P[idx], norms[idx])
            with np.errstate(all="ignore"):
                V = V / np.abs(V).max(axis=1, keepdims=True)  # ‖V‖ of 4e154 would be inf
                U = V / np.linalg.norm(V, axis=1, keepdims=True)
                g = (U @ P.T).min(axis=1)
            g[~np.isfinite(g)] = -np.inf
            i = int(np.argmax(g))
            if g[i] > best_g:
                best_g, best_u = float(g[i]), U[i]
    return best_u


def _least_norm_ones(A: np.ndarray, norms: np.ndarray, refine: int = 3) -> np.ndarray:
    """Least-norm v with A_m v = 1 for a stack A (m, k, d), k ≤ d; rank-deficient A give
    non-finite rows.

    Rows are scaled to unit length (a row (1, 0, −t) with t = 1e12 beside rows of size 1
    would otherwise swamp the others), the scaled system is solved through a QR
    factorisation of its transpose (conditioned like A, not like AAᵀ), and the residual
    1 − A v is then corrected a few times, computed on the *unscaled* rows. The
    corrections make each row's residual small relative to Σ_j |a_ij v_j|, not to
    ‖a_i‖·‖v‖: with t = 1e12 a 1e-16 error in v's last coordinate would otherwise move
    that row's margin by 1e-4.
    """
    with np.errstate(all="ignore"):  # extreme rows give non-finite results, dropped later
        s = 1.0 / norms                                   # (m, k)
        Q, R = np.linalg.qr(np.swapaxes(A * s[..., None], 1, 2))   # Aᵀ·diag(s) = Q R
    k = A.shape[1]

    def solve(b):                                         # least norm of diag(s) A v = b
        w = np.empty_like(b)                              # Rᵀ w = b, forward substitution
        with np.errstate(all="ignore"):
            for j in range(k):
                w[:, j] = (b[:, j] - np.einsum("mi,mi->m", R[:, :j, j], w[:, :j])) / R[:, j, j]
        return np.einsum("mdk,mk->md", Q, w)

    v = solve(s)
    for _ in range(refine):
        with np.errstate(all="ignore"):
            r = 1.0 - np.einsum("mkd,md->mk", A, v)
        v = v + solve(r * s)
    return v


def _frank_wolfe(P: np.ndarray, iters: int = 20_000) -> np.ndarray:
    x = P[np.argmin(np.einsum("ij,ij->i", P, P))].copy()
    for _ in range(iters):
        i = int(np.argmin(P @ x))
        d = P[i] - x
        dd = d @ d
        if dd == 0:
            break
        step = min(1.0, max(0.0, -(x @ d) / dd))
        if step == 0:
            break
        x = x + step * d
    return x


@dataclass
class LineCheck:
    """Does the line b + wᵀx = 0 classify every sample of a set correctly?"""

    name: str
    coef: list[float]
    intercept: float
    set_name: str
    separates: bool
    margins: list[float] = field(default_factory=list)   # y·(wᵀx + b) per sample
    wrong: list[int] = field(default_factory=list)        # indices with margin ≤ 0


def check_line(coef, intercept: float, X, y, *, name: str = "", set_name: str = "") -> LineCheck:
    X, y = check_xy(X, y, "check_line")
    m = y * (X @ np.asarray(coef, dtype=np.float64) + intercept)
    wrong = [int(i) for i in np.flatnonzero(m <= 0)]
    return LineCheck(name, [float(c) for c in coef], float(intercept), set_name,
                     not wrong, m.tolist(), wrong)
