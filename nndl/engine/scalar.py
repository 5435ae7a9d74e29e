"""The scalar fast path: micrograd's ops on 0-d tensors that hold a Python number.

A 0-d float tensor made from a Python number keeps its value as a Python ``float``
(float64) or a NumPy ``float32`` scalar, not as an array (``type(t._d) is not ndarray``
says it is on this path; see :class:`nndl.engine.tensor.Tensor`). The ops that micrograd
has (+ - * / ** exp log sqrt tanh sigmoid relu, and += -= *= /=) then compute on
those scalars and record a node whose backward is a module-level rule ``_<op>_s(g,
saved)`` written right below its op: it returns the gradient of the one input, or the
pair for two. A node costs a few hundred nanoseconds instead of the microseconds of
NumPy's array machinery, and is a single object (see ``Tensor._scalar``), which is what
makes micrograd-style graphs of 10^5 scalar nodes fast (``bench/scalar_graph.py``).

Each function here is the op of the same name in :mod:`nndl.engine.ops` (where its
definition, forward and backward, reads as in a textbook) plus this path in front: any
operand that is not such a scalar goes to the ops function, and so does every case in
which scalar arithmetic would differ from NumPy's (x/0, log of a number ≤ 0, overflow,
a negative base to a fractional power), so both paths give NumPy's (and PyTorch's)
answer. Tensor's operators and methods are these functions themselves (bound by
:mod:`nndl.engine.bind`), with no forwarding call in between: on this path every
Python call counts.
"""

from __future__ import annotations

import math

import numpy as np

from nndl.engine import kernels as _kernels
from nndl.engine import ops as _ops
from nndl.engine import tensor as _tm
from nndl.engine.tensor import Tensor

_scalar = Tensor._scalar
_ndarray = np.ndarray
_F32 = np.float32
_ZERO32 = np.float32(0)


# ------------------------------------------------------------------ operands
def _constant(x, kind) -> Tensor:
    """A Python number as a scalar-path constant of the other operand's dtype."""
    return _scalar(float(x) if kind is float else _F32(x))


def _operands(a, b) -> tuple[Tensor, Tensor]:
    """Both operands as tensors; a Python number next to a scalar becomes a scalar-path
    constant of its dtype, anything else is converted as ops does it."""
    if isinstance(a, Tensor):
        tv, tb = type(a._d), type(b)
        if tv is not _ndarray and (tb is float or tb is int):
            return a, _constant(b, tv)
    elif isinstance(b, Tensor):
        tv, ta = type(b._d), type(a)
        if tv is not _ndarray and (ta is float or ta is int):
            return _constant(a, tv), b
    return _ops._operands(a, b)


# ------------------------------------------------------------------ arithmetic
# Each binary op: the operands as tensors, then this path when both hold scalars of one
# type (two floats or two np.float32: one type, and not ndarray), else ops' op.
def add(a, b) -> Tensor:
    if type(a) is not Tensor or type(b) is not Tensor:
        a, b = _operands(a, b)
    av, bv = a._d, b._d
    tv = type(av)
    if tv is type(bv) and tv is not _ndarray:
        return _scalar(av + bv, "add", a, b, a.requires_grad or b.requires_grad, _add_s)
    return _ops.add(a, b)


def _add_s(g, saved):
    return g, g


def sub(a, b) -> Tensor:
    if type(a) is not Tensor or type(b) is not Tensor:
        a, b = _operands(a, b)
    av, bv = a._d, b._d
    tv = type(av)
    if tv is type(bv) and tv is not _ndarray:
        return _scalar(av - bv, "sub", a, b, a.requires_grad or b.requires_grad, _sub_s)
    return _ops.sub(a, b)


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
    return _ops.mul(a, b)


def _mul_s(g, saved):
    av, bv = saved
    return g * bv, g * av


def true_divide(a, b) -> Tensor:
    """a / b (see :func:`nndl.engine.ops.true_divide`)."""
    if type(a) is not Tensor or type(b) is not Tensor:
        a, b = _operands(a, b)
    av, bv = a._d, b._d
    tv = type(av)
    if tv is type(bv) and tv is not _ndarray and bv != 0:  # x/0: the array path's inf
        out = av / bv
        return _scalar(out, "div", a, b, a.requires_grad or b.requires_grad, _div_s, (out, bv))
    return _ops.true_divide(a, b)


def _div_s(g, saved):
    out, bv = saved
    return g / bv, -g * (out / bv)


def div(a, b, *, rounding_mode: str | None = None) -> Tensor:
    """``torch.div``: true division on this path, the rounding modes in ops."""
    if rounding_mode is None:
        return true_divide(a, b)
    return _ops.div(a, b, rounding_mode=rounding_mode)


divide = div


# ------------------------------------------------------------------ in place: += -= *= /=
# (ops.iadd says what they do.) A 0-d scalar is immutable, so "in place" with no graph to
# record rebinds the tensor's value; recording a graph, they are the ops above.
def iadd(a, b) -> Tensor:
    if type(a) is not Tensor or type(b) is not Tensor:
        a, b = _operands(a, b)
    av, bv = a._d, b._d
    tv = type(av)
    if tv is not type(bv) or tv is _ndarray:
        return _ops.iadd(a, b)
    if (a.requires_grad or b.requires_grad) and (not _tm._disabling or _tm._grad_state.enabled):
        if a._a is None and a.requires_grad:
            raise _ops._inplace_refused(a, "+")
        return _scalar(av + bv, "add", a, b, True, _add_s)
    a._d = av + bv
    return a


def isub(a, b) -> Tensor:
    if type(a) is not Tensor or type(b) is not Tensor:
        a, b = _operands(a, b)
    av, bv = a._d, b._d
    tv = type(av)
    if tv is not type(bv) or tv is _ndarray:
        return _ops.isub(a, b)
    if (a.requires_grad or b.requires_grad) and (not _tm._disabling or _tm._grad_state.enabled):
        if a._a is None and a.requires_grad:
            raise _ops._inplace_refused(a, "-")
        return _scalar(av - bv, "sub", a, b, True, _sub_s)
    a._d = av - bv
    return a


def imul(a, b) -> Tensor:
    if type(a) is not Tensor or type(b) is not Tensor:
        a, b = _operands(a, b)
    av, bv = a._d, b._d
    tv = type(av)
    if tv is not type(bv) or tv is _ndarray:
        return _ops.imul(a, b)
    if (a.requires_grad or b.requires_grad) and (not _tm._disabling or _tm._grad_state.enabled):
        if a._a is None and a.requires_grad:
            raise _ops._inplace_refused(a, "*")
        return _scalar(av * bv, "mul", a, b, True, _mul_s, (av, bv))
    a._d = av * bv
    return a


def itruediv(a, b) -> Tensor:
    if type(a) is not Tensor or type(b) is not Tensor:
        a, b = _operands(a, b)
    av, bv = a._d, b._d
    tv = type(av)
    if tv is not type(bv) or tv is _ndarray or bv == 0:
        return _ops.itruediv(a, b)
    if (a.requires_grad or b.requires_grad) and (not _tm._disabling or _tm._grad_state.enabled):
        if a._a is None and a.requires_grad:
            raise _ops._inplace_refused(a, "/")
        out = av / bv
        return _scalar(out, "div", a, b, True, _div_s, (out, bv))
    a._d = av / bv
    return a


def neg(a) -> Tensor:
    try:
        v = a._d
    except AttributeError:
        return _ops.neg(a)
    if type(v) is not _ndarray:
        return _scalar(-v, "neg", a, None, a.requires_grad, _neg_s)
    return _ops.neg(a)


def _neg_s(g, saved):
    return -g


def pow(a, b) -> Tensor:  # noqa: A001 - PyTorch's name
    """a ** b (see :func:`nndl.engine.ops.pow`)."""
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
        return _ops.pow(a, b)
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
    return _ops.pow(a, b)


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


# ------------------------------------------------------------------ elementwise
# One input: ``a._d`` read once (anything but a tensor goes to ops, which converts it).
def exp(a) -> Tensor:
    try:
        v = a._d
    except AttributeError:
        return _ops.exp(a)
    if type(v) is not _ndarray:
        try:
            out = math.exp(v) if type(v) is float else np.exp(v)
        except OverflowError:  # e^710 and up: the array path gives inf (with NumPy's warning)
            out = None
        if out is not None:
            return _scalar(out, "exp", a, None, a.requires_grad, _exp_s, out)
    return _ops.exp(a)


def _exp_s(g, out):
    return g * out


def log(a) -> Tensor:
    try:
        v = a._d
    except AttributeError:
        return _ops.log(a)
    if type(v) is not _ndarray and v > 0:
        return _scalar(math.log(v) if type(v) is float else np.log(v), "log", a, None,
                       a.requires_grad, _log_s, v)
    return _ops.log(a)


def _log_s(g, v):
    return g / v


def sqrt(a) -> Tensor:
    try:
        v = a._d
    except AttributeError:
        return _ops.sqrt(a)
    if type(v) is not _ndarray and v > 0:
        out = math.sqrt(v) if type(v) is float else np.sqrt(v)
        return _scalar(out, "sqrt", a, None, a.requires_grad, _sqrt_s, out)
    return _ops.sqrt(a)


def _sqrt_s(g, out):
    return g / (2 * out)


def tanh(a) -> Tensor:
    try:
        v = a._d
    except AttributeError:
        return _ops.tanh(a)
    if type(v) is not _ndarray:
        t = math.tanh(v) if type(v) is float else np.tanh(v)
        return _scalar(t, "tanh", a, None, a.requires_grad, _tanh_s, t)
    return _ops.tanh(a)


def _tanh_s(g, t):
    return g * (1 - t * t)


def sigmoid(a) -> Tensor:
    try:
        v = a._d
    except AttributeError:
        return _ops.sigmoid(a)
    if type(v) is not _ndarray:
        s = _kernels.sigmoid_scalar(v)
        return _scalar(s, "sigmoid", a, None, a.requires_grad, _sigmoid_s, s)
    return _ops.sigmoid(a)


def _sigmoid_s(g, s):
    return g * s * (1 - s)


def relu(a) -> Tensor:
    try:
        v = a._d
    except AttributeError:
        return _ops.relu(a)
    if type(v) is not _ndarray:
        positive = v > 0
        out = v if positive or v != v else (0.0 if type(v) is float else _ZERO32)  # NaN stays
        return _scalar(out, "relu", a, None, a.requires_grad, _relu_s, positive)
    return _ops.relu(a)


def _relu_s(g, positive):
    return g * positive


# the ops this module speeds up, by name (nndl.engine.bind binds them as Tensor's methods)
OPS = {"add": add, "sub": sub, "mul": mul, "true_divide": true_divide, "div": div, "iadd": iadd,
       "isub": isub, "imul": imul, "itruediv": itruediv, "neg": neg, "pow": pow, "exp": exp,
       "log": log, "sqrt": sqrt, "tanh": tanh, "sigmoid": sigmoid, "relu": relu}
