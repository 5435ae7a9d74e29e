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
from nndl.nn import functional as NF

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
    elif domain == "unit":  # inside (−1, 1), away from its ends: asin, acos, atanh
        x = rng.uniform(-0.9, 0.9, n)
    elif domain == "above1":  # acosh
        x = rng.uniform(1.1, 3.0, n)
    elif domain == "prob":  # inside (0, 1): logit
        x = rng.uniform(0.1, 0.9, n)
    elif domain == "mid":  # |x| < 1.2: tan away from its poles
        x = rng.uniform(-1.2, 1.2, n)
    elif domain == "six":  # relu6, hardtanh, hardswish, hardsigmoid around their kinks
        x = rng.integers(-80, 80, n) / 10 + 0.05
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
    fd: bool = True  # False where the gradient is a convention, not a derivative (padding_idx)


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

    if case.fd and sum(a.size for a in arrays) <= FD_MAX_ELEMENTS:
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
    # elementwise math (issue 17)
    "square": Case(nndl.square, torch.square, ("real",)),
    "reciprocal": Case(lambda x: x.reciprocal(), lambda t: t.reciprocal(), ("nonzero",)),
    "rsqrt": Case(nndl.rsqrt, torch.rsqrt, ("positive",)),
    "log1p": Case(nndl.log1p, torch.log1p, ("positive",)),
    "expm1": Case(lambda x: x.expm1(), lambda t: t.expm1(), ("real",)),
    "exp2": Case(nndl.exp2, torch.exp2, ("real",)),
    "log2": Case(nndl.log2, torch.log2, ("positive",)),
    "log10": Case(lambda x: x.log10(), lambda t: t.log10(), ("positive",)),
    "tan": Case(nndl.tan, torch.tan, ("mid",)),
    "asin": Case(nndl.asin, torch.asin, ("unit",)),
    "acos": Case(lambda x: x.acos(), lambda t: t.acos(), ("unit",)),
    "atan": Case(nndl.atan, torch.atan, ("real",)),
    "arctan": Case(nndl.arctan, torch.arctan, ("real",)),
    "sinh": Case(nndl.sinh, torch.sinh, ("real",)),
    "cosh": Case(nndl.cosh, torch.cosh, ("real",)),
    "asinh": Case(nndl.asinh, torch.asinh, ("real",)),
    "acosh": Case(nndl.acosh, torch.acosh, ("above1",)),
    "atanh": Case(nndl.atanh, torch.atanh, ("unit",)),
    "erf": Case(nndl.erf, torch.erf, ("real",)),
    "erfc": Case(lambda x: x.erfc(), lambda t: t.erfc(), ("real",)),
    "floor": Case(lambda x: x.floor() * x, lambda t: t.floor() * t, ("real",)),
    "ceil": Case(lambda x: nndl.ceil(x) * x, lambda t: torch.ceil(t) * t, ("real",)),
    "round": Case(lambda x: x.round() + x, lambda t: t.round() + t, ("real",)),
    "round_decimals": Case(lambda x: nndl.round(x, decimals=1) * x,
                           lambda t: torch.round(t, decimals=1) * t, ("real",)),
    "trunc": Case(lambda x: x.trunc() * x, lambda t: t.trunc() * t, ("real",)),
    "sign": Case(lambda x: x.sign() * x, lambda t: t.sign() * t, ("nonzero",)),
    "frac": Case(nndl.frac, torch.frac, ("real",)),
    "logit": Case(nndl.logit, torch.logit, ("prob",)),
    "logit_eps": Case(lambda x: nndl.logit(x, 0.2), lambda t: torch.logit(t, 0.2), ("prob",)),
    # activations (functional and module forms)
    "gelu": Case(NF.gelu, F.gelu, ("real",)),
    "gelu_tanh": Case(lambda x: NF.gelu(x, approximate="tanh"),
                      lambda t: F.gelu(t, approximate="tanh"), ("real",)),
    "GELU": Case(lambda x: nndl.nn.GELU()(x), torch.nn.GELU(), ("real",)),
    "silu": Case(NF.silu, F.silu, ("wide",)),
    "SiLU": Case(lambda x: nndl.nn.SiLU()(x), torch.nn.SiLU(), ("real",)),
    "mish": Case(NF.mish, F.mish, ("real",)),
    "Mish": Case(lambda x: nndl.nn.Mish()(x), torch.nn.Mish(), ("real",)),
    "elu": Case(NF.elu, F.elu, ("nonzero",)),
    "elu_alpha": Case(lambda x: NF.elu(x, alpha=0.5), lambda t: F.elu(t, alpha=0.5),
                      ("nonzero",)),
    "ELU": Case(lambda x: nndl.nn.ELU(2.0)(x), torch.nn.ELU(2.0), ("nonzero",)),
    "selu": Case(NF.selu, F.selu, ("nonzero",)),
    "SELU": Case(lambda x: nndl.nn.SELU()(x), torch.nn.SELU(), ("nonzero",)),
    "celu": Case(lambda x: NF.celu(x, alpha=0.7), lambda t: F.celu(t, alpha=0.7),
                 ("nonzero",)),
    "CELU": Case(lambda x: nndl.nn.CELU()(x), torch.nn.CELU(), ("nonzero",)),
    "hardtanh": Case(NF.hardtanh, F.hardtanh, ("grid",)),
    "hardtanh_bounds": Case(lambda x: NF.hardtanh(x, -0.5, 0.5),
                            lambda t: F.hardtanh(t, -0.5, 0.5), ("grid",)),
    "Hardtanh": Case(lambda x: nndl.nn.Hardtanh(-0.5, 0.5)(x), torch.nn.Hardtanh(-0.5, 0.5),
                     ("grid",)),
    "relu6": Case(NF.relu6, F.relu6, ("six",)),
    "ReLU6": Case(lambda x: nndl.nn.ReLU6()(x), torch.nn.ReLU6(), ("six",)),
    "hardsigmoid": Case(NF.hardsigmoid, F.hardsigmoid, ("six",)),
    "Hardsigmoid": Case(lambda x: nndl.nn.Hardsigmoid()(x), torch.nn.Hardsigmoid(), ("six",)),
    "hardswish": Case(NF.hardswish, F.hardswish, ("six",)),
    "Hardswish": Case(lambda x: nndl.nn.Hardswish()(x), torch.nn.Hardswish(), ("six",)),
    "softsign": Case(NF.softsign, F.softsign, ("real",)),
    "Softsign": Case(lambda x: nndl.nn.Softsign()(x), torch.nn.Softsign(), ("real",)),
    "logsigmoid": Case(NF.logsigmoid, F.logsigmoid, ("wide",)),
    "LogSigmoid": Case(lambda x: nndl.nn.LogSigmoid()(x), torch.nn.LogSigmoid(), ("wide",)),
    "softplus_beta": Case(lambda x: NF.softplus(x, beta=2.0, threshold=5.0),
                          lambda t: F.softplus(t, beta=2.0, threshold=5.0), ("wide",)),
    "Softplus": Case(lambda x: nndl.nn.Softplus(beta=0.5)(x), torch.nn.Softplus(beta=0.5),
                     ("wide",)),
    "tanhshrink": Case(NF.tanhshrink, F.tanhshrink, ("real",)),
    "softshrink": Case(NF.softshrink, F.softshrink, ("grid",)),
    "hardshrink": Case(NF.hardshrink, F.hardshrink, ("grid",)),
    "threshold": Case(lambda x: NF.threshold(x, 0.3, -2.0),
                      lambda t: F.threshold(t, 0.3, -2.0), ("grid",)),
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
    # issue 17
    "atan2": Case(nndl.atan2, torch.atan2, ("nonzero", "nonzero")),
    "logaddexp": Case(nndl.logaddexp, torch.logaddexp, ("real", "real")),
    "copysign": Case(nndl.copysign, torch.copysign, ("nonzero", "nonzero")),
    "fmod": Case(nndl.fmod, torch.fmod, ("grid", "high")),
    "remainder": Case(lambda a, b: a % b, lambda a, b: a % b, ("grid", "high")),
    "remainder_neg": Case(nndl.remainder, torch.remainder, ("grid", "low")),
    "div_trunc": Case(lambda a, b: nndl.div(a, b, rounding_mode="trunc") + a,
                      lambda a, b: torch.div(a, b, rounding_mode="trunc") + a,
                      ("grid", "high")),
    "div_floor": Case(lambda a, b: a.div(b, rounding_mode="floor") * b,
                      lambda a, b: a.div(b, rounding_mode="floor") * b, ("grid", "high")),
    "lerp_number": Case(lambda a, b: nndl.lerp(a, b, 0.3), lambda a, b: torch.lerp(a, b, 0.3),
                        ("real", "real")),
    "hypot": Case(nndl.hypot, torch.hypot, ("nonzero", "nonzero")),
    "xlogy": Case(nndl.xlogy, torch.xlogy, ("real", "positive")),
    "sub_method": Case(lambda a, b: a.sub(b), lambda a, b: a.sub(b), ("real", "real")),
    "true_divide": Case(nndl.true_divide, torch.true_divide, ("real", "nonzero")),
    "outer_like": Case(lambda a, b: nndl.maximum(a, b) - nndl.minimum(a, b) * 0.5,
                       lambda a, b: torch.maximum(a, b) - torch.minimum(a, b) * 0.5,
                       ("distinct", "distinct")),
}


@given(shapes3=hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3,
                                                  max_side=3), seed=seeds)
def test_lerp_with_tensor_weight(shapes3, seed):
    check(Case(nndl.lerp, torch.lerp, ("real", "real", "real")), shapes3.input_shapes, seed)


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
    # issue 17
    "norm": (lambda x, dim, keepdim: x.norm(dim=dim, keepdim=keepdim),
             lambda t, dim, keepdim: torch.linalg.vector_norm(t, 2, dim, keepdim), "real"),
    "norm_1": (lambda x, dim, keepdim: nndl.norm(x, 1, dim, keepdim),
               lambda t, dim, keepdim: torch.linalg.vector_norm(t, 1, dim, keepdim), "nonzero"),
    "norm_3": (lambda x, dim, keepdim: nndl.norm(x, 3, dim, keepdim),
               lambda t, dim, keepdim: torch.linalg.vector_norm(t, 3, dim, keepdim), "nonzero"),
    "norm_inf": (lambda x, dim, keepdim: nndl.norm(x, float("inf"), dim, keepdim),
                 lambda t, dim, keepdim: torch.linalg.vector_norm(t, float("inf"), dim, keepdim),
                 "distinct"),
    "logsumexp": (lambda x, dim, keepdim: x.logsumexp(_all_dims(x, dim), keepdim),
                  lambda t, dim, keepdim: torch.logsumexp(t, _all_dims(t, dim), keepdim), "real"),
    "nansum": (lambda x, dim, keepdim: nndl.nansum(x, dim, keepdim),
               lambda t, dim, keepdim: torch.nansum(t, dim, keepdim), "real"),
    "nanmean": (lambda x, dim, keepdim: x.nanmean(dim, keepdim),
                lambda t, dim, keepdim: t.nanmean(dim, keepdim), "real"),
}


def _all_dims(x, dim):
    return tuple(range(x.ndim)) if dim is None else dim


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


# ----------------------------------------------------------------- scans, sorts, one dim
@st.composite
def one_dim(draw, min_dims=0):
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=1, max_side=4))
    span = max(len(shape), 1)
    return shape, draw(st.integers(-span, span - 1))


DIM_OPS = {  # (nndl(x, dim), torch(t, dim), domain)
    "cumsum": (lambda x, d: x.cumsum(d), lambda t, d: t.cumsum(d), "real"),
    "cumsum_fn": (lambda x, d: nndl.cumsum(x, dim=d), lambda t, d: torch.cumsum(t, dim=d),
                  "real"),
    "cumprod": (lambda x, d: x.cumprod(d), lambda t, d: t.cumprod(d), "real"),
    "prod": (lambda x, d: x.prod(d), lambda t, d: t.prod(d), "real"),
    "prod_keepdim": (lambda x, d: nndl.prod(x, d, keepdim=True),
                     lambda t, d: torch.prod(t, d, keepdim=True), "real"),
    "prod_all": (lambda x, d: x.prod(), lambda t, d: t.prod(), "real"),
    "logsumexp_int": (lambda x, d: nndl.logsumexp(x, d), lambda t, d: torch.logsumexp(t, d),
                      "real"),
    "softmin": (lambda x, d: NF.softmin(x, d), lambda t, d: F.softmin(t, d), "real"),
    "Softmin": (lambda x, d: nndl.nn.Softmin(d)(x), lambda t, d: torch.nn.Softmin(d)(t),
                "real"),
    "cummax": (lambda x, d: x.cummax(d).values, lambda t, d: t.cummax(d).values, "distinct"),
    "cummin": (lambda x, d: nndl.cummin(x, d)[0], lambda t, d: torch.cummin(t, d)[0],
               "distinct"),
    "sort": (lambda x, d: x.sort(d).values, lambda t, d: t.sort(d).values, "distinct"),
    "sort_descending": (lambda x, d: nndl.sort(x, d, descending=True)[0],
                        lambda t, d: torch.sort(t, d, descending=True)[0], "distinct"),
    "median": (lambda x, d: x.median(d).values, lambda t, d: t.median(d).values, "distinct"),
    "median_all": (lambda x, d: x.median(), lambda t, d: t.median(), "distinct"),
    "kthvalue": (lambda x, d: x.kthvalue(1, d, keepdim=True).values,
                 lambda t, d: t.kthvalue(1, d, keepdim=True).values, "distinct"),
    "topk": (lambda x, d: x.topk(1, d).values, lambda t, d: t.topk(1, d).values, "distinct"),
    "topk_smallest": (lambda x, d: nndl.topk(x, 1, d, largest=False)[0],
                      lambda t, d: torch.topk(t, 1, d, largest=False)[0], "distinct"),
    "flip": (lambda x, d: x.flip(d) * nndl.arange(x.numel()).reshape(x.shape),
             lambda t, d: t.flip(d) * torch.arange(t.numel()).reshape(t.shape), "real"),
    "roll": (lambda x, d: nndl.roll(x, 2, d) * nndl.arange(x.numel()).reshape(x.shape),
             lambda t, d: torch.roll(t, 2, d) * torch.arange(t.numel()).reshape(t.shape),
             "real"),
    "std": (lambda x, d: x.std(d, unbiased=False), lambda t, d: t.std(d, unbiased=False), "real"),
    "var_mean": (lambda x, d: _plus(*nndl.var_mean(x, d, unbiased=False)),
                 lambda t, d: _plus(*torch.var_mean(t, d, unbiased=False)), "real"),
    "std_mean": (lambda x, d: _plus(*x.std_mean(d, unbiased=False)),
                 lambda t, d: _plus(*torch.std_mean(t, d, unbiased=False)), "real"),
    "unbind": (lambda x, d: nndl.stack([u * (i + 1) for i, u in enumerate(x.unbind(d))]),
               lambda t, d: torch.stack([u * (i + 1) for i, u in enumerate(t.unbind(d))]),
               "real"),
    "chunk": (lambda x, d: nndl.cat([c * (i + 1) for i, c in enumerate(x.chunk(2, d))], d),
              lambda t, d: torch.cat([c * (i + 1) for i, c in enumerate(t.chunk(2, d))], d),
              "real"),
    "split": (lambda x, d: nndl.cat([c * (i + 1) for i, c in enumerate(x.split(3, d))], d),
              lambda t, d: torch.cat([c * (i + 1) for i, c in enumerate(t.split(3, d))], d),
              "real"),
    "repeat_interleave": (lambda x, d: x.repeat_interleave(2, dim=d),
                          lambda t, d: t.repeat_interleave(2, dim=d), "real"),
    "narrow": (lambda x, d: x.narrow(d, 0, 1), lambda t, d: t.narrow(d, 0, 1), "real"),
    "unfold": (lambda x, d: x.unfold(d, 1, 1) * 2, lambda t, d: t.unfold(d, 1, 1) * 2, "real"),
}


def _plus(a, b):
    return a * 2 - b


@pytest.mark.parametrize("name", sorted(DIM_OPS))
@given(args=one_dim(min_dims=1), seed=seeds)
def test_dim_op(name, args, seed):
    shape, dim = args
    fn, tfn, domain = DIM_OPS[name]
    check(Case(lambda x: fn(x, dim), lambda t: tfn(t, dim), (domain,)), (shape,), seed)


@given(args=one_dim(min_dims=1), seed=seeds, data=st.data())
def test_sort_topk_cummax_indices_match_torch(args, seed, data):
    shape, dim = args
    x = sample(np.random.default_rng(seed), shape, "distinct")
    xn, xt = Tensor(x), torch.tensor(x)
    k = data.draw(st.integers(0, shape[dim]))
    for fn in (lambda m, v: m.sort(v, dim, descending=True), lambda m, v: m.topk(v, k, dim),
               lambda m, v: m.cummax(v, dim), lambda m, v: m.cummin(v, dim),
               lambda m, v: m.median(v, dim), lambda m, v: m.kthvalue(v, 1, dim)):
        got, want = fn(nndl, xn), fn(torch, xt)
        np.testing.assert_allclose(got[0].data, want[0].numpy())
        np.testing.assert_array_equal(got[1].data, want[1].numpy())
    np.testing.assert_array_equal(xn.argsort(dim).data, xt.argsort(dim).numpy())


def test_ties_follow_torch():
    x = [1.0, 3.0, 3.0, 2.0, 3.0, 0.0, 0.0]
    for fn in ("cummax", "cummin"):
        got, want = getattr(nndl, fn)(Tensor(x), 0), getattr(torch, fn)(torch.tensor(x), 0)
        np.testing.assert_array_equal(got.indices.data, want.indices.numpy())
    y = [3.0, 1.0, 3.0, 1.0]
    np.testing.assert_array_equal(Tensor(y).topk(2).indices.data, [0, 2])
    np.testing.assert_array_equal(Tensor(y).sort(descending=True).indices.data,
                                  torch.tensor(y).sort(descending=True, stable=True).indices)


@pytest.mark.parametrize("fn", ["prod", "cumprod"])
def test_products_with_zeros_have_exact_gradients(fn):
    """∂Π/∂x_i is the product of the others, zeros included (no division by x_i)."""
    data = np.array([[2.0, 0.0, 3.0, 0.5], [0.0, 0.0, 4.0, 1.0], [1.5, -2.0, 0.5, 3.0]])
    for dim in (0, 1, None):
        if dim is None and fn == "cumprod":
            continue
        x = Tensor(data, requires_grad=True, dtype=nndl.float64)
        t = torch.tensor(data, requires_grad=True)
        out = getattr(x, fn)() if dim is None else getattr(x, fn)(dim)
        tout = getattr(t, fn)() if dim is None else getattr(t, fn)(dim)
        w = np.random.default_rng(0).standard_normal(out.shape)
        out.backward(w)
        tout.backward(torch.tensor(w))
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), atol=1e-12)


@given(shape=shapes, seed=seeds, data=st.data())
def test_std(shape, seed, data):
    span = max(len(shape), 1)
    dim = data.draw(st.none() | st.integers(-span, span - 1))
    n = math.prod(shape) if dim is None else (shape[dim] if shape else 1)
    if n < 2:
        return
    check(Case(lambda x: x.std(dim), lambda t: t.std(dim), ("real",)), (shape,), seed)
    check(Case(lambda x: nndl.std(x, dim, keepdim=True), lambda t: torch.std(t, dim, keepdim=True),
               ("real",)), (shape,), seed)


def test_sum_mean_dtype_match_torch():
    x = np.arange(6, dtype=np.int32).reshape(2, 3)
    for kw in ({"dtype": nndl.float64}, {"dim": 1, "dtype": nndl.float32}, {}):
        tkw = {k: getattr(torch, str(v)) if k == "dtype" else v for k, v in kw.items()}
        got, want = Tensor(x).sum(**kw), torch.tensor(x).sum(**tkw)
        assert str(got.dtype) == str(want.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(got.data, want.numpy())
    got = Tensor(x).mean(dtype=nndl.float64)
    assert got.dtype == np.float64 and got.item() == 2.5
    v = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    v.sum(dtype=nndl.float64).backward()
    assert v.grad.dtype == np.float32 and v.grad.tolist() == [1.0, 1.0]


def test_any_all_count_nonzero_match_torch():
    x = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    for fn in ("any", "all", "count_nonzero"):
        for kw in ({}, {"dim": 0}, {"dim": 1}, {"dim": -1}):
            got = getattr(nndl, fn)(Tensor(x), **kw)
            want = getattr(torch, fn)(torch.tensor(x), **kw)
            assert got.dtype == np.dtype(str(want.dtype).removeprefix("torch."))
            np.testing.assert_array_equal(got.data, want.numpy())
    assert nndl.any(Tensor(x), 1, keepdim=True).shape == (2, 1)
    assert Tensor([True, True]).all().item() is True


# ----------------------------------------------------------------- indexing and masking
@st.composite
def gather_args(draw, scatter=False):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    d = draw(st.integers(-len(shape), len(shape) - 1))
    idx_shape = tuple(draw(st.integers(1, 4)) if k == d % len(shape) else
                      draw(st.integers(1, n)) for k, n in enumerate(shape))
    n = shape[d]
    if scatter:  # distinct targets along dim: scatter's result does not depend on the order
        axis = d % len(shape)
        idx_shape = tuple(min(m, n) if k == axis else m for k, m in enumerate(idx_shape))
        base = np.array(draw(st.permutations(range(n))))[:idx_shape[axis]]
        idx = np.broadcast_to(base.reshape([-1 if k == axis else 1 for k in range(len(shape))]),
                              idx_shape).copy()
    else:
        idx = np.array(draw(st.lists(st.integers(0, n - 1), min_size=math.prod(idx_shape),
                                     max_size=math.prod(idx_shape)))).reshape(idx_shape)
    return shape, d, idx


@given(args=gather_args(), seed=seeds)
def test_gather(args, seed):
    shape, d, idx = args
    check(Case(lambda x: x.gather(d, Tensor(idx)), lambda t: t.gather(d, torch.tensor(idx)),
               ("real",)), (shape,), seed)
    check(Case(lambda x: nndl.gather(x, d, idx), lambda t: torch.gather(t, d, torch.tensor(idx)),
               ("real",)), (shape,), seed)


@given(args=gather_args(scatter=True), seed=seeds)
def test_scatter_and_scatter_add(args, seed):
    shape, d, idx = args
    ti = torch.tensor(idx)
    check(Case(lambda x, s: x.scatter(d, Tensor(idx), s), lambda t, s: t.scatter(d, ti, s),
               ("real", "real")), (shape, idx.shape), seed)
    check(Case(lambda x, s: x.scatter_add(d, Tensor(idx), s),
               lambda t, s: t.scatter_add(d, ti, s), ("real", "real")), (shape, idx.shape), seed)
    check(Case(lambda x: nndl.scatter(x, d, idx, value=1.5), lambda t: t.scatter(d, ti, 1.5),
               ("real",)), (shape,), seed)


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), seed=seeds,
       data=st.data())
def test_index_select(shape, seed, data):
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    idx = np.array(data.draw(st.lists(st.integers(0, shape[d] - 1), min_size=1, max_size=5)))
    check(Case(lambda x: x.index_select(d, Tensor(idx)),
               lambda t: t.index_select(d, torch.tensor(idx)), ("real",)), (shape,), seed)


@given(shapes2=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                  max_side=3), seed=seeds)
def test_masked_fill_and_select(shapes2, seed):
    x_shape, m_shape = shapes2.input_shapes
    x_shape = shapes2.result_shape  # masked_fill keeps x's shape: x has the full shape
    mask = np.random.default_rng(seed + 1).random(m_shape) < 0.5
    nm, tm = Tensor(mask), torch.tensor(mask)
    check(Case(lambda x: x.masked_fill(nm, -2.5), lambda t: t.masked_fill(tm, -2.5), ("real",)),
          (x_shape,), seed)
    check(Case(lambda x, v: nndl.masked_fill(x, nm, v), lambda t, v: t.masked_fill(tm, v),
               ("real", "real")), (x_shape, ()), seed)
    check(Case(lambda x: x.masked_select(nm), lambda t: t.masked_select(tm), ("real",)),
          (x_shape,), seed)


@given(shape=hnp.array_shapes(min_dims=2, max_dims=4, min_side=1, max_side=4), seed=seeds,
       k=st.integers(-3, 3))
def test_tril_triu_diagonal(shape, seed, k):
    check(Case(lambda x: x.tril(k), lambda t: t.tril(k), ("real",)), (shape,), seed)
    check(Case(lambda x: nndl.triu(x, k), lambda t: torch.triu(t, k), ("real",)), (shape,), seed)
    check(Case(lambda x: x.diagonal(k, 0, -1), lambda t: t.diagonal(k, 0, -1), ("real",)),
          (shape,), seed)


@given(n=st.integers(1, 4), seed=seeds, k=st.integers(-2, 2))
def test_diag(n, seed, k):
    check(Case(lambda x: nndl.diag(x, k), lambda t: torch.diag(t, k), ("real",)), ((n,),), seed)
    check(Case(lambda x: x.diag(k), lambda t: t.diag(k), ("real",)), ((n, n + 1),), seed)
    check(Case(lambda x: nndl.diag_embed(x), lambda t: torch.diag_embed(t), ("real",)),
          ((2, n),), seed)
    check(Case(lambda x: x.trace(), lambda t: t.trace(), ("real",)), ((n, n + 1),), seed)


@given(shape=small_shapes, seed=seeds, data=st.data())
def test_repeat_and_tile(shape, seed, data):
    reps = tuple(data.draw(st.lists(st.integers(1, 3), min_size=max(len(shape), 1),
                                    max_size=len(shape) + 2)))
    check(Case(lambda x: x.repeat(*reps), lambda t: t.repeat(*reps), ("real",)), (shape,), seed)
    check(Case(lambda x: nndl.tile(x, reps), lambda t: torch.tile(t, reps), ("real",)), (shape,),
          seed)


@given(n=st.integers(1, 5), seed=seeds, data=st.data())
def test_repeat_interleave_counts(n, seed, data):
    counts = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    check(Case(lambda x: x.repeat_interleave(Tensor(counts), dim=0),
               lambda t: t.repeat_interleave(torch.tensor(counts), dim=0), ("real",)),
          ((n, 2),), seed)
    check(Case(lambda x: nndl.repeat_interleave(x, 2), lambda t: torch.repeat_interleave(t, 2),
               ("real",)), ((n, 2),), seed)


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5), seed=seeds,
       data=st.data())
def test_unfold_windows(shape, seed, data):
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    size = data.draw(st.integers(0, shape[d]))
    step = data.draw(st.integers(1, 3))
    check(Case(lambda x: x.unfold(d, size, step), lambda t: t.unfold(d, size, step), ("real",)),
          (shape,), seed)


@given(shape=hnp.array_shapes(min_dims=2, max_dims=4, min_side=1, max_side=3), seed=seeds,
       data=st.data())
def test_movedim_unflatten_swapaxes(shape, seed, data):
    src = data.draw(st.integers(0, len(shape) - 1))
    dst = data.draw(st.integers(-len(shape), len(shape) - 1))
    check(Case(lambda x: x.movedim(src, dst), lambda t: t.movedim(src, dst), ("real",)),
          (shape,), seed)
    check(Case(lambda x: x.swapaxes(0, -1), lambda t: t.swapaxes(0, -1), ("real",)), (shape,),
          seed)
    check(Case(lambda x: x.unflatten(0, (shape[0], 1)), lambda t: t.unflatten(0, (shape[0], 1)),
               ("real",)), (shape,), seed)


@given(sizes=st.lists(st.integers(1, 3), min_size=1, max_size=3), seed=seeds,
       indexing=st.sampled_from(["ij", "xy"]))
def test_meshgrid(sizes, seed, indexing):
    def nn_(*xs):
        return nndl.stack([g * (i + 1) for i, g in enumerate(nndl.meshgrid(*xs, indexing=indexing))])

    def tt(*ts):
        return torch.stack([g * (i + 1) for i, g in enumerate(torch.meshgrid(*ts, indexing=indexing))])

    check(Case(nn_, tt, ("real",) * len(sizes)), tuple((n,) for n in sizes), seed)


@st.composite
def bmm_shapes(draw):
    b, n, k, m = (draw(st.integers(1, 3)) for _ in range(4))
    return (b, n, k), (b, k, m)


@given(in_shapes=bmm_shapes(), seed=seeds)
def test_bmm_baddbmm(in_shapes, seed):
    check(Case(nndl.bmm, torch.bmm, ("real", "real")), in_shapes, seed)
    b, n, _ = in_shapes[0]
    m = in_shapes[1][2]
    check(Case(lambda c, x, y: nndl.baddbmm(c, x, y, beta=0.5, alpha=2.0),
               lambda c, x, y: torch.baddbmm(c, x, y, beta=0.5, alpha=2.0),
               ("real", "real", "real")), ((b, n, m),) + in_shapes, seed)


EINSUM = [("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
          ("ij->ji", [(2, 3)]), ("ij->", [(2, 3)]), ("i,i->", [(3,), (3,)]),
          ("i,j->ij", [(2,), (3,)]), ("bhqd,bhkd->bhqk", [(1, 2, 3, 2), (1, 2, 4, 2)]),
          ("ij,kj", [(2, 3), (4, 3)]), ("ijk->k", [(2, 3, 2)]), ("ij,jk,kl->il",
                                                                 [(2, 2), (2, 3), (3, 2)])]


@pytest.mark.parametrize("k", range(len(EINSUM)))
@given(seed=seeds)
def test_einsum(k, seed):
    eq, in_shapes = EINSUM[k]
    check(Case(lambda *xs: nndl.einsum(eq, *xs), lambda *ts: torch.einsum(eq, *ts),
               ("real",) * len(in_shapes)), tuple(in_shapes), seed)


def test_one_hot_nonzero_where_match_torch():
    y = np.array([[0, 2], [1, 4]])
    np.testing.assert_array_equal(NF.one_hot(Tensor(y)).data, F.one_hot(torch.tensor(y)).numpy())
    np.testing.assert_array_equal(NF.one_hot(Tensor(y), 6).data,
                                  F.one_hot(torch.tensor(y), 6).numpy())
    assert NF.one_hot(Tensor(y)).dtype == np.int64
    x = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    np.testing.assert_array_equal(nndl.nonzero(Tensor(x)).data, torch.nonzero(torch.tensor(x)))
    for got, want in zip(nndl.where(Tensor(x) > 0), torch.where(torch.tensor(x) > 0),
                         strict=True):
        np.testing.assert_array_equal(got.data, want.numpy())
    np.testing.assert_array_equal(Tensor(x).where(Tensor(x) > 0, -1.0).data,
                                  torch.tensor(x).where(torch.tensor(x) > 0, -1.0).numpy())


# ----------------------------------------------------------------- no gradient: tests, bits
def test_predicates_and_bitwise_match_torch():
    x = np.array([0.0, -1.5, np.inf, -np.inf, np.nan, 2.0])
    for fn in ("isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit", "logical_not"):
        np.testing.assert_array_equal(getattr(nndl, fn)(Tensor(x)).data,
                                      getattr(torch, fn)(torch.tensor(x)).numpy(), err_msg=fn)
    a, b = np.array([0, 1, 2, 7, -3]), np.array([1, 3, 2, 2, 1])
    na, nb, ta, tb = Tensor(a), Tensor(b), torch.tensor(a), torch.tensor(b)
    for op in (lambda u, v: u & v, lambda u, v: u | v, lambda u, v: u ^ v, lambda u, v: ~u,
               lambda u, v: u << v, lambda u, v: u >> v, lambda u, v: u // v, lambda u, v: u % v,
               lambda u, v: 5 // v, lambda u, v: 7 % v, lambda u, v: u & 3,
               lambda u, v: (u * 1.5) // (v * 0.5), lambda u, v: (u * 1.5) % (v * -0.5),
               lambda u, v: (u > 0) & (v > 1), lambda u, v: (u > 0) | ~(v > 1),
               lambda u, v: torch.div(u, v, rounding_mode="trunc") if isinstance(u, torch.Tensor)
               else nndl.div(u, v, rounding_mode="trunc"),
               lambda u, v: u.logical_and(v), lambda u, v: u.logical_xor(v),
               lambda u, v: u.lt(v), lambda u, v: u.ge(v)):
        got, want = op(na, nb), op(ta, tb)
        assert str(got.dtype) == str(want.dtype).removeprefix("torch."), (got.dtype, want.dtype)
        np.testing.assert_array_equal(got.data, want.numpy())
    with pytest.raises(RuntimeError):
        Tensor([1.0]) & Tensor([1.0])
    assert nndl.isclose(Tensor([1.0, 2.0]), Tensor([1.0, 2.1])).tolist() == [True, False]
    assert nndl.allclose(Tensor([1.0]), Tensor([1.0 + 1e-9])) is True
    assert nndl.equal(Tensor([1, 2]), Tensor([1, 2])) and not nndl.equal(Tensor([1]), Tensor([2]))


def test_rounding_and_integer_dtypes_follow_torch():
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 1.25])
    for fn in ("round", "floor", "ceil", "trunc", "sign", "frac"):
        np.testing.assert_array_equal(getattr(nndl, fn)(Tensor(x)).data,
                                      getattr(torch, fn)(torch.tensor(x)).numpy(), err_msg=fn)
    i = np.array([-3, 2, 5])
    for fn in ("floor", "ceil", "round", "trunc", "sign"):
        got, want = getattr(nndl, fn)(Tensor(i)), getattr(torch, fn)(torch.tensor(i))
        assert str(got.dtype) == str(want.dtype).removeprefix("torch."), fn
    for fn in ("cumsum", "prod", "sum"):
        for dt in (np.int32, np.bool_):
            got = getattr(Tensor(np.ones(3, dt)), fn)(0)
            want = getattr(torch.tensor(np.ones(3, dt)), fn)(0)
            assert str(got.dtype) == str(want.dtype).removeprefix("torch."), (fn, dt)


# ----------------------------------------------------------------- losses, norms, padding
LOSSES = {  # (nndl(x, y, reduction), torch(x, y, reduction), domains)
    "l1_loss": (NF.l1_loss, F.l1_loss, ("nonzero", "real")),
    "L1Loss": (lambda x, y, reduction: nndl.nn.L1Loss(reduction=reduction)(x, y),
               lambda x, y, reduction: torch.nn.L1Loss(reduction=reduction)(x, y), ("nonzero", "real")),
    "smooth_l1_loss": (lambda x, y, reduction: NF.smooth_l1_loss(x, y, reduction=reduction, beta=0.5),
                       lambda x, y, reduction: F.smooth_l1_loss(x, y, reduction=reduction, beta=0.5),
                       ("grid", "high")),
    "SmoothL1Loss": (lambda x, y, reduction: nndl.nn.SmoothL1Loss(reduction=reduction)(x, y),
                     lambda x, y, reduction: torch.nn.SmoothL1Loss(reduction=reduction)(x, y), ("grid", "high")),
    "huber_loss": (lambda x, y, reduction: NF.huber_loss(x, y, reduction=reduction, delta=0.5),
                   lambda x, y, reduction: F.huber_loss(x, y, reduction=reduction, delta=0.5), ("grid", "high")),
    "HuberLoss": (lambda x, y, reduction: nndl.nn.HuberLoss(reduction=reduction)(x, y),
                  lambda x, y, reduction: torch.nn.HuberLoss(reduction=reduction)(x, y), ("grid", "high")),
    "kl_div": (NF.kl_div, F.kl_div, ("real", "positive")),
    "kl_div_log_target": (lambda x, y, reduction: NF.kl_div(x, y, reduction=reduction, log_target=True),
                          lambda x, y, reduction: F.kl_div(x, y, reduction=reduction, log_target=True),
                          ("real", "real")),
    "KLDivLoss_batchmean": (lambda x, y, reduction: nndl.nn.KLDivLoss(reduction="batchmean")(x, y),
                            lambda x, y, reduction: torch.nn.KLDivLoss(reduction="batchmean")(x, y),
                            ("real", "positive")),
    "binary_cross_entropy": (NF.binary_cross_entropy, F.binary_cross_entropy, ("prob", "prob")),
    "BCELoss": (lambda x, y, reduction: nndl.nn.BCELoss(reduction=reduction)(x, y),
                lambda x, y, reduction: torch.nn.BCELoss(reduction=reduction)(x, y), ("prob", "prob")),
    "mse_loss": (NF.mse_loss, F.mse_loss, ("real", "real")),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), seed=seeds,
       reduction=st.sampled_from(["mean", "sum", "none"]))
def test_loss(name, shape, seed, reduction):
    fn, tfn, domains = LOSSES[name]
    check(Case(lambda x, y: fn(x, y, reduction=reduction),
               lambda x, y: tfn(x, y, reduction=reduction), domains), (shape, shape), seed)


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), seed=seeds,
       reduction=st.sampled_from(["mean", "sum", "none"]))
def test_binary_cross_entropy_weight(shape, seed, reduction):
    w = np.random.default_rng(seed).uniform(0.5, 2.0, shape[-1:])
    check(Case(lambda x, y: NF.binary_cross_entropy(x, y, weight=Tensor(w), reduction=reduction),
               lambda x, y: F.binary_cross_entropy(x, y, weight=torch.tensor(w),
                                                   reduction=reduction), ("prob", "prob")),
          (shape, shape), seed)


@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4), seed=seeds,
       data=st.data())
def test_layer_norm(shape, seed, data):
    k = data.draw(st.integers(1, len(shape)))
    norm_shape = shape[len(shape) - k:]
    check(Case(lambda x, w, b: NF.layer_norm(x, norm_shape, w, b),
               lambda x, w, b: F.layer_norm(x, norm_shape, w, b), ("real", "real", "real")),
          (shape, norm_shape, norm_shape), seed)
    check(Case(lambda x: NF.layer_norm(x, norm_shape, eps=1e-3),
               lambda x: F.layer_norm(x, norm_shape, eps=1e-3), ("real",)), (shape,), seed)


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), seed=seeds,
       data=st.data())
def test_embedding(shape, seed, data):
    n, dim = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 3))
    idx = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=math.prod(shape),
                                      max_size=math.prod(shape)))).reshape(shape)
    pad = data.draw(st.none() | st.integers(0, n - 1))
    check(Case(lambda w: NF.embedding(Tensor(idx), w, padding_idx=pad),
               lambda w: F.embedding(torch.tensor(idx), w, padding_idx=pad), ("real",),
               fd=pad is None), ((n, dim),), seed)  # the padding row gets no gradient


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), seed=seeds,
       data=st.data())
def test_normalize_and_similarity(shape, seed, data):
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    p = data.draw(st.sampled_from([1.0, 2.0, 3.0]))
    check(Case(lambda x: NF.normalize(x, p=p, dim=d), lambda t: F.normalize(t, p=p, dim=d),
               ("nonzero",)), (shape,), seed)
    check(Case(lambda x, y: NF.cosine_similarity(x, y, dim=d),
               lambda x, y: F.cosine_similarity(x, y, dim=d), ("nonzero", "nonzero")),
          (shape, shape), seed)
    check(Case(NF.pairwise_distance, F.pairwise_distance, ("real", "real")), (shape, shape),
          seed)


PAD_DIMS = {2: (2,), 3: (2, 4), 4: (4, 6), 5: (6,)}  # torch's non-constant modes


@given(shape=hnp.array_shapes(min_dims=2, max_dims=5, min_side=2, max_side=4), seed=seeds,
       data=st.data(), mode=st.sampled_from(["constant", "reflect", "replicate", "circular"]))
def test_pad(shape, seed, data, mode):
    n = data.draw(st.sampled_from(PAD_DIMS[len(shape)] if mode != "constant"
                                  else range(2, 2 * len(shape) + 1, 2)))
    amounts = []
    for k in range(n // 2):
        side = shape[len(shape) - 1 - k]
        lo = -((side - 1) // 2) if mode == "constant" else 0  # crop, leaving ≥ 1 element
        hi = side - 1 if mode in ("reflect", "circular") else 3
        amounts += [data.draw(st.integers(lo, hi)), data.draw(st.integers(lo, hi))]
    amounts = tuple(amounts)
    kw = {"value": 1.5} if mode == "constant" else {}
    check(Case(lambda x: NF.pad(x, amounts, mode=mode, **kw),
               lambda t: F.pad(t, amounts, mode=mode, **kw), ("real",)), (shape,), seed)


@given(shape=hnp.array_shapes(min_dims=3, max_dims=4, min_side=1, max_side=7), seed=seeds,
       data=st.data())
def test_adaptive_pooling(shape, seed, data):
    oh = data.draw(st.integers(1, shape[-2] + 1))
    ow = data.draw(st.integers(1, shape[-1] + 1))
    check(Case(lambda x: NF.adaptive_avg_pool2d(x, (oh, ow)),
               lambda t: F.adaptive_avg_pool2d(t, (oh, ow)), ("real",)), (shape,), seed)
    check(Case(lambda x: nndl.nn.AdaptiveMaxPool2d((oh, ow))(x),
               lambda t: torch.nn.AdaptiveMaxPool2d((oh, ow))(t), ("distinct",)), (shape,), seed)
    x = sample(np.random.default_rng(seed), shape, "distinct")
    _, idx = NF.adaptive_max_pool2d(Tensor(x), (oh, ow), return_indices=True)
    np.testing.assert_array_equal(idx.data, F.adaptive_max_pool2d(torch.tensor(x), (oh, ow),
                                                                  return_indices=True)[1])


# ----------------------------------------------------------------- convolution, pooling, resizing
@st.composite
def grouped_conv_args(draw):
    g = draw(st.integers(1, 3))
    cin, cout = g * draw(st.integers(1, 2)), g * draw(st.integers(1, 2))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    mode = draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
    padding = draw(st.sampled_from(["same", "valid", 0, 1, (1, 0)]))
    s = (1, 1) if padding == "same" else (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    eff = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
    # reflect needs the padding smaller than the side
    hw = (draw(st.integers(max(eff[0], 3), eff[0] + 3)), draw(st.integers(max(eff[1], 3), eff[1] + 3)))
    return dict(g=g, cin=cin, cout=cout, k=k, d=d, s=s, padding=padding, mode=mode, hw=hw,
                n=draw(st.integers(1, 2)), bias=draw(st.booleans()))


@given(grouped_conv_args(), seeds)
def test_conv2d_groups_padding_modes(a, seed):
    """groups, padding='same'/'valid' and every padding_mode, against torch's Conv2d."""
    tconv = torch.nn.Conv2d(a["cin"], a["cout"], a["k"], a["s"], a["padding"], a["d"], a["g"],
                            a["bias"], a["mode"]).double()
    shapes = [(a["n"], a["cin"]) + a["hw"], tuple(tconv.weight.shape)]
    shapes += [(a["cout"],)] if a["bias"] else []
    kw = dict(stride=a["s"], padding=a["padding"], dilation=a["d"], groups=a["g"],
              padding_mode=a["mode"])
    tconv.bias = None
    check(Case(lambda x, w, *b: NF.conv2d(x, w, *b, **kw),
               lambda x, w, *b: tconv._conv_forward(x, w, b[0] if b else None),
               ("real",) * len(shapes)), shapes, seed)


@given(st.integers(1, 2), st.integers(1, 2), st.integers(1, 3), st.integers(1, 2),
       st.sampled_from(["same", "valid", 0, 2]), st.integers(0, 3), seeds)
def test_conv1d(g, per, k, d, padding, extra, seed):
    s = 1 if padding == "same" else 2
    length = d * (k - 1) + 1 + extra
    check(Case(lambda x, w, b: NF.conv1d(x, w, b, s, padding, d, g),
               lambda x, w, b: F.conv1d(x, w, b, s, padding, d, g), ("real",) * 3),
          [(2, g * per, length), (g * 2, per, k), (g * 2,)], seed)


@st.composite
def conv_transpose_args(draw):
    g = draw(st.integers(1, 2))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, k[0] - 1)), draw(st.integers(0, k[1] - 1)))
    op = (draw(st.integers(0, max(s[0], d[0]) - 1)), draw(st.integers(0, max(s[1], d[1]) - 1)))
    return dict(g=g, cin=g * draw(st.integers(1, 2)), kg=draw(st.integers(1, 2)), k=k, s=s, d=d,
                p=p, op=op, hw=(draw(st.integers(1, 4)), draw(st.integers(1, 4))))


@given(conv_transpose_args(), seeds)
def test_conv_transpose2d(a, seed):
    kw = dict(stride=a["s"], padding=a["p"], output_padding=a["op"], groups=a["g"],
              dilation=a["d"])
    hout = [(n - 1) * s - 2 * p + d * (k - 1) + o + 1 for n, s, p, d, k, o in
            zip(a["hw"], a["s"], a["p"], a["d"], a["k"], a["op"], strict=True)]
    if min(hout) <= 0:
        return
    check(Case(lambda x, w, b: NF.conv_transpose2d(x, w, b, **kw),
               lambda x, w, b: F.conv_transpose2d(x, w, b, **kw), ("real",) * 3),
          [(2, a["cin"]) + a["hw"], (a["cin"], a["kg"]) + a["k"], (a["kg"] * a["g"],)], seed)


@st.composite
def ceil_pool_args(draw):
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    hw = (draw(st.integers(k[0], k[0] + 5)), draw(st.integers(k[1], k[1] + 5)))
    return dict(kernel_size=k, stride=s, padding=p, ceil_mode=draw(st.booleans())), hw


@given(ceil_pool_args(), seeds, st.booleans())
def test_pools_ceil_mode_and_indices(args, seed, include_pad):
    kw, hw = args
    shape = (2, 2) + hw
    check(Case(lambda x: NF.max_pool2d(x, **kw), lambda t: F.max_pool2d(t, **kw), ("distinct",)),
          (shape,), seed)
    check(Case(lambda x: NF.avg_pool2d(x, **kw, count_include_pad=include_pad),
               lambda t: F.avg_pool2d(t, **kw, count_include_pad=include_pad), ("real",)),
          (shape,), seed)
    check(Case(lambda x: NF.avg_pool2d(x, **kw, divisor_override=3),
               lambda t: F.avg_pool2d(t, **kw, divisor_override=3), ("real",)), (shape,), seed)
    x = sample(np.random.default_rng(seed), shape, "distinct")
    y, idx = NF.max_pool2d(Tensor(x), **kw, return_indices=True)
    ty, tidx = F.max_pool2d(torch.tensor(x), **kw, return_indices=True)
    np.testing.assert_array_equal(idx.data, tidx.numpy())
    # unpooling puts the maxima back: values and gradients as torch; where overlapping
    # windows share a maximum, one place gets two values (the last write stays, both get
    # the place's gradient, as torch), which finite differences cannot see
    size = hw  # the default (H − 1)·S − 2P + F can be smaller than the pooled input
    flat = idx.data.reshape(4, -1)
    unique = all(len(set(row)) == len(row) for row in flat.tolist())
    check(Case(lambda v: NF.max_unpool2d(v, idx, kw["kernel_size"], kw["stride"], kw["padding"],
                                         output_size=size),
               lambda v: F.max_unpool2d(v, tidx, kw["kernel_size"], kw["stride"], kw["padding"],
                                        output_size=size), ("real",), fd=unique),
          (tuple(ty.shape),), seed)


@given(st.integers(1, 3), st.integers(1, 3), st.integers(3, 8), st.booleans(), seeds)
def test_pool1d(k, s, length, ceil, seed):
    p = k // 2
    check(Case(lambda x: NF.max_pool1d(x, k, s, p, ceil_mode=ceil),
               lambda t: F.max_pool1d(t, k, s, p, ceil_mode=ceil), ("distinct",)),
          ((2, 3, length),), seed)
    check(Case(lambda x: NF.avg_pool1d(x, k, s, p, ceil_mode=ceil),
               lambda t: F.avg_pool1d(t, k, s, p, ceil_mode=ceil), ("real",)),
          ((2, 3, length),), seed)


@st.composite
def interpolate_args(draw):
    mode = draw(st.sampled_from(["nearest", "nearest-exact", "bilinear", "linear"]))
    dims = 1 if mode == "linear" else draw(st.integers(1, 2)) if mode.startswith("nearest") else 2
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) + tuple(
        draw(st.integers(1, 5)) for _ in range(dims))
    if draw(st.booleans()):
        kw = dict(size=tuple(draw(st.integers(1, 9)) for _ in range(dims)))
    else:
        kw = dict(scale_factor=tuple(draw(st.sampled_from([0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0]))
                                     for _ in range(dims)),
                  recompute_scale_factor=draw(st.sampled_from([None, True])))
        if any(int(n * f) == 0 for n, f in zip(shape[2:], kw["scale_factor"], strict=True)):
            kw = dict(scale_factor=(2.0,) * dims)
    if mode in ("bilinear", "linear"):
        kw["align_corners"] = draw(st.booleans())
    return mode, shape, kw


@given(interpolate_args(), seeds)
def test_interpolate(args, seed):
    mode, shape, kw = args
    check(Case(lambda x: NF.interpolate(x, mode=mode, **kw),
               lambda t: F.interpolate(t, mode=mode, **kw), ("real",)), (shape,), seed)


def test_conv_pool_resize_errors_are_nndl_errors():
    from nndl.errors import NNDLError
    x = Tensor(np.zeros((1, 4, 5, 5)))
    for call in (lambda: NF.conv2d(x, Tensor(np.zeros((4, 2, 3, 3))), groups=3),
                 lambda: NF.conv2d(x, Tensor(np.zeros((4, 4, 3, 3))), stride=2, padding="same"),
                 lambda: NF.conv2d(x, Tensor(np.zeros((4, 4, 3, 3))), padding="full"),
                 lambda: NF.conv_transpose2d(x, Tensor(np.zeros((4, 2, 3, 3))), stride=2,
                                             output_padding=2),
                 lambda: NF.interpolate(x, size=3, scale_factor=2),
                 lambda: NF.interpolate(x, size=3, mode="linear"),
                 lambda: NF.interpolate(x, size=3, mode="nearest", align_corners=True),
                 lambda: NF.max_unpool2d(x, Tensor(np.full((1, 4, 5, 5), 999)), 2),
                 lambda: nndl.nn.Conv2d(4, 6, 3, groups=4),
                 lambda: NF.conv2d(x, Tensor(np.zeros((4, 4, 3, 3))), Tensor(np.zeros(5))),
                 lambda: NF.conv1d(Tensor(np.zeros((2, 5, 9))), Tensor(np.zeros((4, 3, 3))))):
        with pytest.raises(NNDLError):
            call()


# ----------------------------------------------------------------- the remaining tensor functions
MORE = {  # name: (Case, input shapes)
    "addmm": (Case(lambda c, a, b: nndl.addmm(c, a, b, beta=0.5, alpha=2.0),
                   lambda c, a, b: torch.addmm(c, a, b, beta=0.5, alpha=2.0), ("real",) * 3),
              [(2, 4), (2, 3), (3, 4)]),
    "arccos": (Case(nndl.arccos, torch.arccos, ("unit",)), [(2, 3)]),
    "dist": (Case(lambda a, b: nndl.dist(a, b, 3), lambda a, b: torch.dist(a, b, 3),
                  ("real", "real")), [(2, 3), (2, 3)]),
    "dot": (Case(nndl.dot, torch.dot, ("real", "real")), [(4,), (4,)]),
    "outer": (Case(nndl.outer, torch.outer, ("real", "real")), [(3,), (4,)]),
    "fliplr": (Case(nndl.fliplr, torch.fliplr, ("real",)), [(3, 4)]),
    "flipud": (Case(nndl.flipud, torch.flipud, ("real",)), [(3, 4)]),
    "moveaxis": (Case(lambda x: nndl.moveaxis(x, 0, -1), lambda t: torch.moveaxis(t, 0, -1),
                      ("real",)), [(2, 3, 4)]),
    "swapdims": (Case(lambda x: nndl.swapdims(x, 0, 2), lambda t: torch.swapdims(t, 0, 2),
                      ("real",)), [(2, 3, 4)]),
    "msort": (Case(nndl.msort, torch.msort, ("distinct",)), [(4, 3)]),
    "fix": (Case(nndl.fix, torch.fix, ("nonzero",)), [(3, 4)]),
    "take_along_dim": (Case(lambda x: nndl.take_along_dim(x, Tensor(np.array([[0, 2], [1, 1]])),
                                                          1),
                            lambda t: torch.take_along_dim(t, torch.tensor([[0, 2], [1, 1]]), 1),
                            ("real",)), [(2, 3)]),
    "tensor_split": (Case(lambda x: nndl.cat([p * (i + 1) for i, p in
                                              enumerate(nndl.tensor_split(x, 3, 1))], 1),
                          lambda t: torch.cat([p * (i + 1) for i, p in
                                               enumerate(torch.tensor_split(t, 3, 1))], 1),
                          ("real",)), [(2, 7)]),
    "aminmax": (Case(lambda x: nndl.stack(list(nndl.aminmax(x, dim=1))),
                     lambda t: torch.stack(list(torch.aminmax(t, dim=1))), ("distinct",)),
                [(3, 4)]),
}


@pytest.mark.parametrize("name", sorted(MORE))
@given(seed=seeds)
def test_more_tensor_functions(name, seed):
    case, shapes = MORE[name]
    check(case, shapes, seed)


def test_comparisons_bitwise_and_index_functions_match_torch():
    a, b = np.array([[1, 5, 3], [4, 4, 0]]), np.array([[2, 5, 1], [4, 0, 7]])
    na, nb, ta, tb = Tensor(a), Tensor(b), torch.tensor(a), torch.tensor(b)
    for name in ("eq", "ne", "not_equal", "gt", "greater", "ge", "greater_equal", "lt", "less",
                 "le", "less_equal", "bitwise_and", "bitwise_or", "bitwise_xor",
                 "bitwise_left_shift", "bitwise_right_shift", "floor_divide", "logical_or"):
        if name == "floor_divide":
            nb_, tb_ = Tensor(b + 1), torch.tensor(b + 1)
        else:
            nb_, tb_ = nb, tb
        got, want = getattr(nndl, name)(na, nb_), getattr(torch, name)(ta, tb_)
        assert str(got.dtype) == str(want.dtype).removeprefix("torch."), name
        np.testing.assert_array_equal(got.data, want.numpy(), err_msg=name)
    np.testing.assert_array_equal(nndl.bitwise_not(na).data, torch.bitwise_not(ta).numpy())
    np.testing.assert_array_equal(nndl.argwhere(na > 2).data, torch.argwhere(ta > 2).numpy())
    edges = np.array([1.0, 3.0, 5.0])
    v = np.array([[0.5, 1.0, 4.0], [5.0, 6.0, 3.0]])
    for right in (False, True):
        np.testing.assert_array_equal(
            nndl.bucketize(Tensor(v), Tensor(edges), right=right).data,
            torch.bucketize(torch.tensor(v), torch.tensor(edges), right=right).numpy())
    assert nndl.is_tensor(na) and not nndl.is_tensor(a)
    assert nndl.is_grad_enabled()
    with nndl.no_grad():
        assert not nndl.is_grad_enabled()
    x = np.arange(6.0)
    t = nndl.from_numpy(x)
    x[0] = 9.0  # from_numpy shares the array, as torch's
    assert t[0].item() == 9.0
    r = nndl.randint_like(Tensor(np.zeros((3, 4))), 2, 5)
    assert r.shape == (3, 4) and r.data.min() >= 2 and r.data.max() < 5
    n = nndl.get_num_threads()
    nndl.set_num_threads(1)
    assert nndl.get_num_threads() == 1
    nndl.set_num_threads(n)
