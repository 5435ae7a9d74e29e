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
import math
import os
import stat
import struct
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from nndl.engine.tensor import Tensor
from nndl.errors import NNDLError
from nndl.fileio import atomic_write, file_kind
from nndl.text import Text

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
        raise CheckpointError(Text(f"条目 '{name}' 的类型是 {arr.dtype}，检查点存不下",
                                   f"entry '{name}' has dtype {arr.dtype}, which a checkpoint "
                                   "cannot hold"),
                              hint=Text("只能存数：float16/32/64、(u)int8..64 或 bool",
                                        "store numbers only: float16/32/64, (u)int8..64 or bool"))
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
            raise CheckpointError(f"state_dict key {_brief(name)} is not a non-empty string",
                                  hint="name every entry, as Module.state_dict() does")
        if "\x00" in name:  # a zip member name ends at a NUL: the key would come back cut
            raise CheckpointError(f"state_dict key {_brief(name)} contains a NUL character",
                                  hint="name entries as Module.state_dict() does (layer.weight)")
        out[name] = _to_numpy(name, value)
    return out


def format_of(path: Path, format: str | None) -> str:  # noqa: A002 - the natural name
    fmt = format if format is not None else path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise CheckpointError(Text(f"看不出检查点 '{path}' 的格式",
                                   f"cannot tell the checkpoint format of '{path}'"),
                              hint=Text("文件名以 .npz 或 .safetensors 结尾（或传入 format=）",
                                        "end the file name with .npz or .safetensors, or pass "
                                        "format="))
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


MAX_DIMS = 32  # NumPy allows 64; no layer's weight has more than 5
MAX_CHECKPOINT_BYTES = 2 * 2**30  # what a checkpoint may hold (or an .npz inflate to): 2 GiB
#                                    (VGG-16's 138 M float32 weights are 0.55 GiB)


def _brief(value: Any, limit: int = 60) -> str:
    """A name or value from a file as a message quotes it: a crafted 1 MB key is cut."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit - 12] + f"… ({len(text):,} chars)"


def _check_shape(bad, name: str, shape: tuple[int, ...], dtype: np.dtype) -> int:
    """The bytes an entry declares, after refusing shapes no model has (before any data is
    read, so a crafted header cannot make nndl allocate)."""
    if len(shape) > MAX_DIMS:
        raise bad(Text(f"条目 '{_brief(name)}' 有 {len(shape)} 维（至多 {MAX_DIMS} 维）",
                       f"entry '{_brief(name)}' has {len(shape)} dimensions (at most {MAX_DIMS})"))
    if any(n < 0 for n in shape):
        raise bad(Text(f"条目 '{_brief(name)}' 的形状 {_brief(shape)} 中有负数",
                       f"entry '{_brief(name)}' has a negative size in its shape "
                       f"{_brief(shape)}"))
    nbytes = math.prod(shape) * dtype.itemsize  # Python ints: [2**32, 2**32] does not wrap to 0
    if nbytes > MAX_CHECKPOINT_BYTES:
        raise bad(Text(f"条目 '{_brief(name)}' 声明的形状 {_brief(shape)} 有 {nbytes:,} 字节"
                       f"（nndl 至多读入 {MAX_CHECKPOINT_BYTES // 2**30} GiB）",
                       f"entry '{_brief(name)}' declares shape {_brief(shape)}, {nbytes:,} bytes "
                       f"(nndl loads at most {MAX_CHECKPOINT_BYTES // 2**30} GiB)"))
    return nbytes


def _npy_header(bad, name: str, fh) -> tuple[np.dtype, tuple[int, ...], int]:
    """(dtype, shape, bytes of the header) of one .npy member, reading nothing more."""
    try:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
        else:
            raise ValueError(f".npy format version {version} (nndl reads 1.0 and 2.0)")
    except Exception as exc:  # noqa: BLE001 - NumPy parses a crafted header with ast and
        # tokenize: SyntaxError, TokenError, RecursionError, MemoryError... all mean "damaged"
        why = Text.same(str(exc)) if str(exc).startswith(".npy format") else Text(
            "它应是一个简短的 Python 字典字面量，含 descr、fortran_order 和 shape",
            "it must be a short Python dict literal of descr, fortran_order and shape")
        raise bad(Text(f"成员 '{_brief(name)}' 的 .npy 头无法读取（{why.zh}）",
                       f"member '{_brief(name)}' has no readable .npy header ({why.en})")) from None
    if dtype.hasobject:
        raise _unpickling(bad.path, name)
    if np.dtype(dtype).newbyteorder("=") not in _ST_NAMES:
        raise bad(Text(f"条目 '{_brief(name)}' 的类型是 {_brief(str(dtype))}，检查点存不下",
                       f"entry '{_brief(name)}' has dtype {_brief(str(dtype))}, which a "
                       "checkpoint cannot hold"))
    return dtype, tuple(shape), fh.tell()


def _unpickling(path: Path, name: str) -> CheckpointError:
    return CheckpointError(Text(f"'{path}' 中有一个条目（'{_brief(name)}'）只能靠反序列化 pickle "
                                "读出",
                                f"'{path}' holds an entry ('{_brief(name)}') that can only be read "
                                "by unpickling"),
                           hint=Text("nndl 从不反序列化 pickle；请用 nndl.save 重新保存权重",
                                     "nndl never unpickles; re-save the weights with nndl.save"))


class _Bad:
    """Makes the errors of one damaged file, naming it."""

    def __init__(self, path: Path, what: Text, hint: Text):
        self.path, self.what, self.hint = path, what, hint

    def __call__(self, detail: str | Text) -> CheckpointError:
        d = detail if isinstance(detail, Text) else Text.same(detail)
        return CheckpointError(Text(f"'{self.path}' {self.what.zh}：{d.zh}",
                                    f"'{self.path}' {self.what.en}: {d.en}"), hint=self.hint)


def _npz_load(path: Path, fh, wanted: set[str] | None, data: bool) -> dict[str, Any]:
    """The entries of an .npz: every header is read and checked (names, dtypes, shapes,
    declared sizes against the member sizes, the total) first; then the arrays of the
    ``wanted`` names (all when None) are inflated, or, without ``data``, their shapes given."""
    bad = _Bad(path, Text("是损坏的 .npz 文件", "is a damaged .npz file"),
               Text("重新保存这个检查点", "save the checkpoint again"))
    entries: dict[str, tuple[zipfile.ZipInfo, tuple[int, ...]]] = {}
    total = 0
    try:
        with zipfile.ZipFile(fh) as zf:
            for info in zf.infolist():
                if not info.filename.endswith(".npy"):
                    raise CheckpointError(
                        Text(f"'{path}'：成员 '{_brief(info.filename)}' 不是 .npy 数组",
                             f"'{path}': member '{_brief(info.filename)}' is not a .npy array"),
                        hint=Text("请给出由 nndl.save 或 numpy.savez 写出的文件",
                                  "pass a file written by nndl.save or numpy.savez"))
                name = info.filename[:-4]
                if name in entries:
                    raise bad(Text(f"其中有两个名为 '{_brief(name)}' 的条目",
                                   f"it holds two entries named '{_brief(name)}'"))
                with zf.open(info) as member:
                    dtype, shape, offset = _npy_header(bad, name, member)
                nbytes = _check_shape(bad, name, shape, dtype)
                if info.file_size != offset + nbytes:
                    held = max(info.file_size - offset, 0)
                    raise bad(Text(f"成员 '{_brief(name)}' 声明了 {dtype} 类型、形状 {_brief(shape)}"
                                   f"（{nbytes:,} 字节），实际只有 {held:,} 字节数据（文件被截断了？）",
                                   f"member '{_brief(name)}' declares shape {_brief(shape)} of "
                                   f"{dtype} ({nbytes:,} bytes) but holds {held:,} bytes of data "
                                   "(truncated?)"))
                total += nbytes
                if total > MAX_CHECKPOINT_BYTES:
                    raise bad(Text(f"其中的数组超过 {MAX_CHECKPOINT_BYTES // 2**30} GiB"
                                   "（nndl 至多读入这么多）",
                                   f"its arrays hold more than {MAX_CHECKPOINT_BYTES // 2**30} "
                                   "GiB (the most nndl loads)"))
                entries[name] = (info, shape)
            if not data:
                return {name: shape for name, (_, shape) in entries.items()}
            out = {}
            for name, (info, _) in entries.items():
                if wanted is not None and name not in wanted:
                    continue  # an entry the model does not have is never inflated
                with zf.open(info) as member:
                    arr = np.lib.format.read_array(member, allow_pickle=False)
                out[name] = arr.astype(arr.dtype.newbyteorder("="), copy=False)
            return out
    except CheckpointError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a crafted zip makes zipfile/NumPy raise
        # zipfile's or NumPy's own words stay in the English; the Chinese says what they mean
        raise bad(Text("zip 结构或其中的数组无法读取（文件被截断或改动过？）",
                       _brief(str(exc) or type(exc).__name__, 160))) from None

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


def _safetensors_load(path: Path, fh, size: int, wanted: set[str] | None, data: bool
                      ) -> tuple[dict[str, Any], dict[str, str]]:
    """The entries and metadata of a safetensors file: the header is checked whole (types,
    dtypes, shapes, offsets that tile the data exactly) before any tensor is read."""
    bad = _Bad(path, Text("不是有效的 safetensors 文件", "is not a valid safetensors file"),
               Text("用 nndl.save(..., 'file.safetensors') 重新保存",
                    "save it again with nndl.save(..., 'file.safetensors')"))
    (n,) = struct.unpack("<Q", fh.read(8))
    if n > min(_MAX_HEADER, size - 8):
        raise bad(Text(f"文件头声称有 {n} 字节，但整个文件只有 {size} 字节（文件被截断了？）",
                       f"its header claims {n} bytes but the file has {size}"))
    try:
        header = json.loads(fh.read(n).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # ValueError: JSON, digits
        why = (Text("其中有一个数长达数千位", "a number in it has thousands of digits")
               if "digits" in str(exc) else
               Text("嵌套太深", "it is nested too deeply") if isinstance(exc, RecursionError)
               else Text.same(_brief(str(exc), 120)))
        raise bad(Text(f"文件头不是 JSON（{why.zh}）", f"the header is not JSON ({why.en})")) from None
    if not isinstance(header, dict):
        raise bad(Text("文件头不是 JSON 对象", "the header is not a JSON object"))
    metadata = header.pop("__metadata__", None)
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise bad(Text("它的 __metadata__ 不是由字符串组成的对象",
                       "its __metadata__ is not an object of strings"))
    data_len = size - 8 - n
    spans, entries = [], {}
    for name, entry in header.items():
        if not isinstance(entry, dict):
            raise bad(Text(f"条目 '{_brief(name)}' 不是对象", f"entry '{_brief(name)}' is not an object"))
        for key in ("dtype", "shape", "data_offsets"):
            if key not in entry:
                raise bad(Text(f"条目 '{_brief(name)}' 缺少字段 '{key}'",
                               f"entry '{_brief(name)}' lacks or has an unknown field '{key}'"))
        code, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if not isinstance(code, str) or code not in _ST_DTYPES:
            raise bad(Text(f"条目 '{_brief(name)}' 的 'dtype' 字段无法识别（{_brief(code)}）",
                           f"entry '{_brief(name)}' lacks or has an unknown field 'dtype' "
                           f"({_brief(code)})"))
        if not (isinstance(shape, list) and all(type(v) is int for v in shape)
                and isinstance(offsets, list) and len(offsets) == 2
                and all(type(v) is int for v in offsets)):
            raise bad(Text(f"条目 '{_brief(name)}' 的 shape 或 data_offsets 格式不对（应为整数列表）",
                           f"entry '{_brief(name)}' has a malformed shape or data_offsets "
                           "(lists of whole numbers)"))
        dtype = np.dtype(_ST_DTYPES[code]).newbyteorder("<")
        shape = tuple(shape)
        nbytes = _check_shape(bad, name, shape, dtype)
        begin, end = offsets
        if not 0 <= begin <= end <= data_len:
            raise bad(Text(f"条目 '{_brief(name)}'（形状 {_brief(shape)}）的偏移 [{begin}, {end}] "
                           "超出了数据区（文件被截断了？）",
                           f"entry '{_brief(name)}' has shape {_brief(shape)} / offsets "
                           f"[{begin}, {end}] outside the data"))
        if end - begin != nbytes:
            raise bad(Text(f"条目 '{_brief(name)}'：{end - begin} 字节装不下 {code} 类型、形状 "
                           f"{_brief(shape)} 的张量",
                           f"entry '{_brief(name)}': {end - begin} bytes do not hold shape "
                           f"{_brief(shape)} of {code}"))
        spans.append((begin, end, name))
        entries[name] = (dtype, shape, begin, end)
    pos = 0
    for begin, end, name in sorted(spans):
        if begin != pos:
            raise bad(Text(f"条目 '{_brief(name)}' 从第 {begin} 字节开始，应为第 {pos} 字节"
                           "（有空隙或重叠）",
                           f"entry '{_brief(name)}' starts at byte {begin}, expected {pos} "
                           "(gap or overlap)"))
        pos = end
    if pos != data_len:
        raise bad(Text(f"最后一个张量之后还有 {data_len - pos} 字节，不属于任何条目",
                       f"{data_len - pos} bytes after the last tensor belong to no entry"))
    if not data:
        return {name: e[1] for name, e in entries.items()}, dict(metadata)
    blob = bytearray(data_len)
    if fh.readinto(blob) != data_len:
        raise bad(Text("读到一半文件就结束了（读的时候被改动了？）",
                       "the file ended while it was being read (changed meanwhile?)"))
    view = memoryview(blob)
    out = {}
    for name, (dtype, shape, begin, end) in entries.items():
        if wanted is not None and name not in wanted:
            continue
        arr = np.frombuffer(view, dtype=dtype, count=(end - begin) // dtype.itemsize,
                            offset=begin)
        if begin % dtype.itemsize:
            arr = arr.copy()  # another writer's unaligned tensor: copy rather than slow views
        out[name] = arr.reshape(shape).astype(dtype.newbyteorder("="), copy=False)
    return out, dict(metadata)

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
            raise CheckpointError(Text(".npz 检查点不能保存元数据", ".npz checkpoints cannot hold metadata"),
                                  hint=Text("要保留元数据，请存为 .safetensors",
                                            "save as .safetensors to keep metadata"))
        payload: bytes | bytearray = _npz_bytes(state)
    else:
        if "__metadata__" in state:  # the header's reserved key: the file could not be read
            raise CheckpointError(Text("safetensors 文件不能有名为 '__metadata__' 的条目"
                                       "（这个格式把它留给元数据）",
                                       "a safetensors file cannot hold an entry named "
                                       "'__metadata__' (the format reserves that key for the "
                                       "metadata)"),
                                  hint=Text("给这个条目换个名字，或存为 .npz",
                                            "rename the entry, or save as .npz"))
        payload = _safetensors_bytes(state, metadata)
    return atomic_write(path, payload)


def load_arrays(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The checkpoint's entries as NumPy arrays (format told by the file's first bytes)."""
    return _read(Path(path))[0]


def load_metadata(path: str | os.PathLike) -> dict[str, str]:
    """The ``__metadata__`` of a safetensors file ({} for .npz); reads the header only."""
    return _read(Path(path), data=False)[1]


def load_shapes(path: str | os.PathLike) -> dict[str, tuple[int, ...]]:
    """Each entry's shape, from the headers alone (no tensor is read or inflated)."""
    return _read(Path(path), data=False)[0]


def load(path: str | os.PathLike) -> dict[str, Tensor]:
    """A state_dict of nndl Tensors, ready for ``model.load_state_dict``, as ``torch.load``."""
    return {name: Tensor._wrap(arr) for name, arr in load_arrays(path).items()}


def _read(path: Path, *, expected: Mapping[str, tuple[int, ...]] | None = None,
          strict: bool = True, data: bool = True) -> tuple[dict[str, Any], dict[str, str]]:
    """(arrays, metadata), or with ``data=False`` (shapes, metadata). With ``expected``
    (name -> shape) the keys and shapes are checked against it from the headers, before
    any tensor is read or inflated, and only the expected entries are read."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise CheckpointError(Text(f"检查点 '{path}' 不存在", f"checkpoint '{path}' does not exist"),
                              hint=Text("检查路径，或先用 nndl.save / --save 生成它",
                                        "check the path, or create it with nndl.save / --save")
                              ) from None
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise CheckpointError(Text(f"无法读取检查点 '{path}'（{why}）",
                                   f"cannot read checkpoint '{path}': {why}"),
                              hint=Text("检查路径和访问权限", "check the path and its permissions")
                              ) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        kind = "文件夹" if stat.S_ISDIR(st.st_mode) else "特殊文件"
        raise CheckpointError(Text(f"检查点 '{path}' 是{kind}，不是普通文件",
                                   f"checkpoint '{path}' is {file_kind(st.st_mode)}, not a file"),
                              hint=Text("请给出由 nndl.save 写出的文件",
                                        "pass a file written by nndl.save"))
    with open(fd, "rb") as fh:
        if st.st_size > MAX_CHECKPOINT_BYTES + _MAX_HEADER:
            raise CheckpointError(Text(f"检查点 '{path}' 有 {st.st_size:,} 字节；nndl 至多读入 "
                                       f"{MAX_CHECKPOINT_BYTES // 2**30} GiB",
                                       f"checkpoint '{path}' has {st.st_size:,} bytes; nndl loads "
                                       f"at most {MAX_CHECKPOINT_BYTES // 2**30} GiB"),
                                  hint=Text("nndl 的模型都小得多：是不是选错了文件？",
                                            "nndl's models are far smaller: is this the right "
                                            "file?"))
        head = fh.read(9)
        fh.seek(0)
        if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):  # a zip (an empty one: its end record)
            shapes = _npz_load(path, fh, None, data=False)
            if expected is not None:
                _check_keys(expected, shapes, _source(path), strict)
            if not data:
                return shapes, {}
            fh.seek(0)
            return _npz_load(path, fh, None if expected is None else set(expected), True), {}
        if len(head) >= 9 and head[8:9] == b"{":
            shapes, metadata = _safetensors_load(path, fh, st.st_size, None, data=False)
            if expected is not None:
                _check_keys(expected, shapes, _source(path), strict)
            if not data:
                return shapes, metadata
            fh.seek(0)
            return _safetensors_load(path, fh, st.st_size,
                                     None if expected is None else set(expected), True)
    raise CheckpointError(Text(f"'{path}' 既不是 .npz 也不是 safetensors 检查点"
                               f"（开头的字节是 {bytes(head[:8])!r}）",
                               f"'{path}' is neither an .npz nor a safetensors checkpoint "
                               f"(it starts with {bytes(head[:8])!r})"),
                          hint=Text("请给出由 nndl.save（或 numpy.savez、safetensors）写出的文件",
                                    "pass a file written by nndl.save (or numpy.savez / "
                                    "safetensors)"))


def _source(path: Any) -> Text:
    return Text(f"检查点 '{path}' ", f"checkpoint '{path}'")


def _as_source(source: str | Text) -> Text:
    if isinstance(source, Text):
        return source
    return Text("检查点", source) if source == "checkpoint" else Text(source + " ", source)


def _check_keys(expected: Mapping[str, tuple[int, ...]], found: Mapping[str, tuple[int, ...]],
                source: str | Text, strict: bool) -> None:
    """Raise if ``found`` misses keys of ``expected``, has extra ones (strict), or other
    shapes; both map a name to a shape."""
    src = _as_source(source)
    missing = [k for k in expected if k not in found]
    unexpected = [k for k in found if k not in expected] if strict else []
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(Text(f"缺少键 {_names(missing, 10, '还有')}",
                              f"missing keys {_names(missing)}"))
        if unexpected:
            parts.append(Text(f"多出键 {_names(unexpected, 10, '还有')}",
                              f"unexpected keys {_names(unexpected)}"))
        raise CheckpointError(Text(f"{src.zh}与模型不符：" + "；".join(p.zh for p in parts),
                                   f"{src.en} does not match the model: "
                                   + "; ".join(p.en for p in parts)),
                              hint=Text("请载入保存它时的同一种网络结构（或传入 strict=False 跳过多余的键）",
                                        "load it into the same architecture it was saved from "
                                        "(or pass strict=False to skip extra keys)"))
    for name, want_shape in expected.items():
        if name in found and tuple(found[name]) != tuple(want_shape):
            got = _brief(tuple(found[name]))
            raise CheckpointError(Text(f"{src.zh.rstrip()}：'{_brief(name)}' 的形状是 {got}，模型中是 "
                                       f"{tuple(want_shape)}",
                                       f"{src.en}: '{_brief(name)}' has shape {got}, the model's "
                                       f"is {tuple(want_shape)}"),
                                  hint=Text("这个检查点来自层大小不同的模型",
                                            "the checkpoint comes from a model with other layer "
                                            "sizes"))


def _names(names: list[str], most: int = 10, more: str = "") -> str:
    """The first ``most`` names; ``more``: how the rest is counted in Chinese (还有 3 个)."""
    shown = [_brief(n) for n in names[:most]]
    if len(names) <= most:
        return str(shown)
    rest = len(names) - most
    return str(shown) + (f"，{more} {rest} 个" if more else f" and {rest} more")


def check_compatible(expected: Mapping[str, Any], state: Mapping[str, Any], *,
                     source: str = "checkpoint", strict: bool = True) -> None:
    """Raise if ``state`` misses keys of ``expected``, has extra ones (strict), or other shapes."""
    _check_keys({k: tuple(np.shape(_to_numpy(k, v))) for k, v in expected.items()},
                {k: tuple(np.shape(_to_numpy(k, v))) for k, v in state.items()},
                source, strict)


class CastWarning(UserWarning):
    """``load_into(..., cast=True)`` changed the values of some tensors to fit the model."""


def _fit_dtypes(expected: Mapping[str, Any], arrays: dict[str, np.ndarray], source: Text,
                cast: bool) -> dict[str, np.ndarray]:
    """Each array in the model's dtype. A cast that keeps every value (float32 -> float64, or
    float64 values that float32 holds exactly) is silent; one that changes a value (1e300 ->
    inf, 0.1 rounded) or the kind of number (int or bool weights in a float model) is refused
    unless ``cast``, and then named in a :class:`CastWarning`."""
    out, changed = {}, []
    for name, arr in arrays.items():
        want = _to_numpy(name, expected[name]).dtype
        if arr.dtype == want:
            out[name] = arr
            continue
        with np.errstate(all="ignore"):
            conv = arr.astype(want)
            kept = arr.dtype.kind == want.kind and np.array_equal(
                conv.astype(arr.dtype), arr, equal_nan=arr.dtype.kind == "f")
        if not kept:
            changed.append((name, arr, conv))
        out[name] = conv
    if not changed:
        return out
    name, arr, conv = changed[0]
    if arr.dtype.kind == conv.dtype.kind:
        i = int(np.flatnonzero(conv.astype(arr.dtype).ravel() != arr.ravel())[0])
        a, b = arr.ravel()[i].item(), conv.ravel()[i].item()
        example = Text(f"{a!r} 会变成 {b!r}", f"{a!r} becomes {b!r}")
    else:
        example = Text(f"{arr.dtype} 的数不是 {conv.dtype} 权重",
                       f"{arr.dtype} numbers are not {conv.dtype} weights")
    names = _names([c[0] for c in changed])
    if not cast:
        raise CheckpointError(Text(f"{source.zh.rstrip()}：载入会改变 {len(changed)} 个张量 "
                                   f"{_names([c[0] for c in changed], 10, '还有')} 的值："
                                   f"'{_brief(name)}' 在文件中是 {arr.dtype}，在模型中是 "
                                   f"{conv.dtype}（{example.zh}）",
                                   f"{source.en}: loading would change the values of "
                                   f"{len(changed)} tensor(s) {names}: '{_brief(name)}' is "
                                   f"{arr.dtype} in the file and {conv.dtype} in the model "
                                   f"({example.en})"),
                              hint=Text("给 load_into 传 cast=True 照样转换（会有警告列出这些张量），"
                                        "或载入到与文件类型相同的模型",
                                        "pass cast=True to load_into to cast anyway (a warning "
                                        "names the tensors), or load it into a model of the "
                                        "file's dtype"))
    warnings.warn(CastWarning(f"{source.en}: cast {len(changed)} tensor(s) {names} to the model's "
                              f"dtype, changing values ({example.en})"), stacklevel=3)
    return out


def load_into(model: Any, path: str | os.PathLike, *, strict: bool = True,
              cast: bool = False) -> Any:
    """Check the file against ``model.state_dict()`` (keys and shapes, from the headers, before
    any tensor is read), then load it; returns model. A dtype cast that would change a value
    is refused unless ``cast=True`` (then a :class:`CastWarning` names the tensors). A failed
    load leaves the model as it was."""
    expected = model.state_dict()
    shapes = {k: tuple(np.shape(_to_numpy(k, v))) for k, v in expected.items()}
    source = _source(path)
    arrays, _ = _read(Path(path), expected=shapes, strict=strict)
    arrays = _fit_dtypes(expected, arrays, source, cast)
    model.load_state_dict({k: Tensor._wrap(v) for k, v in arrays.items()})
    return model
