"""Every figure nndl draws, and `nndl act`, read in Chinese: no English outside a short
allow-list, no glyph missing from the fonts (no tofu boxes), an accessible SVG, readable
legends, whole-number epoch/layer ticks, and ex1's shading in separate strips.

CI installs Debian's fonts-wqy-microhei; without a CJK font these tests fail (they do not
skip): a Chinese figure is the point.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from matplotlib import font_manager as fm
from matplotlib.ft2font import FT2Font
from matplotlib.legend import Legend
from matplotlib.text import Text as MplText

from nndl.plotting import LEGEND_SIZE, cjk_font, figure_bytes, figure_lang, style

# words a Chinese reader meets as they are: names (of functions, libraries, algorithms and
# activations), math functions, and units
ALLOWED = {
    "ReLU", "PyTorch", "SymPy", "NumPy", "nndl", "PLA", "BP", "SGD", "Adam", "He", "Xavier",
    "Novikoff", "JSON", "MLP", "mlp", "lenet", "LeNet",
    "Sigmoid", "Tanh", "LeakyReLU", "ELU", "SELU", "Softplus", "GELU", "SiLU", "Swish", "Mish",
    "Hardsigmoid", "Hardtanh", "GELU_tanh", "softplus", "hardsigmoid", "hardtanh",
    "exp", "log", "tanh", "erf", "max", "min", "sqrt", "inf",
    "ns", "px", "pt",
    "uv",  # (u/v)′ = (u′v − uv′)/v², the quotient rule
}
CJK_RE = re.compile("[\u4e00-\u9fff]")


def english_words(text: str) -> list[str]:
    """Words of two or more Latin letters that are not allowed, after code and math are cut
    (PyTorch calls such as torch.sigmoid, LaTeX between $…$ and its commands)."""
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", " ", text, flags=re.S)
    text = re.sub(r"\\[A-Za-z]+", " ", text)
    text = re.sub(r"torch(\.\w+)+(\([^)]*\))?|`[^`]*`", " ", text)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w not in ALLOWED]


def test_a_cjk_font_is_installed_and_used():
    assert cjk_font(), "no CJK font: install fonts-wqy-microhei (Debian) or Noto Sans CJK"
    assert figure_lang("zh") == "zh" and figure_lang("en") == "en"
    assert style()["font.family"][1] == cjk_font()


def test_english_word_filter():
    assert english_words("Sigmoid 的导数 torch.sigmoid $\\frac{d}{dx}$") == []
    assert english_words("饱和区 saturation") == ["saturation"]


# ------------------------------------------------------------------ the figures
def _train_history():
    from nndl.train.loop import TrainHistory, train_digits

    out = train_digits("mlp", epochs=3, seed=0)
    return next(x for x in out if isinstance(x, TrainHistory))


@pytest.fixture(scope="module")
def figures():
    """name -> (builder taking lang), each built the way nndl's commands and solutions do."""
    from nndl.activations.plot import curves
    from nndl.classic.experiment import outlier_experiment
    from nndl.classic.plots import plot_outlier
    from nndl.deep.plots import plot_vanishing
    from nndl.deep.vanish import vanishing_sweep
    from nndl.train.plots import learning_curve

    outlier = outlier_experiment((1, 100), epochs=30)
    sweep = vanishing_sweep(range(2, 7), width=8, batch=8)
    history = _train_history()
    return {
        "ex1_activations": lambda lang: curves(["sigmoid", "tanh", "relu", "gelu"], lang=lang),
        "ex2_outlier": lambda lang: plot_outlier(outlier, lang=lang),
        "ex3_vanishing": lambda lang: plot_vanishing(sweep, lang=lang),
        "learning_curve": lambda lang: learning_curve(history, lang=lang),
    }


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(MplText) if t.get_visible() and t.get_text().strip()]


def _charmap(family: str) -> set[int]:
    return set(FT2Font(fm.findfont(fm.FontProperties(family=family), fallback_to_default=False))
               .get_charmap())


NAMES = ["ex1_activations", "ex2_outlier", "ex3_vanishing", "learning_curve"]


@pytest.mark.parametrize("name", NAMES)
def test_figure_is_chinese_without_english_or_tofu(figures, name, artifacts_dir):
    fig = figures[name]("zh")
    texts = _texts(fig)
    assert any(CJK_RE.search(t) for t in texts), texts
    words = sorted({w for t in texts for w in english_words(t)})
    assert not words, f"English in the Chinese figure {name}: {words}"
    # every character is in DejaVu Sans or in the CJK font: no box where a glyph should be
    have = _charmap("DejaVu Sans") | _charmap(cjk_font())
    missing = sorted({ch for t in texts for ch in t if ord(ch) not in have and not ch.isspace()})
    assert not missing, f"{name}: glyphs in no font: {missing}"
    svg = figure_bytes(fig, "svg").decode("utf-8")
    head = svg[svg.index("<svg"):svg.index(">", svg.index("<svg")) + 1]
    label = re.search(r'aria-label="([^"]+)"', head)
    assert 'role="img"' in head and label and CJK_RE.search(label.group(1))
    assert f"<title>{label.group(1)}</title>" in svg
    assert not english_words(label.group(1))
    (artifacts_dir / f"{name}_zh.svg").write_text(svg, encoding="utf-8")
    (artifacts_dir / f"{name}_zh.png").write_bytes(figure_bytes(figures[name]("zh"), "png"))


@pytest.mark.parametrize("name", NAMES)
def test_figure_in_english_has_no_chinese(figures, name):
    texts = _texts(figures[name]("en"))
    assert texts and not any(CJK_RE.search(t) for t in texts)


@pytest.mark.parametrize("name", NAMES)
def test_legends_are_readable(figures, name):
    fig = figures[name]("zh")
    legends = fig.findobj(Legend)
    assert legends, name
    for lg in legends:
        for t in lg.get_texts():
            assert t.get_fontsize() >= LEGEND_SIZE, (name, t.get_text(), t.get_fontsize())


@pytest.mark.parametrize(("name", "axes"), [("learning_curve", (0, 1)), ("ex3_vanishing", (0, 1, 2, 3))])
def test_epoch_and_layer_ticks_are_whole_numbers(figures, name, axes):
    fig = figures[name]("zh")
    fig.canvas.draw()
    for k in axes:
        ax = fig.axes[k]
        lo, hi = ax.get_xlim()
        ticks = [v for v in ax.get_xticks() if lo <= v <= hi]
        assert ticks and all(float(v).is_integer() for v in ticks), (name, k, ticks)


def test_ex1_shading_never_overlaps(figures):
    """Each activation's saturation regions lie in its own strip of the f′ panel, so two
    translucent colours never mix into a muddy third."""
    from matplotlib.patches import Rectangle

    fig = figures["ex1_activations"]("zh")
    ax_d = fig.axes[1]
    spans = [p for p in ax_d.patches if isinstance(p, Rectangle)]
    assert len(spans) >= 5  # sigmoid 2, tanh 2, relu 1, gelu 1
    boxes = [(p.get_x(), p.get_x() + p.get_width(), p.get_y(), p.get_y() + p.get_height())
             for p in spans]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            x_overlap = min(a[1], b[1]) > max(a[0], b[0])
            y_overlap = min(a[3], b[3]) > max(a[2], b[2]) + 1e-12
            assert not (x_overlap and y_overlap), (a, b)


# ------------------------------------------------------------------ `nndl act` in Chinese
def _nndl(*args: str) -> str:
    env = {**os.environ, "COLUMNS": "80", "NNDL_LANG": "zh"}
    out = subprocess.run([sys.executable, "-m", "nndl", *args], capture_output=True, text=True,
                         timeout=300, env=env)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_act_in_chinese_has_no_english(fmt, tmp_path):
    out = _nndl("act", "--all", "--format", fmt, "--plot", str(tmp_path / "f.svg"))
    assert CJK_RE.search(out)
    out = out.replace(str(tmp_path / "f.svg"), "").replace("f.svg", "")  # the file name given
    words = sorted(set(english_words(out)))
    assert not words, f"English in `nndl act --format {fmt}` (zh): {words}"
    svg = (tmp_path / "f.svg").read_text(encoding="utf-8")
    assert 'role="img"' in svg and "激活函数及其导数" in svg


def test_act_fits_80_columns():
    from rich.cells import cell_len

    out = _nndl("act", "--all")
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    assert "…" not in out  # no clipped cell


def test_without_a_cjk_font_the_figure_falls_back_to_english(monkeypatch):
    """No CJK font on the machine: the English figure, not boxes where 汉字 should be."""
    import nndl.plotting
    from nndl.activations.plot import curves

    monkeypatch.setattr(nndl.plotting, "cjk_font", lambda: None)
    assert nndl.plotting.figure_lang("zh") == "en"
    texts = _texts(curves(["sigmoid"], lang="zh"))
    assert "Activation functions and their derivatives (shaded: saturation)" in texts
    assert not any(CJK_RE.search(t) for t in texts)
