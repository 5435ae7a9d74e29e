"""A PyTorch model in the calculator: each leaf module becomes the equivalent nndl layer
(on the meta device, no weights), so the same formulas explain it. A layer whose
weights do not fit the shape arriving at it is an error that names it."""

from __future__ import annotations

from typing import Any

from nndl import nn
from nndl.nn.module import fmt, shape_text
from nndl.summary.rows import (
    Summary,
    SummaryError,
    _compare,
    _describe,
    _Entry,
    check_verify_cost,
    parse_input_size,
)


def _to_nndl(name: str, m: Any, shape: tuple[int, ...]) -> nn.Module | None:
    import torch.nn as tnn

    t = type(m)
    if isinstance(m, tnn.Conv2d):
        if m.groups != 1:
            raise SummaryError(f"layer '{name}' ({t.__name__}): groups={m.groups} is not supported")
        if len(shape) == 3 and shape[0] != m.in_channels:
            raise SummaryError(
                f"layer '{name}' ({t.__name__}, weight {tuple(m.weight.shape)}): it expects "
                f"in_channels = {m.in_channels}, but the input reaching it has "
                f"{shape[0]} channels ({shape_text(shape)})",
                hint=f"use nn.Conv2d({shape[0]}, {m.out_channels}, ...) or make the previous "
                     f"layer output {m.in_channels} channels")
        pad = m.padding
        if isinstance(pad, str):
            raise SummaryError(f"layer '{name}': padding='{pad}' is not supported",
                               hint="give the padding as numbers")
        return nn.Conv2d(m.in_channels, m.out_channels, m.kernel_size, m.stride, pad, m.dilation,
                         bias=m.bias is not None)
    if isinstance(m, tnn.Linear):
        if shape[-1] != m.in_features:
            flat = 1
            for n in shape:
                flat *= n
            raise SummaryError(
                f"layer '{name}' (Linear, weight {tuple(m.weight.shape)}): it expects "
                f"in_features = {fmt(m.in_features)}, but the input reaching it has "
                f"{fmt(shape[-1])} features (shape {shape_text(shape)}, {fmt(flat)} values)",
                hint=(f"use nn.Linear({flat}, {m.out_features}) after a Flatten"
                      if len(shape) > 1 else f"use nn.Linear({shape[-1]}, {m.out_features})"))
        return nn.Linear(m.in_features, m.out_features, bias=m.bias is not None)
    if isinstance(m, tnn.MaxPool2d):
        if m.ceil_mode:
            raise SummaryError(f"layer '{name}': ceil_mode=True is not supported")
        return nn.MaxPool2d(m.kernel_size, m.stride, m.padding, m.dilation)
    if isinstance(m, tnn.AvgPool2d):
        if m.ceil_mode:
            raise SummaryError(f"layer '{name}': ceil_mode=True is not supported")
        return nn.AvgPool2d(m.kernel_size, m.stride, m.padding,
                            count_include_pad=m.count_include_pad)
    if isinstance(m, tnn.BatchNorm2d | tnn.BatchNorm1d):
        if shape and shape[0] != m.num_features:
            raise SummaryError(
                f"layer '{name}' ({t.__name__}): it expects {m.num_features} channels, but the "
                f"input reaching it has {shape[0]}", hint=f"use {t.__name__}({shape[0]})")
        cls = nn.BatchNorm2d if isinstance(m, tnn.BatchNorm2d) else nn.BatchNorm1d
        return cls(m.num_features, m.eps, m.momentum, m.affine, m.track_running_stats,
                   bias=getattr(m, "bias", None) is not None)
    if isinstance(m, tnn.Flatten):
        return nn.Flatten(m.start_dim, m.end_dim)
    if isinstance(m, tnn.Dropout):
        return nn.Dropout(m.p)
    if isinstance(m, tnn.LeakyReLU):
        return nn.LeakyReLU(m.negative_slope)
    if isinstance(m, tnn.Softmax):
        return nn.Softmax(m.dim)
    if isinstance(m, tnn.LogSoftmax):
        return nn.LogSoftmax(m.dim)
    simple = {tnn.ReLU: nn.ReLU, tnn.Sigmoid: nn.Sigmoid, tnn.Tanh: nn.Tanh,
              tnn.Identity: nn.Identity}
    for tc, nc in simple.items():
        if isinstance(m, tc):
            return nc()
    if isinstance(m, tnn.modules.loss._Loss):
        return None
    raise SummaryError(f"layer '{name}' ({t.__name__}) has no nndl equivalent for the calculator",
                       hint="supported: Conv2d, Linear, MaxPool2d, AvgPool2d, BatchNorm1d/2d, "
                            "Flatten, Dropout, ReLU, LeakyReLU, Sigmoid, Tanh, Softmax, Identity")


def summary_of_torch(model: Any, input_size: Any, *, floor: bool, verify: bool) -> Summary:
    if input_size is None:
        raise SummaryError("summary of a PyTorch model needs input_size",
                           hint="e.g. summary(model, input_size=(3, 227, 227))")
    in_shape = parse_input_size(input_size)
    leaves = [(n, m) for n, m in model.named_modules() if not list(m.children())]
    entries: list[_Entry] = []
    kept = []
    shape = in_shape
    with nn.meta_device():
        for name, m in leaves:
            ours = _to_nndl(name or type(m).__name__, m, shape)
            if ours is None:
                continue
            entries.append(_Entry(ours, name or type(m).__name__))
            kept.append(m)
            try:
                shape = ours.describe(shape, floor=True).out_shape
            except Exception:  # noqa: BLE001 - _describe below reports it with the layer name
                break
    result = _describe(entries, in_shape, floor, "torch")
    real = sum(p.numel() for m in kept for p in m.parameters(recurse=False))
    if real != result.total_params:  # the formulas must account for every weight
        raise SummaryError(f"internal check failed: the formulas count {result.total_params} "
                           f"parameters, the PyTorch model has {real}")
    if verify:
        import torch

        check_verify_cost(result, [e.module for e in entries])
        seen: dict[int, tuple[int, ...]] = {}

        def record(mod, inp, out) -> None:
            seen.setdefault(id(mod), tuple(out.shape[1:]))

        handles = [m.register_forward_hook(record) for m in kept]
        was = model.training
        model.eval()
        try:
            with torch.no_grad():
                p = next(model.parameters(), None)
                model(torch.zeros((1,) + tuple(in_shape),
                                  dtype=p.dtype if p is not None else torch.float32))
        finally:
            model.train(was)
            for h in handles:
                h.remove()
        _compare(result, [seen.get(id(m)) for m in kept])
    return result
