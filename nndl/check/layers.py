"""The layer calculator's arithmetic with mistakes as switches: the sizes, neurons and
parameters of a chain of layers (conv, pool, fc, and shape-keeping layers), computed the
textbook's way, or with any set of named mistakes switched on.

With no mistake switched on, every number equals the real calculator's
(:func:`nndl.summary.summary`, built from the layer classes that run): :func:`chain`
checks that on every call, so the two can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from nndl import nn
from nndl.errors import NNDLError
from nndl.summary import summary
from nndl.summary.core import spec_model
from nndl.text import Text


@dataclass(frozen=True)
class LayerNumbers:
    """One layer's numbers in the textbook's terms: shapes are (C, H, W)."""

    name: str  # Conv-1, MaxPool-1, FC-2 … as the summary names it
    kind: str  # conv | pool | fc | flatten | other
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    params: int
    neurons: int


def _pair(v) -> tuple[int, int]:
    return (int(v[0]), int(v[1])) if isinstance(v, tuple | list) else (int(v), int(v))


def _side(n: int, f: int, p: int, s: int, mistakes: frozenset[str]) -> int:
    """W2 = (W1 − F + 2P)/S + 1, or what a mistake makes of it (floor: PyTorch's rule)."""
    pad = p if "pad_once" in mistakes else 2 * p
    if "stride_divides_kernel_only" in mistakes:
        side = int(n - f / s + pad)
    else:
        side = (n - f + pad) // s
    return side if "no_plus_one" in mistakes else side + 1


def _layer(m, name: str, in_shape: tuple[int, ...], mistakes: frozenset[str],
           before_pool: tuple[int, ...] | None) -> LayerNumbers:
    if "shape_before_pool" in mistakes and before_pool is not None and \
            not isinstance(m, nn.MaxPool2d | nn.AvgPool2d):
        in_shape = before_pool
    if isinstance(m, nn.Conv2d):
        c, h, w = in_shape
        kh, kw = m.kernel_size
        dh, dw = m.dilation
        fh, fw = dh * (kh - 1) + 1, dw * (kw - 1) + 1
        (sh, sw), (ph, pw) = m.stride, _padding(m.padding, fh, fw)
        k = m.out_channels
        h2, w2 = _side(h, fh, ph, sh, mistakes), _side(w, fw, pw, sw, mistakes)
        depth = 1 if "no_input_depth" in mistakes else c
        weights = kh * kw * depth * k
        has_bias = m.bias is not None
        bias = (0 if not has_bias or "no_bias" in mistakes
                else c if "bias_per_input" in mistakes
                else h2 * w2 * k if "bias_per_position" in mistakes else k)
        return LayerNumbers(name, "conv", in_shape, (k, h2, w2), weights + bias, k * h2 * w2)
    if isinstance(m, nn.MaxPool2d | nn.AvgPool2d):
        c, h, w = in_shape
        (kh, kw), (ph, pw) = _pair(m.kernel_size), _pair(m.padding)
        sh, sw = _pair(m.stride if m.stride is not None else m.kernel_size)
        h2, w2 = _side(h, kh, ph, sh, mistakes), _side(w, kw, pw, sw, mistakes)
        # the pool_params mistake: a pooling layer counted as a conv of C filters F×F×C
        params = kh * kw * c * c + c if "pool_params" in mistakes else 0
        return LayerNumbers(name, "pool", in_shape, (c, h2, w2), params, c * h2 * w2)
    if isinstance(m, nn.Flatten):
        n = 1
        for d in (in_shape[1:] if "no_input_depth" in mistakes and len(in_shape) == 3 else in_shape):
            n *= d
        return LayerNumbers(name, "flatten", in_shape, (n,), 0, 0)
    if isinstance(m, nn.Linear):
        n_in, n_out = in_shape[-1], m.out_features
        weights = n_in * n_out
        bias = (0 if m.bias is None or "no_bias" in mistakes
                else n_in if "bias_per_input" in mistakes else n_out)
        return LayerNumbers(name, "fc", in_shape, (n_out,), weights + bias, n_out)
    params = sum(p.numel() for p in m.parameters())
    return LayerNumbers(name, "other", in_shape, in_shape, params, 0)


def chain(spec: str, mistakes: frozenset[str] = frozenset(),
          overrides: dict[str, tuple[int, ...]] | None = None) -> list[LayerNumbers]:
    """The numbers of every layer of ``spec``, with ``mistakes`` switched on. ``overrides``
    replaces a layer's output shape by a given one (a student's earlier answer), so a
    later row can be checked against the student's own earlier row."""
    model, in_shape, rows = _structure(spec)
    out: list[LayerNumbers] = []
    shape = tuple(in_shape)
    before_pool = None
    for m, row in zip(model, rows, strict=True):
        numbers = _layer(m, row.name, shape, mistakes, before_pool)
        if not mistakes and not overrides and (numbers.out_shape != tuple(row.output_shape)
                                               or numbers.params != row.params):
            mine = f"({numbers.out_shape}, {numbers.params})"
            calc = f"({tuple(row.output_shape)}, {row.params})"
            raise NNDLError(Text(f"内部错误：检查器对 {row.name} 的计算 {mine} 与计算器的 {calc} 不同",
                                 f"internal: the checker's arithmetic for {row.name} {mine} "
                                 f"differs from the calculator's {calc}"),
                            hint=Text("请报告这个问题：本该有测试发现它",
                                      "please report this: a test should have caught it"))
        if numbers.kind == "pool":
            before_pool = shape
        elif numbers.kind in ("conv", "fc", "flatten"):
            before_pool = None
        shape = numbers.out_shape
        if overrides and row.name in overrides:
            shape = overrides[row.name]
            numbers = LayerNumbers(numbers.name, numbers.kind, numbers.in_shape, shape,
                                   numbers.params, _prod(shape))
        out.append(numbers)
    return out


@lru_cache(maxsize=64)
def _structure(spec: str):
    """The layers of ``spec`` (built without weights) and the calculator's rows: a diagnosis
    runs the chain dozens of times on one spec."""
    model, in_shape = spec_model(spec, meta=True)
    return list(model), tuple(in_shape), summary(model, in_shape).layers


def _prod(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


# mistakes that change a layer chain's numbers (the others belong to graphs and formulas)
LAYER_MISTAKES = ("no_plus_one", "pad_once", "stride_divides_kernel_only", "no_bias",
                  "bias_per_input", "no_input_depth", "bias_per_position", "pool_params",
                  "shape_before_pool")


def _padding(padding: str | tuple[int, int], fh: int, fw: int) -> tuple[int, int]:
    """A convolution's padding per side: PyTorch's 'valid' is 0 and 'same' (stride 1) is
    (F − 1)/2 — a whole number only for odd kernels, the only ones the formula covers."""
    if not isinstance(padding, str):
        return padding
    if padding == "valid":
        return 0, 0
    if fh % 2 == 0 or fw % 2 == 0:
        raise NNDLError(Text(f"padding='same' 配偶数卷积核（{fh}×{fw}）时两侧填充不一样多："
                             "W2 = (W − F + 2P)/S + 1 描述不了它",
                             f"padding='same' with an even kernel ({fh}×{fw}) pads one side more "
                             "than the other: W2 = (W − F + 2P)/S + 1 does not describe it"),
                        hint=Text("用奇数卷积核，或把填充写成数字",
                                  "use an odd kernel, or give the padding as a number"))
    return (fh - 1) // 2, (fw - 1) // 2
