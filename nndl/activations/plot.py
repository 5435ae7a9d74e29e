"""Curves of f and f′ for any selection of activations, saturation regions shaded."""

from __future__ import annotations

import math

import numpy as np

from nndl.activations.measure import SATURATION, measure
from nndl.activations.registry import resolve
from nndl.plotting import new_figure


def curves(names=None, xlim: tuple[float, float] = (-8.0, 8.0), points: int = 1601):
    """A figure with f (top) and f′ (bottom); where |f′| < 1 % of its maximum is shaded."""
    acts = resolve(names)
    x = np.linspace(xlim[0], xlim[1], points)
    fig, (ax_f, ax_d) = new_figure(2, 1, figsize=(7, 7), sharex=True)
    for i, act in enumerate(acts):
        color = f"C{i % 10}"
        ax_f.plot(x, act.f(x), color=color, label=act.title)
        ax_d.plot(x, act.df(x), color=color, label=f"{act.title}′")
        props = measure(act.name, cost=False)
        for k, s in enumerate(props.saturation):
            lo, hi = max(s.lo, xlim[0]), min(s.hi, xlim[1])
            if hi > lo and not math.isinf(lo - hi):
                label = (f"{act.title}: |f′| < {SATURATION:.0%} of max" if k == 0 else None)
                ax_d.axvspan(lo, hi, color=color, alpha=0.12, lw=0, label=label)
    ax_f.set_ylabel("f(x)")
    ax_d.set_ylabel("f′(x)")
    ax_d.set_xlabel("x")
    ax_f.set_title("Activation functions and their derivatives (shaded: saturation)")
    for ax in (ax_f, ax_d):
        ax.axhline(0, color="0.4", lw=0.6)
        ax.axvline(0, color="0.4", lw=0.6)
        ax.legend(fontsize=8, loc="upper left")
    ax_d.set_xlim(*xlim)
    return fig


def save_curves(path, names=None, xlim: tuple[float, float] = (-8.0, 8.0)):
    from nndl.plotting import save_figure

    return save_figure(curves(names, xlim), path)
