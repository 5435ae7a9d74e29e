"""Renderers for the outlier experiment: terminal text (Rich), Markdown, JSON; zh and en.

They only format an :class:`~nndl.classic.experiment.OutlierExperiment`; every
number comes from it.
"""

from __future__ import annotations

import numpy as np

from nndl.classic.experiment import OutlierExperiment, OutlierRow, PLAResult, equation, loss_label
from nndl.classic.perceptron import count_text
from nndl.report import check_format, fit_tables, fmt_num, g, rich_to_text
from nndl.text import Text

T = {
    "title": Text("习题 2：感知机（PLA）与 Sigmoid 神经元（BP），加入离群点 x4 = (0, −t)",
                  "Exercise 2: perceptron (PLA) vs. sigmoid neuron (BP), adding the outlier x4 = (0, −t)"),
    "setup": Text("D = {{((0,1),+1), ((1,0),+1), ((−1,0),−1)}}；BP：全批量梯度下降（nndl 引擎，float64），"
                  "学习率 {lr}，{epochs} 轮，损失取样本平均，{bias}。",
                  "D = {{((0,1),+1), ((1,0),+1), ((−1,0),−1)}}; BP: full-batch gradient descent through "
                  "nndl's engine (float64), lr {lr}, {epochs} epochs, loss averaged over samples, {bias}."),
    "bias_on": Text("带偏置", "with a bias"),
    "bias_off": Text("无偏置（与题中 g_BP = x1 + x2 一致）", "no bias (as the sheet's g_BP = x1 + x2)"),
    "on_D": Text("在 D 上训练", "Trained on D"),
    "pla_D": Text("PLA（w=0 起，循环顺序）：{eq}，{u} 次更新，{e} 轮。Novikoff：R = {R}；"
                  "所得分类面（归一化，含偏置的增广空间）的间隔 γ = {gf} → (R/γ)² = {bf}；"
                  "最大间隔 γ* = {gm} → (R/γ*)² = {bm} ≥ 实际更新次数 {u}。",
                  "PLA (from w = 0, cyclic order): {eq}, {u} updates, {e} epochs. Novikoff: R = {R}; "
                  "margin of the found separator (normalised, augmented with the bias) γ = {gf} → "
                  "(R/γ)² = {bf}; maximum margin γ* = {gm} → (R/γ*)² = {bm} ≥ the {u} updates made."),
    "bp_D": Text("BP，题中损失 {loss}，w=0 起：{eq}（‖w‖ = {n}）。",
                 "BP, the sheet's loss {loss}, from w = 0: {eq} (‖w‖ = {n})."),
    "ce_D": Text("BP，交叉熵 {loss}，w=0 起：{eq}。", "BP, cross-entropy {loss}, from w = 0: {eq}."),
    "dir": Text("梯度下降并不收敛到一个有限的 w：‖w‖ 在第 {ep} 轮分别为 {norms}，一直增长（大致随轮数的对数增长）；"
                "方向趋向 D 上的最大间隔方向 {u}（间隔 {gm}），与之夹角依次为 {angles}°。"
                "所以题中的 x1 + x2 是极限方向，尺度不确定；第 {last} 轮实际得到 {eq}。",
                "Gradient descent does not converge to a finite w: ‖w‖ at epochs {ep} is {norms}, "
                "growing without bound (about like log of the epoch); its direction tends to the "
                "maximum-margin direction of D, {u} (margin {gm}), at angles {angles}°. So the sheet's "
                "x1 + x2 is the limiting direction, its scale undetermined; after {last} epochs we get {eq}."),
    "table": Text("逐个 t 的结果", "Results for each t"),
    "cols": (Text.same("t"), Text("PLA 原始数据", "PLA raw"), Text("PLA 特征缩放", "PLA scaled"),
             Text("BP 续训（题中损失）", "BP continued (sheet loss)"),
             Text("x4 梯度 起/末", "x4 grad first/last"), Text("夹角", "angle"),
             Text("BP 从 0 起", "BP from 0"), Text("交叉熵 续训", "cross-entropy continued")),
    "conv": Text("{u} 次更新", "{u} updates"),
    "noconv": Text("{e} 轮未收敛（{u} 次更新）", "not converged in {e} epochs ({u} updates)"),
    "bound_n": Text("Novikoff 上界：最多 {n} 次更新", "Novikoff's bound: at most {n} updates"),
    "no_sep": Text("线性不可分，PLA 永不收敛", "not linearly separable: PLA never converges"),
    "warn": Text("⚠ 收敛警告：{where}的 PLA 在 {e} 轮（{u} 次更新）后停止，"
                 "仍未分开数据；{why}。",
                 "⚠ ConvergenceWarning: PLA on {where} stopped after {e} epochs ({u} updates) "
                 "without separating the data; {why}."),
    "why_bound": Text("Novikoff 上界 ⌊(R/γ*)²⌋ 预测（从 w = 0 起）最多 {n} 次更新：可增大 "
                      "--pla-max-iter，或缩放特征",
                      "Novikoff's bound ⌊(R/γ*)²⌋ predicts at most {n} updates (from w = 0): "
                      "raise --pla-max-iter, or scale the features"),
    "why_nosep": Text("数据线性不可分（没有间隔为正的分类面），PLA 永不收敛",
                      "the data are not linearly separable (no separator has a positive "
                      "margin), so PLA never converges"),
    "on_D_where": Text("D 上", "D"),
    "raw_where": Text("t = {t} 原始数据上", "the raw data at t = {t}"),
    "scaled_where": Text("t = {t} 缩放特征上", "the max-abs scaled data at t = {t}"),
    "pla_D_noconv": Text("PLA（w=0 起，循环顺序）：{e} 轮内未收敛（{u} 次更新），停在 {eq}；{why}。",
                         "PLA (from w = 0, cyclic order): not converged in {e} epochs ({u} "
                         "updates), stopped at {eq}; {why}."),
    "ok": Text("全对", "all correct"),
    "wrong": Text("错分 {w}", "misclassifies {w}"),
    "sheet": Text("核对题中给出的分类面", "Checking the sheet's boundaries"),
    "sheet_cols": (Text("分类面", "boundary"), Text("样本集", "set"), Text("全部分对", "separates"),
                   Text("错分样本", "wrong samples")),
    "yes": Text("是", "yes"), "no": Text("否", "no"),
    "verdicts": Text("结论", "What happens"),
    "scaled_noconv": Text("把特征按最大绝对值缩放后 PLA 仍在 {e} 轮内未收敛（{u} 次更新）：{why}。",
                          "With max-abs scaled features PLA has not converged in {e} epochs "
                          "either ({u} updates): {why}."),
}


def tr(key: str, lang: str, **kw):
    """The entry ``key`` of :data:`T` in ``lang`` (a list of strings for a row of column
    headings), its ``{fields}`` filled in from ``kw``."""
    v = T[key]
    if isinstance(v, tuple):
        return [c(lang) for c in v]
    return (v.format(**kw) if kw else v)(lang)


def _why(p: PLAResult, lang: str) -> str:
    """Novikoff's prediction for a run that did not converge, or that it never will."""
    if p.predicted_updates is None:
        return tr("why_nosep", lang)
    return tr("why_bound", lang, n=count_text(p.predicted_updates))


def _pla_cell(p: PLAResult, lang: str) -> str:
    if p.converged:
        return tr("conv", lang, u=p.n_updates)
    bound = (tr("no_sep", lang) if p.predicted_updates is None
             else tr("bound_n", lang, n=count_text(p.predicted_updates)))
    return f"{tr('noconv', lang, e=p.epochs, u=p.n_updates)}{'；' if lang == 'zh' else '; '}{bound}"


def warning_lines(res: OutlierExperiment, lang: str) -> list[str]:
    """One ConvergenceWarning sentence per PLA run that stopped at its epoch cap."""
    runs = [(tr("on_D_where", lang), res.pla_D)]
    for r in res.rows:
        runs += [(tr("raw_where", lang, t=g(r.t)), r.pla_raw),
                 (tr("scaled_where", lang, t=g(r.t)), r.pla_scaled)]
    return [tr("warn", lang, where=where, e=p.epochs, u=p.n_updates, why=_why(p, lang))
            for where, p in runs if not p.converged]


# ------------------------------------------------------------------ the narrative
# One narrative for `nndl experiment outlier` and exercise 2's worked solution (any D, x4 and
# loss). ``sheet``: the sheet's problem (its D, x4 = (0, −t) with label +1 and its squared
# loss), whose claims the sentences then answer in the sheet's words; by default read off
# the experiment.
_EN_COUNT = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
             9: "nine", 10: "ten", 11: "eleven"}
_ZH_COUNT = {2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十",
             11: "十一"}
LOSS_NAME = {"sigmoid_squared": Text("题中损失", "the sheet's loss"),
             "logistic": Text("交叉熵", "cross-entropy")}
_LOSS_LEAD = {"sigmoid_squared": Text("题中损失", "Sheet's loss"),
              "logistic": Text("交叉熵损失", "Cross-entropy")}
_BIAS_OFF_OTHER = Text("无偏置（分类面过原点）", "no bias (the boundary passes through the origin)")
_DIR_HEAD = Text(
    "梯度下降并不收敛到一个有限的 w：‖w‖ 在第 {ep} 轮分别为 {norms}，一直增长（大致随轮数的对数增长）；"
    "方向趋向 D 上的最大间隔方向 {u}（间隔 {gm}），与之夹角依次为 {angles}°。",
    "Gradient descent does not converge to a finite w: ‖w‖ at epochs {ep} is {norms}, "
    "growing without bound (about like log of the epoch); its direction tends to the "
    "maximum-margin direction of D, {u} (margin {gm}), at angles {angles}°. ")
_DIR_SHEET = Text("所以题中的 x1 + x2 是极限方向，尺度不确定；第 {last} 轮实际得到 {eq}。",
                  "So the sheet's x1 + x2 is the limiting direction, its scale undetermined; "
                  "after {last} epochs we get {eq}.")
_DIR_OTHER = Text("所以 BP 在 D 上的分类面只有极限方向 {limit}，尺度不确定；第 {last} 轮实际得到 {eq}。",
                  "So BP's boundary on D has only a limiting direction, {limit}, its scale "
                  "undetermined; after {last} epochs we get {eq}.")
TINY = 1e-3          # an initial gradient below this: x4 is saturated


def sheet_problem(res: OutlierExperiment) -> bool:
    """The sheet's D, x4 and label (the experiment then checks the sheet's boundaries) and
    the sheet's squared loss."""
    return bool(res.sheet) and res.bp_D.loss == "sigmoid_squared"


def _names(correct: list[bool], lang: str = "en") -> str:
    return ("、" if lang == "zh" else ", ").join(f"x{i + 1}" for i, c in enumerate(correct) if not c)


def _status(correct: list[bool], lang: str) -> str:
    return tr("ok", lang) if all(correct) else tr("wrong", lang, w=_names(correct, lang))


def coord(v: float) -> str:
    """A coordinate for reading (true minus sign)."""
    return fmt_num(v, 6)


def t_terms(d, num) -> list[str]:
    """(0, −1) -> ['0', '-t']: x4's coordinates as multiples of t."""
    out = []
    for c in d:
        c = float(c)
        out.append("0" if c == 0 else "t" if c == 1 else ("-t" if c == -1 else f"{num(c)}t"))
    return out


def t_vector(d, sep: str = ", ") -> str:
    """(0, −t) for d = (0, −1): the outlier in plain text."""
    return "(" + sep.join(s.replace("-", "−") for s in t_terms(d, coord)) + ")"


def point(x) -> str:
    return "(" + ",".join(coord(c) for c in x) + ")"


def x4_margin(coef, intercept: float, row: OutlierRow, label: int) -> float:
    return label * (float(np.dot(coef, row.x4)) + intercept)


def opposite(res: OutlierExperiment) -> int | None:
    """A sample of x4's class on the other side of the origin from x4 (on the ray −d), which
    no line through the origin can put on x4's side: its index, or None."""
    d = np.asarray(res.x4_direction, dtype=np.float64)
    for i, (x, lab) in enumerate(zip(res.X, res.y, strict=True)):
        x = np.asarray(x)
        if lab == res.x4_label and x[0] * d[1] - x[1] * d[0] == 0 and float(x @ d) < 0:
            return i
    return None


def limit_equation(res: OutlierExperiment) -> str:
    """The max-margin direction scaled so its largest component is 1 (the sheet: x1 + x2)."""
    u = np.asarray(res.direction.max_margin_direction, dtype=np.float64)
    top = float(np.abs(u).max())
    return equation(u / top, 0.0) if top > 0 else "0"


def summary_lines(res: OutlierExperiment, lang: str, sheet: bool | None = None) -> list[str]:
    """The training on D in sentences."""
    zh = lang == "zh"
    sheet = sheet_problem(res) if sheet is None else sheet
    d = res.direction
    nb = res.pla_D.novikoff
    D = "D = {" + ", ".join(f"({point(x)},{'+1' if lab > 0 else '−1'})"
                           for x, lab in zip(res.X, res.y, strict=True)) + "}"
    bias = (T["bias_on"] if res.fit_intercept else T["bias_off"] if sheet
            else _BIAS_OFF_OTHER)(lang)
    setup = (f"{D}；BP：全批量梯度下降（nndl 引擎，float64），学习率 {g(res.lr)}，{res.epochs} 轮，"
             f"损失取样本平均，{bias}。" if zh else
             f"{D}; BP: full-batch gradient descent through nndl's engine (float64), lr "
             f"{g(res.lr)}, {res.epochs} epochs, loss averaged over samples, {bias}.")
    if res.pla_D.converged:
        pla = tr("pla_D", lang, eq=res.pla_D.equation, u=res.pla_D.n_updates, e=res.pla_D.epochs,
                 R=g(nb.R), gf=g(nb.gamma_found), bf=g(nb.bound_found), gm=g(nb.gamma_max),
                 bm=g(nb.bound_max))
    else:
        pla = tr("pla_D_noconv", lang, e=res.pla_D.epochs, u=res.pla_D.n_updates,
                 eq=res.pla_D.equation, why=_why(res.pla_D, lang))
    main, other = res.bp_D.loss, res.ce_D.loss
    nm, no = LOSS_NAME[main](lang), LOSS_NAME[other](lang)
    bp = (f"BP，{nm} {loss_label(main)}，w=0 起：{res.bp_D.equation}（‖w‖ = {g(res.bp_D.norm)}）。"
          if zh else f"BP, {nm} {loss_label(main)}, from w = 0: {res.bp_D.equation} "
          f"(‖w‖ = {g(res.bp_D.norm)}).")
    ce = (f"BP，{no} {loss_label(other)}，w=0 起：{res.ce_D.equation}。" if zh else
          f"BP, {no} {loss_label(other)}, from w = 0: {res.ce_D.equation}.")
    sep = "、" if zh else ", "  # a list in a Chinese sentence: 第 1、10、100 轮
    kw = dict(ep=sep.join(map(str, d.epochs)), norms=sep.join(g(v, 3) for v in d.norms),
              u="(" + ", ".join(g(v, 4) for v in d.max_margin_direction) + ")",
              gm=g(d.max_margin), angles=sep.join(g(v, 3) for v in d.angles_deg),
              last=res.epochs, eq=res.bp_D.equation)
    direction = _DIR_HEAD(lang).format(**kw) + (
        _DIR_SHEET(lang).format(**kw) if sheet
        else _DIR_OTHER(lang).format(limit=limit_equation(res), **kw))
    return [setup, pla, bp, ce, direction]


def verdict(row: OutlierRow, res: OutlierExperiment, lang: str,
            sheet: bool | None = None) -> list[str]:
    """Plain sentences from the numbers of one t (the honest reading of each run)."""
    zh = lang == "zh"
    sheet = sheet_problem(res) if sheet is None else sheet
    k = len(res.X) + 1
    xo = f"x{k}"
    all_k = f"全部 {k} 个样本" if zh else f"all {_EN_COUNT.get(k, str(k))}"
    out: list[str] = []
    pr, ps = row.pla_raw, row.pla_scaled
    nb = pr.novikoff
    if pr.converged and pr.separates:  # stopped at the cap: 'not converged', as the warning
        out.append(f"PLA 在原始数据上 {pr.n_updates} 次更新后分对{all_k}：{pr.equation}。" if zh else
                   f"PLA on the raw data separates {all_k} after {pr.n_updates} updates: {pr.equation}.")
    elif pr.converged:
        out.append(_touching("PLA 在原始数据上", "PLA on the raw data", pr, lang))
    elif not row.separable_with_bias:
        out.append(
            f"PLA 在原始数据上 {pr.epochs} 轮内未收敛（{pr.n_updates} 次更新）：加入 {xo} 后样本线性不可分，"
            "没有直线能分对全部样本，PLA 永远不会停止。" if zh else
            f"PLA on the raw data has not converged in {pr.epochs} epochs ({pr.n_updates} updates): "
            f"with {xo} the samples are not linearly separable, so no line classifies all of them "
            "and PLA never stops.")
    elif sheet:  # the sheet's words; the predicted count is in the warning
        out.append(
            f"PLA 在原始数据上 {pr.epochs} 轮内未收敛（{pr.n_updates} 次更新）：数据线性可分，所以必然收敛，"
            f"但 Novikoff 上界 (R/γ*)² = {g(nb.bound_max)} 随 t² 增长（R ≈ t）。"
            if zh else
            f"PLA on the raw data has not converged in {pr.epochs} epochs ({pr.n_updates} updates): "
            f"the data are separable so it will, but Novikoff's bound (R/γ*)² = "
            f"{g(nb.bound_max)} grows like t² (R ≈ t).")
    else:
        out.append(
            f"PLA 在原始数据上 {pr.epochs} 轮内未收敛（{pr.n_updates} 次更新）：数据线性可分，所以必然收敛，"
            f"更新次数不超过 Novikoff 上界 (R/γ*)² = {g(nb.bound_max)}（R = {g(nb.R)} 随 t 增长）。"
            if zh else
            f"PLA on the raw data has not converged in {pr.epochs} epochs ({pr.n_updates} updates): "
            f"the data are separable so it will, within Novikoff's bound (R/γ*)² = "
            f"{g(nb.bound_max)} updates (R = {g(nb.R)} grows with t).")
    if ps.converged and ps.separates:
        out.append(f"把特征按最大绝对值缩放后 PLA {ps.n_updates} 次更新即分对全部样本：{ps.equation}（已换回原坐标）。"
                   if zh else
                   f"With max-abs scaled features PLA separates {all_k} after {ps.n_updates} updates: "
                   f"{ps.equation} (in raw coordinates).")
    elif ps.converged:
        out.append(_touching("把特征按最大绝对值缩放后 PLA", "With max-abs scaled features PLA", ps, lang))
    elif row.separable_with_bias:
        out.append(tr("scaled_noconv", lang, e=ps.epochs, u=ps.n_updates, why=_why(ps, lang)))
    else:
        out.append("特征缩放不改变可分性：缩放后 PLA 同样不收敛。" if zh else
                   "Scaling the features does not change separability: scaled, PLA does not "
                   "converge either.")

    b = row.bp
    lead = _LOSS_LEAD[b.loss](lang) + ("、从 D 的分类面续训：" if zh else ", continued from D's boundary: ")
    moved = b.angle_deg is not None and b.angle_deg >= 1.0
    tiny = (b.x4_grad_first or 0.0) < TINY
    if not moved:
        if zh:
            body = f"分类面几乎不动（与不加 {xo} 的同样续训相差 {g(b.angle_deg, 3)}°）"
            body += (f"，因为 {xo} 的梯度从一开始就是 0（θ 完全饱和，数值下溢）" if b.x4_grad_first == 0
                     else f"，因为 {xo} 的梯度从一开始就只有 {g(b.x4_grad_first, 3)}（θ 饱和）" if tiny
                     else f"，{xo} 的初始梯度为 {g(b.x4_grad_first, 3)}")
            body += "——题中的结论成立。" if sheet else "。"
        else:
            body = (f"the boundary barely moves ({g(b.angle_deg, 3)}° from the same continuation "
                    f"without {xo})")
            body += (f", because {xo}'s gradient is 0 from the start (θ fully saturated: it "
                     "underflows)" if b.x4_grad_first == 0 else
                     f", because {xo}'s gradient is only {g(b.x4_grad_first, 3)} from the start "
                     "(θ saturated)" if tiny else
                     f"; {xo}'s initial gradient is {g(b.x4_grad_first, 3)}")
            body += " — the sheet's claim holds." if sheet else "."
    elif b.loss == "sigmoid_squared":
        body = (f"{xo} 使分类面转动了 {g(b.angle_deg, 3)}°，其初始梯度 {g(b.x4_grad_first, 3)} 并不小"
                + ("（t 还不够大）。" if sheet else "。") if zh else
                f"{xo} turns the boundary by {g(b.angle_deg, 3)}°; its initial gradient "
                f"{g(b.x4_grad_first, 3)} is not small" + (" (t is not large yet)." if sheet else "."))
    else:
        grows = x4_margin(res.bp_D.coef, res.bp_D.intercept, row, res.x4_label) <= 0
        body = (f"{xo} 使分类面转动了 {g(b.angle_deg, 3)}°，其初始梯度为 {g(b.x4_grad_first, 3)}"
                + ("（交叉熵的梯度不会消失，约随 t 增长）。" if grows else "。") if zh else
                f"{xo} turns the boundary by {g(b.angle_deg, 3)}°; its initial gradient is "
                f"{g(b.x4_grad_first, 3)}"
                + (" (cross-entropy's gradient does not vanish; it grows like t)." if grows else "."))
    out.append(lead + body)
    if not b.all_correct:
        if res.fit_intercept:  # the neuron has a bias: not the origin, but saturation or time
            why = _why_with_bias(row, res, lang, tiny)
        else:
            why = "" if row.separable_without_bias else _why_origin(res, lang)
        out.append(f"但它错分了 {_names(b.correct, lang)}{why}。" if zh else
                   f"But it misclassifies {_names(b.correct)}{why}.")
    z = row.bp_zeros
    out.append(
        f"同一损失但从 w = 0 起训练：得到 {z.equation}，与 D 上的结果相差 {g(z.angle_deg, 3)}°"
        f"（w = 0 时所有间隔为 0，{xo} 的梯度为 {g(z.x4_grad_first, 3)}，不饱和），{_status(z.correct, lang)}。"
        if zh else
        f"Same loss from w = 0: {z.equation}, {g(z.angle_deg, 3)}° from the D result (at w = 0 "
        f"every margin is 0 and {xo}'s gradient is {g(z.x4_grad_first, 3)}, not saturated); "
        f"{_status(z.correct, lang)}.")
    c = row.ce
    if c.loss == "logistic":
        grows = x4_margin(res.ce_D.coef, res.ce_D.intercept, row, res.x4_label) <= 0
        note = (("（不会消失，约随 t 增长）" if grows else f"（{xo} 起初就在自己一侧，随 t 增大而消失）") if zh else
                (" (it does not vanish; it grows like t)" if grows else
                 f" ({xo} starts on its own side, so it fades as t grows)"))
        out.append(
            f"交叉熵损失续训：{xo} 的初始梯度 {g(c.x4_grad_first, 3)}{note}，分类面转动 "
            f"{g(c.angle_deg, 3)}°，{_status(c.correct, lang)}。" if zh else
            f"Cross-entropy, continued: {xo}'s initial gradient is {g(c.x4_grad_first, 3)}{note}, "
            f"the boundary turns {g(c.angle_deg, 3)}°; {_status(c.correct, lang)}.")
    else:
        out.append(
            f"题中损失续训：{xo} 的初始梯度 {g(c.x4_grad_first, 3)}，分类面转动 {g(c.angle_deg, 3)}°，"
            f"{_status(c.correct, lang)}。" if zh else
            f"Sheet's loss, continued: {xo}'s initial gradient is {g(c.x4_grad_first, 3)}, the "
            f"boundary turns {g(c.angle_deg, 3)}°; {_status(c.correct, lang)}.")
    return out


def _touching(lead_zh: str, lead_en: str, run, lang: str) -> str:
    """PLA stopped, yet its line (in raw coordinates) passes through a sample: rounding."""
    return (f"{lead_zh} {run.n_updates} 次更新后停止，但其分类面 {run.equation} 在原坐标下恰好经过某个样本"
            "（舍入误差），并未严格分对全部样本。" if lang == "zh" else
            f"{lead_en} stops after {run.n_updates} updates, but its line {run.equation} passes through "
            "a sample in raw coordinates (rounding), so it does not strictly separate them all.")


def _why_with_bias(row: OutlierRow, res: OutlierExperiment, lang: str, tiny: bool) -> str:
    """Why a neuron *with* a bias still misclassifies after the continued training."""
    k = len(res.X) + 1
    if not row.separable_with_bias:
        return Text(f"（加入 x{k} 后样本线性不可分，任何直线都会错分某个样本）",
                    f" (with x{k} the samples are not linearly separable, so every line "
                    "misclassifies one)")(lang)
    if tiny:
        return Text(f"（带偏置的直线本可以分对全部样本，但 x{k} 的梯度已饱和，续训几乎不改变分类面）",
                    f" (a line with a bias could classify every sample, but x{k}'s gradient is "
                    "saturated, so the continued training hardly moves the boundary)")(lang)
    return Text(f"（带偏置的直线本可以分对全部样本，但 {res.epochs} 轮续训还没有把分类面转到那里）",
                f" (a line with a bias could classify every sample, but {res.epochs} epochs of "
                "continued training have not turned the boundary there yet)")(lang)


def _why_origin(res: OutlierExperiment, lang: str) -> str:
    """Why the boundary through the origin cannot classify x4 (no bias, not separable)."""
    zh = lang == "zh"
    k = len(res.X) + 1
    i = opposite(res)
    if i is not None:
        sign = "+" if res.x4_label > 0 else "−"
        return (f"（没有偏置时，过原点的直线不可能把 x{i + 1} = {point(res.X[i])} 和 x{k} = "
                f"{t_vector(res.x4_direction, ',')} 都分为 {sign}1）" if zh else
                f" (without a bias no line through the origin puts both x{i + 1} = {point(res.X[i])} "
                f"and x{k} = {t_vector(res.x4_direction, ',')} on the {sign} side)")
    return (f"（没有偏置时，过原点的直线不可能分对全部 {k} 个样本）" if zh else
            f" (without a bias no line through the origin classifies all {k} samples)")


def _rows(res: OutlierExperiment, lang: str) -> list[list[str]]:
    # Chinese cells take Chinese marks: 1 + 3·x1（7 次更新）；全对
    o, c, semi = ("（", "）", "；") if lang == "zh" else (" (", ")", "; ")
    rows = []
    for r in res.rows:
        rows.append([
            g(r.t), _pla_cell(r.pla_raw, lang),
            f"{r.pla_scaled.equation}{o}{_pla_cell(r.pla_scaled, lang)}{c}",
            f"{r.bp.equation}{semi}{_status(r.bp.correct, lang)}",
            f"{g(r.bp.x4_grad_first, 3)} / {g(r.bp.x4_grad_last, 3)}", f"{g(r.bp.angle_deg, 3)}°",
            f"{r.bp_zeros.equation}{o}{g(r.bp_zeros.angle_deg, 3)}°{c}{semi}"
            f"{_status(r.bp_zeros.correct, lang)}",
            f"{r.ce.equation}{o}{g(r.ce.angle_deg, 3)}°{c}{semi}{_status(r.ce.correct, lang)}",
        ])
    return rows


def _sheet_rows(res: OutlierExperiment, lang: str) -> list[list[str]]:
    return [[c.name, c.set_name, tr("yes" if c.separates else "no", lang),
             ", ".join(f"x{i + 1}" for i in c.wrong) or "—"] for c in res.sheet]


def to_json(res: OutlierExperiment) -> str:
    """The experiment's data. A PLA run's warning (each run's ``warning`` and the list
    ``warnings``) is ``{"zh": …, "en": …}``: the Chinese sentence the text output gives, and
    the English of the Python ConvergenceWarning as before; "" where the run converged."""
    import json

    from nndl.report import jsonable

    def both(p: PLAResult, where: str, en: str, **kw) -> dict[str, str]:
        t = Text(tr("warn", "zh", where=tr(where, "zh", **kw), e=p.epochs, u=p.n_updates,
                    why=_why(p, "zh")), en)
        return {"zh": t.zh, "en": t.en}

    data = jsonable(res)
    runs = [(res.pla_D, data["pla_D"], "on_D_where", {})]
    for r, row in zip(res.rows, data["rows"], strict=True):
        runs += [(r.pla_raw, row["pla_raw"], "raw_where", {"t": g(r.t)}),
                 (r.pla_scaled, row["pla_scaled"], "scaled_where", {"t": g(r.t)})]
    warned = [(p, d, where, kw) for p, d, where, kw in runs if p.warning]
    for p, d, where, kw in warned:
        d["warning"] = both(p, where, p.warning, **kw)
    data["warnings"] = [both(p, where, en, **kw)  # the same runs, in the same order
                        for (p, _, where, kw), en in zip(warned, res.warnings, strict=True)]
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)


def to_markdown(res: OutlierExperiment, lang: str = "zh") -> str:
    check_format("md", lang)
    cols, scols = tr("cols", lang), tr("sheet_cols", lang)
    out = [f"## {tr('title', lang)}", ""]
    out += [f"> {w}" for w in warning_lines(res, lang)] + (
        [""] if warning_lines(res, lang) else [])
    out += [f"### {tr('on_D', lang)}", ""]
    out += [f"- {s}" for s in summary_lines(res, lang)]
    out += ["", f"### {tr('table', lang)}", "", "| " + " | ".join(cols) + " |",
            "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(r) + " |" for r in _rows(res, lang)]
    out += ["", f"### {tr('verdicts', lang)}", ""]
    for row in res.rows:
        out.append(f"**t = {g(row.t)}**")
        out += [f"- {s}" for s in verdict(row, res, lang)]
        out.append("")
    out += [f"### {tr('sheet', lang)}", "", "| " + " | ".join(scols) + " |",
            "|" + "---|" * len(scols)]
    out += ["| " + " | ".join(r) + " |" for r in _sheet_rows(res, lang)]
    return "\n".join(out) + "\n"


def to_text(res: OutlierExperiment, lang: str = "zh", width: int | None = None,
            color: bool = False) -> str:
    check_format("text", lang)
    cols, scols = tr("cols", lang), tr("sheet_cols", lang)
    tables = fit_tables(cols, _rows(res, lang), width, title=tr("table", lang), show_lines=True)
    sheet = fit_tables(scols, _sheet_rows(res, lang), width, title=tr("sheet", lang))
    items = [tr("title", lang), *warning_lines(res, lang),
             *(f"• {s}" for s in summary_lines(res, lang)), *tables,
             tr("verdicts", lang)]
    for row in res.rows:
        items.append(f"t = {g(row.t)}:")
        items += [f"  • {s}" for s in verdict(row, res, lang)]
    items += sheet
    return rich_to_text(*items, width=width, color=color)
