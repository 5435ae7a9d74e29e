"""Issue 18, the command line and the parsers: no traceback, ever. Non-UTF-8 terminals get
ASCII and a note, a full or closed stdout is one line, Ctrl-C is one line and 130, specs are
read bounded, parser extremes are errors, train's numbers are bounded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from nndl.cli import _ascii_of, main
from nndl.errors import NNDLError
from nndl.expr import trace
from nndl.expr.errors import ExprError, caret_excerpt
from nndl.expr.parser import MAX_LENGTH, parse
from nndl.summary.spec import MAX_SPEC_CHARS
from nndl.train import TrainingError, train_digits


def _run(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nndl", *args], capture_output=True,
                          timeout=300, env={**os.environ, **(env or {})}, **kw)


# ------------------------------------------------------------------ encodings
ASCII_ENV = {"LC_ALL": "C", "PYTHONIOENCODING": "ascii"}


@pytest.mark.parametrize("args", [
    ["--help"], ["summary", "--help"],
    ["summary", "input 28x28; conv 6 5x5 pad=2; maxpool 2", "--explain"],
    ["summary", "input 28x28; conv 6 5x5 pad=2", "--explain", "--lang", "en"],
    ["graph", "sigmoid(x*y)^2", "x=1", "y=2"],
    ["graph", "(x+y", "x=1", "y=2"],  # an error message with a caret
    ["act", "sigmoid"],
])
def test_ascii_terminal_gets_ascii_not_a_traceback(args):
    proc = _run(*args, env=ASCII_ENV)
    assert b"Traceback" not in proc.stderr and b"UnicodeEncodeError" not in proc.stderr
    assert proc.returncode in (0, 2), proc.stderr[-2000:]
    proc.stdout.decode("ascii")  # every byte is ASCII
    assert b"PYTHONIOENCODING=utf-8" in proc.stderr  # and it says how to get the real thing


def test_ascii_renderings_of_the_symbols():
    assert [_ascii_of(c) for c in "σ∂×─│┏"] == ["sigma", "d", "x", "-", "|", "+"]
    assert _ascii_of("中") == "??" and _ascii_of("（") == "( "  # as wide as on screen
    assert _ascii_of("é") == "e"


def test_utf8_terminal_is_untouched():
    proc = _run("summary", "input 4; fc 2", "--lang", "en",
                env={"PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 0 and "×".encode() not in proc.stderr
    assert b"note:" not in proc.stderr


# ------------------------------------------------------------------ broken stdout
def test_full_disk_on_stdout_is_one_line():
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([sys.executable, "-m", "nndl", "solve", "5"], stdout=full,
                              stderr=subprocess.PIPE, timeout=300)
    assert proc.returncode == 1
    assert b"Traceback" not in proc.stderr and b"Exception ignored" not in proc.stderr
    assert b"No space left on device" in proc.stderr


@pytest.mark.parametrize("args", [["solve", "5"], ["--version"], ["--help"]])
def test_closed_stdout_is_an_error_not_silence(args):
    proc = subprocess.run([sys.executable, "-m", "nndl", *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, timeout=300,
                          preexec_fn=lambda: os.close(1))
    assert proc.returncode == 2
    said = proc.stderr.decode("utf-8", "replace")  # in the default language, zh
    assert "标准输出已关闭" in said and b"Traceback" not in proc.stderr


def test_broken_pipe_is_quiet():
    proc = subprocess.Popen([sys.executable, "-m", "nndl", "solve"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.read(100)
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=300)
    assert b"Traceback" not in err and b"Exception ignored" not in err


# ------------------------------------------------------------------ Ctrl-C
def test_ctrl_c_during_training_is_one_line_130_and_no_file(tmp_path):
    save, plot = tmp_path / "w.npz", tmp_path / "c.svg"
    proc = subprocess.Popen([sys.executable, "-m", "nndl", "train", "digits", "--epochs", "200",
                             "--no-progress", "--save", str(save), "--plot", str(plot)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(6)  # past start-up, inside the training loop
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert err.decode().strip().splitlines() == ["已中断（Ctrl-C）"]  # zh, the default
    assert list(tmp_path.iterdir()) == []


def test_interrupt_inside_a_command_returns_130(capsys, monkeypatch):
    import nndl.cli as cli

    def stop() -> None:
        raise KeyboardInterrupt

    cli.app.command("interrupt-test")(stop)
    try:
        assert main(["interrupt-test"]) == 130
        assert capsys.readouterr().err.strip() == "已中断（Ctrl-C）"
        monkeypatch.setenv("NNDL_LANG", "en")
        assert main(["interrupt-test"]) == 130
    finally:
        cli.app.registered_commands.pop()
    assert capsys.readouterr().err.strip() == "interrupted (Ctrl-C)"


# ------------------------------------------------------------------ output names
def test_too_long_output_name_is_an_error(tmp_path):
    long = str(tmp_path / ("g" * 300 + ".svg"))
    proc = _run("graph", "x*y", "x=1", "y=2", "-o", long, "-l", "en")
    assert proc.returncode == 2 and b"bytes long" in proc.stderr
    assert b"Traceback" not in proc.stderr


# ------------------------------------------------------------------ summary input
def test_summary_reads_bounded_and_names_special_files(tmp_path):
    assert main(["summary", ""]) == 2
    with open("/dev/zero", "rb") as zero:
        proc = _run("summary", "-", stdin=zero)
    assert proc.returncode == 2 and b"1 MB" in proc.stderr
    # the device and FIFO refusals are matched in English (zh is the default language)
    assert _run("summary", "/dev/zero", "-l", "en").stderr.count(b"character device") == 1
    fifo = tmp_path / "spec.txt"
    os.mkfifo(fifo)
    proc = _run("summary", str(fifo), "-l", "en")  # must not block waiting for a writer
    assert proc.returncode == 2 and b"FIFO" in proc.stderr
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(MAX_SPEC_CHARS + 10)
    proc = _run("summary", str(big))
    assert proc.returncode == 2 and b"1 MB" in proc.stderr


def test_summary_empty_spec_is_not_a_folder(capsys):
    assert main(["summary", "", "-l", "en"]) == 2
    err = capsys.readouterr().err
    assert "empty" in err and "folder" not in err


# ------------------------------------------------------------------ the parser
@pytest.mark.parametrize("expr, values, what", [
    ("x" + "¹" * 5000, {"x": 1}, "too large"),
    ("x", {"x": "10**400"}, "too large|overflows"),
    ("x*" + "9" * 5000, {"x": 1}, "too large"),
    ("x", {"x": "9" * 5000}, "too large"),
    ("x+" * 20000 + "x", {"x": 1}, "at most 10,000"),
    ("x*" + "y" * 9000 + " z", {"x": 1}, "operator"),
])
def test_parser_extremes_are_errors(expr, values, what):
    with pytest.raises(ExprError, match=what) as info:
        trace(expr, values)
    assert len(str(info.value)) < 1200  # the echo is cut around the caret


def test_output_name_when_every_usual_name_is_taken():
    t = trace("f+F+out+out_+x", dict(f=1, F=1, out=1, out_=1, x=1))
    assert t.output == 5 and t.output_id == "f_1"
    assert t.gradients == {"f": 1.0, "F": 1.0, "out": 1.0, "out_": 1.0, "x": 1.0}


def test_caret_excerpt_is_cut_around_the_caret():
    text = "a" * 200 + "BAD" + "b" * 200
    shown, carets = caret_excerpt(text, 200, 203).splitlines()
    assert len(shown) < 140 and shown.index("BAD") == carets.index("^")
    assert carets.count("^") == 3
    assert caret_excerpt("(x+y)^2*", 8) == "  (x+y)^2*\n          ^"


def test_parse_bounds_the_text():
    parse("x" * MAX_LENGTH)
    with pytest.raises(ExprError, match="at most"):
        parse("x" * (MAX_LENGTH + 1))


# ------------------------------------------------------------------ train's numbers
@pytest.mark.parametrize("kwargs, what", [
    ({"epochs": 10**20}, "epochs"), ({"epochs": 1e20}, "epochs"), ({"epochs": 0}, "epochs"),
    ({"threads": 1000}, "threads"), ({"threads": 0}, "threads"),
    ({"seed": -1}, "seed"), ({"seed": 2**64}, "seed"), ({"batch_size": 0}, "batch size"),
])
def test_train_numbers_are_bounded_before_any_work(kwargs, what):
    t = time.perf_counter()
    with pytest.raises(TrainingError, match=what):
        train_digits("mlp", **kwargs)
    assert time.perf_counter() - t < 1


def test_train_cli_refuses_huge_epochs():
    assert main(["train", "digits", "--epochs", "100000000000000000000"]) == 2
    assert main(["train", "digits", "--seed", "-1"]) == 2


def test_every_user_error_is_an_nndl_error():
    assert issubclass(TrainingError, NNDLError) and issubclass(ExprError, NNDLError)
