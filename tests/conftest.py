import os
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
sys.path.insert(0, str(Path(__file__).parent))

from hypothesis import HealthCheck, settings  # noqa: E402

# local runs ("nndl") explore: each run draws new examples and replays past failures from
# .hypothesis/. CI ("ci") is reproducible: the same examples on every run, no example
# database carried between runs, and a failure prints the blob that replays it
# (@reproduce_failure). CI=... (set by CI services) selects "ci" unless HYPOTHESIS_PROFILE
# names a profile; .ci/run names it. "nndl" builds on Hypothesis' own defaults, not on the
# current ones, which Hypothesis already switches to its built-in "ci" when CI is set.
settings.register_profile(
    "nndl", settings.get_profile("default"), deadline=None, max_examples=40,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci", settings.get_profile("nndl"), derandomize=True, database=None, print_blob=True
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "nndl")
)

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture
def artifacts_dir() -> Path:
    """Where tests leave files worth looking at (screenshots, figures)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
