"""Issue 18, checkpoints: crafted files are errors that name the file, nothing is inflated
before the keys and shapes are checked, and a cast that changes values is refused."""

from __future__ import annotations

import io
import json
import os
import struct
import time
import warnings
import zipfile

import numpy as np
import pytest

from nndl import nn
from nndl.checkpoint import (
    MAX_CHECKPOINT_BYTES,
    CastWarning,
    CheckpointError,
    load,
    load_arrays,
    load_into,
    load_metadata,
    load_shapes,
    save,
)


def _st(tmp_path, header_text: str, body: bytes = b"", name: str = "x.safetensors"):
    h = header_text.encode()
    path = tmp_path / name
    path.write_bytes(struct.pack("<Q", len(h)) + h + body)
    return path


def _npz(tmp_path, members: dict[str, bytes], name: str = "x.npz",
         method: int = zipfile.ZIP_STORED):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", method) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return path


def _npy_header(text: str) -> bytes:
    text = text + " " * (-(len(text) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1")


def _entry(shape: str, offsets: str = "[0, 4]", dtype: str = '"F32"') -> str:
    return f'{{"w": {{"dtype": {dtype}, "shape": {shape}, "data_offsets": {offsets}}}}}'


@pytest.mark.parametrize("header, body, what", [
    (_entry("[1e400]"), b"\0" * 4, "malformed shape"),
    (_entry(f"[{2**70}]"), b"\0" * 4, "GiB"),
    (_entry(f"[{2**32}, {2**32}]", "[0, 0]"), b"", "GiB"),  # int64 product wraps to 0
    (_entry("[" + "9" * 5000 + "]"), b"\0" * 4, "digits"),
    (_entry("[" + ", ".join(["1"] * 100) + "]"), b"\0" * 4, "dimensions"),
    (_entry("[-1]"), b"\0" * 4, "negative"),
    (_entry("[1.0]"), b"\0" * 4, "malformed shape"),
    (_entry("[1]", "[0]"), b"\0" * 4, "malformed"),
    (_entry("[1]", dtype="[]"), b"\0" * 4, "unknown field 'dtype'"),
    ('{"__metadata__": [1, 2]}', b"", "__metadata__"),
    ('{"__metadata__": "text"}', b"", "__metadata__"),
    ('{"__metadata__": {"a": 1}}', b"", "__metadata__"),
    ('{"w": ' + "[" * 5000 + "]" * 5000 + "}", b"", "not JSON"),
    ('{"w": [1]}', b"", "not an object"),
    ('{"w": {"shape": [1]}}', b"", "lacks"),
])
def test_crafted_safetensors_headers(tmp_path, header, body, what):
    path = _st(tmp_path, header, body)
    for reader in (load, load_arrays, load_metadata, load_shapes):
        with pytest.raises(CheckpointError, match=what) as info:
            reader(path)
        assert "x.safetensors" in info.value.message and info.value.hint
        assert len(info.value.message) < 600


@pytest.mark.parametrize("members, what", [
    ({"w.npy": _npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': "
                           "(__import__('os'),), }")}, "readable .npy header"),
    ({"w.npy": _npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': "
                           "(1000000000000000,), }")}, "GiB"),
    ({"w.npy": _npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': "
                           "(4294967296, 4294967296), }")}, "GiB"),
    ({"w.npy": _npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': "
                           + "(" * 3000 + ")" * 3000 + ", }")}, "readable .npy header"),
    ({"w.npy": _npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': "
                           "(" + "1," * 100 + "), }")}, "dimensions"),
    ({"w.npy": b"\x93NUMPY\x09\x00"}, "readable .npy header"),
    ({"w.npy": b""}, "readable .npy header"),
    ({"w.txt": b"hello"}, "not a .npy array"),
])
def test_crafted_npz_members(tmp_path, members, what):
    path = _npz(tmp_path, members)
    with pytest.raises(CheckpointError, match=what) as info:
        load(path)
    assert "x.npz" in info.value.message


def test_truncated_npz_member_is_called_damaged_not_pickled(tmp_path):
    buf = io.BytesIO()
    np.save(buf, np.arange(100, dtype=np.float32))
    path = _npz(tmp_path, {"w.npy": buf.getvalue()[:-40]})
    with pytest.raises(CheckpointError, match="truncated") as info:
        load(path)
    assert "unpickling" not in info.value.message


def test_truncated_zip_is_damaged(tmp_path):
    save({"w": np.arange(1000, dtype=np.float32)}, tmp_path / "m.npz")
    raw = (tmp_path / "m.npz").read_bytes()
    for cut in (10, len(raw) // 2, len(raw) - 5):
        (tmp_path / "cut.npz").write_bytes(raw[:cut])
        with pytest.raises(CheckpointError):
            load(tmp_path / "cut.npz")


def test_object_arrays_still_say_unpickling(tmp_path):
    np.savez(tmp_path / "p.npz", obj=np.array([{"a": 1}], dtype=object))
    with pytest.raises(CheckpointError, match="unpickling"):
        load(tmp_path / "p.npz")


def _bomb(path, elements: int) -> None:
    """A deflated .npy of zeros: a few MB on disk, ``elements`` float32 values inflated."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, \
            zf.open("zz.npy", "w", force_zip64=True) as fh:
        np.lib.format.write_array_header_1_0(
            fh, {"descr": "<f4", "fortran_order": False, "shape": (elements,)})
        block = bytes(4 * 2**20)
        for _ in range(elements // 2**20):
            fh.write(block)


def test_keys_and_shapes_are_checked_before_anything_is_inflated(tmp_path):
    path = tmp_path / "bomb.npz"
    _bomb(path, 64 * 2**20)  # 256 MiB inflated
    assert os.path.getsize(path) < 2**20
    t = time.perf_counter()
    with pytest.raises(CheckpointError, match="missing keys"):
        load_into(nn.Linear(2, 1), path)
    assert time.perf_counter() - t < 1  # nothing was inflated
    assert load_shapes(path) == {"zz": (64 * 2**20,)}


def test_inflated_size_is_bounded(tmp_path):
    header = _npy_header("{'descr': '<f8', 'fortran_order': False, 'shape': "
                         f"({MAX_CHECKPOINT_BYTES // 8 + 1},), }}")
    path = _npz(tmp_path, {"w.npy": header})
    with pytest.raises(CheckpointError, match="GiB"):
        load(path)


def test_extra_entries_are_not_inflated_with_strict_false(tmp_path):
    model = nn.Linear(2, 1)
    state = {k: v.data for k, v in model.state_dict().items()}
    save({**state, "extra": np.ones(3, np.float32)}, tmp_path / "m.npz")
    load_into(nn.Linear(2, 1), tmp_path / "m.npz", strict=False)


def test_saving_what_could_not_be_loaded_is_refused(tmp_path):
    with pytest.raises(CheckpointError, match="__metadata__"):
        save({"__metadata__": np.ones(1)}, tmp_path / "m.safetensors")
    for ext in ("npz", "safetensors"):
        with pytest.raises(CheckpointError, match="NUL"):
            save({"a\x00b": np.ones(1)}, tmp_path / f"m.{ext}")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("make, what", [
    (lambda p: os.mkfifo(p), "FIFO"),
    (lambda p: os.mkdir(p), "folder"),
])
def test_special_files_are_named(tmp_path, make, what):
    path = tmp_path / "m.npz"
    make(path)
    t = time.perf_counter()
    with pytest.raises(CheckpointError, match=what):
        load(path)
    assert time.perf_counter() - t < 2  # a FIFO is not opened for a blocking read


def test_character_device_is_named():
    with pytest.raises(CheckpointError, match="character device"):
        load("/dev/zero")


# ------------------------------------------------------------------ dtype casts
def _linear_state(tmp_path, weight, bias, name="m.npz"):
    save({"weight": weight, "bias": bias}, tmp_path / name)
    return tmp_path / name


def test_a_cast_that_changes_values_is_refused(tmp_path):
    model = nn.Linear(2, 1)
    before = model.weight.data.copy()
    path = _linear_state(tmp_path, np.full((1, 2), 1e300), np.zeros(1))
    with pytest.raises(CheckpointError, match="inf") as info:
        load_into(model, path)
    assert "'weight'" in info.value.message and "cast=True" in info.value.hint
    assert np.array_equal(model.weight.data, before)  # a failed load changes nothing


@pytest.mark.parametrize("weight, bias", [
    (np.ones((1, 2), np.int64), np.zeros(1, np.float32)),
    (np.ones((1, 2), np.float32), np.zeros(1, bool)),
    (np.full((1, 2), 0.1), np.zeros(1)),  # float64 0.1 is not a float32
])
def test_int_bool_and_rounding_casts_are_refused(tmp_path, weight, bias):
    with pytest.raises(CheckpointError, match="change the values"):
        load_into(nn.Linear(2, 1), _linear_state(tmp_path, weight, bias))


def test_cast_true_casts_with_a_warning_naming_the_tensors(tmp_path):
    model = nn.Linear(2, 1)
    path = _linear_state(tmp_path, np.full((1, 2), 1e300), np.ones(1, np.int64))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_into(model, path, cast=True)
    messages = [str(w.message) for w in caught if issubclass(w.category, CastWarning)]
    assert len(messages) == 1 and "'weight'" in messages[0] and "'bias'" in messages[0]
    assert np.isinf(model.weight.data).all() and model.bias.data[0] == 1


def test_a_cast_that_keeps_every_value_is_silent(tmp_path):
    model = nn.Linear(2, 1)
    path = _linear_state(tmp_path, np.array([[0.5, -2.0]]), np.array([np.inf]),
                         name="m.safetensors")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_into(model, path)
    assert model.weight.data.dtype == np.float32
    assert model.weight.data.tolist() == [[0.5, -2.0]] and np.isinf(model.bias.data[0])


def test_npz_header_is_json_safe_for_metadata(tmp_path):
    path = _st(tmp_path, json.dumps({"__metadata__": {"a": "b"}}))
    assert load_metadata(path) == {"a": "b"}
    assert load(path) == {}
