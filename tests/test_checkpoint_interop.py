"""An nndl checkpoint loads into the same PyTorch model and back, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from oracles import require_torch

import nndl
from nndl import checkpoint
from nndl import nn as nnn

torch = require_torch()


def _pair():
    """A small CNN with every layer kind the checkpoints must carry, in both frameworks."""
    def build(nn):
        return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 5))

    nndl.manual_seed(1)
    torch.manual_seed(2)  # different initial weights on purpose
    return build(nnn), build(torch.nn)


def _bits(a) -> bytes:
    return np.ascontiguousarray(a).tobytes()


@pytest.mark.parametrize("ext", ["npz", "safetensors"])
def test_nndl_to_torch_and_back(tmp_path, ext):
    ours, theirs = _pair()
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 8), dtype=np.float32)
    ours(nndl.from_numpy(x))  # one training-mode pass: BatchNorm running stats change
    path = checkpoint.save(ours, tmp_path / f"m.{ext}")

    arrays = checkpoint.load_arrays(path)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in arrays.items()})
    for k, v in theirs.state_dict().items():
        assert v.numpy().dtype == ours.state_dict()[k].data.dtype, k
        assert _bits(v.numpy()) == _bits(ours.state_dict()[k].data), k
    ours.eval()
    theirs.eval()
    with torch.no_grad():
        ref = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(nndl.from_numpy(x)).data, ref, rtol=1e-5, atol=1e-5)

    # and back: torch's (changed) weights saved by nndl, loaded into the nndl model
    with torch.no_grad():
        for p in theirs.parameters():
            p.mul_(1.5).add_(0.25)
    back = checkpoint.save(theirs.state_dict(), tmp_path / f"t.{ext}")
    checkpoint.load_into(ours, back)
    for k, v in theirs.state_dict().items():
        assert _bits(ours.state_dict()[k].data) == _bits(v.numpy()), k


def test_keys_match_torch_exactly(tmp_path):
    ours, theirs = _pair()
    path = checkpoint.save(ours, tmp_path / "m.safetensors")
    assert list(checkpoint.load(path)) == list(theirs.state_dict())


def test_mismatched_model_is_a_clear_error(tmp_path):
    ours, _ = _pair()
    path = checkpoint.save(ours, tmp_path / "m.npz")
    other = nnn.Sequential(nnn.Conv2d(3, 8, 3, padding=1), nnn.BatchNorm2d(8), nnn.ReLU(),
                           nnn.MaxPool2d(2), nnn.Flatten(), nnn.Linear(8 * 4 * 4, 5))
    with pytest.raises(checkpoint.CheckpointError, match=r"'0.weight' has shape \(4, 3, 3, 3\)") as e:
        checkpoint.load_into(other, path)
    assert "m.npz" in e.value.message
    smaller = nnn.Sequential(nnn.Conv2d(3, 4, 3, padding=1))
    with pytest.raises(checkpoint.CheckpointError, match="unexpected keys"):
        checkpoint.load_into(smaller, path)
    checkpoint.load_into(smaller, path, strict=False)  # extra keys skipped on request
    assert _bits(smaller.state_dict()["0.weight"].data) == _bits(ours.state_dict()["0.weight"].data)
