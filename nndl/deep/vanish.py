"""The vanishing gradient, measured.

A network with ``depth`` hidden layers of ``width`` units, each followed by θ
(sigmoid, tanh or ReLU), and a linear output unit (so the three activations are
compared on the same footing), is initialised by one of PyTorch's schemes and
given a seeded batch. One backward pass through the engine gives every layer's
‖∂ℓ/∂W⁽ˡ⁾‖ (Frobenius, bias row included, as the seed's w_0j).

The gradient of W⁽ˡ⁾ carries one θ′ factor per hidden layer from l to the last:
δ⁽ˡ⁾ = (W̄⁽ˡ⁺¹⁾δ⁽ˡ⁺¹⁾) ⊙ θ′(S⁽ˡ⁾). ``dtheta_product`` is ∏ mean θ′(S⁽ᵏ⁾) over
those layers (mean over units and samples), compared for the sigmoid with
0.25^(number of factors), since σ′ ≤ 1/4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nndl.deep.backprop import (
    INITS,
    BackpropError,
    Network,
    engine_grads,
    forward,
    init_weights,
    theta_prime,
)
from nndl.text import Text

SWEEP_ACTIVATIONS = ("sigmoid", "tanh", "relu")


@dataclass
class LayerGrad:
    layer: int                     # 1 .. depth + 1 (the last is the linear output layer)
    grad_norm: float               # ‖∂ℓ/∂W⁽ˡ⁾‖_F
    mean_dtheta: float | None      # mean θ′(S⁽ˡ⁾) (None for the output layer: θ is the identity)
    dtheta_product: float          # ∏_{k=l}^{depth} mean θ′(S⁽ᵏ⁾) (1 for the output layer)
    sigmoid_bound: float           # 0.25^(depth − l + 1)


@dataclass
class VanishRun:
    activation: str
    init: str
    depth: int                     # hidden layers
    layers: list[LayerGrad]

    @property
    def first_layer_norm(self) -> float:
        return self.layers[0].grad_norm


@dataclass
class DepthTrend:
    """log10 ‖∂ℓ/∂W⁽¹⁾‖ fitted as a + slope·depth (least squares over the depths swept)."""

    activation: str
    init: str
    slope_log10_per_layer: float
    factor_per_layer: float        # 10**slope: what one more layer multiplies the norm by


@dataclass
class VanishingSweep:
    """Result of :func:`vanishing_sweep`."""

    depths: list[int]
    activations: list[str]
    inits: list[str]
    width: int
    batch: int
    seed: int
    runs: list[VanishRun]
    trends: list[DepthTrend]

    def run(self, activation: str, init: str, depth: int) -> VanishRun:
        for r in self.runs:
            if (r.activation, r.init, r.depth) == (activation, init, depth):
                return r
        raise KeyError((activation, init, depth))


def measure(depth: int, activation: str, init: str, *, width: int = 32, batch: int = 64,
            seed: int = 0) -> VanishRun:
    """One network: per-layer gradient norms and θ′ products."""
    sizes = [width] * (depth + 1) + [1]
    # the same seed for every activation: they share weights and data at a given depth
    rng = np.random.default_rng([seed, depth, INITS.index(init)])
    net = Network(sizes, activation, "identity", init_weights(sizes, init, rng))
    X = rng.standard_normal((batch, width))
    y = rng.standard_normal((batch, 1))
    grads, _ = engine_grads(net, X, y, "squared")
    S, _ = forward(net, X)
    means = [float(theta_prime(activation, s).mean()) for s in S[:depth]]
    layers = []
    for l in range(1, depth + 2):
        hidden = l <= depth
        prod = float(np.prod(means[l - 1:])) if hidden else 1.0
        layers.append(LayerGrad(
            layer=l, grad_norm=float(np.linalg.norm(grads[l - 1])),
            mean_dtheta=means[l - 1] if hidden else None, dtheta_product=prod,
            sigmoid_bound=0.25 ** (depth - l + 1)))
    return VanishRun(activation, init, depth, layers)


MAX_DEPTH = 200  # hidden layers: the deepest network a sweep measures


def parse_depths(spec) -> list[int]:
    """'2-30', '2,5,10', '10' or an iterable of ints. Every number is checked against 1 and
    :data:`MAX_DEPTH` before a range is expanded (1-999999999999 would be a list of 10¹²)."""
    if isinstance(spec, int):
        return [spec]
    if not isinstance(spec, str):
        return [int(d) for d in spec]
    out: list[int] = []
    for k, part in enumerate(p.strip() for p in spec.split(",")):
        try:
            a, b = (int(v) for v in part.split("-", 1)) if "-" in part else (int(part),) * 2
        except ValueError:
            raise BackpropError(Text(f"深度列表 '{spec}'：第 {k + 1} 项（'{part}'）既不是数也不是范围",
                                     f"depth list '{spec}': item {k + 1} ('{part}') is not a "
                                     "number or a range"),
                                hint=Text("例如 -d 2-30 或 -d 2,5,10,20",
                                          "write e.g. 2-30 or 2,5,10,20")) from None
        if a > b:
            raise BackpropError(Text(f"深度范围 '{part}' 是倒着写的",
                                     f"depth range '{part}' runs backwards"),
                                hint=Text(f"小的数写在前面，例如 {b}-{a}",
                                          f"write the smaller number first, e.g. {b}-{a}"))
        if a < 1 or b > MAX_DEPTH:
            raise BackpropError(Text(f"深度列表 '{spec}'：第 {k + 1} 项（'{part}'）超出 1 到 "
                                     f"{MAX_DEPTH} 个隐藏层的范围",
                                     f"depth list '{spec}': item {k + 1} ('{part}') is outside 1 "
                                     f"to {MAX_DEPTH} hidden layers"),
                                hint=Text(f"隐藏层层数取 1 到 {MAX_DEPTH}，例如 -d 2-30",
                                          f"give hidden-layer counts between 1 and {MAX_DEPTH}, "
                                          "e.g. 2-30"))
        out.extend(range(a, b + 1))
    return out


MEMORY_LIMIT = 2 * 2**30  # bytes one network of the sweep may take


def vanishing_sweep(depths=range(2, 31), activations=SWEEP_ACTIVATIONS, inits=INITS, *,
                    width: int = 32, batch: int = 64, seed: int = 0) -> VanishingSweep:
    """Per-layer gradient norms for every (depth, activation, init)."""
    depths = sorted(set(parse_depths(depths)))
    if not depths or min(depths) < 1 or max(depths) > MAX_DEPTH:
        shown = Text(f"{min(depths)}–{max(depths)}", f"{min(depths)}–{max(depths)}") if depths \
            else Text("无", "none")
        raise BackpropError(Text(f"深度（{shown.zh}）超出 1 到 {MAX_DEPTH} 个隐藏层的范围",
                                 f"depths ({shown.en}) outside 1 to {MAX_DEPTH} hidden layers"),
                            hint=Text(f"隐藏层层数取 1 到 {MAX_DEPTH}，例如 -d 2-30",
                                      f"give hidden-layer counts between 1 and {MAX_DEPTH}, "
                                      "e.g. 2-30"))
    example = f"-a {','.join(SWEEP_ACTIVATIONS)} -i {','.join(INITS)}"
    if not activations:
        raise BackpropError(Text("至少要有一个激活函数", "the sweep needs at least one activation"),
                            hint=Text(f"例如 {example}", f"e.g. {example}"))
    if not inits:
        raise BackpropError(Text("至少要有一种初始化", "the sweep needs at least one init"),
                            hint=Text(f"例如 {example}", f"e.g. {example}"))
    for a in activations:
        if a not in SWEEP_ACTIVATIONS:
            raise BackpropError(Text(f"未知的激活函数 '{a}'", f"unknown activation '{a}' for the sweep"),
                                hint=Text(f"可从这些中选一个或几个：{'、'.join(SWEEP_ACTIVATIONS)}",
                                          f"use some of: {', '.join(SWEEP_ACTIVATIONS)}"))
    for i in inits:
        if i not in INITS:
            raise BackpropError(Text(f"未知的初始化 '{i}'", f"unknown init '{i}'"),
                                hint=Text(f"可从这些中选一个或几个：{'、'.join(INITS)}",
                                          f"use some of: {', '.join(INITS)}"))
    if width < 1 or batch < 1:
        raise BackpropError(Text(f"宽度（{width}）和批量（{batch}）都必须 ≥ 1",
                                 f"width ({width}) and batch ({batch}) must be ≥ 1"),
                            hint=Text("例如 --width 32 --batch 64",
                                      "e.g. width 32 and batch 64 (--width 32 --batch 64)"))
    # weights and their gradients, activations and their gradients, float64, deepest network
    need = 8 * (max(depths) + 1) * (2 * width * (width + 1) + 4 * batch * width)
    if need > MEMORY_LIMIT:
        raise BackpropError(Text(f"宽度 {width}、批量 {batch}、深度 {max(depths)} 约需 "
                                 f"{need / 2**30:.3g} GiB 内存（至多 {MEMORY_LIMIT / 2**30:g} GiB）",
                                 f"width {width}, batch {batch} and depth {max(depths)} need about "
                                 f"{need / 2**30:.3g} GiB (at most {MEMORY_LIMIT / 2**30:g} GiB)"),
                            hint=Text("宽度 32、批量 64 就已能看到梯度消失；请减小 --width、--batch 或 "
                                      "--depth",
                                      "the vanishing gradient shows already at width 32, batch 64; "
                                      "use a smaller --width, --batch or --depth"))
    runs = [measure(d, a, i, width=width, batch=batch, seed=seed)
            for a in activations for i in inits for d in depths]
    trends = []
    for a in activations:
        for i in inits:
            ds = np.array(depths, dtype=np.float64)
            norms = np.array([r.first_layer_norm for r in runs
                              if r.activation == a and r.init == i])
            # a dead ReLU network has exactly zero gradients: floor them for the log
            logs = np.log10(np.maximum(norms, 1e-300))
            slope = float(np.polyfit(ds, logs, 1)[0]) if len(ds) > 1 else float("nan")
            trends.append(DepthTrend(a, i, slope, 10 ** slope))
    return VanishingSweep(depths, list(activations), list(inits), width, batch, seed, runs, trends)
