"""``Conv2d``: K filters of size F×F×D1 slid over the input (NCHW), as ``torch.nn.Conv2d``."""

from __future__ import annotations

import math

import numpy as np

from nndl.engine.tensor import Tensor
from nndl.errors import NNDLError
from nndl.nn import _explain, init
from nndl.nn import functional as F
from nndl.nn.module import Formula, Module, Parameter, ShapeInfo, empty, fmt


def _pair(v) -> tuple[int, int]:
    return (v[0], v[1]) if isinstance(v, tuple | list) else (v, v)


class Conv2d(Module):
    """Applies a 2-D convolution over an image made of several channels, as
    ``torch.nn.Conv2d``: K = ``out_channels`` filters of size F×F×D1, each slid over the
    whole input, each giving one output channel.

    With the input x zero-padded by P on every side, output channel k at position (i, j)
    is the filter's weighted sum of one window plus its bias (a cross-correlation, as in
    PyTorch)::

        out[n, k, i, j] = bias[k] + Σ_c Σ_u Σ_v weight[k, c, u, v] · x[n, c, S·i + D·u, S·j + D·v]

    for c < D1 and u, v < F. The textbook's letters: D1 = ``in_channels``,
    K = ``out_channels`` (= D2), F = ``kernel_size``, S = ``stride``, P = ``padding``,
    D = ``dilation``.

    Args:
        in_channels (int): D1, the number of channels of the input image.
        out_channels (int): K, the number of filters, which is the number of output
            channels D2.
        kernel_size (int or tuple): F, the size of each filter; a pair (Fh, Fw) for a
            rectangular one.
        stride (int or tuple, optional): S, the step of the window. Default: 1
        padding (int or tuple, optional): P, the zeros added on every side of the input.
            Default: 0. Strings (``'same'``, ``'valid'``) are not supported yet.
        dilation (int or tuple, optional): D, the spacing between the elements of a filter.
            Default: 1
        groups (int, optional): only 1 is supported (no grouped or depthwise
            convolution yet). Default: 1
        bias (bool, optional): if ``True``, each filter has a learnable bias. Default: ``True``
        padding_mode (str, optional): only ``'zeros'`` is supported (not ``'reflect'``,
            ``'replicate'`` or ``'circular'``). Default: ``'zeros'``
        device (str, optional): ``'meta'`` builds the layer without allocating its weights
            (as :func:`meta_device`); anything else means the CPU. Default: ``None``
        dtype (optional): the dtype of the weights. Default: float32

    Shape:
        - Input: (N, D1, H1, W1) or (D1, H1, W1), the textbook's W1×H1×D1 image
        - Output: (N, D2, H2, W2) or (D2, H2, W2), where, for a square input and
          filter (the same F, S, P and D on both axes),

          W2 = H2 = (W1 − F + 2P)/S + 1

          W2 = H2 = (W1 + 2P − D·(F − 1) − 1)/S + 1 with a dilation D > 1

          D2 = K

          On a rectangular input each axis has its own line, W2 = (W1 − F + 2P)/S + 1
          and H2 = (H1 − F + 2P)/S + 1, and a letter whose two values differ gets the
          axis as a suffix: W2 = (W1 − Fw + 2Pw)/Sw + 1, H2 = (H1 − Fh + 2Ph)/Sh + 1,
          W2 = (W1 + 2Pw − Dw·(Fw − 1) − 1)/Sw + 1. These are the formulas
          :meth:`describe` prints. When the division leaves a remainder the forward pass
          rounds down, as PyTorch; ``describe()`` (and ``nndl.summary``) raises
          :class:`LayerShapeError` naming a padding, stride or input size that works,
          unless ``floor=True``.

    Parameters and cost (the textbook's count)::

        params = F·F·D1·K + K          (bias=False: params = F·F·D1·K)
        params = Fh·Fw·D1·K + K        (a rectangular filter)
        neurons = W2·H2·D2
        mult-adds = W2·H2·D2·F·F·D1    (mult-adds = W2·H2·D2·Fh·Fw·D1)

    Attributes:
        weight (Parameter): shape (K, D1, Fh, Fw), drawn from U(−1/√(D1·Fh·Fw), 1/√(D1·Fh·Fw))
            as PyTorch's default (``kaiming_uniform_`` with a = √5).
        bias (Parameter or None): shape (K,), drawn from the same distribution.

    Examples::

        >>> m = nn.Conv2d(3, 6, 5)  # LeNet-5's first layer: 6 filters of 5×5×3
        >>> x = nndl.randn(1, 3, 32, 32)
        >>> m(x).shape
        (1, 6, 28, 28)
        >>> for f in m.describe((3, 32, 32)).formulas:
        ...     print(f)
        W2 = H2 = (W1 − F + 2P)/S + 1 = (32 − 5 + 2·0)/1 + 1 = 28
        D2 = K = 6
        neurons = W2·H2·D2 = 28·28·6 = 4,704
        params = F·F·D1·K + K = 5·5·3·6 + 6 = 456
        mult-adds = W2·H2·D2·F·F·D1 = 28·28·6·5·5·3 = 352,800
        >>> sum(p.numel() for p in m.parameters())
        456
        >>> # a rectangular filter, unequal stride and padding
        >>> m = nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2))
        >>> m(nndl.randn(2, 16, 50, 100)).shape
        (2, 33, 28, 100)
    """

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
        if total != params:  # the formula and the real weights agree
            raise NNDLError(f"internal: {name}'s formula counts {params} parameters but the "
                            f"layer holds {total}; please report this")
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
