"""A demanding user's review of the command line: bad input is one clear message and exit
status 2, never a traceback and never a half-written file; ``--help`` reads well."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nndl.cli import main


def _run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nndl", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


@pytest.mark.parametrize("args, names", [
    (["solve", "1", "--format", "pdf"], "pdf"),
    (["solve", "1", "--lang", "fr"], "fr"),
    (["act", "--bogus"], "--bogus"),
    (["graph"], "expression"),
    (["summary", "input 8x8x1; fc 2", "--format", "xml"], "xml"),
])
def test_usage_errors_are_click_messages_not_tracebacks(capsys, args, names):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert names in err and "Try 'nndl" in err


def test_usage_error_from_the_real_command_line():
    proc = _run("solve", "1", "--format", "pdf")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "Usage: nndl solve" in proc.stderr and "'pdf'" in proc.stderr
