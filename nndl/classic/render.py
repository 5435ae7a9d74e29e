"""Renderers for the outlier experiment: terminal text (Rich), Markdown, JSON; zh and en.

They only format an :class:`~nndl.classic.experiment.OutlierExperiment`; every
number comes from it.
"""

from __future__ import annotations

from rich.table import Table

from nndl.classic.experiment import OutlierExperiment, OutlierRow, PLAResult, loss_label
from nndl.classic.perceptron import count_text
from nndl.report import check_format, g, rich_to_text
from nndl.report import to_json as to_json_text
from nndl.text import Text

SCALED_NOCONV = Text("把特征按最大绝对值缩放后 PLA 仍在 {e} 轮内未收敛（{u} 次更新）：{why}。",
                     "With max-abs scaled features PLA has not converged in {e} epochs either "
                     "({u} updates): {why}.")
T = {
    "title": Text("习题 2：感知机 (PLA) 与 Sigmoid 神经元 (BP)，加入离群点 x4 = (0, −t)",
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
    "dir": Text("梯度下降并不收敛到一个有限的 w：‖w‖ 在第 {ep} 轮分别为 {norms}，一直增长（约按 log 轮数）；"
                "方向趋向 D 上的最大间隔方向 {u}（间隔 {gm}），与之夹角依次为 {angles}°。"
                "所以题中的 x1 + x2 是极限方向，尺度不确定；第 {last} 轮实际得到 {eq}。",
                "Gradient descent does not converge to a finite w: ‖w‖ at epochs {ep} is {norms}, "
                "growing without bound (about like log of the epoch); its direction tends to the "
                "maximum-margin direction of D, {u} (margin {gm}), at angles {angles}°. So the sheet's "
                "x1 + x2 is the limiting direction, its scale undetermined; after {last} epochs we get {eq}."),
    "table": Text("逐个 t 的结果", "Results for each t"),
    "cols": (Text.same("t"), Text("PLA 原始数据", "PLA raw"), Text("PLA 特征缩放", "PLA scaled"),
             Text("BP 续训 (题中损失)", "BP continued (sheet loss)"),
             Text("x4 梯度 起/末", "x4 grad first/last"), Text("夹角", "angle"),
             Text("BP 从 0 起", "BP from 0"), Text("交叉熵 续训", "cross-entropy continued")),
    "conv": Text("{u} 次更新", "{u} updates"),
    "noconv": Text("{e} 轮未收敛（{u} 次更新）", "not converged in {e} epochs ({u} updates)"),
    "bound_n": Text("Novikoff 上界：最多 {n} 次更新", "Novikoff's bound: at most {n} updates"),
    "no_sep": Text("线性不可分，PLA 永不收敛", "not linearly separable: PLA never converges"),
    "warn": Text("⚠ 收敛警告（ConvergenceWarning）：{where}的 PLA 在 {e} 轮（{u} 次更新）后停止，"
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
}


def tr(key: str, lang: str, **kw):
    """The entry ``key`` of :data:`T` in ``lang`` (a list of strings for a row of column
    headings), its ``{fields}`` filled in from ``kw``."""
    v = T[key]
    if isinstance(v, tuple):
        return [c(lang) for c in v]
    return (v.format(**kw) if kw else v)(lang)


def _names(correct: list[bool]) -> str:
    return ", ".join(f"x{i + 1}" for i, c in enumerate(correct) if not c)


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
    return f"{tr('noconv', lang, e=p.epochs, u=p.n_updates)}; {bound}"


def warning_lines(res: OutlierExperiment, lang: str) -> list[str]:
    """One ConvergenceWarning sentence per PLA run that stopped at its epoch cap."""
    runs = [(tr("on_D_where", lang), res.pla_D)]
    for r in res.rows:
        runs += [(tr("raw_where", lang, t=g(r.t)), r.pla_raw),
                 (tr("scaled_where", lang, t=g(r.t)), r.pla_scaled)]
    return [tr("warn", lang, where=where, e=p.epochs, u=p.n_updates, why=_why(p, lang))
            for where, p in runs if not p.converged]


def _status(correct: list[bool], lang: str) -> str:
    return tr("ok", lang) if all(correct) else tr("wrong", lang, w=_names(correct))


def verdict(row: OutlierRow, res: OutlierExperiment, lang: str) -> list[str]:
    """Plain sentences from the numbers of one t (the honest reading of each run)."""
    out: list[Text] = []
    p, ps = row.pla_raw, row.pla_scaled
    if p.converged:
        out.append(Text(
            f"PLA 在原始数据上 {p.n_updates} 次更新后分对全部 4 个样本：{p.equation}。",
            f"PLA on the raw data separates all four after {p.n_updates} updates: {p.equation}."))
    elif p.predicted_updates is None:
        out.append(Text(
            f"PLA 在原始数据上 {p.epochs} 轮内未收敛（{p.n_updates} 次更新）：{_why(p, 'zh')}。",
            f"PLA on the raw data has not converged in {p.epochs} epochs ({p.n_updates} "
            f"updates): {_why(p, 'en')}."))
    else:  # the sheet's words (solutions.ex2 says the same); the number is in the warning
        out.append(Text(
            f"PLA 在原始数据上 {p.epochs} 轮内未收敛（{p.n_updates} 次更新）：数据线性可分，所以必然收敛，"
            f"但 Novikoff 上界 (R/γ*)² = {g(p.novikoff.bound_max)} 随 t² 增长（R ≈ t）。",
            f"PLA on the raw data has not converged in {p.epochs} epochs ({p.n_updates} updates): "
            f"the data are separable so it will, but Novikoff's bound (R/γ*)² = "
            f"{g(p.novikoff.bound_max)} grows like t² (R ≈ t)."))
    if ps.converged:
        out.append(Text(
            f"把特征按最大绝对值缩放后 PLA {ps.n_updates} 次更新即分对全部样本：{ps.equation}（已换回原坐标）。",
            f"With max-abs scaled features PLA separates all four after {ps.n_updates} updates: "
            f"{ps.equation} (in raw coordinates)."))
    else:
        t = SCALED_NOCONV
        out.append(Text(t.zh.format(e=ps.epochs, u=ps.n_updates, why=_why(ps, "zh")),
                        t.en.format(e=ps.epochs, u=ps.n_updates, why=_why(ps, "en"))))
    b = row.bp
    moved = b.angle_deg is not None and b.angle_deg >= 1.0
    if not moved:
        out.append(Text(
            f"题中损失、从 D 的分类面续训：分类面几乎不动（与不加 x4 的同样续训相差 {g(b.angle_deg, 3)}°），"
            f"因为 x4 的梯度一开始就只有 {g(b.x4_grad_first, 3)}（θ 饱和）——题中的结论成立。",
            f"Sheet's loss, continued from D's boundary: the boundary barely moves ({g(b.angle_deg, 3)}° "
            f"from the same continuation without x4), because x4's gradient is only "
            f"{g(b.x4_grad_first, 3)} from the start (θ saturated) — the sheet's claim holds."))
    else:
        out.append(Text(
            f"题中损失、从 D 的分类面续训：x4 使分类面转动了 {g(b.angle_deg, 3)}°，"
            f"其初始梯度 {g(b.x4_grad_first, 3)} 并不小（t 还不够大）。",
            f"Sheet's loss, continued from D's boundary: x4 turns the boundary by "
            f"{g(b.angle_deg, 3)}°; its initial gradient {g(b.x4_grad_first, 3)} is not small (t is not large yet)."))
    if not b.all_correct:
        why = (Text.same("") if row.separable_without_bias else Text(
            "（没有偏置时，过原点的直线不可能把 x1 = (0,1) 和 x4 = (0,−t) 都分为 +1）",
            " (without a bias no line through the origin puts both x1 = (0,1) and x4 = (0,−t) on the + side)"))
        out.append(Text(f"但它错分了 {_names(b.correct)}{why.zh}。",
                        f"But it misclassifies {_names(b.correct)}{why.en}."))
    z = row.bp_zeros
    out.append(Text(
        f"同一损失但从 w = 0 起训练：得到 {z.equation}，与 D 上的结果相差 {g(z.angle_deg, 3)}°"
        f"（w = 0 时所有间隔为 0，x4 的梯度为 {g(z.x4_grad_first, 3)}，不饱和），{_status(z.correct, 'zh')}。",
        f"Same loss from w = 0: {z.equation}, {g(z.angle_deg, 3)}° from the D result (at w = 0 "
        f"every margin is 0 and x4's gradient is {g(z.x4_grad_first, 3)}, not saturated); "
        f"{_status(z.correct, 'en')}."))
    c = row.ce
    out.append(Text(
        f"交叉熵损失续训：x4 的初始梯度 {g(c.x4_grad_first, 3)}（不会消失，约随 t 增长），分类面转动 "
        f"{g(c.angle_deg, 3)}°，{_status(c.correct, 'zh')}。",
        f"Cross-entropy, continued: x4's initial gradient is {g(c.x4_grad_first, 3)} (it does not vanish; "
        f"it grows like t), the boundary turns {g(c.angle_deg, 3)}°; {_status(c.correct, 'en')}."))
    return [t(lang) for t in out]


def summary_lines(res: OutlierExperiment, lang: str) -> list[str]:
    d = res.direction
    bias = tr("bias_on" if res.fit_intercept else "bias_off", lang)
    nb = res.pla_D.novikoff
    pla_D = (tr("pla_D", lang, eq=res.pla_D.equation, u=res.pla_D.n_updates, e=res.pla_D.epochs,
                R=g(nb.R), gf=g(nb.gamma_found), bf=g(nb.bound_found), gm=g(nb.gamma_max),
                bm=g(nb.bound_max)) if res.pla_D.converged else
             tr("pla_D_noconv", lang, e=res.pla_D.epochs, u=res.pla_D.n_updates,
                eq=res.pla_D.equation, why=_why(res.pla_D, lang)))
    return [
        tr("setup", lang, lr=g(res.lr), epochs=res.epochs, bias=bias),
        pla_D,
        tr("bp_D", lang, loss=loss_label("sigmoid_squared"), eq=res.bp_D.equation, n=g(res.bp_D.norm)),
        tr("ce_D", lang, loss=loss_label("logistic"), eq=res.ce_D.equation),
        tr("dir", lang, ep=", ".join(map(str, d.epochs)), norms=", ".join(g(v, 3) for v in d.norms),
           u="(" + ", ".join(g(v, 4) for v in d.max_margin_direction) + ")", gm=g(d.max_margin),
           angles=", ".join(g(v, 3) for v in d.angles_deg), last=res.epochs, eq=res.bp_D.equation),
    ]


def _rows(res: OutlierExperiment, lang: str) -> list[list[str]]:
    rows = []
    for r in res.rows:
        rows.append([
            g(r.t), _pla_cell(r.pla_raw, lang),
            f"{r.pla_scaled.equation} ({_pla_cell(r.pla_scaled, lang)})",
            f"{r.bp.equation}; {_status(r.bp.correct, lang)}",
            f"{g(r.bp.x4_grad_first, 3)} / {g(r.bp.x4_grad_last, 3)}", f"{g(r.bp.angle_deg, 3)}°",
            f"{r.bp_zeros.equation} ({g(r.bp_zeros.angle_deg, 3)}°); {_status(r.bp_zeros.correct, lang)}",
            f"{r.ce.equation} ({g(r.ce.angle_deg, 3)}°); {_status(r.ce.correct, lang)}",
        ])
    return rows


def _sheet_rows(res: OutlierExperiment, lang: str) -> list[list[str]]:
    return [[c.name, c.set_name, tr("yes" if c.separates else "no", lang),
             ", ".join(f"x{i + 1}" for i in c.wrong) or "—"] for c in res.sheet]


def to_json(res: OutlierExperiment) -> str:
    return to_json_text(res)


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
    table = Table(title=tr("table", lang), show_lines=True)
    for c in cols:
        table.add_column(c, overflow="fold")
    for r in _rows(res, lang):
        table.add_row(*r)
    sheet = Table(title=tr("sheet", lang))
    for c in scols:
        sheet.add_column(c)
    for r in _sheet_rows(res, lang):
        sheet.add_row(*r)
    items = [tr("title", lang), *warning_lines(res, lang),
             *(f"• {s}" for s in summary_lines(res, lang)), table,
             tr("verdicts", lang)]
    for row in res.rows:
        items.append(f"t = {g(row.t)}:")
        items += [f"  • {s}" for s in verdict(row, res, lang)]
    items.append(sheet)
    return rich_to_text(*items, width=width, color=color)
