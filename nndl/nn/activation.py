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
    """Applies the rectified linear unit to each element, as ``torch.nn.ReLU``::

        ReLU(x) = max(0, x)

    Its derivative is 1 for x > 0 and 0 otherwise (0 at x = 0, as PyTorch).

    Args:
        inplace (bool, optional): accepted for PyTorch compatibility and ignored: nndl
            always returns a new tensor. Default: ``False``

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.ReLU()
        >>> m(nndl.tensor([-1., 0., 2.]))
        tensor([0., 0., 2.])
        >>> m(nndl.randn(2, 6, 28, 28)).shape
        (2, 6, 28, 28)
    """

    summary_name = "ReLU"

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace  # accepted for PyTorch compatibility; always out of place

    def forward(self, x: Tensor) -> Tensor:
        return ops.relu(x)


class Sigmoid(_Elementwise):
    """Applies the logistic sigmoid to each element, as ``torch.nn.Sigmoid``::

        σ(x) = 1 / (1 + exp(−x)),    σ′(x) = σ(x)·(1 − σ(x))

    Args:
        None.

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.Sigmoid()
        >>> m(nndl.tensor([0.]))
        tensor([0.5])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "Sigmoid"

    def forward(self, x: Tensor) -> Tensor:
        return ops.sigmoid(x)


class Tanh(_Elementwise):
    """Applies the hyperbolic tangent to each element, as ``torch.nn.Tanh``::

        tanh(x) = (exp(x) − exp(−x)) / (exp(x) + exp(−x)),    tanh′(x) = 1 − tanh²(x)

    Args:
        None.

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.Tanh()
        >>> m(nndl.tensor([0., 1.]))
        tensor([0.    , 0.7616])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "Tanh"

    def forward(self, x: Tensor) -> Tensor:
        return ops.tanh(x)


class LeakyReLU(_Elementwise):
    """Applies the leaky rectified linear unit to each element, as ``torch.nn.LeakyReLU``::

        LeakyReLU(x) = x if x > 0, else negative_slope · x

    Args:
        negative_slope (float, optional): the slope for x < 0. Default: 0.01
        inplace (bool, optional): accepted for PyTorch compatibility and ignored: nndl
            always returns a new tensor. Default: ``False``

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.LeakyReLU(0.1)
        >>> m(nndl.tensor([-2., 3.]))
        tensor([-0.2,  3. ])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "LeakyReLU"

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x: Tensor) -> Tensor:
        return ops.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Softmax(_Elementwise):
    """Applies softmax along one dimension, as ``torch.nn.Softmax``: the values along
    ``dim`` become positive and sum to 1::

        Softmax(x)_i = exp(x_i) / Σ_j exp(x_j)

    computed stably (shifted by the maximum).

    Args:
        dim (int, optional): the dimension along which the values sum to 1. Default:
            ``None``, which nndl takes as the last dimension (PyTorch picks a dimension by
            a legacy rule and warns): give ``dim`` explicitly, e.g. ``dim=1`` for (N, C).

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.Softmax(dim=1)
        >>> m(nndl.tensor([[0., 0.]]))
        tensor([[0.5, 0.5]])
        >>> m(nndl.randn(2, 10)).sum(dim=1)
        tensor([1., 1.])
    """

    summary_name = "Softmax"

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return ops.softmax(x, -1 if self.dim is None else self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """Applies log(softmax(x)) along one dimension, as ``torch.nn.LogSoftmax``, computed
    in one stable step::

        LogSoftmax(x)_i = x_i − log Σ_j exp(x_j)

    Followed by :class:`NLLLoss` it gives :class:`CrossEntropyLoss`.

    Args:
        dim (int, optional): the dimension of the classes. Default: ``None``, which nndl
            takes as the last dimension (PyTorch picks a dimension by a legacy rule and
            warns): give ``dim`` explicitly, e.g. ``dim=1`` for (N, C).

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.LogSoftmax(dim=1)
        >>> m(nndl.tensor([[0., 0.]]))
        tensor([[-0.6931, -0.6931]])
    """

    summary_name = "LogSoftmax"

    def forward(self, x: Tensor) -> Tensor:
        return ops.log_softmax(x, -1 if self.dim is None else self.dim)
