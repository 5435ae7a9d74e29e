"""Recurrent layers, as ``torch.nn.RNN``, ``LSTM`` and ``GRU`` (and their cells).

Each layer runs in two steps. The input's contribution to every gate at every time step
is one GEMM over the whole sequence (``linear`` on (L, N, I), outside the loop). The
recurrence is then one graph node per layer and direction, its forward (the loop over
time) and its backward (backpropagation through time, the same loop run backwards)
written side by side below, so the graph stays small and backward costs the same few
GEMMs per step as forward. Parameter names, shapes, gate order (LSTM: i, f, g, o; GRU:
r, z, n) and initialisation are PyTorch's, so ``load_state_dict`` of a torch model works.
"""

from __future__ import annotations

import math

import numpy as np

from nndl.engine import ops
from nndl.engine.tensor import Tensor
from nndl.errors import ArgumentError, ShapeError
from nndl.nn import _explain, init
from nndl.nn import functional as F
from nndl.nn.module import Formula, Module, Parameter, ShapeInfo, empty

make = Tensor._make


def _sigmoid(a: np.ndarray) -> np.ndarray:
    # σ(a) = (1 + tanh(a/2))/2: no overflow warning for large |a|
    return 0.5 + 0.5 * np.tanh(0.5 * a)


# ------------------------------------------------------------ the three recurrences
def rnn_scan(xw: Tensor, h0: Tensor, w_hh: Tensor, nonlinearity: str = "tanh") -> Tensor:
    """h_t = act(xw_t + h_{t−1}·W_hhᵀ) for t = 1..L (xw already holds x_t·W_ihᵀ and both
    biases); returns h_1..h_L, shape (L, N, H)."""
    xd, wd = xw._arr, w_hh._arr
    steps = xd.shape[0]
    hs = np.empty(xd.shape, dtype=xd.dtype)
    wt = np.ascontiguousarray(wd.T)  # BLAS is faster on (H, G·H) laid out row by row
    h = h0._arr
    for t in range(steps):
        a = xd[t] + h @ wt
        h = np.tanh(a, out=hs[t]) if nonlinearity == "tanh" else np.maximum(a, 0, out=hs[t])
    h_prev = np.concatenate([h0._arr[None], hs[:-1]])

    def backward(g):
        # δ_t = (g_t + δ_{t+1}·W_hh) ⊙ act′(a_t), run from the last step back to the first
        da = np.empty_like(hs)
        dh = np.zeros_like(h0._arr)
        for t in range(steps - 1, -1, -1):
            dh = g[t] + dh
            da[t] = dh * (1 - hs[t] * hs[t]) if nonlinearity == "tanh" else dh * (hs[t] > 0)
            dh = da[t] @ wd
        dw = da.reshape(-1, da.shape[-1]).T @ h_prev.reshape(-1, h_prev.shape[-1])
        return da, dh, dw

    return make(hs, "rnn", (xw, h0, w_hh), backward)


def lstm_scan(xw: Tensor, h0: Tensor, c0: Tensor, w_hh: Tensor) -> Tensor:
    """The LSTM recurrence over L steps (xw = x·W_ihᵀ + b_ih + b_hh, shape (L, N, 4H))::

        i, f, g, o = σ(a_i), σ(a_f), tanh(a_g), σ(a_o)   where a = xw_t + h_{t−1}·W_hhᵀ
        c_t = f ⊙ c_{t−1} + i ⊙ g
        h_t = o ⊙ tanh(c_t)

    One node with one output of shape (L + 1, N, H): h_1..h_L, then c_L (the cell state
    leaves the node as its last row, so its gradient comes back the same way)."""
    xd, wd = xw._arr, w_hh._arr
    steps, n, four_h = xd.shape
    hd = four_h // 4
    out = np.empty((steps + 1, n, hd), dtype=xd.dtype)
    gates = np.empty(xd.shape, dtype=xd.dtype)  # i, f, g, o after their activations
    cs = np.empty((steps + 1, n, hd), dtype=xd.dtype)  # c_0..c_L
    tanh_c = np.empty((steps, n, hd), dtype=xd.dtype)
    cs[0] = c0._arr
    wt = np.ascontiguousarray(wd.T)  # BLAS is faster on (H, 4H) laid out row by row
    h = h0._arr
    for t in range(steps):
        a = gates[t]
        np.matmul(h, wt, out=a)
        a += xd[t]  # the four gates' inputs, (N, 4H)
        g_pre = a[:, 2 * hd:3 * hd].copy()
        # σ(a) = (1 + tanh(a/2))/2 on all four, in place; then g = tanh on its quarter
        a *= 0.5
        np.tanh(a, out=a)
        a *= 0.5
        a += 0.5
        np.tanh(g_pre, out=a[:, 2 * hd:3 * hd])
        i, f, gg, o = a[:, :hd], a[:, hd:2 * hd], a[:, 2 * hd:3 * hd], a[:, 3 * hd:]
        c = cs[t + 1]
        np.multiply(f, cs[t], out=c)
        c += i * gg
        np.tanh(c, out=tanh_c[t])
        h = np.multiply(o, tanh_c[t], out=out[t])
    out[steps] = cs[steps]
    h_prev = np.concatenate([h0._arr[None], out[:steps - 1]])

    def backward(g):
        # what each gate's input gradient is, per unit of dc (i, f, g) or of dh (o), for
        # all steps at once; the loop over time is then a few passes and one GEMM a step
        i, f, gg, o = (gates[..., k * hd:(k + 1) * hd] for k in range(4))
        per = np.empty_like(gates)
        per[..., :hd] = gg * i * (1 - i)  # ∂c/∂a_i
        per[..., hd:2 * hd] = cs[:-1] * f * (1 - f)  # ∂c/∂a_f
        per[..., 2 * hd:3 * hd] = i * (1 - gg * gg)  # ∂c/∂a_g
        per[..., 3 * hd:] = tanh_c * o * (1 - o)  # ∂h/∂a_o
        dc_dh = o * (1 - tanh_c * tanh_c)  # ∂c_t's share of ∂h_t
        da = np.empty_like(gates)
        dh = np.zeros_like(h0._arr)
        dc = g[steps].copy()  # the gradient of c_L
        for t in range(steps - 1, -1, -1):
            dh += g[t]
            dc += dh * dc_dh[t]
            d = da[t]
            np.multiply(per[t, :, :3 * hd].reshape(-1, 3, hd), dc[:, None, :],
                        out=d[:, :3 * hd].reshape(-1, 3, hd))
            np.multiply(per[t, :, 3 * hd:], dh, out=d[:, 3 * hd:])
            dc *= f[t]
            dh = d @ wd
        dw = da.reshape(-1, four_h).T @ h_prev.reshape(-1, hd)
        return da, dh, dc, dw

    return make(out, "lstm", (xw, h0, c0, w_hh), backward)


def gru_scan(xw: Tensor, h0: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    """The GRU recurrence over L steps (xw = x·W_ihᵀ + b_ih, shape (L, N, 3H))::

        r, z = σ(xw_r + hw_r), σ(xw_z + hw_z)      where hw = h_{t−1}·W_hhᵀ + b_hh
        n = tanh(xw_n + r ⊙ hw_n)
        h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}

    (b_hh stays inside: r multiplies its n part, as PyTorch). Returns (L, N, H)."""
    xd, wd = xw._arr, w_hh._arr
    bd = b_hh._arr if b_hh is not None else 0
    steps, n, three_h = xd.shape
    hd = three_h // 3
    hs = np.empty((steps, n, hd), dtype=xd.dtype)
    rzn = np.empty(xd.shape, dtype=xd.dtype)  # r, z, n after their activations
    hw_n = np.empty((steps, n, hd), dtype=xd.dtype)
    wt = np.ascontiguousarray(wd.T)  # BLAS is faster on (H, 3H) laid out row by row
    h = h0._arr
    for t in range(steps):
        hw = h @ wt + bd
        rz = rzn[t, :, :2 * hd]
        rz[:] = _sigmoid(xd[t, :, :2 * hd] + hw[:, :2 * hd])
        hw_n[t] = hw[:, 2 * hd:]
        nt = rzn[t, :, 2 * hd:]
        nt[:] = np.tanh(xd[t, :, 2 * hd:] + rz[:, :hd] * hw_n[t])
        z = rz[:, hd:]
        h = hs[t] = nt + z * (h - nt)  # (1 − z)·n + z·h
    h_prev = np.concatenate([h0._arr[None], hs[:-1]])

    def backward(g):
        dx = np.empty_like(rzn)
        dhw = np.empty_like(rzn)  # the gradient of h·W_hhᵀ + b_hh
        dh = np.zeros_like(h0._arr)
        for t in range(steps - 1, -1, -1):
            r, z, nt = rzn[t, :, :hd], rzn[t, :, hd:2 * hd], rzn[t, :, 2 * hd:]
            dh = g[t] + dh
            dan = dh * (1 - z) * (1 - nt * nt)  # through n's tanh
            dar = dan * hw_n[t] * r * (1 - r)
            daz = dh * (h_prev[t] - nt) * z * (1 - z)
            dx[t, :, :hd], dx[t, :, hd:2 * hd], dx[t, :, 2 * hd:] = dar, daz, dan
            dhw[t, :, :hd], dhw[t, :, hd:2 * hd], dhw[t, :, 2 * hd:] = dar, daz, dan * r
            dh = dh * z + dhw[t] @ wd
        flat = dhw.reshape(-1, three_h)
        dw = flat.T @ h_prev.reshape(-1, hd)
        if b_hh is None:
            return dx, dh, dw
        return dx, dh, dw, flat.sum(0)

    inputs = (xw, h0, w_hh) if b_hh is None else (xw, h0, w_hh, b_hh)
    return make(hs, "gru", inputs, backward)


# ------------------------------------------------------------------------- layers
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}

_PARAMS_DOC = """
    Parameters (G = gates: 1 for RNN, 4 for LSTM, 3 for GRU; I = ``input_size``,
    H = ``hidden_size``, D = 2 if bidirectional else 1)::

        params = D·G·H·(I + H + 2)            (one layer)
        params = D·G·H·(I + H)                (one layer, bias=False)
        params = D·G·H·(I + H + 2) + (layers − 1)·D·G·H·(D·H + H + 2)
        params = D·G·H·(I + H) + (layers − 1)·D·G·H·(D·H + H)    (bias=False)

    These are the formulas :meth:`describe` prints; each layer k, direction d has
    ``weight_ih_l{k}`` (G·H, I or D·H), ``weight_hh_l{k}`` (G·H, H), ``bias_ih_l{k}``,
    ``bias_hh_l{k}`` (G·H), with ``_reverse`` for the backward direction, all drawn from
    U(−1/√H, 1/√H) as PyTorch.
"""


class RNNBase(Module):
    """The machinery shared by :class:`RNN`, :class:`LSTM` and :class:`GRU`."""

    summary_name = "RNN"

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: str | None = None,
                 dtype=None):
        super().__init__()
        name = type(self).__name__
        _explain.check_positive(name, input_size=input_size, hidden_size=hidden_size,
                                num_layers=num_layers)
        if not 0 <= dropout <= 1:
            raise ArgumentError(f"{name}: dropout must be in [0, 1], got {dropout}")
        if proj_size:
            raise ArgumentError(f"{name}: proj_size is not supported", hint="use proj_size=0")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, 0
        gh = _GATES[mode] * hidden_size
        dirs = 2 if bidirectional else 1
        for layer in range(num_layers):
            fan = input_size if layer == 0 else hidden_size * dirs
            for d in range(dirs):
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                setattr(self, "weight_ih" + sfx, Parameter(empty((gh, fan), dtype, device)))
                setattr(self, "weight_hh" + sfx, Parameter(empty((gh, hidden_size), dtype,
                                                                 device)))
                if bias:
                    setattr(self, "bias_ih" + sfx, Parameter(empty((gh,), dtype, device)))
                    setattr(self, "bias_hh" + sfx, Parameter(empty((gh,), dtype, device)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def flatten_parameters(self) -> None:
        """Accepted for PyTorch compatibility (cuDNN's weight layout); nothing to do here."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """Each layer and direction's [weight_ih, weight_hh, bias_ih, bias_hh], as PyTorch."""
        dirs = 2 if self.bidirectional else 1
        names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if self.bias else [])
        return [[getattr(self, f"{n}_l{k}" + ("_reverse" if d else "")) for n in names]
                for k in range(self.num_layers) for d in range(dirs)]

    def _layer(self, x: Tensor, h0: Tensor, c0: Tensor | None, sfx: str):
        """One direction of one layer over x (L, N, I): (outputs (L, N, H), h_L, c_L)."""
        w_ih, w_hh = getattr(self, "weight_ih" + sfx), getattr(self, "weight_hh" + sfx)
        b_ih = getattr(self, "bias_ih" + sfx) if self.bias else None
        b_hh = getattr(self, "bias_hh" + sfx) if self.bias else None
        if self.mode == "GRU":  # b_hh stays in the recurrence (r multiplies part of it)
            hs = gru_scan(F.linear(x, w_ih, b_ih), h0, w_hh, b_hh)
            return hs, hs[-1], None
        # every step's input term and both biases: one GEMM
        xw = F.linear(x, w_ih, None if b_ih is None else b_ih + b_hh)
        if self.mode == "LSTM":
            if c0 is None:
                raise ShapeError("internal: an LSTM layer without a cell state; please report")
            y = lstm_scan(xw, h0, c0, w_hh)
            steps = x.shape[0]
            return y[:steps], y[steps - 1], y[steps]
        hs = rnn_scan(xw, h0, w_hh, "tanh" if self.mode == "RNN_TANH" else "relu")
        return hs, hs[-1], None

    def forward(self, input: Tensor, hx=None):  # noqa: A002
        name = type(self).__name__
        is_lstm = self.mode == "LSTM"
        if input.ndim not in (2, 3):
            raise ShapeError(f"{name}: expects a (L, N, I) input ((N, L, I) with batch_first) "
                             f"or an unbatched (L, I), got shape {input.shape}")
        if input.shape[-1] != self.input_size:
            raise ShapeError(f"{name}: the input has {input.shape[-1]} features, the layer "
                             f"expects input_size = {self.input_size}",
                             hint="the last dim of the input is the feature dim")
        if input._arr.dtype.kind != "f":
            raise ShapeError(f"{name}: the input must be floating point, got {input.dtype}",
                             hint="convert it with .float(), or embed integer tokens first "
                                  "(nn.Embedding, or F.one_hot(x).float())")
        unbatched = input.ndim == 2
        x = ops.unsqueeze(input, 1) if unbatched else (
            ops.transpose(input, 0, 1) if self.batch_first else input)
        steps, n = x.shape[0], x.shape[1]
        if steps == 0:
            raise ShapeError(f"{name}: the input sequence is empty (length 0)")
        dirs = 2 if self.bidirectional else 1
        state_shape = (self.num_layers * dirs, n, self.hidden_size)
        h0, c0 = self._initial_state(hx, state_shape, unbatched, x)
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                k = layer * dirs + d
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                seq = ops.flip(x, 0) if d else x  # the backward direction reads time reversed
                hs, h_last, c_last = self._layer(seq, h0[k], c0[k] if is_lstm else None, sfx)
                outs.append(ops.flip(hs, 0) if d else hs)
                h_n.append(h_last)
                c_n.append(c_last)
            x = outs[0] if dirs == 1 else ops.cat(outs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)  # between layers, not after the last
        hn = ops.stack(h_n, 0)
        output = ops.squeeze(x, 1) if unbatched else (
            ops.transpose(x, 0, 1) if self.batch_first else x)
        if unbatched:
            hn = ops.squeeze(hn, 1)
        if not is_lstm:
            return output, hn
        cn = ops.stack(c_n, 0)
        return output, (hn, ops.squeeze(cn, 1) if unbatched else cn)

    def _initial_state(self, hx, shape, unbatched: bool, x: Tensor):
        name = type(self).__name__
        dtype = x._arr.dtype
        if hx is None:
            zero = Tensor._wrap(np.zeros(shape, dtype=dtype))
            return zero, zero
        pair = self.mode == "LSTM"
        if pair and not (isinstance(hx, tuple | list) and len(hx) == 2):
            raise ArgumentError(f"{name}: hx must be a pair (h_0, c_0)")
        states = tuple(hx) if pair else (hx,)
        fixed = []
        for s in states:
            s = s if isinstance(s, Tensor) else Tensor(s)
            if unbatched:
                s = ops.unsqueeze(s, 1)
            if tuple(s.shape) != shape:
                want = (shape[0], shape[2]) if unbatched else shape
                raise ShapeError(f"{name}: an initial state has the wrong shape, expected "
                                 f"{want} (num_layers·directions, N, hidden_size)")
            fixed.append(s)
        return (fixed[0], fixed[1]) if pair else (fixed[0], fixed[0])

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        name = type(self).__name__
        if len(in_shape) != 2 or in_shape[1] != self.input_size:
            raise _explain.LayerShapeError(
                f"{name} needs a sequence input (L, I) with I = input_size = "
                f"{self.input_size}, got shape {in_shape}")
        steps = in_shape[0]
        g, h, i = _GATES[self.mode], self.hidden_size, self.input_size
        d, layers = (2 if self.bidirectional else 1), self.num_layers
        two, two_n = (" + 2", 2) if self.bias else ("", 0)
        first = d * g * h * (i + h + two_n)
        rest = (layers - 1) * d * g * h * (d * h + h + two_n)
        forms = [Formula("G", "gates", "", g)]
        if layers == 1:
            forms.append(Formula("params", f"D·G·H·(I + H{two})", f"{d}·{g}·{h}·({i} + {h}{two})",
                                 first))
        else:
            forms.append(Formula("params", f"D·G·H·(I + H{two}) + (layers − 1)·D·G·H·(D·H + H{two})",
                                 f"{d}·{g}·{h}·({i} + {h}{two}) + ({layers} − 1)·{d}·{g}·{h}·"
                                 f"({d}·{h} + {h}{two})", first + rest))
        total, trainable = self._param_counts()
        if total != first + rest:
            raise _explain.LayerShapeError(f"internal: {name}'s formula counts {first + rest} "
                                           f"parameters but the layer holds {total}")
        # multiply-adds per sample: every step, every layer and direction, both GEMMs
        mult_adds = steps * (d * g * h * (i + h) + (layers - 1) * d * g * h * (d * h + h))
        return ShapeInfo(in_shape, (steps, d * h), total, trainable, mult_adds, steps * d * h,
                         forms)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.mode == "RNN_RELU":
            s += ", nonlinearity='relu'"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(RNNBase):
    __doc__ = """Applies a multi-layer Elman RNN, as ``torch.nn.RNN``: for each element of
    the sequence each layer computes::

        h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)

    (ReLU instead of tanh with ``nonlinearity='relu'``); layer k > 0 reads layer k − 1's
    outputs. Backward is backpropagation through time, one node per layer.

    Args:
        input_size (int): I, the features of x_t.
        hidden_size (int): H, the features of h_t.
        num_layers (int, optional): stacked layers. Default: 1
        nonlinearity (str, optional): ``'tanh'`` or ``'relu'``. Default: ``'tanh'``
        bias (bool, optional): use b_ih and b_hh. Default: ``True``
        batch_first (bool, optional): input and output are (N, L, ·) instead of
            (L, N, ·) (not the states). Default: ``False``
        dropout (float, optional): dropout on the outputs of each layer but the last,
            in training. Default: 0
        bidirectional (bool, optional): a second pass over the reversed sequence, its
            outputs concatenated to the first's. Default: ``False``

    Shape:
        - Input: (L, N, I), (N, L, I) with ``batch_first``, or unbatched (L, I); h_0:
          (D·num_layers, N, H), zeros when not given
        - Output: (output (L, N, D·H), h_n (D·num_layers, N, H))
""" + _PARAMS_DOC + """
    Examples::

        >>> rnn = nn.RNN(10, 20, num_layers=2)
        >>> out, h_n = rnn(nndl.randn(5, 3, 10), nndl.zeros(2, 3, 20))
        >>> out.shape, h_n.shape
        ((5, 3, 20), (2, 3, 20))
        >>> for f in rnn.describe((5, 10)).formulas:
        ...     print(f)
        G = gates = 1
        params = D·G·H·(I + H + 2) + (layers − 1)·D·G·H·(D·H + H + 2) = 1·1·20·(10 + 20 + 2) + (2 − 1)·1·1·20·(1·20 + 20 + 2) = 1,480
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: str | None = None,
                 dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ArgumentError(f"RNN: nonlinearity must be 'tanh' or 'relu', got "
                                f"{nonlinearity!r}")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         0, device, dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    __doc__ = """Applies a multi-layer long short-term memory RNN, as ``torch.nn.LSTM``: for
    each element of the sequence each layer computes::

        i_t = σ(x_t·W_iiᵀ + b_ii + h_{t−1}·W_hiᵀ + b_hi)      (input gate)
        f_t = σ(x_t·W_ifᵀ + b_if + h_{t−1}·W_hfᵀ + b_hf)      (forget gate)
        g_t = tanh(x_t·W_igᵀ + b_ig + h_{t−1}·W_hgᵀ + b_hg)   (cell candidate)
        o_t = σ(x_t·W_ioᵀ + b_io + h_{t−1}·W_hoᵀ + b_ho)      (output gate)
        c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
        h_t = o_t ⊙ tanh(c_t)

    The four gates' weights are stacked in that order (i, f, g, o) in ``weight_ih_l0``
    (4H, I) and ``weight_hh_l0`` (4H, H), as PyTorch. Backward is backpropagation through
    time, one node per layer and direction (see :func:`lstm_scan`).

    Args:
        input_size (int): I, the features of x_t.
        hidden_size (int): H, the features of h_t and c_t.
        num_layers (int, optional): stacked layers. Default: 1
        bias (bool, optional): use the b_i* and b_h* biases. Default: ``True``
        batch_first (bool, optional): input and output are (N, L, ·). Default: ``False``
        dropout (float, optional): dropout between layers, in training. Default: 0
        bidirectional (bool, optional): also read the sequence backwards. Default: ``False``
        proj_size (int, optional): only 0 is supported. Default: 0

    Shape:
        - Input: (L, N, I), (N, L, I) with ``batch_first``, or unbatched (L, I); and
          optionally (h_0, c_0), each (D·num_layers, N, H), zeros when not given
        - Output: (output (L, N, D·H), (h_n, c_n)), h_n and c_n (D·num_layers, N, H)
""" + _PARAMS_DOC + """
    Examples::

        >>> lstm = nn.LSTM(10, 20, batch_first=True)
        >>> out, (h_n, c_n) = lstm(nndl.randn(3, 5, 10))
        >>> out.shape, h_n.shape, c_n.shape
        ((3, 5, 20), (1, 3, 20), (1, 3, 20))
        >>> for f in lstm.describe((5, 10)).formulas:
        ...     print(f)
        G = gates = 4
        params = D·G·H·(I + H + 2) = 1·4·20·(10 + 20 + 2) = 2,560
        >>> sorted(lstm.state_dict())
        ['bias_hh_l0', 'bias_ih_l0', 'weight_hh_l0', 'weight_ih_l0']
    """

    summary_name = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: str | None = None,
                 dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    __doc__ = """Applies a multi-layer gated recurrent unit RNN, as ``torch.nn.GRU``: for
    each element of the sequence each layer computes::

        r_t = σ(x_t·W_irᵀ + b_ir + h_{t−1}·W_hrᵀ + b_hr)        (reset gate)
        z_t = σ(x_t·W_izᵀ + b_iz + h_{t−1}·W_hzᵀ + b_hz)        (update gate)
        n_t = tanh(x_t·W_inᵀ + b_in + r_t ⊙ (h_{t−1}·W_hnᵀ + b_hn))
        h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}

    Gate order r, z, n in the stacked weights, as PyTorch.

    Args:
        input_size (int): I, the features of x_t.
        hidden_size (int): H, the features of h_t.
        num_layers (int, optional): stacked layers. Default: 1
        bias (bool, optional): use the biases. Default: ``True``
        batch_first (bool, optional): input and output are (N, L, ·). Default: ``False``
        dropout (float, optional): dropout between layers, in training. Default: 0
        bidirectional (bool, optional): also read the sequence backwards. Default: ``False``

    Shape:
        - Input: (L, N, I), (N, L, I) with ``batch_first``, or unbatched (L, I); h_0:
          (D·num_layers, N, H), zeros when not given
        - Output: (output (L, N, D·H), h_n (D·num_layers, N, H))
""" + _PARAMS_DOC + """
    Examples::

        >>> gru = nn.GRU(10, 20, bidirectional=True)
        >>> out, h_n = gru(nndl.randn(5, 3, 10))
        >>> out.shape, h_n.shape
        ((5, 3, 40), (2, 3, 20))
        >>> print(gru.describe((5, 10)).formulas[1])
        params = D·G·H·(I + H + 2) = 2·3·20·(10 + 20 + 2) = 3,840
    """

    summary_name = "GRU"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: str | None = None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)


# -------------------------------------------------------------------------- cells
class RNNCellBase(Module):
    """One time step of a recurrent layer, with PyTorch's parameter names
    (``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``)."""

    _mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: str | None = None, dtype=None):
        super().__init__()
        _explain.check_positive(type(self).__name__, input_size=input_size,
                                hidden_size=hidden_size)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        gh = _GATES[self._mode] * hidden_size
        self.weight_ih = Parameter(empty((gh, input_size), dtype, device))
        self.weight_hh = Parameter(empty((gh, hidden_size), dtype, device))
        self.bias_ih = Parameter(empty((gh,), dtype, device)) if bias else None
        self.bias_hh = Parameter(empty((gh,), dtype, device)) if bias else None
        bound = 1.0 / math.sqrt(hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _step(self, input: Tensor, hx):  # noqa: A002
        """(x (1, N, I), h (N, H), c (N, H) or None, unbatched?) from the arguments."""
        name = type(self).__name__
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size:
            raise ShapeError(f"{name}: expects (N, {self.input_size}) or ({self.input_size},) "
                             f"input, got shape {input.shape}")
        if input._arr.dtype.kind != "f":
            raise ShapeError(f"{name}: the input must be floating point, got {input.dtype}",
                             hint="convert it with .float()")
        unbatched = input.ndim == 1
        x = ops.unsqueeze(input, 0) if unbatched else input
        n = x.shape[0]
        states = []
        for s in (hx if isinstance(hx, tuple | list) else (hx,)):
            if s is None:
                s = Tensor._wrap(np.zeros((n, self.hidden_size), dtype=x._arr.dtype))
            elif unbatched:
                s = ops.unsqueeze(s, 0)
            if tuple(s.shape) != (n, self.hidden_size):
                raise ShapeError(f"{name}: the state has shape {tuple(s.shape)}, expected "
                                 f"{(n, self.hidden_size)}")
            states.append(s)
        xw = F.linear(ops.unsqueeze(x, 0), self.weight_ih, self.bias_ih)
        return xw, states, unbatched

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        return s if self.bias else s + ", bias=False"

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        if tuple(in_shape) != (self.input_size,):
            raise _explain.LayerShapeError(f"{type(self).__name__} needs an input of "
                                           f"{self.input_size} features, got {in_shape}")
        total, trainable = self._param_counts()
        g, h, i = _GATES[self._mode], self.hidden_size, self.input_size
        return ShapeInfo(in_shape, (h,), total, trainable, g * h * (i + h), h)


class RNNCell(RNNCellBase):
    """One step of :class:`RNN`, as ``torch.nn.RNNCell``:
    h′ = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or ReLU).

    Args:
        input_size (int): I.
        hidden_size (int): H.
        bias (bool, optional): use b_ih and b_hh. Default: ``True``
        nonlinearity (str, optional): ``'tanh'`` or ``'relu'``. Default: ``'tanh'``

    Shape:
        - Input: (N, I) or (I,), and h (N, H) or (H,), zeros when not given
        - Output: h′ (N, H) or (H,)

    Examples::

        >>> cell = nn.RNNCell(10, 20)
        >>> h = nndl.zeros(3, 20)
        >>> for x in nndl.randn(6, 3, 10):
        ...     h = cell(x, h)
        >>> h.shape
        (3, 20)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: str | None = None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ArgumentError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', got "
                                f"{nonlinearity!r}")
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        xw, (h,), unbatched = self._step(input, hx)
        if self.bias_hh is not None:
            xw = xw + self.bias_hh
        h1 = rnn_scan(xw, h, self.weight_hh, self.nonlinearity)[0]
        return ops.squeeze(h1, 0) if unbatched else h1


class LSTMCell(RNNCellBase):
    """One step of :class:`LSTM`, as ``torch.nn.LSTMCell``: from x and (h, c) the gates
    i, f, g, o (order i, f, g, o in the stacked weights), then c′ = f ⊙ c + i ⊙ g and
    h′ = o ⊙ tanh(c′).

    Args:
        input_size (int): I.
        hidden_size (int): H.
        bias (bool, optional): use b_ih and b_hh. Default: ``True``

    Shape:
        - Input: (N, I) or (I,), and (h, c), each (N, H) or (H,), zeros when not given
        - Output: (h′, c′), each (N, H) or (H,)

    Examples::

        >>> cell = nn.LSTMCell(10, 20)
        >>> h, c = cell(nndl.randn(3, 10))
        >>> h.shape, c.shape, cell.weight_ih.shape
        ((3, 20), (3, 20), (80, 10))
    """

    _mode = "LSTM"

    def forward(self, input: Tensor, hx=None):  # noqa: A002
        xw, states, unbatched = self._step(input, (None, None) if hx is None else hx)
        if len(states) != 2:
            raise ArgumentError("LSTMCell: hx must be a pair (h, c)")
        if self.bias_hh is not None:
            xw = xw + self.bias_hh
        y = lstm_scan(xw, states[0], states[1], self.weight_hh)
        h1, c1 = y[0], y[1]
        return (ops.squeeze(h1, 0), ops.squeeze(c1, 0)) if unbatched else (h1, c1)


class GRUCell(RNNCellBase):
    """One step of :class:`GRU`, as ``torch.nn.GRUCell``: gates r, z and the candidate
    n = tanh(x·W_inᵀ + b_in + r ⊙ (h·W_hnᵀ + b_hn)), then h′ = (1 − z) ⊙ n + z ⊙ h.

    Args:
        input_size (int): I.
        hidden_size (int): H.
        bias (bool, optional): use b_ih and b_hh. Default: ``True``

    Shape:
        - Input: (N, I) or (I,), and h (N, H) or (H,), zeros when not given
        - Output: h′ (N, H) or (H,)

    Examples::

        >>> cell = nn.GRUCell(10, 20)
        >>> cell(nndl.randn(10)).shape
        (20,)
    """

    _mode = "GRU"

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        xw, (h,), unbatched = self._step(input, hx)
        h1 = gru_scan(xw, h, self.weight_hh, self.bias_hh)[0]
        return ops.squeeze(h1, 0) if unbatched else h1
