"""One renderer interface (issue 13): every area's render module offers the same names, one
per format — to_text, to_markdown, to_json, and to_html where HTML exists — and the command
line calls exactly that one for the matching --format."""

from __future__ import annotations

import importlib
import inspect

import pytest

from nndl.cli import main
from nndl.commands._common import RENDERERS
from nndl.report import Format

# area -> the formats its render module renders (html: the answer key only)
AREAS = {
    "nndl.classic.render": ("text", "md", "json"),
    "nndl.deep.render": ("text", "md", "json"),
    "nndl.train.render": ("text", "md", "json"),
    "nndl.activations.render": ("text", "md", "json"),
    "nndl.solutions.render": ("text", "md", "json", "html"),
    "nndl.gen.render": ("text", "md", "json"),
}


@pytest.mark.parametrize("module", sorted(AREAS))
def test_every_render_module_offers_the_agreed_names(module):
    mod = importlib.import_module(module)
    for fmt in AREAS[module]:
        name = RENDERERS[Format(fmt)]
        fn = getattr(mod, name, None)
        assert callable(fn), f"{module} has no {name}"
        params = list(inspect.signature(fn).parameters)
        assert params[0] not in ("fmt", "format"), f"{module}.{name}: the result comes first"
        if fmt != "json":
            assert params[1] == "lang", f"{module}.{name}(result, lang, ...)"
        if fmt == "text" and module != "nndl.gen.render":  # gen's text is plain lines
            # tables are laid out for the terminal's width; colours only on a terminal
            assert {"width", "color"} <= set(params), f"{module}.{name} takes width and color"
    # the old per-area names are gone
    for old in ("render_outlier", "render_backprop", "render_vanish", "render_text"):
        assert not hasattr(mod, old), f"{module}.{old} is still there"


# command line -> the render module it must use; small, fast instances
COMMANDS = {
    "nndl.classic.render": ["experiment", "outlier", "--t", "1", "--epochs", "5"],
    "nndl.deep.render": ["vanish", "-d", "2", "-a", "relu", "-i", "he", "--width", "4",
                         "--batch", "4"],
    "nndl.activations.render": ["act", "relu"],
    "nndl.train.render": ["train", "digits", "-m", "mlp", "-e", "1", "--no-progress"],
    "nndl.solutions.render": ["solve", "4"],
}


@pytest.mark.parametrize("module", sorted(COMMANDS))
def test_the_cli_calls_the_renderer_of_its_format(module, monkeypatch, capsys):
    mod = importlib.import_module(module)
    formats = [f for f in AREAS[module] if f != "html" or module == "nndl.solutions.render"]
    for fmt in formats:
        name = RENDERERS[Format(fmt)]
        marker = f"<<{module}.{name}>>"
        monkeypatch.setattr(mod, name, lambda *a, _m=marker, **k: _m)
        assert main([*COMMANDS[module], "--format", fmt, "--lang", "en"]) == 0
        out = capsys.readouterr().out
        assert marker in out, f"--format {fmt} did not go through {module}.{name}: {out[:200]}"
        monkeypatch.undo()


def test_backprop_goes_through_deep_render(monkeypatch, capsys):
    from nndl.deep import render

    for fmt in ("text", "md", "json"):
        name = RENDERERS[Format(fmt)]
        monkeypatch.setattr(render, name, lambda *a, _n=name, **k: f"<<{_n}>>")
        assert main(["experiment", "backprop", "--no-check", "--format", fmt]) == 0
        assert f"<<{name}>>" in capsys.readouterr().out
        monkeypatch.undo()
