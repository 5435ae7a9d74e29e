"""The architecture calculator's presets: the sheet's exercises 5 and 6 (taken from the
exercises' own parameters, so they follow the sheet) and three classic networks written in
the spec language of ``nndl summary``. Only layer descriptions live here: every number the
page shows is computed by the summary."""

from __future__ import annotations

from nndl.text import Text

LENET5 = """\
# LeNet-5 (LeCun et al., 1998)
input 32x32x1
conv 6 5x5 tanh
avgpool 2
conv 16 5x5 tanh
avgpool 2
fc 120 tanh
fc 84 tanh
fc 10"""

ALEXNET = """\
# AlexNet (Krizhevsky et al., 2012), one tower
input 227x227x3
conv 96 11x11 stride=4 relu
maxpool 3x3 stride=2
conv 256 5x5 pad=2 relu
maxpool 3x3 stride=2
conv 384 3x3 pad=1 relu
conv 384 3x3 pad=1 relu
conv 256 3x3 pad=1 relu
maxpool 3x3 stride=2
fc 4096 relu
dropout 0.5
fc 4096 relu
dropout 0.5
fc 1000"""


def _vgg16() -> str:
    lines = ["# VGG-16 (Simonyan & Zisserman, 2014)", "input 224x224x3"]
    for filters, repeat in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        lines += [f"conv {filters} 3x3 pad=1 relu"] * repeat + ["maxpool 2"]
    return "\n".join(lines + ["fc 4096 relu", "fc 4096 relu", "fc 1000"])


def all_presets() -> list[dict]:
    """[{"id", "title": {zh, en}, "spec"}], the sheet's first."""
    from nndl.solutions.ex5 import Params as Ex5
    from nndl.solutions.ex6 import Params as Ex6

    fc, conv = Ex5().specs()
    items = [
        ("ex5-fc", Text("第 5 题（1）：全连接", "Exercise 5 (1): fully connected"), fc),
        ("ex5-conv", Text("第 5 题（2）：卷积", "Exercise 5 (2): convolution"), conv),
        ("ex6", Text("第 6 题：类 AlexNet", "Exercise 6: AlexNet-like"), Ex6().spec),
        ("lenet5", Text("LeNet-5", "LeNet-5"), LENET5),
        ("alexnet", Text("AlexNet", "AlexNet"), ALEXNET),
        ("vgg16", Text("VGG-16", "VGG-16"), _vgg16()),
    ]
    return [{"id": i, "title": {"zh": t.zh, "en": t.en}, "spec": s} for i, t, s in items]
