"""An expression becomes a computational graph on the engine; forward and backward run
through :mod:`nndl.engine.ops` and :func:`nndl.engine.tensor.run_backward`, and this module only
records what they did, as a textbook writes it.

Granularity is a textbook's: one node per input variable and per operation; constants
are folded into the operation's label (the 2 of q² is the op ``^2``). Intermediate
nodes are named q, p, r, s, … in evaluation order and the output is f, so (x+y)²z gives
q = x + y, p = q², f = p·z.

Every chain-rule term comes from the engine's ``on_edge`` hook, so a variable used
twice shows both contributions and then their sum. The local derivative printed in a
step (∂p/∂q = 2q = 2·3) is derived from the op and its input values by the small table
in :func:`_local`; the tests check that local × upstream equals the engine's term.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np

from nndl.engine import ops
from nndl.engine.tensor import Tensor, run_backward, topological_order
from nndl.errors import NNDLError
from nndl.expr import format as fm
from nndl.expr.errors import ExprDomainError, ExprError, ExprValueError, brief
from nndl.expr.parser import Node, Num, Op, Var, parse, variables

_NAME_POOL = ("q", "p", "r", "s", "t", "u", "v", "w", "a", "b", "c", "d", "g", "h", "k", "m", "n")


# --------------------------------------------------------------------- data
@dataclass(frozen=True)
class GraphNode:
    """One node of the drawing: an input variable or one operation."""
    id: str                 # x, q, f
    op: str                 # "input" or the engine's op name (add, mul, pow, maximum...)
    label: str              # what the drawing writes in the node: x, +, ^2, ×, σ
    value: float            # forward value
    grad: float             # ∂f/∂node
    inputs: tuple[str, ...]  # ids of the nodes it reads (a variable used twice appears twice)
    formula: str = ""       # "x + y" (empty for inputs)
    latex: str = ""         # LaTeX of the formula
    source: str = ""        # the part of the typed expression it computes
    span: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class ForwardStep:
    node: str
    value: float
    text: str               # q = x + y = 1 + 2 = 3
    latex: str


@dataclass(frozen=True)
class BackwardStep:
    """One line of the backward pass, in the order the engine computed it.

    kind "seed": ∂f/∂f = 1; "edge": one chain-rule term from ``source`` into ``node``;
    "sum": a node reached by several edges adds its terms.
    """
    kind: str
    node: str
    value: float            # the term (edge) or the gradient (seed, sum)
    text: str
    latex: str
    source: str | None = None
    upstream: float | None = None        # ∂f/∂source
    local: float | None = None           # ∂source/∂node
    local_symbolic: str = ""             # 2q
    local_numeric: str = ""              # 2·3
    local_text: str = ""                 # ∂p/∂q = 2q = 2·3 = 6
    local_latex: str = ""
    accumulates: bool = False            # node has several uses: this term is added (+=)
    terms: tuple[float, ...] = ()        # the terms a "sum" step adds
    note: str = ""                       # convention used at a kink (relu'(0) = 0, ...)


@dataclass(frozen=True)
class GraphTrace:
    """Everything the forward and backward pass of one expression computed."""
    expression: str
    output: float
    output_id: str
    variables: tuple[str, ...]
    values: dict[str, float]
    nodes: tuple[GraphNode, ...]
    forward: tuple[ForwardStep, ...]
    steps: tuple[BackwardStep, ...]
    gradients: dict[str, float]
    edges: tuple[tuple[str, str, int, float], ...] = field(default=())  # (src, dst, k, term)

    def node(self, node_id: str) -> GraphNode:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def to_dict(self) -> dict:
        return {
            "expression": self.expression,
            "output": self.output,
            "gradients": dict(self.gradients),
            "values": dict(self.values),
            "nodes": [{"id": n.id, "op": n.op, "label": n.label, "value": n.value,
                       "grad": n.grad, "inputs": list(n.inputs), "formula": n.formula,
                       "latex": n.latex} for n in self.nodes],
            "forward": [asdict(s) for s in self.forward],
            "steps": [{k: (list(v) if isinstance(v, tuple) else v)
                       for k, v in asdict(s).items()} for s in self.steps],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


# ------------------------------------------------------------------ building
@dataclass
class _Operand:
    node: str | None            # node id, or None for a constant
    value: float
    tensor: Tensor | None = None


@dataclass
class _OpRecord:
    name: str
    fn: str
    operands: list[_Operand]
    slots: tuple[int, ...]      # operand index of each engine input
    span: tuple[int, int]
    tensor: Tensor | None = None


_LABEL_UNARY = {"neg": "−", "exp": "exp", "log": "log", "sqrt": "√", "abs": "|□|", "sin": "sin",
                "cos": "cos", "tanh": "tanh", "sigmoid": "σ", "relu": "relu"}
_SYMBOL = {"add": "+", "sub": "−", "mul": "×", "div": "÷", "pow": "^"}


def _assign_names(root: Node, taken: set[str]) -> dict[int, str]:
    """Names for the operation nodes that depend on a variable, in evaluation order."""
    live_ops: list[Op] = []

    def walk(n: Node) -> bool:
        if isinstance(n, Var):
            return True
        if isinstance(n, Num):
            return False
        live = [walk(a) for a in n.args]
        if any(live):
            live_ops.append(n)
            return True
        return False

    walk(root)
    pool = [c for c in _NAME_POOL if c not in taken]
    extra = (f"{c}{i}" for i in range(1, 10**6) for c in _NAME_POOL)
    names: dict[int, str] = {}
    # the output's name: f, unless the values use it (then F, out, out_, f_1, f_2, ...)
    outs = itertools.chain(("f", "F", "out", "out_"), (f"f_{i}" for i in itertools.count(1)))
    out_name = next(c for c in outs if c not in taken)
    for op in live_ops[:-1]:
        name = pool.pop(0) if pool else next(n for n in extra if n not in taken)
        names[id(op)] = name
    if live_ops:
        names[id(live_ops[-1])] = out_name
    return names


class _Builder:
    def __init__(self, text: str, root: Node, values: dict[str, float]):
        self.text = text
        self.values = values
        self.names = _assign_names(root, set(values) | {"e"})
        self.leaves: dict[str, Tensor] = {}
        self.records: list[_OpRecord] = []

    def where(self, n: Node) -> str:
        return self.text[n.start:n.end]

    def build(self, n: Node) -> _Operand:
        if isinstance(n, Num):
            return _Operand(None, n.value)
        if isinstance(n, Var):
            t = self.leaves.get(n.name)
            if t is None:
                t = Tensor(np.asarray(self.values[n.name], dtype=np.float64), requires_grad=True)
                t.name = n.name
                self.leaves[n.name] = t
            return _Operand(n.name, self.values[n.name], t)
        args = [self.build(a) for a in n.args]
        name = self.names.get(id(n))
        node_desc = f"node {name} = {self.where(n)}" if name else f"the constant {self.where(n)}"
        self._check_domain(n, args, node_desc)
        tensors = [a.tensor if a.tensor is not None else
                   Tensor(np.asarray(a.value, dtype=np.float64)) for a in args]
        with np.errstate(all="ignore"):  # overflow is reported below, naming the node
            if n.fn == "pow" and args[1].node is None:
                out = ops.pow(tensors[0], float(args[1].value))  # constant exponent: op "^2"
                slots = (0,)
            else:
                out = _ENGINE[n.fn](*tensors)
                slots = tuple(range(len(args)))
        value = float(out.data)
        if not math.isfinite(value):
            raise ExprDomainError(
                f"{node_desc} overflows: its value is too large for float64 (> 1.8e308)",
                node=name or self.where(n), text=self.text, span=(n.start, n.end),
                hint="use smaller input values (exp overflows above about 709)")
        if name is None:  # constant sub-expression: folded into its user's label
            return _Operand(None, value)
        out.retain_grad()
        self.records.append(_OpRecord(name, n.fn, args, slots, (n.start, n.end), out))
        return _Operand(name, value, out)

    def _check_domain(self, n: Op, args: list[_Operand], node_desc: str) -> None:
        name = self.names.get(id(n)) or self.where(n)

        def fail(what: str, hint: str):
            raise ExprDomainError(f"{what} at {node_desc}", node=name, text=self.text,
                                  span=(n.start, n.end), hint=hint)

        v = [a.value for a in args]
        arg_text = [self.where(a) for a in n.args]
        if n.fn == "div" and v[1] == 0:
            fail(f"division by zero: the denominator {arg_text[1]} = 0",
                 "choose values that make the denominator non-zero")
        if n.fn == "log" and v[0] <= 0:
            fail(f"log of a non-positive number: {arg_text[0]} = {fm.num(v[0])}",
                 "log is defined only for positive arguments (log(x) needs x > 0)")
        if n.fn == "sqrt" and v[0] < 0:
            fail(f"square root of a negative number: {arg_text[0]} = {fm.num(v[0])}",
                 "sqrt is real only for arguments ≥ 0")
        if n.fn == "pow":
            if v[0] == 0 and v[1] < 0:
                fail(f"division by zero: 0 raised to the negative power {fm.num(v[1])}",
                     "the base must be non-zero for a negative exponent")
            if v[0] < 0 and not float(v[1]).is_integer():
                fail(f"a negative base {fm.num(v[0])} to the non-integer power {fm.num(v[1])} is "
                     "not a real number", "use a positive base or an integer exponent")
            if v[0] < 0 and args[1].node is not None:
                fail(f"the base {arg_text[0]} = {fm.num(v[0])} is negative while the exponent "
                     f"{arg_text[1]} is a variable: ∂/∂(exponent) = a^b·ln a is not real",
                     "use a positive base when the exponent depends on a variable")


_ENGINE = {
    "add": ops.add, "sub": ops.sub, "mul": ops.mul, "div": ops.div, "pow": ops.pow,
    "neg": ops.neg, "exp": ops.exp, "log": ops.log, "sqrt": ops.sqrt, "abs": ops.abs,
    "sin": ops.sin, "cos": ops.cos, "tanh": ops.tanh, "sigmoid": ops.sigmoid, "relu": ops.relu,
    "max": ops.maximum, "min": ops.minimum,
}


# --------------------------------------------------------- formulas and labels
def _sym(o: _Operand, latex: bool = False) -> str:
    if o.node is None:
        return fm.wrap(o.value, latex)
    return fm.name_latex(o.node) if latex else o.node


def _val(o: _Operand, latex: bool = False) -> str:
    return fm.wrap(o.value, latex)


def _formula(fn: str, a: list[str], latex: bool, exponent: float | None = None) -> str:
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


def _label(r: _OpRecord) -> str:
    if r.fn in _LABEL_UNARY:
        return _LABEL_UNARY[r.fn]
    a, b = r.operands
    if r.fn in ("max", "min"):
        if a.node is None or b.node is None:
            c = a if a.node is None else b
            return f"{r.fn}(□,{fm.num(c.value)})"
        return r.fn
    sym = _SYMBOL[r.fn]
    if b.node is None:  # x + 1, x^2, x/2
        return f"{sym}{fm.wrap(b.value)}"
    if a.node is None:
        if r.fn in ("add", "mul"):  # commutative: show the constant on the right, as +1, ×2
            return f"{sym}{fm.wrap(a.value)}"
        return fm.wrap(a.value) + {"sub": "−", "div": "/", "pow": "^"}[r.fn] + "□"  # 1/□
    return sym


def _exponent(r: _OpRecord) -> float | None:
    return r.operands[1].value if r.fn == "pow" and r.operands[1].node is None else None


# ------------------------------------------------------ local derivative table
def _local_raw(r: _OpRecord, j: int) -> tuple:
    """∂(r)/∂(operand j): (symbolic, numeric, symbolic LaTeX, numeric LaTeX, value, note)."""
    ops_ = r.operands
    o = ops_[j]
    # NumPy scalars: 0 ** -0.5 or 1e200 ** 2 give inf (reported later), not a Python exception
    out = np.float64(r.tensor.data)
    x = np.float64(o.value)
    n, nl = o.node, fm.name_latex(o.node)
    me, mel = r.name, fm.name_latex(r.name)
    W, WL = fm.wrap(x), fm.wrap(x, True)
    note = ""

    def other(latex=False, numeric=False):
        q = ops_[1 - j]
        return _val(q, latex) if numeric else _sym(q, latex)

    match r.fn:
        case "add":
            return "1", "1", "1", "1", 1.0, note
        case "sub":
            s = "1" if j == 0 else "−1"
            return s, s, s.replace("−", "-"), s.replace("−", "-"), 1.0 if j == 0 else -1.0, note
        case "neg":
            return "−1", "−1", "-1", "-1", -1.0, note
        case "mul":
            q = ops_[1 - j]
            return (other(), fm.num(q.value), other(True), fm.num(q.value, True), q.value, note)
        case "div":
            a, b = ops_
            if j == 0:
                return (f"1/{_sym(b)}", f"1/{_val(b)}", f"\\frac{{1}}{{{_sym(b, True)}}}",
                        f"\\frac{{1}}{{{_val(b, True)}}}", 1.0 / np.float64(b.value), note)
            return (f"−{_sym(a)}/{_sym(b)}²", f"−{_val(a)}/{_val(b)}²",
                    f"-\\frac{{{_sym(a, True)}}}{{{_sym(b, True)}^{{2}}}}",
                    f"-\\frac{{{_val(a, True)}}}{{{_val(b, True)}^{{2}}}}",
                    -np.float64(a.value) / np.float64(b.value) ** 2, note)
        case "pow":
            a, b = ops_
            if j == 0:
                c = b.value
                cm1 = c - 1
                with np.errstate(all="ignore"):
                    value = float(c * np.float64(a.value) ** cm1) if c != 0 else 0.0
                csym = _sym(b)
                if b.node is None:  # constant exponent: 2q, 3q², 0.5q^(−0.5)
                    cs, cl = fm.wrap(c), fm.wrap(c, True)
                    if cm1 == 1:
                        return (f"{cs}{n}", f"{cs}·{W}", f"{cl}{nl}", f"{cl} \\cdot {WL}",
                                value, note)
                    if cm1 == 0:
                        return cs, cs, cl, cl, value, note
                    s = fm.sup(cm1)
                    ps = f"^({fm.num(cm1)})"
                    return (f"{cs}{n}{s or ps}", f"{cs}·{W}{s or ps}",
                            f"{cl}{nl}^{{{fm.num(cm1, True)}}}",
                            f"{cl} \\cdot {WL}^{{{fm.num(cm1, True)}}}", value, note)
                return (f"{csym}·{n}^({csym} − 1)", f"{_val(b)}·{W}^({_val(b)} − 1)",
                        f"{_sym(b, True)} \\cdot {nl}^{{{_sym(b, True)} - 1}}",
                        f"{_val(b, True)} \\cdot {WL}^{{{_val(b, True)} - 1}}", value, note)
            # d(a^b)/db = a^b ln a (0 where a = 0, as PyTorch)
            value = out * math.log(a.value) if a.value > 0 else 0.0
            return (f"{me}·ln {_sym(a)}", f"{fm.wrap(out)}·ln {_val(a)}",
                    f"{mel} \\ln {_sym(a, True)}", f"{fm.wrap(out, True)} \\ln {_val(a, True)}",
                    value, note)
        case "exp":
            return (f"exp({n})", f"exp({fm.num(x)})", f"e^{{{nl}}}", f"e^{{{fm.num(x, True)}}}",
                    out, note)
        case "log":
            return f"1/{n}", f"1/{W}", f"\\frac{{1}}{{{nl}}}", f"\\frac{{1}}{{{WL}}}", 1 / x, note
        case "sqrt":
            return (f"1/(2√{n})", f"1/(2√{W})", f"\\frac{{1}}{{2\\sqrt{{{nl}}}}}",
                    f"\\frac{{1}}{{2\\sqrt{{{WL}}}}}", 1 / (2 * out), note)
        case "abs":
            if x == 0:
                note = "|x| has no derivative at 0; nndl uses sign(0) = 0, as PyTorch"
            return (f"sign({n})", f"sign({fm.num(x)})", f"\\operatorname{{sign}}({nl})",
                    f"\\operatorname{{sign}}({fm.num(x, True)})", float(np.sign(x)), note)
        case "sin":
            return (f"cos({n})", f"cos({fm.num(x)})", f"\\cos({nl})", f"\\cos({fm.num(x, True)})",
                    math.cos(x), note)
        case "cos":
            return (f"−sin({n})", f"−sin({fm.num(x)})", f"-\\sin({nl})",
                    f"-\\sin({fm.num(x, True)})", -math.sin(x), note)
        case "tanh":
            o_s, o_l = fm.wrap(out), fm.wrap(out, True)
            return (f"1 − {me}²", f"1 − {o_s}²", f"1 - {mel}^{{2}}", f"1 - {o_l}^{{2}}",
                    1 - out * out, note)
        case "sigmoid":
            o_s, o_l = fm.wrap(out), fm.wrap(out, True)
            return (f"{me}(1 − {me})", f"{o_s}·(1 − {o_s})", f"{mel}(1 - {mel})",
                    f"{o_l} \\cdot (1 - {o_l})", out * (1 - out), note)
        case "relu":
            if x == 0:
                note = "relu has no derivative at 0; nndl uses relu'(0) = 0, as PyTorch"
            return (f"[{n} > 0]", f"[{fm.num(x)} > 0]", f"[{nl} > 0]", f"[{fm.num(x, True)} > 0]",
                    1.0 if x > 0 else 0.0, note)
        case "max" | "min":
            cmp = ">" if r.fn == "max" else "<"
            q = ops_[1 - j]
            if x == q.value:
                note = f"{r.fn} has no derivative at a tie; nndl splits it ½–½, as PyTorch"
                value = 0.5
            else:
                value = 1.0 if (x > q.value if r.fn == "max" else x < q.value) else 0.0
            s = f"[{_sym(o)} {cmp} {_sym(q)}]"
            v = f"[{_val(o)} {cmp} {_val(q)}]"
            sl = f"[{_sym(o, True)} {cmp} {_sym(q, True)}]"
            vl = f"[{_val(o, True)} {cmp} {_val(q, True)}]"
            if value == 0.5:
                v = vl = "1/2"
            return s, v, sl, vl, value, note
    raise AssertionError(r.fn)


def _local(r: _OpRecord, j: int) -> tuple[str, str, str, str, float, str]:
    with np.errstate(all="ignore"):
        *texts, value, note = _local_raw(r, j)
    return (*texts, float(value), note)


def _chain(head: str, *parts: str) -> str:
    """head part1 = part2 = …, skipping a part equal to the one before it (no "= 1 = 1")."""
    kept: list[str] = []
    for p in parts:
        if not kept or p != kept[-1]:
            kept.append(p)
    return f"{head} " + " = ".join(kept)


def _d(num_: str, den: str, latex: bool) -> str:
    if latex:
        return f"\\frac{{\\partial {fm.name_latex(num_)}}}{{\\partial {fm.name_latex(den)}}}"
    return f"∂{num_}/∂{den}"


def _factor(text: str) -> str:
    """Parenthesise a numeric local derivative that is not a single non-negative number."""
    plain = text.replace(".", "", 1).isdigit()
    return text if plain or (text.startswith("[") and text.endswith("]")) else f"({text})"


# ------------------------------------------------------------------- tracing
def _coerce_values(text: str, names: list[Var], values: Mapping[str, object]) -> dict[str, float]:
    known = {v.name for v in names}
    for key in values:
        if key not in known:
            have = brief(", ".join(v.name for v in names), 80) or "none"
            raise ExprValueError(
                f"a value was given for {brief(str(key))!r}, but the expression "
                f"{brief(text)!r} has no variable {brief(str(key))} (its variables: {have}) / "
                f"表达式中没有变量 {brief(str(key))}",
                hint="check the spelling, or remove that value")
    out: dict[str, float] = {}
    for v in names:
        if v.name not in values:
            example = brief(" ".join(f"{w.name}=1" for w in names), 80)
            raise ExprValueError(
                f"the variable {v.name!r} (character {v.start + 1}) has no value / 变量 {v.name} "
                "没有给出取值",
                hint=f"give every variable a value, e.g. {example}")
        out[v.name] = _to_float(v.name, values[v.name])
    return out


def _to_float(name: str, raw: object) -> float:
    if isinstance(raw, str):
        value = evaluate(raw, what=f"the value of {name}")
    else:
        try:
            value = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ExprValueError(f"the value of {name} is not a number: {brief(repr(raw))}",
                                 hint=f"write {name}=1.5") from None
    if not math.isfinite(value):
        raise ExprValueError(f"the value of {name} is {value}, not a finite number",
                             hint="give a finite real number")
    return value


def evaluate(text: str, what: str = "the expression") -> float:
    """Value of an expression without variables (e.g. a value typed as "-1/2" or "sqrt(2)")."""
    try:
        root = parse(text)
    except ExprError as exc:
        raise ExprValueError(f"{what}: {exc.message}", hint=exc.hint) from None
    names = variables(root)
    if names:
        raise ExprValueError(f"{what} must be a number, but {brief(text)!r} contains the variable "
                             f"{names[0].name!r}", hint="give a number such as 2, -0.5 or 1/3")
    return _Builder(text, root, {}).build(root).value


def trace(expression: str, values: Mapping[str, object] | None = None, /,
          **kwargs: object) -> GraphTrace:
    """Forward and backward pass of ``expression`` at the given values, through the engine.

    >>> t = trace("(x+y)^2*z", x=1, y=2, z=-6)
    >>> t.output, t.gradients
    (-54.0, {'x': -36.0, 'y': -36.0, 'z': 9.0})
    """
    root = parse(expression)
    names = variables(root)
    given = dict(values or {})
    given.update(kwargs)
    if not names:
        raise ExprValueError(
            f"the expression {brief(expression)!r} has no variables, so there is nothing to "
            "differentiate / 表达式中没有变量",
            hint='use variables, e.g. "(x+y)^2*z" x=1 y=2 z=-6')
    vals = _coerce_values(expression, names, given)
    b = _Builder(expression, root, vals)
    top = b.build(root)
    records = {id(r.tensor): r for r in b.records}
    root_t = top.tensor
    if root_t is None:
        raise NNDLError(f"internal: the expression {brief(expression)!r} built no output tensor; "
                        "please report this")
    out_id = top.node or ""

    # ---- backward through the engine, recording every chain-rule term
    edges: list[tuple[_OpRecord, int, Tensor, float]] = []

    def on_edge(node: Tensor, k: int, inp: Tensor, contribution: np.ndarray) -> None:
        edges.append((records[id(node)], k, inp, float(contribution)))

    with np.errstate(all="ignore"):  # an infinite gradient is reported below, naming the node
        run_backward(root_t, retain_graph=True, on_edge=on_edge)

    def ident(t: Tensor) -> str:
        return records[id(t)].name if id(t) in records else t.name

    order = [t for t in topological_order(root_t) if id(t) in records or t.name in b.leaves]
    grads = {ident(t): float(t.grad.data) for t in order}
    uses: dict[str, int] = {}
    for r in b.records:
        for o in r.operands:
            if o.node is not None:
                uses[o.node] = uses.get(o.node, 0) + 1

    steps = _backward_steps(out_id, edges, grads, uses, ident)
    for s in steps:
        if not math.isfinite(s.value):
            blame = f" at node {s.source} (∂{s.source}/∂{s.node} = {s.local_symbolic})" if (
                s.source) else ""
            raise ExprDomainError(
                f"the gradient ∂{out_id}/∂{s.node} is not finite ({s.value}){blame}: the "
                "derivative is undefined or infinite at these values",
                node=s.source or s.node,
                hint="choose values away from the singular point (e.g. sqrt or a power < 1 at 0)")

    nodes, forward = [], []
    for t in order:
        nid = ident(t)
        if id(t) not in records:
            nodes.append(GraphNode(nid, "input", nid, float(t.data), grads[nid], (),
                                   source=nid, span=_var_span(names, nid)))
            continue
        r = records[id(t)]
        exp_ = _exponent(r)
        sym = [_sym(o) for o in r.operands]
        syml = [_sym(o, True) for o in r.operands]
        vals_s = [_val(o) for o in r.operands]
        vals_l = [_val(o, True) for o in r.operands]
        formula = _formula(r.fn, sym, False, exp_)
        latex = _formula(r.fn, syml, True, exp_)
        value = float(t.data)
        nodes.append(GraphNode(nid, t.op, _label(r), value, grads[nid],
                               tuple(o.node for o in r.operands if o.node is not None),
                               formula, latex, expression[r.span[0]:r.span[1]], r.span))
        subst = _formula(r.fn, vals_s, False, exp_)
        subst_l = _formula(r.fn, vals_l, True, exp_)
        forward.append(ForwardStep(
            nid, value, f"{nid} = {formula} = {subst} = {fm.num(value)}",
            f"{fm.name_latex(nid)} = {latex} = {subst_l} = {fm.num(value, True)}"))
    gradients = {v.name: grads[v.name] for v in names}
    edge_list = tuple((ident(inp), r.name, r.slots[k], c) for r, k, inp, c in edges)
    return GraphTrace(expression, float(root_t.data), out_id, tuple(v.name for v in names), vals,
                      tuple(nodes), tuple(forward), tuple(steps), gradients, edge_list)


def _var_span(names: list[Var], name: str) -> tuple[int, int]:
    v = next(v for v in names if v.name == name)
    return (v.start, v.end)


def _backward_steps(out_id, edges, grads, uses, ident) -> list[BackwardStep]:
    steps = [BackwardStep("seed", out_id, 1.0, f"∂{out_id}/∂{out_id} = 1",
                          f"{_d(out_id, out_id, True)} = 1")]
    seen: dict[str, list[float]] = {}
    for r, k, inp, contribution in edges:
        target = ident(inp)
        j = r.slots[k]
        sym, numeric, sym_l, num_l, local, note = _local(r, j)
        upstream = grads[r.name]
        many = uses.get(target, 0) > 1
        eq = "+=" if many else "="
        eq_l = "\\mathrel{+}=" if many else "="
        head, head_l = f"∂{out_id}/∂{target}", _d(out_id, target, True)
        if r.name == out_id:  # straight from the output: ∂f/∂p = z = −6
            text = _chain(f"{head} {eq}", sym, numeric, fm.num(contribution))
            latex = _chain(f"{head_l} {eq_l}", sym_l, num_l, fm.num(contribution, True))
        else:
            chain = f"{_d(out_id, r.name, False)} · {_d(r.name, target, False)}"
            chain_l = f"{_d(out_id, r.name, True)} \\cdot {_d(r.name, target, True)}"
            text = (f"{head} {eq} {chain} = {fm.wrap(upstream)}·{_factor(numeric)} = "
                    f"{fm.num(contribution)}")
            latex = (f"{head_l} {eq_l} {chain_l} = {fm.wrap(upstream, True)} \\cdot "
                     f"{_factor(num_l)} = {fm.num(contribution, True)}")
        local_text = _chain(f"{_d(r.name, target, False)} =", sym, numeric, fm.num(local))
        local_latex = _chain(f"{_d(r.name, target, True)} =", sym_l, num_l, fm.num(local, True))
        steps.append(BackwardStep("edge", target, contribution, text, latex, r.name, upstream,
                                  local, sym, numeric, local_text, local_latex, many, (), note))
        if many:
            terms = seen.setdefault(target, [])
            terms.append(contribution)
            if len(terms) == uses[target]:
                total = grads[target]
                text = f"{head} = " + " + ".join(fm.wrap(t) for t in terms) + f" = {fm.num(total)}"
                latex = (f"{head_l} = " + " + ".join(fm.wrap(t, True) for t in terms)
                         + f" = {fm.num(total, True)}")
                steps.append(BackwardStep("sum", target, total, text, latex, terms=tuple(terms)))
    return steps
