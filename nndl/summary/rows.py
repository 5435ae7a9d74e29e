"""The result of the architecture calculator and how it is computed from layer objects:
:class:`Summary` and its :class:`LayerRow` s, built by :func:`_describe` from any list of
nndl layers (a spec's, an nndl model's, or the stand-ins for a PyTorch model's), and checked
against a real forward pass by :func:`_compare`.

:mod:`nndl.summary.core` (specs and nndl models) and :mod:`nndl.summary.torch_bridge`
(PyTorch models) both build on this module, so neither imports the other's module level.
"""

from __future__ import annotations

import math
import numbers
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from nndl import nn
from nndl.errors import NNDLError
from nndl.nn.module import Formula, LayerShapeError, ShapeInfo, shape_text
from nndl.summary import formulas, hints
from nndl.summary.spec import MAX_COUNT, MAX_LAYERS, SpecError, SpecLine, parse
from nndl.text import Text


class SummaryError(NNDLError):
    """The model or its input size cannot be summarised; the message names the layer."""


@dataclass
class LayerRow:
    name: str  # the textbook's name: Conv-1, MaxPool-1, FC-1 ...
    type: str  # the class: Conv2d, MaxPool2d, Linear ...
    input_shape: tuple[int, ...]  # PyTorch order (C, H, W) or (N,), without the batch
    output_shape: tuple[int, ...]
    neurons: int
    params: int
    trainable: int
    mult_adds: int
    formulas: list[Formula] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)
    source: str = ""  # the spec statement or the module's path in the model
    line: int | None = None
    implied: bool = False  # added by the calculator (the flatten before an fc)
    verified_shape: tuple[int, ...] | None = None
    # a traced model's rows (nndl.summary.trace): shapes there include the batch dimension
    depth: int = 0  # how many modules run around this call (0: the outermost shown)
    container: bool = False  # it runs other modules (Sequential, a block, the model)
    call: int = 1  # the how-many-th call of this module (0: forward() never called it)
    buffers: int = 0  # values of its own buffers (BatchNorm's running statistics ...)
    measured: bool = False  # no formula: the numbers come from the forward pass alone
    not_called: bool = False
    output_shapes: Any = None  # every output, as tuples in lists and dicts
    batch_included: bool = False

    @property
    def textbook_shape(self) -> str:
        if self.batch_included:
            return shape_text(tuple(self.output_shape[1:])) if len(self.output_shape) > 1 else ""
        return shape_text(self.output_shape)

    @property
    def torch_shape(self) -> str:
        return "×".join(str(n) for n in self.output_shape)

    @property
    def output_elements(self) -> int:
        return math.prod(self.output_shape)  # a Python int: exact, never wraps


@dataclass
class Summary:
    input_shape: tuple[int, ...]
    layers: list[LayerRow]
    total_params: int
    trainable_params: int
    total_neurons: int
    total_mult_adds: int
    param_bytes: int
    activation_bytes: int  # forward activations of one sample, every layer's output
    bytes_per_value: int = 4
    floor: bool = False
    verified: bool = False
    source: str = "spec"
    notes: list[Text] = field(default_factory=list)
    batch_included: bool = False  # a traced model: shapes are (N, ...) as the forward saw them
    input_shapes: list[Any] = field(default_factory=list)  # every input (several for some models)
    total_buffers: int = 0  # values in buffers, apart from the parameters
    shared_params: int = 0  # parameters that two or more modules hold (counted once)
    mult_adds_convention: str = "nndl"  # or "torchinfo"
    model_output: Any = None  # a traced model: the shapes of everything forward() returned

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    @property
    def output_shape(self) -> tuple[int, ...]:
        if self.model_output is not None:  # a traced model: what forward() returned
            return _first(self.model_output) or ()
        return self.layers[-1].output_shape if self.layers else self.input_shape

    def layer(self, name: str) -> LayerRow:
        for row in self.layers:
            if row.name == name:
                return row
        raise KeyError(f"no layer named {name!r}; layers: {[r.name for r in self.layers]}")

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The summary as JSON-ready data: English keys; formulas in ``lang``."""
        from nndl.summary.formulas import formula_text

        return {
            "input_shape": list(self.input_shape),
            "input_shape_textbook": shape_text(self.input_shape),
            "layers": [{
                "name": r.name, "type": r.type, "output_shape": list(r.output_shape),
                "output_shape_textbook": r.textbook_shape, "neurons": r.neurons,
                "output_elements": r.output_elements, "params": r.params,
                "trainable_params": r.trainable, "mult_adds": r.mult_adds,
                "formulas": [formula_text(f, lang) for f in r.formulas],
                "notes": [{"en": n.en, "zh": n.zh} for n in r.notes],
                "source": r.source, "line": r.line, "implied": r.implied,
                "verified_shape": None if r.verified_shape is None else list(r.verified_shape),
                "depth": r.depth, "container": r.container, "call": r.call,
                "buffers": r.buffers, "measured": r.measured, "not_called": r.not_called,
                "output_shapes": r.output_shapes,
            } for r in self.layers],
            "total_params": self.total_params, "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
            "total_neurons": self.total_neurons, "total_mult_adds": self.total_mult_adds,
            "param_bytes": self.param_bytes, "activation_bytes": self.activation_bytes,
            "bytes_per_value": self.bytes_per_value, "floor": self.floor,
            "verified": self.verified, "source": self.source,
            "notes": [{"en": n.en, "zh": n.zh} for n in self.notes],
            "batch_included": self.batch_included,
            "input_shapes": [_jsonable(x) for x in self.input_shapes],
            "total_buffers": self.total_buffers, "shared_params": self.shared_params,
            "mult_adds_convention": self.mult_adds_convention,
            "model_output": _jsonable(self.model_output),
        }


def _first(struct: Any) -> tuple[int, ...] | None:
    if isinstance(struct, tuple):
        return struct
    items = struct.values() if isinstance(struct, dict) else struct if isinstance(struct, list) \
        else ()
    for v in items:
        found = _first(v)
        if found is not None:
            return found
    return None


def _jsonable(x: Any) -> Any:
    if isinstance(x, tuple):
        return list(x)
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_jsonable(v) for v in x]
    return x


MULT_ADDS = ("nndl", "torchinfo")
MULT_ADDS_NOTE = {
    "nndl": Text(zh="乘加次数按 nndl 的约定计：只数与权重相乘的次数（卷积层、全连接层、循环层），"
                    "偏置的加法、BN 和激活函数都不算；对给定的整批输入计数，同一层调用几次就计几次。",
                 en="Mult-adds (nndl's convention): the multiplications by weights (conv, fc, "
                    "recurrent layers), not bias adds, normalisation or activations; for the "
                    "input as given, every call of a reused layer counted"),
    "torchinfo": Text(zh="乘加次数按 torchinfo 的约定计：每个权重和偏置都乘以输出的位置数（卷积层为 "
                         "N·输出的空间大小，循环层为 N·L，其他层为 N），BN 的 γ、β 也计在内；"
                         "同一层调用几次就计几次。",
                      en="Mult-adds (torchinfo's convention): each weight and bias value × the "
                         "output positions (conv: N·output spatial size; recurrent: N·L; other "
                         "layers: N), BatchNorm's γ and β included, every call of a reused "
                         "layer counted"),
}


def check_mult_adds(mult_adds: str) -> str:
    if mult_adds not in MULT_ADDS:
        raise SummaryError(Text(f"mult_adds={mult_adds!r} 不是 nndl 认识的计数约定",
                                f"mult_adds={mult_adds!r} is not a convention nndl knows"),
                           hint=Text("用 mult_adds='nndl'（默认）或 'torchinfo'",
                                     "use mult_adds='nndl' (the default) or 'torchinfo'"))
    return mult_adds


def torchinfo_mult_adds(kind: str, params: list[tuple[str, Any]], out: tuple[int, ...] | None,
                        numel: Any = None) -> int:
    """torchinfo's rule for one call of a leaf layer whose output is ``out`` (batch first):
    a parameter named weight or bias counts numel × N·∏(output spatial) in a convolution
    and numel × N elsewhere; a recurrent layer's weight_ih_l0 ... count numel × N·L."""
    if not out:
        return 0
    numel = numel or (lambda p: math.prod(p.shape))
    total = 0
    for name, p in params:
        n = numel(p)
        if name in ("weight", "bias"):
            total += n * math.prod(out[:1] + out[2:]) if "Conv" in kind else n * out[0]
        elif "weight" in name or "bias" in name:
            total += n * math.prod(out[:2])
    return total


# ------------------------------------------------------------------ building rows
@dataclass
class _Entry:
    module: nn.Module
    source: str
    line: int | None = None
    implied: bool = False
    spec: SpecLine | None = None


def _describe(entries: list[_Entry], in_shape: tuple[int, ...], floor: bool,
              source: str) -> Summary:
    rows: list[LayerRow] = []
    counts: Counter[str] = Counter()
    shape = tuple(in_shape)
    check_size(shape)
    if len(entries) > MAX_LAYERS:
        raise SummaryError(Text(f"模型有 {len(entries):,} 层，nndl 最多汇总 {MAX_LAYERS:,} 层",
                                f"the model has {len(entries):,} layers; nndl summarises at most "
                                f"{MAX_LAYERS:,}"),
                           hint=Text("只汇总其中的一部分", "summarise a part of it"))
    for e in entries:
        m = e.module
        base = m.summary_name or type(m).__name__
        counts[base] += 1
        name = f"{base}-{counts[base]}"
        try:
            params = sum(math.prod(p.shape) for p in m.parameters())
            if params > MAX_COUNT:
                raise LayerShapeError(Text(f"这一层有 {params:,} 个参数，超出 nndl 的计数范围"
                                           f"（{_LIMIT.zh}）",
                                           f"the layer has {params:,} parameters, more than nndl "
                                           f"counts ({_LIMIT.en})"), hint=_LIMIT_HINT)
            info = _layer_info(m, shape, floor)
            out = math.prod(info.out_shape)
            if out > MAX_COUNT:
                raise LayerShapeError(Text(f"它的输出 {shape_text(info.out_shape)} 有 {out:,} "
                                           f"个值，超出 nndl 的计数范围（{_LIMIT.zh}）",
                                           f"its output {shape_text(info.out_shape)} has {out:,} "
                                           f"values, more than nndl counts ({_LIMIT.en})"),
                                      hint=_LIMIT_HINT)
        except LayerShapeError as exc:
            raise _located(e, name, exc) from None
        rows.append(LayerRow(name, type(m).__name__, shape, info.out_shape, info.neurons,
                             info.params, info.trainable, info.mult_adds, info.formulas,
                             info.notes, e.source, e.line, e.implied))
        shape = info.out_shape
    total = sum(r.params for r in rows)
    bpv = 4
    return Summary(tuple(in_shape), rows, total, sum(r.trainable for r in rows),
                   sum(r.neurons for r in rows), sum(r.mult_adds for r in rows), total * bpv,
                   sum(r.output_elements for r in rows) * bpv, bpv, floor, False, source)


def _layer_info(m: nn.Module, shape: tuple[int, ...], floor: bool) -> ShapeInfo:
    """A layer's describe(), or for a layer that has none (Embedding, LayerNorm) the formula
    of :mod:`nndl.summary.formulas` on a batch of one."""
    if type(m).describe is not nn.Module.describe:
        return hints.describe(m, shape, floor)
    try:
        r = formulas.formula(m, (1,) + tuple(shape))
    except formulas.NoFormula:
        return hints.describe(m, shape, floor)  # Module.describe: the layer cannot say
    trainable = sum(math.prod(p.shape) for p in m.parameters() if p.requires_grad)
    return ShapeInfo(tuple(shape), tuple(r.out_shape[1:]), r.params, trainable, r.mult_adds,
                     r.neurons, r.formulas)


_LIMIT = Text("一个张量最多 10^15 个值，一层最多 10^15 个参数",
              "at most 10^15 values in a tensor or parameters in a layer")
_LIMIT_HINT = Text("用更小的尺寸：超过 10^15 不再计数（int64 会溢出）",
                   "use smaller sizes: past 10^15 no count is computed (int64 would wrap)")


def check_size(shape: tuple[int, ...], what: Text = Text("输入", "the input")) -> None:
    """Refuse a shape of more than MAX_COUNT values, before any count is made from it."""
    n = math.prod(shape)
    if n > MAX_COUNT:
        raise SummaryError(Text(f"{what.zh}是 {shape_text(shape)}，共 {n:,} 个值；nndl 的计数范围是"
                                f"{_LIMIT.zh}",
                                f"{what.en} is {shape_text(shape)}, {n:,} values; nndl counts "
                                f"{_LIMIT.en}"), hint=_LIMIT_HINT)


def _located(e: _Entry, name: str, exc: NNDLError) -> NNDLError:
    cls: type[NNDLError]
    if e.spec is not None:  # where, in zh and en; the cause keeps both languages (issue 20)
        shown = e.spec.text[:120]
        where = Text(f"第 {e.spec.line} 行 `{shown}`（{name}）：",
                     f"line {e.spec.line} `{shown}` ({name}): ")
        cls = SpecError
    else:
        # a bare index ("0", a Sequential's first child) says nothing the name does not
        where = (Text(f"层 {name}：", f"layer {name}: ") if str(e.source).isdigit() else
                 Text(f"层 {name}（{e.source}）：", f"layer {name} ({e.source}): "))
        cls = SummaryError
    return cls(where + exc.message_t, hint=exc.hint_t)


def parse_input_size(size: Any) -> tuple[int, ...]:
    """``"227x227x3"`` (textbook W×H×D) or a tuple in PyTorch order: (C, H, W), (N, C, H, W),
    (features,) or (N, features)."""
    if isinstance(size, str):
        text = size.strip()
        if not re.match(r"^(input|in|image)\b", text, re.I):
            text = "input " + text
        try:
            sl = parse(text)
        except SpecError as exc:  # not "line 1, column 7": the user wrote no such line
            why = _without_place(exc.message_t)
            if "input size" not in why.en:  # name what was read, unless the reason does
                why = Text(f"输入尺寸 {_brief(size)}：", f"the input size {_brief(size)}: ") + why
            raise SummaryError(why, hint=exc.hint_t) from None
        if len(sl) != 1 or sl[0].keyword != "input":
            raise SummaryError(Text(f"无法识别输入尺寸 {size!r}", f"cannot read the input size {size!r}"),
                               hint=Text("写成 227x227x3（宽 x 高 x 通道数）",
                                         "write it as 227x227x3 (width x height x channels)"))
        shape = sl[0].args["shape"]
        check_size(shape, Text(f"输入尺寸 {_brief(size)} ", f"the input size {_brief(size)}"))
        return shape
    hint = Text('例如 input_size=(3, 227, 227) 或 "227x227x3"',
                'e.g. input_size=(3, 227, 227) or "227x227x3"')
    try:
        items = tuple(size)
    except TypeError:
        items = (size,)
    for n in items[:5]:
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            # int(1.5) would be 1: a size that is not whole is refused, not truncated
            raise SummaryError(Text(f"input_size {_brief(size)}：{_brief(n)} 不是整数",
                                    f"input_size {_brief(size)}: {_brief(n)} is not a whole "
                                    "number"), hint=hint)
    dims = tuple(int(n) for n in items)
    if len(dims) == 4 or len(dims) == 2:
        dims = dims[1:]
    if not dims or len(dims) not in (1, 3) or any(n <= 0 for n in dims):
        raise SummaryError(Text(f"input_size {_brief(size)} 的维数不对或有不是正数的维：应为 "
                                "C×H×W、N×C×H×W、F 或 N×F（F 为特征数），每一维都是正数",
                                f"input_size {_brief(size)} is not (C, H, W), (N, C, H, W), "
                                "(features,) or (N, features) with positive sizes"), hint=hint)
    check_size(dims, Text(f"input_size {_brief(size)} ", f"input_size {_brief(size)}"))
    return dims


def _without_place(message: Text) -> Text:
    """A spec error's message without its 'line 1, column 7 `input abc`: ' part."""
    return Text(re.sub(r"^第 \d+ 行(第 \d+ 列)? `[^`]*`：", "", message.zh),
                re.sub(r"^line \d+(, column \d+)? `[^`]*`: ", "", message.en))


def _sizes(input_size: Any) -> tuple[list[Any], dict[str, Any]]:
    """``input_size`` as (positional sizes, keyword sizes); each size a tuple of ints."""
    if isinstance(input_size, dict):
        return [], {str(k): _one(v) for k, v in input_size.items()}
    if isinstance(input_size, list | tuple) and input_size and all(
            isinstance(x, list | tuple | str) for x in input_size):
        return [_one(v) for v in input_size], {}
    return [_one(input_size)], {}


def _one(size: Any) -> tuple[tuple[int, ...], ...]:
    """The readings of one size, most likely first: (C, H, W) and (features,) get a batch
    of 1, as the textbook's sizes do; (N, features), (N, C, H, W) and sizes of five or more
    numbers have the batch in front already. Three numbers may also be (N, L, F): that
    reading is tried when the model refuses the first."""
    if isinstance(size, str):
        return ((1,) + parse_input_size(size),)
    items = tuple(size) if isinstance(size, list | tuple) else (size,)
    for n in items:
        parse_input_size((n,))  # whole, positive, bounded: the same checks as a spec size
    dims = tuple(int(n) for n in items)
    check_size(dims, Text(f"input_size {dims} ", f"input_size {dims}"))
    if len(dims) == 1:
        return ((1,) + dims,)
    if len(dims) == 3:
        return ((1,) + dims, dims)
    return (dims,)


def input_readings(input_size: Any) -> list[tuple[list[tuple[int, ...]], dict[str, tuple[int, ...]]]]:
    """The readings of a model's ``input_size``: (positional input shapes, keyword input
    shapes), the batch included; the first is the most likely (see ``_one``)."""
    pos, kw = _sizes(input_size)
    first = ([p[0] for p in pos], {k: v[0] for k, v in kw.items()})
    out = [first]
    if any(len(p) > 1 for p in pos):  # the second reading of 3-number sizes
        out.append(([p[-1] for p in pos], {k: v[0] for k, v in kw.items()}))
    return out


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:60] + "…"


def _compare(result: Summary, shapes: list[tuple[int, ...] | None]) -> None:
    for row, real in zip(result.layers, shapes, strict=True):
        if real is None:
            raise SummaryError(Text(f"--verify：层 {row.name}（{row.source}）在前向传播中没有运行",
                                    f"--verify: layer {row.name} ({row.source}) never ran in the "
                                    "forward pass"),
                               hint=Text("逐层推算假定各层按注册的顺序运行（如 Sequential）",
                                         "the analytic walk assumes the layers run in the order "
                                         "they are registered (as in Sequential)"))
        row.verified_shape = real
        if real != row.output_shape:
            got = "×".join(map(str, real))
            raise SummaryError(
                Text(f"--verify：层 {row.name}（{row.source}）：公式算出 {row.torch_shape}，"
                     f"前向传播却得到 {got}",
                     f"--verify: layer {row.name} ({row.source}): the formulas give "
                     f"{row.torch_shape} but the forward pass produced {got}"),
                hint=Text("模型的 forward() 没有按注册顺序运行各层，或在层与层之间改变了形状",
                          "the model's forward() does not run its layers in registration order, "
                          "or reshapes between them"))
    result.verified = True


SMALLER_INPUT = Text("用更小的 input_size", "use a smaller input_size")

# What --verify may spend: it allocates the real weights and runs a forward pass on zeros.
VERIFY_MEMORY_LIMIT = 2 * 2**30  # bytes: weights, activations and the largest work array
VERIFY_WORK_LIMIT = 5 * 10**10  # operations, weighted as below: about a minute at most
_ELEMENTWISE = 10  # a NumPy element-wise step costs about ten mult-adds of a BLAS GEMM


def _pair(v: Any) -> tuple[int, int]:
    return (v[0], v[1]) if isinstance(v, tuple | list) else (v, v)


def verify_cost(result: Summary, modules: list[nn.Module]) -> tuple[int, int]:
    """(bytes, operations) a forward pass of batch 1 on nndl's engine takes: the weights, every
    activation, and the largest temporary of one layer (a convolution's im2col columns, a
    pooling's padded copy), at ``result.bytes_per_value`` bytes a value; the GEMMs' mult-adds
    plus ten per element-wise step (im2col copies, window comparisons, activations)."""
    largest = work = 0
    for row, m in zip(result.layers, modules, strict=True):
        inp, out = math.prod(row.input_shape), math.prod(row.output_shape)
        kind = type(m).__name__
        if kind == "Conv2d" and len(row.input_shape) == 3:
            c, h, w = row.input_shape
            k, h2, _ = row.output_shape
            (kh, kw), (ph, pw) = _pair(m.kernel_size), _pair(m.padding)
            wide = max(row.output_shape[2], w + 2 * pw)  # the stride-1 path computes Wp wide
            cols = (c * kh * kw + 1) * h2 * wide
            temp = cols + c * (h + 2 * ph + 1) * (w + 2 * pw) + k * h2 * wide
            work += k * cols + _ELEMENTWISE * cols
        elif kind in ("MaxPool2d", "AvgPool2d") and len(row.input_shape) == 3:
            c, h, w = row.input_shape
            (kh, kw), (ph, pw) = _pair(m.kernel_size), _pair(m.padding)
            temp = c * (h + 2 * ph) * (w + 2 * pw) + out
            work += _ELEMENTWISE * out * kh * kw
        else:
            temp = inp + out
            work += _ELEMENTWISE * (inp + out)
        largest = max(largest, temp)
    values = math.prod(result.input_shape) + largest
    return result.param_bytes + result.activation_bytes + values * result.bytes_per_value, work


def check_verify_cost(result: Summary, modules: list[nn.Module]) -> None:
    """--verify allocates the real weights and runs a forward pass: refuse what cannot fit or
    would run for minutes, instead of dying with a MemoryError (the table itself needs
    neither)."""
    need, work = verify_cost(result, modules)
    hint = Text("去掉 --verify：表中每个数都不需要运行网络就能算出",
                "leave out --verify: every number in the table is computed without running the "
                "network")
    if need > VERIFY_MEMORY_LIMIT:
        raise SummaryError(Text(f"--verify 要真正运行一次前向传播，这个网络的权重、激活值和最大的"
                                f"工作数组（卷积的 im2col 列）约需 {need / 2**30:.3g} GiB（上限 "
                                f"{VERIFY_MEMORY_LIMIT / 2**30:g} GiB）",
                                f"--verify runs a real forward pass, and this network needs about "
                                f"{need / 2**30:.3g} GiB for its weights, activations and the "
                                f"largest work array (a convolution's im2col columns) (at most "
                                f"{VERIFY_MEMORY_LIMIT / 2**30:g} GiB)"), hint=hint)
    if work > VERIFY_WORK_LIMIT:
        raise SummaryError(Text(f"--verify 要真正运行一次前向传播，这个网络约需 {work:.2g} 次运算"
                                f"（上限 {VERIFY_WORK_LIMIT:.0e}，约一分钟）",
                                f"--verify runs a real forward pass, and this network takes about "
                                f"{work:.2g} operations (at most {VERIFY_WORK_LIMIT:.0e}, about a "
                                f"minute)"), hint=hint)
