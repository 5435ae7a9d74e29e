"""Figures of the worked solutions are drawn lazily: building a solution, showing it as text
or JSON, and ``nndl check`` draw none; Markdown draws the language it shows, HTML both; and
the SVG drawn on first use is the one drawing it at build time gave."""

from __future__ import annotations

import dataclasses
import importlib

import pytest

from nndl.check import check
from nndl.solutions import ex2, ex3, ex4, render, solve
from nndl.solutions.model import LANGS, Figure, Section, Solution, Text

# every function that draws a solution's figure, by the name its builder calls it
DRAWERS = [("nndl.activations.plot", "curves"),
           ("nndl.classic.plots", "plot_outlier"), ("nndl.solutions.ex3", "plot_vanishing"),
           ("nndl.plotting", "figure_bytes"), ("nndl.solutions.ex4", "graph_svg")]
NAMES = ["ex1_activations", "ex2_outlier", "ex3_vanishing", "ex4_graph"]


def _refuse_drawing(mp: pytest.MonkeyPatch) -> list[str]:
    """Make every drawer record its call and fail; returns the record."""
    drawn: list[str] = []
    for module, name in DRAWERS:
        def refuse(*args, _name=f"{module}.{name}", **kwargs):
            drawn.append(_name)
            raise AssertionError(f"{_name} was called: a figure was drawn")
        mp.setattr(importlib.import_module(module), name, refuse)
    return drawn


@pytest.fixture(scope="module")
def solutions() -> list[Solution]:
    """Exercises 1-4 on the sheet, built while drawing is impossible."""
    with pytest.MonkeyPatch.context() as mp:
        drawn = _refuse_drawing(mp)
        out = [solve(n) for n in (1, 2, 3, 4)]
    assert drawn == []
    assert [f.name for s in out for f in s.figures] == NAMES
    return out


@pytest.fixture
def no_drawing(monkeypatch) -> list[str]:
    return _refuse_drawing(monkeypatch)


def _logged(solutions: list[Solution]) -> tuple[list[Solution], list[tuple[str, str]]]:
    """Copies of ``solutions`` whose figures are undrawn and log (name, lang) when drawn."""
    log: list[tuple[str, str]] = []

    def figure(f: Figure) -> Figure:
        def draw(lang, _f=f):
            log.append((_f.name, lang))
            return f"<svg><title>{_f.name} {lang}</title></svg>"
        return dataclasses.replace(f, draw=draw)

    return [dataclasses.replace(s, sections=[
        Section(sec.title, [figure(b) if isinstance(b, Figure) else b for b in sec.blocks])
        for sec in s.sections]) for s in solutions], log


def test_text_json_and_check_draw_no_figure(solutions, no_drawing):
    fresh, log = _logged(solutions)
    for lang in LANGS:
        assert "ex3_vanishing.svg" in render.to_text(fresh, lang, width=100)
        linked = render.to_markdown(fresh, lang, figure_links=True)
        assert f"({NAMES[0]}{'_en' if lang == 'en' else ''}.svg)" in linked
    assert render.to_data(fresh)["exercises"][2]["figures"] == ["ex3_vanishing"]
    # each check re-solves its exercise (or part of it): under no_drawing, any drawing fails
    assert check(1, {"relu_max_slope": "1"}).all_correct
    assert not check(3, {"sigmoid_factor_per_layer": "0.5"}).all_correct
    assert check(2, {"pla_separates_all": "是", "bp_boundary_D": "x1 + x2",
                     "bp_classifies_x4": "no", "bp_turn_deg_t_max": "0"}).all_correct
    assert log == [] and no_drawing == []


def test_markdown_draws_only_its_language_html_both(solutions):
    for lang in LANGS:
        fresh, log = _logged(solutions)
        page = render.to_markdown(fresh, lang)
        assert sorted(log) == sorted((n, lang) for n in NAMES)
        assert page.count("data:image/svg+xml;base64,") == len(NAMES)
    fresh, log = _logged(solutions)
    page = render.to_html(fresh, "zh")
    assert sorted(log) == sorted((n, lang) for n in NAMES for lang in LANGS)
    assert all(f"{n} {lang}</title>" in page for n in NAMES for lang in LANGS)
    render.to_html(fresh, "en")  # drawn once per language, then kept
    assert len(log) == len(NAMES) * len(LANGS)


def test_a_figure_without_words_is_drawn_once_for_both_languages():
    calls: list[str] = []

    def draw(lang):
        calls.append(lang)
        return "<svg/>"

    f = Figure("plain", draw, Text("图", "figure"))
    assert (f.svg_for("en"), f.svg, f.svg_en) == ("<svg/>", "<svg/>", None)
    assert (f.file_name("zh"), f.file_name("en")) == ("plain.svg", "plain.svg")
    assert calls == ["zh"]
    g = Figure("words", lambda lang: f"<svg>{lang}</svg>", Text("图", "figure"), bilingual=True)
    assert (g.file_name("zh"), g.file_name("en")) == ("words.svg", "words_en.svg")
    assert (g.svg, g.svg_en, g.svg_for("en")) == ("<svg>zh</svg>", "<svg>en</svg>", "<svg>en</svg>")


def _svg(fig) -> str:
    from nndl.plotting import figure_bytes

    return figure_bytes(fig, "svg").decode("utf-8")


def test_the_lazy_svg_is_the_eager_one(solutions):
    """Each figure drawn on first use (after the rest of the solution was built) is the SVG
    drawing it straight from the same computation gives."""
    from nndl.activations.plot import curves
    from nndl.classic.plots import plot_outlier

    p1, p2, p3, p4 = (s.params for s in solutions)
    t = ex4.trace(p4.expr, dict(p4.values))
    sweep = ex3.vanishing_sweep(p3.sweep_depths(False), inits=(p3.init,), width=32, batch=32)
    eager = {
        "ex1_activations": {lang: _svg(curves(list(p1.names), lang=lang)) for lang in LANGS},
        "ex4_graph": {lang: ex4.graph_svg(t, lang=lang) for lang in LANGS},
        "ex2_outlier": {"en": _svg(plot_outlier(ex2.experiment(p2), t=max(p2.ts), lang="en"))},
        "ex3_vanishing": {"zh": _svg(ex3.plot_vanishing(sweep, depth=10, lang="zh"))},
    }
    figures = {f.name: f for s in solutions for f in s.figures}
    for name, by_lang in eager.items():
        for lang, svg in by_lang.items():
            assert svg.startswith("<?xml") or svg.startswith("<svg"), name
            assert figures[name].svg_for(lang) == svg, (name, lang)
    # words in the drawing: the two languages differ, and each file is named for its language
    assert figures["ex1_activations"].svg != figures["ex1_activations"].svg_en
    assert figures["ex4_graph"].file_name("en") == "ex4_graph_en.svg"


def test_checking_exercise_1_does_not_import_matplotlib():
    # the curves are imported when drawn (nndl.activations' __getattr__, ex1._draw_curves):
    # checking an answer and the text rendering never pay Matplotlib's import
    import subprocess
    import sys

    code = ("import sys\nfrom nndl.cli import main\n"
            "try:\n    main(['check', '1', 'relu_max_slope=1', '--lang', 'en'])\n"
            "except SystemExit:\n    pass\n"
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stdout + out.stderr
