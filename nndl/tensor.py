"""``Tensor``: a NumPy array that remembers how it was made, and reverse-mode autodiff.

Every tensor produced by an op keeps its op name, its inputs and a ``backward``
closure that maps the gradient of the output to the gradients of the inputs.
The closure captures the inputs and whatever arrays it needs, never the output
itself, so a graph holds no reference cycles and is freed by reference counting
alone. The ops live in :mod:`nndl.ops`, each with its forward and backward side
by side.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from nndl.errors import GraphError

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)

BackwardFn = Callable[[np.ndarray], Sequence["np.ndarray | None"]]

_state = threading.local()


def is_grad_enabled() -> bool:
    return getattr(_state, "grad_enabled", True)


class _GradMode(contextlib.ContextDecorator):
    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __enter__(self):
        self.prev = is_grad_enabled()
        _state.grad_enabled = self.enabled

    def __exit__(self, *exc):
        _state.grad_enabled = self.prev
        return False


def no_grad() -> _GradMode:
    """Context manager (and decorator) in which ops record no graph, as ``torch.no_grad``."""
    return _GradMode(False)


def enable_grad() -> _GradMode:
    return _GradMode(True)


def _as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert to an ndarray with PyTorch's default dtypes (float32 unless float64 was given)."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return np.asarray(data, dtype=np.dtype(dtype))
    if isinstance(data, np.ndarray | np.generic):
        arr = np.asarray(data)
        if arr.dtype.kind == "f" and arr.dtype not in (float32, float64):
            arr = arr.astype(float32)  # float16 etc. are computed in float32
        return arr
    arr = np.asarray(data)
    if arr.dtype.kind == "f":
        return arr.astype(float32)
    if arr.dtype.kind in "iu":
        return arr.astype(int64)
    return arr


class Tensor:
    """An n-dimensional array with gradient tracking, named and behaving as ``torch.Tensor``."""

    __slots__ = ("data", "requires_grad", "_grad", "_op", "_inputs", "_backward", "_retains_grad",
                 "_freed", "name", "__weakref__")
    # NumPy defers to our reflected operators (ndarray * Tensor -> Tensor.__rmul__).
    __array_ufunc__ = None

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None):
        self.data: np.ndarray = _as_array(data, dtype)
        if requires_grad and self.data.dtype.kind not in "fc":
            raise GraphError(
                f"only floating-point tensors can require gradients, got dtype {self.data.dtype}",
                hint="create it with dtype=nndl.float32 or a float literal such as 1.0",
            )
        self.requires_grad: bool = bool(requires_grad)
        self._grad: np.ndarray | None = None
        self._op: str = ""
        self._inputs: tuple[Tensor, ...] = ()
        self._backward: BackwardFn | None = None
        self._retains_grad: bool = False
        self._freed: bool = False
        self.name: str | None = None

    # ----------------------------------------------------------------- basics
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size_(self) -> int:
        return self.data.size

    def size(self, dim: int | None = None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def numel(self) -> int:
        return int(self.data.size)

    def dim(self) -> int:
        return self.data.ndim

    def __len__(self) -> int:
        return len(self.data)

    def numpy(self) -> np.ndarray:
        return self.data

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and np.dtype(dtype) != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def item(self) -> float | int | bool:
        if self.data.size != 1:
            raise GraphError(f"item() needs a tensor with one element, this one has shape {self.shape}")
        return self.data.reshape(()).item()

    def tolist(self):
        return self.data.tolist()

    @property
    def op(self) -> str:
        """Name of the op that made this tensor ('' for a leaf)."""
        return self._op

    @property
    def inputs(self) -> tuple[Tensor, ...]:
        """The tensors this one was computed from, in argument order."""
        return self._inputs

    @property
    def is_leaf(self) -> bool:
        return not self._inputs or not self.requires_grad

    @property
    def grad(self) -> Tensor | None:
        """Accumulated gradient (a Tensor sharing memory with the stored array), or None."""
        return None if self._grad is None else Tensor._wrap(self._grad)

    @grad.setter
    def grad(self, value) -> None:
        self._grad = None if value is None else np.array(_as_array(value), dtype=self.dtype)

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on a non-leaf tensor after backward, as ``torch.Tensor.retain_grad``."""
        self._retains_grad = True
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self._inputs:
            raise GraphError("requires_grad_() can only change leaf tensors",
                             hint="use .detach().requires_grad_() to make a new leaf")
        if requires_grad and self.data.dtype.kind not in "fc":
            raise GraphError(f"only floating-point tensors can require gradients, got {self.dtype}")
        self.requires_grad = requires_grad
        return self

    def detach(self) -> Tensor:
        return Tensor._wrap(self.data)

    def clone(self) -> Tensor:
        return _ops().clone(self)

    def zero_grad(self) -> None:
        self._grad = None

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", prefix="tensor(",
                               threshold=60, edgeitems=3)
        extras = []
        if self.data.dtype not in (float32, int64, bool_):
            extras.append(f"dtype={self.data.dtype}")
        if self._op and self.requires_grad:
            extras.append(f"op={self._op}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        return int(self.item())

    # ---------------------------------------------------------- construction
    @staticmethod
    def _wrap(data: np.ndarray) -> Tensor:
        """A leaf around an existing array, without conversion or copy."""
        t = Tensor.__new__(Tensor)
        t.data = data
        t.requires_grad = False
        t._grad = None
        t._op = ""
        t._inputs = ()
        t._backward = None
        t._retains_grad = False
        t._freed = False
        t.name = None
        return t

    @staticmethod
    def _make(data: np.ndarray, op: str, inputs: tuple[Tensor, ...], backward: BackwardFn) -> Tensor:
        """The output of an op: records the graph only when some input needs a gradient."""
        t = Tensor._wrap(data)
        if is_grad_enabled() and any(i.requires_grad for i in inputs):
            t.requires_grad = True
            t._op = op
            t._inputs = inputs
            t._backward = backward
        return t

    # --------------------------------------------------------------- dtypes
    def to(self, dtype) -> Tensor:
        return _ops().to_dtype(self, np.dtype(dtype))

    def float(self) -> Tensor:
        return self.to(float32)

    def double(self) -> Tensor:
        return self.to(float64)

    def long(self) -> Tensor:
        return self.to(int64)

    # -------------------------------------------------------------- autograd
    def backward(self, gradient: Any = None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``, as ``torch.Tensor.backward``."""
        run_backward(self, gradient, retain_graph=retain_graph)

    # ------------------------------------------------------------- in place
    def zero_(self) -> Tensor:
        self.data[...] = 0
        return self

    def fill_(self, value) -> Tensor:
        self.data[...] = value
        return self

    def copy_(self, src) -> Tensor:
        self.data[...] = _as_array(src)
        return self

    def add_(self, other, alpha: float = 1.0) -> Tensor:
        other = other.data if isinstance(other, Tensor) else other
        if alpha == 1.0:
            self.data += other
        else:
            self.data += alpha * other
        return self

    def mul_(self, other) -> Tensor:
        self.data *= other.data if isinstance(other, Tensor) else other
        return self

    def sub_(self, other, alpha: float = 1.0) -> Tensor:
        return self.add_(other, alpha=-alpha)

    # ------------------------------------------------------------ operators
    def __add__(self, o):
        return _ops().add(self, o)

    def __radd__(self, o):
        return _ops().add(o, self)

    def __sub__(self, o):
        return _ops().sub(self, o)

    def __rsub__(self, o):
        return _ops().sub(o, self)

    def __mul__(self, o):
        return _ops().mul(self, o)

    def __rmul__(self, o):
        return _ops().mul(o, self)

    def __truediv__(self, o):
        return _ops().div(self, o)

    def __rtruediv__(self, o):
        return _ops().div(o, self)

    def __pow__(self, o):
        return _ops().pow(self, o)

    def __rpow__(self, o):
        return _ops().pow(o, self)

    def __neg__(self):
        return _ops().neg(self)

    def __pos__(self):
        return self

    def __matmul__(self, o):
        return _ops().matmul(self, o)

    def __rmatmul__(self, o):
        return _ops().matmul(o, self)

    def __abs__(self):
        return _ops().abs(self)

    def __getitem__(self, index):
        return _ops().getitem(self, index)

    # comparisons give bool tensors outside the graph, as in PyTorch
    def __lt__(self, o):
        return Tensor._wrap(self.data < _raw(o))

    def __le__(self, o):
        return Tensor._wrap(self.data <= _raw(o))

    def __gt__(self, o):
        return Tensor._wrap(self.data > _raw(o))

    def __ge__(self, o):
        return Tensor._wrap(self.data >= _raw(o))

    def eq(self, o) -> Tensor:
        return Tensor._wrap(self.data == _raw(o))

    def ne(self, o) -> Tensor:
        return Tensor._wrap(self.data != _raw(o))

    # --------------------------------------------------------- method forms
    def matmul(self, o):
        return _ops().matmul(self, o)

    def exp(self):
        return _ops().exp(self)

    def log(self):
        return _ops().log(self)

    def sqrt(self):
        return _ops().sqrt(self)

    def abs(self):
        return _ops().abs(self)

    def sin(self):
        return _ops().sin(self)

    def cos(self):
        return _ops().cos(self)

    def tanh(self):
        return _ops().tanh(self)

    def sigmoid(self):
        return _ops().sigmoid(self)

    def relu(self):
        return _ops().relu(self)

    def pow(self, exponent):
        return _ops().pow(self, exponent)

    def clamp(self, min=None, max=None):  # noqa: A002 - PyTorch's argument names
        return _ops().clamp(self, min, max)

    clip = clamp

    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops().sum(self, dim=dim, keepdim=keepdim, axis=axis, keepdims=keepdims)

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops().mean(self, dim=dim, keepdim=keepdim, axis=axis, keepdims=keepdims)

    def var(self, dim=None, keepdim=False, *, unbiased=True, axis=None, keepdims=None):
        return _ops().var(self, dim=dim, keepdim=keepdim, unbiased=unbiased, axis=axis,
                          keepdims=keepdims)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops().max(self, dim=dim, keepdim=keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops().min(self, dim=dim, keepdim=keepdim, axis=axis, keepdims=keepdims)

    def amax(self, dim=None, keepdim=False):
        return _ops().amax(self, dim=dim, keepdim=keepdim)

    def amin(self, dim=None, keepdim=False):
        return _ops().amin(self, dim=dim, keepdim=keepdim)

    def argmax(self, dim=None, keepdim=False):
        return _ops().argmax(self, dim=dim, keepdim=keepdim)

    def argmin(self, dim=None, keepdim=False):
        return _ops().argmin(self, dim=dim, keepdim=keepdim)

    def reshape(self, *shape):
        return _ops().reshape(self, *shape)

    def view(self, *shape):
        return _ops().reshape(self, *shape, op="view")

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        return _ops().flatten(self, start_dim, end_dim)

    def transpose(self, dim0: int, dim1: int):
        return _ops().transpose(self, dim0, dim1)

    def permute(self, *dims):
        return _ops().permute(self, *dims)

    @property
    def T(self):
        return _ops().permute(self, *reversed(range(self.ndim)))

    def t(self):
        return self.T

    def unsqueeze(self, dim: int):
        return _ops().unsqueeze(self, dim)

    def squeeze(self, dim=None):
        return _ops().squeeze(self, dim)

    def expand(self, *shape):
        return _ops().expand(self, *shape)

    def softmax(self, dim: int = -1):
        return _ops().softmax(self, dim)

    def log_softmax(self, dim: int = -1):
        return _ops().log_softmax(self, dim)


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


@functools.cache
def _ops():
    from nndl import ops

    return ops


# ------------------------------------------------------------------ the walk
def topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor ``root`` depends on, inputs before users, in a deterministic order.

    Iterative depth-first search over ``inputs`` in argument order, so deep graphs
    (chains of 10^5 ops) need no recursion and the same graph always gives the same
    order, which drawings and traces rely on.
    """
    order: list[Tensor] = []
    seen: set[int] = {id(root)}
    stack: list[tuple[Tensor, Iterator[Tensor]]] = [(root, iter(root._inputs))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append((child, iter(child._inputs)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


EdgeHook = Callable[[Tensor, int, Tensor, np.ndarray], None]


def run_backward(root: Tensor, gradient: Any = None, *, retain_graph: bool = False,
                 on_edge: EdgeHook | None = None) -> None:
    """Reverse-mode sweep from ``root``.

    ``on_edge(node, k, input, contribution)`` is called for each gradient that flows
    from ``node`` into its ``k``-th input, in the order the sweep computes them; the
    computational-graph tracer uses it to show every term of the chain rule.
    """
    if not root.requires_grad:
        raise GraphError(
            "backward() on a tensor that does not require grad: nothing in its graph was "
            "created with requires_grad=True (or it was computed under no_grad())",
            hint="create the inputs with requires_grad=True",
        )
    if gradient is None:
        if root.data.size != 1:
            raise GraphError(
                f"backward() without a gradient needs a scalar, this tensor has shape {root.shape}",
                hint="call .sum() first or pass gradient= with the same shape",
            )
        seed = np.ones_like(root.data)
    else:
        seed = _as_array(gradient, root.dtype)
        if seed.shape != root.shape:
            raise GraphError(f"gradient has shape {seed.shape} but the tensor has shape {root.shape}")

    order = topological_order(root)
    # grads[id] = [array, owned]; an array we did not allocate is copied before += into it.
    grads: dict[int, list] = {id(root): [seed, False]}
    for node in reversed(order):
        entry = grads.pop(id(node), None)
        if entry is None:
            continue
        g = entry[0]
        if node._inputs:
            if node._retains_grad:
                _accumulate_leaf(node, g, entry[1])
            if node._backward is None:
                if node._freed:
                    raise GraphError(
                        f"backward through the graph a second time (at op '{node._op}'): its "
                        "saved values were freed by the first backward()",
                        hint="pass retain_graph=True to the first backward() call",
                    )
                continue
            input_grads = node._backward(g)
            if not retain_graph:
                node._backward = None
                node._freed = True
            for k, (inp, ig) in enumerate(zip(node._inputs, input_grads, strict=True)):
                if ig is None or not inp.requires_grad:
                    continue
                ig = _reduce_to_shape(np.asarray(ig), inp.data.shape, inp.data.dtype)
                if on_edge is not None:
                    on_edge(node, k, inp, ig)
                slot = grads.get(id(inp))
                if slot is None:
                    grads[id(inp)] = [ig, ig is not g and ig.base is None]
                elif slot[1]:
                    slot[0] += ig
                else:
                    slot[0] = slot[0] + ig
                    slot[1] = True
        elif node.requires_grad:
            _accumulate_leaf(node, g, entry[1])


def _accumulate_leaf(node: Tensor, g: np.ndarray, owned: bool) -> None:
    if node._grad is None:
        node._grad = g if owned else g.copy()
    else:
        node._grad += g


def _reduce_to_shape(g: np.ndarray, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Sum a broadcast gradient back to the input's shape (NumPy broadcasting in reverse)."""
    if g.shape != shape:
        lead = g.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1
        )
        if axes:
            g = g.sum(axis=axes, keepdims=True)
        g = g.reshape(shape)
    if g.dtype != dtype:
        g = g.astype(dtype)
    return g
