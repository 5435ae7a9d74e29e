"""Activation layers: shape unchanged, no parameters, no new neurons (the textbook counts
a neuron once, at the layer whose weighted sum it computes)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, ClassVar

from nndl.engine import ops
from nndl.engine.tensor import Tensor
from nndl.errors import ArgumentTypeError
from nndl.nn.module import Module, ShapeInfo


class _Elementwise(Module):
    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        return ShapeInfo(in_shape, tuple(in_shape))


_REQUIRED = inspect.Parameter.empty  # an argument without a default (Threshold's)


class _Pointwise(_Elementwise):
    """An activation that is one engine function applied to its input, described by a
    table instead of code: ``_fn`` (the function, e.g. ``ops.elu``), ``_args`` (its extra
    arguments with PyTorch's names and defaults, in PyTorch's order), ``_inplace``
    (whether PyTorch's constructor takes ``inplace=``, accepted and ignored: nndl always
    returns a new tensor) and ``_repr`` (a format of the arguments for ``repr``, by
    default ``name=value, ...``). The constructor, its signature, ``forward`` and
    ``extra_repr`` come from the table."""

    __signature__: ClassVar[inspect.Signature]
    _fn: Callable[..., Tensor]
    _args: tuple[tuple[str, Any], ...] = ()
    _inplace = True
    _repr: str | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        params = [inspect.Parameter(n, kind, default=d, annotation="float" if d is _REQUIRED
                                    else type(d).__name__) for n, d in cls._args]
        if cls._inplace:
            params.append(inspect.Parameter("inplace", kind, default=False, annotation="bool"))
        cls.__signature__ = inspect.Signature(params)  # what help() and inspect show

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__()
        try:
            bound = self.__signature__.bind(*args, **kwargs)
        except TypeError as e:
            raise ArgumentTypeError(f"{type(self).__name__}: {e}",
                                    hint=f"the arguments are {self.__signature__}") from None
        bound.apply_defaults()
        for k, v in bound.arguments.items():
            setattr(self, k, v)  # inplace included: accepted for PyTorch compatibility

    def forward(self, x: Tensor) -> Tensor:
        return self._fn(x, *(getattr(self, n) for n, _ in self._args))

    def extra_repr(self) -> str:
        values = {n: getattr(self, n) for n, _ in self._args}
        if self._repr is not None:
            return self._repr.format(**values)
        return ", ".join(f"{n}={v!r}" for n, v in values.items())


class ReLU(_Pointwise):
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
    _fn = staticmethod(ops.relu)


class Sigmoid(_Pointwise):
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
    _fn = staticmethod(ops.sigmoid)
    _inplace = False


class Tanh(_Pointwise):
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
    _fn = staticmethod(ops.tanh)
    _inplace = False


class LeakyReLU(_Pointwise):
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
    _fn = staticmethod(ops.leaky_relu)
    _args = (("negative_slope", 0.01),)


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


class GELU(_Pointwise):
    """Applies GELU to each element, as ``torch.nn.GELU``::

        GELU(x) = x·Φ(x), Φ the standard normal CDF (approximate='tanh':
        ½x(1 + tanh(√(2/π)(x + 0.044715x³))))

    Args:
        approximate (str, optional): ``'none'`` (exact, with erf) or ``'tanh'``. Default: ``'none'``

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.GELU()
        >>> m(nndl.tensor([-1., 0., 2.]))
        tensor([-0.1587,  0.    ,  1.9545])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "GELU"
    _fn = staticmethod(ops.gelu)
    _args = (("approximate", "none"),)
    _inplace = False


class SiLU(_Pointwise):
    """Applies SiLU to each element, as ``torch.nn.SiLU``::

        SiLU(x) = x·σ(x)  (the swish)

    Args:
        inplace (bool, optional): accepted for PyTorch compatibility and ignored: nndl
            always returns a new tensor. Default: ``False``

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.SiLU()
        >>> m(nndl.tensor([-1., 0., 2.]))
        tensor([-0.2689,  0.    ,  1.7616])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "SiLU"
    _fn = staticmethod(ops.silu)


class Mish(_Pointwise):
    """Applies Mish to each element, as ``torch.nn.Mish``::

        Mish(x) = x·tanh(softplus(x))

    Args:
        inplace (bool, optional): accepted for PyTorch compatibility and ignored: nndl
            always returns a new tensor. Default: ``False``

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.Mish()
        >>> m(nndl.tensor([-1., 0., 2.]))
        tensor([-0.3034,  0.    ,  1.944 ])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "Mish"
    _fn = staticmethod(ops.mish)


class ELU(_Pointwise):
    """Applies ELU to each element, as ``torch.nn.ELU``::

        ELU(x) = x if x > 0, else α·(exp(x) − 1)

    Args:
        alpha (float, optional): α. Default: 1.0
        inplace (bool, optional): accepted for PyTorch compatibility and ignored: nndl
            always returns a new tensor. Default: ``False``

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.ELU()
        >>> m(nndl.tensor([-1., 0., 2.]))
        tensor([-0.6321,  0.    ,  2.    ])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "ELU"
    _fn = staticmethod(ops.elu)
    _args = (("alpha", 1.0),)


class SELU(_Pointwise):
    """Applies SELU to each element, as ``torch.nn.SELU``::

        SELU(x) = scale·(x if x > 0, else α·(exp(x) − 1)), α ≈ 1.6733, scale ≈ 1.0507

    Args:
        inplace (bool, optional): accepted for PyTorch compatibility and ignored: nndl
            always returns a new tensor. Default: ``False``

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.SELU()
        >>> m(nndl.tensor([-1., 0., 2.]))
        tensor([-1.1113,  0.    ,  2.1014])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "SELU"
    _fn = staticmethod(ops.selu)


class CELU(_Pointwise):
    """Applies CELU to each element, as ``torch.nn.CELU``::

        CELU(x) = max(0, x) + min(0, α·(exp(x/α) − 1))

    Args:
        alpha (float, optional): α. Default: 1.0
        inplace (bool, optional): accepted for PyTorch compatibility and ignored: nndl
            always returns a new tensor. Default: ``False``

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.CELU()
        >>> m(nndl.tensor([-1., 0., 2.]))
        tensor([-0.6321,  0.    ,  2.    ])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "CELU"
    _fn = staticmethod(ops.celu)
    _args = (("alpha", 1.0),)


class Hardtanh(_Pointwise):
    """Applies Hardtanh to each element, as ``torch.nn.Hardtanh``::

        Hardtanh(x) = min_val if x < min_val, max_val if x > max_val, else x

    Args:
        min_val (float, optional): the lower bound. Default: -1.0
        max_val (float, optional): the upper bound. Default: 1.0
        inplace (bool, optional): accepted for PyTorch compatibility and ignored: nndl
            always returns a new tensor. Default: ``False``

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.Hardtanh()
        >>> m(nndl.tensor([-2., 0.5, 2.]))
        tensor([-1. ,  0.5,  1. ])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "Hardtanh"
    _fn = staticmethod(ops.hardtanh)
    _args = (("min_val", -1.0), ("max_val", 1.0),)


class ReLU6(_Pointwise):
    """Applies ReLU6 to each element, as ``torch.nn.ReLU6``::

        ReLU6(x) = min(max(0, x), 6)

    Args:
        inplace (bool, optional): accepted for PyTorch compatibility and ignored: nndl
            always returns a new tensor. Default: ``False``

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.ReLU6()
        >>> m(nndl.tensor([-1., 3., 7.]))
        tensor([0., 3., 6.])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "ReLU6"
    _fn = staticmethod(ops.relu6)


class Hardsigmoid(_Pointwise):
    """Applies Hardsigmoid to each element, as ``torch.nn.Hardsigmoid``::

        Hardsigmoid(x) = 0 if x ≤ −3, 1 if x ≥ 3, else x/6 + 1/2

    Args:
        inplace (bool, optional): accepted for PyTorch compatibility and ignored: nndl
            always returns a new tensor. Default: ``False``

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.Hardsigmoid()
        >>> m(nndl.tensor([-4., 0., 1.5]))
        tensor([0.  , 0.5 , 0.75])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "Hardsigmoid"
    _fn = staticmethod(ops.hardsigmoid)


class Hardswish(_Pointwise):
    """Applies Hardswish to each element, as ``torch.nn.Hardswish``::

        Hardswish(x) = 0 if x ≤ −3, x if x ≥ 3, else x·(x + 3)/6

    Args:
        inplace (bool, optional): accepted for PyTorch compatibility and ignored: nndl
            always returns a new tensor. Default: ``False``

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.Hardswish()
        >>> m(nndl.tensor([-4., 1., 4.]))
        tensor([-0.    ,  0.6667,  4.    ])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "Hardswish"
    _fn = staticmethod(ops.hardswish)


class Softsign(_Pointwise):
    """Applies Softsign to each element, as ``torch.nn.Softsign``::

        Softsign(x) = x / (1 + |x|)

    Args:
        None.

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.Softsign()
        >>> m(nndl.tensor([-1., 0., 3.]))
        tensor([-0.5 ,  0.  ,  0.75])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "Softsign"
    _fn = staticmethod(ops.softsign)
    _inplace = False


class LogSigmoid(_Pointwise):
    """Applies LogSigmoid to each element, as ``torch.nn.LogSigmoid``::

        LogSigmoid(x) = log σ(x) = −softplus(−x), computed stably

    Args:
        None.

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.LogSigmoid()
        >>> m(nndl.tensor([-1., 0., 2.]))
        tensor([-1.3133, -0.6931, -0.1269])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "LogSigmoid"
    _fn = staticmethod(ops.logsigmoid)
    _inplace = False


class Softplus(_Pointwise):
    """Applies Softplus to each element, as ``torch.nn.Softplus``::

        Softplus(x) = log(1 + exp(β·x))/β, and x where β·x > threshold

    Args:
        beta (float, optional): β. Default: 1.0
        threshold (float, optional): above it (in β·x) the output is x. Default: 20.0

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.Softplus()
        >>> m(nndl.tensor([-1., 0., 2.]))
        tensor([0.3133, 0.6931, 2.1269])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "Softplus"
    _fn = staticmethod(ops.softplus)
    _args = (("beta", 1.0), ("threshold", 20.0),)
    _inplace = False


class Tanhshrink(_Pointwise):
    """Applies Tanhshrink to each element, as ``torch.nn.Tanhshrink``::

        Tanhshrink(x) = x − tanh(x)

    Args:
        None.

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.Tanhshrink()
        >>> m(nndl.tensor([-1., 0., 2.]))
        tensor([-0.2384,  0.    ,  1.036 ])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "Tanhshrink"
    _fn = staticmethod(ops.tanhshrink)
    _inplace = False


class Softshrink(_Pointwise):
    """Applies Softshrink to each element, as ``torch.nn.Softshrink``::

        Softshrink(x) = x − λ if x > λ, x + λ if x < −λ, else 0

    Args:
        lambd (float, optional): λ. Default: 0.5

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.Softshrink()
        >>> m(nndl.tensor([-1., 0.2, 2.]))
        tensor([-0.5,  0. ,  1.5])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "Softshrink"
    _fn = staticmethod(ops.softshrink)
    _args = (("lambd", 0.5),)
    _inplace = False
    _repr = "{lambd}"


class Hardshrink(_Pointwise):
    """Applies Hardshrink to each element, as ``torch.nn.Hardshrink``::

        Hardshrink(x) = x if |x| > λ, else 0

    Args:
        lambd (float, optional): λ. Default: 0.5

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.Hardshrink()
        >>> m(nndl.tensor([-1., 0.2, 2.]))
        tensor([-1.,  0.,  2.])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "Hardshrink"
    _fn = staticmethod(ops.hardshrink)
    _args = (("lambd", 0.5),)
    _inplace = False
    _repr = "{lambd}"


class Threshold(_Pointwise):
    """Applies Threshold to each element, as ``torch.nn.Threshold``::

        Threshold(x) = x if x > threshold, else value

    Args:
        threshold (float): the threshold
        value (float): the value below it
        inplace (bool, optional): accepted for PyTorch compatibility and ignored: nndl
            always returns a new tensor. Default: ``False``

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.Threshold(0.5, -1.0)
        >>> m(nndl.tensor([-1., 0.2, 2.]))
        tensor([-1., -1.,  2.])
        >>> m(nndl.randn(2, 3)).shape
        (2, 3)
    """

    summary_name = "Threshold"
    _fn = staticmethod(ops.threshold)
    _args = (("threshold", _REQUIRED), ("value", _REQUIRED),)


class Softmin(Softmax):
    """Applies softmin along one dimension, as ``torch.nn.Softmin``: softmax of −x, so the
    smallest value gets the largest weight::

        Softmin(x)_i = exp(−x_i) / Σ_j exp(−x_j)

    Args:
        dim (int, optional): the dimension along which the values sum to 1. Default:
            ``None``, which nndl takes as the last dimension.

    Shape:
        - Input: (*), any number of dimensions
        - Output: (*), the same shape as the input. No parameters and, in the textbook's
          count, no new neurons.

    Examples::

        >>> m = nn.Softmin(dim=1)
        >>> m(nndl.tensor([[0., 0.]]))
        tensor([[0.5, 0.5]])
        >>> m(nndl.tensor([[1., 2.]])).argmax(dim=1)
        tensor([0])
    """

    summary_name = "Softmin"

    def forward(self, x: Tensor) -> Tensor:
        return ops.softmin(x, -1 if self.dim is None else self.dim)
