"""Curves of f and f′ for any selection of activations, saturation regions shaded.

Each activation's saturation regions get their own horizontal strip of the f′ panel
(``ymin``/``ymax`` of the span), so two activations' shading never overlap into a mix of
colours. Words come from the zh/en text layer; ``lang="zh"`` needs a CJK font
(:func:`nndl.plotting.figure_lang` falls back to English without one).
"""

from __future__ import annotations

import math

import numpy as np

from nndl.activations.measure import SATURATION, measure
from nndl.activations.registry import resolve
from nndl.plotting import figure_lang, label, new_figure
from nndl.text import Text

T = {
    "title": Text("激活函数及其导数（阴影：饱和区）",
                  "Activation functions and their derivatives (shaded: saturation)"),
    "shade": Text("{name}：|f′| < 最大值的 {pct}", "{name}: |f′| < {pct} of max"),
    "label": Text("{names} 的 f(x)（上）与 f′(x)（下），x 从 {lo} 到 {hi}；阴影为饱和区",
                  "f(x) (top) and f′(x) (bottom) of {names}, x from {lo} to {hi}; shaded: saturation"),
    "sep": Text("、", ", "),
}


def curves(names=None, xlim: tuple[float, float] = (-8.0, 8.0), points: int = 1601,
           lang: str = "en"):
    """A figure with f (top) and f′ (bottom); where |f′| < 1 % of its maximum is shaded."""
    lang = figure_lang(lang)
    acts = resolve(names)
    x = np.linspace(xlim[0], xlim[1], points)
    fig, (ax_f, ax_d) = new_figure(2, 1, figsize=(7.5, 7), sharex=True)
    strip = 1.0 / len(acts)
    pct = f"{SATURATION:.0%}"
    for i, act in enumerate(acts):
        color = f"C{i % 10}"
        title = act.label(lang)
        ax_f.plot(x, act.f(x), color=color, label=title)
        ax_d.plot(x, act.df(x), color=color, label=f"{title}′")
        props = measure(act.name, cost=False)
        first = True
        for s in props.saturation:
            lo, hi = max(s.lo, xlim[0]), min(s.hi, xlim[1])
            if hi > lo and not math.isinf(lo - hi):
                shade = T["shade"].format(name=title, pct=pct)(lang) if first else None
                ax_d.axvspan(lo, hi, ymin=i * strip, ymax=(i + 1) * strip, color=color,
                             alpha=0.18, lw=0, label=shade)
                first = False
    ax_f.set_ylabel("f(x)")
    ax_d.set_ylabel("f′(x)")
    ax_d.set_xlabel("x")
    ax_f.set_title(T["title"](lang))
    for ax in (ax_f, ax_d):
        ax.axhline(0, color="0.4", lw=0.6)
        ax.axvline(0, color="0.4", lw=0.6)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside: no curve hidden
    ax_d.set_xlim(*xlim)
    return label(fig, T["label"].format(
        names=T["sep"](lang).join(a.label(lang) for a in acts),
        lo=f"{xlim[0]:g}".replace("-", "−"), hi=f"{xlim[1]:g}".replace("-", "−"))(lang))


def save_curves(path, names=None, xlim: tuple[float, float] = (-8.0, 8.0), lang: str = "en"):
    from nndl.plotting import save_figure

    return save_figure(curves(names, xlim, lang=lang), path)
