"""Intra-op threads (nndl.engine.parallel): the sliced loops give exactly the serial results.

Real batches are small in the tests, so the fixture ``sliced`` lowers the work threshold
to one element and asks for 3 threads: every conv and pool of two or more samples then
runs as several slices on worker threads.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

import numpy as np
import pytest
import test_nn_parity as parity
from hypothesis import given
from hypothesis import strategies as st

import nndl
from nndl import nn
from nndl.engine import parallel as _parallel
from nndl.errors import NNDLError
from nndl.nn import functional as F

tnn = parity.tnn


@contextmanager
def slicing(threads: int = 3):
    old = _parallel._MIN_ELEMENTS, _parallel.get_num_threads()
    _parallel._MIN_ELEMENTS = 1
    _parallel.set_num_threads(threads)
    try:
        yield
    finally:
        _parallel._MIN_ELEMENTS = old[0]
        _parallel.set_num_threads(old[1])


@pytest.fixture
def sliced():
    with slicing():
        yield


def _at_least_two(config):
    return {**config, "n": max(2, config["n"] + 1)}


@given(parity.conv_config())
def test_sliced_conv2d_matches_torch(c):
    c = _at_least_two(c)
    ours = nn.Conv2d(c["cin"], c["cout"], c["k"], c["s"], c["p"], c["d"], bias=c["bias"])
    theirs = tnn.Conv2d(c["cin"], c["cout"], c["k"], c["s"], c["p"], c["d"], bias=c["bias"])
    x = np.random.default_rng(0).standard_normal((c["n"], c["cin"], c["h"], c["w"]))
    with slicing():
        parity._run_both(ours, theirs, x)


@given(parity.pool_config())
def test_sliced_maxpool2d_matches_torch(c):
    c = _at_least_two(c)
    ours = nn.MaxPool2d(c["k"], c["s"], c["p"], c["d"])
    theirs = tnn.MaxPool2d(c["k"], c["s"], c["p"], c["d"])
    x = np.random.default_rng(0).standard_normal((c["n"], c["c"], c["h"], c["w"]))
    with slicing():
        parity._run_both(ours, theirs, x)


def _lenet_grads():
    """Output and every gradient of a conv-relu-pool-conv stack on 5 samples (odd split)."""
    rng = np.random.default_rng(0)
    x = nndl.tensor(rng.standard_normal((5, 2, 12, 12)).astype(np.float32), requires_grad=True)
    w1 = nndl.tensor(rng.standard_normal((4, 2, 3, 3)).astype(np.float32), requires_grad=True)
    w2 = nndl.tensor(rng.standard_normal((3, 4, 3, 3)).astype(np.float32), requires_grad=True)
    h = F.max_pool2d(F.relu(F.conv2d(x, w1, padding=1)), 2)  # stride-1 "rows" conv
    y = F.conv2d(h, w2, stride=2)  # the general im2col conv
    y.backward(np.linspace(-1, 1, y.numel(), dtype=np.float32).reshape(y.shape))
    return [t.numpy().copy() for t in (y.detach(), x.grad, w1.grad, w2.grad)]


@pytest.mark.parametrize("threads", [2, 3, 5])
def test_sliced_results_are_bit_identical_to_serial(threads):
    serial = _lenet_grads()
    with slicing(threads):
        sliced = _lenet_grads()
    for a, b in zip(serial, sliced, strict=True):
        assert np.array_equal(a, b)


def test_parallel_for_covers_the_range_once_and_uses_workers(sliced):
    slices, names = [], set()
    lock = threading.Lock()

    def record(a, b):
        with lock:
            slices.append((a, b))
            names.add(threading.current_thread().name)

    _parallel.parallel_for(record, 10, 10)
    assert sorted(slices) == [(0, 3), (3, 6), (6, 10)]
    assert threading.current_thread().name in names  # the last slice runs here
    assert any(name.startswith("nndl") for name in names)  # the others on workers


def test_parallel_for_raises_a_slice_error_after_all_slices_finish(sliced):
    done = []

    def fail_first(a, b):
        if a == 0:
            raise ValueError("slice 0 failed")
        done.append(a)

    with pytest.raises(ValueError, match="slice 0 failed"):
        _parallel.parallel_for(fail_first, 9, 9)
    assert sorted(done) == [3, 6]


def test_small_work_stays_on_the_calling_thread():
    names = []
    _parallel.parallel_for(lambda a, b: names.append((a, b, threading.current_thread().name)),
                           64, 1000)
    assert names == [(0, 64, threading.current_thread().name)]


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_set_num_threads_rejects_bad_counts(bad):
    with pytest.raises(NNDLError, match="whole number"):
        nndl.set_num_threads(bad)


def test_thread_count_from_the_environment(monkeypatch):
    monkeypatch.delenv("NNDL_NUM_THREADS", raising=False)
    assert _parallel._default_threads() == 1  # off unless asked for (see the module doc)
    monkeypatch.setenv("NNDL_NUM_THREADS", "3")
    assert _parallel._default_threads() == 3
    monkeypatch.setenv("NNDL_NUM_THREADS", "many")
    with pytest.raises(NNDLError, match="NNDL_NUM_THREADS"):
        _parallel._default_threads()


@given(st.integers(1, 8))
def test_set_and_get_num_threads(n):
    old = nndl.get_num_threads()
    try:
        nndl.set_num_threads(n)
        assert nndl.get_num_threads() == n
    finally:
        nndl.set_num_threads(old)
