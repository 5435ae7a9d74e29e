"""Layer ops with forward and backward side by side, as ``torch.nn.functional``.

Convolution is im2col + one GEMM: a strided *view* of the padded input lists every
receptive field without copying (``as_strided``), one copy lays it out as a matrix
``cols`` of shape (C·kh·kw, N·H2·W2), and ``W (K, C·kh·kw) @ cols`` is the whole
convolution. Backward is one GEMM for the weight gradient and one for the column
gradient, which col2im adds back with kh·kw vectorised slice-adds (loops over
kernel offsets, never over pixels or samples). Pooling loops over kernel offsets the
same way. Everything stays in the input's dtype (float32 by default).
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.lib.stride_tricks import as_strided

from nndl.engine import kernels as _kernels
from nndl.engine import ops
from nndl.engine import pool as _pool
from nndl.engine.parallel import parallel_for
from nndl.engine.random import default_rng
from nndl.engine.tensor import Tensor
from nndl.errors import ArgumentError, ArgumentTypeError, ShapeError

make = Tensor._make

# activations come from the engine; re-exported under PyTorch's functional names
relu = ops.relu
sigmoid = ops.sigmoid
tanh = ops.tanh
leaky_relu = ops.leaky_relu
softmax = ops.softmax
log_softmax = ops.log_softmax
softplus = ops.softplus
gelu = ops.gelu
silu = ops.silu
mish = ops.mish
elu = ops.elu
selu = ops.selu
celu = ops.celu
hardtanh = ops.hardtanh
relu6 = ops.relu6
hardsigmoid = ops.hardsigmoid
hardswish = ops.hardswish
softsign = ops.softsign
logsigmoid = ops.logsigmoid
tanhshrink = ops.tanhshrink
softshrink = ops.softshrink
hardshrink = ops.hardshrink
threshold = ops.threshold
softmin = ops.softmin
one_hot = ops.one_hot


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:  # noqa: A002
    """x / max(‖x‖_p, eps) along ``dim``, as ``torch.nn.functional.normalize``."""
    n = ops.norm(input, p, dim, keepdim=True)
    return ops.div(input, ops.clamp(n, min=eps))


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Σ x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps)) along ``dim``."""
    n1 = ops.clamp(ops.norm(x1, 2, dim, keepdim=True), min=eps)
    n2 = ops.clamp(ops.norm(x2, 2, dim, keepdim=True), min=eps)
    return ops.sum(ops.div(x1, n1) * ops.div(x2, n2), dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """‖x1 − x2 + eps‖_p over the last dim, as ``torch.nn.functional.pairwise_distance``."""
    return ops.norm(ops.sub(x1, x2) + eps, p, -1, keepdim=keepdim)


def pad(input: Tensor, pad: tuple[int, ...] | list[int], mode: str = "constant",  # noqa: A002
        value: float | None = None) -> Tensor:
    """Pad the last len(pad)/2 dims, as ``torch.nn.functional.pad``: ``pad`` lists
    (left, right) for the last dim, then for the one before, ...; mode 'constant' (with
    ``value``; negative amounts crop), 'reflect', 'replicate' or 'circular'. The gradient
    of each output element goes back to the input element it copies (added up where the
    border repeats one)."""
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ShapeError(f"pad: {len(pad)} amounts for a tensor with {input.ndim} dims",
                         hint="give (left, right) pairs, last dim first")
    xd = input._arr
    widths = [(0, 0)] * xd.ndim
    for k in range(len(pad) // 2):
        widths[xd.ndim - 1 - k] = (int(pad[2 * k]), int(pad[2 * k + 1]))
    if mode == "constant":
        crop = tuple(slice(-lo if lo < 0 else 0, n + hi if hi < 0 else n)
                     for (lo, hi), n in zip(widths, xd.shape, strict=True))
        grow = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
        out = np.pad(xd[crop], grow, constant_values=0 if value is None else value)
        inner = tuple(slice(lo, lo + (c.stop - c.start)) for (lo, _), c in zip(grow, crop,
                                                                                 strict=True))
        shape = xd.shape

        def backward(g):
            full = np.zeros(shape, dtype=g.dtype)
            full[crop] = g[inner]
            return (full,)

        return make(out, "pad", (input,), backward)
    np_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}.get(mode)
    if np_mode is None:
        raise ArgumentError(f"pad: mode must be 'constant', 'reflect', 'replicate' or "
                            f"'circular', got {mode!r}")
    if min(min(w) for w in widths) < 0:
        raise ShapeError(f"pad: negative amounts need mode 'constant', got {tuple(pad)}")
    if mode == "reflect" and any(w[0] >= n or w[1] >= n for w, n in zip(widths, xd.shape,
                                                                         strict=True) if w != (0, 0)):
        raise ShapeError(f"pad: reflect padding {tuple(pad)} must be less than the padded "
                         f"dims {xd.shape}", hint="as PyTorch: each amount < the dim's size")
    # where each output element comes from: the same padding applied to the indices
    source = np.pad(np.arange(xd.size).reshape(xd.shape), widths,
                    mode=np_mode)  # type: ignore[call-overload]  # (mode: a str of the three)
    out = xd.reshape(-1)[source]
    size = xd.size
    shape = xd.shape

    def backward_copy(g):
        flat = np.bincount(source.reshape(-1), weights=g.reshape(-1), minlength=size)
        return (flat.astype(g.dtype, copy=False).reshape(shape),)

    return make(out, "pad", (input,), backward_copy)



def _pair(v) -> tuple[int, int]:
    if isinstance(v, tuple | list):
        if len(v) != 2:
            raise ShapeError(f"expected one number or a pair, got {v}")
        return int(v[0]), int(v[1])
    return int(v), int(v)


def conv_out_size(n: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """PyTorch's rule: floor((n + 2p − d·(k − 1) − 1)/s) + 1."""
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def _as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _tensor_input(fn):
    """Refuse an input that is not a Tensor with PyTorch's TypeError, before the op reads
    its array (else ``Linear(2, 1)(None)`` fails inside with an AttributeError)."""
    op = fn.__name__

    @functools.wraps(fn)
    def checked(input, *args, **kwargs):  # noqa: A002
        if not isinstance(input, Tensor):
            raise ArgumentTypeError(
                f"{op}(): the input must be a Tensor, not {type(input).__name__}",
                hint="wrap the data with nndl.tensor(...)" if input is not None
                else "a layer got None: check what the previous step returns")
        return fn(input, *args, **kwargs)
    return checked


# --------------------------------------------------------------------- linear
@_tensor_input
def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b, one GEMM; W has shape (out_features, in_features) as in PyTorch."""
    xd, wd = x._arr, weight._arr
    if xd.shape[-1] != wd.shape[1]:
        raise ShapeError(f"linear: input has {xd.shape[-1]} features, the layer expects "
                         f"{wd.shape[1]} (weight {wd.shape})",
                         hint="flatten the input or change in_features")
    # (…, in) as one (rows, in) matrix: one GEMM (NumPy's matmul would run one per leading
    # index of a 3-D input, e.g. per time step of a sequence: about twice as slow)
    x2 = xd.reshape(-1, xd.shape[-1]) if xd.ndim != 2 else xd
    out = x2 @ wd.T  # BLAS reads the transposed view directly, no copy
    if xd.ndim != 2:
        out = out.reshape(xd.shape[:-1] + (wd.shape[0],))
    if bias is not None:
        out += bias._arr
    inputs = (x, weight) if bias is None else (x, weight, bias)

    def backward(g):
        g2 = g.reshape(-1, g.shape[-1])
        gx = None
        if x.requires_grad:
            gx = (g2 @ wd).reshape(xd.shape) if xd.ndim != 2 else g @ wd
        gw = None
        if weight.requires_grad:
            # into the array the last zero_grad() released, when there is one (see
            # Tensor._release_grad): no fresh pages to fault in for a large layer
            gw = np.matmul(g2.T, x2, out=weight._spare_grad(wd.shape, wd.dtype))
        if bias is None:
            return gx, gw
        return gx, gw, (g2.sum(0) if bias.requires_grad else None)

    return make(out, "linear", inputs, backward)


# ---------------------------------------------------------------------- conv
def _pad(xd: np.ndarray, ph: int, pw: int, value: float = 0.0) -> np.ndarray:
    if not (ph or pw):
        return xd
    n, c, h, w = xd.shape
    xp = np.full((n, c, h + 2 * ph, w + 2 * pw), value, dtype=xd.dtype)
    xp[:, :, ph:ph + h, pw:pw + w] = xd
    return xp


def _check_window(name: str, h: int, w: int, kh: int, kw: int, sh: int, sw: int, ph: int,
                  pw: int, dh: int, dw: int) -> tuple[int, int]:
    h2 = conv_out_size(h, kh, sh, ph, dh)
    w2 = conv_out_size(w, kw, sw, pw, dw)
    if h2 <= 0 or w2 <= 0:
        raise ShapeError(
            f"{name}: kernel {kh}×{kw} (dilation {dh}×{dw}) is larger than the padded input "
            f"{h + 2 * ph}×{w + 2 * pw}",
            hint="use a smaller kernel, more padding, or a larger input")
    if min(sh, sw, dh, dw, kh, kw) <= 0 or min(ph, pw) < 0:
        raise ShapeError(f"{name}: kernel, stride and dilation must be positive and padding "
                         f"non-negative, got kernel {kh}×{kw}, stride {sh}×{sw}, padding "
                         f"{ph}×{pw}, dilation {dh}×{dw}")
    return h2, w2


def _offset(i: int, d: int, s: int, n_out: int) -> slice:
    """Rows touched by kernel offset i: i·d, i·d + s, ..., for every output position."""
    return slice(i * d, i * d + s * (n_out - 1) + 1, s)


def _same_padding(name: str, kernel: tuple[int, int], stride: tuple[int, int],
                  dilation: tuple[int, int], padding: str) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) for padding='same' or 'valid', as PyTorch: 'same' pads
    D·(F − 1) in all, the odd one at the bottom/right, and needs stride 1."""
    if padding == "valid":
        return 0, 0, 0, 0
    if padding != "same":
        raise ArgumentError(f"{name}: padding must be a number, a pair, 'same' or 'valid', "
                            f"got {padding!r}")
    if stride != (1, 1):
        raise ArgumentError(f"{name}: padding='same' is not supported for strided "
                            f"convolutions (stride {stride})",
                            hint="use stride=1, or give the padding as a number")
    out: list[int] = []
    for k, d in zip(kernel, dilation, strict=True):
        total = d * (k - 1)
        out += [total // 2, total - total // 2]
    return out[0], out[1], out[2], out[3]


@_tensor_input
def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1, padding_mode: str = "zeros") -> Tensor:
    """2-D cross-correlation on NCHW (or CHW) input, as ``torch.nn.functional.conv2d``.

    ``padding`` is a number, a pair, ``'same'`` or ``'valid'``; ``padding_mode`` (what
    ``nn.Conv2d`` passes: 'zeros', 'reflect', 'replicate', 'circular') pads with
    :func:`pad` first. ``groups`` = G splits the channels into G independent
    convolutions (the weight is (K, C/G, kh, kw)); G = C is a depthwise convolution."""
    if x.ndim == 3:  # unbatched (C, H, W)
        return ops.squeeze(conv2d(ops.unsqueeze(x, 0), weight, bias, stride, padding,
                                  dilation, groups, padding_mode), 0)
    if x.ndim != 4:
        raise ShapeError(f"conv2d expects a 4-D input (N, C, H, W), got shape {x.shape}",
                         hint="add a batch dimension with x.unsqueeze(0)")
    if weight.ndim != 4:
        raise ShapeError(f"conv2d expects a 4-D weight (K, C/groups, kh, kw), got shape "
                         f"{weight.shape}")
    stride, dilation = _pair(stride), _pair(dilation)
    if isinstance(padding, str):
        top, bottom, left, right = _same_padding("conv2d", (weight.shape[2], weight.shape[3]),
                                                 stride, dilation, padding)
    else:
        top, left = _pair(padding)
        bottom, right = top, left
    if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
        raise ArgumentError(f"conv2d: padding_mode must be 'zeros', 'reflect', 'replicate' or "
                            f"'circular', got {padding_mode!r}")
    if padding_mode != "zeros" or (top, left) != (bottom, right):
        if top or bottom or left or right:  # pad first, then convolve without padding
            x = pad(x, (left, right, top, bottom),
                    mode="constant" if padding_mode == "zeros" else padding_mode)
        top = left = 0
    groups = int(groups)
    c, k = x.shape[1], weight.shape[0]
    if groups < 1 or c % groups or k % groups:
        raise ShapeError(f"conv2d: groups={groups} must divide both the input channels ({c}) "
                         f"and the output channels ({k})")
    if weight.shape[1] * groups != c:
        raise ShapeError(f"conv2d: input has {c} channels, the weight {weight.shape} with "
                         f"groups={groups} expects {weight.shape[1] * groups}",
                         hint="in_channels of a conv must equal the channels of its input")
    if bias is not None and tuple(bias.shape) != (k,):
        raise ShapeError(f"conv2d: the bias has shape {tuple(bias.shape)}, the weight "
                         f"{weight.shape} needs ({k},)", hint="one bias per output channel")
    if groups == 1:
        return _conv2d(x, weight, bias, stride, (top, left), dilation)
    # G independent convolutions, side by side along the channels
    xs, ws = ops.chunk(x, groups, 1), ops.chunk(weight, groups, 0)
    bs = ops.chunk(bias, groups, 0) if bias is not None else (None,) * groups
    return ops.cat([_conv2d(xi, wi, bi, stride, (top, left), dilation)
                    for xi, wi, bi in zip(xs, ws, bs, strict=True)], 1)


@_tensor_input
def conv1d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1, padding_mode: str = "zeros") -> Tensor:
    """1-D cross-correlation on (N, C, L) or (C, L) input, as
    ``torch.nn.functional.conv1d``: :func:`conv2d` on a height-1 image."""
    if x.ndim not in (2, 3) or weight.ndim != 3:
        raise ShapeError(f"conv1d expects a (N, C, L) input and a (K, C/groups, k) weight, "
                         f"got {x.shape} and {weight.shape}")
    if x.shape[-2] != weight.shape[1] * int(groups):
        raise ShapeError(f"conv1d: input has {x.shape[-2]} channels, the weight {weight.shape} "
                         f"with groups={groups} expects {weight.shape[1] * int(groups)}",
                         hint="in_channels of a conv must equal the channels of its input")

    def one(v):
        v = v[0] if isinstance(v, tuple | list) else v
        return v if isinstance(v, str) else (0 if v is None else int(v))

    p = one(padding)
    y = conv2d(ops.unsqueeze(x, -2), ops.unsqueeze(weight, -2), bias, (1, one(stride)),
               p if isinstance(p, str) else (0, p), (1, one(dilation)), groups, padding_mode)
    return ops.squeeze(y, -2)


@_tensor_input
def conv_transpose2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """The transposed convolution, as ``torch.nn.functional.conv_transpose2d``: weight
    (C_in, K/groups, kh, kw); each input pixel adds a weighted copy of the filter to the
    output, S apart. H_out = (H_in − 1)·S − 2P + D·(F − 1) + output_padding + 1.

    It is :func:`conv2d`'s backward run forward: one GEMM Wᵀ·x gives every pixel's
    filter copy as a column and col2im adds the columns into place (conv2d's input
    gradient); its own backward is conv2d's forward (im2col of the output gradient, then
    one GEMM for the input gradient and one for the weight gradient)."""
    if x.ndim == 3:
        return ops.squeeze(conv_transpose2d(ops.unsqueeze(x, 0), weight, bias, stride, padding,
                                            output_padding, groups, dilation), 0)
    if x.ndim != 4 or weight.ndim != 4:
        raise ShapeError(f"conv_transpose2d expects a 4-D input (N, C, H, W) and weight "
                         f"(C_in, K/groups, kh, kw), got {x.shape} and {weight.shape}")
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    oph, opw = _pair(output_padding)
    n, c, h, w = x.shape
    cin, kg, kh, kw = weight.shape
    groups = int(groups)
    if cin != c or groups < 1 or c % groups:
        raise ShapeError(f"conv_transpose2d: input has {c} channels, the weight {weight.shape} "
                         f"with groups={groups} expects {cin} (divisible by groups)")
    if min(sh, sw, dh, dw) <= 0 or min(ph, pw) < 0:
        raise ShapeError("conv_transpose2d: stride and dilation must be positive and padding "
                         "non-negative")
    if not (0 <= oph < max(sh, dh) and 0 <= opw < max(sw, dw)):
        raise ShapeError(f"conv_transpose2d: output_padding ({oph}, {opw}) must be smaller "
                         f"than the stride or the dilation", hint="as PyTorch requires")
    # the full output before the padding is cut off (plus output_padding at the end)
    hf = (h - 1) * sh + dh * (kh - 1) + 1 + oph
    wf = (w - 1) * sw + dw * (kw - 1) + 1 + opw
    if hf - 2 * ph <= 0 or wf - 2 * pw <= 0:
        raise ShapeError(f"conv_transpose2d: padding ({ph}, {pw}) leaves an empty output "
                         f"for input {h}×{w}", hint="use less padding")
    if bias is not None and tuple(bias.shape) != (kg * groups,):
        raise ShapeError(f"conv_transpose2d: the bias has shape {tuple(bias.shape)}, expected "
                         f"({kg * groups},)")
    if groups > 1:  # G independent transposed convolutions, side by side
        xs, ws = ops.chunk(x, groups, 1), ops.chunk(weight, groups, 0)
        bs = ops.chunk(bias, groups, 0) if bias is not None else (None,) * groups
        return ops.cat([conv_transpose2d(xi, wi, bi, stride, padding, output_padding, 1,
                                         dilation) for xi, wi, bi in zip(xs, ws, bs, strict=True)],
                       1)
    xd, wd = x._arr, weight._arr
    rows = [_offset(i, dh, sh, h) for i in range(kh)]
    cols_ = [_offset(j, dw, sw, w) for j in range(kw)]
    w2d = wd.reshape(c, kg * kh * kw)
    xcols = xd.transpose(1, 0, 2, 3).reshape(c, n * h * w)
    cols = (w2d.T @ xcols).reshape(kg, kh, kw, n, h, w)  # each pixel's filter copy
    full = np.zeros((n, kg, hf, wf), dtype=np.result_type(xd, wd))
    for i in range(kh):  # col2im: add the copies into place, one kernel offset at a time
        for j in range(kw):
            full[:, :, rows[i], cols_[j]] += cols[:, i, j].transpose(1, 0, 2, 3)
    out = full[:, :, ph:hf - ph, pw:wf - pw]
    if bias is not None:
        out = out + bias._arr[:, None, None]
    inputs = (x, weight) if bias is None else (x, weight, bias)

    def backward(g):
        gfull = np.zeros((n, kg, hf, wf), dtype=g.dtype)
        gfull[:, :, ph:hf - ph, pw:wf - pw] = g
        # im2col of the output gradient: what each input pixel's filter copy touched
        gcols = np.empty((kg, kh, kw, n, h, w), dtype=g.dtype)
        for i in range(kh):
            for j in range(kw):
                gcols[:, i, j] = gfull[:, :, rows[i], cols_[j]].transpose(1, 0, 2, 3)
        g2 = gcols.reshape(kg * kh * kw, n * h * w)
        gx = (w2d @ g2).reshape(c, n, h, w).transpose(1, 0, 2, 3) if x.requires_grad else None
        gw = (xcols @ g2.T).reshape(wd.shape) if weight.requires_grad else None
        if bias is None:
            return gx, gw
        return gx, gw, (g.sum(axis=(0, 2, 3)) if bias.requires_grad else None)

    return make(out, "conv_transpose2d", inputs, backward)


def _conv2d(x: Tensor, weight: Tensor, bias: Tensor | None, stride, padding,
            dilation) -> Tensor:
    """One dense convolution (groups=1, symmetric zero padding): im2col + one GEMM."""
    xd, wd = x._arr, weight._arr
    n, c, h, w = xd.shape
    k, cw, kh, kw = wd.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    h2, w2 = _check_window("conv2d", h, w, kh, kw, sh, sw, ph, pw, dh, dw)
    inputs = (x, weight) if bias is None else (x, weight, bias)
    wp = w + 2 * pw
    if sh == sw == 1 and wp * 2 <= w2 * 3:
        out, backward = _conv2d_rows(x, weight, bias, xd, wd, ph, pw, dh, dw, h2, w2)
    else:
        out, backward = _conv2d_cols(x, weight, bias, xd, wd, sh, sw, ph, pw, dh, dw, h2, w2)
    return make(out, "conv2d", inputs, backward)


# The bias rides in the GEMMs: the columns get a last row of ones and the weight matrix a
# last column holding the bias, so W·cols adds it (no pass over the output), and the
# weight-gradient GEMM g·colsᵀ returns the bias gradient (the sums of g's rows) as its last
# column (no pass over g).
def _with_bias(w2d: np.ndarray, bias: Tensor | None) -> np.ndarray:
    if bias is None:
        return w2d
    k, ckk = w2d.shape
    wb = np.empty((k, ckk + 1), dtype=w2d.dtype)
    wb[:, :ckk] = w2d
    wb[:, ckk] = bias._arr
    return wb


def _weight_grads(g2: np.ndarray, cols: np.ndarray, weight: Tensor, bias: Tensor | None):
    """(weight gradient, bias gradient) from g (K, columns) and the columns (with the bias
    row when there is a bias)."""
    ckk = weight.shape[1] * weight.shape[2] * weight.shape[3]
    if not weight.requires_grad:
        if bias is None or not bias.requires_grad:
            return None, None
        return None, g2.sum(1)
    gwb = g2 @ cols.T  # (K, C·kh·kw [+ 1])
    if bias is None:
        return gwb.reshape(weight.shape), None
    return (np.ascontiguousarray(gwb[:, :ckk]).reshape(weight.shape),
            gwb[:, ckk].copy() if bias.requires_grad else None)


def _conv2d_cols(x, weight, bias, xd, wd, sh, sw, ph, pw, dh, dw, h2, w2):
    """General im2col: one column per output pixel, gathered through a strided view."""
    n, c, h, w = xd.shape
    k, _, kh, kw = wd.shape
    xp = _pad(xd, ph, pw)
    sn, sc, shh, sww = xp.strides
    # every receptive field, as a view: (C, kh, kw, N, H2, W2)
    view = as_strided(xp, shape=(c, kh, kw, n, h2, w2),
                      strides=(sc, dh * shh, dw * sww, sn, sh * shh, sw * sww), writeable=False)
    ckk = c * kh * kw
    cols = np.empty((ckk + (bias is not None), n * h2 * w2), dtype=xp.dtype)
    if bias is not None:
        cols[ckk] = 1  # the bias row (see _with_bias)
    patches = cols[:ckk].reshape(view.shape)

    def im2col(n0: int, n1: int) -> None:  # the one im2col copy, a slice of samples per thread
        patches[:, :, :, n0:n1] = view[:, :, :, n0:n1]

    parallel_for(im2col, n, patches.size)
    w2d = wd.reshape(k, ckk)
    out = _with_bias(w2d, bias) @ cols  # (K, N·H2·W2): the whole convolution is this GEMM
    # present as NCHW; memory stays K-major, which backward's GEMMs want
    out = out.reshape(k, n, h2, w2).transpose(1, 0, 2, 3)
    xp_shape, dtype = xp.shape, xd.dtype

    def backward(g):
        g2 = g.transpose(1, 0, 2, 3).reshape(k, n * h2 * w2)  # free when g is K-major
        gw, gb = _weight_grads(g2, cols, weight, bias)
        gx = None
        if x.requires_grad:
            dcols = (w2d.T @ g2).reshape(c, kh, kw, n, h2, w2)
            dxp = np.empty((c, n) + xp_shape[2:], dtype=dtype)  # col2im, channel-major

            def col2im(n0: int, n1: int) -> None:
                part = dxp[:, n0:n1]
                part.fill(0)
                for i in range(kh):
                    rows = _offset(i, dh, sh, h2)
                    for j in range(kw):
                        part[:, :, rows, _offset(j, dw, sw, w2)] += dcols[:, i, j, n0:n1]

            parallel_for(col2im, n, dcols.size)
            gx = dxp[:, :, ph:ph + h, pw:pw + w].transpose(1, 0, 2, 3)
        return (gx, gw) if bias is None else (gx, gw, gb)

    return out, backward


def _conv2d_rows(x, weight, bias, xd, wd, ph, pw, dh, dw, h2, w2):
    """Stride 1: im2col over whole padded rows. With the padded image flattened, kernel
    offset (i, j) reads one contiguous run starting at i·D·Wp + j·D, so im2col and col2im
    are kh·kw long memory copies/adds instead of many short rows. Each output row is
    computed Wp wide; the Wp − W2 extra columns are discarded (and get zero gradient).

    Work arrays come from :mod:`nndl.engine.pool` with undefined contents, so each use writes
    everything it reads: the padded copy's border and spare row, the bias row of the
    columns, and the zero gradient of the discarded columns."""
    n, c, h, w = xd.shape
    k, _, kh, kw = wd.shape
    hp, wp = h + 2 * ph, w + 2 * pw
    length = h2 * wp
    # one spare row so the last offsets' runs stay inside the buffer (they feed only
    # discarded columns, but those must hold finite numbers: backward multiplies them by 0)
    xp = _pool.take((c, n, hp + 1, wp), xd.dtype)
    flat = xp.reshape(c, n, (hp + 1) * wp)
    starts = [(i, j, i * dh * wp + j * dw) for i in range(kh) for j in range(kw)]
    ckk = c * kh * kw
    # the columns live as long as backward may need them (the lease dies with the closure)
    cols_lease = _pool.Lease((ckk + (bias is not None), n * length), xd.dtype)
    cols = cols_lease.buf
    if bias is not None:
        cols[ckk] = 1  # the bias row (see _with_bias)
    patches = cols[:ckk].reshape(c, kh, kw, n, length)

    def im2col(n0: int, n1: int) -> None:  # samples n0..n1 (one thread's share)
        part = xp[:, n0:n1]
        part[:, :, :ph] = 0  # the zero border, written at every use
        part[:, :, ph + h:] = 0  # (the bottom border and the spare row)
        part[:, :, ph:ph + h, :pw] = 0
        part[:, :, ph:ph + h, pw + w:] = 0
        part[:, :, ph:ph + h, pw:pw + w] = xd[n0:n1].transpose(1, 0, 2, 3)
        for i, j, s0 in starts:
            patches[:, i, j, n0:n1] = flat[:, n0:n1, s0:s0 + length]

    parallel_for(im2col, n, patches.size)
    _pool.give(xp)  # (flat, a view of it, is not used again)
    w2d = wd.reshape(k, ckk)
    full = _with_bias(w2d, bias) @ cols  # (K, N·H2·Wp): one GEMM
    out = full.reshape(k, n, h2, wp)[:, :, :, :w2].transpose(1, 0, 2, 3)
    dtype = xd.dtype

    def backward(g):
        g2 = _pool.take((k, n, h2, wp), dtype)
        gk = g.transpose(1, 0, 2, 3)

        def fill(n0: int, n1: int) -> None:
            g2[:, n0:n1, :, :w2] = gk[:, n0:n1]
            g2[:, n0:n1, :, w2:] = 0  # the discarded columns get no gradient

        parallel_for(fill, n, g.size)
        g2d = g2.reshape(k, n * length)
        gw, gb = _weight_grads(g2d, cols_lease.buf, weight, bias)
        gx = None
        if x.requires_grad:
            dcols_buf = _pool.take((ckk, n * length), dtype)
            dcols = np.matmul(w2d.T, g2d, out=dcols_buf).reshape(c, kh, kw, n, length)
            dflat = np.empty((c, n, (hp + 1) * wp), dtype=dtype)

            def col2im(n0: int, n1: int) -> None:  # kh·kw long, contiguous adds
                part = dflat[:, n0:n1]
                part.fill(0)
                for i, j, s0 in starts:
                    part[:, :, s0:s0 + length] += dcols[:, i, j, n0:n1]

            parallel_for(col2im, n, dcols.size)
            del dcols
            _pool.give(dcols_buf)
            gx = dflat.reshape(c, n, hp + 1, wp)[:, :, ph:ph + h, pw:pw + w].transpose(1, 0, 2, 3)
        del g2d
        _pool.give(g2)
        return (gx, gw) if bias is None else (gx, gw, gb)

    return out, backward


# -------------------------------------------------------------------- pooling
def pool_out_size(n: int, k: int, s: int, p: int, d: int = 1, ceil_mode: bool = False) -> int:
    """PyTorch's pooling rule: ⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1, rounded up with
    ``ceil_mode`` (then a last window that would start in the right padding is dropped)."""
    span = n + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _pad4(xd: np.ndarray, top: int, bottom: int, left: int, right: int,
          value: float = 0.0) -> np.ndarray:
    if not (top or bottom or left or right):
        return xd
    h, w = xd.shape[-2:]
    xp = np.full(xd.shape[:-2] + (h + top + bottom, w + left + right), value, dtype=xd.dtype)
    xp[..., top:top + h, left:left + w] = xd
    return xp


def _pool_args(x: Tensor, kernel_size, stride, padding, dilation, name: str,
               ceil_mode: bool = False):
    """Window sizes and the output size; eh, ew: the padding ceil_mode adds at the bottom and
    right so the last (partial) window can be read like the others."""
    xd = x._arr
    if xd.ndim not in (3, 4):
        raise ShapeError(f"{name} expects a 4-D input (N, C, H, W), got shape {xd.shape}")
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None or stride == () else stride)
    (ph, pw), (dh, dw) = _pair(padding), _pair(dilation)
    if min(sh, sw, dh, dw, kh, kw) <= 0 or min(ph, pw) < 0:
        raise ShapeError(f"{name}: kernel, stride and dilation must be positive and padding "
                         f"non-negative, got kernel {kh}×{kw}, stride {sh}×{sw}, padding "
                         f"{ph}×{pw}, dilation {dh}×{dw}")
    if 2 * ph > kh or 2 * pw > kw:
        raise ShapeError(f"{name}: padding {ph}×{pw} must be at most half the kernel {kh}×{kw}",
                         hint="PyTorch has the same rule: use padding <= kernel_size // 2")
    h, w = xd.shape[-2:]
    h2 = pool_out_size(h, kh, sh, ph, dh, ceil_mode)
    w2 = pool_out_size(w, kw, sw, pw, dw, ceil_mode)
    if h2 <= 0 or w2 <= 0:
        raise ShapeError(
            f"{name}: kernel {kh}×{kw} (dilation {dh}×{dw}) is larger than the padded input "
            f"{h + 2 * ph}×{w + 2 * pw}",
            hint="use a smaller kernel, more padding, or a larger input")
    eh = max(0, (h2 - 1) * sh + dh * (kh - 1) + 1 - (h + 2 * ph))
    ew = max(0, (w2 - 1) * sw + dw * (kw - 1) + 1 - (w + 2 * pw))
    return kh, kw, sh, sw, ph, pw, dh, dw, h2, w2, eh, ew


def _batched(x: Tensor):
    """Pooling accepts (C, H, W) as PyTorch does: add then drop a batch dimension."""
    return (ops.unsqueeze(x, 0), True) if x.ndim == 3 else (x, False)


@_tensor_input
def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Max over each window; the gradient goes to the first maximum (PyTorch's choice).
    With ``return_indices`` also the position of each maximum, as an index into the
    input's H·W plane (what :func:`max_unpool2d` takes)."""
    x, squeeze = _batched(x)
    kh, kw, sh, sw, ph, pw, dh, dw, h2, w2, eh, ew = _pool_args(
        x, kernel_size, stride, padding, dilation, "max_pool2d", ceil_mode)
    xd = x._arr
    xp = _pad4(xd, ph, ph + eh, pw, pw + ew, -np.inf)
    offsets = [(_offset(i, dh, sh, h2), _offset(j, dw, sw, w2)) for i in range(kh)
               for j in range(kw)]
    out = np.empty(xp.shape[:2] + (h2, w2), dtype=xp.dtype)
    best = np.zeros(out.shape, dtype=np.int64) if return_indices else None

    def forward(n0: int, n1: int) -> None:  # a running max over the kh·kw kernel offsets
        part = out[n0:n1]
        for k, (rows, cols) in enumerate(offsets):
            cand = xp[n0:n1, :, rows, cols]
            if k == 0:
                part[...] = cand
            elif best is None:
                np.maximum(part, cand, out=part)
            else:  # strictly greater: the first maximum in scan order keeps its place
                up = cand > part
                np.copyto(part, cand, where=up)
                best[n0:n1][up] = k

    parallel_for(forward, out.shape[0], xp.size)
    tiles = (not (ph or pw or eh or ew) and dh == dw == 1 and (sh, sw) == (kh, kw)
             and xd.shape[2] == h2 * kh and xd.shape[3] == w2 * kw)

    def backward(g):
        # route g to the first offset (in scan order) that holds the max, as PyTorch does;
        # the gradient takes the input's memory layout so the next backward op streams
        # windows that tile the input (the usual 2×2/2): each input element is in exactly
        # one window, so each offset writes its share straight into an uninitialised array
        make = np.empty_like if tiles else np.zeros_like
        dxp = make(xp, dtype=g.dtype)
        last = len(offsets) - 1

        def route(n0: int, n1: int) -> None:
            free = None  # windows whose max has not been claimed yet
            gp, outp = g[n0:n1], out[n0:n1]
            for k, (rows, cols) in enumerate(offsets):
                hit = np.equal(xp[n0:n1, :, rows, cols], outp)
                if free is None:
                    free = ~hit
                else:
                    hit &= free
                    if k < last:
                        free ^= hit  # hit ⊂ free, so this removes the claimed windows
                if tiles:
                    np.multiply(gp, hit, out=dxp[n0:n1, :, rows, cols])
                else:
                    dxp[n0:n1, :, rows, cols] += gp * hit

        parallel_for(route, dxp.shape[0], dxp.size)
        return (dxp[:, :, ph:ph + xd.shape[2], pw:pw + xd.shape[3]],)

    y = make(out, "max_pool2d", (x,), backward)
    y = ops.squeeze(y, 0) if squeeze else y
    if best is None:
        return y
    # offset k = (i, j) of the window at (oh, ow) is input row oh·S − P + i·D, column likewise
    ki, kj = np.divmod(best, kw)
    rows = np.arange(h2)[:, None] * sh - ph + ki * dh
    cols = np.arange(w2)[None, :] * sw - pw + kj * dw
    idx = rows * xd.shape[3] + cols
    return y, Tensor._wrap(idx[0] if squeeze else idx)


@_tensor_input
def avg_pool2d(x: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each window. Divisor, as PyTorch: the window's size inside the padded
    input (``count_include_pad``, the default) or its number of real pixels; the part of
    a ``ceil_mode`` window past the padding never counts; or ``divisor_override``."""
    x, squeeze = _batched(x)
    kh, kw, sh, sw, ph, pw, _, _, h2, w2, eh, ew = _pool_args(
        x, kernel_size, stride, padding, 1, "avg_pool2d", ceil_mode)
    if divisor_override is not None and divisor_override <= 0:
        raise ArgumentError(f"avg_pool2d: divisor_override must be positive, got "
                            f"{divisor_override}")
    xd = x._arr
    xp = _pad4(xd, ph, ph + eh, pw, pw + ew)
    offsets = [(_offset(i, 1, sh, h2), _offset(j, 1, sw, w2)) for i in range(kh)
               for j in range(kw)]
    out = np.zeros(xd.shape[:2] + (h2, w2), dtype=xd.dtype)
    for rows, cols in offsets:
        out += xp[:, :, rows, cols]
    if divisor_override is not None:
        divisor = np.asarray(divisor_override, dtype=xd.dtype)
    elif not (ph or pw or eh or ew):
        divisor = np.asarray(kh * kw, dtype=xd.dtype)
    else:  # count the pixels that count: pool a mask of them the same way
        h, w = xd.shape[2:]
        if count_include_pad:
            mask = _pad4(np.ones((h + 2 * ph, w + 2 * pw), dtype=xd.dtype), 0, eh, 0, ew)
        else:
            mask = _pad4(np.ones((h, w), dtype=xd.dtype), ph, ph + eh, pw, pw + ew)
        divisor = np.zeros((h2, w2), dtype=xd.dtype)
        for rows, cols in offsets:
            divisor += mask[rows, cols]
    out /= divisor
    xp_shape = xp.shape

    def backward(g):
        gd = g / divisor
        dxp = np.zeros(xp_shape, dtype=g.dtype)
        for rows, cols in offsets:
            dxp[:, :, rows, cols] += gd
        return (dxp[:, :, ph:ph + xd.shape[2], pw:pw + xd.shape[3]],)

    y = make(out, "avg_pool2d", (x,), backward)
    return ops.squeeze(y, 0) if squeeze else y


@_tensor_input
def max_unpool2d(x: Tensor, indices, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """Puts each value back where :func:`max_pool2d` found it (``indices`` into the H·W
    plane), zeros elsewhere, as ``torch.nn.functional.max_unpool2d``. The output is
    H = (H_in − 1)·S − 2P + F unless ``output_size`` says otherwise; the gradient of each
    input value is the output gradient at its place."""
    if x.ndim == 3:
        return ops.squeeze(max_unpool2d(ops.unsqueeze(x, 0), ops.unsqueeze(_as_tensor(indices),
                                                                          0),
                                        kernel_size, stride, padding, output_size), 0)
    idx = (indices._arr if isinstance(indices, Tensor) else np.asarray(indices))
    if x.ndim != 4 or idx.shape != x.shape:
        raise ShapeError(f"max_unpool2d: the input {x.shape} and indices {idx.shape} must have "
                         f"the same 4-D shape (N, C, H, W)",
                         hint="pass the indices max_pool2d(..., return_indices=True) returned")
    if idx.dtype.kind not in "iu":
        raise ArgumentError(f"max_unpool2d: indices must be integers, got {idx.dtype}")
    (kh, kw), (ph, pw) = _pair(kernel_size), _pair(padding)
    sh, sw = _pair(kernel_size if stride is None else stride)
    n, c, h, w = x.shape
    if output_size is None:
        ho, wo = (h - 1) * sh - 2 * ph + kh, (w - 1) * sw - 2 * pw + kw
    else:
        ho, wo = (int(v) for v in tuple(output_size)[-2:])
    if idx.size and (idx.min() < 0 or idx.max() >= ho * wo):
        raise TargetOutOfRange(f"max_unpool2d: index {int(idx.max())} is outside the "
                               f"{ho}×{wo} output", hint="give output_size= the pooled "
                                                         "input's size")
    flat = idx.reshape(n, c, -1)
    out = np.zeros((n, c, ho * wo), dtype=x._arr.dtype)
    np.put_along_axis(out, flat, x._arr.reshape(n, c, -1), axis=2)

    def backward(g):
        return (np.take_along_axis(g.reshape(n, c, -1), flat, axis=2).reshape(n, c, h, w),)

    return make(out.reshape(n, c, ho, wo), "max_unpool2d", (x,), backward)


def _one(v, name: str) -> int:
    if isinstance(v, tuple | list):
        if len(v) != 1:
            raise ShapeError(f"{name}: expected one number, got {v}")
        v = v[0]
    return int(v)


@_tensor_input
def max_pool1d(x: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """:func:`max_pool2d` over the last dim of (N, C, L) or (C, L) input."""
    stride = kernel_size if stride is None or stride == () else stride
    r = max_pool2d(ops.unsqueeze(x, -2), (1, _one(kernel_size, "max_pool1d")),
                   (1, _one(stride, "max_pool1d")), (0, _one(padding, "max_pool1d")),
                   (1, _one(dilation, "max_pool1d")), ceil_mode, return_indices)
    if return_indices:
        return ops.squeeze(r[0], -2), ops.squeeze(r[1], -2)
    return ops.squeeze(r, -2)


@_tensor_input
def avg_pool1d(x: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """:func:`avg_pool2d` over the last dim of (N, C, L) or (C, L) input."""
    stride = kernel_size if stride is None or stride == () else stride
    return ops.squeeze(avg_pool2d(ops.unsqueeze(x, -2), (1, _one(kernel_size, "avg_pool1d")),
                                  (1, _one(stride, "avg_pool1d")),
                                  (0, _one(padding, "avg_pool1d")), ceil_mode,
                                  count_include_pad), -2)


# --------------------------------------------------------------------- interpolate
def _interp_matrix(n_in: int, n_out: int, mode: str, align_corners: bool,
                   scale: float | None) -> np.ndarray:
    """The (n_out, n_in) matrix that resamples one axis, with PyTorch's source index for
    each output position (its ``nearest_idx`` and ``area_pixel_compute_source_index``)."""
    dst = np.arange(n_out)
    a = np.zeros((n_out, n_in))
    if mode in ("nearest", "nearest-exact"):
        # PyTorch computes these in float32: 1/scale_factor, or n_in/n_out
        s = np.float32(1.0 / scale) if scale else np.float32(n_in) / np.float32(n_out)
        if mode == "nearest-exact":
            src = np.floor((dst + np.float32(0.5)).astype(np.float32) * s)
        elif n_out == n_in:
            src = dst
        elif n_out == 2 * n_in:
            src = dst >> 1
        else:
            src = np.floor(dst.astype(np.float32) * s)
        a[dst, np.minimum(np.asarray(src, dtype=np.int64), n_in - 1)] = 1.0
        return a
    if align_corners:
        real = dst * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    else:
        step = 1.0 / scale if scale else n_in / n_out
        real = np.maximum(step * (dst + 0.5) - 0.5, 0.0)
    i0 = real.astype(np.int64)
    lam = np.clip(real - i0, 0.0, 1.0)
    i1 = np.where(i0 < n_in - 1, i0 + 1, i0)
    np.add.at(a, (dst, i0), 1.0 - lam)
    np.add.at(a, (dst, i1), lam)
    return a


@_tensor_input
def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",  # noqa: A002
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims of (N, C, L) or (N, C, H, W) input, as
    ``torch.nn.functional.interpolate``: mode 'nearest', 'nearest-exact', 'linear' (3-D)
    or 'bilinear' (4-D), to ``size`` or by ``scale_factor`` (output ⌊n·scale⌋).

    Each axis is resampled by a matrix A (n_out × n_in) whose rows hold PyTorch's weights
    (one 1 for nearest; 1 − λ and λ on the two neighbours for linear), so
    out = A_H · x · A_Wᵀ and the gradient is A_Hᵀ · g · A_W."""
    dims = input.ndim - 2
    if dims not in (1, 2):
        raise ShapeError(f"interpolate: expects (N, C, L) or (N, C, H, W) input, got shape "
                         f"{input.shape}", hint="add a batch dimension with x.unsqueeze(0)")
    linear_modes = {"linear": 1, "bilinear": 2}
    if mode not in ("nearest", "nearest-exact") and mode not in linear_modes:
        raise ArgumentError(f"interpolate: mode must be 'nearest', 'nearest-exact', 'linear' "
                            f"or 'bilinear', got {mode!r}")
    if mode in linear_modes and linear_modes[mode] != dims:
        raise ShapeError(f"interpolate: mode {mode!r} needs a {linear_modes[mode] + 2}-D input, "
                         f"got shape {input.shape}")
    if align_corners is not None and mode not in linear_modes:
        raise ArgumentError("interpolate: align_corners can only be set with the linear modes "
                            "('linear', 'bilinear')")
    if antialias:
        raise ArgumentError("interpolate: antialias=True is not supported")
    if (size is None) == (scale_factor is None):
        raise ArgumentError("interpolate: give exactly one of size and scale_factor")
    n_in = input.shape[2:]
    if size is not None:
        out = tuple(size) if isinstance(size, tuple | list) else (size,) * dims
        scales: tuple = (None,) * dims
    else:
        scales = (tuple(scale_factor) if isinstance(scale_factor, tuple | list)
                  else (scale_factor,) * dims)
        out = tuple(int(np.floor(n * float(sc))) for n, sc in zip(n_in, scales, strict=False))
        if recompute_scale_factor:
            scales = (None,) * dims
    if len(out) != dims or len(scales) != dims or min(int(o) for o in out) <= 0:
        raise ShapeError(f"interpolate: the output size {out} must be {dims} positive numbers")
    dtype = input._arr.dtype
    mats = [Tensor._wrap(_interp_matrix(n, int(o), mode, bool(align_corners),
                                        None if sc is None else float(sc)).astype(dtype))
            for n, o, sc in zip(n_in, out, scales, strict=True)]
    y = ops.matmul(input, ops.transpose(mats[-1], 0, 1))  # the last axis
    if dims == 2:
        y = ops.matmul(mats[0], y)  # the rows: (Ho, H) @ (N, C, H, Wo)
    return y


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",  # noqa: A002
             align_corners: bool | None = None) -> Tensor:
    """:func:`interpolate` under its old name."""
    return interpolate(input, size, scale_factor, mode, align_corners)


# ------------------------------------------------------------------ batch norm
@_tensor_input
def batch_norm(x: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) over the batch and spatial dims, as PyTorch.

    Training uses the batch statistics (biased variance) and updates the running
    ones in place (unbiased variance, ``momentum``); eval uses the running ones.
    """
    xd = x._arr
    if xd.ndim < 2:
        raise ShapeError(f"batch_norm expects (N, C) or (N, C, ...) input, got shape {xd.shape}")
    axes = (0,) + tuple(range(2, xd.ndim))
    bshape = (1, xd.shape[1]) + (1,) * (xd.ndim - 2)
    m = xd.size // xd.shape[1]
    if training:
        if m <= 1:
            raise ShapeError(f"batch_norm in training mode needs more than one value per channel, "
                             f"got input shape {xd.shape}", hint="use a batch larger than 1 or eval()")
        mean = xd.mean(axis=axes)
        centred = xd - mean.reshape(bshape)
        var = (centred * centred).mean(axis=axes)
        if running_mean is not None and running_var is not None:
            rm, rv = running_mean._arr, running_var._arr
            rm *= 1 - momentum
            rm += momentum * mean.astype(rm.dtype)
            rv *= 1 - momentum
            rv += momentum * (var * (m / (m - 1))).astype(rv.dtype)
    else:
        if running_mean is None or running_var is None:
            raise ShapeError("batch_norm in eval mode needs the running mean and variance",
                             hint="pass running_mean and running_var, or training=True")
        mean, var = running_mean._arr, running_var._arr
        centred = xd - mean.reshape(bshape)
    invstd = (1.0 / np.sqrt(var + eps)).astype(xd.dtype)
    xhat = centred * invstd.reshape(bshape)
    gamma = weight._arr.reshape(bshape) if weight is not None else None
    out = xhat * gamma if gamma is not None else xhat.copy()
    if bias is not None:
        out += bias._arr.reshape(bshape)
    inputs = (x,) + tuple(t for t in (weight, bias) if t is not None)

    def backward(g):
        grads = []
        dxhat = g * gamma if gamma is not None else g
        if x.requires_grad:
            if training:
                # dx = invstd/m · (m·dxhat − Σdxhat − xhat·Σ(dxhat·xhat))
                s1 = dxhat.sum(axis=axes).reshape(bshape)
                s2 = (dxhat * xhat).sum(axis=axes).reshape(bshape)
                gx = (dxhat - s1 / m - xhat * (s2 / m)) * invstd.reshape(bshape)
            else:
                gx = dxhat * invstd.reshape(bshape)
            grads.append(gx)
        else:
            grads.append(None)
        if weight is not None:
            grads.append((g * xhat).sum(axis=axes) if weight.requires_grad else None)
        if bias is not None:
            grads.append(g.sum(axis=axes) if bias.requires_grad else None)
        return tuple(grads)

    return make(out, "batch_norm", inputs, backward)


# -------------------------------------------------------------------- dropout
@_tensor_input
def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1 − p) (inverted dropout)."""
    if not 0 <= p <= 1:
        raise ArgumentError(f"dropout probability must be in [0, 1], got {p}")
    if not training or p == 0:
        return x
    xd = x._arr
    if p == 1:
        mask = np.zeros_like(xd)
    else:
        keep = default_rng().random(xd.shape, dtype=np.float32) >= p
        mask = keep.astype(xd.dtype) * xd.dtype.type(1.0 / (1.0 - p))

    def backward(g):
        return (g * mask,)

    return make(xd * mask, "dropout", (x,), backward)


# ----------------------------------------------------------------------- losses
class TargetOutOfRange(ShapeError, IndexError):
    """A class-index target outside 0..C−1 (an IndexError, as PyTorch's "Target 5 is out of
    bounds")."""


class BatchSizeMismatch(ShapeError, ValueError):
    """Input and target with different batch sizes (a ValueError, as PyTorch's)."""


def _check_reduction(reduction: str) -> None:
    if reduction not in ("mean", "sum", "none"):
        raise ArgumentError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}",
                            hint="reduction='mean' averages, 'sum' adds, 'none' keeps each loss")


def _reduce(loss: np.ndarray, reduction: str, n_mean: int | None = None):
    _check_reduction(reduction)
    if reduction == "none":
        return loss, 1.0
    if reduction == "sum":
        return np.asarray(loss.sum(), dtype=loss.dtype), 1.0
    count = loss.size if n_mean is None else n_mean
    return np.asarray(loss.sum() / max(count, 1), dtype=loss.dtype), 1.0 / max(count, 1)


def _no_legacy(name: str, size_average, reduce) -> None:
    if size_average is not None or reduce is not None:
        raise ArgumentError(f"{name}: size_average and reduce are deprecated in PyTorch and "
                            "not supported", hint="use reduction='mean', 'sum' or 'none'")


def _classes_last(xd: np.ndarray) -> np.ndarray:
    """Scores (C,), (N, C) or (N, C, d1, ...) as rows of C classes: (1, C), (N, C), (N·d1·…, C)."""
    if xd.ndim == 1:
        return xd[None, :]
    if xd.ndim == 2:
        return xd
    return np.moveaxis(xd, 1, -1).reshape(-1, xd.shape[1])


def _classes_back(g2: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The inverse of :func:`_classes_last`."""
    if len(shape) == 1:
        return g2[0]
    if len(shape) == 2:
        return g2
    return np.moveaxis(g2.reshape((shape[0],) + shape[2:] + (shape[1],)), -1, 1)


def _class_indices(name: str, xshape: tuple[int, ...], tgt: np.ndarray, ignore_index: int):
    """Class-index targets as one flat array matching the rows of :func:`_classes_last`, and
    the mask of the rows that count (None when all do; an ignored row points at class 0)."""
    if len(xshape) == 0:
        raise ShapeError(f"{name}: the input must have a class dimension, got a 0-d tensor")
    want = () if len(xshape) == 1 else (xshape[0],) + xshape[2:]
    if tgt.shape != want:
        if len(xshape) >= 2 and tgt.ndim >= 1 and tgt.shape[0] != xshape[0]:
            raise BatchSizeMismatch(f"{name}: expected input batch_size ({xshape[0]}) to match "
                                    f"target batch_size ({tgt.shape[0]})",
                                    hint="give one target per sample")
        raise ShapeError(f"{name}: class-index targets of shape {tgt.shape} do not fit the input "
                         f"{xshape} (expected {want})",
                         hint="one class index per sample, and per position for (N, C, d1, ...)")
    c = xshape[0] if len(xshape) == 1 else xshape[1]
    t = tgt.reshape(-1).astype(np.intp, copy=False)
    keep = None
    if t.size and (0 <= ignore_index < c or t.min() < 0 or t.max() >= c):
        keep = t != ignore_index
        bad = keep & ((t < 0) | (t >= c))
        if bad.any():
            raise TargetOutOfRange(f"{name}: target {int(t[bad][0])} is out of bounds for {c} "
                                   "classes", hint=f"class indices run from 0 to {c - 1}")
        if keep.all():
            keep = None
        else:
            t = np.where(keep, t, 0)
    return t, keep


def _class_weight(name: str, weight, c: int, dtype: np.dtype) -> np.ndarray | None:
    if weight is None:
        return None
    w = np.asarray(weight._arr if isinstance(weight, Tensor) else weight, dtype=dtype)
    if w.shape != (c,):
        raise ShapeError(f"{name}: weight of shape {w.shape} for {c} classes",
                         hint=f"give one weight per class: shape ({c},)")
    return w


def cross_entropy(input: Tensor, target, weight=None, size_average=None,  # noqa: A002
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """−Σ_c q_c log softmax(x)_c, fused: stable (shifted by the max) and one backward rule,
    ∂ℓ/∂x_j = p_j·Σ_c q_c − q_j with p = softmax(x), as ``torch.nn.functional.cross_entropy``.

    ``target`` holds class indices, shape (N,) for input (N, C), (N, d1, ...) for
    (N, C, d1, ...), () for (C,) — then q is one-hot, times ``weight[target]``, with rows
    equal to ``ignore_index`` left out — or class probabilities of the input's shape (q is
    the target times ``weight``; a target that requires grad gets ∂ℓ/∂q_c = −log p_c).
    ``label_smoothing`` ε mixes the target with the uniform distribution: (1 − ε)·q + ε/C.
    ``reduction='mean'`` divides by Σ weight[target] over the rows that count (class
    indices) or by the number of rows (probabilities), as PyTorch.
    """
    if isinstance(weight, str):  # the former signature cross_entropy(input, target, reduction)
        weight, reduction = None, weight
    _no_legacy("cross_entropy", size_average, reduce)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ArgumentError(f"cross_entropy: label_smoothing must be in [0, 1], got "
                            f"{label_smoothing}")
    xd = input._arr
    if xd.dtype.kind != "f":
        raise ArgumentError(f"cross_entropy expects floating-point scores, got {xd.dtype}",
                            hint="convert the input with .float()")
    x2 = _classes_last(xd)
    n, c = x2.shape
    shifted = x2 - x2.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    logp = shifted - np.log(s)
    w = _class_weight("cross_entropy", weight, c, xd.dtype)
    eps = float(label_smoothing)
    tgt = target._arr if isinstance(target, Tensor) else np.asarray(target)
    rows = t = q = None
    soft = tgt.dtype.kind == "f"
    if not soft:
        t, keep = _class_indices("cross_entropy", xd.shape, tgt, ignore_index)
        rows = np.arange(n)
        if w is None and keep is None and not eps:  # the common case: no dense target
            loss = -logp[rows, t]
            denom: float = n
        else:
            wr = np.ones(n, dtype=xd.dtype) if w is None else w[t]
            if keep is not None:
                wr = wr * keep
            q = np.zeros_like(x2)
            q[rows, t] = (1 - eps) * wr
            if eps:
                spread = np.full(c, eps / c, dtype=xd.dtype) if w is None else (eps / c) * w
                q += spread if keep is None else keep[:, None] * spread
            loss = -(q * logp).sum(axis=1)
            denom = wr.sum()
    else:
        soft_t = _classes_last(tgt.astype(xd.dtype, copy=False))
        if tgt.shape != xd.shape:
            raise ShapeError(f"cross_entropy: probability targets of shape {tgt.shape} do not "
                             f"match the input {xd.shape}",
                             hint="give class probabilities of the input's shape, or class "
                                  "indices as an integer tensor")
        q = soft_t * (1 - eps) + eps / c if eps else soft_t
        if w is not None:
            q = q * w
        loss = -(q * logp).sum(axis=1)
        denom = n
    out_shape = () if xd.ndim == 1 else ((xd.shape[0],) + xd.shape[2:])
    with np.errstate(invalid="ignore", divide="ignore"):  # every row ignored: 0/0, NaN as torch
        if reduction == "none":
            value = loss.reshape(out_shape)
        elif reduction == "sum":
            value = np.asarray(loss.sum())
        else:
            value = np.asarray(loss.sum() / denom)
    inv = (1.0 / s).astype(xd.dtype)
    inputs = (input, target) if soft and isinstance(target, Tensor) else (input,)

    def backward(gout):
        if reduction == "none":
            cn = gout.reshape(-1, 1)
        else:
            cn = gout / denom if reduction == "mean" else gout
        gx = None
        if input.requires_grad:
            grad = e * inv  # softmax
            if q is None:
                grad[rows, t] -= 1
            else:  # ∂/∂x_j of −Σ_c q_c log p_c = p_j·Σ_c q_c − q_j
                grad *= q.sum(axis=1, keepdims=True)
                grad -= q
            grad *= cn
            gx = _classes_back(grad, xd.shape)
        if len(inputs) == 1:
            return (gx,)
        gq = logp * (-(1 - eps) * cn)  # ∂ℓ/∂target_c = −(1 − ε)·weight_c·log p_c
        if w is not None:
            gq *= w
        return gx, _classes_back(gq, xd.shape)

    return make(value.astype(xd.dtype, copy=False), "cross_entropy", inputs, backward)


def mse_loss(input: Tensor, target, reduction: str = "mean") -> Tensor:  # noqa: A002
    target = _as_tensor(target)
    xd, td = input._arr, target._arr.astype(input._arr.dtype, copy=False)
    if xd.shape != td.shape:
        raise ShapeError(f"mse_loss: input {xd.shape} and target {td.shape} differ",
                         hint="give the target the same shape as the prediction")
    diff = xd - td
    value, scale = _reduce(diff * diff, reduction)

    def backward(g):
        gd = (2 * scale) * diff * g
        return gd.astype(xd.dtype, copy=False), -gd.astype(xd.dtype, copy=False)

    return make(value, "mse_loss", (input, target), backward)


def binary_cross_entropy_with_logits(input: Tensor, target, reduction: str = "mean",  # noqa: A002
                                     pos_weight=None) -> Tensor:
    """ℓ = −[p·y·log σ(x) + (1 − y)·log(1 − σ(x))], stable: log σ(x) = −softplus(−x)."""
    target = _as_tensor(target)
    xd, yd = input._arr, target._arr.astype(input._arr.dtype, copy=False)
    if xd.shape != yd.shape:
        raise ShapeError(f"binary_cross_entropy_with_logits: input {xd.shape} and target "
                         f"{yd.shape} differ")
    pw = None if pos_weight is None else np.asarray(
        pos_weight._arr if isinstance(pos_weight, Tensor) else pos_weight, dtype=xd.dtype)
    sp_neg = np.maximum(-xd, 0) + np.log1p(np.exp(-np.abs(xd)))  # softplus(−x) = −log σ(x)
    if pw is None:
        loss = (1 - yd) * xd + sp_neg
    else:
        loss = (1 - yd) * xd + (1 + (pw - 1) * yd) * sp_neg
    value, scale = _reduce(loss.astype(xd.dtype, copy=False), reduction)

    def backward(g):
        sig = _kernels.sigmoid(xd)
        if pw is None:
            gx = sig - yd
        else:
            gx = (1 - yd) - (1 + (pw - 1) * yd) * (1 - sig)
        gx = gx * (g * scale)
        gy = (-xd if pw is None else (pw - 1) * sp_neg - xd) * (g * scale)
        return gx.astype(xd.dtype, copy=False), gy.astype(xd.dtype, copy=False)

    return make(value, "binary_cross_entropy_with_logits", (input, target), backward)


def nll_loss(input: Tensor, target, weight=None, size_average=None,  # noqa: A002
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """−weight[y]·input[y] for log-probabilities (C,), (N, C) or (N, C, d1, ...), as
    ``torch.nn.functional.nll_loss``: targets equal to ``ignore_index`` count for nothing,
    and ``reduction='mean'`` divides by Σ weight[y] over the targets that count."""
    if isinstance(weight, str):  # the former signature nll_loss(input, target, reduction)
        weight, reduction = None, weight
    _no_legacy("nll_loss", size_average, reduce)
    _check_reduction(reduction)
    xd = input._arr
    tgt = target._arr if isinstance(target, Tensor) else np.asarray(target)
    if tgt.dtype.kind not in "iu":
        raise ArgumentError(f"nll_loss expects class indices (an integer tensor), got {tgt.dtype}",
                            hint="convert the target with .long()")
    x2 = _classes_last(xd)
    n, c = x2.shape
    t, keep = _class_indices("nll_loss", xd.shape, tgt, ignore_index)
    w = _class_weight("nll_loss", weight, c, xd.dtype)
    rows = np.arange(n)
    wr = None if w is None and keep is None else (
        (np.ones(n, dtype=xd.dtype) if w is None else w[t]) * (1 if keep is None else keep))
    loss = -x2[rows, t] if wr is None else -wr * x2[rows, t]
    denom = n if wr is None else wr.sum()
    out_shape = () if xd.ndim == 1 else ((xd.shape[0],) + xd.shape[2:])
    with np.errstate(invalid="ignore", divide="ignore"):
        if reduction == "none":
            value = loss.reshape(out_shape)
        elif reduction == "sum":
            value = np.asarray(loss.sum())
        else:
            value = np.asarray(loss.sum() / denom)

    def backward(g):
        if reduction == "none":
            cn = g.reshape(-1)
        else:
            cn = g / denom if reduction == "mean" else g
        grad = np.zeros_like(x2)
        grad[rows, t] = -cn if wr is None else -wr * cn
        return (_classes_back(grad, xd.shape),)

    return make(value.astype(xd.dtype, copy=False), "nll_loss", (input,), backward)


def _pair_loss(name: str, input: Tensor, target) -> tuple[Tensor, np.ndarray, np.ndarray]:  # noqa: A002
    target = _as_tensor(target)
    xd, td = input._arr, target._arr.astype(input._arr.dtype, copy=False)
    if xd.shape != td.shape:
        raise ShapeError(f"{name}: input {xd.shape} and target {td.shape} differ",
                         hint="give the target the same shape as the prediction")
    return target, xd, td


def l1_loss(input: Tensor, target, size_average=None, reduce=None,  # noqa: A002
            reduction: str = "mean") -> Tensor:
    """mean |x − y|: ∂/∂x = sign(x − y) (0 where equal)."""
    _no_legacy("l1_loss", size_average, reduce)
    target, xd, td = _pair_loss("l1_loss", input, target)
    diff = xd - td
    value, scale = _reduce(np.abs(diff), reduction)

    def backward(g):
        gd = np.sign(diff) * (g * scale)
        return gd, -gd

    return make(value, "l1_loss", (input, target), backward)


def smooth_l1_loss(input: Tensor, target, size_average=None, reduce=None,  # noqa: A002
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """½d²/β where |d| < β, |d| − ½β elsewhere (d = x − y), as PyTorch (β = 0: L1)."""
    _no_legacy("smooth_l1_loss", size_average, reduce)
    target, xd, td = _pair_loss("smooth_l1_loss", input, target)
    d = xd - td
    ad = np.abs(d)
    inner = ad < beta
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = np.where(inner, 0.5 * d * d / (beta or 1), ad - 0.5 * beta)
    value, scale = _reduce(loss.astype(xd.dtype, copy=False), reduction)

    def backward(g):
        gd = np.where(inner, d / (beta or 1), np.sign(d)) * (g * scale)
        return gd, -gd

    return make(value, "smooth_l1_loss", (input, target), backward)


def huber_loss(input: Tensor, target, reduction: str = "mean",  # noqa: A002
               delta: float = 1.0) -> Tensor:
    """½d² where |d| < δ, δ(|d| − ½δ) elsewhere (d = x − y), as PyTorch."""
    target, xd, td = _pair_loss("huber_loss", input, target)
    d = xd - td
    ad = np.abs(d)
    inner = ad < delta
    loss = np.where(inner, 0.5 * d * d, delta * (ad - 0.5 * delta))
    value, scale = _reduce(loss.astype(xd.dtype, copy=False), reduction)

    def backward(g):
        gd = np.where(inner, d, delta * np.sign(d)) * (g * scale)
        return gd, -gd

    return make(value, "huber_loss", (input, target), backward)


def kl_div(input: Tensor, target, size_average=None, reduce=None,  # noqa: A002
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Σ y·(log y − x) for log-probabilities x and probabilities y (log-probabilities with
    ``log_target``), as ``torch.nn.functional.kl_div``; 0·log 0 = 0. ``reduction`` may be
    'batchmean' (the sum over the batch size, the true KL divergence), 'mean' (over all
    elements), 'sum' or 'none'."""
    _no_legacy("kl_div", size_average, reduce)
    target, xd, td = _pair_loss("kl_div", input, target)
    with np.errstate(divide="ignore", invalid="ignore"):
        if log_target:
            et = np.exp(td)
            loss = et * (td - xd)
        else:
            logt = np.where(td > 0, np.log(np.where(td > 0, td, 1)), 0)
            loss = np.where(td > 0, td * logt, 0) - td * xd
    loss = loss.astype(xd.dtype, copy=False)
    if reduction == "batchmean":
        n = xd.shape[0] if xd.ndim else 1
        value, scale = np.asarray(loss.sum() / n, dtype=xd.dtype), 1.0 / n
    else:
        value, scale = _reduce(loss, reduction)

    def backward(g):
        gs = g * scale
        if log_target:
            return -et * gs, et * (td - xd + 1) * gs
        return -td * gs, (logt + 1 - xd) * gs

    return make(value, "kl_div", (input, target), backward)


def binary_cross_entropy(input: Tensor, target, weight=None, size_average=None,  # noqa: A002
                         reduce=None, reduction: str = "mean") -> Tensor:
    """−w·[y·log x + (1 − y)·log(1 − x)] for probabilities x, as PyTorch: each log clamped
    at −100, the gradient (x − y)/max(x(1 − x), 10⁻¹²)."""
    _no_legacy("binary_cross_entropy", size_average, reduce)
    target, xd, yd = _pair_loss("binary_cross_entropy", input, target)
    if xd.size and (xd.min() < 0 or xd.max() > 1):
        raise ArgumentError("binary_cross_entropy: all input values must be in [0, 1]",
                            hint="apply sigmoid first, or use binary_cross_entropy_with_logits")
    w = None if weight is None else np.asarray(_as_tensor(weight)._arr, dtype=xd.dtype)
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(xd), -100)
        log_1mx = np.maximum(np.log1p(-xd), -100)
    loss = -(yd * log_x + (1 - yd) * log_1mx)
    if w is not None:
        loss = loss * w
    value, scale = _reduce(loss.astype(xd.dtype, copy=False), reduction)

    def backward(g):
        gs = g * scale if w is None else g * scale * w
        gx = (xd - yd) / np.maximum(xd * (1 - xd), 1e-12) * gs
        gy = (log_1mx - log_x) * gs
        return gx.astype(xd.dtype, copy=False), gy.astype(xd.dtype, copy=False)

    return make(value, "binary_cross_entropy", (input, target), backward)


# -------------------------------------------------------------- embedding, layer norm
def embedding(input, weight: Tensor, padding_idx: int | None = None, max_norm=None,  # noqa: A002
              norm_type: float = 2.0, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    """The rows of ``weight`` (num_embeddings, dim) at the integer ``input``, as
    ``torch.nn.functional.embedding``: out[..., :] = weight[input[...], :]; each row's
    gradient is the sum over its uses, none for ``padding_idx``."""
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise ArgumentError("embedding: max_norm, scale_grad_by_freq and sparse are not "
                            "supported")
    idx = input._arr if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise ArgumentError(f"embedding expects integer indices, got {idx.dtype}",
                            hint="convert the input with .long()")
    n = weight.shape[0]
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise TargetOutOfRange(f"embedding: index {int(idx.max())} is out of range for "
                               f"{n} embeddings", hint=f"indices run from 0 to {n - 1}")
    wd = weight._arr
    pad_row = None if padding_idx is None else padding_idx % n

    def backward(g):
        gw = np.zeros_like(wd, dtype=g.dtype)
        np.add.at(gw, idx.reshape(-1), g.reshape(-1, wd.shape[1]))
        if pad_row is not None:
            gw[pad_row] = 0
        return (gw,)

    return make(wd[idx], "embedding", (weight,), backward)


@_tensor_input
def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the last dims (``normalized_shape``) of each sample, then scale by
    γ and shift by β, as ``torch.nn.functional.layer_norm``:
    y = (x − mean)/√(var + eps)·γ + β, biased variance; one fused backward,
    dx = invstd/m·(m·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂))."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    xd = input._arr
    k = len(shape)
    if tuple(xd.shape[xd.ndim - k:]) != shape or k == 0:
        raise ShapeError(f"layer_norm: normalized_shape {shape} does not match the last dims "
                         f"of the input {xd.shape}",
                         hint="normalized_shape must equal the input's trailing dims")
    axes = tuple(range(xd.ndim - k, xd.ndim))
    m = int(np.prod(shape))
    mean = xd.mean(axis=axes, keepdims=True)
    centred = xd - mean
    var = (centred * centred).mean(axis=axes, keepdims=True)
    invstd = (1.0 / np.sqrt(var + eps)).astype(xd.dtype)
    xhat = centred * invstd
    out = xhat * weight._arr if weight is not None else xhat.copy()
    if bias is not None:
        out += bias._arr
    lead = tuple(range(xd.ndim - k))
    inputs = (input,) + tuple(t for t in (weight, bias) if t is not None)

    def backward(g):
        dxhat = g * weight._arr if weight is not None else g
        grads: list[np.ndarray | None] = []
        if input.requires_grad:
            s1 = dxhat.sum(axis=axes, keepdims=True)
            s2 = (dxhat * xhat).sum(axis=axes, keepdims=True)
            grads.append((dxhat - s1 / m - xhat * (s2 / m)) * invstd)
        else:
            grads.append(None)
        if weight is not None:
            grads.append((g * xhat).sum(axis=lead) if weight.requires_grad else None)
        if bias is not None:
            grads.append(g.sum(axis=lead) if bias.requires_grad else None)
        return tuple(grads)

    return make(out, "layer_norm", inputs, backward)


# ------------------------------------------------------------------ adaptive pooling
def _adaptive_bounds(n: int, out: int) -> list[tuple[int, int]]:
    """PyTorch's windows: cell i covers [⌊i·n/out⌋, ⌈(i + 1)·n/out⌉)."""
    return [((i * n) // out, -((-(i + 1) * n) // out)) for i in range(out)]


def _adaptive_args(x: Tensor, output_size, name: str):
    if x.ndim not in (3, 4):
        raise ShapeError(f"{name} expects a 4-D input (N, C, H, W) or (C, H, W), got shape "
                         f"{x.shape}")
    h, w = x.shape[-2:]
    oh, ow = (output_size, output_size) if isinstance(output_size, int) else output_size
    oh, ow = h if oh is None else int(oh), w if ow is None else int(ow)
    if oh <= 0 or ow <= 0:
        raise ShapeError(f"{name}: output_size must be positive, got {output_size}")
    return _adaptive_bounds(h, oh), _adaptive_bounds(w, ow), oh, ow


@_tensor_input
def adaptive_avg_pool2d(x: Tensor, output_size) -> Tensor:
    """The mean of each of output_size windows that tile each channel, as
    ``torch.nn.functional.adaptive_avg_pool2d`` (output (1, 1): the global average)."""
    rows, cols, oh, ow = _adaptive_args(x, output_size, "adaptive_avg_pool2d")
    xd = x._arr
    out = np.empty(xd.shape[:-2] + (oh, ow), dtype=xd.dtype)
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            out[..., i, j] = xd[..., r0:r1, c0:c1].mean(axis=(-2, -1))
    shape = xd.shape

    def backward(g):
        gx = np.zeros(shape, dtype=g.dtype)
        for i, (r0, r1) in enumerate(rows):
            for j, (c0, c1) in enumerate(cols):
                gx[..., r0:r1, c0:c1] += (g[..., i, j] / ((r1 - r0) * (c1 - c0)))[..., None, None]
        return (gx,)

    return make(out, "adaptive_avg_pool2d", (x,), backward)


@_tensor_input
def adaptive_max_pool2d(x: Tensor, output_size, return_indices: bool = False):
    """The maximum of each of output_size windows that tile each channel, as
    ``torch.nn.functional.adaptive_max_pool2d``; the gradient goes to the first maximum."""
    rows, cols, oh, ow = _adaptive_args(x, output_size, "adaptive_max_pool2d")
    xd = x._arr
    lead = xd.shape[:-2]
    w = xd.shape[-1]
    out = np.empty(lead + (oh, ow), dtype=xd.dtype)
    flat_idx = np.empty(lead + (oh, ow), dtype=np.int64)  # into the H·W plane, as PyTorch
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            win = xd[..., r0:r1, c0:c1].reshape(lead + (-1,))
            k = np.argmax(win, axis=-1)
            out[..., i, j] = np.take_along_axis(win, k[..., None], -1)[..., 0]
            flat_idx[..., i, j] = (r0 + k // (c1 - c0)) * w + c0 + k % (c1 - c0)
    shape = xd.shape

    def backward(g):
        gx = np.zeros(lead + (shape[-2] * shape[-1],), dtype=g.dtype)
        gl, il = g.reshape(-1, oh * ow), flat_idx.reshape(-1, oh * ow)
        np.add.at(gx.reshape(-1, gx.shape[-1]), (np.arange(gl.shape[0])[:, None], il), gl)
        return (gx.reshape(shape),)

    y = make(out, "adaptive_max_pool2d", (x,), backward)
    return (y, Tensor._wrap(flat_idx)) if return_indices else y


# ------------------------------------------------------------------------- attention
def _additive_mask(mask, like: np.ndarray, true_means_keep: bool):
    """A float mask to add to the scores: a bool mask becomes 0 / −∞ (True keeps a place
    for scaled_dot_product_attention, True hides it for MultiheadAttention, as PyTorch);
    a float mask is added as it is (and may be a tensor that needs a gradient)."""
    if mask is None:
        return None
    m = mask._arr if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype == np.bool_:
        hide = ~m if true_means_keep else m
        return Tensor._wrap(np.where(hide, -np.inf, 0.0).astype(like.dtype))
    if m.dtype.kind not in "f":
        raise ArgumentError(f"attention: attn_mask must be bool or float, got {m.dtype}")
    return mask if isinstance(mask, Tensor) else Tensor._wrap(m.astype(like.dtype))


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask=None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None, enable_gqa: bool = False) -> Tensor:
    """softmax(Q·Kᵀ·scale + mask)·V over the last two dims, as
    ``torch.nn.functional.scaled_dot_product_attention``: Q (…, L, E), K (…, S, E),
    V (…, S, Ev) → (…, L, Ev); scale 1/√E by default. ``attn_mask``: bool (True = may
    attend) or float (added to the scores); ``is_causal``: position i attends to j ≤ i.
    Built from matmul, softmax and dropout, so each has its own backward."""
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise ShapeError("scaled_dot_product_attention: query, key and value need at least "
                         "2 dims (…, L, E)")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ShapeError(f"scaled_dot_product_attention: query {query.shape}, key {key.shape} "
                         f"and value {value.shape} do not fit: need Q (…, L, E), K (…, S, E), "
                         f"V (…, S, Ev)")
    if enable_gqa:
        raise ArgumentError("scaled_dot_product_attention: enable_gqa is not supported")
    if is_causal and attn_mask is not None:
        raise ArgumentError("scaled_dot_product_attention: give attn_mask or is_causal, not "
                            "both", hint="as PyTorch")
    s = 1.0 / np.sqrt(query.shape[-1]) if scale is None else float(scale)
    if is_causal:
        el, es = query.shape[-2], key.shape[-2]
        attn_mask = np.tril(np.ones((el, es), dtype=bool))
    add = _additive_mask(attn_mask, query._arr, true_means_keep=True)
    if not dropout_p:
        return _attention(query, key, value, add, s)
    # with dropout: matmul, softmax and dropout as separate ops (dropout draws its mask)
    scores = ops.matmul(query, ops.transpose(key, -2, -1)) * s
    if add is not None:
        scores = scores + add
    weights = dropout(ops.softmax(scores, -1), dropout_p, True)
    return ops.matmul(weights, value)


def _attention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None, scale: float) -> Tensor:
    """softmax(Q·Kᵀ·scale + mask)·V as one node (no dropout); backward, with P the
    attention weights and G the output's gradient::

        dV = Pᵀ·G,   dP = G·Vᵀ,   dS = P ⊙ (dP − Σ_j dP ⊙ P)   (the softmax's backward)
        dQ = dS·K·scale,   dK = dSᵀ·Q·scale,   dmask = dS

    Batch dims broadcast as matmul's; the engine sums each gradient back to its input."""
    qd, kd, vd = q._arr, k._arr, v._arr
    sc = np.matmul(qd, np.swapaxes(kd, -1, -2))
    sc *= scale
    if mask is not None:
        sc = sc + mask._arr
    sc -= sc.max(axis=-1, keepdims=True)
    p = np.exp(sc, out=sc)
    p /= p.sum(axis=-1, keepdims=True)
    out = np.matmul(p, vd)
    inputs = (q, k, v) if mask is None else (q, k, v, mask)

    def backward(g):
        dv = np.matmul(np.swapaxes(p, -1, -2), g) if v.requires_grad else None
        dp = np.matmul(g, np.swapaxes(vd, -1, -2))
        ds = dp - (dp * p).sum(axis=-1, keepdims=True)
        ds *= p
        dq = np.matmul(ds, kd) * scale if q.requires_grad else None
        dk = np.matmul(np.swapaxes(ds, -1, -2), qd) * scale if k.requires_grad else None
        if mask is None:
            return dq, dk, dv
        return dq, dk, dv, (ds if mask.requires_grad else None)

    return make(out, "attention", inputs, backward)
