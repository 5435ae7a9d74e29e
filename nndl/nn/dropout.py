"""``Dropout``: inverted dropout in train(), identity in eval()."""

from __future__ import annotations

from nndl.engine.tensor import Tensor
from nndl.nn import _explain
from nndl.nn import functional as F
from nndl.nn.module import Module, ShapeInfo


class Dropout(Module):
    """During training, zeroes each element with probability p and scales the others by
    1/(1 − p), as ``torch.nn.Dropout`` (inverted dropout); in ``eval()`` it returns its
    input unchanged::

        y = x · m / (1 − p),    m ~ Bernoulli(1 − p) independently per element

    so the expected value of each element is the same in training and in evaluation.
    The mask comes from nndl's generator (:func:`nndl.manual_seed`).

    Args:
        p (float, optional): the probability of zeroing an element, from 0 to 1.
            Default: 0.5
        inplace (bool, optional): accepted for PyTorch compatibility and ignored: nndl
            always returns a new tensor. Default: ``False``

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters.

    Examples::

        >>> m = nn.Dropout(p=0.5)
        >>> y = m(nndl.ones(1000))
        >>> sorted(set(y.tolist()))  # dropped, or kept and scaled by 1/(1 − 0.5)
        [0.0, 2.0]
        >>> m.eval()(nndl.ones(3))  # identity in eval()
        tensor([1., 1., 1.])
    """

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
