"""Checked decision boundaries: a line g(x) = w0 + w1·x1 + w2·x2 is right when it does what
the question asks (separates every point with its label), not when it equals nndl's."""

from __future__ import annotations

import math

from nndl.check.core import CORRECT, CheckItem
from nndl.check.values import AnswerError
from nndl.expr import ExprError, parse, to_sympy, variables
from nndl.text import Text

ANGLE_DEG = 5.0  # how far a BP direction may be from nndl's and still count


def read_line(text: str, key: str) -> tuple[float, float, float]:
    """'1 + 2x1 - x2', 'g(x) = 1 + 2·x1 − x2' -> (w0, w1, w2)."""
    import sympy as sp

    body = text.split("=", 1)[1] if "=" in text else text
    try:
        tree = parse(body.strip())
    except ExprError as exc:
        raise AnswerError(Text(f"{key}：", f"{key}: ") + exc.message_t, hint=exc.hint_t) from None
    names = {v.name for v in variables(tree)}
    if not names <= {"x1", "x2", "x_1", "x_2"}:
        others = ", ".join(sorted(names - {"x1", "x2", "x_1", "x_2"}))
        raise AnswerError(Text(f"{key}：分界线是 x1 和 x2 的式子，不能含 {others}",
                               f"{key}: a boundary is a formula in x1 and x2, not in {others}"),
                          hint=Text("例如写成 1 + 2x1 - x2", "write e.g. 1 + 2x1 - x2"))
    expr = sp.expand(to_sympy(tree))
    syms = {s.name.replace("_", ""): s for s in expr.free_symbols}
    x1, x2 = syms.get("x1", sp.Symbol("x1")), syms.get("x2", sp.Symbol("x2"))
    poly = sp.Poly(expr, x1, x2)
    if poly.total_degree() > 1:
        raise AnswerError(Text(f"{key}：{text!r} 不是一条直线", f"{key}: {text!r} is not a line"),
                          hint=Text("写成 w0 + w1·x1 + w2·x2", "write w0 + w1·x1 + w2·x2"))
    return (float(poly.coeff_monomial(1)), float(poly.coeff_monomial(x1)),
            float(poly.coeff_monomial(x2)))


def boundary_item(key: str, text: str, points, labels, nndl_line: str | None) -> CheckItem:
    w0, w1, w2 = read_line(text, key)
    margins = [y * (w0 + w1 * x[0] + w2 * x[1]) for x, y in zip(points, labels, strict=True)]
    wrong = [i + 1 for i, m in enumerate(margins) if not m > 0]
    expected = Text("任何把所有点分对的直线", "any line that separates every point")
    if wrong:
        names = "、".join(f"x{i}" for i in wrong)
        return CheckItem(key, text, expected, "wrong", [], Text(
            f"这条线没有把 {names} 分对（y·g(x) ≤ 0）。", "This line does not classify "
            + ", ".join(f"x{i}" for i in wrong) + " correctly (y·g(x) ≤ 0)."))
    if nndl_line is not None:  # BP: also the direction nndl's training reaches
        _, v1, v2 = read_line(nndl_line, key)
        angle = math.degrees(abs(math.atan2(w2, w1) - math.atan2(v2, v1)))
        if angle > ANGLE_DEG:
            return CheckItem(key, text, nndl_line, "wrong", [], Text(
                f"这条线能分开这些点，但 BP 得到的方向是 {nndl_line}，与它相差 {angle:.1f}°"
                f"（允许 {ANGLE_DEG:g}°）。",
                f"This line separates the points, but BP reaches the direction {nndl_line}, "
                f"{angle:.1f}° away (up to {ANGLE_DEG:g}° counts)."))
    return CheckItem(key, text, expected, "correct", feedback=CORRECT)
