"""The autodiff engine: the bottom of nndl, importing nothing above it.

- ``tensor``: :class:`Tensor`, the graph it records, and the backward sweep
  (``run_backward``; :func:`reference_backward` is the readable definition it must match).
- ``ops``: one function per differentiable op, its forward and its ``backward(g)`` side by side.
- ``kernels``: numerically stable NumPy functions shared with the activation library.
- ``pool``: large work arrays lent and given back explicitly (see its rules).
- ``parallel``: nndl's own intra-op threads (off by default).

Layers (``nndl.nn``) and optimisers (``nndl.optim``) sit on top of it, as in PyTorch.
"""

from nndl.engine import bind  # noqa: F401  (binds the op functions to Tensor as its methods)
