"""Exercise 5: parameters of a fully connected and a convolutional first layer on a W×H×D
image (the sheet: 300×300 RGB), and the number of output neurons of the convolution."""

from __future__ import annotations

from dataclasses import dataclass

from nndl.solutions import params as P
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
)
from nndl.summary import summary
from nndl.summary.core import spec_model
from nndl.summary.rows import SummaryError

_SIDE = 100_000  # a side past this is no longer an image a course asks about
_MAX_FC_WEIGHTS = 100_000_000  # 400 MB of float32 for the verifying forward pass


@dataclass(frozen=True)
class Params(P.ExerciseParams):
    """An image of ``image`` = (W, H, D) fully connected to ``fc_units`` neurons, and
    convolved by ``filters`` filters of ``kernel``×``kernel``×D with ``stride`` and ``pad``."""

    number = 5
    image: tuple[int, int, int] = P.param(
        (300, 300, 3), kind=Text("宽×高×通道", "W×H×D"), allowed=Text("各 1–100,000", "each 1–100,000"),
        help=Text("输入图像", "the input image"), parse=P.dims(3, 1, _SIDE))
    fc_units: int = P.param(
        100, kind=Text("整数", "integer"), allowed=Text("1–1,000,000", "1–1,000,000"),
        help=Text("全连接层的神经元个数", "neurons of the fully connected layer"),
        parse=P.integer(1, 1_000_000))
    filters: int = P.param(
        100, kind=Text("整数", "integer"), allowed=Text("1–100,000", "1–100,000"),
        help=Text("卷积滤波器个数 K", "number of convolution filters K"), parse=P.integer(1, _SIDE))
    kernel: int = P.param(
        5, kind=Text("整数", "integer"), allowed=Text("1 至填充后的图像边长", "1 to the padded side"),
        help=Text("滤波器边长 F", "filter side F"), parse=P.integer(1, _SIDE))
    stride: int = P.param(
        1, kind=Text("整数", "integer"), allowed=Text("须整除 W − F + 2P 与 H − F + 2P",
                                                    "must divide W − F + 2P and H − F + 2P"),
        help=Text("步长 S", "stride S"), parse=P.integer(1, _SIDE))
    pad: int = P.param(
        0, kind=Text("整数", "integer"), allowed=Text("0–F−1", "0 to F − 1"),
        help=Text("边缘填充 P", "zero padding P"), parse=P.integer(0, _SIDE))

    def validate(self) -> None:
        w, h, d = self.image
        f, s, p = self.kernel, self.stride, self.pad
        weights = w * h * d * self.fc_units
        if weights > _MAX_FC_WEIGHTS:  # the solution verifies with a real forward pass
            raise P.ParamError(
                Text(f"image={w}x{h}x{d} 配 fc_units={self.fc_units}，全连接层有 {weights:,} 个权重；"
                     f"nndl 要真正运行这一层来核对每个答案，最多允许 {_MAX_FC_WEIGHTS:,} 个",
                     f"image={w}x{h}x{d} with fc_units={self.fc_units} is a fully connected layer of "
                     f"{weights:,} weights; nndl checks every answer by running the layer, and "
                     f"allows at most {_MAX_FC_WEIGHTS:,}"),
                hint=Text("减少 fc_units 或用小一些的 image", "use fewer fc_units or a smaller image"))
        if p >= f:
            raise P.ParamError(Text(f"pad={p} 不小于 kernel={f}：有些输出只看得到填充的 0",
                                    f"pad={p} is not smaller than kernel={f}: some outputs would see "
                                    "only padding"),
                               hint=Text(f"pad 取 0 到 {f - 1}", f"use pad from 0 to {f - 1}"))
        for side, name in ((w, Text("宽", "width")), (h, Text("高", "height"))):
            if f > side + 2 * p:
                raise P.ParamError(Text(f"kernel={f} 大于填充后图像的{name.zh} {side} + 2·{p} = {side + 2 * p}",
                                        f"kernel={f} is larger than the padded image {name.en} "
                                        f"{side} + 2·{p} = {side + 2 * p}"),
                                   hint=Text(f"取 kernel ≤ {side + 2 * p}，或加大填充",
                                             f"use kernel ≤ {side + 2 * p} or more padding"))
            if (side - f + 2 * p) % s:
                fits = [d for d in range(1, s + 1) if (side - f + 2 * p) % d == 0]
                frac = f"(W − F + 2P)/S = ({side} − {f} + 2·{p})/{s}"
                raise P.ParamError(
                    Text(f"stride={s} 时图像的{name.zh}得不出整数的输出边长：{frac} 不是整数",
                         f"stride={s} does not divide the image {name.en}: {frac} is not a whole number"),
                    hint=Text(f"取 stride={fits[-1]}，或改变 pad 或图像大小",
                              f"use stride={fits[-1]}, or change pad or the image size"))

    def specs(self) -> tuple[str, str]:
        w, h, d = self.image
        return (f"input {w}x{h}x{d}; fc {self.fc_units}",
                f"input {w}x{h}x{d}; conv {self.filters} {self.kernel}x{self.kernel} "
                f"stride={self.stride} pad={self.pad}")


def statement(p: Params) -> Text:
    """The problem in the sheet's words, for any parameters."""
    if p.is_sheet():
        return problem_text(5)[1]
    w, h, d = p.image
    colour = Text("彩色（RGB）", "colour (RGB)") if d == 3 else Text(f"{d} 通道", f"{d}-channel")
    pad_zh = f"、边缘填充（padding）为 {p.pad}" if p.pad else ""
    pad_en = f" and the padding is {p.pad}" if p.pad else ""
    return Text(
        f"对于一幅 {w}×{h} 大小的{colour.zh}图像，（1）如果输入端与有 {p.fc_units} 个神经元的第一层隐藏层用"
        f"全连接方式连接时，请问这一层会包含多少参数？（2）如果用 {p.filters} 个 "
        f"${p.kernel} \\times {p.kernel} \\times {d}$ 大小的滤波器作卷积操作，那么这一层的参数为多少？"
        f"如果滤波器移动步长（stride）为 {p.stride}{pad_zh}，经过卷积计算后的输出端神经元个数有多少？",
        f"For a {w}×{h} {colour.en} image: (1) if the input is fully connected to a first hidden "
        f"layer of {p.fc_units} neurons, how many parameters does this layer have? (2) If the "
        f"convolution uses {p.filters} filters of size ${p.kernel} \\times {p.kernel} \\times {d}$, "
        f"how many parameters does this layer have? If the stride is {p.stride}{pad_en}, how many "
        "output neurons does the convolution produce?")


def _summarise(spec: str):
    """The layer table, checked by a real forward pass (the solution's checks need it)."""
    model, in_shape = spec_model(spec)
    try:
        return summary(model, in_shape, verify=True), model
    except SummaryError as e:
        if "--verify" not in e.message:
            raise
        # the user never asked for --verify: say which parameters make the check too big
        # and where the same numbers come from without running the network
        spec_line = spec.replace('"', "'")
        raise P.ParamError(
            Text(f"这组参数的网络太大，无法用真实的前向传播核对答案（{e.message_in('zh')}）",
                 f"these parameters make a network too large to check the answers by a real "
                 f"forward pass ({e.message_in('en')})"),
            hint=Text(f"换小一些的 image、kernel 或 filters；不运行网络也能得到同样的数："
                      f"nndl summary \"{spec_line}\"",
                      f"use a smaller image, kernel or filters; the same numbers without "
                      f"running the network: nndl summary \"{spec_line}\"")) from None


def build(params: Params, full: bool = False) -> Solution:
    title = problem_text(5)[0]
    fc_spec, conv_spec = params.specs()
    fc, fc_model = _summarise(fc_spec)
    conv, conv_model = _summarise(conv_spec)
    fc_row = next(r for r in fc.layers if r.type == "Linear")
    conv_row = conv.layers[0]
    c, h, w = conv_row.input_shape
    k, h2, w2 = conv_row.output_shape

    sec1 = Section(Text("（1）全连接", "(1) Fully connected"), [
        Paragraph(Text(
            f"图像有 {c} 个通道，展平后输入 N_in = {w}×{h}×{c} 个数；每个神经元对每个输入有一个权重，"
            "另有一个偏置（常数项）。",
            f"The image has {c} channels, so the flattened input has N_in = {w}×{h}×{c} values; each "
            "neuron has one weight per input plus one bias.")),
        *[m for row in fc.layers for m in layer_formulas(row)],
        layer_table(fc),
    ])
    sec2 = Section(Text("（2）卷积", "(2) Convolution"), [
        Paragraph(Text(
            "每个滤波器有 F·F·D1 个权重和 1 个偏置；共 K 个滤波器。输出边长由 W2 = (W1 − F + 2P)/S + 1 给出"
            f"（P = {params.pad}，S = {params.stride}）。",
            "Each filter has F·F·D1 weights and one bias, and there are K filters. The output side is "
            f"W2 = (W1 − F + 2P)/S + 1 (here P = {params.pad}, S = {params.stride}).")),
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
    errata = [] if not params.is_sheet() else [Erratum(Text(
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
    answers[2].restates = "conv_neurons"  # one row for both: 296×296×100 = 8,761,600
    return Solution(5, title, statement(params), [sec1, sec2], answers, checks, errata)
