"""The architecture summary: per-layer shapes, neurons, parameters and mult-adds, with the
formulas, computed by the layer classes themselves (:meth:`nndl.nn.Module.describe`).

A text spec (and an nndl ``Sequential`` of layers that have formulas) is a chain: the
layers are built on the meta device (no weights) and every number comes from the
formulas; ``verify=True`` also builds the real model and runs a forward pass on zeros,
comparing every shape. Any other model — branches, residual adds, several inputs, a PyTorch
model — is followed through its own forward pass with forward hooks
(:mod:`nndl.summary.trace`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nndl import nn
from nndl.nn.module import LayerShapeError, fmt, shape_text
from nndl.summary.rows import (
    SMALLER_INPUT,
    VERIFY_MEMORY_LIMIT,
    LayerRow,
    Summary,
    SummaryError,
    _compare,
    _describe,
    _Entry,
    _layer_info,
    check_mult_adds,
    check_verify_cost,
    input_readings,
    parse_input_size,
    torchinfo_mult_adds,
)
from nndl.summary.spec import MAX_COUNT, SpecError, SpecLine, _shown, parse
from nndl.text import Text

__all__ = ["LayerRow", "Summary", "SummaryError", "parse_input_size", "spec_model", "summary"]


# ------------------------------------------------------------------ spec -> layers
def _spec_entries(lines: list[SpecLine], in_shape: tuple[int, ...]) -> list[_Entry]:
    """Create the layer objects a spec names; channels and features come from the
    running shape, which needs the describe() of the previous layer."""
    entries: list[_Entry] = []
    shape = in_shape
    for sl in lines:
        kw = sl.keyword
        text = _shown(sl.text)
        if kw == "input":
            raise SpecError(Text(f"第 {sl.line} 行 `{text}`：第二个 input 行",
                                 f"line {sl.line} `{text}`: a second input line"),
                            hint=Text("网络描述只有一个 input 行，在最上面",
                                      "a spec has one input line, at the top"))
        if kw == "fc" and len(shape) == 3:  # an image; a sequence keeps PyTorch's rule
            entries.append(_Entry(nn.Flatten(), sl.text, sl.line, implied=True, spec=sl))
            shape = (math.prod(shape),)
        try:
            module = _make(sl, shape)
        except LayerShapeError as exc:
            raise SpecError(Text(f"第 {sl.line} 行 `{text}`：", f"line {sl.line} `{text}`: ")
                            + exc.message_t, hint=exc.hint_t) from None
        except (ValueError, OverflowError, MemoryError):  # NumPy cannot even index the weights
            raise SpecError(Text(f"第 {sl.line} 行 `{text}`：这一层的权重元素多到 NumPy 无法索引"
                                 f"（它的输入有 {math.prod(shape):,} 个值）",
                                 f"line {sl.line} `{text}`: this layer's weights would have more "
                                 f"elements than NumPy can index (its input has "
                                 f"{math.prod(shape):,} values)"),
                            hint=Text("用更小的输入或层", "use a smaller input or layer")) from None
        entries.append(_Entry(module, sl.text, sl.line, spec=sl))
        try:
            shape = _layer_info(module, shape, True).out_shape
        except LayerShapeError:
            return entries  # _describe reports it with the layer's name
        if math.prod(shape) > MAX_COUNT:
            return entries  # _describe reports it with the layer's name and the bound
    return entries


def _check_params(n: int) -> None:
    """Refuse a layer of more than MAX_COUNT parameters before creating it (NumPy's int64
    product of its weight's shape would wrap)."""
    if n > MAX_COUNT:
        raise LayerShapeError(Text(f"这一层会有 {n:,} 个参数，超过 nndl 能计数的上限（10^15）",
                                   f"the layer would have {n:,} parameters, more than nndl counts "
                                   "(at most 10^15)"),
                              hint=Text("用更小的尺寸：超过 10^15 不再计数",
                                        "use smaller sizes: past 10^15 no count is computed"))


def _make(sl: SpecLine, shape: tuple[int, ...]) -> nn.Module:
    a, kw = sl.args, sl.keyword
    if kw == "conv":
        if len(shape) != 3:
            raise LayerShapeError(Text(f"conv 层需要图像输入（W×H×D），这里的输入却是 "
                                       f"{fmt(shape[0])} 个值的向量",
                                       f"a conv layer needs an image input (W×H×D), but the input "
                                       f"here is a vector of {fmt(shape[0])} values"),
                                  hint=Text("把 conv 层放在第一个 fc 层之前，或把输入写成 WxHxD",
                                            "put conv layers before the first fc layer, or give "
                                            "the input as WxHxD"))
        kernel = a["kernel"]
        if len(kernel) == 3:
            if kernel[2] != shape[0]:
                shown = '×'.join(map(str, kernel))
                raise LayerShapeError(
                    Text(f"卷积核 {shown} 的深度是 {kernel[2]}，但输入有 D1 = {shape[0]} 个通道"
                         "（滤波器总是覆盖全部输入通道）",
                         f"the kernel {shown} has depth {kernel[2]}, but the input "
                         f"has D1 = {shape[0]} channels (a filter always spans all input "
                         "channels)"),
                    hint=Text(f"把卷积核写成 {kernel[0]}x{kernel[1]} 或 "
                              f"{kernel[0]}x{kernel[1]}x{shape[0]}",
                              f"write the kernel as {kernel[0]}x{kernel[1]} or "
                              f"{kernel[0]}x{kernel[1]}x{shape[0]}"))
            kernel = kernel[:2]
        _check_params(math.prod(kernel) * shape[0] * a["filters"] + a["filters"])
        return nn.Conv2d(shape[0], a["filters"], _hw(kernel), a.get("stride", 1),
                         a.get("pad", 0), a.get("dilation", 1), bias=a.get("bias", True))
    if kw in ("maxpool", "avgpool"):
        kernel = a["kernel"]
        if len(kernel) == 3:
            raise LayerShapeError(Text("池化窗口只有两个尺寸（F×F），它保持深度不变",
                                       "a pooling window has two sizes (F×F); it keeps the depth"),
                                  hint=Text(f"写成 {kernel[0]}x{kernel[1]}",
                                            f"write {kernel[0]}x{kernel[1]}"))
        k = _hw(kernel)
        stride = a.get("stride")
        pad, sides = a.get("pad", 0), (kernel[:2] if len(kernel) > 1 else kernel * 2)
        if 2 * pad > min(sides):  # PyTorch's rule; the layer itself says it only in English
            raise LayerShapeError(
                Text(f"池化的填充 pad={pad} 超过了窗口（{shape_text(tuple(sides))}）的一半",
                     f"padding {pad} must be at most half the pooling window "
                     f"{shape_text(tuple(sides))}"),
                hint=Text(f"用 pad={min(sides) // 2} 或更小的填充（与 PyTorch 的规则相同）",
                          f"use pad={min(sides) // 2} or less (PyTorch's rule)"))
        if kw == "maxpool":
            return nn.MaxPool2d(k, stride, a.get("pad", 0), a.get("dilation", 1))
        return nn.AvgPool2d(k, stride, a.get("pad", 0))
    if kw == "fc":
        _check_params(shape[-1] * a["filters"] + a["filters"])
        return nn.Linear(shape[-1], a["filters"], bias=a.get("bias", True))
    if kw == "bn":
        return nn.BatchNorm2d(shape[0]) if len(shape) == 3 else nn.BatchNorm1d(shape[0])
    if kw == "dropout":
        return nn.Dropout(a.get("p", 0.5))
    if kw == "leakyrelu":
        return nn.LeakyReLU(a.get("slope", 0.01))
    if kw == "softmax":
        return nn.Softmax(dim=1)
    if kw == "flatten":
        return nn.Flatten()
    if kw == "embedding":
        _check_params(a["vocab"] * a["dim"])
        return nn.Embedding(a["vocab"], a["dim"])
    if kw == "layernorm":  # a whole image, or each position's features
        return nn.LayerNorm(shape if len(shape) == 3 else shape[-1])
    return {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}[kw]()


def _hw(kernel: tuple[int, ...]) -> tuple[int, int]:
    """A textbook size is width × height; PyTorch's kernel_size is (height, width)."""
    return (kernel[0], kernel[0]) if len(kernel) == 1 else (kernel[1], kernel[0])



def spec_model(text: str, input_size: Any = None, *, meta: bool = False) -> tuple[nn.Sequential, tuple[int, ...]]:
    """The runnable :class:`nndl.nn.Sequential` a spec describes, and its input shape."""
    lines, in_shape = _split_input(text, input_size)
    if meta:
        with nn.meta_device():
            entries = _spec_entries(lines, in_shape)
    else:
        entries = _spec_entries(lines, in_shape)
    return nn.Sequential(*[e.module for e in entries]), in_shape


def _split_input(text: str, input_size: Any) -> tuple[list[SpecLine], tuple[int, ...]]:
    lines = parse(text)
    given = None if input_size is None else parse_input_size(input_size)
    if lines and lines[0].keyword == "input":
        in_shape = lines[0].args["shape"]
        if math.prod(in_shape) > MAX_COUNT:
            line, shown = lines[0].line, _shown(lines[0].text)
            raise SpecError(Text(f"第 {line} 行 `{shown}`：输入 {shape_text(in_shape)} 有 "
                                 f"{math.prod(in_shape):,} 个值；nndl 一个张量最多计 10^15 个值",
                                 f"line {line} `{shown}`: the input "
                                 f"{shape_text(in_shape)} has {math.prod(in_shape):,} values; nndl "
                                 "counts at most 10^15 values in a tensor"),
                            hint=Text("用更小的输入：超过 10^15 不再计数（int64 会溢出）",
                                      "use a smaller input: past 10^15 no count is computed "
                                      "(int64 would wrap)"))
        if given is not None and given != in_shape:
            raise SpecError(Text(f"第 {lines[0].line} 行：网络描述的输入是 {shape_text(in_shape)}，"
                                 f"--input 却给了 {shape_text(given)}",
                                 f"line {lines[0].line}: the spec says input "
                                 f"{shape_text(in_shape)} but --input gives {shape_text(given)}"),
                            hint=Text("只保留其中一个", "keep one of them"))
        return lines[1:], in_shape
    if given is None:
        first = lines[0] if lines else None
        where = (Text(f"第 {first.line} 行 `{first.text}`", f"line {first.line} `{first.text}`")
                 if first else Text("第 1 行", "line 1"))
        raise SpecError(Text(f"{where.zh}：网络描述不以 input 行开头，输入尺寸未知",
                             f"{where.en}: the spec does not start with an input line, so the "
                             "input size is unknown"),
                        hint=Text("在第一行加上 `input 227x227x3`（宽 x 高 x 通道数），"
                                  "或用 --input 227x227x3",
                                  "add a first line such as `input 227x227x3` (width x height x "
                                  "channels), or pass --input 227x227x3"))
    return lines, given


# ------------------------------------------------------------------ public entry
def summary(model_or_spec: Any, input_size: Any = None, verify: bool = False,
            floor: bool = False, *, input_data: Any = None, dtypes: Any = None,
            mult_adds: str = "nndl") -> Summary:
    """Per-layer output shape (textbook W×H×D and PyTorch C×H×W), neurons, parameters and
    mult-adds with their formulas, and totals, for a text spec, an nndl model or a PyTorch
    ``nn.Module``.

    A spec (and an nndl ``Sequential`` of layers that have formulas) is a chain: every
    number comes from the formulas, and ``verify=True`` runs a real forward pass on zeros
    (batch 1) and checks every shape. Any other model is followed through its own forward
    pass, observed with forward hooks (:mod:`nndl.summary.trace`): on zeros of
    ``input_size`` — ``(C, H, W)`` and ``(features,)`` get a batch of 1, other sizes carry
    their batch in front; a list of sizes for several inputs, a dict for keyword inputs —
    or on ``input_data`` (a tensor, a tuple of positional inputs, a dict of keyword
    inputs). ``dtypes`` gives the inputs' dtypes (default: the model's float type, integer
    zeros tried for a model with an embedding). A PyTorch model runs shape-only on the meta
    device; ``verify=True`` runs it for real too. ``floor=True`` rounds a non-dividing
    stride of a spec down as PyTorch does (with a note) instead of raising.
    ``mult_adds="torchinfo"`` counts mult-adds as torchinfo does (bias adds, BatchNorm's
    parameters, every call), to compare with it."""
    check_mult_adds(mult_adds)
    if isinstance(model_or_spec, str):
        lines, in_shape = _split_input(model_or_spec, input_size)
        with nn.meta_device():
            entries = _spec_entries(lines, in_shape)
        result = _describe(entries, in_shape, floor, "spec")
        if verify:
            check_verify_cost(result, [e.module for e in entries])
            model, _ = spec_model(model_or_spec, input_size)
            _verify_nndl(result, model, [m for m in model])
    elif isinstance(model_or_spec, nn.Module):
        if input_data is None and _is_chain(model_or_spec) and not _several(input_size):
            if input_size is None:
                raise SummaryError(Text("汇总一个模型需要给出 input_size",
                                        "summary of a model needs input_size"), hint=_SIZE_HINT)
            in_shape = parse_input_size(input_size)
            leaves = [(n, m) for n, m in model_or_spec.named_modules()
                      if not m._modules and type(m) not in _SKIP]
            entries = [_Entry(m, n or type(m).__name__) for n, m in leaves]
            result = _describe(entries, in_shape, floor, "nndl")
            if verify:
                check_verify_cost(result, [m for _, m in leaves])
                _verify_nndl(result, model_or_spec, [m for _, m in leaves])
        else:
            result = _summary_of_nndl(model_or_spec, input_size, input_data, dtypes, floor,
                                      mult_adds)
    elif _is_torch_module(model_or_spec):
        from nndl.summary.torch_bridge import summary_of_torch

        result = summary_of_torch(model_or_spec, input_size, floor=floor, verify=verify,
                                  input_data=input_data, dtypes=dtypes, mult_adds=mult_adds)
    else:
        kind = type(model_or_spec).__name__
        raise SummaryError(Text(f"无法汇总 {kind} 类型的对象", f"cannot summarise a {kind}"),
                           hint=Text("传入网络描述文本、nndl.nn.Module 或 torch.nn.Module",
                                     "pass a text spec, an nndl.nn.Module or a torch.nn.Module"))
    if not result.batch_included and mult_adds == "torchinfo":
        for r, e in zip(result.layers, _chain_modules(model_or_spec, result), strict=True):
            r.mult_adds = torchinfo_mult_adds(
                type(e).__name__, list(e.named_parameters(recurse=False)),
                (1,) + tuple(r.output_shape))
        result.total_mult_adds = sum(r.mult_adds for r in result.layers)
    result.mult_adds_convention = mult_adds
    if floor and any(r.notes for r in result.layers):
        result.notes.append(Text(
            zh="--floor：步长不能整除时按 PyTorch 的规则向下取整（见各层说明）",
            en="--floor: a stride that does not divide was rounded down as PyTorch does "
               "(see the layer notes)"))
    return result


def _chain_modules(model_or_spec: Any, result: Summary) -> list[nn.Module]:
    """The layer objects behind a chain's rows (rebuilt on the meta device for a spec)."""
    if isinstance(model_or_spec, str):
        model, _ = spec_model(model_or_spec, result.input_shape, meta=True)
        return list(model)
    return [m for _, m in model_or_spec.named_modules()
            if not m._modules and type(m) not in _SKIP]


def _several(input_size: Any) -> bool:
    """Several input sizes (a Sequential takes one input: it gets the error for them)."""
    return (isinstance(input_size, list | tuple) and bool(input_size)
            and all(isinstance(x, list | tuple | str) for x in input_size))


def _has_formula(m: nn.Module) -> bool:
    return type(m).describe is not nn.Module.describe


def _is_chain(model: nn.Module) -> bool:
    """A Sequential (Sequentials inside allowed) whose layers all have formulas: its shapes
    follow from the formulas alone, so the analytic table is exact and needs no forward."""
    if type(model) is not nn.Sequential:
        return False
    for _, m in model.named_modules():
        if m._modules:
            if type(m) is not nn.Sequential or m._parameters:
                return False
        elif type(m) not in _SKIP and not _has_formula(m):
            return False
    return True


def _summary_of_nndl(model: nn.Module, input_size: Any, input_data: Any, dtypes: Any,
                     floor: bool, mult_adds: str) -> Summary:
    """An nndl model through its own forward pass, seen by nndl's forward hooks (nndl has no
    shape-only device, so this pass is real, on zeros, without a graph)."""
    import nndl
    from nndl.summary import trace

    def is_tensor(x: Any) -> bool:
        return isinstance(x, nndl.Tensor)

    attempts: list[tuple[list[Any], dict[str, Any]]]
    if input_data is not None:
        if isinstance(input_data, dict):
            attempts = [([], dict(input_data))]
        elif isinstance(input_data, tuple | list):
            attempts = [(list(input_data), {})]
        else:
            attempts = [([input_data], {})]
    else:
        if input_size is None:
            raise SummaryError(Text("汇总一个模型需要给出 input_size（或 input_data）",
                                    "summary of a model needs input_size (or input_data)"),
                               hint=_SIZE_HINT)
        has_embedding = any(type(m).__name__ == "Embedding" for m in model.modules())
        options = ([list(dtypes) if isinstance(dtypes, list | tuple) else [dtypes]]
                   if dtypes is not None else
                   [[np.float32]] + ([[np.int64]] if has_embedding else []))
        attempts = []
        for shapes, kw in input_readings(input_size):
            need = sum(math.prod(s) for s in list(shapes) + list(kw.values())) * 4
            if need > VERIFY_MEMORY_LIMIT:
                raise SummaryError(Text(f"仅输入就要 {need / 2**30:.3g} GiB；nndl 模型的前向传播"
                                        "是真实运行的",
                                        f"the input alone is {need / 2**30:.3g} GiB; nndl runs an "
                                        "nndl model's forward pass for real"),
                                   hint=SMALLER_INPUT)
            for dts in options:
                it = iter(dts * (len(shapes) + len(kw)))
                attempts.append(([nndl.zeros(s, dtype=next(it)) for s in shapes],
                                 {k: nndl.zeros(s, dtype=next(it)) for k, s in kw.items()}))
    named = list(model.named_modules())
    modes = [(m, m.training) for _, m in named]
    first: tuple[Any, BaseException] | None = None
    found = None
    for args, kwargs in attempts:
        tracer = trace.Tracer(named, is_tensor)
        model.eval()
        try:
            with tracer, nndl.no_grad():
                out = model(*args, **kwargs)
            found = (tracer.calls, out, args, kwargs)
            break
        except MemoryError:
            raise SummaryError(Text("模型的前向传播内存不足", "the model's forward pass ran out of "
                                    "memory"), hint=SMALLER_INPUT) from None
        except Exception as exc:  # noqa: BLE001 - reported with the module it raised in
            first = first or (tracer, exc)
        finally:
            for m, mode in modes:
                object.__setattr__(m, "training", mode)
    if found is None:
        if first is None:
            raise SummaryError(Text("没有输入，无从运行", "nothing to run: no input"),
                               hint=Text("给出 input_size 或 input_data",
                                         "give input_size or input_data"))
        raise trace.forward_error(first[0], first[1], Text("做前向传播", "the forward pass")) \
            from None
    calls, out, args, kwargs = found
    d = trace.Describer(lambda m: m if _has_formula(m) else None,
                        lambda p: math.prod(p.shape), lambda p: bool(p.requires_grad))
    shapes = trace.all_shapes(trace.shapes_of(list(args) + list(kwargs.values()), is_tensor))
    result = trace.build(calls, named, model, d, source="nndl", input_shapes=shapes,
                         mult_adds=mult_adds, floor=floor)
    result.model_output = trace.shapes_of(out, is_tensor)
    result.verified = True  # every shape is from a real forward pass
    for r in result.layers:
        r.verified_shape = r.output_shape
    return result


_SIZE_HINT = Text("例如 summary(model, input_size=(3, 227, 227))",
                  "e.g. summary(model, input_size=(3, 227, 227))")

_SKIP: tuple[type, ...] = (nn.CrossEntropyLoss, nn.MSELoss, nn.BCEWithLogitsLoss, nn.NLLLoss)


def _is_torch_module(obj: Any) -> bool:
    return any(c.__module__.startswith("torch.nn") and c.__name__ == "Module"
               for c in type(obj).__mro__)


def _verify_nndl(result: Summary, model: nn.Module, leaves: list[nn.Module]) -> None:
    """Run the real model on zeros (batch 1) and compare every leaf's output shape."""
    import nndl

    seen: dict[int, tuple[int, ...]] = {}

    def record(mod, inp, out) -> None:
        seen.setdefault(id(mod), tuple(out.shape[1:]))

    handles = [m.register_forward_hook(record) for m in leaves]
    was_training = model.training
    model.eval()
    try:
        with nndl.no_grad():
            ids = bool(leaves) and isinstance(leaves[0], nn.Embedding)  # token ids go in
            model(nndl.zeros((1,) + tuple(result.input_shape),
                             dtype=np.int64 if ids else None))
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
    _compare(result, [seen.get(id(m)) for m in leaves])
