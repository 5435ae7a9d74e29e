"""Exercise 6: shapes and parameters of the sheet's AlexNet-like network, layer by layer."""

from __future__ import annotations

from nndl.errors import NNDLError
from nndl.solutions._layers import layer_formulas, layer_table, shape_textbook, verification_checks
from nndl.solutions.model import (
    Answer,
    Math,
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


def build(full: bool = False) -> Solution:
    title, statement = problem_text(6)
    spec = problems()[6]["spec"]
    model, in_shape = spec_model(spec)
    s = summary(model, in_shape, verify=True)
    by_name = {r.name: r for r in s.layers}
    conv1, pool1, conv2, pool2 = by_name["Conv-1"], by_name["MaxPool-1"], by_name["Conv-2"], by_name["MaxPool-2"]
    fc1, fc2 = by_name["FC-1"], by_name["FC-2"]

    sections = [Section(Text("逐层计算", "Layer by layer"), [
        Paragraph(Text("同一组层类既用于下表的解析计算，也真的运行前向传播（见“验证”）。",
                       "The same layer classes give the analytic table below and run a real forward "
                       "pass (see the checks)."))])]
    for r in s.layers:
        blocks = [Paragraph(Text(f"输入 {shape_textbook(r.input_shape)} → 输出 {shape_textbook(r.output_shape)}",
                                 f"input {shape_textbook(r.input_shape)} → output {shape_textbook(r.output_shape)}"))]
        blocks += layer_formulas(r)
        if r.implied:
            blocks.append(Paragraph(Text("（全连接层之前隐含的展平，没有参数。）",
                                         "(The flatten implied before a fully connected layer; no parameters.)")))
        sections.append(Section(Text(f"{r.name}（{r.type}）", f"{r.name} ({r.type})"), blocks))
    sections.append(Section(Text("汇总表", "Summary table"), [layer_table(s)]))

    # why 227 and not 224: the calculator itself says what goes wrong
    try:
        summary(spec.replace("227x227", "224x224"))
        note_224 = None
    except NNDLError as exc:
        note_224 = exc.message.split(": ", 1)[-1]
    if note_224:
        sections.append(Section(Text("常见疑问：为什么是 227 而不是 224？", "A common question: why 227, not 224?"), [
            Paragraph(Text(f"若输入取 224×224，第一层：{note_224}。所以 AlexNet 实际输入应为 227×227。",
                           f"With a 224×224 input the first layer gives: {note_224}. So AlexNet's input is "
                           "effectively 227×227.")),
        ]))

    c1, h1, w1 = pool1.output_shape
    c2, h2, w2 = conv2.output_shape
    answers = [
        Answer("conv1_params", Text("（1）输入层到 Conv-1 的参数量", "(1) parameters, input → Conv-1"),
               conv1.params, fmt_int(conv1.params)),
        Answer("maxpool1_output", Text("（2）MaxPool-1 之后的神经元", "(2) neurons after MaxPool-1"),
               [w1, h1, c1], f"{w1}×{h1}×{c1} = {fmt_int(pool1.neurons)}"),
        Answer("maxpool1_neurons", Text("（2）MaxPool-1 神经元个数", "(2) number of neurons after MaxPool-1"),
               pool1.neurons, fmt_int(pool1.neurons)),
        Answer("conv2_image_size", Text("（3）第二次卷积后的图像大小", "(3) image size after the second convolution"),
               [w2, h2], f"{w2}×{h2} (×{c2})"),
        Answer("conv2_params", Text("Conv-2 的参数量", "parameters of Conv-2"), conv2.params, fmt_int(conv2.params)),
        Answer("fc1_params", Text("（4）MaxPool-2 到 FC-1 的参数量", "(4) parameters, MaxPool-2 → FC-1"),
               fc1.params, fmt_int(fc1.params)),
        Answer("fc2_params", Text("（5）FC-1 到 FC-2 的参数量", "(5) parameters, FC-1 → FC-2"),
               fc2.params, fmt_int(fc2.params)),
        Answer("total_params", Text("全网参数总量", "total parameters"), s.total_params, fmt_int(s.total_params)),
    ]
    flat = fc1.input_shape[0]
    sections.append(Section(Text("FC-1 的输入从哪里来", "Where FC-1's input size comes from"), [
        Math(rf"N_{{in}} = W \cdot H \cdot D = {pool2.output_shape[2]} \cdot {pool2.output_shape[1]} \cdot "
             rf"{pool2.output_shape[0]} = {flat:,}".replace(",", "{,}"),
             f"N_in = W·H·D = {pool2.output_shape[2]}·{pool2.output_shape[1]}·{pool2.output_shape[0]} = {flat:,}"),
    ]))
    checks = verification_checks(s, model)
    return Solution(6, title, statement, sections, answers, checks, [])
