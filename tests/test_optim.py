"""nndl.optim against torch.optim: a few training steps follow PyTorch's to 1e-5 (float64)."""

from __future__ import annotations

import numpy as np
import pytest
from oracles import require_torch

import nndl
from nndl import nn, optim
from nndl.optim import OptimizerError

torch = require_torch()
tnn = torch.nn


def _model(lib):
    return lib.Sequential(lib.Conv2d(2, 4, 3, padding=1), lib.ReLU(), lib.MaxPool2d(2),
                          lib.Flatten(), lib.Linear(4 * 3 * 3, 8), lib.Tanh(), lib.Linear(8, 3))


CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=1e-3)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, eps=1e-6)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1)),
]


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS)
def test_training_follows_torch(name, kwargs):
    torch.manual_seed(0)
    theirs = _model(tnn).double()
    ours = _model(nn).double()
    ours.load_state_dict(theirs.state_dict())
    opt_t = getattr(torch.optim, name)(theirs.parameters(), **kwargs)
    opt_n = getattr(optim, name)(ours.parameters(), **kwargs)
    rng = np.random.default_rng(0)
    for _ in range(6):
        x = rng.standard_normal((5, 2, 6, 6))
        y = rng.integers(0, 3, 5)
        for model, opt, lib, conv in ((theirs, opt_t, tnn, torch.tensor),
                                      (ours, opt_n, nn, nndl.tensor)):
            opt.zero_grad()
            loss = lib.CrossEntropyLoss()(model(conv(x)), conv(y))
            loss.backward()
            opt.step()
    expected = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    for k, v in ours.state_dict().items():
        np.testing.assert_allclose(v.data, expected[k], rtol=1e-5, atol=1e-5, err_msg=k)


def test_updates_are_in_place_and_float32():
    model = nn.Linear(3, 2)
    w = model.weight.data
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(2):
        opt.zero_grad()
        model(nndl.randn(4, 3)).sum().backward()
        opt.step()
    assert model.weight.data is w and w.dtype == np.float32
    assert opt.state[id(model.weight)]["momentum_buffer"].dtype == np.float32


def test_large_parameter_is_updated_in_chunks_exactly():
    p = nn.Parameter(np.arange(200_001, dtype=np.float32))
    p.grad = np.ones(200_001, dtype=np.float32)
    optim.SGD([p], lr=0.5).step()
    np.testing.assert_array_equal(p.data, np.arange(200_001, dtype=np.float32) - 0.5)


def test_param_groups_and_errors():
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    opt = optim.SGD([{"params": a.parameters()}, {"params": b.parameters(), "lr": 1.0}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 1.0]
    with pytest.raises(OptimizerError, match="learning rate"):
        optim.SGD(a.parameters(), lr=-1)
    with pytest.raises(OptimizerError, match="empty"):
        optim.Adam([])
    with pytest.raises(OptimizerError, match="Nesterov"):
        optim.SGD(a.parameters(), lr=0.1, nesterov=True)


def _big_linear_step(model, opt, x):
    opt.zero_grad()
    model(x).sum().backward()
    return model.weight._grad


def test_zero_grad_recycles_an_unshared_gradient_array():
    """A large weight's released gradient array is written again by the next backward
    (no fresh pages), and the values are the true gradient, not old ones added in."""
    torch.manual_seed(0)
    theirs = tnn.Linear(300, 400)
    ours = nn.Linear(300, 400)
    ours.load_state_dict(theirs.state_dict())
    opt = optim.SGD(ours.parameters(), lr=0.1)
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.1)
    rng = np.random.default_rng(1)
    for step in range(3):
        x = rng.standard_normal((7, 300)).astype(np.float32)
        ours.zero_grad()
        opt.zero_grad()  # twice in a row, as code that calls both does: the spare stays
        spare = ours.weight._spare
        assert (spare is None) == (step == 0)
        ours(nndl.tensor(x)).sum().backward()
        assert spare is None or ours.weight._grad is spare
        del spare
        opt_t.zero_grad()
        theirs(torch.tensor(x)).sum().backward()
        np.testing.assert_allclose(ours.weight._grad, theirs.weight.grad.numpy(), rtol=1e-5,
                                   atol=1e-5)
        opt.step()
        opt_t.step()
    # accumulation across backward calls still adds
    x = nndl.tensor(rng.standard_normal((7, 300)).astype(np.float32))
    g1 = _big_linear_step(ours, opt, x).copy()
    ours(x).sum().backward()
    np.testing.assert_allclose(ours.weight._grad, 2 * g1, rtol=1e-6)


@pytest.mark.parametrize("hold", ["grad", "view"])
def test_zero_grad_never_recycles_a_gradient_someone_holds(hold):
    model = nn.Linear(300, 400)
    opt = optim.SGD(model.parameters(), lr=0.1)
    x = nndl.randn(5, 300)
    _big_linear_step(model, opt, x)
    held = model.weight.grad if hold == "grad" else model.weight.grad[:10]
    before = np.array(held.data)
    _big_linear_step(model, opt, 2 * x)  # a different gradient
    np.testing.assert_array_equal(held.data, before)
    assert not np.shares_memory(model.weight._grad, np.asarray(held.data))
