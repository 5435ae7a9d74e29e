"""``Upsample``: resize an image or a sequence by nearest or (bi)linear interpolation,
as ``torch.nn.Upsample`` (:func:`nndl.nn.functional.interpolate`)."""

from __future__ import annotations

from nndl.engine.tensor import Tensor
from nndl.nn import functional as F
from nndl.nn.module import Module, ShapeInfo


class Upsample(Module):
    """Resizes the spatial dims of its input, as ``torch.nn.Upsample``: to ``size``, or
    by ``scale_factor`` (each side ⌊n·scale_factor⌋), with PyTorch's sampling positions.

    ``'nearest'`` copies the pixel at ⌊i·n_in/n_out⌋; ``'bilinear'`` (4-D) and
    ``'linear'`` (3-D) mix the two neighbours of position i·(n_in − 1)/(n_out − 1)
    (``align_corners=True``: the corner pixels stay put) or (i + 0.5)·n_in/n_out − 0.5
    (``align_corners=False``, the default: pixel centres). No parameters.

    Args:
        size (int or tuple, optional): the output's spatial size.
        scale_factor (float or tuple, optional): the multiplier of each spatial side.
        mode (str, optional): ``'nearest'``, ``'nearest-exact'``, ``'linear'`` or
            ``'bilinear'``. Default: ``'nearest'``
        align_corners (bool, optional): for the linear modes, see above. Default: ``None``
            (``False``)
        recompute_scale_factor (bool, optional): sample at n_in/n_out instead of
            1/scale_factor. Default: ``None``

    Shape:
        - Input: (N, C, L1) or (N, C, H1, W1)
        - Output: (N, C, L2) or (N, C, H2, W2), H2 = ⌊H1·scale_factor⌋ or ``size``

    Examples::

        >>> m = nn.Upsample(scale_factor=2, mode="nearest")
        >>> m(nndl.tensor([[[[1., 2.]]]]))
        tensor([[[[1., 1., 2., 2.],
                  [1., 1., 2., 2.]]]])
        >>> m = nn.Upsample(size=(1, 3), mode="bilinear", align_corners=True)
        >>> m(nndl.tensor([[[[1., 2.]]]]))
        tensor([[[[1. , 1.5, 2. ]]]])
    """

    summary_name = "Upsample"

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest",
                 align_corners: bool | None = None, recompute_scale_factor: bool | None = None):
        super().__init__()
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def forward(self, x: Tensor) -> Tensor:
        return F.interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners,
                             self.recompute_scale_factor)

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        spatial = in_shape[1:]
        if self.size is not None:
            out = tuple(self.size) if isinstance(self.size, tuple | list) else \
                (self.size,) * len(spatial)
        else:
            sf = self.scale_factor
            scales = tuple(sf) if isinstance(sf, tuple | list) else (sf,) * len(spatial)
            out = tuple(int(n * float(s)) for n, s in zip(spatial, scales, strict=False))
        return ShapeInfo(in_shape, (in_shape[0], *out))

    def extra_repr(self) -> str:
        s = (f"size={self.size}" if self.size is not None
             else f"scale_factor={float(self.scale_factor) if not isinstance(self.scale_factor, tuple | list) else self.scale_factor}")
        return s + f", mode='{self.mode}'"


class UpsamplingNearest2d(Upsample):
    """:class:`Upsample` with ``mode='nearest'``, as ``torch.nn.UpsamplingNearest2d``.

    Args:
        size (int or tuple, optional): the output's (H2, W2).
        scale_factor (float or tuple, optional): the multiplier of each side.

    Shape:
        - Input: (N, C, H1, W1)
        - Output: (N, C, H2, W2)

    Examples::

        >>> nn.UpsamplingNearest2d(scale_factor=2)(nndl.zeros(1, 3, 4, 5)).shape
        (1, 3, 8, 10)
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, "nearest")


class UpsamplingBilinear2d(Upsample):
    """:class:`Upsample` with ``mode='bilinear'`` and ``align_corners=True``, as
    ``torch.nn.UpsamplingBilinear2d``.

    Args:
        size (int or tuple, optional): the output's (H2, W2).
        scale_factor (float or tuple, optional): the multiplier of each side.

    Shape:
        - Input: (N, C, H1, W1)
        - Output: (N, C, H2, W2)

    Examples::

        >>> nn.UpsamplingBilinear2d(size=(1, 3))(nndl.tensor([[[[0., 4.]]]]))
        tensor([[[[0., 2., 4.]]]])
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, "bilinear", align_corners=True)
