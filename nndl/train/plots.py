"""The learning curves of a training run, in zh or en (Chinese needs a CJK font: without one
:func:`nndl.plotting.figure_lang` draws the English figure). Epochs are whole-number ticks."""

from __future__ import annotations

import textwrap

from nndl.plotting import figure_lang, integer_ticks, label, new_figure
from nndl.text import Text
from nndl.train.loop import TrainHistory

T = {
    "train": Text("训练集", "train"),
    "test": Text("测试集", "test"),
    "smoothed": Text("（平滑标签）", " (smoothed targets)"),
    "epoch": Text("轮", "epoch"),
    "loss": Text("交叉熵损失", "cross-entropy loss"),
    "loss_title": Text("损失", "Loss"),
    "acc": Text("准确率（%）", "accuracy (%)"),
    "acc_title": Text("准确率（测试集最终 {a:.1f}%）", "Accuracy (final test {a:.1f} %)"),
    "suptitle": Text("手写数字，{model}，{setup}", "digits, {model}, {setup}"),
    "opt": Text("{opt}（学习率 {lr:g}）", "{opt}(lr={lr:g})"),
    "momentum": Text("，动量 {m:g}", ", momentum={m:g}"),
    "cosine": Text("，余弦学习率", ", cosine lr"),
    "warmup": Text("，预热 {w} 轮", ", {w}-epoch warm-up"),
    "shift": Text("，平移 ±{p} 像素", ", shift ±{p} px"),
    "affine": Text("，旋转 ±{deg:g}°、缩放 ±{zoom:g}%、平移 ±{move:g} 像素",
                   ", rotate ±{deg:g}° zoom ±{zoom:g}% move ±{move:g} px"),
    "smoothing": Text("，标签平滑 {s:g}", ", label smoothing {s:g}"),
    "batch_seed": Text("，批量 {b}，种子 {s}", ", batch {b}, seed {s}"),
    "label": Text("训练曲线：每轮训练集与测试集的损失和准确率（{model}）",
                  "Learning curves: loss and accuracy per epoch, train and test ({model})"),
}


def setup_text(h: TrainHistory, lang: str) -> str:
    """The optimiser, schedule, augmentation, batch and seed of a run, in one line."""
    opt = "SGD" if h.optimizer == "sgd" else "Adam"
    out = T["opt"].format(opt=opt, lr=h.lr)(lang)
    if h.optimizer == "sgd":
        out += T["momentum"].format(m=h.momentum)(lang)
    if h.schedule == "cosine":
        out += T["cosine"](lang)
    if h.warmup:
        out += T["warmup"].format(w=h.warmup)(lang)
    if h.augment:
        out += T["shift"].format(p=h.augment)(lang)
    if h.affine:
        deg, zoom, move = h.affine
        out += T["affine"].format(deg=deg, zoom=100 * zoom, move=move)(lang)
    if h.label_smoothing:
        out += T["smoothing"].format(s=h.label_smoothing)(lang)
    return out + T["batch_seed"].format(b=h.batch_size, s=h.seed)(lang)


def learning_curve(h: TrainHistory, lang: str = "en"):
    """Loss and accuracy per epoch, train vs test."""
    lang = figure_lang(lang)
    fig, (ax_loss, ax_acc) = new_figure(1, 2, figsize=(9, 3.8), layout="constrained")
    ep = [s.epoch for s in h.history]
    smoothed = T["smoothed"](lang) if h.label_smoothing else ""  # its floor is above 0
    train, test = T["train"](lang), T["test"](lang)
    ax_loss.plot(ep, [s.train_loss for s in h.history], "o-", ms=3, label=train + smoothed)
    ax_loss.plot(ep, [s.test_loss for s in h.history], "s-", ms=3, label=test)
    ax_loss.set(xlabel=T["epoch"](lang), ylabel=T["loss"](lang), title=T["loss_title"](lang))
    ax_acc.plot(ep, [100 * s.train_accuracy for s in h.history], "o-", ms=3, label=train)
    ax_acc.plot(ep, [100 * s.test_accuracy for s in h.history], "s-", ms=3, label=test)
    ax_acc.set(xlabel=T["epoch"](lang), ylabel=T["acc"](lang),
               title=T["acc_title"].format(a=100 * h.test_accuracy)(lang))
    for ax in (ax_loss, ax_acc):
        ax.legend()
        integer_ticks(ax)
    title = T["suptitle"].format(model=h.model, setup=setup_text(h, lang))(lang)
    fig.suptitle(textwrap.fill(title, 60 if lang == "zh" else 110), fontsize=9)
    return label(fig, T["label"].format(model=h.model)(lang))
