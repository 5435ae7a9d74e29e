"""Exercise 6: shapes and parameters of a CNN given as a summary spec (the sheet: an
AlexNet-like network), layer by layer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nndl.errors import NNDLError
from nndl.solutions import params as P
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

# The answer keys, by family; K is the layer's number in the summary (Conv-K, MaxPool-K, FC-K):
#   convK_params, convK_image_size ([W, H] after Conv-K), maxpoolK_output ([W, H, D]),
#   maxpoolK_neurons, fcK_params, total_params. A key exists only when the network has that
#   layer; the sheet asks the first eight below.
SHEET_QUESTIONS = ("conv1_params", "maxpool1_output", "maxpool1_neurons", "conv2_image_size",
                   "conv2_params", "fc1_params", "fc2_params", "total_params")
_KEY = re.compile(r"^(conv|maxpool|fc)(\d+)_(params|image_size|output|neurons)$")
_FAMILY = {"conv": ("Conv", ("params", "image_size")), "maxpool": ("MaxPool", ("output", "neurons")),
           "fc": ("FC", ("params",))}


def _sheet_spec() -> str:
    return problems()[6]["spec"]


@dataclass(frozen=True)
class Params(P.ExerciseParams):
    """A network ``spec`` in the summary's text form and the ``questions`` asked about it
    (answer keys; empty: the sheet's questions that apply to this network)."""

    number = 6
    spec: str = P.param(
        _sheet_spec(), kind=Text("网络描述", "network spec"),
        allowed=Text("nndl summary 的写法，层之间用 ; 或换行", "as nndl summary reads it; layers separated by ; or new lines"),
        help=Text("要计算的网络", "the network to compute"), parse=P.text_value)
    questions: tuple[str, ...] = P.param(
        (), kind=Text("答案键列表", "answer keys"),
        allowed=Text("convK_params、convK_image_size、maxpoolK_output、maxpoolK_neurons、fcK_params、total_params",
                     "convK_params, convK_image_size, maxpoolK_output, maxpoolK_neurons, fcK_params, total_params"),
        help=Text("要问的量（默认：原题的问题）", "what is asked (default: the sheet's questions)"),
        parse=lambda name, text: tuple(w.strip() for w in text.split(",") if w.strip()))

    def validate(self) -> None:
        try:
            model, in_shape = spec_model(self.spec, meta=True)  # shapes only: no weights
            if len(model) == 0:
                example = "spec=\"input 32x32x3; conv 6 5x5; fc 10\""
                raise P.ParamError(Text("spec：网络只有输入这一行", "spec: the network has only its input line"),
                                   hint=Text(f"加上层，例如 {example}", f"add layers, e.g. {example}"))
            rows = summary(model, in_shape).layers
        except P.ParamError:
            raise
        except NNDLError as exc:  # SpecError and the calculator's shape errors
            raise P.ParamError(Text("spec：", "spec: ") + exc.message_t,
                               hint=_without_floor(exc.hint_t)) from None
        names = {r.name for r in rows}
        for q in self.questions:
            m = _KEY.match(q)
            if q == "total_params":
                continue
            if not m:
                keys = ("convK_params, convK_image_size, maxpoolK_output, maxpoolK_neurons, fcK_params",
                        "total_params")
                raise P.ParamError(Text(f"questions：'{q}' 不是答案键", f"questions: '{q}' is not an answer key"),
                                   hint=Text(f"用 {keys[0]} 或 {keys[1]}", f"use {keys[0]} or {keys[1]}"))
            family, k, what = m.groups()
            prefix, allowed = _FAMILY[family]
            if what not in allowed:
                answers = ", ".join(f"{family}{k}_{a}" for a in allowed)
                raise P.ParamError(Text(f"questions：'{q}' 问的量 {prefix} 层没有",
                                        f"questions: '{q}' asks for {what} of a {prefix} layer"),
                                   hint=Text(f"{prefix} 层能回答的是 {answers}", f"a {prefix} layer answers {answers}"))
            if f"{prefix}-{k}" not in names:
                raise P.ParamError(Text(f"questions：网络中没有 {prefix}-{k} 层",
                                        f"questions: the network has no layer {prefix}-{k}"),
                                   hint=Text("它的层是 ", "its layers are ") + ", ".join(r.name for r in rows))

    def asked(self, names: set[str]) -> list[str]:
        """The answer keys asked: the given questions, or the sheet's that this network has."""
        if self.questions:
            return list(self.questions)
        out = []
        for q in SHEET_QUESTIONS:
            m = _KEY.match(q)
            if m is None or f"{_FAMILY[m.group(1)][0]}-{m.group(2)}" in names:
                out.append(q)
        return out


def statement(p: Params, rows, model) -> Text:
    """The problem in the sheet's words: the network layer by layer, then the questions."""
    if p.is_sheet():
        return problem_text(6)[1]
    roman = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii",
             "xiv", "xv", "xvi", "xvii", "xviii", "xix", "xx"]
    c, h, w = rows[0].input_shape if len(rows[0].input_shape) == 3 else (0, 0, 0)
    zh = [f"某一个卷积神经网络结构如下：(i) 输入层 Input 的图像大小是 ${w} \\times {h} \\times {c}$。"]
    en = [f"A convolutional network is built as follows: (i) the input is an image of "
          f"${w} \\times {h} \\times {c}$;"]
    i = 1
    for r, m in zip(rows, model, strict=True):
        if r.type not in ("Conv2d", "MaxPool2d", "AvgPool2d", "Linear"):
            continue
        n = roman[i] if i < len(roman) else str(i + 1)
        i += 1
        if r.type == "Conv2d":
            kh, kw = m.kernel_size
            (s,), (pd,) = set(m.stride) or {1}, set(m.padding) or {0}
            pad_zh = f"边缘填充（padding）为 {pd}" if pd else "不做边缘填充（padding）"
            pad_en = f"padding {pd}" if pd else "no padding"
            zh.append(f"({n}) 卷积层 {r.name} 用 {m.out_channels} 个 ${kw} \\times {kh} \\times "
                      f"{m.in_channels}$ 大小的滤波器，步长（stride）为 {s}、{pad_zh}。")
            en.append(f"({n}) {r.name} applies {m.out_channels} filters of ${kw} \\times {kh} \\times "
                      f"{m.in_channels}$ with stride {s} and {pad_en};")
        elif r.type in ("MaxPool2d", "AvgPool2d"):
            k = m.kernel_size if isinstance(m.kernel_size, int) else m.kernel_size[0]
            st = m.stride if isinstance(m.stride, int) else m.stride[0]
            kind_zh, kind_en = ("Max", "max-pools") if r.type == "MaxPool2d" else ("Average", "average-pools")
            zh.append(f"({n}) 池化层 {r.name} 用 ${k} \\times {k}$ 尺寸、步长为 {st} 做 {kind_zh} Pooling 操作。")
            en.append(f"({n}) {r.name} {kind_en} with a ${k} \\times {k}$ window and stride {st};")
        else:
            zh.append(f"({n}) 接一个有 {m.out_features} 个神经元的全连接层 {r.name}。")
            en.append(f"({n}) a fully connected layer {r.name} of {m.out_features} neurons;")
    en[-1] = en[-1].rstrip(";") + "."
    asked = p.asked({r.name for r in rows})
    zh.append("请计算：" + "".join(f"（{j}）{_label(q).zh}是多少？" for j, q in enumerate(asked, 1)))
    en.append("Compute: " + "; ".join(f"({j}) {_label(q).en}" for j, q in enumerate(asked, 1)) + ".")
    return Text("".join(zh), " ".join(en))


def _label(key: str) -> Text:
    """What an answer key asks, in words."""
    if key == "total_params":
        return Text("全网参数总量", "the total number of parameters")
    family, k, what = _KEY.match(key).groups()  # type: ignore[union-attr]
    name = f"{_FAMILY[family][0]}-{k}"
    return {
        "params": Text(f"{name} 层的参数量", f"the parameters of {name}"),
        "image_size": Text(f"{name} 之后的图像大小", f"the image size after {name}"),
        "output": Text(f"经过 {name} 后的神经元（W×H×D）", f"the neurons after {name} (W×H×D)"),
        "neurons": Text(f"{name} 之后的神经元个数", f"the number of neurons after {name}"),
    }[what]


# the sheet's own wording of its questions, numbered as on the sheet
_SHEET_LABELS = {
    "conv1_params": Text("（1）输入层到 Conv-1 的参数量", "(1) parameters, input → Conv-1"),
    "maxpool1_output": Text("（2）MaxPool-1 之后的神经元", "(2) neurons after MaxPool-1"),
    "maxpool1_neurons": Text("（2）MaxPool-1 神经元个数", "(2) number of neurons after MaxPool-1"),
    "conv2_image_size": Text("（3）第二次卷积后的图像大小", "(3) image size after the second convolution"),
    "conv2_params": Text("Conv-2 的参数量", "parameters of Conv-2"),
    "fc1_params": Text("（4）MaxPool-2 到 FC-1 的参数量", "(4) parameters, MaxPool-2 → FC-1"),
    "fc2_params": Text("（5）FC-1 到 FC-2 的参数量", "(5) parameters, FC-1 → FC-2"),
    "total_params": Text("全网参数总量", "total parameters"),
}


def _answer(key: str, by_name: dict, s, sheet: bool) -> Answer:
    label = _SHEET_LABELS[key] if sheet else _label(key)
    if key == "total_params":
        return Answer(key, label, s.total_params, fmt_int(s.total_params))
    family, k, what = _KEY.match(key).groups()  # type: ignore[union-attr]
    r = by_name[f"{_FAMILY[family][0]}-{k}"]
    if what == "params":
        return Answer(key, label, r.params, fmt_int(r.params))
    c, h, w = r.output_shape
    if what == "image_size":
        return Answer(key, label, [w, h], f"{w}×{h} (×{c})")
    if what == "output":
        return Answer(key, label, [w, h, c], f"{w}×{h}×{c} = {fmt_int(r.neurons)}")
    return Answer(key, label, r.neurons, fmt_int(r.neurons))


def build(params: Params, full: bool = False) -> Solution:
    title = (problem_text(6)[0] if params.is_sheet()
             else Text("卷积网络的尺寸与参数量", "Shapes and parameters of a CNN"))
    spec = params.spec
    model, in_shape = spec_model(spec)
    s = summary(model, in_shape, verify=True)
    by_name = {r.name: r for r in s.layers}

    sections = [Section(Text("逐层计算", "Layer by layer"), [
        Paragraph(Text("下表按公式逐层计算；同一套层的实现还会真正运行一次前向传播来核对（见“验证”）。",
                       "The same layer classes give the analytic table below and run a real forward "
                       "pass (see the checks)."))])]
    for r in s.layers:
        blocks = [Paragraph(Text(f"输入 {shape_textbook(r.input_shape)} → 输出 {shape_textbook(r.output_shape)}",
                                 f"input {shape_textbook(r.input_shape)} → output {shape_textbook(r.output_shape)}"))]
        blocks += layer_formulas(r)
        if r.implied:
            blocks.append(Paragraph(Text("（全连接层之前隐含的展平，没有参数。）",
                                         "(The flatten implied before a fully connected layer; no parameters.)")))
        sections.append(Section(Text(f"{r.name}（{r.type}）", f"{r.name} ({r.type})"), blocks,
                                level=1))
    sections.append(Section(Text("汇总表", "Summary table"), [layer_table(s)]))

    # why 227 and not 224 (the sheet's network): the calculator itself says what goes wrong
    note_224: Text | None = None
    if params.is_sheet():
        try:
            summary(spec.replace("227x227", "224x224"))
        except NNDLError as exc:  # the calculator's own words, after its "line 2 …:" location
            note_224 = Text(exc.message_in("zh").split("：", 1)[-1], exc.message_in("en").split(": ", 1)[-1])
    if note_224:
        sections.append(Section(Text("常见疑问：为什么是 227 而不是 224？", "A common question: why 227, not 224?"), [
            Paragraph(Text(f"若输入取 224×224，第一层就会出错（{note_224.zh}）。所以 AlexNet 实际输入应为 227×227。",
                           f"With a 224×224 input the first layer gives: {note_224.en}. So AlexNet's input is "
                           "effectively 227×227.")),
        ]))

    answers = [_answer(k, by_name, s, params.is_sheet()) for k in params.asked(set(by_name))]
    for a in answers:  # "(2) 27×27×96 = 69,984" already says the count: one row for (2)
        if a.key.endswith("_neurons"):
            a.restates = a.key.removesuffix("_neurons") + "_output"
    fcs = [r for r in s.layers if r.type == "Linear"]
    before = s.layers[s.layers.index(fcs[0]) - 1] if fcs and s.layers.index(fcs[0]) > 0 else None
    feeder = before if before is not None and before.type == "Flatten" else None
    if feeder is not None and len(feeder.input_shape) == 3:
        c, h, w = feeder.input_shape
        flat = fcs[0].input_shape[0]
        sections.append(Section(Text(f"{fcs[0].name} 的输入从哪里来", f"Where {fcs[0].name}'s input size comes from"), [
            Math(rf"N_{{in}} = W \cdot H \cdot D = {w} \cdot {h} \cdot {c} = {flat:,}".replace(",", "{,}"),
                 f"N_in = W·H·D = {w}·{h}·{c} = {flat:,}"),
        ]))
    checks = verification_checks(s, model)
    return Solution(6, title, statement(params, s.layers, model), sections, answers, checks, [])


def _without_floor(hint: Text | None) -> Text | None:
    """The calculator's hint without its --floor fix: nndl solve has no such option (the
    exercise asks for sizes that divide)."""
    if hint is None:
        return None
    zh = "；".join(p for p in hint.zh.split("；") if "--floor" not in p)
    en = "; ".join(p for p in hint.en.split("; ") if "--floor" not in p)
    return Text(zh, en) if zh and en else hint
