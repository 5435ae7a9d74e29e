"""The benchmark workloads, written once per framework with the same layer names.

Each workload is one training step (forward, cross-entropy, backward, SGD update)
in float32. ``build(name, framework)`` returns a ready-to-call ``step()`` plus the
model; the nndl model gets the torch model's weights through ``state_dict`` so both
start from the same numbers. Layer names match PyTorch's, so the two
``state_dict``s have the same keys and shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

LR = 0.01


@dataclass(frozen=True)
class Layer:
    """A layer of the spec: kind in {linear, conv, maxpool, relu, flatten} and its arguments."""

    kind: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


def _L(kind, *args, **kwargs) -> Layer:
    return Layer(kind, args, kwargs)


@dataclass(frozen=True)
class Workload:
    name: str
    title: str
    input_shape: tuple[int, ...]  # without the batch dimension
    batch: int
    layers: tuple[Layer, ...]
    classes: int
    target_ratio: float | None  # the target for nndl_ms / torch_ms
    reps: int  # timed repetitions in a full run (--quick divides)
    block: int  # steps in a row per framework before switching (see run.time_pair)


WORKLOADS: dict[str, Workload] = {
    w.name: w for w in (
        Workload("mlp", "MLP 784-256-256-10, batch 128", (784,), 128, (
            _L("linear", 784, 256), _L("relu"), _L("linear", 256, 256), _L("relu"),
            _L("linear", 256, 10)), 10, 0.9, 200, 20),
        Workload("lenet", "LeNet-5 1x28x28, batch 64", (1, 28, 28), 64, (
            _L("conv", 1, 6, 5, padding=2), _L("relu"), _L("maxpool", 2),
            _L("conv", 6, 16, 5), _L("relu"), _L("maxpool", 2), _L("flatten"),
            _L("linear", 400, 120), _L("relu"), _L("linear", 120, 84), _L("relu"),
            _L("linear", 84, 10)), 10, 1.0, 100, 10),
        Workload("ex6", "exercise-6 net 3x227x227, batch 4", (3, 227, 227), 4, (
            _L("conv", 3, 96, 11, stride=4), _L("relu"), _L("maxpool", 3, stride=2),
            _L("conv", 96, 256, 5, padding=2), _L("relu"), _L("maxpool", 3, stride=2),
            _L("flatten"), _L("linear", 13 * 13 * 256, 4096), _L("relu"),
            _L("linear", 4096, 1000)), 1000, 0.8, 10, 1),
    )
}


# ------------------------------------------------------------------ FLOPs
def train_step_flops(w: Workload) -> int:
    """Multiply-adds ×2 of the GEMM-shaped work (linear and conv layers) in one training step.

    Forward once; backward twice (input gradient and weight gradient), except the first
    layer, whose input needs no gradient. Elementwise ops, pooling and the update are
    left out: they are not GEMM work and are small beside it.
    """
    shape = (w.batch, *w.input_shape)
    total, first = 0, True
    for layer in w.layers:
        if layer.kind == "linear":
            fin, fout = layer.args
            fwd = 2 * shape[0] * fin * fout
            shape = (shape[0], fout)
        elif layer.kind == "conv":
            cin, cout, k = layer.args
            s, p = layer.kwargs.get("stride", 1), layer.kwargs.get("padding", 0)
            h = (shape[2] + 2 * p - k) // s + 1
            wd = (shape[3] + 2 * p - k) // s + 1
            fwd = 2 * shape[0] * cout * h * wd * cin * k * k
            shape = (shape[0], cout, h, wd)
        else:
            if layer.kind == "maxpool":
                k = layer.args[0]
                s = layer.kwargs.get("stride", k)
                shape = (*shape[:2], (shape[2] - k) // s + 1, (shape[3] - k) // s + 1)
            elif layer.kind == "flatten":
                shape = (shape[0], int(np.prod(shape[1:])))
            continue
        total += fwd * (2 if first else 3)
        first = False
    return total


def parameter_count(w: Workload) -> int:
    n = 0
    for layer in w.layers:
        if layer.kind == "linear":
            n += layer.args[0] * layer.args[1] + layer.args[1]
        elif layer.kind == "conv":
            cin, cout, k = layer.args
            n += cout * cin * k * k + cout
    return n


# ------------------------------------------------------------------ data
def make_data(w: Workload, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((w.batch, *w.input_shape), dtype=np.float32)
    y = rng.integers(0, w.classes, size=w.batch).astype(np.int64)
    return x, y


# ------------------------------------------------------------------ models
def _module(nn, layer: Layer):
    make = {"linear": nn.Linear, "conv": nn.Conv2d, "maxpool": nn.MaxPool2d, "relu": nn.ReLU,
            "flatten": nn.Flatten}[layer.kind]
    return make(*layer.args, **layer.kwargs)


def torch_model(w: Workload, seed: int = 0):
    import torch

    torch.manual_seed(seed)
    return torch.nn.Sequential(*(_module(torch.nn, layer) for layer in w.layers))


def nndl_model(w: Workload, seed: int = 0):
    import nndl
    from nndl import nn

    nndl.manual_seed(seed)
    return nn.Sequential(*(_module(nn, layer) for layer in w.layers))


def copy_torch_to_nndl(torch_m, nndl_m) -> None:
    """Give the nndl model the torch model's weights (a copy, through state_dict)."""
    import nndl

    state = {k: nndl.from_numpy(v.detach().numpy().copy()) for k, v in torch_m.state_dict().items()}
    nndl_m.load_state_dict(state)


@dataclass
class Runner:
    """One framework's ready-to-time training step on fixed data."""

    framework: str
    model: Any
    step: Callable[[], float]  # runs one training step, returns the loss (a Python float)
    loss: Callable[[], float]  # the loss on the fixed batch, without a step


def torch_runner(w: Workload, x: np.ndarray, y: np.ndarray, model=None, seed: int = 0) -> Runner:
    import torch

    model = model if model is not None else torch_model(w, seed)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=LR)

    def step() -> float:
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xt), yt)
        loss.backward()
        opt.step()
        return float(loss.detach())

    def loss() -> float:
        with torch.no_grad():
            return float(loss_fn(model(xt), yt))

    return Runner("torch", model, step, loss)


def nndl_runner(w: Workload, x: np.ndarray, y: np.ndarray, model=None, seed: int = 0) -> Runner:
    import nndl
    from nndl import nn, optim

    model = model if model is not None else nndl_model(w, seed)
    xt, yt = nndl.from_numpy(x), nndl.from_numpy(y)
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.SGD(model.parameters(), lr=LR)

    def step() -> float:
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        opt.step()
        return float(loss.item())

    def loss() -> float:
        with nndl.no_grad():
            return float(loss_fn(model(xt), yt).item())

    return Runner("nndl", model, step, loss)


def paired_runners(w: Workload, seed: int = 0) -> tuple[Runner, Runner]:
    """(nndl, torch) runners on the same data and the same initial weights."""
    x, y = make_data(w, seed)
    tm = torch_model(w, seed)
    nm = nndl_model(w, seed)
    copy_torch_to_nndl(tm, nm)
    return nndl_runner(w, x, y, nm), torch_runner(w, x, y, tm)


def runner(w: Workload, framework: str, seed: int = 0) -> Runner:
    """A runner with the framework's own initialisation (used by the memory child processes)."""
    x, y = make_data(w, seed)
    return (nndl_runner if framework == "nndl" else torch_runner)(w, x, y, seed=seed)
