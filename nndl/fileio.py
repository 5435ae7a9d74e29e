"""Writing files so that nothing is ever half-written: temp file in the same folder, then rename.

What is replaced is only ever a regular file (or nothing): a device, a FIFO, a socket, a
folder or a symbolic link at the path is refused, never replaced by a file. A replaced
file keeps its permission bits; a new one gets the umask's (0644 under the usual 022),
as ``open()`` would give it. Temp files are named ``.<name>.<pid>.<random>.nndl-tmp``;
one left behind by a process that was killed is removed by the next write into that
folder. :func:`atomic_dir` does the same for a whole folder of files (``solve -o``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from nndl.errors import NNDLError

TEMP_SUFFIX = ".nndl-tmp"
_STALE_AFTER = 10.0  # seconds unmodified before a dead process's temp file is removed
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symbolic link"),
          (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def file_kind(mode: int) -> str:
    """What a ``st_mode`` is, in words: "a FIFO (named pipe)", "a character device"..."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "a regular file" if stat.S_ISREG(mode) else "a special file"


def atomic_write(path: str | os.PathLike, data: bytes | bytearray | str) -> Path:
    """Write ``data`` to ``path`` atomically; a failure (or Ctrl-C) leaves any old file
    untouched and no temp file behind."""
    path = Path(path)
    old = _check_target(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    _remove_stale(path.parent)
    fd, tmp = _temp_beside(path)
    try:
        os.fchmod(fd, stat.S_IMODE(old.st_mode) if old is not None else 0o666 & ~umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):  # disk full, a read-only target...
            raise NNDLError(f"cannot write {path}: {exc.strerror or type(exc).__name__}",
                            hint="choose a folder you can write to (e.g. the current one), "
                                 "or free some space") from None
        raise
    return path


def check_writable(path: str | os.PathLike, suffixes: tuple[str, ...] | None = None,
                   what: str = "file") -> Path:
    """Fail now, before any work, if ``path`` cannot be written (or has the wrong suffix):
    a command should not compute for a minute and then lose the result to a typo."""
    path = Path(path)
    _check_target(path)
    if suffixes is not None and path.suffix.lower().lstrip(".") not in suffixes:
        raise NNDLError(f"cannot tell the {what} format of '{path}'",
                        hint="end the file name with " + _one_of([f".{s}" for s in suffixes]))
    fd, tmp = _temp_beside(path)
    os.close(fd)
    os.unlink(tmp)
    return path


def check_folder(path: str | os.PathLike) -> Path:
    """Fail now if ``path`` cannot become (or be) a folder we write into; creates nothing."""
    path = Path(path)
    _check_name(path)
    above = _existing_ancestor(path)
    if not above.is_dir():
        st = _lstat(above)
        raise NNDLError(f"cannot create the folder {path}: {above} is "
                        f"{file_kind(st.st_mode) if st else 'missing'}, not a folder",
                        hint="choose a folder you can write to for -o")
    st = _lstat(path)
    if st is not None and not path.is_dir():
        raise NNDLError(f"{path} exists and is {file_kind(st.st_mode)}, not a folder",
                        hint="choose a folder for -o")
    probe = path if st is not None else _existing_ancestor(path)
    fd, tmp = _temp_beside(probe / "x")
    os.close(fd)
    os.unlink(tmp)
    return path


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``path`` to write files into; when the block
    ends normally they appear in ``path`` (a new folder appears whole, by one rename; in an
    existing folder each file replaces its namesake atomically). An error or Ctrl-C inside
    the block removes the temporary folder and leaves ``path`` as it was."""
    path = Path(path)
    check_folder(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NNDLError(f"cannot create the folder {path.parent}: {exc.strerror}",
                        hint="choose a folder you can write to") from None
    _remove_stale(path.parent)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(path), suffix=TEMP_SUFFIX,
                                    dir=path.parent))
    except OSError as exc:
        raise NNDLError(f"cannot write into {path.parent}: {exc.strerror}",
                        hint="choose a folder you can write to (e.g. the current one)") from None
    try:
        os.chmod(tmp, 0o777 & ~umask())
        yield tmp
        if _lstat(path) is None:
            os.rename(tmp, path)
            return
        for item in sorted(tmp.iterdir()):
            atomic_move(item, path / item.name)
        tmp.rmdir()
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise NNDLError(f"cannot write into {path}: {exc.strerror or type(exc).__name__}",
                            hint="choose a folder you can write to, or free some space"
                            ) from None
        raise


def atomic_move(src: Path, dst: Path) -> None:
    """Rename ``src`` onto ``dst`` (same file system), which must be a regular file or
    nothing; an existing file's permission bits are kept."""
    old = _check_target(dst)
    if old is not None:
        os.chmod(src, stat.S_IMODE(old.st_mode))
    os.replace(src, dst)


def umask() -> int:
    """The process's umask, read without changing it where Linux tells it."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore (not thread-safe, but brief)
    os.umask(mask)
    return mask


# ------------------------------------------------------------------ checks
def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            raise NNDLError(f"cannot write {path}: a part of the path above it is a file, "
                            "not a folder", hint="choose a path inside a folder") from None
        raise NNDLError(f"cannot write {path}: {exc.strerror or type(exc).__name__}",
                        hint="choose another path") from None


def _check_name(path: Path) -> None:
    """Refuse a name the file system cannot hold, with the limit named (not a traceback)."""
    name = os.fsencode(path.name)
    limit = _name_max(_existing_ancestor(path))
    if len(name) > limit:
        raise NNDLError(f"cannot write {str(path)[:80]}…: the file name is {len(name)} bytes "
                        f"long and the file system allows at most {limit}",
                        hint="choose a shorter name")
    if len(os.fsencode(str(path))) >= 4096:
        raise NNDLError(f"cannot write {str(path)[:80]}…: the path is longer than 4095 bytes",
                        hint="choose a shorter path")


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return 255


def _existing_ancestor(path: Path) -> Path:
    for parent in [path.parent, *path.parent.parents]:
        try:
            if parent.exists():
                return parent
        except OSError:
            continue
    return Path(".")


def _check_target(path: Path) -> os.stat_result | None:
    """The stat of what ``path`` holds now: None (nothing) or a regular file. Anything else
    is refused: an atomic rename would replace a device, FIFO or link by a plain file."""
    _check_name(path)
    parent = path.parent
    pst = _lstat(parent)
    if pst is None:
        raise NNDLError(f"cannot write {path}: folder {parent} does not exist",
                        hint="create the folder first or choose another path")
    if not parent.is_dir():
        raise NNDLError(f"cannot write {path}: {parent} is {file_kind(pst.st_mode)}, not a "
                        "folder", hint="choose a path inside a folder")
    st = _lstat(path)
    if st is None or stat.S_ISREG(st.st_mode):
        return st
    if stat.S_ISDIR(st.st_mode):
        raise NNDLError(f"cannot write {path}: it is a folder",
                        hint=f"give a file name, e.g. {path / ('out' + (path.suffix or '.txt'))}")
    if stat.S_ISLNK(st.st_mode):
        target = os.readlink(path)
        raise NNDLError(f"cannot write {path}: it is a symbolic link (to {target}); nndl "
                        "replaces only regular files", hint="write to the real path, or "
                                                            "choose another name")
    raise NNDLError(f"cannot write {path}: it is {file_kind(st.st_mode)}, not a regular file; "
                    "nndl writes only regular files",
                    hint="choose a file name (e.g. in the current folder)")


# ------------------------------------------------------------------ temp files
def _temp_prefix(path: Path) -> str:
    name = path.name[:64]  # short enough that any legal name gives a legal temp name
    while len(os.fsencode(name)) > 64:
        name = name[:-1]
    return f".{name}.{os.getpid()}."


def _temp_beside(path: Path) -> tuple[int, str]:
    try:
        return tempfile.mkstemp(prefix=_temp_prefix(path), suffix=TEMP_SUFFIX,
                                dir=path.parent or ".")
    except OSError as exc:  # read-only or virtual file system (/proc), no permission
        reason = exc.strerror or type(exc).__name__
        raise NNDLError(f"cannot write {path}: folder {path.parent} does not accept new files "
                        f"({reason})",
                        hint="choose a folder you can write to (e.g. the current one)") from None


def _remove_stale(folder: Path) -> None:
    """Remove the temp files (and folders) of ours that a killed process left in ``folder``:
    named by us, owned by us, of a process that no longer runs, untouched for a while."""
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX)):
            continue
        parts = entry.name[:-len(TEMP_SUFFIX)].rsplit(".", 2)
        if len(parts) != 3 or not parts[1].isdigit() or int(parts[1]) == os.getpid():
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if (st.st_uid != os.getuid() or now - st.st_mtime < _STALE_AFTER
                    or _alive(int(parts[1]))):
                continue
            if stat.S_ISDIR(st.st_mode):
                shutil.rmtree(entry.path, ignore_errors=True)
            elif stat.S_ISREG(st.st_mode):
                os.unlink(entry.path)
        except OSError:
            continue


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def _one_of(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
