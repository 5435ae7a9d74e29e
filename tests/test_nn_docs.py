"""The docstrings of nndl.nn (project issue 13 §2).

Every example in them runs and prints what it says (doctest), every public class has
one, and the formulas each layer's ``describe()`` prints are, letter for letter, in the
docstring of the layer, so the docs cannot drift from the calculator. Examples assume
``import nndl`` and ``from nndl import nn``, as PyTorch's assume ``torch`` and ``nn``.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re

import numpy as np
import pytest

import nndl
from nndl import nn
from nndl.errors import NNDLError


def _nn_modules() -> list:
    """nndl.nn and every module in it (new ones included)."""
    return [nn] + [importlib.import_module(info.name)
                   for info in pkgutil.iter_modules(nn.__path__, nn.__name__ + ".")]


def _doctests() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder(exclude_empty=True)
    found: dict[str, doctest.DocTest] = {}
    for module in _nn_modules():
        for test in finder.find(module, module.__name__,
                                extraglobs={"nndl": nndl, "nn": nn, "np": np}):
            if test.examples:
                found.setdefault(test.name, test)
    return sorted(found.values(), key=lambda t: t.name)


DOCTESTS = _doctests()

# the classes nndl.nn exports (Note is nndl.text.Text, documented there)
PUBLIC = {name: obj for name in nn.__all__
          if inspect.isclass(obj := getattr(nn, name)) and obj.__module__.startswith("nndl.nn")}


def _doc(cls: type) -> str:
    return re.sub(r"\s+", " ", inspect.getdoc(cls) or "")


@pytest.mark.parametrize("test", DOCTESTS, ids=[t.name for t in DOCTESTS])
def test_docstring_examples_run(test: doctest.DocTest, monkeypatch) -> None:
    # seeded, restored after (the generator lives in the package root or in the engine)
    holder = nndl if hasattr(nndl, "_rng") else importlib.import_module("nndl.engine.random")
    monkeypatch.setattr(holder, "_rng", np.random.default_rng(0))
    lines: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    result = runner.run(test, out=lines.append, clear_globs=False)
    assert result.failed == 0, "".join(lines)
    assert result.attempted == len(test.examples)


def test_every_public_class_has_examples() -> None:
    with_examples = {t.name.rsplit(".", 1)[-1] for t in DOCTESTS}
    missing = sorted(name for name, cls in PUBLIC.items() if cls.__name__ not in with_examples)
    assert not missing, f"public nndl.nn classes without an Examples:: doctest: {missing}"
    assert len(PUBLIC) >= 25
    assert sum(len(t.examples) for t in DOCTESTS) >= 100


def _layers() -> dict[str, type]:
    return {name: cls for name, cls in PUBLIC.items() if issubclass(cls, nn.Module)}


@pytest.mark.parametrize("name", sorted(_layers()))
def test_layer_docstring_sections(name: str) -> None:
    """PyTorch's layout: what it computes, Args:, Shape: (layers), Examples::."""
    cls = PUBLIC[name]
    doc = inspect.getdoc(cls) or ""
    assert "Args:" in doc, name
    assert "Examples::" in doc, name
    if cls not in (nn.Module, nn.ModuleList):
        assert "Shape:" in doc, name


# For every layer with describe(): sample inputs that reach each formula it can print.
CASES = {
    "Conv2d": [
        (lambda: nn.Conv2d(3, 6, 5), (3, 32, 32)),
        (lambda: nn.Conv2d(3, 6, 5, bias=False), (3, 32, 32)),
        (lambda: nn.Conv2d(3, 6, 3, padding=2, dilation=2), (3, 32, 32)),
        (lambda: nn.Conv2d(3, 6, 3, padding=1), (3, 32, 28)),
        (lambda: nn.Conv2d(3, 6, (3, 5), stride=(1, 2), padding=(1, 2)), (3, 32, 28)),
        (lambda: nn.Conv2d(3, 6, (3, 5), stride=(1, 2), padding=(1, 2), dilation=(1, 2)),
         (3, 32, 28)),
        (lambda: nn.Conv2d(8, 8, 3, padding="same", groups=8, padding_mode="reflect"),
         (8, 10, 10)),
        (lambda: nn.Conv2d(4, 6, 3, padding="valid", groups=2), (4, 10, 10)),
    ],
    "Conv1d": [(lambda: nn.Conv1d(4, 8, 3, padding=1), (4, 10)),
               (lambda: nn.Conv1d(4, 8, 3, padding="same", groups=2, bias=False), (4, 10))],
    "ConvTranspose2d": [(lambda: nn.ConvTranspose2d(16, 8, 2, stride=2), (16, 7, 7)),
                        (lambda: nn.ConvTranspose2d(4, 6, 3, 2, 1, 1, groups=2, bias=False),
                         (4, 5, 6))],
    "Upsample": [(lambda: nn.Upsample(scale_factor=2), (3, 4, 5)),
                 (lambda: nn.Upsample(size=(7, 3), mode="bilinear"), (3, 4, 5))],
    "MaxUnpool2d": [(lambda: nn.MaxUnpool2d(2), (3, 4, 5))],
    "MaxPool1d": [(lambda: nn.MaxPool1d(3, 2, 1, ceil_mode=True), (4, 10))],
    "AvgPool1d": [(lambda: nn.AvgPool1d(2), (4, 11))],
    "UpsamplingNearest2d": [(lambda: nn.UpsamplingNearest2d(scale_factor=2), (3, 4, 5))],
    "UpsamplingBilinear2d": [(lambda: nn.UpsamplingBilinear2d(size=6), (3, 4, 5))],
    "MaxPool2d": [
        (lambda: nn.MaxPool2d(2), (6, 28, 28)),
        (lambda: nn.MaxPool2d(3, 2, 1), (6, 28, 28)),
        (lambda: nn.MaxPool2d(3, 2, 1, dilation=2), (6, 28, 28)),
        (lambda: nn.MaxPool2d(2), (6, 28, 24)),
        (lambda: nn.MaxPool2d((2, 3)), (6, 28, 24)),
        (lambda: nn.MaxPool2d(3, 2, ceil_mode=True), (6, 28, 24)),
    ],
    "AvgPool2d": [
        (lambda: nn.AvgPool2d(2), (6, 28, 28)),
        (lambda: nn.AvgPool2d(2, padding=1), (6, 28, 28)),
        (lambda: nn.AvgPool2d(2), (6, 28, 24)),
        (lambda: nn.AvgPool2d((2, 3)), (6, 28, 24)),
        (lambda: nn.AvgPool2d(3, 2, 1, ceil_mode=True), (6, 28, 24)),
    ],
    "Linear": [
        (lambda: nn.Linear(400, 120), (400,)),
        (lambda: nn.Linear(400, 120, bias=False), (400,)),
        (lambda: nn.Linear(400, 120), (5, 400)),
    ],
    "Flatten": [(lambda: nn.Flatten(), (16, 5, 5))],
    "Identity": [(lambda: nn.Identity(), (16, 5, 5))],
    "BatchNorm1d": [
        (lambda: nn.BatchNorm1d(6), (6,)),
        (lambda: nn.BatchNorm1d(6, bias=False), (6, 10)),
        (lambda: nn.BatchNorm1d(6, affine=False), (6,)),
    ],
    "BatchNorm2d": [
        (lambda: nn.BatchNorm2d(6), (6, 28, 28)),
        (lambda: nn.BatchNorm2d(6, bias=False), (6, 28, 28)),
    ],
    "Dropout": [(lambda: nn.Dropout(), (120,))],
    **{name: [(lambda cls=cls: cls(), (10,))]
       for name, cls in [("ReLU", nn.ReLU), ("Sigmoid", nn.Sigmoid), ("Tanh", nn.Tanh),
                         ("LeakyReLU", nn.LeakyReLU), ("Softmax", nn.Softmax),
                         ("LogSoftmax", nn.LogSoftmax)]},
    # the activations of issue 17 (shape unchanged, no parameters)
    **{name: [(lambda cls=getattr(nn, name), n=name: cls(0.5, -1.0) if n == "Threshold" else cls(),
               (10,))]
       for name in ["GELU", "SiLU", "Mish", "ELU", "SELU", "CELU", "Hardtanh", "ReLU6",
                    "Hardsigmoid", "Hardswish", "Softsign", "LogSigmoid", "Softplus",
                    "Tanhshrink", "Softshrink", "Hardshrink", "Threshold", "Softmin"]},
    "AdaptiveAvgPool2d": [(lambda: nn.AdaptiveAvgPool2d((1, 1)), (8, 7, 7)),
                          (lambda: nn.AdaptiveAvgPool2d((3, None)), (8, 7, 5))],
    "AdaptiveMaxPool2d": [(lambda: nn.AdaptiveMaxPool2d(2), (8, 5, 5))],
    # recurrent layers and attention: inputs are one sample's (L, I) sequence
    **{name: [(lambda cls=getattr(nn, name): cls(10, 20), (5, 10)),
              (lambda cls=getattr(nn, name): cls(10, 20, num_layers=3, bidirectional=True,
                                                 bias=False), (5, 10)),
              (lambda cls=getattr(nn, name): cls(10, 20, num_layers=2), (5, 10)),
              (lambda cls=getattr(nn, name): cls(10, 20, bias=False), (5, 10))]
       for name in ["RNN", "LSTM", "GRU"]},
    **{name: [(lambda cls=getattr(nn, name): cls(10, 20), (10,))]
       for name in ["RNNCell", "LSTMCell", "GRUCell"]},
    "MultiheadAttention": [(lambda: nn.MultiheadAttention(16, 4), (5, 16)),
                           (lambda: nn.MultiheadAttention(16, 4, bias=False), (5, 16)),
                           (lambda: nn.MultiheadAttention(16, 2, kdim=16, vdim=16), (5, 16))],
}


def test_every_layer_with_describe_has_cases() -> None:
    described = sorted(name for name, cls in _layers().items()
                       if cls.describe is not nn.Module.describe)
    missing = [name for name in described if name not in CASES]
    assert not missing, (f"layers with describe() and no sample inputs here: {missing} "
                         "(add them to CASES so their docstrings are checked)")


@pytest.mark.parametrize("name", sorted(CASES))
def test_docstring_has_describe_formulas(name: str) -> None:
    cls = PUBLIC[name]
    doc = _doc(cls)
    for make, shape in CASES[name]:
        m = make()
        assert type(m) is cls
        info = m.describe(shape, floor=True)
        if info.formulas:
            assert "describe" in doc, f"{name}: say that describe() prints these formulas"
        for f in info.formulas:
            text = f"{f.name} = {f.expr}"
            assert text in doc, (f"{name}: describe({shape}) prints {text!r}, which its "
                                 f"docstring does not contain ({m!r})")


def test_shape_examples_agree_with_forward() -> None:
    """The output shapes of CASES, by describe() and by a real forward pass."""
    for name, cases in CASES.items():
        for make, shape in cases:
            m = make().eval()
            if isinstance(m, nn.MultiheadAttention | nn.RNNBase | nn.RNNCellBase):
                # sequence layers: one unbatched sample, the first output
                x = nndl.zeros(*shape)
                out = m(x, x, x) if isinstance(m, nn.MultiheadAttention) else m(x)
                out = out[0] if isinstance(out, tuple) else out
                assert tuple(out.shape) == m.describe(shape, floor=True).out_shape, name
                continue
            x = nndl.zeros(1, *shape)
            # unpooling also takes the pool's indices (all at 0 will do for the shape)
            out = m(x, nndl.zeros(x.shape, dtype=nndl.int64)) if isinstance(
                m, nn.MaxUnpool2d) else m(x)
            assert tuple(out.shape) == (1, *m.describe(shape, floor=True).out_shape), name


def test_internal_count_check_is_an_nndl_error(monkeypatch) -> None:
    """A layer whose formula disagrees with its real weights says so as an nndl error."""
    for make, shape in [(lambda: nn.Conv2d(3, 6, 5), (3, 32, 32)),
                        (lambda: nn.Linear(4, 2), (4,)), (lambda: nn.BatchNorm2d(3), (3, 4, 4))]:
        m = make()
        monkeypatch.setattr(m, "_param_counts", lambda: (-1, -1))
        with pytest.raises(NNDLError, match="internal"):
            m.describe(shape)
