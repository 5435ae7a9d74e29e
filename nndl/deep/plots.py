"""The figure of the vanishing-gradient sweep, in zh or en (Chinese needs a CJK font: without
one :func:`nndl.plotting.figure_lang` draws the English figure).

Three kinds of panel: ‖∂ℓ/∂W⁽ˡ⁾‖ per layer for each activation (log scale), the first
layer's norm against depth, and the sigmoid's product of mean σ′ factors against 0.25^(L−l+1).
"""

from __future__ import annotations

import numpy as np

from nndl.activations.registry import get
from nndl.deep.vanish import VanishingSweep
from nndl.plotting import figure_lang, integer_ticks, label, new_figure
from nndl.text import Text

T = {
    "panel": Text("{a}：{D} 个隐藏层 + 线性输出层", "{a}: {D} hidden layers + linear output"),
    "layer": Text("层 l", "layer l"),
    "init": Text("{i}", "init {i}"),
    "depth_title": Text("第 1 层梯度范数随深度的变化", "first layer's gradient norm vs depth"),
    "depth": Text("隐藏层数", "hidden layers"),
    "prod": Text("σ′ 均值之积（{i}）", "product of mean σ′ ({i})"),
    "bound": Text("上界 0.25^(L−l+1)", "bound 0.25^(L−l+1)"),
    "sig_title": Text("Sigmoid：σ′ 因子之积，L = {D}", "Sigmoid: product of σ′ factors, L = {D}"),
    "label": Text("梯度消失实测：{acts} 网络各层权重梯度的范数（对数坐标），第 1 层梯度范数随深度的变化，"
                  "以及 Sigmoid 网络中 σ′ 因子之积",
                  "The vanishing gradient, measured: the weight-gradient norm per layer of {acts} "
                  "networks (log scale), the first layer's norm against depth, and the product of "
                  "σ′ factors in the sigmoid network"),
    "sep": Text("、", ", "),
}
# the initialisations by the names a reader knows them by
INIT_NAMES = {
    "pytorch": Text("PyTorch 默认初始化", "PyTorch's default init"),
    "xavier": Text("Xavier 初始化", "Xavier init"),
    "he": Text("He 初始化", "He init"),
}


def _init(i: str, lang: str) -> str:
    return INIT_NAMES[i](lang) if i in INIT_NAMES else T["init"].format(i=i)(lang)


def _act(a: str, lang: str) -> str:
    return get(a).label(lang)


def plot_vanishing(s: VanishingSweep, depth: int | None = None, lang: str = "en"):
    """Log-scale ‖∂ℓ/∂W⁽ˡ⁾‖ vs layer per activation, first-layer norm vs depth, σ′ products.
    Line style = initialisation (one legend for the figure), colour = activation."""
    from matplotlib.lines import Line2D

    lang = figure_lang(lang)
    D = max(s.depths) if depth is None else depth
    n = len(s.activations)
    cols = max(n, 2)
    fig, axes = new_figure(2, cols, figsize=(4.2 * cols, 8), squeeze=False, layout="constrained")
    styles = dict(zip(s.inits, ("-", "--", ":"), strict=False))
    for k, (ax, a) in enumerate(zip(axes[0], s.activations, strict=False)):
        for i in s.inits:
            r = s.run(a, i, D)
            ax.semilogy([L.layer for L in r.layers], [max(L.grad_norm, 1e-300) for L in r.layers],
                        styles[i], marker=".", color=f"C{k}")
        ax.set_title(T["panel"].format(a=_act(a, lang), D=D)(lang))
        ax.set_xlabel(T["layer"](lang))
        ax.set_ylabel("‖∂ℓ/∂W⁽ˡ⁾‖")
        integer_ticks(ax)
    for ax in axes[0][n:]:
        ax.axis("off")
    # one legend for the line styles (initialisations), above all panels
    fig.legend([Line2D([], [], color="0.2", ls=styles[i]) for i in s.inits],
               [_init(i, lang) for i in s.inits], loc="outside upper center", ncol=len(s.inits))
    ax = axes[1][0]
    for k, a in enumerate(s.activations):
        for i in s.inits:
            ys = [max(s.run(a, i, d).first_layer_norm, 1e-300) for d in s.depths]
            ax.semilogy(s.depths, ys, styles[i], color=f"C{k}")
    ax.set_title(T["depth_title"](lang))
    ax.set_xlabel(T["depth"](lang))
    ax.set_ylabel("‖∂ℓ/∂W⁽¹⁾‖")
    integer_ticks(ax)
    ax.legend([Line2D([], [], color=f"C{k}") for k in range(n)],
              [_act(a, lang) for a in s.activations], loc="lower left")
    ax = axes[1][1]
    if "sigmoid" in s.activations:
        for i in s.inits:
            r = s.run("sigmoid", i, D)
            ax.semilogy([L.layer for L in r.layers[:D]], [L.dtheta_product for L in r.layers[:D]],
                        styles[i], marker=".", color="C0",
                        label=T["prod"].format(i=_init(i, lang))(lang))
        ls = np.arange(1, D + 1)
        ax.semilogy(ls, 0.25 ** (D - ls + 1), "k-", lw=2, alpha=0.5, label=T["bound"](lang))
        ax.set_title(T["sig_title"].format(D=D)(lang))
        ax.set_xlabel(T["layer"](lang))
        integer_ticks(ax)
        ax.legend(loc="upper left")
    else:
        ax.axis("off")
    for ax in axes[1][2:]:
        ax.axis("off")
    return label(fig, T["label"].format(
        acts=T["sep"](lang).join(_act(a, lang) for a in s.activations))(lang))
