"""Every differentiable op against PyTorch (float64) and against central finite differences.

For each op, Hypothesis draws shapes (0-d, size-1 and broadcasting included) and a seed
for the values; the forward value and the gradient of every input (for a random
upstream gradient, so transposed or mis-summed gradients cannot pass) must match
PyTorch within 1e-6, and match central differences of nndl's own forward pass.
Values are drawn away from kinks (|x| at 0, relu at 0, clamp bounds, ties in max),
where "the" derivative is a convention rather than a number to check.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given
from oracles import require_torch

import nndl
from nndl import Tensor
from nndl.engine import ops

torch = require_torch()
F = torch.nn.functional

TOL = 1e-6
FD_EPS = 1e-6
FD_MAX_ELEMENTS = 40  # finite differences cost two forward passes per input element

seeds = st.integers(0, 2**32 - 1)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
small_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)


def broadcast_pair(max_dims=3):
    return hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=max_dims,
                                             min_side=1, max_side=3).map(
        lambda b: tuple(b.input_shapes))


# ----------------------------------------------------------------- value domains
def sample(rng: np.random.Generator, shape, domain: str) -> np.ndarray:
    n = math.prod(shape)
    if domain == "real":
        x = rng.standard_normal(n)
    elif domain == "positive":
        x = rng.uniform(0.5, 2.0, n)
    elif domain == "nonzero":  # |x| >= 0.1: away from the kinks of abs, relu, leaky_relu
        x = rng.choice([-1.0, 1.0], n) * rng.uniform(0.1, 2.0, n)
    elif domain == "distinct":  # all different, at least 0.3 apart: no ties in max/min
        x = rng.permutation(n) * 0.3 - 0.15 * n + rng.uniform(0, 0.1)
    elif domain == "grid":  # on k/10 + 0.05: never within 0.05 of the bounds ±0.5 of clamp
        x = rng.integers(-12, 12, n) / 10 + 0.05
    elif domain in ("low", "high"):  # clamp bounds on the grid k/10: never equal to "grid"
        x = rng.integers(3, 10, n) / 10 * (-1 if domain == "low" else 1)
    elif domain == "wide":  # softplus / sigmoid across their whole range
        x = rng.uniform(-30, 30, n)
    else:
        raise ValueError(domain)
    return np.asarray(x, dtype=np.float64).reshape(shape)


@dataclass
class Case:
    """One op: how nndl and torch call it, and the value domain of each input."""

    nndl: Callable
    torch: Callable
    domains: tuple[str, ...]
    kwargs: dict = field(default_factory=dict)


def check(case: Case, in_shapes, seed: int, **kwargs) -> None:
    """Forward and gradients vs torch (float64), then vs central finite differences."""
    rng = np.random.default_rng(seed)
    if len(case.domains) == 2 and case.domains == ("distinct", "distinct"):
        # two inputs without ties between them either
        n0 = math.prod(in_shapes[0])
        both = sample(rng, (n0 + math.prod(in_shapes[1]),), "distinct")
        arrays = [both[:n0].reshape(in_shapes[0]), both[n0:].reshape(in_shapes[1])]
    else:
        arrays = [sample(rng, s, d) for s, d in zip(in_shapes, case.domains, strict=True)]
    kw = {**case.kwargs, **kwargs}

    xs = [Tensor(a, requires_grad=True, dtype=nndl.float64) for a in arrays]
    out = case.nndl(*xs, **kw)
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    tout = case.torch(*ts, **kw)

    assert out.dtype == np.float64
    assert out.shape == tuple(tout.shape), (out.shape, tuple(tout.shape))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=TOL, atol=TOL)

    w = rng.standard_normal(out.shape)
    out.backward(gradient=w)
    tout.backward(gradient=torch.tensor(w, dtype=torch.float64))
    for i, (x, t) in enumerate(zip(xs, ts, strict=True)):
        assert x.grad is not None, f"input {i} got no gradient"
        assert x.grad.shape == x.shape
        expected = t.grad.numpy() if t.grad is not None else np.zeros(x.shape)
        np.testing.assert_allclose(np.asarray(x.grad), expected, rtol=TOL, atol=TOL,
                                   err_msg=f"gradient of input {i}")

    if sum(a.size for a in arrays) <= FD_MAX_ELEMENTS:
        for i, fd in enumerate(central_differences(lambda *a: case.nndl(*a, **kw), arrays, w)):
            np.testing.assert_allclose(np.asarray(xs[i].grad), fd, rtol=1e-5, atol=1e-6,
                                       err_msg=f"finite differences, input {i}")


def central_differences(fn, arrays, w, eps=FD_EPS):
    """d/dx_i of sum(fn(x) * w) by (L(x + eps e_k) - L(x - eps e_k)) / 2 eps, per element."""

    def loss(arrs):
        with nndl.no_grad():
            out = fn(*[Tensor(a, dtype=nndl.float64) for a in arrs])
        return float(np.sum(np.asarray(out.data) * w))

    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            plus, minus = a.copy(), a.copy()
            plus[idx] += eps
            minus[idx] -= eps
            args_p = [*arrays[:i], plus, *arrays[i + 1:]]
            args_m = [*arrays[:i], minus, *arrays[i + 1:]]
            g[idx] = (loss(args_p) - loss(args_m)) / (2 * eps)
        grads.append(g)
    return grads


# ----------------------------------------------------------------- elementwise, one input
UNARY = {
    "neg": Case(lambda x: -x, lambda t: -t, ("real",)),
    "pos": Case(lambda x: +x * 1, lambda t: +t * 1, ("real",)),
    "exp": Case(nndl.exp, torch.exp, ("real",)),
    "exp_method": Case(lambda x: x.exp(), lambda t: t.exp(), ("real",)),
    "log": Case(nndl.log, torch.log, ("positive",)),
    "sqrt": Case(nndl.sqrt, torch.sqrt, ("positive",)),
    "abs": Case(abs, torch.abs, ("nonzero",)),
    "abs_method": Case(lambda x: x.abs(), lambda t: t.abs(), ("nonzero",)),
    "sin": Case(nndl.sin, torch.sin, ("real",)),
    "cos": Case(nndl.cos, torch.cos, ("real",)),
    "tanh": Case(nndl.tanh, torch.tanh, ("real",)),
    "sigmoid": Case(nndl.sigmoid, torch.sigmoid, ("real",)),
    "sigmoid_wide": Case(lambda x: x.sigmoid(), torch.sigmoid, ("wide",)),
    "relu": Case(nndl.relu, torch.relu, ("nonzero",)),
    "leaky_relu": Case(lambda x: ops.leaky_relu(x, 0.1), lambda t: F.leaky_relu(t, 0.1),
                       ("nonzero",)),
    "leaky_relu_default": Case(ops.leaky_relu, F.leaky_relu, ("nonzero",)),
    "softplus": Case(ops.softplus, F.softplus, ("wide",)),
    "clamp": Case(lambda x: x.clamp(-0.5, 0.5), lambda t: t.clamp(-0.5, 0.5), ("grid",)),
    "clamp_min": Case(lambda x: nndl.clamp(x, min=-0.5), lambda t: t.clamp(min=-0.5),
                      ("grid",)),
    "clamp_max": Case(lambda x: x.clamp(max=0.5), lambda t: t.clamp(max=0.5), ("grid",)),
    "clip": Case(lambda x: x.clip(-0.5, 0.5), lambda t: t.clip(-0.5, 0.5), ("grid",)),
    "clip_fn": Case(lambda x: nndl.clip(x, -0.5, 0.5), lambda t: torch.clip(t, -0.5, 0.5),
                    ("grid",)),
    "pow_2": Case(lambda x: x ** 2, lambda t: t ** 2, ("real",)),
    "pow_3_int": Case(lambda x: x ** 3, lambda t: t ** 3, ("real",)),
    "pow_frac": Case(lambda x: x ** 1.5, lambda t: t ** 1.5, ("positive",)),
    "pow_neg": Case(lambda x: x ** -2, lambda t: t ** -2, ("nonzero",)),
    "pow_0": Case(lambda x: x ** 0, lambda t: t ** 0, ("real",)),
    "pow_method": Case(lambda x: x.pow(0.5), lambda t: t.pow(0.5), ("positive",)),
    "rpow": Case(lambda x: 2.0 ** x, lambda t: 2.0 ** t, ("real",)),
    "rpow_int": Case(lambda x: 3 ** x, lambda t: 3 ** t, ("real",)),
    "add_number": Case(lambda x: x + 2.5, lambda t: t + 2.5, ("real",)),
    "radd_number": Case(lambda x: 2.5 + x, lambda t: 2.5 + t, ("real",)),
    "sub_number": Case(lambda x: x - 2, lambda t: t - 2, ("real",)),
    "rsub_number": Case(lambda x: 2.5 - x, lambda t: 2.5 - t, ("real",)),
    "mul_number": Case(lambda x: x * -3, lambda t: t * -3, ("real",)),
    "rmul_number": Case(lambda x: 0.5 * x, lambda t: 0.5 * t, ("real",)),
    "div_number": Case(lambda x: x / 3, lambda t: t / 3, ("real",)),
    "rdiv_number": Case(lambda x: 3.0 / x, lambda t: 3.0 / t, ("nonzero",)),
    "square_via_mul": Case(lambda x: x * x + x, lambda t: t * t + t, ("real",)),
    "clone": Case(lambda x: x.clone() * 2, lambda t: t.clone() * 2, ("real",)),
    "to_float64": Case(lambda x: x.double() * 2, lambda t: t.double() * 2, ("real",)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(shape=shapes, seed=seeds)
def test_unary(name, shape, seed):
    check(UNARY[name], (shape,), seed)


# ----------------------------------------------------------------- elementwise, broadcasting
BINARY = {
    "add": Case(lambda a, b: a + b, lambda a, b: a + b, ("real", "real")),
    "add_fn": Case(ops.add, torch.add, ("real", "real")),
    "sub": Case(lambda a, b: a - b, lambda a, b: a - b, ("real", "real")),
    "mul": Case(lambda a, b: a * b, lambda a, b: a * b, ("real", "real")),
    "div": Case(lambda a, b: a / b, lambda a, b: a / b, ("real", "nonzero")),
    "pow": Case(lambda a, b: a ** b, lambda a, b: a ** b, ("positive", "real")),
    "pow_fn": Case(ops.pow, torch.pow, ("positive", "real")),
    "maximum": Case(nndl.maximum, torch.maximum, ("distinct", "distinct")),
    "minimum": Case(nndl.minimum, torch.minimum, ("distinct", "distinct")),
    "max_binary": Case(lambda a, b: a.max(b), lambda a, b: torch.max(a, b),
                       ("distinct", "distinct")),
    "min_binary": Case(lambda a, b: ops.min(a, b), lambda a, b: torch.min(a, b),
                       ("distinct", "distinct")),
    "expression": Case(lambda a, b: ((a * b).tanh() + a / (b * b + 1)).exp() - a.sigmoid() * b,
                       lambda a, b: ((a * b).tanh() + a / (b * b + 1)).exp() - a.sigmoid() * b,
                       ("real", "real")),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(in_shapes=broadcast_pair(), seed=seeds)
def test_binary(name, in_shapes, seed):
    check(BINARY[name], in_shapes, seed)


@given(shapes3=hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3,
                                                  max_side=3), seed=seeds)
def test_where(shapes3, seed):
    cond_shape, a_shape, b_shape = shapes3.input_shapes
    cond = np.random.default_rng(seed + 1).random(cond_shape) < 0.5
    case = Case(lambda a, b: nndl.where(Tensor(cond), a, b),
                lambda a, b: torch.where(torch.tensor(cond), a, b), ("real", "real"))
    check(case, (a_shape, b_shape), seed)


@st.composite
def clamp_shapes(draw):
    """x and two bounds that broadcast to x's shape (torch keeps x's shape)."""
    x_shape = draw(small_shapes)

    def bound():
        tail = x_shape[draw(st.integers(0, len(x_shape))):]
        return tuple(1 if draw(st.booleans()) else n for n in tail)

    return x_shape, bound(), bound()


@given(in_shapes=clamp_shapes(), seed=seeds)
def test_clamp_with_tensor_bounds(in_shapes, seed):
    """torch.clamp(x, min=tensor, max=tensor): the bounds get gradients where they bind."""
    check(Case(lambda x, lo, hi: x.clamp(lo, hi), lambda x, lo, hi: x.clamp(lo, hi),
               ("grid", "low", "high")), in_shapes, seed)
    check(Case(lambda x, lo: nndl.clamp(x, min=lo), lambda x, lo: torch.clamp(x, min=lo),
               ("grid", "low")), in_shapes[:2], seed)


def test_where_with_numbers():
    x = Tensor([-1.0, 2.0, -3.0], requires_grad=True, dtype=nndl.float64)
    y = nndl.where(x > 0, x, 0.0) + nndl.where(x < 0, 1.5, x)
    np.testing.assert_array_equal(y.data, [1.5, 4.0, 1.5])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 2.0, 0.0])


# ----------------------------------------------------------------- matmul
@st.composite
def matmul_shapes(draw):
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    kind = draw(st.sampled_from(["vv", "vm", "mv", "mm", "batched", "vb", "bv"]))
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2,
                                                   max_side=3)).input_shapes
    return {
        "vv": ((k,), (k,)),
        "vm": ((k,), (k, m)),
        "mv": ((n, k), (k,)),
        "mm": ((n, k), (k, m)),
        "batched": (batch[0] + (n, k), batch[1] + (k, m)),
        "vb": ((k,), batch[1] + (k, m)),
        "bv": (batch[0] + (n, k), (k,)),
    }[kind]


MATMUL = {
    "operator": Case(lambda a, b: a @ b, lambda a, b: a @ b, ("real", "real")),
    "function": Case(nndl.matmul, torch.matmul, ("real", "real")),
    "method": Case(lambda a, b: a.matmul(b), lambda a, b: a.matmul(b), ("real", "real")),
}


@pytest.mark.parametrize("name", sorted(MATMUL))
@given(in_shapes=matmul_shapes(), seed=seeds)
def test_matmul(name, in_shapes, seed):
    check(MATMUL[name], in_shapes, seed)


def test_rmatmul_with_array():
    a = np.arange(6.0).reshape(2, 3)
    x = Tensor(np.ones((3, 2)), requires_grad=True, dtype=nndl.float64)
    y = a @ x  # ndarray @ Tensor -> Tensor.__rmatmul__
    assert isinstance(y, Tensor)
    np.testing.assert_array_equal(y.data, a @ np.ones((3, 2)))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), a.T @ np.ones((2, 2)))


# ----------------------------------------------------------------- reductions
@st.composite
def reduction_args(draw, allow_tuple=True, allow_none=True):
    shape = draw(shapes)
    ndim = len(shape)
    choices = ["int"]
    if allow_none:
        choices.append("none")
    if allow_tuple and ndim >= 1:
        choices.append("tuple")
    kind = draw(st.sampled_from(choices))
    span = max(ndim, 1)
    if kind == "none":
        dim = None
    elif kind == "int":
        dim = draw(st.integers(-span, span - 1))
    else:
        dim = tuple(draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim,
                                  unique=True)))
        dim = tuple(d - ndim if draw(st.booleans()) else d for d in dim)  # negative dims too
    return shape, dim, draw(st.booleans())


def _torch_reduce(fn):
    def call(t, dim=None, keepdim=False):
        return fn(t, dim=dim, keepdim=keepdim)  # torch: dim=None reduces everything

    return call


REDUCTIONS = {
    "sum": (lambda x, dim, keepdim: x.sum(dim=dim, keepdim=keepdim), _torch_reduce(torch.sum),
            "real"),
    "sum_numpy_names": (lambda x, dim, keepdim: x.sum(axis=dim, keepdims=keepdim),
                        _torch_reduce(torch.sum), "real"),
    "sum_fn": (lambda x, dim, keepdim: ops.sum(x, dim, keepdim), _torch_reduce(torch.sum),
               "real"),
    "mean": (lambda x, dim, keepdim: x.mean(dim=dim, keepdim=keepdim), _torch_reduce(torch.mean),
             "real"),
    "mean_numpy_names": (lambda x, dim, keepdim: x.mean(axis=dim, keepdims=keepdim),
                         _torch_reduce(torch.mean), "real"),
    "amax": (lambda x, dim, keepdim: x.amax(dim=dim, keepdim=keepdim),
             lambda t, dim, keepdim: torch.amax(t, dim=() if dim is None else dim,
                                                keepdim=keepdim), "distinct"),
    "amin": (lambda x, dim, keepdim: nndl.ops.amin(x, dim, keepdim),
             lambda t, dim, keepdim: torch.amin(t, dim=() if dim is None else dim,
                                                keepdim=keepdim), "distinct"),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(args=reduction_args(), seed=seeds)
def test_reduction(name, args, seed):
    shape, dim, keepdim = args
    fn, tfn, domain = REDUCTIONS[name]
    check(Case(fn, tfn, (domain,)), (shape,), seed, dim=dim, keepdim=keepdim)


@pytest.mark.parametrize("name", ["max", "min"])
@given(args=reduction_args(allow_tuple=False), seed=seeds, numpy_names=st.booleans())
def test_max_min(name, args, seed, numpy_names):
    """max/min: the full reduction is a tensor, with dim it is (values, indices) as torch."""
    shape, dim, keepdim = args
    tfn = getattr(torch, name)

    def nn(x, dim, keepdim):
        if dim is None:
            return getattr(x, name)()
        res = (getattr(x, name)(axis=dim, keepdims=keepdim) if numpy_names
               else getattr(x, name)(dim=dim, keepdim=keepdim))
        values, indices = res
        t_res = tfn(torch.tensor(x.data), dim=dim, keepdim=keepdim)
        np.testing.assert_array_equal(indices.data, t_res.indices.numpy())
        assert res.values is values
        return values

    def tt(t, dim, keepdim):
        return tfn(t) if dim is None else tfn(t, dim=dim, keepdim=keepdim).values

    check(Case(nn, tt, ("distinct",)), (shape,), seed, dim=dim, keepdim=keepdim)


def test_max_ties_share_the_gradient_as_torch():
    data = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    for fn in ("max", "amax"):
        x = Tensor(data, requires_grad=True, dtype=nndl.float64)
        t = torch.tensor(data, requires_grad=True)
        getattr(x, fn)().backward()
        getattr(t, fn)().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())
    x = Tensor(data, requires_grad=True, dtype=nndl.float64)
    t = torch.tensor(data, requires_grad=True)
    x.amax(dim=1).sum().backward()
    t.amax(dim=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())
    # maximum() splits a tie in half, as torch
    a = Tensor([1.0, 2.0], requires_grad=True, dtype=nndl.float64)
    b = Tensor([1.0, 0.0], requires_grad=True, dtype=nndl.float64)
    nndl.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [0.5, 0.0])


@given(args=reduction_args(), seed=seeds, unbiased=st.booleans())
def test_var(args, seed, unbiased):
    shape, dim, keepdim = args
    n = math.prod(shape) if dim is None else math.prod(
        shape[d] for d in ((dim,) if isinstance(dim, int) else dim)) if shape else 1
    if n - unbiased <= 0:
        with pytest.raises(nndl.NNDLError, match="var over"):
            Tensor(np.ones(shape)).var(dim=dim, keepdim=keepdim, unbiased=unbiased)
        return

    def tvar(t, dim, keepdim):
        return torch.var(t, dim=dim, keepdim=keepdim, correction=int(unbiased))

    check(Case(lambda x, dim, keepdim: x.var(dim=dim, keepdim=keepdim, unbiased=unbiased), tvar,
               ("real",)), (shape,), seed, dim=dim, keepdim=keepdim)


def test_argmax_argmin_match_torch():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((3, 4, 5))
    t = torch.tensor(data)
    x = Tensor(data)
    assert x.argmax().item() == t.argmax().item()
    assert x.argmin().item() == t.argmin().item()
    for dim in (0, 1, -1):
        for keepdim in (False, True):
            np.testing.assert_array_equal(x.argmax(dim, keepdim).data,
                                          t.argmax(dim, keepdim).numpy())
            np.testing.assert_array_equal(x.argmin(dim, keepdim).data,
                                          t.argmin(dim, keepdim).numpy())


# ----------------------------------------------------------------- shapes
@st.composite
def reshape_args(draw):
    shape = draw(shapes)
    n = math.prod(shape)
    dims = []  # a random factorisation of n
    rest = n
    for p in (2, 3, 2, 3, 2):
        if rest % p == 0 and draw(st.booleans()):
            dims.append(p)
            rest //= p
    dims.append(rest)
    dims = draw(st.permutations(dims))
    if draw(st.booleans()):
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    if n == 1 and draw(st.booleans()):
        dims = []  # back to 0-d
    return shape, tuple(dims), draw(st.booleans())


@given(args=reshape_args(), seed=seeds)
def test_reshape_and_view(args, seed):
    shape, new, as_tuple = args
    for method in ("reshape", "view"):
        case = Case(lambda x, m=method: getattr(x, m)(new) if as_tuple else getattr(x, m)(*new),
                    lambda t: t.reshape(new), ("real",))
        check(case, (shape,), seed)


@st.composite
def two_dims(draw):
    shape = draw(shapes)
    span = max(len(shape), 1)
    return shape, draw(st.integers(-span, span - 1)), draw(st.integers(-span, span - 1))


@given(args=two_dims(), seed=seeds)
def test_flatten(args, seed):
    shape, a, b = args
    ndim = len(shape)
    start, end = sorted((a, b), key=lambda d: d % max(ndim, 1))
    check(Case(lambda x: x.flatten(start, end), lambda t: t.flatten(start, end), ("real",)),
          (shape,), seed)
    check(Case(lambda x: x.flatten(), lambda t: t.flatten(), ("real",)), (shape,), seed)


@given(args=two_dims(), seed=seeds)
def test_transpose(args, seed):
    shape, d0, d1 = args
    check(Case(lambda x: x.transpose(d0, d1), lambda t: t.transpose(d0, d1), ("real",)),
          (shape,), seed)


@given(shape=shapes, seed=seeds, data=st.data())
def test_permute_and_T(shape, seed, data):
    perm = tuple(data.draw(st.permutations(range(len(shape)))))
    check(Case(lambda x: x.permute(*perm), lambda t: t.permute(perm), ("real",)), (shape,), seed)
    check(Case(lambda x: ops.permute(x, perm), lambda t: t.permute(perm), ("real",)), (shape,),
          seed)
    rev = tuple(reversed(range(len(shape))))
    check(Case(lambda x: x.T, lambda t: t.permute(rev), ("real",)), (shape,), seed)
    if len(shape) <= 2:
        check(Case(lambda x: x.t(), lambda t: t.t(), ("real",)), (shape,), seed)


@given(shape=shapes, seed=seeds, data=st.data())
def test_unsqueeze(shape, seed, data):
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    check(Case(lambda x: x.unsqueeze(dim), lambda t: t.unsqueeze(dim), ("real",)), (shape,), seed)


@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=2), seed=seeds,
       data=st.data())
def test_squeeze(shape, seed, data):
    check(Case(lambda x: x.squeeze(), lambda t: t.squeeze(), ("real",)), (shape,), seed)
    span = max(len(shape), 1)
    dim = data.draw(st.integers(-span, span - 1))
    check(Case(lambda x: x.squeeze(dim), lambda t: t.squeeze(dim), ("real",)), (shape,), seed)
    if shape:
        dims = tuple(data.draw(st.lists(st.integers(0, len(shape) - 1), min_size=1,
                                        unique=True)))
        check(Case(lambda x: x.squeeze(dims), lambda t: t.squeeze(dims), ("real",)), (shape,),
              seed)


@given(shape=small_shapes, seed=seeds, data=st.data())
def test_expand(shape, seed, data):
    lead = tuple(data.draw(st.lists(st.integers(1, 3), max_size=2)))
    target = lead + tuple(data.draw(st.sampled_from([n, -1] if n != 1 else [1, 2, 3, -1]))
                          for n in shape)
    check(Case(lambda x: x.expand(*target), lambda t: t.expand(target), ("real",)), (shape,),
          seed)


# ----------------------------------------------------------------- indexing
@st.composite
def basic_index(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    parts = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "full", "skip"]))
        if kind == "int":
            parts.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            start = draw(st.none() | st.integers(-n - 1, n + 1))
            stop = draw(st.none() | st.integers(-n - 1, n + 1))
            parts.append(slice(start, stop, draw(st.none() | st.integers(1, 3))))
        elif kind == "full":
            parts.append(slice(None))
        else:
            break
    if draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), None)
    if draw(st.booleans()) and len(parts) < len(shape):
        # after the parts drawn for the leading dims: an Ellipsis before one of them would
        # move it onto a trailing dim, where its int may be out of range
        parts.append(Ellipsis)
    index = parts[0] if len(parts) == 1 and draw(st.booleans()) else tuple(parts)
    return shape, index


@given(args=basic_index(), seed=seeds)
def test_getitem_basic(args, seed):
    shape, index = args
    check(Case(lambda x: x[index], lambda t: t[index], ("real",)), (shape,), seed)


@st.composite
def advanced_index(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    n = shape[0]
    kind = draw(st.sampled_from(["ints", "ints2d", "mask_full", "mask_lead", "ints_tail"]))
    if kind == "ints":  # repeated indices must accumulate
        idx = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=6))
        return shape, (np.array(idx),)
    if kind == "ints2d":
        idx = np.array(draw(st.lists(st.integers(0, n - 1), min_size=4, max_size=4))).reshape(2, 2)
        return shape, (idx,)
    if kind == "mask_full":
        return shape, (np.array(draw(hnp.arrays(bool, shape))),)
    if kind == "mask_lead":
        return shape, (np.array(draw(hnp.arrays(bool, (n,)))), Ellipsis)
    if len(shape) < 2:
        return shape, (np.array([0, 0]),)
    m = shape[1]
    idx = draw(st.lists(st.integers(0, m - 1), min_size=1, max_size=5))
    return shape, (slice(None), np.array(idx))


@given(args=advanced_index(), seed=seeds, as_tensor=st.booleans())
def test_getitem_advanced(args, seed, as_tensor):
    shape, index = args
    nindex = tuple(Tensor(i) if as_tensor and isinstance(i, np.ndarray) else i for i in index)
    tindex = tuple(torch.tensor(i) if isinstance(i, np.ndarray) else i for i in index)
    if len(index) == 1:
        nindex, tindex = nindex[0], tindex[0]
    check(Case(lambda x: x[nindex], lambda t: t[tindex], ("real",)), (shape,), seed)


def test_getitem_negative_step_against_numpy_and_fd():
    """PyTorch has no negative slice steps, so NumPy and finite differences are the oracle."""
    data = np.arange(12.0).reshape(3, 4)
    x = Tensor(data, requires_grad=True, dtype=nndl.float64)
    y = x[::-1, 3:0:-2]
    np.testing.assert_array_equal(y.data, data[::-1, 3:0:-2])
    w = np.random.default_rng(0).standard_normal(y.shape)
    y.backward(gradient=w)
    (fd,) = central_differences(lambda a: a[::-1, 3:0:-2], [data], w)
    np.testing.assert_allclose(x.grad.numpy(), fd, atol=1e-6)


def test_getitem_by_bool_tensor_from_comparison():
    x = Tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True, dtype=nndl.float64)
    y = x[x > 0]
    np.testing.assert_array_equal(y.data, [2.0, 4.0])
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 4.0, 0.0, 8.0])


# ----------------------------------------------------------------- joining
@st.composite
def cat_args(draw):
    base = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    dim = draw(st.integers(-len(base), len(base) - 1))
    k = draw(st.integers(1, 3))
    in_shapes = []
    for _ in range(k):
        s = list(base)
        s[dim] = draw(st.integers(1, 3))
        in_shapes.append(tuple(s))
    return tuple(in_shapes), dim


@given(args=cat_args(), seed=seeds)
def test_cat(args, seed):
    in_shapes, dim = args
    check(Case(lambda *xs: nndl.cat(xs, dim=dim), lambda *ts: torch.cat(ts, dim=dim),
               ("real",) * len(in_shapes)), in_shapes, seed)


@given(shape=small_shapes, k=st.integers(1, 3), seed=seeds, data=st.data())
def test_stack(shape, k, seed, data):
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    check(Case(lambda *xs: nndl.stack(list(xs), dim=dim), lambda *ts: torch.stack(ts, dim=dim),
               ("real",) * k), (shape,) * k, seed)


# ----------------------------------------------------------------- softmax
@given(shape=shapes, seed=seeds, data=st.data())
def test_softmax_log_softmax(shape, seed, data):
    span = max(len(shape), 1)
    dim = data.draw(st.integers(-span, span - 1))
    check(Case(lambda x: x.softmax(dim), lambda t: torch.softmax(t, dim), ("real",)), (shape,),
          seed)
    check(Case(lambda x: nndl.softmax(x, dim=dim), lambda t: F.softmax(t, dim=dim), ("real",)),
          (shape,), seed)
    check(Case(lambda x: x.log_softmax(dim), lambda t: torch.log_softmax(t, dim), ("real",)),
          (shape,), seed)
    check(Case(lambda x: nndl.log_softmax(x, dim), lambda t: F.log_softmax(t, dim), ("real",)),
          (shape,), seed)


# ----------------------------------------------------------------- composite graphs
@given(in_shapes=broadcast_pair(), seed=seeds)
def test_small_network_graph(in_shapes, seed):
    """Several ops in one graph, tensors used more than once: the sweep must sum every path."""

    def net(fw, x, y):
        h = fw["tanh"](x * y + x)
        z = fw["sigmoid"](h - y) * h + (x * x).sum() / 3
        return fw["log_softmax"](z.reshape(-1), 0).exp() + (z ** 2).mean()

    nfw = {"tanh": nndl.tanh, "sigmoid": nndl.sigmoid, "log_softmax": nndl.log_softmax}
    tfw = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "log_softmax": torch.log_softmax}
    check(Case(lambda x, y: net(nfw, x, y), lambda x, y: net(tfw, x, y), ("real", "real")),
          in_shapes, seed)


# ----------------------------------------------------------------- the scalar path
SCALAR_OPS = {
    "add": (lambda a, b: a + b, "real"),
    "sub": (lambda a, b: a - b, "real"),
    "mul": (lambda a, b: a * b, "real"),
    "div": (lambda a, b: a / b, "nonzero"),
    "neg_then_add": (lambda a, b: -a + b, "real"),
    "pow_number": (lambda a, b: a ** 3 + b ** 2.5, "positive"),
    "rpow": (lambda a, b: 2 ** a * b, "real"),
    "numbers": (lambda a, b: (2 - a) * 3 + 1 / (b + 5) - a / 4, "positive"),
    "exp": (lambda a, b: a.exp() * b, "real"),
    "log": (lambda a, b: a.log() + b.log(), "positive"),
    "sqrt": (lambda a, b: a.sqrt() * b.sqrt(), "positive"),
    "tanh": (lambda a, b: (a * b).tanh(), "real"),
    "sigmoid": (lambda a, b: (a - b).sigmoid(), "real"),
    "relu": (lambda a, b: a.relu() * b.relu(), "nonzero"),
    "neuron": (lambda a, b: (a * b + a * a + 0.5).tanh() * (b - a).exp(), "real"),
}


@pytest.mark.parametrize("name", sorted(SCALAR_OPS))
@given(seed=seeds)
def test_scalar_path_matches_torch(name, seed):
    """0-d tensors made from Python floats take the scalar path; same answers as torch."""
    fn, domain = SCALAR_OPS[name]
    rng = np.random.default_rng(seed)
    av, bv = (float(sample(rng, (), domain)) for _ in range(2))
    a = Tensor(av, requires_grad=True, dtype=nndl.float64)
    b = Tensor(bv, requires_grad=True, dtype=nndl.float64)
    assert a._v is not None  # the scalar path is what this test is about
    out = fn(a, b)
    assert out._data is None, "the result left the scalar path"
    ta = torch.tensor(av, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(bv, dtype=torch.float64, requires_grad=True)
    tout = fn(ta, tb)
    np.testing.assert_allclose(out.item(), tout.item(), rtol=TOL, atol=TOL)
    out.backward()
    tout.backward()
    np.testing.assert_allclose(a.grad.item(), ta.grad.item(), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(b.grad.item(), tb.grad.item(), rtol=TOL, atol=TOL)

    # float32 scalars follow NumPy float32 arithmetic: compare with the array path
    a32, b32 = Tensor(av, requires_grad=True), Tensor(bv, requires_grad=True)
    arr_a, arr_b = (Tensor(np.float32(v), requires_grad=True) for v in (av, bv))
    assert a32._v is not None and arr_a._v is None
    s_out, r_out = fn(a32, b32), fn(arr_a, arr_b)
    assert s_out.dtype == r_out.dtype == np.float32
    np.testing.assert_allclose(s_out.item(), r_out.item(), rtol=1e-5, atol=1e-6)
    s_out.backward()
    r_out.backward()
    assert a32.grad.dtype == np.float32
    np.testing.assert_allclose(a32.grad.item(), arr_a.grad.item(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b32.grad.item(), arr_b.grad.item(), rtol=1e-5, atol=1e-6)
