"""Exercise 4: the computational graph of (x+y)²z with forward values and backward gradients
(the sheet's answer is empty: its figure was lost)."""

from __future__ import annotations

import sympy

from nndl.expr import to_sympy, trace
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
    problems,
)
from nndl.viz import graph_svg


def build(full: bool = False) -> Solution:
    title, statement = problem_text(4)
    spec = problems()[4]
    expression, values = spec["expression"], spec["values"]
    t = trace(expression, values)
    at = ", ".join(f"{k} = {fmt_num(v)}" for k, v in values.items())

    intermediates = [n for n in t.nodes if n.op != "input"]
    graph = Section(Text("计算图", "The computational graph"), [
        Paragraph(Text(
            "每个输入和每个运算各是一个节点：" + "，".join(f"${n.id} = {n.latex}$" for n in intermediates) + "。"
            "边上方（绿色）是前向传播的数值，下方（红色）是反向传播的梯度 ∂f/∂(节点)。",
            "One node per input and per operation: " + ", ".join(f"${n.id} = {n.latex}$" for n in intermediates)
            + ". Above each edge (green) the forward value, below it (red) the gradient ∂f/∂(node).")),
        Figure("ex4_graph", graph_svg(t, lang="zh"), Text(f"(x+y)²z 的计算图，{at}",
                                                       f"computational graph of (x+y)²z at {at}"),
               svg_en=graph_svg(t, lang="en")),
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
    checks = [
        Check(Text("前向值 f", "the value f"), Text("与 SymPy 代入求值比较", "against SymPy's exact evaluation"),
              abs(sym_value - t.output) < 1e-12, f"SymPy: {fmt_num(sym_value)}"),
        Check(Text("梯度 ∂f/∂x, ∂f/∂y, ∂f/∂z", "the gradients ∂f/∂x, ∂f/∂y, ∂f/∂z"),
              Text("与 SymPy 符号求导、中心差分比较", "against SymPy's symbolic derivatives and central differences"),
              err_sym < 1e-12 and err_fd < 1e-5,
              f"max |Δ| = {err_sym:.1e} (SymPy), {err_fd:.1e} (finite diff.)"),
    ]
    symbolic = Section(Text("解析验证", "Analytic cross-check"), [
        Math(r"\frac{\partial f}{\partial x} = " + sympy.latex(sympy.diff(expr, symbols["x"]))
             + r",\quad \frac{\partial f}{\partial y} = " + sympy.latex(sympy.diff(expr, symbols["y"]))
             + r",\quad \frac{\partial f}{\partial z} = " + sympy.latex(sympy.diff(expr, symbols["z"]))),
    ])
    answers = [Answer("f", Text("前向输出 f", "output f"), t.output, fmt_num(t.output))]
    for n in intermediates[:-1]:
        answers.append(Answer(n.id, Text(f"中间节点 {n.id} = {n.formula}", f"intermediate {n.id} = {n.formula}"),
                              n.value, fmt_num(n.value)))
    for k in values:
        answers.append(Answer(f"df/d{k}", Text(f"∂f/∂{k}", f"∂f/∂{k}"), t.gradients[k], fmt_num(t.gradients[k])))
    for n in intermediates[:-1]:
        answers.append(Answer(f"df/d{n.id}", Text(f"∂f/∂{n.id}", f"∂f/∂{n.id}"), n.grad, fmt_num(n.grad)))
    errata = [Erratum(Text("原答案此题为空（图已丢失），以上为完整解答。",
                           "The sheet's answer to this exercise is empty (its figure was lost); the above fills it."))]
    return Solution(4, title, statement, [graph, forward, backward, table, symbolic], answers, checks, errata)
