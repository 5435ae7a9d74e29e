"""NumPy kernels of the activations and their analytic derivatives, stable for any finite x.

Every exp() here sees a non-positive argument (or one whose overflow cannot reach the
result), so |x| up to 1e4 gives no overflow warning and no NaN. The sigmoid, tanh and
ReLU kernels are the engine's own (:mod:`nndl.engine.kernels`, ``np.tanh``, ``np.maximum``).
Derivatives follow PyTorch's convention at kinks (ReLU'(0) = 0, hardtanh'(±1) = 0, ...).
"""

from __future__ import annotations

import math

import numpy as np

from nndl.engine import kernels as _kernels

SELU_ALPHA = 1.6732632423543772848170429916717  # torch.nn.SELU's constants
SELU_SCALE = 1.0507009873554804934193349852946
GELU_TANH_C = 0.044715
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _cast(y, x: np.ndarray) -> np.ndarray:
    return np.asarray(y).astype(x.dtype if x.dtype.kind == "f" else np.float64, copy=False)


def _float(x) -> np.ndarray:
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


# ------------------------------------------------------------------ erf / normal CDF
# W. J. Cody's rational Chebyshev approximations (Math. Comp. 1969, netlib specfun CALERF):
# relative error below 1e-16 in float64. NumPy has no erf and SciPy is not a dependency.
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)
_SQRPI = 5.6418958354775628695e-1  # 1/sqrt(pi)
_THRESH = 0.46875
_XBIG = 26.543  # erfc(x) < smallest double beyond this


def _erf_small(x: np.ndarray) -> np.ndarray:
    """erf(x) for |x| <= 0.46875."""
    ysq = x * x
    num, den = _A[4] * ysq, ysq
    for i in range(3):
        num = (num + _A[i]) * ysq
        den = (den + _B[i]) * ysq
    return x * (num + _A[3]) / (den + _B[3])


def _erfc_large(y: np.ndarray) -> np.ndarray:
    """erfc(y) for y > 0.46875 (0 beyond 26.543, where it underflows anyway)."""
    y = np.minimum(y, 27.0)
    r = np.empty_like(y)
    mid = y <= 4.0
    ym = y[mid]
    num, den = _C[8] * ym, ym
    for i in range(7):
        num = (num + _C[i]) * ym
        den = (den + _D[i]) * ym
    r[mid] = (num + _C[7]) / (den + _D[7])
    tail = ~mid
    yt = y[tail]
    ysq = 1.0 / (yt * yt)
    num, den = _P[5] * ysq, ysq
    for i in range(4):
        num = (num + _P[i]) * ysq
        den = (den + _Q[i]) * ysq
    r[tail] = (_SQRPI - ysq * (num + _P[4]) / (den + _Q[4])) / yt
    # exp(-y²) split in two so the rounding of y² does not cost accuracy
    y16 = np.trunc(y * 16.0) / 16.0
    out = np.exp(-y16 * y16) * np.exp(-(y - y16) * (y + y16)) * r
    return np.where(y < _XBIG, out, 0.0)


def erf(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    a = np.abs(x)
    small = a <= _THRESH
    out = np.where(small, _erf_small(np.where(small, x, 0.0)),
                   np.sign(x) * (1.0 - _erfc_large(np.where(small, 1.0, a))))
    return out


def erfc(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    a = np.abs(x)
    small = a <= _THRESH
    tail = _erfc_large(np.where(small, 1.0, a))
    return np.where(small, 1.0 - _erf_small(np.where(small, x, 0.0)),
                    np.where(x > 0, tail, 2.0 - tail))


def normal_cdf(x) -> np.ndarray:
    """Φ(x) = ½ erfc(−x/√2), accurate in both tails (no 1 − 1 cancellation for x ≪ 0)."""
    return 0.5 * erfc(-np.asarray(x, dtype=np.float64) / math.sqrt(2.0))


def normal_pdf(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


# ------------------------------------------------------------------ activations
def sigmoid(x):
    return _kernels.sigmoid(_float(x))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x):
    return np.tanh(_float(x))


def tanh_grad(x):
    t = tanh(x)
    return 1 - t * t


def relu(x):
    return np.maximum(_float(x), 0)


def relu_grad(x):
    x = _float(x)
    return _cast(x > 0, x)


def leaky_relu(x, negative_slope: float = 0.01):
    x = _float(x)
    if 0 <= negative_slope <= 1:  # same values as the select below, without np.where's cost
        return np.maximum(x, x * negative_slope)
    return np.where(x > 0, x, x * negative_slope)


def leaky_relu_grad(x, negative_slope: float = 0.01):
    x = _float(x)
    return _cast((x > 0) * (1.0 - negative_slope) + negative_slope, x)


def elu(x, alpha: float = 1.0):
    x = _float(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_grad(x, alpha: float = 1.0):
    x = _float(x)
    return _cast(np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))), x)


def selu(x):
    return SELU_SCALE * elu(x, SELU_ALPHA)


def selu_grad(x):
    return SELU_SCALE * elu_grad(x, SELU_ALPHA)


def softplus(x):
    return _kernels.softplus(_float(x))


def softplus_grad(x):
    return sigmoid(x)


def gelu(x):
    x = _float(x)
    return _cast(x * normal_cdf(x), x)


def gelu_grad(x):
    x = _float(x)
    return _cast(normal_cdf(x) + x * normal_pdf(x), x)


def _gelu_tanh_t(x):
    return np.tanh(SQRT_2_OVER_PI * (x + GELU_TANH_C * x * x * x))


def gelu_tanh(x):
    x = _float(x)
    return 0.5 * x * (1 + _gelu_tanh_t(x))


def gelu_tanh_grad(x):
    x = _float(x)
    t = _gelu_tanh_t(x)
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_TANH_C * x * x)


def silu(x):
    x = _float(x)
    return x * sigmoid(x)


def silu_grad(x):
    x = _float(x)
    s = sigmoid(x)
    return s * (1 + x * (1 - s))


def mish(x):
    x = _float(x)
    return x * np.tanh(softplus(x))


def mish_grad(x):
    x = _float(x)
    t = np.tanh(softplus(x))
    return t + x * sigmoid(x) * (1 - t * t)


def hardsigmoid(x):
    x = _float(x)
    return np.minimum(np.maximum(x + 3, 0), 6) / 6  # relu6(x + 3) / 6, as PyTorch


def hardsigmoid_grad(x):
    x = _float(x)
    return _cast(((x > -3) & (x < 3)) / 6, x)


def hardtanh(x, min_val: float = -1.0, max_val: float = 1.0):
    return np.clip(_float(x), min_val, max_val)


def hardtanh_grad(x, min_val: float = -1.0, max_val: float = 1.0):
    x = _float(x)
    return _cast((x > min_val) & (x < max_val), x)
