"""The training loop: epochs over mini-batches, evaluation, the lr schedule, label
smoothing, weight averaging, threads; returns a :class:`TrainHistory` (plain data)."""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from nndl.text import Text
from nndl.train.model import (
    AVERAGES,
    DEFAULT_LR,
    MODEL_DEFAULTS,
    MODELS,
    OPTIMIZERS,
    SCHEDULES,
    TrainingError,
    _arch,
    make_model,
    make_optimizer,
)


@dataclass
class EpochStats:
    epoch: int
    train_loss: float       # mean over the epoch's mini-batches (weights changing meanwhile),
    #                         against the smoothed targets when label smoothing is on
    train_accuracy: float
    test_loss: float        # after the epoch, on the held-out split
    test_accuracy: float
    seconds: float          # since training began


@dataclass
class TrainHistory:
    dataset: str
    model: str
    architecture: str
    parameters: int
    optimizer: str
    lr: float
    momentum: float
    batch_size: int
    epochs: int
    seed: int
    split_seed: int
    n_train: int
    n_test: int
    threads: int
    augment: int = 0            # max random shift of the training images, pixels
    schedule: str = "constant"  # lr schedule over the steps
    warmup: int = 0             # epochs of linear lr warm-up
    label_smoothing: float = 0.0
    affine: tuple[float, float, float] | None = None  # random rotation °, zoom, move px
    history: list[EpochStats] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def final(self) -> EpochStats:
        return self.history[-1]

    @property
    def test_accuracy(self) -> float:
        return self.final.test_accuracy

    def to_dict(self) -> dict:
        return asdict(self)


# ------------------------------------------------------------------ the loop
def evaluate(model, x: np.ndarray, y: np.ndarray, batch_size: int = 512) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of ``model`` on ``(x, y)``, without a graph."""
    import nndl
    from nndl.nn import functional as F

    was_training = model.training
    model.eval()
    total_loss, correct = 0.0, 0
    with nndl.no_grad():
        for i in range(0, len(x), batch_size):
            logits = model(nndl.from_numpy(x[i:i + batch_size]))
            yb = y[i:i + batch_size]
            total_loss += float(F.cross_entropy(logits, nndl.from_numpy(yb),
                                                reduction="sum").item())
            correct += int(np.sum(np.argmax(logits.data, axis=1) == yb))
    model.train(was_training)
    return total_loss / len(x), correct / len(x)


ProgressFn = Callable[[int, int, int, int, float, float], None]


def lr_factor(step: int, steps: int, schedule: str, warmup: int = 0) -> float:
    """The lr multiplier at 0-based optimiser ``step`` of ``steps``.

    A linear warm-up over the first ``warmup`` steps ((step + 1) / warmup: small steps while
    the random initial weights give large, erratic gradients), then 1 ("constant") or a
    cosine from 1 towards 0 over the remaining steps ("cosine": big steps first, small ones
    to settle). Per step, the numbers of PyTorch's ``SequentialLR([LinearLR(start_factor=
    1/warmup, total_iters=warmup - 1), CosineAnnealingLR(T_max=steps - warmup)])``.
    """
    if step < warmup:
        return (step + 1) / warmup
    if schedule == "constant":
        return 1.0
    return 0.5 * (1.0 + math.cos(math.pi * (step - warmup) / max(steps - warmup, 1)))


class WeightAverage:
    """Averaged weights of a model: SWA's equal-weight mean or an exponential moving average.

    ``record()`` adds the model's current weights (parameters and floating-point buffers,
    e.g. BatchNorm's running statistics): ``"swa"`` keeps the mean of all recorded copies,
    ``"ema"`` keeps m ← decay·m + (1 − decay)·w (the first record starts m). Averaging the
    weights an SGD run visits near its end lands nearer the middle of the low-loss region
    than any single one of them, which usually generalises better.
    """

    def __init__(self, model, mode: str = "swa", decay: float = 0.99):
        if mode not in AVERAGES or mode == "none":
            raise TrainingError(f"unknown weight average '{mode}'",
                                hint=f"choose one of: {', '.join(AVERAGES)}")
        self.mode, self.decay, self.count = mode, decay, 0
        self.tensors = [*model.parameters(),
                        *(b for b in model.buffers() if b.data.dtype.kind == "f")]
        self.mean: list[np.ndarray] = []

    def record(self) -> None:
        self.count += 1
        if self.count == 1:
            self.mean = [t.data.copy() for t in self.tensors]
            return
        rate = 1.0 / self.count if self.mode == "swa" else 1.0 - self.decay
        for m, t in zip(self.mean, self.tensors, strict=True):
            m += rate * (t.data - m)  # running mean: m_n = m_(n-1) + (w_n − m_(n-1)) / n

    @contextlib.contextmanager
    def applied(self):
        """Inside the block the model holds the averaged weights; its own come back after."""
        saved = [t.data.copy() for t in self.tensors]
        self.copy_to_model()
        try:
            yield
        finally:
            for t, w in zip(self.tensors, saved, strict=True):
                t.data[...] = w

    def copy_to_model(self) -> None:
        for t, m in zip(self.tensors, self.mean, strict=True):
            t.data[...] = m


def smoothed_targets(y: np.ndarray, classes: int, smoothing: float, dtype) -> np.ndarray:
    """One-hot rows mixed with the uniform distribution: (1 − ε)·onehot(y) + ε/C.

    Cross-entropy against these is PyTorch's ``CrossEntropyLoss(label_smoothing=ε)``: the
    network is never pushed to make one logit infinitely larger than the rest.
    """
    t = np.full((len(y), classes), smoothing / classes, dtype=dtype)
    t[np.arange(len(y)), y] += 1.0 - smoothing
    return t


def fit(model, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray,
        *, epochs: int, optimizer, batch_size: int, seed: int, augment: int = 0,
        affine: tuple[float, float, float] | None = None, schedule: str = "constant",
        warmup: int = 0, label_smoothing: float = 0.0, average: str = "none",
        average_from: int = 1, ema_decay: float = 0.99,
        on_batch: ProgressFn | None = None) -> tuple[list[EpochStats], float]:
    """Mini-batch training; returns per-epoch statistics and the seconds taken.

    Each epoch the training images may be changed afresh (the test data never is):
    ``augment`` > 0 shifts each by a random whole (dy, dx) of at most that many pixels
    (``nndl.data.random_shift``); ``affine = (degrees, zoom, pixels)`` rotates, zooms and
    moves each by random amounts up to those (``nndl.data.random_affine``); both draw from a
    generator seeded by ``seed``, which then shuffles. The lr of every parameter group
    follows :func:`lr_factor` per step (``schedule``, ``warmup`` epochs). ``label_smoothing``
    ε trains against :func:`smoothed_targets`. ``average`` ("swa" or "ema",
    :class:`WeightAverage`) records the weights from epoch ``average_from`` on (SWA: at the end
    of each epoch; EMA: after every step); test statistics are then those of the averaged
    weights, and the model ends holding them. ``on_batch(epoch, epochs, batch, batches,
    running_loss, running_acc)`` is called after every step (the progress bar uses it).
    """
    from nndl.data import random_affine, random_shift

    if schedule not in SCHEDULES:
        raise TrainingError(f"unknown lr schedule '{schedule}'",
                            hint=f"choose one of: {', '.join(SCHEDULES)}")
    rng = np.random.default_rng(seed)
    n_batches = math.ceil(len(x_train) / batch_size)
    base_lrs = [g["lr"] for g in optimizer.param_groups]
    avg = None if average == "none" else WeightAverage(model, average, ema_decay)
    steps, step = epochs * n_batches, 0

    def after_step() -> None:
        nonlocal step
        step += 1
        for g, base in zip(optimizer.param_groups, base_lrs, strict=True):
            g["lr"] = base * lr_factor(min(step, steps - 1), steps, schedule, warmup * n_batches)
        if avg is not None and avg.mode == "ema" and epoch >= average_from:
            avg.record()

    for g, base in zip(optimizer.param_groups, base_lrs, strict=True):
        g["lr"] = base * lr_factor(0, steps, schedule, warmup * n_batches)
    stats: list[EpochStats] = []
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        x_epoch = random_shift(x_train, augment, rng) if augment else x_train
        if affine is not None:
            x_epoch = random_affine(x_epoch, rng, rotate=affine[0], scale=affine[1],
                                    shift=affine[2])
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported below
            seen, loss_sum, correct = _epoch(model, optimizer, x_epoch, y_train, batch_size, rng,
                                             epoch, epochs, n_batches, label_smoothing,
                                             after_step, on_batch)
        if avg is not None and avg.mode == "swa" and epoch >= average_from:
            avg.record()
        with avg.applied() if avg is not None and avg.count else contextlib.nullcontext():
            test_loss, test_acc = evaluate(model, x_test, y_test)
        stats.append(EpochStats(epoch, loss_sum / seen, correct / seen, test_loss, test_acc,
                                time.perf_counter() - start))
    if avg is not None and avg.count:
        avg.copy_to_model()
    return stats, time.perf_counter() - start


def _epoch(model, optimizer, x_train, y_train, batch_size, rng, epoch, epochs, n_batches,
           label_smoothing, after_step, on_batch) -> tuple[int, float, int]:
    """One pass over the shuffled training data; returns (samples, summed loss, correct)."""
    import nndl
    from nndl.data import batches
    from nndl.nn import functional as F

    seen, loss_sum, correct = 0, 0.0, 0
    for b, (xb, yb) in enumerate(batches(x_train, y_train, batch_size, shuffle=True, rng=rng)):
        optimizer.zero_grad()
        logits = model(nndl.from_numpy(xb))
        target = smoothed_targets(yb, logits.shape[1], label_smoothing, xb.dtype) \
            if label_smoothing else yb
        loss = F.cross_entropy(logits, nndl.from_numpy(target))
        value = float(loss.item())
        if not math.isfinite(value):
            raise TrainingError(
                f"the loss became {value} at epoch {epoch}, batch {b + 1}: training diverged",
                hint="lower the learning rate (--lr), e.g. by a factor of 10")
        loss.backward()
        optimizer.step()
        after_step()
        seen += len(yb)
        loss_sum += value * len(yb)
        correct += int(np.sum(np.argmax(logits.data, axis=1) == yb))
        if on_batch is not None:
            on_batch(epoch, epochs, b + 1, n_batches, loss_sum / seen, correct / seen)
    return seen, loss_sum, correct


def _threads() -> int:
    try:
        from threadpoolctl import threadpool_info

        blas = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
        if blas:
            return int(max(blas))
    except ImportError:
        pass
    return os.cpu_count() or 1


@contextlib.contextmanager
def blas_threads(n: int | None):
    """Run the block with at most ``n`` BLAS threads and ``n`` nndl threads (``None``: leave
    both as they are).

    The digits' GEMMs are tiny (batch 32, at most a few hundred columns), so splitting them
    over threads costs more than it saves, and on a busy machine waiting threads spin: on a
    shared 2-core machine 5 LeNet epochs took 0.6 s with 1 thread and 13.5 s with 2.
    threadpoolctl comes with scikit-learn, which the digits need anyway.
    """
    if n is None:
        yield
        return
    import nndl

    before = nndl.get_num_threads()
    nndl.set_num_threads(n)  # nndl's own loops (im2col, pooling) too
    try:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            yield
            return
        with threadpool_limits(limits=n, user_api="blas"):
            yield
    finally:
        nndl.set_num_threads(before)


def parse_affine(text: str) -> tuple[float, float, float]:
    """``"10,0.1,0.5"`` → (10.0, 0.1, 0.5): degrees, zoom, pixels; ``"0"`` → all zeros (off)."""
    try:
        values = tuple(float(v) for v in text.replace(" ", "").split(","))
    except ValueError:
        values = ()
    if values == (0.0,):
        return (0.0, 0.0, 0.0)
    if len(values) != 3 or not all(math.isfinite(v) for v in values):
        raise TrainingError(Text(f"--affine 要三个以逗号分隔的数（旋转角度、缩放比例、平移像素）或 0，现在是 '{text}'",
                                 f"--affine takes three numbers DEG,ZOOM,PX or 0, got '{text}'"),
                            hint=Text("例如 --affine 10,0.1,0.5（旋转 ±10°、缩放 ±10 %、平移 ±0.5 "
                                      "像素）；--affine 0 关闭",
                                      "e.g. --affine 10,0.1,0.5 (±10°, ±10 % zoom, ±0.5 px); "
                                      "--affine 0 turns it off"))
    return values  # type: ignore[return-value]


MAX_EPOCHS = 10_000  # LeNet's 60 take about a minute; 10,000 take hours
MAX_SEED = 2**32 - 1  # what NumPy's legacy seeding and PyTorch's workers accept


def _check_bounds(*, epochs, batch_size, seed, split_seed, threads) -> None:
    """Whole numbers in range before any work: --epochs 1e20 or --threads 1000 is a typo
    (or a way to hang the machine), --seed -1 is refused by NumPy with its own words."""
    for name, value, low, high, hint in (
            (Text("轮数", "epochs"), epochs, 1, MAX_EPOCHS,
             Text("例如 --epochs 60（lenet 的默认值）", "e.g. --epochs 60 (lenet's default)")),
            (Text("批大小", "batch size"), batch_size, 1, 1_000_000,
             Text("例如 --batch-size 32", "e.g. --batch-size 32")),
            (Text("随机种子", "seed"), seed, 0, MAX_SEED, Text("例如 --seed 0", "e.g. --seed 0")),
            (Text("划分数据的随机种子", "split seed"), split_seed, 0, MAX_SEED,
             Text("例如 split_seed=0", "e.g. split_seed=0"))):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise TrainingError(Text(f"{name.zh}必须是整数，现在是 {value!r}",
                                     f"the {name.en} must be a whole number, got {value!r}"),
                                hint=hint)
        if not low <= value <= high:
            what = (Text("正整数", "a positive whole number") if low == 1
                    else Text("非负整数", "a whole number ≥ 0"))
            raise TrainingError(Text(f"{name.zh}必须是不超过 {high:,} 的{what.zh}，现在是 {value:,}",
                                     f"the {name.en} must be {what.en} of at most {high:,}, got "
                                     f"{value:,}"),
                                hint=hint)
    cpus = os.cpu_count() or 1
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int)
                                or not 1 <= threads <= cpus):
        raise TrainingError(Text(f"线程数须在 1 到 {cpus}（本机的 CPU 数）之间，现在是 {threads!r}",
                                 f"threads must be from 1 to {cpus} (this machine's CPUs), got "
                                 f"{threads!r}"),
                            hint=Text("例如 --threads 1：手写数字数据集的矩阵太小，多线程得不到好处",
                                      "e.g. --threads 1: the digits' matrices are too small to "
                                      "gain from more"))


def train_digits(model: str = "lenet", *, epochs: int | None = None, lr: float | None = None,
                 optimizer: str = "sgd", momentum: float = 0.9, batch_size: int = 32,
                 seed: int = 0, split_seed: int = 0, test_size: float = 0.2,
                 augment: int | None = None, schedule: str | None = None,
                 warmup: int | None = None, label_smoothing: float | None = None,
                 affine: tuple[float, float, float] | None = None,
                 batchnorm: bool | None = None, threads: int | None = 1,
                 on_batch: ProgressFn | None = None) -> tuple[TrainHistory, Any]:
    """Train a digits model; returns ``(history, trained_model)``.

    ``seed`` sets the initial weights, the shuffling and the augmentation; ``split_seed``
    the held-out split (fixed by default, so runs with different seeds are scored on the
    same images). ``epochs``, ``augment``, ``schedule``, ``warmup``, ``label_smoothing`` and
    ``affine`` (``(degrees, zoom, pixels)``; all zeros: off) default to the
    model's (:data:`MODEL_DEFAULTS`), ``batchnorm`` (LeNet only) to ``LENET_BATCHNORM``;
    ``threads`` caps the BLAS threads (:func:`blas_threads`, ``None`` leaves them alone).
    The defaults were chosen by cross-validation inside the training split
    (``bench/select_digits.py``), never on the test split.
    """
    import nndl
    from nndl.data import load_digits

    if model not in MODELS:
        raise TrainingError(f"unknown model '{model}'", hint=f"choose one of: {', '.join(MODELS)}")
    if optimizer not in OPTIMIZERS:
        raise TrainingError(f"unknown optimizer '{optimizer}'",
                            hint=f"choose one of: {', '.join(OPTIMIZERS)}")
    d = MODEL_DEFAULTS[model]
    epochs = d["epochs"] if epochs is None else epochs
    augment = d["augment"] if augment is None else augment
    schedule = d["schedule"] if schedule is None else schedule
    # a short run keeps room to anneal: the default warm-up takes at most half the epochs
    warmup = min(d["warmup"], epochs // 2) if warmup is None else warmup
    label_smoothing = d["label_smoothing"] if label_smoothing is None else label_smoothing
    affine = d["affine"] if affine is None else affine
    if affine is not None:
        affine = tuple(float(v) for v in affine)
        if len(affine) != 3:
            raise TrainingError(f"affine takes 3 numbers (degrees, zoom, pixels), got {affine}",
                                hint="e.g. --affine 10,0.1,0.5; --affine 0 turns it off")
        if not any(affine):
            affine = None
    if schedule not in SCHEDULES:
        raise TrainingError(f"unknown lr schedule '{schedule}'",
                            hint=f"choose one of: {', '.join(SCHEDULES)}")
    lr = DEFAULT_LR[optimizer] if lr is None else lr
    _check_bounds(epochs=epochs, batch_size=batch_size, seed=seed, split_seed=split_seed,
                  threads=threads)
    if not (epochs >= 1 and batch_size >= 1):
        raise TrainingError(Text(f"轮数和批大小都必须为正，现在轮数为 {epochs}，批大小为 {batch_size}",
                                 f"epochs and batch size must be positive, got epochs={epochs}, "
                                 f"batch size={batch_size}"),
                            hint=Text("例如 --epochs 15 --batch-size 32",
                                      "e.g. --epochs 15 --batch-size 32"))
    if not (math.isfinite(lr) and lr > 0):
        raise TrainingError(Text(f"学习率必须是正数，现在是 {lr}",
                                 f"the learning rate must be a positive number, got {lr}"),
                            hint=Text(f"例如 --lr {DEFAULT_LR[optimizer]}",
                                      f"e.g. --lr {DEFAULT_LR[optimizer]}"))
    if not 0 <= augment <= 3:
        raise TrainingError(Text(f"平移增强须为 0 到 3 个像素，现在是 {augment}",
                                 f"the augmentation shift must be 0 to 3 pixels, got {augment}"),
                            hint=Text("--augment 1 把每张图像随机平移至多一个像素；0 表示关闭",
                                      "--augment 1 shifts each image by up to one pixel; 0 turns "
                                      "it off"))
    if not 0 <= warmup <= epochs:
        raise TrainingError(Text(f"预热须为 0 到 {epochs} 轮（--epochs），现在是 {warmup}",
                                 f"the warm-up must be 0 to {epochs} epochs (--epochs), got "
                                 f"{warmup}"),
                            hint=Text("例如 --warmup 3；0 表示一开始就用完整的学习率",
                                      "e.g. --warmup 3; 0 starts at the full learning rate"))
    if not (math.isfinite(label_smoothing) and 0 <= label_smoothing < 1):
        raise TrainingError(Text(f"标签平滑须在 [0, 1) 内，现在是 {label_smoothing}",
                                 f"label smoothing must be in [0, 1), got {label_smoothing}"),
                            hint=Text("例如 --label-smoothing 0.1；0 表示用独热目标训练",
                                      "e.g. --label-smoothing 0.1; 0 trains on one-hot targets"))
    if affine is not None and not (0 <= affine[0] <= 180 and 0 <= affine[1] < 1
                                   and 0 <= affine[2] <= 3):
        raise TrainingError(Text(f"--affine 超出范围：旋转 {affine[0]:g}°（0 到 180），缩放 "
                                 f"{affine[1]:g}（0 到小于 1），平移 {affine[2]:g} 像素（0 到 3）",
                                 f"affine limits out of range: {affine[0]:g}° (0 to 180), zoom "
                                 f"{affine[1]:g} (0 to < 1), move {affine[2]:g} px (0 to 3)"),
                            hint=Text("例如 --affine 10,0.1,0.5；--affine 0 关闭",
                                      "e.g. --affine 10,0.1,0.5; --affine 0 turns it off"))
    if batchnorm and model != "lenet":
        raise TrainingError(Text("只有 lenet 模型有 BatchNorm 选项",
                                 "BatchNorm is an option of the lenet model only"),
                            hint=Text("去掉 --batchnorm，或用 --model lenet",
                                      "drop --batchnorm, or use --model lenet"))
    if optimizer == "sgd" and not (math.isfinite(momentum) and 0 <= momentum < 1):
        # momentum ≥ 1 keeps every past step at full (or growing) weight: it cannot converge
        raise TrainingError(Text(f"SGD 的动量须在 [0, 1) 内，现在是 {momentum}",
                                 f"SGD momentum must be in [0, 1), got {momentum}"),
                            hint=Text("例如 --momentum 0.9，或 0 表示不带动量的 SGD",
                                      "e.g. --momentum 0.9, or 0 for plain SGD"))
    split = load_digits(test_size=test_size, seed=split_seed)
    nndl.manual_seed(seed)
    net = make_model(model, batchnorm=batchnorm) if model == "lenet" else make_model(model)
    opt = make_optimizer(optimizer, net.parameters(), lr, momentum)
    with blas_threads(threads):
        stats, seconds = fit(net, split.x_train, split.y_train, split.x_test, split.y_test,
                             epochs=epochs, optimizer=opt, batch_size=batch_size, seed=seed,
                             augment=augment, affine=affine, schedule=schedule, warmup=warmup,
                             label_smoothing=label_smoothing, on_batch=on_batch)
        n_threads = _threads()
    history = TrainHistory(
        dataset="digits", model=model, architecture=_arch(net),
        parameters=sum(p.numel() for p in net.parameters()), optimizer=optimizer, lr=lr,
        momentum=momentum if optimizer == "sgd" else 0.0, batch_size=batch_size, epochs=epochs,
        seed=seed, split_seed=split_seed, n_train=len(split.y_train), n_test=len(split.y_test),
        threads=n_threads, augment=augment, schedule=schedule, warmup=warmup,
        label_smoothing=label_smoothing, affine=affine, history=stats, seconds=seconds)
    return history, net
