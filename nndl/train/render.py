"""Renderers of a :class:`~nndl.train.loop.TrainHistory`: terminal (zh/en), Markdown,
JSON and the learning-curve figure. They only format."""

from __future__ import annotations

import re

from nndl.text import Text
from nndl.train.loop import TrainHistory

# ------------------------------------------------------------------ renderers
TEXT = {
    "title": Text("在 scikit-learn 手写数字数据集上训练", "Training on scikit-learn's digits"),
    "model": Text("模型", "model"),
    "params": Text("参数量", "parameters"),
    "opt": Text("优化器", "optimizer"),
    "data": Text("数据", "data"),
    "data_v": Text("训练集 {n_train} 张 / 测试集 {n_test} 张（8×8，分层划分，种子 {s}）",
                   "{n_train} training / {n_test} test images (8×8, stratified split, seed {s})"),
    "epoch": Text("轮次", "epoch"),
    "train_loss": Text("训练损失", "train loss"),
    "train_acc": Text("训练准确率", "train acc"),
    "test_loss": Text("测试损失", "test loss"),
    "test_acc": Text("测试准确率", "test acc"),
    "time": Text("用时（秒）", "time (s)"),
    "result": Text("训练 {e} 轮后测试准确率 {acc:.2%}，用时 {t:.1f} 秒（{th} 个线程）。",
                   "Final test accuracy {acc:.2%} after {e} epochs in {t:.1f} s ({th} thread(s))."),
}


def _t(key: str, lang: str) -> str:
    return TEXT[key](lang)


OPT = {
    "cosine": Text("余弦退火学习率", "cosine lr"),
    "warmup": Text("前 {n} 轮预热", "{n}-epoch warm-up"),
    "shift": Text("平移 ±{n} 像素", "shift ±{n} px"),
    "affine": Text("旋转 ±{d}°、缩放 ±{z}%、平移 ±{m} 像素", "rotate ±{d}° zoom ±{z}% move ±{m} px"),
    "smooth": Text("标签平滑 {s}", "label smoothing {s}"),
    "batch": Text("批大小 {b}", "batch {b}"),
    "seed": Text("随机种子 {s}", "seed {s}"),
}


def _opt_text(h: TrainHistory, lang: str = "en") -> str:
    """The optimiser and the training set-up in one line: SGD(lr=0.05, momentum=0.9), … (zh:
    SGD（学习率 0.05，动量 0.9），…)"""
    name = "SGD" if h.optimizer == "sgd" else "Adam"
    if lang == "zh":
        extra = f"，动量 {h.momentum:g}" if h.optimizer == "sgd" else ""
        parts = [f"{name}（学习率 {h.lr:g}{extra}）"]
    else:
        extra = f", momentum={h.momentum:g}" if h.optimizer == "sgd" else ""
        parts = [f"{name}(lr={h.lr:g}{extra})"]
    if h.schedule == "cosine":
        parts.append(OPT["cosine"](lang))
    if h.warmup:
        parts.append(OPT["warmup"](lang).format(n=h.warmup))
    parts.append(OPT["batch"](lang).format(b=h.batch_size))
    if h.augment:
        parts.append(OPT["shift"](lang).format(n=h.augment))
    if h.affine:
        deg, zoom, move = h.affine
        parts.append(OPT["affine"](lang).format(d=f"{deg:g}", z=f"{100 * zoom:g}", m=f"{move:g}"))
    if h.label_smoothing:
        parts.append(OPT["smooth"](lang).format(s=f"{h.label_smoothing:g}"))
    parts.append(OPT["seed"](lang).format(s=h.seed))
    return ("，" if lang == "zh" else ", ").join(parts)


def _arch_text(h: TrainHistory, lang: str) -> str:
    """The architecture line; zh says a convolution's padding in Chinese (3×3，填充 1)."""
    if lang != "zh":
        return h.architecture
    return re.sub(r", pad (\d+)\)", r"，填充 \1)", h.architecture)


def to_text(h: TrainHistory, lang: str = "zh", width: int | None = None,
            color: bool = False) -> str:
    from rich.table import Table

    from nndl.report import rich_to_text

    c, semi = ("：", "；") if lang == "zh" else (": ", "; ")
    table = Table()
    for key in ("epoch", "train_loss", "train_acc", "test_loss", "test_acc", "time"):
        table.add_column(_t(key, lang), justify="right")
    for s in h.history:
        table.add_row(str(s.epoch), f"{s.train_loss:.4f}", f"{s.train_accuracy:.2%}",
                      f"{s.test_loss:.4f}", f"{s.test_accuracy:.2%}", f"{s.seconds:.1f}")
    return rich_to_text(
        f"[bold]{_t('title', lang)}[/]",
        f"{_t('model', lang)}{c}{h.model} — {_arch_text(h, lang)}",
        f"{_t('params', lang)}{c}{h.parameters:,}{semi}{_t('opt', lang)}{c}{_opt_text(h, lang)}",
        f"{_t('data', lang)}{c}" + _t("data_v", lang).format(
            n_train=h.n_train, n_test=h.n_test, s=h.split_seed),
        table,
        _t("result", lang).format(acc=h.test_accuracy, e=h.epochs, t=h.seconds, th=h.threads),
        width=width, color=color, markup=True)


def to_markdown(h: TrainHistory, lang: str = "zh") -> str:
    c = "：" if lang == "zh" else ": "
    cols = [_t(k, lang) for k in ("epoch", "train_loss", "train_acc", "test_loss", "test_acc",
                                  "time")]
    lines = [f"## {_t('title', lang)}", "",
             f"- {_t('model', lang)}{c}`{h.model}` — {_arch_text(h, lang)}",
             f"- {_t('params', lang)}{c}{h.parameters:,}",
             f"- {_t('opt', lang)}{c}{_opt_text(h, lang)}",
             f"- {_t('data', lang)}{c}" + _t("data_v", lang).format(
                 n_train=h.n_train, n_test=h.n_test, s=h.split_seed), "",
             "| " + " | ".join(cols) + " |", "|" + "---:|" * len(cols)]
    for s in h.history:
        lines.append(f"| {s.epoch} | {s.train_loss:.4f} | {s.train_accuracy:.2%} | "
                     f"{s.test_loss:.4f} | {s.test_accuracy:.2%} | {s.seconds:.1f} |")
    lines += ["", _t("result", lang).format(acc=h.test_accuracy, e=h.epochs, t=h.seconds,
                                            th=h.threads), ""]
    return "\n".join(lines)


def to_json(h: TrainHistory) -> str:
    import json

    # the result first (the last epoch's test accuracy and loss), then the run and its history
    final = {"test_accuracy": h.test_accuracy, "test_loss": h.final.test_loss}
    return json.dumps(final | h.to_dict(), indent=2, ensure_ascii=False)


def learning_curve(h: TrainHistory, lang: str = "en"):
    """Loss and accuracy per epoch, in zh or en: drawn by :mod:`nndl.train.plots`."""
    from nndl.train.plots import learning_curve as draw

    return draw(h, lang)
