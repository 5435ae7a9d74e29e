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
        if getattr(self, "ceil_mode", False):
            h2, w2, forms, notes = self._ceil(h1, w1)
        else:
            h2, w2, forms, notes = _explain.window(name, h1, w1, _pair(self.kernel_size),
                                                   _pair(self.stride), _pair(self.padding),
                                                   _pair(self._dilation), floor=floor, pool=True)
        forms.append(Formula("D2", "D1", "", d1))
        neurons = w2 * h2 * d1
        forms.append(Formula("neurons", "W2·H2·D2", f"{w2}·{h2}·{d1}", neurons))
        forms.append(Formula("params", "0", "", 0))
        return ShapeInfo(in_shape, (d1, h2, w2), 0, 0, 0, neurons, forms, notes)

    def _ceil(self, h1: int, w1: int):
        """ceil_mode: the size rounded up (a last, partial window), as PyTorch."""
        (kh, kw), (sh, sw) = _pair(self.kernel_size), _pair(self.stride)
        (ph, pw), (dh, dw) = _pair(self.padding), _pair(self._dilation)
        forms, size = [], {}
        for sym, n, k, s, p, d in (("W", w1, kw, sw, pw, dw), ("H", h1, kh, sh, ph, dh)):
            v = F.pool_out_size(n, k, s, p, d, ceil_mode=True)
            if v <= 0:
                raise _explain.LayerShapeError(f"{type(self).__name__}: the window is larger "
                                               f"than the padded input ({sym}1 = {n})")
            forms.append(Formula(f"{sym}2", f"⌈({sym}1 + 2P − D·(F − 1) − 1)/S⌉ + 1 (ceil_mode)",
                                 f"⌈({n} + 2·{p} − {d}·({k} − 1) − 1)/{s}⌉ + 1", v))
            size[sym] = v
        return size["H"], size["W"], forms, []


class MaxPool2d(_Pool2d):
    """Takes the maximum of each F×F window of each channel, as ``torch.nn.MaxPool2d``.

    With the input x padded by P on every side with −∞ (so the padding is never the
    maximum)::

        out[n, c, i, j] = max over u, v < F of x[n, c, S·i + D·u, S·j + D·v]

    In backward the gradient of a window goes to its first maximum, as in PyTorch. The
    textbook's letters: F = ``kernel_size``, S = ``stride``, P = ``padding``,
    D = ``dilation``.

    Args:
        kernel_size (int or tuple): F, the size of the window; a pair (Fh, Fw) for a
            rectangular one.
        stride (int or tuple, optional): S, the step of the window. Default:
            ``kernel_size`` (windows that do not overlap)
        padding (int or tuple, optional): P, the implicit −∞ added on every side; at most
            half the window, as PyTorch requires. Default: 0
        dilation (int or tuple, optional): D, the spacing between the elements of a
            window. Default: 1
        return_indices (bool, optional): also return where each maximum is, as an index
            into the input's H·W plane (what :class:`MaxUnpool2d` takes). Default: ``False``
        ceil_mode (bool, optional): round the output size up instead of down, so a last
            partial window covers the remaining rows/columns (a window that would start
            in the right padding is dropped, as PyTorch). Default: ``False``

    Shape:
        - Input: (N, D1, H1, W1) or (D1, H1, W1), the textbook's W1×H1×D1 image
        - Output: (N, D2, H2, W2) or (D2, H2, W2), where, for a square input and
          window (the same F, S, P and D on both axes),

          W2 = H2 = (W1 − F)/S + 1 without padding

          W2 = H2 = (W1 − F + 2P)/S + 1 with a padding P

          W2 = H2 = (W1 + 2P − D·(F − 1) − 1)/S + 1 with a dilation D > 1 (the 2P is
          left out when P = 0)

          D2 = D1

          On a rectangular input each axis has its own line, W2 = (W1 − F)/S + 1 and
          H2 = (H1 − F)/S + 1, and a letter whose two values differ gets the axis as a
          suffix: W2 = (W1 − Fw)/Sw + 1, H2 = (H1 − Fh)/Sh + 1. These are the formulas
          :meth:`describe` prints. When the division leaves a remainder the forward pass
          rounds down, as PyTorch; ``describe()`` (and ``nndl.summary``) raises
          :class:`LayerShapeError` naming a padding, stride or input size that works,
          unless ``floor=True``. With ``ceil_mode=True`` the lines are
          W2 = ⌈(W1 + 2P − D·(F − 1) − 1)/S⌉ + 1 (ceil_mode) and
          H2 = ⌈(H1 + 2P − D·(F − 1) − 1)/S⌉ + 1 (ceil_mode).

    Parameters and cost (the textbook's count)::

        params = 0
        neurons = W2·H2·D2

    Examples::

        >>> m = nn.MaxPool2d(2)  # 2×2 windows, stride 2
        >>> m(nndl.randn(1, 6, 28, 28)).shape
        (1, 6, 14, 14)
        >>> for f in m.describe((6, 28, 28)).formulas:
        ...     print(f)
        W2 = H2 = (W1 − F)/S + 1 = (28 − 2)/2 + 1 = 14
        D2 = D1 = 6
        neurons = W2·H2·D2 = 14·14·6 = 1,176
        params = 0
        >>> m = nn.MaxPool2d(3, stride=2)  # AlexNet's overlapping pooling
        >>> m(nndl.randn(1, 96, 55, 55)).shape
        (1, 96, 27, 27)
        >>> nn.MaxPool2d(2)(nndl.tensor([[[1., 2.], [4., 3.]]]))
        tensor([[[4.]]])
        >>> nn.MaxPool2d(2, ceil_mode=True)(nndl.randn(1, 6, 7, 7)).shape  # ⌈5/2⌉ + 1
        (1, 6, 4, 4)
        >>> y, idx = nn.MaxPool2d(2, return_indices=True)(nndl.tensor([[[1., 2.], [4., 3.]]]))
        >>> idx
        tensor([[[2]]])
    """

    summary_name = "MaxPool"

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation, self.ceil_mode = padding, dilation, ceil_mode
        self.return_indices = return_indices
        self._dilation = _pair(dilation)
        self._check()

    def forward(self, x: Tensor):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(_Pool2d):
    """Takes the mean of each F×F window of each channel, as ``torch.nn.AvgPool2d``.

    With the input x zero-padded by P on every side::

        out[n, c, i, j] = 1/(F·F) · Σ_u Σ_v x[n, c, S·i + u, S·j + v]

    for u, v < F (with ``count_include_pad=False`` the divisor is the number of real,
    unpadded pixels in the window instead of F·F). The textbook's letters:
    F = ``kernel_size``, S = ``stride``, P = ``padding``.

    Args:
        kernel_size (int or tuple): F, the size of the window; a pair (Fh, Fw) for a
            rectangular one.
        stride (int or tuple, optional): S, the step of the window. Default:
            ``kernel_size`` (windows that do not overlap)
        padding (int or tuple, optional): P, the zeros added on every side; at most half
            the window, as PyTorch requires. Default: 0
        ceil_mode (bool, optional): round the output size up (a last, partial window;
            its part past the padding never counts in the mean). Default: ``False``
        count_include_pad (bool, optional): if ``True``, the padding zeros count in the
            mean. Default: ``True``
        divisor_override (int, optional): divide every window's sum by this instead.
            Default: ``None``

    Shape:
        - Input: (N, D1, H1, W1) or (D1, H1, W1), the textbook's W1×H1×D1 image
        - Output: (N, D2, H2, W2) or (D2, H2, W2), where, for a square input and
          window (the same F, S and P on both axes),

          W2 = H2 = (W1 − F)/S + 1 without padding

          W2 = H2 = (W1 − F + 2P)/S + 1 with a padding P

          D2 = D1

          On a rectangular input each axis has its own line, W2 = (W1 − F)/S + 1 and
          H2 = (H1 − F)/S + 1, and a letter whose two values differ gets the axis as a
          suffix: W2 = (W1 − Fw)/Sw + 1, H2 = (H1 − Fh)/Sh + 1. These are the formulas
          :meth:`describe` prints. When the division leaves a remainder the forward pass
          rounds down, as PyTorch; ``describe()`` (and ``nndl.summary``) raises
          :class:`LayerShapeError` naming a padding, stride or input size that works,
          unless ``floor=True``. With ``ceil_mode=True`` the lines are
          W2 = ⌈(W1 + 2P − D·(F − 1) − 1)/S⌉ + 1 (ceil_mode) and
          H2 = ⌈(H1 + 2P − D·(F − 1) − 1)/S⌉ + 1 (ceil_mode), with D = 1.

    Parameters and cost (the textbook's count)::

        params = 0
        neurons = W2·H2·D2

    Examples::

        >>> m = nn.AvgPool2d(2)  # LeNet-5's subsampling, without its weight and bias
        >>> m(nndl.randn(1, 6, 28, 28)).shape
        (1, 6, 14, 14)
        >>> print(m.describe((6, 28, 28)).formulas[0])
        W2 = H2 = (W1 − F)/S + 1 = (28 − 2)/2 + 1 = 14
        >>> m(nndl.tensor([[[1., 2.], [4., 3.]]]))
        tensor([[[2.5]]])
    """

    summary_name = "AvgPool"

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override
        self._check()

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptivePool2d(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def _out(self, h: int, w: int) -> tuple[int, int]:
        oh, ow = _pair(self.output_size)
        return (h if oh is None else oh), (w if ow is None else ow)

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        name = type(self).__name__
        if len(in_shape) != 3:
            raise _explain.LayerShapeError(f"{name} needs an image input (W×H×D), got shape "
                                           f"{in_shape}", hint="pool before flattening")
        d, h, w = in_shape
        oh, ow = self._out(h, w)
        return ShapeInfo(in_shape, (d, oh, ow), 0, 0, 0, d * oh * ow)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptivePool2d):
    """Averages each channel over the windows that tile it into ``output_size`` cells, as
    ``torch.nn.AdaptiveAvgPool2d``: cell (i, j) covers rows ⌊i·H/Ho⌋ to ⌈(i + 1)·H/Ho⌉
    and the columns likewise, whatever the input size (so a network ends with a fixed
    size; (1, 1) is the global average pooling of NiN and ResNet).

    Args:
        output_size (int or tuple): (Ho, Wo), or one number for both; ``None`` keeps that
            side of the input.

    Shape:
        - Input: (N, C, H, W) or (C, H, W)
        - Output: (N, C, Ho, Wo) or (C, Ho, Wo). No parameters.

    Examples::

        >>> m = nn.AdaptiveAvgPool2d((1, 1))
        >>> m(nndl.randn(2, 512, 7, 7)).shape
        (2, 512, 1, 1)
        >>> m(nndl.tensor([[[1., 2.], [3., 6.]]]))
        tensor([[[3.]]])
    """

    summary_name = "AdaptiveAvgPool"

    def forward(self, x: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(x, self.output_size)


class AdaptiveMaxPool2d(_AdaptivePool2d):
    """The maximum of each channel over the windows that tile it into ``output_size``
    cells (as :class:`AdaptiveAvgPool2d`), as ``torch.nn.AdaptiveMaxPool2d``.

    Args:
        output_size (int or tuple): (Ho, Wo), or one number for both.
        return_indices (bool, optional): also return where each maximum is (an index into
            the H·W plane). Default: ``False``

    Shape:
        - Input: (N, C, H, W) or (C, H, W)
        - Output: (N, C, Ho, Wo) or (C, Ho, Wo). No parameters.

    Examples::

        >>> m = nn.AdaptiveMaxPool2d(1)
        >>> m(nndl.tensor([[[1., 2.], [3., 6.]]]))
        tensor([[[6.]]])
    """

    summary_name = "AdaptiveMaxPool"

    def __init__(self, output_size, return_indices: bool = False):
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, x: Tensor):
        return F.adaptive_max_pool2d(x, self.output_size, self.return_indices)


class MaxUnpool2d(Module):
    """The partial inverse of :class:`MaxPool2d`, as ``torch.nn.MaxUnpool2d``: each value
    goes back to the place its maximum came from (the pool's ``return_indices``), every
    other place is 0. The gradient of each value is the output gradient at its place.

    Args:
        kernel_size (int or tuple): F, the pool's window.
        stride (int or tuple, optional): S. Default: ``kernel_size``
        padding (int or tuple, optional): P. Default: 0

    Shape:
        - Input: (N, C, H1, W1) or (C, H1, W1), and indices of the same shape
        - Output: (N, C, H2, W2) or (C, H2, W2), where W2 = (W1 − 1)·S − 2P + F (or
          ``output_size`` given to ``forward``, e.g. the pooled input's size). No
          parameters.

    Examples::

        >>> pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
        >>> y, idx = pool(nndl.tensor([[[1., 2.], [4., 3.]]]))
        >>> unpool(y, idx)
        tensor([[[0., 0.],
                 [4., 0.]]])
    """

    summary_name = "MaxUnpool"

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = _pair(kernel_size)
        self.stride = _pair(kernel_size if stride is None else stride)
        self.padding = _pair(padding)
        _explain.check_positive("MaxUnpool2d", kernel_size=self.kernel_size, stride=self.stride)
        _explain.check_nonneg("MaxUnpool2d", padding=self.padding)

    def forward(self, x: Tensor, indices, output_size=None) -> Tensor:
        return F.max_unpool2d(x, indices, self.kernel_size, self.stride, self.padding,
                              output_size)

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        if len(in_shape) != 3:
            raise _explain.LayerShapeError(f"MaxUnpool2d needs an image input (C, H, W), got "
                                           f"shape {in_shape}")
        c, h, w = in_shape
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        out = (c, (h - 1) * sh - 2 * ph + kh, (w - 1) * sw - 2 * pw + kw)
        return ShapeInfo(in_shape, out)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool1d(Module):
    """The maximum of each window of length F along the last dim, as
    ``torch.nn.MaxPool1d`` (:class:`MaxPool2d` on a height-1 image).

    Args:
        kernel_size (int): F.
        stride (int, optional): S. Default: ``kernel_size``
        padding (int, optional): P (−∞) at both ends, at most F/2. Default: 0
        dilation (int, optional): D. Default: 1
        return_indices (bool, optional): also return the positions. Default: ``False``
        ceil_mode (bool, optional): round the output length up. Default: ``False``

    Shape:
        - Input: (N, C, L1) or (C, L1)
        - Output: (N, C, L2) or (C, L2), L2 = ⌊(L1 + 2P − D·(F − 1) − 1)/S⌋ + 1

    Examples::

        >>> nn.MaxPool1d(2)(nndl.tensor([[[1., 3., 2., 0., 5.]]]))
        tensor([[[3., 2.]]])
    """

    summary_name = "MaxPool1d"

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x: Tensor):
        return F.max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        return _pool1d_shape(self, in_shape, self.dilation)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool1d(Module):
    """The mean of each window of length F along the last dim, as
    ``torch.nn.AvgPool1d`` (:class:`AvgPool2d` on a height-1 image).

    Args:
        kernel_size (int): F.
        stride (int, optional): S. Default: ``kernel_size``
        padding (int, optional): P zeros at both ends, at most F/2. Default: 0
        ceil_mode (bool, optional): round the output length up. Default: ``False``
        count_include_pad (bool, optional): the padding counts in the mean. Default: ``True``

    Shape:
        - Input: (N, C, L1) or (C, L1)
        - Output: (N, C, L2) or (C, L2), L2 = ⌊(L1 + 2P − F)/S⌋ + 1

    Examples::

        >>> nn.AvgPool1d(2)(nndl.tensor([[[1., 3., 2., 0., 5.]]]))
        tensor([[[2., 1.]]])
    """

    summary_name = "AvgPool1d"

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode, self.count_include_pad = padding, ceil_mode, \
            count_include_pad

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        return _pool1d_shape(self, in_shape, 1)


def _pool1d_shape(m, in_shape: tuple[int, ...], dilation) -> ShapeInfo:
    """(C, L1) → (C, L2), L2 by PyTorch's pooling rule (ceil_mode included)."""
    name = type(m).__name__
    if len(in_shape) != 2:
        raise _explain.LayerShapeError(f"{name} needs a sequence input (C, L), got shape "
                                       f"{in_shape}")
    one = F._one
    length = F.pool_out_size(in_shape[1], one(m.kernel_size, name), one(m.stride, name),
                             one(m.padding, name), one(dilation, name), m.ceil_mode)
    if length <= 0:
        raise _explain.LayerShapeError(f"{name}: the window is longer than the padded input "
                                       f"({in_shape[1]})")
    return ShapeInfo(in_shape, (in_shape[0], length), neurons=in_shape[0] * length)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
