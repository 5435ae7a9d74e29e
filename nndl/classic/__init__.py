"""Exercise 2: the perceptron (PLA) and one sigmoid neuron, and the outlier experiment."""

from nndl.classic.errors import DataError
from nndl.classic.experiment import (
    DEFAULT_TS,
    X_D,
    Y_D,
    DirectionStudy,
    NeuronResult,
    OutlierExperiment,
    OutlierRow,
    PLAResult,
    angle_deg,
    outlier_experiment,
    sheet_checks,
    with_x4,
)
from nndl.classic.neuron import Neuron, NeuronEpoch
from nndl.classic.perceptron import (
    ConvergenceWarning,
    LineCheck,
    NovikoffBound,
    Perceptron,
    PLAEpoch,
    check_line,
    max_margin,
)

__all__ = [
    "DEFAULT_TS", "X_D", "Y_D", "ConvergenceWarning", "DataError", "DirectionStudy", "LineCheck", "Neuron",
    "NeuronEpoch", "NeuronResult", "NovikoffBound", "OutlierExperiment", "OutlierRow",
    "PLAEpoch", "PLAResult", "Perceptron", "angle_deg", "check_line", "max_margin",
    "outlier_experiment", "sheet_checks", "with_x4",
]
