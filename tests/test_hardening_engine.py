"""Issue 18, the engine's bullets: each bad input is a clear nndl error (of the built-in type
PyTorch raises where it raises one), each checked against PyTorch's own behaviour."""

from __future__ import annotations

import math
import operator

import numpy as np
import pytest
from oracles import require_torch

import nndl
from nndl import optim
from nndl.errors import ArgumentError, ArgumentTypeError, GraphError, NNDLError, ShapeError

torch = require_torch()


def _scalar():
    return nndl.tensor(0.5, dtype=nndl.float64)  # on the scalar fast path


def _array():
    return nndl.tensor([1.0, 2.0])


# ------------------------------------------------------------------ tensor + None
OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
       "**": operator.pow}


@pytest.mark.parametrize("make", [_scalar, _array], ids=["scalar", "array"])
@pytest.mark.parametrize("sym", list(OPS))
@pytest.mark.parametrize("reflected", [False, True], ids=["x op None", "None op x"])
def test_arithmetic_with_none_is_a_type_error(make, sym, reflected):
    """tensor([1.]) + None gave nan; PyTorch raises a TypeError, so does nndl (an nndl one)."""
    op = OPS[sym]

    def apply(x):
        return op(None, x) if reflected else op(x, None)

    with pytest.raises(TypeError):
        apply(torch.tensor(1.0))
    with pytest.raises(ArgumentTypeError, match="got None"):
        apply(make())


@pytest.mark.parametrize("bad", ["abc", b"ab", object(), {"a": 1}, 1 + 2j])
def test_arithmetic_with_non_numbers_is_a_type_error(bad):
    with pytest.raises(ArgumentTypeError):
        _array() + bad
    with pytest.raises(ArgumentTypeError):
        _scalar() * bad


# ------------------------------------------------------------------ what a tensor holds
@pytest.mark.parametrize("data, what", [
    (None, "got None"), ("abc", "str 'abc'"), (b"ab", "bytes"), (["1", "2"], "text"),
    (object(), "Python objects"), ({"a": 1}, "Python objects"), ([1, None], "Python objects"),
    (1 + 2j, "complex"), ([1.0, 2j], "complex numbers"), (np.array([1 + 1j]), "complex numbers"),
])
def test_tensor_refuses_what_is_not_real_numbers(data, what):
    """nndl.tensor(None), strings, objects and complex numbers were accepted (an object
    array, or complex values the ops and gradients do not handle)."""
    with pytest.raises(ArgumentTypeError, match=what) as info:
        nndl.tensor(data)
    assert isinstance(info.value, TypeError) and info.value.hint
    with pytest.raises(ArgumentTypeError):
        nndl.Tensor(data, dtype=nndl.float32)  # with a dtype too (None would become nan)


def test_torch_refuses_the_same_inputs():
    """The oracle: PyTorch refuses None, text and objects (complex it takes; nndl is real)."""
    for data in (None, "abc", object(), [1, None]):
        with pytest.raises((TypeError, RuntimeError, ValueError)):
            torch.tensor(data)


def test_ragged_lists_and_bad_dtypes():
    with pytest.raises(ArgumentError, match="rectangular|inhomogeneous") as info:
        nndl.tensor([[1, 2], [3]])
    assert isinstance(info.value, ValueError)
    with pytest.raises(ValueError):
        torch.tensor([[1, 2], [3]])
    with pytest.raises(ArgumentTypeError, match="not a dtype"):
        nndl.tensor(1.0, dtype="no-such-type")
    with pytest.raises(ArgumentTypeError, match="complex"):
        nndl.tensor(1.0, dtype=np.complex64)
    with pytest.raises(ArgumentTypeError, match="complex"):
        nndl.zeros(2) + nndl.Tensor._wrap(np.zeros(2)) * (1 + 1j)


def test_valid_inputs_still_work():
    """The refusals do not touch what worked: numbers, nested lists, arrays, bools, tensors."""
    assert nndl.tensor([[1, 2], [3, 4]]).dtype == np.int64
    assert nndl.tensor(np.float16(1.5)).dtype == np.float32
    assert nndl.tensor(True).dtype == np.bool_
    assert nndl.tensor([nndl.tensor(1.0), nndl.tensor(2.0)]).tolist() == [1.0, 2.0]
    assert nndl.tensor([], dtype=nndl.float64).shape == (0,)
    np.testing.assert_array_equal((nndl.tensor([1.0, 2.0]) + [1, 2]).numpy(), [2.0, 4.0])


# ------------------------------------------------------------------ ops on non-tensors
def test_exp_of_a_list_and_of_none():
    """nndl.exp([1.]) and nndl.exp(None) were AttributeErrors: a list is converted (as the
    other elementwise functions do), None is refused."""
    np.testing.assert_allclose(nndl.exp([1.0, 2.0]).numpy(), np.exp([1.0, 2.0]), rtol=1e-6)
    for fn in (nndl.exp, nndl.log, nndl.sqrt, nndl.tanh, nndl.sigmoid, nndl.relu, nndl.neg):
        with pytest.raises(ArgumentTypeError, match="None"):
            fn(None)
        with pytest.raises(ArgumentTypeError):
            fn("x")


# ------------------------------------------------------------------ broadcasting
@pytest.mark.parametrize("sym", list(OPS))
def test_shapes_that_do_not_broadcast_are_a_shape_error(sym):
    """Non-broadcastable + gave NumPy's ValueError while matmul gave a ShapeError: now both
    are ShapeError, a RuntimeError as PyTorch's."""
    op = OPS[sym]
    with pytest.raises(RuntimeError):
        op(torch.ones(3), torch.ones(2, 4))
    with pytest.raises(ShapeError, match=r"\(3,\) and \(2, 4\) do not broadcast") as info:
        op(nndl.ones(3), nndl.ones(2, 4))
    assert isinstance(info.value, RuntimeError) and info.value.hint
    with pytest.raises(ShapeError, match="matmul"):
        nndl.ones(3) @ nndl.ones(2, 4)


# ------------------------------------------------------------------ optimiser settings
P = [nndl.zeros(2, requires_grad=True)]


@pytest.mark.parametrize("kwargs", [
    {"lr": math.nan}, {"lr": math.inf}, {"lr": -math.inf}, {"lr": -0.1},
    {"lr": 0.1, "momentum": math.nan}, {"lr": 0.1, "momentum": -0.9},
    {"lr": 0.1, "momentum": math.inf}, {"lr": 0.1, "weight_decay": math.nan},
    {"lr": 0.1, "weight_decay": -1.0}, {"lr": 0.1, "weight_decay": math.inf},
    {"lr": 0.1, "dampening": math.nan},
])
def test_sgd_refuses_nan_infinite_and_negative_settings(kwargs):
    """SGD(lr=nan) was accepted and turned every parameter into nan."""
    with pytest.raises(optim.OptimizerError) as info:
        optim.SGD(P, **kwargs)
    assert isinstance(info.value, ValueError)
    if any(v < 0 for v in kwargs.values()):  # PyTorch's own ValueError for negative values
        with pytest.raises(ValueError):
            torch.optim.SGD([torch.zeros(2, requires_grad=True)], **kwargs)


@pytest.mark.parametrize("value", ["0.1", None, [0.1], True])
def test_settings_that_are_not_numbers_are_a_type_error(value):
    with pytest.raises(optim.OptimizerTypeError, match="must be a number") as info:
        optim.SGD(P, lr=value)
    assert isinstance(info.value, TypeError)
    with pytest.raises(optim.OptimizerTypeError):
        optim.Adam(P, eps=value)


def test_other_optimisers_and_parameter_groups_are_checked_too():
    for make in (lambda: optim.Adam(P, lr=math.nan), lambda: optim.AdamW(P, weight_decay=-1),
                 lambda: optim.Adam(P, betas=(math.nan, 0.999)), lambda: optim.Adam(P, betas=(0.9,)),
                 lambda: optim.RMSprop(P, alpha=math.inf), lambda: optim.Adagrad(P, lr_decay=-1),
                 lambda: optim.SGD([{"params": P, "lr": math.nan}], lr=0.1),
                 lambda: optim.SGD([{"params": P, "momentum": -1}], lr=0.1)):
        with pytest.raises(optim.OptimizerError):
            make()
    # what is valid still is: lr = 0, numpy numbers, a group's own lr
    optim.SGD(P, lr=0)
    optim.SGD(P, lr=np.float32(0.1), momentum=np.float64(0.9))
    opt = optim.SGD([{"params": P, "lr": 0.5}], lr=0.1)
    assert opt.param_groups[0]["lr"] == 0.5


# ------------------------------------------------------------------ in place on a leaf
@pytest.mark.parametrize("method, args", [("add_", (1.0,)), ("sub_", (1.0,)), ("mul_", (2.0,)),
                                          ("zero_", ()), ("fill_", (3.0,)),
                                          ("copy_", ([5.0, 6.0],))])
def test_in_place_on_a_leaf_that_requires_grad_is_refused(method, args):
    """x.add_(1) on a leaf that requires grad was allowed after use, and then its gradient
    was wrong ([4, 6] for [2, 4]); PyTorch raises a RuntimeError, so does nndl."""
    x = nndl.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(tx, method)(*[torch.tensor(a) if isinstance(a, list) else a for a in args])
    with pytest.raises(GraphError, match="in place") as info:
        getattr(x, method)(*args)
    assert isinstance(info.value, RuntimeError) and "no_grad" in info.value.hint
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])  # x unchanged: grad right
    with nndl.no_grad():  # the way optimisers and initialisers use them
        getattr(x, method)(*args)
    getattr(x.detach(), method)(*args)  # and outside any graph


# ------------------------------------------------------------------ the generator
def test_manual_seed_takes_pytorch_range_and_refuses_the_rest():
    """nndl train digits --seed -1 reached NumPy's ValueError: manual_seed takes PyTorch's
    range (a negative seed is mapped as PyTorch maps it) and refuses the rest clearly."""
    for seed in (-1, 0, 2**64 - 1, -(2**63)):
        nndl.manual_seed(seed)
        a = nndl.randn(3)
        nndl.manual_seed(seed)
        np.testing.assert_array_equal(a.numpy(), nndl.randn(3).numpy())
    torch.manual_seed(-1)  # the oracle: PyTorch accepts it
    with pytest.raises(ArgumentError, match="outside"):
        nndl.manual_seed(2**64)
    with pytest.raises(ArgumentTypeError, match="integer"):
        nndl.manual_seed(1.5)
    with pytest.raises(NNDLError):
        nndl.manual_seed("0")
    from nndl.engine import random as engine_random

    assert nndl.default_rng is engine_random.default_rng  # one generator, seeded here
    nndl.manual_seed(7)
    assert nndl.default_rng() is engine_random.default_rng()


# ------------------------------------------------------------------ nndl.classic's warning
def test_convergence_warning_is_public_in_nndl_classic():
    """PLA's ConvergenceWarning can be filtered by its public name, as scikit-learn's."""
    import warnings

    import nndl.classic as classic

    assert "ConvergenceWarning" in classic.__all__ and issubclass(classic.ConvergenceWarning,
                                                                    UserWarning)
    with pytest.warns(classic.ConvergenceWarning):
        classic.Perceptron(max_iter=5).fit([[1.0], [1.0]], [1, -1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", classic.ConvergenceWarning)
        assert not classic.Perceptron(max_iter=5).fit([[1.0], [1.0]], [1, -1]).converged_


# ------------------------------------------------------------------ every op, bad operand
def _public_ops():
    import inspect

    from nndl.engine import ops

    internal = {"getitem", "index_put"}  # Tensor's own x[i] and x[i] = v: always tensors
    for name, fn in sorted(vars(ops).items()):
        if (not name.startswith("_") and inspect.isfunction(fn)
                and fn.__module__ == "nndl.engine.ops" and name not in internal):
            yield name, fn


@pytest.mark.parametrize("name, fn", list(_public_ops()), ids=lambda v: v if isinstance(v, str)
                         else "")
def test_every_op_given_none_says_so(name, fn):
    """nndl.exp(None) and the like were AttributeErrors from deep inside the op: every op
    (its other required arguments given as 1) now answers None with an nndl error."""
    import inspect

    required = [p for p in inspect.signature(fn).parameters.values()
                if p.default is inspect.Parameter.empty
                and p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    args = [None] + [1] * (len(required) - 1)
    with pytest.raises(NNDLError):
        fn(*args)


def test_ops_take_lists_as_tensors():
    """What _unary always did for the elementwise math: a list is a tensor."""
    assert nndl.sum([1.0, 2.0]).item() == 3.0
    np.testing.assert_allclose(nndl.sin([0.5]).numpy(), np.sin([0.5]), rtol=1e-6)
    assert nndl.mm([[1.0, 0.0], [0.0, 1.0]], [[2.0], [3.0]]).tolist() == [[2.0], [3.0]]
    assert nndl.cat([nndl.ones(1), [2.0]]).tolist() == [1.0, 2.0]
    assert nndl.isnan([1.0, float("nan")]).tolist() == [False, True]
    with pytest.raises(ArgumentTypeError):
        nndl.cat(nndl.ones(2))  # one tensor, not a list of them


def test_assigning_none_or_text_into_a_tensor_is_refused():
    """x[0] = None wrote nan (NumPy's float(None)); PyTorch raises a TypeError."""
    t = torch.zeros(3)
    with pytest.raises(TypeError):
        t[0] = None
    x = nndl.zeros(3)
    for bad in (None, "a", 1j):
        with pytest.raises(ArgumentTypeError):
            x[0] = bad
    assert x.tolist() == [0.0, 0.0, 0.0]  # nothing half-written
    x[1:] = [4.0, 5.0]
    x[0] = 3
    assert x.tolist() == [3.0, 4.0, 5.0]


@pytest.mark.parametrize("write", [lambda x: x.fill_(None), lambda x: x.add_(None),
                                   lambda x: x.mul_("a"), lambda x: x.pow_(None),
                                   lambda x: x.masked_fill_(x > -1, None), lambda x: x < None])
def test_in_place_methods_and_order_comparisons_refuse_none(write):
    """x.fill_(None) wrote nan; the others were NumPy's TypeError from inside."""
    x = nndl.zeros(3)
    with pytest.raises(ArgumentTypeError):
        write(x)
    assert x.tolist() == [0.0, 0.0, 0.0]


def test_a_layer_given_none_or_an_array_says_so_with_a_type_error():
    # PyTorch: "linear(): argument 'input' must be Tensor, not NoneType" (a TypeError)
    import numpy as np

    import nndl
    import nndl.nn as nn
    import nndl.nn.functional as F
    from nndl.errors import NNDLError

    with pytest.raises(TypeError, match=r"linear\(\): the input must be a Tensor, not NoneType") as e:
        nn.Linear(2, 1)(None)
    assert isinstance(e.value, NNDLError)
    with pytest.raises(TypeError, match=r"conv2d\(\).*not ndarray") as e:
        F.conv2d(np.zeros((1, 1, 3, 3)), nndl.zeros(1, 1, 2, 2))
    assert "nndl.tensor" in e.value.hint
    assert F.conv2d.__name__ == "conv2d" and "cross-correlation" in F.conv2d.__doc__
