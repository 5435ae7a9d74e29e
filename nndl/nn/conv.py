"""``Conv2d``: K filters of size F×F×D1 slid over the input (NCHW), as ``torch.nn.Conv2d``."""

from __future__ import annotations

import math

import numpy as np

from nndl.engine.tensor import Tensor
from nndl.nn import _explain, init
from nndl.nn import functional as F
from nndl.nn.module import Formula, Module, Parameter, ShapeInfo, empty, fmt


def _pair(v) -> tuple[int, int]:
    return (v[0], v[1]) if isinstance(v, tuple | list) else (v, v)


class Conv2d(Module):
    summary_name = "Conv"

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: str | None = None, dtype=None):
        super().__init__()
        name = type(self).__name__
        _explain.check_positive(name, in_channels=in_channels, out_channels=out_channels,
                                kernel_size=_pair(kernel_size), stride=_pair(stride),
                                dilation=_pair(dilation))
        if isinstance(padding, str):
            raise _explain.LayerShapeError(f"{name}: padding={padding!r} is not supported",
                                           hint="give the padding as a number, e.g. padding=2")
        _explain.check_nonneg(name, padding=_pair(padding))
        if groups != 1 or padding_mode != "zeros":
            raise _explain.LayerShapeError(f"{name}: only groups=1 and padding_mode='zeros' "
                                           "are supported")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(kernel_size)
        self.stride, self.padding, self.dilation = _pair(stride), _pair(padding), _pair(dilation)
        self.groups, self.padding_mode = groups, padding_mode
        kh, kw = self.kernel_size
        self.weight = Parameter(empty((out_channels, in_channels, kh, kw), dtype, device))
        self.bias = Parameter(empty((out_channels,), dtype, device)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # PyTorch's default: kaiming_uniform(a=√5) = U(±1/√fan_in), bias U(±1/√fan_in)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
            bound = 1 / math.sqrt(fan_in) if fan_in else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim == 3:  # unbatched (C, H, W), as PyTorch allows
            return F.conv2d(x.unsqueeze(0), self.weight, self.bias, self.stride, self.padding,
                            self.dilation).squeeze(0)
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation)

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        name = type(self).__name__
        if len(in_shape) != 3:
            raise _explain.LayerShapeError(
                f"{name} needs an image input (W×H×D), got a vector of {fmt(int(np.prod(in_shape)))}",
                hint="put the conv layers before the first fully connected layer")
        d1, h1, w1 = in_shape
        if d1 != self.in_channels:
            raise _explain.LayerShapeError(
                f"{name}: the input has D1 = {d1} channels but the layer expects "
                f"in_channels = {self.in_channels} (weight {tuple(self.weight.shape)})",
                hint=f"make in_channels {d1}, or make the previous layer output "
                     f"{self.in_channels} channels")
        h2, w2, forms, notes = _explain.window(name, h1, w1, self.kernel_size, self.stride,
                                               self.padding, self.dilation, floor=floor)
        k = self.out_channels
        kh, kw = self.kernel_size
        fk = "F·F" if kh == kw else "Fh·Fw"
        fnum = f"{kh}·{kw}"
        forms.append(Formula("D2", "K", "", k))
        neurons = w2 * h2 * k
        forms.append(Formula("neurons", "W2·H2·D2", f"{w2}·{h2}·{k}", neurons))
        if self.bias is not None:
            params = kh * kw * d1 * k + k
            forms.append(Formula("params", f"{fk}·D1·K + K", f"{fnum}·{d1}·{k} + {k}", params))
        else:
            params = kh * kw * d1 * k
            forms.append(Formula("params", f"{fk}·D1·K", f"{fnum}·{d1}·{k}", params))
        mult_adds = w2 * h2 * k * kh * kw * d1
        forms.append(Formula("mult-adds", f"W2·H2·D2·{fk}·D1", f"{w2}·{h2}·{k}·{fnum}·{d1}",
                             mult_adds))
        total, trainable = self._param_counts()
        assert total == params, (total, params)  # the formula and the real weights agree
        return ShapeInfo(in_shape, (k, h2, w2), params, trainable, mult_adds, neurons, forms, notes)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.bias is None:
            s += ", bias=False"
        return s
