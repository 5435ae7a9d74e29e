"""``--help`` speaks the reader's language (issue 20): with NNDL_LANG=zh (or --lang zh on the
command line) every command's description and every option read in Chinese and fit 80
columns, nothing cut off with '…'; with NNDL_LANG=en it is English throughout."""

from __future__ import annotations

import re
import unicodedata

import pytest

from nndl.cli import main
from nndl.commands._common import HELPS, help_in

CJK = re.compile(r"[\u4e00-\u9fff]")


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in line)


def _commands():
    import typer

    from nndl.cli import app

    def walk(cmd, path):
        yield path, cmd
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    return list(walk(typer.main.get_command(app), []))


COMMANDS = _commands()
IDS = [" ".join(["nndl", *p]) for p, _ in COMMANDS]


def _help(monkeypatch, capsys, path, env, *extra):
    monkeypatch.setenv("NNDL_LANG", env)
    monkeypatch.setenv("COLUMNS", "80")
    assert main([*path, *extra, "--help"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("path, cmd", COMMANDS, ids=IDS)
def test_zh_help_is_chinese_for_the_command_and_every_option(monkeypatch, capsys, path, cmd):
    out = _help(monkeypatch, capsys, path, "zh")
    description = help_in(cmd.help, "zh") or ""
    assert CJK.search(description), f"{path}: the description has no Chinese"
    assert description.strip().splitlines()[0][:8] in out
    for param in cmd.params:
        text = getattr(param, "help", None)
        if not text:
            continue
        zh = help_in(text, "zh")
        assert zh is not None and CJK.search(zh), f"{path} {param.name}: no Chinese help"
        start = zh.split()[0][:4]  # Rich may fold the line after it
        assert start in out, f"{path} {param.name}: {start!r} not shown"
    for word in ("选项", "显示本帮"):
        assert word in out
    assert "Show this message" not in out and "[default:" not in out


@pytest.mark.parametrize("path, cmd", COMMANDS, ids=IDS)
@pytest.mark.parametrize("env", ["zh", "en"])
def test_help_fits_80_columns_and_nothing_is_cut_off(monkeypatch, capsys, path, cmd, env):
    out = _help(monkeypatch, capsys, path, env)
    wide = [line for line in out.splitlines() if _width(line) > 80]
    assert not wide, wide
    # Rich marks a cell it had to cut with '…' at the cell's end
    cut = [line for line in out.splitlines() if re.search(r"…\s*│", line)]
    assert not cut, cut


@pytest.mark.parametrize("path, cmd", COMMANDS, ids=IDS)
def test_en_help_is_english(monkeypatch, capsys, path, cmd):
    out = _help(monkeypatch, capsys, path, "en")
    assert not CJK.search(out), [line for line in out.splitlines() if CJK.search(line)]
    assert "Options" in out or "Commands" in out


def test_lang_on_the_command_line_wins_over_the_environment(monkeypatch, capsys):
    out = _help(monkeypatch, capsys, ["solve"], "zh", "--lang", "en")
    assert "worked solutions" in out and not CJK.search(out)
    out = _help(monkeypatch, capsys, ["vanish"], "en", "-l", "zh")
    assert "隐藏层层数" in out


def test_every_registered_help_has_both_languages():
    assert len(HELPS) > 80
    for en, text in HELPS.items():
        assert not text.missing(), en
        assert CJK.search(text.zh) and not CJK.search(text.en), en
