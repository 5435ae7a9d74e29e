"""``nn.utils``: gradient clipping and flattening parameters, as ``torch.nn.utils``."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from nndl.engine.tensor import Tensor
from nndl.errors import ArgumentError, GraphError


def _grads(parameters) -> list[np.ndarray]:
    """The gradient arrays of the parameters that have one (optimisers' in-place view)."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [g for g in (p._grad for p in params) if g is not None]


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach=None) -> Tensor:
    """Scale the gradients in place so that their joint ``norm_type``-norm (all gradients
    as one vector) is at most ``max_norm``, as ``torch.nn.utils.clip_grad_norm_``: each is
    multiplied by min(1, max_norm/(norm + 1e-6)). Returns the norm before clipping.

    Examples::

        >>> w = nndl.tensor([3., 4.], requires_grad=True)
        >>> (w * w).sum().backward()  # grad (6, 8): norm 10
        >>> nn.utils.clip_grad_norm_([w], max_norm=5.0)
        tensor(10.)
        >>> w.grad
        tensor([3., 4.])
    """
    grads = _grads(parameters)
    if not grads:
        return Tensor(0.0)
    if norm_type in (math.inf, "inf"):
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads)
    else:
        p = float(norm_type)
        acc = 0.0
        for g in grads:
            acc += float(np.sum(np.abs(g.astype(np.float64)) ** p))
        total = acc ** (1.0 / p)
    if error_if_nonfinite and not math.isfinite(total):
        raise GraphError(f"the total norm of order {norm_type} of the gradients is {total}",
                         hint="pass error_if_nonfinite=False to clip anyway")
    coef = min(1.0, max_norm / (total + 1e-6))
    if coef < 1.0:
        for g in grads:
            g *= g.dtype.type(coef)
    return Tensor(np.asarray(total, dtype=grads[0].dtype))


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float,
                     foreach=None) -> None:
    """Clamp every gradient element to [−clip_value, clip_value], in place.

    Examples::

        >>> w = nndl.tensor([3., -4.], requires_grad=True)
        >>> (w * w).sum().backward()
        >>> nn.utils.clip_grad_value_([w], 1.0)
        >>> w.grad
        tensor([ 1., -1.])
    """
    if clip_value < 0:
        raise ArgumentError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    for g in _grads(parameters):
        np.clip(g, -clip_value, clip_value, out=g)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters as one 1-D tensor (a copy, outside the graph).

    Examples::

        >>> nn.utils.parameters_to_vector(nn.Linear(2, 3).parameters()).shape
        (9,)
    """
    return Tensor._wrap(np.concatenate([p.data.reshape(-1) for p in parameters]))


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters, in place.

    Examples::

        >>> m = nn.Linear(2, 1)
        >>> nn.utils.vector_to_parameters(nndl.zeros(3), m.parameters())
        >>> m.weight
        Parameter containing:
        tensor([[0., 0.]], requires_grad=True)
    """
    flat = vec.data.reshape(-1)
    start = 0
    for p in parameters:
        n = p.numel()
        p.data[...] = flat[start:start + n].reshape(p.shape)
        start += n
    if start != flat.size:
        raise ArgumentError(f"vector_to_parameters: the vector has {flat.size} values, the "
                            f"parameters {start}")
