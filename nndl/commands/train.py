"""`nndl train digits`: train an MLP or a LeNet-style CNN on scikit-learn's digits."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from nndl.commands._common import (
    Language,
    TextMdJson,
    command_help,
    helptext,
    lang_option,
    render_result,
    rendered,
)
from nndl.report import Format
from nndl.text import Text


class ModelName(StrEnum):
    mlp = "mlp"
    lenet = "lenet"


class OptimizerName(StrEnum):
    sgd = "sgd"
    adam = "adam"


class Schedule(StrEnum):
    constant = "constant"
    cosine = "cosine"


_WROTE = Text("已写入", "wrote")
_EPOCH = Text("轮次", "epoch")
_STATS = Text("损失 {loss:.4f}  准确率 {acc:.1%}", "loss {loss:.4f}  acc {acc:.1%}")

train_app = typer.Typer(
    help=helptext("在真实数据集上训练神经网络（无需下载）。",
                  "Train a network on a real data set (nothing is downloaded)."),
    no_args_is_help=True,
)


@train_app.command("digits")
def digits_command(
    model: ModelName = typer.Option(ModelName.lenet, "--model", "-m", help=helptext(
        "lenet（LeNet 式 CNN，3×3 卷积，BatchNorm）或 mlp（64-128-64-10）。",
        "lenet (LeNet-style CNN, 3×3 convs, BatchNorm) or mlp (64-128-64-10).")),
    epochs: int | None = typer.Option(None, "--epochs", "-e", help=helptext(
        "在训练集上的轮数（默认 lenet 60，mlp 30）。",
        "Passes over the training split (default: lenet 60, mlp 30).")),
    lr: float | None = typer.Option(None, "--lr", help=helptext(
        "学习率（默认 adam 0.001，sgd 0.05）。",
        "Learning rate (default: 0.001 for adam, 0.05 for sgd).")),
    optimizer: OptimizerName = typer.Option(OptimizerName.sgd, "--optimizer", help=helptext(
        "sgd（配合 --momentum）或 adam。", "sgd (with --momentum) or adam.")),
    momentum: float = typer.Option(0.9, "--momentum", help=helptext(
        "SGD 的动量（adam 不用）。", "SGD momentum (ignored by adam).")),
    batch_size: int = typer.Option(32, "--batch-size", "-b", help=helptext("小批量大小。",
                                                                           "Mini-batch size.")),
    schedule: Schedule | None = typer.Option(None, "--schedule", help=helptext(
        "学习率随步数的变化：constant（不变）或 cosine（余弦退火到 0）"
        "（默认 lenet cosine，mlp constant）。",
        "Learning rate over the steps: constant, or cosine annealing to 0 (default: lenet "
        "cosine, mlp constant).")),
    warmup: int | None = typer.Option(None, "--warmup", help=helptext(
        "学习率在开始的这么多轮内线性升到 --lr，再按计划变化（默认 lenet 3，至多轮数的一半；"
        "mlp 0）。",
        "Epochs over which the lr rises linearly to --lr before the schedule (default: lenet "
        "3, at most half the epochs; mlp 0).")),
    label_smoothing: float | None = typer.Option(None, "--label-smoothing", help=helptext(
        "用 (1 − ε)·one-hot + ε/10 代替 one-hot 目标训练（默认 lenet 0.1，mlp 0）。",
        "Train against (1 − ε)·one-hot + ε/10 instead of one-hot targets (default: lenet "
        "0.1, mlp 0).")),
    affine: str | None = typer.Option(None, "--affine", metavar="DEG,ZOOM,PX", help=helptext(
        "每轮把每张训练图像随机旋转、缩放、平移，幅度至多为这三个数（0 表示关闭；"
        "默认 lenet 10,0.1,0.5，mlp 关闭）。",
        "Rotate, zoom and move each training image by random amounts up to these every "
        "epoch (0 = off; default: lenet 10,0.1,0.5, mlp off).")),
    augment: int | None = typer.Option(None, "--augment", help=helptext(
        "每轮把每张训练图像在每个方向随机平移至多 N 个整像素（0 表示关闭，为默认）。",
        "Shift each training image by up to N whole pixels (random, each axis) every epoch "
        "(0 = off, the default).")),
    batchnorm: bool | None = typer.Option(None, "--batchnorm/--no-batchnorm", help=helptext(
        "lenet 的每个卷积之后接 BatchNorm（默认开）。",
        "BatchNorm after each of lenet's convolutions (default: on).")),
    threads: int = typer.Option(1, "--threads", help=helptext(
        "BLAS 线程数；digits 的矩阵太小，多线程得不到好处。",
        "BLAS threads; the digits' matrices are too small to gain from more.")),
    seed: int = typer.Option(0, "--seed", help=helptext(
        "初始权重、打乱顺序和数据增强的随机种子。",
        "Seed of the initial weights, the shuffling and the augmentation.")),
    plot: Path | None = typer.Option(None, "--plot", "-p", help=helptext(
        "保存学习曲线（.svg/.png/.pdf）。", "Save the learning curves (.svg/.png/.pdf).")),
    save: Path | None = typer.Option(None, "--save", help=helptext(
        "保存训练好的权重（.npz 或 .safetensors）。",
        "Save the trained weights (.npz or .safetensors).")),
    lang: Language = lang_option(),
    fmt: TextMdJson = typer.Option(Format.text, "--format", "-f", help=helptext(
        "text、md 或 json（标准输出）。", "text, md or json (stdout).")),
    progress: bool = typer.Option(True, "--progress/--no-progress", help=helptext(
        "显示进度条（在标准错误上）。", "Show a progress bar (on stderr).")),
) -> None:
    """Train on scikit-learn's 1,797 handwritten 8×8 digits, test on a held-out 20 %.

    \b
    Examples:
      nndl train digits                        LeNet + BatchNorm, SGD, 60 epochs
      nndl train digits --model mlp --optimizer adam --lr 0.001
      nndl train digits --affine 0 --label-smoothing 0   no warps, one-hot targets
      nndl train digits --plot curves.svg --save lenet.safetensors --lang en
    """
    fmt = rendered(fmt, lang, TextMdJson)
    from nndl import checkpoint, plotting, train
    from nndl.fileio import check_writable

    # refuse bad output paths before spending the time to train
    if save is not None:
        checkpoint.format_of(save, None)
        check_writable(save)
    if plot is not None:
        check_writable(plot, plotting.FORMATS, "figure")

    affine_limits = None if affine is None else train.parse_affine(affine)
    bar = _ProgressBar(lang.value) if progress else None
    try:
        history, net = train.train_digits(
            model.value, epochs=epochs, lr=lr, optimizer=optimizer.value, momentum=momentum,
            batch_size=batch_size, seed=seed, augment=augment,
            schedule=schedule.value if schedule else None, warmup=warmup,
            label_smoothing=label_smoothing, affine=affine_limits, batchnorm=batchnorm,
            threads=threads,
            on_batch=bar.update if bar else None)
    finally:
        if bar is not None:
            bar.close()

    from nndl.train import render

    sys.stdout.write(render_result(render, history, fmt, lang.value)
                     + ("\n" if fmt is Format.json else ""))
    notes = []
    if plot is not None:
        plotting.save_figure(train.learning_curve(history, lang=lang.value), plot)
        notes.append((_WROTE, plot))
    if save is not None:
        meta = {"model": history.model, "dataset": "digits",
                "test_accuracy": f"{history.test_accuracy:.6f}", "epochs": str(history.epochs)}
        is_st = checkpoint.format_of(save, None) == "safetensors"
        checkpoint.save(net.state_dict(), save, metadata=meta if is_st else None)
        notes.append((_WROTE, save))
    for what, path in notes:
        typer.echo(f"{what(lang.value)} {path}", err=fmt is not Format.text)


command_help(digits_command, """用 scikit-learn 的 1,797 张 8×8 手写数字训练，在留出的 20 % 上测试。

    \b
    示例：
      nndl train digits                        LeNet + BatchNorm，SGD，60 轮
      nndl train digits --model mlp --optimizer adam --lr 0.001
      nndl train digits --affine 0 --label-smoothing 0   不做变形，one-hot 目标
      nndl train digits --plot curves.svg --save lenet.safetensors --lang en
    """)


class _ProgressBar:
    """A Rich progress bar over all steps, with the running loss and accuracy."""

    def __init__(self, lang: str):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.label, self.stats = _EPOCH(lang), _STATS(lang)
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                 TextColumn("{task.fields[stats]}"), TimeElapsedColumn(),
                                 console=Console(stderr=True), transient=True)
        self.task = None

    def update(self, epoch: int, epochs: int, batch: int, batches: int, loss: float,
               acc: float) -> None:
        if self.task is None:
            self.progress.start()
            self.task = self.progress.add_task("", total=epochs * batches, stats="")
        self.progress.update(self.task, completed=(epoch - 1) * batches + batch,
                             description=f"{self.label} {epoch}/{epochs}",
                             stats=self.stats.format(loss=loss, acc=acc))

    def close(self) -> None:
        if self.task is not None:
            self.progress.stop()


def register(app: typer.Typer) -> None:
    app.add_typer(train_app, name="train")
