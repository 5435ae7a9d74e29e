"""Independent oracles for the tests. PyTorch must be present in CI: with
NNDL_REQUIRE_TORCH=1 (set by .ci/run) a missing torch is a failure, not a skip."""

from __future__ import annotations

import os

import pytest


def require_torch():
    """Import torch (float64 default not changed) or fail/skip the calling test module."""
    try:
        import torch
    except ImportError:
        if os.environ.get("NNDL_REQUIRE_TORCH") == "1" or os.environ.get("CI"):
            raise
        pytest.skip("PyTorch is not installed (pip install -e '.[test]')", allow_module_level=True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    return torch


def require(module: str):
    """Import a test dependency (scikit-learn, scipy, ...): in CI a missing one fails the run,
    locally it skips the module, as require_torch."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get("NNDL_REQUIRE_TORCH") == "1" or os.environ.get("CI"):
            raise
        pytest.skip(f"{module} is not installed (pip install -e '.[test]')",
                    allow_module_level=True)
