"""The scalar fast path (nndl/engine/scalar.py) against the ops' definitions (ops.py) it
stands in front of: for every op and Python-number operands, special values included
(0, negatives, huge, tiny, inf, nan), both give the same value, dtype and gradients. And
the engine's files keep their roles (issue 13: ops.py reads like a textbook)."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nndl
from nndl.engine import ops, scalar, sweep, tensor

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e-300, -1e-300, 1e300, -1e300, 709.0, 710.0,
           -745.5, math.inf, -math.inf, math.nan]
numbers = st.one_of(st.sampled_from(SPECIAL), st.floats(-50, 50, allow_nan=False),
                    st.floats(allow_nan=True, allow_infinity=True))
UNARY = ["neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu"]
BINARY = ["add", "sub", "mul", "true_divide", "pow"]


def _same(fast: float, slow: float, dtype, grad: bool = False) -> None:
    """Equal, or a few units in the last place apart (math.tanh, math.exp and NumPy's may
    differ in the last bit). A derivative such as 1 − tanh² cancels, so it may be off by a
    few units of the last place of 1 instead."""
    if math.isnan(slow):
        assert math.isnan(fast), (fast, slow)
        return
    ulp = 2.0 ** -52 if dtype == np.float64 else 2.0 ** -23
    tiny = 4 * ulp if grad else (1e-300 if dtype == np.float64 else 1e-38)
    assert fast == slow or math.isclose(fast, slow, rel_tol=4 * ulp, abs_tol=tiny), (fast, slow)


def _leaf(v: float, dtype, array: bool):
    if array:  # a 0-d ndarray: the ops' own path
        return nndl.Tensor._wrap(np.array(v, dtype=dtype)).requires_grad_()
    return nndl.Tensor(v, dtype=dtype, requires_grad=True)  # a scalar: the fast path


def _run(name: str, values, dtype, array: bool):
    leaves = [_leaf(v, dtype, array) for v in values]
    fn = getattr(ops if array else scalar, name)
    with np.errstate(all="ignore"):
        out = fn(*leaves)
        out.backward()
    return out, [0.0 if t.grad is None else float(t.grad) for t in leaves]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("name", UNARY + BINARY)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_fast_path_equals_the_definition(name, dtype, data):
    values = [data.draw(numbers) for _ in range(1 if name in UNARY else 2)]
    if dtype == np.float32:
        values = [float(np.float32(v)) if abs(v) < 3e38 or not math.isfinite(v) else
                  math.copysign(math.inf, v) for v in values]
    fast, fast_grads = _run(name, values, dtype, array=False)
    slow, slow_grads = _run(name, values, dtype, array=True)
    assert fast.dtype == slow.dtype == dtype
    _same(float(fast), float(slow), dtype)
    for g, h in zip(fast_grads, slow_grads, strict=True):
        _same(g, h, dtype, grad=True)


def test_fast_path_takes_scalars_and_leaves_arrays_to_ops():
    x = nndl.tensor(2.0, dtype=nndl.float64, requires_grad=True)
    assert type((x * x)._a) is not tuple  # a scalar node: inputs in slots
    v = nndl.tensor([2.0], requires_grad=True)
    assert type((v * v)._a) is tuple  # an array node, made by ops.mul
    # where scalar arithmetic would differ from NumPy's, the op goes to ops: x/0, log 0
    zero = nndl.tensor(0.0, dtype=nndl.float64, requires_grad=True)
    with np.errstate(all="ignore"):
        assert math.isinf(float(x / zero)) and type((x / zero)._a) is tuple
        assert float(zero.log()) == -math.inf and type(zero.log()._a) is tuple


def test_ops_py_is_the_definition_only():
    """ops.py holds no scalar branch or scalar rule; tensor.py the definition of backward,
    sweep.py its speed machinery; the public names stay importable where they were."""
    source = inspect.getsource(ops)
    assert "_scalar(" not in source and "saved)" not in source
    assert "def _sweep" not in inspect.getsource(tensor)
    for name in ("topological_order", "reference_backward"):
        assert inspect.getmodule(getattr(tensor, name)) is tensor
    for name in ("_count_uses", "_sweep", "_general_step", "_reset", "_accumulate",
                 "_reduce_to_shape", "run_backward"):
        assert inspect.getmodule(getattr(sweep, name)) is sweep
    assert tensor.run_backward is sweep.run_backward  # imported from here by nndl.expr
    for name, fn in scalar.OPS.items():
        rule = getattr(scalar, f"_{name}_s", None)
        if rule is not None:  # the fast path's rule sits in scalar.py, next to its op
            assert inspect.getmodule(rule) is scalar and not hasattr(ops, f"_{name}_s")
        assert callable(getattr(ops, name)) and fn is not getattr(ops, name)
