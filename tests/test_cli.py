"""The command line: help, version, and user errors without a traceback."""

from __future__ import annotations

import subprocess
import sys

from nndl.cli import main


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nndl", *args], capture_output=True, text=True,
                          timeout=300)


def test_help_lists_every_command_in_order():
    out = _run("--help").stdout
    names = ["solve", "act", "vanish", "graph", "summary", "experiment", "train"]
    positions = [out.find(f" {n} ") for n in names]
    assert all(p > 0 for p in positions), out
    assert positions[0] == min(positions)  # the main job comes first


def test_version(capsys):
    assert main(["--version"]) == 0
    assert "nndl 0.1.0" in capsys.readouterr().out


def test_user_error_is_one_message_and_exit_2():
    proc = _run("graph", "(x+y)^2*", "x=1", "y=2")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    expr_line = next(i for i, line in enumerate(lines) if line.strip() == "(x+y)^2*")
    # the caret sits under the end of the expression, not re-wrapped onto another line
    assert lines[expr_line + 1].index("^") == lines[expr_line].index("*") + 1


def test_hint_brackets_are_printed_literally(capsys):
    import nndl.cli as cli
    from nndl.errors import NNDLError

    def boom() -> None:
        raise NNDLError("needs the extra", hint='pip install -e ".[train]"')

    cli.app.command("boom-test")(boom)
    try:
        assert main(["boom-test"]) == 2
    finally:
        cli.app.registered_commands.pop()
    assert '".[train]"' in capsys.readouterr().err


def test_an_html_page_is_not_dumped_into_a_terminal(monkeypatch, capsys):
    """Issue 20: nndl solve --format html without -o printed the whole page to the terminal;
    on a terminal it now says where to write it (piped, it is written as before)."""
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["solve", "4", "--format", "html"]) == 2
    err = capsys.readouterr().err
    assert "-o 文件夹" in err and "终端无法显示" in err and "Traceback" not in err
    assert main(["solve", "4", "--format", "html", "-l", "en"]) == 2
    assert "a terminal cannot show" in capsys.readouterr().err
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert main(["solve", "4", "--format", "html"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")


def test_experiments_and_solve_share_their_defaults(capsys):
    """Issue 20: experiment outlier trained 1,000 epochs where solve 2 trains 300 (two
    different BP boundaries for one exercise), and experiment backprop's network was 3-4-4-1
    where the sheet's (solve 3) is 3-4-3-1."""
    import json

    from nndl.solutions import ex2, ex3

    assert main(["experiment", "outlier", "--t", "1", "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["epochs"] == ex2.EPOCHS
    assert data["bp_D"]["equation"] == ex2.experiment(ex2.Params(ts=(1,))).bp_D.equation
    assert main(["experiment", "backprop", "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["check"]["sizes"] == list(ex3.Params().sizes)


# ------------------------------------------------------------------ one flag, one meaning
def test_depth_counts_hidden_layers_in_vanish_and_backprop(capsys):
    """-d is the number of hidden layers in both (issue 20); --layers keeps backprop's old L."""
    import json

    assert main(["experiment", "backprop", "-d", "2", "-f", "json", "--no-check"]) == 0
    assert json.loads(capsys.readouterr().out)["derivation"]["depth"] == 3  # 3-4-3-1: L = 3
    assert main(["experiment", "backprop", "--layers", "3", "-f", "json", "--no-check"]) == 0
    assert json.loads(capsys.readouterr().out)["derivation"]["depth"] == 3
    assert main(["experiment", "backprop", "-f", "json"]) == 0  # default: the sheet's network
    data = json.loads(capsys.readouterr().out)
    assert data["derivation"]["depth"] == 3 and data["check"]["agree"]
    assert main(["vanish", "-d", "2", "-a", "sigmoid", "-i", "pytorch", "-f", "json"]) == 0
    capsys.readouterr()


def test_backprop_refuses_a_list_where_one_name_is_meant(capsys):
    assert main(["experiment", "backprop", "-a", "sigmoid,tanh", "-l", "en"]) == 2
    err = capsys.readouterr().err
    assert "one name" in err and "nndl vanish" in err
    assert main(["experiment", "backprop", "-i", "he,xavier", "-l", "zh"]) == 2
    err = capsys.readouterr().err
    assert "-i 'he,xavier'" in err and "只取一个名称" in err and "nndl vanish" in err


def test_graph_draws_with_plot_like_every_command_and_o_still_works(capsys, tmp_path):
    for flag, name in (("--plot", "a.svg"), ("-p", "b.svg"), ("-o", "c.svg")):
        assert main(["graph", "x*y", "x=2", "y=3", flag, str(tmp_path / name)]) == 0
        assert (tmp_path / name).read_text().lstrip().startswith("<")
    capsys.readouterr()
    assert main(["graph", "x*y", "x=2", "y=3", "-p", str(tmp_path / "d.svg"),
                 "-o", str(tmp_path / "e.svg"), "-l", "en"]) == 2
    assert "older spelling" in capsys.readouterr().err
    assert not (tmp_path / "d.svg").exists()


def _every_command():
    import typer

    from nndl.cli import app

    def walk(cmd, path):
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, f"{path} {name}")

    return list(walk(typer.main.get_command(app), "nndl"))


def test_short_flags_that_mean_one_thing_everywhere():
    """-p draws a figure, -o names the output, -a the activation(s), -l the language, -f the
    format: in every command that has them."""
    meaning = {"-p": {"plot"}, "-o": {"output", "out"}, "-a": {"activation", "activations"},
               "-l": {"lang"}, "-f": {"fmt"}}
    for path, cmd in _every_command():
        for param in cmd.params:
            for flag, names in meaning.items():
                if flag in getattr(param, "opts", []):
                    assert param.name in names, (path, flag, param.name)


def test_plot_is_p_everywhere_a_figure_is_drawn():
    import typer

    from nndl.cli import app

    root = typer.main.get_command(app)
    commands = {"act": root.commands["act"], "vanish": root.commands["vanish"],
                "graph": root.commands["graph"],
                "outlier": root.commands["experiment"].commands["outlier"],
                "train": root.commands["train"].commands["digits"]}
    for name, cmd in commands.items():
        plot = [p for p in cmd.params if "--plot" in p.opts]
        assert plot and "-p" in plot[0].opts, name
        # -o is the output of solve/gen (or graph's older --plot), never something else
        others = [p.name for p in cmd.params if "-o" in p.opts and p.name not in ("output",)]
        assert not others, (name, others)


def test_command_errors_speak_the_chosen_language(capsys):
    """The refusals written in the commands themselves come in zh and en (issue 20)."""
    cases = [(["check", "foo"], "没有题目", "has no problem"),
             (["check", "summary"], "需要先给出网络描述", "needs the network spec first"),
             (["solve", "5", "kernel=3", "kernel=3"], "给了两次", "is given twice"),
             (["solve", "1,2", "k=1"], "只属于一道题", "belong to one exercise"),
             (["experiment", "backprop", "--sizes", "3,x"], "整数列表", "list of integers")]
    for args, zh, en in cases:
        assert main([*args, "-l", "zh"]) == 2
        err = capsys.readouterr().err
        assert zh in err and "提示：" in err, (args, err)
        assert main([*args, "-l", "en"]) == 2
        err = capsys.readouterr().err
        assert en in err and not any("\u4e00" <= c <= "\u9fff" for c in err), (args, err)
