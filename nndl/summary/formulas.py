"""Formulas for the layers a traced model may hold beyond the textbook's chain: N-d and
grouped convolutions (``padding="same"`` too), transposed convolutions, ``ceil_mode``
pools, adaptive pools, unpooling, padding layers, embeddings, recurrent layers and cells,
normalisations, PReLU and the dropout family.

Each function reads a module's hyper-parameters (PyTorch's attribute names, which nndl's
layers share) and the shape of the tensor that reached it in the forward pass (batch
included), and gives the output shape, parameter count and mult-adds with the formula and
its numbers. The summary compares every result with what the forward pass measured, so a
formula here can never put a wrong number in the table unnoticed.

Mult-adds follow nndl's convention: the multiplications of the weights (a bias, a
normalisation, an activation: none), for the whole input as given.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nndl.nn.module import Formula, fmt

# The few English words inside formulas (a remark in brackets, a quantity spelled out), as a
# Chinese reader sees them: Formula.text(lang) names the quantity (params -> 参数量); the rest
# of a formula is symbols and PyTorch's argument names (embedding_dim), the same in both.
_ZH_WORDS = (
    (" (γ and β)", "（γ 和 β）"), (" (γ)", "（γ）"), ("input shape", "输入形状"),
    ("scalar", "标量"), ("rows·", "行数·"), ("Σ_layers", "Σ_各层"), ("gates", "门数"),
    (" (one slope a per channel, or one)", "（每个通道一个斜率 a，或共用一个）"),
)
_ZH_LAYER = re.compile(r" \(layer (\d+)\)")


def formula_text(f: Formula, lang: str) -> str:
    """One formula line as a reader of ``lang`` sees it (``str(f)`` is the English)."""
    text = f.text(lang)
    if lang == "zh":
        if f.name == "out":  # a symbol to the English reader, a word to the Chinese one
            text = "输出形状" + text[3:]
        for en, zh in _ZH_WORDS:
            text = text.replace(en, zh)
        text = _ZH_LAYER.sub(r"（层 \1）", text)  # PyTorch's index: weight_ih_l0
    return text


class NoFormula(Exception):
    """This configuration has no formula here: the summary shows the measured numbers."""


@dataclass
class Result:
    out_shape: tuple[int, ...]
    params: int
    mult_adds: int = 0
    neurons: int = 0
    formulas: list[Formula] = field(default_factory=list)


def _tuple(v: Any, n: int) -> tuple[int, ...]:
    if isinstance(v, tuple | list):
        if len(v) == 1:
            return tuple(int(v[0]) for _ in range(n))
        return tuple(int(x) for x in v)
    return tuple(int(v) for _ in range(n))


def _prod(xs) -> int:
    return math.prod(int(x) for x in xs)


_AXES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


def _spatial(in_shape: tuple[int, ...], nd: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(leading dims: batch and channels, or channels alone), (the nd spatial sizes)."""
    if len(in_shape) < nd + 1:
        raise NoFormula
    return tuple(in_shape[:-nd]), tuple(in_shape[-nd:])


def _axis_name(nd: int, i: int) -> str:
    return _AXES[nd][i]


def _conv_nd(m: Any, in_shape: tuple[int, ...], nd: int) -> Result:
    lead, sizes = _spatial(in_shape, nd)
    k = _tuple(m.kernel_size, nd)
    s = _tuple(m.stride, nd)
    d = _tuple(m.dilation, nd)
    g = int(getattr(m, "groups", 1))
    c_in, c_out = int(m.in_channels), int(m.out_channels)
    forms: list[Formula] = []
    out = []
    pad = m.padding
    for i, n in enumerate(sizes):
        a = _axis_name(nd, i)
        if isinstance(pad, str):
            if pad == "same":  # PyTorch pads so that the size stays (stride 1 only)
                forms.append(Formula(f"{a}2", f"{a}1 (padding='same')", "", n))
                out.append(n)
                continue
            p = 0
        else:
            p = _tuple(pad, nd)[i]
        span = n + 2 * p - d[i] * (k[i] - 1) - 1
        o = span // s[i] + 1
        expr = (f"⌊({a}1 + 2P − D·(F − 1) − 1)/S⌋ + 1" if d[i] != 1
                else f"⌊({a}1 − F + 2P)/S⌋ + 1")
        subst = (f"⌊({n} + 2·{p} − {d[i]}·({k[i]} − 1) − 1)/{s[i]}⌋ + 1" if d[i] != 1
                 else f"⌊({n} − {k[i]} + 2·{p})/{s[i]}⌋ + 1")
        forms.append(Formula(f"{a}2", expr, subst, o))
        out.append(o)
    kk = _prod(k)
    fk = "·".join(map(str, k))
    bias = getattr(m, "bias", None) is not None
    per = c_in // g
    params = c_out * per * kk + (c_out if bias else 0)
    gtxt = "(C_in/G)" if g != 1 else "C_in"
    gnum = f"({c_in}/{g})" if g != 1 else f"{c_in}"
    forms.append(Formula("params", f"C_out·{gtxt}·∏F" + (" + C_out" if bias else ""),
                         f"{c_out}·{gnum}·{fk}" + (f" + {c_out}" if bias else ""), params))
    batch = _prod(lead[:-1]) if len(lead) > 1 else 1
    positions = _prod(out)
    mult_adds = batch * positions * c_out * per * kk
    forms.append(Formula("mult-adds", f"N·∏out·C_out·{gtxt}·∏F",
                         f"{batch}·{positions}·{c_out}·{gnum}·{fk}", mult_adds))
    out_shape = lead[:-1] + (c_out,) + tuple(out)
    return Result(out_shape, params, mult_adds, c_out * positions, forms)


def _conv_transpose_nd(m: Any, in_shape: tuple[int, ...], nd: int) -> Result:
    lead, sizes = _spatial(in_shape, nd)
    k, s = _tuple(m.kernel_size, nd), _tuple(m.stride, nd)
    p, d = _tuple(m.padding, nd), _tuple(m.dilation, nd)
    op = _tuple(getattr(m, "output_padding", 0), nd)
    g = int(getattr(m, "groups", 1))
    c_in, c_out = int(m.in_channels), int(m.out_channels)
    forms, out = [], []
    for i, n in enumerate(sizes):
        a = _axis_name(nd, i)
        o = (n - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + op[i] + 1
        forms.append(Formula(f"{a}2", f"({a}1 − 1)·S − 2P + D·(F − 1) + P_out + 1",
                             f"({n} − 1)·{s[i]} − 2·{p[i]} + {d[i]}·({k[i]} − 1) + {op[i]} + 1",
                             o))
        out.append(o)
    kk, fk = _prod(k), "·".join(map(str, k))
    bias = getattr(m, "bias", None) is not None
    per = c_out // g
    params = c_in * per * kk + (c_out if bias else 0)
    gtxt, gnum = ("(C_out/G)", f"({c_out}/{g})") if g != 1 else ("C_out", f"{c_out}")
    forms.append(Formula("params", f"C_in·{gtxt}·∏F" + (" + C_out" if bias else ""),
                         f"{c_in}·{gnum}·{fk}" + (f" + {c_out}" if bias else ""), params))
    batch = _prod(lead[:-1]) if len(lead) > 1 else 1
    mult_adds = batch * _prod(sizes) * c_in * per * kk  # every input value meets every weight
    forms.append(Formula("mult-adds", f"N·∏in·C_in·{gtxt}·∏F",
                         f"{batch}·{_prod(sizes)}·{c_in}·{gnum}·{fk}", mult_adds))
    return Result(lead[:-1] + (c_out,) + tuple(out), params, mult_adds, c_out * _prod(out), forms)


def _pool_nd(m: Any, in_shape: tuple[int, ...], nd: int, dilated: bool) -> Result:
    lead, sizes = _spatial(in_shape, nd)
    k = _tuple(m.kernel_size, nd)
    s = _tuple(m.stride if m.stride is not None else m.kernel_size, nd)
    p = _tuple(m.padding, nd)
    d = _tuple(getattr(m, "dilation", 1), nd) if dilated else (1,) * nd
    ceil = bool(getattr(m, "ceil_mode", False))
    forms, out = [], []
    for i, n in enumerate(sizes):
        a = _axis_name(nd, i)
        span = n + 2 * p[i] - d[i] * (k[i] - 1) - 1
        if ceil:
            o = -(-span // s[i]) + 1
            # PyTorch's rule: the last window must start inside the input or its left padding
            if (o - 1) * s[i] >= n + p[i]:
                o -= 1
            expr = f"⌈({a}1 + 2P − D·(F − 1) − 1)/S⌉ + 1 (ceil_mode)"
            subst = f"⌈({n} + 2·{p[i]} − {d[i]}·({k[i]} − 1) − 1)/{s[i]}⌉ + 1"
        else:
            o = span // s[i] + 1
            expr = f"⌊({a}1 + 2P − D·(F − 1) − 1)/S⌋ + 1"
            subst = f"⌊({n} + 2·{p[i]} − {d[i]}·({k[i]} − 1) − 1)/{s[i]}⌋ + 1"
        forms.append(Formula(f"{a}2", expr, subst, o))
        out.append(o)
    forms.append(Formula("params", "0", "", 0))
    channels = _prod(lead[1:]) if len(lead) > 1 else _prod(lead)
    return Result(lead + tuple(out), 0, 0, channels * _prod(out), forms)


def _adaptive_nd(m: Any, in_shape: tuple[int, ...], nd: int) -> Result:
    lead, sizes = _spatial(in_shape, nd)
    want = m.output_size if isinstance(m.output_size, tuple | list) else (m.output_size,) * nd
    out = tuple(n if w is None else int(w) for n, w in zip(sizes, want, strict=True))
    forms = [Formula("out", "output_size", "", "×".join(map(str, out))),
             Formula("params", "0", "", 0)]
    channels = _prod(lead[1:]) if len(lead) > 1 else _prod(lead)
    return Result(lead + out, 0, 0, channels * _prod(out), forms)


def _unpool_nd(m: Any, in_shape: tuple[int, ...], nd: int) -> Result:
    lead, sizes = _spatial(in_shape, nd)
    k, s, p = _tuple(m.kernel_size, nd), _tuple(m.stride, nd), _tuple(m.padding, nd)
    forms, out = [], []
    for i, n in enumerate(sizes):
        a = _axis_name(nd, i)
        o = (n - 1) * s[i] - 2 * p[i] + k[i]
        forms.append(Formula(f"{a}2", f"({a}1 − 1)·S − 2P + F",
                             f"({n} − 1)·{s[i]} − 2·{p[i]} + {k[i]}", o))
        out.append(o)
    forms.append(Formula("params", "0", "", 0))
    return Result(lead + tuple(out), 0, 0, 0, forms)


def _pad_nd(m: Any, in_shape: tuple[int, ...], nd: int) -> Result:
    pads = _tuple(m.padding, 2 * nd)  # (left, right, top, bottom, front, back): last dim first
    shape = list(in_shape)
    forms = []
    for j in range(nd):
        axis = len(shape) - 1 - j
        before, after = pads[2 * j], pads[2 * j + 1]
        n = shape[axis]
        shape[axis] = n + before + after
        a = _axis_name(nd, nd - 1 - j)
        forms.append(Formula(f"{a}2", f"{a}1 + P_before + P_after", f"{n} + {before} + {after}",
                             shape[axis]))
    forms.append(Formula("params", "0", "", 0))
    return Result(tuple(shape), 0, 0, 0, forms)


def _embedding(m: Any, in_shape: tuple[int, ...]) -> Result:
    v, dim = int(m.num_embeddings), int(m.embedding_dim)
    params = v * dim
    out = tuple(in_shape) + (dim,)
    forms = [Formula("out", "input shape × embedding_dim",
                     f"{'×'.join(map(str, in_shape)) or 'scalar'} × {dim}",
                     "×".join(map(str, out))),
             Formula("params", "num_embeddings·embedding_dim", f"{fmt(v)}·{dim}", params),
             Formula("mult-adds (a table lookup)", "0", "", 0)]
    return Result(out, params, 0, 0, forms)


_GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


def _rnn(m: Any, in_shape: tuple[int, ...]) -> Result:
    kind = type(m).__name__
    gates = _GATES[kind]
    h, layers = int(m.hidden_size), int(m.num_layers)
    dirs = 2 if m.bidirectional else 1
    proj = int(getattr(m, "proj_size", 0) or 0)
    h_out = proj or h
    bias = bool(m.bias)
    out: tuple[int, ...]
    if len(in_shape) == 3:
        batch, steps = (in_shape[0], in_shape[1]) if m.batch_first else (in_shape[1], in_shape[0])
        out = ((batch, steps, dirs * h_out) if m.batch_first else (steps, batch, dirs * h_out))
    elif len(in_shape) == 2:  # unbatched (L, I)
        batch, steps = 1, in_shape[0]
        out = (steps, dirs * h_out)
    else:
        raise NoFormula
    axes = ("(N, L, D·H_out)" if m.batch_first else "(L, N, D·H_out)") if len(in_shape) == 3 \
        else "(L, D·H_out)"
    nums = ", ".join(map(str, out[:-1])) + f", {dirs}·{h_out}"
    forms = [Formula("out", axes, f"({nums})", "×".join(map(str, out)))]
    g = f"{gates}·" if gates > 1 else ""
    params = macs = 0
    terms = []
    for layer in range(layers):
        i_l = int(m.input_size) if layer == 0 else dirs * h_out
        name_i = "I" if layer == 0 else "D·H_out"
        hh = proj or h
        per = gates * h * (i_l + hh) + (2 * gates * h if bias else 0) + (proj * h if proj else 0)
        expr = f"D·({g}H·({name_i} + {'P' if proj else 'H'})" + (f" + 2·{g}H" if bias else "") \
            + (" + P·H" if proj else "") + ")"
        subst = f"{dirs}·({g}{h}·({i_l} + {hh})" + (f" + 2·{g}{h}" if bias else "") \
            + (f" + {proj}·{h}" if proj else "") + ")"
        forms.append(Formula(f"params (layer {layer})", expr, subst, dirs * per))
        params += dirs * per
        macs += dirs * steps * batch * (gates * h * (i_l + hh) + (proj * h if proj else 0))
        terms.append(f"{g}{h}·({i_l} + {hh})" + (f" + {proj}·{h}" if proj else ""))
    forms.append(Formula("mult-adds", f"N·L·D·Σ_layers {g}H·(I_l + H)" + (" + P·H" if proj else ""),
                         f"{batch}·{steps}·{dirs}·({' + '.join(terms)})", macs))
    return Result(out, params, macs, 0, forms)


def _cell(m: Any, in_shape: tuple[int, ...]) -> Result:
    kind = type(m).__name__.replace("Cell", "")
    gates = _GATES[kind]
    h, i = int(m.hidden_size), int(m.input_size)
    bias = bool(m.bias)
    g = f"{gates}·" if gates > 1 else ""
    params = gates * h * (i + h) + (2 * gates * h if bias else 0)
    batch = in_shape[0] if len(in_shape) == 2 else 1
    out = (batch, h) if len(in_shape) == 2 else (h,)
    forms = [Formula("params", f"{g}H·(I + H)" + (f" + 2·{g}H" if bias else ""),
                     f"{g}{h}·({i} + {h})" + (f" + 2·{g}{h}" if bias else ""), params)]
    macs = batch * gates * h * (i + h)
    forms.append(Formula("mult-adds", f"N·{g}H·(I + H)", f"{batch}·{g}{h}·({i} + {h})", macs))
    return Result(out, params, macs, 0, forms)


def _norm_channels(m: Any, in_shape: tuple[int, ...], key: str) -> Result:
    c = int(getattr(m, key))
    affine = bool(getattr(m, "affine", True))
    has_bias = getattr(m, "bias", None) is not None
    params = (c + (c if has_bias else 0)) if affine and getattr(m, "weight", None) is not None \
        else 0
    forms = [Formula("params", "2·C (γ and β)" if params == 2 * c else "C" if params else "0",
                     f"2·{c}" if params == 2 * c else (f"{c}" if params else ""), params)]
    return Result(tuple(in_shape), params, 0, 0, forms)


def _layernorm(m: Any, in_shape: tuple[int, ...]) -> Result:
    shape = tuple(int(n) for n in m.normalized_shape)
    n = _prod(shape)
    w = getattr(m, "weight", None) is not None
    b = getattr(m, "bias", None) is not None
    params = (n if w else 0) + (n if b else 0)
    txt = "·".join(map(str, shape))
    forms = [Formula("params", "2·∏normalized_shape (γ and β)" if w and b else
                     "∏normalized_shape" if w else "0",
                     f"2·{txt}" if w and b else (txt if w else ""), params)]
    return Result(tuple(in_shape), params, 0, 0, forms)


def _prelu(m: Any, in_shape: tuple[int, ...]) -> Result:
    n = int(m.num_parameters)
    return Result(tuple(in_shape), n, 0, 0,
                  [Formula("params", "num_parameters (one slope a per channel, or one)", "", n)])


def _same(m: Any, in_shape: tuple[int, ...]) -> Result:
    return Result(tuple(in_shape), 0, 0, 0, [Formula("params", "0", "", 0)])


_TABLE: dict[str, Callable[[Any, tuple[int, ...]], Result]] = {
    "Conv1d": lambda m, s: _conv_nd(m, s, 1),
    "Conv2d": lambda m, s: _conv_nd(m, s, 2),
    "Conv3d": lambda m, s: _conv_nd(m, s, 3),
    "ConvTranspose1d": lambda m, s: _conv_transpose_nd(m, s, 1),
    "ConvTranspose2d": lambda m, s: _conv_transpose_nd(m, s, 2),
    "ConvTranspose3d": lambda m, s: _conv_transpose_nd(m, s, 3),
    "MaxPool1d": lambda m, s: _pool_nd(m, s, 1, True),
    "MaxPool2d": lambda m, s: _pool_nd(m, s, 2, True),
    "MaxPool3d": lambda m, s: _pool_nd(m, s, 3, True),
    "AvgPool1d": lambda m, s: _pool_nd(m, s, 1, False),
    "AvgPool2d": lambda m, s: _pool_nd(m, s, 2, False),
    "AvgPool3d": lambda m, s: _pool_nd(m, s, 3, False),
    "AdaptiveAvgPool1d": lambda m, s: _adaptive_nd(m, s, 1),
    "AdaptiveAvgPool2d": lambda m, s: _adaptive_nd(m, s, 2),
    "AdaptiveAvgPool3d": lambda m, s: _adaptive_nd(m, s, 3),
    "AdaptiveMaxPool1d": lambda m, s: _adaptive_nd(m, s, 1),
    "AdaptiveMaxPool2d": lambda m, s: _adaptive_nd(m, s, 2),
    "AdaptiveMaxPool3d": lambda m, s: _adaptive_nd(m, s, 3),
    "MaxUnpool1d": lambda m, s: _unpool_nd(m, s, 1),
    "MaxUnpool2d": lambda m, s: _unpool_nd(m, s, 2),
    "MaxUnpool3d": lambda m, s: _unpool_nd(m, s, 3),
    "Embedding": _embedding,
    "RNN": _rnn, "LSTM": _rnn, "GRU": _rnn,
    "RNNCell": _cell, "LSTMCell": _cell, "GRUCell": _cell,
    "BatchNorm1d": lambda m, s: _norm_channels(m, s, "num_features"),
    "BatchNorm2d": lambda m, s: _norm_channels(m, s, "num_features"),
    "BatchNorm3d": lambda m, s: _norm_channels(m, s, "num_features"),
    "InstanceNorm1d": lambda m, s: _norm_channels(m, s, "num_features"),
    "InstanceNorm2d": lambda m, s: _norm_channels(m, s, "num_features"),
    "InstanceNorm3d": lambda m, s: _norm_channels(m, s, "num_features"),
    "GroupNorm": lambda m, s: _norm_channels(m, s, "num_channels"),
    "LayerNorm": _layernorm,
    "PReLU": _prelu,
}
for _n in ("Reflection", "Replication", "Zero", "Constant", "Circular"):
    for _d in (1, 2, 3):
        _TABLE[f"{_n}Pad{_d}d"] = (lambda d: lambda m, s: _pad_nd(m, s, d))(_d)
for _n in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
           "FeatureAlphaDropout", "Identity", "ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU",
           "CELU", "GELU", "SiLU", "Mish", "Sigmoid", "Tanh", "Softplus", "Softsign",
           "Hardtanh", "Hardsigmoid", "Hardswish", "LogSigmoid", "Tanhshrink", "Softshrink",
           "Hardshrink", "Threshold", "Softmax", "LogSoftmax", "Softmin", "Softmax2d"):
    _TABLE[_n] = _same

KNOWN = frozenset(_TABLE)  # the layer types with a formula here
# those whose formula says more than "same shape, no parameters"
COMPUTED = frozenset(k for k, f in _TABLE.items() if f is not _same)


def formula(m: Any, in_shape: tuple[int, ...]) -> Result:
    """The formula of ``m`` for an input of ``in_shape`` (batch included); raises
    :class:`NoFormula` when this module type or configuration has none."""
    f = _TABLE.get(type(m).__name__)
    if f is None:
        raise NoFormula
    try:
        return f(m, tuple(int(n) for n in in_shape))
    except (AttributeError, TypeError, ValueError, ZeroDivisionError, IndexError) as exc:
        raise NoFormula from exc
