"""Exercise 3: gradients of a network with two sigmoid hidden layers and a sigmoid output
(the δ recursion in the sheet's notation), a numeric instance checked three ways, and the
vanishing gradient measured."""

from __future__ import annotations

from nndl.deep import check_gradients, derive_backprop, vanishing_sweep
from nndl.deep.render import plot_vanishing
from nndl.plotting import figure_bytes
from nndl.solutions.model import (
    Answer,
    Check,
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

SEED_SIZES = (3, 4, 3, 1)  # input, two sigmoid hidden layers, one sigmoid output (the sheet's net)


def _maths(latex: list[str]) -> list[Math]:
    return [Math(t) for t in latex]


def build(full: bool = False) -> Solution:
    title, statement = problem_text(3)
    d = derive_backprop(depth=3, activation="sigmoid")
    sections = [
        Section(Text("网络与记号（与原题一致）", "The network and the sheet's notation"), [
            Paragraph(Text("θ 为 Sigmoid，$x_0^{(l)} = 1$ 承担偏置；第 l 层的输入与输出：",
                           "θ is the sigmoid and $x_0^{(l)} = 1$ carries the bias; layer l's input and output:")),
            *_maths(d.theta + d.forward)]),
        Section(Text("δ 递推（反向传播）", "The δ recursion (backpropagation)"), [
            Paragraph(Text("定义 $\\delta_j^{(l)} = \\partial \\ell_n / \\partial S_j^{(l)}$。输出层直接由链式法则得到，"
                           "隐含层由后一层的 δ 递推：",
                           "Let $\\delta_j^{(l)} = \\partial \\ell_n / \\partial S_j^{(l)}$. The output layer follows "
                           "from the chain rule directly, each hidden layer from the next layer's δ:")),
            *_maths(d.delta)]),
        Section(Text("各层参数的梯度", "The gradient of every parameter"), [
            Paragraph(Text("因为 $\\partial S_j^{(l)} / \\partial w_{ij}^{(l)} = x_i^{(l-1)}$：",
                           "Since $\\partial S_j^{(l)} / \\partial w_{ij}^{(l)} = x_i^{(l-1)}$:")),
            *_maths(d.gradient),
            Paragraph(Text("展开成原题的形式（每一项都含该层之后每一层的 θ′ 因子）：",
                           "Unrolled into the sheet's form (each term carries a θ′ factor from every later layer):")),
            *_maths(d.unrolled)]),
        Section(Text("梯度消失的原因", "Why the gradient vanishes"), [*_maths(d.vanishing)]),
    ]

    # a numeric instance: δ recursion (matrix code) vs the engine's autodiff vs finite differences
    g = check_gradients(SEED_SIZES, activation="sigmoid", seed=0)
    rows = []
    for layer, diffs in enumerate(g.layer_max_abs_diff, start=1):
        rows.append([f"W⁽{layer}⁾", "×".join(str(n) for n in (len(g.grads_delta[layer - 1]),
                                                              len(g.grads_delta[layer - 1][0]))),
                     f"{diffs['delta-engine']:.1e}", f"{diffs['delta-fd']:.1e}", f"{diffs['engine-fd']:.1e}"])
    sections.append(Section(Text("数值实例：三种方法算同一个梯度", "A numeric instance: one gradient, three ways"), [
        Paragraph(Text(
            f"网络 {'-'.join(map(str, g.sizes))}（PyTorch 默认初始化，种子 {g.seed}），输入 x = "
            f"({', '.join(fmt_num(v, 3) for v in g.x)})，目标 y = {fmt_num(g.y[0], 3)}，"
            f"平方损失 ℓ = {fmt_num(g.loss_value, 6)}。",
            f"Network {'-'.join(map(str, g.sizes))} (PyTorch's default initialisation, seed {g.seed}), "
            f"input x = ({', '.join(fmt_num(v, 3) for v in g.x)}), target y = {fmt_num(g.y[0], 3)}, "
            f"squared loss ℓ = {fmt_num(g.loss_value, 6)}.")),
        Table([Text("参数", "parameter"), Text("形状", "shape"), Text("δ 递推 vs 自动微分", "δ recursion vs autodiff"),
               Text("δ 递推 vs 差分", "δ recursion vs finite diff."), Text("自动微分 vs 差分", "autodiff vs finite diff.")],
              rows, caption=Text("最大绝对误差", "largest absolute difference")),
        Paragraph(Text(
            "每层的 θ′(S) 均值：" + "，".join(f"第 {i} 层 {fmt_num(sum(v) / len(v), 3)}"
                                         for i, v in enumerate(g.dtheta, start=1)) + "（都 ≤ 0.25）。",
            "Mean θ′(S) per layer: " + ", ".join(f"layer {i}: {fmt_num(sum(v) / len(v), 3)}"
                                                for i, v in enumerate(g.dtheta, start=1)) + " (all ≤ 0.25).")),
    ]))
    checks = [Check(Text("各层梯度 ∂ℓ/∂W⁽ˡ⁾", "every layer's gradient ∂ℓ/∂W⁽ˡ⁾"),
                    Text("手写 δ 递推（矩阵代码）、引擎自动微分、中心差分三者比较",
                         "hand-written δ recursion (matrix code), the engine's autodiff and central differences"),
                    g.agree, f"max |Δ| = {max(g.max_abs_diff.values()):.1e} ≤ {g.tolerance:g}")]

    # vanishing gradient, measured
    depths = range(2, 31) if full else (2, 4, 6, 8, 10, 15, 20)
    sweep = vanishing_sweep(depths, inits=("pytorch",), width=32, batch=32)
    deepest = max(sweep.depths)
    fig = plot_vanishing(sweep, depth=10 if 10 in sweep.depths else deepest)
    trend = {t.activation: t for t in sweep.trends}
    rows = []
    for depth in sweep.depths:
        rows.append([str(depth)] + [f"{sweep.run(a, 'pytorch', depth).first_layer_norm:.2e}"
                                    for a in sweep.activations])
    sig10 = sweep.run("sigmoid", "pytorch", 10 if 10 in sweep.depths else deepest)
    first = sig10.layers[0]
    sections.append(Section(Text("梯度消失：实测", "The vanishing gradient, measured"), [
        Paragraph(Text(
            f"宽度 {sweep.width} 的全连接网络（PyTorch 默认初始化），测第 1 层权重梯度的范数随深度的变化：",
            f"Fully connected networks of width {sweep.width} (PyTorch's default initialisation): the norm "
            "of the first layer's weight gradient as depth grows:")),
        Table([Text("隐含层数", "hidden layers")] + [Text.same(a) for a in sweep.activations], rows,
              caption=Text("‖∂ℓ/∂W⁽¹⁾‖", "‖∂ℓ/∂W⁽¹⁾‖")),
        Paragraph(Text(
            "每多一层，第 1 层梯度范数大约乘以：" + "，".join(
                f"{a} ×{fmt_num(trend[a].factor_per_layer, 3)}" for a in sweep.activations) + "。"
            f"{sig10.depth} 层 Sigmoid 网络中第 1 层的 θ′ 因子连乘为 {fmt_num(first.dtheta_product, 3)}，"
            f"而 0.25 的上界为 {fmt_num(first.sigmoid_bound, 3)}。",
            "Each extra layer multiplies the first layer's gradient norm by about: " + ", ".join(
                f"{a} ×{fmt_num(trend[a].factor_per_layer, 3)}" for a in sweep.activations) + ". "
            f"In the {sig10.depth}-layer sigmoid network the product of θ′ factors reaching layer 1 is "
            f"{fmt_num(first.dtheta_product, 3)}, against the 0.25-bound {fmt_num(first.sigmoid_bound, 3)}.")),
        Figure("ex3_vanishing", figure_bytes(fig, "svg").decode("utf-8"),
               Text("各层梯度范数（对数坐标）", "gradient norm per layer (log scale)")),
    ]))
    falls_faster = trend["sigmoid"].factor_per_layer < trend["relu"].factor_per_layer
    checks.append(Check(Text("Sigmoid 的梯度随深度衰减得比 ReLU 快", "sigmoid's gradient falls with depth faster than ReLU's"),
                        Text("对 log‖∂ℓ/∂W⁽¹⁾‖ 关于深度做最小二乘拟合", "least-squares fit of log‖∂ℓ/∂W⁽¹⁾‖ against depth"),
                        falls_faster, f"×{fmt_num(trend['sigmoid'].factor_per_layer, 3)} vs "
                                      f"×{fmt_num(trend['relu'].factor_per_layer, 3)} per layer"))
    answers = [
        Answer("delta_output", Text("输出层 δ", "output-layer δ"), d.delta[1], ""),
        Answer("gradient_rule", Text("梯度", "gradient"), d.gradient[-1], ""),
        Answer("three_way_max_diff", Text("三种方法的最大差异", "largest difference between the three routes"),
               max(g.max_abs_diff.values()), f"{max(g.max_abs_diff.values()):.1e}"),
        Answer("sigmoid_factor_per_layer", Text("Sigmoid：每层梯度范数的衰减因子", "sigmoid: factor per layer"),
               trend["sigmoid"].factor_per_layer, fmt_num(trend["sigmoid"].factor_per_layer, 3)),
        Answer("relu_factor_per_layer", Text("ReLU：每层梯度范数的因子", "ReLU: factor per layer"),
               trend["relu"].factor_per_layer, fmt_num(trend["relu"].factor_per_layer, 3)),
    ]
    for a in answers[:2]:
        a.display = f"${a.value}$"
    return Solution(3, title, statement, sections, answers, checks, [])
