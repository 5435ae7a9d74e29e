"""``Tensor``: a NumPy array that remembers how it was made, and reverse-mode autodiff.

Every tensor produced by an op keeps its op name, its inputs and a ``backward``
rule that maps the gradient of the output to the gradients of the inputs. The
rule captures the inputs and whatever values it needs, never the output itself,
so a graph holds no reference cycles and is freed by reference counting alone
(micrograd's closures capture their output, and Python's cycle collector then
dominates its run time). The ops live in :mod:`nndl.engine.ops`, each with its forward
and backward side by side, and :mod:`nndl.engine.bind` makes them Tensor's methods.

Backpropagation is defined at the end of this module: :func:`topological_order`, then
one reverse loop (:func:`reference_backward`). ``Tensor.backward()`` runs the same
computation faster (:mod:`nndl.engine.sweep`).

Scalars (0-d float tensors) built from Python numbers take a lean path: their
value is held as a Python ``float`` (float64) or a NumPy ``float32`` scalar and
turned into a 0-d ``ndarray`` only when ``.data`` is first read (``_d`` holds
either: ``type(t._d) is not ndarray`` says a tensor is on the scalar path), and
micrograd's ops between such scalars take the fast path of :mod:`nndl.engine.scalar`.
Semantics do not change: ``.data`` and ``._grad`` are always ndarrays when read, dtypes
follow the same rules, and where scalar arithmetic would differ from NumPy's (x/0,
log 0, overflow) the op takes the array path.
"""

from __future__ import annotations

import builtins
import contextlib
import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nndl.engine.random import default_rng as _default_rng
from nndl.engine.sweep import _freed, _freed_error, _reduce_to_shape, run_backward
from nndl.errors import ArgumentError, ArgumentTypeError, GraphError, ShapeError

# The op functions, which some methods below call (view, T, x[i], clone ...). ops.py builds
# on this module, so this one cannot import it as it loads: nndl.engine.bind sets the name
# once both exist (nndl.engine imports bind first thing); type checkers read the import.
if TYPE_CHECKING:
    from nndl.engine import ops as _ops
else:
    _ops = None

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)

# backward(g) -> one gradient per input; scalar-path rules take (g, saved) instead and
# return the gradient of their one input, or a pair for two (see Tensor._scalar)
BackwardFn = Callable[..., Sequence["np.ndarray | float | None"]]
ScalarBackwardFn = Callable[..., Any]

_new = object.__new__
_ndarray = np.ndarray
_SPARE_MIN = 1 << 16  # elements: smaller gradients are cheap to allocate (and not worth keeping)
_NP_FLOAT32 = np.float32
_ONE32 = np.float32(1)


class _GradState(threading.local):
    enabled = True  # class attribute: every thread starts with gradients on, as in PyTorch


_grad_state = _GradState()
# How many grad-disabling contexts are open, in all threads together. While none is,
# every thread has gradients on and the ops skip the thread-local read (five times the
# cost of a global's, and the scalar path makes one per node).
_disabling = 0
_disabling_lock = threading.Lock()


def is_grad_enabled() -> bool:
    return _grad_state.enabled


class _GradMode(contextlib.ContextDecorator):
    """Sets the grad mode inside a ``with`` block or a decorated function (re-entrant)."""

    def __init__(self, enabled: bool):
        self.enabled = bool(enabled)
        self._saved: list[bool] = []

    def __enter__(self):
        global _disabling
        if not self.enabled:
            with _disabling_lock:
                _disabling += 1
        self._saved.append(_grad_state.enabled)
        _grad_state.enabled = self.enabled

    def __exit__(self, *exc):
        global _disabling
        _grad_state.enabled = self._saved.pop()
        if not self.enabled:
            with _disabling_lock:
                _disabling -= 1
        return False


def no_grad() -> _GradMode:
    """Context manager (and decorator) in which ops record no graph, as ``torch.no_grad``."""
    return _GradMode(False)


def enable_grad() -> _GradMode:
    return _GradMode(True)


def set_grad_enabled(mode: bool) -> _GradMode:
    """As ``torch.set_grad_enabled``: use it in a ``with`` block."""
    return _GradMode(mode)


# What NumPy makes of data that are not numbers: a tensor refuses them (complex numbers
# too: nndl's ops and their gradients are real), where NumPy would make an object array
# (None, a dict) that turns into nan or a TypeError deep inside an op.
_NOT_NUMBERS = {"O": "Python objects", "U": "text", "S": "bytes", "V": "records",
                "c": "complex numbers", "M": "dates", "m": "time spans"}


def _not_numbers(data: Any, kind: str) -> ArgumentTypeError:
    what = "None" if data is None else (
        f"{type(data).__name__} {data!r}"[:80] if isinstance(data, str | bytes | complex)
        else f"{_NOT_NUMBERS[kind]} ({type(data).__name__})")
    return ArgumentTypeError(f"a tensor holds real numbers, and got {what}",
                             hint="pass a number, a (nested) list of numbers, a NumPy array of "
                                  "numbers or a tensor")


def _numbers(data: Any) -> np.ndarray:
    """``np.asarray(data)``, refusing what is not real numbers and ragged nesting."""
    if data is None or isinstance(data, str | bytes):
        raise _not_numbers(data, "O")
    try:
        arr = np.asarray(data)
    except (ValueError, TypeError) as exc:  # ragged lists, an object refusing conversion
        raise ArgumentError(f"cannot make a tensor of this {type(data).__name__}: {exc}"[:300],
                            hint="nested lists must be rectangular (rows of one length) "
                                 "and hold numbers") from None
    if arr.dtype.kind in _NOT_NUMBERS:
        raise _not_numbers(data, arr.dtype.kind)
    return arr


def _dtype(dtype: Any) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise ArgumentTypeError(f"{dtype!r} is not a dtype"[:120],
                                hint="use nndl.float32, nndl.float64, nndl.int64 or nndl.bool"
                                ) from None
    if dt.kind in _NOT_NUMBERS:
        raise ArgumentTypeError(f"nndl's tensors hold real numbers, not {_NOT_NUMBERS[dt.kind]} "
                                f"(dtype {dt})", hint="use a float, integer or bool dtype")
    return dt


def _as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert to an ndarray with PyTorch's default dtypes (float32 unless float64 was given)."""
    if isinstance(data, Tensor):
        data = data._arr
    if dtype is not None:
        dt = _dtype(dtype)
        if type(data) is not _ndarray or data.dtype.kind in _NOT_NUMBERS:
            data = _numbers(data)  # (np.asarray(None, float32) would be nan)
        return np.asarray(data, dtype=dt)
    if isinstance(data, np.ndarray | np.generic):
        arr = np.asarray(data)
        if arr.dtype.kind in _NOT_NUMBERS:
            raise _not_numbers(data, arr.dtype.kind)
        if arr.dtype.kind == "f" and arr.dtype not in (float32, float64):
            arr = arr.astype(float32)  # float16 etc. are computed in float32
        return arr
    arr = _numbers(data)
    if arr.dtype.kind == "f":
        return arr.astype(float32)
    if arr.dtype.kind in "iu":
        return arr.astype(int64)
    return arr


def _scalar_value(x: float, dtype: Any):
    """A Python float as the scalar path holds it, or None when it takes the array path."""
    if dtype is None or dtype is float32 or dtype is np.float32:
        return _NP_FLOAT32(x)
    if dtype is float64 or dtype is np.float64 or dtype is float:
        return x
    dt = _dtype(dtype)
    return _NP_FLOAT32(x) if dt == float32 else (x if dt == float64 else None)


class Tensor:
    """An n-dimensional array with gradient tracking, named and behaving as ``torch.Tensor``."""

    # _d: the values, an ndarray (exactly that type), or while on the scalar path a float
    # (float64) or np.float32 scalar (see the module doc); read them as data or _value().
    # Rarely set attributes live in __dict__ with these class defaults, so that making a
    # tensor stores only the slots (the scalar path counts every store).
    # _users/_gacc: run_backward's use count and gradient being summed (see there).
    # _gv: the accumulated gradient, an ndarray or (scalar path) a scalar; read it as _grad.
    # _a/_b: the inputs, read them as _inputs. A leaf has _a None; an array-path node (made
    # by _make) has the tuple of all its inputs in _a; a scalar-path node (made by _scalar)
    # has its first input in _a and its second (or None) in _b, and the values its backward
    # needs in _saved. Slots instead of a tuple: a tuple that holds tensors is one more
    # object per node for Python's cycle collector to walk (see Tensor._scalar). A leaf
    # sets none of _op, _b, _backward, _saved (a store fewer is time saved on every leaf),
    # an array-path node no _b or _saved: code reads them only where they are set.
    __slots__ = ("_d", "requires_grad", "_gv", "_op", "_a", "_b", "_backward", "_saved",
                 "_users", "_gacc", "__dict__", "__weakref__")
    # The slots' types, for readers and type checkers (annotations only: no class attribute
    # is created, so the slots stay as they are). The values are dynamic by design: _d and
    # _gv hold an ndarray or a scalar, and the code tells them apart with type(x) is ndarray
    # (cheaper than isinstance) rather than in ways a checker can follow, hence Any.
    _d: Any  # ndarray | float | np.float32
    requires_grad: bool
    _gv: Any  # ndarray | float | np.float32 | None
    _op: str
    _a: Any  # None (a leaf) | tuple[Tensor, ...] (array path) | Tensor (scalar path)
    _b: Tensor | None
    _backward: Callable[..., Any]  # backward(g) (array path) or backward(g, saved) (scalar)
    _saved: Any
    _users: int
    _gacc: Any  # ndarray | float | np.float32 | None
    name: str | None = None  # a label for drawings and traces (t.name = "x")
    _retains_grad = False
    # a released gradient array that backward may write into (see _release_grad)
    _spare: np.ndarray | None = None
    _grad_lent = False  # the grad getter handed _gv's array to user code (see _release_grad)
    # NumPy defers to our reflected operators (ndarray * Tensor -> Tensor.__rmul__).
    __array_ufunc__ = None

    if TYPE_CHECKING:
        # Bound at import to the op functions themselves (nndl/engine/bind.py, checked by
        # tests/test_tensor.py): ``a * b`` calls ``scalar.mul`` with no forwarding call in
        # between, which the scalar path would pay on every node. Declared here so that
        # readers, IDEs and type checkers see them.
        def __add__(self, b: Any) -> Tensor: ...
        def __radd__(self, other: Any) -> Tensor: ...
        def __sub__(self, b: Any) -> Tensor: ...
        def __rsub__(self, other: Any) -> Tensor: ...
        def __mul__(self, b: Any) -> Tensor: ...
        def __rmul__(self, other: Any) -> Tensor: ...
        def __truediv__(self, b: Any) -> Tensor: ...
        def __rtruediv__(self, other: Any) -> Tensor: ...
        def __pow__(self, b: Any) -> Tensor: ...
        def __rpow__(self, other: Any) -> Tensor: ...
        def __matmul__(self, b: Any) -> Tensor: ...
        def __rmatmul__(self, other: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def add(self, b: Any) -> Tensor: ...
        def sub(self, b: Any) -> Tensor: ...
        def mul(self, b: Any) -> Tensor: ...
        def div(self, b: Any, *, rounding_mode: Any = None) -> Tensor: ...
        def neg(self) -> Tensor: ...
        def pow(self, b: Any) -> Tensor: ...
        def matmul(self, b: Any) -> Tensor: ...
        def exp(self) -> Tensor: ...
        def log(self) -> Tensor: ...
        def sqrt(self) -> Tensor: ...
        def abs(self) -> Tensor: ...
        def sin(self) -> Tensor: ...
        def cos(self) -> Tensor: ...
        def tanh(self) -> Tensor: ...
        def sigmoid(self) -> Tensor: ...
        def relu(self) -> Tensor: ...
        def clamp(self, min: Any = None, max: Any = None) -> Tensor: ...
        def clip(self, min: Any = None, max: Any = None) -> Tensor: ...
        def maximum(self, b: Any) -> Tensor: ...
        def minimum(self, b: Any) -> Tensor: ...
        def sum(self, dim: Any = None, keepdim: Any = False, *, dtype: Any = None, axis: Any = None, keepdims: Any = None) -> Tensor: ...
        def mean(self, dim: Any = None, keepdim: Any = False, *, dtype: Any = None, axis: Any = None, keepdims: Any = None) -> Tensor: ...
        def max(self, dim: Any = None, keepdim: Any = False, axis: Any = None, keepdims: Any = None) -> Tensor: ...
        def min(self, dim: Any = None, keepdim: Any = False, axis: Any = None, keepdims: Any = None) -> Tensor: ...
        def amax(self, dim: Any = None, keepdim: Any = False) -> Tensor: ...
        def amin(self, dim: Any = None, keepdim: Any = False) -> Tensor: ...
        def argmax(self, dim: Any = None, keepdim: Any = False, *, axis: Any = None) -> Tensor: ...
        def argmin(self, dim: Any = None, keepdim: Any = False, *, axis: Any = None) -> Tensor: ...
        def reshape(self, *shape: Any) -> Tensor: ...
        def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor: ...
        def unsqueeze(self, dim: int) -> Tensor: ...
        def squeeze(self, dim: Any = None) -> Tensor: ...
        def permute(self, *dims: Any) -> Tensor: ...
        def transpose(self, dim0: int, dim1: int) -> Tensor: ...
        def expand(self, *shape: Any) -> Tensor: ...
        def softmax(self, dim: int = -1) -> Tensor: ...
        def log_softmax(self, dim: int = -1) -> Tensor: ...
        def __iadd__(self, b: Any) -> Tensor: ...
        def __isub__(self, b: Any) -> Tensor: ...
        def __imul__(self, b: Any) -> Tensor: ...
        def __itruediv__(self, b: Any) -> Tensor: ...
        def __floordiv__(self, b: Any) -> Tensor: ...
        def __rfloordiv__(self, other: Any) -> Tensor: ...
        def __mod__(self, b: Any) -> Tensor: ...
        def __rmod__(self, other: Any) -> Tensor: ...
        def __and__(self, b: Any) -> Tensor: ...
        def __rand__(self, other: Any) -> Tensor: ...
        def __or__(self, b: Any) -> Tensor: ...
        def __ror__(self, other: Any) -> Tensor: ...
        def __xor__(self, b: Any) -> Tensor: ...
        def __rxor__(self, other: Any) -> Tensor: ...
        def __invert__(self) -> Tensor: ...
        def __lshift__(self, b: Any) -> Tensor: ...
        def __rlshift__(self, other: Any) -> Tensor: ...
        def __rshift__(self, b: Any) -> Tensor: ...
        def __rrshift__(self, other: Any) -> Tensor: ...
        def square(self) -> Tensor: ...
        def reciprocal(self) -> Tensor: ...
        def rsqrt(self) -> Tensor: ...
        def log1p(self) -> Tensor: ...
        def expm1(self) -> Tensor: ...
        def exp2(self) -> Tensor: ...
        def log2(self) -> Tensor: ...
        def log10(self) -> Tensor: ...
        def tan(self) -> Tensor: ...
        def asin(self) -> Tensor: ...
        def acos(self) -> Tensor: ...
        def atan(self) -> Tensor: ...
        def arcsin(self) -> Tensor: ...
        def arccos(self) -> Tensor: ...
        def arctan(self) -> Tensor: ...
        def sinh(self) -> Tensor: ...
        def cosh(self) -> Tensor: ...
        def asinh(self) -> Tensor: ...
        def acosh(self) -> Tensor: ...
        def atanh(self) -> Tensor: ...
        def erf(self) -> Tensor: ...
        def erfc(self) -> Tensor: ...
        def floor(self) -> Tensor: ...
        def ceil(self) -> Tensor: ...
        def trunc(self) -> Tensor: ...
        def fix(self) -> Tensor: ...
        def round(self, decimals: Any = 0) -> Tensor: ...
        def sign(self) -> Tensor: ...
        def frac(self) -> Tensor: ...
        def isnan(self) -> Tensor: ...
        def isinf(self) -> Tensor: ...
        def isfinite(self) -> Tensor: ...
        def signbit(self) -> Tensor: ...
        def isclose(self, b: Any, rtol: Any = 1e-05, atol: Any = 1e-08, equal_nan: Any = False) -> Tensor: ...
        def allclose(self, b: Any, rtol: Any = 1e-05, atol: Any = 1e-08, equal_nan: Any = False) -> builtins.bool: ...
        def equal(self, b: Any) -> builtins.bool: ...
        def lt(self, b: Any) -> Tensor: ...
        def le(self, b: Any) -> Tensor: ...
        def gt(self, b: Any) -> Tensor: ...
        def ge(self, b: Any) -> Tensor: ...
        def logical_not(self) -> Tensor: ...
        def logical_and(self, b: Any) -> Tensor: ...
        def logical_or(self, b: Any) -> Tensor: ...
        def logical_xor(self, b: Any) -> Tensor: ...
        def bitwise_and(self, b: Any) -> Tensor: ...
        def bitwise_or(self, b: Any) -> Tensor: ...
        def bitwise_xor(self, b: Any) -> Tensor: ...
        def bitwise_not(self) -> Tensor: ...
        def atan2(self, b: Any) -> Tensor: ...
        def arctan2(self, b: Any) -> Tensor: ...
        def logaddexp(self, b: Any) -> Tensor: ...
        def copysign(self, b: Any) -> Tensor: ...
        def fmod(self, b: Any) -> Tensor: ...
        def remainder(self, b: Any) -> Tensor: ...
        def floor_divide(self, b: Any) -> Tensor: ...
        def true_divide(self, b: Any) -> Tensor: ...
        def divide(self, b: Any, *, rounding_mode: Any = None) -> Tensor: ...
        def lerp(self, end: Any, weight: Any) -> Tensor: ...
        def hypot(self, b: Any) -> Tensor: ...
        def xlogy(self, b: Any) -> Tensor: ...
        def clamp_min(self, min: Any) -> Tensor: ...
        def clamp_max(self, max: Any) -> Tensor: ...
        def logit(self, eps: Any = None) -> Tensor: ...
        def std(self, dim: Any = None, keepdim: Any = False, *, unbiased: Any = True, correction: Any = None, axis: Any = None, keepdims: Any = None) -> Tensor: ...
        def logsumexp(self, dim: Any = None, keepdim: Any = False, *, axis: Any = None) -> Tensor: ...
        def prod(self, dim: Any = None, keepdim: Any = False, *, dtype: Any = None, axis: Any = None) -> Tensor: ...
        def cumsum(self, dim: Any = None, *, dtype: Any = None, axis: Any = None) -> Tensor: ...
        def cumprod(self, dim: Any = None, *, dtype: Any = None, axis: Any = None) -> Tensor: ...
        def cummax(self, dim: Any) -> Any: ...
        def cummin(self, dim: Any) -> Any: ...
        def any(self, dim: Any = None, keepdim: Any = False, *, axis: Any = None) -> Tensor: ...
        def all(self, dim: Any = None, keepdim: Any = False, *, axis: Any = None) -> Tensor: ...
        def count_nonzero(self, dim: Any = None) -> Tensor: ...
        def norm(self, p: Any = 'fro', dim: Any = None, keepdim: Any = False, dtype: Any = None) -> Tensor: ...
        def dist(self, b: Any, p: Any = 2) -> Tensor: ...
        def sort(self, dim: Any = -1, descending: Any = False, stable: Any = False) -> Any: ...
        def argsort(self, dim: Any = -1, descending: Any = False, stable: Any = False) -> Tensor: ...
        def msort(self) -> Tensor: ...
        def topk(self, k: Any, dim: Any = -1, largest: Any = True, sorted: Any = True) -> Any: ...
        def kthvalue(self, k: Any, dim: Any = -1, keepdim: Any = False) -> Any: ...
        def median(self, dim: Any = None, keepdim: Any = False) -> Any: ...
        def nanmean(self, dim: Any = None, keepdim: Any = False) -> Tensor: ...
        def nansum(self, dim: Any = None, keepdim: Any = False) -> Tensor: ...
        def aminmax(self, *, dim: Any = None, keepdim: Any = False) -> Any: ...
        def gather(self, dim: Any, index: Any) -> Tensor: ...
        def take_along_dim(self, indices: Any, dim: Any) -> Tensor: ...
        def scatter(self, dim: Any, index: Any, src: Any = None, *, value: Any = None, reduce: Any = None) -> Tensor: ...
        def scatter_add(self, dim: Any, index: Any, src: Any) -> Tensor: ...
        def index_select(self, dim: Any, index: Any) -> Tensor: ...
        def masked_fill(self, mask: Any, value: Any) -> Tensor: ...
        def masked_select(self, mask: Any) -> Tensor: ...
        def nonzero(self, *, as_tuple: Any = False) -> Any: ...
        def argwhere(self) -> Tensor: ...
        def tril(self, diagonal: Any = 0) -> Tensor: ...
        def triu(self, diagonal: Any = 0) -> Tensor: ...
        def flip(self, *dims: Any) -> Tensor: ...
        def fliplr(self) -> Tensor: ...
        def flipud(self) -> Tensor: ...
        def roll(self, shifts: Any, dims: Any = None) -> Tensor: ...
        def repeat(self, *sizes: Any) -> Tensor: ...
        def tile(self, *dims: Any) -> Tensor: ...
        def repeat_interleave(self, repeats: Any, dim: Any = None, *, output_size: Any = None) -> Tensor: ...
        def narrow(self, dim: Any, start: Any, length: Any) -> Tensor: ...
        def split(self, split_size_or_sections: Any, dim: Any = 0) -> Any: ...
        def chunk(self, chunks: Any, dim: Any = 0) -> Any: ...
        def tensor_split(self, indices_or_sections: Any, dim: Any = 0) -> Any: ...
        def unbind(self, dim: Any = 0) -> Any: ...
        def unflatten(self, dim: Any, sizes: Any) -> Tensor: ...
        def movedim(self, source: Any, destination: Any) -> Tensor: ...
        def moveaxis(self, source: Any, destination: Any) -> Tensor: ...
        def swapaxes(self, axis0: Any, axis1: Any) -> Tensor: ...
        def swapdims(self, axis0: Any, axis1: Any) -> Tensor: ...
        def diagonal(self, offset: Any = 0, dim1: Any = 0, dim2: Any = 1) -> Tensor: ...
        def diag(self, diagonal: Any = 0) -> Tensor: ...
        def diag_embed(self, offset: Any = 0, dim1: Any = -2, dim2: Any = -1) -> Tensor: ...
        def trace(self) -> Tensor: ...
        def unfold(self, dimension: Any, size: Any, step: Any) -> Tensor: ...
        def bmm(self, b: Any) -> Tensor: ...
        def mm(self, b: Any) -> Tensor: ...
        def mv(self, b: Any) -> Tensor: ...
        def dot(self, b: Any) -> Tensor: ...
        def outer(self, b: Any) -> Tensor: ...
        def addmm(self, a: Any, b: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor: ...
        def baddbmm(self, a: Any, b: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor: ...

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None):
        d: Any = None
        if type(data) is float:  # the scalar path (micrograd-style code makes many of these)
            if dtype is float64:
                d = data
            elif dtype is None or dtype is float32:
                d = _NP_FLOAT32(data)
            else:
                d = _scalar_value(data, dtype)
        if d is None:
            d = _as_array(data, dtype)
            if requires_grad and d.dtype.kind not in "fc":
                raise GraphError(
                    f"only floating-point tensors can require gradients, got dtype {d.dtype}",
                    hint="create it with dtype=nndl.float32 or a float literal such as 1.0",
                )
        self._d = d
        self.requires_grad = requires_grad is True or bool(requires_grad)
        self._gv = None
        self._a = None
        self._users = 0

    # ----------------------------------------------------------------- basics
    @property
    def _arr(self) -> np.ndarray:
        """The values as a plain ``ndarray`` (shared, not copied), what the ops compute on."""
        d = self._d
        if type(d) is not _ndarray:  # a scalar-path value becomes a 0-d array for good
            d = self._d = np.array(d)
        return d

    @_arr.setter
    def _arr(self, value) -> None:
        self._d = value if type(value) is _ndarray else _as_array(value)

    @property
    def data(self) -> np.ndarray:
        """The values, shared (not copied: in-place changes show in the tensor), outside the
        graph: a NumPy array that also has PyTorch's in-place methods, so that course code
        such as ``w.data.normal_(0, 0.01)``, ``x.grad.data.zero_()`` or
        ``w.data -= lr * w.grad`` works as with ``torch.Tensor.data`` (see
        :class:`DataArray`)."""
        d = self._d
        if type(d) is not _ndarray:
            d = self._d = np.array(d)
        cached = self.__dict__.get("_data_view")
        if cached is not None and cached[0] is d:
            return cached[1]
        view = d.view(DataArray)
        self.__dict__["_data_view"] = (d, view)
        return view

    @data.setter
    def data(self, value) -> None:
        self._d = value if type(value) is _ndarray else _as_array(value)

    def _value(self):
        """The values for reading only: the ndarray, or the scalar without making an array."""
        return self._d

    @property
    def _v(self):
        """The scalar while on the scalar path, else None."""
        d = self._d
        return None if type(d) is _ndarray else d

    @property
    def _data(self) -> np.ndarray | None:
        """The ndarray, or None while on the scalar path (reading .data makes it)."""
        d = self._d
        return d if type(d) is _ndarray else None

    @property
    def shape(self) -> tuple[int, ...]:
        d = self._d
        return d.shape if type(d) is _ndarray else ()

    @property
    def ndim(self) -> int:
        d = self._d
        return d.ndim if type(d) is _ndarray else 0

    @property
    def dtype(self) -> np.dtype:
        d = self._d
        tp = type(d)
        if tp is _ndarray:
            return d.dtype
        return float64 if tp is float else float32

    @property
    def size_(self) -> int:
        return self.numel()

    def size(self, dim: int | None = None):
        return self.shape if dim is None else self.shape[dim]

    def numel(self) -> int:
        d = self._d
        return int(d.size) if type(d) is _ndarray else 1

    def dim(self) -> int:
        return self.ndim

    def __len__(self) -> int:
        if self.ndim == 0:
            raise ArgumentTypeError("len() of a 0-d tensor", hint="a 0-d tensor has no length: "
                                    "use .item() for its value")
        return len(self._d)

    def numpy(self) -> np.ndarray:
        return self._arr

    def __array__(self, dtype=None, copy=None):
        data = self._arr
        if dtype is not None and np.dtype(dtype) != data.dtype:
            return data.astype(dtype)
        return data.copy() if copy else data

    def item(self) -> float | int | bool:
        d = self._d
        if type(d) is not _ndarray:
            return float(d)
        if d.size != 1:
            raise GraphError(f"item() needs a tensor with one element, this one has shape "
                             f"{d.shape}", hint="index one element first, e.g. t[0, 1].item()")
        return d.reshape(()).item()

    def tolist(self):
        return np.asarray(self._d).tolist()

    @property
    def op(self) -> str:
        """Name of the op that made this tensor ('' for a leaf)."""
        return "" if self._a is None else self._op

    @property
    def inputs(self) -> tuple[Tensor, ...]:
        """The tensors this one was computed from, in argument order."""
        return self._inputs

    @property
    def _inputs(self) -> tuple[Tensor, ...]:
        a = self._a
        if a is None:
            return ()
        if type(a) is tuple:
            return a
        b = self._b  # a scalar-path node (see __slots__)
        return (a,) if b is None else (a, b)

    @property
    def is_leaf(self) -> bool:
        return self._a is None or not self.requires_grad

    @property
    def _grad(self) -> np.ndarray | None:
        """The accumulated gradient as an ndarray (or None), for optimisers to update in place."""
        g = self._gv
        if g is not None and type(g) is not np.ndarray:  # a scalar from the scalar path
            g = self._gv = np.array(g, dtype=self.dtype)
        return g

    @_grad.setter
    def _grad(self, value) -> None:
        self._gv = value

    @property
    def grad(self) -> Tensor | None:
        """Accumulated gradient (a Tensor sharing memory with the stored array), or None."""
        g = self._grad
        if g is None:
            return None
        self._grad_lent = True  # user code may keep it: never reuse it as a spare
        return Tensor._wrap(g)

    @grad.setter
    def grad(self, value) -> None:
        if value is None:
            self._gv = None
            return
        g = np.array(_as_array(value), dtype=self.dtype)
        if g.shape != self.shape:
            raise ShapeError(f"a gradient of shape {g.shape} cannot be set on a tensor of shape "
                             f"{self.shape}", hint="assign a gradient of the tensor's own shape")
        self._gv = g

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on a non-leaf tensor after backward, as ``torch.Tensor.retain_grad``."""
        if not self.requires_grad:
            raise GraphError("retain_grad() on a tensor that does not require grad",
                             hint="only tensors computed from requires_grad=True inputs have one")
        self._retains_grad = True
        a = self._a
        if a is not None and type(a) is not tuple and self._backward is not _freed:
            # the scalar sweep does not look for retained tensors: make this node an
            # array-path one (inputs tuple, backward(g) -> one gradient per input), which
            # the sweep checks (the closure holds the rule and the saved values, not self)
            rule, b, saved = self._backward, self._b, self._saved
            if b is None:
                self._backward = lambda g: (rule(g, saved),)
            else:
                self._backward = lambda g: rule(g, saved)
            self._a = self._inputs
        return self

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad and self._a is not None

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self._a is not None:
            raise GraphError("requires_grad_() can only change leaf tensors",
                             hint="use .detach().requires_grad_() to make a new leaf")
        if requires_grad and self.dtype.kind not in "fc":
            raise GraphError(f"only floating-point tensors can require gradients, got {self.dtype}",
                             hint="convert first, e.g. t.float().requires_grad_()")
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self) -> Tensor:
        """A new leaf with the same values (memory shared), outside the graph."""
        d = self._d
        return Tensor._wrap(d) if type(d) is _ndarray else Tensor._scalar(d)

    def clone(self) -> Tensor:
        return _ops.clone(self)

    def zero_grad(self) -> None:
        self._gv = None

    def _release_grad(self) -> None:
        """``.grad = None`` for ``zero_grad(set_to_none=True)``, keeping the array as a spare
        when nobody else can see it change. The next backward may compute the new gradient
        straight into it (:meth:`_spare_grad`) instead of into a fresh array, whose first
        touch costs a page fault per 4 KiB: a third of the weight-gradient time of a
        177 M-weight layer.

        Invariant: the spare is an array that only this tensor can reach. ``_gv`` holds
        either an array the sweep allocated (a backward rule's fresh result, or a copy) or
        a copy the ``grad`` setter made; the one way out to user code is the ``grad``
        getter, which marks the array as lent (``_grad_lent``). A lent array never becomes
        a spare, so nothing depends on reference counts.
        """
        g = self._gv
        self._gv = None
        lent = self._grad_lent
        if lent:
            self._grad_lent = False  # the next gradient is a new array, not lent yet
        # Otherwise an earlier spare stays (zero_grad twice in a row keeps it).
        if not lent and type(g) is np.ndarray and g.base is None and g.size >= _SPARE_MIN:
            self._spare = g

    def _spare_grad(self, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray | None:
        """The spare gradient array to write this tensor's new gradient into, or None.

        Only while ``.grad`` is None (the new gradient becomes ``.grad``; the engine adopts
        an array with no base that a backward rule returns). Taken once: a second use of
        the tensor in the same graph gets a fresh array, which the engine adds in.
        """
        s = self._spare
        if s is None:
            return None
        self._spare = None
        if self._gv is None and s.shape == shape and s.dtype == dtype:
            return s
        return None

    def __repr__(self) -> str:
        data = np.asarray(self._value())
        body = np.array2string(data, precision=4, separator=", ", prefix="tensor(",
                               threshold=60, edgeitems=3)
        extras = []
        if data.dtype not in (float32, int64, bool_):
            extras.append(f"dtype={data.dtype}")
        if self._a is not None and self.requires_grad:
            extras.append(f"op={self._op}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    # Jupyter's rich display draws the graph. The drawing lives above the engine (nndl.viz),
    # which the engine never imports: the package installs it here (nndl/__init__.py).
    svg_renderer: Callable[[Tensor], str] | None = None

    def _repr_svg_(self) -> str | None:
        """Jupyter shows a tensor that came out of an op as its computational graph."""
        if self._a is None or Tensor.svg_renderer is None:
            return None  # a leaf: the text repr says it all
        return Tensor.svg_renderer(self)

    def __format__(self, spec: str) -> str:
        if spec and self.numel() == 1:
            return format(self.item(), spec)  # f"{loss:.4f}", as torch for one element
        return format(repr(self), spec)

    # == and != compare elementwise, as in PyTorch, and tensors hash by identity (object's
    # hash): dicts and sets of tensors work, `x in list_of_tensors` compares values.
    def __eq__(self, o) -> Tensor:  # type: ignore[override]
        if not isinstance(o, _COMPARABLE):
            return NotImplemented  # None, a string ...: Python's identity test, False
        return Tensor._wrap(np.asarray(self._value() == _raw(o)))

    def __ne__(self, o) -> Tensor:  # type: ignore[override]
        if not isinstance(o, _COMPARABLE):
            return NotImplemented
        return Tensor._wrap(np.asarray(self._value() != _raw(o)))

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        d = self._d
        if type(d) is _ndarray and d.size != 1:
            raise ShapeError(f"the truth value of a tensor of shape {d.shape} ({d.size} "
                             "values) is ambiguous",
                             hint="use .any() or .all(), or compare one element")
        return bool(d)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "iub":
            raise ArgumentTypeError(f"only integer tensors can be used as an index, not {self.dtype}",
                                    hint="convert it with .long()")
        return int(self.item())

    # ---------------------------------------------------------- construction
    @staticmethod
    def _wrap(data: np.ndarray) -> Tensor:
        """A leaf around an existing array, without conversion or copy."""
        t = _new(Tensor)
        t._d = data if type(data) is _ndarray else np.asarray(data)
        t.requires_grad = False
        t._gv = None
        t._a = None
        t._users = 0
        return t

    @staticmethod
    def _scalar(v, op: str = "", a: Tensor | None = None, b: Tensor | None = None,
                requires_grad: bool = False, backward: ScalarBackwardFn | None = None,
                saved: Any = None) -> Tensor:
        """A scalar-path tensor holding ``v`` (Python float = float64, np.float32 = float32).

        With ``requires_grad`` (and grad mode on) it records ``op`` on inputs ``a`` and
        ``b`` (None for a one-input op). Its ``backward`` is called as ``backward(g,
        saved)`` and returns the gradient of ``a`` (one input) or those of ``a`` and ``b``:
        a module-level function plus the values it needs (a float, or a tuple of floats,
        which the cycle collector stops tracking) instead of a closure. So the tensor is
        the only object of a node that the cycle collector keeps walking: no inputs tuple
        (the inputs live in slots), no function object, no closure cells. The collector
        walks the newest objects at each of its frequent collections and every live one
        at each full collection, and a micrograd-style graph is all alive while it grows:
        fewer (and smaller) objects per node are what makes it cheaper there.
        """
        t = _new(Tensor)
        t._d = v
        t._gv = None
        t._users = 0
        if requires_grad and (not _disabling or _grad_state.enabled):
            t.requires_grad = True
            t._op = op
            t._a = a
            t._b = b
            t._backward = backward  # type: ignore[assignment]  # given whenever requires_grad is
            t._saved = saved
        else:
            t.requires_grad = False
            t._a = None
        return t

    @staticmethod
    def _make(data: np.ndarray, op: str, inputs: tuple[Tensor, ...], backward: BackwardFn) -> Tensor:
        """The output of an op: records the graph only when some input needs a gradient.

        ``backward(g)`` gets the output's gradient and returns one gradient per input
        (``None`` for an input that needs none); a gradient may have the broadcast shape,
        the engine sums it back to the input's shape.
        """
        t = _new(Tensor)
        tp = type(data)
        if tp is _ndarray or tp is _NP_FLOAT32:
            t._d = data
        elif tp is np.float64:  # a NumPy op on 0-d operands: keep it on the scalar path
            t._d = float(data)
        else:
            t._d = np.asarray(data)
        t._gv = None
        t._users = 0
        if (not _disabling or _grad_state.enabled) and any(i.requires_grad for i in inputs):
            t.requires_grad = True
            t._op = op
            t._a = inputs if type(inputs) is tuple else tuple(inputs)
            t._backward = backward
        else:
            t.requires_grad = False
            t._a = None
        return t

    # --------------------------------------------------------------- dtypes
    def to(self, *args: Any, dtype: Any = None, device: Any = None, copy: builtins.bool = False,
           non_blocking: builtins.bool = False) -> Tensor:
        """A tensor of another dtype (differentiable), as ``torch.Tensor.to``: ``t.to(dtype)``,
        ``t.to(other)`` (other's dtype), ``t.to(device)``, ``t.to(device, dtype)``. nndl
        computes on the CPU: the device "cpu" changes nothing, a GPU is refused."""
        dtype = _to_arguments(args, dtype, device)
        if dtype is None or np.dtype(dtype) == self.dtype:
            return _ops.clone(self) if copy else self
        return _ops.to_dtype(self, np.dtype(dtype))

    def type(self, dtype=None):
        return str(self.dtype) if dtype is None else self.to(dtype)

    def float(self) -> Tensor:
        return self.to(float32)

    def double(self) -> Tensor:
        return self.to(float64)

    def half(self) -> Tensor:
        return self.to(np.float16)

    def long(self) -> Tensor:
        return self.to(int64)

    def int(self) -> Tensor:
        return self.to(np.int32)

    def short(self) -> Tensor:
        return self.to(np.int16)

    def char(self) -> Tensor:
        return self.to(np.int8)

    def byte(self) -> Tensor:
        return self.to(np.uint8)

    def bool(self) -> Tensor:
        return self.to(bool_)

    @property
    def device(self) -> Any:
        """Always the CPU (``nndl.device("cpu")``): nndl computes with NumPy."""
        return _CPU

    def cpu(self) -> Tensor:
        return self

    @property
    def is_cuda(self) -> builtins.bool:
        return False

    # -------------------------------------------------------------- autograd
    def backward(self, gradient: Any = None, retain_graph: builtins.bool = False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``, as ``torch.Tensor.backward``."""
        run_backward(self, gradient, retain_graph=retain_graph)

    # ------------------------------------------------------------- in place
    # (outside the graph, as optimisers and initialisers use them: under no_grad, on .data,
    # or on a tensor that records no graph; see _writable)
    def _writable(self, name: str) -> np.ndarray:
        """The values to change in place; a tensor whose graph is being recorded refuses, as
        PyTorch for a leaf that requires grad (nndl does not rewrite the graph of a non-leaf
        in place either): an op that saved the old values would compute a wrong gradient."""
        if self.requires_grad and (not _disabling or _grad_state.enabled):
            raise GraphError(f"{name}() changes a tensor that requires grad in place",
                             hint=f"use it inside `with nndl.no_grad():` or on x.data, or the "
                                  f"out-of-place form (x = x.{name.rstrip('_')}(...))")
        return self._arr

    def zero_(self) -> Tensor:
        self._writable("zero_")[...] = 0
        return self

    def fill_(self, value) -> Tensor:
        self._writable("fill_")[...] = _number_arg(value)
        return self

    def copy_(self, src) -> Tensor:
        self._writable("copy_")[...] = _as_array(src)
        return self

    def add_(self, other, alpha: builtins.float = 1.0) -> Tensor:
        other = _number_arg(other)
        data = self._writable("add_")
        if alpha == 1.0:
            data += other
        else:
            data += alpha * other
        return self

    def mul_(self, other) -> Tensor:
        data = self._writable("mul_")
        data *= _number_arg(other)
        return self

    def sub_(self, other, alpha: builtins.float = 1.0) -> Tensor:
        self._writable("sub_")
        return self.add_(other, alpha=-alpha)

    def _in_place(self, name: str, fn: Callable[[np.ndarray], Any]) -> Tensor:
        """Replace the values by fn(values), outside the graph (as the methods above); a
        tensor whose graph is being recorded refuses, as PyTorch for a leaf that requires
        grad (nndl does not rewrite the graph of a non-leaf in place either)."""
        data = self._writable(name)
        data[...] = fn(data)
        return self

    def div_(self, other, *, rounding_mode: Any = None) -> Tensor:
        return self._in_place("div_", lambda d: _ops.div(Tensor._wrap(d), other,
                                                           rounding_mode=rounding_mode)._arr)

    def pow_(self, exponent) -> Tensor:
        return self._in_place("pow_", lambda d: d ** _number_arg(exponent))

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return self._in_place("clamp_", lambda d: np.clip(d, _raw(min), _raw(max)))

    clip_ = clamp_

    def masked_fill_(self, mask, value) -> Tensor:
        return self._in_place("masked_fill_", lambda d: np.where(_raw(mask), _number_arg(value), d))

    def normal_(self, mean: builtins.float = 0.0, std: builtins.float = 1.0, *,
                generator: Any = None) -> Tensor:
        """Fill with samples of N(mean, std²) (nndl's generator), as ``torch.Tensor.normal_``."""
        rng = generator or _default_rng()
        return self._in_place("normal_", lambda d: rng.normal(mean, std, d.shape))

    def uniform_(self, a: builtins.float = 0.0, b: builtins.float = 1.0, *,
                 generator: Any = None) -> Tensor:
        """Fill with samples of U[a, b), as ``torch.Tensor.uniform_``."""
        rng = generator or _default_rng()
        return self._in_place("uniform_", lambda d: rng.uniform(a, b, d.shape))

    def bernoulli_(self, p: builtins.float = 0.5, *, generator: Any = None) -> Tensor:
        rng = generator or _default_rng()
        return self._in_place("bernoulli_", lambda d: rng.random(d.shape) < p)

    def exponential_(self, lambd: builtins.float = 1.0, *, generator: Any = None) -> Tensor:
        rng = generator or _default_rng()
        return self._in_place("exponential_", lambda d: rng.exponential(1 / lambd, d.shape))

    def random_(self, start: builtins.int = 0, end: builtins.int | None = None, *,
                generator: Any = None) -> Tensor:
        rng = generator or _default_rng()
        if end is None:
            start, end = 0, start
        return self._in_place("random_", lambda d: rng.integers(start, end, d.shape))

    def abs_(self) -> Tensor:
        return self._in_place("abs_", np.abs)

    def neg_(self) -> Tensor:
        return self._in_place("neg_", np.negative)

    def exp_(self) -> Tensor:
        return self._in_place("exp_", np.exp)

    def log_(self) -> Tensor:
        return self._in_place("log_", np.log)

    def sqrt_(self) -> Tensor:
        return self._in_place("sqrt_", np.sqrt)

    def relu_(self) -> Tensor:
        return self._in_place("relu_", lambda d: np.maximum(d, 0))

    def sigmoid_(self) -> Tensor:
        return self._in_place("sigmoid_", lambda d: _ops.sigmoid(Tensor._wrap(d))._arr)

    def tanh_(self) -> Tensor:
        return self._in_place("tanh_", np.tanh)

    def floor_(self) -> Tensor:
        return self._in_place("floor_", np.floor)

    def round_(self, decimals: builtins.int = 0) -> Tensor:
        return self._in_place("round_", lambda d: np.round(d, decimals))

    def squeeze_(self, dim: Any = None) -> Tensor:
        self._arr = _ops.squeeze(Tensor._wrap(self._arr), dim)._arr
        return self

    def unsqueeze_(self, dim: builtins.int) -> Tensor:
        self._arr = _ops.unsqueeze(Tensor._wrap(self._arr), dim)._arr
        return self

    # ------------------------------------------------------------ operators
    # The arithmetic operators (+ - * / ** @, unary -, abs) and the one-argument
    # methods that are ops (exp, log, tanh, sum, reshape, ...) are bound to this class
    # by nndl/engine/bind.py, straight to the op functions: ``a * b`` is one call.

    def __pos__(self):
        return self

    def __getitem__(self, index):
        return _ops.getitem(self, index)

    def __setitem__(self, index, value) -> None:
        """``x[index] = value``, as PyTorch. With no graph to record, the values change in
        place. When the value needs a gradient (or x is already a node), x becomes the
        output of an index-put node: the gradient of the written places goes to the value,
        that of the others to x's previous value. That is only sound when no other tensor
        of a graph holds x as an input (its gradient would then route through the
        assignment), which nndl checks by the reference count and refuses otherwise."""
        recording = not _disabling or _grad_state.enabled
        v_grad = isinstance(value, Tensor) and value.requires_grad
        if recording and self.requires_grad and self._a is None:
            raise GraphError("a leaf tensor that requires grad is used in an in-place "
                             "operation (x[...] = ...)",
                             hint="assign inside `with nndl.no_grad():`, or assign into a clone")
        if recording and (v_grad or self.requires_grad):
            readers = _readers_of(self, value) if v_grad else []
            # (the value's own readers of x are moved to x's old value below; any other op
            # holding x would send its gradient through the assignment: refuse then)
            if _held_by_a_graph(self, readers):
                raise GraphError(
                    "x[...] = value would need the gradient through x's old value, and x is "
                    "already an input of another op of a graph: nndl cannot tell which uses "
                    "saw the old values",
                    hint="build the result with nndl.where, nndl.cat or nndl.stack, or "
                         "assign into a fresh tensor (y = x.clone(); y[...] = value)")
            if self.dtype.kind != "f":
                raise GraphError(f"x[...] = value: a tensor of dtype {self.dtype} cannot take "
                                 "a value that requires grad", hint="convert x with .float()")
            # x's old value (its node, or its constants) moves to a new tensor, and the ops
            # of the value's graph that read x read that instead (x[1:] = x[1:] * 3)
            old = _new(Tensor)
            for slot in ("_d", "requires_grad", "_op", "_a", "_b", "_backward", "_saved"):
                if hasattr(self, slot):
                    setattr(old, slot, getattr(self, slot))
            if not self.requires_grad:
                old._a = None
            old._gv, old._users = None, 0
            for node in readers:
                _replace_input(node, self, old)
            node = _ops.index_put(old if self.requires_grad else None, self.shape, self.dtype,
                                  self._arr, index,
                                  value if isinstance(value, Tensor) else Tensor(value))
            self._d, self.requires_grad, self._op = node._d, True, node._op
            self._a, self._backward = node._a, node._backward
            return
        data = self._arr
        index = _ops._index(index)
        try:
            _ops._put(data, index, value._arr if isinstance(value, Tensor) else _numbers(value))
        except IndexError as exc:
            raise _ops.IndexOutOfRange(f"index {index!r} does not fit a tensor of shape "
                                       f"{data.shape}: {exc}",
                                       hint="indices run from -n to n-1 along each dim") from None
        except ValueError as exc:
            if "read-only" in str(exc):
                raise GraphError("x[...] = value: this tensor's values are read-only (an "
                                 "expanded view, or a parameter built on the meta device)",
                                 hint="make a copy with .clone() first") from None
            raise ShapeError(f"x[...] = value: the value does not fit the selected part of a "
                             f"tensor of shape {data.shape} ({exc})",
                             hint="the value must broadcast to the selected shape") from None

    def __iter__(self):
        if self.ndim == 0:
            raise ArgumentTypeError("iteration over a 0-d tensor",
                                    hint="a 0-d tensor holds one value: use .item()")
        return (self[i] for i in range(len(self)))

    # comparisons give bool tensors outside the graph, as in PyTorch
    def __lt__(self, o):
        return Tensor._wrap(np.asarray(self._value() < _number_arg(o)))

    def __le__(self, o):
        return Tensor._wrap(np.asarray(self._value() <= _number_arg(o)))

    def __gt__(self, o):
        return Tensor._wrap(np.asarray(self._value() > _number_arg(o)))

    def __ge__(self, o):
        return Tensor._wrap(np.asarray(self._value() >= _number_arg(o)))

    def eq(self, o) -> Tensor:
        return Tensor._wrap(np.asarray(self._value() == _raw(o)))

    def ne(self, o) -> Tensor:
        return Tensor._wrap(np.asarray(self._value() != _raw(o)))

    # --------------------------------------------------------- method forms
    # (only those whose signature differs from the op's; the rest are bound by bind.py)
    def var(self, dim=None, keepdim=False, *, unbiased=True, correction=None, axis=None,
            keepdims=None):
        return _ops.var(self, dim=dim, keepdim=keepdim, unbiased=unbiased,
                        correction=correction, axis=axis, keepdims=keepdims)

    def view(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], tuple | list | builtins.int | np.integer):
            return self.to(shape[0])  # view(dtype), for same-size dtypes as torch
        return _ops.reshape(self, *shape, op="view")

    def view_as(self, other: Tensor) -> Tensor:
        return _ops.reshape(self, other.shape, op="view")

    def reshape_as(self, other: Tensor) -> Tensor:
        return _ops.reshape(self, other.shape)

    def expand_as(self, other: Tensor) -> Tensor:
        return _ops.expand(self, other.shape)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def where(self, condition, y) -> Tensor:
        """``x.where(condition, y)``: x where condition holds, else y."""
        return _ops.where(condition, self, y)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        return self

    def is_contiguous(self, memory_format: Any = None) -> builtins.bool:
        return builtins.bool(self._arr.flags.c_contiguous)

    def is_floating_point(self) -> builtins.bool:
        return self.dtype.kind == "f"

    def element_size(self) -> builtins.int:
        return self.dtype.itemsize

    def std_mean(self, dim=None, keepdim=False, *, unbiased=True, correction=None):
        return _ops.std_mean(self, dim, keepdim, unbiased=unbiased, correction=correction)

    def var_mean(self, dim=None, keepdim=False, *, unbiased=True, correction=None):
        return _ops.var_mean(self, dim, keepdim, unbiased=unbiased, correction=correction)

    def new_tensor(self, data, dtype=None, requires_grad: builtins.bool = False) -> Tensor:
        return Tensor(data, requires_grad=requires_grad, dtype=self.dtype if dtype is None else dtype)

    def new_zeros(self, *size, dtype=None, requires_grad: builtins.bool = False) -> Tensor:
        shape = _ops._shape_arg(size)
        return Tensor(np.zeros(shape, dtype=self.dtype if dtype is None else dtype),
                      requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad: builtins.bool = False) -> Tensor:
        shape = _ops._shape_arg(size)
        return Tensor(np.ones(shape, dtype=self.dtype if dtype is None else dtype),
                      requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, requires_grad: builtins.bool = False) -> Tensor:
        return Tensor(np.full(tuple(size), fill_value, dtype=self.dtype if dtype is None else dtype),
                      requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, requires_grad: builtins.bool = False) -> Tensor:
        return self.new_zeros(*size, dtype=dtype, requires_grad=requires_grad)

    @property
    def T(self):
        return _ops.permute(self, *reversed(range(self.ndim)))

    def t(self):
        if self.ndim > 2:
            raise ShapeError(f"t() expects a tensor with at most 2 dimensions, got {self.ndim}",
                             hint="use transpose(dim0, dim1) or permute(...)")
        return self.T


def _number_arg(x):
    """The values of an operand of an in-place method or an order comparison: a tensor's, a
    Python number as is, anything else checked as tensor data is (None is not a number)."""
    if isinstance(x, Tensor):
        return x._value()
    tp = type(x)
    return x if tp is float or tp is int or tp is bool else _numbers(x)


def _raw(x):
    return x._value() if isinstance(x, Tensor) else x


def _unwrap(x):
    return x._arr if isinstance(x, Tensor) else x


class DataArray(np.ndarray):
    """What ``Tensor.data`` returns: the tensor's own values as a NumPy array (an
    ``ndarray`` subclass sharing the memory, so NumPy code takes it as it is) that also
    answers to the in-place methods PyTorch code calls on ``.data``: ``normal_``,
    ``uniform_``, ``fill_``, ``zero_``, ``copy_``, ``add_``, ``sub_``, ``mul_``, ``div_``,
    ``clamp_``, plus ``abs()``, ``numel()``, ``dim()``; and ``+=``, ``-=``, ``*=``, ``/=``
    and item assignment accept tensors. The engine itself computes on plain arrays."""

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))

    def _fill(self, values) -> DataArray:
        self[...] = values
        return self

    def normal_(self, mean: builtins.float = 0.0, std: builtins.float = 1.0, *,
                generator: Any = None) -> DataArray:
        return self._fill((generator or _default_rng()).normal(mean, std, self.shape))

    def uniform_(self, a: builtins.float = 0.0, b: builtins.float = 1.0, *,
                 generator: Any = None) -> DataArray:
        return self._fill((generator or _default_rng()).uniform(a, b, self.shape))

    def fill_(self, value) -> DataArray:
        return self._fill(_unwrap(value))

    def zero_(self) -> DataArray:
        return self._fill(0)

    def copy_(self, src) -> DataArray:
        return self._fill(_unwrap(src))

    def add_(self, other, *, alpha: builtins.float = 1.0) -> DataArray:
        self += alpha * _unwrap(other) if alpha != 1 else _unwrap(other)
        return self

    def sub_(self, other, *, alpha: builtins.float = 1.0) -> DataArray:
        self -= alpha * _unwrap(other) if alpha != 1 else _unwrap(other)
        return self

    def mul_(self, other) -> DataArray:
        self *= _unwrap(other)
        return self

    def div_(self, other) -> DataArray:
        self /= _unwrap(other)
        return self

    def clamp_(self, min: Any = None, max: Any = None) -> DataArray:  # noqa: A002
        return self._fill(np.clip(self, _unwrap(min), _unwrap(max)))

    def abs(self) -> np.ndarray:
        return np.abs(self)

    def numel(self) -> builtins.int:
        return builtins.int(self.size)

    def dim(self) -> builtins.int:
        return self.ndim

    def __iadd__(self, other):  # type: ignore[misc]  # (NumPy's stubs pair it with __add__)
        return super().__iadd__(_unwrap(other))

    def __isub__(self, other):  # type: ignore[misc]  # (NumPy's stubs pair it with __sub__)
        return super().__isub__(_unwrap(other))

    def __imul__(self, other):  # type: ignore[misc]  # (NumPy's stubs pair it with __mul__)
        return super().__imul__(_unwrap(other))

    def __itruediv__(self, other):  # type: ignore[misc]  # (NumPy's stubs pair it with __truediv__)
        return super().__itruediv__(_unwrap(other))

    def __setitem__(self, index, value) -> None:
        super().__setitem__(index, _unwrap(value))


class device:  # noqa: N801 - PyTorch's name
    """A device, as ``torch.device``; nndl has one, the CPU (``device("cpu")``)."""

    def __init__(self, type: str = "cpu", index: int | None = None):  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        name, _, idx = str(type).partition(":")
        self.type = name
        self.index = int(idx) if idx else index

    def __repr__(self) -> str:
        extra = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{extra})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        other = device(other) if isinstance(other, str) else other
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


_CPU = device("cpu")
_DEVICE_NAMES = ("cpu", "cuda", "mps", "meta", "xpu")


def _to_arguments(args: tuple, dtype: Any, device: Any) -> Any:
    """The dtype asked for by ``.to(*args, dtype=, device=)`` (Tensor's and Module's): a
    dtype, a tensor (its dtype) or a device in any order; a device other than the CPU is
    refused."""
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif _is_device(a):
            device = a
        else:
            dtype = a
    if device is not None:
        _check_device(device)
    return dtype


def _is_device(x) -> bool:
    return isinstance(x, device) or (isinstance(x, str) and x.partition(":")[0] in _DEVICE_NAMES)


def _check_device(d) -> None:
    if device(d).type != "cpu":
        raise GraphError(f"nndl computes on the CPU only, not on {str(device(d))!r}",
                         hint="use the device 'cpu' (nndl.cuda.is_available() is False)")


_COMPARABLE = (Tensor, int, float, complex, np.ndarray, np.generic, list, tuple)


def _readers_of(target: Tensor, value: Tensor) -> list[Tensor]:
    """The nodes of ``value``'s graph that have ``target`` as an input, once per reference
    (a node that reads target twice is listed twice); target's own history is not walked."""
    found: list[Tensor] = []
    seen = {id(value)}
    stack = [value]
    while stack:
        node = stack.pop()
        for inp in node._inputs:
            if inp is target:
                found.append(node)
            elif inp.requires_grad and inp._a is not None and id(inp) not in seen:
                seen.add(id(inp))
                stack.append(inp)
    return found


def _replace_input(node: Tensor, old: Tensor, new: Tensor) -> None:
    a = node._a
    if type(a) is tuple:
        node._a = tuple(new if i is old else i for i in a)
        return
    if a is old:
        node._a = new
    if node._b is old:
        node._b = new


def _held_by_a_graph(target: Tensor, readers: list[Tensor]) -> bool:
    """Whether an op of some graph, other than ``readers``, holds ``target`` as an input: an
    array-path node holds its inputs in a tuple (and its backward closure may hold them in
    cells), a scalar-path node in its slots. The garbage collector lists what refers to
    target (a variable, list or dict holding it is fine); only differentiable assignments
    ask, so its cost (a pass over the live objects) is not on any hot path."""
    allowed = {id(r._a) for r in readers} | {id(r) for r in readers}
    for ref in gc.get_referrers(target):
        if id(ref) in allowed:
            continue
        if isinstance(ref, tuple | Tensor) or type(ref) is _CellType:
            return True
    return False


_CellType = type((lambda x: lambda: x)(0).__closure__[0])  # type: ignore[index]


# ------------------------------------------------------------------ the walk
def topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor ``root`` depends on (itself last), each after all of its inputs.

    Depth-first over ``inputs`` in argument order, with an explicit stack: deep graphs
    (chains of 10^5 ops) need no recursion, and the same graph always gives the same
    order, which drawings and traces rely on.
    """
    order: list[Tensor] = []
    seen = {root}
    stack: list[tuple[Tensor, Iterator[Tensor]]] = [(root, iter(root._inputs))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if child not in seen:
                seen.add(child)
                stack.append((child, iter(child._inputs)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def reference_backward(root: Tensor, gradient: Any = None) -> dict[Tensor, np.ndarray]:
    """The readable definition of backpropagation, as micrograd writes it: put the graph in
    topological order, then walk it once in reverse, and at each node multiply the
    gradient that reached it by its local derivatives (its op's ``backward``) and add the
    results into its inputs. Returns {tensor: ∂root/∂tensor} for every tensor in the graph
    that requires grad, and changes nothing (no ``.grad``, the graph stays usable).

    :func:`run_backward` computes the same numbers faster (no sort, gradients summed in
    place, graphs freed as they go, a lean loop for scalar graphs); tests check on random
    graphs that the two agree (tests/test_reference_backward.py).
    """
    d = root._d
    seed = np.ones_like(np.asarray(d)) if gradient is None else _as_array(gradient, root.dtype)
    grads: dict[Tensor, Any] = {root: seed}
    for node in reversed(topological_order(root)):
        g = grads.get(node)
        if g is None or node._a is None or not node.requires_grad:
            continue  # a leaf, or nothing flows through this node
        if node._backward is _freed:
            raise _freed_error(node)
        if type(node._a) is tuple:  # an array-path node: backward(g) -> one gradient per input
            local = node._backward(g)
        else:  # a scalar-path node: backward(g, saved) -> one gradient, or two
            local = node._backward(g, node._saved)
            if node._b is None:
                local = (local,)
        for inp, gi in zip(node._inputs, local, strict=True):
            if gi is None or not inp.requires_grad:
                continue
            gi = _reduce_to_shape(gi, inp.shape, inp.dtype)
            grads[inp] = gi if inp not in grads else grads[inp] + gi
    return {t: np.asarray(g) for t, g in grads.items() if t.requires_grad}

