"""Exercise 2: the perceptron (PLA) vs. one sigmoid neuron trained by BP on D, then with the
outlier x4 = (0, −t) added for growing t."""

from __future__ import annotations

import math

import numpy as np

from nndl import _kernels
from nndl.classic import outlier_experiment
from nndl.classic.plots import plot_outlier
from nndl.classic.render import summary_lines, verdict
from nndl.plotting import figure_bytes
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

TS = (1, 10, 100, 1e3, 1e6, 1e9)


def _both(fn) -> Text:
    """A Text from a renderer that takes ``lang``."""
    return Text(fn("zh"), fn("en"))


def _seed_formula_grad(coef, x, y) -> float:
    """‖∂ℓ/∂w‖ by the sheet's closed form 2(θ(s) − 1)θ(s)(1 − θ(s))·y·x, s = y·wᵀx."""
    s = y * float(np.dot(coef, x))
    th = float(_kernels.sigmoid(np.float64(s)))
    return float(np.linalg.norm(2 * (th - 1) * th * (1 - th) * y * np.asarray(x, dtype=np.float64)))


def build(full: bool = False) -> Solution:
    title, statement = problem_text(2)
    res = outlier_experiment(TS, epochs=1000 if full else 300)
    last = res.rows[-1]
    t_max = last.t

    setup = Section(Text("在 D 上训练", "Training on D"), [
        Paragraph(_both(lambda lang: " ".join(summary_lines(res, lang)))),
        Table([Text("轮次", "epoch"), Text("‖w‖", "‖w‖"), Text("与最大间隔方向的夹角", "angle to the max-margin direction")],
              [[str(e), fmt_num(n, 4), f"{fmt_num(a, 3)}°"]
               for e, n, a in zip(res.direction.epochs, res.direction.norms, res.direction.angles_deg, strict=True)],
              caption=Text("BP（题中损失）在 D 上：‖w‖ 无界增长，方向趋于 x1 + x2",
                           "BP (the sheet's loss) on D: ‖w‖ grows without bound, the direction tends to x1 + x2")),
    ])

    rows = []
    for r in res.rows:
        rows.append([
            fmt_num(r.t), r.pla_scaled.equation,
            Text("是", "yes") if r.pla_scaled.separates else Text("否", "no"),
            r.bp.equation, f"{fmt_num(r.bp.angle_deg, 3)}°", f"{r.bp.x4_grad_first:.2e}",
            Text("对", "right") if r.bp.x4_correct else Text("错", "wrong"),
            f"{fmt_num(r.ce.angle_deg, 3)}°", f"{r.ce.x4_grad_first:.2e}",
        ])
    sweep = Section(Text("加入 x4 = (0, −t)，t 逐渐增大", "Adding x4 = (0, −t) for growing t"), [
        Paragraph(Text(
            f"带偏置时四个样本线性可分（{'是' if all(r.separable_with_bias for r in res.rows) else '否'}）；"
            f"不带偏置（过原点的直线，如 g_BP = x1 + x2）时{'不' if not any(r.separable_without_bias for r in res.rows) else ''}可分："
            "x1 = (0,1) 与 x4 = (0,−t) 都是正类，却位于原点两侧。",
            f"With a bias the four samples are linearly separable ({'yes' if all(r.separable_with_bias for r in res.rows) else 'no'}); "
            f"without one (a line through the origin, like g_BP = x1 + x2) they are "
            f"{'not ' if not any(r.separable_without_bias for r in res.rows) else ''}separable: x1 = (0,1) and "
            "x4 = (0,−t) are both positive but lie on opposite sides of the origin.")),
        Table([Text("t", "t"), Text("PLA（特征缩放）", "PLA (scaled features)"), Text("PLA 全对", "PLA all right"),
               Text("BP 续训（题中损失）", "BP continued (sheet's loss)"), Text("分类面转角", "turn"),
               Text("x4 梯度（初）", "x4 gradient (first)"), Text("x4", "x4"),
               Text("交叉熵：转角", "cross-entropy: turn"), Text("交叉熵：x4 梯度", "cross-entropy: x4 gradient")],
              rows),
        *[Paragraph(Text(f"t = {fmt_num(r.t)}：" + " ".join(verdict(r, res, "zh")),
                         f"t = {fmt_num(r.t)}: " + " ".join(verdict(r, res, "en")))) for r in res.rows],
        Figure("ex2_outlier", figure_bytes(plot_outlier(res, t=t_max), "svg").decode("utf-8"),
               Text(f"PLA 与 BP 的分类面，加入 x4 前后（t = {fmt_num(t_max)}，x4 画在边缘）",
                    f"PLA's and BP's boundaries before and after adding x4 (t = {fmt_num(t_max)}; x4 drawn at the edge)")),
    ])

    # the sheet's gradient, in closed form, at BP's final w for x4 — vs the engine's number,
    # at the largest t where it has not underflowed to exactly 0
    probe = next((r for r in reversed(res.rows) if (r.bp.x4_grad_last or 0.0) > 0.0), last)
    probe_grad = _seed_formula_grad(np.asarray(probe.bp.coef), probe.x4, 1.0)
    w_bp = np.asarray(last.bp.coef)
    seed_grad = _seed_formula_grad(w_bp, last.x4, 1.0)
    s4 = float(np.dot(w_bp, last.x4))
    why = Section(Text("为什么 x4 对 BP 几乎没有影响", "Why x4 barely affects BP"), [
        Paragraph(Text("题中损失及其梯度（s = y·wᵀx）：", "The sheet's loss and its gradient (s = y·wᵀx):")),
        Math(r"\ell(\mathbf{w}) = (\theta(y\,\mathbf{w}^T\mathbf{x}) - 1)^2,\qquad "
             r"\frac{\partial \ell}{\partial \mathbf{w}} = 2(\theta(s) - 1)\,\theta(s)(1 - \theta(s))\,y\,\mathbf{x}"),
        Paragraph(Text(
            f"t = {fmt_num(t_max)} 时，BP 的 w = ({', '.join(fmt_num(c, 4) for c in w_bp)})，对 x4 有 "
            f"s = {fmt_num(s4, 4)}，θ(s)(1 − θ(s)) 下溢为 {fmt_num(float(_kernels.sigmoid(np.float64(s4)) * (1 - _kernels.sigmoid(np.float64(s4)))), 3)}，"
            f"所以 x4 的梯度为 {seed_grad:.3g}：样本 x4 对权重更新没有贡献。",
            f"At t = {fmt_num(t_max)}, BP's w = ({', '.join(fmt_num(c, 4) for c in w_bp)}) gives s = {fmt_num(s4, 4)} "
            f"for x4, θ(s)(1 − θ(s)) = {fmt_num(float(_kernels.sigmoid(np.float64(s4)) * (1 - _kernels.sigmoid(np.float64(s4)))), 3)}, "
            f"so x4's gradient is {seed_grad:.3g}: x4 contributes nothing to the update.")),
        Paragraph(Text(
            "对比交叉熵损失 log(1 + e^(−s))：梯度为 −(1 − θ(s))·y·x，s → −∞ 时 (1 − θ(s)) → 1，梯度随 t 增长而不消失，"
            f"所以 x4 会明显转动分类面（t = {fmt_num(t_max)} 时转动 {fmt_num(last.ce.angle_deg, 3)}°）。",
            "Compare the cross-entropy loss log(1 + e^(−s)): its gradient −(1 − θ(s))·y·x tends to −y·x as "
            "s → −∞, so it grows with t instead of vanishing, and x4 does turn the boundary "
            f"({fmt_num(last.ce.angle_deg, 3)}° at t = {fmt_num(t_max)}).")),
    ])

    sheet_pla_x4 = [c for c in res.sheet if c.name.startswith("g_PLA'")]
    sheet_pla_D = [c for c in res.sheet if c.name.startswith("g_PLA ") and c.set_name == "D"]
    sheet_bp = [c for c in res.sheet if c.name.startswith("g_BP")]
    checks = [
        Check(Text("PLA 在 D ∪ {x4} 上对每个 t 都分对全部样本", "PLA classifies D ∪ {x4} correctly for every t"),
              Text("训练后逐个样本检查 y·g(x) > 0", "each sample's y·g(x) > 0 after training"),
              all(r.pla_scaled.separates for r in res.rows),
              ", ".join(f"t={fmt_num(r.t)}: {r.pla_scaled.n_updates} upd." for r in res.rows)),
        Check(Text("原答案的分类面 1.6 + 2x1 − x2 与 1 + 10x1 + 10x2", "the sheet's boundaries 1.6 + 2x1 − x2 and 1 + 10x1 + 10x2"),
              Text("在各自声称的数据集上逐个样本检查", "checked sample by sample on the sets they are claimed for"),
              all(c.separates for c in sheet_pla_x4 + sheet_pla_D),
              f"{len(sheet_pla_x4) + len(sheet_pla_D)} sets"),
        Check(Text(f"x4 的梯度（t = {fmt_num(probe.t)}）", f"x4's gradient (t = {fmt_num(probe.t)})"),
              Text("引擎自动微分 vs. 原题的闭式梯度公式", "the engine's autodiff vs. the sheet's closed-form gradient"),
              math.isclose(probe_grad, probe.bp.x4_grad_last or 0.0, rel_tol=1e-6, abs_tol=1e-300),
              f"{probe.bp.x4_grad_last:.3g} vs {probe_grad:.3g}"),
        Check(Text("BP 在 t ≥ 10 时分类面基本不变", "BP's boundary barely moves for t ≥ 10"),
              Text("与不加 x4 的同样续训比较夹角", "angle to the same continuation without x4"),
              all(r.bp.angle_deg < 1.0 for r in res.rows if r.t >= 10),
              ", ".join(f"{fmt_num(r.bp.angle_deg, 3)}°" for r in res.rows if r.t >= 10)),
    ]

    answers = [
        Answer("pla_separates_all", Text("（1）PLA 能否把四个样本全部分对", "(1) can PLA classify all four correctly"),
               all(r.pla_scaled.separates for r in res.rows),
               (Text("能", "yes") if all(r.pla_scaled.separates for r in res.rows) else Text("不能", "no"))),
        Answer("pla_boundary_t_max", Text(f"（1）PLA 的一个解（t = {fmt_num(t_max)}）", f"(1) one PLA solution (t = {fmt_num(t_max)})"),
               last.pla_scaled.equation, last.pla_scaled.equation),
        Answer("bp_boundary_D", Text("BP 在 D 上的分类面", "BP's boundary on D"), res.bp_D.equation, res.bp_D.equation),
        Answer("bp_turn_deg_t_max", Text(f"（2）加入 x4 后 BP 分类面转角（t = {fmt_num(t_max)}）",
                                         f"(2) BP's turn after adding x4 (t = {fmt_num(t_max)})"),
               last.bp.angle_deg, f"{fmt_num(last.bp.angle_deg, 3)}°"),
        Answer("x4_gradient_t_max", Text(f"（2）x4 的梯度（t = {fmt_num(t_max)}）", f"(2) x4's gradient (t = {fmt_num(t_max)})"),
               last.bp.x4_grad_first, f"{last.bp.x4_grad_first:.3g}"),
        Answer("bp_classifies_x4", Text("（2）BP 的分类面是否分对 x4", "(2) does BP's boundary classify x4"),
               bool(last.bp.x4_correct), Text("是", "yes") if last.bp.x4_correct else Text("否", "no")),
    ]

    errata = [
        Erratum(Text(
            f"PLA 的分类面不唯一：原答案的 1 + 10x1 + 10x2 是随机初始化的一次结果；从 w = 0 按顺序训练得到 {res.pla_D.equation}。"
            "同样 1.6 + 2x1 − x2 只是加入 x4 后的一个可能解。",
            f"PLA's boundary is one of many: the sheet's 1 + 10x1 + 10x2 comes from one random start; from w = 0 in "
            f"cyclic order PLA finds {res.pla_D.equation}. Likewise 1.6 + 2x1 − x2 is one possible result after adding x4.")),
        Erratum(Text(
            "原答案称感知器算法得到“最优分类面”：PLA 只保证找到一个能分开样本的分类面，并不是间隔最大的（最优）分类面。",
            "The sheet says PLA finds the \"optimal\" boundary; PLA only guarantees some separating boundary, not the "
            "maximum-margin one.")),
    ]
    if not any(c.separates for c in sheet_bp if c.set_name != "D"):
        errata.append(Erratum(Text(
            "原答案第（2）问说 BP 的结果与 x1 + x2 基本一致，这在从 D 的结果继续训练时成立，但没有指出：x1 + x2 "
            "（以及任何过原点的分类面）都会把 x4 分错；而且若从 w = 0 重新训练，x4 在开始时并不饱和，分类面会明显改变。",
            "Part (2) says BP's result stays essentially x1 + x2; that holds when training continues from D's "
            "result, but the sheet does not say that x1 + x2 (like any boundary through the origin) misclassifies "
            "x4, and that trained afresh from w = 0, x4 is not saturated at first and the boundary does move.")))
    return Solution(2, title, statement, [setup, sweep, why], answers, checks, errata)
