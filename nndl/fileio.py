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
from nndl.text import Text

TEMP_SUFFIX = ".nndl-tmp"
_STALE_AFTER = 10.0  # seconds unmodified before a dead process's temp file is removed
_KINDS = ((stat.S_ISDIR, Text("文件夹", "a folder")),
          (stat.S_ISLNK, Text("符号链接", "a symbolic link")),
          (stat.S_ISFIFO, Text("FIFO（命名管道）", "a FIFO (named pipe)")),
          (stat.S_ISCHR, Text("字符设备", "a character device")),
          (stat.S_ISBLK, Text("块设备", "a block device")),
          (stat.S_ISSOCK, Text("套接字", "a socket")))
_REGULAR, _SPECIAL = Text("普通文件", "a regular file"), Text("特殊文件", "a special file")


def file_kind(mode: int) -> str:
    """What a ``st_mode`` is, in words: "a FIFO (named pipe)", "a character device"..."""
    return file_kind_text(mode).en


def file_kind_text(mode: int) -> Text:
    """:func:`file_kind` in both languages (zh without the article: 字符设备)."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return _REGULAR if stat.S_ISREG(mode) else _SPECIAL


# why the system refused, in Chinese for the usual reasons (else the system's own words)
_WHY = {errno.ENOSPC: "磁盘已满", errno.EDQUOT: "超出了磁盘配额", errno.EACCES: "没有权限",
        errno.EPERM: "不允许这样操作", errno.EROFS: "只读文件系统", errno.EFBIG: "文件太大",
        errno.ENOENT: "没有这个文件或文件夹", errno.EIO: "输入输出错误", errno.ENAMETOOLONG: "名称太长"}


def _why(exc: OSError) -> Text:
    en = exc.strerror or type(exc).__name__
    return Text(_WHY.get(exc.errno or 0, en), en)


def _say(zh: str, en: str, **values: object) -> Text:
    """A Text with ``{name}`` fields filled in; a Text value gives each language its own."""
    def pick(lang: str) -> dict[str, object]:
        return {k: getattr(v, lang) if isinstance(v, Text) else v for k, v in values.items()}

    return Text(zh.format(**pick("zh")), en.format(**pick("en")))


_WRITABLE_HINT = Text("换一个可写的文件夹（例如当前文件夹）",
                      "choose a folder you can write to (e.g. the current one)")
_INSIDE_A_FOLDER = Text("选一个文件夹里的路径", "choose a path inside a folder")
_WHAT = {"file": "文件", "figure": "图", "drawing": "图", "checkpoint": "检查点"}


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
            raise NNDLError(_say("无法写入 {path}：{why}", "cannot write {path}: {why}",
                                 path=path, why=_why(exc)),
                            hint=_WRITABLE_HINT + Text("，或腾出磁盘空间", ", or free some space")
                            ) from None
        raise
    return path


def check_writable(path: str | os.PathLike, suffixes: tuple[str, ...] | None = None,
                   what: str = "file") -> Path:
    """Fail now, before any work, if ``path`` cannot be written (or has the wrong suffix):
    a command should not compute for a minute and then lose the result to a typo."""
    path = Path(path)
    _check_target(path)
    if suffixes is not None and path.suffix.lower().lstrip(".") not in suffixes:
        ends = [f".{s}" for s in suffixes]
        raise NNDLError(_say("从文件名 '{path}' 看不出{what_zh}的格式",
                             "cannot tell the {what} format of '{path}'",
                             path=path, what=what, what_zh=_WHAT.get(what, what)),
                        hint=Text("让文件名以 " + _one_of(ends, "或") + " 结尾",
                                  "end the file name with " + _one_of(ends)))
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
        kind = file_kind_text(st.st_mode) if st else Text("不存在", "missing")
        raise NNDLError(_say("无法创建文件夹 {path}：{above} {is_}{kind}，不是文件夹",
                             "cannot create the folder {path}: {above} is {kind}, not a folder",
                             path=path, above=above, kind=kind, is_="是" if st else ""),
                        hint=Text("给 -o 换一个可写的文件夹", "choose a folder you can write to for -o"))
    st = _lstat(path)
    if st is not None and not path.is_dir():
        raise NNDLError(_say("{path} 已存在，是{kind}，不是文件夹",
                             "{path} exists and is {kind}, not a folder",
                             path=path, kind=file_kind_text(st.st_mode)),
                        hint=Text("给 -o 指定一个文件夹", "choose a folder for -o"))
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
        raise NNDLError(_say("无法创建文件夹 {folder}：{why}", "cannot create the folder {folder}: {why}",
                             folder=path.parent, why=_why(exc)),
                        hint=Text("换一个可写的文件夹", "choose a folder you can write to")) from None
    _remove_stale(path.parent)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(path), suffix=TEMP_SUFFIX,
                                    dir=path.parent))
    except OSError as exc:
        raise NNDLError(_say("无法写入文件夹 {folder}：{why}", "cannot write into {folder}: {why}",
                             folder=path.parent, why=_why(exc)), hint=_WRITABLE_HINT) from None
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
            raise NNDLError(_say("无法写入文件夹 {path}：{why}", "cannot write into {path}: {why}",
                                 path=path, why=_why(exc)),
                            hint=Text("换一个可写的文件夹，或腾出磁盘空间",
                                      "choose a folder you can write to, or free some space")
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
            raise NNDLError(_say("无法写入 {path}：路径中上层的某一段是文件，不是文件夹",
                                 "cannot write {path}: a part of the path above it is a file, "
                                 "not a folder", path=path), hint=_INSIDE_A_FOLDER) from None
        raise NNDLError(_say("无法写入 {path}：{why}", "cannot write {path}: {why}",
                             path=path, why=_why(exc)),
                        hint=Text("换一个路径", "choose another path")) from None


def _check_name(path: Path) -> None:
    """Refuse a name the file system cannot hold, with the limit named (not a traceback)."""
    name = os.fsencode(path.name)
    limit = _name_max(_existing_ancestor(path))
    if len(name) > limit:
        raise NNDLError(_say("无法写入 {path}…：文件名长 {n} 字节，文件系统最多允许 {limit} 字节",
                             "cannot write {path}…: the file name is {n} bytes "
                             "long and the file system allows at most {limit}",
                             path=str(path)[:80], n=len(name), limit=limit),
                        hint=Text("换一个短一些的文件名", "choose a shorter name"))
    if len(os.fsencode(str(path))) >= 4096:
        raise NNDLError(_say("无法写入 {path}…：路径超过 4095 字节",
                             "cannot write {path}…: the path is longer than 4095 bytes",
                             path=str(path)[:80]),
                        hint=Text("换一个短一些的路径", "choose a shorter path"))


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
        raise NNDLError(_say("无法写入 {path}：文件夹 {parent} 不存在",
                             "cannot write {path}: folder {parent} does not exist",
                             path=path, parent=parent),
                        hint=Text("先创建这个文件夹，或换一个路径",
                                  "create the folder first or choose another path"))
    if not parent.is_dir():
        raise NNDLError(_say("无法写入 {path}：{parent} 是{kind}，不是文件夹",
                             "cannot write {path}: {parent} is {kind}, not a folder",
                             path=path, parent=parent, kind=file_kind_text(pst.st_mode)),
                        hint=_INSIDE_A_FOLDER)
    st = _lstat(path)
    if st is None or stat.S_ISREG(st.st_mode):
        return st
    if stat.S_ISDIR(st.st_mode):
        example = path / ("out" + (path.suffix or ".txt"))
        raise NNDLError(_say("无法写入 {path}：这是一个文件夹", "cannot write {path}: it is a folder",
                             path=path),
                        hint=_say("给出文件名，例如 {example}", "give a file name, e.g. {example}",
                                  example=example))
    if stat.S_ISLNK(st.st_mode):
        target = os.readlink(path)
        raise NNDLError(_say("无法写入 {path}：这是一个符号链接（指向 {target}），nndl 只替换普通文件",
                             "cannot write {path}: it is a symbolic link (to {target}); nndl "
                             "replaces only regular files", path=path, target=target),
                        hint=Text("写到它指向的真实路径，或换一个名字",
                                  "write to the real path, or choose another name"))
    raise NNDLError(_say("无法写入 {path}：这是{kind}，不是普通文件；nndl 只写普通文件",
                         "cannot write {path}: it is {kind}, not a regular file; "
                         "nndl writes only regular files",
                         path=path, kind=file_kind_text(st.st_mode)),
                    hint=Text("换一个文件名（例如放在当前文件夹）",
                              "choose a file name (e.g. in the current folder)"))


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
        raise NNDLError(_say("无法写入 {path}：文件夹 {folder} 不接受新文件（{why}）",
                             "cannot write {path}: folder {folder} does not accept new files "
                             "({why})", path=path, folder=path.parent, why=_why(exc)),
                        hint=_WRITABLE_HINT) from None


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


def _one_of(items: list[str], word: str = "or") -> str:
    if len(items) == 1:
        return items[0]
    if word == "或":  # 、 between, 或 before the last
        return "、".join(items[:-1]) + " 或 " + items[-1]
    return ", ".join(items[:-1]) + f" {word} " + items[-1]
