"""Tensor's operators and op methods: the op functions themselves, bound to the class.

``a * b`` calls :func:`nndl.engine.scalar.mul` and ``x.sum()`` calls
:func:`nndl.engine.ops.sum` with no forwarding method in between (on the scalar path
every Python call counts). ops.py builds on tensor.py, so the binding happens here, once
both modules exist; ``nndl.engine`` imports this module first thing, so every import of
the engine finds the methods in place. Tensor's class body declares each of them for
readers, IDEs and type checkers (its ``TYPE_CHECKING`` block; tests/test_tensor.py keeps
that list and :data:`METHODS` equal), and so do the methods whose signature differs
from the op's, which are written out in tensor.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nndl.engine import ops
from nndl.engine import scalar as fast
from nndl.engine import tensor as _tensor
from nndl.engine.tensor import Tensor


def _reflected(op):
    """``other - self`` as ``op(other, self)``: Python calls ``self.__rsub__(other)``."""
    def method(self, other):
        return op(other, self)

    method.__name__ = f"r{op.__name__}"
    return method


# the ops with a scalar fast path (micrograd's) are nndl.engine.scalar's, the rest ops'
METHODS: dict[str, Callable[..., Any]] = {
    "__add__": fast.add, "__radd__": _reflected(fast.add), "__sub__": fast.sub,
    "__rsub__": _reflected(fast.sub), "__mul__": fast.mul, "__rmul__": _reflected(fast.mul),
    "__truediv__": fast.true_divide, "__rtruediv__": _reflected(fast.true_divide),
    "__pow__": fast.pow, "__rpow__": _reflected(fast.pow), "__matmul__": ops.matmul,
    "__rmatmul__": _reflected(ops.matmul), "__neg__": fast.neg, "__abs__": ops.abs,
    "add": fast.add, "sub": fast.sub, "mul": fast.mul, "div": fast.div, "neg": fast.neg,
    "pow": fast.pow, "matmul": ops.matmul, "exp": fast.exp, "log": fast.log, "sqrt": fast.sqrt,
    "abs": ops.abs, "sin": ops.sin, "cos": ops.cos, "tanh": fast.tanh, "sigmoid": fast.sigmoid,
    "relu": fast.relu, "clamp": ops.clamp, "clip": ops.clamp, "maximum": ops.maximum,
    "minimum": ops.minimum, "sum": ops.sum, "mean": ops.mean, "max": ops.max, "min": ops.min,
    "amax": ops.amax, "amin": ops.amin, "argmax": ops.argmax, "argmin": ops.argmin,
    "reshape": ops.reshape, "flatten": ops.flatten, "unsqueeze": ops.unsqueeze,
    "squeeze": ops.squeeze, "permute": ops.permute, "transpose": ops.transpose,
    "expand": ops.expand, "softmax": ops.softmax, "log_softmax": ops.log_softmax,
    # operators beyond micrograd's
    "__iadd__": fast.iadd, "__isub__": fast.isub, "__imul__": fast.imul,
    "__itruediv__": fast.itruediv, "__floordiv__": ops.floor_divide,
    "__rfloordiv__": _reflected(ops.floor_divide), "__mod__": ops.remainder,
    "__rmod__": _reflected(ops.remainder), "__and__": ops.bitwise_and,
    "__rand__": _reflected(ops.bitwise_and), "__or__": ops.bitwise_or,
    "__ror__": _reflected(ops.bitwise_or), "__xor__": ops.bitwise_xor,
    "__rxor__": _reflected(ops.bitwise_xor), "__invert__": ops.bitwise_not,
    "__lshift__": ops.bitwise_left_shift, "__rlshift__": _reflected(ops.bitwise_left_shift),
    "__rshift__": ops.bitwise_right_shift, "__rrshift__": _reflected(ops.bitwise_right_shift),
    # elementwise math
    "square": ops.square, "reciprocal": ops.reciprocal, "rsqrt": ops.rsqrt, "log1p": ops.log1p,
    "expm1": ops.expm1, "exp2": ops.exp2, "log2": ops.log2, "log10": ops.log10, "tan": ops.tan,
    "asin": ops.asin, "acos": ops.acos, "atan": ops.atan, "arcsin": ops.asin,
    "arccos": ops.acos, "arctan": ops.atan, "sinh": ops.sinh, "cosh": ops.cosh,
    "asinh": ops.asinh, "acosh": ops.acosh, "atanh": ops.atanh, "erf": ops.erf,
    "erfc": ops.erfc, "floor": ops.floor, "ceil": ops.ceil, "trunc": ops.trunc,
    "fix": ops.trunc, "round": ops.round, "sign": ops.sign, "frac": ops.frac,
    "isnan": ops.isnan, "isinf": ops.isinf, "isfinite": ops.isfinite, "signbit": ops.signbit,
    "isclose": ops.isclose, "allclose": ops.allclose, "equal": ops.equal, "lt": ops.lt,
    "le": ops.le, "gt": ops.gt, "ge": ops.ge, "logical_not": ops.logical_not,
    "logical_and": ops.logical_and, "logical_or": ops.logical_or,
    "logical_xor": ops.logical_xor, "bitwise_and": ops.bitwise_and,
    "bitwise_or": ops.bitwise_or, "bitwise_xor": ops.bitwise_xor,
    "bitwise_not": ops.bitwise_not, "atan2": ops.atan2, "arctan2": ops.atan2,
    "logaddexp": ops.logaddexp, "copysign": ops.copysign, "fmod": ops.fmod,
    "remainder": ops.remainder, "floor_divide": ops.floor_divide,
    "true_divide": fast.true_divide, "divide": fast.div, "lerp": ops.lerp, "hypot": ops.hypot,
    "xlogy": ops.xlogy, "clamp_min": ops.clamp_min, "clamp_max": ops.clamp_max,
    "logit": ops.logit,
    # reductions and scans
    "std": ops.std, "logsumexp": ops.logsumexp, "prod": ops.prod, "cumsum": ops.cumsum,
    "cumprod": ops.cumprod, "cummax": ops.cummax, "cummin": ops.cummin, "any": ops.any,
    "all": ops.all, "count_nonzero": ops.count_nonzero, "norm": ops.norm, "dist": ops.dist,
    "sort": ops.sort, "argsort": ops.argsort, "msort": ops.msort, "topk": ops.topk,
    "kthvalue": ops.kthvalue, "median": ops.median, "nanmean": ops.nanmean,
    "nansum": ops.nansum, "aminmax": ops.aminmax,
    # indexing, masking, shapes
    "gather": ops.gather, "take_along_dim": ops.take_along_dim, "scatter": ops.scatter,
    "scatter_add": ops.scatter_add, "index_select": ops.index_select,
    "masked_fill": ops.masked_fill, "masked_select": ops.masked_select, "nonzero": ops.nonzero,
    "argwhere": ops.argwhere, "tril": ops.tril, "triu": ops.triu, "flip": ops.flip,
    "fliplr": ops.fliplr, "flipud": ops.flipud, "roll": ops.roll, "repeat": ops.repeat,
    "tile": ops.tile, "repeat_interleave": ops.repeat_interleave, "narrow": ops.narrow,
    "split": ops.split, "chunk": ops.chunk, "tensor_split": ops.tensor_split,
    "unbind": ops.unbind, "unflatten": ops.unflatten, "movedim": ops.movedim,
    "moveaxis": ops.movedim, "swapaxes": ops.swapaxes, "swapdims": ops.swapaxes,
    "diagonal": ops.diagonal, "diag": ops.diag, "diag_embed": ops.diag_embed,
    "trace": ops.trace, "unfold": ops.unfold, "bmm": ops.bmm, "mm": ops.mm, "mv": ops.mv,
    "dot": ops.dot, "outer": ops.outer, "addmm": ops.addmm, "baddbmm": ops.baddbmm,
}

for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)
del _name, _fn

# the methods written out in tensor.py (view, T, x[i] ...) call the ops through this name
_tensor._ops = ops
