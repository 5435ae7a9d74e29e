"""The fast backward sweep (run_backward) against the engine's readable definition
(reference_backward: topological order, one reverse loop), on random graphs with shared
subexpressions, broadcasting, scalar-path and array-path nodes; and the reference against
PyTorch on the same graphs, so that the definition itself is checked too."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import require_torch

import nndl
from nndl.engine.tensor import reference_backward

torch = require_torch()

SHAPES = [(), (3,), (2, 3)]
UNARY = {
    "neg": (lambda t: -t, lambda t: -t),
    "tanh": (lambda t: t.tanh(), lambda t: t.tanh()),
    "sigmoid": (lambda t: t.sigmoid(), lambda t: t.sigmoid()),
    "exp_small": (lambda t: (t * 0.1).exp(), lambda t: (t * 0.1).exp()),
    "square": (lambda t: t * t, lambda t: t * t),
    "relu": (lambda t: t.relu(), lambda t: t.relu()),
    "log1p_sq": (lambda t: (t * t + 1).log(), lambda t: (t * t + 1).log()),
}
BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / (b * b + 1), lambda a, b: a / (b * b + 1)),
}


@st.composite
def graphs(draw):
    """A recipe: leaves (shape per leaf, or 'float' for a scalar-path Python float) and a
    list of ops, each naming earlier values by index (so values are reused)."""
    scalar_path = draw(st.booleans())
    n_leaves = draw(st.integers(1, 4))
    shapes = ["float"] * n_leaves if scalar_path else [draw(st.sampled_from(SHAPES))
                                                        for _ in range(n_leaves)]
    values = [draw(st.lists(st.floats(-2, 2, width=32), min_size=6, max_size=6))
              for _ in range(n_leaves)]
    steps = []
    for i in range(draw(st.integers(1, 12))):
        pool = n_leaves + i
        if draw(st.booleans()):
            steps.append(("u", draw(st.sampled_from(sorted(UNARY))), draw(st.integers(0, pool - 1))))
        else:
            steps.append(("b", draw(st.sampled_from(sorted(BINARY))),
                          draw(st.integers(0, pool - 1)), draw(st.integers(0, pool - 1))))
    return shapes, values, steps


def _leaf(shape, numbers, lib):
    if shape == "float":
        v = float(numbers[0])
        return (nndl.tensor(v, requires_grad=True, dtype=nndl.float64) if lib == "nndl"
                else torch.tensor(v, dtype=torch.float64, requires_grad=True))
    arr = np.array(numbers[:int(np.prod(shape))] if shape else numbers[0], dtype=np.float64)
    arr = arr.reshape(shape)
    return (nndl.tensor(arr, requires_grad=True) if lib == "nndl"
            else torch.tensor(arr, requires_grad=True))


def _build(recipe, lib):
    shapes, values, steps = recipe
    leaves = [_leaf(s, v, lib) for s, v in zip(shapes, values, strict=True)]
    vals = list(leaves)
    k = 0 if lib == "nndl" else 1
    for step in steps:
        if step[0] == "u":
            vals.append(UNARY[step[1]][k](vals[step[2]]))
        else:
            vals.append(BINARY[step[1]][k](vals[step[2]], vals[step[3]]))
    root = vals[-1]
    for extra in vals[len(leaves):-1:3]:  # a few more uses of intermediate values
        root = root + extra
    root = root.sum() if root.shape != () else root
    return leaves, root


@settings(max_examples=80)
@given(graphs())
def test_fast_sweep_equals_the_reference_definition(recipe):
    leaves, root = _build(recipe, "nndl")
    ref = reference_backward(root)
    root.backward()
    for i, leaf in enumerate(leaves):
        expected = ref.get(leaf)
        got = leaf.grad
        if expected is None:  # the leaf does not reach the root
            assert got is None or np.all(np.asarray(got.data) == 0), i
            continue
        np.testing.assert_allclose(np.asarray(got.data), expected, rtol=1e-12, atol=1e-12,
                                   err_msg=f"leaf {i}")


@settings(max_examples=40)
@given(graphs())
def test_the_reference_definition_matches_torch(recipe):
    leaves, root = _build(recipe, "nndl")
    t_leaves, t_root = _build(recipe, "torch")
    ref = reference_backward(root)
    t_root.backward()
    for i, (leaf, t_leaf) in enumerate(zip(leaves, t_leaves, strict=True)):
        expected = np.zeros(t_leaf.shape) if t_leaf.grad is None else t_leaf.grad.numpy()
        got = ref.get(leaf, np.zeros(t_leaf.shape))
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12, err_msg=f"leaf {i}")


def test_reference_leaves_the_graph_usable_and_grad_untouched():
    x = nndl.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    grads = reference_backward(y)
    np.testing.assert_allclose(grads[x], [2.0, 4.0])
    assert x.grad is None
    y.backward()  # the graph was not freed by the reference
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_reference_refuses_a_freed_graph():
    x = nndl.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(nndl.NNDLError, match="retain_graph"):
        reference_backward(y)
