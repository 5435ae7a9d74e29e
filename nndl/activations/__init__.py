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
