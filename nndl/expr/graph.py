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
in :func:`_local_value`; the tests check that local × upstream equals the engine's term.

This module keeps numbers and node ids; :mod:`nndl.expr.text` writes every formula, label
and chain-rule line in plain text and LaTeX.
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
from nndl.expr import text as tx
from nndl.expr.errors import ExprDomainError, ExprError, ExprValueError, brief
from nndl.expr.parser import Node, Num, Op, Var, parse, variables
from nndl.text import Text

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
    note_zh: str = ""                    # the same in Chinese


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
        node_desc = (Text(f"节点 {name} = {self.where(n)}", f"node {name} = {self.where(n)}")
                     if name else Text(f"常数 {self.where(n)}", f"the constant {self.where(n)}"))
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
                Text(f"{node_desc.zh} 溢出：其值超出 float64 的范围（> 1.8e308）",
                     f"{node_desc.en} overflows: its value is too large for float64 (> 1.8e308)"),
                node=name or self.where(n), text=self.text, span=(n.start, n.end),
                hint=Text("换用较小的取值（exp 的自变量超过约 709 就会溢出）",
                          "use smaller input values (exp overflows above about 709)"))
        if name is None:  # constant sub-expression: folded into its user's label
            return _Operand(None, value)
        out.retain_grad()
        self.records.append(_OpRecord(name, n.fn, args, slots, (n.start, n.end), out))
        return _Operand(name, value, out)

    def _check_domain(self, n: Op, args: list[_Operand], node_desc: Text) -> None:
        name = self.names.get(id(n)) or self.where(n)

        def fail(what: Text, hint: Text):
            raise ExprDomainError(Text(f"在{node_desc.zh} 处{what.zh}", f"{what.en} at {node_desc.en}"),
                                  node=name, text=self.text, span=(n.start, n.end), hint=hint)

        v = [a.value for a in args]
        arg_text = [self.where(a) for a in n.args]
        if n.fn == "div" and v[1] == 0:
            fail(Text(f"除以零：分母 {arg_text[1]} = 0",
                      f"division by zero: the denominator {arg_text[1]} = 0"),
                 Text("换一组取值，使分母不为零", "choose values that make the denominator non-zero"))
        if n.fn == "log" and v[0] <= 0:
            fail(Text(f"对非正数取对数：{arg_text[0]} = {fm.num(v[0])}",
                      f"log of a non-positive number: {arg_text[0]} = {fm.num(v[0])}"),
                 Text("log 只对正数有定义（log(x) 要求 x > 0）",
                      "log is defined only for positive arguments (log(x) needs x > 0)"))
        if n.fn == "sqrt" and v[0] < 0:
            fail(Text(f"对负数开平方：{arg_text[0]} = {fm.num(v[0])}",
                      f"square root of a negative number: {arg_text[0]} = {fm.num(v[0])}"),
                 Text("sqrt 的自变量须 ≥ 0 才有实数值", "sqrt is real only for arguments ≥ 0"))
        if n.fn == "pow":
            if v[0] == 0 and v[1] < 0:
                fail(Text(f"除以零：0 的负数次幂 {fm.num(v[1])}",
                          f"division by zero: 0 raised to the negative power {fm.num(v[1])}"),
                     Text("指数为负时底数不能为零", "the base must be non-zero for a negative exponent"))
            if v[0] < 0 and not float(v[1]).is_integer():
                fail(Text(f"负底数 {fm.num(v[0])} 的非整数次幂 {fm.num(v[1])} 不是实数",
                          f"a negative base {fm.num(v[0])} to the non-integer power {fm.num(v[1])} "
                          "is not a real number"),
                     Text("换用正的底数或整数指数", "use a positive base or an integer exponent"))
            if v[0] < 0 and args[1].node is not None:
                fail(Text(f"底数 {arg_text[0]} = {fm.num(v[0])} 为负，而指数 {arg_text[1]} 是变量："
                          "∂/∂(指数) = a^b·ln a 不是实数",
                          f"the base {arg_text[0]} = {fm.num(v[0])} is negative while the exponent "
                          f"{arg_text[1]} is a variable: ∂/∂(exponent) = a^b·ln a is not real"),
                     Text("指数含变量时，底数须为正",
                          "use a positive base when the exponent depends on a variable"))


_ENGINE = {
    "add": ops.add, "sub": ops.sub, "mul": ops.mul, "div": ops.div, "pow": ops.pow,
    "neg": ops.neg, "exp": ops.exp, "log": ops.log, "sqrt": ops.sqrt, "abs": ops.abs,
    "sin": ops.sin, "cos": ops.cos, "tanh": ops.tanh, "sigmoid": ops.sigmoid, "relu": ops.relu,
    "max": ops.maximum, "min": ops.minimum,
}


# --------------------------------------------------------- formulas and labels
def _exponent(r: _OpRecord) -> float | None:
    return r.operands[1].value if r.fn == "pow" and r.operands[1].node is None else None


# ------------------------------------------------------ local derivative table
def _local_value(r: _OpRecord, j: int) -> float:
    """∂(r)/∂(operand j) at the forward values (the number; :func:`nndl.expr.text.local`
    writes it out)."""
    ops_ = r.operands
    # NumPy scalars: 0 ** -0.5 or 1e200 ** 2 give inf (reported later), not a Python exception
    out = np.float64(r.tensor.data)
    x = np.float64(ops_[j].value)
    match r.fn:
        case "add":
            return 1.0
        case "sub":
            return 1.0 if j == 0 else -1.0
        case "neg":
            return -1.0
        case "mul":
            return ops_[1 - j].value
        case "div":
            a, b = ops_
            if j == 0:
                return 1.0 / np.float64(b.value)
            return -np.float64(a.value) / np.float64(b.value) ** 2
        case "pow":
            a, b = ops_
            if j == 0:
                c = b.value
                return float(c * np.float64(a.value) ** (c - 1)) if c != 0 else 0.0
            # d(a^b)/db = a^b ln a (0 where a = 0, as PyTorch)
            return out * math.log(a.value) if a.value > 0 else 0.0
        case "exp":
            return out
        case "log":
            return 1 / x
        case "sqrt":
            return 1 / (2 * out)
        case "abs":
            return float(np.sign(x))  # sign(0) = 0, as PyTorch
        case "sin":
            return math.cos(x)
        case "cos":
            return -math.sin(x)
        case "tanh":
            return 1 - out * out
        case "sigmoid":
            return out * (1 - out)
        case "relu":
            return 1.0 if x > 0 else 0.0  # relu'(0) = 0, as PyTorch
        case "max" | "min":
            q = ops_[1 - j].value
            if x == q:  # a tie splits the gradient, as PyTorch
                return 0.5
            return 1.0 if (x > q if r.fn == "max" else x < q) else 0.0
    raise NNDLError(f"internal: no local derivative for the op {r.fn!r}; please report this")


def _local(r: _OpRecord, j: int) -> tuple[str, str, str, str, float, Text]:
    """The local derivative's four texts, its value and the convention at a kink."""
    with np.errstate(all="ignore"):
        value = float(_local_value(r, j))
    texts = tx.local(r.fn, r.operands, j, r.name, float(np.float64(r.tensor.data)))
    return (*texts, value, tx.kink_note(r.fn, r.operands, j))


# ------------------------------------------------------------------- tracing
def _coerce_values(text: str, names: list[Var], values: Mapping[str, object]) -> dict[str, float]:
    known = {v.name for v in names}
    for key in values:
        if key not in known:
            have = brief(", ".join(v.name for v in names), 80) or "none"
            have_zh = brief(", ".join(v.name for v in names), 80) or "无"
            raise ExprValueError(
                Text(f"给出了 {brief(str(key))!r} 的取值，但表达式 {brief(text)!r} 中没有变量 "
                     f"{brief(str(key))}（它的变量：{have_zh}）",
                     f"a value was given for {brief(str(key))!r}, but the expression "
                     f"{brief(text)!r} has no variable {brief(str(key))} (its variables: {have})"),
                hint=Text("检查拼写，或去掉这个取值", "check the spelling, or remove that value"))
    out: dict[str, float] = {}
    for v in names:
        if v.name not in values:
            example = brief(" ".join(f"{w.name}=1" for w in names), 80)
            raise ExprValueError(
                Text(f"变量 {v.name!r}（第 {v.start + 1} 个字符）没有给出取值",
                     f"the variable {v.name!r} (character {v.start + 1}) has no value"),
                hint=Text(f"给每个变量一个取值，例如 {example}",
                          f"give every variable a value, e.g. {example}"))
        out[v.name] = _to_float(v.name, values[v.name])
    return out


def _to_float(name: str, raw: object) -> float:
    if isinstance(raw, str):
        value = evaluate(raw, what=Text(f"{name} 的取值", f"the value of {name}"))
    else:
        try:
            value = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ExprValueError(Text(f"{name} 的取值不是数：{brief(repr(raw))}",
                                      f"the value of {name} is not a number: {brief(repr(raw))}"),
                                 hint=Text(f"写成 {name}=1.5 这样", f"write {name}=1.5")) from None
    if not math.isfinite(value):
        raise ExprValueError(Text(f"{name} 的取值是 {value}，不是有限的数",
                                  f"the value of {name} is {value}, not a finite number"),
                             hint=Text("给一个有限的实数", "give a finite real number"))
    return value


def evaluate(text: str, what: str | Text = "the expression") -> float:
    """Value of an expression without variables (e.g. a value typed as "-1/2" or "sqrt(2)")."""
    if not isinstance(what, Text):
        what = Text("表达式", what) if what == "the expression" else Text.same(what)
    w = what
    try:
        root = parse(text)
    except ExprError as exc:
        sep = Text("：", ": ")
        raise ExprValueError(w + sep + exc.message_t, hint=exc.hint_t) from None
    names = variables(root)
    if names:
        raise ExprValueError(
            Text(f"{w.zh}必须是数，但 {brief(text)!r} 含有变量 {names[0].name!r}",
                 f"{w.en} must be a number, but {brief(text)!r} contains the variable "
                 f"{names[0].name!r}"),
            hint=Text("给一个数，如 2、-0.5 或 1/3", "give a number such as 2, -0.5 or 1/3"))
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
            Text(f"表达式 {brief(expression)!r} 中没有变量，没有可求导的对象",
                 f"the expression {brief(expression)!r} has no variables, so there is nothing to "
                 "differentiate"),
            hint=Text('用变量写表达式，例如 "(x+y)^2*z" x=1 y=2 z=-6',
                      'use variables, e.g. "(x+y)^2*z" x=1 y=2 z=-6'))
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
            local = f"∂{s.source}/∂{s.node} = {s.local_symbolic}"
            blame = Text(f"（在节点 {s.source} 处，{local}）", f" at node {s.source} ({local})") if (
                s.source) else Text("", "")
            raise ExprDomainError(
                Text(f"梯度 ∂{out_id}/∂{s.node} 不是有限值（{s.value}）{blame.zh}：在这组取值下"
                     "导数无定义或为无穷大",
                     f"the gradient ∂{out_id}/∂{s.node} is not finite ({s.value}){blame.en}: the "
                     "derivative is undefined or infinite at these values"),
                node=s.source or s.node,
                hint=Text("换一组远离奇点的取值（例如 sqrt 或次数小于 1 的幂在 0 处）",
                          "choose values away from the singular point (e.g. sqrt or a power < 1 "
                          "at 0)"))

    nodes, forward = [], []
    for t in order:
        nid = ident(t)
        if id(t) not in records:
            nodes.append(GraphNode(nid, "input", nid, float(t.data), grads[nid], (),
                                   source=nid, span=_var_span(names, nid)))
            continue
        r = records[id(t)]
        value = float(t.data)
        formula, latex, line, line_latex = tx.forward(nid, r.fn, r.operands, _exponent(r), value)
        nodes.append(GraphNode(nid, t.op, tx.label(r.fn, r.operands), value, grads[nid],
                               tuple(o.node for o in r.operands if o.node is not None),
                               formula, latex, expression[r.span[0]:r.span[1]], r.span))
        forward.append(ForwardStep(nid, value, line, line_latex))
    gradients = {v.name: grads[v.name] for v in names}
    edge_list = tuple((ident(inp), r.name, r.slots[k], c) for r, k, inp, c in edges)
    return GraphTrace(expression, float(root_t.data), out_id, tuple(v.name for v in names), vals,
                      tuple(nodes), tuple(forward), tuple(steps), gradients, edge_list)


def _var_span(names: list[Var], name: str) -> tuple[int, int]:
    v = next(v for v in names if v.name == name)
    return (v.start, v.end)


def _backward_steps(out_id, edges, grads, uses, ident) -> list[BackwardStep]:
    steps = [BackwardStep("seed", out_id, 1.0, *tx.seed(out_id))]
    seen: dict[str, list[float]] = {}
    for r, k, inp, contribution in edges:
        target = ident(inp)
        *texts, local, note = _local(r, r.slots[k])
        upstream = grads[r.name]
        many = uses.get(target, 0) > 1
        text, latex, local_text, local_latex = tx.edge(out_id, r.name, target, tuple(texts),
                                                       upstream, local, contribution, many)
        steps.append(BackwardStep("edge", target, contribution, text, latex, r.name, upstream,
                                  local, texts[0], texts[1], local_text, local_latex, many, (),
                                  note.en, note.zh))
        if many:
            terms = seen.setdefault(target, [])
            terms.append(contribution)
            if len(terms) == uses[target]:
                total = grads[target]
                steps.append(BackwardStep("sum", target, total,
                                          *tx.total(out_id, target, terms, total),
                                          terms=tuple(terms)))
    return steps
