"""Checkpoints: bit-exact round trips, an independent safetensors oracle, clear errors."""

from __future__ import annotations

import json
import struct
import zipfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nndl import Tensor
from nndl.checkpoint import (
    CheckpointError,
    check_compatible,
    load,
    load_arrays,
    load_metadata,
    save,
)

DTYPES = [np.float32, np.float64, np.float16, np.int64, np.int32, np.int8, np.uint8, np.bool_]


def _bits(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a).tobytes()


def _same(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for k in a:
        x, y = np.asarray(a[k]), np.asarray(b[k])
        assert x.dtype == y.dtype and x.shape == y.shape, k
        assert _bits(x) == _bits(y), k  # bit-exact: NaN payloads and -0.0 survive


state_dicts = st.dictionaries(
    st.text(alphabet="abcdefghij._0123456789", min_size=1, max_size=12),
    st.sampled_from(DTYPES).flatmap(
        lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5))),
    max_size=6,
)


@pytest.mark.parametrize("ext", ["npz", "safetensors"])
@given(state=state_dicts)
def test_round_trip_is_bit_exact(tmp_path_factory, ext, state):
    path = tmp_path_factory.mktemp("ck") / f"m.{ext}"
    save(state, path)
    _same(state, load_arrays(path))
    loaded = load(path)
    assert all(isinstance(v, Tensor) for v in loaded.values())
    _same(state, {k: v.data for k, v in loaded.items()})


@pytest.mark.parametrize("ext", ["npz", "safetensors"])
def test_special_values_and_writable(tmp_path, ext):
    nan_payload = np.array([0x7FC00001, 0xFFC12345], dtype=np.uint32).view(np.float32)
    state = {"w": np.array([np.inf, -np.inf, -0.0, 1e-45], np.float32), "nan": nan_payload,
             "big": np.arange(24, dtype=np.float64).reshape(2, 3, 4).transpose(2, 0, 1)}
    save(state, tmp_path / f"c.{ext}")
    back = load_arrays(tmp_path / f"c.{ext}")
    _same(state, back)
    back["w"] += 1  # loaded arrays can be trained further in place
    assert back["w"][3] == 1.0


def test_safetensors_matches_the_spec_byte_for_byte(tmp_path):
    """An independent reader of the spec: u64 header length, JSON header, raw little-endian data."""
    w = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5
    b = np.array([7, -8], dtype=np.int64)
    save({"fc.weight": w, "fc.bias": b}, tmp_path / "m.safetensors", metadata={"format": "pt"})
    raw = (tmp_path / "m.safetensors").read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0
    header = json.loads(raw[8:8 + n])
    assert header["__metadata__"] == {"format": "pt"}
    body = raw[8 + n:]
    for name, arr, code in (("fc.weight", w, "F32"), ("fc.bias", b, "I64")):
        e = header[name]
        assert e["dtype"] == code and e["shape"] == list(arr.shape)
        lo, hi = e["data_offsets"]
        assert body[lo:hi] == arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        assert lo % arr.itemsize == 0  # aligned
    assert sum(e["data_offsets"][1] - e["data_offsets"][0]
               for k, e in header.items() if k != "__metadata__") == len(body)
    assert load_metadata(tmp_path / "m.safetensors") == {"format": "pt"}


def test_reads_a_hand_written_safetensors_file(tmp_path):
    """A file built by hand from the spec (unaligned, header unpadded) loads correctly."""
    a = np.array([1.5, -2.0], dtype="<f8")
    c = np.array([[1, 2, 3]], dtype="<i2")
    header = json.dumps({"c": {"dtype": "I16", "shape": [1, 3], "data_offsets": [0, 6]},
                         "a": {"dtype": "F64", "shape": [2], "data_offsets": [6, 22]}}).encode()
    (tmp_path / "h.safetensors").write_bytes(
        struct.pack("<Q", len(header)) + header + c.tobytes() + a.tobytes())
    got = load_arrays(tmp_path / "h.safetensors")
    np.testing.assert_array_equal(got["a"], a)
    np.testing.assert_array_equal(got["c"], c)
    assert got["c"].dtype == np.int16


def test_safetensors_package_reads_our_file(tmp_path):
    import safetensors.numpy as safetensors_numpy  # second oracle, from the test extra
    w = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    save({"w": w}, tmp_path / "m.safetensors")
    assert _bits(safetensors_numpy.load_file(str(tmp_path / "m.safetensors"))["w"]) == _bits(w)


def test_npz_is_readable_by_numpy_without_pickle(tmp_path):
    state = {"layer.0.weight": np.ones((2, 2), np.float32), "allow_pickle": np.zeros(1)}
    save(state, tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as z:
        _same(state, {k: z[k] for k in z.files})


def test_files_are_deterministic(tmp_path):
    state = {"w": np.arange(5, dtype=np.float32)}
    for ext in ("npz", "safetensors"):
        save(state, tmp_path / f"a.{ext}")
        save(state, tmp_path / f"b.{ext}")
        assert (tmp_path / f"a.{ext}").read_bytes() == (tmp_path / f"b.{ext}").read_bytes()


def test_atomic_write_keeps_the_old_file_when_saving_fails(tmp_path):
    path = tmp_path / "m.npz"
    save({"w": np.ones(3, np.float32)}, path)
    before = path.read_bytes()
    with pytest.raises(CheckpointError, match="dtype"):
        save({"w": np.array(["text"])}, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]  # no temp file left behind


def test_refuses_pickled_npz(tmp_path):
    np.savez(tmp_path / "p.npz", obj=np.array([{"a": 1}], dtype=object))
    with pytest.raises(CheckpointError, match="unpickling"):
        load(tmp_path / "p.npz")


@pytest.mark.parametrize("content, what", [
    (b"hello world, not a checkpoint", "neither"),
    (b"", "neither"),
    (struct.pack("<Q", 10**9) + b"{}", "header claims"),
    (struct.pack("<Q", 2) + b"{x", "not JSON"),
    (struct.pack("<Q", 2) + b"[]", "neither"),
    (struct.pack("<Q", 4) + b"{}{}", "not JSON"),
])
def test_wrong_files_are_clear_errors(tmp_path, content, what):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=what) as info:
        load(path)
    assert "bad.safetensors" in info.value.message and info.value.hint


def _st_file(tmp_path, header: dict, body: bytes):
    h = json.dumps(header).encode()
    path = tmp_path / "x.safetensors"
    path.write_bytes(struct.pack("<Q", len(h)) + h + body)
    return path


@pytest.mark.parametrize("header, body, what", [
    ({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8, "do not hold"),
    ({"w": {"dtype": "X9", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4, "unknown field"),
    ({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 8, "belong to no entry"),
    ({"w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, b"\0" * 8, "gap or overlap"),
    ({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 4, "outside the data"),
    ({"w": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}}, b"\0" * 2, "unknown field"),
])
def test_malformed_safetensors_headers(tmp_path, header, body, what):
    with pytest.raises(CheckpointError, match=what):
        load(_st_file(tmp_path, header, body))


def test_missing_file_and_unknown_extension(tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        load(tmp_path / "nope.npz")
    with pytest.raises(CheckpointError, match="format") as info:
        save({"w": np.ones(1)}, tmp_path / "m.pt")
    assert ".safetensors" in info.value.hint
    save({"w": np.ones(1)}, tmp_path / "m.weights", format="safetensors")
    assert load_arrays(tmp_path / "m.weights")["w"][0] == 1.0
    with pytest.raises(CheckpointError, match="metadata"):
        save({"w": np.ones(1)}, tmp_path / "m.npz", metadata={"a": "b"})
    with pytest.raises(CheckpointError, match="state_dict"):
        save([1, 2, 3], tmp_path / "m.npz")
    with pytest.raises(CheckpointError, match="non-empty string"):
        save({"": np.ones(1)}, tmp_path / "m.npz")


def test_check_compatible_names_keys_and_shapes():
    model = {"a.weight": np.zeros((2, 3)), "a.bias": np.zeros(2)}
    check_compatible(model, {"a.weight": np.ones((2, 3)), "a.bias": np.ones(2)})
    with pytest.raises(CheckpointError, match=r"missing keys \['a.bias'\]"):
        check_compatible(model, {"a.weight": np.ones((2, 3))})
    with pytest.raises(CheckpointError, match=r"unexpected keys \['b'\]"):
        check_compatible(model, {**model, "b": np.ones(1)})
    check_compatible(model, {**model, "b": np.ones(1)}, strict=False)
    with pytest.raises(CheckpointError, match=r"'a.weight' has shape \(3, 2\).*\(2, 3\)"):
        check_compatible(model, {"a.weight": np.ones((3, 2)), "a.bias": np.ones(2)})


def test_zip_members_that_are_not_arrays_are_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "z.npz", "w") as zf:
        zf.writestr("w.npy", b"not an npy payload")
    with pytest.raises(CheckpointError):
        load(tmp_path / "z.npz")
