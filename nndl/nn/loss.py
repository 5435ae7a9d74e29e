"""Loss modules, as ``torch.nn``: each is a thin wrapper on a fused op of
:mod:`nndl.nn.functional`."""

from __future__ import annotations

from nndl.engine.tensor import Tensor
from nndl.nn import functional as F
from nndl.nn.module import Module


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """The mean squared error between the input x and the target y, as
    ``torch.nn.MSELoss``::

        ℓ = mean((x − y)²)    (reduction='sum': Σ (x − y)²)

    Args:
        reduction (str, optional): ``'mean'`` (the mean over all elements), ``'sum'`` or
            ``'none'`` (one loss per element). Default: ``'mean'``

        PyTorch's deprecated ``size_average`` and ``reduce`` are not supported.

    Shape:
        - Input: (*), any number of dimensions
        - Target: (*), the same shape as the input (not broadcast)
        - Output: a scalar; (*) with ``reduction='none'``. No parameters.

    Examples::

        >>> loss = nn.MSELoss()
        >>> loss(nndl.tensor([1., 2.]), nndl.tensor([0., 0.]))
        tensor(2.5)
        >>> x = nndl.randn(3, 5, requires_grad=True)
        >>> out = loss(x, nndl.randn(3, 5))
        >>> out.backward()
        >>> x.grad.shape
        (3, 5)
    """

    def forward(self, input: Tensor, target) -> Tensor:  # noqa: A002
        return F.mse_loss(input, target, self.reduction)


class CrossEntropyLoss(_Loss):
    """The cross-entropy between the softmax of the logits x and the target class, as
    ``torch.nn.CrossEntropyLoss``: :class:`LogSoftmax` and :class:`NLLLoss` in one stable
    step::

        ℓ = −log softmax(x)[y] = −x[y] + log Σ_c exp(x[c])

    with the gradient softmax(x) − onehot(y). Targets may also be class probabilities p
    (a float tensor with the input's shape): ℓ = −Σ_c p[c] · log softmax(x)[c].

    Args:
        reduction (str, optional): ``'mean'`` (the mean over the samples and positions),
            ``'sum'`` or ``'none'`` (one loss per sample and position). Default: ``'mean'``

        Not supported yet: ``weight`` (per-class weights), ``ignore_index`` and
        ``label_smoothing``; PyTorch's deprecated ``size_average`` and ``reduce``.

    Shape:
        - Input: (N, C) logits, or (C,), or (N, C, d1, ...) for a class per position
        - Target: (N,) class indices 0 ≤ y < C (an integer tensor), or (), or
          (N, d1, ...); or probabilities with the input's shape (a float tensor)
        - Output: a scalar; (N,) or (N, d1, ...) with ``reduction='none'``. No
          parameters.

    Examples::

        >>> loss = nn.CrossEntropyLoss()
        >>> loss(nndl.tensor([[2., 0., 0.]]), nndl.tensor([0]))
        tensor(0.2395)
        >>> x = nndl.randn(3, 5, requires_grad=True)
        >>> out = loss(x, nndl.tensor([1, 0, 4]))
        >>> out.backward()
        >>> x.grad.shape
        (3, 5)
    """

    def forward(self, input: Tensor, target) -> Tensor:  # noqa: A002
        return F.cross_entropy(input, target, self.reduction)


class NLLLoss(_Loss):
    """The negative log likelihood of the target class, given log-probabilities, as
    ``torch.nn.NLLLoss``::

        ℓ = −x[y]

    The input is expected to hold log-probabilities, e.g. from :class:`LogSoftmax`;
    the two together give :class:`CrossEntropyLoss`.

    Args:
        reduction (str, optional): ``'mean'`` (the mean over the samples), ``'sum'`` or
            ``'none'`` (one loss per sample). Default: ``'mean'``

        Not supported yet: ``weight`` (per-class weights) and ``ignore_index``;
        PyTorch's deprecated ``size_average`` and ``reduce``.

    Shape:
        - Input: (N, C) log-probabilities only ((C,) and (N, C, d1, ...) are not
          supported yet)
        - Target: (N,) class indices 0 ≤ y < C
        - Output: a scalar; (N,) with ``reduction='none'``. No parameters.

    Examples::

        >>> loss = nn.NLLLoss()
        >>> logp = nn.LogSoftmax(dim=1)(nndl.tensor([[2., 0., 0.]]))
        >>> loss(logp, nndl.tensor([0]))  # the same as CrossEntropyLoss on the logits
        tensor(0.2395)
    """

    def forward(self, input: Tensor, target) -> Tensor:  # noqa: A002
        return F.nll_loss(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """The binary cross-entropy between σ(x) and the target y, taken on the logits x, as
    ``torch.nn.BCEWithLogitsLoss``::

        ℓ = −[w · y · log σ(x) + (1 − y) · log(1 − σ(x))]

    with w = ``pos_weight`` (1 by default), computed stably for any x
    (log σ(x) = −softplus(−x)); the gradient is σ(x) − y when w = 1.

    Args:
        reduction (str, optional): ``'mean'`` (the mean over all elements), ``'sum'`` or
            ``'none'`` (one loss per element). Default: ``'mean'``
        pos_weight (Tensor or array, optional): w, the weight of the positive examples,
            broadcast over the last dimension (one per class). Default: ``None`` (1)

        Not supported yet: ``weight`` (a weight per element of the batch); PyTorch's
        deprecated ``size_average`` and ``reduce``.

    Shape:
        - Input: (*), any number of dimensions
        - Target: (*), the same shape as the input, values in [0, 1]
        - Output: a scalar; (*) with ``reduction='none'``. No parameters.

    Examples::

        >>> loss = nn.BCEWithLogitsLoss()
        >>> loss(nndl.tensor([0.]), nndl.tensor([1.]))  # log 2
        tensor(0.6931)
        >>> x = nndl.randn(4, requires_grad=True)
        >>> loss(x, nndl.tensor([0., 1., 1., 0.])).backward()
        >>> x.grad.shape
        (4,)
    """

    def __init__(self, reduction: str = "mean", pos_weight=None):
        super().__init__(reduction)
        self.pos_weight = pos_weight

    def forward(self, input: Tensor, target) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy_with_logits(input, target, self.reduction,
                                                  pos_weight=self.pos_weight)
