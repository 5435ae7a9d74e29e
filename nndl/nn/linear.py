"""``Linear`` (a fully connected layer) and ``Flatten``, as in PyTorch."""

from __future__ import annotations

import math

import numpy as np

from nndl.engine import ops
from nndl.engine.tensor import Tensor
from nndl.nn import _explain, init
from nndl.nn import functional as F
from nndl.nn.module import Formula, Module, Parameter, ShapeInfo, empty, fmt, shape_text


class Linear(Module):
    """y = x Wᵀ + b with W of shape (out_features, in_features)."""

    summary_name = "FC"

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: str | None = None, dtype=None):
        super().__init__()
        _explain.check_positive("Linear", in_features=in_features, out_features=out_features)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(empty((out_features, in_features), dtype, device))
        self.bias = Parameter(empty((out_features,), dtype, device)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))  # = U(±1/√in_features)
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        n_in, n_out = in_shape[-1], self.out_features
        if n_in != self.in_features:
            flat = int(np.prod(in_shape))
            extra = (f" (a {shape_text(in_shape)} input must be flattened first: "
                     f"{fmt(flat)} values)") if len(in_shape) > 1 else ""
            raise _explain.LayerShapeError(
                f"Linear: the input has {fmt(n_in)} features but the layer expects "
                f"in_features = {fmt(self.in_features)}{extra}",
                hint=f"use Linear({flat}, {n_out}) after a Flatten" if len(in_shape) > 1
                else f"use Linear({n_in}, {n_out})")
        rows = int(np.prod(in_shape[:-1])) if len(in_shape) > 1 else 1
        forms = []
        if self.bias is not None:
            params = n_in * n_out + n_out
            forms.append(Formula("params", "N_in·N_out + N_out",
                                 f"{fmt(n_in)}·{fmt(n_out)} + {fmt(n_out)}", params))
        else:
            params = n_in * n_out
            forms.append(Formula("params", "N_in·N_out", f"{fmt(n_in)}·{fmt(n_out)}", params))
        mult_adds = rows * n_in * n_out
        forms.append(Formula("mult-adds", "N_in·N_out", f"{fmt(n_in)}·{fmt(n_out)}", mult_adds)
                     if rows == 1 else
                     Formula("mult-adds", "rows·N_in·N_out", f"{rows}·{fmt(n_in)}·{fmt(n_out)}",
                             mult_adds))
        total, trainable = self._param_counts()
        assert total == params, (total, params)
        out = tuple(in_shape[:-1]) + (n_out,)
        return ShapeInfo(in_shape, out, params, trainable, mult_adds, int(np.prod(out)), forms)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Flatten(Module):
    """Merge dims start_dim..end_dim (by default everything but the batch)."""

    summary_name = "Flatten"

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return ops.flatten(x, self.start_dim, self.end_dim)

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        full = (1,) + tuple(in_shape)  # describe with the batch dimension PyTorch sees
        s, e = self.start_dim % len(full), self.end_dim % len(full)
        merged = int(np.prod(full[s:e + 1]))
        out = full[:s] + (merged,) + full[e + 1:]
        forms = []
        if len(in_shape) == 3 and s == 1 and e == 3:
            d, h, w = in_shape
            forms.append(Formula("N", "W·H·D", f"{w}·{h}·{d}", merged))
        return ShapeInfo(in_shape, out[1:], 0, 0, 0, 0, forms)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Identity(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        return ShapeInfo(in_shape, tuple(in_shape))
