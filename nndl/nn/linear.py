"""``Linear`` (a fully connected layer) and ``Flatten``, as in PyTorch."""

from __future__ import annotations

import math

import numpy as np

from nndl.engine import ops
from nndl.engine.tensor import Tensor
from nndl.errors import NNDLError
from nndl.nn import _explain, init
from nndl.nn import functional as F
from nndl.nn.module import Formula, Module, Parameter, ShapeInfo, empty, fmt, shape_text


class Linear(Module):
    """Applies an affine map to the last dimension, as ``torch.nn.Linear``: the textbook's
    fully connected (FC) layer of N_out neurons, each connected to all N_in inputs::

        y = x Wᵀ + b

    with W of shape (N_out, N_in) and b of shape (N_out,).

    Args:
        in_features (int): N_in, the size of each input sample (its last dimension).
        out_features (int): N_out, the size of each output sample: the number of neurons.
        bias (bool, optional): if ``True``, the layer learns the additive bias b.
            Default: ``True``
        device (str, optional): ``'meta'`` builds the layer without allocating its weights
            (as :func:`meta_device`); anything else means the CPU. Default: ``None``
        dtype (optional): the dtype of the weights. Default: float32

    Shape:
        - Input: (*, N_in), where * is any number of dimensions, none included. An image
          (N, D, H, W) must be flattened first (:class:`Flatten`): N_in = W·H·D.
        - Output: (*, N_out), every dimension but the last unchanged.

    Parameters and cost (the textbook's count)::

        params = N_in·N_out + N_out    (bias=False: params = N_in·N_out)
        mult-adds = N_in·N_out         per sample of shape (N_in,)
        mult-adds = rows·N_in·N_out    per sample of shape (rows, N_in)

    :meth:`describe` prints these with the layer's numbers.

    Attributes:
        weight (Parameter): shape (N_out, N_in), drawn from U(−1/√N_in, 1/√N_in) as
            PyTorch's default (``kaiming_uniform_`` with a = √5).
        bias (Parameter or None): shape (N_out,), drawn from the same distribution.

    Examples::

        >>> m = nn.Linear(400, 120)  # LeNet-5's first fully connected layer
        >>> x = nndl.randn(8, 400)
        >>> m(x).shape
        (8, 120)
        >>> m.weight.shape
        (120, 400)
        >>> for f in m.describe((400,)).formulas:
        ...     print(f)
        params = N_in·N_out + N_out = 400·120 + 120 = 48,120
        mult-adds = N_in·N_out = 400·120 = 48,000
    """

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
        if total != params:  # the formula and the real weights agree
            raise NNDLError(f"internal: Linear's formula counts {params} parameters but the "
                            f"layer holds {total}; please report this")
        out = tuple(in_shape[:-1]) + (n_out,)
        return ShapeInfo(in_shape, out, params, trainable, mult_adds, int(np.prod(out)), forms)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Flatten(Module):
    """Flattens the dimensions ``start_dim`` to ``end_dim`` (both included) into one, as
    ``torch.nn.Flatten``. With the defaults it keeps the batch dimension and lays every
    sample out as a vector: the step from the last conv or pool layer to the first fully
    connected one.

    Args:
        start_dim (int, optional): the first dimension to flatten. Default: 1 (the one
            after the batch)
        end_dim (int, optional): the last dimension to flatten. Default: -1

    Shape:
        - Input: (N, *dims), at least ``start_dim`` + 1 dimensions
        - Output: the dimensions ``start_dim`` to ``end_dim`` replaced by their product;
          for an image (N, D, H, W) and the defaults, (N, W·H·D), where the textbook's
          neuron count is

          N = W·H·D

          (PyTorch's order stays C, H, W inside the vector.) No parameters.

    Examples::

        >>> m = nn.Flatten()
        >>> m(nndl.randn(32, 16, 5, 5)).shape
        (32, 400)
        >>> print(m.describe((16, 5, 5)).formulas[0])
        N = W·H·D = 5·5·16 = 400
        >>> nn.Flatten(0, 2)(nndl.randn(32, 16, 5, 5)).shape
        (2560, 5)
    """

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
    """Returns its input unchanged, as ``torch.nn.Identity``: a placeholder, e.g. to
    remove a layer from a model without changing its indices.

    Args:
        None. PyTorch's Identity accepts and ignores any arguments; nndl's does not
        accept them yet.

    Shape:
        - Input: (*), any shape
        - Output: (*), the same shape (the same tensor). No parameters.

    Examples::

        >>> m = nn.Identity()
        >>> x = nndl.randn(128, 20)
        >>> m(x) is x
        True
        >>> m.describe((20,)).out_shape
        (20,)
    """

    def forward(self, x: Tensor) -> Tensor:
        return x

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        return ShapeInfo(in_shape, tuple(in_shape))
