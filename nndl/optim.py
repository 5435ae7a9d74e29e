"""Optimisers with PyTorch's exact update rules: ``SGD`` (momentum, dampening, Nesterov,
weight decay), ``Adam`` and ``AdamW``.

Updates are written into the parameter's own array (``p.data -= lr·g``), so a model
keeps its storage, and large tensors are updated in chunks that reuse one scratch
buffer: updating a 177 M-parameter layer allocates no temporary of its size.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from nndl.engine.tensor import Tensor
from nndl.errors import ArgumentError, ArgumentTypeError

_CHUNK = 1 << 16  # elements per chunk: the temporaries stay in cache


class OptimizerError(ArgumentError):
    """Bad optimiser settings (negative learning rate, empty parameter list...); a
    ValueError, as PyTorch raises."""


class OptimizerTypeError(ArgumentTypeError):
    """An optimiser setting that is not a number (a TypeError, as PyTorch raises)."""


def _flat_chunks(*arrays: np.ndarray):
    """Matching flat views of the same slice of each (contiguous) array: the arrays
    themselves when they fit in one chunk (most layers: no loop, no views)."""
    if arrays[0].size <= _CHUNK:
        return (arrays,)
    flats = [a.reshape(-1) for a in arrays]
    n = flats[0].size
    return (tuple(f[start:start + _CHUNK] for f in flats) for start in range(0, n, _CHUNK))


def _axpy(d: np.ndarray, g: np.ndarray, alpha: float, tmp: np.ndarray) -> None:
    """d += alpha·g through the scratch ``tmp`` (no temporary array; alpha·g is rounded to
    d's dtype first, as ``p.add_(g, alpha=...)`` in PyTorch)."""
    t = tmp[:d.size].reshape(d.shape)
    np.multiply(g, alpha, out=t)
    np.add(d, t, out=d)


class Optimizer:
    """Parameter groups (``[{"params": [...], "lr": ...}, ...]``) and per-parameter state."""

    def __init__(self, params: Iterable, defaults: dict[str, Any]):
        params = list(params)
        if not params:
            raise OptimizerError("the optimiser got an empty parameter list",
                                 hint="pass model.parameters()")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.defaults = defaults
        self.param_groups: list[dict[str, Any]] = []
        for g in groups:
            group = {**defaults, **g, "params": list(g["params"])}
            if "lr" in g or any(k in g for k in _NONNEGATIVE):  # a group's own settings
                _check(group.get("lr", 0.0), **{k: group[k] for k in _NONNEGATIVE if k in g})
            if "dampening" in g:
                _number("dampening", group["dampening"])
            for p in group["params"]:
                if not isinstance(p, Tensor):
                    raise OptimizerError(f"the optimiser can only update Tensors, got {type(p)}")
            self.param_groups.append(group)
        self.state: dict[int, dict[str, Any]] = {}
        self._scratch: dict[np.dtype, np.ndarray] = {}

    def _tmp(self, like: np.ndarray) -> np.ndarray:
        """A scratch buffer of one chunk in ``like``'s dtype, reused by every update.

        Invariant: its contents are undefined between uses; its one user, ``_axpy``,
        writes the slice it reads (``np.multiply(..., out=t)``) before reading it, and the
        buffer never leaves this optimiser (tests/test_model_parity.py poisons it)."""
        t = self._scratch.get(like.dtype)
        if t is None:
            t = self._scratch[like.dtype] = np.empty(_CHUNK, dtype=like.dtype)
        return t

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p._grad is None:
                    p._release_grad()
                else:
                    p._grad[...] = 0

    def _params_with_grad(self, group):
        for p in group["params"]:
            if p._grad is not None:
                if not p._arr.flags.writeable:
                    raise OptimizerError("cannot update a parameter without storage (built on the "
                                         "meta device)", hint="build the model normally to train it")
                yield p, p._arr, p._grad

    def step(self) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(g.items()) if k != "params"]
        return "\n".join(lines + [")"])


def _number(name: str, v: Any) -> float:
    """A setting as a float: a real number and finite, or a clear error."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise OptimizerTypeError(f"invalid {name} {v!r}: it must be a number, not "
                                 f"{type(v).__name__}", hint=f"e.g. {name}=0.01")
    if not math.isfinite(v):
        raise OptimizerError(f"invalid {name} {v}: it must be a finite number",
                             hint="a nan or infinite setting turns every parameter into nan")
    return float(v)


def _check(lr: float, **more: float) -> None:
    """PyTorch's checks (a negative learning rate, momentum, weight decay ... is a
    ValueError), and every setting a finite number."""
    if _number("lr", lr) < 0:
        raise OptimizerError(f"invalid learning rate {lr}", hint="use lr > 0, e.g. lr=0.01")
    for k, v in more.items():
        if _number(k, v) < 0:
            raise OptimizerError(f"invalid {k} {v}: it must be >= 0")


# the settings of a parameter group that _check reads (a group's own "lr" ... included)
_NONNEGATIVE = ("momentum", "weight_decay", "eps", "alpha", "lr_decay",
                "initial_accumulator_value")


class SGD(Optimizer):
    """PyTorch's rule: g ← g + λ·p; b ← μ·b + (1 − τ)·g (b = g at the first step);
    g ← g + μ·b (Nesterov) or g ← b; p ← p − lr·g."""

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, maximize: bool = False):
        _check(lr, momentum=momentum, weight_decay=weight_decay)
        _number("dampening", dampening)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise OptimizerError("Nesterov momentum needs momentum > 0 and dampening = 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    def step(self) -> None:
        for group in self.param_groups:
            lr, mu, tau = group["lr"], group["momentum"], group["dampening"]
            wd, nesterov, sign = group["weight_decay"], group["nesterov"], (
                -1.0 if group["maximize"] else 1.0)
            for p, data, grad in self._params_with_grad(group):
                if not (data.flags.c_contiguous and grad.flags.c_contiguous):
                    grad = np.ascontiguousarray(grad)
                    if not data.flags.c_contiguous:
                        p._arr = data = np.ascontiguousarray(data)
                if not (mu or wd) and sign > 0:  # plain SGD: p ← p − lr·g, nothing else
                    for d, g in _flat_chunks(data, grad):
                        _axpy(d, g, -lr, self._tmp(d))
                    continue
                state = self.state.setdefault(id(p), {})
                buf: Any = state.get("momentum_buffer") if mu else None  # an array when mu
                first = mu and buf is None
                if first:
                    buf = state["momentum_buffer"] = np.empty_like(data)
                chunks = _flat_chunks(data, grad, buf) if mu else _flat_chunks(data, grad)
                for chunk in chunks:
                    d, g = chunk[0], chunk[1]
                    if sign < 0:
                        g = -g
                    if wd:
                        g = g + wd * d
                    if mu:
                        b = chunk[2]
                        if first:
                            b[...] = g
                        else:
                            b *= mu
                            b += (1 - tau) * g if tau else g
                        g = g + mu * b if nesterov else b
                    _axpy(d, g, -lr, self._tmp(d))


class Adam(Optimizer):
    """PyTorch's rule: m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
    p ← p − lr/(1 − β1ᵗ) · m / (√v/√(1 − β2ᵗ) + ε); weight_decay adds λ·p to g (L2)."""

    _decoupled = False

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False,
                 maximize: bool = False):
        _check(lr, eps=eps, weight_decay=weight_decay)
        if len(betas) != 2:
            raise OptimizerError(f"invalid betas {betas}: a pair (beta1, beta2)",
                                 hint="e.g. betas=(0.9, 0.999)")
        if not (0 <= _number("beta1", betas[0]) < 1 and 0 <= _number("beta2", betas[1]) < 1):
            raise OptimizerError(f"invalid betas {betas}: each must be in [0, 1)")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize))

    def step(self) -> None:
        for group in self.param_groups:
            lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
            wd, ams, maximize = group["weight_decay"], group["amsgrad"], group["maximize"]
            for p, data, grad in self._params_with_grad(group):
                if not (data.flags.c_contiguous and grad.flags.c_contiguous):
                    grad = np.ascontiguousarray(grad)
                    if not data.flags.c_contiguous:
                        p._arr = data = np.ascontiguousarray(data)
                state = self.state.setdefault(id(p), {})
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = np.zeros_like(data)
                    state["exp_avg_sq"] = np.zeros_like(data)
                    if ams:
                        state["max_exp_avg_sq"] = np.zeros_like(data)
                state["step"] += 1
                t = state["step"]
                step_size = lr / (1 - b1 ** t)
                bc2_sqrt = math.sqrt(1 - b2 ** t)
                arrays = [data, grad, state["exp_avg"], state["exp_avg_sq"]]
                if ams:
                    arrays.append(state["max_exp_avg_sq"])
                for chunk in _flat_chunks(*arrays):
                    d, g, m, v = chunk[:4]
                    if maximize:
                        g = -g
                    if wd and self._decoupled:
                        d *= 1 - lr * wd
                    elif wd:
                        g = g + wd * d
                    m *= b1
                    m += (1 - b1) * g
                    v *= b2
                    v += (1 - b2) * (g * g)
                    if ams:
                        np.maximum(chunk[4], v, out=chunk[4])
                        v = chunk[4]
                    denom = np.sqrt(v)
                    denom /= bc2_sqrt
                    denom += eps
                    d -= step_size * (m / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay: p ← p·(1 − lr·λ) before the Adam step."""

    _decoupled = True

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False,
                 maximize: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize)


class RMSprop(Optimizer):
    """PyTorch's rule: g ← g + λ·p; v ← α·v + (1 − α)·g²; with ``centered``, m ← α·m +
    (1 − α)·g and the denominator is √(v − m²) + ε, else √v + ε; then with momentum μ,
    b ← μ·b + g/denominator and p ← p − lr·b, else p ← p − lr·g/denominator."""

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
                 maximize: bool = False):
        _check(lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, maximize=maximize))

    def step(self) -> None:
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            wd, mu, centered = group["weight_decay"], group["momentum"], group["centered"]
            for p, data, grad in self._params_with_grad(group):
                g = -grad if group["maximize"] else grad
                if wd:
                    g = g + wd * data
                state = self.state.setdefault(id(p), {})
                if not state:
                    state["step"] = 0
                    state["square_avg"] = np.zeros_like(data)
                    if mu:
                        state["momentum_buffer"] = np.zeros_like(data)
                    if centered:
                        state["grad_avg"] = np.zeros_like(data)
                state["step"] += 1
                v = state["square_avg"]
                v *= alpha
                v += (1 - alpha) * (g * g)
                if centered:
                    m = state["grad_avg"]
                    m *= alpha
                    m += (1 - alpha) * g
                    denom = np.sqrt(v - m * m)
                else:
                    denom = np.sqrt(v)
                denom += eps
                if mu:
                    buf = state["momentum_buffer"]
                    buf *= mu
                    buf += g / denom
                    data -= lr * buf
                else:
                    data -= lr * (g / denom)


class Adagrad(Optimizer):
    """PyTorch's rule: g ← g + λ·p; s ← s + g²; p ← p − lr_t·g/(√s + ε) with
    lr_t = lr/(1 + (t − 1)·lr_decay)."""

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, maximize: bool = False):
        _check(lr, lr_decay=lr_decay, weight_decay=weight_decay, eps=eps,
               initial_accumulator_value=initial_accumulator_value)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      eps=eps, maximize=maximize))

    def step(self) -> None:
        for group in self.param_groups:
            lr, decay, wd, eps = group["lr"], group["lr_decay"], group["weight_decay"], group["eps"]
            for p, data, grad in self._params_with_grad(group):
                g = -grad if group["maximize"] else grad
                if wd:
                    g = g + wd * data
                state = self.state.setdefault(id(p), {})
                if not state:
                    state["step"] = 0
                    state["sum"] = np.full_like(data, group["initial_accumulator_value"])
                state["step"] += 1
                clr = lr / (1 + (state["step"] - 1) * decay)
                s = state["sum"]
                s += g * g
                data -= clr * (g / (np.sqrt(s) + eps))
