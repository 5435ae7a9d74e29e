"""Writing files so that nothing is ever half-written: temp file in the same folder, then rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from nndl.errors import NNDLError


def atomic_write(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` atomically; a failure leaves any old file untouched."""
    path = _check_target(Path(path))
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = _temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):  # disk full, a read-only target...
            raise NNDLError(f"cannot write {path}: {exc.strerror or type(exc).__name__}",
                            hint="choose a folder you can write to (e.g. the current one)"
                            ) from None
        raise
    return path


def check_writable(path: str | os.PathLike, suffixes: tuple[str, ...] | None = None,
                   what: str = "file") -> Path:
    """Fail now, before any work, if ``path`` cannot be written (or has the wrong suffix):
    a command should not compute for a minute and then lose the result to a typo."""
    path = _check_target(Path(path))
    if suffixes is not None and path.suffix.lower().lstrip(".") not in suffixes:
        raise NNDLError(f"cannot tell the {what} format of '{path}'",
                        hint="end the file name with " + _one_of([f".{s}" for s in suffixes]))
    fd, tmp = _temp_beside(path)
    os.close(fd)
    os.unlink(tmp)
    return path


def _check_target(path: Path) -> Path:
    if path.parent and not path.parent.exists():
        raise NNDLError(f"cannot write {path}: folder {path.parent} does not exist",
                        hint="create the folder first or choose another path")
    if path.parent and not path.parent.is_dir():
        raise NNDLError(f"cannot write {path}: {path.parent} is a file, not a folder",
                        hint="choose a path inside a folder")
    if path.is_dir():
        raise NNDLError(f"cannot write {path}: it is a folder",
                        hint=f"give a file name, e.g. {path / ('out' + (path.suffix or '.txt'))}")
    return path


def _temp_beside(path: Path) -> tuple[int, str]:
    try:
        return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    except OSError as exc:  # read-only or virtual file system (/proc), no permission
        reason = exc.strerror or type(exc).__name__
        raise NNDLError(f"cannot write {path}: folder {path.parent} does not accept new files "
                        f"({reason})",
                        hint="choose a folder you can write to (e.g. the current one)") from None


def _one_of(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
