"""The backward sweep as it runs: the speed machinery behind ``Tensor.backward()``.

:func:`nndl.engine.tensor.reference_backward` is the definition (topological order, then
one reverse loop); :func:`run_backward` computes the same gradients faster, as PyTorch's
engine does: it counts each tensor's uses in the graph, then passes gradients down from
the root, and a tensor passes its own on once all of its uses have delivered theirs (no
sort, no recursion, no dict keyed by tensors: the bookkeeping lives in the tensors' slots
``_users`` and ``_gacc``). Gradients are summed in place where that is safe, a scalar-path
node (:mod:`nndl.engine.scalar`) takes a bare loop of its own, and without
``retain_graph`` each node's saved values are freed as soon as it is done.
tests/test_reference_backward.py checks on random graphs that both give the same numbers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from nndl.errors import GraphError

if TYPE_CHECKING:
    from nndl.engine.tensor import Tensor

_ndarray = np.ndarray
_ONE32 = np.float32(1)


class _FreedNode(Exception):
    """Raised by the rule of a node that backward() has freed (see _sweep)."""


def _freed(g, saved=None):
    raise _FreedNode


def _freed_error(node: Tensor) -> GraphError:
    return GraphError(
        f"backward through the graph a second time (at op '{node._op}'): its saved "
        "values were freed by the first backward()",
        hint="pass retain_graph=True to the first backward() call",
    )


EdgeHook = Callable[["Tensor", int, "Tensor", np.ndarray], None]


def run_backward(root: Tensor, gradient: Any = None, *, retain_graph: bool = False,
                 on_edge: EdgeHook | None = None) -> None:
    """Reverse-mode sweep from ``root``: accumulate gradients into every leaf's ``.grad``.

    As PyTorch's engine: first count, for each tensor that needs a gradient, its uses
    inside the graph; then pass gradients down from ``root``, and a tensor passes its
    own on once all of its uses have delivered theirs (so no sort, no recursion). The
    order is deterministic. Without ``retain_graph`` each node's saved values are
    released as soon as it is done, and a second sweep through it raises ``GraphError``.
    ``on_edge(node, k, input, contribution)`` is called for each gradient that flows
    from ``node`` into its ``k``-th input, in sweep order; the computational-graph
    tracer uses it to show every term of the chain rule.
    """
    if not root.requires_grad:
        raise GraphError(
            "backward() on a tensor that does not require grad: nothing in its graph was "
            "created with requires_grad=True (or it was computed under no_grad())",
            hint="create the inputs with requires_grad=True",
        )
    if gradient is None:
        if root.numel() != 1:
            raise GraphError(
                f"backward() without a gradient needs a scalar, this tensor has shape {root.shape}",
                hint="call .sum() first or pass gradient= with the same shape",
            )
        d = root._d
        tp = type(d)
        seed = np.ones_like(d) if tp is _ndarray else (1.0 if tp is float else _ONE32)
    else:
        from nndl.engine.tensor import _as_array  # (tensor.py imports this module)

        seed = _as_array(gradient, root.dtype)
        if seed.shape != root.shape:
            raise GraphError(f"gradient has shape {seed.shape} but the tensor has shape "
                             f"{root.shape}", hint="pass a gradient of the output's shape")

    with _backward_lock:  # the bookkeeping lives on the tensors: one sweep at a time
        _run(root, seed, retain_graph, on_edge)


_backward_lock = threading.RLock()


def _run(root: Tensor, seed, retain_graph: bool, on_edge: EdgeHook | None) -> None:
    try:
        stack = _count_uses(root)
        root._gacc = seed
        stack.append(root)  # the stack now holds the tensors whose gradient is complete
        _sweep(stack, retain_graph, on_edge)
    except BaseException:
        _reset(root)  # leave no half-counted tensors behind for the next backward()
        raise


def _count_uses(root: Tensor) -> list[Tensor | None]:
    """Pass 1: each tensor's uses inside this graph, kept on the tensors themselves
    (attribute access is much cheaper than a dict keyed by 10^5 tensors).

    Both passes work a stack that sits on a block of None sentinels: a pop that returns
    None ends the pass, and the list never gets short. (CPython reallocates a list that
    falls under half its capacity, and a stack that hovers at a few tensors, as it does
    on a long chain, would do that on most pops.)
    """
    stack: list[Tensor | None] = [None] * 8
    pop, push = stack.pop, stack.append
    push(root)
    while (node := pop()) is not None:
        a = node._a
        if a is None:  # a leaf
            continue
        if type(a) is tuple:  # an array-path node: all its inputs
            for inp in a:
                if inp.requires_grad:
                    n = inp._users
                    if n:
                        inp._users = n + 1
                    else:
                        inp._users = 1
                        inp._gacc = None
                        push(inp)
            continue
        # a scalar-path node: inputs _a and _b (or None), the same code written out
        if a.requires_grad:
            n = a._users
            if n:
                a._users = n + 1
            else:
                a._users = 1
                a._gacc = None
                push(a)
        b = node._b
        if b is not None and b.requires_grad:
            n = b._users
            if n:
                b._users = n + 1
            else:
                b._users = 1
                b._gacc = None
                push(b)
    return stack


def _sweep(stack: list[Tensor | None], retain_graph: bool, on_edge: EdgeHook | None) -> None:
    pop, push = stack.pop, stack.append
    owned: set[Tensor] = set()  # whose gradient array was allocated here (safe to += into)
    scalar_ok = on_edge is None
    ndarray = np.ndarray
    node = None
    try:
        while (node := pop()) is not None:  # (None: the sentinels under the stack, see above)
            g = node._gacc
            a = node._a
            if a is None:  # a leaf
                node._gacc = None
                if g is not None:
                    if node._gv is None and type(g) is not ndarray:
                        node._gv = g  # a scalar: immutable, kept as is
                    else:
                        _accumulate(node, g, node in owned)
                continue
            bw = node._backward
            if type(a) is not tuple and scalar_ok and g is not None:
                # a scalar-path node (see Tensor._scalar): its rule returns scalars of the
                # node's dtype, so there is nothing to reduce or check; this loop is the
                # whole backward of a micrograd-style graph, hence the bare code, written
                # out for each of the two inputs. Its gradient, a scalar, stays in _gacc
                # (the next backward resets it), and a freed node's rule raises _FreedNode.
                b = node._b
                if b is None:
                    ga = bw(g, node._saved)
                else:
                    ga, gb = bw(g, node._saved)
                if not retain_graph:
                    node._backward = _freed
                    node._saved = None
                if a.requires_grad:
                    s = a._gacc
                    a._gacc = ga if s is None else s + ga
                    n = a._users - 1
                    a._users = n
                    if not n:
                        push(a)
                if b is not None and b.requires_grad:
                    s = b._gacc
                    b._gacc = gb if s is None else s + gb
                    n = b._users - 1
                    b._users = n
                    if not n:
                        push(b)
                continue
            node._gacc = None
            if bw is _freed:
                raise _FreedNode
            _general_step(node, g, push, owned, retain_graph, on_edge)
    except _FreedNode:  # raised at a node (by its rule or the check above): node is set
        raise _freed_error(cast("Tensor", node)) from None


def _general_step(node: Tensor, g, push, owned: set[Tensor], retain_graph: bool,
                  on_edge: EdgeHook | None) -> None:
    """One node of the sweep in general: array gradients reduced to each input's shape and
    summed in place where that is safe, retained gradients, on_edge reports."""
    a = node._a
    inputs = node._inputs
    if g is None:  # every use passed None: nothing to propagate, but count the uses
        for inp in inputs:
            if inp.requires_grad:
                n = inp._users - 1
                inp._users = n
                if not n:
                    push(inp)
        return
    if node._retains_grad:
        _accumulate(node, g, False)
    if type(a) is tuple:
        input_grads = node._backward(g)
    else:  # a scalar-path node (with on_edge): its rule's convention
        input_grads = node._backward(g, node._saved)
        if len(inputs) == 1:
            input_grads = (input_grads,)
    if not retain_graph:
        node._backward = _freed
        if type(a) is not tuple:
            node._saved = None
    ndarray = np.ndarray
    for k, (inp, ig) in enumerate(zip(inputs, input_grads, strict=True)):
        if not inp.requires_grad:
            continue
        if ig is not None:
            ig = _reduce_to_shape(ig, inp.shape, inp.dtype)
            if on_edge is not None:
                on_edge(node, k, inp, np.asarray(ig))
            s = inp._gacc
            if s is None:
                inp._gacc = ig
                if type(ig) is ndarray and ig is not g and ig.base is None:
                    owned.add(inp)
            elif type(s) is ndarray and inp in owned:
                s += ig
            else:
                inp._gacc = s + ig
                owned.add(inp)
        n = inp._users - 1
        inp._users = n
        if not n:
            push(inp)


def _reset(root: Tensor) -> None:
    """Clear the sweep's bookkeeping on every tensor of the graph (after an error)."""
    seen = {root}
    stack = [root]
    while stack:
        node = stack.pop()
        node._users = 0
        node._gacc = None
        for inp in node._inputs:
            if inp not in seen:
                seen.add(inp)
                stack.append(inp)


def _accumulate(node: Tensor, g, owned: bool) -> None:
    """Add ``g`` into ``node._gv`` (in place when it is an array; ``owned``: ``g`` may be kept)."""
    cur = node._gv
    if cur is None:
        node._gv = g.copy() if type(g) is np.ndarray and not owned else g
    elif type(cur) is np.ndarray:
        cur += g
    else:
        node._gv = cur + g


def _reduce_to_shape(g, shape: tuple[int, ...], dtype: np.dtype):
    """Sum a broadcast gradient back to the input's shape (NumPy broadcasting in reverse)."""
    if not isinstance(g, np.ndarray | np.generic):
        g = np.asarray(g, dtype=dtype)
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
