"""The autodiff engine: the bottom of nndl, importing nothing above it.

- ``tensor``: :class:`Tensor`, the graph it records, and backpropagation's readable
  definition (:func:`topological_order`, :func:`reference_backward`).
- ``ops``: one function per differentiable op, its forward and its ``backward(g)`` side by side.
- ``scalar``: the fast path of micrograd's ops on 0-d scalars (falls back to ``ops``).
- ``sweep``: the backward sweep as it runs (``run_backward``), which must match the definition.
- ``bind``: makes the op functions Tensor's operators and methods.
- ``random``: the global generator (``manual_seed``, ``default_rng``).
- ``kernels``: numerically stable NumPy functions shared with the activation library.
- ``pool``: large work arrays lent and given back explicitly (see its rules).
- ``parallel``: nndl's own intra-op threads (off by default).

Layers (``nndl.nn``) and optimisers (``nndl.optim``) sit on top of it, as in PyTorch.
"""

from nndl.engine import bind  # noqa: F401  (binds the op functions to Tensor as its methods)
