"""Real data for training: scikit-learn's handwritten digits, split and batched.

The digits (1,797 grey 8×8 images, 10 classes, pixel values 0..16) ship inside
scikit-learn, so nothing is downloaded. scikit-learn is an optional dependency
(``pip install -e ".[train]"``); it is imported only when the data is loaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from nndl.errors import DataError as DataError  # the one family (nndl.errors)

INSTALL_HINT = 'install the training extra: pip install -e ".[train]"  (it brings scikit-learn)'




@dataclass(frozen=True)
class DigitsSplit:
    """Train and test arrays. Images are float32 in [0, 1], NCHW ``(N, 1, 8, 8)``."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    seed: int
    test_size: float

    @property
    def num_classes(self) -> int:
        return 10

    def flat(self) -> tuple[np.ndarray, np.ndarray]:
        """``(x_train, x_test)`` as ``(N, 64)`` rows, for an MLP."""
        return (self.x_train.reshape(len(self.x_train), -1),
                self.x_test.reshape(len(self.x_test), -1))


def _sklearn_digits() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits as sk_load_digits
    except ImportError:
        raise DataError("the digits data set comes with scikit-learn, which is not installed",
                        hint=INSTALL_HINT) from None
    bunch = sk_load_digits()
    return np.asarray(bunch.images), np.asarray(bunch.target)


def stratified_split(labels: np.ndarray, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(train, test)``: each class keeps its share in both parts (a seeded shuffle).

    Class c with n_c samples gives round(test_size · n_c) to the test part, at least one
    to each part; both index arrays are sorted, so the split depends only on ``seed``.
    """
    if not 0.0 < test_size < 1.0:
        raise DataError(f"test_size must lie strictly between 0 and 1, got {test_size}",
                        hint="use a fraction such as 0.2 (20 % of each class held out)")
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        if len(idx) < 2:
            raise DataError(f"class {c} has {len(idx)} sample(s); a stratified split needs two",
                            hint="drop that class or use more data")
        idx = rng.permutation(idx)
        k = min(max(int(round(test_size * len(idx))), 1), len(idx) - 1)
        test.append(idx[:k])
        train.append(idx[k:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def stratified_folds(labels: np.ndarray, k: int, seed: int) -> list[np.ndarray]:
    """``k`` disjoint sorted index arrays covering ``labels``; each class is dealt round-robin
    after a seeded shuffle, so every fold holds ⌊n_c/k⌋ or ⌈n_c/k⌉ of class c (k-fold
    cross-validation: each fold is the validation part once, the rest trains)."""
    labels = np.asarray(labels)
    if not 2 <= k <= len(labels):
        raise DataError(f"k-fold needs 2 ≤ k ≤ {len(labels)} (the number of samples), got {k}",
                        hint="e.g. k=5: five 80/20 train/validation cuts")
    rng = np.random.default_rng(seed)
    folds: list[list[np.ndarray]] = [[] for _ in range(k)]
    offset = 0  # start each class where the last one stopped, so fold sizes stay within one
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        for i in range(k):
            folds[(offset + i) % k].append(idx[i::k])
        offset += len(idx)
    return [np.sort(np.concatenate(f)) for f in folds]


def load_digits(test_size: float = 0.2, seed: int = 0) -> DigitsSplit:
    """scikit-learn's digits, scaled to [0, 1] float32, as a seeded stratified train/test split."""
    images, target = _sklearn_digits()
    x = (images.astype(np.float32) / np.float32(16.0))[:, None, :, :]
    y = target.astype(np.int64)
    tr, te = stratified_split(y, test_size, seed)
    return DigitsSplit(x[tr], y[tr], x[te], y[te], seed=seed, test_size=test_size)


def random_shift(x: np.ndarray, max_shift: int, rng: np.random.Generator) -> np.ndarray:
    """Each image of ``x`` (N, C, H, W) moved by its own random (dy, dx), |dy|, |dx| ≤ ``max_shift``.

    Pixels moved in from outside are 0 (the digits' background). Data augmentation: a digit
    one pixel to the left is still the same digit, so the network learns to ignore the shift.
    """
    if max_shift < 0:
        raise DataError(f"max_shift must be 0 or more pixels, got {max_shift}",
                        hint="use 1 (shift by up to one pixel) or 0 (no augmentation)")
    if max_shift == 0:
        return x
    n, _, h, w = x.shape
    m = max_shift
    padded = np.pad(x, ((0, 0), (0, 0), (m, m), (m, m)))
    # (N, C, 2m+1, 2m+1, H, W): every shifted copy as a view; pick one per image
    windows = np.lib.stride_tricks.sliding_window_view(padded, (h, w), axis=(2, 3))
    dy, dx = rng.integers(0, 2 * m + 1, size=(2, n))
    return np.ascontiguousarray(windows[np.arange(n), :, dy, dx])


def affine_warp(x: np.ndarray, degrees: np.ndarray, zoom: np.ndarray, dy: np.ndarray,
                dx: np.ndarray) -> np.ndarray:
    """Image k of ``x`` (N, C, H, W) rotated by ``degrees[k]`` and zoomed by ``zoom[k]`` about
    its centre, then moved by (``dy[k]``, ``dx[k]``) pixels (fractions too).

    Output pixel p reads the input at centre + A⁻¹(p − centre − t) (A = zoom·rotation),
    bilinearly interpolated between the four pixels around it; pixels outside the image
    count as 0, the digits' background.
    """
    n, _, h, w = x.shape
    theta = np.deg2rad(np.asarray(degrees, dtype=np.float64))
    zoom = np.asarray(zoom, dtype=np.float64)
    cos, sin = (np.cos(theta) / zoom)[:, None, None], (np.sin(theta) / zoom)[:, None, None]
    cy, cx = (h - 1) / 2, (w - 1) / 2
    i, j = np.mgrid[0:h, 0:w]
    ry = i[None] - cy - np.asarray(dy, dtype=np.float64)[:, None, None]  # (N, H, W): p − c − t
    rx = j[None] - cx - np.asarray(dx, dtype=np.float64)[:, None, None]
    sy, sx = cy + cos * ry + sin * rx, cx - sin * ry + cos * rx          # A⁻¹ = R(−θ) / zoom
    y0, x0 = np.floor(sy).astype(np.int64), np.floor(sx).astype(np.int64)
    fy, fx = (sy - y0).astype(x.dtype), (sx - x0).astype(x.dtype)
    out = np.zeros_like(x)
    rows = np.arange(n)[:, None, None]
    for oy, ox, weight in ((0, 0, (1 - fy) * (1 - fx)), (0, 1, (1 - fy) * fx),
                           (1, 0, fy * (1 - fx)), (1, 1, fy * fx)):
        yy, xx = y0 + oy, x0 + ox
        inside = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
        pix = x[rows, :, np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)]   # (N, H, W, C)
        out += np.moveaxis(pix * (weight * inside)[..., None], -1, 1)
    return out


def random_affine(x: np.ndarray, rng: np.random.Generator, *, rotate: float = 0.0,
                  scale: float = 0.0, shift: float = 0.0) -> np.ndarray:
    """Each image of ``x`` (N, C, H, W) rotated, zoomed and moved by its own random amounts:
    an angle uniform in ±``rotate`` degrees, a zoom uniform in 1 ± ``scale``, a (dy, dx)
    uniform in ±``shift`` pixels (:func:`affine_warp`). Data augmentation with smaller,
    smoother changes than :func:`random_shift`'s whole pixels (an eighth of an 8×8 digit).
    """
    if min(rotate, scale, shift) < 0 or scale >= 1:
        raise DataError(f"rotate, scale and shift must be ≥ 0 and scale < 1, got rotate={rotate}, "
                        f"scale={scale}, shift={shift}", hint="e.g. rotate=10, scale=0.1, shift=0.5")
    n = len(x)
    degrees = rng.uniform(-rotate, rotate, n)
    zoom = rng.uniform(1 - scale, 1 + scale, n)
    dy, dx = rng.uniform(-shift, shift, (2, n))
    return affine_warp(x, degrees, zoom, dy, dx)


def batches(x: np.ndarray, y: np.ndarray, batch_size: int, *, shuffle: bool = False,
            rng: np.random.Generator | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Mini-batches ``(x[i:i+b], y[i:i+b])``; the last may be smaller (``drop_last=False``)."""
    if batch_size < 1:
        raise DataError(f"batch_size must be a positive integer, got {batch_size}",
                        hint="use e.g. --batch-size 64")
    if len(x) != len(y):
        raise DataError(f"{len(x)} inputs but {len(y)} labels", hint="pass arrays of equal length")
    order = np.arange(len(x))
    if shuffle:
        order = (rng if rng is not None else np.random.default_rng()).permutation(len(x))
    for i in range(0, len(x), batch_size):
        sel = order[i:i + batch_size]
        yield x[sel], y[sel]
