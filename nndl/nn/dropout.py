"""``Dropout``: inverted dropout in train(), identity in eval()."""

from __future__ import annotations

from nndl.engine.tensor import Tensor
from nndl.nn import _explain
from nndl.nn import functional as F
from nndl.nn.module import Module, ShapeInfo


class Dropout(Module):
    summary_name = "Dropout"

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if not 0 <= p <= 1:
            raise _explain.LayerShapeError(f"Dropout: p must be between 0 and 1, got {p}",
                                           hint="p is the probability of zeroing, e.g. 0.5")
        self.p, self.inplace = p, inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        return ShapeInfo(in_shape, tuple(in_shape))

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
