"""One sigmoid neuron trained by full-batch gradient descent through nndl's engine.

The output is θ(wᵀx + b) with θ the sigmoid; with labels y = ±1 the margin of a
sample is m = y·(wᵀx + b). Two losses (averaged over the samples, as
PyTorch's ``reduction='mean'``):

* ``"sigmoid_squared"`` (the seed's): ℓ = (θ(m) − 1)², whose gradient
  2(θ − 1)·θ(1 − θ)·y·x vanishes when θ saturates on *either* side;
* ``"logistic"`` (cross-entropy): ℓ = log(1 + e^(−m)), whose gradient
  −θ(−m)·y·x tends to −y·x for a badly misclassified sample: it never vanishes
  there.

Each epoch runs one forward and one ``backward()`` in float64. The weight
vector is broadcast to one row per sample before use, and that broadcast
tensor keeps its gradient (``retain_grad``), so one backward pass gives both
the full gradient and every sample's share of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nndl.classic.errors import DataError, check_xy
from nndl.engine import ops
from nndl.engine.tensor import Tensor, no_grad
from nndl.text import Text

LOSSES = ("sigmoid_squared", "logistic")
_ALIASES = {"seed": "sigmoid_squared", "squared": "sigmoid_squared",
            "cross_entropy": "logistic", "log_loss": "logistic", "ce": "logistic"}


def loss_name(loss: str) -> str:
    name = _ALIASES.get(loss, loss)
    if name not in LOSSES:
        raise DataError(f"unknown loss '{loss}'",
                        hint="use 'sigmoid_squared' (the seed's, alias 'seed') or "
                             "'logistic' (alias 'cross_entropy')")
    return name


@dataclass
class NeuronEpoch:
    """The state after one gradient step, and the gradient that made it.

    ``sample_grads[n]`` is ∂ℓ_n/∂(w[, b]) of sample n alone (not divided by N)
    at the weights *before* the step; the step used their mean.
    """

    epoch: int
    coef: list[float]
    intercept: float
    loss: float                       # mean loss before the step
    sample_losses: list[float]
    sample_grads: list[list[float]]   # per sample: [∂/∂w1, ..., ∂/∂wd(, ∂/∂b)]


class Neuron:
    """A single sigmoid unit, ``sklearn``-style: fit / predict / decision_function.

    ``init`` is "zeros" or "random" (seeded N(0, 1)); ``fit(..., coef_init=,
    intercept_init=)`` starts from given weights (as ``SGDClassifier.fit``).
    """

    def __init__(self, *, loss: str = "sigmoid_squared", lr: float = 1.0, epochs: int = 1000,
                 fit_intercept: bool = False, init: str = "zeros",
                 random_state: int | None = None, record_every: int = 1):
        self.loss = loss_name(loss)
        if not (np.isfinite(lr) and lr > 0):
            raise DataError(Text(f"学习率必须是正数，现在是 {lr}",
                                 f"Neuron: learning rate must be a positive number, got {lr}"),
                            hint=Text("例如 --lr 1（lr=1.0），想让步子小些可用 0.1",
                                      "e.g. lr=1.0 (--lr 1), or 0.1 for smaller steps"))
        if epochs < 0:
            raise DataError(Text(f"轮数不能为负，现在是 {epochs}",
                                 f"Neuron: epochs must be ≥ 0, got {epochs}"),
                            hint=Text("例如 epochs=1000", "e.g. epochs=1000"))
        if init not in ("zeros", "random"):
            raise DataError(f"Neuron: unknown init '{init}'", hint="use 'zeros' or 'random'")
        self.lr, self.epochs, self.fit_intercept = float(lr), int(epochs), fit_intercept
        self.init, self.random_state, self.record_every = init, random_state, max(1, record_every)

    def _losses(self, m: Tensor) -> Tensor:
        if self.loss == "sigmoid_squared":
            return (ops.sigmoid(m) - 1.0) ** 2
        return ops.softplus(-m)  # log(1 + e^(-m)), finite for every m

    def fit(self, X, y, coef_init=None, intercept_init=None) -> Neuron:
        X, y = check_xy(X, y, "Neuron.fit")
        n, d = X.shape
        Xa = np.hstack([X, np.ones((n, 1))]) if self.fit_intercept else X
        k = Xa.shape[1]
        if coef_init is not None:
            w0 = np.zeros(k)
            w0[:d] = np.asarray(coef_init, dtype=np.float64).reshape(d)
            if self.fit_intercept and intercept_init is not None:
                w0[d] = float(intercept_init)
        elif self.init == "random":
            w0 = np.random.default_rng(self.random_state).standard_normal(k)
        else:
            w0 = np.zeros(k)
        w = Tensor(w0, requires_grad=True, dtype=np.float64)
        Xt, yt = Tensor(Xa, dtype=np.float64), Tensor(y, dtype=np.float64)
        self.history_: list[NeuronEpoch] = []
        self._Xa, self._y = Xa, y
        self._set(w.data)
        for epoch in range(1, self.epochs + 1):
            losses, W = self._forward(w, Xt, yt, n)
            loss = losses.mean()
            loss.backward()
            grad = w.grad.data
            if epoch % self.record_every == 0 or epoch in (1, self.epochs):
                sample_grads = W.grad.data * n   # rows are ∂ℓ_n/∂w / N: undo the mean
                self._record(epoch, w.data - self.lr * grad, losses, sample_grads)
            with no_grad():
                w.data[...] -= self.lr * grad   # in place, as optim.SGD.step
            w.zero_grad()
        self._set(w.data)
        self.n_iter_ = self.epochs
        return self

    def _forward(self, w: Tensor, Xt: Tensor, yt: Tensor, n: int):
        W = w.expand(n, w.shape[0]).retain_grad()   # one row per sample: per-sample grads
        m = (W * Xt).sum(dim=1) * yt
        return self._losses(m), W

    def _record(self, epoch, w_new, losses, sample_grads) -> None:
        coef, b = self._split(w_new)
        self.history_.append(NeuronEpoch(
            epoch=epoch, coef=coef.tolist(), intercept=b, loss=float(losses.data.mean()),
            sample_losses=losses.data.tolist(), sample_grads=sample_grads.tolist()))

    def _split(self, w: np.ndarray) -> tuple[np.ndarray, float]:
        if self.fit_intercept:
            return w[:-1].copy(), float(w[-1])
        return w.copy(), 0.0

    def _set(self, w: np.ndarray) -> None:
        self.coef_, self.intercept_ = self._split(np.asarray(w, dtype=np.float64))

    # ------------------------------------------------------------ inspection
    def sample_gradients(self, X=None, y=None) -> np.ndarray:
        """∂ℓ_n/∂(w[, b]) per sample at the current weights (rows), through the engine."""
        X, y = (self._Xa, self._y) if X is None else check_xy(X, y, "Neuron.sample_gradients")
        if X is not self._Xa and self.fit_intercept:
            X = np.hstack([X, np.ones((len(X), 1))])
        wv = np.r_[self.coef_, self.intercept_] if self.fit_intercept else self.coef_
        w = Tensor(wv, requires_grad=True, dtype=np.float64)
        losses, W = self._forward(w, Tensor(X, dtype=np.float64), Tensor(y, dtype=np.float64),
                                  len(X))
        losses.sum().backward()
        return W.grad.data.copy()

    def sample_losses(self, X, y) -> np.ndarray:
        X, y = check_xy(X, y, "Neuron.sample_losses")
        with no_grad():
            m = Tensor(y * self.decision_function(X), dtype=np.float64)
            return self._losses(m).data

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(X, dtype=np.float64) @ self.coef_ + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        """θ(wᵀx + b), the probability of the +1 class."""
        from nndl.engine import kernels as _kernels

        return _kernels.sigmoid(self.decision_function(X))

    def predict(self, X) -> np.ndarray:
        return np.where(self.decision_function(X) > 0, 1, -1)
