"""``MaxPool2d`` and ``AvgPool2d``: a window slid over each channel, no parameters."""

from __future__ import annotations

from nndl.engine.tensor import Tensor
from nndl.nn import _explain
from nndl.nn import functional as F
from nndl.nn.module import Formula, Module, ShapeInfo


def _pair(v) -> tuple[int, int]:
    return (v[0], v[1]) if isinstance(v, tuple | list) else (v, v)


class _Pool2d(Module):
    summary_name = "Pool"
    _dilation = (1, 1)

    def _check(self) -> None:
        name = type(self).__name__
        _explain.check_positive(name, kernel_size=_pair(self.kernel_size),
                                stride=_pair(self.stride))
        _explain.check_nonneg(name, padding=_pair(self.padding))
        k, p = _pair(self.kernel_size), _pair(self.padding)
        if 2 * p[0] > k[0] or 2 * p[1] > k[1]:
            raise _explain.LayerShapeError(
                f"{name}: padding {self.padding} must be at most half the kernel "
                f"{self.kernel_size}", hint=f"use padding <= {k[0] // 2} (PyTorch's rule)")

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        name = type(self).__name__
        if len(in_shape) != 3:
            raise _explain.LayerShapeError(f"{name} needs an image input (W×H×D), got shape "
                                           f"{in_shape}", hint="pool before flattening")
        d1, h1, w1 = in_shape
        h2, w2, forms, notes = _explain.window(name, h1, w1, _pair(self.kernel_size),
                                               _pair(self.stride), _pair(self.padding),
                                               _pair(self._dilation), floor=floor, pool=True)
        forms.append(Formula("D2", "D1", "", d1))
        neurons = w2 * h2 * d1
        forms.append(Formula("neurons", "W2·H2·D2", f"{w2}·{h2}·{d1}", neurons))
        forms.append(Formula("params", "0", "", 0))
        return ShapeInfo(in_shape, (d1, h2, w2), 0, 0, 0, neurons, forms, notes)


class MaxPool2d(_Pool2d):
    summary_name = "MaxPool"

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation, self.ceil_mode = padding, dilation, ceil_mode
        self.return_indices = return_indices
        if return_indices or ceil_mode:
            raise _explain.LayerShapeError("MaxPool2d: return_indices and ceil_mode are not "
                                           "supported")
        self._dilation = _pair(dilation)
        self._check()

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(_Pool2d):
    summary_name = "AvgPool"

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad = count_include_pad
        if ceil_mode:
            raise _explain.LayerShapeError("AvgPool2d: ceil_mode is not supported")
        self._check()

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding,
                            count_include_pad=self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
