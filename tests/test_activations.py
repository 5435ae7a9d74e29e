"""Activation numerics: every f and f′ against PyTorch autograd (float64), the engine's autodiff,
central finite differences and the SymPy definition; stability out to |x| = 1e4."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from oracles import require_torch

import nndl
from nndl.activations import REGISTRY, UnknownActivationError, apply, functional, get
from nndl.activations import kernels as K
from nndl.engine import ops

torch = require_torch()
F = torch.nn.functional

TORCH = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda t: F.leaky_relu(t, 0.01),
    "elu": lambda t: F.elu(t, 1.0),
    "selu": torch.selu,
    "softplus": F.softplus,
    "gelu": F.gelu,
    "gelu_tanh": lambda t: F.gelu(t, approximate="tanh"),
    "silu": F.silu,
    "mish": F.mish,
    "hardsigmoid": F.hardsigmoid,
    "hardtanh": F.hardtanh,
}
KINKS = {"relu": [0.0], "leaky_relu": [0.0], "elu": [0.0], "selu": [0.0],
         "hardsigmoid": [-3.0, 3.0], "hardtanh": [-1.0, 1.0]}
NAMES = list(REGISTRY)


def away_from_kinks(name: str, lo: float = -12.0, hi: float = 12.0, n: int = 4801) -> np.ndarray:
    x = np.linspace(lo, hi, n) + 1e-4  # off the round numbers
    for k in KINKS.get(name, []):
        x = x[np.abs(x - k) > 1e-3]
    return x


def torch_f_df(name: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = TORCH[name](t)
    (g,) = torch.autograd.grad(y.sum(), t)
    return y.detach().numpy(), g.numpy()


def test_torch_table_covers_registry():
    assert set(TORCH) == set(REGISTRY)


@pytest.mark.parametrize("name", NAMES)
def test_f_and_derivative_match_pytorch_autograd(name):
    x = away_from_kinks(name)
    act = get(name)
    yt, gt = torch_f_df(name, x)
    # torch's softplus switches to x above threshold=20; away from that both agree to ~1e-9
    np.testing.assert_allclose(act.f(x), yt, rtol=1e-12, atol=1e-12)
    # PyTorch 2.x's CPU hardsigmoid backward multiplies by a float32 1/6 (0.16666667163...)
    # even for float64; the exact 1/6 is ours, so allow that float32 rounding there only.
    rtol = 3e-8 if name == "hardsigmoid" else 1e-11
    np.testing.assert_allclose(act.df(x), gt, rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("name", [n for n in NAMES if n in KINKS])
def test_convention_at_kinks_is_pytorchs(name):
    x = np.array(KINKS[name])
    _, gt = torch_f_df(name, x)
    np.testing.assert_array_equal(get(name).df(x), gt)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_central_differences(name):
    x = away_from_kinks(name, -8, 8, 1601)
    f, h = get(name).f, 1e-6
    fd = (f(x + h) - f(x - h)) / (2 * h)
    np.testing.assert_allclose(get(name).df(x), fd, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_engine_op_backward_is_analytic_derivative_and_matches_torch(name):
    x = away_from_kinks(name, -6, 6, 401)
    t = nndl.tensor(x, requires_grad=True, dtype=nndl.float64)
    y = apply(name, t * 2.0 + 0.5)  # through a chain, so the engine's chain rule is exercised
    (y * y).sum().backward()
    u = 2 * x + 0.5
    act = get(name)
    np.testing.assert_array_equal(y.data, act.f(u))
    np.testing.assert_allclose(t.grad.data, 2 * act.f(u) * act.df(u) * 2, rtol=1e-12, atol=1e-14)
    tt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    yt = TORCH[name](tt * 2.0 + 0.5)
    (yt * yt).sum().backward()
    rtol = 3e-8 if name == "hardsigmoid" else 1e-10  # torch's float32 1/6, see above
    np.testing.assert_allclose(t.grad.data, tt.grad.numpy(), rtol=rtol, atol=1e-12)
    assert y.op == name


@pytest.mark.parametrize("name", NAMES)
def test_sympy_definition_evaluates_to_the_same_numbers(name):
    import sympy as sp

    expr, xs, params = get(name).sympy()
    e = expr.subs(params)
    f = sp.lambdify(xs, e, "mpmath")
    d = sp.lambdify(xs, sp.diff(e, xs), "mpmath")
    x = away_from_kinks(name, -10, 10, 161)
    np.testing.assert_allclose([float(f(v)) for v in x], get(name).f(x), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose([float(d(v)) for v in x], get(name).df(x), rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", NAMES)
def test_no_overflow_warning_or_nan_up_to_1e4(name, dtype):
    x = np.concatenate([np.linspace(-1e4, 1e4, 20001), [-1e4, -745.2, -88.8, 88.8, 745.2, 1e4]])
    x = x.astype(dtype)
    act = get(name)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y, g = act.f(x), act.df(x)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(g))
    assert y.dtype == dtype and g.dtype == dtype
    t = nndl.tensor(x, requires_grad=True, dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        apply(name, t).sum().backward()
    assert t.grad.dtype == dtype and np.all(np.isfinite(t.grad.data))


@given(arrays(np.float64, st.integers(1, 30), elements=st.floats(-1e4, 1e4)),
       st.sampled_from(NAMES))
def test_property_any_input_finite_and_engine_grad_equals_df(x, name):
    t = nndl.tensor(x, requires_grad=True, dtype=nndl.float64)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        apply(name, t).sum().backward()
    np.testing.assert_array_equal(t.grad.data, get(name).df(x))
    assert np.all(np.isfinite(t.grad.data))


def test_seed_identities_hold_numerically():
    x = np.linspace(-30, 30, 6001)
    s = K.sigmoid(x)
    np.testing.assert_allclose(K.sigmoid_grad(x), s * (1 - s), rtol=1e-15, atol=0)
    th = np.tanh(x)
    np.testing.assert_allclose(K.tanh_grad(x), 1 - th**2, rtol=1e-15, atol=0)
    # the identities against torch's independent derivatives, too
    _, gs = torch_f_df("sigmoid", x)
    np.testing.assert_allclose(gs, s * (1 - s), rtol=1e-12, atol=1e-15)
    _, gt = torch_f_df("tanh", x)
    np.testing.assert_allclose(gt, 1 - th**2, rtol=1e-12, atol=1e-15)
    # ReLU' = 1 (x > 0), 0 (x <= 0), 0 included, as the seed writes it
    xr = np.array([-2.0, -1e-300, 0.0, 1e-300, 3.0])
    np.testing.assert_array_equal(K.relu_grad(xr), [0, 0, 0, 1, 1])


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("dtype", [nndl.float32, nndl.float64])
def test_same_values_and_gradients_as_the_engines_own_ops(name, dtype):
    x = np.linspace(-50, 50, 1001)
    a = nndl.tensor(x, requires_grad=True, dtype=dtype)
    b = nndl.tensor(x, requires_grad=True, dtype=dtype)
    ya, yb = getattr(ops, name)(a), getattr(functional, name)(b)
    np.testing.assert_array_equal(ya.data, yb.data)
    ya.sum().backward()
    yb.sum().backward()
    np.testing.assert_allclose(a.grad.data, b.grad.data, rtol=1e-6 if dtype == nndl.float32 else 1e-15)


def test_erf_kernel_matches_math_erf():
    x = np.linspace(-30, 30, 60001)
    np.testing.assert_allclose(K.erf(x), [math.erf(v) for v in x], rtol=0, atol=4e-16)
    ref = np.array([math.erfc(v) for v in x])
    np.testing.assert_allclose(K.erfc(x), ref, rtol=2e-15, atol=1e-300)


def test_functional_api_parameters_and_errors():
    x = nndl.tensor([-2.0, 3.0], requires_grad=True, dtype=nndl.float64)
    y = functional.leaky_relu(x, negative_slope=0.2)
    y.sum().backward()
    t = torch.tensor([-2.0, 3.0], dtype=torch.float64, requires_grad=True)
    F.leaky_relu(t, 0.2).sum().backward()
    np.testing.assert_allclose(y.data, F.leaky_relu(t, 0.2).detach().numpy())
    np.testing.assert_allclose(x.grad.data, t.grad.numpy())
    np.testing.assert_array_equal(functional.gelu(x, approximate="tanh").data, K.gelu_tanh(x.data))
    with pytest.raises(UnknownActivationError, match="no parameter"):
        apply("relu", x, alpha=2.0)
    with pytest.raises(UnknownActivationError, match="no parameter"):
        apply("selu", x, alpha=2.0)
    with pytest.raises(UnknownActivationError, match="approximate"):
        functional.gelu(x, approximate="fast")
    with pytest.raises(UnknownActivationError) as err:
        get("swishh")
    assert "sigmoid" in err.value.hint and "hardtanh" in err.value.hint
    assert get("Swish").name == "silu" and get("GELU-tanh").name == "gelu_tanh"


def test_no_graph_under_no_grad():
    x = nndl.tensor([1.0], requires_grad=True)
    with nndl.no_grad():
        y = apply("mish", x)
    assert not y.requires_grad and y.op == ""
