"""nndl.nn against PyTorch (float64): weights copied through state_dict, outputs and every
gradient compared to 1e-6, on Hypothesis-drawn configurations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import require_torch

import nndl
from nndl import nn

torch = require_torch()
tnn = torch.nn
TOL = dict(rtol=1e-6, atol=1e-6)


def _close(a, b, what=""):
    a = a.data if isinstance(a, nndl.Tensor) else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    assert a.shape == b.shape, (what, a.shape, b.shape)
    np.testing.assert_allclose(a, b, err_msg=what, **TOL)


def _run_both(ours: nn.Module, theirs, x: np.ndarray, *, loss_weights=None):
    """Copy torch's weights into ours, run both forward and backward on x, compare all."""
    theirs = theirs.double()
    ours.double()
    ours.load_state_dict(theirs.state_dict())
    xt = torch.tensor(x, requires_grad=True)
    xn = nndl.tensor(x, requires_grad=True)
    yt, yn = theirs(xt), ours(xn)
    _close(yn, yt, "output")
    w = np.random.default_rng(1).standard_normal(tuple(yt.shape))
    (yt * torch.tensor(w)).sum().backward()
    (yn * nndl.tensor(w)).sum().backward()
    _close(xn.grad, xt.grad, "input grad")
    named = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p.grad, named[name].grad, f"grad of {name}")
    for name, b in theirs.named_buffers():
        _close(ours.state_dict()[name], b, f"buffer {name}")
    return yn


@st.composite
def conv_config(draw):
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    eff = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
    h = draw(st.integers(max(1, eff[0] - 2 * p[0]), eff[0] + 6))
    w = draw(st.integers(max(1, eff[1] - 2 * p[1]), eff[1] + 6))
    return dict(n=draw(st.integers(1, 3)), cin=draw(st.integers(1, 4)),
                cout=draw(st.integers(1, 5)), k=k, s=s, p=p, d=d, h=h, w=w,
                bias=draw(st.booleans()))


@given(conv_config())
def test_conv2d_matches_torch(c):
    ours = nn.Conv2d(c["cin"], c["cout"], c["k"], c["s"], c["p"], c["d"], bias=c["bias"])
    theirs = tnn.Conv2d(c["cin"], c["cout"], c["k"], c["s"], c["p"], c["d"], bias=c["bias"])
    x = np.random.default_rng(0).standard_normal((c["n"], c["cin"], c["h"], c["w"]))
    y = _run_both(ours, theirs, x)
    # the analytic shape (floor rule) is the shape the forward pass produced
    assert ours.describe(x.shape[1:], floor=True).out_shape == y.shape[1:]


@st.composite
def pool_config(draw):
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    # dilation only without padding: a dilated window can then lie wholly in the padding,
    # where both give -inf but PyTorch still routes the gradient to an in-bounds element
    d = (draw(st.integers(1, 2)) if p[0] == 0 else 1, draw(st.integers(1, 2)) if p[1] == 0 else 1)
    eff = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
    h = draw(st.integers(max(1, eff[0] - 2 * p[0]), eff[0] + 6))
    w = draw(st.integers(max(1, eff[1] - 2 * p[1]), eff[1] + 6))
    return dict(n=draw(st.integers(1, 3)), c=draw(st.integers(1, 3)), k=k, s=s, p=p, d=d, h=h,
                w=w)


@given(pool_config())
def test_maxpool2d_matches_torch(c):
    ours = nn.MaxPool2d(c["k"], c["s"], c["p"], c["d"])
    theirs = tnn.MaxPool2d(c["k"], c["s"], c["p"], c["d"])
    x = np.random.default_rng(0).standard_normal((c["n"], c["c"], c["h"], c["w"]))
    y = _run_both(ours, theirs, x)
    assert ours.describe(x.shape[1:], floor=True).out_shape == y.shape[1:]


@given(pool_config(), st.booleans())
def test_avgpool2d_matches_torch(c, include_pad):
    ours = nn.AvgPool2d(c["k"], c["s"], c["p"], count_include_pad=include_pad)
    theirs = tnn.AvgPool2d(c["k"], c["s"], c["p"], count_include_pad=include_pad)
    h = max(c["h"], c["k"][0])
    w = max(c["w"], c["k"][1])
    x = np.random.default_rng(0).standard_normal((c["n"], c["c"], h, w))
    y = _run_both(ours, theirs, x)
    assert ours.describe(x.shape[1:], floor=True).out_shape == y.shape[1:]


def test_maxpool_ties_go_to_the_first_maximum():
    x = np.zeros((1, 1, 4, 4))
    _run_both(nn.MaxPool2d(2), tnn.MaxPool2d(2), x)


@given(st.integers(1, 5), st.integers(1, 6), st.integers(1, 6), st.booleans())
def test_linear_matches_torch(n, fin, fout, bias):
    x = np.random.default_rng(n).standard_normal((n, fin))
    _run_both(nn.Linear(fin, fout, bias=bias), tnn.Linear(fin, fout, bias=bias), x)


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("dims", [2, 3, 4])
def test_batchnorm_matches_torch(train, dims):
    rng = np.random.default_rng(dims)
    shape = {2: (5, 3), 3: (4, 3, 6), 4: (3, 3, 4, 5)}[dims]
    ours = nn.BatchNorm2d(3) if dims == 4 else nn.BatchNorm1d(3)
    theirs = tnn.BatchNorm2d(3) if dims == 4 else tnn.BatchNorm1d(3)
    with torch.no_grad():  # non-trivial γ, β and running statistics
        theirs.weight.uniform_(0.5, 1.5)
        theirs.bias.uniform_(-0.5, 0.5)
        theirs.running_mean.uniform_(-1, 1)
        theirs.running_var.uniform_(0.5, 2)
    ours.train(train)
    theirs.train(train)
    x = rng.standard_normal(shape) * 2 + 1
    for _ in range(2):  # twice: the running statistics are updated the same way
        _run_both(ours, theirs, x)
        theirs.zero_grad()
        ours.zero_grad()
    assert int(ours.num_batches_tracked.item()) == int(theirs.num_batches_tracked)


@pytest.mark.parametrize("layer", ["ReLU", "Sigmoid", "Tanh", "LeakyReLU", "Flatten"])
def test_parameterless_layers_match_torch(layer):
    x = np.random.default_rng(0).standard_normal((3, 2, 4, 5))
    _run_both(getattr(nn, layer)(), getattr(tnn, layer)(), x)


def test_softmax_matches_torch():
    x = np.random.default_rng(0).standard_normal((3, 7))
    _run_both(nn.Softmax(dim=1), tnn.Softmax(dim=1), x)


def test_dropout_train_and_eval():
    nndl.manual_seed(0)
    d = nn.Dropout(0.25)
    x = nndl.ones(2000, requires_grad=True)
    y = d(x)
    kept = y.data != 0
    assert 0.7 < kept.mean() < 0.8
    np.testing.assert_allclose(y.data[kept], 1 / 0.75, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, kept / 0.75, rtol=1e-6)
    d.eval()
    assert d(x) is x


# --------------------------------------------------------------------------- losses
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_matches_torch(reduction):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 5)) * 30  # large logits: stability
    t = rng.integers(0, 5, 6)
    xt, xn = torch.tensor(x, requires_grad=True), nndl.tensor(x, requires_grad=True)
    lt = tnn.CrossEntropyLoss(reduction=reduction)(xt, torch.tensor(t))
    ln = nn.CrossEntropyLoss(reduction=reduction)(xn, t)
    _close(ln, lt)
    g = rng.standard_normal(tuple(lt.shape))
    (lt * torch.tensor(g)).sum().backward()
    (ln * nndl.tensor(g)).sum().backward()
    _close(xn.grad, xt.grad)


def test_cross_entropy_probability_targets_and_spatial():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 3, 2, 2))
    p = rng.random((4, 3, 2, 2))
    p /= p.sum(1, keepdims=True)
    for target in (p, rng.integers(0, 3, (4, 2, 2))):
        xt, xn = torch.tensor(x, requires_grad=True), nndl.tensor(x, requires_grad=True)
        lt = tnn.CrossEntropyLoss()(xt, torch.tensor(target))
        ln = nn.CrossEntropyLoss()(xn, target)
        _close(ln, lt)
        lt.backward()
        ln.backward()
        _close(xn.grad, xt.grad)


def test_cross_entropy_float32_stays_float32():
    x = nndl.randn(4, 10, requires_grad=True)
    loss = nn.CrossEntropyLoss()(x, np.array([1, 2, 3, 4]))
    loss.backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_and_bce_match_torch(reduction):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3)) * 20
    y = rng.random((4, 3))
    pw = rng.random(3) + 0.5
    cases = [(nn.MSELoss(reduction), tnn.MSELoss(reduction=reduction)),
             (nn.BCEWithLogitsLoss(reduction), tnn.BCEWithLogitsLoss(reduction=reduction)),
             (nn.BCEWithLogitsLoss(reduction, pos_weight=pw),
              tnn.BCEWithLogitsLoss(reduction=reduction, pos_weight=torch.tensor(pw)))]
    for ours, theirs in cases:
        xt, xn = torch.tensor(x, requires_grad=True), nndl.tensor(x, requires_grad=True)
        yt, yn = torch.tensor(y, requires_grad=True), nndl.tensor(y, requires_grad=True)
        lt, ln = theirs(xt, yt), ours(xn, yn)
        _close(ln, lt, type(ours).__name__)
        lt.sum().backward()
        ln.sum().backward()
        _close(xn.grad, xt.grad, "input grad")
        _close(yn.grad, yt.grad, "target grad")


# --------------------------------------------------------------------------- a network
def _alexnet_like(lib, c=3, k1=8, k2=12, hidden=32, classes=10):
    return lib.Sequential(
        lib.Conv2d(c, k1, 5, stride=2), lib.ReLU(), lib.MaxPool2d(3, 2),
        lib.Conv2d(k1, k2, 3, padding=1), lib.BatchNorm2d(k2), lib.ReLU(), lib.MaxPool2d(2),
        lib.Flatten(), lib.Linear(k2 * 3 * 3, hidden), lib.Tanh(), lib.Linear(hidden, classes))


def test_network_state_dict_keys_and_shapes_equal_torch():
    ours, theirs = _alexnet_like(nn), _alexnet_like(tnn)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()]


def test_network_forward_backward_matches_torch():
    x = np.random.default_rng(3).standard_normal((4, 3, 29, 29))
    _run_both(_alexnet_like(nn), _alexnet_like(tnn), x)


@pytest.mark.parametrize(("n", "cin", "cout", "hw", "k", "s", "p", "d"), [
    (3, 1, 6, (12, 12), 5, 1, 2, 1),  # stride 1, wide rows: the row-run im2col path
    (2, 3, 4, (11, 9), (3, 2), 1, (1, 0), (2, 1)),  # row-run path with dilation, non-square
    (2, 3, 4, (5, 5), 3, 1, 0, 1),  # stride 1 but narrow rows: the strided-view path
    (2, 2, 3, (13, 10), 3, (2, 3), 1, 1),  # strided-view path with unequal strides
])
def test_conv2d_both_im2col_paths_match_torch(n, cin, cout, hw, k, s, p, d):
    x = np.random.default_rng(5).standard_normal((n, cin) + hw)
    _run_both(nn.Conv2d(cin, cout, k, s, p, d), tnn.Conv2d(cin, cout, k, s, p, d), x)


def test_conv_work_buffers_are_not_shared_by_live_graphs():
    """Conv reuses its large work arrays across calls (a pool); two graphs alive at once,
    with the same shapes, must still each get their own gradients, and repeated steps
    must not leak old values into new ones."""
    torch.manual_seed(0)
    theirs = tnn.Sequential(tnn.Conv2d(3, 4, 3, padding=1), tnn.ReLU(), tnn.Conv2d(4, 2, 3)).double()
    ours = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 2, 3)).double()
    ours.load_state_dict(theirs.state_dict())
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((2, 3, 9, 9)) for _ in range(3)]
    ins = [nndl.tensor(x, requires_grad=True) for x in xs]
    outs = [ours(x).sum() for x in ins]  # three graphs alive before any backward
    ins_t = [torch.tensor(x, requires_grad=True) for x in xs]
    outs_t = [theirs(x).sum() for x in ins_t]
    for i in (2, 0, 1):  # weight gradients accumulate over the three, in both
        outs[i].backward()
        outs_t[i].backward()
        _close(ins[i].grad, ins_t[i].grad, f"input grad of graph {i}")
        _close(ours[0].weight.grad, theirs[0].weight.grad, f"after graph {i}")
        _close(ours[2].weight.grad, theirs[2].weight.grad, f"after graph {i}")
    for step in range(3):  # one graph at a time, the pool's arrays are reused
        ours.zero_grad()
        theirs.zero_grad()
        x = rng.standard_normal((2, 3, 9, 9))
        ours(nndl.tensor(x)).sum().backward()
        theirs(torch.tensor(x)).sum().backward()
        _close(ours[0].weight.grad, theirs[0].weight.grad, f"step {step}")
        _close(ours[2].weight.grad, theirs[2].weight.grad, f"step {step}")


# --------------------------------------------------------------- issue 17: conv, pool, resize
@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize(("cin", "cout", "k", "s", "p", "g"), [
    (4, 6, 3, 1, "same", 2), (4, 4, (3, 2), 1, "same", 4), (3, 6, 3, 2, 1, 3),
    (2, 4, 2, 1, "valid", 1), (4, 8, 3, (2, 1), (1, 2), 2)])
def test_conv2d_groups_and_padding_modes_match_torch(mode, cin, cout, k, s, p, g):
    x = np.random.default_rng(7).standard_normal((2, cin, 7, 6))
    _run_both(nn.Conv2d(cin, cout, k, s, p, groups=g, padding_mode=mode),
              tnn.Conv2d(cin, cout, k, s, p, groups=g, padding_mode=mode), x)


@pytest.mark.parametrize(("args", "kw"), [((4, 6, 3), {}), ((4, 6, 3), dict(stride=2, padding=1)),
                                          ((4, 4, 5), dict(padding="same", groups=2,
                                                           padding_mode="circular")),
                                          ((2, 3, 2), dict(dilation=2, bias=False))])
def test_conv1d_matches_torch(args, kw):
    x = np.random.default_rng(8).standard_normal((3, args[0], 11))
    _run_both(nn.Conv1d(*args, **kw), tnn.Conv1d(*args, **kw), x)
    _run_both(nn.Conv1d(*args, **kw), tnn.Conv1d(*args, **kw), x[0])  # unbatched (C, L)


@pytest.mark.parametrize("kw", [dict(stride=2), dict(stride=2, padding=1, output_padding=1),
                                dict(stride=(3, 2), groups=2, dilation=(1, 2), bias=False),
                                dict(padding=(1, 0))])
def test_conv_transpose2d_matches_torch(kw):
    x = np.random.default_rng(9).standard_normal((2, 4, 5, 4))
    _run_both(nn.ConvTranspose2d(4, 6, 3, **kw), tnn.ConvTranspose2d(4, 6, 3, **kw), x)


def test_conv_transpose2d_output_size_picks_the_padding():
    ours, theirs = nn.ConvTranspose2d(3, 2, 3, stride=2).double(), tnn.ConvTranspose2d(3, 2, 3, stride=2).double()
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(1).standard_normal((1, 3, 4, 4))
    _close(ours(nndl.tensor(x), output_size=(10, 9)), theirs(torch.tensor(x), output_size=(10, 9)))


@pytest.mark.parametrize("kw", [dict(kernel_size=3, stride=2, ceil_mode=True),
                                dict(kernel_size=2, stride=2, padding=1, ceil_mode=True),
                                dict(kernel_size=(3, 2), stride=(2, 3), ceil_mode=True)])
def test_pools_ceil_mode_match_torch(kw):
    x = np.random.default_rng(10).permutation(2 * 3 * 8 * 7).reshape(2, 3, 8, 7) * 0.1
    y = _run_both(nn.MaxPool2d(**kw), tnn.MaxPool2d(**kw), x)
    assert nn.MaxPool2d(**kw).describe(x.shape[1:]).out_shape == y.shape[1:]
    for include in (True, False):
        y = _run_both(nn.AvgPool2d(**kw, count_include_pad=include),
                      tnn.AvgPool2d(**kw, count_include_pad=include), x)
        assert nn.AvgPool2d(**kw).describe(x.shape[1:]).out_shape == y.shape[1:]


def test_maxpool_indices_and_unpool_match_torch():
    """SegNet's encoder/decoder pair: pool with indices, unpool to the pooled size."""
    x = np.random.default_rng(11).permutation(2 * 3 * 9 * 8).reshape(2, 3, 9, 8) * 0.1
    xt, xn = torch.tensor(x, requires_grad=True), nndl.tensor(x, requires_grad=True)
    yt, it = tnn.MaxPool2d(2, return_indices=True)(xt)
    yn, i_n = nn.MaxPool2d(2, return_indices=True)(xn)
    np.testing.assert_array_equal(i_n.data, it.numpy())
    zt = tnn.MaxUnpool2d(2)(yt * 2, it, output_size=xt.shape)
    zn = nn.MaxUnpool2d(2)(yn * 2, i_n, output_size=xn.shape)
    _close(zn, zt)
    w = np.random.default_rng(2).standard_normal(x.shape)
    (zt * torch.tensor(w)).sum().backward()
    (zn * nndl.tensor(w)).sum().backward()
    _close(xn.grad, xt.grad)
    # 1-D pools
    x1 = x.reshape(2, 3, 72)
    _run_both(nn.MaxPool1d(3, 2, 1, ceil_mode=True), tnn.MaxPool1d(3, 2, 1, ceil_mode=True), x1)
    _run_both(nn.AvgPool1d(4, 3, 2), tnn.AvgPool1d(4, 3, 2), x1)


@pytest.mark.parametrize(("cls", "kw"), [
    ("Upsample", dict(scale_factor=2)), ("Upsample", dict(size=(5, 11), mode="bilinear")),
    ("Upsample", dict(scale_factor=1.5, mode="bilinear", align_corners=True)),
    ("Upsample", dict(size=(3, 4), mode="nearest-exact")),
    ("UpsamplingNearest2d", dict(size=7)), ("UpsamplingBilinear2d", dict(scale_factor=3))])
def test_upsample_matches_torch(cls, kw):
    x = np.random.default_rng(12).standard_normal((2, 3, 4, 5))
    y = _run_both(getattr(nn, cls)(**kw), getattr(tnn, cls)(**kw), x)
    assert getattr(nn, cls)(**kw).describe(x.shape[1:]).out_shape == y.shape[1:]


# the table-driven activations: PyTorch's constructor arguments, repr and values
_ACTIVATIONS = ["ReLU", "Sigmoid", "Tanh", "LeakyReLU", "GELU", "SiLU", "Mish", "ELU", "SELU",
                "CELU", "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish", "Softsign",
                "LogSigmoid", "Softplus", "Tanhshrink", "Softshrink", "Hardshrink", "Threshold"]


@pytest.mark.parametrize("name", _ACTIVATIONS)
def test_activation_modules_match_torch_signature_repr_and_values(name):
    import inspect
    ours, theirs = getattr(nn, name), getattr(tnn, name)
    theirs_params = [p for p in inspect.signature(theirs).parameters
                     if p not in ("min_value", "max_value")]  # Hardtanh's deprecated names
    if theirs_params != ["args", "kwargs"]:  # torch's argument-less ones show Module's
        assert list(inspect.signature(ours).parameters) == theirs_params
    args = (0.3, -2.0) if name == "Threshold" else ()
    assert repr(ours(*args)) == repr(theirs(*args))
    # non-default arguments, by keyword, reach the function
    kw = {p.name: (p.default * 0.5 if isinstance(p.default, float) else p.default)
          for p in inspect.signature(ours).parameters.values()
          if p.default is not inspect.Parameter.empty and p.name != "inplace"}
    if name == "GELU":
        kw = {"approximate": "tanh"}
    x = np.random.default_rng(4).uniform(-4, 4, (3, 7)) + 0.013  # away from kinks at 0, ±k
    _run_both(ours(*args, **kw), theirs(*args, **kw), x)


@pytest.mark.parametrize(("ours", "theirs"), [
    (lambda: nn.AdaptiveAvgPool2d((2, 3)), lambda: tnn.AdaptiveAvgPool2d((2, 3))),
    (lambda: nn.Identity(), lambda: tnn.Identity()),
    (lambda: nn.LogSoftmax(dim=1), lambda: tnn.LogSoftmax(dim=1))])
def test_more_layers_match_torch(ours, theirs):
    x = np.random.default_rng(6).standard_normal((2, 3, 5, 7))
    _run_both(ours(), theirs(), x)


def test_functional_batch_norm_bce_logits_and_upsample_match_torch():
    rng = np.random.default_rng(7)
    x, y = rng.standard_normal((4, 3, 5)), rng.random((4, 3, 5))
    mean, var = rng.standard_normal(3), rng.random(3) + 0.5
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    F = torch.nn.functional
    NF = nndl.nn.functional
    for training in (False, True):
        xt, xn = torch.tensor(x, requires_grad=True), nndl.tensor(x, requires_grad=True)
        rt, rn = torch.tensor(mean), nndl.tensor(mean)
        vt, vn = torch.tensor(var), nndl.tensor(var)
        yt = F.batch_norm(xt, rt, vt, torch.tensor(w), torch.tensor(b), training, 0.2)
        yn = NF.batch_norm(xn, rn, vn, nndl.tensor(w), nndl.tensor(b), training, 0.2)
        _close(yn, yt)
        _close(rn, rt, "running mean")
        (yt * torch.tensor(y)).sum().backward()
        (yn * nndl.tensor(y)).sum().backward()
        _close(xn.grad, xt.grad)
    for reduction in ("mean", "none"):
        xt, xn = torch.tensor(x, requires_grad=True), nndl.tensor(x, requires_grad=True)
        lt = F.binary_cross_entropy_with_logits(xt, torch.tensor(y), reduction=reduction)
        ln = NF.binary_cross_entropy_with_logits(xn, nndl.tensor(y), reduction=reduction)
        _close(ln, lt)
        lt.sum().backward()
        ln.sum().backward()
        _close(xn.grad, xt.grad)
    img = rng.standard_normal((1, 2, 3, 4))
    _close(NF.upsample(nndl.tensor(img), scale_factor=2, mode="bilinear", align_corners=True),
           F.upsample(torch.tensor(img), scale_factor=2, mode="bilinear", align_corners=True))


def test_deterministic_init_matches_torch():
    for args in (("linear",), ("relu",), ("tanh",), ("leaky_relu", 0.2), ("selu",),
                 ("sigmoid",), ("conv2d",)):
        assert nn.init.calculate_gain(*args) == pytest.approx(tnn.init.calculate_gain(*args))
    for fn, args in (("constant_", (0.3,)), ("ones_", ()), ("zeros_", ())):
        p = nn.Parameter(nndl.randn(3, 4))
        q = torch.nn.Parameter(torch.randn(3, 4))
        getattr(nn.init, fn)(p, *args)
        getattr(tnn.init, fn)(q, *args)
        _close(p, q, fn)


def test_readme_support_table_is_current():
    """README's support table is what bench/support_table.py makes from these parity tests
    now (a test added or an op added changes it: run the script and paste its output)."""
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "bench"))
    try:
        import support_table
    finally:
        sys.path.remove(str(root / "bench"))
    problem = support_table.stale(root / "README.md")
    assert problem is None, problem
