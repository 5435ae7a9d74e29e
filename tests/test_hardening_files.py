"""Issue 18, files: nndl replaces only regular files (or creates new ones), keeps an existing
file's mode and uses the umask for a new one, cleans up its own stale temp files, and writes
`solve -o DIR` whole or not at all."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nndl import checkpoint, fileio
from nndl.errors import NNDLError
from nndl.fileio import TEMP_SUFFIX, atomic_dir, atomic_write, check_folder, check_writable


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(TEMP_SUFFIX))


# ------------------------------------------------------------------ what may be replaced
@pytest.mark.parametrize("target", ["/dev/null", "/dev/zero", "/dev/full"])
def test_a_device_is_never_replaced(target):
    before = os.stat(target)
    for write in (lambda: atomic_write(target, b"x"), lambda: check_writable(target),
                  lambda: checkpoint.save({"w": np.ones(1)}, target, format="npz")):
        with pytest.raises(NNDLError, match="character device"):
            write()
    after = os.stat(target)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_a_fifo_is_refused(tmp_path):
    fifo = tmp_path / "pipe.svg"
    os.mkfifo(fifo)
    with pytest.raises(NNDLError, match="FIFO"):
        atomic_write(fifo, "<svg/>")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("dangling", [False, True])
def test_a_symlink_is_refused_and_its_target_untouched(tmp_path, dangling):
    target = tmp_path / "real.npz"
    if not dangling:
        target.write_bytes(b"keep me")
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    with pytest.raises(NNDLError, match="symbolic link"):
        checkpoint.save({"w": np.ones(1)}, link)
    assert os.path.islink(link)
    assert (not target.exists()) if dangling else target.read_bytes() == b"keep me"


def test_a_folder_and_a_missing_folder_are_refused(tmp_path):
    with pytest.raises(NNDLError, match="is a folder"):
        atomic_write(tmp_path, "x")
    with pytest.raises(NNDLError, match="does not exist"):
        atomic_write(tmp_path / "no" / "x.txt", "x")
    (tmp_path / "file").write_text("x")
    with pytest.raises(NNDLError, match="not a folder"):
        atomic_write(tmp_path / "file" / "x.txt", "x")


def test_a_too_long_name_is_an_error_not_a_traceback(tmp_path):
    for write in (lambda p: atomic_write(p, "x"), check_writable, check_folder):
        with pytest.raises(NNDLError, match="bytes long"):
            write(tmp_path / ("a" * 300 + ".svg"))
    atomic_write(tmp_path / ("é" * 120 + ".svg"), "ok")  # 245 bytes: legal, and its temp too


# ------------------------------------------------------------------ modes
def test_a_new_file_gets_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "a.html", "x")
        os.umask(0o077)
        atomic_write(tmp_path / "b.html", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "a.html").st_mode) == 0o644
    assert stat.S_IMODE(os.stat(tmp_path / "b.html").st_mode) == 0o600


def test_an_overwritten_file_keeps_its_mode(tmp_path):
    path = tmp_path / "key.html"
    path.write_text("old")
    for mode in (0o644, 0o640, 0o755):
        os.chmod(path, mode)
        atomic_write(path, "new")
        assert stat.S_IMODE(os.stat(path).st_mode) == mode
    assert path.read_text() == "new"


def test_umask_is_read_without_changing_it():
    old = os.umask(0o027)
    try:
        assert fileio.umask() == 0o027
        assert fileio.umask() == 0o027
    finally:
        os.umask(old)


# ------------------------------------------------------------------ temp files
def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temp_files_of_dead_processes_are_removed(tmp_path):
    dead, alive = _dead_pid(), os.getppid()
    stale = tmp_path / f".m.npz.{dead}.abcd1234{TEMP_SUFFIX}"
    fresh = tmp_path / f".m.npz.{dead}.fresh123{TEMP_SUFFIX}"
    live = tmp_path / f".m.npz.{alive}.live1234{TEMP_SUFFIX}"
    other = tmp_path / f".m.npz.{dead}.abcd1234.tmp"  # not our naming
    stale_dir = tmp_path / f".out.{dead}.dir12345{TEMP_SUFFIX}"
    stale_dir.mkdir()
    (stale_dir / "solutions.html").write_text("half")
    for p in (stale, fresh, live, other):
        p.write_bytes(b"x" * 100)
    past = time.time() - 3600
    for p in (stale, live, other, stale_dir):
        os.utime(p, (past, past))
    checkpoint.save({"w": np.ones(1)}, tmp_path / "m.npz")
    names = {p.name for p in tmp_path.iterdir()}
    assert stale.name not in names and stale_dir.name not in names
    assert {fresh.name, live.name, other.name, "m.npz"} <= names


def test_interrupted_write_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    checkpoint.save({"w": np.ones(3, np.float32)}, path)
    before = path.read_bytes()

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(fileio.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        checkpoint.save({"w": np.zeros(3, np.float32)}, path)
    assert path.read_bytes() == before and _leftovers(tmp_path) == []


def test_full_disk_is_an_error_and_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "m.svg"
    path.write_text("old")

    def full(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fileio.os, "replace", full)
    with pytest.raises(NNDLError, match="No space left"):
        atomic_write(path, "new")
    assert path.read_text() == "old" and _leftovers(tmp_path) == []


# ------------------------------------------------------------------ folders
def test_atomic_dir_creates_the_folder_whole(tmp_path):
    out = tmp_path / "a" / "key"
    with atomic_dir(out) as tmp:
        assert not out.exists()
        (tmp / "solutions.html").write_text("x")
        (tmp / "fig.svg").write_text("y")
    assert sorted(p.name for p in out.iterdir()) == ["fig.svg", "solutions.html"]
    assert _leftovers(out.parent) == []


def test_atomic_dir_failure_leaves_nothing(tmp_path):
    out = tmp_path / "key"
    for exc in (OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()):
        with pytest.raises((NNDLError, KeyboardInterrupt)), atomic_dir(out) as tmp:
            (tmp / "fig.svg").write_text("half")
            raise exc
        assert not out.exists() and _leftovers(tmp_path) == []


def test_atomic_dir_into_an_existing_folder_keeps_modes_and_other_files(tmp_path):
    out = tmp_path / "key"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "solutions.html").write_text("old")
    os.chmod(out / "solutions.html", 0o640)
    with atomic_dir(out) as tmp:
        (tmp / "solutions.html").write_text("new")
    assert (out / "solutions.html").read_text() == "new"
    assert stat.S_IMODE(os.stat(out / "solutions.html").st_mode) == 0o640
    assert (out / "notes.txt").read_text() == "mine"
    assert _leftovers(tmp_path) == []


def test_atomic_dir_refuses_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(NNDLError, match="not a folder"), atomic_dir(tmp_path / "f"):
        pass


def test_solve_output_folder_is_written_whole(tmp_path):
    from nndl.cli import main

    out = tmp_path / "key"
    assert main(["solve", "5", "--format", "md", "-o", str(out)]) == 0
    assert (out / "solutions.md").exists()
    assert _leftovers(tmp_path) == []
    mode = stat.S_IMODE(os.stat(out / "solutions.md").st_mode)
    assert mode == 0o666 & ~fileio.umask()


def test_solve_output_on_a_full_disk_leaves_no_half_folder(tmp_path, monkeypatch):
    from nndl.cli import main

    real, calls = Path.write_text, []

    def filling(self, *args, **kwargs):
        calls.append(self.name)
        if len(calls) > 1:  # the disk fills up after the first file
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", filling)
    out = tmp_path / "key"
    assert main(["solve", "4", "--format", "md", "-o", str(out)]) == 2
    assert len(calls) == 2
    assert not out.exists() and _leftovers(tmp_path) == []
