"""Issue 18, the fuzz campaign in a bounded form: every target of ``bench/fuzz.py`` (each
command and loader) for 40 to 200 derandomised inputs — the same inputs on every run, about
1,500 in all, well under a minute. Each input must give a result that keeps the target's
invariants or an NNDLError: no other exception, no hang, no failure at all.
``python bench/fuzz.py --examples 10000`` runs the long campaign (README, Development)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import fuzz  # noqa: E402

# inputs per target: the cheap loaders get more, the command line (a whole command per
# input) fewer
EXAMPLES = {
    "summary": 150, "spec_parse": 200, "input_size": 100, "expr": 150, "assignments": 100,
    "checkpoint_load": 200, "checkpoint_round_trip": 80, "atomic_write": 80, "pla": 100,
    "train_affine": 80, "solve_params": 80, "cli": 40, "cli_summary": 60, "cli_graph": 60,
}


def test_every_target_is_fuzzed():
    assert set(EXAMPLES) == {name for name, t in fuzz.TARGETS.items() if t.ci}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_fuzz_target(name, monkeypatch):
    monkeypatch.setenv("NNDL_QUIET_ENCODING", "1")
    result = fuzz.run_target(name, EXAMPLES[name], time_limit=20, derandomize=True)
    assert result.tried >= min(EXAMPLES[name], 10)
    assert result.failures == [], "\n\n".join(
        f"{f['error']}\ninput: {f['input']}\n{f.get('where', '')}" for f in result.failures)
