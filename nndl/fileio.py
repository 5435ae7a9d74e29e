"""Writing files so that nothing is ever half-written: temp file in the same folder, then rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from nndl.errors import NNDLError


def atomic_write(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` atomically; a failure leaves any old file untouched."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise NNDLError(f"cannot write {path}: folder {path.parent} does not exist",
                        hint="create the folder first or choose another path")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
