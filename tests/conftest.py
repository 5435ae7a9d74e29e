import os
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
sys.path.insert(0, str(Path(__file__).parent))

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "nndl", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "nndl"))

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture
def artifacts_dir() -> Path:
    """Where tests leave files worth looking at (screenshots, figures)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
