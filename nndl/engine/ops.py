"""Differentiable ops. Each op computes its forward value and defines, right below it,
the backward rule that maps the output's gradient ``g`` to each input's gradient.

The engine (:func:`nndl.engine.tensor.run_backward`) sums gradients that were broadcast back
to each input's shape, so a rule may return a gradient of the broadcast shape.
A backward rule must return freshly computed arrays (or ``g`` itself), never an
array the forward pass saved, because the engine accumulates into them in place.

The arithmetic and elementwise ops that micrograd has (+ - * / ** exp log sqrt tanh
sigmoid relu) also have a *scalar path*: when every operand is a 0-d float tensor
held as a Python/NumPy scalar (see :mod:`nndl.tensor`), the op computes on scalars
and records a module-level rule ``_<op>_s(g, saved)`` written next to it, which returns
the gradient of its one input, or the pair for two inputs. Where the scalar arithmetic
would behave differently from NumPy (division by zero, log of a non-positive number,
overflow, negative base to a fractional power) the op falls through to the array path,
so both paths give NumPy's (and PyTorch's) answer.
"""

from __future__ import annotations

import builtins
import math
from collections import namedtuple
from collections.abc import Sequence
from typing import Any

import numpy as np

from nndl.engine import kernels as _kernels
from nndl.engine.tensor import Tensor, _as_array
from nndl.errors import ArgumentError, DimError, NNDLError, ShapeError

make = Tensor._make
_scalar = Tensor._scalar
_ndarray = np.ndarray
_F32 = np.float32
_ZERO32 = np.float32(0)
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


def _constant(x, kind) -> Tensor:
    """A Python number as a scalar-path constant of the other operand's dtype."""
    return _scalar(float(x) if kind is float else _F32(x))


def _operands(a, b) -> tuple[Tensor, Tensor]:
    """Both operands of a binary op as tensors. A number takes the other operand's dtype
    (no silent upcast of float32), as a scalar-path constant when the other is a scalar."""
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            return a, b
        tv, tb = type(a._d), type(b)
        if tv is not _ndarray and (tb is float or tb is int):
            return a, _constant(b, tv)
        return a, as_tensor(b, a)
    if isinstance(b, Tensor):
        tv, ta = type(b._d), type(a)
        if tv is not _ndarray and (ta is float or ta is int):
            return _constant(a, tv), b
        return as_tensor(a, b), b
    b = as_tensor(b)
    return as_tensor(a, b), b


# ------------------------------------------------------------------ arithmetic
# Each binary op: operands to tensors, then the scalar path when both hold scalars of one
# dtype (both floats or both np.float32: one type, and not ndarray), else the array path.
# An op whose array-path backward is a closure over its variables has that path in a
# function of its own (``_mul_array``): a variable that a closure captures becomes a cell,
# which Python allocates on every call, so the scalar path would pay for it too.
def add(a, b) -> Tensor:
    if type(a) is not Tensor or type(b) is not Tensor:
        a, b = _operands(a, b)
    av, bv = a._d, b._d
    tv = type(av)
    if tv is type(bv) and tv is not _ndarray:
        return _scalar(av + bv, "add", a, b, a.requires_grad or b.requires_grad, _add_s)

    def backward(g):
        return g, g

    return make(np.add(*_promote(a.data, b.data)), "add", (a, b), backward)


def _add_s(g, saved):
    return g, g


def sub(a, b) -> Tensor:
    if type(a) is not Tensor or type(b) is not Tensor:
        a, b = _operands(a, b)
    av, bv = a._d, b._d
    tv = type(av)
    if tv is type(bv) and tv is not _ndarray:
        return _scalar(av - bv, "sub", a, b, a.requires_grad or b.requires_grad, _sub_s)

    def backward(g):
        return g, -g

    return make(np.subtract(*_promote(a.data, b.data)), "sub", (a, b), backward)


def _sub_s(g, saved):
    return g, -g


def mul(a, b) -> Tensor:
    if type(a) is not Tensor or type(b) is not Tensor:
        a, b = _operands(a, b)
    av, bv = a._d, b._d
    tv = type(av)
    if tv is type(bv) and tv is not _ndarray:
        return _scalar(av * bv, "mul", a, b, a.requires_grad or b.requires_grad, _mul_s,
                       (av, bv))
    return _mul_array(a, b)


def _mul_s(g, saved):
    av, bv = saved
    return g * bv, g * av


def _mul_array(a: Tensor, b: Tensor) -> Tensor:
    ad, bd = _promote(a.data, b.data)

    def backward(g):
        return (g * bd if a.requires_grad else None), (g * ad if b.requires_grad else None)

    return make(ad * bd, "mul", (a, b), backward)


def div(a, b) -> Tensor:
    if type(a) is not Tensor or type(b) is not Tensor:
        a, b = _operands(a, b)
    av, bv = a._d, b._d
    tv = type(av)
    if tv is type(bv) and tv is not _ndarray and bv != 0:  # x/0: the array path's inf
        out = av / bv
        return _scalar(out, "div", a, b, a.requires_grad or b.requires_grad, _div_s, (out, bv))
    return _div_array(a, b)


def _div_s(g, saved):
    out, bv = saved
    return g / bv, -g * (out / bv)


def _div_array(a: Tensor, b: Tensor) -> Tensor:
    ad, bd = _promote(a.data, b.data)
    if ad.dtype.kind != "f" and bd.dtype.kind != "f":  # true division, as torch
        ad, bd = ad.astype(np.float32), bd.astype(np.float32)
    out = ad / bd

    def backward(g):
        ga = g / bd if a.requires_grad else None
        # d(a/b)/db = -a/b² computed as -(a/b)/b, as PyTorch: b*b would underflow first
        gb = -g * (out / bd) if b.requires_grad else None
        return ga, gb

    return make(out, "div", (a, b), backward)


def neg(a) -> Tensor:
    v = a._d
    if type(v) is not _ndarray:
        return _scalar(-v, "neg", a, None, a.requires_grad, _neg_s)

    def backward(g):
        return (-g,)

    return make(-a.data, "neg", (a,), backward)


def _neg_s(g, saved):
    return -g


def pow(a, b) -> Tensor:  # noqa: A001 - PyTorch's name
    """a ** b for tensor or number on either side."""
    if not isinstance(b, Tensor) and isinstance(a, Tensor):
        # a number: the common x**2 case, no log needed (a NumPy scalar counts as a number)
        exponent = b.item() if isinstance(b, np.generic) else b
        v, te = a._d, type(exponent)
        if type(v) is not _ndarray and (te is int or te is float) and (v != 0 or exponent >= 1):
            try:
                out = v ** exponent
            except ArithmeticError:  # Python floats raise on overflow where NumPy gives inf
                out = None
            if out is not None and type(out) is not complex:  # (-8.0)**(1/3) is complex
                return _scalar(out, "pow", a, None, a.requires_grad, _pow_s, (v, exponent))
        return _pow_const_array(a, exponent)
    a, b = _operands(a, b)
    av, bv = a._d, b._d
    tv = type(av)
    if tv is type(bv) and tv is not _ndarray and av > 0:  # log a exists: the scalar path
        try:
            out = av ** bv
        except OverflowError:
            out = None
        if out is not None:
            return _scalar(out, "pow", a, b, a.requires_grad or b.requires_grad, _pow2_s,
                           (av, bv, out))
    return _pow_array(a, b)


def _no_negative_int_power(base: np.ndarray, exponent) -> None:
    """NumPy's ValueError for an integer base to a negative integer power, as PyTorch's
    RuntimeError (an integer result cannot hold 1/x^n)."""
    e = np.asarray(exponent)
    if base.dtype.kind in "iub" and e.dtype.kind in "iub" and e.size and e.min() < 0:
        raise OpCallError("Integers to negative integer powers are not allowed.",
                          hint="convert the base to a float tensor first, e.g. x.float() ** -2")


def _pow_const_array(a: Tensor, exponent) -> Tensor:
    ad = _floating(a.data) if isinstance(exponent, float) else a.data
    _no_negative_int_power(ad, exponent)
    out = ad ** exponent

    def backward(g):
        if exponent == 0:
            return (np.zeros_like(g),)
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** negative is inf
            return (g * exponent * ad ** (exponent - 1),)

    return make(out, "pow", (a,), backward)


def _pow_array(a: Tensor, b: Tensor) -> Tensor:
    ad, bd = _promote(a.data, b.data)
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


def _power(v, e):
    """v ** e on scalars; where Python floats raise (overflow), NumPy's inf."""
    try:
        return v ** e
    except OverflowError:
        return float(np.power(np.float64(v), e))


def _pow_s(g, saved):
    v, e = saved
    return g * e * _power(v, e - 1)


def _pow2_s(g, saved):
    av, bv, out = saved
    return g * bv * _power(av, bv - 1), g * out * (math.log(av) if type(av) is float else np.log(av))


def matmul(a, b) -> Tensor:
    """Matrix product with NumPy's rules (1-D vectors, batched stacks, broadcasting)."""
    a, b = _operands(a, b)
    ad, bd = _promote(a.data, b.data)
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
    v = a._d
    if type(v) is not _ndarray:
        try:
            out = math.exp(v) if type(v) is float else np.exp(v)
        except OverflowError:  # e^710 and up: the array path gives inf (with NumPy's warning)
            out = None
        if out is not None:
            return _scalar(out, "exp", a, None, a.requires_grad, _exp_s, out)
    return _exp_array(a)


def _exp_s(g, out):
    return g * out


def _exp_array(a: Tensor) -> Tensor:
    out = np.exp(_floating(a.data))

    def backward(g):
        return (g * out,)

    return make(out, "exp", (a,), backward)


def log(a) -> Tensor:
    v = a._d
    if type(v) is not _ndarray and v > 0:
        return _scalar(math.log(v) if type(v) is float else np.log(v), "log", a, None,
                       a.requires_grad, _log_s, v)
    return _log_array(a)


def _log_s(g, v):
    return g / v


def _log_array(a: Tensor) -> Tensor:
    ad = _floating(a.data)

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g / ad,)

    with np.errstate(divide="ignore", invalid="ignore"):  # log 0 = -inf, as PyTorch
        return make(np.log(ad), "log", (a,), backward)


def sqrt(a) -> Tensor:
    v = a._d
    if type(v) is not _ndarray and v > 0:
        out = math.sqrt(v) if type(v) is float else np.sqrt(v)
        return _scalar(out, "sqrt", a, None, a.requires_grad, _sqrt_s, out)
    return _sqrt_array(a)


def _sqrt_s(g, out):
    return g / (2 * out)


def _sqrt_array(a: Tensor) -> Tensor:
    with np.errstate(invalid="ignore"):
        out = np.sqrt(_floating(a.data))

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
    ad = _floating(a.data)

    def backward(g):
        return (g * np.cos(ad),)

    return make(np.sin(ad), "sin", (a,), backward)


def cos(a) -> Tensor:
    ad = _floating(a.data)

    def backward(g):
        return (-g * np.sin(ad),)

    return make(np.cos(ad), "cos", (a,), backward)


def tanh(a) -> Tensor:
    v = a._d
    if type(v) is not _ndarray:
        t = math.tanh(v) if type(v) is float else np.tanh(v)
        return _scalar(t, "tanh", a, None, a.requires_grad, _tanh_s, t)
    return _tanh_array(a)


def _tanh_s(g, t):
    return g * (1 - t * t)


def _tanh_array(a: Tensor) -> Tensor:
    out = np.tanh(_floating(a.data))

    def backward(g):
        return (g * (1 - out * out),)  # tanh' = 1 - tanh²

    return make(out, "tanh", (a,), backward)


def sigmoid(a) -> Tensor:
    v = a._d
    if type(v) is not _ndarray:
        s = _kernels.sigmoid_scalar(v)
        return _scalar(s, "sigmoid", a, None, a.requires_grad, _sigmoid_s, s)
    return _sigmoid_array(a)


def _sigmoid_s(g, s):
    return g * s * (1 - s)


def _sigmoid_array(a: Tensor) -> Tensor:
    out = _kernels.sigmoid(_floating(a.data))

    def backward(g):
        return (g * out * (1 - out),)  # σ' = σ(1 - σ)

    return make(out, "sigmoid", (a,), backward)


def relu(a) -> Tensor:
    v = a._d
    if type(v) is not _ndarray:
        positive = v > 0
        out = v if positive or v != v else (0.0 if type(v) is float else _ZERO32)  # NaN stays
        return _scalar(out, "relu", a, None, a.requires_grad, _relu_s, positive)
    return _relu_array(a)


def _relu_s(g, positive):
    return g * positive


def _relu_array(a: Tensor) -> Tensor:
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
    ad = _floating(a.data)

    def backward(g):
        return (g * _kernels.sigmoid(ad),)

    return make(_kernels.softplus(ad), "softplus", (a,), backward)


def clamp(a, min=None, max=None) -> Tensor:  # noqa: A002 - PyTorch's argument names
    """Clip to [min, max] (either may be None, a number or a tensor), as ``torch.clamp``."""
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
    a, b = _operands(a, b)
    ad, bd = _promote(a.data, b.data)

    def backward(g):
        wa = (ad > bd) + 0.5 * (ad == bd)
        return g * wa, g * (1 - wa)

    return make(np.maximum(ad, bd), "maximum", (a, b), backward)


def minimum(a, b) -> Tensor:
    a, b = _operands(a, b)
    ad, bd = _promote(a.data, b.data)

    def backward(g):
        wa = (ad < bd) + 0.5 * (ad == bd)
        return g * wa, g * (1 - wa)

    return make(np.minimum(ad, bd), "minimum", (a, b), backward)


def where(condition, a, b) -> Tensor:
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    a, b = _operands(a, b)
    ad, bd = _promote(a.data, b.data)

    def backward(g):
        zero = np.zeros((), dtype=g.dtype)
        return np.where(cond, g, zero), np.where(cond, zero, g)

    return make(np.where(cond, ad, bd), "where", (a, b), backward)


def to_dtype(a, dtype: np.dtype) -> Tensor:
    src = a.dtype

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


def sum(a, dim=None, keepdim=False, *, axis=None, keepdims=None) -> Tensor:  # noqa: A001
    dims, keep = _dims(a.ndim, dim, axis, "sum"), _keep(keepdim, keepdims)
    shape = a.shape
    out = np.sum(a.data, axis=dims if a.ndim else None, keepdims=keep and bool(a.ndim))

    def backward(g):
        return (np.broadcast_to(_expand_back(g, shape, dims, keep), shape),)

    return make(np.asarray(out), "sum", (a,), backward)


def mean(a, dim=None, keepdim=False, *, axis=None, keepdims=None) -> Tensor:
    dims, keep = _dims(a.ndim, dim, axis, "mean"), _keep(keepdim, keepdims)
    shape = a.shape
    data = _floating(a.data)
    out = np.asarray(np.mean(data, axis=dims if a.ndim else None, keepdims=keep and bool(a.ndim)),
                     dtype=data.dtype)
    count = data.size // builtins.max(out.size, 1) if data.size else 1

    def backward(g):
        return (np.broadcast_to(_expand_back(g, shape, dims, keep) / count, shape),)

    return make(out, "mean", (a,), backward)


def var(a, dim=None, keepdim=False, *, unbiased=True, correction=None, axis=None,
        keepdims=None) -> Tensor:
    """Variance (Bessel-corrected by default, as torch.var), built from differentiable ops."""
    corr = (1 if unbiased else 0) if correction is None else correction
    mu = mean(a, dim=dim, keepdim=True, axis=axis)
    n = a.numel() // builtins.max(mu.numel(), 1)
    if n - corr <= 0:
        raise ShapeError(f"var over {n} value(s) with correction {corr} divides by {n - corr}",
                         hint="reduce over more values or pass unbiased=False")
    d = a - mu
    return sum(d * d, dim=dim, keepdim=_keep(keepdim, keepdims), axis=axis) / (n - corr)


def _extreme(a, dim, keepdim, axis, keepdims, pick, argpick, name):
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
    dims = _dims(a.ndim, dim, None, name) if a.ndim else None
    ad = a.data
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
    if isinstance(dim, Tensor):
        return maximum(a, dim)
    return _extreme(a, dim, keepdim, axis, keepdims, np.max, np.argmax, "max")


def min(a, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A001
    if isinstance(dim, Tensor):
        return minimum(a, dim)
    return _extreme(a, dim, keepdim, axis, keepdims, np.min, np.argmin, "min")


def amax(a, dim=None, keepdim=False) -> Tensor:
    return _amax_like(a, dim, keepdim, np.max, "amax")


def amin(a, dim=None, keepdim=False) -> Tensor:
    return _amax_like(a, dim, keepdim, np.min, "amin")


def argmax(a, dim=None, keepdim=False) -> Tensor:
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmax(a.data)))
    return Tensor._wrap(np.argmax(a.data, axis=_axis(dim, a.ndim, "argmax"), keepdims=keepdim))


def argmin(a, dim=None, keepdim=False) -> Tensor:
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmin(a.data)))
    return Tensor._wrap(np.argmin(a.data, axis=_axis(dim, a.ndim, "argmin"), keepdims=keepdim))


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
    except (ValueError, TypeError):
        raise ShapeError(f"{op}: cannot turn shape {src} ({a.numel()} elements) into {shape}",
                         hint="the new shape must have the same number of elements") from None

    def backward(g):
        return (g.reshape(src),)

    return make(out, op, (a,), backward)


def flatten(a, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if a.ndim == 0:
        return reshape(a, 1, op="flatten")
    s, e = _axis(start_dim, a.ndim, "flatten"), _axis(end_dim, a.ndim, "flatten")
    if s > e:
        raise ShapeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shape = a.shape[:s] + (int(np.prod(a.shape[s:e + 1])),) + a.shape[e + 1:]
    return reshape(a, shape, op="flatten")


def unsqueeze(a, dim: int) -> Tensor:
    d = _axis(dim, a.ndim + 1, "unsqueeze")
    return reshape(a, a.shape[:d] + (1,) + a.shape[d:], op="unsqueeze")


def squeeze(a, dim=None) -> Tensor:
    """Drop size-1 dims (all, or those in ``dim``; a dim whose size is not 1 stays)."""
    if dim is None:
        shape = tuple(n for n in a.shape if n != 1)
    else:
        # (_dims gives None only for dim None, hence `or ()` for the type checker alone)
        dims = _dims(a.ndim, dim, None, "squeeze") or ()  # (0-d: dims 0 and -1, as torch)
        shape = tuple(n for i, n in enumerate(a.shape) if not (i in dims and n == 1))
    return reshape(a, shape, op="squeeze")


def permute(a, *dims) -> Tensor:
    dims = _shape_arg(dims)
    if len(dims) != a.ndim or sorted(_axis(d, a.ndim, "permute") for d in dims) != list(
            range(a.ndim)):
        raise ShapeError(f"permute: {dims} is not a permutation of the {a.ndim} dimensions",
                         hint=f"give each of 0..{a.ndim - 1} once")
    dims = tuple(d % a.ndim for d in dims)
    inverse = tuple(int(i) for i in np.argsort(dims))

    def backward(g):
        return (np.transpose(g, inverse),)

    return make(np.transpose(a.data, dims), "permute", (a,), backward)


def transpose(a, dim0: int, dim1: int) -> Tensor:
    if a.ndim == 0:
        _axis(dim0, 0, "transpose"), _axis(dim1, 0, "transpose")
        return reshape(a, (), op="transpose")
    d0, d1 = _axis(dim0, a.ndim, "transpose"), _axis(dim1, a.ndim, "transpose")

    def backward(g):
        return (np.swapaxes(g, d0, d1),)

    return make(np.swapaxes(a.data, d0, d1), "transpose", (a,), backward)


def expand(a, *shape) -> Tensor:
    """Broadcast to ``shape`` without copying (-1 keeps a dim), as ``torch.Tensor.expand``."""
    shape = _shape_arg(shape)
    lead = len(shape) - a.ndim
    if lead < 0:
        raise ShapeError(f"expand: cannot expand shape {a.shape} to fewer dims {shape}")
    shape = tuple(a.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(shape))
    try:
        out = np.broadcast_to(a.data, shape)
    except ValueError:
        raise ShapeError(f"expand: shape {a.shape} cannot be expanded to {shape}",
                         hint="only size-1 dims can grow") from None

    def backward(g):
        return (g,)  # the engine sums it back to a's shape

    return make(out, "expand", (a,), backward)


def _index_part(i):
    if isinstance(i, Tensor):
        d = i.data
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
    return all(i is None or i is Ellipsis or type(i) is slice or _is_int(i) for i in parts)


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
        out = a.data[index] if split is None else a.data[split[0]][split[1]]
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


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = tuple(as_tensor(t) for t in tensors)
    if not tensors:
        raise ShapeError("cat() needs at least one tensor")
    if builtins.min(t.ndim for t in tensors) == 0:
        raise ShapeError("cat() cannot join 0-d tensors", hint="use stack() for scalars")
    d = _axis(dim, tensors[0].ndim, "cat")
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
    d = _axis(dim, tensors[0].ndim + 1, "stack")

    def backward(g):
        return tuple(np.take(g, i, axis=d) for i in range(len(tensors)))

    return make(np.stack([t.data for t in tensors], axis=d), "stack", tensors, backward)


# ------------------------------------------------------------------ softmax
def softmax(a, dim: int = -1) -> Tensor:
    ad = _floating(a.data)
    d = _axis(dim, ad.ndim, "softmax")
    out = _kernels.softmax(ad.reshape(1), axis=0).reshape(()) if ad.ndim == 0 else (
        _kernels.softmax(ad, axis=d))

    def backward(g):
        # J^T g = s ⊙ (g - <g, s>)
        return (out * (g - np.sum(g * out, axis=d if out.ndim else None, keepdims=True)),)

    return make(out, "softmax", (a,), backward)


def log_softmax(a, dim: int = -1) -> Tensor:
    ad = _floating(a.data)
    d = _axis(dim, ad.ndim, "log_softmax")
    out = _kernels.log_softmax(ad.reshape(1), axis=0).reshape(()) if ad.ndim == 0 else (
        _kernels.log_softmax(ad, axis=d))

    def backward(g):
        return (g - np.exp(out) * np.sum(g, axis=d if out.ndim else None, keepdims=True),)

    return make(out, "log_softmax", (a,), backward)


# ------------------------------------------------------------------ Tensor methods
def _reflected(op):
    def method(self, other):
        return op(other, self)

    method.__name__ = f"r{op.__name__}"
    return method


# ``a * b`` is ``mul(a, b)`` with no forwarding call in between (the scalar path counts
# every call); the methods whose signature differs stay in tensor.py.
_METHODS = {
    "__add__": add, "__radd__": _reflected(add), "__sub__": sub, "__rsub__": _reflected(sub),
    "__mul__": mul, "__rmul__": _reflected(mul), "__truediv__": div,
    "__rtruediv__": _reflected(div), "__pow__": pow, "__rpow__": _reflected(pow),
    "__matmul__": matmul, "__rmatmul__": _reflected(matmul), "__neg__": neg, "__abs__": abs,
    "add": add, "sub": sub, "mul": mul, "div": div, "neg": neg, "pow": pow, "matmul": matmul,
    "exp": exp, "log": log, "sqrt": sqrt, "abs": abs, "sin": sin, "cos": cos, "tanh": tanh,
    "sigmoid": sigmoid, "relu": relu, "clamp": clamp, "clip": clamp, "maximum": maximum,
    "minimum": minimum, "sum": sum, "mean": mean, "max": max, "min": min, "amax": amax,
    "amin": amin, "argmax": argmax, "argmin": argmin, "reshape": reshape, "flatten": flatten,
    "unsqueeze": unsqueeze, "squeeze": squeeze, "permute": permute, "transpose": transpose,
    "expand": expand, "softmax": softmax, "log_softmax": log_softmax,
}
for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)
del _name, _fn
