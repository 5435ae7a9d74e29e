"""Shared pieces of exercises 5 and 6: a summary (the calculator, built from the same layer
classes that run) turned into tables, formulas and checks."""

from __future__ import annotations

import re

from nndl.solutions.model import Check, Math, Table, Text, fmt_int

_SUBSCRIPT_NAMES = re.compile(r"\b([WHDNK])(\d|_in|_out)\b")
# nn.Formula.text("zh")'s names of params / neurons / mult-adds, and its "(a table lookup)"
_ZH_NAMES = ("参数量", "神经元数", "乘加次数", "（查表）")


def formula_latex(plain: str) -> str:
    """'W2 = (W1 − F + 2P)/S + 1 = (227 − 11 + 2·0)/4 + 1 = 55' in LaTeX."""
    s = _SUBSCRIPT_NAMES.sub(lambda m: f"{m.group(1)}_{{{m.group(2).lstrip('_')}}}", plain)
    s = re.sub(r"(\d),(\d{3})", r"\1{,}\2", s)
    s = re.sub(r"(\d),(\d{3})", r"\1{,}\2", s)
    s = s.replace("·", r" \cdot ").replace("−", "-").replace("×", r" \times ")
    # the word names (English, or Chinese from Formula.text("zh")) stay upright words
    for word in ("mult-adds", "params", "neurons", *_ZH_NAMES):
        s = re.sub(rf"(?<![\w{{]){re.escape(word)}(?![\w}}])", lambda m: rf"\text{{{m.group(0)}}}", s)
    return s


def shape_textbook(shape: tuple[int, ...]) -> str:
    """(C, H, W) -> 'W×H×C' as the textbook writes it; (N,) -> 'N'."""
    if len(shape) == 3:
        c, h, w = shape
        return f"{w}×{h}×{c}"
    return "×".join(str(n) for n in shape)


def layer_table(summary) -> Table:
    rows = []
    for r in summary.layers:
        rows.append([r.name, r.type, shape_textbook(r.output_shape), fmt_int(r.neurons),
                     fmt_int(r.params), fmt_int(r.mult_adds)])
    rows.append([Text("合计", "total"), "", "", fmt_int(summary.total_neurons),
                 fmt_int(summary.total_params), fmt_int(summary.total_mult_adds)])
    # the sheet's W×H×D order; `nndl summary` also shows PyTorch's C×H×W
    return Table([Text("层", "layer"), Text("类型", "type"), Text("输出 W×H×D", "output W×H×D"),
                  Text("神经元数", "neurons"), Text("参数量", "params"), Text("乘加次数", "mult-adds")],
                 rows)


def layer_formulas(row) -> list[Math]:
    """A layer's formulas, their word names (params, neurons, mult-adds) in either language."""
    return [Math(formula_latex(f.text("en")), f.text("en"),
                 latex_zh=formula_latex(f.text("zh")), plain_zh=f.text("zh"))
            for f in row.formulas]


def verification_checks(summary, model, part: Text | None = None) -> list[Check]:
    """Analytic shapes vs a real forward pass; formula parameters vs the built model's tensors.
    ``part`` names the sub-question the network belongs to."""
    part = part or Text("", "")
    shapes_ok = summary.verified and all(
        r.verified_shape is None or tuple(r.verified_shape) == tuple(r.output_shape)
        for r in summary.layers)
    counted = sum(p.numel() for p in model.parameters())
    shapes = [f"{r.name} {shape_textbook(r.verified_shape or ())}"
              for r in summary.layers if r.verified_shape is not None]
    return [
        Check(Text(part.zh + "每层输出尺寸", part.en + "every layer's output shape"),
              Text("用引擎真实运行一次前向传播（全零输入，批大小 1）核对公式推算的尺寸",
                   "formula vs. a real forward pass through the engine (zeros, batch 1)"),
              shapes_ok, Text("、".join(shapes), ", ".join(shapes))),
        Check(Text(part.zh + "参数总量", part.en + "the total parameter count"),
              Text("数出实际构建的模型中参数张量的元素个数，核对公式推算",
                   "formula vs. the number of elements in the built model's parameter tensors"),
              counted == summary.total_params, f"{fmt_int(counted)} = {fmt_int(summary.total_params)}"),
    ]
