"""Figures of the outlier experiment, in zh or en (Chinese needs a CJK font: without one
:func:`nndl.plotting.figure_lang` draws the English figure)."""

from __future__ import annotations

import numpy as np

from nndl.classic.errors import DataError
from nndl.classic.experiment import Frame, OutlierExperiment
from nndl.plotting import figure_lang, label, new_figure
from nndl.report import fmt_num
from nndl.text import Text

T = {
    "off": Text("（在图外）", " (off the plot)"),
    "pla_D": Text("PLA（D）：{eq}", "PLA on D: {eq}"),
    "pla_D4": Text("PLA（D+{x}）：{eq}", "PLA on D+{x}: {eq}"),
    "bp_D": Text("BP（D）：{eq}", "BP on D: {eq}"),
    "bp_D4": Text("BP（D+{x}，接着训练）：{eq}", "BP on D+{x} (continued): {eq}"),
    "other_D4": Text("{loss}（D+{x}）：{eq}", "{loss} on D+{x}: {eq}"),
    "ce": Text("交叉熵", "cross-entropy"),
    "sq": Text("平方损失", "squared loss"),
    "title": Text("t = {t}：加入 {x} 前（虚线）与后的分类面",
                  "t = {t}: boundaries before (dashed) and after adding {x}"),
    "row_D": Text("BP（D，从 0 开始）", "BP on D from 0"),
    "row_D4": Text("BP（D+{x}，接着训练）", "BP on D+{x}, continued"),
    "row_other": Text("{loss}（D+{x}）", "{loss} on D+{x}"),
    "epoch": Text("第 {n} 轮", "epoch {n}"),
    "label": Text("异常点实验：t = {t} 时加入 {x} 前后 PLA 与 BP 的分类面，及训练过程中逐轮的分类面",
                  "Outlier experiment: PLA's and BP's boundaries before and after adding {x} "
                  "at t = {t}, and the boundary epoch by epoch"),
}
FRAME_TITLE_SIZE = 8  # points: small panels, still readable

MAX_FRAMES = 6
BOX = 2.5   # the view is at least [−BOX, BOX]²; x4 further out is drawn at the edge with its coordinate


def _line(ax, coef, b, box: float = BOX, **kw) -> None:
    w1, w2 = float(coef[0]), float(coef[1])
    if w1 == 0 and w2 == 0:
        return
    s = np.linspace(-box, box, 2)
    if abs(w2) >= abs(w1):
        ax.plot(s, -(b + w1 * s) / w2, **kw)
    else:
        ax.plot(-(b + w2 * s) / w1, s, **kw)


def _points(ax, X, y, t: float | None, small: bool = False, box: float = BOX,
            lang: str = "en") -> None:
    """D's samples x1, x2, ...; with ``t``, the last row of X is the added sample."""
    X = np.asarray(X, dtype=np.float64)
    n = len(X) - (t is not None)
    for i, ((x1, x2), lab) in enumerate(zip(X[:n], y, strict=False)):
        ax.scatter([x1], [x2], marker="o" if lab > 0 else "x", c="C0" if lab > 0 else "C3",
                   s=25 if small else 60, zorder=5)
        if not small:
            ax.annotate(f"x{i + 1}", (x1, x2), textcoords="offset points", xytext=(6, 6))
    if t is not None:
        p = X[n]
        far = float(np.abs(p).max())
        inside = far <= box
        # further out: drawn at the edge, in its direction, as an arrowhead pointing there
        px, py = (float(p[0]), float(p[1])) if inside else (
            (0.0 if p[0] == 0 else p[0] / far * (box - 0.05)),
            (0.0 if p[1] == 0 else p[1] / far * (box - 0.05)))
        edge = ("v" if py < 0 else "^") if abs(py) >= abs(px) else ("<" if px < 0 else ">")
        ax.scatter([px], [py], marker="o" if inside else edge, c="C2", s=25 if small else 70,
                   zorder=6)
        if not small:
            note = (f"x{n + 1} = ({p[0]:g}, {p[1]:g})"
                    + ("" if inside else T["off"](lang)) + ("" if y[n] > 0 else ", y = −1"))
            ax.annotate(note, (px, py), xytext=(px + 0.3, py + 0.5),
                        arrowprops=None if inside else {"arrowstyle": "->", "color": "C2"},
                        color="C2", zorder=7,  # above the boundaries, on a white ground
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85})
    ax.set_xlim(-box, box)
    ax.set_ylim(-box, box)
    ax.set_aspect("equal")


def _pick(frames: list[Frame], k: int = MAX_FRAMES) -> list[Frame]:
    """At most k frames: the first, the last, and roughly log-spaced ones between."""
    if len(frames) <= k:
        return frames
    idx = np.unique(np.round(np.linspace(0, len(frames) - 1, k)).astype(int))
    return [frames[i] for i in idx]


def _frames_row(axes, frames: list[Frame], X, y, t, title: str, color: str,
                box: float = BOX, lang: str = "en") -> None:
    frames = _pick(frames)
    for ax, fr in zip(axes, frames, strict=False):
        _points(ax, X, y, t, small=True, box=box)
        _line(ax, fr.coef, fr.intercept, box, color=color, lw=1.5)
        ax.set_title(f"{title}\n{T['epoch'].format(n=int(fr.epoch))(lang)}",
                     fontsize=FRAME_TITLE_SIZE)
        ax.set_xticks([])   # the big panel carries the scale; ticks on 20 panels cost seconds
        ax.set_yticks([])
    for ax in axes[len(frames):]:
        ax.axis("off")


def plot_outlier(res: OutlierExperiment, t: float | None = None, lang: str = "en"):
    """Boundaries before/after adding x4(t) (default: the largest t), and per-epoch frames."""
    lang = figure_lang(lang)
    if not res.rows:
        raise DataError("plot_outlier: the experiment has no t values", hint="run it with ts=(...)")
    row = res.rows[-1] if t is None else min(res.rows, key=lambda r: abs(r.t - t))
    if t is not None and abs(row.t - t) > 1e-12 * max(1.0, abs(t)):
        raise DataError(f"plot_outlier: t = {t:g} was not run",
                        hint=f"choose one of {', '.join(f'{r.t:g}' for r in res.rows)}")
    X4 = res.X + [row.x4]
    y4 = res.y + [res.x4_label]
    x4 = f"x{len(res.X) + 1}"
    other = (T["ce"] if row.ce.loss == "logistic" else T["sq"])(lang)
    box = max(BOX, 1.25 * float(np.abs(np.asarray(res.X)).max()))  # D inside the view
    ncols = min(MAX_FRAMES, max(len(row.bp.frames), len(res.bp_D.frames), len(row.ce.frames)))
    ncols = max(ncols, 4)
    fig, axes = new_figure(4, ncols, figsize=(1.9 * ncols, 12),
                           gridspec_kw={"height_ratios": [2.4, 1, 1, 1]})
    for ax in axes[0]:
        ax.remove()
    main = fig.add_subplot(axes[1, 0].get_gridspec()[0, : ncols // 2])
    _points(main, X4, y4, row.t, box=box, lang=lang)
    _line(main, res.pla_D.coef, res.pla_D.intercept, box, color="C1", ls="--",
          label=T["pla_D"].format(eq=res.pla_D.equation)(lang))
    _line(main, row.pla_scaled.coef, row.pla_scaled.intercept, box, color="C1",
          label=T["pla_D4"].format(x=x4, eq=row.pla_scaled.equation)(lang))
    _line(main, res.bp_D.coef, res.bp_D.intercept, box, color="C0", ls="--",
          label=T["bp_D"].format(eq=res.bp_D.equation)(lang))
    _line(main, row.bp.coef, row.bp.intercept, box, color="C0", ls=":", lw=2.5,
          label=T["bp_D4"].format(x=x4, eq=row.bp.equation)(lang))
    _line(main, row.ce.coef, row.ce.intercept, box, color="C4",
          label=T["other_D4"].format(loss=other, x=x4, eq=row.ce.equation)(lang))
    t_text = fmt_num(row.t)
    main.set_title(T["title"].format(t=t_text, x=x4)(lang))
    main.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    main.set_xlabel("x1")
    main.set_ylabel("x2")
    _frames_row(axes[1], res.bp_D.frames, res.X, res.y, None, T["row_D"](lang), "C0", box, lang)
    _frames_row(axes[2], row.bp.frames, X4, y4, row.t, T["row_D4"].format(x=x4)(lang), "C0",
                box, lang)
    _frames_row(axes[3], row.ce.frames, X4, y4, row.t,
                T["row_other"].format(loss=other, x=x4)(lang), "C4", box, lang)
    fig.subplots_adjust(hspace=0.45, wspace=0.3)
    return label(fig, T["label"].format(t=t_text, x=x4)(lang))
