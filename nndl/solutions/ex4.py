"""Exercise 4: the computational graph of an expression (the sheet: (x+y)²z at x = 1, y = 2,
z = −6) with forward values and backward gradients (the sheet's answer is empty: its figure
was lost)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Self

import sympy

from nndl.expr import ExprError, parse, to_sympy, trace, variables
from nndl.solutions import params as P
from nndl.solutions.model import (
    Answer,
    Check,
    Erratum,
    Figure,
    Math,
    Paragraph,
    Section,
    Solution,
    Table,
    Text,
    fmt_num,
    problem_text,
)
from nndl.viz import graph_svg

_VALUE = P.number(-1e6, 1e6)


@dataclass(frozen=True)
class Params(P.ExerciseParams):
    """The expression ``expr`` and each variable's value, given on the command line under
    the variable's own name (``nndl solve 4 "expr=x*y+x" x=2 y=3``).

    Answer keys: ``f``; each intermediate node's name (q, p, …, as the trace names them);
    ``df/dVAR`` for each variable and ``df/dNODE`` for each intermediate node. Which keys
    exist therefore depends on the expression."""

    number = 4
    expr: str = P.param(
        "(x+y)^2*z", kind=Text("表达式", "expression"),
        allowed=Text("+ − * / ^、exp、log、sqrt、sigmoid、relu… ", "+ − * / ^, exp, log, sqrt, sigmoid, relu, …"),
        help=Text("要画计算图的函数 f", "the function f whose graph is drawn"), parse=P.text_value)
    values: tuple[tuple[str, float], ...] = P.param(
        (("x", 1.0), ("y", 2.0), ("z", -6.0)), kind=Text("数", "number"),
        allowed=Text("每个变量一个，−10⁶ 至 10⁶", "one per variable, −10⁶ to 10⁶"),
        help=Text("写作 变量名=值，如 x=1 y=2", "written as NAME=VALUE, e.g. x=1 y=2"),
        parse=P.text_value)

    @classmethod
    def info(cls) -> list[P.ParamInfo]:
        expr_info, values_info = super().info()
        default = ", ".join(f"{k}={P.show(v)}" for k, v in cls().values)
        return [expr_info, P.ParamInfo("NAME", values_info.kind, default, values_info.allowed,
                                       values_info.help)]

    @classmethod
    def from_strings(cls, pairs: dict[str, str]) -> Self:
        expr = P.text_value("expr", pairs["expr"]) if "expr" in pairs else cls().expr
        given = {k: v for k, v in pairs.items() if k != "expr"}
        if "expr" in pairs or given:
            names = cls._names(expr)
            if "expr" not in pairs:  # only values: the sheet's expression with new numbers
                given = dict({k: P.show(v) for k, v in cls().values}, **given)
            values = tuple((k, _VALUE(k, given[k])) for k in names if k in given)
            made = cls(expr, values)
            extra = [k for k in given if k not in names]
            if extra:
                raise P.ParamError(Text(f"表达式 {expr} 中没有变量 '{extra[0]}'",
                                        f"the expression {expr} has no variable '{extra[0]}'"),
                                   hint=Text("它的变量是 ", "its variables are ") + ", ".join(names))
        else:
            made = cls()
        made.validate()
        return made

    @staticmethod
    def _names(expr: str) -> list[str]:
        try:
            return [v.name for v in variables(parse(expr))]
        except ExprError as exc:
            raise P.ParamError(Text("expr：", "expr: ") + exc.message_t, hint=exc.hint_t) from None

    def validate(self) -> None:
        names = self._names(self.expr)
        if not names:
            raise P.ParamError(Text(f"expr={self.expr} 中没有可以求导的变量",
                                    f"expr={self.expr} has no variable to differentiate by"),
                               hint=Text("用上变量，例如 expr=(x+y)^2*z", "use variables, e.g. expr=(x+y)^2*z"))
        given = dict(self.values)
        missing = [k for k in names if k not in given]
        if missing:
            values = " ".join(f"{k}=1" for k in missing)
            raise P.ParamError(Text(f"expr={self.expr} 的变量 {missing[0]} 没有给值",
                                    f"no value for the variable {missing[0]} of expr={self.expr}"),
                               hint=Text(f"给每个变量一个值：{values}", f"give every variable a value: {values}"))
        for k, v in given.items():
            if not math.isfinite(v):
                raise P.ParamError(Text(f"{k}={v} 不是有限的数", f"{k}={v} is not a finite number"),
                                   hint=Text(f"例如写成 {k}=1", f"write e.g. {k}=1"))
        try:  # log(0), x/0, sqrt(−1) name their node now, before anything is drawn
            trace(self.expr, given)
        except ExprError as exc:
            raise P.ParamError(Text(f"expr 在 {self._at()} 处：", f"expr at {self._at()}: ") + exc.message_t,
                               hint=exc.hint_t) from None

    def _at(self) -> str:
        return ", ".join(f"{k}={P.show(v)}" for k, v in self.values)

    def to_json(self) -> dict[str, Any]:
        return {"expr": self.expr, **dict(self.values)}


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _pretty(expr: str) -> str:
    """'(x+y)^2*z' -> '(x+y)²z': the expression as a caption writes it."""
    s = re.sub(r"(\^|\*\*)(\d+)", lambda m: m.group(2).translate(_SUPERSCRIPTS), expr.replace(" ", ""))
    s = re.sub(r"(?<=[)²³⁴⁵⁶⁷⁸⁹⁰¹])\*(?=[A-Za-z(])", "", s)
    return s.replace("*", "·")


def statement(p: Params) -> Text:
    if p.is_sheet():
        return problem_text(4)[1]
    shown = _pretty(p.expr)
    at = ", ".join(f"{k}={fmt_num(v)}" for k, v in p.values)
    return Text(f"画出 {shown} 的计算图，当 {at} 时，写出前向传播的数值和反向传播的梯度值。",
                f"Draw the computational graph of {shown} and, at {at}, write down the values of "
                "the forward pass and the gradients of the backward pass.")


def build(params: Params, full: bool = False) -> Solution:
    title = problem_text(4)[0]
    expression, values = params.expr, dict(params.values)
    t = trace(expression, values)
    shown = _pretty(expression)
    at = ", ".join(f"{k} = {fmt_num(v)}" for k, v in values.items())

    intermediates = [n for n in t.nodes if n.op != "input"]
    graph = Section(Text("计算图", "The computational graph"), [
        Paragraph(Text(
            "每个输入和每个运算各是一个节点：" + "，".join(f"${n.id} = {n.latex}$" for n in intermediates) + "。"
            "边上方（绿色）是前向传播的数值，下方（红色）是反向传播的梯度 ∂f/∂(节点)。",
            "One node per input and per operation: " + ", ".join(f"${n.id} = {n.latex}$" for n in intermediates)
            + ". Above each edge (green) the forward value, below it (red) the gradient ∂f/∂(node).")),
        Figure("ex4_graph", lambda lang: graph_svg(t, lang=lang), Text(f"{shown} 的计算图，{at}",
                                                       f"computational graph of {shown} at {at}"),
               bilingual=True),
    ])
    forward = Section(Text("前向传播", "Forward pass"),
                      [Paragraph(Text(f"代入 {at}，按拓扑顺序逐个计算：",
                                      f"With {at}, evaluate the nodes in topological order:"))]
                      + [Math(s.latex, s.text) for s in t.forward])
    backward = Section(Text("反向传播（链式法则）", "Backward pass (chain rule)"),
                       [Paragraph(Text("从输出开始，∂f/∂f = 1，每一步把上游梯度乘以局部导数：",
                                       "Start from ∂f/∂f = 1; each step multiplies the upstream "
                                       "gradient by the local derivative:"))]
                       + [Math(s.latex, s.text) for s in t.steps])
    table = Section(Text("所有节点一览", "Every node"), [Table(
        [Text("节点", "node"), Text("运算", "operation"), Text("前向值", "value"),
         Text("梯度 ∂f/∂节点", "gradient ∂f/∂node")],
        [[n.id, n.formula or Text("输入", "input"), fmt_num(n.value), fmt_num(n.grad)] for n in t.nodes],
    )])

    # two independent checks: SymPy's symbolic derivatives and central finite differences
    expr = to_sympy(expression)
    symbols = {s.name: s for s in expr.free_symbols}
    subs = {symbols[k]: v for k, v in values.items()}
    sym_value = float(expr.subs(subs))
    sym_grads = {k: float(sympy.diff(expr, symbols[k]).subs(subs)) for k in values}
    h = 1e-6
    fd = {}
    for k in values:
        up = dict(values, **{k: values[k] + h})
        down = dict(values, **{k: values[k] - h})
        fd[k] = (trace(expression, up).output - trace(expression, down).output) / (2 * h)
    err_sym = max(abs(sym_grads[k] - t.gradients[k]) for k in values)
    err_fd = max(abs(fd[k] - t.gradients[k]) for k in values)
    partials = [f"∂f/∂{k}" for k in values]
    checks = [
        Check(Text("前向值 f", "the value f"), Text("与 SymPy 代入求值比较", "against SymPy's exact evaluation"),
              abs(sym_value - t.output) < 1e-12, Text(f"SymPy 算得 {fmt_num(sym_value)}", f"SymPy: {fmt_num(sym_value)}")),
        Check(Text("梯度 " + "、".join(partials), "the gradients " + ", ".join(partials)),
              Text("与 SymPy 符号求导、中心差分比较", "against SymPy's symbolic derivatives and central differences"),
              err_sym < 1e-12 and err_fd < 1e-5,
              Text(f"max |Δ| = {err_sym:.1e}（SymPy）、{err_fd:.1e}（中心差分）",
                   f"max |Δ| = {err_sym:.1e} (SymPy), {err_fd:.1e} (finite diff.)")),
    ]
    symbolic = Section(Text("解析验证", "Analytic cross-check"), [
        Math(r",\quad ".join(rf"\frac{{\partial f}}{{\partial {sympy.latex(symbols[k])}}} = "
                              + sympy.latex(sympy.diff(expr, symbols[k])) for k in values)),
    ])
    answers = [Answer("f", Text("前向输出 f", "output f"), t.output, fmt_num(t.output))]
    for n in intermediates[:-1]:
        answers.append(Answer(n.id, Text(f"中间节点 {n.id} = {n.formula}", f"intermediate {n.id} = {n.formula}"),
                              n.value, fmt_num(n.value)))
    for k in values:
        answers.append(Answer(f"df/d{k}", Text(f"∂f/∂{k}", f"∂f/∂{k}"), t.gradients[k], fmt_num(t.gradients[k])))
    for n in intermediates[:-1]:
        answers.append(Answer(f"df/d{n.id}", Text(f"∂f/∂{n.id}", f"∂f/∂{n.id}"), n.grad, fmt_num(n.grad)))
    errata = [] if not params.is_sheet() else [Erratum(Text(
        "原答案此题为空（图已丢失），以上为完整解答。",
        "The sheet's answer to this exercise is empty (its figure was lost); the above fills it."))]
    return Solution(4, title, statement(params), [graph, forward, backward, table, symbolic], answers, checks, errata)
