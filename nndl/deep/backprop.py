"""Backpropagation of a fully connected network of any depth, three ways.

Notation (the seed's): layer l = 1..L has d⁽ˡ⁾ units; x⁽⁰⁾ is the input and
x₀⁽ˡ⁾ = 1 the constant input of the bias; S_j⁽ˡ⁾ = Σ_{i=0}^{d⁽ˡ⁻¹⁾} w_ij⁽ˡ⁾ x_i⁽ˡ⁻¹⁾,
x_j⁽ˡ⁾ = θ(S_j⁽ˡ⁾), ŷ = x⁽ᴸ⁾. So W⁽ˡ⁾ is a (d⁽ˡ⁻¹⁾ + 1) × d⁽ˡ⁾ matrix whose row 0
holds the biases w_0j⁽ˡ⁾, and S⁽ˡ⁾ = W⁽ˡ⁾ᵀ x⁽ˡ⁻¹⁾ (with the 1 prepended).

* :func:`delta_backprop` — the δ recursion by hand, NumPy matrices only:
  δ⁽ᴸ⁾ = ∂ℓ/∂ŷ ⊙ θ′(S⁽ᴸ⁾), δ⁽ˡ⁾ = (W̄⁽ˡ⁺¹⁾ δ⁽ˡ⁺¹⁾) ⊙ θ′(S⁽ˡ⁾) (W̄: W without its
  bias row, since x₀ is a constant), ∂ℓ/∂W⁽ˡ⁾ = x⁽ˡ⁻¹⁾ δ⁽ˡ⁾ᵀ.
* :func:`engine_grads` — the same network on nndl Tensors, ``loss.backward()``.
* :func:`finite_difference_grads` — central differences, one weight at a time.

A batch is a stack of rows; the loss is summed over the batch, so each
gradient is the sum of the per-sample outer products Xᵀ Δ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nndl.engine import kernels as _kernels
from nndl.engine import ops
from nndl.engine.tensor import Tensor
from nndl.errors import NNDLError
from nndl.text import Text

ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")
INITS = ("pytorch", "xavier", "he")
LOSSES = ("squared", "bce")


class BackpropError(NNDLError):
    """A network, initialisation or loss that the backprop tools cannot use."""


_WHAT = {"activation": Text("激活函数", "activation"), "init": Text("初始化", "init"),
         "loss": Text("损失函数", "loss")}


def _check(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        what = _WHAT.get(name, Text.same(name))
        raise BackpropError(Text(f"未知的{what.zh} '{value}'", f"unknown {what.en} '{value}'"),
                            hint=Text(f"从这些中选一个：{'、'.join(allowed)}",
                                      f"use one of: {', '.join(allowed)}"))
    return value


# ------------------------------------------------------------ activations
def theta(name: str, s: np.ndarray) -> np.ndarray:
    _check("activation", name, ACTIVATIONS)
    if name == "sigmoid":
        return _kernels.sigmoid(s)
    if name == "tanh":
        return np.tanh(s)
    if name == "relu":
        return np.maximum(s, 0.0)
    return s


def theta_prime(name: str, s: np.ndarray) -> np.ndarray:
    """θ′(S): σ(1 − σ), 1 − tanh², 1[S > 0] (0 at 0, as PyTorch), 1."""
    _check("activation", name, ACTIVATIONS)
    if name == "sigmoid":
        v = _kernels.sigmoid(s)
        return v * (1.0 - v)
    if name == "tanh":
        return 1.0 - np.tanh(s) ** 2
    if name == "relu":
        return (s > 0).astype(s.dtype)
    return np.ones_like(s)


def _engine_theta(name: str, s: Tensor) -> Tensor:
    return {"sigmoid": ops.sigmoid, "tanh": ops.tanh, "relu": ops.relu,
            "identity": lambda v: v}[name](s)


# ------------------------------------------------------------ network
@dataclass
class Network:
    """Weights in the seed's layout: ``weights[l-1]`` is W⁽ˡ⁾, (d⁽ˡ⁻¹⁾+1) × d⁽ˡ⁾, row 0 = bias."""

    sizes: list[int]
    activation: str
    output_activation: str
    weights: list[np.ndarray]

    @property
    def depth(self) -> int:
        return len(self.weights)

    def activation_of(self, layer: int) -> str:
        """θ of layer ``layer`` (1-based)."""
        return self.output_activation if layer == self.depth else self.activation


def init_weights(sizes, init: str = "pytorch", rng: np.random.Generator | int | None = 0
                 ) -> list[np.ndarray]:
    """Weights as PyTorch would draw them.

    * "pytorch": ``nn.Linear``'s default, kaiming_uniform_(a=√5) → U(±1/√fan_in)
      for weights, and U(±1/√fan_in) for biases;
    * "xavier": ``xavier_uniform_`` (gain 1), U(±√(6/(fan_in+fan_out))), bias 0;
    * "he": ``kaiming_normal_`` (fan_in, ReLU gain), N(0, 2/fan_in), bias 0.
    """
    _check("init", init, INITS)
    sizes = _check_sizes(sizes)
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    out = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=False):
        W = np.zeros((fan_in + 1, fan_out))
        if init == "pytorch":
            bound = 1.0 / np.sqrt(fan_in)
            W[1:] = rng.uniform(-bound, bound, (fan_in, fan_out))
            W[0] = rng.uniform(-bound, bound, fan_out)
        elif init == "xavier":
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            W[1:] = rng.uniform(-bound, bound, (fan_in, fan_out))
        else:
            W[1:] = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
        out.append(W)
    return out


def _check_sizes(sizes) -> list[int]:
    try:
        sizes = [int(s) for s in sizes]
    except (TypeError, ValueError):
        raise BackpropError(f"layer sizes must be integers, got {sizes!r}",
                            hint="e.g. sizes=(3, 4, 3, 1): input, two hidden layers, output") from None
    if len(sizes) < 2:
        raise BackpropError(f"a network needs an input and at least one layer, got sizes {sizes}",
                            hint="e.g. sizes=(3, 4, 3, 1)")
    for l, s in enumerate(sizes):
        if s < 1:
            raise BackpropError(Text(f"第 {l} 层有 {s} 个单元；每层至少要有一个",
                                     f"layer {l} has {s} units; every layer needs at least one"),
                                hint=Text("各层单元数须为正整数，例如 --sizes 3,4,3,1",
                                          "use positive layer sizes"))
    return sizes


def make_network(sizes, activation: str = "sigmoid", output_activation: str | None = None,
                 init: str = "pytorch", seed: int | None = 0) -> Network:
    sizes = _check_sizes(sizes)
    _check("activation", activation, ACTIVATIONS)
    out_act = activation if output_activation is None else output_activation
    _check("activation", out_act, ACTIVATIONS)
    return Network(sizes, activation, out_act, init_weights(sizes, init, seed))


def _with_one(x: np.ndarray) -> np.ndarray:
    return np.hstack([np.ones((x.shape[0], 1)), x])


def forward(net: Network, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """S⁽ˡ⁾ (l = 1..L) and x⁽ˡ⁾ (l = 0..L, without the constant 1), one row per sample."""
    xs, Ss = [np.atleast_2d(np.asarray(X, dtype=np.float64))], []
    for l, W in enumerate(net.weights, start=1):
        S = _with_one(xs[-1]) @ W
        Ss.append(S)
        xs.append(theta(net.activation_of(l), S))
    return Ss, xs


def _loss_and_dyhat(loss: str, yhat: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    if loss == "squared":                     # ℓ = Σ (ŷ − y)²
        return float(np.sum((yhat - y) ** 2)), 2.0 * (yhat - y)
    with np.errstate(divide="ignore"):        # ℓ = −Σ [y log ŷ + (1 − y) log(1 − ŷ)]
        value = -np.sum(y * np.log(yhat) + (1 - y) * np.log1p(-yhat))
        return float(value), -(y / yhat) + (1 - y) / (1 - yhat)


@dataclass
class DeltaPass:
    """Everything the δ recursion computed, layer l at index l − 1."""

    S: list[np.ndarray]
    x: list[np.ndarray]            # x⁽⁰⁾ .. x⁽ᴸ⁾
    dtheta: list[np.ndarray]       # θ′(S⁽ˡ⁾)
    deltas: list[np.ndarray]       # δ⁽ˡ⁾ = ∂ℓ/∂S⁽ˡ⁾
    grads: list[np.ndarray]        # ∂ℓ/∂W⁽ˡ⁾, the layout of W⁽ˡ⁾
    loss: float


def delta_backprop(net: Network, X, y, loss: str = "squared") -> DeltaPass:
    """The δ recursion in matrix form, by hand (NumPy only, no autodiff)."""
    _check("loss", loss, LOSSES)
    Ss, xs = forward(net, X)
    y = np.asarray(y, dtype=np.float64).reshape(xs[-1].shape)
    value, dyhat = _loss_and_dyhat(loss, xs[-1], y)
    L = net.depth
    dth = [theta_prime(net.activation_of(l), Ss[l - 1]) for l in range(1, L + 1)]
    deltas: list[np.ndarray] = [None] * L  # type: ignore[list-item]
    deltas[L - 1] = dyhat * dth[L - 1]                                  # δ⁽ᴸ⁾
    for l in range(L - 1, 0, -1):                                       # δ⁽ˡ⁾, l = L−1 .. 1
        Wbar = net.weights[l][1:]                                       # W⁽ˡ⁺¹⁾ without bias row
        deltas[l - 1] = (deltas[l] @ Wbar.T) * dth[l - 1]
    grads = [_with_one(xs[l - 1]).T @ deltas[l - 1] for l in range(1, L + 1)]  # x⁽ˡ⁻¹⁾ δ⁽ˡ⁾ᵀ
    return DeltaPass(Ss, xs, dth, deltas, grads, value)


def engine_grads(net: Network, X, y, loss: str = "squared") -> tuple[list[np.ndarray], float]:
    """∂ℓ/∂W⁽ˡ⁾ by nndl's autodiff (float64 Tensors, ``backward()``)."""
    _check("loss", loss, LOSSES)
    Ws = [Tensor(W, requires_grad=True, dtype=np.float64) for W in net.weights]
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    h = Tensor(X, dtype=np.float64)
    for l, W in enumerate(Ws, start=1):
        S = ops.matmul(h, W[1:]) + W[0]
        h = _engine_theta(net.activation_of(l), S)
    yt = Tensor(np.asarray(y, dtype=np.float64).reshape(h.shape), dtype=np.float64)
    if loss == "squared":
        ell = ((h - yt) ** 2).sum()
    else:
        ell = -(yt * ops.log(h) + (1.0 - yt) * ops.log(1.0 - h)).sum()
    ell.backward()
    return [W.grad.data.copy() for W in Ws], float(ell.data)


def network_loss(net: Network, X, y, loss: str = "squared") -> float:
    _, xs = forward(net, X)
    y = np.asarray(y, dtype=np.float64).reshape(xs[-1].shape)
    return _loss_and_dyhat(loss, xs[-1], y)[0]


def finite_difference_grads(net: Network, X, y, loss: str = "squared", h: float = 1e-6
                            ) -> list[np.ndarray]:
    """Central differences (ℓ(w + h) − ℓ(w − h)) / 2h for every weight."""
    out = []
    for W in net.weights:
        G = np.zeros_like(W)
        for idx in np.ndindex(W.shape):
            old = W[idx]
            W[idx] = old + h
            up = network_loss(net, X, y, loss)
            W[idx] = old - h
            down = network_loss(net, X, y, loss)
            W[idx] = old
            G[idx] = (up - down) / (2 * h)
        out.append(G)
    return out


@dataclass
class GradientCheck:
    """Exercise 3's numeric instance: one network, three routes to ∂ℓ/∂W⁽ˡ⁾.

    ``max_abs_diff`` keys: 'delta-engine', 'delta-fd', 'engine-fd'; per layer too.
    """

    sizes: list[int]
    activation: str
    loss: str
    init: str
    seed: int
    x: list[float]
    y: list[float]
    weights: list[list[list[float]]]
    yhat: list[float]
    loss_value: float
    grads_delta: list[list[list[float]]]
    grads_engine: list[list[list[float]]]
    grads_fd: list[list[list[float]]]
    deltas: list[list[float]]              # δ⁽ˡ⁾ for the sample, l = 1..L
    dtheta: list[list[float]]              # θ′(S⁽ˡ⁾)
    max_abs_diff: dict[str, float]
    layer_max_abs_diff: list[dict[str, float]]
    fd_step: float
    agree: bool
    tolerance: float


MAX_CHECK_WEIGHTS = 20_000  # about 10 s of finite differences


def check_gradients(sizes=(3, 4, 3, 1), *, activation: str = "sigmoid", loss: str = "squared",
                    init: str = "pytorch", seed: int = 0, x=None, y=None, fd_step: float = 1e-6,
                    tolerance: float = 1e-7) -> GradientCheck:
    """The seed's network (default: 2 sigmoid hidden layers, sigmoid output) with seeded
    weights and input; gradients by the δ recursion, the engine and finite differences."""
    sizes = _check_sizes(sizes)
    n_weights = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=False))
    if n_weights > MAX_CHECK_WEIGHTS:  # finite differences cost 2·n forward passes of size ~n
        raise BackpropError(Text(f"各层 {sizes} 共有 {n_weights:,} 个权重；有限差分检验要逐个扰动"
                                 f"它们（至多 {MAX_CHECK_WEIGHTS:,} 个权重）",
                                 f"sizes {sizes} have {n_weights:,} weights; the finite-difference "
                                 f"check perturbs them one at a time (at most "
                                 f"{MAX_CHECK_WEIGHTS:,} weights)"),
                            hint=Text("用小一些的层，例如 --sizes 3,4,3,1，或者用 --no-check 只看公式",
                                      "use smaller layers, e.g. --sizes 3,4,3,1, or --no-check for "
                                      "the formulas alone"))
    net = make_network(sizes, activation, init=init, seed=seed)
    _check("loss", loss, LOSSES)
    if loss == "bce" and net.output_activation != "sigmoid":
        # −[y log ŷ + (1 − y) log(1 − ŷ)] is defined only for ŷ in (0, 1)
        raise BackpropError(Text(f"二元交叉熵要求输出 ŷ 在 (0, 1) 内，但输出层的激活函数是 "
                                 f"{net.output_activation}，不是 Sigmoid",
                                 f"binary cross-entropy needs the output ŷ in (0, 1), but the "
                                 f"output activation is {net.output_activation}, not sigmoid"),
                            hint=Text("改用平方误差损失（--loss squared）或 Sigmoid 网络（-a sigmoid）",
                                      "use the squared loss (--loss squared) or a sigmoid network "
                                      "(-a sigmoid)"))
    rng = np.random.default_rng(seed + 1)
    x = rng.standard_normal(net.sizes[0]) if x is None else np.asarray(x, dtype=np.float64)
    if x.shape != (net.sizes[0],):
        raise BackpropError(f"input x has shape {x.shape}, the network's input layer has "
                            f"{net.sizes[0]} units", hint="give one value per input unit")
    if y is None:
        y = rng.uniform(0.1, 0.9, net.sizes[-1]) if activation == "sigmoid" else \
            rng.standard_normal(net.sizes[-1])
    y = np.asarray(y, dtype=np.float64).reshape(net.sizes[-1])
    if loss == "bce" and not np.all((y >= 0) & (y <= 1)):
        raise BackpropError(f"binary cross-entropy needs targets y in [0, 1], got {y.tolist()}",
                            hint="give probabilities or 0/1 labels")
    dp = delta_backprop(net, x[None, :], y[None, :], loss)
    ge, _ = engine_grads(net, x[None, :], y[None, :], loss)
    gf = finite_difference_grads(net, x[None, :], y[None, :], loss, fd_step)
    pairs = {"delta-engine": (dp.grads, ge), "delta-fd": (dp.grads, gf), "engine-fd": (ge, gf)}
    per_layer = [{k: float(np.max(np.abs(a[l] - b[l]))) for k, (a, b) in pairs.items()}
                 for l in range(net.depth)]
    overall = {k: max(d[k] for d in per_layer) for k in pairs}
    return GradientCheck(
        sizes=net.sizes, activation=activation, loss=loss, init=init, seed=seed,
        x=x.tolist(), y=y.tolist(), weights=[W.tolist() for W in net.weights],
        yhat=dp.x[-1][0].tolist(), loss_value=dp.loss,
        grads_delta=[g.tolist() for g in dp.grads], grads_engine=[g.tolist() for g in ge],
        grads_fd=[g.tolist() for g in gf], deltas=[d[0].tolist() for d in dp.deltas],
        dtheta=[d[0].tolist() for d in dp.dtheta], max_abs_diff=overall,
        layer_max_abs_diff=per_layer, fd_step=fd_step,
        agree=all(v <= tolerance for v in overall.values()), tolerance=tolerance)
