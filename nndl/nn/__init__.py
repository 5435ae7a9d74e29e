"""Layers, models and losses with PyTorch's names and NCHW layout (``torch.nn``)."""

from nndl.nn import functional, init, utils
from nndl.nn.activation import (
    CELU,
    ELU,
    GELU,
    SELU,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softshrink,
    Softsign,
    Tanh,
    Tanhshrink,
    Threshold,
)
from nndl.nn.attention import MultiheadAttention
from nndl.nn.conv import Conv1d, Conv2d, ConvTranspose2d
from nndl.nn.dropout import Dropout
from nndl.nn.linear import Flatten, Identity, Linear
from nndl.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
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
from nndl.nn.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from nndl.nn.pooling import (
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
    MaxUnpool2d,
)
from nndl.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from nndl.nn.rnn import RNNBase as RNNBase  # the base classes, as torch.nn has them
from nndl.nn.rnn import RNNCellBase as RNNCellBase
from nndl.nn.sparse import Embedding
from nndl.nn.upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d

__all__ = [
    "functional", "init", "Module", "ModuleList", "Parameter", "Sequential", "Linear", "Flatten",
    "Identity", "Conv2d", "MaxPool2d", "AvgPool2d", "ReLU", "Sigmoid", "Tanh", "LeakyReLU",
    "Softmax", "LogSoftmax", "Dropout", "BatchNorm1d", "BatchNorm2d", "MSELoss",
    "CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss", "Formula", "Note", "ShapeInfo",
    "LayerShapeError", "meta_device", "utils",
    # issue 17
    "GELU", "SiLU", "Mish", "ELU", "SELU", "CELU", "Hardtanh", "ReLU6", "Hardsigmoid",
    "Hardswish", "Softsign", "LogSigmoid", "Softplus", "Tanhshrink", "Softshrink",
    "Hardshrink", "Threshold", "Softmin", "L1Loss", "SmoothL1Loss", "HuberLoss", "KLDivLoss",
    "BCELoss", "Embedding", "LayerNorm", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d",
    "Conv1d", "ConvTranspose2d", "MaxUnpool2d", "MaxPool1d", "AvgPool1d", "Upsample",
    "UpsamplingNearest2d", "UpsamplingBilinear2d", "RNN", "LSTM", "GRU", "RNNCell",
    "LSTMCell", "GRUCell", "MultiheadAttention",
]
