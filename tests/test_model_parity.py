"""Whole models against PyTorch: layers that could interfere through reused memory.

The op-level tests (test_nn_parity.py) check one layer at a time; here Hypothesis draws
stacks of 2-6 layers whose convolution work arrays often have the *same* shape (the
case that once went silently wrong), runs them repeatedly, interleaves two models and
trains them step for step. Every reused buffer is poisoned when given back (NaN), so a
user that reads a value it did not write in this use fails loudly instead of passing
by luck.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import require_torch

import nndl
from nndl import nn
from nndl.engine import pool as _pool

torch = require_torch()
tnn = torch.nn


@pytest.fixture(autouse=True)
def poisoned_pool():
    """Every array returned to the work pool is filled with NaN until reused."""
    _pool.clear()
    _pool.poison = True
    yield
    _pool.poison = False
    _pool.clear()


def _close(ours, theirs, what: str, dtype) -> None:
    a = ours.data if isinstance(ours, nndl.Tensor) else np.asarray(ours)
    b = theirs.detach().numpy()
    assert a.shape == b.shape, (what, a.shape, b.shape)
    assert np.isfinite(a).all(), f"{what}: non-finite values (a stale work array?)"
    if dtype == "float64":
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9, err_msg=what)
    else:
        scale = max(1.0, float(np.abs(b).max(initial=0)))
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-4 * scale, err_msg=what)


# ------------------------------------------------------------------ drawn models
@dataclass(frozen=True)
class Layer:
    kind: str
    args: tuple = ()
    kwargs: tuple = ()  # (name, value) pairs

    def build(self, lib):
        return getattr(lib, self.kind)(*self.args, **dict(self.kwargs))


@st.composite
def models(draw):
    """(layers, input shape). Channels come from {2, 3} and sizes stay small, so work
    arrays of different convolutions coincide often; a conv may also repeat the previous
    conv's settings (same work-array shapes for sure)."""
    n = draw(st.integers(1, 3))
    c = draw(st.sampled_from([2, 3]))
    h = draw(st.integers(6, 12))
    w = draw(st.integers(6, 12))
    shape = input_shape = (n, c, h, w)
    shape = shape[1:]
    layers: list[Layer] = []
    last_conv = None
    for _ in range(draw(st.integers(2, 6))):
        c, h, w = shape
        kind = draw(st.sampled_from(["conv", "conv", "conv", "maxpool", "avgpool", "bn", "relu"]))
        if kind == "conv":
            if last_conv is not None and last_conv[0] == c and draw(st.booleans()):
                cin, cout, k, s, p, d, bias = last_conv
            else:
                cout = draw(st.sampled_from([2, 3]))
                k = draw(st.integers(1, 3))
                s = draw(st.sampled_from([1, 1, 2]))
                d = draw(st.sampled_from([1, 1, 2]))
                # no output pixel that sees only padding (p ≤ d·(k − 1)): such pixels all
                # equal the bias, and a later max-pool over equal values picks its argmax
                # by float32 rounding, which no two frameworks share
                p = draw(st.integers(0, min(2, d * (k - 1))))
                bias = draw(st.booleans())
                cin = c
            h2 = (h + 2 * p - d * (k - 1) - 1) // s + 1
            w2 = (w + 2 * p - d * (k - 1) - 1) // s + 1
            if h2 < 1 or w2 < 1:
                continue
            last_conv = (cin, cout, k, s, p, d, bias)
            layers.append(Layer("Conv2d", (cin, cout, k), (("stride", s), ("padding", p),
                                                           ("dilation", d), ("bias", bias))))
            shape = (cout, h2, w2)
        elif kind in ("maxpool", "avgpool"):
            k = draw(st.integers(1, 3))
            s = draw(st.integers(1, 2))
            p = draw(st.integers(0, k // 2))
            h2, w2 = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
            if h2 < 1 or w2 < 1:
                continue
            name = "MaxPool2d" if kind == "maxpool" else "AvgPool2d"
            layers.append(Layer(name, (k,), (("stride", s), ("padding", p))))
            shape = (c, h2, w2)
        elif kind == "bn":
            if n * h * w < 2:
                continue
            layers.append(Layer("BatchNorm2d", (c,)))
        else:
            layers.append(Layer("ReLU"))
    if draw(st.booleans()):
        c, h, w = shape
        layers += [Layer("Flatten"), Layer("Linear", (c * h * w, draw(st.integers(1, 4))))]
    return tuple(layers), input_shape


def _twins(layers, dtype, seed=0):
    """The same model in PyTorch and in nndl, with PyTorch's initial weights."""
    torch.manual_seed(seed)
    theirs = tnn.Sequential(*(layer.build(tnn) for layer in layers))
    ours = nn.Sequential(*(layer.build(nn) for layer in layers))
    with torch.no_grad():  # BatchNorm's 1 and 0 would put mathematically exact zeros right
        for m in theirs.modules():  # at a following ReLU's kink, where rounding picks a side
            if isinstance(m, tnn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
    theirs = theirs.double() if dtype == "float64" else theirs.float()
    ours.double() if dtype == "float64" else ours.float()
    ours.load_state_dict(theirs.state_dict())
    return ours, theirs


def _step_both(ours, theirs, x: np.ndarray, dtype: str, what: str):
    """One forward and backward of each on x (a random weighting of the output), then
    compare the output, the input's gradient and every parameter's gradient."""
    xt = torch.tensor(x, requires_grad=True)
    xn = nndl.tensor(x, requires_grad=True)
    yt, yn = theirs(xt), ours(xn)
    _close(yn, yt, f"{what}: output", dtype)
    w = np.random.default_rng(x.size).standard_normal(tuple(yt.shape)).astype(dtype)
    (yt * torch.tensor(w)).sum().backward()
    (yn * nndl.tensor(w)).sum().backward()
    _close(xn.grad, xt.grad, f"{what}: input grad", dtype)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p.grad, theirs_params[name].grad, f"{what}: grad of {name}", dtype)


def _data(shape, dtype, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@settings(max_examples=60)
@given(models(), st.sampled_from(["float64", "float32"]))
def test_drawn_models_match_torch_called_repeatedly(model, dtype):
    layers, shape = model
    ours, theirs = _twins(layers, dtype)
    for call in range(3):  # the second and third calls reuse the pool's arrays
        ours.zero_grad()
        theirs.zero_grad()
        _step_both(ours, theirs, _data(shape, dtype, call), dtype, f"call {call}")


@settings(max_examples=30)
@given(models(), models(), st.sampled_from(["float64", "float32"]))
def test_two_drawn_models_interleaved_match_torch(model_a, model_b, dtype):
    (layers_a, shape_a), (layers_b, shape_b) = model_a, model_b
    a_ours, a_theirs = _twins(layers_a, dtype, seed=1)
    b_ours, b_theirs = _twins(layers_b, dtype, seed=2)
    for call in range(2):
        for tag, ours, theirs, shape in (("A", a_ours, a_theirs, shape_a),
                                         ("B", b_ours, b_theirs, shape_b)):
            ours.zero_grad()
            theirs.zero_grad()
            _step_both(ours, theirs, _data(shape, dtype, call), dtype, f"model {tag} call {call}")


def _poison_optimizer_scratch(opt) -> None:
    for buf in opt._scratch.values():
        buf.fill(np.nan)


@settings(max_examples=25)
@given(models(), st.sampled_from(["sgd", "adam"]), st.sampled_from(["float64", "float32"]))
def test_drawn_models_train_step_for_step_like_torch(model, optimizer, dtype):
    layers, shape = model
    ours, theirs = _twins(layers, dtype, seed=3)
    if not list(theirs.parameters()):
        return  # nothing to train (only parameter-free layers were drawn)
    if optimizer == "sgd":
        opt_n = nndl.optim.SGD(ours.parameters(), lr=0.05, momentum=0.9)
        opt_t = torch.optim.SGD(theirs.parameters(), lr=0.05, momentum=0.9)
    else:
        # eps well above rounding noise: a bias right before BatchNorm has a gradient that
        # is zero up to rounding, which Adam's g/(√v + ε) would blow up to steps of ±lr
        opt_n = nndl.optim.Adam(ours.parameters(), lr=0.01, eps=1e-3)
        opt_t = torch.optim.Adam(theirs.parameters(), lr=0.01, eps=1e-3)
    for step in range(4):
        opt_n.zero_grad()
        opt_t.zero_grad()
        _step_both(ours, theirs, _data(shape, dtype, step), dtype, f"step {step}")
        opt_n.step()
        opt_t.step()
        _poison_optimizer_scratch(opt_n)  # its contents must not matter to the next step
        theirs_params = dict(theirs.named_parameters())
        for name, p in ours.named_parameters():
            _close(p, theirs_params[name], f"step {step}: {name} after the update", dtype)


# ------------------------------------------------------------ one test per reuse
@pytest.mark.parametrize("second_padding", [1, 2])
def test_the_reported_two_conv_model_matches_torch(second_padding):
    """Issue 12: padding=0 then padding=1 on (2, 4, 10, 10): both convolutions' padded
    copies are (4, 2, 11, 10), so they share one pooled array; the first fills what is
    the second's zero border."""
    layers = (Layer("Conv2d", (4, 4, 3), (("padding", 0),)),
              Layer("Conv2d", (4, 4, 3), (("padding", second_padding),)))
    for dtype in ("float32", "float64"):
        ours, theirs = _twins(layers, dtype)
        for call in range(3):
            ours.zero_grad()
            theirs.zero_grad()
            _step_both(ours, theirs, _data((2, 4, 10, 10), dtype, call), dtype, f"call {call}")


def test_conv_discarded_columns_get_zero_gradient_after_another_conv():
    """The row-path gradient scratch (K, N, H2, Wp) is shared by two convs with equal
    H2 and Wp but different W2 (kernel widths 1 and 3): the wider output must not
    leave gradient in the narrower one's discarded columns."""
    layers = (Layer("Conv2d", (2, 2, (3, 1)), (("padding", (1, 0)),)),
              Layer("Conv2d", (2, 2, 3), (("padding", 1),)))
    for dtype in ("float32", "float64"):
        ours, theirs = _twins(layers, dtype)
        for call in range(2):
            ours.zero_grad()
            theirs.zero_grad()
            _step_both(ours, theirs, _data((2, 2, 9, 9), dtype, call), dtype, f"call {call}")


def test_conv_columns_stay_leased_while_a_graph_is_alive():
    """The columns backward needs go back to the pool only when the graph dies:
    retain_graph=True backward twice, with another forward of the same shapes between."""
    conv = nn.Conv2d(3, 4, 3, padding=1).double()
    x1 = nndl.tensor(_data((2, 3, 8, 8), "float64", 0), requires_grad=True)
    y1 = conv(x1).sum()
    y1.backward(retain_graph=True)
    first = conv.weight.grad.numpy().copy()
    conv(nndl.tensor(_data((2, 3, 8, 8), "float64", 1))).sum().backward()  # same shapes
    conv.weight.grad = None
    y1.backward()  # the first graph again: its columns must be intact
    np.testing.assert_allclose(conv.weight.grad.numpy(), first, rtol=1e-12)


def test_a_dead_graph_gives_its_conv_columns_back():
    conv = nn.Conv2d(2, 2, 3, padding=1)
    x = nndl.tensor(_data((1, 2, 8, 8), "float32", 0), requires_grad=True)
    y = conv(x)
    free_before = sum(len(v) for v in _pool._free.values())
    del y  # nobody can run this backward any more
    assert sum(len(v) for v in _pool._free.values()) > free_before


def test_a_lent_gradient_array_is_never_reused():
    """zero_grad() keeps a large weight-gradient array as a spare for the next backward,
    but not one that user code was given through .grad: it keeps its value, as in PyTorch."""
    lin = nn.Linear(300, 300)  # 90,000 weights: above the spare threshold
    x = nndl.tensor(_data((4, 300), "float32", 0))
    lin(x).sum().backward()
    held = lin.weight.grad  # user code keeps it
    kept = held.numpy().copy()
    lin.zero_grad()
    lin(x * 2).sum().backward()
    np.testing.assert_array_equal(held.numpy(), kept)
    assert lin.weight.grad.numpy() is not held.numpy()


def test_the_spare_gradient_array_is_reused_and_overwritten():
    """The spare is really reused (else the test above proves nothing), and the new
    gradient overwrites it: no value of the previous step is added in."""
    lin = nn.Linear(300, 300)
    x = nndl.tensor(_data((4, 300), "float32", 0))
    lin(x).sum().backward()
    old = lin.weight._grad
    old_values = old.copy()
    lin.zero_grad()
    lin(x * 2).sum().backward()
    assert lin.weight._grad is old  # written into the spare
    np.testing.assert_allclose(lin.weight._grad, 2 * old_values, rtol=1e-6)


def test_the_pool_never_lends_one_array_twice():
    a = _pool.take((64, 64), np.float32)
    b = _pool.take((64, 64), np.float32)
    assert a is not b
    _pool.give(a)
    _pool.give(a)  # a double give must not put it in twice
    c = _pool.take((64, 64), np.float32)
    d = _pool.take((64, 64), np.float32)
    assert c is a and d is not a
    assert np.isnan(c).all()  # poisoned: its contents are undefined to the next user


def test_no_reuse_depends_on_reference_counts():
    from pathlib import Path

    src = Path(nndl.__file__).parent
    users = [p for p in src.rglob("*.py") if "sys.getrefcount(" in p.read_text(encoding="utf-8")]
    assert users == []
