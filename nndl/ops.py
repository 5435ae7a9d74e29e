"""Differentiable ops. Each op computes its forward value and defines, right below it,
the backward rule that maps the output's gradient ``g`` to each input's gradient.

The engine (:func:`nndl.tensor.run_backward`) sums gradients that were broadcast back
to each input's shape, so a rule may return a gradient of the broadcast shape.
A backward rule must return freshly computed arrays (or ``g`` itself), never an
array the forward pass saved, because the engine accumulates into them in place.
"""

from __future__ import annotations

import builtins
from collections import namedtuple
from collections.abc import Sequence
from typing import Any

import numpy as np

from nndl import _kernels
from nndl.errors import ShapeError
from nndl.tensor import Tensor, _as_array

make = Tensor._make
MaxMin = namedtuple("MaxMin", ["values", "indices"])


def as_tensor(x: Any, like: Tensor | None = None) -> Tensor:
    """Wrap numbers/arrays; a Python number takes ``like``'s float dtype (no silent upcast)."""
    if isinstance(x, Tensor):
        return x
    if like is not None and isinstance(x, int | float | bool) and like.dtype.kind == "f":
        return Tensor._wrap(np.asarray(x, dtype=like.dtype))
    return Tensor._wrap(_as_array(x))


def _pair(a, b) -> tuple[Tensor, Tensor]:
    if isinstance(a, Tensor):
        return a, as_tensor(b, a)
    b = as_tensor(b)
    return as_tensor(a, b), b


# ------------------------------------------------------------------ arithmetic
def add(a, b) -> Tensor:
    a, b = _pair(a, b)

    def backward(g):
        return g, g

    return make(a.data + b.data, "add", (a, b), backward)


def sub(a, b) -> Tensor:
    a, b = _pair(a, b)

    def backward(g):
        return g, -g

    return make(a.data - b.data, "sub", (a, b), backward)


def mul(a, b) -> Tensor:
    a, b = _pair(a, b)
    ad, bd = a.data, b.data

    def backward(g):
        return (g * bd if a.requires_grad else None), (g * ad if b.requires_grad else None)

    return make(ad * bd, "mul", (a, b), backward)


def div(a, b) -> Tensor:
    a, b = _pair(a, b)
    ad, bd = a.data, b.data
    if ad.dtype.kind != "f" and bd.dtype.kind != "f":  # true division, as torch
        ad, bd = ad.astype(np.float32), bd.astype(np.float32)

    def backward(g):
        ga = g / bd if a.requires_grad else None
        gb = -g * ad / (bd * bd) if b.requires_grad else None
        return ga, gb

    return make(ad / bd, "div", (a, b), backward)


def neg(a) -> Tensor:
    def backward(g):
        return (-g,)

    return make(-a.data, "neg", (a,), backward)


def pow(a, b) -> Tensor:  # noqa: A001 - PyTorch's name
    """a ** b for tensor or number on either side."""
    if not isinstance(b, Tensor) and isinstance(a, Tensor):
        exponent = b  # a number: the common x**2 case, no log needed

        out = a.data ** exponent
        ad = a.data

        def backward_const(g):
            if exponent == 0:
                return (np.zeros_like(g),)
            return (g * exponent * ad ** (exponent - 1),)

        return make(out, "pow", (a,), backward_const)
    a, b = _pair(a, b)
    ad, bd = a.data, b.data
    out = ad ** bd

    def backward(g):
        ga = g * bd * ad ** (bd - 1) if a.requires_grad else None
        gb = None
        if b.requires_grad:
            # d(a^b)/db = a^b log a; PyTorch takes 0 where a == 0 and b >= 0
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = g * out * np.where((ad == 0) & (bd >= 0), 0.0, np.log(ad))
        return ga, gb

    return make(out, "pow", (a, b), backward)


def matmul(a, b) -> Tensor:
    """Matrix product with NumPy's rules (1-D vectors, batched stacks, broadcasting)."""
    a, b = _pair(a, b)
    ad, bd = a.data, b.data
    if ad.ndim == 0 or bd.ndim == 0:
        raise ShapeError("matmul needs tensors with at least one dimension, got a 0-d tensor",
                         hint="use * for multiplication by a scalar")
    k_a = ad.shape[-1]
    k_b = bd.shape[0] if bd.ndim == 1 else bd.shape[-2]
    if k_a != k_b:
        raise ShapeError(f"matmul: shapes {ad.shape} and {bd.shape} cannot be multiplied "
                         f"({k_a} columns vs {k_b} rows)")
    out = ad @ bd

    def backward(g):
        # promote vectors to matrices so one rule covers every case
        a2 = ad[None, :] if ad.ndim == 1 else ad
        b2 = bd[:, None] if bd.ndim == 1 else bd
        g2 = g
        if ad.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        if bd.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        ga = gb = None
        if a.requires_grad:
            ga = g2 @ np.swapaxes(b2, -1, -2)
            if ad.ndim == 1:
                ga = ga.reshape(ga.shape[:-2] + (ga.shape[-1],))
                ga = ga.reshape(-1, ad.shape[0]).sum(0) if ga.ndim > 1 else ga
        if b.requires_grad:
            gb = np.swapaxes(a2, -1, -2) @ g2
            if bd.ndim == 1:
                gb = gb[..., 0]
                gb = gb.reshape(-1, bd.shape[0]).sum(0) if gb.ndim > 1 else gb
        return ga, gb

    return make(out, "matmul", (a, b), backward)


# ------------------------------------------------------------------ elementwise
def exp(a) -> Tensor:
    out = np.exp(a.data)

    def backward(g):
        return (g * out,)

    return make(out, "exp", (a,), backward)


def log(a) -> Tensor:
    ad = a.data

    def backward(g):
        return (g / ad,)

    with np.errstate(divide="ignore", invalid="ignore"):
        return make(np.log(ad), "log", (a,), backward)


def sqrt(a) -> Tensor:
    with np.errstate(invalid="ignore"):
        out = np.sqrt(a.data)

    def backward(g):
        with np.errstate(divide="ignore"):
            return (g / (2 * out),)

    return make(out, "sqrt", (a,), backward)


def abs(a) -> Tensor:  # noqa: A001
    ad = a.data

    def backward(g):
        return (g * np.sign(ad),)  # sign(0) = 0, as PyTorch

    return make(np.abs(ad), "abs", (a,), backward)


def sin(a) -> Tensor:
    ad = a.data

    def backward(g):
        return (g * np.cos(ad),)

    return make(np.sin(ad), "sin", (a,), backward)


def cos(a) -> Tensor:
    ad = a.data

    def backward(g):
        return (-g * np.sin(ad),)

    return make(np.cos(ad), "cos", (a,), backward)


def tanh(a) -> Tensor:
    out = np.tanh(a.data)

    def backward(g):
        return (g * (1 - out * out),)  # tanh' = 1 - tanh²

    return make(out, "tanh", (a,), backward)


def sigmoid(a) -> Tensor:
    out = _kernels.sigmoid(a.data)

    def backward(g):
        return (g * out * (1 - out),)  # σ' = σ(1 - σ)

    return make(out, "sigmoid", (a,), backward)


def relu(a) -> Tensor:
    ad = a.data

    def backward(g):
        return (g * (ad > 0),)  # ReLU'(0) = 0, as PyTorch

    return make(np.maximum(ad, 0), "relu", (a,), backward)


def leaky_relu(a, negative_slope: float = 0.01) -> Tensor:
    ad = a.data

    def backward(g):
        return (np.where(ad > 0, g, g * negative_slope),)

    return make(np.where(ad > 0, ad, ad * negative_slope), "leaky_relu", (a,), backward)


def softplus(a) -> Tensor:
    ad = a.data

    def backward(g):
        return (g * _kernels.sigmoid(ad),)

    return make(_kernels.softplus(ad), "softplus", (a,), backward)


def clamp(a, min=None, max=None) -> Tensor:  # noqa: A002
    ad = a.data
    out = np.clip(ad, min, max)

    def backward(g):
        inside = np.ones(ad.shape, dtype=bool)
        if min is not None:
            inside &= ad >= min
        if max is not None:
            inside &= ad <= max
        return (g * inside,)

    return make(out, "clamp", (a,), backward)


clip = clamp


def maximum(a, b) -> Tensor:
    """Elementwise max; at ties the gradient is split in half, as PyTorch."""
    a, b = _pair(a, b)
    ad, bd = a.data, b.data

    def backward(g):
        wa = (ad > bd) + 0.5 * (ad == bd)
        return g * wa, g * (1 - wa)

    return make(np.maximum(ad, bd), "maximum", (a, b), backward)


def minimum(a, b) -> Tensor:
    a, b = _pair(a, b)
    ad, bd = a.data, b.data

    def backward(g):
        wa = (ad < bd) + 0.5 * (ad == bd)
        return g * wa, g * (1 - wa)

    return make(np.minimum(ad, bd), "minimum", (a, b), backward)


def where(condition, a, b) -> Tensor:
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    a, b = _pair(a, b)

    def backward(g):
        zero = np.zeros((), dtype=g.dtype)
        return np.where(cond, g, zero), np.where(cond, zero, g)

    return make(np.where(cond, a.data, b.data), "where", (a, b), backward)


def to_dtype(a, dtype: np.dtype) -> Tensor:
    src = a.data.dtype

    def backward(g):
        return (g.astype(src),)

    if dtype == src:
        return a
    return make(a.data.astype(dtype), "to", (a,), backward)


def clone(a) -> Tensor:
    def backward(g):
        return (g,)

    return make(a.data.copy(), "clone", (a,), backward)


# ------------------------------------------------------------------ reductions
def _dims(ndim: int, dim, axis) -> tuple[int, ...] | None:
    dim = axis if dim is None else dim
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    out = []
    for d in dims:
        if not -builtins.max(ndim, 1) <= d < builtins.max(ndim, 1):
            raise ShapeError(f"dim {d} is out of range for a tensor with {ndim} dimensions")
        out.append(d % builtins.max(ndim, 1))
    return tuple(out)


def _keep(keepdim, keepdims) -> bool:
    return bool(keepdim if keepdims is None else keepdims)


def _expand_back(g: np.ndarray, shape, dims, keep) -> np.ndarray:
    """Reinsert reduced axes so ``g`` broadcasts against the input."""
    if dims is None:
        return g.reshape((1,) * len(shape)) if not keep else g
    if not keep:
        for d in sorted(dims):
            g = np.expand_dims(g, d) if len(shape) else g
    return g


def sum(a, dim=None, keepdim=False, *, axis=None, keepdims=None) -> Tensor:  # noqa: A001
    dims, keep = _dims(a.ndim, dim, axis), _keep(keepdim, keepdims)
    shape = a.shape
    out = np.sum(a.data, axis=dims if a.ndim else None, keepdims=keep)

    def backward(g):
        return (np.broadcast_to(_expand_back(g, shape, dims, keep), shape),)

    return make(np.asarray(out), "sum", (a,), backward)


def mean(a, dim=None, keepdim=False, *, axis=None, keepdims=None) -> Tensor:
    dims, keep = _dims(a.ndim, dim, axis), _keep(keepdim, keepdims)
    shape = a.shape
    data = a.data if a.dtype.kind == "f" else a.data.astype(np.float32)
    out = np.mean(data, axis=dims if a.ndim else None, keepdims=keep)
    count = data.size // builtins.max(np.asarray(out).size, 1) if data.size else 1

    def backward(g):
        return (np.broadcast_to(_expand_back(g, shape, dims, keep) / count, shape),)

    return make(np.asarray(out, dtype=data.dtype), "mean", (a,), backward)


def var(a, dim=None, keepdim=False, *, unbiased=True, axis=None, keepdims=None) -> Tensor:
    """Variance built from differentiable ops (used by batch norm's running statistics)."""
    mu = mean(a, dim=dim, keepdim=True, axis=axis)
    d = a - mu
    n = a.data.size // builtins.max(mu.data.size, 1)
    return sum(d * d, dim=dim, keepdim=_keep(keepdim, keepdims), axis=axis) / builtins.max(
        n - (1 if unbiased else 0), 1)


def _extreme(a, dim, keepdim, axis, keepdims, pick, argpick, name):
    dims, keep = _dims(a.ndim, dim, axis), _keep(keepdim, keepdims)
    if dims is None:
        # full reduction: ties share the gradient evenly, as torch.max()
        return _amax_like(a, None, False, pick, name)
    if len(dims) != 1:
        raise ShapeError(f"{name}(dim=...) takes one dimension, got {dims}",
                         hint=f"use a{name}() to reduce over several dimensions")
    d = dims[0]
    ad = a.data
    idx = argpick(ad, axis=d)
    idx_k = np.expand_dims(idx, d)
    values = np.take_along_axis(ad, idx_k, axis=d)
    shape = a.shape

    def backward(g):
        gk = g if keep else np.expand_dims(g, d)
        full = np.zeros(shape, dtype=g.dtype)
        np.put_along_axis(full, idx_k, gk, axis=d)
        return (full,)

    out = make(values if keep else np.squeeze(values, d), name, (a,), backward)
    return MaxMin(out, Tensor._wrap(idx_k if keep else idx))


def _amax_like(a, dim, keepdim, pick, name) -> Tensor:
    dims = _dims(a.ndim, dim, None)
    ad = a.data
    out = pick(ad, axis=dims, keepdims=True)
    shape = a.shape

    def backward(g):
        mask = ad == out
        g = _expand_back(g, shape, dims, keepdim)
        return (mask * (g / mask.sum(axis=dims, keepdims=True)),)

    value = out if keepdim else (out.reshape(()) if dims is None else np.squeeze(out, axis=dims))
    return make(value, name, (a,), backward)


def max(a, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A001
    """Like torch.max: a tensor for the full reduction, (values, indices) with ``dim``."""
    return _extreme(a, dim, keepdim, axis, keepdims, np.max, np.argmax, "max")


def min(a, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A001
    return _extreme(a, dim, keepdim, axis, keepdims, np.min, np.argmin, "min")


def amax(a, dim=None, keepdim=False) -> Tensor:
    return _amax_like(a, dim, keepdim, np.max, "amax")


def amin(a, dim=None, keepdim=False) -> Tensor:
    return _amax_like(a, dim, keepdim, np.min, "amin")


def argmax(a, dim=None, keepdim=False) -> Tensor:
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmax(a.data)))
    return Tensor._wrap(np.argmax(a.data, axis=dim, keepdims=keepdim))


def argmin(a, dim=None, keepdim=False) -> Tensor:
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmin(a.data)))
    return Tensor._wrap(np.argmin(a.data, axis=dim, keepdims=keepdim))


# ------------------------------------------------------------------ shapes
def _shape_arg(shape) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        return tuple(shape[0])
    return tuple(shape)


def reshape(a, *shape, op: str = "reshape") -> Tensor:
    shape = _shape_arg(shape)
    src = a.shape
    try:
        out = a.data.reshape(shape)
    except ValueError:
        raise ShapeError(f"{op}: cannot turn shape {src} ({a.data.size} elements) into {shape}") from None

    def backward(g):
        return (g.reshape(src),)

    return make(out, op, (a,), backward)


def flatten(a, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if a.ndim == 0:
        return reshape(a, 1, op="flatten")
    s, e = start_dim % a.ndim, end_dim % a.ndim
    shape = a.shape[:s] + (int(np.prod(a.shape[s:e + 1])),) + a.shape[e + 1:]
    return reshape(a, shape, op="flatten")


def unsqueeze(a, dim: int) -> Tensor:
    d = dim % (a.ndim + 1)
    return reshape(a, a.shape[:d] + (1,) + a.shape[d:], op="unsqueeze")


def squeeze(a, dim=None) -> Tensor:
    if dim is None:
        shape = tuple(n for n in a.shape if n != 1)
    else:
        d = dim % builtins.max(a.ndim, 1)
        shape = a.shape[:d] + a.shape[d + 1:] if a.ndim and a.shape[d] == 1 else a.shape
    return reshape(a, shape, op="squeeze")


def permute(a, *dims) -> Tensor:
    dims = _shape_arg(dims)
    if sorted(d % builtins.max(a.ndim, 1) for d in dims) != list(range(a.ndim)):
        raise ShapeError(f"permute: {dims} is not a permutation of the {a.ndim} dimensions")
    inverse = np.argsort([d % a.ndim for d in dims])

    def backward(g):
        return (np.transpose(g, inverse),)

    return make(np.transpose(a.data, dims), "permute", (a,), backward)


def transpose(a, dim0: int, dim1: int) -> Tensor:
    def backward(g):
        return (np.swapaxes(g, dim0, dim1),)

    return make(np.swapaxes(a.data, dim0, dim1), "transpose", (a,), backward)


def expand(a, *shape) -> Tensor:
    shape = _shape_arg(shape)
    shape = tuple(a.shape[i - (len(shape) - a.ndim)] if n == -1 else n for i, n in enumerate(shape))

    def backward(g):
        return (g,)  # the engine sums it back to a's shape

    return make(np.broadcast_to(a.data, shape), "expand", (a,), backward)


def _index(index):
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


def _is_basic(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, int | slice | np.integer) for i in parts)


def getitem(a, index) -> Tensor:
    index = _index(index)
    shape, dtype = a.shape, a.dtype
    basic = _is_basic(index)

    def backward(g):
        full = np.zeros(shape, dtype=dtype)
        if basic:
            full[index] = g
        else:
            np.add.at(full, index, g)  # repeated indices accumulate
        return (full,)

    out = a.data[index]
    return make(np.asarray(out), "getitem", (a,), backward)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = tuple(as_tensor(t) for t in tensors)
    if not tensors:
        raise ShapeError("cat() needs at least one tensor")
    d = dim % tensors[0].ndim
    bounds = np.cumsum([t.shape[d] for t in tensors])[:-1]
    try:
        out = np.concatenate([t.data for t in tensors], axis=d)
    except ValueError as exc:
        raise ShapeError(f"cat along dim {dim}: shapes {[t.shape for t in tensors]} differ "
                         f"outside that dim ({exc})") from None

    def backward(g):
        return tuple(np.split(g, bounds, axis=d))

    return make(out, "cat", tensors, backward)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = tuple(as_tensor(t) for t in tensors)
    if not tensors:
        raise ShapeError("stack() needs at least one tensor")
    if len({t.shape for t in tensors}) != 1:
        raise ShapeError(f"stack needs equal shapes, got {[t.shape for t in tensors]}")
    d = dim % (tensors[0].ndim + 1)

    def backward(g):
        return tuple(np.take(g, i, axis=d) for i in range(len(tensors)))

    return make(np.stack([t.data for t in tensors], axis=d), "stack", tensors, backward)


# ------------------------------------------------------------------ softmax
def softmax(a, dim: int = -1) -> Tensor:
    out = _kernels.softmax(a.data, axis=dim)

    def backward(g):
        # J^T g = s ⊙ (g - <g, s>)
        return (out * (g - np.sum(g * out, axis=dim, keepdims=True)),)

    return make(out, "softmax", (a,), backward)


def log_softmax(a, dim: int = -1) -> Tensor:
    out = _kernels.log_softmax(a.data, axis=dim)

    def backward(g):
        return (g - np.exp(out) * np.sum(g, axis=dim, keepdims=True),)

    return make(out, "log_softmax", (a,), backward)
