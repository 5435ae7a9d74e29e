"""Training a real network on a real data set: scikit-learn's digits, on nndl's engine.

``train_digits(model="lenet")`` builds the model, trains it with mini-batch SGD or
Adam, evaluates on a held-out stratified split after every epoch and returns a
:class:`TrainHistory` (plain data). Renderers below turn it into a terminal report
(zh/en), Markdown, JSON, or a learning-curve figure.

The digits are 8×8, too small for LeNet-5's 5×5 convolutions on 32×32 inputs, so
"lenet" keeps LeNet's pattern (two conv + ReLU + max-pool stages, then FC layers)
with 3×3 kernels and padding 1, which keep the 8×8 → 4×4 → 2×2 halving exact.

The package: ``model`` (what is trained), ``loop`` (how), ``render`` (how it is shown).
"""

from __future__ import annotations

from nndl.train.loop import (  # noqa: F401  (the package's API)
    EpochStats,
    ProgressFn,
    TrainHistory,
    WeightAverage,
    blas_threads,
    evaluate,
    fit,
    lr_factor,
    parse_affine,
    smoothed_targets,
    train_digits,
)
from nndl.train.model import (  # noqa: F401  (the package's API)
    AVERAGES,
    DEFAULT_LR,
    LENET_AFFINE,
    LENET_BATCHNORM,
    LENET_CHANNELS,
    LENET_DROPOUT,
    LENET_HIDDEN,
    MODEL_DEFAULTS,
    MODELS,
    OPTIMIZERS,
    SCHEDULES,
    TrainingError,
    make_model,
    make_optimizer,
)
from nndl.train.render import (  # noqa: F401  (the package's API)
    TEXT,
    learning_curve,
    to_json,
    to_markdown,
    to_text,
)
