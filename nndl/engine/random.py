"""nndl's global random generator, as PyTorch's default generator.

Initialisation (``nn.init``), dropout, ``randn``/``rand`` and the in-place samplers
(``Tensor.normal_`` ...) all draw from :func:`default_rng`; :func:`manual_seed` replaces
it by a freshly seeded one, so a seeded run repeats. It lives in the engine (the bottom
layer) so that the layers above it reach it without importing the package root;
``nndl.manual_seed`` and ``nndl.default_rng`` are these same functions.
"""

from __future__ import annotations

import numpy as np

from nndl.errors import ArgumentError, ArgumentTypeError

_rng = np.random.default_rng()

_SEED_MIN, _SEED_MAX = -(1 << 63), (1 << 64) - 1  # PyTorch's accepted range


def manual_seed(seed: int) -> np.random.Generator:
    """Seed nndl's random generator, as ``torch.manual_seed``: any integer in PyTorch's range
    [-2^63, 2^64 - 1] (a negative seed is mapped to 2^64 - 1 + seed, as PyTorch does).
    Returns the new generator."""
    global _rng
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ArgumentTypeError(f"manual_seed: the seed must be an integer, got "
                                f"{type(seed).__name__} {seed!r}", hint="e.g. nndl.manual_seed(0)")
    seed = int(seed)
    if not _SEED_MIN <= seed <= _SEED_MAX:
        raise ArgumentError(f"manual_seed: the seed {seed} is outside [-2^63, 2^64 - 1]",
                            hint="use a smaller integer, e.g. nndl.manual_seed(0)")
    _rng = np.random.default_rng(seed if seed >= 0 else _SEED_MAX + seed)
    return _rng


def default_rng() -> np.random.Generator:
    """The generator nndl draws from (the one :func:`manual_seed` seeded last)."""
    return _rng
