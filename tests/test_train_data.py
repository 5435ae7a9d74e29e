"""The digits loader: the real scikit-learn data, a seeded stratified split, batching."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import require

from nndl import data
from nndl.data import DataError, batches, load_digits, stratified_split

sklearn_datasets = require("sklearn.datasets")


def test_digits_are_sklearns_images_scaled_and_split():
    split = load_digits(test_size=0.2, seed=0)
    ref = sklearn_datasets.load_digits()
    assert split.x_train.shape[1:] == (1, 8, 8) and split.x_train.dtype == np.float32
    assert split.y_train.dtype == np.int64
    n = len(split.x_train) + len(split.x_test)
    assert n == len(ref.target) == 1797
    assert split.x_train.min() >= 0.0 and split.x_train.max() <= 1.0
    # every image of the split is a real digit, scaled by 1/16, with its own label
    flat = (ref.images.reshape(len(ref.images), -1) / 16.0).astype(np.float32)
    lookup = {row.tobytes(): lab for row, lab in zip(flat, ref.target, strict=True)}
    xtr, xte = split.flat()
    for x, y in ((xtr, split.y_train), (xte, split.y_test)):
        assert all(lookup[row.tobytes()] == lab for row, lab in zip(x, y, strict=True))


def test_split_is_stratified_disjoint_and_seeded():
    y = sklearn_datasets.load_digits().target
    tr, te = stratified_split(y, 0.2, seed=3)
    assert len(np.intersect1d(tr, te)) == 0 and len(tr) + len(te) == len(y)
    for c in range(10):
        n_c = int(np.sum(y == c))
        assert int(np.sum(y[te] == c)) == round(0.2 * n_c)
    tr2, te2 = stratified_split(y, 0.2, seed=3)
    assert np.array_equal(te, te2)
    assert not np.array_equal(te, stratified_split(y, 0.2, seed=4)[1])


@given(labels=st.lists(st.integers(0, 4), min_size=2, max_size=60),
       test_size=st.floats(0.05, 0.95), seed=st.integers(0, 2**31))
def test_split_properties(labels, test_size, seed):
    y = np.array(labels)
    counts = np.bincount(y)
    if np.any((counts > 0) & (counts < 2)):
        with pytest.raises(DataError, match="needs two"):
            stratified_split(y, test_size, seed)
        return
    tr, te = stratified_split(y, test_size, seed)
    assert sorted(np.concatenate([tr, te]).tolist()) == list(range(len(y)))
    for c in np.unique(y):  # each class appears on both sides
        assert np.any(y[tr] == c) and np.any(y[te] == c)


def test_bad_arguments_are_clear():
    with pytest.raises(DataError, match="strictly between 0 and 1"):
        load_digits(test_size=1.5)
    with pytest.raises(DataError, match="positive"):
        list(batches(np.zeros(3), np.zeros(3), 0))
    with pytest.raises(DataError, match="3 inputs but 2 labels"):
        list(batches(np.zeros(3), np.zeros(2), 2))


def test_missing_sklearn_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # import now raises ImportError
    with pytest.raises(DataError, match="scikit-learn") as info:
        load_digits()
    assert 'pip install -e ".[train]"' in info.value.hint
    assert info.value.hint == data.INSTALL_HINT


def test_batches_cover_everything_once():
    x, y = np.arange(10)[:, None], np.arange(10)
    got = list(batches(x, y, 4))
    assert [len(b[1]) for b in got] == [4, 4, 2]
    assert np.array_equal(np.concatenate([b[1] for b in got]), y)
    shuffled = list(batches(x, y, 3, shuffle=True, rng=np.random.default_rng(0)))
    ys = np.concatenate([b[1] for b in shuffled])
    assert sorted(ys.tolist()) == list(range(10)) and not np.array_equal(ys, y)
    assert all(np.array_equal(bx[:, 0], by) for bx, by in shuffled)  # pairs stay together


@given(n=st.integers(1, 6), h=st.integers(3, 7), w=st.integers(3, 7), m=st.integers(0, 2),
       seed=st.integers(0, 2**31))
def test_random_shift_moves_each_image_within_the_limit(n, h, w, m, seed):
    """Each output image is its input moved by some |dy|, |dx| ≤ m, zeros moved in."""
    from nndl.data import random_shift

    x = np.random.default_rng(seed).uniform(0.1, 1.0, (n, 2, h, w)).astype(np.float32)
    out = random_shift(x, m, np.random.default_rng(seed))
    assert out.shape == x.shape and out.dtype == x.dtype
    assert np.array_equal(out, random_shift(x, m, np.random.default_rng(seed)))  # seeded
    for img, orig in zip(out, x, strict=True):
        matches = []
        for dy in range(-m, m + 1):
            for dx in range(-m, m + 1):
                ref = np.zeros_like(orig)  # orig moved by (dy, dx), written independently
                for i in range(h):
                    for j in range(w):
                        if 0 <= i - dy < h and 0 <= j - dx < w:
                            ref[:, i, j] = orig[:, i - dy, j - dx]
                matches.append(np.array_equal(img, ref))
        assert sum(matches) == 1  # pixels > 0 and m < h, w: the zero border tells the shift


def test_random_shift_uses_every_offset_and_checks_its_argument():
    from nndl.data import random_shift

    x = np.zeros((400, 1, 3, 3), np.float32)
    x[:, 0, 1, 1] = 1.0  # a single bright centre pixel: where it lands tells the shift
    out = random_shift(x, 1, np.random.default_rng(0))
    where = {tuple(np.argwhere(img[0])[0]) for img in out}
    assert where == {(i, j) for i in range(3) for j in range(3)}
    assert random_shift(x, 0, np.random.default_rng(0)) is x
    with pytest.raises(DataError, match="max_shift"):
        random_shift(x, -1, np.random.default_rng(0))


@given(seed=st.integers(0, 2**31), c=st.integers(1, 3), h=st.integers(3, 9), w=st.integers(3, 9))
def test_affine_warp_is_scipys_bilinear_affine_transform(seed, c, h, w):
    """Oracle: scipy.ndimage.affine_transform (order 1, outside = 0 and interpolated), which
    maps output pixel o to input o' = M·o + offset; here M = A⁻¹, offset = ctr − A⁻¹(ctr + t)."""
    from scipy import ndimage

    from nndl.data import affine_warp

    rng = np.random.default_rng(seed)
    n = 3
    x = rng.uniform(0, 1, (n, c, h, w)).astype(np.float32)
    deg, zoom = rng.uniform(-40, 40, n), rng.uniform(0.7, 1.3, n)
    dy, dx = rng.uniform(-2, 2, (2, n))
    out = affine_warp(x, deg, zoom, dy, dx)
    assert out.shape == x.shape and out.dtype == x.dtype
    ctr = np.array([(h - 1) / 2, (w - 1) / 2])
    for k in range(n):
        th = np.deg2rad(deg[k])
        inv = np.array([[np.cos(th), np.sin(th)], [-np.sin(th), np.cos(th)]]) / zoom[k]
        offset = ctr - inv @ (ctr + np.array([dy[k], dx[k]]))
        for ch in range(c):
            ref = ndimage.affine_transform(x[k, ch].astype(np.float64), inv, offset=offset,
                                           order=1, mode="grid-constant", cval=0.0)
            np.testing.assert_allclose(out[k, ch], ref, atol=1e-5)


def test_affine_warp_identity_and_whole_pixel_moves():
    from nndl.data import affine_warp, random_shift

    x = np.random.default_rng(0).uniform(0.1, 1, (5, 1, 8, 8)).astype(np.float32)
    ones, zeros = np.ones(5), np.zeros(5)
    np.testing.assert_allclose(affine_warp(x, zeros, ones, zeros, zeros), x, atol=1e-6)
    # a whole-pixel move is random_shift's move (same zero border)
    rng = np.random.default_rng(3)
    shifted = random_shift(x, 1, rng)
    for k in range(5):
        dy, dx = np.argwhere(shifted[k, 0] == x[k, 0, 3, 3])[0] - 3
        moved = affine_warp(x[k:k + 1], [0.0], [1.0], [dy], [dx])
        np.testing.assert_allclose(moved[0], shifted[k], atol=1e-6)


def test_random_affine_stays_within_its_limits_and_is_seeded():
    from nndl.data import random_affine

    x = np.zeros((300, 1, 9, 9), np.float32)
    x[:, 0, 4, 4] = 1.0  # one bright centre pixel: moved by t, its centroid moves by t
    kw = dict(rotate=20, scale=0.1, shift=0.5)
    warped = random_affine(x, np.random.default_rng(0), **kw)
    assert np.array_equal(warped, random_affine(x, np.random.default_rng(0), **kw))  # seeded
    assert not np.array_equal(warped, random_affine(x, np.random.default_rng(1), **kw))
    out = random_affine(x, np.random.default_rng(0), shift=0.5)
    i, j = np.mgrid[0:9, 0:9]
    mass = out.sum(axis=(1, 2, 3))
    np.testing.assert_allclose(mass, 1.0, rtol=1e-5)  # bilinear weights sum to 1
    cy = (out[:, 0] * i).sum(axis=(1, 2)) / mass - 4
    cx = (out[:, 0] * j).sum(axis=(1, 2)) / mass - 4
    assert np.all(np.abs(cy) <= 0.5 + 1e-6) and np.all(np.abs(cx) <= 0.5 + 1e-6)
    assert np.abs(cy).max() > 0.45 and np.abs(cx).max() > 0.45  # the whole range is used
    assert random_affine(x, np.random.default_rng(0)).tolist() == x.tolist()  # all limits 0
    with pytest.raises(DataError, match="scale < 1"):
        random_affine(x, np.random.default_rng(0), scale=1.0)
    with pytest.raises(DataError, match="≥ 0"):
        random_affine(x, np.random.default_rng(0), rotate=-5)


@given(labels=st.lists(st.integers(0, 3), min_size=6, max_size=80), k=st.integers(2, 6),
       seed=st.integers(0, 2**31))
def test_stratified_folds_partition_and_balance(labels, k, seed):
    from nndl.data import stratified_folds

    y = np.array(labels)
    if k > len(y):
        with pytest.raises(DataError, match="k-fold"):
            stratified_folds(y, k, seed)
        return
    folds = stratified_folds(y, k, seed)
    assert len(folds) == k
    assert sorted(np.concatenate(folds).tolist()) == list(range(len(y)))  # a partition
    sizes = [len(f) for f in folds]
    assert max(sizes) - min(sizes) <= 1
    for c in np.unique(y):  # each class spread as evenly as it can be
        per_fold = [int(np.sum(y[f] == c)) for f in folds]
        assert max(per_fold) - min(per_fold) <= 1
    assert all(np.array_equal(a, b) for a, b in zip(folds, stratified_folds(y, k, seed),
                                                     strict=True))
