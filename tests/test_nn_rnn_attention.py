"""nn.RNN/LSTM/GRU, their cells, scaled_dot_product_attention and MultiheadAttention
against PyTorch (float64): torch's weights loaded through state_dict, every output, the
gradient of every input, initial state and parameter compared to 1e-9; backpropagation
through time also against central finite differences of nndl's own forward pass."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import require_torch
from test_ops_torch import Case, check, seeds

import nndl
from nndl import nn
from nndl.errors import NNDLError
from nndl.nn import functional as NF

torch = require_torch()
tnn = torch.nn
F = torch.nn.functional
TOL = dict(rtol=1e-9, atol=1e-9)


def _flat(y) -> list:
    out = []
    for v in (y if isinstance(y, tuple | list) else [y]):
        if v is not None:
            out += _flat(v) if isinstance(v, tuple | list) else [v]
    return out


def _close(a, b, what=""):
    assert tuple(a.shape) == tuple(b.shape), (what, a.shape, b.shape)
    np.testing.assert_allclose(np.asarray(a.data), b.detach().numpy(), err_msg=what, **TOL)


def _run_both(ours, theirs, inputs, states=None, **kw):
    """Load torch's weights, run both on the same inputs (and initial states), compare
    every output, then the gradients of a random weighting of all outputs."""
    theirs.double()
    ours.double()
    ours.load_state_dict(theirs.state_dict())
    rng = np.random.default_rng(0)
    xt = [torch.tensor(a, requires_grad=True) for a in inputs]
    xn = [nndl.tensor(a, requires_grad=True) for a in inputs]
    st_t = st_n = ()
    if states is not None:
        tt = [torch.tensor(s, requires_grad=True) for s in states]
        tn = [nndl.tensor(s, requires_grad=True) for s in states]
        st_t, st_n = ((tuple(tt),), (tuple(tn),)) if len(states) == 2 else ((tt[0],), (tn[0],))
    yt, yn = _flat(theirs(*xt, *st_t, **kw)), _flat(ours(*xn, *st_n, **kw))
    assert len(yt) == len(yn)
    lt = ln = 0
    for i, (a, b) in enumerate(zip(yn, yt, strict=True)):
        _close(a, b, f"output {i}")
        w = rng.standard_normal(tuple(b.shape))
        lt = lt + (b * torch.tensor(w)).sum()
        ln = ln + (a * nndl.tensor(w)).sum()
    lt.backward()
    ln.backward()
    for i, (a, b) in enumerate(zip(xn, xt, strict=True)):
        _close(a.grad, b.grad, f"grad of input {i}")
    if states is not None:
        for a, b in zip(_flat(st_n), _flat(st_t), strict=True):
            _close(a.grad, b.grad, "grad of an initial state")
    named = dict(theirs.named_parameters())
    assert sorted(named) == sorted(dict(ours.named_parameters()))
    for name, p in ours.named_parameters():
        _close(p.grad, named[name].grad, f"grad of {name}")


@st.composite
def rnn_config(draw):
    return dict(cls=draw(st.sampled_from(["RNN", "LSTM", "GRU"])),
                num_layers=draw(st.integers(1, 3)), bias=draw(st.booleans()),
                batch_first=draw(st.booleans()), bidirectional=draw(st.booleans()),
                relu=draw(st.booleans()), steps=draw(st.integers(1, 5)),
                n=draw(st.integers(1, 3)), i=draw(st.integers(1, 4)), h=draw(st.integers(1, 4)),
                given_state=draw(st.booleans()), unbatched=draw(st.booleans()))


@given(rnn_config())
def test_recurrent_layers_match_torch(c):
    kw = dict(num_layers=c["num_layers"], bias=c["bias"], batch_first=c["batch_first"],
              bidirectional=c["bidirectional"])
    if c["cls"] == "RNN":
        kw["nonlinearity"] = "relu" if c["relu"] else "tanh"
    ours, theirs = getattr(nn, c["cls"])(c["i"], c["h"], **kw), getattr(tnn, c["cls"])(c["i"], c["h"], **kw)
    rng = np.random.default_rng(c["steps"] * 7 + c["n"])
    n = c["n"]
    shape = (c["steps"], c["i"]) if c["unbatched"] else (
        (n, c["steps"], c["i"]) if c["batch_first"] else (c["steps"], n, c["i"]))
    states = None
    if c["given_state"]:
        d = 2 if c["bidirectional"] else 1
        s = (d * c["num_layers"], c["h"]) if c["unbatched"] else (d * c["num_layers"], n, c["h"])
        states = [rng.standard_normal(s) for _ in range(2 if c["cls"] == "LSTM" else 1)]
    _run_both(ours, theirs, [rng.standard_normal(shape)], states)


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("bias", [True, False])
def test_cells_match_torch(cls, bias):
    rng = np.random.default_rng(3)
    x, h = rng.standard_normal((4, 5)), rng.standard_normal((4, 6))
    make = lambda lib: getattr(lib, cls)(5, 6, bias=bias)  # noqa: E731
    _run_both(make(nn), make(tnn), [x])
    _run_both(make(nn), make(tnn), [x], [h, h * 0.5] if cls == "LSTMCell" else [h])
    _run_both(make(nn), make(tnn), [x[0]], [h[0], h[0] * 0.5] if cls == "LSTMCell" else [h[0]])
    if cls == "RNNCell":
        _run_both(nn.RNNCell(5, 6, nonlinearity="relu"), tnn.RNNCell(5, 6, nonlinearity="relu"),
                  [x], [h])


class _SelfAttention(nn.Module):
    """MultiheadAttention on one input (x as query, key and value), for _fd_check."""

    def __init__(self, m, need_weights: bool):
        super().__init__()
        self.m, self.need_weights = m, need_weights

    def forward(self, x):
        return self.m(x, x, x, need_weights=self.need_weights)


def _fd_check(model, x: np.ndarray, eps=1e-6):
    """Backpropagation through time against central differences of the forward pass, for
    the input and every parameter (float64)."""
    model.double()
    rng = np.random.default_rng(1)
    xn = nndl.tensor(x, requires_grad=True)
    outs = _flat(model(xn))
    ws = [rng.standard_normal(o.shape) for o in outs]
    sum((o * nndl.tensor(w)).sum() for o, w in zip(outs, ws, strict=True)).backward()

    def loss() -> float:
        with nndl.no_grad():
            return float(sum(np.sum(o.data * w) for o, w in zip(_flat(model(nndl.tensor(x))),
                                                               ws, strict=True)))

    arrays = [("input", x, xn.grad.data)] + [(name, p.data, p.grad.data)
                                              for name, p in model.named_parameters()]
    for name, arr, grad in arrays:
        fd = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + eps
            up = loss()
            arr[idx] = old - eps
            down = loss()
            arr[idx] = old
            fd[idx] = (up - down) / (2 * eps)
        np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("make", [  # recurrent layers (through time) and attention
    lambda: nn.RNN(2, 3, num_layers=2, bidirectional=True),
    lambda: nn.RNN(2, 3, nonlinearity="relu"),
    lambda: nn.LSTM(2, 3, num_layers=2),
    lambda: nn.LSTM(2, 2, bidirectional=True, bias=False),
    lambda: nn.GRU(2, 3, num_layers=2, bidirectional=True),
    lambda: nn.LSTMCell(2, 3), lambda: nn.GRUCell(2, 3),
    lambda: _SelfAttention(nn.MultiheadAttention(4, 2), need_weights=True),
    lambda: _SelfAttention(nn.MultiheadAttention(4, 2, batch_first=True), need_weights=False)])
def test_backprop_through_time_matches_finite_differences(make):
    model = make()
    shape = {"LSTMCell": (3, 2), "GRUCell": (3, 2), "_SelfAttention": (3, 2, 4)}.get(
        type(model).__name__, (4, 2, 2))
    _fd_check(model, np.random.default_rng(2).standard_normal(shape))


def test_state_dict_of_a_torch_lstm_loads_and_keys_match():
    theirs = tnn.LSTM(3, 4, num_layers=2, bidirectional=True)
    ours = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert repr(ours) == repr(theirs)
    ours.flatten_parameters()  # course code calls it (for cuDNN); a no-op here and on CPU
    assert [[tuple(p.shape) for p in ws] for ws in ours.all_weights] == [
        [tuple(p.shape) for p in ws] for ws in theirs.all_weights]


def test_dropout_between_layers_only_in_training():
    nndl.manual_seed(0)
    m = nn.GRU(3, 4, num_layers=2, dropout=0.5)
    x = nndl.randn(5, 2, 3)
    m.eval()
    a, b = m(x)[0].data, m(x)[0].data
    np.testing.assert_array_equal(a, b)
    m.train()
    assert not np.allclose(m(x)[0].data, a)
    one = nn.GRU(3, 4, dropout=0.5)  # one layer: nothing to drop between
    one.train()
    np.testing.assert_array_equal(one(x)[0].data, one.eval()(x)[0].data)


def test_recurrent_errors_are_nndl_errors():
    for call in (lambda: nn.LSTM(3, 4)(nndl.randn(5, 2, 7)),
                 lambda: nn.LSTM(3, 4)(nndl.randn(5, 2, 3), nndl.zeros(1, 2, 4)),
                 lambda: nn.GRU(3, 4)(nndl.randn(5, 2, 3), nndl.zeros(2, 2, 4)),
                 lambda: nn.RNN(3, 4, nonlinearity="sigmoid"),
                 lambda: nn.LSTM(3, 4, proj_size=2),
                 lambda: nn.GRUCell(3, 4)(nndl.randn(2, 5)),
                 lambda: nn.LSTM(3, 4)(nndl.ones(5, 2, 3, dtype=nndl.int64)),  # tokens, not floats
                 lambda: nn.GRUCell(3, 4)(nndl.ones(2, 3, dtype=nndl.int64)),
                 lambda: nn.MultiheadAttention(8, 2)(*[nndl.randn(3, 2, 8)] * 3,
                                                     attn_mask=np.zeros((4, 4), bool))):
        with pytest.raises(NNDLError):
            call()


# ---------------------------------------------------------------------------- attention
@st.composite
def sdpa_args(draw):
    batch = tuple(draw(st.lists(st.integers(1, 2), min_size=0, max_size=2)))
    el, es, e, ev = (draw(st.integers(1, 4)) for _ in range(4))
    mask = draw(st.sampled_from(["none", "causal", "bool", "float"]))
    return batch, el, es, e, ev, mask, draw(st.sampled_from([None, 0.5]))


@given(sdpa_args(), seeds)
def test_scaled_dot_product_attention(args, seed):
    batch, el, es, e, ev, mask, scale = args
    rng = np.random.default_rng(seed)
    kw: dict = dict(scale=scale)
    if mask == "causal":
        kw["is_causal"] = True
    elif mask == "bool":
        m = rng.random((el, es)) > 0.4
        m[:, 0] = True  # every query attends somewhere (else both give NaN)
        kw_t = dict(kw, attn_mask=torch.tensor(m))
        check(Case(lambda q, k, v: NF.scaled_dot_product_attention(q, k, v, attn_mask=m, **kw),
                   lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kw_t),
                   ("real",) * 3), [batch + (el, e), batch + (es, e), batch + (es, ev)], seed)
        return
    if mask == "float":  # a learnable additive mask gets its gradient too
        check(Case(lambda q, k, v, m: NF.scaled_dot_product_attention(q, k, v, attn_mask=m, **kw),
                   lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m, **kw),
                   ("real",) * 4), [batch + (el, e), batch + (es, e), batch + (es, ev), (el, es)],
              seed)
        return
    check(Case(lambda q, k, v: NF.scaled_dot_product_attention(q, k, v, **kw),
               lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kw), ("real",) * 3),
          [batch + (el, e), batch + (es, e), batch + (es, ev)], seed)


@st.composite
def mha_config(draw):
    h = draw(st.integers(1, 3))
    return dict(e=h * draw(st.integers(1, 3)), h=h, bias=draw(st.booleans()),
                batch_first=draw(st.booleans()), kv=draw(st.sampled_from(["self", "cross", "kvdim"])),
                mask=draw(st.sampled_from(["none", "causal", "float3d", "padding"])),
                need=draw(st.booleans()), average=draw(st.booleans()),
                unbatched=draw(st.booleans()), n=draw(st.integers(1, 3)),
                el=draw(st.integers(1, 4)), es=draw(st.integers(1, 4)))


@given(mha_config())
def test_multihead_attention_matches_torch(c):
    e, h, n = c["e"], c["h"], c["n"]
    kd, vd = (e + 1, e + 2) if c["kv"] == "kvdim" else (None, None)
    kw = dict(bias=c["bias"], batch_first=c["batch_first"], kdim=kd, vdim=vd)
    ours, theirs = nn.MultiheadAttention(e, h, **kw), tnn.MultiheadAttention(e, h, **kw)
    rng = np.random.default_rng(c["el"] * 10 + c["es"])
    el, es = c["el"], (c["el"] if c["kv"] == "self" else c["es"])
    if c["unbatched"]:
        shapes = [(el, e), (es, kd or e), (es, vd or e)]
    elif c["batch_first"]:
        shapes = [(n, el, e), (n, es, kd or e), (n, es, vd or e)]
    else:
        shapes = [(el, n, e), (es, n, kd or e), (es, n, vd or e)]
    x = [rng.standard_normal(s) for s in shapes]
    if c["kv"] == "self":
        x = [x[0], x[0], x[0]]
    call = dict(need_weights=c["need"], average_attn_weights=c["average"])
    if c["mask"] == "causal":
        m = np.triu(np.ones((el, es), dtype=bool), 1)
        _both_masked(ours, theirs, x, call, attn_mask=m)
    elif c["mask"] == "float3d" and not c["unbatched"]:
        _both_masked(ours, theirs, x, call, attn_mask=rng.standard_normal((n * h, el, es)))
    elif c["mask"] == "padding":
        m = rng.random((es,) if c["unbatched"] else (n, es)) > 0.6
        m[..., 0] = False  # every sample keeps one key
        _both_masked(ours, theirs, x, call, key_padding_mask=m)
    else:
        _run_both(ours, theirs, x, **call)


def _both_masked(ours, theirs, x, call, **masks):
    """_run_both with masks that are arrays for nndl and tensors for torch."""
    theirs.double()
    ours.double()
    ours.load_state_dict(theirs.state_dict())

    class Wrap:  # the same call with torch tensors for the masks
        def __init__(self, m, tensors):
            self.m, self.tensors = m, tensors

        def __call__(self, *a, **k):
            extra = {key: torch.tensor(v) if self.tensors else v for key, v in masks.items()}
            return self.m(*a, **k, **extra)

        def __getattr__(self, name):
            return getattr(self.m, name)

    _run_both(Wrap(ours, False), Wrap(theirs, True), x, **call)


def test_multihead_attention_state_dict_and_dropout():
    theirs, ours = tnn.MultiheadAttention(8, 2), nn.MultiheadAttention(8, 2)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    m = nn.MultiheadAttention(8, 2, dropout=0.5)
    x = nndl.randn(4, 2, 8)
    m.eval()
    np.testing.assert_array_equal(m(x, x, x)[0].data, m(x, x, x)[0].data)
    with pytest.raises(NNDLError):
        nn.MultiheadAttention(10, 3)
    with pytest.raises(NNDLError):
        m(x, x, x, is_causal=True)  # the hint needs the mask, as torch
    with pytest.raises(NNDLError):
        NF.scaled_dot_product_attention(x, x, x, attn_mask=np.ones((2, 8, 8), bool),
                                        is_causal=True)


def test_base_classes_as_torch():
    """course code tests isinstance(layer, nn.RNNBase) / nn.RNNCellBase, as with torch."""
    for name in ("RNN", "LSTM", "GRU"):
        assert issubclass(getattr(nn, name), nn.RNNBase) == issubclass(getattr(tnn, name),
                                                                      tnn.RNNBase)
    for name in ("RNNCell", "LSTMCell", "GRUCell"):
        assert issubclass(getattr(nn, name), nn.RNNCellBase) == issubclass(getattr(tnn, name),
                                                                          tnn.RNNCellBase)
    assert not issubclass(nn.LSTMCell, nn.RNNBase) and not issubclass(tnn.LSTMCell, tnn.RNNBase)
