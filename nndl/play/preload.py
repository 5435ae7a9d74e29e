"""What the worker processes start from. The fork server imports this module once (it is in
:data:`nndl.play.worker.PRELOAD`), and every job's process is forked from it, so a job finds
these modules imported and these caches filled instead of paying for them each time (a check
of exercise 1 spent most of its time importing Matplotlib and re-deriving the activations with
SymPy). Nothing here is a result: it only fills the caches the library keeps itself."""

from __future__ import annotations

import contextlib
import importlib

MODULES = (
    "nndl.solutions.ex1", "nndl.solutions.ex2", "nndl.solutions.ex3", "nndl.solutions.ex4",
    "nndl.solutions.ex5", "nndl.solutions.ex6", "nndl.solutions.render", "nndl.check.problems",
    "nndl.check.derivative", "nndl.check.render", "nndl.activations", "nndl.plotting",
    "nndl.classic.plots", "nndl.deep.render", "nndl.train", "nndl.data",
    "matplotlib.pyplot", "matplotlib.backends.backend_agg", "matplotlib.backends.backend_svg",
)


def warm() -> None:
    for name in MODULES:
        importlib.import_module(name)
    from nndl.activations import analyze, resolve

    for a in resolve(None):   # the SymPy derivations and measured properties, kept by analyze
        analyze(a.name)
    with contextlib.suppress(ImportError):   # the digits (#/train): scikit-learn is optional
        importlib.import_module("sklearn.datasets")


warm()
