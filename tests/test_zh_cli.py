"""The command line itself in Chinese (issue 20): every click/Typer usage error — an unknown
option or command, a missing argument or value, a value of the wrong type, extra words — reads
in zh as nndl's own errors do (用法：… / 错误：… / 提示：…, exit status 2, no traceback, no
English beyond what the user typed and the names of options and commands), and stays click's
English with --lang en / NNDL_LANG=en. And each short flag means one thing in every command."""

from __future__ import annotations

import re

import pytest
from test_help_zh import COMMANDS  # every command and subcommand, walked once

from nndl.cli import ARGUMENT_NAMES, main

CJK = re.compile(r"[\u4e00-\u9fff]")


COMMAND_NAMES = {name for path, _ in COMMANDS for name in path} | {"nndl"}


def _choices(cmd) -> set[str]:
    """The values a command's parameters offer (text, md, json, zh, en, mlp …): a hint may
    list them, as the user types them."""
    out: set[str] = set()
    for param in cmd.params:
        desc = getattr(param, "type_descriptor", None)
        if desc is not None and desc.is_choice:
            out |= {str(getattr(c, "value", c)) for c in desc.choices or ()}
    return out


def _english_words(err: str, args: list[str], cmd) -> list[str]:
    """Latin words of ``err`` other than option names (--depth, -x), command names, values the
    command offers and what the user typed (quoted or not)."""
    text = re.sub(r"'[^']*'", " ", err)  # the user's value, echoed in quotes
    text = re.sub(r"(?<![\w-])--?[A-Za-z][\w-]*", " ", text)  # option names
    typed = set(re.findall(r"[A-Za-z_][\w]*", " ".join(args)))
    allowed = COMMAND_NAMES | _choices(cmd) | typed
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_0-9]*", text) if w not in allowed]


def _command(args: list[str]):
    """The command ``args`` runs (the deepest one named) and its path."""
    found = [], COMMANDS[0][1]
    for path, cmd in COMMANDS:
        if path and args[:len(path)] == path:
            found = path, cmd
    return found


# args -> what the Chinese says (each fragment must appear), what click's English says
CASES = [
    # no such option, with the close matches and the subcommand that has it
    (["train", "--epochs", "1"], ["没有选项 --epochs", "nndl train digits 的选项"],
     ["No such option: --epochs"]),
    (["vanish", "--dept", "3"], ["没有选项 --dept", "是不是想写 --depth"],
     ["No such option: --dept", "--depth"]),
    (["act", "-x"], ["nndl act 没有选项 -x"], ["No such option: -x"]),
    (["-f", "json", "solve"], ["nndl 没有选项 -f", "要写在子命令之后，例如 nndl solve -f"],
     ["No such option: -f"]),
    # no such command, with its suggestion
    (["trian"], ["nndl 没有子命令 'trian'", "是不是想写 train"],
     ["No such command 'trian'. Did you mean 'train'?"]),
    (["train", "run"], ["nndl train 没有子命令 'run'"], ["No such command 'run'."]),
    # a missing argument, named in Chinese
    (["check"], ["缺少参数：题目"], ["Missing argument 'PROBLEM'."]),
    (["graph"], ["缺少参数：表达式"], ["Missing argument 'expression'."]),
    (["summary"], ["缺少参数：网络描述或文件"], ["Missing argument 'SPEC_OR_FILE'."]),
    # an option without its value (with the choices when it has them), a flag given one
    (["vanish", "--depth"], ["选项 --depth 后面要跟一个值"],
     ["Option '--depth' requires an argument."]),
    (["solve", "1", "--format"], ["选项 --format 后面要跟一个值", "text、md、html、json"],
     ["Option '--format' requires an argument."]),
    (["gen", "5", "-n"], ["选项 -n 后面要跟一个值"], ["Option '-n' requires an argument."]),
    (["act", "--timing=3"], ["选项 --timing 是开关"], ["Option '--timing' does not take a value."]),
    # a value of the wrong type: integer, number, range, choice
    (["vanish", "--width", "x"], ["--width 要一个整数，'x' 不是整数"],
     ["Invalid value for '--width'", "a valid integer"]),
    (["experiment", "outlier", "--lr", "abc"], ["--lr 要一个数，'abc' 不是数"],
     ["Invalid value for '--lr'", "a valid number"]),
    (["play", "--port", "70000"], ["--port 要在 0 到 65535 之间，'70000' 超出了范围"],
     ["less than or equal to 65535"]),
    (["act", "--format", "foo"], ["--format 不能取 'foo'", "可选值：text、md、json"],
     ["'foo' is not one of 'text', 'md', 'json'"]),
    (["train", "digits", "-m", "foo"], ["--model 不能取 'foo'", "可选值：mlp、lenet"],
     ["Invalid value for '--model' / '-m'"]),
    # a path of the wrong kind (gen -o takes a file, solve -o a folder)
    (["gen", "5", "-o", "."], ["--output 要一个文件，'.' 却是文件夹"], ["is a directory"]),
    (["solve", "1", "-o", "pyproject.toml"], ["--output 要一个文件夹，'pyproject.toml' 却是文件"],
     ["is a file"]),
    # words a command does not take
    (["train", "digits", "extra"], ["nndl train digits 用不上多出来的参数：'extra'", "引号"],
     ["Got unexpected extra argument(s) (extra)"]),
    (["experiment", "outlier", "foo", "bar"], ["用不上多出来的参数：'foo' 'bar'"],
     ["Got unexpected extra argument(s) (foo bar)"]),
]


@pytest.mark.parametrize("args, zh, en", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_usage_errors_in_chinese(monkeypatch, capsys, args, zh, en):
    monkeypatch.setenv("NNDL_LANG", "zh")
    monkeypatch.setenv("COLUMNS", "80")
    assert main(args) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert captured.out == ""
    assert "Traceback" not in err
    for fragment in zh:
        assert fragment in err, (fragment, err)
    lines = err.splitlines()
    assert [ln[:3] for ln in lines] == ["用法：", "错误：", "提示："], err
    assert lines[0].startswith("用法：nndl")
    assert "--help" in lines[2]  # where to read more, as click's 'Try … --help'
    assert _english_words(err, args, _command(args)[1]) == [], err


@pytest.mark.parametrize("args, zh, en", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_usage_errors_stay_click_english(monkeypatch, capsys, args, zh, en):
    path, cmd = _command(args)
    runs = [("en", args)]
    if any("--lang" in p.opts for p in cmd.params):  # also --lang en, right after the command
        runs.append(("zh", [*path, "--lang", "en", *args[len(path):]]))
    for env, argv in runs:
        monkeypatch.setenv("NNDL_LANG", env)
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert not CJK.search(err), err
        assert "Error: " in err and "Traceback" not in err
        for fragment in en:
            assert fragment in err, (fragment, err)


def test_a_bad_language_in_the_environment_is_named(monkeypatch, capsys):
    monkeypatch.setenv("NNDL_LANG", "fr")  # not a language: messages fall back to Chinese
    assert main(["solve", "1"]) == 2
    err = capsys.readouterr().err
    assert "--lang 不能取 'fr'" in err and "环境变量 NNDL_LANG" in err and "可选值：zh、en" in err


def test_typer_standalone_run_speaks_chinese_too():
    """Run as CliRunner runs it (the app itself, standalone), not through main()."""
    from typer.testing import CliRunner

    from nndl.cli import app

    result = CliRunner().invoke(app, ["vanish", "--dept", "3"], env={"NNDL_LANG": "zh"})
    assert result.exit_code == 2
    assert "错误：nndl vanish 没有选项 --dept" in result.output and "Error" not in result.output
    result = CliRunner().invoke(app, ["vanish", "--dept", "3"], env={"NNDL_LANG": "en"})
    assert result.exit_code == 2 and "No such option: --dept" in result.output


def test_help_on_no_arguments_is_still_the_help(monkeypatch, capsys):
    monkeypatch.setenv("NNDL_LANG", "zh")
    main(["train"])
    out = capsys.readouterr()
    assert "digits" in out.out + out.err and "错误：" not in out.err


@pytest.mark.parametrize("path, cmd", COMMANDS, ids=[" ".join(["nndl", *p]) for p, _ in COMMANDS])
def test_usage_line_in_chinese(monkeypatch, capsys, path, cmd):
    """`--help`'s usage line names options, subcommands and every argument in Chinese."""
    for param in cmd.params:
        if param.param_type_name == "argument":
            assert (param.metavar or param.name) in ARGUMENT_NAMES, (path, param.name)
    monkeypatch.setenv("NNDL_LANG", "zh")
    monkeypatch.setenv("COLUMNS", "80")
    assert main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    usage = next(ln.strip() for ln in out.splitlines() if "用法：" in ln)
    assert usage.startswith(" ".join(["用法：nndl", *path]))
    rest = usage[len(" ".join(["用法：nndl", *path])):]
    assert not re.search(r"[A-Za-z]", rest), usage
    assert "Usage" not in out
    monkeypatch.setenv("NNDL_LANG", "en")
    assert main([*path, "--help"]) == 0
    assert "Usage: nndl" in capsys.readouterr().out


# ------------------------------------------------------------------ one meaning per short flag
# The one meaning of each short flag in every command that has it (README: "Short flags").
SHORT_FLAGS = {
    "-a": "--activation", "-b": "--batch-size", "-d": "--depth", "-e": "--epochs",
    "-f": "--format", "-i": "--init", "-l": "--lang", "-m": "--model", "-n": "--count",
    "-o": "--output", "-p": "--plot", "-s": "--seed", "-V": "--version",
}


def _short_flags(commands) -> dict[str, set[tuple[str, str]]]:
    """Short flag -> {(its long name, the command)} over ``commands``; a long name is the
    option's first --name (what the help shows)."""
    seen: dict[str, set[tuple[str, str]]] = {}
    for path, cmd in commands:
        for param in cmd.params:
            opts = [*param.opts, *param.secondary_opts]
            longs = [o for o in opts if o.startswith("--")]
            for short in (o for o in opts if re.fullmatch(r"-[A-Za-z0-9]", o)):
                seen.setdefault(short, set()).add((longs[0] if longs else "",
                                                   " ".join(["nndl", *path])))
    return seen


def _collisions(commands) -> dict[str, set[str]]:
    return {short: {long for long, _ in uses} for short, uses in _short_flags(commands).items()
            if len({long for long, _ in uses}) > 1}


def test_each_short_flag_has_one_long_name_across_commands():
    assert _collisions(COMMANDS) == {}
    found = {short: {long for long, _ in uses} for short, uses in _short_flags(COMMANDS).items()}
    assert found == {short: {long} for short, long in SHORT_FLAGS.items()}


def test_the_collision_check_sees_a_collision():
    """A pass above means something: two commands giving -d two meanings are caught."""
    import typer

    probe = typer.Typer()

    @probe.command("one")
    def one(depth: int = typer.Option(1, "--depth", "-d")) -> None: ...

    @probe.command("two")
    def two(difficulty: str = typer.Option("easy", "--difficulty", "-d")) -> None: ...

    root = typer.main.get_command(probe)
    commands = [(["one"], root.commands["one"]), (["two"], root.commands["two"])]
    assert _collisions(commands) == {"-d": {"--depth", "--difficulty"}}


def test_output_says_file_or_folder():
    """-o/--output is where the output goes: each help says whether it is a file or a folder."""
    from nndl.commands._common import help_in

    for path, cmd in COMMANDS:
        for param in cmd.params:
            if "--output" in param.opts:
                en, zh = help_in(param.help, "en") or "", help_in(param.help, "zh") or ""
                assert re.search(r"\b(file|folder)\b", en, re.I), (path, en)
                assert re.search(r"文件|目录|文件夹", zh), (path, zh)


def test_the_english_filter_sees_click_english():
    """A pass of the Chinese test means something: click's own lines would fail it."""
    _, cmd = _command(["vanish"])
    click_said = ("Usage: nndl vanish [OPTIONS]\nTry 'nndl vanish --help' for help.\n\n"
                  "Error: No such option: --dept (Possible options: --depth, --plot)")
    found = set(_english_words(click_said, ["vanish", "--dept"], cmd))
    assert {"Usage", "OPTIONS", "Try", "for", "help", "Error", "No", "such", "option",
            "Possible", "options"} <= found


def test_play_says_why_it_cannot_listen_in_chinese(monkeypatch, capsys):
    """The system's reason (a host name it cannot find, an address it does not have) in
    Chinese; in English the system's own words as before."""
    import errno
    import socket

    import nndl.play.server as server

    reasons = [socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
               OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address")]
    for reason, zh in zip(reasons, ["找不到主机名 nosuch.invalid", "本机没有这个地址"], strict=True):
        def refuse(*args, reason=reason, **kwargs):
            raise reason

        monkeypatch.setattr(server, "make_server", refuse)
        assert main(["play", "--host", "nosuch.invalid", "--no-browser", "-l", "zh"]) == 2
        err = capsys.readouterr().err
        assert zh in err and "错误：" in err and reason.strerror not in err, err
        assert main(["play", "--host", "nosuch.invalid", "--no-browser", "-l", "en"]) == 2
        err = capsys.readouterr().err
        assert reason.strerror in err and not CJK.search(err), err


def test_file_refusals_in_chinese(monkeypatch, capsys, tmp_path):
    """Where -o / --plot cannot write (a folder, a missing folder, an unknown suffix, a file
    used as a folder, a device): 错误：/提示： in Chinese; in English as before."""
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    cases = [
        (["act", "sigmoid", "-p", str(tmp_path)], "这是一个文件夹", "it is a folder"),
        (["act", "sigmoid", "-p", str(tmp_path / "no" / "f.svg")], "不存在", "does not exist"),
        (["act", "sigmoid", "-p", str(tmp_path / "f.txt")], "看不出图的格式",
         "cannot tell the figure format"),
        (["solve", "4", "-o", str(a_file / "key")], "是普通文件，不是文件夹",
         "is a regular file, not a folder"),
        (["act", "sigmoid", "-p", "/dev/null"], "这是字符设备，不是普通文件",
         "it is a character device, not a regular file"),
    ]
    for args, zh, en in cases:
        assert main([*args, "-l", "zh"]) == 2
        err = capsys.readouterr().err
        assert zh in err and err.startswith("错误：") and "提示：" in err, err
        words = _english_words(err, args, _command(args)[1])
        assert set(words) <= {"svg", "png", "pdf", "out", "txt"}, (words, err)
        assert main([*args, "-l", "en"]) == 2
        err = capsys.readouterr().err
        assert en in err and not CJK.search(err), err
    assert list(tmp_path.iterdir()) == [a_file]


@pytest.mark.parametrize("path, cmd", COMMANDS, ids=[" ".join(["nndl", *p]) for p, _ in COMMANDS])
def test_zh_help_keeps_latin_words_whole(monkeypatch, capsys, path, cmd):
    """At 80 columns a Chinese help line breaks between characters, never inside a Latin word
    (Rich alone folded 'relu' into 'rel' / 'u' and '.svg' into '.sv' / 'g')."""
    from nndl.commands._common import help_in

    monkeypatch.setenv("NNDL_LANG", "zh")
    monkeypatch.setenv("COLUMNS", "80")
    assert main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    shown = set(re.findall(r"[A-Za-z][\w.-]*[A-Za-z0-9]", out))
    for param in cmd.params:
        zh = help_in(getattr(param, "help", None), "zh") or ""
        for word in re.findall(r"[A-Za-z][\w.-]*[A-Za-z0-9]", zh):
            if len(word) <= 20:
                assert word in shown, (path, param.name, word)
