"""Numbers and names as a textbook writes them: 3 not 3.0, −6 with a real minus sign,
w₁ as ``w_{1}`` in LaTeX, negative numbers in parentheses inside products."""

from __future__ import annotations

import math
import re

_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "ο": "o", "π": "pi", "ρ": "rho", "ς": "varsigma", "σ": "sigma", "τ": "tau",
    "υ": "upsilon", "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega", "Γ": "Gamma",
    "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma",
    "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}
_SUB_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def num(value: float, latex: bool = False) -> str:
    """Shortest faithful-enough form: integers without '.0', otherwise 6 significant digits."""
    v = float(value)
    if v == 0:
        return "0"
    if math.isnan(v) or math.isinf(v):
        s = str(v)
    elif v.is_integer() and abs(v) < 1e15:
        s = str(int(v))
    else:
        s = f"{v:.6g}"
        if "e" in s:
            mant, exp = s.split("e")
            if latex:
                return f"{mant} \\times 10^{{{int(exp)}}}"
            s = f"{mant}e{int(exp)}"
    return s if latex else s.replace("-", "−")


def wrap(value: float, latex: bool = False) -> str:
    """A number as a factor: parentheses around negatives and exponent forms."""
    s = num(value, latex)
    return f"({s})" if s.startswith(("−", "-")) or "e" in s or "times" in s else s


def sup(value: float) -> str | None:
    """Unicode superscript for small integers (2 -> ², -1 -> ⁻¹), else None."""
    v = float(value)
    if v.is_integer() and abs(v) < 100:
        return str(int(v)).translate(_SUP)
    return None


def name_latex(name: str) -> str:
    """x_2 -> x_{2}, w1 -> w_{1}, α -> \\alpha, x₁ -> x_{1}."""
    name = name.translate(_SUB_DIGITS)
    m = re.fullmatch(r"([^\d_]+?)_?(\d+|_.+)?", name)
    head, tail = (m.group(1), m.group(2)) if m else (name, None)
    head = "".join(f"\\{_GREEK[c]} " if c in _GREEK else c for c in head).strip()
    if len(head) > 1 and not head.startswith("\\"):
        head = f"\\mathit{{{head}}}"
    if tail:
        tail = tail.lstrip("_")
        return f"{head}_{{{tail}}}"
    return head
