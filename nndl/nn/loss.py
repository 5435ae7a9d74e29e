"""Loss modules, as ``torch.nn``: each is a thin wrapper on a fused op of
:mod:`nndl.nn.functional`."""

from __future__ import annotations

import numpy as np

from nndl.engine.tensor import Tensor
from nndl.nn import functional as F
from nndl.nn.module import Module


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        F._check_reduction(reduction)  # an ArgumentError, a ValueError as in PyTorch
        self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with per-class weights, kept as the buffer ``weight`` (as PyTorch)."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
        if isinstance(weight, str):  # nndl's former signature: the reduction first
            weight, reduction = None, weight
        F._no_legacy(type(self).__name__, size_average, reduce)
        super().__init__(reduction)
        self.register_buffer("weight", None if weight is None else (
            weight if isinstance(weight, Tensor) else Tensor(np.asarray(weight))))

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


class CrossEntropyLoss(_WeightedLoss):
    """The cross-entropy between the softmax of the logits x and the target class, as
    ``torch.nn.CrossEntropyLoss``: :class:`LogSoftmax` and :class:`NLLLoss` in one stable
    step::

        ℓ = −log softmax(x)[y] = −x[y] + log Σ_c exp(x[c])

    with the gradient softmax(x) − onehot(y). Targets may also be class probabilities p
    (a float tensor with the input's shape): ℓ = −Σ_c p[c] · log softmax(x)[c].

    Args:
        weight (Tensor, optional): a weight per class, shape (C,): the loss of a sample of
            class y is multiplied by weight[y] (probability targets: each term by
            weight[c]). Default: ``None`` (all 1)
        ignore_index (int, optional): a class-index target equal to it counts for nothing
            (no loss, no gradient, not in the mean). Default: ``-100``
        reduction (str, optional): ``'mean'`` (the weighted mean over the samples and
            positions: the sum divided by Σ weight[y]), ``'sum'`` or ``'none'`` (one loss
            per sample and position). Default: ``'mean'``
        label_smoothing (float, optional): ε in [0, 1]: the target becomes
            (1 − ε)·onehot(y) + ε/C. Default: ``0.0``

        PyTorch's deprecated ``size_average`` and ``reduce`` are not supported.

    Shape:
        - Input: (N, C) logits, or (C,), or (N, C, d1, ...) for a class per position
        - Target: (N,) class indices 0 ≤ y < C (an integer tensor), or (), or
          (N, d1, ...); or probabilities with the input's shape (a float tensor, which
          gets a gradient when it requires one)
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
        >>> nn.CrossEntropyLoss(label_smoothing=0.1)(nndl.tensor([[2., 0., 0.]]), nndl.tensor([0]))
        tensor(0.3729)
        >>> nn.CrossEntropyLoss(ignore_index=0)(nndl.tensor([[2., 0., 0.], [0., 1., 0.]]),
        ...                                     nndl.tensor([0, 1]))  # only the second counts
        tensor(0.5514)
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Tensor, target) -> Tensor:  # noqa: A002
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """The negative log likelihood of the target class, given log-probabilities, as
    ``torch.nn.NLLLoss``::

        ℓ = −x[y]

    The input is expected to hold log-probabilities, e.g. from :class:`LogSoftmax`;
    the two together give :class:`CrossEntropyLoss`.

    Args:
        weight (Tensor, optional): a weight per class, shape (C,): the loss of a sample of
            class y is weight[y]·(−x[y]). Default: ``None`` (all 1)
        ignore_index (int, optional): a target equal to it counts for nothing. Default:
            ``-100``
        reduction (str, optional): ``'mean'`` (the sum divided by Σ weight[y] over the
            targets that count), ``'sum'`` or ``'none'`` (one loss per sample and
            position). Default: ``'mean'``

        PyTorch's deprecated ``size_average`` and ``reduce`` are not supported.

    Shape:
        - Input: (N, C) log-probabilities, or (C,), or (N, C, d1, ...)
        - Target: (N,) class indices 0 ≤ y < C, or (), or (N, d1, ...)
        - Output: a scalar; (N,) or (N, d1, ...) with ``reduction='none'``. No
          parameters.

    Examples::

        >>> loss = nn.NLLLoss()
        >>> logp = nn.LogSoftmax(dim=1)(nndl.tensor([[2., 0., 0.]]))
        >>> loss(logp, nndl.tensor([0]))  # the same as CrossEntropyLoss on the logits
        tensor(0.2395)
        >>> nn.NLLLoss(weight=nndl.tensor([1., 3.]))(nndl.tensor([[-1., -2.], [-1., -2.]]),
        ...                                          nndl.tensor([0, 1]))  # (1·1 + 3·2)/(1 + 3)
        tensor(1.75)
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target) -> Tensor:  # noqa: A002
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


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


class L1Loss(_Loss):
    """The mean absolute error between the input x and the target y, as
    ``torch.nn.L1Loss``::

        ℓ = mean(|x − y|)    (reduction='sum': Σ |x − y|)

    Its gradient is sign(x − y) (0 where x = y, as PyTorch).

    Args:
        reduction (str, optional): ``'mean'``, ``'sum'`` or ``'none'``. Default: ``'mean'``

    Shape:
        - Input: (*), any number of dimensions
        - Target: (*), the same shape as the input
        - Output: a scalar; (*) with ``reduction='none'``. No parameters.

    Examples::

        >>> loss = nn.L1Loss()
        >>> loss(nndl.tensor([1., 2.]), nndl.tensor([0., 4.]))
        tensor(1.5)
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean"):
        if isinstance(size_average, str):  # the reduction given first
            size_average, reduction = None, size_average
        F._no_legacy("L1Loss", size_average, reduce)
        super().__init__(reduction)

    def forward(self, input: Tensor, target) -> Tensor:  # noqa: A002
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """A squared error for small errors and an absolute one for large, as
    ``torch.nn.SmoothL1Loss`` (d = x − y)::

        ℓ = ½d²/β if |d| < β, else |d| − ½β

    Args:
        reduction (str, optional): ``'mean'``, ``'sum'`` or ``'none'``. Default: ``'mean'``
        beta (float, optional): where the two parts meet (β = 0 gives L1Loss). Default: 1.0

    Shape:
        - Input: (*), any number of dimensions
        - Target: (*), the same shape as the input
        - Output: a scalar; (*) with ``reduction='none'``. No parameters.

    Examples::

        >>> loss = nn.SmoothL1Loss()
        >>> loss(nndl.tensor([0.5, 3.]), nndl.tensor([0., 0.]))  # (0.125 + 2.5)/2
        tensor(1.3125)
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean",
                 beta: float = 1.0):
        F._no_legacy("SmoothL1Loss", size_average, reduce)
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input: Tensor, target) -> Tensor:  # noqa: A002
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """The Huber loss, as ``torch.nn.HuberLoss`` (d = x − y)::

        ℓ = ½d² if |d| < δ, else δ·(|d| − ½δ)

    Args:
        reduction (str, optional): ``'mean'``, ``'sum'`` or ``'none'``. Default: ``'mean'``
        delta (float, optional): δ, where the two parts meet. Default: 1.0

    Shape:
        - Input: (*), any number of dimensions
        - Target: (*), the same shape as the input
        - Output: a scalar; (*) with ``reduction='none'``. No parameters.

    Examples::

        >>> loss = nn.HuberLoss(delta=2.0)
        >>> loss(nndl.tensor([1., 5.]), nndl.tensor([0., 0.]))  # (0.5 + 2·(5 − 1))/2
        tensor(4.25)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tensor, target) -> Tensor:  # noqa: A002
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(_Loss):
    """The Kullback–Leibler divergence of the target distribution y from the input's,
    given as log-probabilities x, as ``torch.nn.KLDivLoss``::

        ℓ = Σ y·(log y − x)    (0·log 0 = 0)

    Args:
        reduction (str, optional): ``'batchmean'`` (the sum divided by the batch size:
            the KL divergence per sample), ``'mean'`` (over all elements, as PyTorch's
            default, which PyTorch warns about), ``'sum'`` or ``'none'``. Default:
            ``'mean'``
        log_target (bool, optional): the target holds log-probabilities. Default:
            ``False``

    Shape:
        - Input: (*), log-probabilities
        - Target: (*), the same shape as the input
        - Output: a scalar; (*) with ``reduction='none'``. No parameters.

    Examples::

        >>> loss = nn.KLDivLoss(reduction="batchmean")
        >>> p = nndl.tensor([[0.5, 0.5]])
        >>> loss(p.log(), p)
        tensor(0.)
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean",
                 log_target: bool = False):
        F._no_legacy("KLDivLoss", size_average, reduce)
        Module.__init__(self)
        if reduction not in ("mean", "sum", "none", "batchmean"):
            F._check_reduction(reduction)
        self.reduction, self.log_target = reduction, log_target

    def forward(self, input: Tensor, target) -> Tensor:  # noqa: A002
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class BCELoss(_WeightedLoss):
    """The binary cross-entropy between probabilities x and targets y, as
    ``torch.nn.BCELoss``::

        ℓ = −w·[y·log x + (1 − y)·log(1 − x)]

    with each log clamped at −100, as PyTorch. For logits, :class:`BCEWithLogitsLoss`
    is the stable choice.

    Args:
        weight (Tensor, optional): w, broadcast to the input's shape. Default: ``None``
        reduction (str, optional): ``'mean'``, ``'sum'`` or ``'none'``. Default: ``'mean'``

    Shape:
        - Input: (*), probabilities in [0, 1]
        - Target: (*), the same shape as the input
        - Output: a scalar; (*) with ``reduction='none'``. No parameters.

    Examples::

        >>> loss = nn.BCELoss()
        >>> loss(nndl.tensor([0.5]), nndl.tensor([1.]))  # log 2
        tensor(0.6931)
    """

    def forward(self, input: Tensor, target) -> Tensor:  # noqa: A002
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)
