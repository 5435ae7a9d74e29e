"""Errors and input checks of :mod:`nndl.classic`."""

from __future__ import annotations

import numpy as np

from nndl.errors import DataError as DataError  # the one family (nndl.errors)


def check_xy(X, y, where: str) -> tuple[np.ndarray, np.ndarray]:
    """X as an (n, d) float64 array, y as ±1 labels; errors name the bad row."""
    try:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{where}: X and y must be numeric ({exc})",
                        hint="pass X as a list of points and y as a list of ±1 labels") from None
    if X.ndim != 2:
        raise DataError(f"{where}: X must be 2-D (samples × features), got shape {X.shape}",
                        hint="wrap a single point as [[x1, x2]]")
    if y.shape != (len(X),):
        raise DataError(f"{where}: y has shape {y.shape} but X has {len(X)} rows",
                        hint="give one label per row of X")
    if len(X) == 0:
        raise DataError(f"{where}: no samples", hint="give at least one (x, y) pair")
    bad = np.flatnonzero(~np.isfinite(X).all(axis=1))
    if bad.size:
        raise DataError(f"{where}: row {int(bad[0])} of X is not finite: {X[bad[0]].tolist()}",
                        hint="remove NaN/inf values")
    bad = np.flatnonzero((y != 1) & (y != -1))
    if bad.size:
        raise DataError(f"{where}: label {y[bad[0]]!r} at row {int(bad[0])} is not ±1",
                        hint="use labels +1 and -1 (the seed's convention)")
    return X, y
