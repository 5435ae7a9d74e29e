"""Issue 18: Ctrl-C while the command line starts up (NumPy, the engine, the commands are
being imported) is one line and status 130, never Python's traceback; a program that
imports nndl keeps its own Ctrl-C handling.

Deterministic: the child process stalls inside the import of nndl (an import hook of the
test's own, in the child only, waits in the middle of ``import nndl.engine.ops``) and
says so, and only then gets SIGINT."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest

from nndl import _startup

pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends SIGINT to a child process")

# the `nndl` script's own code (from nndl.cli import main; sys.exit(main())), with argv[0]
# as the script has it and a stall in the middle of the package's heavy imports
CHILD = textwrap.dedent("""
    import importlib.abc, sys, time
    sys.argv[0] = {argv0!r}

    class Stall(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name == "nndl.engine.ops":
                print("importing", name, flush=True)
                time.sleep(60)
            return None

    sys.meta_path.insert(0, Stall())
    {body}
""")
SCRIPT = "from nndl.cli import main\nsys.exit(main(['--version']))"
LIBRARY = "try:\n    import nndl\nexcept KeyboardInterrupt:\n    print('caught', flush=True)\n    sys.exit(3)"


def _interrupt_while_importing(argv0: str, body: str) -> subprocess.CompletedProcess:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(argv0=argv0, body=body)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # a child of a background job may start with SIGINT ignored: give it the default
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("importing nndl.engine.ops"), (line, proc.stderr.read())
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return subprocess.CompletedProcess(proc.args, proc.returncode, line + out, err)


@pytest.mark.parametrize("argv0", [shutil.which("nndl") or "/usr/bin/nndl", "-m"],
                         ids=["nndl script", "python -m nndl"])
def test_ctrl_c_during_start_up_is_one_line_and_130(argv0):
    r = _interrupt_while_importing(argv0, SCRIPT)
    assert r.returncode == 130, r
    assert r.stderr.strip() == _startup.MESSAGE(_startup.command_line_lang([])), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1  # one line, no traceback
    assert "Traceback" not in r.stderr and "nndl 0.1" not in r.stdout


def test_a_program_that_imports_nndl_keeps_its_own_ctrl_c():
    """Not the command line: the KeyboardInterrupt reaches the program, as without nndl."""
    r = _interrupt_while_importing("my_notebook.py", LIBRARY)
    assert r.returncode == 3 and "caught" in r.stdout, r


def test_only_the_command_line_is_recognised():
    assert _startup._is_command_line(["/venv/bin/nndl"]) and _startup._is_command_line(["-m"])
    assert _startup._is_command_line(["C:\\venv\\Scripts\\nndl.exe".replace("\\", "/")])
    assert not _startup._is_command_line(["/usr/bin/python3"])
    assert not _startup._is_command_line(["train_nndl.py"]) and not _startup._is_command_line([])
    # this test process is not the command line: Python's handler is untouched
    assert not _startup.installed
    assert signal.getsignal(signal.SIGINT) is not _startup._interrupted


def test_main_puts_pythons_handler_back(monkeypatch):
    """Once the command runs, Ctrl-C is a KeyboardInterrupt again (the commands clean up
    their partial files on it, and main turns it into one line and 130)."""
    from nndl import cli

    previous = signal.signal(signal.SIGINT, _startup._interrupted)
    try:
        assert cli.main(["--version"]) == 0
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)


def test_the_start_up_line_follows_the_language_asked_for(monkeypatch):
    monkeypatch.delenv("NNDL_LANG", raising=False)
    lang = _startup.command_line_lang
    assert lang(["nndl", "solve"]) == "zh"
    assert lang(["nndl", "solve", "--lang", "en"]) == "en"
    assert lang(["nndl", "solve", "--lang=en"]) == "en" and lang(["nndl", "-l", "en"]) == "en"
    monkeypatch.setenv("NNDL_LANG", "en")
    assert lang(["nndl", "solve"]) == "en" and lang(["nndl", "solve", "-l", "zh"]) == "zh"
    assert _startup.MESSAGE("zh") == "已中断（Ctrl-C）"
    assert _startup.MESSAGE("en") == "interrupted (Ctrl-C)"
