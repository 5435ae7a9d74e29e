"""``Conv2d``: K filters of size F×F×D1 slid over the input (NCHW), as ``torch.nn.Conv2d``."""

from __future__ import annotations

import math

import numpy as np

from nndl.engine.tensor import Tensor
from nndl.errors import NNDLError
from nndl.nn import _explain, init
from nndl.nn import functional as F
from nndl.nn.module import Formula, Module, Parameter, ShapeInfo, empty, fmt
from nndl.text import Text


def _pair(v) -> tuple[int, int]:
    return (v[0], v[1]) if isinstance(v, tuple | list) else (v, v)



def _reset_like_pytorch(weight: Parameter, bias: Parameter | None) -> None:
    """PyTorch's default for a convolution, plain or transposed: kaiming_uniform(a=√5) =
    U(±1/√fan_in) for the weight and U(±1/√fan_in) for the bias, fan_in = weight.size(1)·kh·kw."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in = init._calculate_fan_in_and_fan_out(weight)[0]
        bound = 1 / math.sqrt(fan_in) if fan_in else 0.0
        init.uniform_(bias, -bound, bound)


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
        padding (int, tuple or str, optional): P, the padding added on every side of the
            input; ``'valid'`` is no padding, ``'same'`` (stride 1 only) pads D·(F − 1) in
            all so the output has the input's size (the odd one at the bottom/right, as
            PyTorch). Default: 0
        dilation (int or tuple, optional): D, the spacing between the elements of a filter.
            Default: 1
        groups (int, optional): G, split the channels into G groups, each convolved on
            its own (D1/G input channels to K/G filters); G = D1 is a depthwise
            convolution. Default: 1
        bias (bool, optional): if ``True``, each filter has a learnable bias. Default: ``True``
        padding_mode (str, optional): what the padding holds: ``'zeros'``, ``'reflect'``
            (the mirror image, edge excluded), ``'replicate'`` (the edge repeated) or
            ``'circular'`` (the other side wrapped around). Default: ``'zeros'``
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
          unless ``floor=True``. With ``padding='same'`` the lines are W2 = W1
          (padding='same') and H2 = H1 (padding='same').

    Parameters and cost (the textbook's count)::

        params = F·F·D1·K + K          (bias=False: params = F·F·D1·K)
        params = Fh·Fw·D1·K + K        (a rectangular filter)
        params = F·F·(D1/G)·K + K      (groups G > 1: each filter sees D1/G channels)
        neurons = W2·H2·D2
        mult-adds = W2·H2·D2·F·F·D1    (mult-adds = W2·H2·D2·Fh·Fw·D1)
        mult-adds = W2·H2·D2·F·F·(D1/G)

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
        >>> # depthwise 3×3 with reflected borders, the output the input's size
        >>> m = nn.Conv2d(8, 8, 3, padding="same", groups=8, padding_mode="reflect")
        >>> m(nndl.randn(1, 8, 10, 10)).shape
        (1, 8, 10, 10)
        >>> m.weight.shape
        (8, 1, 3, 3)
    """

    summary_name = "Conv"

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: str | None = None, dtype=None):
        super().__init__()
        name = type(self).__name__
        _explain.check_positive(name, in_channels=in_channels, out_channels=out_channels,
                                kernel_size=_pair(kernel_size), stride=_pair(stride),
                                dilation=_pair(dilation), groups=groups)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise _explain.LayerShapeError(
                    f"{name}: padding={padding!r} is not 'same' or 'valid'",
                    hint="give the padding as a number, e.g. padding=2, or 'same'")
            if padding == "same" and _pair(stride) != (1, 1):
                raise _explain.LayerShapeError(
                    f"{name}: padding='same' needs stride 1, got stride={stride}",
                    hint="use stride=1, or give the padding as a number")
        else:
            _explain.check_nonneg(name, padding=_pair(padding))
        if in_channels % groups or out_channels % groups:
            raise _explain.LayerShapeError(
                f"{name}: groups={groups} must divide in_channels ({in_channels}) and "
                f"out_channels ({out_channels})")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise _explain.LayerShapeError(
                f"{name}: padding_mode must be 'zeros', 'reflect', 'replicate' or 'circular', "
                f"got {padding_mode!r}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(kernel_size)
        self.stride, self.dilation = _pair(stride), _pair(dilation)
        self.padding = padding if isinstance(padding, str) else _pair(padding)
        self.groups, self.padding_mode = groups, padding_mode
        kh, kw = self.kernel_size
        self.weight = Parameter(empty((out_channels, in_channels // groups, kh, kw), dtype,
                                      device))
        self.bias = Parameter(empty((out_channels,), dtype, device)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_like_pytorch(self.weight, self.bias)

    def forward(self, x: Tensor) -> Tensor:
        # (C, H, W) unbatched as well, as PyTorch allows
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups, self.padding_mode)

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
        if self.padding == "same":
            h2, w2, notes = h1, w1, list[Text]()
            forms = [Formula("W2", "W1 (padding='same')", "", w1),
                     Formula("H2", "H1 (padding='same')", "", h1)]
        else:
            pad: tuple[int, int] = (0, 0) if isinstance(self.padding, str) else self.padding
            h2, w2, forms, notes = _explain.window(name, h1, w1, self.kernel_size, self.stride,
                                                   pad, self.dilation, floor=floor)
        k = self.out_channels
        kh, kw = self.kernel_size
        fk = "F·F" if kh == kw else "Fh·Fw"
        fnum = f"{kh}·{kw}"
        if self.groups > 1:  # each filter sees D1/G channels
            g = self.groups
            per = d1 // g
            fk += "·(D1/G)"
            fnum += f"·({d1}/{g})"
            forms.append(Formula("D2", "K", "", k))
            neurons = w2 * h2 * k
            forms.append(Formula("neurons", "W2·H2·D2", f"{w2}·{h2}·{k}", neurons))
            params = kh * kw * per * k + (k if self.bias is not None else 0)
            forms.append(Formula("params", f"{fk}·K" + (" + K" if self.bias is not None else ""),
                                 f"{fnum}·{k}" + (f" + {k}" if self.bias is not None else ""),
                                 params))
            mult_adds = w2 * h2 * k * kh * kw * per
            forms.append(Formula("mult-adds", f"W2·H2·D2·{fk}", f"{w2}·{h2}·{k}·{fnum}",
                                 mult_adds))
            return self._checked(in_shape, (k, h2, w2), params, mult_adds, neurons, forms, notes)
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
        return self._checked(in_shape, (k, h2, w2), params, mult_adds, neurons, forms, notes)

    def _checked(self, in_shape, out_shape, params, mult_adds, neurons, forms, notes):
        total, trainable = self._param_counts()
        if total != params:  # the formula and the real weights agree
            raise NNDLError(f"internal: {type(self).__name__}'s formula counts {params} "
                            f"parameters but the layer holds {total}; please report this")
        return ShapeInfo(in_shape, out_shape, params, trainable, mult_adds, neurons, forms, notes)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0, 0):
            s += f", padding={self.padding!r}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


def _single(v) -> int:
    return int(v[0]) if isinstance(v, tuple | list) else int(v)


class Conv1d(Module):
    """Applies a 1-D convolution over a sequence made of several channels, as
    ``torch.nn.Conv1d``: K = ``out_channels`` filters of length F over D1 channels::

        out[n, k, i] = bias[k] + Σ_c Σ_u weight[k, c, u] · x[n, c, S·i + D·u]

    (with x padded by P at both ends); computed as :class:`Conv2d` on a height-1 image.

    Args:
        in_channels (int): D1, the channels of the input sequence.
        out_channels (int): K, the number of filters (output channels).
        kernel_size (int): F, the length of each filter.
        stride (int, optional): S. Default: 1
        padding (int or str, optional): P at both ends, ``'valid'`` or ``'same'``
            (stride 1). Default: 0
        dilation (int, optional): D. Default: 1
        groups (int, optional): G channel groups convolved separately. Default: 1
        bias (bool, optional): a learnable bias per filter. Default: ``True``
        padding_mode (str, optional): ``'zeros'``, ``'reflect'``, ``'replicate'`` or
            ``'circular'``. Default: ``'zeros'``

    Shape:
        - Input: (N, D1, L1) or (D1, L1)
        - Output: (N, K, L2) or (K, L2), rounded down as PyTorch:

          L2 = (L1 + 2P − D·(F − 1) − 1)/S + 1

    Parameters and cost::

        params = F·(D1/G)·K + K
        mult-adds = L2·K·F·(D1/G)

    These are the formulas :meth:`describe` prints.

    Examples::

        >>> m = nn.Conv1d(4, 8, 3, padding=1)
        >>> m(nndl.randn(2, 4, 10)).shape
        (2, 8, 10)
        >>> for f in m.describe((4, 10)).formulas:
        ...     print(f)
        L2 = (L1 + 2P − D·(F − 1) − 1)/S + 1 = (10 + 2·1 − 1·(3 − 1) − 1)/1 + 1 = 10
        params = F·(D1/G)·K + K = 3·(4/1)·8 + 8 = 104
        mult-adds = L2·K·F·(D1/G) = 10·8·3·(4/1) = 960
    """

    summary_name = "Conv1d"

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: str | None = None, dtype=None):
        super().__init__()
        # the 2-D layer checks every argument and makes the weights; ours drop its height 1
        pad = padding if isinstance(padding, str) else (0, _single(padding))
        c2 = Conv2d(in_channels, out_channels, (1, _single(kernel_size)), (1, _single(stride)),
                    pad, (1, _single(dilation)), groups, bias, padding_mode, device, dtype)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = (_single(kernel_size),), (_single(stride),)
        self.padding = padding if isinstance(padding, str) else (_single(padding),)
        self.dilation, self.groups, self.padding_mode = (_single(dilation),), groups, padding_mode
        w = c2.weight._arr
        self.weight = Parameter(w.reshape(w.shape[0], w.shape[1], w.shape[3]))
        self.bias = c2.bias

    def forward(self, x: Tensor) -> Tensor:
        return F.conv1d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups, self.padding_mode)

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        name = type(self).__name__
        if len(in_shape) != 2 or in_shape[0] != self.in_channels:
            raise _explain.LayerShapeError(
                f"{name} needs a (D1, L1) input with D1 = {self.in_channels}, got {in_shape}")
        d1, l1 = in_shape
        (f,), (s,), (d,), g, k = self.kernel_size, self.stride, self.dilation, self.groups, \
            self.out_channels
        p = (self.padding[0] if not isinstance(self.padding, str) else
             (d * (f - 1)) // 2 if self.padding == "same" else 0)
        l2 = (l1 if self.padding == "same" else F.conv_out_size(l1, f, s, p, d))
        if l2 <= 0:
            raise _explain.LayerShapeError(f"{name}: the kernel is longer than the padded "
                                           f"input ({l1} + 2·{p})", hint="pad more")
        forms = [Formula("L2", "(L1 + 2P − D·(F − 1) − 1)/S + 1",
                         f"({l1} + 2·{p} − {d}·({f} − 1) − 1)/{s} + 1", l2)]
        b = self.bias is not None
        params = f * (d1 // g) * k + (k if b else 0)
        forms.append(Formula("params", "F·(D1/G)·K" + (" + K" if b else ""),
                             f"{f}·({d1}/{g})·{k}" + (f" + {k}" if b else ""), params))
        mult_adds = l2 * k * f * (d1 // g)
        forms.append(Formula("mult-adds", "L2·K·F·(D1/G)", f"{l2}·{k}·{f}·({d1}/{g})",
                             mult_adds))
        total, trainable = self._param_counts()
        return ShapeInfo(in_shape, (k, l2), total, trainable, mult_adds, l2 * k, forms)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,):
            s += f", padding={self.padding!r}"
        if self.dilation != (1,):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class ConvTranspose2d(Module):
    """Applies a 2-D transposed convolution, as ``torch.nn.ConvTranspose2d``: each input
    pixel scatters a weighted copy of a filter into the output (the gradient of
    :class:`Conv2d` with respect to its input), so a stride S enlarges the image; the
    up-sampling layer of a decoder, a U-Net or a GAN's generator.

    Args:
        in_channels (int): D1, the channels of the input.
        out_channels (int): K, the channels of the output.
        kernel_size (int or tuple): F.
        stride (int or tuple, optional): S, the enlargement. Default: 1
        padding (int or tuple, optional): P, removed from each side of the output
            (as ``Conv2d``'s padding added it to its input). Default: 0
        output_padding (int or tuple, optional): extra rows/columns at the bottom/right,
            to pick among the sizes a stride S conv maps to the same size; less than S or
            D. Default: 0
        groups (int, optional): G channel groups. Default: 1
        bias (bool, optional): a learnable bias per output channel. Default: ``True``
        dilation (int or tuple, optional): D. Default: 1

    Shape:
        - Input: (N, D1, H1, W1) or (D1, H1, W1)
        - Output: (N, K, H2, W2) or (K, H2, W2), where

          W2 = (W1 − 1)·S − 2P + D·(F − 1) + P_out + 1

          and H2 likewise.

    Parameters::

        params = F·F·D1·(K/G) + K

    (weight shape (D1, K/G, Fh, Fw), PyTorch's: in_channels first). These are the
    formulas :meth:`describe` prints.

    Examples::

        >>> m = nn.ConvTranspose2d(16, 8, 2, stride=2)  # doubles the size
        >>> m(nndl.randn(1, 16, 7, 7)).shape
        (1, 8, 14, 14)
        >>> for f in m.describe((16, 7, 7)).formulas:
        ...     print(f)
        W2 = (W1 − 1)·S − 2P + D·(F − 1) + P_out + 1 = (7 − 1)·2 − 2·0 + 1·(2 − 1) + 0 + 1 = 14
        H2 = (H1 − 1)·S − 2P + D·(F − 1) + P_out + 1 = (7 − 1)·2 − 2·0 + 1·(2 − 1) + 0 + 1 = 14
        params = F·F·D1·(K/G) + K = 2·2·16·(8/1) + 8 = 520
    """

    summary_name = "ConvT"

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device: str | None = None, dtype=None):
        super().__init__()
        name = type(self).__name__
        _explain.check_positive(name, in_channels=in_channels, out_channels=out_channels,
                                kernel_size=_pair(kernel_size), stride=_pair(stride),
                                dilation=_pair(dilation), groups=groups)
        _explain.check_nonneg(name, padding=_pair(padding), output_padding=_pair(output_padding))
        if padding_mode != "zeros":
            raise _explain.LayerShapeError(f"{name}: only padding_mode='zeros' is supported "
                                           "(as PyTorch)")
        if in_channels % groups or out_channels % groups:
            raise _explain.LayerShapeError(
                f"{name}: groups={groups} must divide in_channels ({in_channels}) and "
                f"out_channels ({out_channels})")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = _pair(kernel_size), _pair(stride)
        self.padding, self.output_padding = _pair(padding), _pair(output_padding)
        self.dilation, self.groups, self.padding_mode = _pair(dilation), groups, padding_mode
        for op, s, d in zip(self.output_padding, self.stride, self.dilation, strict=True):
            if op >= max(s, d):
                raise _explain.LayerShapeError(
                    f"{name}: output_padding {self.output_padding} must be smaller than the "
                    f"stride {self.stride} or the dilation {self.dilation}")
        kh, kw = self.kernel_size
        self.weight = Parameter(empty((in_channels, out_channels // groups, kh, kw), dtype,
                                      device))
        self.bias = Parameter(empty((out_channels,), dtype, device)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_like_pytorch(self.weight, self.bias)

    def forward(self, x: Tensor, output_size=None) -> Tensor:
        op = self.output_padding
        if output_size is not None:  # pick the output_padding that gives this size
            want = tuple(output_size)[-2:]
            base = [(n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in
                    zip(x.shape[-2:], self.stride, self.padding, self.dilation,
                        self.kernel_size, strict=True)]
            op = (int(want[0]) - base[0], int(want[1]) - base[1])
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding, op,
                                  self.groups, self.dilation)

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        name = type(self).__name__
        if len(in_shape) != 3 or in_shape[0] != self.in_channels:
            raise _explain.LayerShapeError(
                f"{name} needs a (D1, H1, W1) input with D1 = {self.in_channels}, got "
                f"{in_shape}")
        d1, h1, w1 = in_shape
        k, g = self.out_channels, self.groups
        forms, size = [], {}
        for sym, n, i in (("W", w1, 1), ("H", h1, 0)):
            s, p, d, f, op = (self.stride[i], self.padding[i], self.dilation[i],
                              self.kernel_size[i], self.output_padding[i])
            v = (n - 1) * s - 2 * p + d * (f - 1) + op + 1
            if v <= 0:
                raise _explain.LayerShapeError(f"{name}: padding {p} leaves no output for "
                                               f"{sym}1 = {n}", hint="use less padding")
            forms.append(Formula(f"{sym}2", "(" + sym + "1 − 1)·S − 2P + D·(F − 1) + P_out + 1",
                                 f"({n} − 1)·{s} − 2·{p} + {d}·({f} − 1) + {op} + 1", v))
            size[sym] = v
        kh, kw = self.kernel_size
        b = self.bias is not None
        params = kh * kw * d1 * (k // g) + (k if b else 0)
        forms.append(Formula("params", "F·F·D1·(K/G)" + (" + K" if b else ""),
                             f"{kh}·{kw}·{d1}·({k}/{g})" + (f" + {k}" if b else ""), params))
        total, trainable = self._param_counts()
        mult_adds = h1 * w1 * d1 * (k // g) * kh * kw
        return ShapeInfo(in_shape, (k, size["H"], size["W"]), total, trainable, mult_adds,
                         k * size["H"] * size["W"], forms)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.output_padding != (0, 0):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.bias is None:
            s += ", bias=False"
        return s
