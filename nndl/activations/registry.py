"""The activation registry: for each activation its NumPy function, its analytic derivative
and its SymPy definition, with PyTorch's names, parameters and conventions at kinks.

Adding an activation means adding one entry here; the derivation, the measured
properties, the pros/cons sentences, the plots and the engine op all follow from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nndl.activations import kernels as K
from nndl.errors import NNDLError


class UnknownActivationError(NNDLError):
    """An activation name that is not in the registry."""


@dataclass(frozen=True)
class Param:
    """A fixed parameter: PyTorch's argument name, its SymPy symbol name and default value."""

    torch_name: str
    symbol: str
    value: float


@dataclass(frozen=True)
class Activation:
    name: str                      # registry key, PyTorch's functional name where it has one
    title: str                     # how a reader names it
    torch: str                     # the PyTorch call it matches
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray], np.ndarray]
    sympy_def: Callable[[Any, dict[str, Any]], Any]  # (x, symbols) -> SymPy expression
    fname: str                     # SymPy function name used when rewriting f' in terms of f
    params: tuple[Param, ...] = ()
    aliases: tuple[str, ...] = field(default=())
    title_zh: str | None = None    # where the Chinese name differs from ``title``

    def label(self, lang: str) -> str:
        """The name a reader of ``lang`` uses (``title`` unless a Chinese one is given)."""
        return self.title_zh if (lang == "zh" and self.title_zh) else self.title

    def sympy(self):
        """(expression in x with parameter symbols, x, {symbol: value})."""
        import sympy as sp

        x = sp.Symbol("x", real=True)
        syms = {p.symbol: sp.Symbol(p.symbol, positive=True) for p in self.params}
        values = {syms[p.symbol]: sp.nsimplify(p.value) if p.value in (1.0, 0.01) else sp.Float(p.value, 30)
                  for p in self.params}
        return self.sympy_def(x, syms), x, values


def _sp():
    import sympy as sp

    return sp


def _sigmoid(x, s):
    sp = _sp()
    return 1 / (1 + sp.exp(-x))


def _tanh(x, s):
    sp = _sp()
    return (sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x))


def _relu(x, s):
    sp = _sp()
    return sp.Piecewise((0, x <= 0), (x, True))


def _leaky(x, s):
    sp = _sp()
    return sp.Piecewise((x, x > 0), (s["a"] * x, True))


def _elu(x, s):
    sp = _sp()
    return sp.Piecewise((x, x > 0), (s["alpha"] * (sp.exp(x) - 1), True))


def _selu(x, s):
    sp = _sp()
    return sp.Piecewise((s["lambda"] * x, x > 0), (s["lambda"] * s["alpha"] * (sp.exp(x) - 1), True))


def _softplus(x, s):
    sp = _sp()
    return sp.log(1 + sp.exp(x))


def _gelu(x, s):
    sp = _sp()
    return x / 2 * (1 + sp.erf(x / sp.sqrt(2)))


def _gelu_tanh(x, s):
    sp = _sp()
    c = sp.Rational(44715, 10**6)
    return x / 2 * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (x + c * x**3)))


def _silu(x, s):
    sp = _sp()
    return x / (1 + sp.exp(-x))


def _mish(x, s):
    sp = _sp()
    return x * sp.tanh(sp.log(1 + sp.exp(x)))


def _hardsigmoid(x, s):
    sp = _sp()
    return sp.Piecewise((0, x <= -3), (1, x >= 3), (x / 6 + sp.Rational(1, 2), True))


def _hardtanh(x, s):
    sp = _sp()
    return sp.Piecewise((-1, x <= -1), (1, x >= 1), (x, True))


_ENTRIES = (
    Activation("sigmoid", "Sigmoid", "torch.sigmoid", K.sigmoid, K.sigmoid_grad, _sigmoid, "sigma",
               aliases=("logistic", "σ")),
    Activation("tanh", "Tanh", "torch.tanh", K.tanh, K.tanh_grad, _tanh, "tanh"),
    Activation("relu", "ReLU", "torch.relu", K.relu, K.relu_grad, _relu, "ReLU"),
    Activation("leaky_relu", "LeakyReLU", "torch.nn.functional.leaky_relu(negative_slope=0.01)",
               K.leaky_relu, K.leaky_relu_grad, _leaky, "LeakyReLU",
               (Param("negative_slope", "a", 0.01),), aliases=("leakyrelu", "lrelu")),
    Activation("elu", "ELU", "torch.nn.functional.elu(alpha=1.0)", K.elu, K.elu_grad, _elu, "ELU",
               (Param("alpha", "alpha", 1.0),)),
    Activation("selu", "SELU", "torch.selu", K.selu, K.selu_grad, _selu, "SELU",
               (Param("alpha", "alpha", K.SELU_ALPHA), Param("scale", "lambda", K.SELU_SCALE))),
    Activation("softplus", "Softplus", "torch.nn.functional.softplus(beta=1)", K.softplus,
               K.softplus_grad, _softplus, "softplus"),
    Activation("gelu", "GELU", "torch.nn.functional.gelu(approximate='none')", K.gelu, K.gelu_grad,
               _gelu, "GELU"),
    Activation("gelu_tanh", "GELU (tanh approx.)", "torch.nn.functional.gelu(approximate='tanh')",
               K.gelu_tanh, K.gelu_tanh_grad, _gelu_tanh, "GELU_tanh", aliases=("gelu-tanh",),
               title_zh="GELU（tanh 近似）"),
    Activation("silu", "SiLU / Swish", "torch.nn.functional.silu", K.silu, K.silu_grad, _silu,
               "SiLU", aliases=("swish",)),
    Activation("mish", "Mish", "torch.nn.functional.mish", K.mish, K.mish_grad, _mish, "Mish"),
    Activation("hardsigmoid", "Hardsigmoid", "torch.nn.functional.hardsigmoid", K.hardsigmoid,
               K.hardsigmoid_grad, _hardsigmoid, "hardsigmoid", aliases=("hard_sigmoid",)),
    Activation("hardtanh", "Hardtanh", "torch.nn.functional.hardtanh(min_val=-1, max_val=1)",
               K.hardtanh, K.hardtanh_grad, _hardtanh, "hardtanh", aliases=("hard_tanh",)),
)

REGISTRY: dict[str, Activation] = {a.name: a for a in _ENTRIES}
SEED_NAMES = ("sigmoid", "tanh", "relu")  # the three the seed's exercise 1 asks about
_LOOKUP = {k: a.name for a in _ENTRIES for k in (a.name, a.title.lower(), *a.aliases)}


def names() -> list[str]:
    return list(REGISTRY)


def get(name: str) -> Activation:
    """Look an activation up by name or alias (case-insensitive, '-' and '_' alike)."""
    key = name.strip().lower()
    hit = _LOOKUP.get(key) or _LOOKUP.get(key.replace("-", "_"))
    if hit is None:
        raise UnknownActivationError(
            f"unknown activation '{name}'",
            hint="known activations: " + ", ".join(REGISTRY) + " (or 'all')",
        )
    return REGISTRY[hit]


def resolve(selection) -> list[Activation]:
    """Names (or 'all') -> activations, in the order given, without duplicates."""
    if isinstance(selection, str):
        selection = [selection]
    out: list[Activation] = []
    for n in selection or SEED_NAMES:
        for a in (_ENTRIES if n.strip().lower() == "all" else [get(n)]):
            if a not in out:
                out.append(a)
    return out
