"""The engine itself: Tensor basics, dtype rules, backward semantics, graph bookkeeping,
numerical safety, memory (no reference cycles), and the scalar path."""

from __future__ import annotations

import gc
import importlib.util
import math
import threading
import warnings
import weakref
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from oracles import require_torch

import nndl
from nndl import Tensor
from nndl.engine import ops
from nndl.engine.tensor import run_backward, topological_order
from nndl.errors import GraphError, NNDLError, ShapeError

torch = require_torch()


@contextmanager
def strict_numerics():
    """Any overflow, division by zero, invalid operation or warning is an error."""
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        yield


def f64(x, requires_grad=True):
    return Tensor(x, requires_grad=requires_grad, dtype=nndl.float64)


# ----------------------------------------------------------------- construction and dtypes
def test_default_dtypes_follow_pytorch():
    assert Tensor(1.5).dtype == np.float32
    assert Tensor([1.0, 2.0]).dtype == np.float32
    assert Tensor([[1, 2]]).dtype == np.int64
    assert Tensor([True, False]).dtype == np.bool_
    assert Tensor(np.zeros(3)).dtype == np.float64  # a float64 array keeps its dtype
    assert Tensor(np.zeros(3, dtype=np.float16)).dtype == np.float32
    assert Tensor([1, 2], dtype=nndl.float64).dtype == np.float64
    assert Tensor(1.5, dtype="float64").dtype == np.float64
    assert Tensor(2.0, dtype=np.float64).dtype == np.float64
    assert Tensor(2.5, dtype=nndl.int64).dtype == np.int64
    assert nndl.tensor([1.0]).dtype == np.float32


@pytest.mark.parametrize("make", [lambda: Tensor(1.5), lambda: Tensor([1.5, -2.0]),
                                  lambda: Tensor(np.float32(1.5))])
def test_python_numbers_do_not_upcast_float32(make):
    x = make()
    for y in (x + 2.5, 2.5 + x, x - 1, 1 - x, x * 0.1, 0.1 * x, x / 3, 3.0 / x, x ** 2.0,
              x ** 2, 2.0 ** x, x.clamp(0.1, 0.2), nndl.maximum(x, 0.5), nndl.where(x > 0, x, 1.0)):
        assert y.dtype == np.float32, y


def test_dtype_promotion_between_tensors_matches_torch():
    pairs = [
        (np.float32, np.float64), (np.float32, np.int64), (np.int64, np.float32),
        (np.float64, np.int64), (np.int64, np.int64), (np.float32, np.bool_),
    ]
    for da, db in pairs:
        a, b = np.ones(2, dtype=da), np.ones(2, dtype=db)
        for op in ("__add__", "__sub__", "__mul__", "__truediv__"):
            if op == "__sub__" and np.bool_ in (da, db):
                continue  # torch refuses bool subtraction
            got = getattr(Tensor(a), op)(Tensor(b)).dtype
            want = getattr(torch.tensor(a), op)(torch.tensor(b)).dtype
            assert str(got) == str(want).removeprefix("torch."), (da, db, op)
    assert (Tensor([1, 2]) / 2).dtype == np.float32  # int / int is true division
    assert nndl.exp(Tensor([1, 2])).dtype == np.float32
    assert nndl.sigmoid(Tensor([1, 2])).dtype == np.float32


def test_float64_is_kept_through_every_op():
    x = f64([[0.5, -1.0], [2.0, 0.25]])
    y = (x.exp() * x.sigmoid() + x.tanh() - x.relu() + x.abs().sqrt().log()).softmax(-1)
    y = (y @ x.T).sum(dim=0).mean()
    assert y.dtype == np.float64
    y.backward()
    assert x.grad.dtype == np.float64


def test_only_float_tensors_can_require_grad():
    with pytest.raises(GraphError, match="floating-point"):
        Tensor([1, 2], requires_grad=True)
    with pytest.raises(GraphError):
        Tensor([1, 2]).requires_grad_()
    assert Tensor([1.0]).requires_grad_().requires_grad


# ----------------------------------------------------------------- attributes
def test_attributes_and_conversions():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert isinstance(x.data, np.ndarray) and x.data.dtype == np.float32
    # .data, .numpy() and np.asarray(x) share the tensor's memory (no copy); .data is the
    # same object at each read (an ndarray that also has PyTorch's in-place methods)
    assert x.data is x.data and x.numpy() is x._arr and np.asarray(x) is x._arr
    assert np.shares_memory(x.numpy(), x.data) and type(x.numpy()) is np.ndarray
    assert x.shape == (2, 2) and x.ndim == 2 and x.size() == (2, 2) and x.size(1) == 2
    assert x.numel() == 4 and x.dim() == 2 and len(x) == 2
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert x.is_leaf and x.requires_grad and x.grad is None
    assert x.op == "" and x.inputs == ()
    y = x * 2
    assert not y.is_leaf and y.op == "mul" and y.inputs[0] is x
    assert isinstance(y.inputs[1], Tensor) and y.inputs[1].item() == 2.0  # the constant
    assert Tensor(2.5).item() == 2.5 and float(Tensor([3.0])) == 3.0 and int(Tensor(4)) == 4
    with pytest.raises(GraphError, match="one element"):
        x.item()
    with pytest.raises(TypeError):
        len(Tensor(1.0))
    assert f"{Tensor(2.0 / 3):.3f}" == "0.667"


def test_data_is_always_an_ndarray():
    """Also for 0-d results and scalar-path tensors (NumPy returns scalars for 0-d ops)."""
    a = Tensor(np.array(2.0))
    for t in (Tensor(1.5), a * a, (a * a).exp(), Tensor([1.0, 2.0]).sum(), Tensor([1.0, 2.0])[0],
              f64(1.0) * 3):
        assert type(t._arr) is np.ndarray and t._arr.shape == ()  # never a NumPy scalar
        assert isinstance(t.data, np.ndarray) and t.data.shape == ()


def test_grad_is_an_array_like_tensor():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    g = np.asarray(x.grad)
    assert isinstance(g, np.ndarray) and g.dtype == np.float32
    np.testing.assert_array_equal(g, [2.0, 4.0])
    s = Tensor(3.0, requires_grad=True)  # scalar path
    (s * s).backward()
    gs = np.asarray(s.grad)
    assert isinstance(gs, np.ndarray) and gs.shape == () and gs.dtype == np.float32
    assert float(gs) == 6.0
    s.grad = None
    assert s.grad is None
    s.grad = np.array(1.0)
    assert s.grad.dtype == np.float32
    with pytest.raises(ShapeError):
        x.grad = np.zeros(3)


def test_repr_is_readable():
    assert repr(Tensor([1.0, 2.5])) == "tensor([1. , 2.5])"
    assert repr(Tensor(1.5, requires_grad=True)) == "tensor(1.5, requires_grad=True)"
    y = f64([1.0, 2.0], requires_grad=True) * 3
    assert repr(y) == "tensor([3., 6.], dtype=float64, op=mul)"
    t = Tensor([1, 2])
    t.name = "idx"
    assert repr(t) == "tensor([1, 2], name='idx')"
    big = repr(Tensor(np.arange(1000.0)))
    assert "..." in big and len(big) < 200


def test_name_is_a_plain_attribute():
    x = Tensor(1.0, requires_grad=True)
    assert x.name is None
    x.name = "x"
    y = x * 2
    assert x.name == "x" and y.name is None


def test_detach_shares_memory_and_leaves_the_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    d = (x * 1).detach()
    assert not d.requires_grad and d.is_leaf and d.inputs == ()
    v = x.detach()
    v.data[0] = 5.0
    assert x.data[0] == 5.0
    s = Tensor(2.0, requires_grad=True).detach()
    assert s.item() == 2.0 and not s.requires_grad


def test_in_place_methods_work_on_both_paths():
    for x, want in ((Tensor([1.0, 2.0]), [2.0, 4.0]), (Tensor(1.0), 2.0)):
        x.add_(1.0).mul_(2.0).sub_(Tensor(1.0), alpha=2.0)  # (x + 1) * 2 - 2
        np.testing.assert_array_equal(x.data, want)
        x.fill_(7.0)
        assert np.all(x.data == 7.0)
        x.zero_()
        assert np.all(x.data == 0.0)
        x.copy_(np.full(x.shape, 3.0))
        assert np.all(x.data == 3.0)
        assert np.all((x * 2).data == 6.0)  # ops see the in-place change


def test_comparisons_give_bool_tensors_outside_the_graph():
    x = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    for t, want in ((x > 0, [False, False, True]), (x >= 0, [False, True, True]),
                    (x < 0, [True, False, False]), (x <= 0, [True, True, False]),
                    (x.eq(0), [False, True, False]), (x.ne(0), [True, False, True])):
        assert t.dtype == np.bool_ and not t.requires_grad
        np.testing.assert_array_equal(t.data, want)
    assert (Tensor(2.0) > 1).item() is True


def test_iteration_and_index_errors():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(x)
    assert len(rows) == 2 and rows[1].tolist() == [3.0, 4.0]
    sum(r.sum() * (i + 1) for i, r in enumerate(rows)).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, 1.0], [2.0, 2.0]])
    with pytest.raises(IndexError):
        x[2]
    with pytest.raises(ShapeError, match="does not fit"):
        x[0, 5]
    with pytest.raises(TypeError):
        iter(Tensor(1.0))
    assert (Tensor([1.0]) ** np.float64(2)).dtype == np.float32  # NumPy scalars are numbers


def test_tensors_are_hashable_by_identity():
    a, b = Tensor([1.0]), Tensor([1.0])
    assert len({a, b, a}) == 2
    assert {a: 1}[a] == 1


# ----------------------------------------------------------------- backward semantics
def test_backward_accumulates_across_calls_as_torch():
    x = Tensor([1.0, -2.0], requires_grad=True)
    for _ in range(3):
        (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 3 * 2 * x.data)
    x.zero_grad()
    assert x.grad is None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])
    held = x.grad
    (x * 1).sum().backward()
    np.testing.assert_array_equal(held.numpy(), [4.0, 4.0])  # in place, as torch


@pytest.mark.parametrize("make", [lambda v: f64(v), lambda v: f64(np.array(v))],
                         ids=["scalar-path", "array-path"])
def test_reuse_of_one_tensor_sums_every_path(make):
    x = make(3.0)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad.item() == 7.0
    z = make(0.5)
    w = (z * z * z).tanh() + z.exp() * z - z / (z + 1)  # z used six times
    w.backward()
    tz = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    ((tz * tz * tz).tanh() + tz.exp() * tz - tz / (tz + 1)).backward()
    assert math.isclose(z.grad.item(), tz.grad.item(), rel_tol=1e-12)


def test_explicit_gradient_and_its_checks():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.backward(gradient=Tensor([1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 0.0, -2.0])
    with pytest.raises(GraphError, match="needs a scalar"):
        (x * 2).backward()
    with pytest.raises(GraphError, match="shape"):
        (x * 2).backward(gradient=np.ones(2))
    leaf = Tensor([1.0, 2.0], requires_grad=True)
    leaf.backward(gradient=np.array([3.0, 4.0]))  # backward on a leaf fills its own grad
    np.testing.assert_array_equal(leaf.grad.numpy(), [3.0, 4.0])


def test_user_gradient_array_is_not_modified():
    x = Tensor([1.0, 2.0], requires_grad=True)
    g = np.array([1.0, 1.0], dtype=np.float32)
    (x + 0).backward(gradient=g)
    (x + 0).backward(gradient=g)
    np.testing.assert_array_equal(g, [1.0, 1.0])
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_backward_without_grad_is_an_error():
    with pytest.raises(GraphError, match="does not require grad") as info:
        (Tensor([1.0]) * 2).sum().backward()
    assert isinstance(info.value, NNDLError) and info.value.hint
    x = Tensor(1.0, requires_grad=True)
    with nndl.no_grad():
        y = x * 2
    with pytest.raises(GraphError):
        y.backward()


def test_freed_graph_raises_and_retain_graph_allows_a_second_pass():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(GraphError, match="retain_graph=True") as info:
        y.backward()
    assert "second time" in info.value.message
    z = (x.exp() * x).sum()
    z.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    z.backward()
    np.testing.assert_allclose(x.grad.numpy(), first + (first - 2 * x.data))
    s = Tensor(2.0, requires_grad=True)  # the scalar path frees too
    t = s * s
    t.backward()
    with pytest.raises(GraphError):
        t.backward()


def test_a_failed_backward_leaves_no_stale_bookkeeping():
    x = Tensor(2.0, requires_grad=True)
    y = x * 3
    y.backward()  # frees y's node
    z = y * 2 + x * 4
    with pytest.raises(GraphError):
        z.backward()  # fails at y, after counting x's uses
    x.zero_grad()
    (x * 5).backward()
    assert x.grad.item() == 5.0


def test_backward_from_several_threads_sharing_a_leaf():
    x = f64(np.array([1.0, 2.0]))
    s = f64(0.5)

    def work():
        for _ in range(100):
            ((x * x).sum() + s * s).backward()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_allclose(x.grad.numpy(), 400 * 2 * x.data)
    assert s.grad.item() == pytest.approx(400 * 2 * 0.5)


def test_retain_grad_on_intermediate_tensors():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = (x * 3).retain_grad()
    s = Tensor(1.5, requires_grad=True)
    hs = (s * s).retain_grad()
    ((h * h).sum() + hs * 2).backward()
    np.testing.assert_array_equal(h.grad.numpy(), 2 * h.data)
    assert hs.grad.item() == 2.0 and h.retains_grad and not x.retains_grad
    assert (x * 2).grad is None  # not retained: no .grad, as torch
    with pytest.raises(GraphError):
        Tensor([1.0]).retain_grad()


def test_integer_inputs_get_no_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    idx = Tensor([1, 0])
    y = (x * idx).sum() + x[idx].sum()
    y.backward()  # d/dx of sum(x * idx) is idx; of sum(x[idx]) is one per pick
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 1.0])
    assert idx.grad is None


# ----------------------------------------------------------------- no_grad
def test_no_grad_records_nothing_and_nests():
    x = Tensor([1.0], requires_grad=True)
    assert nndl.is_grad_enabled()
    with nndl.no_grad():
        assert not nndl.is_grad_enabled()
        y = x * 2 + Tensor(1.0, requires_grad=True) * 3
        assert not y.requires_grad and y.inputs == () and y.op == ""
        with nndl.enable_grad():
            assert (x * 2).requires_grad
        with nndl.no_grad():
            pass
        assert not nndl.is_grad_enabled()
    assert nndl.is_grad_enabled() and (x * 2).requires_grad
    with nndl.set_grad_enabled(False):
        assert not (x * 2).requires_grad


def test_no_grad_as_decorator_is_reentrant():
    @nndl.no_grad()
    def f(depth):
        assert not nndl.is_grad_enabled()
        return f(depth - 1) if depth else Tensor(1.0, requires_grad=True) * 2

    assert not f(3).requires_grad
    assert nndl.is_grad_enabled()


def test_grad_mode_is_per_thread():
    seen = []
    with nndl.no_grad():
        t = threading.Thread(target=lambda: seen.append(nndl.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


@pytest.mark.parametrize("value", [2.0, np.ones(3)], ids=["scalar-path", "array-path"])
def test_ops_record_per_thread_while_another_thread_is_in_no_grad(value):
    """Ops skip the thread-local grad-mode read while no thread is in no_grad(); while one
    is, every other thread must still record its graph, and that one must not."""
    x = nndl.tensor(value, requires_grad=True, dtype=nndl.float64)
    inside, done = threading.Event(), threading.Event()
    seen = {}

    def worker():
        with nndl.no_grad():
            inside.set()
            done.wait(5)
            seen["worker"] = (x * 3).requires_grad

    t = threading.Thread(target=worker)
    t.start()
    inside.wait(5)
    seen["main"] = (x * 3).requires_grad and (x.exp()).requires_grad
    done.set()
    t.join()
    assert seen == {"main": True, "worker": False}
    assert (x * 3).requires_grad  # every context closed: recorded again


# ----------------------------------------------------------------- deep graphs
@pytest.mark.parametrize("scalar", [True, False], ids=["scalar-path", "array-path"])
def test_deep_chain_of_10000_ops(scalar):
    x = f64(1.0) if scalar else f64(np.ones(3))
    y = x
    for i in range(10_000):
        y = y * 1.0001 if i % 2 else y + 0.5
    y = y.sum()
    y.backward()
    np.testing.assert_allclose(np.asarray(x.grad), 1.0001 ** 5000, rtol=1e-9)
    order = topological_order(y)  # x, 10^4 ops, their 10^4 constants, the sum
    assert len(order) == 20_002 and order[0] is x and order[-1] is y


def test_deep_chain_of_unary_ops_and_the_walk():
    x = f64(0.3)
    y = x
    for _ in range(20_000):
        y = (y * 1.0).tanh() + 0.0  # 3 ops per step, 6*10^4 nodes
    y.backward()
    assert x.grad is not None and np.isfinite(x.grad.item())
    order = topological_order(y)
    assert order[-1] is y and order[0] is x


# ----------------------------------------------------------------- graph walk
def test_topological_order_is_deterministic_and_topological():
    def build():
        x = Tensor([1.0, 2.0], requires_grad=True)
        x.name = "x"
        w = Tensor([[0.5], [-1.0]], requires_grad=True)
        w.name = "w"
        h = (x @ w).tanh()
        return (h * h + h.sigmoid() * x.sum()).mean()

    def signature(root):
        order = topological_order(root)
        index = {id(t): i for i, t in enumerate(order)}
        for t in order:  # inputs before users, every input present
            assert all(index[id(i)] < index[id(t)] for i in t.inputs)
        assert len(index) == len(order)
        return [(t.op, t.name, tuple(index[id(i)] for i in t.inputs)) for t in order]

    first = signature(build())
    assert first == signature(build())
    assert first[-1][0] == "mean"
    assert [n for _, n, _ in first if n] == ["x", "w"]


def test_on_edge_reports_every_chain_rule_term():
    x, y = f64(2.0), f64(3.0)
    x.name, y.name = "x", "y"
    z = x * y + x
    edges = []
    run_backward(z, on_edge=lambda node, k, inp, c: edges.append((node.op, k, inp.name, float(c))))
    assert sorted(edges) == sorted([("add", 0, None, 1.0), ("add", 1, "x", 1.0),
                                    ("mul", 0, "x", 3.0), ("mul", 1, "y", 2.0)])
    assert x.grad.item() == 4.0 and y.grad.item() == 2.0
    arr = f64(np.array([1.0, 2.0]))
    out = (arr * 3).sum()
    contributions = []
    run_backward(out, on_edge=lambda node, k, inp, c: contributions.append(c))
    assert all(isinstance(c, np.ndarray) for c in contributions)


# ----------------------------------------------------------------- numerical safety
@pytest.mark.parametrize("dtype", [nndl.float32, nndl.float64])
@pytest.mark.parametrize("scalar", [True, False], ids=["scalar-path", "array-path"])
def test_saturating_functions_are_safe_at_extremes(dtype, scalar):
    for v in (-1000.0, 1000.0, -1e30, 1e30):
        x = Tensor(v, requires_grad=True, dtype=dtype) if scalar else Tensor(
            np.array([v, -v, 0.0]), requires_grad=True, dtype=dtype)
        with strict_numerics():
            s = x.sigmoid()
            t = x.tanh()
            (s + t).sum().backward()
        vals = np.asarray(s.data).reshape(-1)
        assert np.all(np.isfinite(vals)) and np.all((vals >= 0) & (vals <= 1))
        assert float(vals[0]) == (1.0 if v > 0 else 0.0)
        assert np.all(np.isfinite(np.asarray(x.grad)))
        with strict_numerics():
            sp = ops.softplus(Tensor(np.array([v, -v]), dtype=dtype))
        np.testing.assert_allclose(sp.data, [max(v, 0.0), max(-v, 0.0)], rtol=1e-6)


def test_exp_of_large_negatives_underflows_quietly():
    for x in (f64(-1000.0), Tensor(-1000.0, requires_grad=True),
              Tensor(np.array([-1000.0, -800.0, 0.0]), requires_grad=True)):
        with strict_numerics():
            y = x.exp()
            y.sum().backward()
        assert np.asarray(y.data).reshape(-1)[0] == 0.0
        assert np.asarray(x.grad).reshape(-1)[0] == 0.0


@pytest.mark.parametrize("dtype", [nndl.float32, nndl.float64])
def test_log_softmax_and_softmax_of_huge_logits(dtype):
    logits = np.array([[1000.0, 0.0, -1000.0], [1e4, 1e4, 1e4], [-1e4, 5.0, 3.0]])
    x = Tensor(logits, requires_grad=True, dtype=dtype)
    with strict_numerics(), np.errstate(under="ignore"):
        ls = x.log_softmax(dim=1)
        sm = x.softmax(dim=1)
        (ls[:, 0].sum() + sm[:, 1].sum()).backward()
    assert np.all(np.isfinite(ls.data)) and np.all(np.isfinite(sm.data))
    t = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    tls, tsm = torch.log_softmax(t, 1), torch.softmax(t, 1)
    (tls[:, 0].sum() + tsm[:, 1].sum()).backward()
    tol = 1e-6 if dtype == nndl.float64 else 1e-4
    np.testing.assert_allclose(ls.data, tls.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(sm.data, tsm.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)


def test_log_and_sqrt_at_zero_and_division_by_zero_follow_torch():
    """inf and -inf where PyTorch gives them (NumPy may warn), never a wrong finite number."""
    for scalar in (True, False):
        def mk(v, scalar=scalar):
            return f64(v) if scalar else f64(np.array(v))

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert mk(0.0).log().item() == -math.inf
            assert math.isnan(mk(-1.0).log().item())
            assert (mk(1.0) / mk(0.0)).item() == math.inf
            assert (mk(0.0) ** -1).item() == math.inf
            assert math.isnan((mk(-8.0) ** (1 / 3)).item())
            assert mk(1000.0).exp().item() == math.inf
            x = mk(0.0)
            x.sqrt().backward()
            assert x.grad.item() == math.inf


# ----------------------------------------------------------------- memory
@pytest.mark.parametrize("scalar", [True, False], ids=["scalar-path", "array-path"])
@pytest.mark.parametrize("retain", [False, True])
def test_no_reference_cycles_after_backward(scalar, retain):
    """With the cycle collector off, dropping the last reference frees the whole graph."""
    gc.collect()
    gc.disable()
    try:
        x = f64(0.5) if scalar else f64(np.array([0.5, -1.0]))
        w = f64(2.0) if scalar else f64(np.array([[1.0, 2.0], [3.0, 4.0]]))
        h = (x * w).tanh() if scalar else (w @ x).tanh()
        h.retain_grad()
        y = (h * h + h.sigmoid() - x.exp() / (w + 3)).sum()
        probes = [weakref.ref(t) for t in topological_order(y)]
        y.backward(retain_graph=retain)
        grad = x.grad
        assert grad is not None
        del y, h, w, x, grad
        alive = [p() for p in probes if p() is not None]
        assert alive == [], f"{len(alive)} tensors survived: {[t.op for t in alive]}"
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_graph_is_freed_without_backward_too():
    gc.collect()
    gc.disable()
    try:
        x = Tensor([1.0, 2.0], requires_grad=True)
        y = ((x * 2).exp() @ x).tanh()
        probe = weakref.ref(y.inputs[0])
        del y
        assert probe() is None
        assert gc.collect() == 0
    finally:
        gc.enable()


# ----------------------------------------------------------------- the scalar path
def test_scalar_path_is_taken_and_stays_consistent():
    a, b = Tensor(0.2, requires_grad=True), Tensor(0.3, requires_grad=True)
    c = (a * b + 1).tanh()
    assert a._v is not None and c._data is None  # no ndarray made yet
    assert c.shape == () and c.ndim == 0 and c.dtype == np.float32 and c.numel() == 1
    arr = c._arr  # the first read makes the array; it is the value from then on
    assert type(arr) is np.ndarray and arr.dtype == np.float32 and c._v is None
    arr[...] = 0.5
    assert (c * 2).item() == 1.0
    c.backward()  # with the value saved when c was computed (torch would see the 0.5)
    assert a.grad.item() == pytest.approx(0.3 * (1 - np.tanh(1.06) ** 2), rel=1e-5)


def test_scalar_nodes_keep_their_inputs_in_slots_and_show_the_same_graph():
    """A scalar-path node holds its inputs directly, not in a tuple (a tuple of tensors is
    one more object per node for the cycle collector); .inputs, topological_order and
    is_leaf see the same graph as before."""
    a, b = f64(2.0), f64(3.0)
    m, sq, n, c = a * b, a * a, -a, a * 2.0
    t = m.tanh()
    assert m.inputs == (a, b) and sq.inputs == (a, a) and n.inputs == (a,) and t.inputs == (m,)
    assert c.inputs[0] is a and not c.inputs[1].requires_grad and c.inputs[1].item() == 2.0
    assert a.inputs == () and a.is_leaf and not t.is_leaf and t.op == "tanh" and m.op == "mul"
    for node in (m, sq, n, t):
        assert not any(type(r) is tuple and any(isinstance(x, Tensor) for x in r)
                       for r in gc.get_referents(node))
    mixed = a * f64(np.array([1.0, 2.0]))  # an array-path node: a tuple, as ever
    assert mixed.inputs[0] is a and mixed.inputs[1].shape == (2,)
    order = topological_order(t + sq)
    assert order[-1].inputs == (t, sq) and {id(x) for x in order} >= {id(a), id(b), id(m)}
    assert all(order.index(i) < order.index(x) for x in order for i in x.inputs)
    with nndl.no_grad():
        assert (a * b).inputs == () and (a * b).is_leaf


def test_a_scalar_graph_is_one_tracked_object_per_node():
    """What the cycle collector walks while a micrograd-style graph grows: the tensors, and
    no tuple, closure or cell per node (mul's tuple of saved floats stops being tracked at
    the first collection that sees it)."""
    terms = 200
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        s, leaves = f64(0.0), []
        for i in range(terms):
            a, b, c = f64(0.1 * i), f64(0.2), f64(-0.3)
            leaves.append(a)
            s = s + (a * b + c).tanh()  # 7 tensors: a, b, c, mul, add, tanh, add
        grown = len(gc.get_objects()) - before
        gc.collect()
        kept = len(gc.get_objects()) - before
    finally:
        gc.enable()
    assert grown <= 8 * terms + 10 and kept <= 7 * terms + 10, (grown, kept)
    s.backward()
    assert leaves[3].grad.item() == pytest.approx(0.2 * (1 - math.tanh(0.3 * 0.2 - 0.3) ** 2))


def test_retain_grad_and_on_edge_on_scalar_nodes_match_torch():
    grads = []
    for lib, make in (("nndl", f64), ("torch", lambda v: torch.tensor(
            v, dtype=torch.float64, requires_grad=True))):
        x = make(0.7)
        h = (x * 3.0).tanh()
        h.retain_grad()  # one input
        m = h * x
        m.retain_grad()  # two inputs
        (m * m + h).backward()
        grads.append([float(t.grad) for t in (x, h, m)])
        if lib == "nndl":
            assert h.inputs[0].op == "mul" and m.inputs == (h, x) and m.retains_grad
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)

    x, y = f64(0.5), f64(-1.5)
    z = (x * y).tanh()
    edges = []
    run_backward(z, on_edge=lambda node, k, inp, c: edges.append((node.op, k, float(c))))
    dz = 1 - math.tanh(-0.75) ** 2
    assert edges == [("tanh", 0, pytest.approx(dz)), ("mul", 0, pytest.approx(dz * -1.5)),
                     ("mul", 1, pytest.approx(dz * 0.5))]

    t = x * x  # freed by a first backward: retain_grad() then keeps the freed state
    t.backward()
    t.retain_grad()
    with pytest.raises(GraphError, match="second time"):
        t.backward()


def test_scalar_and_array_tensors_mix():
    s = f64(2.0)
    v = f64(np.array([1.0, 2.0, 3.0]))
    y = (s * v + s).sum() * s
    y.backward()
    # y = s^2 * sum(v) + 3 s^2 ... dy/ds = 2s(sum v) + 6s, dy/dv_i = s^2
    assert s.grad.item() == pytest.approx(2 * 2 * 6 + 6 * 2)
    np.testing.assert_allclose(v.grad.numpy(), [4.0, 4.0, 4.0])
    m = Tensor(1.5) + f64(1.0)  # float32 with float64 scalars: float64, as torch
    assert m.dtype == np.float64


def test_scalar_path_results_equal_the_array_path():
    rng = np.random.default_rng(1)
    for _ in range(50):
        av, bv = rng.uniform(0.1, 3.0, 2)
        for dtype in (nndl.float64, nndl.float32):
            sa, sb = Tensor(float(av), requires_grad=True, dtype=dtype), Tensor(
                float(bv), requires_grad=True, dtype=dtype)
            aa, ab = (Tensor(np.array(v), requires_grad=True, dtype=dtype) for v in (av, bv))
            outs = []
            for a, b in ((sa, sb), (aa, ab)):
                out = ((a * b).exp() / (a + b) - a.log() * b.sqrt() + (a - b).sigmoid()
                       + a ** 2.5 * b.relu() + b ** a)
                out.backward()
                outs.append((out.item(), a.grad.item(), b.grad.item()))
            np.testing.assert_allclose(outs[0], outs[1], rtol=1e-12 if dtype == nndl.float64
                                       else 1e-5)


def test_scalar_path_gradients_are_arrays_for_optimisers():
    """Optimisers update p.data with p._grad in place: both must be ndarrays."""
    from nndl.optim import SGD

    w = f64(0.5)
    tw = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    opt, topt = SGD([w], lr=0.1, momentum=0.9), torch.optim.SGD([tw], lr=0.1, momentum=0.9)
    for _ in range(5):
        opt.zero_grad(set_to_none=False)
        topt.zero_grad()
        ((w * 3 - 1).tanh() ** 2).backward()
        ((tw * 3 - 1).tanh() ** 2).backward()
        assert type(w._grad) is np.ndarray and w._grad.dtype == np.float64
        opt.step()
        topt.step()
    assert w.item() == pytest.approx(tw.item(), rel=1e-12)


def test_bench_scalar_graph_runs_and_agrees_with_micrograd():
    """The benchmark's correctness (not its speed): both engines compute the same numbers."""
    path = Path(__file__).resolve().parent.parent / "bench" / "scalar_graph.py"
    spec = importlib.util.spec_from_file_location("scalar_graph", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for dtype in ("float64", "float32"):
        r = module.run(700, repeat=1, dtype=dtype)
        assert r["results_agree"] and r["n_nodes"] == 701
        assert r["nndl_us_per_node"] > 0 and r["micrograd_us_per_node"] > 0


def test_tensor_methods_declared_for_readers_are_the_op_functions():
    """Tensor's TYPE_CHECKING block declares the methods bind.py binds; each is bound to the
    op function itself (no forwarding call) and every declared name exists at run time."""
    import ast
    import inspect

    from nndl.engine import bind
    from nndl.engine import tensor as engine_tensor

    tree = ast.parse(inspect.getsource(engine_tensor.Tensor))
    declared = {node.name for block in ast.walk(tree) if isinstance(block, ast.If)
                and ast.unparse(block.test) == "TYPE_CHECKING"
                for node in block.body if isinstance(node, ast.FunctionDef)}
    assert declared == set(bind.METHODS)
    for name, fn in bind.METHODS.items():
        assert Tensor.__dict__[name] is fn, name


def test_scalar_fast_path_is_bound_and_public():
    """micrograd's ops: the operators, the methods and the package's functions are
    nndl.engine.scalar's (the fast path for 0-d scalars), which leave everything else to
    the op of the same name in nndl.engine.ops; the other ops are ops' own."""
    from nndl.engine import ops as engine_ops
    from nndl.engine import scalar

    for name, fn in scalar.OPS.items():
        assert callable(getattr(engine_ops, name)), name  # the definition it falls back to
        if not name.startswith("i"):
            assert getattr(nndl, name) is fn, name
    assert Tensor.__mul__ is scalar.mul and Tensor.tanh is scalar.tanh
    assert Tensor.__iadd__ is scalar.iadd and Tensor.sum is engine_ops.sum
    assert nndl.sin is engine_ops.sin and nndl.divide is scalar.div
    # the fast path gives scalar nodes; the textbook ops the same numbers on 0-d arrays
    x = nndl.tensor(0.3, dtype=nndl.float64, requires_grad=True)
    fast, slow = (x * x).tanh(), engine_ops.tanh(engine_ops.mul(x, x))
    assert type(fast._d) is float and type(slow._a) is tuple and type(fast._a) is not tuple
    np.testing.assert_allclose(float(fast), float(slow), rtol=1e-15)
