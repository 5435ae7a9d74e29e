"""Renderers and figures for exercise 3: text (Rich), Markdown, JSON; zh and en.

They only format :class:`BackpropDerivation`, :class:`GradientCheck` and
:class:`VanishingSweep`; every number comes from them.
"""

from __future__ import annotations

from nndl.deep.backprop import GradientCheck
from nndl.deep.derivation import BackpropDerivation, BackpropReport
from nndl.deep.vanish import VanishingSweep
from nndl.report import cases_to_plain, check_format, fit_tables, latex_to_plain, rich_to_text
from nndl.report import to_json as to_json_text
from nndl.text import Text

SECTIONS = (("theta", Text("激活函数及其导数", "The activation and its derivative")),
            ("forward", Text("前向传播", "Forward pass")),
            ("delta", Text("δ 递推（反向传播）", "The δ recursion (backward pass)")),
            ("gradient", Text("各层参数的梯度", "Gradients of every layer's weights")),
            ("unrolled", Text("展开成链式法则的乘积之和（题中的写法）",
                              "Unrolled into sums of chain-rule products (the sheet's form)")),
            ("vanishing", Text("梯度消失", "Vanishing gradient")))


BIAS_INPUT = Text("x₀⁽ˡ⁾ = 1 是偏置的输入，所以 w₀ⱼ⁽ˡ⁾ 就是偏置。",
                  "x₀⁽ˡ⁾ = 1 is the bias input, so w₀ⱼ⁽ˡ⁾ is the bias.")
BIAS_ROW = Text("W⁽ˡ⁺¹⁾δ⁽ˡ⁺¹⁾ 中的 W⁽ˡ⁺¹⁾ 不含偏置行 w₀ⱼ⁽ˡ⁺¹⁾（x₀ = 1 是常数，不向下传梯度）。",
                "In W⁽ˡ⁺¹⁾δ⁽ˡ⁺¹⁾, W⁽ˡ⁺¹⁾ excludes the bias row w₀ⱼ⁽ˡ⁺¹⁾ (x₀ = 1 is a constant, it "
                "passes no gradient down).")


def _explain(d: BackpropDerivation, lang: str) -> str:
    if d.activation == "sigmoid":
        return Text(f"第 l 层的梯度含有第 l 层到第 {d.depth} 层的每一个 θ′ 因子，而 Sigmoid 的 θ′ ≤ 1/4，"
                    f"所以越靠前的层梯度越小（第 1 层至多乘上 (1/4)^{d.depth}），网络越深越明显：梯度消失。",
                    f"Layer l's gradient carries one θ′ factor for every layer from l to {d.depth}, and "
                    f"the sigmoid's θ′ ≤ 1/4, so the earlier the layer the smaller its gradient (layer 1 "
                    f"is multiplied by at most (1/4)^{d.depth}), the more so the deeper the network: "
                    f"the vanishing gradient.")(lang)
    return Text("第 l 层的梯度含有第 l 层之后每一层的 θ′ 因子与权重矩阵的乘积。",
                "Layer l's gradient carries the product of θ′ factors and weight matrices of every "
                "layer after it.")(lang)


def to_text(result: BackpropReport | VanishingSweep, lang: str = "zh", width: int | None = None,
            color: bool = False) -> str:
    """The terminal text of a backprop report or a vanishing sweep."""
    check_format("text", lang)
    if isinstance(result, VanishingSweep):
        return _vanish(result, "text", lang, width, color)
    return _backprop(result.derivation, result.check, "text", lang, width, color)


def to_markdown(result: BackpropReport | VanishingSweep, lang: str = "zh") -> str:
    check_format("md", lang)
    if isinstance(result, VanishingSweep):
        return _vanish(result, "md", lang)
    return _backprop(result.derivation, result.check, "md", lang)


def to_json(result: BackpropReport | VanishingSweep) -> str:
    return to_json_text(result)


def _backprop(d: BackpropDerivation, check: GradientCheck | None, fmt: str, lang: str,
              width: int | None = None, color: bool = False) -> str:
    title = Text(f"习题 3：{d.depth} 层（{_ACT[d.activation].zh}）全连接网络的反向传播",
                 f"Exercise 3: backpropagation through a {d.depth}-layer {d.activation} network")(lang)
    note = BIAS_ROW(lang)
    md = fmt == "md"
    out = [f"## {title}" if md else title, ""]
    for key, heading in SECTIONS:
        out.append(f"### {heading(lang)}" if md else f"== {heading(lang)} ==")
        for eq in getattr(d, key):
            if md:
                out.append(f"$$ {eq} $$")
            else:  # Unicode; the index form and the vector form on lines of their own
                out += [f"  {latex_to_plain(cases_to_plain(part, lang))}" for part in eq.split(r"\qquad")]
        if key == "delta":
            out.append(note)
        if key == "forward":
            out.append(BIAS_INPUT(lang))
        out.append("")
    out.append(_explain(d, lang))
    out.append("")
    # text: lines wrapped at the terminal's width (a long product breaks between its factors)
    text = "\n".join(out) if md else rich_to_text(*out, width=width, color=color)
    if check is None:
        return text + "\n" if md else text
    return text + _render_check(check, fmt, lang, width, color)


_ACT = {"sigmoid": Text("Sigmoid", "sigmoid"), "tanh": Text("Tanh", "tanh"),
        "relu": Text.same("ReLU"), "identity": Text("恒等函数", "identity")}
_LOSS = {"squared": Text("平方误差损失", "squared loss"), "bce": Text("二元交叉熵损失", "binary cross-entropy")}
_INIT = {"pytorch": Text("PyTorch 默认初始化", "PyTorch's default init"),
         "xavier": Text("Xavier 初始化", "Xavier init"), "he": Text("He 初始化", "He init")}


def _render_check(c: GradientCheck, fmt: str, lang: str, width: int | None = None,
                  color: bool = False) -> str:
    sizes = "-".join(map(str, c.sizes))
    act, loss, init = _ACT[c.activation], _LOSS[c.loss], _INIT[c.init]
    head = Text(f"数值实例：{sizes} 网络，激活函数 {act.zh}，{loss.zh}，{init.zh}，随机种子 {c.seed}",
                f"Numeric instance: a {sizes} network, {act.en}, {loss.en}, {init.en}, "
                f"seed {c.seed}")(lang)
    lines = [head, f"x = {[round(v, 6) for v in c.x]}, y = {[round(v, 6) for v in c.y]}, "
                   f"ŷ = {[round(v, 6) for v in c.yhat]}, ℓ = {c.loss_value:.10g}"]
    for l, (dl, th) in enumerate(zip(c.deltas, c.dtheta, strict=True), start=1):
        lines.append(f"δ^({l}) = {[float(f'{v:.6g}') for v in dl]}; θ′(S^({l})) = "
                     f"{[float(f'{v:.6g}') for v in th]}")
    cols = [Text("层", "layer")(lang), Text("δ 递推与引擎之差", "δ recursion vs engine")(lang),
            Text("δ 递推与有限差分之差", "δ recursion vs finite diff.")(lang),
            Text("引擎与有限差分之差", "engine vs finite diff.")(lang)]
    rows = [[str(l)] + [f"{v:.3e}" for v in d.values()]
            for l, d in enumerate(c.layer_max_abs_diff, start=1)]
    verdict = Text(f"三种方法{'一致' if c.agree else '不一致'}（最大绝对误差 ≤ {c.tolerance:g}；"
                   f"有限差分步长 h = {c.fd_step:g}，中心差分误差约 h²）。",
                   f"The three routes {'agree' if c.agree else 'DISAGREE'} (max abs diff ≤ "
                   f"{c.tolerance:g}; finite-difference step h = {c.fd_step:g}, central "
                   f"differences err by about h²).")(lang)
    if fmt == "md":
        out = ["### " + head, "", *("- " + s for s in lines[1:]), "",
               "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(out + ["", verdict, ""])
    tables = fit_tables(cols, rows, width, title=Text(
        "每层梯度的最大绝对差", "Max abs difference of each layer's gradient")(lang))
    return rich_to_text(*lines, *tables, verdict, width=width, color=color)


# ------------------------------------------------------------------ vanishing
# zh names an activation and an initialisation as a Chinese reader says them ("Sigmoid ·
# PyTorch 默认初始化"); en keeps the names as typed on the command line ("sigmoid/pytorch")
_COMBO = Text("{act} · {init}", "{a}/{i}")
_MEAN_DTHETA = Text("{init}：σ′ 的均值", "{i}: mean σ′")
_PROD_DTHETA = Text("{init}：∏σ′", "{i}: ∏σ′")
_AT_DEPTH = Text("深度 {d} 时的 ‖∂ℓ/∂W⁽¹⁾‖", "‖∂ℓ/∂W⁽¹⁾‖ @ {d}")


def combo_label(activation: str, init: str, lang: str) -> str:
    """A column or row name for one activation with one initialisation."""
    return _COMBO.format(act=_ACT[activation].zh, init=_INIT[init].zh, a=activation,
                         i=init)(lang)


def _vanish(s: VanishingSweep, fmt: str, lang: str, width: int | None = None,
            color: bool = False) -> str:
    D = max(s.depths)
    title = Text("梯度消失：各层梯度范数 ‖∂ℓ/∂W⁽ˡ⁾‖", "The vanishing gradient: ‖∂ℓ/∂W⁽ˡ⁾‖ per layer")(lang)
    setup = Text(f"{D} 个隐藏层 × {s.width} 个单元 + 线性输出层；一批 {s.batch} 个样本（随机种子 {s.seed}），"
                 f"损失为这批样本的平方误差之和；范数含偏置行。",
                 f"{D} hidden layers × {s.width} units + a linear output layer; batch {s.batch} "
                 f"(seed {s.seed}), loss summed squared error over the batch; norms include the bias row.")(lang)
    combos = [(a, i) for a in s.activations for i in s.inits]
    cols1 = [Text("层", "layer")(lang)] + [combo_label(a, i, lang) for a, i in combos]
    rows1 = []
    for l in range(1, D + 2):
        rows1.append([str(l) + (Text("（输出）", " (out)")(lang) if l == D + 1 else "")] +
                     [f"{s.run(a, i, D).layers[l - 1].grad_norm:.3e}" for a, i in combos])
    sig = [(a, i) for a, i in combos if a == "sigmoid"]
    cols2 = [Text("层", "layer")(lang)]
    for _, i in sig:
        cols2 += [_MEAN_DTHETA.format(init=_INIT[i].zh, i=i)(lang),
                  _PROD_DTHETA.format(init=_INIT[i].zh, i=i)(lang)]
    cols2.append("0.25^(L−l+1)")
    rows2 = []
    for l in range(1, D + 1):
        r = [str(l)]
        for a, i in sig:
            lay = s.run(a, i, D).layers[l - 1]
            r += [f"{lay.mean_dtheta:.4f}", f"{lay.dtheta_product:.3e}"]
        r.append(f"{0.25 ** (D - l + 1):.3e}")
        rows2.append(r)
    cols3 = [Text("激活/初始化", "activation/init")(lang),
             Text("每层的 log10 斜率", "log10 slope per layer")(lang),  # short words: the
             Text("每层的倍数", "factor per extra layer")(lang),         # table fits 80 columns
             _AT_DEPTH.format(d=min(s.depths))(lang), _AT_DEPTH.format(d=D)(lang)]
    rows3 = [[combo_label(t.activation, t.init, lang), f"{t.slope_log10_per_layer:+.3f}",
              f"{t.factor_per_layer:.3f}",
              f"{s.run(t.activation, t.init, min(s.depths)).first_layer_norm:.3e}",
              f"{s.run(t.activation, t.init, D).first_layer_norm:.3e}"] for t in s.trends]
    summary = _summary(s, lang)
    names = (Text(f"深度 {D} 时各层梯度范数", f"Per-layer gradient norms at depth {D}")(lang),
             Text("Sigmoid：θ′ 因子之积与 0.25^k 上界", "Sigmoid: product of θ′ factors vs the 0.25^k bound")(lang),
             Text("第 1 层梯度随深度的变化", "First-layer gradient vs depth")(lang))
    tables = [(names[0], cols1, rows1), (names[1], cols2, rows2)]
    if len(s.depths) > 1:  # one depth has no trend over depth (its slope is NaN)
        tables.append((names[2], cols3, rows3))
    if fmt == "md":
        out = [f"## {title}", "", setup, ""]
        for name, cols, rows in tables:
            if len(cols) <= 1:
                continue
            out += [f"### {name}", "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
            out += ["| " + " | ".join(r) + " |" for r in rows] + [""]
        return "\n".join(out + [*("- " + x for x in summary), ""])
    items = [title, setup]
    for name, cols, rows in tables:
        if len(cols) <= 1 or (name == names[1] and not sig):
            continue
        items += fit_tables(cols, rows, width, title=name)
    items += [f"• {x}" for x in summary]
    return rich_to_text(*items, width=width, color=color)


ONE_DEPTH = Text("只测了一个深度（{d} 个隐藏层），无法得出每加一层梯度乘以多少；比较多个深度请用 "
                 "-d 2-30 或 -d 2,5,10。",
                 "One depth only ({d} hidden layers): the factor per extra layer needs several "
                 "depths; compare them with -d 2-30 or -d 2,5,10.")


def _summary(s: VanishingSweep, lang: str) -> list[str]:
    if len(s.depths) < 2:
        return [ONE_DEPTH.format(d=s.depths[0])(lang)]
    out = []
    for i in s.inits:
        tr = {t.activation: t for t in s.trends if t.init == i}
        parts = Text("，".join(f"{_ACT[a].zh} ×{t.factor_per_layer:.3g}" for a, t in tr.items()),
                     ", ".join(f"{a} ×{t.factor_per_layer:.3g}" for a, t in tr.items()))
        line = Text(f"{_INIT[i].zh}：每多一层，第 1 层梯度范数约乘以 {parts.zh}",
                    f"init {i}: each extra layer multiplies the first layer's gradient norm by "
                    f"about {parts.en}")
        if "sigmoid" in tr and "relu" in tr:  # said in the same line: one line per init
            faster = tr["sigmoid"].slope_log10_per_layer < tr["relu"].slope_log10_per_layer
            line += Text(f"；Sigmoid 的衰减{'快于' if faster else '不快于'} ReLU",
                         f"; the sigmoid's decays {'faster' if faster else 'NOT faster'} than "
                         "ReLU's")
        out.append((line + Text("。", "."))(lang))
    return out


def plot_vanishing(s: VanishingSweep, depth: int | None = None, lang: str = "en"):
    """The sweep's figure, in zh or en: drawn by :mod:`nndl.deep.plots`."""
    from nndl.deep.plots import plot_vanishing as draw

    return draw(s, depth, lang)
