"""`nndl train digits`: train an MLP or a LeNet-style CNN on scikit-learn's digits."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from nndl.commands._common import Language, TextMdJson, lang_option, render_result, rendered
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

train_app = typer.Typer(
    help="Train a network on a real data set (nothing is downloaded).\n\n"
         "在真实数据集上训练神经网络（无需下载）。",
    no_args_is_help=True,
)


@train_app.command("digits")
def digits_command(
    model: ModelName = typer.Option(ModelName.lenet, "--model", "-m",
                                    help="lenet (LeNet-style CNN, 3×3 convs, BatchNorm) or mlp "
                                         "(64-128-64-10)."),
    epochs: int | None = typer.Option(None, "--epochs", "-e",
                                      help="Passes over the training split (default: lenet 60, "
                                           "mlp 30)."),
    lr: float | None = typer.Option(None, "--lr",
                                    help="Learning rate (default: 0.001 for adam, 0.05 for sgd)."),
    optimizer: OptimizerName = typer.Option(OptimizerName.sgd, "--optimizer", "-o",
                                            help="sgd (with --momentum) or adam."),
    momentum: float = typer.Option(0.9, "--momentum", help="SGD momentum (ignored by adam)."),
    batch_size: int = typer.Option(32, "--batch-size", "-b", help="Mini-batch size."),
    schedule: Schedule | None = typer.Option(
        None, "--schedule", help="Learning rate over the steps: constant, or cosine annealing to 0 "
                                 "(default: lenet cosine, mlp constant)."),
    warmup: int | None = typer.Option(
        None, "--warmup", help="Epochs over which the lr rises linearly to --lr before the "
                               "schedule (default: lenet 3, at most half the epochs; mlp 0)."),
    label_smoothing: float | None = typer.Option(
        None, "--label-smoothing", help="Train against (1 − ε)·one-hot + ε/10 instead of one-hot "
                                        "targets (default: lenet 0.1, mlp 0)."),
    affine: str | None = typer.Option(
        None, "--affine", metavar="DEG,ZOOM,PX",
        help="Rotate, zoom and move each training image by random amounts up to these every epoch "
             "(0 = off; default: lenet 10,0.1,0.5, mlp off)."),
    augment: int | None = typer.Option(
        None, "--augment", help="Shift each training image by up to N whole pixels (random, each "
                                "axis) every epoch (0 = off, the default)."),
    batchnorm: bool | None = typer.Option(
        None, "--batchnorm/--no-batchnorm",
        help="BatchNorm after each of lenet's convolutions (default: on)."),
    threads: int = typer.Option(1, "--threads",
                                help="BLAS threads; the digits' matrices are too small to gain "
                                     "from more."),
    seed: int = typer.Option(0, "--seed",
                             help="Seed of the initial weights, the shuffling and the "
                                  "augmentation."),
    plot: Path | None = typer.Option(None, "--plot", help="Save the learning curves (.svg/.png/.pdf)."),
    save: Path | None = typer.Option(None, "--save",
                                     help="Save the trained weights (.npz or .safetensors)."),
    lang: Language = lang_option(),
    fmt: TextMdJson = typer.Option(Format.text, "--format", "-f", help="text, md or json (stdout)."),
    progress: bool = typer.Option(True, "--progress/--no-progress",
                                  help="Show a progress bar (on stderr)."),
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


class _ProgressBar:
    """A Rich progress bar over all steps, with the running loss and accuracy."""

    def __init__(self, lang: str):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.label = _EPOCH(lang)
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
                             stats=f"loss {loss:.4f}  acc {acc:.1%}")

    def close(self) -> None:
        if self.task is not None:
            self.progress.stop()


def register(app: typer.Typer) -> None:
    app.add_typer(train_app, name="train")
