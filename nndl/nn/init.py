"""Weight initialisation, as ``torch.nn.init``: in place, from ``nndl.default_rng()`` (``nndl.engine.random``).

Values are drawn straight into float32 storage (no float64 temporary the size of
the weight), so initialising a 177 M-parameter layer costs its own memory only.
Meta-device tensors (no storage) are left alone.
"""

from __future__ import annotations

import math

import numpy as np

from nndl.engine.random import default_rng
from nndl.engine.tensor import Tensor
from nndl.errors import ShapeError


def _target(t: Tensor) -> np.ndarray | None:
    return t._arr if t._arr.flags.writeable else None


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "sigmoid", "conv_transpose2d"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(t: Tensor) -> tuple[int, int]:
    if t.ndim < 2:
        raise ShapeError(f"fan in/out need a tensor with at least 2 dimensions, got shape {t.shape}")
    receptive = int(np.prod(t.shape[2:])) if t.ndim > 2 else 1
    return t.shape[1] * receptive, t.shape[0] * receptive


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    x = _target(t)
    if x is not None:
        if x.dtype in (np.float32, np.float64):
            default_rng().random(out=x, dtype=x.dtype)  # U[0, 1) written in place
        else:
            x[...] = default_rng().random(x.shape)
        x *= b - a
        x += a
    return t


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    x = _target(t)
    if x is not None:
        default_rng().standard_normal(out=x, dtype=x.dtype)
        x *= std
        x += mean
    return t


def constant_(t: Tensor, val: float) -> Tensor:
    x = _target(t)
    if x is not None:
        x[...] = val
    return t


def zeros_(t: Tensor) -> Tensor:
    return constant_(t, 0.0)


def ones_(t: Tensor) -> Tensor:
    return constant_(t, 1.0)


def kaiming_uniform_(t: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu") -> Tensor:
    """U(−b, b) with b = gain·√(3/fan); PyTorch's layers use a = √5, giving b = 1/√fan_in."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(t)
    fan = fan_in if mode == "fan_in" else fan_out
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan) if fan else 0.0
    return uniform_(t, -bound, bound)


def kaiming_normal_(t: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> Tensor:
    fan_in, fan_out = _calculate_fan_in_and_fan_out(t)
    fan = fan_in if mode == "fan_in" else fan_out
    return normal_(t, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan) if fan else 0.0)


def xavier_uniform_(t: Tensor, gain: float = 1.0) -> Tensor:
    fan_in, fan_out = _calculate_fan_in_and_fan_out(t)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(t, -bound, bound)


def xavier_normal_(t: Tensor, gain: float = 1.0) -> Tensor:
    fan_in, fan_out = _calculate_fan_in_and_fan_out(t)
    return normal_(t, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))
