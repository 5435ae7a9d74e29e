"""nndl: the exercises of a Neural Networks and Deep Learning course, computed, verified,
explained and drawn, on a NumPy autodiff engine that uses PyTorch's names."""

from __future__ import annotations

import builtins
import sys

# isort: off
from nndl import _startup  # noqa: F401  (first: Ctrl-C while the command line starts up)
# isort: on

import numpy as np

from nndl.engine import ops
from nndl.engine.ops import (
    abs,
    acos,
    acosh,
    addmm,
    all,
    allclose,
    amax,
    amin,
    aminmax,
    any,
    arccos,
    arcsin,
    arctan,
    arctan2,
    argmax,
    argmin,
    argsort,
    argwhere,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    baddbmm,
    bitwise_and,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    bmm,
    bucketize,
    cat,
    ceil,
    chunk,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    clone,
    copysign,
    cos,
    cosh,
    count_nonzero,
    cummax,
    cummin,
    cumprod,
    cumsum,
    diag,
    diag_embed,
    diagonal,
    dist,
    dot,
    einsum,
    eq,
    equal,
    erf,
    erfc,
    exp2,
    expand,
    expm1,
    fix,
    flatten,
    flip,
    fliplr,
    flipud,
    floor,
    floor_divide,
    fmod,
    frac,
    gather,
    ge,
    greater,
    greater_equal,
    gt,
    hypot,
    index_select,
    isclose,
    isfinite,
    isinf,
    isnan,
    isneginf,
    isposinf,
    kthvalue,
    le,
    leaky_relu,
    lerp,
    less,
    less_equal,
    log1p,
    log2,
    log10,
    log_softmax,
    logaddexp,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    logit,
    logsumexp,
    lt,
    masked_fill,
    masked_select,
    matmul,
    max,
    maximum,
    mean,
    median,
    meshgrid,
    min,
    minimum,
    mm,
    moveaxis,
    movedim,
    msort,
    mv,
    nanmean,
    nansum,
    narrow,
    ne,
    nonzero,
    norm,
    not_equal,
    outer,
    permute,
    prod,
    reciprocal,
    remainder,
    repeat_interleave,
    reshape,
    roll,
    round,
    rsqrt,
    scatter,
    scatter_add,
    sign,
    signbit,
    sin,
    sinh,
    softmax,
    softplus,
    sort,
    split,
    square,
    squeeze,
    stack,
    std,
    std_mean,
    sum,
    swapaxes,
    swapdims,
    take_along_dim,
    tan,
    tensor_split,
    tile,
    topk,
    trace,
    transpose,
    tril,
    triu,
    trunc,
    unbind,
    unflatten,
    unsqueeze,
    var,
    var_mean,
    where,
    xlogy,
)
from nndl.engine.parallel import get_num_threads, set_num_threads
from nndl.engine.random import default_rng, manual_seed  # nndl's generator (init, dropout, randn)
from nndl.engine.scalar import (  # micrograd's ops: ops' own, with the fast path for scalars
    add,
    div,
    divide,
    exp,
    log,
    mul,
    neg,
    pow,
    relu,
    sigmoid,
    sqrt,
    sub,
    tanh,
    true_divide,
)
from nndl.engine.tensor import (
    Tensor,
    _check_device,
    bool_,
    enable_grad,
    float32,
    float64,
    int64,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from nndl.engine.tensor import device as _device
from nndl.errors import ArgumentError, NNDLError

__version__ = "0.1.0"


def _graph_svg(t: Tensor) -> str:
    """A tensor's computational graph as SVG (nndl.viz, imported on first use)."""
    from nndl.viz import draw

    return draw(t).svg


Tensor.svg_renderer = _graph_svg  # Jupyter's display of a tensor (see Tensor._repr_svg_)


def tensor(data, requires_grad: bool = False, dtype=None, device=None) -> Tensor:
    """A new tensor from data (numbers, nested lists, arrays), as ``torch.tensor``: float
    data is float32 and integers int64 unless ``dtype`` says otherwise."""
    t = Tensor(data, requires_grad=requires_grad, dtype=dtype)
    return t if device is None else t.to(device)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """A tensor sharing ``data``'s memory where it can (a Tensor or an array of the dtype)."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    return Tensor._wrap(array)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(t: Tensor) -> int:
    return t.numel()


def _shape(size) -> tuple[int, ...]:
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], tuple | list) else tuple(size)


def _dtype(dtype, default=float32) -> np.dtype:
    if isinstance(dtype, Tensor):
        return dtype.dtype
    return default if dtype is None else np.dtype(dtype)


def _new(values: np.ndarray, requires_grad: bool, device) -> Tensor:
    if device is not None:
        _check_device(device)
    return Tensor(values, requires_grad=requires_grad, dtype=values.dtype)


def zeros(*shape, size=None, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    size = shape if size is None else (size,)
    return _new(np.zeros(_shape(size), dtype=_dtype(dtype)), requires_grad, device)


def ones(*shape, size=None, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    size = shape if size is None else (size,)
    return _new(np.ones(_shape(size), dtype=_dtype(dtype)), requires_grad, device)


def empty(*shape, size=None, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """As ``torch.empty``; nndl's values are zeros rather than whatever memory held."""
    size = shape if size is None else (size,)
    return zeros(*size, dtype=dtype, requires_grad=requires_grad, device=device)


def _fill_dtype(fill_value) -> np.dtype:
    """torch.full's dtype from the value: bool, int64 for an integer, else float32."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if isinstance(fill_value, bool | np.bool_):
        return bool_
    if isinstance(fill_value, int | np.integer):
        return int64
    return float32


def full(size, fill_value, *, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    size = (size,) if isinstance(size, int) else tuple(size)
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    return _new(np.full(size, value, dtype=_dtype(dtype, _fill_dtype(value))), requires_grad,
                device)


def zeros_like(t: Tensor, *, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return _new(np.zeros(t.shape, dtype=_dtype(dtype, t.dtype)), requires_grad, device)


def ones_like(t: Tensor, *, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return _new(np.ones(t.shape, dtype=_dtype(dtype, t.dtype)), requires_grad, device)


def empty_like(t: Tensor, *, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return zeros_like(t, dtype=dtype, requires_grad=requires_grad, device=device)


def full_like(t: Tensor, fill_value, *, dtype=None, requires_grad: bool = False,
              device=None) -> Tensor:
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    return _new(np.full(t.shape, value, dtype=_dtype(dtype, t.dtype)), requires_grad, device)


def eye(n: int, m: int | None = None, *, dtype=None, requires_grad: bool = False,
        device=None) -> Tensor:
    return _new(np.eye(n, n if m is None else m, dtype=_dtype(dtype)), requires_grad, device)


def linspace(start, end, steps: int, *, dtype=None, requires_grad: bool = False,
             device=None) -> Tensor:
    """``steps`` evenly spaced values from start to end (both included), as ``torch.linspace``."""
    start, end = (float(v.item()) if isinstance(v, Tensor) else v for v in (start, end))
    if steps < 0:
        raise ArgumentError(f"linspace: number of steps must be non-negative, got {steps}")
    values = np.linspace(start, end, steps, dtype=np.float64)
    return _new(values.astype(_dtype(dtype)), requires_grad, device)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None,
             requires_grad: bool = False, device=None) -> Tensor:
    values = np.float64(base) ** np.linspace(start, end, steps, dtype=np.float64)
    return _new(values.astype(_dtype(dtype)), requires_grad, device)


def _random(values: np.ndarray, dtype, requires_grad: bool, device) -> Tensor:
    return _new(values.astype(_dtype(dtype), copy=False), requires_grad, device)


def randn(*shape, size=None, dtype=None, generator=None, requires_grad: bool = False,
          device=None) -> Tensor:
    size = shape if size is None else (size,)
    """Samples of N(0, 1), as ``torch.randn`` (from nndl's generator, see manual_seed)."""
    rng = generator or default_rng()
    return _random(rng.standard_normal(_shape(size)), dtype, requires_grad, device)


def rand(*shape, size=None, dtype=None, generator=None, requires_grad: bool = False,
         device=None) -> Tensor:
    size = shape if size is None else (size,)
    """Samples of U[0, 1), as ``torch.rand``."""
    rng = generator or default_rng()
    return _random(rng.random(_shape(size)), dtype, requires_grad, device)


def randn_like(t: Tensor, *, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return randn(t.shape, dtype=_dtype(dtype, t.dtype), requires_grad=requires_grad,
                 device=device)


def rand_like(t: Tensor, *, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return rand(t.shape, dtype=_dtype(dtype, t.dtype), requires_grad=requires_grad,
                device=device)


def randint(*args, size=None, dtype=None, generator=None, requires_grad: bool = False,
            device=None) -> Tensor:
    """Integers uniform in [low, high), as ``torch.randint(low=0, high, size)``: int64 unless
    ``dtype`` says otherwise."""
    if size is None:
        if not args:
            raise ArgumentError("randint() needs high and size", hint="e.g. randint(0, 10, (3,))")
        *args, size = args
    if len(args) == 1:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    else:
        raise ArgumentError(f"randint() takes (high, size) or (low, high, size), got {args}")
    if high <= low:
        raise ArgumentError(f"randint: low ({low}) must be below high ({high})")
    size = (size,) if isinstance(size, int) else tuple(size)
    rng = generator or default_rng()
    return _random(rng.integers(low, high, size), _dtype(dtype, int64), requires_grad, device)


def randint_like(t: Tensor, low: int = 0, high: int | None = None, *, dtype=None) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(low, high, t.shape, dtype=_dtype(dtype, t.dtype))


def randperm(n: int, *, dtype=None, generator=None, device=None) -> Tensor:
    """A random permutation of 0..n−1, as ``torch.randperm``."""
    rng = generator or default_rng()
    return _random(rng.permutation(n), _dtype(dtype, int64), False, device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None,
           requires_grad: bool = False, device=None) -> Tensor:
    """Samples of N(mean, std²), as ``torch.normal``: with ``size``, mean and std are numbers;
    without, each element has the mean and std of the tensors' matching elements."""
    rng = generator or default_rng()
    m = mean._arr if isinstance(mean, Tensor) else mean
    s = std._arr if isinstance(std, Tensor) else std
    if size is not None:
        shape = (size,) if isinstance(size, int) else tuple(size)
        values = rng.normal(m, s, shape)
        default = float32
    else:
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        values = rng.normal(m, s, shape)
        floats = [t.dtype for t in (mean, std) if isinstance(t, Tensor)]
        default = floats[0] if floats else float32
    return _random(np.asarray(values), _dtype(dtype, default), requires_grad, device)


def arange(start, end=None, step=1, *, dtype=None, requires_grad: bool = False,
           device=None) -> Tensor:
    """``torch.arange``: int64 when start, end and step are integers, else the default
    float dtype (float32), whatever NumPy would pick."""
    bounds = [float(v) if isinstance(v, Tensor) and v.dtype.kind == "f" else
              (int(v) if isinstance(v, Tensor) else v) for v in (start, end, step)]
    if bounds[1] is None:
        bounds[:2] = [0, bounds[0]]
    if dtype is None:
        integral = builtins.all(isinstance(v, int | np.integer) for v in bounds)
        dtype = int64 if integral else float32
    values = np.arange(*bounds, dtype=np.float64 if np.dtype(dtype).kind == "f" else None)
    return _new(values.astype(dtype), requires_grad, device)


def bernoulli(p: Tensor, *, generator=None) -> Tensor:
    """1 with probability p (elementwise), else 0, in p's dtype, as ``torch.bernoulli``."""
    rng = generator or default_rng()
    return Tensor._wrap((rng.random(p.shape) < p._arr).astype(p.dtype))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator=None) -> Tensor:
    """Indices drawn with the (unnormalised) weights of each row, as ``torch.multinomial``."""
    rng = generator or default_rng()
    w = np.asarray(input._arr, dtype=np.float64)
    rows = w.reshape(-1, w.shape[-1])
    out = np.stack([rng.choice(rows.shape[1], num_samples, replace=replacement, p=r / r.sum())
                    for r in rows])
    return Tensor._wrap(out.reshape(w.shape[:-1] + (num_samples,)).astype(np.int64))


# dtype names, as torch.<name> (NumPy dtypes: nndl.float32 == np.float32)
float16 = half = np.dtype(np.float16)
double = float64
int8 = np.dtype(np.int8)
uint8 = np.dtype(np.uint8)
int16 = short = np.dtype(np.int16)
int32 = np.dtype(np.int32)
long = int64
# nndl.float, nndl.int and nndl.bool would shadow the built-ins inside this module: they
# are looked up here instead (PEP 562), so nndl.float is float32, nndl.int int32 and
# nndl.bool the bool dtype, as in PyTorch.
_SHADOWING = {"float": float32, "int": int32, "bool": bool_}


def __getattr__(name: str):
    if name in _SHADOWING:
        return _SHADOWING[name]
    if name == "gen":  # nndl.gen(N, count=...) -> variants; imported on first use (it loads
        import importlib  # the solutions), and the import binds the callable module here

        return importlib.import_module("nndl.gen")
    raise AttributeError(f"module 'nndl' has no attribute {name!r}")


class _Cuda:
    """``torch.cuda`` as far as CPU-only code asks: no GPU here."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0

    @staticmethod
    def manual_seed(seed: int) -> None:
        pass

    manual_seed_all = manual_seed


cuda = _Cuda()
concat = concatenate = cat
device = _device  # (the factories' device= arguments take one, or a name such as "cpu")


__all__ = [
    "NNDLError", "Tensor", "tensor", "from_numpy", "zeros", "ones", "full", "zeros_like",
    "ones_like", "randn", "rand", "arange", "manual_seed", "as_tensor", "is_tensor", "numel",
    "empty", "empty_like", "full_like", "eye", "linspace", "logspace", "randn_like",
    "rand_like", "randint", "randint_like", "randperm", "normal", "bernoulli", "multinomial",
    "device", "cuda", "concat", "concatenate", "float16", "half", "double", "int8", "uint8",
    "int16", "short", "int32", "long", "no_grad", "enable_grad",
    "set_grad_enabled", "is_grad_enabled", "set_num_threads", "get_num_threads", "float32", "float64", "int64", "bool_", "ops",
    "__version__",
    # ops, as torch.<name>
    "abs", "acos", "acosh", "add", "addmm", "all", "allclose", "amax", "amin", "aminmax", "any",
    "arccos", "arcsin", "arctan", "arctan2", "argmax", "argmin", "argsort", "argwhere", "asin",
    "asinh", "atan", "atan2", "atanh", "baddbmm", "bitwise_and", "bitwise_left_shift",
    "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor", "bmm", "bucketize", "cat",
    "ceil", "chunk", "clamp", "clamp_max", "clamp_min", "clip", "clone", "copysign", "cos", "cosh",
    "count_nonzero", "cummax", "cummin", "cumprod", "cumsum", "diag", "diag_embed", "diagonal",
    "dist", "div", "divide", "dot", "einsum", "eq", "equal", "erf", "erfc", "exp", "exp2",
    "expand", "expm1", "fix", "flatten", "flip", "fliplr", "flipud", "floor", "floor_divide",
    "fmod", "frac", "gather", "ge", "greater", "greater_equal", "gt", "hypot", "index_select",
    "isclose", "isfinite", "isinf", "isnan", "isneginf", "isposinf", "kthvalue", "le",
    "leaky_relu", "lerp", "less", "less_equal", "log", "log10", "log1p", "log2", "log_softmax",
    "logaddexp", "logical_and", "logical_not", "logical_or", "logical_xor", "logit", "logsumexp",
    "lt", "masked_fill", "masked_select", "matmul", "max", "maximum", "mean", "median", "meshgrid",
    "min", "minimum", "mm", "moveaxis", "movedim", "msort", "mul", "mv", "nanmean", "nansum",
    "narrow", "ne", "neg", "nonzero", "norm", "not_equal", "outer", "permute", "pow", "prod",
    "reciprocal", "relu", "remainder", "repeat_interleave", "reshape", "roll", "round", "rsqrt",
    "scatter", "scatter_add", "sigmoid", "sign", "signbit", "sin", "sinh", "softmax", "softplus",
    "sort", "split", "sqrt", "square", "squeeze", "stack", "std", "std_mean", "sub", "sum",
    "swapaxes", "swapdims", "take_along_dim", "tan", "tanh", "tensor_split", "tile", "topk",
    "trace", "transpose", "tril", "triu", "true_divide", "trunc", "unbind", "unflatten",
    "unsqueeze", "var", "var_mean", "where", "xlogy",
]

# the layers, optimisers and calculator, reachable as nndl.nn / nndl.optim / nndl.summary(...)
# (the nndl.summary module is itself callable)
from nndl import lr_scheduler, nn, optim, summary, utils  # noqa: E402

# the schedules live in nndl/lr_scheduler.py (optim imports nothing above the layers) and
# are reachable as PyTorch's: nndl.optim.lr_scheduler, `from nndl.optim.lr_scheduler import`
optim.lr_scheduler = lr_scheduler  # type: ignore[attr-defined]
sys.modules["nndl.optim.lr_scheduler"] = lr_scheduler

__all__ += ["nn", "optim", "summary", "utils"]
