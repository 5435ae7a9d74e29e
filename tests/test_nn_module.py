"""Module mechanics: registration, state_dict, modes, init, repr, meta device, dtypes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from oracles import require_torch

import nndl
from nndl import nn
from nndl.errors import NNDLError, ShapeError

torch = require_torch()
tnn = torch.nn


def _zoo(lib):
    return lib.Sequential(
        lib.Conv2d(3, 8, 3, stride=2, padding=1, dilation=2, bias=False), lib.BatchNorm2d(8),
        lib.ReLU(), lib.MaxPool2d(2), lib.AvgPool2d(2), lib.Dropout(0.3), lib.Flatten(),
        lib.Linear(8, 4), lib.LeakyReLU(0.2), lib.Softmax(dim=1), lib.BatchNorm1d(4),
        lib.Sigmoid(), lib.Tanh())


def test_repr_and_state_dict_equal_torch():
    ours, theirs = _zoo(nn), _zoo(tnn)
    assert repr(ours) == repr(theirs)
    assert [(k, tuple(v.shape), str(v.dtype).split(".")[-1]) for k, v in ours.state_dict().items()] \
        == [(k, tuple(v.shape), str(v.dtype).split(".")[-1]) for k, v in theirs.state_dict().items()]
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


def test_nested_modules_keys():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
            self.head = nn.Linear(2, 1)

        def forward(self, x):
            return self.head(self.features(x).mean(dim=(2, 3)))

    keys = list(Net().state_dict())
    assert keys == ["features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias",
                    "features.1.running_mean", "features.1.running_var",
                    "features.1.num_batches_tracked", "head.weight", "head.bias"]
    net = Net()
    net(nndl.randn(2, 1, 5, 5)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_train_eval_propagates():
    m = _zoo(nn)
    m.eval()
    assert not any(x.training for x in m.modules())
    m.train()
    assert all(x.training for x in m.modules())


@pytest.mark.parametrize(("layer", "fan_in"), [(lambda: nn.Linear(50, 400), 50),
                                               (lambda: nn.Conv2d(6, 400, 5), 150)])
def test_default_init_is_pytorchs(layer, fan_in):
    nndl.manual_seed(0)
    m = layer()
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform(a=√5) and the bias rule both give this
    for p in (m.weight, m.bias):
        assert p.dtype == np.float32
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.95 * bound  # really spread over the whole interval
        assert abs(p.data.std() - bound / math.sqrt(3)) < 0.1 * bound


def test_manual_seed_makes_init_reproducible():
    nndl.manual_seed(7)
    a = nn.Linear(4, 3).weight.data.copy()
    nndl.manual_seed(7)
    np.testing.assert_array_equal(a, nn.Linear(4, 3).weight.data)


def test_meta_device_allocates_nothing_and_counts_parameters():
    with nn.meta_device():
        fc = nn.Linear(13 * 13 * 256, 4096)
    assert fc.weight.shape == (4096, 43264)
    assert fc.weight.data.strides == (0, 0)  # no storage behind it
    assert sum(p.numel() for p in fc.parameters()) == 177_213_440
    fc2 = nn.Linear(3, 2, device="meta")
    fc2.load_state_dict(nn.Linear(3, 2).state_dict())  # loading gives it real storage
    assert fc2.weight.data.flags.writeable


def test_double_and_float():
    m = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).double()
    assert all(v.dtype == np.float64 for k, v in m.state_dict().items() if "num_batches" not in k)
    assert m.state_dict()["1.num_batches_tracked"].dtype == np.int64
    m.float()
    assert m[0].weight.dtype == np.float32


def test_float32_end_to_end():
    m = _zoo(nn)
    x = nndl.randn(2, 3, 16, 16, requires_grad=True)
    y = m(x)
    loss = nn.CrossEntropyLoss()(y, np.array([0, 3]))
    loss.backward()
    assert y.dtype == np.float32 and loss.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in m.parameters())
    assert x.grad.dtype == np.float32


def test_unbatched_conv_and_pool():
    x = nndl.randn(3, 9, 9)
    assert nn.Conv2d(3, 4, 3)(x).shape == (4, 7, 7)
    assert nn.MaxPool2d(3)(x).shape == (3, 3, 3)


def test_load_state_dict_errors_name_the_key():
    m = nn.Linear(3, 2)
    with pytest.raises(ShapeError, match="weight"):
        m.load_state_dict({"weight": np.zeros((2, 4)), "bias": np.zeros(2)})
    with pytest.raises(ShapeError, match="missing"):
        m.load_state_dict({"weight": np.zeros((2, 3))})
    r = m.load_state_dict({"weight": np.zeros((2, 3))}, strict=False)
    assert r.missing_keys == ["bias"]


def test_bad_layer_arguments_are_nndl_errors():
    with pytest.raises(NNDLError, match="out_channels"):
        nn.Conv2d(3, 0, 3)
    with pytest.raises(NNDLError, match="padding"):
        nn.MaxPool2d(2, padding=2)
    with pytest.raises(NNDLError, match="channels"):
        nn.Conv2d(3, 4, 3)(nndl.randn(1, 2, 5, 5))
    with pytest.raises(NNDLError, match="larger than the padded input"):
        nn.Conv2d(1, 1, 7)(nndl.randn(1, 1, 5, 5))
    with pytest.raises(NNDLError, match="features"):
        nn.Linear(3, 2)(nndl.randn(4, 5))


def test_forward_hook():
    m = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
    seen = []
    h = m[0].register_forward_hook(lambda mod, inp, out: seen.append(out.shape))
    m(nndl.randn(2, 3))
    h.remove()
    m(nndl.randn(2, 3))
    assert seen == [(2, 4)]
