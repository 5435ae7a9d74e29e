"""Where nndl once gave another answer than PyTorch (issue 17, "Wrong today"): each case is
run on both and compared — values, shapes, dtypes, gradients and the exception types that
course code catches."""

from __future__ import annotations

import math

import numpy as np
import pytest
from oracles import require_torch

import nndl
import nndl.nn.functional as F
from nndl import nn
from nndl.errors import NNDLError

torch = require_torch()
TF = torch.nn.functional


def _same(x: nndl.Tensor, t, atol=1e-6) -> None:
    assert tuple(x.shape) == tuple(t.shape)
    assert str(x.dtype) == str(t.dtype).removeprefix("torch."), (x.dtype, t.dtype)
    np.testing.assert_allclose(np.asarray(x.data, dtype=np.float64),
                               t.detach().numpy().astype(np.float64), atol=atol, rtol=1e-6)


# ----------------------------------------------------------------- pow at 0 ** 0
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pow_zero_to_zero_gradient_is_zero(dtype):
    base, exp = np.array([0.0, 0.0, 2.0, 0.0]), np.array([0.0, 1.0, 0.0, 2.0])
    x = nndl.tensor(base, dtype=dtype, requires_grad=True)
    y = nndl.tensor(exp, dtype=dtype, requires_grad=True)
    tx = torch.tensor(base, dtype=getattr(torch, dtype), requires_grad=True)
    ty = torch.tensor(exp, dtype=getattr(torch, dtype), requires_grad=True)
    (x ** y).sum().backward()
    (tx ** ty).sum().backward()
    _same(x.grad, tx.grad)
    _same(y.grad, ty.grad)
    # 0-d tensors (the scalar path's operands) too
    a = nndl.tensor(0.0, requires_grad=True)
    b = nndl.tensor(0.0, requires_grad=True)
    (a ** b).backward()
    assert a.grad.item() == 0.0 and b.grad.item() == 0.0


# ----------------------------------------------------------------- advanced indexing
INDEXES = [
    lambda L: (0, slice(None), L([0, 1])),
    lambda L: (L([0, 1]), slice(None), 0),
    lambda L: (slice(None), 0, L([0, 1])),
    lambda L: (0, L([0, 1]), slice(None)),
    lambda L: (0, Ellipsis, L([0, 1])),
    lambda L: (None, 0, slice(None), L([0, 1])),
    lambda L: (L([0, 1]), 0, L([1, 3])),
    lambda L: (L([1, 0]), slice(None), L([0, 3])),
    lambda L: (1, slice(1, 3), L([[0, 1], [3, 3]])),
    lambda L: (-1, L([True, False, True]), slice(None)),
    lambda L: (0, slice(None), L([2, 2, 0])),  # repeated: gradients accumulate
]


@pytest.mark.parametrize("k", range(len(INDEXES)))
@pytest.mark.parametrize("as_tensor", [False, True])
def test_advanced_index_dims_are_placed_as_pytorch(k, as_tensor):
    data = np.arange(24.0).reshape(2, 3, 4)
    nindex = INDEXES[k](lambda v: nndl.tensor(v) if as_tensor else v)
    tindex = INDEXES[k](lambda v: torch.tensor(v))
    x = nndl.tensor(data, dtype=nndl.float64, requires_grad=True)
    t = torch.tensor(data, requires_grad=True)
    y, ty = x[nindex], t[tindex]
    _same(y, ty)
    w = np.random.default_rng(k).standard_normal(y.shape)
    y.backward(w)
    ty.backward(torch.tensor(w))
    _same(x.grad, t.grad)


def test_zero_d_integer_tensor_indexes_as_an_int():
    data = np.arange(24.0).reshape(2, 3, 4)
    x, t = nndl.tensor(data), torch.tensor(data)
    _same(x[nndl.tensor(1), :, [0, 1]], t[torch.tensor(1), :, [0, 1]])
    _same(x[nndl.tensor(1)], t[torch.tensor(1)])


# ----------------------------------------------------------------- arange dtypes
@pytest.mark.parametrize("args", [(5,), (5.5, 175.5, 2.5), (1, 10, 3), (0, 1, 0.1), (-3, 3),
                                  (2.0,), (0, 5, 2), (10, 0, -3), (1, 2.5)])
def test_arange_dtype_and_values(args):
    _same(nndl.arange(*args), torch.arange(*args))


def test_arange_explicit_dtype():
    _same(nndl.arange(0, 5, dtype=nndl.float64), torch.arange(0, 5, dtype=torch.float64))
    _same(nndl.arange(5, dtype=nndl.float32), torch.arange(5, dtype=torch.float32))


# ----------------------------------------------------------------- cross-entropy targets
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(4, 5), (5,), (2, 5, 3), (2, 5, 2, 2)])
def test_cross_entropy_probability_targets_get_a_gradient(reduction, shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    p = rng.random(shape)
    p /= p.sum(axis=0 if len(shape) == 1 else 1, keepdims=True)
    nx, nt = (nndl.tensor(a, dtype=nndl.float64, requires_grad=True) for a in (x, p))
    tx, tt = (torch.tensor(a, requires_grad=True) for a in (x, p))
    out = F.cross_entropy(nx, nt, reduction=reduction)
    tout = TF.cross_entropy(tx, tt, reduction=reduction)
    _same(out, tout)
    w = rng.standard_normal(out.shape)
    out.backward(w)
    tout.backward(torch.tensor(w))
    _same(nx.grad, tx.grad)
    assert nt.grad is not None
    _same(nt.grad, tt.grad)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("options", [
    {}, {"weight": True}, {"ignore_index": 1}, {"label_smoothing": 0.2},
    {"weight": True, "ignore_index": 2, "label_smoothing": 0.1},
])
@pytest.mark.parametrize("soft", [False, True])
@pytest.mark.parametrize("shape", [(6, 4), (4,), (3, 4, 2), (2, 4, 3, 2, 2)])
def test_cross_entropy_options_match_torch(reduction, options, soft, shape):
    if soft and "ignore_index" in options:
        return  # ignore_index applies to class-index targets only
    rng = np.random.default_rng(1)
    c = shape[0] if len(shape) == 1 else shape[1]
    x = rng.standard_normal(shape)
    if soft:
        target = rng.random(shape)
    else:
        tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
        target = rng.integers(0, c, tshape)
    kw = {k: v for k, v in options.items() if k != "weight"}
    weight = rng.uniform(0.5, 2.0, c) if options.get("weight") else None
    nx = nndl.tensor(x, dtype=nndl.float64, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    out = F.cross_entropy(nx, nndl.tensor(target), reduction=reduction,
                          weight=None if weight is None else nndl.tensor(weight), **kw)
    tout = TF.cross_entropy(tx, torch.tensor(target), reduction=reduction,
                            weight=None if weight is None else torch.tensor(weight), **kw)
    _same(out, tout)
    w = rng.standard_normal(out.shape)
    out.backward(w)
    tout.backward(torch.tensor(w))
    _same(nx.grad, tx.grad)
    # the module form
    mod = nn.CrossEntropyLoss(weight=None if weight is None else nndl.tensor(weight),
                              reduction=reduction, **kw)
    _same(mod(nndl.tensor(x, dtype=nndl.float64), nndl.tensor(target)), tout)


# ----------------------------------------------------------------- nll_loss shapes
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(4, 3), (3,), (2, 3, 4), (2, 3, 2, 2, 2)])
@pytest.mark.parametrize("options", [{}, {"ignore_index": 0}, {"weight": True}])
def test_nll_loss_any_shape_matches_torch(reduction, shape, options):
    rng = np.random.default_rng(2)
    c = shape[0] if len(shape) == 1 else shape[1]
    x = rng.standard_normal(shape)
    target = rng.integers(0, c, () if len(shape) == 1 else (shape[0],) + shape[2:])
    weight = rng.uniform(0.5, 2.0, c) if options.get("weight") else None
    kw = {k: v for k, v in options.items() if k != "weight"}
    nx = nndl.tensor(x, dtype=nndl.float64, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    out = F.nll_loss(nx, nndl.tensor(target), reduction=reduction,
                     weight=None if weight is None else nndl.tensor(weight), **kw)
    tout = TF.nll_loss(tx, torch.tensor(target), reduction=reduction,
                       weight=None if weight is None else torch.tensor(weight), **kw)
    _same(out, tout)
    w = rng.standard_normal(out.shape)
    out.backward(w)
    tout.backward(torch.tensor(w))
    _same(nx.grad, tx.grad)
    mod = nn.NLLLoss(weight=None if weight is None else nndl.tensor(weight),
                     reduction=reduction, **kw)
    _same(mod(nndl.tensor(x, dtype=nndl.float64), nndl.tensor(target)), tout)


def test_loss_target_errors_are_the_builtins_torch_raises():
    x = np.zeros((2, 3))
    for fn, tfn in ((F.cross_entropy, TF.cross_entropy), (F.nll_loss, TF.nll_loss)):
        for target, exc in (([0, 5], IndexError), ([0, 1, 2], ValueError)):
            with pytest.raises(exc):
                tfn(torch.tensor(x), torch.tensor(target))
            with pytest.raises(exc) as info:
                fn(nndl.tensor(x), nndl.tensor(target))
            assert isinstance(info.value, NNDLError)
        with pytest.raises(ValueError):
            fn(nndl.tensor(x), nndl.tensor([0, 1]), reduction="avg")


# ----------------------------------------------------------------- == and hashing
def test_eq_is_elementwise_and_tensors_hash_by_identity():
    a, b = nndl.tensor([1.0, 2.0, 3.0]), nndl.tensor([1.0, 0.0, 3.0])
    ta, tb = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 0.0, 3.0])
    _same(a == b, ta == tb)
    _same(a != b, ta != tb)
    _same(a == 2.0, ta == 2.0)
    _same(2.0 == a, 2.0 == ta)  # noqa: SIM300 - the reflected ==
    _same(a != 2, ta != 2)
    assert (a == None) is False and (a != None) is True  # noqa: E711 - as torch
    assert (a == "x") is False
    d = {a: 1, b: 2}  # hashable, by identity
    assert d[a] == 1 and d[b] == 2 and len({a, b, a}) == 2
    assert hash(a) != hash(nndl.tensor([1.0, 2.0, 3.0])) or a is not None
    with pytest.raises(RuntimeError):
        bool(a == b)  # ambiguous, as torch
    with pytest.raises(RuntimeError):
        bool(ta == tb)
    assert bool(nndl.tensor([2.0]) == 2.0)
    assert (nndl.tensor(1.5) == 1.5).item() is True  # a 0-d scalar-path tensor


# ----------------------------------------------------------------- errors
def test_int_tensor_to_negative_power_raises_runtime_error():
    with pytest.raises(RuntimeError, match="negative integer powers"):
        torch.tensor([1, 2]) ** -2
    with pytest.raises(RuntimeError, match="negative integer powers") as info:
        nndl.tensor([1, 2]) ** -2
    assert isinstance(info.value, NNDLError)
    with pytest.raises(RuntimeError):
        nndl.tensor([1, 2]) ** nndl.tensor([1, -1])
    _same(nndl.tensor([1, 2]) ** 2, torch.tensor([1, 2]) ** 2)
    _same(nndl.tensor([1.0, 2.0]) ** -2, torch.tensor([1.0, 2.0]) ** -2)


def test_squeeze_dim_out_of_range_raises_index_error():
    for dim in (10, 1, -2):
        with pytest.raises(IndexError):
            torch.tensor(1.0).squeeze(dim)
        with pytest.raises(IndexError):
            nndl.tensor(1.0).squeeze(dim)
    for dim in (0, -1):
        _same(nndl.tensor(1.0).squeeze(dim), torch.tensor(1.0).squeeze(dim))
    with pytest.raises(IndexError):
        nndl.zeros(2, 3).squeeze(2)


ERRORS = [  # (what, nndl call, torch call, the built-in both raise)
    ("dim out of range", lambda m: m.zeros(2, 3).sum(5), IndexError),
    ("unsqueeze out of range", lambda m: m.zeros(2, 3).unsqueeze(5), IndexError),
    ("index out of range", lambda m: m.zeros(2, 3)[5], IndexError),
    ("matmul shapes", lambda m: m.zeros(2, 3) @ m.zeros(2, 3), RuntimeError),
    ("reshape size", lambda m: m.zeros(2, 3).reshape(5), RuntimeError),
    ("clamp without bounds", lambda m: m.zeros(2).clamp(), RuntimeError),
    ("int requires grad", lambda m: m.tensor([1, 2], requires_grad=True), RuntimeError),
    ("item of many", lambda m: m.zeros(2).item(), RuntimeError),
    ("permute duplicates", lambda m: m.zeros(2, 3).permute(0, 0), RuntimeError),
    ("expand", lambda m: m.zeros(2, 3).expand(3, 3), RuntimeError),
    ("stack sizes", lambda m: m.stack([m.zeros(2), m.zeros(3)]), RuntimeError),
    ("flatten order", lambda m: m.zeros(2, 3, 4).flatten(2, 0), RuntimeError),
    ("t() of 3-d", lambda m: m.zeros(2, 3, 4).t(), RuntimeError),
    ("len of 0-d", lambda m: len(m.tensor(1.0)), TypeError),
    ("backward twice", lambda m: _backward_twice(m), RuntimeError),
    ("backward without grad", lambda m: m.zeros(1).sum().backward(), RuntimeError),
    ("dropout p", lambda m: m.nn.functional.dropout(m.zeros(3), p=2), ValueError),
    ("reduction name", lambda m: m.nn.functional.mse_loss(m.zeros(2), m.zeros(2),
                                                         reduction="avg"), ValueError),
    ("empty optimiser", lambda m: m.optim.SGD([], lr=0.1), ValueError),
    ("negative lr", lambda m: m.optim.SGD([m.zeros(1, requires_grad=True)], lr=-0.1),
     ValueError),
    ("conv channels", lambda m: m.nn.functional.conv2d(m.zeros(1, 2, 3, 3),
                                                       m.zeros(1, 3, 2, 2)), RuntimeError),
]


def _backward_twice(m):
    x = m.ones(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


@pytest.mark.parametrize("what", [e[0] for e in ERRORS])
def test_errors_derive_from_the_builtin_torch_raises(what):
    _, call, exc = next(e for e in ERRORS if e[0] == what)
    with pytest.raises(exc):
        call(torch)
    with pytest.raises(exc) as info:
        call(nndl)
    assert isinstance(info.value, NNDLError), type(info.value)


# ----------------------------------------------------------------- dtypes and factories
def _dt(x) -> str:
    return str(x.dtype).removeprefix("torch.")


def test_dtype_names_are_torchs():
    for name in ("float16", "half", "float32", "float", "float64", "double", "int8", "uint8",
                 "int16", "short", "int32", "int", "int64", "long", "bool"):
        assert str(getattr(nndl, name)) == _dt(torch.ones(1, dtype=getattr(torch, name))), name


@pytest.mark.parametrize("cast", ["int", "long", "bool", "half", "float", "double", "short",
                                  "byte", "char"])
def test_casts(cast):
    data = np.array([-1.7, 0.0, 2.5, 3.2])
    got, want = getattr(nndl.tensor(data), cast)(), getattr(torch.tensor(data), cast)()
    assert _dt(got) == _dt(want)
    np.testing.assert_array_equal(got.data, want.numpy())


def test_to_and_type_and_device():
    x, t = nndl.tensor([1.5, -2.5]), torch.tensor([1.5, -2.5])
    for args in [(nndl.int32,), ("cpu",), ("cpu", nndl.float64)]:
        targs = tuple(getattr(torch, str(a)) if not isinstance(a, str) else a for a in args)
        assert _dt(x.to(*args)) == _dt(t.to(*targs))
    assert x.to(dtype=nndl.float64).dtype == np.float64
    assert x.to(nndl.tensor([1])).dtype == np.int64
    assert x.to(nndl.device("cpu")) is x and str(x.device) == "cpu"
    assert x.type(nndl.float64).dtype == np.float64
    assert nndl.cuda.is_available() is False
    with pytest.raises(RuntimeError):
        x.to("cuda")
    y = nndl.tensor([1.0, 2.0], requires_grad=True)
    (y.double() * 3).sum().backward()  # a differentiable cast
    assert y.grad.tolist() == [3.0, 3.0] and y.grad.dtype == np.float32


FACTORIES = [
    lambda m: m.zeros(2, 3), lambda m: m.ones((2,), dtype=m.int64), lambda m: m.empty(3),
    lambda m: m.full((2, 2), 7), lambda m: m.full((2,), 1.5), lambda m: m.full((2,), True),
    lambda m: m.full((1,), 2, dtype=m.float64), lambda m: m.eye(3), lambda m: m.eye(2, 3),
    lambda m: m.linspace(0, 1, 5), lambda m: m.linspace(-2, 2, 1), lambda m: m.logspace(0, 2, 3),
    lambda m: m.zeros_like(m.ones(2, dtype=m.int32)), lambda m: m.full_like(m.ones(2), 4),
    lambda m: m.ones_like(m.ones(2), dtype=m.float64), lambda m: m.arange(3).float(),
    lambda m: m.tensor([[1, 2]]).new_zeros(2), lambda m: m.tensor([1.0]).new_ones((1, 2)),
    lambda m: m.tensor([True]).new_tensor([0, 1]), lambda m: m.empty_like(m.ones(2, 2)),
]


@pytest.mark.parametrize("k", range(len(FACTORIES)))
def test_factories_match_torch(k):
    got, want = FACTORIES[k](nndl), FACTORIES[k](torch)
    assert tuple(got.shape) == tuple(want.shape)
    assert _dt(got) == _dt(want)
    if not any("empty" in n for n in FACTORIES[k].__code__.co_names):  # (undefined values)
        np.testing.assert_allclose(got.data, want.numpy(), rtol=1e-6)


RANDOM = [  # shapes and dtypes (the values come from another generator)
    lambda m: m.randn(2, 3), lambda m: m.rand((4,)), lambda m: m.randint(0, 10, (3, 2)),
    lambda m: m.randint(5, (4,)), lambda m: m.randint(3, 9, size=(2,)),
    lambda m: m.randn_like(m.ones(2, dtype=m.float64)), lambda m: m.rand_like(m.ones(3)),
    lambda m: m.randperm(5), lambda m: m.normal(0.0, 1.0, (2, 2)),
    lambda m: m.normal(m.zeros(3), m.ones(3)), lambda m: m.normal(2.0, 0.5, size=(3,)),
    lambda m: m.randint(0, 2, (3,), dtype=m.int32), lambda m: m.bernoulli(m.rand(4)),
    lambda m: m.multinomial(m.tensor([0.2, 0.8]), 3, replacement=True),
]


@pytest.mark.parametrize("k", range(len(RANDOM)))
def test_random_factories_shapes_and_dtypes(k):
    got, want = RANDOM[k](nndl), RANDOM[k](torch)
    assert tuple(got.shape) == tuple(want.shape)
    assert _dt(got) == _dt(want)


def test_random_values_are_in_range_and_seeded():
    nndl.manual_seed(0)
    a = nndl.randint(3, 9, (1000,))
    assert a.data.min() >= 3 and a.data.max() <= 8
    assert sorted(nndl.randperm(6).tolist()) == list(range(6))
    nndl.manual_seed(1)
    x = nndl.normal(2.0, 0.5, (4000,))
    assert abs(float(x.mean()) - 2.0) < 0.05 and abs(float(x.std()) - 0.5) < 0.05
    nndl.manual_seed(1)
    assert nndl.normal(2.0, 0.5, (4000,)).tolist() == x.tolist()


# ----------------------------------------------------------------- nn layers and utils
def test_embedding_module_matches_torch():
    weight = np.random.default_rng(0).standard_normal((6, 3))
    idx = np.array([[1, 0, 5], [5, 5, 2]])
    m = nn.Embedding.from_pretrained(nndl.tensor(weight), freeze=False, padding_idx=0)
    tm = torch.nn.Embedding.from_pretrained(torch.tensor(weight), freeze=False, padding_idx=0)
    out, tout = m(nndl.tensor(idx)), tm(torch.tensor(idx))
    _same(out, tout)
    w = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(w)
    tout.backward(torch.tensor(w))
    _same(m.weight.grad, tm.weight.grad)
    fresh = nn.Embedding(10, 4, padding_idx=3)
    assert fresh.weight.shape == (10, 4) and not fresh.weight.data[3].any()
    assert [k for k, _ in fresh.state_dict().items()] == list(
        torch.nn.Embedding(10, 4, padding_idx=3).state_dict())


@pytest.mark.parametrize("shape,normalized", [((2, 5), 5), ((2, 3, 4), (3, 4)), ((4,), (4,))])
def test_layer_norm_module_matches_torch(shape, normalized):
    x = np.random.default_rng(0).standard_normal(shape)
    m, tm = nn.LayerNorm(normalized), torch.nn.LayerNorm(normalized)
    params = np.random.default_rng(1).standard_normal((2,) + tm.weight.shape)
    for p, tp, v in zip(m.parameters(), tm.parameters(), params, strict=True):
        p.data[...] = v
        with torch.no_grad():
            tp.copy_(torch.tensor(v))
    m.double()
    tm.double()
    nx = nndl.tensor(x, dtype=nndl.float64, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    out, tout = m(nx), tm(tx)
    _same(out, tout)
    w = np.random.default_rng(2).standard_normal(shape)
    out.backward(w)
    tout.backward(torch.tensor(w))
    _same(nx.grad, tx.grad)
    for p, tp in zip(m.parameters(), tm.parameters(), strict=True):
        _same(p.grad, tp.grad)
    assert list(m.state_dict()) == list(tm.state_dict())


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 3.0])
@pytest.mark.parametrize("max_norm", [0.1, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    ps = [nndl.tensor(a, dtype=nndl.float64, requires_grad=True) for a in arrays]
    tps = [torch.tensor(a, requires_grad=True) for a in arrays]
    for p, tp, a in zip(ps, tps, arrays, strict=True):
        (p * nndl.tensor(a * 3)).sum().backward()
        (tp * torch.tensor(a * 3)).sum().backward()
    total = nn.utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type=norm_type)
    np.testing.assert_allclose(total.item(), ttotal.item(), rtol=1e-9)
    for p, tp in zip(ps, tps, strict=True):
        _same(p.grad, tp.grad, atol=1e-12)
    nn.utils.clip_grad_value_(ps, 0.5)
    torch.nn.utils.clip_grad_value_(tps, 0.5)
    for p, tp in zip(ps, tps, strict=True):
        _same(p.grad, tp.grad, atol=1e-12)
    vec = nn.utils.parameters_to_vector(ps)
    _same(vec, torch.nn.utils.parameters_to_vector(tps).detach())


# ----------------------------------------------------------------- optimisers and schedules
def _mlp(lib):
    return lib.Sequential(lib.Linear(4, 6), lib.Tanh(), lib.Linear(6, 3))


OPTIMISERS = [
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "weight_decay": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True, "eps": 1e-6}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.9, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.05,
                 "initial_accumulator_value": 0.1}),
]


@pytest.mark.parametrize(("name", "kwargs"), OPTIMISERS)
def test_optimisers_follow_torch(name, kwargs):
    torch.manual_seed(0)
    theirs = _mlp(torch.nn).double()
    ours = _mlp(nn).double()
    ours.load_state_dict(theirs.state_dict())
    opt_t = getattr(torch.optim, name)(theirs.parameters(), **kwargs)
    opt_n = getattr(nndl.optim, name)(ours.parameters(), **kwargs)
    rng = np.random.default_rng(0)
    for _ in range(6):
        x, y = rng.standard_normal((5, 4)), rng.integers(0, 3, 5)
        for model, opt, lib in ((theirs, opt_t, torch), (ours, opt_n, nndl)):
            opt.zero_grad()
            lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(y)).backward()
            opt.step()
    expected = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    for k, v in ours.state_dict().items():
        np.testing.assert_allclose(v.data, expected[k], rtol=1e-9, atol=1e-12, err_msg=k)


SCHEDULES = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [2, 5, 9], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 7}),
    ("CosineAnnealingLR", {"T_max": 5, "eta_min": 0.01}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.001}),
    ("LambdaLR", {"lr_lambda": lambda e: 1 / (e + 1)}),
    ("MultiplicativeLR", {"lr_lambda": lambda e: 0.95}),
    ("LinearLR", {"start_factor": 0.25, "total_iters": 4}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 3}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 15}),
    ("OneCycleLR", {"max_lr": [1.0, 0.5], "epochs": 3, "steps_per_epoch": 5,
                    "anneal_strategy": "linear", "three_phase": True}),
]


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULES)
@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
def test_schedules_follow_torch(name, kwargs, opt_name):
    steps = 14

    def run(lib):
        a, b = lib.nn.Linear(2, 2), lib.nn.Linear(2, 1)
        opt_kw = {"momentum": 0.9} if opt_name == "SGD" else {}
        opt = getattr(lib.optim, opt_name)([{"params": a.parameters()},
                                            {"params": b.parameters(), "lr": 0.05}], lr=0.1,
                                           **opt_kw)
        sched = getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
        seen = []
        for _ in range(steps):
            opt.step()
            sched.step()
            key = "betas" if opt_name == "Adam" else "momentum"
            seen.append((sched.get_last_lr(), [g[key] for g in opt.param_groups]))
        return seen

    if name == "OneCycleLR" and isinstance(kwargs["max_lr"], list):
        pass  # two groups, two max_lr: as given
    got, want = run(nndl), run(torch)
    for (lr, mom), (tlr, tmom) in zip(got, want, strict=True):
        np.testing.assert_allclose(lr, tlr, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(np.asarray(mom, dtype=float), np.asarray(tmom, dtype=float),
                                   rtol=1e-9)


@pytest.mark.parametrize("kwargs", [{}, {"mode": "max", "patience": 1, "factor": 0.5},
                                    {"patience": 0, "cooldown": 2, "threshold_mode": "abs",
                                     "threshold": 0.1, "min_lr": 0.02}])
def test_reduce_on_plateau_follows_torch(kwargs):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.5, 0.5, 0.52, 0.6, 0.61, 0.7, 0.4, 0.4, 0.4]

    def run(lib):
        opt = lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.1)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
        out = []
        for m in metrics:
            sched.step(m)
            out.append(opt.param_groups[0]["lr"])
        return out

    np.testing.assert_allclose(run(nndl), run(torch), rtol=1e-12)


def test_scheduler_imports_as_torchs():
    from nndl.optim.lr_scheduler import StepLR  # noqa: F401 - the import is what is tested

    with pytest.raises(ValueError):
        nndl.optim.lr_scheduler.OneCycleLR(nndl.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1),
                                           max_lr=1.0)


# ----------------------------------------------------------------- utils.data
def _batches(lib, dataset_args, **kw):
    ds = lib.utils.data.TensorDataset(*[lib.tensor(a) for a in dataset_args])
    return [tuple(np.asarray(t.numpy()) for t in batch)
            for batch in lib.utils.data.DataLoader(ds, **kw)]


@pytest.mark.parametrize("kw", [{}, {"batch_size": 4}, {"batch_size": 4, "drop_last": True},
                                {"batch_size": 20}, {"batch_size": 3, "drop_last": True}])
def test_dataloader_batches_match_torch(kw):
    x = np.arange(30.0).reshape(10, 3)
    y = np.arange(10)
    got, want = _batches(nndl, (x, y), **kw), _batches(torch, (x, y), **kw)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        for a, b in zip(g, w, strict=True):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_array_equal(a, b)
    ds = nndl.utils.data.TensorDataset(nndl.tensor(x), nndl.tensor(y))
    assert len(nndl.utils.data.DataLoader(ds, **kw)) == len(
        torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(x),
                                                                   torch.tensor(y)), **kw))


def test_dataloader_shuffles_every_pass_and_is_seeded():
    from nndl.utils.data import DataLoader, TensorDataset

    ds = TensorDataset(nndl.arange(50))
    nndl.manual_seed(0)
    loader = DataLoader(ds, batch_size=8, shuffle=True)
    first = np.concatenate([b[0].numpy() for b in loader])
    second = np.concatenate([b[0].numpy() for b in loader])
    assert sorted(first.tolist()) == list(range(50)) and first.tolist() != second.tolist()
    nndl.manual_seed(0)
    again = np.concatenate([b[0].numpy() for b in DataLoader(ds, batch_size=8, shuffle=True)])
    assert again.tolist() == first.tolist()


class _Pairs(nndl.utils.data.Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {"x": np.full(2, i, dtype=np.float32), "label": i, "w": i / 2, "name": f"s{i}"}


def test_default_collate_matches_torch():
    class TPairs(torch.utils.data.Dataset):
        __len__, __getitem__ = _Pairs.__len__, _Pairs.__getitem__

    got = list(nndl.utils.data.DataLoader(_Pairs(), batch_size=2))
    want = list(torch.utils.data.DataLoader(TPairs(), batch_size=2))
    for g, w in zip(got, want, strict=True):
        assert g["name"] == w["name"]
        for k in ("x", "label", "w"):
            assert _dt(g[k]) == _dt(w[k]), k
            np.testing.assert_array_equal(g[k].numpy(), w[k].numpy())
    batches = list(nndl.utils.data.DataLoader(_Pairs(), batch_size=None))
    assert len(batches) == 5 and batches[2]["label"] == 2


def test_subsets_splits_and_concat():
    from nndl.utils.data import ConcatDataset, Subset, TensorDataset, random_split

    ds = TensorDataset(nndl.arange(10))
    parts = random_split(ds, [7, 3])
    assert [len(p) for p in parts] == [7, 3]
    seen = sorted(int(p[i][0]) for p in parts for i in range(len(p)))
    assert seen == list(range(10))
    assert [len(p) for p in random_split(ds, [0.5, 0.3, 0.2])] == [5, 3, 2]
    assert int(Subset(ds, [4, 2])[1][0]) == 2
    both = ConcatDataset([ds, TensorDataset(nndl.arange(3) + 100)])
    assert len(both) == 13 and int(both[11][0]) == 101 and int((ds + ds)[12][0]) == 2
    with pytest.raises(ValueError):
        random_split(ds, [4, 4])


# ----------------------------------------------------------------- x[...] = v, x += y
def test_setitem_without_grad_matches_torch():
    def run(lib):
        X = lib.arange(12.0).reshape(3, 4)
        X[1, 2] = 9
        X[0:2, :] = 12
        X[-1] = lib.tensor([1.0, 2.0, 3.0, 4.0])
        X[X > 11] = 0
        X[[0, 2], 1] = -1
        Y = lib.zeros(2, 3, 4)
        Y[0, :, [0, 1]] = lib.ones(3, 2) * 5  # PyTorch's placement of the index dims
        Y[1, ..., 3] = 7
        Z = lib.zeros_like(X)
        Z[:] = X + 1
        return X, Y, Z

    for got, want in zip(run(nndl), run(torch), strict=True):
        _same(got, want)
    with pytest.raises(IndexError):
        nndl.zeros(2, 3)[5] = 1.0
    with pytest.raises(RuntimeError):
        nndl.zeros(2, 3)[0] = nndl.ones(4)


def test_setitem_with_grad_matches_torch():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        out = lib.zeros(4, dtype=lib.float64)
        for i in range(3):
            out[i + 1] = x[i] * (i + 1)  # a loop that fills a result
        y = x * 2
        y[0] = x[1] * 10  # into a node nothing else holds
        y[1:] = y[1:] * 3 + x[0]  # reads y, then overwrites what it read
        (out.sum() + (y * lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)).sum()).backward()
        return out, y, x.grad

    for got, want in zip(run(nndl), run(torch), strict=True):
        _same(got, want)


def test_setitem_refuses_what_it_cannot_record_soundly():
    x = nndl.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        x[0] = 5.0
    h = x * 2
    kept = h + 1  # h is an input of another op: its old value has a user
    with pytest.raises(RuntimeError, match="already an input"):
        h[0] = x[1]
    out = nndl.zeros(2)
    y = out + x  # a reader of out outside the value's graph
    with pytest.raises(RuntimeError, match="already an input"):
        out[0] = x[1]
    assert kept.shape == y.shape == (2,)
    held = [nndl.zeros(2)]  # a list holding the target is no graph: fine
    held[0][1] = x[0] * 3
    held[0].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0]
    with nndl.no_grad():
        x[0] = 5.0  # no graph recorded: in place
    assert x.tolist() == [5.0, 2.0]


def test_inplace_operators_match_torch():
    def run(lib):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        grad = lib.tensor([0.5, -1.0, 2.0])
        before = w
        with lib.no_grad():
            w -= 0.1 * grad  # sgd from scratch: the parameter itself changes
            w *= 2
            w /= 4
            w += 1
        a = lib.ones(2, 3)
        a += lib.tensor([1.0, 2.0, 3.0])  # broadcast into a
        n = lib.tensor([1, 2, 3])
        n *= 2
        return w, before, a, n

    got, want = run(nndl), run(torch)
    assert got[0] is got[1] and want[0] is want[1]
    for g, w in zip(got, want, strict=True):
        _same(g.detach(), w.detach())
    w = nndl.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place"):
        w -= 1.0
    with pytest.raises(RuntimeError):
        n = nndl.tensor([1, 2])
        n += 1.5  # a float result cannot be stored in an int tensor, as torch
    with pytest.raises(RuntimeError):
        a = nndl.ones(3)
        a += nndl.ones(2, 3)  # the result would not fit a's shape


def test_inplace_operators_in_a_graph_give_torchs_gradient():
    def run(lib):
        x = lib.tensor([1.0, -2.0], dtype=lib.float64, requires_grad=True)
        s = lib.tensor(0.0, dtype=lib.float64)
        for k in range(3):
            s += (x * (k + 1)).sum()
            s *= 1.5
        h = x * 1
        h /= 4
        (s + h.sum()).backward()
        return s, x.grad

    for got, want in zip(run(nndl), run(torch), strict=True):
        _same(got.detach(), want.detach())
    # the scalar path: += on 0-d float tensors builds the same graph as +
    a = nndl.tensor(2.0, requires_grad=True)
    total = nndl.tensor(0.0)
    for _ in range(3):
        total += a * a
    total.backward()
    assert a.grad.item() == 12.0


def test_inplace_methods():
    x = nndl.tensor([-1.0, 4.0, 9.0])
    assert x.clamp_(0, 5).tolist() == [0.0, 4.0, 5.0]
    assert x.sqrt_().tolist() == pytest.approx([0.0, 2.0, math.sqrt(5.0)])
    assert nndl.tensor([1.0, 2.0]).masked_fill_(nndl.tensor([True, False]), 7).tolist() == [7, 2]
    nndl.manual_seed(3)
    w = nndl.zeros(1000).normal_(2.0, 0.5)
    assert abs(float(w.mean()) - 2.0) < 0.1 and abs(float(w.std()) - 0.5) < 0.1
    u = nndl.zeros(1000).uniform_(-1, 1)
    assert float(u.min()) >= -1 and float(u.max()) < 1
    p = nndl.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        p.normal_()
    with nndl.no_grad():
        p.normal_()
    assert p.is_leaf and p.requires_grad


# ----------------------------------------------------------------- .data, axis=, size=
def test_data_takes_torchs_in_place_methods():
    def run(lib):
        lib.manual_seed(0)
        net = lib.nn.Sequential(lib.nn.Linear(3, 2))
        net[0].weight.data.normal_(0, 0.01)
        net[0].bias.data.fill_(0)
        w = net[0].weight
        w.data[:] = lib.tensor([[1.0, -6.0, 2.0], [7.0, 0.5, -3.0]])
        w.data *= w.data.abs() >= 2
        w.data[0, 0] = 42
        (net(lib.ones(1, 3)).sum()).backward()
        w.data[:] -= 0.5 * w.grad  # a tensor on the right of an array's -=
        w.grad.data.zero_()
        net[0].bias.data.copy_(lib.tensor([1.0, 2.0]))
        net[0].bias.data.add_(lib.tensor([1.0, 1.0]), alpha=2)
        return w.detach(), w.grad, net[0].bias.detach(), w.data.numel(), w.data.dim()

    got, want = run(nndl), run(torch)
    for g, t in zip(got[:3], want[:3], strict=True):
        _same(nndl.tensor(np.asarray(g.data)), t)
    assert got[3:] == want[3:]
    x = nndl.ones(2)
    assert isinstance(x.data, np.ndarray) and x.data is x.data
    assert np.shares_memory(x.data, x.numpy())


def test_axis_and_size_keywords():
    x = np.arange(6.0).reshape(2, 3)
    for fn in (lambda m, v: v.cumsum(axis=0), lambda m, v: v.argmax(axis=1),
               lambda m, v: v.prod(axis=1), lambda m, v: m.cumprod(v, axis=1),
               lambda m, v: v.any(axis=0), lambda m, v: v.sum(axis=1, keepdims=True),
               lambda m, v: m.logsumexp(v, axis=1)):
        got, want = fn(nndl, nndl.tensor(x)), fn(torch, torch.tensor(x))
        _same(got, want)
    for fn in (lambda m: m.randn(size=(2, 3)), lambda m: m.rand(size=()),
               lambda m: m.zeros(size=(4,)), lambda m: m.ones(size=(1, 2), dtype=m.int64)):
        got, want = fn(nndl), fn(torch)
        assert tuple(got.shape) == tuple(want.shape) and _dt(got) == _dt(want)


def test_module_to_device_and_dtype():
    m = nn.Linear(2, 2)
    assert m.to("cpu") is m and m.to(device=nndl.device("cpu")) is m and m.cpu() is m
    assert m.to("cpu", nndl.float64).weight.dtype == np.float64
    assert m.to(nndl.zeros(1)).weight.dtype == np.float32
    with pytest.raises(RuntimeError):
        m.to("cuda")


# ------------------------------------------------------- the rest of the support table (issue 17)
@pytest.mark.parametrize("amsgrad", [False, True])
def test_adamw_follows_torch(amsgrad):
    """AdamW's decoupled weight decay, step by step against torch.optim.AdamW (float64)."""
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 4))
    wn = nn.Parameter(nndl.tensor(w0))
    wt = torch.nn.Parameter(torch.tensor(w0))
    on = nndl.optim.AdamW([wn], lr=0.05, weight_decay=0.1, amsgrad=amsgrad)
    ot = torch.optim.AdamW([wt], lr=0.05, weight_decay=0.1, amsgrad=amsgrad)
    assert isinstance(on, nndl.optim.Optimizer)
    for _ in range(5):
        target = rng.standard_normal((3, 4))
        for w, opt, lib in ((wn, on, nndl), (wt, ot, torch)):
            opt.zero_grad()
            ((w - lib.tensor(target)) ** 4).sum().backward()
            opt.step()
        np.testing.assert_allclose(wn.data, wt.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_module_list_and_scheduler_base_follow_torch():
    def build(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.blocks = lib.nn.ModuleList([lib.nn.Linear(3, 3) for _ in range(2)])
                self.blocks.append(lib.nn.Linear(3, 1))

            def forward(self, x):
                for b in self.blocks:
                    x = b(x)
                return x
        return Net()

    ours, theirs = build(nndl), build(torch).double()
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((4, 3))
    np.testing.assert_allclose(ours(nndl.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-12)
    assert len(ours.blocks) == len(theirs.blocks) == 3
    # every schedule is an LRScheduler, as torch's
    sched = nndl.optim.lr_scheduler.StepLR(nndl.optim.SGD([nn.Parameter(nndl.zeros(1))], lr=1.0), 2)
    assert isinstance(sched, nndl.optim.lr_scheduler.LRScheduler)


def test_samplers_and_collate_follow_torch():
    from nndl.utils import data as nd
    td = torch.utils.data
    assert list(nd.SequentialSampler(range(5))) == list(td.SequentialSampler(range(5)))
    for drop in (False, True):
        assert list(nd.BatchSampler(nd.SequentialSampler(range(7)), 3, drop)) == list(
            td.BatchSampler(td.SequentialSampler(range(7)), 3, drop))
    nndl.manual_seed(0)
    assert sorted(nd.RandomSampler(range(6))) == list(range(6))  # a permutation
    assert len(list(nd.RandomSampler(range(6), replacement=True, num_samples=10))) == 10
    assert sorted(nd.SubsetRandomSampler([4, 1, 7])) == [1, 4, 7]
    assert issubclass(nd.SequentialSampler, nd.Sampler)
    batch = [({"x": np.array([1.0, 2.0]), "y": 3}, 1.5), ({"x": np.array([3.0, 4.0]), "y": 4}, 2.5)]
    got, want = nd.default_collate(batch), td.default_collate(batch)
    np.testing.assert_array_equal(got[0]["x"].data, want[0]["x"].numpy())
    np.testing.assert_array_equal(got[0]["y"].data, want[0]["y"].numpy())
    np.testing.assert_array_equal(got[1].data, want[1].numpy())

    class Stream(nd.IterableDataset):
        def __iter__(self):
            return iter(np.arange(7.0))

    class TStream(td.IterableDataset):
        def __iter__(self):
            return iter(np.arange(7.0))

    got = [b.data.tolist() for b in nd.DataLoader(Stream(), batch_size=3)]
    want = [b.tolist() for b in td.DataLoader(TStream(), batch_size=3)]
    assert got == want


@pytest.mark.parametrize(("fn", "kw"), [("kaiming_uniform_", dict(a=0.5)),
                                        ("kaiming_normal_", dict(mode="fan_out")),
                                        ("xavier_uniform_", dict(gain=2.0)),
                                        ("xavier_normal_", dict())])
def test_random_init_has_torchs_distribution(fn, kw):
    """Random initialisers draw from PyTorch's distribution: the same bound (uniform) and
    the same standard deviation (within sampling error on 200,000 draws)."""
    nndl.manual_seed(0)
    torch.manual_seed(0)
    p = nn.Parameter(nndl.zeros(400, 500))
    q = torch.nn.Parameter(torch.zeros(400, 500, dtype=torch.float64))
    getattr(nn.init, fn)(p, **kw)
    getattr(torch.nn.init, fn)(q, **kw)
    ours, theirs = np.asarray(p.data, dtype=np.float64), q.detach().numpy()
    assert ours.std() == pytest.approx(theirs.std(), rel=0.01)
    assert abs(ours.mean()) < 0.01 * theirs.std()
    if "uniform" in fn:
        assert np.abs(ours).max() <= np.abs(theirs).max() * 1.0001
        assert np.abs(ours).max() >= np.abs(theirs).max() * 0.999
