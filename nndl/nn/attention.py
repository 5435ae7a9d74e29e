"""``MultiheadAttention``, as ``torch.nn.MultiheadAttention``: the attention of the
Transformer, with PyTorch's parameter names so ``load_state_dict`` of a torch model works."""

from __future__ import annotations

import math

import numpy as np

from nndl.engine import ops
from nndl.engine.tensor import Tensor
from nndl.errors import ArgumentError, ShapeError
from nndl.nn import _explain, init
from nndl.nn import functional as F
from nndl.nn.linear import Linear
from nndl.nn.module import Formula, Module, Parameter, ShapeInfo, empty


class MultiheadAttention(Module):
    """Attends from each query position to all key positions with h heads in parallel,
    as ``torch.nn.MultiheadAttention`` ("Attention Is All You Need")::

        MultiHead(Q, K, V) = Concat(head_1, …, head_h)·W_Oᵀ + b_O
        head_i = softmax(Q·W_Qiᵀ·(K·W_Kiᵀ)ᵀ/√d + mask)·V·W_Viᵀ      (d = E/h)

    Each projection has a bias (``bias=True``); the attention weights get dropout in
    training.

    Args:
        embed_dim (int): E, the features of the queries (and of the output).
        num_heads (int): h, the heads; E must be divisible by h.
        dropout (float, optional): dropout on the attention weights. Default: 0
        bias (bool, optional): biases in the input and output projections. Default: ``True``
        add_bias_kv, add_zero_attn (bool, optional): only ``False`` is supported.
        kdim, vdim (int, optional): the features of key and value. Default: E
        batch_first (bool, optional): (N, L, E) instead of (L, N, E). Default: ``False``

    Shape:
        - query (L, N, E), key (S, N, kdim), value (S, N, vdim) ((N, ·, ·) with
          ``batch_first``, or unbatched (L, E), (S, kdim), (S, vdim))
        - key_padding_mask (N, S): True (or −∞) hides that key of that sample
        - attn_mask (L, S) or (N·h, L, S): True (or −∞) hides a query-key pair (note:
          the opposite of :func:`scaled_dot_product_attention`'s bool mask, as PyTorch)
        - Output: (attn_output (L, N, E), attn_weights (N, L, S), averaged over the heads,
          or (N, h, L, S) with ``average_attn_weights=False``; ``None`` with
          ``need_weights=False``)

    Parameters::

        params = 4·E·E + 4·E        (kdim = vdim = E; in_proj_weight (3E, E), in_proj_bias,
                                     out_proj.weight (E, E), out_proj.bias)
        params = E·(E + kdim + vdim) + E·E + 4·E     (other kdim, vdim)

    These are the formulas :meth:`describe` prints (bias=False drops the 4·E).

    Examples::

        >>> mha = nn.MultiheadAttention(16, 4, batch_first=True)
        >>> x = nndl.randn(2, 5, 16)
        >>> out, w = mha(x, x, x)  # self-attention
        >>> out.shape, w.shape
        ((2, 5, 16), (2, 5, 5))
        >>> print(mha.describe((5, 16)).formulas[0])
        params = 4·E·E + 4·E = 4·16·16 + 4·16 = 1,088
    """

    summary_name = "MultiheadAttention"
    in_proj_weight: Parameter | None
    q_proj_weight: Parameter | None
    k_proj_weight: Parameter | None
    v_proj_weight: Parameter | None

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: str | None = None,
                 dtype=None):
        super().__init__()
        name = type(self).__name__
        _explain.check_positive(name, embed_dim=embed_dim, num_heads=num_heads, kdim=kdim,
                                vdim=vdim)
        if embed_dim % num_heads:
            raise ArgumentError(f"{name}: embed_dim {embed_dim} must be divisible by "
                                f"num_heads {num_heads}")
        if add_bias_kv or add_zero_attn:
            raise ArgumentError(f"{name}: add_bias_kv and add_zero_attn are not supported")
        if not 0 <= dropout <= 1:
            raise ArgumentError(f"{name}: dropout must be in [0, 1], got {dropout}")
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, float(dropout)
        self.kdim, self.vdim = kdim or embed_dim, vdim or embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.head_dim, self.batch_first = embed_dim // num_heads, batch_first
        e = embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(empty((3 * e, e), dtype, device))
            self.q_proj_weight = self.k_proj_weight = self.v_proj_weight = None
        else:
            self.q_proj_weight = Parameter(empty((e, e), dtype, device))
            self.k_proj_weight = Parameter(empty((e, self.kdim), dtype, device))
            self.v_proj_weight = Parameter(empty((e, self.vdim), dtype, device))
            self.in_proj_weight = None
        self.in_proj_bias = Parameter(empty((3 * e,), dtype, device)) if bias else None
        self.out_proj = Linear(e, e, bias=bias, device=device, dtype=dtype)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        # PyTorch's: Xavier-uniform projections, zero biases
        for w in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight,
                  self.v_proj_weight):
            if w is not None:
                init.xavier_uniform_(w)
        for b in (self.in_proj_bias, self.out_proj.bias):
            if b is not None:
                init.zeros_(b)

    def _projections(self):
        e = self.embed_dim
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            ws = (w[:e], w[e:2 * e], w[2 * e:])
        else:
            ws = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        b = self.in_proj_bias
        bs = (b[:e], b[e:2 * e], b[2 * e:]) if b is not None else (None, None, None)
        return ws, bs

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask=None,
                need_weights: bool = True, attn_mask=None, average_attn_weights: bool = True,
                is_causal: bool = False):
        name = type(self).__name__
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ShapeError(f"{name}: query, key and value must all be 3-D (batched) or 2-D "
                             f"(unbatched), got {query.shape}, {key.shape}, {value.shape}")
        if is_causal and attn_mask is None:
            raise ArgumentError(f"{name}: is_causal is a hint that needs attn_mask",
                                hint="pass the causal mask as attn_mask, as PyTorch requires")
        unbatched = query.ndim == 2
        if unbatched:  # (L, E) → (1, L, E)
            query, key, value = (ops.unsqueeze(t, 0) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = np.asarray(getattr(key_padding_mask, "_arr",
                                                      key_padding_mask))[None]
        elif not self.batch_first:  # work batch first: (N, L, E)
            query, key, value = (ops.transpose(t, 0, 1) for t in (query, key, value))
        n, el, e = query.shape
        es = key.shape[1]
        if e != self.embed_dim or key.shape[-1] != self.kdim or value.shape[-1] != self.vdim:
            raise ShapeError(f"{name}: expected query/key/value features {self.embed_dim}/"
                             f"{self.kdim}/{self.vdim}, got {e}/{key.shape[-1]}/"
                             f"{value.shape[-1]}")
        if key.shape[:2] != value.shape[:2] or key.shape[0] != n:
            raise ShapeError(f"{name}: key {key.shape} and value {value.shape} must have the "
                             f"same batch and length, and the query's batch {n}")
        h, d = self.num_heads, self.head_dim

        def heads(p: Tensor) -> Tensor:  # (N, L, E) → (N, h, L, d)
            return ops.transpose(ops.reshape(p, n, p.shape[1], h, d), 1, 2)

        if query is key and key is value and self.in_proj_weight is not None:
            # self-attention: one GEMM for Q, K and V together, as PyTorch
            q, k, v = (heads(p) for p in ops.chunk(
                F.linear(query, self.in_proj_weight, self.in_proj_bias), 3, -1))
        else:
            (wq, wk, wv), (bq, bk, bv) = self._projections()
            q, k, v = (heads(F.linear(t, w, b)) for t, w, b in
                       ((query, wq, bq), (key, wk, bk), (value, wv, bv)))
        mask = F._additive_mask(attn_mask, query._arr, true_means_keep=False)
        if mask is not None:
            if tuple(mask.shape) not in ((el, es), (n * h, el, es)):
                raise ShapeError(f"{name}: attn_mask must be (L, S) = {(el, es)} or "
                                 f"(N·num_heads, L, S) = {(n * h, el, es)}, got "
                                 f"{tuple(mask.shape)}")
            if mask.ndim == 3:  # (N·h, L, S)
                mask = ops.reshape(mask, n, h, el, es)
        pad = F._additive_mask(key_padding_mask, query._arr, true_means_keep=False)
        if pad is not None:
            if tuple(pad.shape) != (n, es):
                raise ShapeError(f"{name}: key_padding_mask must be (N, S) = {(n, es)}, got "
                                 f"{tuple(pad.shape)}")
            pad = ops.reshape(pad, n, 1, 1, es)
            mask = pad if mask is None else mask + pad
        scale = 1.0 / math.sqrt(d)
        weights = None
        if need_weights or (self.dropout and self.training):
            # the weights are an output (or get dropout): softmax as an op of its own
            scores = ops.matmul(q, ops.transpose(k, -2, -1)) * scale
            weights = ops.softmax(scores if mask is None else scores + mask, -1)
            dropped = F.dropout(weights, self.dropout, self.training) if self.dropout else weights
            ctx = ops.matmul(dropped, v)  # (N, h, L, d)
        else:
            ctx = F._attention(q, k, v, mask, scale)  # one node
        ctx = ops.reshape(ops.transpose(ctx, 1, 2), n, el, e)
        out = self.out_proj(ctx)
        if unbatched:
            out = ops.squeeze(out, 0)
        elif not self.batch_first:
            out = ops.transpose(out, 0, 1)
        if not need_weights or weights is None:
            return out, None
        w = ops.mean(weights, 1) if average_attn_weights else weights
        return out, (ops.squeeze(w, 0) if unbatched else w)

    def describe(self, in_shape: tuple[int, ...], *, floor: bool = False) -> ShapeInfo:
        if len(in_shape) != 2 or in_shape[1] != self.embed_dim:
            raise _explain.LayerShapeError(
                f"{type(self).__name__} needs a sequence (L, E) with E = {self.embed_dim}, "
                f"got {in_shape}")
        e, kd, vd = self.embed_dim, self.kdim, self.vdim
        b = self.in_proj_bias is not None
        tail = " + 4·E" if b else ""
        if self._qkv_same_embed_dim:
            params = 4 * e * e + (4 * e if b else 0)
            form = Formula("params", "4·E·E" + tail, f"4·{e}·{e}" + (f" + 4·{e}" if b else ""),
                           params)
        else:
            params = e * (e + kd + vd) + e * e + (4 * e if b else 0)
            form = Formula("params", "E·(E + kdim + vdim) + E·E" + tail,
                           f"{e}·({e} + {kd} + {vd}) + {e}·{e}" + (f" + 4·{e}" if b else ""),
                           params)
        total, trainable = self._param_counts()
        if total != params:
            raise _explain.LayerShapeError(f"internal: the formula counts {params} parameters "
                                           f"but the layer holds {total}")
        el = in_shape[0]
        # self-attention: 3 projections, Q·Kᵀ, weights·V, the output projection
        mult_adds = 3 * el * e * e + 2 * el * el * e + el * e * e
        return ShapeInfo(tuple(in_shape), tuple(in_shape), total, trainable, mult_adds, 0, [form])

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"
