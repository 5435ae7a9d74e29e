"""Activation layers: shape unchanged, no parameters, no new neurons (the textbook counts
a neuron once, at the layer whose weighted sum it computes)."""

from __future__ import annotations

from nndl.engine import ops
from nndl.engine.tensor import Tensor
from nndl.nn.module import Module, ShapeInfo


class _Elementwise(Module):
    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        return ShapeInfo(in_shape, tuple(in_shape))


class ReLU(_Elementwise):
    summary_name = "ReLU"

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace  # accepted for PyTorch compatibility; always out of place

    def forward(self, x: Tensor) -> Tensor:
        return ops.relu(x)


class Sigmoid(_Elementwise):
    summary_name = "Sigmoid"

    def forward(self, x: Tensor) -> Tensor:
        return ops.sigmoid(x)


class Tanh(_Elementwise):
    summary_name = "Tanh"

    def forward(self, x: Tensor) -> Tensor:
        return ops.tanh(x)


class LeakyReLU(_Elementwise):
    summary_name = "LeakyReLU"

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x: Tensor) -> Tensor:
        return ops.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Softmax(_Elementwise):
    summary_name = "Softmax"

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return ops.softmax(x, -1 if self.dim is None else self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    summary_name = "LogSoftmax"

    def forward(self, x: Tensor) -> Tensor:
        return ops.log_softmax(x, -1 if self.dim is None else self.dim)
