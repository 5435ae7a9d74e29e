"""The δ recursion written out in LaTeX for a network of any depth, in the seed's notation.

S_j^{(l)} = Σ_i w_ij^{(l)} x_i^{(l−1)}, x_j^{(l)} = θ(S_j^{(l)}), ŷ = x^{(L)},
δ_j^{(l)} = ∂ℓ/∂S_j^{(l)}. The equations are generated from the depth, so a
student can ask for L = 3 (the seed's network) or L = 10 and get the same
derivation with the right number of factors.
"""

from __future__ import annotations

from dataclasses import dataclass

from nndl.deep.backprop import ACTIVATIONS, BackpropError, GradientCheck
from nndl.text import Text

_DERIV = {
    "sigmoid": (r"\theta(u) = \frac{1}{1+e^{-u}}", r"\theta'(u) = \theta(u)\,(1-\theta(u)) \le \frac{1}{4}"),
    "tanh": (r"\theta(u) = \tanh(u)", r"\theta'(u) = 1-\tanh^2(u) \le 1"),  # (u): the terminal
    # form drops LaTeX's thin space, and "tanhu" is no word
    "relu": (r"\theta(u) = \max(0, u)", r"\theta'(u) = \begin{cases}1 & u > 0\\ 0 & u \le 0\end{cases}"),
    "identity": (r"\theta(u) = u", r"\theta'(u) = 1"),
}


@dataclass
class BackpropDerivation:
    """LaTeX of every step for a network with ``depth`` layers of weights (L = depth).

    ``forward``: S and x per layer; ``delta``: δ⁽ᴸ⁾ then δ⁽ˡ⁾ per layer (index
    form and matrix form); ``gradient``: ∂ℓ/∂w_ij⁽ˡ⁾ per layer; ``unrolled``:
    ∂ℓ/∂w_ij⁽ˡ⁾ as one sum of products (the seed's form), per layer;
    ``vanishing``: the bound that makes the gradient vanish; ``theta``: θ and θ′.
    """

    depth: int
    activation: str
    theta: list[str]
    forward: list[str]
    delta: list[str]
    gradient: list[str]
    unrolled: list[str]
    vanishing: list[str]

    def all_equations(self) -> list[str]:
        return self.theta + self.forward + self.delta + self.gradient + self.unrolled + \
            self.vanishing


def _S(l, j="j"):
    return f"S_{{{j}}}^{{({l})}}"


def _x(l, i="i"):
    return f"x_{{{i}}}^{{({l})}}"


def _w(l, i="i", j="j"):
    return f"w_{{{i}{j}}}^{{({l})}}"


def derive_backprop(depth: int = 3, activation: str = "sigmoid") -> BackpropDerivation:
    """The seed's derivation for ``depth`` weight layers (the seed: 3 = two hidden + output)."""
    if not isinstance(depth, int) or depth < 1 or depth > 50:
        raise BackpropError(Text(f"权重层数必须是 1 到 50 的整数，现在是 {depth!r}",
                                 f"depth must be an integer from 1 to 50, got {depth!r}"),
                            hint=Text("原题的网络有 3 个权重层（两个隐藏层和输出层）",
                                      "the seed's network has depth 3 (two hidden layers and the "
                                      "output)"))
    if activation not in ACTIVATIONS:
        raise BackpropError(Text(f"未知的激活函数 '{activation}'", f"unknown activation '{activation}'"),
                            hint=Text(f"从这些中选一个：{'、'.join(ACTIVATIONS)}",
                                      f"use one of: {', '.join(ACTIVATIONS)}"))
    L = depth
    theta = list(_DERIV[activation])
    fwd = []
    for l in range(1, L + 1):
        fwd.append(f"{_S(l)} = \\sum_{{i=0}}^{{d^{{({l - 1})}}}} {_w(l)}\\, {_x(l - 1)}")
        out = r"\hat{y}_{j}" if l == L else _x(l, "j")
        fwd.append(f"{out} = \\theta\\left({_S(l)}\\right)")
    fwd.append(r"x_{0}^{(l)} = 1")  # the bias input (the renderers say so in words)

    delta = [
        r"\delta_{j}^{(l)} \equiv \frac{\partial \ell_n}{\partial S_{j}^{(l)}}",
        f"\\delta_{{j}}^{{({L})}} = \\frac{{\\partial \\ell_n}}{{\\partial \\hat{{y}}_{{j}}}}"
        f"\\, \\theta'\\left({_S(L)}\\right)"
        f"\\qquad \\boldsymbol{{\\delta}}^{{({L})}} = \\frac{{\\partial \\ell_n}}"
        f"{{\\partial \\hat{{\\mathbf{{y}}}}}} \\odot \\theta'\\left(\\mathbf{{S}}^{{({L})}}\\right)",
    ]
    for l in range(L - 1, 0, -1):
        delta.append(
            f"\\delta_{{j}}^{{({l})}} = \\theta'\\left({_S(l)}\\right) "
            f"\\sum_{{k=1}}^{{d^{{({l + 1})}}}} {_w(l + 1, 'j', 'k')}\\, \\delta_{{k}}^{{({l + 1})}}"
            f"\\qquad \\boldsymbol{{\\delta}}^{{({l})}} = \\left(\\mathbf{{W}}^{{({l + 1})}}"
            f"\\boldsymbol{{\\delta}}^{{({l + 1})}}\\right) \\odot "
            f"\\theta'\\left(\\mathbf{{S}}^{{({l})}}\\right)")
    grads = []
    for l in range(L, 0, -1):
        grads.append(
            f"\\frac{{\\partial \\ell_n}}{{\\partial {_w(l)}}} = {_x(l - 1)}\\, \\delta_{{j}}^{{({l})}}"
            f"\\qquad \\frac{{\\partial \\ell_n}}{{\\partial \\mathbf{{W}}^{{({l})}}}} = "
            f"\\mathbf{{x}}^{{({l - 1})}} \\boldsymbol{{\\delta}}^{{({l})\\top}}")

    unrolled = []
    for l in range(L, 0, -1):
        # summation indices k_{l+1} .. k_L over the layers above l; k_l = j
        idx = {l: "j"} | {m: f"k_{{{m}}}" for m in range(l + 1, L + 1)}
        sums = "".join(f"\\sum_{{{idx[m]}=1}}^{{d^{{({m})}}}} " for m in range(l + 1, L + 1))
        factors = [f"\\frac{{\\partial \\ell_n}}{{\\partial \\hat{{y}}_{{{idx[L]}}}}}",
                   f"\\theta'\\left({_S(L, idx[L])}\\right)"]
        for m in range(L - 1, l - 1, -1):
            factors.append(_w(m + 1, idx[m], idx[m + 1]))
            factors.append(f"\\theta'\\left({_S(m, idx[m])}\\right)")
        factors.append(_x(l - 1))
        unrolled.append(f"\\frac{{\\partial \\ell_n}}{{\\partial {_w(l)}}} = "
                        f"{sums}" + r" \cdot ".join(factors))

    vanishing = [
        f"\\left\\|\\boldsymbol{{\\delta}}^{{(l)}}\\right\\| \\le "
        f"\\left\\|\\frac{{\\partial \\ell_n}}{{\\partial \\hat{{\\mathbf{{y}}}}}}\\right\\| "
        f"\\prod_{{m=l}}^{{{L}}} \\max\\left|\\theta'\\left(\\mathbf{{S}}^{{(m)}}\\right)\\right| "
        f"\\prod_{{m=l+1}}^{{{L}}} \\left\\|\\mathbf{{W}}^{{(m)}}\\right\\|",
    ]
    if activation == "sigmoid":
        vanishing.append(
            f"\\prod_{{m=l}}^{{{L}}} \\theta'\\left(S^{{(m)}}\\right) \\le "
            f"\\left(\\frac{{1}}{{4}}\\right)^{{{L}-l+1}}"
            f"\\quad\\Rightarrow\\quad l=1:\\ \\left(\\frac{{1}}{{4}}\\right)^{{{L}}} = "
            f"{0.25 ** L:.6g}")
    return BackpropDerivation(L, activation, theta, fwd, delta, grads, unrolled, vanishing)


@dataclass
class BackpropReport:
    """What ``nndl experiment backprop`` shows: the derivation for a depth, and (optionally)
    its numeric instance computed three ways."""

    derivation: BackpropDerivation
    check: GradientCheck | None = None
