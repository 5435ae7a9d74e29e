"""Exercise 3: backprop of any depth (δ recursion), and the vanishing gradient."""

from nndl.deep.backprop import (
    BackpropError,
    DeltaPass,
    GradientCheck,
    Network,
    check_gradients,
    delta_backprop,
    engine_grads,
    finite_difference_grads,
    init_weights,
    make_network,
)
from nndl.deep.derivation import BackpropDerivation, derive_backprop
from nndl.deep.vanish import DepthTrend, LayerGrad, VanishingSweep, VanishRun, vanishing_sweep

__all__ = [
    "BackpropDerivation", "BackpropError", "DeltaPass", "DepthTrend", "GradientCheck",
    "LayerGrad", "Network", "VanishRun", "VanishingSweep", "check_gradients", "delta_backprop",
    "derive_backprop", "engine_grads", "finite_difference_grads", "init_weights",
    "make_network", "vanishing_sweep",
]
