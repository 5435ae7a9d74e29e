"""A demanding user's review of the command line: bad input is one clear message and exit
status 2, never a traceback and never a half-written file; ``--help`` reads well."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nndl.cli import main


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """This review reads the English messages (the Chinese are checked in tests/test_zh_*)."""
    monkeypatch.setenv("NNDL_LANG", "en")


def _hinted(err: str) -> bool:
    """A hint line, in either language's label (zh is the default language)."""
    return "hint:" in err or "提示：" in err


def _errored(err: str) -> bool:
    return "error:" in err or "错误：" in err


def _run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nndl", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


@pytest.mark.parametrize("args, names, zh_names", [
    (["solve", "1", "--format", "pdf"], "pdf", "pdf"),
    (["solve", "1", "--lang", "fr"], "fr", "fr"),
    (["act", "--bogus"], "--bogus", "--bogus"),
    (["graph"], "expression", "表达式"),
    (["summary", "input 8x8x1; fc 2", "--format", "xml"], "xml", "xml"),
])
def test_usage_errors_are_click_messages_not_tracebacks(capsys, monkeypatch, args, names,
                                                        zh_names):
    """In zh nndl's 错误：/提示： lines; in en click's own (tests/test_zh_cli.py)."""
    monkeypatch.setenv("NNDL_LANG", "zh")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert zh_names in err and "错误：" in err and "--help" in err
    monkeypatch.setenv("NNDL_LANG", "en")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert names in err and "Try 'nndl" in err


def test_usage_error_from_the_real_command_line():
    proc = _run("solve", "1", "--format", "pdf", "-l", "en")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "Usage: nndl solve" in proc.stderr and "'pdf'" in proc.stderr


# every command that writes a file refuses a bad path before doing any work
_WRITERS = [
    ["act", "sigmoid", "--no-timing", "--plot", "{}.svg"],
    ["experiment", "outlier", "--t", "1", "--plot", "{}.svg"],
    ["vanish", "-d", "2", "-a", "sigmoid", "-i", "pytorch", "--plot", "{}.svg"],
    ["graph", "(x+y)^2*z", "x=1", "y=2", "z=-6", "-o", "{}.svg"],
    ["train", "digits", "--plot", "{}.svg"],
    ["train", "digits", "--save", "{}.npz"],
]


_WHERE = ["missing folder", "file as folder", "folder as file", "wrong suffix", "proc"]
# train decides the checkpoint/figure format by suffix itself, so "wrong suffix" is not a case
_CASES = [pytest.param(args, where, id=f"{' '.join(args[:2])}-{where}")
          for args in _WRITERS for where in _WHERE
          if not (where == "wrong suffix" and "train" in args)]


@pytest.mark.parametrize(("args", "where"), _CASES)
def test_bad_output_paths_fail_early_and_clearly(capsys, tmp_path, args, where):
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir.svg").mkdir()
    (tmp_path / "adir.npz").mkdir()
    stem = {"missing folder": tmp_path / "nope" / "out",
            "file as folder": tmp_path / "afile" / "out",
            "folder as file": tmp_path / "adir",
            "wrong suffix": tmp_path / "out.gif",
            "proc": "/proc/nndl-review"}[where]
    argv = [a.replace("{}.svg", f"{stem}.svg" if where != "wrong suffix" else str(stem))
            .replace("{}.npz", f"{stem}.npz") for a in args]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert _errored(captured.err) and _hinted(captured.err)
    assert captured.out == ""  # nothing computed or printed before the refusal
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir.npz", "adir.svg", "afile"]


def test_solve_output_folder_that_cannot_be_created(capsys, tmp_path):
    (tmp_path / "afile").write_text("x")
    assert main(["solve", "4", "--format", "md", "-o", str(tmp_path / "afile" / "key")]) == 2
    assert "cannot create the folder" in capsys.readouterr().err


@pytest.mark.parametrize("args, says", [
    (["experiment", "outlier", "--t", "1e13"], "too large"),
    (["experiment", "outlier", "--t", "1,10", "--plot-t", "5", "--plot", "{tmp}/o.svg"],
     "--plot-t 5"),
    (["experiment", "outlier", "--t", "1", "--lr", "0"], "learning rate"),
    (["experiment", "backprop", "--sizes", "3"], "--sizes '3'"),
    (["experiment", "backprop", "--loss", "bce", "-a", "identity"], "cross-entropy"),
    (["experiment", "backprop", "--loss", "bce", "-a", "tanh"], "cross-entropy"),
])
def test_experiment_inputs_that_cannot_work(capsys, tmp_path, args, says):
    assert main([a.replace("{tmp}", str(tmp_path)) for a in args]) == 2
    captured = capsys.readouterr()
    assert says in captured.err and _hinted(captured.err)
    assert captured.out == "" and list(tmp_path.iterdir()) == []


def test_bce_targets_outside_0_1_are_refused():
    from nndl.deep.backprop import BackpropError, check_gradients

    with pytest.raises(BackpropError, match=r"targets y in \[0, 1\]"):
        check_gradients((2, 3, 1), loss="bce", y=[1.5])


def test_max_margin_stays_exact_for_the_largest_allowed_t():
    # x4 = (0, −t) lies on the far side of the max-margin line of D's augmented data for every
    # t ≥ 1, so γ* does not depend on t: t = 1e12 must give t = 10's value, not 0 (which
    # printed Novikoff's bound as ∞)
    import numpy as np

    from nndl.classic import max_margin
    from nndl.classic.experiment import T_MAX

    def gamma(t):
        X = np.array([[1, 0, 1], [1, 1, 0], [1, -1, 0], [1, 0, -t]], dtype=float)
        return max_margin(X, np.array([1, 1, -1, 1.0]))[1]

    assert T_MAX == 1e12
    assert gamma(T_MAX) == pytest.approx(gamma(10.0), rel=1e-3)
    assert gamma(10.0) > 0.4


@pytest.mark.parametrize("args, says", [
    (["vanish", "-d", "30-2"], "runs backwards"),
    (["vanish", "-d", "2", "--width", "100000000"], "GiB"),
    (["vanish", "-d", "2", "--batch", "10000000"], "GiB"),
    (["vanish", "-d", "2", "--width", "0"], "must be ≥ 1"),
    (["experiment", "backprop", "--sizes", "3,100000000,1"], "500,000,001 weights"),
])
def test_sizes_too_large_or_backwards_are_refused_at_once(capsys, args, says):
    assert main(args) == 2  # not a MemoryError traceback, not an hour of finite differences
    err = capsys.readouterr().err
    assert says in err and _hinted(err)


@pytest.mark.parametrize("spec, says", [
    ("input 8x8x1; conv 4 3x3 stride=4 stride=2", "stride is given twice"),
    ("input 227x227x3; conv 96@11x11/4 stride=2", "stride is given twice"),
    ("input 99999999x99999999x3; fc 100000", "at most 10^15 values"),
    ("{tmp}/nosuch.txt", "no such file"),
    ("{tmp}", "is a folder"),
    ("{tmp}/binary.txt", "not UTF-8"),
])
def test_summary_inputs_that_cannot_work(capsys, tmp_path, spec, says):
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00 not text")
    assert main(["summary", spec.replace("{tmp}", str(tmp_path)), "-l", "en"]) == 2
    captured = capsys.readouterr()
    assert says in captured.err and _hinted(captured.err) and captured.out == ""


def test_summary_verify_refuses_a_network_that_cannot_fit(capsys):
    # 100000×100000×3 floats are 112 GiB: the table is fine (meta device), the forward pass not
    assert main(["summary", "input 100000x100000x3; conv 100 5x5"]) == 0
    capsys.readouterr()
    assert main(["summary", "input 100000x100000x3; conv 100 5x5", "--verify"]) == 2
    assert "--verify" in capsys.readouterr().err


@pytest.mark.parametrize("momentum", ["1", "2", "-1", "nan"])
def test_train_refuses_momentum_outside_0_1_before_training(capsys, momentum):
    assert main(["train", "digits", "--momentum", momentum, "--no-progress"]) == 2
    assert "momentum must be in [0, 1)" in capsys.readouterr().err


def _all_commands():
    import typer

    from nndl.cli import app

    def walk(cmd, path):
        yield " ".join(path), cmd
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    return list(walk(typer.main.get_command(app), ["nndl"]))


@pytest.mark.parametrize("path, cmd", _all_commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_help_text_fits_an_80_column_terminal(path, cmd):
    import inspect

    text = inspect.cleandoc(cmd.help or "")
    first, *rest = text.split("\n\n")
    # `nndl --help` lists the first paragraph as written (Rich mode keeps its line breaks)
    assert "\n" not in first or cmd.short_help, f"{path}: first paragraph spans lines"
    assert "\\b" not in text, f"{path}: a raw \\b would be printed literally"
    # below it, lines are kept as written: an example must fit the 78 columns inside the box
    too_long = [line for line in "\n\n".join(rest).splitlines() if len(line) > 78]
    assert not too_long, f"{path}: {too_long}"


def test_help_lists_commands_in_course_order():
    out = _run("--help").stdout
    order = ["solve", "act", "experiment", "vanish", "graph", "summary", "train"]
    positions = [out.find(f"│ {n} ") for n in order]
    assert all(p > 0 for p in positions) and positions == sorted(positions), out


@pytest.mark.parametrize("path", [p for p, _ in _all_commands()])
def test_help_shows_no_type_after_a_flag(path, capsys):
    # a flag takes no value, so `--full <bool>` would mislead; value options keep their type
    assert main([*path.split()[1:], "--help"]) == 0
    out = capsys.readouterr().out
    assert "<bool>" not in out, out
    assert "--help" in out


def test_nndl_lang_sets_every_commands_language(monkeypatch, capsys):
    monkeypatch.setenv("NNDL_LANG", "en")
    assert main(["graph", "x*y", "x=2", "y=3"]) == 0
    assert "Computational graph" in capsys.readouterr().out
    assert main(["summary", "input 8x8x1; fc 3"]) == 0
    assert "Architecture summary" in capsys.readouterr().out
    assert main(["graph", "x*y", "x=2", "y=3", "--lang", "zh"]) == 0  # the option wins
    assert "计算图" in capsys.readouterr().out
    monkeypatch.setenv("NNDL_LANG", "fr")
    assert main(["graph", "x*y", "x=2", "y=3"]) == 2
    assert "NNDL_LANG" in capsys.readouterr().err


@pytest.mark.parametrize("spec, hint", [("fc 1e3", "write 1000"), ("fc 2.0", "write 2"),
                                        ("fc abc", "digits only"), ("fc 0.5", "whole number")])
def test_summary_says_how_to_write_a_whole_number(capsys, spec, hint):
    assert main(["summary", spec, "-l", "en"]) == 2
    err = capsys.readouterr().err
    assert "hint:" in err and hint in err


@pytest.mark.parametrize("args, what", [(["-a", ""], "activation"), (["-i", " , "], "init")])
def test_vanish_refuses_an_empty_list_instead_of_running_nothing(capsys, args, what):
    assert main(["vanish", *args]) == 2
    assert f"at least one {what}" in capsys.readouterr().err
