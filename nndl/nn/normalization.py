"""``BatchNorm1d`` / ``BatchNorm2d``: per-channel γ, β and running statistics, as PyTorch
(the buffers running_mean, running_var, num_batches_tracked appear in state_dict)."""

from __future__ import annotations

import numpy as np

from nndl.engine.tensor import Tensor
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
        assert total == params
        return ShapeInfo(in_shape, tuple(in_shape), params, trainable, 0, 0, forms)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    _dims = (4,)
