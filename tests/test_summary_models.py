"""The calculator on real models (issue 19): every model is followed through its own forward
pass, and each summary is checked against PyTorch's own numbers — ``sum(p.numel() for p in
model.parameters())``, the ``requires_grad`` count, and the output shape of every module
call recorded by the test's own forward hooks on a real forward pass (independent of the
shape-only meta pass the summary uses)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import require_torch

import nndl
from nndl import nn
from nndl.summary import SummaryError, formulas, render, trace
from nndl.summary import summary as summarize

torch = require_torch()
tnn = torch.nn
GOLDEN = Path(__file__).parent / "golden"


# ------------------------------------------------------------------ oracles
def torch_calls(model, *args, **kwargs):
    """(module, first output shape) for every module call of a real forward pass, in the
    order the modules start, as the test's own hooks see them."""
    order, stack = [], []

    def pre(mod, a):
        entry = [mod, None]
        order.append(entry)
        stack.append(entry)

    def post(mod, a, out):
        entry = next(e for e in reversed(stack) if e[0] is mod)
        stack.remove(entry)
        while isinstance(out, tuple | list | dict):
            out = next(iter(out.values())) if isinstance(out, dict) else out[0]
        entry[1] = tuple(out.shape) if isinstance(out, torch.Tensor) else None

    handles = [h for m in model.modules()
               for h in (m.register_forward_pre_hook(pre), m.register_forward_hook(post))]
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(*args, **kwargs)
    finally:
        model.train(was)
        for h in handles:
            h.remove()
    return order


def check_against_torch(s, model, *args, **kwargs):
    """The summary's totals equal PyTorch's own counts, and its called rows are PyTorch's
    calls with the shapes the real forward gave."""
    params = list(model.parameters())
    assert s.total_params == sum(p.numel() for p in params)
    assert s.trainable_params == sum(p.numel() for p in params if p.requires_grad)
    assert s.total_buffers == sum(b.numel() for b in model.buffers())
    assert sum(r.params for r in s.layers) == s.total_params
    calls = torch_calls(model, *args, **kwargs)
    rows = [r for r in s.layers if not r.not_called]
    if len(rows) == len(calls) - 1:  # the model itself is a row only when it owns parameters
        calls = calls[1:]
    assert [r.output_shape for r in rows] == [shape for _, shape in calls]
    assert [r.type for r in rows] == [type(m).__name__ for m, _ in calls]


def leaf_rows(s):
    return [r for r in s.layers if not r.container and not r.not_called]


# ------------------------------------------------------------------ ResNet, built here
class BasicBlock(tnn.Module):
    expansion = 1

    def __init__(self, cin, planes, stride=1):
        super().__init__()
        self.conv1 = tnn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(planes)
        self.relu = tnn.ReLU(inplace=True)
        self.conv2 = tnn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or cin != planes:
            self.downsample = tnn.Sequential(tnn.Conv2d(cin, planes, 1, stride, bias=False),
                                             tnn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))  # the ReLU runs twice: two rows
        return self.relu(self.bn2(self.conv2(out)) + identity)


class Bottleneck(tnn.Module):
    expansion = 4

    def __init__(self, cin, planes, stride=1):
        super().__init__()
        out = planes * 4
        self.conv1 = tnn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(planes)
        self.conv2 = tnn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(planes)
        self.conv3 = tnn.Conv2d(planes, out, 1, bias=False)
        self.bn3 = tnn.BatchNorm2d(out)
        self.relu = tnn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != out:
            self.downsample = tnn.Sequential(tnn.Conv2d(cin, out, 1, stride, bias=False),
                                             tnn.BatchNorm2d(out))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        return self.relu(self.bn3(self.conv3(y)) + identity)


class ResNet(tnn.Module):
    """torchvision's ResNet, layer for layer (the downsample is registered after the
    convolutions it runs before: forward order differs from registration order)."""

    def __init__(self, block, layers, num_classes=1000):
        super().__init__()
        self.cin = 64
        self.conv1 = tnn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = tnn.BatchNorm2d(64)
        self.relu = tnn.ReLU(inplace=True)
        self.maxpool = tnn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make(block, 64, layers[0], 1)
        self.layer2 = self._make(block, 128, layers[1], 2)
        self.layer3 = self._make(block, 256, layers[2], 2)
        self.layer4 = self._make(block, 512, layers[3], 2)
        self.avgpool = tnn.AdaptiveAvgPool2d((1, 1))
        self.fc = tnn.Linear(512 * block.expansion, num_classes)

    def _make(self, block, planes, n, stride):
        blocks = [block(self.cin, planes, stride)]
        self.cin = planes * block.expansion
        blocks += [block(self.cin, planes) for _ in range(1, n)]
        return tnn.Sequential(*blocks)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


@pytest.mark.parametrize(("layers", "block", "total"), [
    ((2, 2, 2, 2), BasicBlock, 11_689_512),  # ResNet-18, as torchvision counts it
    ((3, 4, 6, 3), Bottleneck, 25_557_032),  # ResNet-50
])
def test_resnet(layers, block, total):
    model = ResNet(block, layers)
    s = summarize(model, input_size=(3, 224, 224))
    assert s.total_params == total
    check_against_torch(s, model, torch.zeros(1, 3, 224, 224))
    assert s.output_shape == (1, 1000)
    # every leaf of a ResNet has a formula, and the formula's shape is the measured one
    assert all(not r.measured for r in leaf_rows(s))
    conv1 = s.layers[0]
    assert conv1.name == "Conv-1" and conv1.depth == 0
    assert "W2 = H2 = (W1 − F + 2P)/S + 1 = (224 − 7 + 2·3)/2 + 1" in str(conv1.formulas[0])
    blocks = [r for r in s.layers if r.type == block.__name__]
    assert len(blocks) == sum(layers) and all(r.depth == 1 for r in blocks)
    assert all(r.depth == 2 for r in s.layers if r.source.endswith(".conv1"))
    relu_calls = [r for r in s.layers if r.source == "layer1.0.relu"]
    assert [r.call for r in relu_calls] == [1, 2, 3][:len(relu_calls)] and len(relu_calls) >= 2
    # a layer in the model with two names (none here) or called twice: counted once
    assert sum(r.params for r in s.layers if r.source == "fc") == 512 * block.expansion * 1000 + 1000


def test_resnet50_verify_and_mult_adds_conventions():
    model = ResNet(Bottleneck, (3, 4, 6, 3))
    s = summarize(model, input_size=(3, 224, 224), verify=True)
    assert s.verified and all(r.verified_shape == r.output_shape for r in s.layers)
    # nndl's convention: multiplications by weights only; ResNet-50 is about 4.1 G
    assert 4.0e9 < s.total_mult_adds < 4.2e9
    t = summarize(model, input_size=(3, 224, 224), mult_adds="torchinfo")
    assert t.mult_adds_convention == "torchinfo"
    # torchinfo's rule, written out here from the model: weights × output positions for a
    # conv, parameters × batch elsewhere, every call
    expected = 0
    for m, shape in torch_calls(model, torch.zeros(1, 3, 224, 224)):
        if list(m.children()):
            continue
        for p in m.parameters(recurse=False):
            if isinstance(m, tnn.Conv2d):
                expected += p.numel() * shape[0] * shape[2] * shape[3]
            else:
                expected += p.numel() * shape[0]
    assert t.total_mult_adds == expected
    with pytest.raises(SummaryError, match="torchinfo"):
        summarize(model, input_size=(3, 224, 224), mult_adds="flops")


def test_torchvision_models_when_available():
    tv = pytest.importorskip("torchvision")
    for name, total in (("resnet18", 11_689_512), ("resnet152", 60_192_808)):
        model = getattr(tv.models, name)(weights=None)
        s = summarize(model, input_size=(3, 224, 224))
        assert s.total_params == total
        check_against_torch(s, model, torch.zeros(1, 3, 224, 224))


# ------------------------------------------------------------------ branches and shares
class Inception(tnn.Module):
    def __init__(self, cin=16):
        super().__init__()
        self.b1 = tnn.Conv2d(cin, 8, 1)
        self.b3 = tnn.Sequential(tnn.Conv2d(cin, 4, 1), tnn.ReLU(), tnn.Conv2d(4, 8, 3, padding=1))
        self.b5 = tnn.Sequential(tnn.Conv2d(cin, 2, 1), tnn.ReLU(),
                                 tnn.Conv2d(2, 4, 5, padding="same"))
        self.pool = tnn.Sequential(tnn.MaxPool2d(3, 1, 1), tnn.Conv2d(cin, 4, 1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b3(x), self.b5(x), self.pool(x)], 1)


def test_inception_branches():
    model = Inception()
    s = summarize(model, input_size=(16, 28, 28), verify=True)
    check_against_torch(s, model, torch.zeros(1, 16, 28, 28))
    assert s.output_shape == (1, 8 + 8 + 4 + 4, 28, 28)
    assert all(not r.measured for r in leaf_rows(s))


class Siamese(tnn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = tnn.Sequential(tnn.Conv2d(1, 4, 3), tnn.ReLU(), tnn.Flatten(),
                                      tnn.Linear(4 * 26 * 26, 16))
        self.head = tnn.Linear(16, 1)

    def forward(self, a, b):
        return self.head(torch.abs(self.encoder(a) - self.encoder(b)))


def test_siamese_two_inputs_and_a_reused_encoder():
    model = Siamese()
    s = summarize(model, input_size=[(1, 28, 28), (1, 28, 28)])
    check_against_torch(s, model, torch.zeros(1, 1, 28, 28), torch.zeros(1, 1, 28, 28))
    enc = [r for r in s.layers if r.source == "encoder"]
    assert [r.call for r in enc] == [1, 2]
    convs = [r for r in s.layers if r.source == "encoder.0"]
    assert [r.params for r in convs] == [40, 0]  # counted at the first call only
    assert any("counted at its first call" in n.en for n in convs[1].notes)
    assert convs[1].mult_adds == convs[0].mult_adds  # but its work is done twice
    assert s.input_shapes == [(1, 1, 28, 28), (1, 1, 28, 28)]


class InsideModel(tnn.Module):
    """torchinfo's test model: parameters on the container and on an inner container."""

    class Inside(tnn.Module):
        def __init__(self):
            super().__init__()
            self.l_1 = tnn.Linear(1, 1)
            self.param_1 = tnn.Parameter(torch.ones(1))

        def forward(self, x):
            return self.l_1(x) * self.param_1

    def __init__(self):
        super().__init__()
        self.l_0 = tnn.Linear(2, 1)
        self.param_0 = tnn.Parameter(torch.ones(2))
        self.inside = InsideModel.Inside()

    def forward(self, x):
        return self.inside(self.l_0(x)) * self.param_0


def test_parameters_on_a_container_are_counted():
    model = InsideModel()
    s = summarize(model, input_size=(1, 2), verify=True)
    assert s.total_params == 8 == sum(p.numel() for p in model.parameters())
    check_against_torch(s, model, torch.zeros(1, 2))
    root = s.layers[0]
    assert root.type == "InsideModel" and root.params == 2 and root.container
    assert "param_0" in root.notes[0].en and "param_0" in root.notes[0].zh
    assert s.layer("Inside-1").params == 1


def test_frozen_weights_are_not_trainable():
    model = tnn.Sequential(tnn.Linear(2, 5))
    model[0].weight.requires_grad_(False)
    s = summarize(model, input_size=(2,), verify=True)
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (15, 5, 10)


class TiedAutoencoder(tnn.Module):
    def __init__(self):
        super().__init__()
        self.embed = tnn.Embedding(100, 8)
        self.decode = tnn.Linear(8, 100, bias=False)
        self.decode.weight = self.embed.weight  # tied

    def forward(self, ids):
        return self.decode(self.embed(ids))


def test_tied_weights_are_counted_once():
    model = TiedAutoencoder()
    s = summarize(model, input_data=torch.zeros(1, 5, dtype=torch.long), verify=True)
    assert s.total_params == 800 == sum(p.numel() for p in model.parameters())
    check_against_torch(s, model, torch.zeros(1, 5, dtype=torch.long))
    assert s.shared_params == 800
    dec = s.layer("FC-1")
    assert dec.params == 0 and any("shared with Embedding-1" in n.en for n in dec.notes)
    # the size alone works too: integer zeros are tried for a model with an embedding
    s2 = summarize(model, input_size=(1, 5))
    assert s2.total_params == 800 and s2.output_shape == (1, 5, 100)
    assert any("token ids" in n.en for n in s2.notes)


class Choice(tnn.Module):
    def __init__(self):
        super().__init__()
        self.heads = tnn.ModuleDict({"small": tnn.Linear(4, 2), "big": tnn.Linear(4, 200)})

    def forward(self, x):
        return self.heads["small"](x)


def test_module_dict_choice_lists_the_unused_entry():
    model = Choice()
    s = summarize(model, input_size=(4,), verify=True)
    assert s.total_params == 10 + 1000 == sum(p.numel() for p in model.parameters())
    check_against_torch(s, model, torch.zeros(1, 4))
    big = [r for r in s.layers if r.source == "heads.big"][0]
    assert big.not_called and big.params == 1000 and big.call == 0
    assert "forward() does not call" in big.notes[-1].en


class Tagger(tnn.Module):
    def __init__(self, vocab=1000, tags=12):
        super().__init__()
        self.embed = tnn.Embedding(vocab, 32)
        self.lstm = tnn.LSTM(32, 64, num_layers=2, batch_first=True, bidirectional=True)
        self.out = tnn.Linear(128, tags)

    def forward(self, ids):
        h, _ = self.lstm(self.embed(ids))
        return self.out(h)


def test_lstm_tagger():
    model = Tagger()
    ids = torch.zeros(1, 20, dtype=torch.long)
    s = summarize(model, input_data=ids, verify=True)
    check_against_torch(s, model, ids)
    lstm = s.layer("LSTM-1")
    assert not lstm.measured and lstm.output_shape == (1, 20, 128)
    assert lstm.params == sum(p.numel() for p in model.lstm.parameters())
    texts = [str(f) for f in lstm.formulas]
    assert "params (layer 0) = D·(4·H·(I + H) + 2·4·H) = 2·(4·64·(32 + 64) + 2·4·64) = 50,176" \
        in texts
    # the output structure: (output, (h_n, c_n))
    assert lstm.output_shapes == [(1, 20, 128), [(4, 1, 64), (4, 1, 64)]]


class GRUClassifier(tnn.Module):
    def __init__(self):
        super().__init__()
        self.embed = tnn.Embedding(500, 16, padding_idx=0)
        self.gru = tnn.GRU(16, 24)
        self.cls = tnn.Linear(24, 3)

    def forward(self, ids):  # (L, N): the GRU is not batch-first
        _, h = self.gru(self.embed(ids))
        return self.cls(h[-1])


def test_embedding_gru_classifier():
    model = GRUClassifier()
    s = summarize(model, input_size=(30, 2), dtypes=[torch.long])
    check_against_torch(s, model, torch.zeros(30, 2, dtype=torch.long))
    assert s.layer("GRU-1").output_shape == (30, 2, 24)
    assert s.layer("GRU-1").params == 3 * 24 * (16 + 24) + 2 * 3 * 24
    assert s.layer("Embedding-1").params == 8000 and s.output_shape == (2, 3)


class DictModel(tnn.Module):
    def __init__(self):
        super().__init__()
        self.img = tnn.Conv2d(3, 4, 3)
        self.meta = tnn.Linear(5, 4)

    def forward(self, batch):
        a = self.img(batch["image"]).mean((2, 3))
        b = self.meta(batch["extra"])
        return {"sum": a + b, "image": a}


def test_dict_input_and_dict_output():
    model = DictModel()
    data = {"image": torch.zeros(2, 3, 8, 8), "extra": torch.zeros(2, 5)}
    s = summarize(model, input_data=(data,), verify=True)
    check_against_torch(s, model, data)
    assert s.model_output == {"sum": (2, 4), "image": (2, 4)}
    assert s.input_shapes == [(2, 3, 8, 8), (2, 5)]


class Keywords(tnn.Module):
    def __init__(self):
        super().__init__()
        self.a = tnn.Linear(3, 2)
        self.b = tnn.Linear(4, 2)

    def forward(self, x, y):
        return self.a(x) + self.b(y)


def test_several_inputs_by_keyword_sizes():
    model = Keywords()
    s = summarize(model, input_size={"x": (3,), "y": (4,)}, verify=True)
    assert s.total_params == 18 and s.output_shape == (1, 2)
    check_against_torch(s, model, x=torch.zeros(1, 3), y=torch.zeros(1, 4))


def test_a_layer_called_twice_appears_twice():
    fc = tnn.Linear(8, 8)

    class Twice(tnn.Module):
        def __init__(self):
            super().__init__()
            self.fc = fc

        def forward(self, x):
            return self.fc(torch.relu(self.fc(x)))

    model = Twice()
    s = summarize(model, input_size=(8,), verify=True)
    rows = [r for r in s.layers if r.type == "Linear"]
    assert [(r.call, r.params) for r in rows] == [(1, 72), (2, 0)]
    assert s.total_params == 72 and s.total_mult_adds == 2 * 64
    t = summarize(model, input_size=(8,), mult_adds="torchinfo")
    assert t.total_mult_adds == 2 * 72  # torchinfo: bias adds, every call


# ------------------------------------------------------------------ the layer list
class Zoo(tnn.Module):
    """One of each layer type the issue lists, each checked below against the forward."""

    def __init__(self):
        super().__init__()
        self.c1 = tnn.Conv1d(2, 4, 3, stride=2, padding=1)
        self.mp1 = tnn.MaxPool1d(2, ceil_mode=True)
        self.c3 = tnn.Conv3d(1, 2, (3, 3, 3), padding=(1, 0, 0))
        self.bn3 = tnn.BatchNorm3d(2)
        self.grouped = tnn.Conv2d(4, 8, 3, groups=2, padding="same", bias=False)
        self.pool = tnn.MaxPool2d(2, return_indices=True)
        self.unpool = tnn.MaxUnpool2d(2)
        self.pad = tnn.ReflectionPad2d((1, 2, 0, 1))
        self.up = tnn.ConvTranspose2d(8, 3, 4, stride=2, padding=1, output_padding=1)
        self.avg = tnn.AvgPool2d(3, 2, ceil_mode=True)
        self.prelu = tnn.PReLU(3)
        self.drop = tnn.Dropout2d(0.1)
        self.adapt = tnn.AdaptiveAvgPool2d((2, 3))
        self.cell = tnn.GRUCell(18, 5)
        self.rnn = tnn.RNN(5, 7, nonlinearity="relu")
        self.lstm_cell = tnn.LSTMCell(7, 2)

    def forward(self, seq, vol, img):
        a = self.mp1(self.c1(seq))
        b = self.bn3(self.c3(vol))
        x, idx = self.pool(self.grouped(img))
        x = self.up(self.pad(self.unpool(x, idx)))
        x = self.adapt(self.drop(self.prelu(self.avg(x))))
        h = self.cell(x.flatten(1))
        r, _ = self.rnn(h)
        h2, _ = self.lstm_cell(r)
        return a.sum() + b.sum() + h2.sum()


def test_every_listed_layer_has_a_formula_that_agrees_with_the_forward():
    model = Zoo()
    args = (torch.zeros(1, 2, 15), torch.zeros(1, 1, 5, 6, 7), torch.zeros(1, 4, 10, 10))
    s = summarize(model, input_data=args, verify=True)
    check_against_torch(s, model, *args)
    for r in leaf_rows(s):
        assert r.formulas and not r.measured, (r.name, [n.en for n in r.notes])
        assert r.params == sum(p.numel() for p in
                               dict(model.named_modules())[r.source].parameters())
    assert s.layer("Conv1d-1").formulas[-2].value == s.layer("Conv1d-1").params
    assert str(s.layer("MaxPool1d-1").formulas[0]).endswith("= 4")  # ⌈7/2⌉ with ceil_mode
    assert "G" in s.layer("Conv-1").formulas[-2].expr  # grouped: C_out·(C_in/G)·∏F
    assert s.layer("PReLU-1").params == 3


def test_the_formula_table_lists_the_issue_layer_types():
    wanted = {"AdaptiveAvgPool2d", "Dropout2d", "Embedding", "LSTM", "GRU", "RNN", "LSTMCell",
              "GRUCell", "RNNCell", "Conv1d", "Conv3d", "ConvTranspose2d", "MaxUnpool2d",
              "ReflectionPad2d", "PReLU", "BatchNorm3d", "MaxPool1d", "LayerNorm"}
    assert wanted <= formulas.KNOWN


class Custom(tnn.Module):
    """A leaf layer nndl has no formula for."""

    def __init__(self):
        super().__init__()
        self.scale = tnn.Parameter(torch.ones(3, 1, 1))
        self.register_buffer("offset", torch.zeros(3, 1, 1))

    def forward(self, x):
        return x * self.scale + self.offset


def test_unknown_modules_are_measured_with_a_mark():
    model = tnn.Sequential(Custom(), tnn.Conv2d(3, 2, 1))
    s = summarize(model, input_size=(3, 4, 4))
    row = s.layer("Custom-1")
    assert row.measured and row.params == 3 and row.buffers == 3
    assert row.notes[0].en.startswith("measured, no formula") and row.notes[0].zh
    assert s.total_buffers == 3
    out = io.StringIO()
    render.print_table(s, "en", console=_console(out))
    assert "Custom-1 †" in out.getvalue() and "measured, no formula" in out.getvalue()


# ------------------------------------------------------------------ errors
def test_a_forward_that_raises_names_the_module():
    model = tnn.Sequential(tnn.Conv2d(3, 8, 3), tnn.Conv2d(4, 8, 3))
    with pytest.raises(SummaryError, match=r"'1' \(Conv2d\).*in_channels = 4.*8 channels"):
        summarize(model, input_size=(3, 16, 16), verify=True)


class Scalar(tnn.Module):
    def __init__(self):
        super().__init__()
        self.fc = tnn.Linear(1, 1)

    def forward(self, x, k):
        return self.fc(x) * k


@pytest.mark.parametrize(("model", "kwargs", "what"), [
    (Scalar(), {"input_data": (torch.zeros(1, 1), 3.0)}, None),
    (Scalar(), {"input_size": (1,)}, "TypeError"),
    (tnn.Module(), {"input_size": (3,)}, "NotImplementedError"),
    (DictModel(), {"input_size": (3, 8, 8)}, "TypeError|IndexError"),
])
@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")  # torch, on batch["image"]
def test_verify_never_lets_a_raw_exception_out(model, kwargs, what):
    if what is None:
        s = summarize(model, verify=True, **kwargs)
        assert s.total_params == 2 and s.verified
        return
    with pytest.raises(SummaryError, match=what):
        summarize(model, verify=True, **kwargs)


def test_verify_cannot_agree_with_a_wrong_total(monkeypatch):
    model = InsideModel()
    real = trace._own
    # a bookkeeping slip that would drop the container's own parameters
    monkeypatch.setattr(trace, "_own", lambda m: [] if m is model else real(m))
    with pytest.raises(SummaryError, match="internal check failed.*6 parameters.*8"):
        summarize(model, input_size=(1, 2), verify=True)


def test_shape_only_pass_costs_no_memory_and_verify_is_bounded():
    model = tnn.Sequential(tnn.Conv2d(3, 64, 3), tnn.Conv2d(64, 64, 3))
    s = summarize(model, input_size=(3, 4000, 4000))  # 4 GB of activations, not allocated
    assert s.layers[-1].output_shape == (1, 64, 3996, 3996) and not s.verified
    with pytest.raises(SummaryError, match="GiB") as info:
        summarize(model, input_size=(3, 4000, 4000), verify=True)
    assert "meta device" in info.value.hint


def test_several_sizes_with_three_numbers_read_as_batched_when_needed():
    lstm = tnn.LSTM(8, 4, batch_first=True)

    class M(tnn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = lstm

        def forward(self, x):
            return self.lstm(x)[0]

    s = summarize(M(), input_size=(2, 10, 8))  # (N, L, F): a 4-d reading would not run
    assert s.output_shape == (2, 10, 4)


# ------------------------------------------------------------------ nndl models
class NNDLResidual(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(4, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * 6 * 6, 3))
        self.gain = nn.Parameter(nndl.ones(1))

    def forward(self, x):
        y = self.conv2(self.bn(self.conv1(x)).relu()) * self.gain
        return self.head(y + x)


def test_nndl_model_through_nndl_hooks():
    model = NNDLResidual()
    s = summarize(model, input_size=(4, 6, 6))
    assert s.total_params == sum(p.numel() for p in model.parameters()) == 148 + 8 + 148 + 435 + 1
    assert s.verified and s.output_shape == (1, 3)
    assert [r.type for r in s.layers] == ["NNDLResidual", "Conv2d", "BatchNorm2d", "Conv2d",
                                          "Sequential", "Flatten", "Linear"]
    assert [r.depth for r in s.layers] == [0, 1, 1, 1, 1, 2, 2]
    assert s.layers[0].params == 1  # gain, on the model itself
    assert all(not r.measured for r in leaf_rows(s))
    # hooks are gone afterwards
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_nndl_model_with_an_embedding_and_layernorm():
    class Text(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(50, 6)
            self.norm = nn.LayerNorm(6)
            self.fc = nn.Linear(6, 2)

        def forward(self, ids):
            return self.fc(self.norm(self.embed(ids)))

    s = summarize(Text(), input_size=(1, 7))
    assert s.total_params == 300 + 12 + 14 and s.output_shape == (1, 7, 2)
    assert s.layer("Embedding-1").output_shape == (1, 7, 6) and s.layer("Embedding-1").formulas
    assert s.layer("LayerNorm-1").params == 12 and not s.layer("LayerNorm-1").measured


def test_nndl_hooks_follow_pytorch_semantics():
    m = nn.Linear(3, 2)
    seen = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = m.register_forward_hook(lambda mod, args, out: seen.append(("post", out.shape)))
    h3 = m.register_forward_hook(lambda mod, args, out: seen.append("first"), prepend=True)
    h4 = m.register_forward_pre_hook(lambda mod, args, kwargs: seen.append(sorted(kwargs)),
                                     with_kwargs=True)
    out = m(nndl.ones(4, 3))
    assert seen == [[], "first", ("post", (4, 2))]
    assert (out.detach().numpy() == m.bias.detach().numpy()).all()  # the pre-hook zeroed x
    for h in (h1, h2, h3, h4):
        h.remove()
        h.remove()  # twice is harmless
    assert not m._forward_hooks and not m._forward_pre_hooks
    with m.register_forward_hook(lambda mod, a, o: o * 0):
        assert (m(nndl.ones(1, 3)).detach().numpy() == 0).all()
    assert not m._forward_hooks
    # always_call: told of a forward that raises (output None), as PyTorch; the error goes on
    told = []
    with (m.register_forward_hook(lambda mod, a, o: told.append(o), always_call=True),
          pytest.raises(nndl.NNDLError)):
        m(nndl.ones(1, 4))
    assert told == [None]


# ------------------------------------------------------------------ golden tables
def _console(out):
    from rich.console import Console

    return Console(file=out, width=100, color_system=None, force_terminal=False,
                   legacy_windows=False, highlight=False)


def _golden_model():
    torch.manual_seed(0)
    return tnn.Sequential(BasicBlock(3, 8, stride=2), tnn.AdaptiveAvgPool2d(1), tnn.Flatten(),
                          tnn.Linear(8, 2))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_golden_table(lang):
    s = summarize(_golden_model(), input_size=(3, 16, 16))
    out = io.StringIO()
    render.print_table(s, lang, explain=True, console=_console(out))
    text = "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"
    path = GOLDEN / f"summary_block_{lang}.txt"
    if not path.exists():  # written once by hand-checked run; never silently
        pytest.fail(f"missing golden file {path}")
    assert text == path.read_text(encoding="utf-8")


def test_json_of_a_traced_model():
    s = summarize(_golden_model(), input_size=(3, 16, 16))
    data = json.loads(render.to_json(s))
    assert data["batch_included"] and data["total_params"] == s.total_params
    assert data["layers"][0]["container"] and data["layers"][1]["depth"] == 1
    md = render.to_markdown(s, "en")
    assert "· Conv-1" in md and "torchinfo" not in md and "nndl's convention" in md


# ------------------------------------------------------------------ the spec language
def _torch_seq_calls(model, x):
    return [shape[1:] for m, shape in torch_calls(model, x) if m is not model]


def test_spec_embedding_and_layernorm_against_pytorch():
    s = summarize("input 50; embedding 10000x128; layernorm; fc 10", verify=True)
    theirs = tnn.Sequential(tnn.Embedding(10000, 128), tnn.LayerNorm(128), tnn.Linear(128, 10))
    assert s.total_params == sum(p.numel() for p in theirs.parameters()) == 1_281_546
    assert [r.output_shape for r in s.layers] == \
        _torch_seq_calls(theirs, torch.zeros(1, 50, dtype=torch.long))
    assert [r.name for r in s.layers] == ["Embedding-1", "LayerNorm-1", "FC-1"] and s.verified
    assert "params = num_embeddings·embedding_dim = 10,000·128 = 1,280,000" in \
        [str(f) for f in s.layer("Embedding-1").formulas]
    # on an image, layernorm normalises the whole sample, as nn.LayerNorm([C, H, W])
    s = summarize("input 28x28x3; conv 4 3x3; ln; flatten; fc 3", verify=True)
    theirs = tnn.Sequential(tnn.Conv2d(3, 4, 3), tnn.LayerNorm([4, 26, 26]), tnn.Flatten(),
                            tnn.Linear(4 * 26 * 26, 3))
    assert s.total_params == sum(p.numel() for p in theirs.parameters())
    assert [r.output_shape for r in s.layers] == _torch_seq_calls(theirs, torch.zeros(1, 3, 28, 28))
    assert summarize("input 9; emb 20 4").total_params == summarize("input 9; embedding 20x4")\
        .total_params == 80


@pytest.mark.parametrize(("spec", "what"), [
    ("input 5; embedding 100", "VxD"),
    ("input 5; embedding 0x4", "positive"),
    ("input 5; embedding 10x4 7", "unexpected"),
    ("input 5; layernorm 3", "takes no arguments"),
    ("input 5; embeding 10x4", "did you mean 'embedding'"),
])
def test_spec_embedding_errors(spec, what):
    with pytest.raises(nndl.NNDLError) as info:
        summarize(spec)
    assert what in info.value.message + (info.value.hint or "")


def test_cli_mult_adds_option_and_help(capsys):
    from nndl.cli import main

    assert main(["summary", "input 28x28; conv 6 5x5; bn; fc 10", "-f", "json",
                 "--mult-adds", "torchinfo"]) == 0
    data = json.loads(capsys.readouterr().out)
    # torchinfo: (weights + biases) × output positions for a conv, γ and β, fc with bias
    assert data["total_mult_adds"] == 156 * 24 * 24 + 12 + (6 * 24 * 24 * 10 + 10)
    assert data["mult_adds_convention"] == "torchinfo"
    assert main(["summary", "input 28x28; conv 6 5x5; bn; fc 10", "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["total_mult_adds"] == \
        150 * 24 * 24 + 6 * 24 * 24 * 10
    assert main(["summary", "--help"]) == 0
    out = capsys.readouterr().out
    for word in ("embedding 10000x128", "layernorm", "--mult-adds", "torchinfo"):
        assert word in out


class CPUInside(tnn.Module):
    """Reads a value in forward (.item()) and mixes in a tensor of its own: PyTorch's meta
    device cannot run it, so the calculator runs it for real on zeros."""

    def __init__(self):
        super().__init__()
        self.fc = tnn.Linear(6, 6)
        self.gains = tnn.ParameterList([tnn.Parameter(torch.ones(6)) for _ in range(2)])

    def forward(self, x):
        steps = int(x.abs().sum().item()) + 1
        return self.fc(x) * self.gains[0] + torch.arange(6.0) * steps


def test_a_forward_the_meta_device_cannot_run_runs_on_zeros():
    model = CPUInside()
    s = summarize(model, input_size=(6,))
    assert s.total_params == 42 + 12 == sum(p.numel() for p in model.parameters())
    assert s.verified and any("ran for real" in n.en for n in s.notes)
    check_against_torch(s, model, torch.zeros(1, 6))
    # the ParameterList is never called: its parameters are listed, not lost
    plist = [r for r in s.layers if r.type == "ParameterList"][0]
    assert plist.not_called and plist.params == 12


def test_an_nndl_model_with_two_inputs_and_a_dict_output():
    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(3, 4)
            self.b = nn.Linear(5, 4)

        def forward(self, x, y):
            return {"sum": self.a(x) + self.b(y), "a": self.a(x)}

    model = Two()
    s = summarize(model, input_size=[(3,), (5,)])
    assert s.total_params == 16 + 24 and s.model_output == {"sum": (1, 4), "a": (1, 4)}
    assert [(r.source, r.call, r.params) for r in s.layers] == \
        [("a", 1, 16), ("b", 1, 24), ("a", 2, 0)]
    with pytest.raises(SummaryError, match="'b' \\(Linear\\).*in_features = 5.*6 features"):
        summarize(model, input_size=[(3,), (6,)])


# ------------------------------------------------------------------ drawn layers
@st.composite
def drawn_layer(draw):
    """A convolution or pool of a drawn kind and configuration, and an input it accepts."""
    nd = draw(st.sampled_from([1, 2, 3]))
    kind = draw(st.sampled_from(["conv", "convT", "max", "avg"]))
    size = tuple(draw(st.integers(6, 12)) for _ in range(nd))
    k = draw(st.integers(1, 4))
    s = draw(st.integers(1, 3))
    if kind in ("conv", "convT"):
        g = draw(st.sampled_from([1, 2]))
        cin, cout = 2 * draw(st.integers(1, 2)), 2 * draw(st.integers(1, 3))
        d = draw(st.integers(1, 2))
        if kind == "conv":
            pad = "same" if s == 1 and draw(st.booleans()) else draw(st.integers(0, 2))
            layer = getattr(tnn, f"Conv{nd}d")(cin, cout, k, s, pad, d, g,
                                               bias=draw(st.booleans()))
        else:
            p = draw(st.integers(0, (d * (k - 1)) // 2))
            layer = getattr(tnn, f"ConvTranspose{nd}d")(cin, cout, k, s, p, min(s, d) - 1, g,
                                                        dilation=d)
        return layer, (1, cin) + size
    p = draw(st.integers(0, k // 2))
    ceil = draw(st.booleans())
    layer = (getattr(tnn, f"MaxPool{nd}d")(k, s, p, ceil_mode=ceil) if kind == "max"
             else getattr(tnn, f"AvgPool{nd}d")(k, s, p, ceil_mode=ceil))
    return layer, (1, 3) + size


@given(drawn_layer())
def test_drawn_layers_formulas_agree_with_pytorch(case):
    layer, shape = case
    s = summarize(tnn.Sequential(layer), input_size=shape)
    row = s.layers[0]
    expected = tuple(layer(torch.zeros(shape)).shape)
    assert row.output_shape == expected and not row.measured, [n.en for n in row.notes]
    assert row.params == sum(p.numel() for p in layer.parameters())


def _reused_twice():
    lin = tnn.Linear(10, 10)
    return tnn.Sequential(lin, tnn.ReLU(), lin, tnn.ReLU())  # one module at two places


@pytest.mark.parametrize("make", [_reused_twice, TiedAutoencoder, InsideModel,
                                  lambda: ResNet(BasicBlock, (1, 1, 1, 1))])
def test_the_users_model_is_left_as_it_was(make):
    model = make()
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    size = (1, 5) if isinstance(model, TiedAutoencoder) else \
        (1, 2) if isinstance(model, InsideModel) else (3, 32, 32) if isinstance(model, ResNet) \
        else (10,)
    s = summarize(model, input_size=size, verify=True)
    assert s.total_params == sum(p.numel() for p in model.parameters())
    after = model.state_dict()
    assert list(after) == list(before)
    for k, v in after.items():
        assert v.device.type == "cpu" and torch.equal(v, before[k]), k
    assert all(m.training for m in model.modules())
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch.jit.script, in torch 2.13
def test_torchscript_parts_cannot_be_observed_but_are_counted():
    model = tnn.Sequential(tnn.Conv2d(1, 2, 3), tnn.Flatten(),
                           torch.jit.script(tnn.Linear(2 * 6 * 6, 3)))
    s = summarize(model, input_size=(1, 8, 8), verify=True)
    assert s.total_params == 20 + 219 == sum(p.numel() for p in model.parameters())
    blind = [r for r in s.layers if r.not_called]
    assert blind and "TorchScript" in blind[0].notes[-1].en


# every type of the formula table, one instance each, against PyTorch's forward
_IMG, _SEQ, _VOL = (1, 4, 9, 10), (1, 4, 11), (1, 4, 5, 6, 7)
TABLE_CASES = {
    "AdaptiveAvgPool1d": (lambda: tnn.AdaptiveAvgPool1d(4), _SEQ),
    "AdaptiveAvgPool2d": (lambda: tnn.AdaptiveAvgPool2d((3, None)), _IMG),
    "AdaptiveAvgPool3d": (lambda: tnn.AdaptiveAvgPool3d(2), _VOL),
    "AdaptiveMaxPool1d": (lambda: tnn.AdaptiveMaxPool1d(5), _SEQ),
    "AdaptiveMaxPool2d": (lambda: tnn.AdaptiveMaxPool2d(2), _IMG),
    "AdaptiveMaxPool3d": (lambda: tnn.AdaptiveMaxPool3d((1, 2, 3)), _VOL),
    "AvgPool1d": (lambda: tnn.AvgPool1d(3, 2, 1, ceil_mode=True), _SEQ),
    "AvgPool2d": (lambda: tnn.AvgPool2d(3, 2, ceil_mode=True), _IMG),
    "AvgPool3d": (lambda: tnn.AvgPool3d(2), _VOL),
    "BatchNorm1d": (lambda: tnn.BatchNorm1d(4), _SEQ),
    "BatchNorm2d": (lambda: tnn.BatchNorm2d(4, affine=False), _IMG),
    "BatchNorm3d": (lambda: tnn.BatchNorm3d(4), _VOL),
    "CircularPad1d": (lambda: tnn.CircularPad1d(2), _SEQ),
    "CircularPad2d": (lambda: tnn.CircularPad2d((1, 0, 2, 1)), _IMG),
    "CircularPad3d": (lambda: tnn.CircularPad3d(1), _VOL),
    "ConstantPad1d": (lambda: tnn.ConstantPad1d((0, 3), 1.0), _SEQ),
    "ConstantPad2d": (lambda: tnn.ConstantPad2d(2, 0.5), _IMG),
    "ConstantPad3d": (lambda: tnn.ConstantPad3d((1, 2, 0, 1, 3, 0), 0.0), _VOL),
    "Conv1d": (lambda: tnn.Conv1d(4, 6, 3, dilation=2, groups=2), _SEQ),
    "Conv2d": (lambda: tnn.Conv2d(4, 4, (3, 5), stride=(2, 1), groups=4, padding_mode="reflect",
                                  padding=1), _IMG),
    "Conv3d": (lambda: tnn.Conv3d(4, 2, 2, stride=2, bias=False), _VOL),
    "ConvTranspose1d": (lambda: tnn.ConvTranspose1d(4, 3, 3, stride=2), _SEQ),
    "ConvTranspose2d": (lambda: tnn.ConvTranspose2d(4, 2, (2, 3), stride=2, groups=2), _IMG),
    "ConvTranspose3d": (lambda: tnn.ConvTranspose3d(4, 1, 2, stride=1, padding=1), _VOL),
    "Embedding": (lambda: tnn.Embedding(30, 5), (2, 3)),
    "GRU": (lambda: tnn.GRU(11, 6, num_layers=2, bias=False), _SEQ),
    "GRUCell": (lambda: tnn.GRUCell(11, 6), (3, 11)),
    "GroupNorm": (lambda: tnn.GroupNorm(2, 4), _IMG),
    "InstanceNorm1d": (lambda: tnn.InstanceNorm1d(4), _SEQ),
    "InstanceNorm2d": (lambda: tnn.InstanceNorm2d(4, affine=True), _IMG),
    "InstanceNorm3d": (lambda: tnn.InstanceNorm3d(4), _VOL),
    "LSTM": (lambda: tnn.LSTM(11, 6, proj_size=3, bidirectional=True, num_layers=2), _SEQ),
    "LSTMCell": (lambda: tnn.LSTMCell(11, 2), (1, 11)),
    "LayerNorm": (lambda: tnn.LayerNorm([9, 10], bias=False), _IMG),
    "MaxPool1d": (lambda: tnn.MaxPool1d(3, 2, ceil_mode=True), _SEQ),
    "MaxPool2d": (lambda: tnn.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True), _IMG),
    "MaxPool3d": (lambda: tnn.MaxPool3d(2, ceil_mode=True), _VOL),
    "PReLU": (lambda: tnn.PReLU(), _IMG),
    "RNN": (lambda: tnn.RNN(11, 5, batch_first=True), _SEQ),
    "RNNCell": (lambda: tnn.RNNCell(11, 4, bias=False), (2, 11)),
    "ReflectionPad1d": (lambda: tnn.ReflectionPad1d(3), _SEQ),
    "ReflectionPad2d": (lambda: tnn.ReflectionPad2d((1, 2, 3, 0)), _IMG),
    "ReflectionPad3d": (lambda: tnn.ReflectionPad3d(1), _VOL),
    "ReplicationPad1d": (lambda: tnn.ReplicationPad1d((4, 1)), _SEQ),
    "ReplicationPad2d": (lambda: tnn.ReplicationPad2d(2), _IMG),
    "ReplicationPad3d": (lambda: tnn.ReplicationPad3d((0, 1, 1, 0, 2, 2)), _VOL),
    "ZeroPad1d": (lambda: tnn.ZeroPad1d(2), _SEQ),
    "ZeroPad2d": (lambda: tnn.ZeroPad2d((0, 1, 2, 3)), _IMG),
    "ZeroPad3d": (lambda: tnn.ZeroPad3d(1), _VOL),
}


@pytest.mark.filterwarnings("ignore:LSTM with projections")  # torch's oneDNN remark
@pytest.mark.parametrize("kind", sorted(formulas.COMPUTED - {"MaxUnpool1d", "MaxUnpool2d",
                                                                 "MaxUnpool3d"}))
def test_each_formula_of_the_table(kind):
    make, shape = TABLE_CASES[kind]
    layer = make()
    dtype = torch.long if kind == "Embedding" else torch.float32
    x = torch.zeros(shape, dtype=dtype)
    s = summarize(tnn.Sequential(layer), input_data=x)
    row = s.layers[0]
    out = layer(x)
    out = out[0] if isinstance(out, tuple) else out
    assert row.type == kind and row.output_shape == tuple(out.shape) and not row.measured, \
        [n.en for n in row.notes]
    assert row.params == sum(p.numel() for p in layer.parameters()) and row.formulas
