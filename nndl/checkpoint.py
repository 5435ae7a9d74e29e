"""Checkpoints: a model's ``state_dict`` saved as ``.npz`` or ``.safetensors``, never pickled.

``save(model.state_dict(), "m.npz")`` / ``model.load_state_dict(load("m.npz"))`` as
``torch.save`` / ``torch.load``. Both formats hold raw array bytes and a little
metadata, so loading is bit-exact (NaN payloads and -0.0 included) and loading a file
cannot run code. The safetensors file is written by the code below from its public
spec (8-byte little-endian header length, a JSON header, then the raw bytes), so no
extra package is needed, and the same file opens in ``safetensors.torch.load_file``.
Files are written atomically: an interrupted save leaves any previous file intact.
"""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from nndl.engine.tensor import Tensor
from nndl.errors import NNDLError
from nndl.fileio import atomic_write

FORMATS = ("npz", "safetensors")
_ST_DTYPES = {
    "F64": np.float64, "F32": np.float32, "F16": np.float16,
    "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8,
    "U64": np.uint64, "U32": np.uint32, "U16": np.uint16, "U8": np.uint8, "BOOL": np.bool_,
}
_ST_NAMES = {np.dtype(v): k for k, v in _ST_DTYPES.items()}
_MAX_HEADER = 100 * 1024 * 1024  # the spec's limit; a larger "header" means a wrong file
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same weights give the same bytes


class CheckpointError(NNDLError):
    """A checkpoint that cannot be written, read, or does not fit the model."""


# ------------------------------------------------------------------ helpers
def _to_numpy(name: str, value: Any) -> np.ndarray:
    """A state_dict value (nndl Tensor, ndarray, or a torch tensor) as a NumPy array."""
    if isinstance(value, Tensor):
        arr = value.data
    elif hasattr(value, "detach") and hasattr(value, "cpu"):  # torch.Tensor, without importing torch
        arr = value.detach().cpu().numpy()
    else:
        arr = np.asarray(value)
    if np.dtype(arr.dtype) not in _ST_NAMES:
        raise CheckpointError(f"entry '{name}' has dtype {arr.dtype}, which a checkpoint cannot hold",
                              hint="store numbers only: float16/32/64, (u)int8..64 or bool")
    return arr


def _state(obj: Any) -> dict[str, np.ndarray]:
    state = obj.state_dict() if hasattr(obj, "state_dict") else obj
    if not isinstance(state, Mapping):
        raise CheckpointError(f"save() needs a state_dict (a mapping of names to tensors) or a "
                              f"model, got {type(obj).__name__}",
                              hint="pass model.state_dict() or the model itself")
    out = {}
    for name, value in state.items():
        if not isinstance(name, str) or not name:
            raise CheckpointError(f"state_dict key {name!r} is not a non-empty string",
                                  hint="name every entry, as Module.state_dict() does")
        out[name] = _to_numpy(name, value)
    return out


def format_of(path: Path, format: str | None) -> str:  # noqa: A002 - the natural name
    fmt = format if format is not None else path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise CheckpointError(f"cannot tell the checkpoint format of '{path}'",
                              hint="end the file name with .npz or .safetensors, or pass format=")
    return fmt


# ------------------------------------------------------------------ npz
def _npz_bytes(state: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, arr in state.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=_ZIP_DATE)
            with zf.open(info, "w", force_zip64=True) as fh:
                np.lib.format.write_array(fh, np.asarray(arr), allow_pickle=False)
    return buf.getvalue()


def _npz_load(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            out = {name: npz[name] for name in npz.files}
    except ValueError as exc:  # object arrays (pickles) are refused
        raise CheckpointError(f"'{path}' holds an entry that can only be read by unpickling ({exc})",
                              hint="nndl never unpickles; re-save the weights with nndl.save") from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise CheckpointError(f"'{path}' is a damaged .npz file ({exc})",
                              hint="save the checkpoint again") from None
    for name, arr in out.items():
        if not isinstance(arr, np.ndarray):
            raise CheckpointError(f"'{path}': member '{name}' is not a .npy array",
                                  hint="pass a file written by nndl.save or numpy.savez")
    return out


# ------------------------------------------------------------------ safetensors
def _safetensors_bytes(state: dict[str, np.ndarray], metadata: Mapping[str, str] | None) -> bytearray:
    # Largest alignment first, then by name: with an 8-byte-aligned header every tensor
    # starts on a multiple of its item size (what the reference writer does too).
    names = sorted(state, key=lambda n: (-state[n].dtype.itemsize, n))
    header: dict[str, Any] = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    offsets, offset = {}, 0
    for name in names:
        offsets[name] = [offset, offset + state[name].nbytes]
        offset += state[name].nbytes
    for name, arr in state.items():  # header in the state_dict's order, so load() keeps it
        header[name] = {"dtype": _ST_NAMES[np.dtype(arr.dtype)], "shape": list(arr.shape),
                        "data_offsets": offsets[name]}
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    out = bytearray(8 + len(head) + offset)
    out[:8] = struct.pack("<Q", len(head))
    out[8:8 + len(head)] = head
    body = np.frombuffer(out, dtype=np.uint8)  # a writable view: each tensor is copied once
    pos = 8 + len(head)
    for name in names:
        arr = state[name]
        raw = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).reshape(-1)
        body[pos:pos + raw.nbytes] = raw.view(np.uint8)
        pos += raw.nbytes
    return out


def _safetensors_load(path: Path, blob: bytearray) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    def bad(what: str) -> CheckpointError:
        return CheckpointError(f"'{path}' is not a valid safetensors file: {what}",
                               hint="save it again with nndl.save(..., 'file.safetensors')")

    (n,) = struct.unpack("<Q", bytes(blob[:8]))
    if n > min(_MAX_HEADER, len(blob) - 8):
        raise bad(f"its header claims {n} bytes but the file has {len(blob)}")
    try:
        header = json.loads(bytes(blob[8:8 + n]).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad(f"the header is not JSON ({exc})") from None
    if not isinstance(header, dict):
        raise bad("the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    data = memoryview(blob)[8 + n:]
    spans, out = [], {}
    for name, entry in header.items():
        try:
            dtype = np.dtype(_ST_DTYPES[entry["dtype"]]).newbyteorder("<")
            shape = tuple(int(s) for s in entry["shape"])
            begin, end = (int(v) for v in entry["data_offsets"])
        except KeyError as exc:
            raise bad(f"entry '{name}' lacks or has an unknown field {exc}") from None
        except (TypeError, ValueError):
            raise bad(f"entry '{name}' has a malformed shape or data_offsets") from None
        if any(s < 0 for s in shape) or not 0 <= begin <= end <= len(data):
            raise bad(f"entry '{name}' has shape {shape} / offsets [{begin}, {end}] outside the data")
        if end - begin != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
            raise bad(f"entry '{name}': {end - begin} bytes do not hold shape {shape} of {entry['dtype']}")
        spans.append((begin, end, name))
        arr = np.frombuffer(data, dtype=dtype, count=(end - begin) // dtype.itemsize, offset=begin)
        if begin % dtype.itemsize:
            arr = arr.copy()  # another writer's unaligned tensor: copy rather than slow views
        out[name] = arr.reshape(shape).astype(dtype.newbyteorder("="), copy=False)
    pos = 0
    for begin, end, name in sorted(spans):
        if begin != pos:
            raise bad(f"entry '{name}' starts at byte {begin}, expected {pos} (gap or overlap)")
        pos = end
    if pos != len(data):
        raise bad(f"{len(data) - pos} bytes after the last tensor belong to no entry")
    return out, {str(k): str(v) for k, v in metadata.items()}


# ------------------------------------------------------------------ public API
def save(obj: Any, path: str | os.PathLike, *, format: str | None = None,  # noqa: A002
         metadata: Mapping[str, str] | None = None) -> Path:
    """Save a state_dict (or a model's) to ``path``; the format follows the extension.

    ``metadata`` (string to string) is stored in the safetensors header's
    ``__metadata__``; ``.npz`` files have no place for it and refuse it.
    """
    path = Path(path)
    fmt = format_of(path, format)
    state = _state(obj)
    if fmt == "npz":
        if metadata:
            raise CheckpointError(".npz checkpoints cannot hold metadata",
                                  hint="save as .safetensors to keep metadata")
        payload: bytes | bytearray = _npz_bytes(state)
    else:
        payload = _safetensors_bytes(state, metadata)
    return atomic_write(path, payload)  # type: ignore[arg-type] - bytearray writes like bytes


def load_arrays(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The checkpoint's entries as NumPy arrays (format told by the file's first bytes)."""
    return _read(Path(path))[0]


def load_metadata(path: str | os.PathLike) -> dict[str, str]:
    """The ``__metadata__`` of a safetensors file ({} for .npz)."""
    return _read(Path(path))[1]


def load(path: str | os.PathLike) -> dict[str, Tensor]:
    """A state_dict of nndl Tensors, ready for ``model.load_state_dict``, as ``torch.load``."""
    return {name: Tensor._wrap(arr) for name, arr in load_arrays(path).items()}


def _read(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    if not path.is_file():
        raise CheckpointError(f"checkpoint '{path}' does not exist",
                              hint="check the path, or create it with nndl.save / --save")
    with open(path, "rb") as fh:
        blob = bytearray(os.fstat(fh.fileno()).st_size)
        fh.readinto(blob)
    if blob[:4] in (b"PK\x03\x04", b"PK\x05\x06"):  # a zip (an empty one starts at its end record)
        return _npz_load(path), {}
    if len(blob) >= 9 and blob[8:9] == b"{":
        return _safetensors_load(path, blob)
    raise CheckpointError(f"'{path}' is neither an .npz nor a safetensors checkpoint "
                          f"(it starts with {bytes(blob[:8])!r})",
                          hint="pass a file written by nndl.save (or numpy.savez / safetensors)")


def check_compatible(expected: Mapping[str, Any], state: Mapping[str, Any], *,
                     source: str = "checkpoint", strict: bool = True) -> None:
    """Raise if ``state`` misses keys of ``expected``, has extra ones (strict), or other shapes."""
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected] if strict else []
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing keys {missing}")
        if unexpected:
            parts.append(f"unexpected keys {unexpected}")
        raise CheckpointError(f"{source} does not match the model: " + "; ".join(parts),
                              hint="load it into the same architecture it was saved from "
                                   "(or pass strict=False to skip extra keys)")
    for name, want in expected.items():
        if name not in state:
            continue
        have_shape = tuple(np.shape(_to_numpy(name, state[name])))
        want_shape = tuple(np.shape(_to_numpy(name, want)))
        if have_shape != want_shape:
            raise CheckpointError(f"{source}: '{name}' has shape {have_shape}, the model's is "
                                  f"{want_shape}",
                                  hint="the checkpoint comes from a model with other layer sizes")


def load_into(model: Any, path: str | os.PathLike, *, strict: bool = True) -> Any:
    """Check the file against ``model.state_dict()`` (keys, shapes), then load it; returns model."""
    state = load(path)
    check_compatible(model.state_dict(), state, source=f"checkpoint '{path}'", strict=strict)
    if not strict:
        expected = model.state_dict()
        state = {k: v for k, v in state.items() if k in expected}
    model.load_state_dict(state)
    return model
