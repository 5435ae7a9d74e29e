"""Exercise 5: parameters of a fully connected and a convolutional first layer on a 300×300 RGB
image, and the number of output neurons of the convolution."""

from __future__ import annotations

from nndl.solutions._layers import layer_formulas, layer_table, shape_textbook, verification_checks
from nndl.solutions.model import (
    Answer,
    Erratum,
    Paragraph,
    Section,
    Solution,
    Text,
    fmt_int,
    problem_text,
    problems,
)
from nndl.summary import summary
from nndl.summary.core import spec_model


def _summarise(spec: str):
    model, in_shape = spec_model(spec)
    return summary(model, in_shape, verify=True), model


def build(full: bool = False) -> Solution:
    title, statement = problem_text(5)
    specs = problems()[5]["specs"]
    fc, fc_model = _summarise(specs["fc"])
    conv, conv_model = _summarise(specs["conv"])
    fc_row = next(r for r in fc.layers if r.type == "Linear")
    conv_row = conv.layers[0]
    c, h, w = conv_row.input_shape
    k, h2, w2 = conv_row.output_shape

    sec1 = Section(Text("（1）全连接", "(1) Fully connected"), [
        Paragraph(Text(
            f"RGB 图像有 {c} 个通道，展平后输入 N_in = {w}×{h}×{c} 个数；每个神经元对每个输入有一个权重，"
            "另有一个偏置（常数项）。",
            f"An RGB image has {c} channels, so the flattened input has N_in = {w}×{h}×{c} values; each "
            "neuron has one weight per input plus one bias.")),
        *[m for row in fc.layers for m in layer_formulas(row)],
        layer_table(fc),
    ])
    sec2 = Section(Text("（2）卷积", "(2) Convolution"), [
        Paragraph(Text(
            "每个滤波器有 F·F·D1 个权重和 1 个偏置；共 K 个滤波器。输出边长由 W2 = (W1 − F + 2P)/S + 1 给出"
            "（P = 0，S = 1）。",
            "Each filter has F·F·D1 weights and one bias, and there are K filters. The output side is "
            "W2 = (W1 − F + 2P)/S + 1 (here P = 0, S = 1).")),
        *layer_formulas(conv_row),
        layer_table(conv),
        Paragraph(Text(
            f"对比：全连接层 {fmt_int(fc_row.params)} 个参数，卷积层只有 {fmt_int(conv_row.params)} 个"
            f"（约 1/{round(fc_row.params / conv_row.params):,}）：卷积在所有位置共享同一组滤波器权重。",
            f"Compare: {fmt_int(fc_row.params)} parameters fully connected, {fmt_int(conv_row.params)} "
            f"for the convolution (about 1/{round(fc_row.params / conv_row.params):,}): a convolution shares "
            "one set of filter weights across all positions.")),
    ])
    checks = (verification_checks(fc, fc_model, Text("（1）全连接：", "(1) fully connected: "))
              + verification_checks(conv, conv_model, Text("（2）卷积：", "(2) convolution: ")))

    # the sheet's "(300 - 5 / 1) + 1": as written only F is divided by S; equal here because S = 1
    f_side = next(f for f in conv_row.formulas if f.name.startswith("W2"))
    stride = conv_model[0].stride[0]
    kernel = conv_model[0].kernel_size[0]
    as_written = (w - kernel / stride) + 1
    errata = [Erratum(Text(
        f"原答案写作 “(300 − 5 / 1) + 1”，按运算优先级只把 F 除以了 S；正确的公式是 "
        f"(W1 − F + 2P)/S + 1，即 {f_side.substituted} = {f_side.value}。此处因 S = {stride}，两者恰好相等"
        f"（{as_written:g}），步长不为 1 时就会出错。",
        f"The sheet writes \"(300 − 5 / 1) + 1\", which by operator precedence divides only F by S; the "
        f"formula is (W1 − F + 2P)/S + 1, i.e. {f_side.substituted} = {f_side.value}. The two agree here "
        f"({as_written:g}) only because S = {stride}; with another stride they differ."))]

    answers = [
        Answer("fc_params", Text("（1）全连接层参数量", "(1) parameters, fully connected"),
               fc_row.params, fmt_int(fc_row.params)),
        Answer("conv_params", Text("（2）卷积层参数量", "(2) parameters, convolution"),
               conv_row.params, fmt_int(conv_row.params)),
        Answer("conv_output_shape", Text("（2）卷积输出尺寸 W2×H2×D2", "(2) convolution output W2×H2×D2"),
               [w2, h2, k], shape_textbook(conv_row.output_shape)),
        Answer("conv_neurons", Text("（2）卷积输出神经元个数", "(2) output neurons of the convolution"),
               conv_row.neurons, f"{w2}×{h2}×{k} = {fmt_int(conv_row.neurons)}"),
    ]
    return Solution(5, title, statement, [sec1, sec2], answers, checks, errata)
