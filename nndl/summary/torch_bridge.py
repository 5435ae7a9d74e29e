"""A PyTorch model in the calculator: its own forward pass, observed with PyTorch's forward
hooks (:mod:`nndl.summary.trace`), on zeros of ``input_size`` or on the user's
``input_data``.

With ``input_size`` the pass is shape-only: the parameters, buffers and inputs are
stand-ins on PyTorch's meta device (``torch.func.functional_call``), so ResNet-152 at any
input size costs no memory, and the model's weights are never touched. A forward that
cannot run on the meta device (it reads a value, or mixes in a tensor of its own) runs for
real on zeros instead, within the memory bound. ``verify=True`` also runs the real forward
and compares every call's shapes.

Each leaf layer nndl.nn has gets the same formulas as a text spec (an equivalent nndl
layer is built on nndl's meta device); the other layers of :mod:`nndl.summary.formulas`
get theirs; any other module is measured.
"""

from __future__ import annotations

import math
from typing import Any

from nndl import nn
from nndl.summary import trace
from nndl.summary.rows import (
    SMALLER_INPUT,
    VERIFY_MEMORY_LIMIT,
    Summary,
    SummaryError,
    check_mult_adds,
    input_readings,
)
from nndl.text import Text


def _standin(m: Any) -> nn.Module | None:
    """The nndl layer whose describe() explains ``m`` (built on the meta device), or None."""
    import torch.nn as tnn

    t = type(m)
    with nn.meta_device():
        if t is tnn.Conv2d and m.groups == 1 and not isinstance(m.padding, str) \
                and m.padding_mode == "zeros":
            return nn.Conv2d(m.in_channels, m.out_channels, m.kernel_size, m.stride, m.padding,
                             m.dilation, bias=m.bias is not None)
        if t is tnn.Linear:
            return nn.Linear(m.in_features, m.out_features, bias=m.bias is not None)
        if t is tnn.MaxPool2d and not m.ceil_mode and 2 * _first(m.padding) <= _first(
                m.kernel_size):
            return nn.MaxPool2d(m.kernel_size, m.stride, m.padding, m.dilation)
        if t is tnn.AvgPool2d and not m.ceil_mode and m.divisor_override is None:
            return nn.AvgPool2d(m.kernel_size, m.stride, m.padding,
                                count_include_pad=m.count_include_pad)
        if t in (tnn.BatchNorm1d, tnn.BatchNorm2d):
            cls = nn.BatchNorm2d if t is tnn.BatchNorm2d else nn.BatchNorm1d
            return cls(m.num_features, m.eps, m.momentum, m.affine, m.track_running_stats,
                       bias=getattr(m, "bias", None) is not None)
        if t is tnn.Flatten:
            return nn.Flatten(m.start_dim, m.end_dim)
        if t is tnn.Dropout:
            return nn.Dropout(m.p)
        if t is tnn.LeakyReLU:
            return nn.LeakyReLU(m.negative_slope)
        if t in (tnn.Softmax, tnn.LogSoftmax):
            return getattr(nn, t.__name__)(m.dim)
        simple = {tnn.ReLU: nn.ReLU, tnn.Sigmoid: nn.Sigmoid, tnn.Tanh: nn.Tanh,
                  tnn.Identity: nn.Identity}
        return simple[t]() if t in simple else None


def _first(v: Any) -> int:
    return int(v[0]) if isinstance(v, tuple | list) else int(v)


def _is_tensor(x: Any) -> bool:
    import torch

    return isinstance(x, torch.Tensor)


# ------------------------------------------------------------------ the inputs
def _dtype_of(model: Any) -> Any:
    import torch

    for p in model.parameters():
        if p.is_floating_point():
            return p.dtype
    return torch.float32


def _has_embedding(model: Any) -> bool:
    return any(type(m).__name__ in ("Embedding", "EmbeddingBag") for m in model.modules())


# ------------------------------------------------------------------ the passes
def _run(model: Any, args: list, kwargs: dict, meta: bool
         ) -> tuple[list[trace.Call], Any, set[int]]:
    import torch

    named = list(model.named_modules())
    modes = [(m, m.training) for _, m in named]
    model.eval()  # batch norm on a batch of 1; dropout off: the shapes are the same
    tracer = trace.Tracer(named, _is_tensor)
    swapped: list[tuple[dict, str, Any]] = []
    try:
        with tracer, torch.no_grad():
            if meta:
                swapped = _to_meta(model)
            out = model(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - reported with the module it raised in
        raise _Failed(tracer, exc) from None
    finally:
        for store, key, value in reversed(swapped):  # the model's own tensors, untouched
            store[key] = value
        for m, mode in modes:
            m.training = mode
    return tracer.calls, trace.shapes_of(out, _is_tensor), tracer.blind


def _to_meta(model: Any) -> list[tuple[dict, str, Any]]:
    """Put a meta stand-in in place of every parameter and buffer (one per tensor, so tied
    ones stay tied, and a module held twice is visited once); returns what to put back."""
    import torch

    swapped: list[tuple[dict, str, Any]] = []
    stand_in: dict[int, Any] = {}
    for m in model.modules():
        for store in (m._parameters, m._buffers):
            for key, value in list(store.items()):
                if value is None:
                    continue
                if id(value) not in stand_in:
                    t = torch.empty_like(value, device="meta")  # raises for a lazy parameter
                    if isinstance(value, torch.nn.Parameter):
                        t = torch.nn.Parameter(t, requires_grad=value.requires_grad)
                    stand_in[id(value)] = t
                swapped.append((store, key, value))
                store[key] = stand_in[id(value)]
    return swapped


class _Failed(Exception):
    def __init__(self, tracer: trace.Tracer, exc: BaseException):
        super().__init__(str(exc))
        self.tracer, self.exc = tracer, exc


def _zeros(shapes: list[tuple[int, ...]], kw: dict[str, tuple[int, ...]], dtypes: list,
           meta: bool) -> tuple[list, dict]:
    import torch

    device = "meta" if meta else "cpu"
    it = iter(dtypes * (len(shapes) + len(kw)))
    args = [torch.zeros(s, dtype=next(it), device=device) for s in shapes]
    kwargs = {k: torch.zeros(s, dtype=next(it), device=device) for k, s in kw.items()}
    return args, kwargs


def _bytes_needed(calls: list[trace.Call], model: Any, inputs: list[tuple[int, ...]]) -> int:
    """What a real forward on zeros allocates, at most: the inputs, every leaf output (no
    graph is kept, so this is generous) and a convolution's unfolded columns."""
    values = sum(math.prod(s) for s in inputs)
    largest = 0
    for c in calls:
        if any(True for _ in c.module.children()):
            continue
        values += sum(math.prod(s) for s in trace.all_shapes(c.output))
        out = trace.first_shape(c.output)
        if "Conv" in type(c.module).__name__ and out and hasattr(c.module, "kernel_size"):
            k = math.prod(c.module.kernel_size)
            per = c.module.in_channels // getattr(c.module, "groups", 1)
            largest = max(largest, per * k * math.prod(out[2:]) * out[0])
    return (values + largest) * 4


def summary_of_torch(model: Any, input_size: Any, *, floor: bool, verify: bool,
                     input_data: Any = None, dtypes: Any = None,
                     mult_adds: str = "nndl") -> Summary:
    import torch

    check_mult_adds(mult_adds)
    notes: list[Text] = []
    if input_data is not None:
        args, kwargs = _data(input_data)
        try:
            calls, out, blind = _run(model, args, kwargs, meta=False)
        except _Failed as f:
            raise trace.forward_error(f.tracer, f.exc, Text("在 input_data 上做前向传播",
                                                             "the forward pass on input_data")) \
                from None
        shapes = trace.all_shapes(trace.shapes_of(list(args) + list(kwargs.values()), _is_tensor))
        verified = True
    else:
        if input_size is None:
            raise SummaryError(Text("汇总 PyTorch 模型需要给出 input_size（或 input_data）",
                                    "summary of a PyTorch model needs input_size (or input_data)"),
                               hint=Text("例如 summary(model, input_size=(3, 227, 227))",
                                         "e.g. summary(model, input_size=(3, 227, 227))"))
        base = _dtype_of(model)
        if dtypes is not None:
            options = [list(dtypes) if isinstance(dtypes, list | tuple) else [dtypes]]
        else:
            options = [[base]] + ([[torch.long]] if _has_embedding(model) else [])
        first_error: _Failed | None = None
        found = None
        for shapes_, kw in input_readings(input_size):
            for dts in options:
                try:
                    calls, out, blind = _run(model, *_zeros(shapes_, kw, dts, meta=True), meta=True)
                    found = (shapes_, kw, dts, True)
                except _Failed as f:
                    first_error = first_error or f
                    continue
                break
            if found:
                break
        real_error: _Failed | None = None
        if found is None:  # the shape-only pass cannot run it: a real pass on zeros
            for shapes_, kw in input_readings(input_size):
                for dts in options:
                    need = sum(math.prod(s) for s in shapes_) * 4
                    if need > VERIFY_MEMORY_LIMIT:
                        break
                    try:
                        calls, out, blind = _run(model, *_zeros(shapes_, kw, dts, meta=False),
                                          meta=False)
                        found = (shapes_, kw, dts, False)
                    except _Failed as f:
                        if isinstance(f.exc, MemoryError) or "memory" in str(f.exc).lower():
                            sizes = _shapes_text(shapes_)
                            raise SummaryError(
                                Text(f"模型在 {sizes} 的全零输入上做前向传播时内存不足",
                                     f"the model's forward pass ran out of memory on zeros of "
                                     f"{sizes}"), hint=SMALLER_INPUT) from None
                        real_error = real_error or f  # PyTorch's CPU message says more
                        continue
                    break
                if found:
                    break
            if found is None:
                failed = real_error or first_error
                if failed is None:  # nothing was tried: no reading of the size at all
                    raise SummaryError(Text(f"无法识别 input_size {input_size!r}",
                                            f"cannot read input_size {input_size!r}"),
                                       hint=Text("例如 input_size=(3, 227, 227)",
                                                 "e.g. input_size=(3, 227, 227)"))
                raise trace.forward_error(failed.tracer, failed.exc,
                                          Text("在全零输入上做前向传播", "the forward pass on zeros")) \
                    from None
            notes.append(Text(zh="这个模型无法在 meta 设备上只推算形状，已改为在全零输入上真实运行一次前向传播",
                              en="the forward pass cannot run shape-only (on the meta device): "
                                 "it ran for real on zeros"))
        shapes_, kw, dts, was_meta = found
        shapes = list(shapes_) + list(kw.values())
        if dts[0] == torch.long and dtypes is None:
            notes.append(Text(zh="模型以嵌入层开头，所以输入取整数 0（词元编号）",
                              en="the input is integer zeros (token ids): the model embeds it"))
        verified = not was_meta
        if verify and was_meta:
            need = _bytes_needed(calls, model, shapes)
            if need > VERIFY_MEMORY_LIMIT:
                raise SummaryError(
                    Text(f"--verify 要真正运行一次前向传播，这个网络的激活值和最大的工作数组（卷积展开的列）"
                         f"约需 {need / 2**30:.3g} GiB（上限 {VERIFY_MEMORY_LIMIT / 2**30:g} GiB）",
                         f"--verify runs a real forward pass, and this network needs about "
                         f"{need / 2**30:.3g} GiB for its activations and the largest work array "
                         f"(a convolution's unfolded columns) (at most "
                         f"{VERIFY_MEMORY_LIMIT / 2**30:g} GiB)"),
                    hint=Text("去掉 --verify：形状已来自 PyTorch 自身在 meta 设备上的前向传播，"
                              "不占内存",
                              "leave out --verify: the shapes come from PyTorch's own forward "
                              "pass on the meta device, which needs no memory"))
            try:
                real, _, _ = _run(model, *_zeros(shapes_, kw, dts, meta=False), meta=False)
            except _Failed as f:
                raise trace.forward_error(f.tracer, f.exc, Text("--verify 真实运行前向传播",
                                                                 "--verify: the real forward "
                                                                 "pass")) \
                    from None
            trace.check_shapes(calls, real)
            verified = True
    d = trace.Describer(_cached(_standin), lambda p: p.numel(), lambda p: p.requires_grad)
    result = trace.build(calls, list(model.named_modules()), model, d, source="torch",
                         input_shapes=shapes, mult_adds=mult_adds, floor=floor, blind=blind)
    result.model_output = out
    result.notes += notes
    if verified:
        result.verified = True
        for r in result.layers:
            r.verified_shape = r.output_shape
    return result


def _shapes_text(shapes: list[tuple[int, ...]]) -> str:
    return ", ".join("×".join(map(str, s)) for s in shapes)


def _data(data: Any) -> tuple[list, dict]:
    """input_data as PyTorch passes it on: a dict is keyword arguments, a tuple or list the
    positional ones, anything else the one argument."""
    if isinstance(data, dict):
        return [], dict(data)
    if isinstance(data, tuple | list):
        return list(data), {}
    return [data], {}


def _cached(f: Any) -> Any:
    cache: dict[int, Any] = {}

    def get(m: Any) -> Any:
        if id(m) not in cache:
            cache[id(m)] = f(m)
        return cache[id(m)]
    return get
