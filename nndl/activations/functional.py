"""Differentiable engine ops for every registered activation.

Each op's forward is the registry's ``f`` and its backward is ``g * f′`` with the
registry's analytic ``f′``, so the table that describes an activation and the op that
trains with it share one definition.
"""

from __future__ import annotations

import numpy as np

from nndl.activations.registry import get, names
from nndl.engine.tensor import Tensor


def apply(name: str, x, **params) -> Tensor:
    """``name``(x) as an engine op; ``params`` override PyTorch's defaults (e.g. negative_slope)."""
    act = get(name)
    x = x if isinstance(x, Tensor) else Tensor(x)
    # SELU's two constants are fixed by its self-normalising derivation, as in PyTorch
    known = set() if act.name == "selu" else {p.torch_name for p in act.params}
    bad = set(params) - known
    if bad:
        from nndl.activations.registry import UnknownActivationError

        raise UnknownActivationError(
            f"{act.name} has no parameter '{sorted(bad)[0]}'",
            hint=f"its parameters are: {', '.join(sorted(known)) or 'none'}")
    kw = dict(params)
    xd = x.data
    out = np.asarray(act.f(xd, **kw), dtype=xd.dtype if xd.dtype.kind == "f" else None)

    def backward(g):
        return (g * act.df(xd, **kw),)

    return Tensor._make(out, act.name, (x,), backward)


def _op(name: str):
    def op(x, **params) -> Tensor:
        return apply(name, x, **params)

    op.__name__ = name
    op.__doc__ = f"{get(name).title} as a differentiable op (matches {get(name).torch})."
    return op


sigmoid = _op("sigmoid")
tanh = _op("tanh")
relu = _op("relu")
leaky_relu = _op("leaky_relu")
elu = _op("elu")
selu = _op("selu")
softplus = _op("softplus")
silu = _op("silu")
mish = _op("mish")
hardsigmoid = _op("hardsigmoid")
hardtanh = _op("hardtanh")
gelu_tanh = _op("gelu_tanh")


def gelu(x, approximate: str = "none") -> Tensor:
    """GELU as ``torch.nn.functional.gelu``: exact (erf) or ``approximate='tanh'``."""
    if approximate not in ("none", "tanh"):
        from nndl.activations.registry import UnknownActivationError

        raise UnknownActivationError(f"gelu: approximate='{approximate}' is not known",
                                     hint="use approximate='none' (erf) or 'tanh'")
    return apply("gelu" if approximate == "none" else "gelu_tanh", x)


__all__ = ["apply", *names()]
