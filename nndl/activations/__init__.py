"""Activation functions: definitions, derivatives, SymPy derivations, measured properties,
rule-generated pros and cons, curves, and differentiable engine ops (exercise 1 of the seed)."""

from __future__ import annotations

from nndl.activations.registry import (
    REGISTRY,
    SEED_NAMES,
    Activation,
    UnknownActivationError,
    get,
    names,
    resolve,
)

__all__ = ["REGISTRY", "SEED_NAMES", "Activation", "UnknownActivationError", "get", "names",
           "resolve"]

# the Python API the worked solutions use (imported lazily-cheap modules; SymPy loads on use)
from nndl.activations import functional, render  # noqa: E402
from nndl.activations.cost import Cost, Ops, Timing, count_cost  # noqa: E402
from nndl.activations.derive import Derivation, Kink, Step, derivation  # noqa: E402
from nndl.activations.functional import apply  # noqa: E402
from nndl.activations.measure import Interval, Properties, measure  # noqa: E402
from nndl.activations.report import ActivationReport, Point, analyze, rules  # noqa: E402

__all__ += ["functional", "render", "Derivation", "Kink", "Step", "derivation", "apply", "Cost",
            "Ops", "Timing", "count_cost", "Interval", "Properties", "measure", "curves", "save_curves", "ActivationReport",
            "Point", "analyze", "rules"]


def __getattr__(name: str):
    # the curves need Matplotlib (~0.4 s to import): loaded on first use, so `nndl check 1`
    # and the text renderings never pay for it
    if name in ("curves", "save_curves"):
        from nndl.activations import plot

        return getattr(plot, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
