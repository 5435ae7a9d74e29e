"""The words of an expression's computational graph, in plain text and LaTeX: each node's
label and formula, the forward line (q = x + y = 1 + 2 = 3) and the chain-rule lines of the
backward pass (∂f/∂q = ∂f/∂p · ∂p/∂q = (−6)·(2·3) = −36).

:mod:`nndl.expr.graph` computes every number and names every node; this module only writes
them. An operand is anything with ``node`` (its id, None for a constant) and ``value``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from nndl.expr import format as fm
from nndl.text import Text

LABEL_UNARY = {"neg": "−", "exp": "exp", "log": "log", "sqrt": "√", "abs": "|□|", "sin": "sin",
               "cos": "cos", "tanh": "tanh", "sigmoid": "σ", "relu": "relu"}
SYMBOL = {"add": "+", "sub": "−", "mul": "×", "div": "÷", "pow": "^"}


class Operand(Protocol):
    node: str | None    # node id, None for a constant
    value: float


# ------------------------------------------------------------------ names and numbers
def sym(o: Operand, latex: bool = False) -> str:
    """An operand by name (a constant by value)."""
    if o.node is None:
        return fm.wrap(o.value, latex)
    return fm.name_latex(o.node) if latex else o.node


def val(o: Operand, latex: bool = False) -> str:
    """An operand by value, as a factor."""
    return fm.wrap(o.value, latex)


def formula(fn: str, a: list[str], latex: bool, exponent: float | None = None) -> str:
    """The op applied to operand strings a (names or numbers)."""
    if latex:
        match fn:
            case "add":
                return f"{a[0]} + {a[1]}"
            case "sub":
                return f"{a[0]} - {a[1]}"
            case "mul":
                return f"{a[0]} \\cdot {a[1]}"
            case "div":
                return f"\\frac{{{a[0]}}}{{{a[1]}}}"
            case "pow":
                return f"{a[0]}^{{{a[1]}}}"
            case "neg":
                return f"-{a[0]}"
            case "sqrt":
                return f"\\sqrt{{{a[0]}}}"
            case "abs":
                return f"\\left|{a[0]}\\right|"
            case "sigmoid":
                return f"\\sigma({a[0]})"
            case "relu":
                return f"\\operatorname{{relu}}({a[0]})"
            case "max" | "min":
                return f"\\{fn}({a[0]}, {a[1]})"
            case _:
                return f"\\{fn}({a[0]})"
    match fn:
        case "add":
            return f"{a[0]} + {a[1]}"
        case "sub":
            return f"{a[0]} − {a[1]}"
        case "mul":
            return f"{a[0]}·{a[1]}"
        case "div":
            return f"{a[0]}/{a[1]}"
        case "pow":
            s = fm.sup(exponent) if exponent is not None else None
            return f"{a[0]}{s}" if s else f"{a[0]}^{a[1]}"
        case "neg":
            return f"−{a[0]}"
        case "sqrt":
            return f"√{a[0]}"
        case "abs":
            return f"|{a[0]}|"
        case "sigmoid":
            return f"σ({a[0]})"
        case "max" | "min":
            return f"{fn}({a[0]}, {a[1]})"
        case _:
            return f"{fn}({a[0]})"


def label(fn: str, operands: Sequence[Operand]) -> str:
    """What the drawing writes in an op's node: +, ^2, ×2, 1/□, max(□,0)."""
    if fn in LABEL_UNARY:
        return LABEL_UNARY[fn]
    a, b = operands
    if fn in ("max", "min"):
        if a.node is None or b.node is None:
            c = a if a.node is None else b
            return f"{fn}(□,{fm.num(c.value)})"
        return fn
    s = SYMBOL[fn]
    if b.node is None:  # x + 1, x^2, x/2
        return f"{s}{fm.wrap(b.value)}"
    if a.node is None:
        if fn in ("add", "mul"):  # commutative: show the constant on the right, as +1, ×2
            return f"{s}{fm.wrap(a.value)}"
        return fm.wrap(a.value) + {"sub": "−", "div": "/", "pow": "^"}[fn] + "□"  # 1/□
    return s


# ------------------------------------------------------------------ forward
def forward(nid: str, fn: str, operands: Sequence[Operand], exponent: float | None,
            value: float) -> tuple[str, str, str, str]:
    """(formula, its LaTeX, the forward line, its LaTeX): x + y, q = x + y = 1 + 2 = 3."""
    text = formula(fn, [sym(o) for o in operands], False, exponent)
    latex = formula(fn, [sym(o, True) for o in operands], True, exponent)
    subst = formula(fn, [val(o) for o in operands], False, exponent)
    subst_l = formula(fn, [val(o, True) for o in operands], True, exponent)
    return (text, latex, f"{nid} = {text} = {subst} = {fm.num(value)}",
            f"{fm.name_latex(nid)} = {latex} = {subst_l} = {fm.num(value, True)}")


# ------------------------------------------------------------------ local derivatives
def local(fn: str, operands: Sequence[Operand], j: int, me: str, out: float
          ) -> tuple[str, str, str, str]:
    """∂(me)/∂(operand j) written out: (symbolic, numeric, symbolic LaTeX, numeric LaTeX).
    ``out`` is me's forward value (tanh′ = 1 − me², σ′ = me(1 − me))."""
    o = operands[j]
    x = o.value
    n = o.node or ""  # the differentiated operand is always a node
    nl = fm.name_latex(n) if n else ""
    mel = fm.name_latex(me)
    W, WL = fm.wrap(x), fm.wrap(x, True)
    match fn:
        case "add":
            return "1", "1", "1", "1"
        case "sub":
            s = "1" if j == 0 else "−1"
            return s, s, s.replace("−", "-"), s.replace("−", "-")
        case "neg":
            return "−1", "−1", "-1", "-1"
        case "mul":
            q = operands[1 - j]
            return sym(q), fm.num(q.value), sym(q, True), fm.num(q.value, True)
        case "div":
            a, b = operands
            if j == 0:
                return (f"1/{sym(b)}", f"1/{val(b)}", f"\\frac{{1}}{{{sym(b, True)}}}",
                        f"\\frac{{1}}{{{val(b, True)}}}")
            return (f"−{sym(a)}/{sym(b)}²", f"−{val(a)}/{val(b)}²",
                    f"-\\frac{{{sym(a, True)}}}{{{sym(b, True)}^{{2}}}}",
                    f"-\\frac{{{val(a, True)}}}{{{val(b, True)}^{{2}}}}")
        case "pow":
            a, b = operands
            if j == 1:  # d(a^b)/db = a^b ln a
                return (f"{me}·ln {sym(a)}", f"{fm.wrap(out)}·ln {val(a)}",
                        f"{mel} \\ln {sym(a, True)}", f"{fm.wrap(out, True)} \\ln {val(a, True)}")
            if b.node is None:  # constant exponent: 2q, 3q², 0.5q^(−0.5)
                c = b.value
                cm1 = c - 1
                cs, cl = fm.wrap(c), fm.wrap(c, True)
                if cm1 == 1:
                    return f"{cs}{n}", f"{cs}·{W}", f"{cl}{nl}", f"{cl} \\cdot {WL}"
                if cm1 == 0:
                    return cs, cs, cl, cl
                sp = fm.sup(cm1) or f"^({fm.num(cm1)})"
                return (f"{cs}{n}{sp}", f"{cs}·{W}{sp}",
                        f"{cl}{nl}^{{{fm.num(cm1, True)}}}",
                        f"{cl} \\cdot {WL}^{{{fm.num(cm1, True)}}}")
            return (f"{sym(b)}·{n}^({sym(b)} − 1)", f"{val(b)}·{W}^({val(b)} − 1)",
                    f"{sym(b, True)} \\cdot {nl}^{{{sym(b, True)} - 1}}",
                    f"{val(b, True)} \\cdot {WL}^{{{val(b, True)} - 1}}")
        case "exp":
            return f"exp({n})", f"exp({fm.num(x)})", f"e^{{{nl}}}", f"e^{{{fm.num(x, True)}}}"
        case "log":
            return f"1/{n}", f"1/{W}", f"\\frac{{1}}{{{nl}}}", f"\\frac{{1}}{{{WL}}}"
        case "sqrt":
            return (f"1/(2√{n})", f"1/(2√{W})", f"\\frac{{1}}{{2\\sqrt{{{nl}}}}}",
                    f"\\frac{{1}}{{2\\sqrt{{{WL}}}}}")
        case "abs":
            return (f"sign({n})", f"sign({fm.num(x)})", f"\\operatorname{{sign}}({nl})",
                    f"\\operatorname{{sign}}({fm.num(x, True)})")
        case "sin":
            return f"cos({n})", f"cos({fm.num(x)})", f"\\cos({nl})", f"\\cos({fm.num(x, True)})"
        case "cos":
            return (f"−sin({n})", f"−sin({fm.num(x)})", f"-\\sin({nl})",
                    f"-\\sin({fm.num(x, True)})")
        case "tanh":
            o_s, o_l = fm.wrap(out), fm.wrap(out, True)
            return f"1 − {me}²", f"1 − {o_s}²", f"1 - {mel}^{{2}}", f"1 - {o_l}^{{2}}"
        case "sigmoid":
            o_s, o_l = fm.wrap(out), fm.wrap(out, True)
            return (f"{me}(1 − {me})", f"{o_s}·(1 − {o_s})", f"{mel}(1 - {mel})",
                    f"{o_l} \\cdot (1 - {o_l})")
        case "relu":
            return f"[{n} > 0]", f"[{fm.num(x)} > 0]", f"[{nl} > 0]", f"[{fm.num(x, True)} > 0]"
        case "max" | "min":
            cmp = ">" if fn == "max" else "<"
            q = operands[1 - j]
            s, sl = f"[{sym(o)} {cmp} {sym(q)}]", f"[{sym(o, True)} {cmp} {sym(q, True)}]"
            if x == q.value:  # a tie: the split's ½
                return s, "1/2", sl, "1/2"
            return s, f"[{val(o)} {cmp} {val(q)}]", sl, f"[{val(o, True)} {cmp} {val(q, True)}]"
    raise ValueError(f"no local derivative text for the op {fn!r}")


def kink_note(fn: str, operands: Sequence[Operand], j: int) -> Text:
    """The convention used where the op has no derivative (relu at 0, a tie of max), or an
    empty Text."""
    x = operands[j].value
    if fn == "abs" and x == 0:
        return Text("|x| 在 0 处不可导；nndl 与 PyTorch 一样取 sign(0) = 0",
                    "|x| has no derivative at 0; nndl uses sign(0) = 0, as PyTorch")
    if fn == "relu" and x == 0:
        return Text("ReLU 在 0 处不可导；nndl 与 PyTorch 一样取 relu′(0) = 0",
                    "relu has no derivative at 0; nndl uses relu'(0) = 0, as PyTorch")
    if fn in ("max", "min") and x == operands[1 - j].value:
        return Text(f"{fn} 在两数相等处不可导；nndl 与 PyTorch 一样各分一半（½–½）",
                    f"{fn} has no derivative at a tie; nndl splits it ½–½, as PyTorch")
    return Text("", "")


# ------------------------------------------------------------------ backward
def chain(head: str, *parts: str) -> str:
    """head part1 = part2 = …, skipping a part equal to the one before it (no "= 1 = 1")."""
    kept: list[str] = []
    for p in parts:
        if not kept or p != kept[-1]:
            kept.append(p)
    return f"{head} " + " = ".join(kept)


def d(num_: str, den: str, latex: bool) -> str:
    """∂num/∂den."""
    if latex:
        return f"\\frac{{\\partial {fm.name_latex(num_)}}}{{\\partial {fm.name_latex(den)}}}"
    return f"∂{num_}/∂{den}"


def factor(text: str) -> str:
    """Parenthesise a numeric local derivative that is not a single non-negative number."""
    plain = text.replace(".", "", 1).isdigit()
    return text if plain or (text.startswith("[") and text.endswith("]")) else f"({text})"


def seed(out_id: str) -> tuple[str, str]:
    """∂f/∂f = 1."""
    return f"∂{out_id}/∂{out_id} = 1", f"{d(out_id, out_id, True)} = 1"


def edge(out_id: str, source: str, target: str, texts: tuple[str, str, str, str],
         upstream: float, local_value: float, contribution: float, many: bool
         ) -> tuple[str, str, str, str]:
    """One chain-rule term from ``source`` into ``target``: (line, LaTeX, the local
    derivative's line, LaTeX). ``texts``: :func:`local`'s four strings."""
    sym_, numeric, sym_l, num_l = texts
    eq, eq_l = ("+=", "\\mathrel{+}=") if many else ("=", "=")
    head, head_l = f"∂{out_id}/∂{target}", d(out_id, target, True)
    if source == out_id:  # straight from the output: ∂f/∂p = z = −6
        text = chain(f"{head} {eq}", sym_, numeric, fm.num(contribution))
        latex = chain(f"{head_l} {eq_l}", sym_l, num_l, fm.num(contribution, True))
    else:
        chain_t = f"{d(out_id, source, False)} · {d(source, target, False)}"
        chain_l = f"{d(out_id, source, True)} \\cdot {d(source, target, True)}"
        text = (f"{head} {eq} {chain_t} = {fm.wrap(upstream)}·{factor(numeric)} = "
                f"{fm.num(contribution)}")
        latex = (f"{head_l} {eq_l} {chain_l} = {fm.wrap(upstream, True)} \\cdot "
                 f"{factor(num_l)} = {fm.num(contribution, True)}")
    local_text = chain(f"{d(source, target, False)} =", sym_, numeric, fm.num(local_value))
    local_latex = chain(f"{d(source, target, True)} =", sym_l, num_l, fm.num(local_value, True))
    return text, latex, local_text, local_latex


def total(out_id: str, target: str, terms: list[float], value: float) -> tuple[str, str]:
    """A node used several times: its gradient is the sum of its terms."""
    text = f"∂{out_id}/∂{target} = " + " + ".join(fm.wrap(t) for t in terms) + f" = {fm.num(value)}"
    latex = (f"{d(out_id, target, True)} = " + " + ".join(fm.wrap(t, True) for t in terms)
             + f" = {fm.num(value, True)}")
    return text, latex
