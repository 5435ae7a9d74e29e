"""nndl: the exercises of a Neural Networks and Deep Learning course, computed, verified,
explained and drawn, on a NumPy autodiff engine that uses PyTorch's names."""

from __future__ import annotations

import numpy as np

from nndl.engine import ops
from nndl.engine.ops import (
    abs,
    add,
    amax,
    amin,
    argmax,
    argmin,
    cat,
    clamp,
    clip,
    cos,
    div,
    exp,
    flatten,
    leaky_relu,
    log,
    log_softmax,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mul,
    neg,
    permute,
    pow,
    relu,
    reshape,
    sigmoid,
    sin,
    softmax,
    softplus,
    sqrt,
    squeeze,
    stack,
    sub,
    sum,
    tanh,
    transpose,
    unsqueeze,
    var,
    where,
)
from nndl.engine.parallel import get_num_threads, set_num_threads
from nndl.engine.tensor import (
    Tensor,
    bool_,
    enable_grad,
    float32,
    float64,
    int64,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from nndl.errors import NNDLError

__version__ = "0.1.0"


def _graph_svg(t: Tensor) -> str:
    """A tensor's computational graph as SVG (nndl.viz, imported on first use)."""
    from nndl.viz import draw

    return draw(t).svg


Tensor.svg_renderer = _graph_svg  # Jupyter's display of a tensor (see Tensor._repr_svg_)

_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed nndl's random generator (initialisation, dropout, randn), as ``torch.manual_seed``."""
    global _rng
    _rng = np.random.default_rng(seed)


def default_rng() -> np.random.Generator:
    return _rng


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    return Tensor._wrap(array)


def _shape(size) -> tuple[int, ...]:
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], tuple | list) else tuple(size)


def zeros(*size, dtype=float32, requires_grad: bool = False) -> Tensor:
    return Tensor(np.zeros(_shape(size), dtype=dtype), requires_grad=requires_grad)


def ones(*size, dtype=float32, requires_grad: bool = False) -> Tensor:
    return Tensor(np.ones(_shape(size), dtype=dtype), requires_grad=requires_grad)


def full(size, fill_value, dtype=float32, requires_grad: bool = False) -> Tensor:
    return Tensor(np.full(tuple(size), fill_value, dtype=dtype), requires_grad=requires_grad)


def zeros_like(t: Tensor, requires_grad: bool = False) -> Tensor:
    return Tensor(np.zeros_like(t.data), requires_grad=requires_grad)


def ones_like(t: Tensor, requires_grad: bool = False) -> Tensor:
    return Tensor(np.ones_like(t.data), requires_grad=requires_grad)


def randn(*size, dtype=float32, requires_grad: bool = False) -> Tensor:
    return Tensor(_rng.standard_normal(_shape(size)).astype(dtype), requires_grad=requires_grad)


def rand(*size, dtype=float32, requires_grad: bool = False) -> Tensor:
    return Tensor(_rng.random(_shape(size)).astype(dtype), requires_grad=requires_grad)


def arange(start, end=None, step=1, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """``torch.arange``: int64 when start, end and step are integers, else the default
    float dtype (float32), whatever NumPy would pick."""
    bounds = [float(v) if isinstance(v, Tensor) and v.dtype.kind == "f" else
              (int(v) if isinstance(v, Tensor) else v) for v in (start, end, step)]
    if bounds[1] is None:
        bounds[:2] = [0, bounds[0]]
    if dtype is None:
        integral = all(isinstance(v, int | np.integer) for v in bounds)
        dtype = int64 if integral else float32
    values = np.arange(*bounds, dtype=np.float64 if np.dtype(dtype).kind == "f" else None)
    return Tensor(values.astype(dtype), requires_grad=requires_grad)


__all__ = [
    "NNDLError", "Tensor", "tensor", "from_numpy", "zeros", "ones", "full", "zeros_like",
    "ones_like", "randn", "rand", "arange", "manual_seed", "no_grad", "enable_grad",
    "set_grad_enabled", "is_grad_enabled", "set_num_threads", "get_num_threads", "float32", "float64", "int64", "bool_", "ops",
    "__version__",
    # ops, as torch.<name>
    "abs", "add", "amax", "amin", "argmax", "argmin", "cat", "clamp", "clip", "cos", "div", "exp",
    "flatten", "leaky_relu", "log", "log_softmax", "matmul", "max", "maximum", "mean", "min",
    "minimum", "mul", "neg", "permute", "pow", "relu", "reshape", "sigmoid", "sin", "softmax",
    "softplus", "sqrt", "squeeze", "stack", "sub", "sum", "tanh", "transpose", "unsqueeze", "var",
    "where",
]

# the layers, optimisers and calculator, reachable as nndl.nn / nndl.optim / nndl.summary(...)
# (the nndl.summary module is itself callable)
from nndl import nn, optim, summary  # noqa: E402

__all__ += ["nn", "optim", "summary"]
