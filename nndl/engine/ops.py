"""Differentiable ops. Each op computes its forward value and defines, right below it,
the backward rule that maps the output's gradient ``g`` to each input's gradient.

The backward sweep (:mod:`nndl.engine.sweep`) sums gradients that were broadcast back to
each input's shape, so a rule may return a gradient of the broadcast shape. A backward
rule must return freshly computed arrays (or ``g`` itself), never an array the forward
pass saved, because the sweep accumulates into them in place.

These are the definitions. micrograd's ops (+ - * / ** exp log sqrt tanh sigmoid relu)
also have a fast path for 0-d tensors that hold a Python number, in
:mod:`nndl.engine.scalar`: Tensor's operators and ``nndl.add``, ``nndl.tanh`` ... are
those functions, which come here for everything else. :mod:`nndl.engine.bind` binds the
ops to Tensor as its methods.
"""

from __future__ import annotations

import builtins
import math
from collections import namedtuple
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from nndl.engine import kernels as _kernels
from nndl.engine import tensor as _tm
from nndl.engine.tensor import Tensor, _as_array, _numbers
from nndl.errors import (
    ArgumentError,
    ArgumentTypeError,
    DimError,
    GraphError,
    NNDLError,
    ShapeError,
)

make = Tensor._make
MaxMin = namedtuple("MaxMin", ["values", "indices"])


class OpArgumentError(ArgumentError):
    """An op called with an argument value it cannot use (a ValueError, as PyTorch)."""


class OpCallError(NNDLError, RuntimeError):
    """An op called in a way PyTorch refuses with a RuntimeError (clamp() with neither
    bound, an integer tensor to a negative integer power)."""


class IndexOutOfRange(ShapeError, IndexError):
    """``t[i]`` past the end of a dim (an IndexError too, so iteration and
    ``except IndexError`` work as with NumPy and PyTorch)."""


# ------------------------------------------------------------------ operands
def as_tensor(x: Any, like: Tensor | None = None) -> Tensor:
    """Wrap numbers/arrays; a Python number takes ``like``'s float dtype (no silent upcast)."""
    if isinstance(x, Tensor):
        return x
    if like is not None and isinstance(x, int | float | bool) and like.dtype.kind == "f":
        return Tensor._wrap(np.asarray(x, dtype=like.dtype))
    return Tensor._wrap(_as_array(x))


def _promote(ad: np.ndarray, bd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's rule where it differs from NumPy's: float op int keeps the float dtype
    (NumPy would turn float32 op int64 into float64)."""
    fa, fb = ad.dtype.kind in "fc", bd.dtype.kind in "fc"
    if fa and not fb:
        return ad, bd.astype(ad.dtype)
    if fb and not fa:
        return ad.astype(bd.dtype), bd
    return ad, bd


def _floating(ad: np.ndarray) -> np.ndarray:
    """Integer inputs of float functions (exp, sigmoid, ...) are computed in float32."""
    return ad if ad.dtype.kind in "fc" else ad.astype(np.float32)


def _operands(a, b) -> tuple[Tensor, Tensor]:
    """Both operands of a binary op as tensors; a number takes the other operand's dtype
    (no silent upcast of float32)."""
    if isinstance(a, Tensor):
        return a, (b if isinstance(b, Tensor) else as_tensor(b, a))
    if isinstance(b, Tensor):
        return as_tensor(a, b), b
    b = as_tensor(b)
    return as_tensor(a, b), b


def _broadcast(name: str, a: Tensor, b: Tensor) -> None:
    """Refuse operands whose shapes do not broadcast, as a ShapeError (matmul's family),
    before NumPy says it in its own words."""
    sa, sb = a.shape, b.shape
    if sa != sb:
        try:
            np.broadcast_shapes(sa, sb)
        except ValueError:
            raise ShapeError(f"{name}: shapes {sa} and {sb} do not broadcast",
                             hint="each dim must be equal, or 1 in one of them (compare from "
                                  "the right)") from None


# ------------------------------------------------------------------ arithmetic
# Each op: its operands as tensors, the forward value, and right below it the rule that
# maps the output's gradient g to each input's. (Tensor's operators call the scalar fast
# path of nndl.engine.scalar first, which comes back here for anything but 0-d scalars.)
def add(a, b) -> Tensor:
    a, b = _operands(a, b)
    _broadcast("add", a, b)

    def backward(g):
        return g, g

    return make(np.add(*_promote(a._arr, b._arr)), "add", (a, b), backward)


def sub(a, b) -> Tensor:
    a, b = _operands(a, b)
    _broadcast("sub", a, b)

    def backward(g):
        return g, -g

    return make(np.subtract(*_promote(a._arr, b._arr)), "sub", (a, b), backward)


def mul(a, b) -> Tensor:
    a, b = _operands(a, b)
    _broadcast("mul", a, b)
    ad, bd = _promote(a._arr, b._arr)

    def backward(g):
        return (g * bd if a.requires_grad else None), (g * ad if b.requires_grad else None)

    return make(ad * bd, "mul", (a, b), backward)


def true_divide(a, b) -> Tensor:
    """a / b (true division: integers give float32), the ``/`` operator; :func:`div` adds
    PyTorch's rounding modes."""
    a, b = _operands(a, b)
    _broadcast("div", a, b)
    ad, bd = _promote(a._arr, b._arr)
    if ad.dtype.kind != "f" and bd.dtype.kind != "f":  # true division, as torch
        ad, bd = ad.astype(np.float32), bd.astype(np.float32)
    out = ad / bd

    def backward(g):
        ga = g / bd if a.requires_grad else None
        # d(a/b)/db = -a/b² computed as -(a/b)/b, as PyTorch: b*b would underflow first
        gb = -g * (out / bd) if b.requires_grad else None
        return ga, gb

    return make(out, "div", (a, b), backward)


# ------------------------------------------------------------------ in place: += -= *= /=
# As PyTorch: with no graph to record (no operand requires grad, or under no_grad) the
# tensor itself changes (``param -= lr * param.grad`` in a no_grad block updates the
# parameter); a leaf that requires grad refuses, as PyTorch; otherwise (building a graph)
# the result is a new tensor the name is rebound to, which is PyTorch's value and gradient
# (only another name for the old tensor still sees the old value).
def _recording(a: Tensor, b: Tensor) -> bool:
    """Whether an op on a and b records a graph (some operand requires grad, grad mode on)."""
    return (a.requires_grad or b.requires_grad) and (not _tm._disabling
                                                     or _tm._grad_state.enabled)


def _inplace_refused(a: Tensor, sym: str) -> GraphError:
    return GraphError(f"a leaf tensor that requires grad is used in an in-place operation "
                      f"(x {sym}= ...)", hint="update parameters inside `with nndl.no_grad():`, "
                      f"or write x = x {sym} ... for a new tensor")


def _inplace_array(a: Tensor, b: Tensor, ufunc, sym: str) -> Tensor:
    d = a._arr
    bd = b._arr
    if d.dtype.kind in "fc" and bd.dtype.kind not in "fc":
        bd = bd.astype(d.dtype)
    try:
        ufunc(d, bd, out=d, casting="same_kind")
    except TypeError:  # NumPy's casting error (a UFuncTypeError)
        raise OpCallError(f"x {sym}= y: the result of type {np.result_type(d, bd)} cannot be "
                          f"stored in a tensor of type {d.dtype}",
                          hint="convert first, e.g. x = x.float()") from None
    except ValueError as exc:
        if "read-only" in str(exc):
            raise GraphError(f"x {sym}= y: this tensor's values are read-only (an expanded "
                             "view, or a parameter built on the meta device)",
                             hint="make a copy with .clone() first") from None
        raise ShapeError(f"x {sym}= y: a result of shape {np.broadcast_shapes(d.shape, bd.shape)}"
                         f" does not fit the tensor's shape {d.shape}",
                         hint="in place, the other operand must broadcast to x's shape") from None
    return a


def iadd(a, b) -> Tensor:
    """``a += b`` (see above)."""
    a, b = _operands(a, b)
    if _recording(a, b):
        if a._a is None and a.requires_grad:
            raise _inplace_refused(a, "+")
        return add(a, b)
    return _inplace_array(a, b, np.add, "+")


def isub(a, b) -> Tensor:
    """``a -= b`` (see above)."""
    a, b = _operands(a, b)
    if _recording(a, b):
        if a._a is None and a.requires_grad:
            raise _inplace_refused(a, "-")
        return sub(a, b)
    return _inplace_array(a, b, np.subtract, "-")


def imul(a, b) -> Tensor:
    """``a *= b`` (see above)."""
    a, b = _operands(a, b)
    if _recording(a, b):
        if a._a is None and a.requires_grad:
            raise _inplace_refused(a, "*")
        return mul(a, b)
    return _inplace_array(a, b, np.multiply, "*")


def itruediv(a, b) -> Tensor:
    """``a /= b`` (see above); an integer tensor cannot hold the quotient, as PyTorch."""
    a, b = _operands(a, b)
    if _recording(a, b):
        if a._a is None and a.requires_grad:
            raise _inplace_refused(a, "/")
        return true_divide(a, b)
    if a.dtype.kind not in "fc":
        raise OpCallError(f"x /= y: the quotient cannot be stored in a tensor of type {a.dtype}",
                          hint="convert first, e.g. x = x.float(), or use //=")
    with np.errstate(divide="ignore", invalid="ignore"):
        return _inplace_array(a, b, np.true_divide, "/")


def neg(a) -> Tensor:
    a = as_tensor(a)

    def backward(g):
        return (-g,)

    return make(-a._arr, "neg", (a,), backward)


def pow(a, b) -> Tensor:  # noqa: A001 - PyTorch's name
    """a ** b for tensor or number on either side; a number as the exponent (x ** 2) needs
    no log in the backward."""
    if isinstance(a, Tensor) and isinstance(b, int | float | np.number):
        return _pow_const(a, b.item() if isinstance(b, np.generic) else b)
    a, b = _operands(a, b)
    _broadcast("pow", a, b)
    ad, bd = _promote(a._arr, b._arr)
    _no_negative_int_power(ad, bd)
    out = ad ** bd

    def backward(g):
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if a.requires_grad:
                # d(a^b)/da = b·a^(b−1), and 0 where b == 0 (as PyTorch: 0·0^−1 is not NaN)
                ga = g * np.where(bd == 0, 0.0, bd * ad ** (bd - 1))
            if b.requires_grad:
                # d(a^b)/db = a^b log a; PyTorch takes 0 where a == 0 and b >= 0
                gb = g * out * np.where((ad == 0) & (bd >= 0), 0.0, np.log(ad))
        return ga, gb

    return make(out, "pow", (a, b), backward)


def _pow_const(a: Tensor, exponent) -> Tensor:
    """a ** c for a number c: d/da = c·a^(c−1)."""
    ad = _floating(a._arr) if isinstance(exponent, float) else a._arr
    _no_negative_int_power(ad, exponent)
    out = ad ** exponent

    def backward(g):
        if exponent == 0:
            return (np.zeros_like(g),)
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** negative is inf
            return (g * exponent * ad ** (exponent - 1),)

    return make(out, "pow", (a,), backward)


def _no_negative_int_power(base: np.ndarray, exponent) -> None:
    """NumPy's ValueError for an integer base to a negative integer power, as PyTorch's
    RuntimeError (an integer result cannot hold 1/x^n)."""
    e = np.asarray(exponent)
    if base.dtype.kind in "iub" and e.dtype.kind in "iub" and e.size and e.min() < 0:
        raise OpCallError("Integers to negative integer powers are not allowed.",
                          hint="convert the base to a float tensor first, e.g. x.float() ** -2")


def matmul(a, b) -> Tensor:
    """Matrix product with NumPy's rules (1-D vectors, batched stacks, broadcasting)."""
    a, b = _operands(a, b)
    ad, bd = _promote(a._arr, b._arr)
    if ad.ndim == 0 or bd.ndim == 0:
        raise ShapeError("matmul needs tensors with at least one dimension, got a 0-d tensor",
                         hint="use * for multiplication by a scalar")
    k_a = ad.shape[-1]
    k_b = bd.shape[0] if bd.ndim == 1 else bd.shape[-2]
    if k_a != k_b:
        raise ShapeError(f"matmul: shapes {ad.shape} and {bd.shape} cannot be multiplied "
                         f"({k_a} columns vs {k_b} rows)",
                         hint="the last dim of the first must equal the second-to-last of the second")
    try:
        out = ad @ bd
    except ValueError:
        raise ShapeError(f"matmul: the batch dimensions of {ad.shape} and {bd.shape} do not "
                         "broadcast", hint="batch dims must be equal or 1") from None

    def backward(g):
        if ad.ndim == 1 and bd.ndim == 1:  # a dot product: g is 0-d
            return (g * bd if a.requires_grad else None), (g * ad if b.requires_grad else None)
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
    a = as_tensor(a)
    out = np.exp(_floating(a._arr))

    def backward(g):
        return (g * out,)  # (e^x)' = e^x

    return make(out, "exp", (a,), backward)


def log(a) -> Tensor:
    a = as_tensor(a)
    ad = _floating(a._arr)

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g / ad,)  # (log x)' = 1/x

    with np.errstate(divide="ignore", invalid="ignore"):  # log 0 = -inf, as PyTorch
        return make(np.log(ad), "log", (a,), backward)


def sqrt(a) -> Tensor:
    a = as_tensor(a)
    with np.errstate(invalid="ignore"):
        out = np.sqrt(_floating(a._arr))

    def backward(g):
        with np.errstate(divide="ignore"):
            return (g / (2 * out),)  # (√x)' = 1/(2√x)

    return make(out, "sqrt", (a,), backward)


def abs(a) -> Tensor:  # noqa: A001
    a = as_tensor(a)
    ad = a._arr

    def backward(g):
        return (g * np.sign(ad),)  # sign(0) = 0, as PyTorch

    return make(np.abs(ad), "abs", (a,), backward)


def sin(a) -> Tensor:
    a = as_tensor(a)
    ad = _floating(a._arr)

    def backward(g):
        return (g * np.cos(ad),)

    return make(np.sin(ad), "sin", (a,), backward)


def cos(a) -> Tensor:
    a = as_tensor(a)
    ad = _floating(a._arr)

    def backward(g):
        return (-g * np.sin(ad),)

    return make(np.cos(ad), "cos", (a,), backward)


def tanh(a) -> Tensor:
    a = as_tensor(a)
    out = np.tanh(_floating(a._arr))

    def backward(g):
        return (g * (1 - out * out),)  # tanh' = 1 - tanh²

    return make(out, "tanh", (a,), backward)


def sigmoid(a) -> Tensor:
    a = as_tensor(a)
    out = _kernels.sigmoid(_floating(a._arr))

    def backward(g):
        return (g * out * (1 - out),)  # σ' = σ(1 - σ)

    return make(out, "sigmoid", (a,), backward)


def relu(a) -> Tensor:
    a = as_tensor(a)
    ad = a._arr

    def backward(g):
        return (g * (ad > 0),)  # ReLU'(0) = 0, as PyTorch

    return make(np.maximum(ad, 0), "relu", (a,), backward)


def leaky_relu(a, negative_slope: float = 0.01) -> Tensor:
    a = as_tensor(a)
    ad = a._arr

    def backward(g):
        return (np.where(ad > 0, g, g * negative_slope),)

    return make(np.where(ad > 0, ad, ad * negative_slope), "leaky_relu", (a,), backward)


def softplus(a, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(βx))/β, and x itself where βx > threshold, as PyTorch: ∂ = σ(βx) (1
    above the threshold)."""
    a = as_tensor(a)
    ad = _floating(a._arr)
    bx = ad * beta if beta != 1 else ad
    linear = bx > threshold

    def backward(g):
        return (np.where(linear, g, g * _kernels.sigmoid(bx)),)

    out = _kernels.softplus(bx) / beta if beta != 1 else _kernels.softplus(bx)
    return make(np.where(linear, ad, out).astype(ad.dtype, copy=False), "softplus", (a,),
                backward)


def clamp(a, min=None, max=None) -> Tensor:  # noqa: A002 - PyTorch's argument names
    """Clip to [min, max] (either may be None, a number or a tensor), as ``torch.clamp``."""
    a = as_tensor(a)
    if min is None and max is None:
        raise OpCallError("clamp() needs at least one of min and max",
                              hint="e.g. x.clamp(min=0) or x.clamp(-1, 1)")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        # tensor bounds get gradients too: clamp = where(x < min, min, x), then for max
        out = a
        if min is not None:
            out = where(out < min, min, out)
        if max is not None:
            out = where(out > max, max, out)
        return out
    ad = a._arr
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
    a, b = _operands(a, b)
    ad, bd = _promote(a._arr, b._arr)

    def backward(g):
        wa = (ad > bd) + 0.5 * (ad == bd)
        return g * wa, g * (1 - wa)

    return make(np.maximum(ad, bd), "maximum", (a, b), backward)


def minimum(a, b) -> Tensor:
    a, b = _operands(a, b)
    ad, bd = _promote(a._arr, b._arr)

    def backward(g):
        wa = (ad < bd) + 0.5 * (ad == bd)
        return g * wa, g * (1 - wa)

    return make(np.minimum(ad, bd), "minimum", (a, b), backward)


def where(condition, a=None, b=None):
    """a where condition holds, else b (broadcast; both get gradients), as ``torch.where``;
    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``."""
    if a is None and b is None:
        return nonzero(condition, as_tuple=True)
    cond = np.asarray(condition._arr if isinstance(condition, Tensor) else condition, dtype=bool)
    a, b = _operands(a, b)
    ad, bd = _promote(a._arr, b._arr)

    def backward(g):
        zero = np.zeros((), dtype=g.dtype)
        return np.where(cond, g, zero), np.where(cond, zero, g)

    return make(np.where(cond, ad, bd), "where", (a, b), backward)


def to_dtype(a, dtype: np.dtype) -> Tensor:
    a = as_tensor(a)
    src = a.dtype

    def backward(g):
        return (g.astype(src),)

    if dtype == src:
        return a
    return make(a._arr.astype(dtype), "to", (a,), backward)


def clone(a) -> Tensor:
    a = as_tensor(a)
    def backward(g):
        return (g,)

    return make(a._arr.copy(), "clone", (a,), backward)


# ------------------------------------------------------------------ reductions
def _axis(d: int | np.integer, ndim: int, op: str) -> int:
    """A dim in [-ndim, ndim) made non-negative (a 0-d tensor accepts 0 and -1, as torch)."""
    n = builtins.max(ndim, 1)
    if not isinstance(d, int | np.integer) or not -n <= d < n:
        raise DimError(f"{op}: dim {d!r} is out of range for a tensor with {ndim} "
                         f"dimension(s)", hint=f"use a dim in [{-n}, {n - 1}]")
    return int(d) % n


def _dims(ndim: int, dim, axis, op: str = "reduction") -> tuple[int, ...] | None:
    dim = axis if dim is None else dim
    if dim is None:
        return None
    dims = tuple(_axis(d, ndim, op) for d in ((dim,) if isinstance(dim, int | np.integer)
                                                else dim))
    if len(set(dims)) != len(dims):
        raise ShapeError(f"{op}: dim {dim} names a dimension twice")
    return dims


def _keep(keepdim, keepdims) -> bool:
    return bool(keepdim if keepdims is None else keepdims)


def _expand_back(g: np.ndarray, shape, dims, keep) -> np.ndarray:
    """Reinsert reduced axes so ``g`` broadcasts against the input."""
    if dims is None:
        return g.reshape((1,) * len(shape)) if not keep else g
    if not keep and len(shape):
        g = np.expand_dims(g, sorted(dims))
    return g


def sum(a, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None) -> Tensor:  # noqa: A001
    """Σ over ``dim`` (all elements by default); integer and bool tensors sum to int64, and
    ``dtype`` converts first, as ``torch.sum``."""
    a = as_tensor(a)
    if dtype is not None:
        a = to_dtype(a, np.dtype(dtype))
    dims, keep = _dims(a.ndim, dim, axis, "sum"), _keep(keepdim, keepdims)
    shape = a.shape
    ad = a._arr
    out = np.sum(ad, axis=dims if a.ndim else None, keepdims=keep and bool(a.ndim),
                 dtype=np.int64 if ad.dtype.kind in "iub" else None)

    def backward(g):
        return (np.broadcast_to(_expand_back(g, shape, dims, keep), shape),)

    return make(np.asarray(out), "sum", (a,), backward)


def mean(a, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None) -> Tensor:
    a = as_tensor(a)
    if dtype is not None:
        a = to_dtype(a, np.dtype(dtype))
    dims, keep = _dims(a.ndim, dim, axis, "mean"), _keep(keepdim, keepdims)
    shape = a.shape
    data = _floating(a._arr)
    out = np.asarray(np.mean(data, axis=dims if a.ndim else None, keepdims=keep and bool(a.ndim)),
                     dtype=data.dtype)
    count = data.size // builtins.max(out.size, 1) if data.size else 1

    def backward(g):
        return (np.broadcast_to(_expand_back(g, shape, dims, keep) / count, shape),)

    return make(out, "mean", (a,), backward)


def var(a, dim=None, keepdim=False, *, unbiased=True, correction=None, axis=None,
        keepdims=None) -> Tensor:
    """Variance (Bessel-corrected by default, as torch.var), built from differentiable ops."""
    a = as_tensor(a)
    corr = (1 if unbiased else 0) if correction is None else correction
    mu = mean(a, dim=dim, keepdim=True, axis=axis)
    n = a.numel() // builtins.max(mu.numel(), 1)
    if n - corr <= 0:
        raise ShapeError(f"var over {n} value(s) with correction {corr} divides by {n - corr}",
                         hint="reduce over more values or pass unbiased=False")
    d = a - mu
    return sum(d * d, dim=dim, keepdim=_keep(keepdim, keepdims), axis=axis) / (n - corr)


def _extreme(a, dim, keepdim, axis, keepdims, pick, argpick, name):
    a = as_tensor(a)
    dims, keep = _dims(a.ndim, dim, axis, name), _keep(keepdim, keepdims)
    if dims is None:
        # full reduction: ties share the gradient evenly, as torch.max()
        return _amax_like(a, None, False, pick, name)
    if len(dims) != 1:
        raise ShapeError(f"{name}(dim=...) takes one dimension, got {dims}",
                         hint=f"use a{name}() to reduce over several dimensions")
    if a.ndim == 0:
        return MaxMin(clone(a), Tensor._wrap(np.asarray(0, dtype=np.int64)))
    d = dims[0]
    ad = a._arr
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
    a = as_tensor(a)
    dims = _dims(a.ndim, dim, None, name) if a.ndim else None
    ad = a._arr
    out = pick(ad, axis=dims, keepdims=True)
    shape = a.shape

    def backward(g):
        mask = ad == out
        g = _expand_back(g, shape, dims, keepdim)
        return (mask * (g / mask.sum(axis=dims, keepdims=True)),)  # ties share evenly

    value = out if keepdim else (out.reshape(()) if dims is None else np.squeeze(out, axis=dims))
    return make(value, name, (a,), backward)


def max(a, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A001
    """Like torch.max: a tensor for the full reduction, (values, indices) with ``dim``,
    the elementwise maximum with another tensor."""
    a = as_tensor(a)
    if isinstance(dim, Tensor):
        return maximum(a, dim)
    return _extreme(a, dim, keepdim, axis, keepdims, np.max, np.argmax, "max")


def min(a, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A001
    a = as_tensor(a)
    if isinstance(dim, Tensor):
        return minimum(a, dim)
    return _extreme(a, dim, keepdim, axis, keepdims, np.min, np.argmin, "min")


def amax(a, dim=None, keepdim=False) -> Tensor:
    return _amax_like(a, dim, keepdim, np.max, "amax")


def amin(a, dim=None, keepdim=False) -> Tensor:
    return _amax_like(a, dim, keepdim, np.min, "amin")


def argmax(a, dim=None, keepdim=False, *, axis=None) -> Tensor:
    a = as_tensor(a)
    dim = axis if dim is None else dim
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmax(a._arr)))
    return Tensor._wrap(np.argmax(a._arr, axis=_axis(dim, a.ndim, "argmax"), keepdims=keepdim))


def argmin(a, dim=None, keepdim=False, *, axis=None) -> Tensor:
    a = as_tensor(a)
    dim = axis if dim is None else dim
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmin(a._arr)))
    return Tensor._wrap(np.argmin(a._arr, axis=_axis(dim, a.ndim, "argmin"), keepdims=keepdim))


# ------------------------------------------------------------------ shapes
def _shape_arg(shape) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        return tuple(shape[0])
    return tuple(shape)


def reshape(a, *shape, op: str = "reshape") -> Tensor:
    a = as_tensor(a)
    shape = _shape_arg(shape)
    src = a.shape
    try:
        out = a._arr.reshape(shape)
    except (ValueError, TypeError):
        raise ShapeError(f"{op}: cannot turn shape {src} ({a.numel()} elements) into {shape}",
                         hint="the new shape must have the same number of elements") from None

    def backward(g):
        return (g.reshape(src),)

    return make(out, op, (a,), backward)


def flatten(a, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    a = as_tensor(a)
    if a.ndim == 0:
        return reshape(a, 1, op="flatten")
    s, e = _axis(start_dim, a.ndim, "flatten"), _axis(end_dim, a.ndim, "flatten")
    if s > e:
        raise ShapeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shape = a.shape[:s] + (int(np.prod(a.shape[s:e + 1])),) + a.shape[e + 1:]
    return reshape(a, shape, op="flatten")


def unsqueeze(a, dim: int) -> Tensor:
    a = as_tensor(a)
    d = _axis(dim, a.ndim + 1, "unsqueeze")
    return reshape(a, a.shape[:d] + (1,) + a.shape[d:], op="unsqueeze")


def squeeze(a, dim=None) -> Tensor:
    """Drop size-1 dims (all, or those in ``dim``; a dim whose size is not 1 stays)."""
    a = as_tensor(a)
    if dim is None:
        shape = tuple(n for n in a.shape if n != 1)
    else:
        # (_dims gives None only for dim None, hence `or ()` for the type checker alone)
        dims = _dims(a.ndim, dim, None, "squeeze") or ()  # (0-d: dims 0 and -1, as torch)
        shape = tuple(n for i, n in enumerate(a.shape) if not (i in dims and n == 1))
    return reshape(a, shape, op="squeeze")


def permute(a, *dims) -> Tensor:
    a = as_tensor(a)
    dims = _shape_arg(dims)
    if len(dims) != a.ndim or sorted(_axis(d, a.ndim, "permute") for d in dims) != list(
            range(a.ndim)):
        raise ShapeError(f"permute: {dims} is not a permutation of the {a.ndim} dimensions",
                         hint=f"give each of 0..{a.ndim - 1} once")
    dims = tuple(d % a.ndim for d in dims)
    inverse = tuple(int(i) for i in np.argsort(dims))

    def backward(g):
        return (np.transpose(g, inverse),)

    return make(np.transpose(a._arr, dims), "permute", (a,), backward)


def transpose(a, dim0: int, dim1: int) -> Tensor:
    a = as_tensor(a)
    if a.ndim == 0:
        _axis(dim0, 0, "transpose"), _axis(dim1, 0, "transpose")
        return reshape(a, (), op="transpose")
    d0, d1 = _axis(dim0, a.ndim, "transpose"), _axis(dim1, a.ndim, "transpose")

    def backward(g):
        return (np.swapaxes(g, d0, d1),)

    return make(np.swapaxes(a._arr, d0, d1), "transpose", (a,), backward)


def expand(a, *shape) -> Tensor:
    """Broadcast to ``shape`` without copying (-1 keeps a dim), as ``torch.Tensor.expand``."""
    a = as_tensor(a)
    shape = _shape_arg(shape)
    lead = len(shape) - a.ndim
    if lead < 0:
        raise ShapeError(f"expand: cannot expand shape {a.shape} to fewer dims {shape}")
    shape = tuple(a.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(shape))
    try:
        out = np.broadcast_to(a._arr, shape)
    except ValueError:
        raise ShapeError(f"expand: shape {a.shape} cannot be expanded to {shape}",
                         hint="only size-1 dims can grow") from None

    def backward(g):
        return (g,)  # the engine sums it back to a's shape

    return make(out, "expand", (a,), backward)


def _index_part(i):
    if isinstance(i, Tensor):
        d = i._arr
        # a 0-d integer tensor indexes as an int, as in PyTorch
        return int(d) if d.ndim == 0 and d.dtype.kind in "iu" else d
    return i


def _index(index):
    if isinstance(index, tuple):
        return tuple(_index_part(i) for i in index)
    return _index_part(index)


def _is_int(i) -> bool:
    return isinstance(i, int | np.integer) and type(i) is not bool


def _is_basic(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return builtins.all(i is None or i is Ellipsis or type(i) is slice or _is_int(i) for i in parts)


def _split_index(index: tuple):
    """PyTorch applies the integer parts of an index first (each a select, which drops its
    dim) and then the advanced parts (integer arrays, masks) to what is left. NumPy counts
    an integer next to an array as advanced too, so where a slice separates them the
    result's dims come out in another order (``t[0, :, [0, 1]]`` on shape (2, 3, 4) is
    (3, 2) in PyTorch, (2, 3) in NumPy). Returns the basic index (ints, slices, None) and
    the advanced one to apply to its result, or None where NumPy's rule is the same."""
    if _is_basic(index) or not builtins.any(_is_int(i) for i in index):
        return None
    first: list[Any] = []
    second: list[Any] = []
    for i in index:
        if _is_int(i):
            first.append(i)  # its dim is gone from the result of `first`
        elif i is None or i is Ellipsis or type(i) is slice:
            first.append(i)
            second.append(i if i is Ellipsis else slice(None))
        else:  # an advanced part: keep its dims for the second step
            k = np.ndim(i) if np.asarray(i).dtype == bool else 1
            first.extend([slice(None)] * k)
            second.append(i)
    return tuple(first), tuple(second)


def getitem(a, index) -> Tensor:
    """``a[index]`` with PyTorch's rules: ints, slices, None, ..., integer arrays, bool
    masks (NumPy's, but for where an int and an array separated by a slice put the
    result's dims: see _split_index)."""
    index = _index(index)
    shape, dtype = a.shape, a.dtype
    basic = _is_basic(index)
    split = None if basic or not isinstance(index, tuple) else _split_index(index)
    try:
        out = a._arr[index] if split is None else a._arr[split[0]][split[1]]
    except IndexError as exc:
        raise IndexOutOfRange(f"index {index!r} does not fit a tensor of shape {shape}: {exc}",
                              hint="indices run from -n to n-1 along each dim") from None

    def backward(g):
        full = np.zeros(shape, dtype=dtype)
        if basic:
            full[index] = g
        elif split is None:
            np.add.at(full, index, g)  # repeated indices accumulate
        else:
            np.add.at(full[split[0]], split[1], g)  # full[basic] is a view into full
        return (full,)

    return make(out, "getitem", (a,), backward)


def _put(data: np.ndarray, index, values) -> None:
    """data[index] = values with PyTorch's placement of advanced-index dims."""
    split = None if _is_basic(index) or not isinstance(index, tuple) else _split_index(index)
    if split is None:
        data[index] = values
    else:
        data[split[0]][split[1]] = values  # data[basic] is a view into data


def _taken(g: np.ndarray, index) -> np.ndarray:
    split = None if _is_basic(index) or not isinstance(index, tuple) else _split_index(index)
    return g[index] if split is None else g[split[0]][split[1]]


def index_put(base: Tensor | None, shape, dtype, data: np.ndarray, index, value: Tensor) -> Tensor:
    """``x[index] = value`` as a graph node (what ``Tensor.__setitem__`` records when the
    value needs a gradient): the output is ``data`` with ``value`` written at ``index``;
    the gradient of the written places goes to ``value`` (summed back to its shape), that of
    the others to ``base`` (None: x held constants)."""
    index = _index(index)
    out = data.copy()
    try:
        _put(out, index, value._arr.astype(dtype, copy=False))
    except IndexError as exc:
        raise IndexOutOfRange(f"index {index!r} does not fit a tensor of shape {shape}: {exc}",
                              hint="indices run from -n to n-1 along each dim") from None
    except ValueError as exc:
        raise ShapeError(f"x[index] = value: a value of shape {value.shape} does not fit the "
                         f"selected part of shape {tuple(shape)} ({exc})",
                         hint="the value must broadcast to the selected shape") from None

    def backward(g):
        gv = _taken(g, index)
        if base is None:
            return (gv,)
        gb = g.copy()
        _put(gb, index, 0)  # overwritten places take nothing from the old values
        return gb, gv

    return make(out, "setitem", (value,) if base is None else (base, value), backward)


def _sequence(name: str, tensors) -> tuple[Tensor, ...]:
    """cat's and stack's tensors: a list, tuple or other iterable of them (or of what
    as_tensor takes); one tensor, a string or a number is refused."""
    if isinstance(tensors, Tensor | str | bytes) or not isinstance(tensors, Iterable):
        raise ArgumentTypeError(f"{name}() takes a list or tuple of tensors, got "
                                f"{type(tensors).__name__}", hint=f"e.g. nndl.{name}([x, y])")
    return tuple(as_tensor(t) for t in tensors)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = _sequence("cat", tensors)
    if not tensors:
        raise ShapeError("cat() needs at least one tensor")
    if builtins.min(t.ndim for t in tensors) == 0:
        raise ShapeError("cat() cannot join 0-d tensors", hint="use stack() for scalars")
    d = _axis(dim, tensors[0].ndim, "cat")
    bounds = np.cumsum([t.shape[d] for t in tensors])[:-1]
    try:
        out = np.concatenate([t._arr for t in tensors], axis=d)
    except ValueError as exc:
        raise ShapeError(f"cat along dim {dim}: shapes {[t.shape for t in tensors]} differ "
                         f"outside that dim ({exc})") from None

    def backward(g):
        return tuple(np.split(g, bounds, axis=d))

    return make(out, "cat", tensors, backward)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = _sequence("stack", tensors)
    if not tensors:
        raise ShapeError("stack() needs at least one tensor")
    if len({t.shape for t in tensors}) != 1:
        raise ShapeError(f"stack needs equal shapes, got {[t.shape for t in tensors]}")
    d = _axis(dim, tensors[0].ndim + 1, "stack")

    def backward(g):
        return tuple(np.take(g, i, axis=d) for i in range(len(tensors)))

    return make(np.stack([t._arr for t in tensors], axis=d), "stack", tensors, backward)


# ------------------------------------------------------------------ softmax
def softmax(a, dim: int = -1) -> Tensor:
    a = as_tensor(a)
    ad = _floating(a._arr)
    d = _axis(dim, ad.ndim, "softmax")
    out = _kernels.softmax(ad.reshape(1), axis=0).reshape(()) if ad.ndim == 0 else (
        _kernels.softmax(ad, axis=d))

    def backward(g):
        # J^T g = s ⊙ (g - <g, s>)
        return (out * (g - np.sum(g * out, axis=d if out.ndim else None, keepdims=True)),)

    return make(out, "softmax", (a,), backward)


def log_softmax(a, dim: int = -1) -> Tensor:
    a = as_tensor(a)
    ad = _floating(a._arr)
    d = _axis(dim, ad.ndim, "log_softmax")
    out = _kernels.log_softmax(ad.reshape(1), axis=0).reshape(()) if ad.ndim == 0 else (
        _kernels.log_softmax(ad, axis=d))

    def backward(g):
        return (g - np.exp(out) * np.sum(g, axis=d if out.ndim else None, keepdims=True),)

    return make(out, "log_softmax", (a,), backward)


# ------------------------------------------------------------------ more elementwise math
# One input, one output of its shape: the forward on the input as a float array, the
# derivative written next to it. (No scalar path: these are not micrograd's ops.)
def _unary(a) -> tuple[Tensor, np.ndarray]:
    a = a if isinstance(a, Tensor) else as_tensor(a)
    return a, _floating(a._arr)


def square(a) -> Tensor:
    a, ad = _unary(a)

    def backward(g):
        return (g * 2 * ad,)

    return make(ad * ad, "square", (a,), backward)


def reciprocal(a) -> Tensor:
    a, ad = _unary(a)
    with np.errstate(divide="ignore"):
        out = 1 / ad

    def backward(g):
        return (-g * out * out,)  # d(1/x) = −1/x²

    return make(out, "reciprocal", (a,), backward)


def rsqrt(a) -> Tensor:
    a, ad = _unary(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 1 / np.sqrt(ad)

    def backward(g):
        return (g * -0.5 * out * out * out,)  # d(x^−½) = −½·x^−3/2

    return make(out, "rsqrt", (a,), backward)


def log1p(a) -> Tensor:
    a, ad = _unary(a)

    def backward(g):
        with np.errstate(divide="ignore"):
            return (g / (1 + ad),)

    with np.errstate(divide="ignore", invalid="ignore"):
        return make(np.log1p(ad), "log1p", (a,), backward)


def expm1(a) -> Tensor:
    a, ad = _unary(a)
    out = np.expm1(ad)

    def backward(g):
        return (g * (out + 1),)  # d(e^x − 1) = e^x

    return make(out, "expm1", (a,), backward)


def exp2(a) -> Tensor:
    a, ad = _unary(a)
    out = np.exp2(ad)

    def backward(g):
        return (g * out * math.log(2),)

    return make(out, "exp2", (a,), backward)


def log2(a) -> Tensor:
    a, ad = _unary(a)

    def backward(g):
        with np.errstate(divide="ignore"):
            return (g / (ad * math.log(2)),)

    with np.errstate(divide="ignore", invalid="ignore"):
        return make(np.log2(ad), "log2", (a,), backward)


def log10(a) -> Tensor:
    a, ad = _unary(a)

    def backward(g):
        with np.errstate(divide="ignore"):
            return (g / (ad * math.log(10)),)

    with np.errstate(divide="ignore", invalid="ignore"):
        return make(np.log10(ad), "log10", (a,), backward)


def tan(a) -> Tensor:
    a, ad = _unary(a)
    out = np.tan(ad)

    def backward(g):
        return (g * (1 + out * out),)  # tan' = 1 + tan²

    return make(out, "tan", (a,), backward)


def asin(a) -> Tensor:
    a, ad = _unary(a)

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g / np.sqrt(1 - ad * ad),)

    with np.errstate(invalid="ignore"):
        return make(np.arcsin(ad), "asin", (a,), backward)


def acos(a) -> Tensor:
    a, ad = _unary(a)

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (-g / np.sqrt(1 - ad * ad),)

    with np.errstate(invalid="ignore"):
        return make(np.arccos(ad), "acos", (a,), backward)


def atan(a) -> Tensor:
    a, ad = _unary(a)

    def backward(g):
        return (g / (1 + ad * ad),)

    return make(np.arctan(ad), "atan", (a,), backward)


def sinh(a) -> Tensor:
    a, ad = _unary(a)

    def backward(g):
        return (g * np.cosh(ad),)

    return make(np.sinh(ad), "sinh", (a,), backward)


def cosh(a) -> Tensor:
    a, ad = _unary(a)

    def backward(g):
        return (g * np.sinh(ad),)

    return make(np.cosh(ad), "cosh", (a,), backward)


def asinh(a) -> Tensor:
    a, ad = _unary(a)

    def backward(g):
        return (g / np.sqrt(ad * ad + 1),)

    return make(np.arcsinh(ad), "asinh", (a,), backward)


def acosh(a) -> Tensor:
    a, ad = _unary(a)

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g / np.sqrt(ad * ad - 1),)

    with np.errstate(invalid="ignore"):
        return make(np.arccosh(ad), "acosh", (a,), backward)


def atanh(a) -> Tensor:
    a, ad = _unary(a)

    def backward(g):
        with np.errstate(divide="ignore"):
            return (g / (1 - ad * ad),)

    with np.errstate(divide="ignore", invalid="ignore"):
        return make(np.arctanh(ad), "atanh", (a,), backward)


arcsin, arccos, arctan = asin, acos, atan


_erf_array: Any = None  # erf on arrays, found at the first use (see _erf)


def _erf(x: np.ndarray) -> np.ndarray:
    """erf elementwise: SciPy's when it is installed (fast), else the standard library's,
    element by element. Looked up at the first use: importing SciPy takes most of a
    second, which every ``import nndl`` and every command would pay."""
    global _erf_array
    if _erf_array is None:
        try:
            from scipy.special import erf as _erf_array
        except ImportError:  # SciPy is not a dependency (it comes with the test extras)
            _erf_array = np.frompyfunc(math.erf, 1, 1)
    return np.asarray(_erf_array(x), dtype=x.dtype)


def erf(a) -> Tensor:
    a, ad = _unary(a)

    def backward(g):
        return (g * (2 / math.sqrt(math.pi)) * np.exp(-ad * ad),)  # erf' = 2/√π·e^(−x²)

    return make(_erf(ad), "erf", (a,), backward)


def erfc(a) -> Tensor:
    a, ad = _unary(a)

    def backward(g):
        return (g * (-2 / math.sqrt(math.pi)) * np.exp(-ad * ad),)

    return make(1 - _erf(ad), "erfc", (a,), backward)


def _stepwise(name: str, fn, a, keep_int: bool = True) -> Tensor:
    """A piecewise-constant op (floor, ceil, round, trunc, sign): gradient 0 everywhere, as
    PyTorch; integer tensors keep their dtype."""
    a = a if isinstance(a, Tensor) else as_tensor(a)
    ad = a._arr
    out = fn(ad) if ad.dtype.kind in "fc" or not keep_int else ad.copy()

    def backward(g):
        return (np.zeros_like(g),)

    return make(np.asarray(out), name, (a,), backward)


def floor(a) -> Tensor:
    return _stepwise("floor", np.floor, a)


def ceil(a) -> Tensor:
    return _stepwise("ceil", np.ceil, a)


def trunc(a) -> Tensor:
    return _stepwise("trunc", np.trunc, a)


fix = trunc


def round(a, decimals: int = 0) -> Tensor:  # noqa: A001 - PyTorch's name
    """Half to even, as PyTorch (round(0.5) = 0, round(1.5) = 2)."""
    return _stepwise("round", lambda d: np.round(d, decimals), a)


def sign(a) -> Tensor:
    return _stepwise("sign", np.sign, a, keep_int=False)


def frac(a) -> Tensor:
    a, ad = _unary(a)

    def backward(g):
        return (g,)

    return make(ad - np.trunc(ad), "frac", (a,), backward)


# ------------------------------------------------------------------ tests (no gradient)
def _bool_out(out) -> Tensor:
    return Tensor._wrap(np.asarray(out, dtype=bool))


def _data(x):
    return x._arr if isinstance(x, Tensor) else _numbers(x)


def isnan(a) -> Tensor:
    return _bool_out(np.isnan(_data(a)))


def isinf(a) -> Tensor:
    return _bool_out(np.isinf(_data(a)))


def isfinite(a) -> Tensor:
    return _bool_out(np.isfinite(_data(a)))


def isposinf(a) -> Tensor:
    return _bool_out(np.isposinf(_data(a)))


def isneginf(a) -> Tensor:
    return _bool_out(np.isneginf(_data(a)))


def signbit(a) -> Tensor:
    return _bool_out(np.signbit(_data(a)))


def isclose(a, b, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> Tensor:
    return _bool_out(np.isclose(_data(a), _data(b), rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(a, b, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> bool:
    return bool(np.allclose(_data(a), _data(b), rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(a, b) -> bool:
    """True when both have the same shape and values, as ``torch.equal``."""
    ad, bd = _data(a), _data(b)
    return ad.shape == bd.shape and bool(np.array_equal(ad, bd))


def eq(a, b) -> Tensor:
    return _bool_out(_data(a) == _data(b))


def ne(a, b) -> Tensor:
    return _bool_out(_data(a) != _data(b))


def lt(a, b) -> Tensor:
    return _bool_out(_data(a) < _data(b))


def le(a, b) -> Tensor:
    return _bool_out(_data(a) <= _data(b))


def gt(a, b) -> Tensor:
    return _bool_out(_data(a) > _data(b))


def ge(a, b) -> Tensor:
    return _bool_out(_data(a) >= _data(b))


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def logical_not(a) -> Tensor:
    return _bool_out(np.logical_not(_data(a)))


def logical_and(a, b) -> Tensor:
    return _bool_out(np.logical_and(_data(a), _data(b)))


def logical_or(a, b) -> Tensor:
    return _bool_out(np.logical_or(_data(a), _data(b)))


def logical_xor(a, b) -> Tensor:
    return _bool_out(np.logical_xor(_data(a), _data(b)))


def _bitwise(name: str, fn, *args) -> Tensor:
    """Bitwise ops on integer and bool tensors (no gradient); floats are refused, as PyTorch."""
    arrays = [_data(x) for x in args]
    if builtins.any(x.dtype.kind not in "iub" for x in arrays):
        kinds = ", ".join(str(x.dtype) for x in arrays)
        raise OpCallError(f"{name} needs integer or bool tensors, got {kinds}",
                          hint="convert with .long() or .bool() first")
    if len(arrays) == 2:
        arrays = list(_promote_ints(*arrays))
    return Tensor._wrap(np.asarray(fn(*arrays)))


def _promote_ints(ad: np.ndarray, bd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if ad.dtype == bd.dtype:
        return ad, bd
    dt = np.result_type(ad, bd)
    return ad.astype(dt), bd.astype(dt)


def bitwise_and(a, b) -> Tensor:
    return _bitwise("bitwise_and (&)", np.bitwise_and, a, b)


def bitwise_or(a, b) -> Tensor:
    return _bitwise("bitwise_or (|)", np.bitwise_or, a, b)


def bitwise_xor(a, b) -> Tensor:
    return _bitwise("bitwise_xor (^)", np.bitwise_xor, a, b)


def bitwise_not(a) -> Tensor:
    return _bitwise("bitwise_not (~)", np.invert, a)


def bitwise_left_shift(a, b) -> Tensor:
    return _bitwise("bitwise_left_shift (<<)", np.left_shift, a, b)


def bitwise_right_shift(a, b) -> Tensor:
    return _bitwise("bitwise_right_shift (>>)", np.right_shift, a, b)


# ------------------------------------------------------------------ more binary ops
def atan2(a, b) -> Tensor:
    """atan2(y, x), the angle of the point (x, y): ∂/∂y = x/(x² + y²), ∂/∂x = −y/(x² + y²)."""
    a, b = _operands(a, b)
    ad, bd = (_floating(d) for d in _promote(a._arr, b._arr))

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = ad * ad + bd * bd
            return g * bd / r2, -g * ad / r2

    return make(np.arctan2(ad, bd), "atan2", (a, b), backward)


arctan2 = atan2


def logaddexp(a, b) -> Tensor:
    """log(e^a + e^b), stable: ∂/∂a = e^(a − out), ∂/∂b = e^(b − out)."""
    a, b = _operands(a, b)
    ad, bd = (_floating(d) for d in _promote(a._arr, b._arr))
    out = np.logaddexp(ad, bd)

    def backward(g):
        return g * np.exp(ad - out), g * np.exp(bd - out)

    return make(out, "logaddexp", (a, b), backward)


def copysign(a, b) -> Tensor:
    """|a| with the sign of b: ∂/∂a = sign(a)·sign(b) (0 at a = 0), ∂/∂b = 0, as PyTorch."""
    a, b = _operands(a, b)
    ad, bd = (_floating(d) for d in _promote(a._arr, b._arr))
    out = np.copysign(ad, bd)

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(ad == 0, 0.0, out / ad)
        return g * ratio, np.zeros_like(g * bd)

    return make(out, "copysign", (a, b), backward)


def _division_parts(a, b, name: str):
    a, b = _operands(a, b)
    ad, bd = _promote(a._arr, b._arr)
    if ad.dtype.kind in "iub" and bd.dtype.kind in "iub" and (bd == 0).any():
        raise OpCallError(f"{name}: integer division by zero",
                          hint="divide float tensors (x / 0 is inf) or remove the zeros")
    return a, b, ad, bd


def fmod(a, b) -> Tensor:
    """a − trunc(a/b)·b (the sign of a), as ``torch.fmod``: ∂/∂a = 1, ∂/∂b = −trunc(a/b)."""
    a, b, ad, bd = _division_parts(a, b, "fmod")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.fmod(ad, bd)

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return g, -g * np.trunc(ad / bd)

    return make(out, "fmod", (a, b), backward)


def remainder(a, b) -> Tensor:
    """a − floor(a/b)·b (the sign of b), Python's and PyTorch's ``%``: ∂/∂b = −floor(a/b)."""
    a, b, ad, bd = _division_parts(a, b, "remainder")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.remainder(ad, bd)

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return g, -g * np.floor(ad / bd)

    return make(out, "remainder", (a, b), backward)


def floor_divide(a, b) -> Tensor:
    """floor(a / b), PyTorch's ``//``: piecewise constant, gradient 0."""
    a, b, ad, bd = _division_parts(a, b, "floor_divide")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.floor_divide(ad, bd)

    def backward(g):
        return np.zeros_like(g), np.zeros_like(g)

    return make(out, "floor_divide", (a, b), backward)


def div(a, b, *, rounding_mode: str | None = None) -> Tensor:
    """a / b, as ``torch.div``: true division, or rounded with ``rounding_mode`` 'trunc'
    (towards 0) or 'floor' (integer tensors stay integer; gradient 0)."""
    if rounding_mode is None:
        return true_divide(a, b)
    if rounding_mode == "floor":
        return floor_divide(a, b)
    if rounding_mode != "trunc":
        raise OpArgumentError(f"div expects rounding_mode None, 'trunc' or 'floor', got "
                              f"{rounding_mode!r}")
    a, b, ad, bd = _division_parts(a, b, "div")
    with np.errstate(divide="ignore", invalid="ignore"):
        if ad.dtype.kind in "iub" and bd.dtype.kind in "iub":
            q = np.floor_divide(ad, bd)
            out = q + ((q < 0) & (q * bd != ad))  # floor → towards zero
        else:
            out = np.trunc(ad / bd)

    def backward(g):
        return np.zeros_like(g), np.zeros_like(g)

    return make(np.asarray(out), "div", (a, b), backward)


divide = div


def lerp(start, end, weight) -> Tensor:
    """start + weight·(end − start), as ``torch.lerp`` (weight a number or a tensor)."""
    start, end = _operands(start, end)
    sd, ed = _promote(start._arr, end._arr)
    w = weight if isinstance(weight, Tensor) else None
    wd = w._arr if w is not None else np.asarray(weight, dtype=sd.dtype)
    out = sd + wd * (ed - sd)

    def backward(g):
        gs, ge = g * (1 - wd), g * wd
        if w is None:
            return gs, ge
        return gs, ge, g * (ed - sd)

    inputs = (start, end) if w is None else (start, end, w)
    return make(np.asarray(out, dtype=sd.dtype), "lerp", inputs, backward)


def hypot(a, b) -> Tensor:
    a, b = _operands(a, b)
    ad, bd = (_floating(d) for d in _promote(a._arr, b._arr))
    out = np.hypot(ad, bd)

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * ad / out, g * bd / out

    return make(out, "hypot", (a, b), backward)


def xlogy(a, b) -> Tensor:
    """a·log b, and 0 where a = 0 (whatever b), as ``torch.xlogy``."""
    a, b = _operands(a, b)
    ad, bd = (_floating(d) for d in _promote(a._arr, b._arr))
    with np.errstate(divide="ignore", invalid="ignore"):
        logb = np.log(bd)
        out = np.where(ad == 0, 0.0, ad * logb).astype(ad.dtype)

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            ga = g * np.where(ad == 0, 0.0, logb)  # PyTorch: 0 where a = 0 (and b not NaN)
            gb = g * np.where(ad == 0, 0.0, ad / bd)
        return ga, gb

    return make(out, "xlogy", (a, b), backward)


# ------------------------------------------------------------------ activations
def _sigmoid(x: np.ndarray) -> np.ndarray:
    return _kernels.sigmoid(x)


def gelu(a, approximate: str = "none") -> Tensor:
    """x·Φ(x), Φ the standard normal CDF, as ``torch.nn.functional.gelu``; with
    approximate='tanh' Φ(x) ≈ ½(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    a, ad = _unary(a)
    if approximate == "none":
        cdf = 0.5 * (1 + _erf(ad / math.sqrt(2)))

        def backward(g):
            pdf = np.exp(-0.5 * ad * ad) / math.sqrt(2 * math.pi)
            return (g * (cdf + ad * pdf),)

        return make((ad * cdf).astype(ad.dtype, copy=False), "gelu", (a,), backward)
    if approximate != "tanh":
        raise OpArgumentError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    k = math.sqrt(2 / math.pi)
    inner = k * (ad + 0.044715 * ad ** 3)
    t = np.tanh(inner)

    def backward_tanh(g):
        dinner = k * (1 + 3 * 0.044715 * ad * ad)
        return (g * (0.5 * (1 + t) + 0.5 * ad * (1 - t * t) * dinner),)

    return make(0.5 * ad * (1 + t), "gelu", (a,), backward_tanh)


def silu(a) -> Tensor:
    """x·σ(x) (swish): ∂ = σ(x)·(1 + x·(1 − σ(x)))."""
    a, ad = _unary(a)
    s = _sigmoid(ad)

    def backward(g):
        return (g * s * (1 + ad * (1 - s)),)

    return make(ad * s, "silu", (a,), backward)


def mish(a) -> Tensor:
    """x·tanh(softplus(x)): ∂ = tanh(sp) + x·(1 − tanh²(sp))·σ(x)."""
    a, ad = _unary(a)
    t = np.tanh(_kernels.softplus(ad))

    def backward(g):
        return (g * (t + ad * (1 - t * t) * _sigmoid(ad)),)

    return make(ad * t, "mish", (a,), backward)


def elu(a, alpha: float = 1.0) -> Tensor:
    """x for x > 0, α(e^x − 1) otherwise: ∂ = 1 or α·e^x."""
    a, ad = _unary(a)
    neg = alpha * np.expm1(np.minimum(ad, 0))
    pos = ad > 0

    def backward(g):
        return (np.where(pos, g, g * (neg + alpha)),)

    return make(np.where(pos, ad, neg).astype(ad.dtype, copy=False), "elu", (a,), backward)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(a) -> Tensor:
    """scale·elu(x, α) with PyTorch's constants (self-normalising)."""
    a, ad = _unary(a)
    neg = _SELU_ALPHA * np.expm1(np.minimum(ad, 0))
    pos = ad > 0

    def backward(g):
        return (_SELU_SCALE * np.where(pos, g, g * (neg + _SELU_ALPHA)),)

    return make((_SELU_SCALE * np.where(pos, ad, neg)).astype(ad.dtype, copy=False), "selu",
                (a,), backward)


def celu(a, alpha: float = 1.0) -> Tensor:
    """max(0, x) + min(0, α(e^(x/α) − 1)): ∂ = 1 for x > 0, e^(x/α) otherwise."""
    a, ad = _unary(a)
    e = np.exp(np.minimum(ad, 0) / alpha)
    pos = ad > 0

    def backward(g):
        return (np.where(pos, g, g * e),)

    return make(np.where(pos, ad, alpha * (e - 1)).astype(ad.dtype, copy=False), "celu", (a,),
                backward)


def hardtanh(a, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """clamp(x, min_val, max_val); the gradient passes strictly inside, as PyTorch."""
    a, ad = _unary(a)

    def backward(g):
        return (g * ((ad > min_val) & (ad < max_val)),)

    return make(np.clip(ad, min_val, max_val), "hardtanh", (a,), backward)


def relu6(a) -> Tensor:
    """min(max(x, 0), 6), PyTorch's hardtanh(x, 0, 6)."""
    return hardtanh(a, 0.0, 6.0)


def hardsigmoid(a) -> Tensor:
    """relu6(x + 3)/6: ∂ = 1/6 for −3 < x < 3, else 0."""
    a, ad = _unary(a)

    def backward(g):
        return (g * (((ad > -3) & (ad < 3)) / 6),)

    return make(np.clip(ad + 3, 0, 6) / 6, "hardsigmoid", (a,), backward)


def hardswish(a) -> Tensor:
    """x·relu6(x + 3)/6: ∂ = 0 (x < −3), x/3 + ½ (−3 ≤ x ≤ 3), 1 (x > 3), as PyTorch."""
    a, ad = _unary(a)

    def backward(g):
        return (g * np.where(ad < -3, 0.0, np.where(ad <= 3, ad / 3 + 0.5, 1.0)),)

    return make(ad * np.clip(ad + 3, 0, 6) / 6, "hardswish", (a,), backward)


def softsign(a) -> Tensor:
    """x/(1 + |x|): ∂ = 1/(1 + |x|)²."""
    a, ad = _unary(a)
    d = 1 + np.abs(ad)

    def backward(g):
        return (g / (d * d),)

    return make(ad / d, "softsign", (a,), backward)


def logsigmoid(a) -> Tensor:
    """log σ(x) = −softplus(−x), stable: ∂ = σ(−x) = 1 − σ(x)."""
    a, ad = _unary(a)

    def backward(g):
        return (g * _sigmoid(-ad),)

    return make(-_kernels.softplus(-ad), "logsigmoid", (a,), backward)


def tanhshrink(a) -> Tensor:
    """x − tanh(x): ∂ = tanh²(x)."""
    a, ad = _unary(a)
    t = np.tanh(ad)

    def backward(g):
        return (g * t * t,)

    return make(ad - t, "tanhshrink", (a,), backward)


def softshrink(a, lambd: float = 0.5) -> Tensor:
    """x − λ for x > λ, x + λ for x < −λ, 0 between: ∂ = 1 outside [−λ, λ]."""
    a, ad = _unary(a)
    outside = np.abs(ad) > lambd

    def backward(g):
        return (g * outside,)

    return make(np.where(outside, ad - np.sign(ad) * lambd, 0).astype(ad.dtype, copy=False),
                "softshrink", (a,), backward)


def hardshrink(a, lambd: float = 0.5) -> Tensor:
    """x for |x| > λ, else 0."""
    a, ad = _unary(a)
    outside = np.abs(ad) > lambd

    def backward(g):
        return (g * outside,)

    return make(ad * outside, "hardshrink", (a,), backward)


def threshold(a, threshold: float, value: float) -> Tensor:  # noqa: A002
    """x where x > threshold, else value, as ``torch.nn.functional.threshold``."""
    a, ad = _unary(a)
    above = ad > threshold

    def backward(g):
        return (g * above,)

    return make(np.where(above, ad, value).astype(ad.dtype, copy=False), "threshold", (a,),
                backward)


def softmin(a, dim: int = -1) -> Tensor:
    """softmax(−x)."""
    return softmax(neg(a), dim)


def logit(a, eps: float | None = None) -> Tensor:
    """log(p/(1 − p)), p clamped to [eps, 1 − eps] when eps is given: ∂ = 1/(p(1 − p))
    (0 outside the clamp)."""
    a, ad = _unary(a)
    p = ad if eps is None else np.clip(ad, eps, 1 - eps)

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            gx = g / (p * (1 - p))
        if eps is not None:
            gx = np.where((ad < eps) | (ad > 1 - eps), 0.0, gx)
        return (gx,)

    with np.errstate(divide="ignore", invalid="ignore"):
        return make(np.log(p / (1 - p)), "logit", (a,), backward)


# ------------------------------------------------------------------ more reductions
def std(a, dim=None, keepdim=False, *, unbiased=True, correction=None, axis=None,
        keepdims=None) -> Tensor:
    """The standard deviation √var, Bessel-corrected by default, as ``torch.std``; where it
    is 0 its gradient is 0 (not 0·∞), as PyTorch."""
    v = var(a, dim=dim, keepdim=keepdim, unbiased=unbiased, correction=correction, axis=axis,
            keepdims=keepdims)
    out = np.sqrt(v._arr)

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (np.where(out == 0, 0.0, g / (2 * out)),)

    return make(out, "std", (v,), backward)


def var_mean(a, dim=None, keepdim=False, *, unbiased=True, correction=None):
    """(var, mean), as ``torch.var_mean``."""
    return (var(a, dim=dim, keepdim=keepdim, unbiased=unbiased, correction=correction),
            mean(a, dim=dim, keepdim=keepdim))


def std_mean(a, dim=None, keepdim=False, *, unbiased=True, correction=None):
    """(std, mean), as ``torch.std_mean``."""
    return (std(a, dim=dim, keepdim=keepdim, unbiased=unbiased, correction=correction),
            mean(a, dim=dim, keepdim=keepdim))


def logsumexp(a, dim=None, keepdim: bool = False, *, axis=None) -> Tensor:
    """log Σ e^x over ``dim``, stable (shifted by the max): ∂/∂x = e^(x − out) = softmax(x)."""
    a = as_tensor(a)
    dim = axis if dim is None else dim
    if dim is None:
        raise OpArgumentError("logsumexp needs dim", hint="e.g. x.logsumexp(dim=1)")
    dims, shape = _dims(a.ndim, dim, None, "logsumexp"), a.shape
    ad = _floating(a._arr)
    axes = dims if a.ndim else None
    m = np.max(ad, axis=axes, keepdims=True) if ad.size else np.zeros((1,) * ad.ndim, ad.dtype)
    m = np.where(np.isfinite(m), m, 0)  # all −inf (or inf): no shift
    with np.errstate(divide="ignore"):
        full = np.log(np.sum(np.exp(ad - m), axis=axes, keepdims=True)) + m
    out = full if keepdim or not a.ndim else np.squeeze(full, axis=dims)

    def backward(g):
        return (_expand_back(g, shape, dims, keepdim) * np.exp(ad - full),)

    return make(np.asarray(out, dtype=ad.dtype), "logsumexp", (a,), backward)


def _dim_or_axis(name: str, dim, axis) -> int:
    dim = axis if dim is None else dim
    if dim is None:
        raise OpArgumentError(f"{name} needs dim", hint=f"e.g. x.{name}(dim=0)")
    return dim


def _exclusive_cumprod(x: np.ndarray, axis: int, reverse: bool = False) -> np.ndarray:
    """Π of the elements before each one along ``axis`` (after it, with reverse): no division,
    so zeros are exact."""
    if reverse:
        x = np.flip(x, axis)
    shifted = np.ones_like(x)
    src = [slice(None)] * x.ndim
    dst = [slice(None)] * x.ndim
    src[axis], dst[axis] = slice(None, -1), slice(1, None)
    shifted[tuple(dst)] = x[tuple(src)]
    out = np.cumprod(shifted, axis=axis)
    return np.flip(out, axis) if reverse else out


def prod(a, dim=None, keepdim: bool = False, *, dtype=None, axis=None) -> Tensor:
    """The product over ``dim`` (all elements by default), as ``torch.prod``: ∂/∂x_i is the
    product of the others (exact with zeros: no division)."""
    a = as_tensor(a)
    dim = axis if dim is None else dim
    a = a if dtype is None else to_dtype(a, np.dtype(dtype))
    ad = a._arr
    if ad.dtype.kind in "iub":
        ad = ad.astype(np.int64)
    shape = a.shape
    if dim is None:
        flat = ad.reshape(-1)
        out = np.prod(flat)

        def backward_all(g):
            others = _exclusive_cumprod(flat, 0) * _exclusive_cumprod(flat, 0, reverse=True)
            return ((g * others).reshape(shape),)

        return make(np.asarray(out), "prod", (a,), backward_all)
    d = _axis(dim, a.ndim, "prod")
    if not a.ndim:
        return make(np.asarray(ad), "prod", (a,), lambda g: (g,))
    out = np.prod(ad, axis=d, keepdims=True)

    def backward(g):
        g = g if keepdim else np.expand_dims(g, d)
        return (g * _exclusive_cumprod(ad, d) * _exclusive_cumprod(ad, d, reverse=True),)

    return make(out if keepdim else np.squeeze(out, d), "prod", (a,), backward)


def cumsum(a, dim: int | None = None, *, dtype=None, axis=None) -> Tensor:
    """Running sums along ``dim``: ∂/∂x_i = Σ_{k ≥ i} g_k (the reversed running sum)."""
    a = as_tensor(a)
    dim = _dim_or_axis("cumsum", dim, axis)
    a = a if dtype is None else to_dtype(a, np.dtype(dtype))
    ad = a._arr
    if ad.dtype.kind in "iub":
        ad = ad.astype(np.int64)
    if not a.ndim:
        _axis(dim, 0, "cumsum")
        return make(ad.copy(), "cumsum", (a,), lambda g: (g,))
    d = _axis(dim, a.ndim, "cumsum")

    def backward(g):
        return (np.flip(np.cumsum(np.flip(g, d), axis=d), d),)

    return make(np.cumsum(ad, axis=d), "cumsum", (a,), backward)


def cumprod(a, dim: int | None = None, *, dtype=None, axis=None) -> Tensor:
    """Running products along ``dim``: ∂/∂x_i = Σ_{k ≥ i} g_k·Π_{j ≤ k, j ≠ i} x_j, computed
    without dividing by x_i (exact where x has zeros)."""
    a = as_tensor(a)
    dim = _dim_or_axis("cumprod", dim, axis)
    a = a if dtype is None else to_dtype(a, np.dtype(dtype))
    ad = a._arr
    if ad.dtype.kind in "iub":
        ad = ad.astype(np.int64)
    if not a.ndim:
        _axis(dim, 0, "cumprod")
        return make(ad.copy(), "cumprod", (a,), lambda g: (g,))
    d = _axis(dim, a.ndim, "cumprod")
    out = np.cumprod(ad, axis=d)

    def backward(g):
        # S_i = g_i + x_{i+1}·S_{i+1} (from the end), then ∂/∂x_i = Π_{j<i} x_j · S_i
        x = np.moveaxis(ad, d, 0)
        gm = np.moveaxis(g, d, 0)
        s = np.empty_like(gm)
        s[-1] = gm[-1]
        for i in range(x.shape[0] - 2, -1, -1):
            s[i] = gm[i] + x[i + 1] * s[i + 1]
        return (np.moveaxis(_exclusive_cumprod(x, 0) * s, 0, d),)

    return make(out, "cumprod", (a,), backward)


def _cum_extreme(a, dim: int, better, name: str):
    a = as_tensor(a)
    ad = a._arr
    if not a.ndim:
        _axis(dim, 0, name)
        return MaxMin(clone(a), Tensor._wrap(np.asarray(0, dtype=np.int64)))
    d = _axis(dim, a.ndim, name)
    x = np.moveaxis(ad, d, 0)
    values = better.accumulate(x, axis=0)
    # the latest position holding the running extreme (PyTorch's choice at ties)
    pos = np.arange(x.shape[0]).reshape((-1,) + (1,) * (x.ndim - 1))
    hits = np.where(x == values, pos, 0)
    idx = np.maximum.accumulate(hits, axis=0)
    values, idx = np.moveaxis(values, 0, d), np.moveaxis(idx, 0, d).astype(np.int64)
    shape = a.shape

    def backward(g):
        full = np.zeros(shape, dtype=g.dtype)
        _add_along(full, idx, g, d)
        return (full,)

    return MaxMin(make(values, name, (a,), backward), Tensor._wrap(idx))


def _add_along(full: np.ndarray, idx: np.ndarray, g: np.ndarray, d: int) -> None:
    """full[..., idx[...], ...] += g along dim d (repeated indices accumulate)."""
    grids: list[Any] = list(np.indices(idx.shape, sparse=True))
    grids[d] = idx
    np.add.at(full, tuple(grids), g)


def cummax(a, dim: int):
    return _cum_extreme(a, dim, np.maximum, "cummax")


def cummin(a, dim: int):
    return _cum_extreme(a, dim, np.minimum, "cummin")


def _truth(name: str, fn, a, dim, keepdim) -> Tensor:
    ad = _data(a)
    if dim is None:
        return Tensor._wrap(np.asarray(fn(ad)))
    dims = _dims(ad.ndim, dim, None, name)
    return Tensor._wrap(np.asarray(fn(ad, axis=dims if ad.ndim else None,
                                      keepdims=keepdim and bool(ad.ndim))))


def any(a, dim=None, keepdim: bool = False, *, axis=None) -> Tensor:  # noqa: A001
    """Whether any element (along ``dim``) is non-zero: a bool tensor."""
    return _truth("any", np.any, a, axis if dim is None else dim, keepdim)


def all(a, dim=None, keepdim: bool = False, *, axis=None) -> Tensor:  # noqa: A001
    """Whether every element (along ``dim``) is non-zero: a bool tensor."""
    return _truth("all", np.all, a, axis if dim is None else dim, keepdim)


def count_nonzero(a, dim=None) -> Tensor:
    ad = _data(a)
    dims = None if dim is None else _dims(ad.ndim, dim, None, "count_nonzero")
    return Tensor._wrap(np.asarray(np.count_nonzero(ad, axis=dims), dtype=np.int64))


def norm(a, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """The p-norm over ``dim`` (all elements by default), as ``torch.norm``: p = 2 (or
    'fro'), 1, inf, −inf, 0 or any number; built from differentiable ops (the gradient of
    the 2-norm at 0 is 0, as PyTorch)."""
    a = as_tensor(a)
    a = a if dtype is None else to_dtype(a, np.dtype(dtype))
    if p == "fro" or p == 2:
        ad = _floating(a._arr)
        dims = _dims(a.ndim, dim, None, "norm")
        axes = dims if a.ndim else None
        full = np.sqrt(np.sum(ad * ad, axis=axes, keepdims=True))
        shape = a.shape
        out = full if keepdim or not a.ndim else (
            full.reshape(()) if dims is None else np.squeeze(full, axis=dims))

        def backward(g):
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = np.where(full == 0, 0.0, ad / full)
            return (_expand_back(g, shape, dims, keepdim) * scale,)

        return make(np.asarray(out, dtype=ad.dtype), "norm", (a,), backward)
    every = tuple(range(a.ndim)) if dim is None else dim
    if p in (math.inf, "inf"):
        return amax(abs(a), dim=every, keepdim=keepdim) if a.ndim else abs(a)
    if p in (-math.inf, "-inf"):
        return amin(abs(a), dim=every, keepdim=keepdim) if a.ndim else abs(a)
    if p == 0:
        return sum(to_dtype(ne(a, 0), _floating(a._arr).dtype), dim=dim, keepdim=keepdim)
    if p == 1:
        return sum(abs(a), dim=dim, keepdim=keepdim)
    if not isinstance(p, int | float):
        raise OpArgumentError(f"norm: p must be a number, 'fro', inf or -inf, got {p!r}")
    return pow(sum(pow(abs(a), p), dim=dim, keepdim=keepdim), 1.0 / p)


def dist(a, b, p=2) -> Tensor:
    """‖a − b‖_p, as ``torch.dist``."""
    return norm(sub(a, b), p)


def _sorted_along(a, dim: int, descending: bool, name: str):
    a = as_tensor(a)
    ad = a._arr
    if not a.ndim:
        _axis(dim, 0, name)
        return clone(a), np.zeros((), dtype=np.int64)
    d = _axis(dim, a.ndim, name)
    # a stable sort; for descending, sort the negated keys stably (ties keep their order)
    keys = -ad if descending and ad.dtype.kind in "fi" else ad
    idx = np.argsort(keys, axis=d, kind="stable")
    if descending and ad.dtype.kind not in "fi":
        idx = np.flip(np.argsort(ad, axis=d, kind="stable"), d)
    return _take_along(a, idx, d, name), idx


def _take_along(a: Tensor, idx: np.ndarray, d: int, name: str) -> Tensor:
    shape = a.shape

    def backward(g):
        full = np.zeros(shape, dtype=g.dtype)
        _add_along(full, idx, g, d)
        return (full,)

    return make(np.take_along_axis(a._arr, idx, axis=d), name, (a,), backward)


SortResult = namedtuple("SortResult", ["values", "indices"])


def sort(a, dim: int = -1, descending: bool = False, stable: bool = False):
    """(values, indices) sorted along ``dim``, as ``torch.sort``; the gradient goes back to
    each value's place."""
    a = as_tensor(a)
    values, idx = _sorted_along(a, dim, descending, "sort")
    return SortResult(values, Tensor._wrap(np.asarray(idx, dtype=np.int64)))


def argsort(a, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    return sort(a, dim, descending).indices


def msort(a) -> Tensor:
    return sort(a, 0).values


def topk(a, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
    """The k largest (or smallest) values along ``dim`` and their indices, as ``torch.topk``."""
    a = as_tensor(a)
    n = a.shape[_axis(dim, a.ndim, "topk")] if a.ndim else 1
    if not 0 <= k <= n:
        raise DimError(f"topk: k ({k}) is out of range for a dim of size {n}",
                       hint=f"use 0 <= k <= {n}")
    if not a.ndim:
        return SortResult(clone(a), Tensor._wrap(np.zeros((), dtype=np.int64)))
    d = _axis(dim, a.ndim, "topk")
    _, idx = _sorted_along(Tensor._wrap(a._arr), d, largest, "topk")
    idx = np.take(idx, np.arange(k), axis=d)
    return SortResult(_take_along(a, idx, d, "topk"), Tensor._wrap(idx.astype(np.int64)))


def kthvalue(a, k: int, dim: int = -1, keepdim: bool = False):
    """The k-th smallest value along ``dim`` (k from 1) and its index."""
    a = as_tensor(a)
    values, idx = sort(a, dim)
    d = _axis(dim, a.ndim, "kthvalue") if a.ndim else 0
    sel: list[Any] = [slice(None)] * builtins.max(a.ndim, 1)
    sel[d] = slice(k - 1, k) if keepdim else k - 1
    if not a.ndim:
        return SortResult(values, idx)
    return SortResult(getitem(values, tuple(sel)), Tensor._wrap(idx._arr[tuple(sel)]))


def median(a, dim=None, keepdim: bool = False):
    """The lower median, as ``torch.median``: a tensor over all elements (ties share the
    gradient, as PyTorch), (values, indices) along ``dim``."""
    a = as_tensor(a)
    if dim is None:
        ad = a._arr
        flat = ad.reshape(-1)
        m = np.sort(flat)[(flat.size - 1) // 2] if flat.size else np.nan

        def backward(g):
            mask = ad == m
            return (mask * (g / builtins.max(int(mask.sum()), 1)),)

        return make(np.asarray(m, dtype=ad.dtype), "median", (a,), backward)
    if not a.ndim:
        _axis(dim, 0, "median")
        return MaxMin(clone(a), Tensor._wrap(np.zeros((), dtype=np.int64)))
    d = _axis(dim, a.ndim, "median")
    n = a.shape[d]
    _, idx = _sorted_along(Tensor._wrap(a._arr), d, False, "median")
    pick = np.take(idx, [(n - 1) // 2], axis=d)
    values = _take_along(a, pick, d, "median")
    if not keepdim:
        values, pick = squeeze(values, d), np.squeeze(pick, d)
    return MaxMin(values, Tensor._wrap(pick.astype(np.int64)))


def nanmean(a, dim=None, keepdim: bool = False) -> Tensor:
    """The mean over the elements that are not NaN."""
    a = as_tensor(a)
    ad = _floating(a._arr)
    nan = np.isnan(ad)
    filled = where(Tensor._wrap(nan), 0.0, a)
    axes = None if dim is None or not a.ndim else _dims(a.ndim, dim, None, "nanmean")
    count = np.sum(~nan, axis=axes, keepdims=keepdim and bool(a.ndim))
    return div(sum(filled, dim=dim, keepdim=keepdim), Tensor._wrap(np.asarray(count, ad.dtype)))


def nansum(a, dim=None, keepdim: bool = False) -> Tensor:
    a = as_tensor(a)
    nan = np.isnan(_floating(a._arr))
    return sum(where(Tensor._wrap(nan), 0.0, a), dim=dim, keepdim=keepdim)


def aminmax(a, *, dim=None, keepdim: bool = False):
    return MaxMin(amin(a, dim, keepdim), amax(a, dim, keepdim))


# ------------------------------------------------------------------ indexing and masking
def _index_tuple(index: np.ndarray, d: int) -> tuple:
    """The full index that picks index[i, j, ...] along dim d and i, j, ... elsewhere."""
    grids: list[Any] = list(np.indices(index.shape, sparse=True))
    grids[d] = index
    return tuple(grids)


def _int_index(name: str, index) -> np.ndarray:
    idx = _data(index)
    if idx.dtype.kind not in "iu":
        raise OpCallError(f"{name} expects an integer (int64) index, got {idx.dtype}",
                          hint="convert the index with .long()")
    return idx.astype(np.intp, copy=False)


def _check_gather_index(name: str, a_shape, idx: np.ndarray, d: int, other=None) -> None:
    if idx.ndim != builtins.max(len(a_shape), 1) and not (idx.ndim == 0 and not a_shape):
        raise ShapeError(f"{name}: the index has {idx.ndim} dims, the input {len(a_shape)}",
                         hint="index must have as many dims as the input")
    for k, n in enumerate(idx.shape):
        limit = (other or a_shape)[k] if k != d or other is not None else None
        if limit is not None and n > limit:
            raise ShapeError(f"{name}: index of shape {idx.shape} is larger than "
                             f"{tuple(other or a_shape)} in dim {k}",
                             hint="index.size(d) <= input.size(d) for every d != dim")
    n = a_shape[d] if a_shape else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexOutOfRange(f"{name}: index {int(idx.max() if idx.max() >= n else idx.min())}"
                              f" is out of bounds for dim {d} of size {n}",
                              hint=f"indices along dim {d} run from 0 to {n - 1}")


def gather(a, dim: int, index) -> Tensor:
    """out[i][j][k] = a[index[i][j][k]][j][k] (for dim 0), as ``torch.gather``; the gradient
    is added back to the gathered places (repeats accumulate)."""
    a = as_tensor(a)
    d = _axis(dim, a.ndim, "gather")
    idx = _int_index("gather", index)
    if not a.ndim:
        return reshape(a, idx.shape, op="gather")
    _check_gather_index("gather", a.shape, idx, d)
    full_index = _index_tuple(idx, d)
    shape = a.shape

    def backward(g):
        full = np.zeros(shape, dtype=g.dtype)
        np.add.at(full, full_index, g)
        return (full,)

    return make(a._arr[full_index], "gather", (a,), backward)


def take_along_dim(a, indices, dim: int) -> Tensor:
    return gather(a, dim, indices)


def _scatter(a, dim: int, index, src, name: str, accumulate: bool) -> Tensor:
    a = as_tensor(a)
    d = _axis(dim, a.ndim, name)
    idx = _int_index(name, index)
    src_t = src if isinstance(src, Tensor) else None
    grids: tuple[Any, ...] = ()
    if src_t is not None:
        _check_gather_index(name, a.shape, idx, d, other=src_t.shape)
        full_index = _index_tuple(idx, d)
        grids = tuple(np.indices(idx.shape, sparse=True))
        sd = src_t._arr[grids].astype(a.dtype, copy=False)
    else:
        _check_gather_index(name, a.shape, idx, d)
        full_index = _index_tuple(idx, d)
        sd = np.asarray(src, dtype=a.dtype)
        grids = ()
    out = a._arr.copy()
    if accumulate:
        np.add.at(out, full_index, np.broadcast_to(sd, idx.shape))
    else:
        out[full_index] = sd
    src_shape = None if src_t is None else src_t.shape

    def backward(g):
        if accumulate:
            ga = g
        else:
            ga = g.copy()
            ga[full_index] = 0  # overwritten places take nothing from a
        if src_t is None:
            return (ga,)
        gs = np.zeros(src_shape, dtype=g.dtype)
        gs[grids] = g[full_index]
        return ga, gs

    inputs = (a,) if src_t is None else (a, src_t)
    return make(out, name, inputs, backward)


def scatter(a, dim: int, index, src=None, *, value=None, reduce=None) -> Tensor:  # noqa: A002
    """A copy of a with a[index[i][j]][j] = src[i][j] (dim 0), as ``torch.scatter`` (src a
    tensor or a number; with repeated indices one of the values wins, as PyTorch warns)."""
    a = as_tensor(a)
    if reduce is not None:
        if reduce != "add":
            raise OpArgumentError(f"scatter: reduce={reduce!r} is not supported",
                                  hint="use scatter_add or reduce='add'")
        return scatter_add(a, dim, index, src if src is not None else value)
    return _scatter(a, dim, index, value if src is None else src, "scatter", False)


def scatter_add(a, dim: int, index, src) -> Tensor:
    """A copy of a with src added at the places index names along dim (repeats add up)."""
    return _scatter(a, dim, index, src, "scatter_add", True)


def index_select(a, dim: int, index) -> Tensor:
    """The slices of a at ``index`` (a 1-D integer tensor) along ``dim``."""
    a = as_tensor(a)
    d = _axis(dim, a.ndim, "index_select")
    idx = _int_index("index_select", index)
    if idx.ndim > 1:
        raise ShapeError(f"index_select: index must be 0-d or 1-D, got shape {idx.shape}")
    idx = idx.reshape(-1)
    n = a.shape[d] if a.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexOutOfRange(f"index_select: an index is out of range for dim {d} of size {n}",
                              hint=f"indices run from 0 to {n - 1}")
    if not a.ndim:
        return reshape(a, (idx.size,) if idx.size != 1 else (), op="index_select")
    shape = a.shape

    def backward(g):
        full = np.zeros(shape, dtype=g.dtype)
        np.add.at(full, (slice(None),) * d + (idx,), g)
        return (full,)

    return make(np.take(a._arr, idx, axis=d), "index_select", (a,), backward)


def _mask(name: str, mask, shape) -> np.ndarray:
    m = _data(mask)
    if m.dtype != bool:
        raise OpCallError(f"{name} expects a bool mask, got {m.dtype}",
                          hint="compare to get one, e.g. x > 0, or convert with .bool()")
    try:
        np.broadcast_shapes(m.shape, shape)
    except ValueError:
        raise ShapeError(f"{name}: the mask of shape {m.shape} does not broadcast to {shape}",
                         hint="the mask must broadcast to the tensor's shape") from None
    return m


def masked_fill(a, mask, value) -> Tensor:
    """a with ``value`` where ``mask`` is True (mask broadcast to a's shape), as
    ``torch.Tensor.masked_fill``; a 0-d tensor ``value`` gets the sum of the gradient
    over the filled places."""
    a = as_tensor(a)
    m = _mask("masked_fill", mask, a.shape)
    if np.broadcast_shapes(m.shape, a.shape) != a.shape:
        raise ShapeError(f"masked_fill: the mask of shape {m.shape} would change the shape "
                         f"{a.shape}", hint="the mask must broadcast to the tensor's shape")
    v = value if isinstance(value, Tensor) else None
    if v is not None and v.ndim != 0:
        raise ShapeError(f"masked_fill only supports a 0-d value tensor, got shape {v.shape}")
    vd = np.asarray(v._arr if v is not None else value).astype(a.dtype)
    out = np.where(m, vd, a._arr)

    def backward(g):
        ga = np.where(m, 0, g)
        if v is None:
            return (ga,)
        return ga, np.sum(np.where(m, g, 0))

    return make(out, "masked_fill", (a,) if v is None else (a, v), backward)


def masked_select(a, mask) -> Tensor:
    """The elements of a where ``mask`` is True, as a 1-D tensor (a and mask broadcast)."""
    a = as_tensor(a)
    m = _mask("masked_select", mask, a.shape)
    shape = np.broadcast_shapes(m.shape, a.shape)
    return getitem(expand(a, shape), Tensor._wrap(np.broadcast_to(m, shape)))


def nonzero(a, *, as_tuple: bool = False):
    """The indices of the non-zero elements: (n, ndim) int64, or one 1-D tensor per dim."""
    ad = _data(a)
    idx = np.nonzero(ad) if ad.ndim else np.nonzero(ad.reshape(1))
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in idx)
    if not ad.ndim:
        return Tensor._wrap(np.zeros((int(bool(ad)), 0), dtype=np.int64))
    return Tensor._wrap(np.stack(idx, axis=1).astype(np.int64))


def argwhere(a) -> Tensor:
    return nonzero(a)


def _tri(name: str, fn, a, diagonal: int) -> Tensor:
    a = as_tensor(a)
    if a.ndim < 2:
        raise ShapeError(f"{name} needs a tensor with at least 2 dimensions, got shape {a.shape}")
    ad = a._arr

    def backward(g):
        return (fn(g, diagonal),)

    return make(fn(ad, diagonal), name, (a,), backward)


def tril(a, diagonal: int = 0) -> Tensor:
    """The lower triangle (on and below ``diagonal``) of the last two dims; the rest 0."""
    return _tri("tril", np.tril, a, diagonal)


def triu(a, diagonal: int = 0) -> Tensor:
    """The upper triangle (on and above ``diagonal``) of the last two dims; the rest 0."""
    return _tri("triu", np.triu, a, diagonal)


def flip(a, *dims) -> Tensor:
    """Reverse the order along each of ``dims``: its own inverse, so backward flips g."""
    a = as_tensor(a)
    dims = _shape_arg(dims)
    axes = tuple(_axis(d, a.ndim, "flip") for d in dims) if a.ndim else ()
    if len(set(axes)) != len(axes):
        raise ShapeError(f"flip: dim {dims} names a dimension twice")

    def backward(g):
        return (np.flip(g, axes) if axes else g,)

    return make(np.flip(a._arr, axes).copy() if axes else a._arr.copy(), "flip", (a,), backward)


def fliplr(a) -> Tensor:
    return flip(a, 1)


def flipud(a) -> Tensor:
    return flip(a, 0)


def roll(a, shifts, dims=None) -> Tensor:
    """Shift the elements circularly (along ``dims``, or of the flattened tensor)."""
    a = as_tensor(a)
    shape = a.shape
    if dims is None:
        s = shifts if isinstance(shifts, int) else int(_shape_arg((shifts,))[0])

        def backward_flat(g):
            return (np.roll(g.reshape(-1), -s).reshape(shape),)

        return make(np.roll(a._arr.reshape(-1), s).reshape(shape), "roll", (a,), backward_flat)
    sh = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    ds = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(sh) != len(ds):
        raise ShapeError(f"roll: {len(sh)} shifts for {len(ds)} dims")
    axes = tuple(_axis(d, a.ndim, "roll") for d in ds)

    def backward(g):
        return (np.roll(g, tuple(-s for s in sh), axes),)

    return make(np.roll(a._arr, sh, axes), "roll", (a,), backward)


def repeat(a, *sizes) -> Tensor:
    """Tile a ``sizes[i]`` times along each dim (leading new dims allowed), as
    ``torch.Tensor.repeat``: the gradient sums the copies."""
    a = as_tensor(a)
    sizes = _shape_arg(sizes)
    if len(sizes) < a.ndim:
        raise ShapeError(f"repeat: {len(sizes)} repeat counts for a tensor with {a.ndim} dims",
                         hint="give at least one count per dim")
    shape = (1,) * (len(sizes) - a.ndim) + a.shape
    ad = a._arr.reshape(shape)
    out = np.tile(ad, sizes)
    src = a.shape

    def backward(g):
        # (r0·s0, r1·s1, ...) → (r0, s0, r1, s1, ...), summed over the r's
        split = tuple(n for pair in zip(sizes, shape, strict=True) for n in pair)
        return (g.reshape(split).sum(axis=tuple(range(0, 2 * len(sizes), 2))).reshape(src),)

    return make(out, "repeat", (a,), backward)


def tile(a, *dims) -> Tensor:
    a = as_tensor(a)
    dims = _shape_arg(dims)
    return repeat(a, *((1,) * (a.ndim - len(dims)) + tuple(dims)))


def repeat_interleave(a, repeats, dim=None, *, output_size=None) -> Tensor:
    """Repeat each element ``repeats`` times (a number or one count per element) along
    ``dim`` (of the flattened tensor by default): the gradient sums each element's copies."""
    if not isinstance(a, Tensor):
        a = as_tensor(a)
    src = a
    if dim is None:
        src = reshape(a, -1)
        d = 0
    else:
        d = _axis(dim, a.ndim, "repeat_interleave")
    sd = src._arr
    r = _data(repeats)
    n = sd.shape[d] if sd.ndim else 1
    counts = np.broadcast_to(r.astype(np.int64), (n,)) if r.ndim == 0 or r.size == 1 else r
    if counts.shape != (n,):
        raise ShapeError(f"repeat_interleave: {counts.size} repeat counts for {n} elements")
    out = np.repeat(sd, counts, axis=d)
    group = np.repeat(np.arange(n), counts)  # the element each output position copies

    def backward(g):
        full = np.zeros(sd.shape, dtype=g.dtype)
        np.add.at(full, (slice(None),) * d + (group,), g)
        return (full,)

    return make(out, "repeat_interleave", (src,), backward)


def narrow(a, dim: int, start: int, length: int) -> Tensor:
    a = as_tensor(a)
    d = _axis(dim, a.ndim, "narrow")
    n = a.shape[d]
    start = start + n if start < 0 else start
    if not 0 <= start <= n or length < 0 or start + length > n:
        raise IndexOutOfRange(f"narrow: start {start} and length {length} do not fit a dim "
                              f"of size {n}")
    return getitem(a, (slice(None),) * d + (slice(start, start + length),))


def split(a, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of a along ``dim``: each of size split_size (the last smaller), or of the
    given sizes, as ``torch.split``."""
    a = as_tensor(a)
    d = _axis(dim, a.ndim, "split")
    n = a.shape[d]
    if isinstance(split_size_or_sections, int | np.integer):
        size = int(split_size_or_sections)
        if size <= 0 and n:
            raise OpArgumentError(f"split: split_size must be positive, got {size}")
        sizes = [builtins.min(size, n - s) for s in range(0, n, size)] if n else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if builtins.sum(sizes) != n:
            raise ShapeError(f"split: sizes {sizes} add up to {builtins.sum(sizes)}, the dim "
                             f"has {n}", hint="the sizes must add up to the dim's size")
    out, start = [], 0
    for s in sizes:
        out.append(getitem(a, (slice(None),) * d + (slice(start, start + s),)))
        start += s
    return tuple(out)


def chunk(a, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most ``chunks`` pieces of size ceil(n / chunks) along ``dim``, as ``torch.chunk``."""
    a = as_tensor(a)
    if chunks <= 0:
        raise OpArgumentError(f"chunk expects chunks > 0, got {chunks}")
    n = a.shape[_axis(dim, a.ndim, "chunk")]
    return split(a, builtins.max(-(-n // chunks), 1), dim)


def tensor_split(a, indices_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    a = as_tensor(a)
    d = _axis(dim, a.ndim, "tensor_split")
    n = a.shape[d]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        return split(a, sizes, d)
    bounds = [0] + [builtins.min(int(i), n) for i in indices_or_sections] + [n]
    return tuple(getitem(a, (slice(None),) * d + (slice(b0, builtins.max(b0, b1)),))
                 for b0, b1 in zip(bounds[:-1], bounds[1:], strict=True))


def unbind(a, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along ``dim``, each without that dim."""
    a = as_tensor(a)
    d = _axis(dim, a.ndim, "unbind")
    return tuple(getitem(a, (slice(None),) * d + (i,)) for i in range(a.shape[d]))


def unflatten(a, dim: int, sizes) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one may be −1), as ``torch.unflatten``."""
    a = as_tensor(a)
    d = _axis(dim, a.ndim, "unflatten")
    sizes = tuple(sizes)
    return reshape(a, a.shape[:d] + sizes + a.shape[d + 1:], op="unflatten")


def movedim(a, source, destination) -> Tensor:
    a = as_tensor(a)
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    src = tuple(_axis(s, a.ndim, "movedim") for s in src)
    dst = tuple(_axis(s, a.ndim, "movedim") for s in dst)
    order = [i for i in range(a.ndim) if i not in src]
    for s, t in sorted(zip(dst, src, strict=True)):
        order.insert(s, t)
    return permute(a, *order)


moveaxis = movedim


def swapaxes(a, axis0: int, axis1: int) -> Tensor:
    return transpose(a, axis0, axis1)


swapdims = swapaxes


def diagonal(a, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of dims dim1, dim2 (moved to the end), as ``torch.diagonal``."""
    a = as_tensor(a)
    d1, d2 = _axis(dim1, a.ndim, "diagonal"), _axis(dim2, a.ndim, "diagonal")
    if d1 == d2:
        raise ShapeError("diagonal: dim1 and dim2 must differ")
    shape = a.shape
    out = np.diagonal(a._arr, offset, d1, d2).copy()

    def backward(g):
        full = np.zeros(shape, dtype=g.dtype)
        view = np.diagonal(full, offset, d1, d2)
        view.setflags(write=True)  # a view into full (NumPy marks it read-only)
        view[...] = g
        return (full,)

    return make(out, "diagonal", (a,), backward)


_diagonal = diagonal


def diag(a, diagonal: int = 0) -> Tensor:
    """A 1-D tensor → the square matrix with it on the ``diagonal``; a 2-D tensor → its
    diagonal, as ``torch.diag``."""
    a = as_tensor(a)
    if a.ndim == 2:
        return _diagonal(a, diagonal)
    if a.ndim != 1:
        raise ShapeError(f"diag expects a 1-D or 2-D tensor, got shape {a.shape}")

    def backward(g):
        return (np.diagonal(g, diagonal).copy(),)

    return make(np.diag(a._arr, diagonal), "diag", (a,), backward)


def diag_embed(a, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    a = as_tensor(a)
    if (dim1, dim2) not in ((-2, -1), (a.ndim - 1, a.ndim)):
        raise OpArgumentError("diag_embed supports the last two dims only")
    n = a.shape[-1] + builtins.abs(offset)
    rows = np.arange(a.shape[-1]) + builtins.max(-offset, 0)
    cols = np.arange(a.shape[-1]) + builtins.max(offset, 0)
    out = np.zeros(a.shape[:-1] + (n, n), dtype=a.dtype)
    out[..., rows, cols] = a._arr

    def backward(g):
        return (g[..., rows, cols],)

    return make(out, "diag_embed", (a,), backward)


def trace(a) -> Tensor:
    """The sum of the main diagonal of a 2-D tensor."""
    a = as_tensor(a)
    if a.ndim != 2:
        raise ShapeError(f"trace expects a 2-D tensor, got shape {a.shape}")
    return sum(diagonal(a))


def meshgrid(*tensors, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids, as ``torch.meshgrid`` (indexing 'ij' by default, or 'xy'):
    each output is one input reshaped and expanded, so gradients flow back to it."""
    ts = tuple(as_tensor(t) for t in _shape_arg(tensors))
    if indexing not in ("ij", "xy"):
        raise OpArgumentError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for t in ts:
        if t.ndim > 1:
            raise ShapeError(f"meshgrid expects 0-d or 1-D tensors, got shape {t.shape}")
    sizes = [t.numel() for t in ts]
    order = list(range(len(ts)))
    if indexing == "xy" and len(ts) >= 2:
        order[0], order[1] = 1, 0
    shape = tuple(sizes[i] for i in order)
    out = []
    for k, t in enumerate(ts):
        pos = order.index(k)
        view = [1] * len(ts)
        view[pos] = sizes[k]
        out.append(expand(reshape(t, tuple(view)), shape))
    return tuple(out)


def unfold(a, dimension: int, size: int, step: int) -> Tensor:
    """Every window of ``size`` elements ``step`` apart along ``dimension``, as
    ``torch.Tensor.unfold``: that dim becomes the window count, and a new last dim of
    ``size`` holds each window. The gradient adds each window back where it came from."""
    a = as_tensor(a)
    if not a.ndim:
        _axis(dimension, 0, "unfold")
        return reshape(a, (1,), op="unfold")
    d = _axis(dimension, a.ndim, "unfold")
    n = a.shape[d]
    if size > n or size < 0 or step <= 0:
        raise ShapeError(f"unfold: a window of {size} (step {step}) does not fit a dim of "
                         f"size {n}", hint="use 0 <= size <= the dim's size and step > 0")
    count = (n - size) // step + 1
    ad = a._arr
    windows = np.lib.stride_tricks.sliding_window_view(ad, size, axis=d)
    sel = [slice(None)] * ad.ndim
    sel[d] = slice(0, (count - 1) * step + 1, step)
    out = windows[tuple(sel)].copy()
    shape = a.shape

    def backward(g):
        full = np.zeros(shape, dtype=g.dtype)
        for i in range(size):  # offset i of every window: distinct places, one slice-add
            dst = [slice(None)] * len(shape)
            dst[d] = slice(i, i + (count - 1) * step + 1, step)
            full[tuple(dst)] += g[..., i]
        return (full,)

    return make(out, "unfold", (a,), backward)


def one_hot(a, num_classes: int = -1) -> Tensor:
    """Class indices → one-hot int64 rows of ``num_classes`` (max + 1 when −1)."""
    ad = _data(a)
    if ad.dtype.kind not in "iu":
        raise OpCallError(f"one_hot is only applicable to index tensors (int64), got {ad.dtype}",
                          hint="convert with .long()")
    if num_classes < 0:
        num_classes = int(ad.max()) + 1 if ad.size else 0
    if ad.size and (ad.min() < 0 or ad.max() >= num_classes):
        raise OpCallError(f"one_hot: class values must be in 0..{num_classes - 1}, got "
                          f"{int(ad.min())}..{int(ad.max())}")
    return Tensor._wrap(np.eye(num_classes, dtype=np.int64)[ad])


def bucketize(a, boundaries, *, right: bool = False, out_int32: bool = False) -> Tensor:
    out = np.searchsorted(_data(boundaries), _data(a), side="right" if right else "left")
    return Tensor._wrap(out.astype(np.int32 if out_int32 else np.int64))


def clamp_min(a, min) -> Tensor:  # noqa: A002
    return clamp(a, min=min)


def clamp_max(a, max) -> Tensor:  # noqa: A002
    return clamp(a, max=max)


def bmm(a, b) -> Tensor:
    """Batched matrix product of (B, n, m) and (B, m, p), as ``torch.bmm``."""
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim != 3 or b.ndim != 3:
        raise ShapeError(f"bmm expects two 3-D tensors, got shapes {a.shape} and {b.shape}",
                         hint="use matmul (@) for other shapes")
    if a.shape[0] != b.shape[0]:
        raise ShapeError(f"bmm: batch sizes {a.shape[0]} and {b.shape[0]} differ")
    return matmul(a, b)


def mm(a, b) -> Tensor:
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim != 2 or b.ndim != 2:
        raise ShapeError(f"mm expects two 2-D tensors, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def mv(a, b) -> Tensor:
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim != 2 or b.ndim != 1:
        raise ShapeError(f"mv expects a 2-D and a 1-D tensor, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def dot(a, b) -> Tensor:
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeError(f"dot expects two 1-D tensors, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def outer(a, b) -> Tensor:
    return mul(unsqueeze(a, 1), unsqueeze(b, 0))


def addmm(input, a, b, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    return add(mul(input, beta) if beta != 1 else input, mul(matmul(a, b), alpha)
               if alpha != 1 else matmul(a, b))


def baddbmm(input, a, b, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    return add(mul(input, beta) if beta != 1 else input, mul(bmm(a, b), alpha)
               if alpha != 1 else bmm(a, b))


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation, as ``torch.einsum``: the forward is NumPy's; the gradient of each
    operand is the einsum of g with the other operands back to that operand's subscripts
    (an index repeated inside one operand, a diagonal, is not supported)."""
    if not isinstance(equation, str):
        raise ArgumentTypeError(f"einsum: the equation must be a string such as 'ij,jk->ik', "
                                f"got {type(equation).__name__}")
    ops_ = tuple(as_tensor(t) for t in _shape_arg(operands))
    eq = equation.replace(" ", "")
    if "..." in eq:
        raise OpArgumentError("einsum: '...' is not supported yet", hint="name every index")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(ops_):
        raise ShapeError(f"einsum: {len(ins)} operands in {equation!r}, {len(ops_)} given")
    if not arrow:  # the implicit output: the indices seen once, in alphabetical order
        letters = "".join(ins)
        rhs = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    for s, t in zip(ins, ops_, strict=True):
        if len(s) != t.ndim:
            raise ShapeError(f"einsum: operand {s!r} has {t.ndim} dims, the equation {len(s)}")
        if len(set(s)) != len(s):
            raise OpArgumentError(f"einsum: the repeated index in {s!r} is not supported")
    datas = [t._arr for t in ops_]
    dtype = np.result_type(*datas)
    out = np.asarray(np.einsum(f"{','.join(ins)}->{rhs}", *datas), dtype=dtype)
    sizes = {c: n for s, t in zip(ins, ops_, strict=True) for c, n in zip(s, t.shape, strict=True)}

    def backward(g):
        grads = []
        for k, (s, t) in enumerate(zip(ins, ops_, strict=True)):
            if not t.requires_grad:
                grads.append(None)
                continue
            others = [ins[j] for j in range(len(ins)) if j != k]
            arrays = [datas[j] for j in range(len(ins)) if j != k]
            kept = "".join(c for c in s if c in rhs or builtins.any(c in o for o in others))
            gk = np.einsum(f"{','.join([rhs] + others)}->{kept}", g, *arrays)
            if kept != s:  # an index only in this operand: the gradient is constant along it
                gk = np.broadcast_to(np.expand_dims(gk, [s.index(c) for c in s if c not in kept]),
                                     tuple(sizes[c] for c in s))
            grads.append(np.asarray(gk, dtype=t.dtype))
        return tuple(grads)

    return make(out, "einsum", ops_, backward)
