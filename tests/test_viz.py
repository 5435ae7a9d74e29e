"""nndl.viz: the drawings are well-formed, deterministic, and show the trace's numbers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

import nndl
from nndl.errors import NNDLError
from nndl.expr import trace
from nndl.viz import Drawing, draw, graph_dot, graph_markdown, graph_png, graph_svg, graph_table

SVG = "{http://www.w3.org/2000/svg}"
SEED = ("(x+y)^2*z", {"x": 1, "y": 2, "z": -6})


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_svg_is_wellformed_deterministic_and_shows_values_and_gradients(lang, artifacts_dir):
    t = trace(*SEED[:1], SEED[1])
    svg = graph_svg(t, lang=lang)
    assert svg == graph_svg(trace(*SEED[:1], SEED[1]), lang=lang)  # byte-identical
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    w, h = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}" and w > 0 < h
    texts = _texts(svg)
    for wanted in ["3", "9", "−54", "−36", "−6", "+", "^2", "×", "q", "p", "f", "x", "y", "z"]:
        assert wanted in texts, wanted
    assert len(root.findall(f".//{SVG}circle")) == 3  # q, p, f
    # values in green, gradients in red: the wire q -> p carries 3 above and -36 below
    green = {t.text for t in root.iter(f"{SVG}text") if t.get("fill") == "#1a7f37"}
    red = {t.text for t in root.iter(f"{SVG}text") if t.get("fill") == "#cf222e"}
    assert {"1", "2", "3", "9", "−6", "−54"} <= green and {"−36", "−6", "9", "1"} <= red
    if lang == "zh":
        assert any("前向" in s for s in texts)
    (artifacts_dir / f"graph_seed_{lang}.svg").write_text(svg)


def test_every_node_is_inside_the_canvas_and_nodes_do_not_overlap():
    t = trace("x*x + sigmoid(w1*x) - 1/x + max(x,2) + tanh(w1 - x)^2", x=3, w1=0.5)
    root = ET.fromstring(graph_svg(t))
    w, h = float(root.get("width")), float(root.get("height"))
    boxes = []
    for c in root.iter(f"{SVG}circle"):
        cx, cy, r = (float(c.get(k)) for k in ("cx", "cy", "r"))
        boxes.append((cx - r, cy - r, cx + r, cy + r))
    for rc in root.find(f"{SVG}g[@id='nodes']").iter(f"{SVG}rect"):
        x, y, rw, rh = (float(rc.get(k)) for k in ("x", "y", "width", "height"))
        boxes.append((x, y, x + rw, y + rh))
    assert len(boxes) == len(t.nodes)
    for i, a in enumerate(boxes):
        assert a[0] >= 0 and a[1] >= 0 and a[2] <= w and a[3] <= h
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_xml_escaping_in_tensor_names():
    a = nndl.tensor([1.0, 2.0], requires_grad=True)
    a.name = 'w<1> & "b"'
    y = (a * a).sum()
    y.backward()
    svg = draw(y).svg
    ET.fromstring(svg)
    assert 'w<1> & "b"' in _texts(svg)
    assert "&lt;" in svg and "&amp;" in svg


def test_draw_any_tensor_graph_shows_shape_and_stats(artifacts_dir):
    nndl.manual_seed(0)
    x = nndl.randn(4, 3)
    w = nndl.randn(3, 2, requires_grad=True)
    w.name = "W"
    b = nndl.zeros(2, requires_grad=True)
    b.name = "b"
    loss = nndl.sigmoid(x @ w + b).mean()
    loss.backward()
    d = draw(loss)
    assert isinstance(d, Drawing) and d._repr_svg_() == d.svg == draw(loss).svg
    texts = _texts(d.svg)
    for op in ("matmul", "add", "sigmoid", "mean", "W", "b"):
        assert op in texts, op
    assert "3×2 float32" in texts and "scalar float32" in texts
    assert any(s.startswith("grad μ") for s in texts)
    assert any(s == f"value {nndl.expr.format.num(float(loss.data))}" for s in texts)
    assert "digraph" in d.dot and "matmul" in d.dot
    png = d.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png == draw(loss).png()
    (artifacts_dir / "graph_tensor.svg").write_text(d.svg)


def test_png_is_deterministic_and_chinese_with_a_cjk_font(artifacts_dir):
    from nndl.plotting import cjk_font

    t = trace(*SEED[:1], SEED[1])
    png = graph_png(t)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png == graph_png(t)
    (artifacts_dir / "graph_seed.png").write_bytes(png)
    # CI installs fonts-wqy-microhei: without a CJK font this fails (it does not skip)
    assert cjk_font(), "no CJK font found (install fonts-wqy-microhei)"
    zh = draw(t, lang="zh")
    assert zh.png() != png and zh.png() == graph_png(t, lang="zh")
    (artifacts_dir / "graph_seed_zh.png").write_bytes(zh.png())


def test_svg_is_an_accessible_image():
    svg = graph_svg(trace(*SEED[:1], SEED[1]), lang="zh")
    head = svg[:svg.index(">", svg.index("<svg")) + 1]
    assert 'role="img"' in head and 'aria-label="f = (x+y)^2*z' in head
    assert "<title>f = (x+y)^2*z" in svg and "WenQuanYi Micro Hei" in head


def test_dot_text():
    dot = graph_dot(trace(*SEED[:1], SEED[1]))
    assert dot.startswith("digraph nndl {") and dot.rstrip().endswith("}")
    assert '"q" -> "p"' in dot and "−36" in dot and "rankdir=LR" in dot


def test_save_by_extension(tmp_path):
    d = draw(trace(*SEED[:1], SEED[1]))
    for ext in ("svg", "png", "pdf", "dot"):
        assert d.save(tmp_path / f"g.{ext}").stat().st_size > 100
    with pytest.raises(NNDLError, match="format"):
        d.save(tmp_path / "g.txt")
    with pytest.raises(NNDLError):
        draw("(x+y)^2*z")


def test_markdown_and_terminal_reports():
    from rich.console import Console

    t = trace("x*x + y", x=3, y=-1)
    md = graph_markdown(t, "en")
    assert "| $q$ | $q = x \\cdot x$ | $9$ | $1$ |" in md
    assert "\\mathrel{+}=" in md  # x used twice: its two terms accumulate
    console = Console(width=140, record=True)
    console.print(graph_table(t, "zh"))
    out = console.export_text()
    assert "前向传播" in out and "∂f/∂x = 3 + 3 = 6" in out


def test_layout_handles_a_long_chain():
    x = nndl.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(300):
        y = nndl.tanh(y)
    svg = draw(y).svg
    assert len(ET.fromstring(svg).findall(f".//{SVG}rect")) >= 301
    assert np.isfinite(float(ET.fromstring(svg).get("width")))


def test_tensor_shows_its_graph_in_jupyter():
    import xml.etree.ElementTree as ET

    import nndl

    x = nndl.tensor([1.0, 2.0], requires_grad=True)
    assert x._repr_svg_() is None  # a leaf has no graph to draw
    y = (x * x + x).sum()
    svg = y._repr_svg_()
    ET.fromstring(svg)
    assert svg == nndl.viz.draw(y).svg
