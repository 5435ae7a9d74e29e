"""What a graph drawing shows, independent of the output format.

A :class:`Diagram` is built from a :class:`~nndl.expr.GraphTrace` (values above the
wires, gradients below, as the classic backprop figures) or from any engine tensor
(boxes with op, shape and short statistics). The SVG, PNG and DOT writers all draw
the same Diagram with the same layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nndl.engine.tensor import Tensor, topological_order
from nndl.expr import format as fm
from nndl.expr.graph import GraphTrace
from nndl.report import fmt_num
from nndl.text import Text

VALUE_COLOR = "#1a7f37"   # forward values: green
GRAD_COLOR = "#cf222e"    # gradients: red
INK = "#24292f"
MUTED = "#57606a"
INPUT_FILL = "#ddf4ff"
OP_FILL = "#ffffff"
CONST_FILL = "#f6f8fa"

_TEXT = {
    "title": Text("计算图", "Computational graph"),
    "value": Text("数值（前向传播）", "value (forward pass)"),
    "grad": Text("梯度 ∂{f}/∂·（反向传播）", "gradient ∂{f}/∂· (backward pass)"),
    "at": Text("其中", "at"),
    "tvalue": Text("数值", "value"),
    "tgrad": Text("梯度", "grad"),
    "tensor_title": Text("自动微分计算图", "Autograd graph"),
}


def text(key: str, lang: str, **kw) -> str:
    return _TEXT[key].format(**kw)(lang)


@dataclass
class Line:
    text: str
    role: str = "label"      # label, caption, value, grad, meta


@dataclass
class DNode:
    id: str
    shape: str               # circle, box
    lines: list[Line]
    caption: str = ""        # small name above the node (q, p, f)
    note: Line | None = None  # under the node (total gradient of a variable used twice)
    fill: str = OP_FILL
    is_input: bool = False


@dataclass
class DEdge:
    src: str
    dst: str
    top: str = ""            # above the wire (value)
    bottom: str = ""         # below the wire (gradient)


@dataclass
class Diagram:
    nodes: list[DNode]
    edges: list[DEdge]
    title: str = ""
    subtitle: str = ""
    legend: list[tuple[str, str]] = field(default_factory=list)   # (colour, text)
    output: DEdge | None = None   # the wire leaving the output node (src = output id)
    inputs_left: bool = True      # inputs in the first column (textbook) or next to their user


def from_trace(trace: GraphTrace, lang: str = "en") -> Diagram:
    """Values above each wire (green), the gradient flowing back along it below (red)."""
    out_edges: dict[str, int] = {}
    for src, _dst, _k, _c in trace.edges:
        out_edges[src] = out_edges.get(src, 0) + 1
    nodes = []
    for n in trace.nodes:
        if n.op == "input":
            note = None
            if out_edges.get(n.id, 0) > 1:  # several wires: each carries its own term
                note = Line(f"Σ = {fmt_num(n.grad)}", "grad")
            nodes.append(DNode(n.id, "box", [Line(n.id)], note=note, fill=INPUT_FILL,
                               is_input=True))
        else:
            nodes.append(DNode(n.id, "circle", [Line(n.label)], caption=n.id))
    value = {n.id: n.value for n in trace.nodes}
    # one wire per use, in node order and then in the order the node reads its inputs; its
    # numbers written as the answer tables write them (4 digits, ×10ⁿ: a round-off such as
    # 0.2·1.5 − 0.3 = 5.55e−17 reads 5.551×10⁻¹⁷, not a raw float)
    rank = {n.id: i for i, n in enumerate(trace.nodes)}
    edges = [DEdge(src, dst, fmt_num(value[src]), fmt_num(term))
             for src, dst, _k, term in sorted(trace.edges, key=lambda e: (rank[e[1]], e[2]))]
    out = trace.output_id
    assignments = ", ".join(f"{k} = {fm.num(v)}" for k, v in trace.values.items())
    return Diagram(
        nodes, edges,
        title=f"{out} = {trace.expression}" if out not in trace.variables else trace.expression,
        subtitle=f"{text('at', lang)} {assignments}",
        legend=[(VALUE_COLOR, text("value", lang)), (GRAD_COLOR, text("grad", lang, f=out))],
        output=DEdge(out, "", fmt_num(trace.output), "1"),
        inputs_left=False,
    )


def _stats(a: np.ndarray) -> str:
    if a.size == 1:
        return fm.num(float(a.reshape(())))
    a = a.astype(np.float64)

    def short(v: float) -> str:  # 3 significant digits keep the boxes narrow
        return f"{v:.3g}".replace("-", "−")

    return f"μ {short(a.mean())}, σ {short(a.std())}, [{short(a.min())}, {short(a.max())}]"


def from_tensor(root: Tensor, lang: str = "en") -> Diagram:
    """Every tensor ``root`` depends on: op (or name), shape, value and gradient statistics."""
    order = topological_order(root)
    ids = {id(t): f"t{i}" for i, t in enumerate(order)}
    nodes, edges = [], []
    for t in order:
        if t.op:
            head = t.op if not t.name else f"{t.name} = {t.op}"
            fill, is_input = OP_FILL, False
        else:
            head = t.name or ("leaf" if t.requires_grad else "const")
            fill, is_input = (INPUT_FILL if t.requires_grad else CONST_FILL), True
        lines = [Line(head)]
        shape = "scalar" if t.ndim == 0 else "×".join(map(str, t.shape))
        lines.append(Line(f"{shape} {t.dtype}", "meta"))
        if t.data.dtype.kind in "fciu" and t.data.size:
            lines.append(Line(f"{text('tvalue', lang)} {_stats(np.asarray(t.data))}", "value"))
        if t._grad is not None:
            lines.append(Line(f"{text('tgrad', lang)} {_stats(np.asarray(t._grad))}", "grad"))
        nodes.append(DNode(ids[id(t)], "box", lines, fill=fill, is_input=is_input))
        for inp in t.inputs:
            edges.append(DEdge(ids[id(inp)], ids[id(t)]))
    legend = [(VALUE_COLOR, text("tvalue", lang)), (GRAD_COLOR, text("tgrad", lang))]
    return Diagram(nodes, edges, title=text("tensor_title", lang), legend=legend,
                   inputs_left=False)
