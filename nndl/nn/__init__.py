"""Layers, models and losses with PyTorch's names and NCHW layout (``torch.nn``)."""

from nndl.nn import functional, init
from nndl.nn.activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from nndl.nn.conv import Conv2d
from nndl.nn.dropout import Dropout
from nndl.nn.linear import Flatten, Identity, Linear
from nndl.nn.loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from nndl.nn.module import (
    Formula,
    LayerShapeError,
    Module,
    ModuleList,
    Note,
    Parameter,
    Sequential,
    ShapeInfo,
    meta_device,
)
from nndl.nn.normalization import BatchNorm1d, BatchNorm2d
from nndl.nn.pooling import AvgPool2d, MaxPool2d

__all__ = [
    "functional", "init", "Module", "ModuleList", "Parameter", "Sequential", "Linear", "Flatten",
    "Identity", "Conv2d", "MaxPool2d", "AvgPool2d", "ReLU", "Sigmoid", "Tanh", "LeakyReLU",
    "Softmax", "LogSoftmax", "Dropout", "BatchNorm1d", "BatchNorm2d", "MSELoss",
    "CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss", "Formula", "Note", "ShapeInfo",
    "LayerShapeError", "meta_device",
]
