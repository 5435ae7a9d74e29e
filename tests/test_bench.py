"""The benchmark harness measures the right thing: correctness only, never timings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from oracles import require_torch

torch = require_torch()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import run as bench_run  # noqa: E402
import workloads as W  # noqa: E402


@pytest.mark.parametrize("name", ["mlp", "lenet"])
def test_both_frameworks_compute_the_same_training_step(name):
    w = W.WORKLOADS[name]
    nr, tr = W.paired_runners(w)
    for k, v in tr.model.state_dict().items():  # same initial weights
        assert np.array_equal(nr.model.state_dict()[k].data, v.numpy()), k
    assert nr.loss() == pytest.approx(tr.loss(), rel=1e-5)
    for _ in range(2):  # loss, gradients and SGD update agree step after step
        assert nr.step() == pytest.approx(tr.step(), rel=1e-5)
    for k, v in tr.model.state_dict().items():
        np.testing.assert_allclose(nr.model.state_dict()[k].data, v.numpy(), atol=1e-5, err_msg=k)
    assert all(p.dtype == np.float32 for p in nr.model.parameters())


def test_exercise6_net_is_the_seeds_network():
    """Parameter counts of the seed's answers: 34,944 + 614,656 + 177,213,440 + 4,097,000."""
    w = W.WORKLOADS["ex6"]
    assert W.parameter_count(w) == 34_944 + 614_656 + 177_213_440 + 4_097_000
    torch_params = sum(p.numel() for p in W.torch_model(w).parameters())
    assert torch_params == W.parameter_count(w)


def test_flop_counts():
    mlp = W.WORKLOADS["mlp"]
    fwd = 2 * 128 * (784 * 256 + 256 * 256 + 256 * 10)
    first = 2 * 128 * 784 * 256  # the first layer needs no input gradient
    assert W.train_step_flops(mlp) == 3 * fwd - first
    lenet = W.WORKLOADS["lenet"]
    conv1 = 2 * 64 * 6 * 28 * 28 * 1 * 25
    conv2 = 2 * 64 * 16 * 10 * 10 * 6 * 25
    fcs = 2 * 64 * (400 * 120 + 120 * 84 + 84 * 10)
    assert W.train_step_flops(lenet) == 2 * conv1 + 3 * (conv2 + fcs)


def test_timing_loop_collects_both_frameworks_alternately():
    calls = []
    nr = W.Runner("nndl", None, lambda: calls.append("n") or 0.0, lambda: 0.0)
    tr = W.Runner("torch", None, lambda: calls.append("t") or 0.0, lambda: 0.0)
    tn, tt = bench_run.time_pair(nr, tr, reps=4, warmup=1, budget_s=60, block=2, pause_s=0)
    assert len(tn) == len(tt) == 4 and all(t >= 0 for t in tn + tt)
    # warm-up pair, then blocks of 3 (one uncounted) taking turns, the first swapping
    assert "".join(calls) == "nt" + "nnn" + "ttt" + "ttt" + "nnn"


def test_memory_child_reports_a_peak():
    peak = bench_run.peak_memory("nndl", "mlp", steps=1, threads=1)
    assert peak is not None and 0 <= peak < 2000


def test_json_output_has_the_documented_keys(capsys, monkeypatch):
    monkeypatch.setattr(bench_run, "gemm_peak", lambda n=0, reps=0: 100.0)  # skip the big GEMM
    code = bench_run.main(["--quick", "--json", "--only", "mlp", "--no-memory", "--threads", "1"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["gemm_gflops"] == 100.0
    (row,) = out["workloads"]
    for key in ("name", "nndl_ms", "torch_ms", "ratio", "nndl_peak_mb", "torch_peak_mb"):
        assert key in row
    assert row["name"] == "mlp" and row["ratio"] == pytest.approx(row["nndl_ms"] / row["torch_ms"])
    assert row["loss_rel_diff"] < 1e-5
