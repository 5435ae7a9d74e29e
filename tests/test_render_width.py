"""Text output fits an 80-column terminal (issue 20): no line wider than the terminal, no
cell cut with "…", every word of every table cell still there (wide tables are split into
column groups, long lines wrap), for experiment outlier, vanish, backprop and solve."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

WIDTH = 80


def _fits(out: str, cells: list[str] = ()) -> None:
    lines = out.splitlines()
    wide = [line for line in lines if cell_len(line) > WIDTH]
    assert not wide, f"{len(wide)} lines over {WIDTH} columns, e.g. {wide[0]!r}"
    assert "…" not in out, "a cell or title was cut"
    words = set(out.split())
    flat = " ".join(out.split())
    for cell in cells:  # a folded cell breaks between words, never inside one
        for w in str(cell).split():
            assert w in words or w in flat, f"{w!r} of the cell {cell!r} is missing"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_outlier_fits(lang):
    from nndl.classic import outlier_experiment, render

    res = outlier_experiment((1, 1e3, 1e9), epochs=30, pla_max_iter=200)
    _fits(render.to_text(res, lang, width=WIDTH),
          [c for row in render._rows(res, lang) for c in row])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_vanish_and_backprop_fit(lang):
    from nndl.deep import check_gradients, derive_backprop, render, vanishing_sweep
    from nndl.deep.derivation import BackpropReport

    s = vanishing_sweep("2,5", width=8, batch=8)
    out = render.to_text(s, lang, width=WIDTH)
    _fits(out, [render.combo_label(a, i, lang) for a in s.activations
                for i in s.inits])  # no "sigmoid/pyt…"
    rep = BackpropReport(derive_backprop(3, "sigmoid"), check_gradients([3, 4, 4, 1]))
    out = render.to_text(rep, lang, width=WIDTH)
    _fits(out)
    assert "\\frac" not in out and "\\partial" not in out  # no raw LaTeX in the terminal


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_solve_fits(lang):
    from nndl.solutions import ex2, render, solve

    sols = [solve(2, ex2.Params(epochs=30)), solve(5), solve(6)]
    out = render.to_text(sols, lang, width=WIDTH)
    cells = [render._cell(c, lang) for s in sols for sec in s.sections for b in sec.blocks
             if type(b).__name__ == "Table" for row in b.rows for c in row]
    _fits(out, [render.inline_plain(c) for c in cells])


def test_the_cli_follows_columns(monkeypatch, capsys):
    from nndl.cli import main

    monkeypatch.setenv("COLUMNS", str(WIDTH))
    assert main(["vanish", "-d", "2,3", "--width", "4", "--batch", "4", "--lang", "en"]) == 0
    _fits(capsys.readouterr().out)
    monkeypatch.setenv("COLUMNS", "140")
    assert main(["vanish", "-d", "2,3", "--width", "4", "--batch", "4", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert max(cell_len(line) for line in out.splitlines()) > WIDTH  # the wide terminal is used


def test_wrap_zh_keeps_words_and_marks_with_their_neighbours():
    """A Latin word is never cut, a closing mark never starts a line and an opening mark
    never ends one ("（paddin|g）" and "？（|6）" were printed by gen)."""
    from nndl.report import wrap_zh

    assert wrap_zh("边缘填充（padding）为 2。", 17) == ["边缘填充", "（padding）为 2。"]
    assert wrap_zh("是多少？（6）FC-1", 8) == ["是多少？", "（6）", "FC-1"]
    assert wrap_zh("这是句子，这是句子，这是", 9) == ["这是句", "子，这是", "句子，这", "是"]
    assert wrap_zh("  ✗ a very long english line", 16) == ["  ✗ a very long", "    english line"]


@pytest.mark.parametrize("number", [1, 4, 6])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_gen_fits(number, lang):
    from nndl.gen import generate
    from nndl.gen.render import to_text

    out = to_text(generate(number, count=2, seed=5), lang, width=80)
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    assert not any(line.rstrip().endswith(("（", "(")) for line in out.splitlines())


def test_solve_folds_chinese_between_characters_not_only_at_spaces():
    """Rich folds only at spaces: a Chinese paragraph broke early ('展平后输入 N_in =
    300×300×3' then '个数；…' on the next line), leaving a line half empty. No line may end
    where the next line's first character would still have fitted."""
    import re

    from nndl.solutions import render, solve

    out = render.to_text([solve(n) for n in (3, 5, 6)], "zh", width=80)
    lines = out.splitlines()
    cjk = re.compile(r"[\u4e00-\u9fff]")
    early = [(a, b) for before, a, b in zip([""] + lines, lines, lines[1:], strict=False)
             if before.strip()  # a heading (after a blank line) is a line of its own
             and cjk.match(b) and not a.startswith(("│", "╭", "╰", "└", " ")) and a.strip()
             and cell_len(b.strip()) > 10  # a title (答案, 验证) is a line of its own
             and b[1:2] not in "，。；：、）"  # a character went down with its closing mark
             # the first character of the next line, and the space before it after Latin
             and cell_len(a.rstrip()) + (0 if cjk.match(a.rstrip()[-1]) else 1) + 2 <= 80
             and not re.search(r"[。：？！]$", a.rstrip())]
    assert not early, early[:3]
