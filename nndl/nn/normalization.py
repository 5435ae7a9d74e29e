"""``BatchNorm1d`` / ``BatchNorm2d``: per-channel γ, β and running statistics, as PyTorch
(the buffers running_mean, running_var, num_batches_tracked appear in state_dict)."""

from __future__ import annotations

import numpy as np

from nndl.engine.tensor import Tensor
from nndl.errors import NNDLError
from nndl.nn import _explain
from nndl.nn import functional as F
from nndl.nn.module import Formula, Module, Parameter, ShapeInfo, empty


class _BatchNorm(Module):
    summary_name = "BN"
    _dims: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 device: str | None = None, dtype=None, *, bias: bool = True):
        super().__init__()
        _explain.check_positive(type(self).__name__, num_features=num_features)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight: Parameter | None
        self.bias: Parameter | None
        if affine:
            self.weight = Parameter(empty((num_features,), dtype, device))
            self.bias = Parameter(empty((num_features,), dtype, device)) if bias else None
        else:
            self.weight = self.bias = None
        if track_running_stats:
            self.register_buffer("running_mean", Tensor._wrap(empty((num_features,), dtype, device)))
            self.register_buffer("running_var", Tensor._wrap(empty((num_features,), dtype, device)))
            self.register_buffer("num_batches_tracked",
                                 Tensor._wrap(empty((), np.int64, device)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for name, value in (("weight", 1), ("bias", 0), ("running_mean", 0), ("running_var", 1),
                            ("num_batches_tracked", 0)):
            t = getattr(self, name, None)
            if t is not None and t.data.flags.writeable:
                t.data[...] = value

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in self._dims:
            raise _explain.LayerShapeError(
                f"{type(self).__name__} expects a {' or '.join(f'{d}-D' for d in self._dims)} "
                f"input, got shape {x.shape}")
        if x.shape[1] != self.num_features:
            raise _explain.LayerShapeError(
                f"{type(self).__name__}: input has {x.shape[1]} channels, the layer expects "
                f"{self.num_features}", hint=f"use {type(self).__name__}({x.shape[1]})")
        use_batch = self.training or not self.track_running_stats
        momentum = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data[...] += 1
            if momentum is None:  # cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked.data)
        running = self.track_running_stats
        return F.batch_norm(x, self.running_mean if running else None,
                            self.running_var if running else None, self.weight, self.bias,
                            training=use_batch, momentum=momentum or 0.0, eps=self.eps)

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        name = type(self).__name__
        if len(in_shape) + 1 not in self._dims:
            raise _explain.LayerShapeError(f"{name} cannot take an input of shape {in_shape}",
                                           hint="BatchNorm2d after a conv, BatchNorm1d after an fc")
        d = in_shape[0]
        if d != self.num_features:
            raise _explain.LayerShapeError(
                f"{name}: the input has {d} channels, the layer expects {self.num_features}",
                hint=f"use {name}({d})")
        if self.affine and self.bias is not None:
            params, forms = 2 * d, [Formula("params", "2·D (γ and β)", f"2·{d}", 2 * d)]
        elif self.affine:
            params, forms = d, [Formula("params", "D (γ)", f"{d}", d)]
        else:
            params, forms = 0, []
        total, trainable = self._param_counts()
        if total != params:  # the formula and the real weights agree
            raise NNDLError(f"internal: {name}'s formula counts {params} parameters but the "
                            f"layer holds {total}; please report this")
        return ShapeInfo(in_shape, tuple(in_shape), params, trainable, 0, 0, forms)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Normalises each feature over the batch, then scales and shifts it, as
    ``torch.nn.BatchNorm1d``::

        y = (x − E[x]) / √(Var[x] + eps) · γ + β

    In ``train()`` E[x] and Var[x] (biased) are taken per feature over the batch (and over
    L for an (N, C, L) input), and the running statistics are updated (with the unbiased
    variance); in ``eval()`` the running statistics are used instead.

    Args:
        num_features (int): D, the number of channels: C of an input (N, C) or (N, C, L).
        eps (float, optional): added to the variance for numerical stability.
            Default: 1e-5
        momentum (float or None, optional): the weight of each new batch in the running
            statistics, running = (1 − momentum)·running + momentum·batch; ``None`` for a
            cumulative average over all batches. Default: 0.1
        affine (bool, optional): if ``True``, the layer learns γ (``weight``, initialised
            to 1) and β (``bias``, initialised to 0). Default: ``True``
        track_running_stats (bool, optional): if ``True``, the layer keeps
            ``running_mean``, ``running_var`` and ``num_batches_tracked`` (buffers, in
            ``state_dict()``) and uses the running statistics in ``eval()``; if ``False``
            it always uses the batch statistics. Default: ``True``
        device (str, optional): ``'meta'`` builds the layer without allocating its weights
            (as :func:`meta_device`); anything else means the CPU. Default: ``None``
        dtype (optional): the dtype of the weights and statistics. Default: float32
        bias (bool, optional, keyword only): an nndl extension (PyTorch's BatchNorm has
            no such argument): ``False`` learns γ only, without β. Default: ``True``

    Shape:
        - Input: (N, D) or (N, D, L)
        - Output: (N, D) or (N, D, L), the same shape as the input

    Parameters (the textbook's count)::

        params = 2·D (γ and β)    (bias=False: params = D (γ); affine=False: none)

    The running statistics are buffers, not parameters. :meth:`describe` prints the
    count with the layer's numbers.

    Examples::

        >>> m = nn.BatchNorm1d(100)
        >>> x = nndl.randn(20, 100)
        >>> m(x).shape
        (20, 100)
        >>> print(m.describe((100,)).formulas[0])
        params = 2·D (γ and β) = 2·100 = 200
        >>> y = m(nndl.tensor([[1.], [3.]]) * nndl.ones(2, 100))
        >>> y.detach()[:, 0]  # each feature now has mean 0 and variance 1 over the batch
        tensor([-1.,  1.])
    """

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Normalises each channel over the batch and all positions, then scales and shifts
    it, as ``torch.nn.BatchNorm2d``::

        y = (x − E[x]) / √(Var[x] + eps) · γ + β

    In ``train()`` E[x] and Var[x] (biased) are taken per channel over N, H and W, and
    the running statistics are updated (with the unbiased variance); in ``eval()`` the
    running statistics are used instead.

    Args:
        num_features (int): D, the number of channels: C of an input (N, C, H, W).
        eps (float, optional): added to the variance for numerical stability.
            Default: 1e-5
        momentum (float or None, optional): the weight of each new batch in the running
            statistics, running = (1 − momentum)·running + momentum·batch; ``None`` for a
            cumulative average over all batches. Default: 0.1
        affine (bool, optional): if ``True``, the layer learns γ (``weight``, initialised
            to 1) and β (``bias``, initialised to 0). Default: ``True``
        track_running_stats (bool, optional): if ``True``, the layer keeps
            ``running_mean``, ``running_var`` and ``num_batches_tracked`` (buffers, in
            ``state_dict()``) and uses the running statistics in ``eval()``; if ``False``
            it always uses the batch statistics. Default: ``True``
        device (str, optional): ``'meta'`` builds the layer without allocating its weights
            (as :func:`meta_device`); anything else means the CPU. Default: ``None``
        dtype (optional): the dtype of the weights and statistics. Default: float32
        bias (bool, optional, keyword only): an nndl extension (PyTorch's BatchNorm has
            no such argument): ``False`` learns γ only, without β. Default: ``True``

    Shape:
        - Input: (N, D, H, W)
        - Output: (N, D, H, W), the same shape as the input

    Parameters (the textbook's count)::

        params = 2·D (γ and β)    (bias=False: params = D (γ); affine=False: none)

    The running statistics are buffers, not parameters. :meth:`describe` prints the
    count with the layer's numbers.

    Examples::

        >>> m = nn.BatchNorm2d(6)
        >>> m(nndl.randn(4, 6, 28, 28)).shape
        (4, 6, 28, 28)
        >>> print(m.describe((6, 28, 28)).formulas[0])
        params = 2·D (γ and β) = 2·6 = 12
        >>> list(m.state_dict())
        ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
        >>> m.eval()(nndl.randn(1, 6, 28, 28)).shape  # eval(): the running statistics
        (1, 6, 28, 28)
    """

    _dims = (4,)


class LayerNorm(Module):
    """Normalises each sample over its last dimensions, as ``torch.nn.LayerNorm``::

        y = (x − E[x]) / √(Var[x] + eps) · γ + β

    with the mean and the (biased) variance taken over the last ``len(normalized_shape)``
    dims of each sample: unlike :class:`BatchNorm1d`, no batch statistics and no
    difference between training and evaluation.

    Args:
        normalized_shape (int or tuple): the trailing dims to normalise over, e.g. the
            feature size.
        eps (float, optional): added to the variance. Default: 1e-5
        elementwise_affine (bool, optional): learn γ (ones) and β (zeros) of
            ``normalized_shape``. Default: ``True``
        bias (bool, optional): learn β too. Default: ``True``

    Shape:
        - Input: (*, normalized_shape)
        - Output: the same shape as the input
        - weight, bias: normalized_shape

    Examples::

        >>> ln = nn.LayerNorm(4)
        >>> ln(nndl.tensor([[1., 2., 3., 4.]])).detach()
        tensor([[-1.3416, -0.4472,  0.4472,  1.3416]])
        >>> [p.shape for p in ln.parameters()]
        [(4,), (4,)]
    """

    summary_name = "LayerNorm"

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device: str | None = None, dtype=None):
        super().__init__()
        shape = ((normalized_shape,) if isinstance(normalized_shape, int | np.integer)
                 else tuple(normalized_shape))
        _explain.check_positive("LayerNorm", **{f"normalized_shape[{i}]": int(n)
                                                for i, n in enumerate(shape)})
        self.normalized_shape: tuple[int, ...] = tuple(int(n) for n in shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self.weight: Parameter | None
        self.bias: Parameter | None
        if elementwise_affine:
            self.weight = Parameter(empty(self.normalized_shape, dtype, device))
            self.bias = Parameter(empty(self.normalized_shape, dtype, device)) if bias else None
        else:
            self.weight = self.bias = None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for t, value in ((self.weight, 1), (self.bias, 0)):
            if t is not None and t.data.flags.writeable:
                t.data[...] = value

    def forward(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
