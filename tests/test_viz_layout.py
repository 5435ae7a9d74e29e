"""The graph drawing is legible: read back from the SVG itself, no two texts (wire labels,
captions, notes, names) overlap each other or a node outline, and no wire passes through
a node (or its caption) that it does not connect.

The geometry here is independent of nndl.viz.layout's own placement code: boxes are taken
from the drawn elements (text width estimated as svg.py estimates it, ``text_width``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

import nndl
from nndl.expr import trace
from nndl.solutions.ex4 import Params
from nndl.viz import draw, graph_svg
from nndl.viz.layout import text_width

SVG = "{http://www.w3.org/2000/svg}"
PAD = 1.0          # px around every text box (the labels' white halo is 1.5 px wide)
CLEAR = 2.0        # px a wire keeps from a node it does not connect

SEED = Params()
BIG = ("sigmoid(w1*x1 + w2*x2 + b1)*v1 + tanh(w3*x1 + w4*x2 + b2)*v2"
       " + relu(x1 - x2)*x1 + x2*x2 - b1")
GRAPHS = {
    "sheet": (SEED.expr, dict(SEED.values)),
    "x*y+x": ("x*y+x", {"x": 2, "y": 3}),
    "(x+y)^2*z": ("(x+y)^2*z", {"x": 3, "y": -4, "z": 0.5}),
    "neuron": ("sigmoid(w1*x1+w2*x2+b)", {"w1": 0.5, "x1": 1, "w2": -0.3, "x2": 2, "b": 0.1}),
    "three uses": ("x*y + x*z + x", {"x": 2, "y": 3, "z": 4}),
    "cube": ("x*x*x", {"x": -1.5}),
    "cube plus": ("x*x*x + x", {"x": 2}),
    "one node": ("x", {"x": 2}),
    "two nodes": ("exp(x)", {"x": 1}),
    "three nodes": ("x*y", {"x": 2, "y": -7}),
    "square": ("x*x", {"x": 3}),
    "30 nodes": (BIG, {"w1": 0.5, "x1": 1, "w2": -1, "x2": 2, "b1": 0.1, "v1": 2, "w3": 0.3,
                       "w4": -0.2, "b2": 0, "v2": -1}),
}


@dataclass
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    what: str

    def meets(self, o: Box) -> bool:
        return self.x0 < o.x1 and o.x0 < self.x1 and self.y0 < o.y1 and o.y0 < self.y1


@dataclass
class Node:
    shape: str
    cx: float
    cy: float
    w: float
    h: float

    def distance(self, x: float, y: float) -> float:
        """Signed distance from the outline (negative inside)."""
        if self.shape == "circle":
            return ((x - self.cx) ** 2 + (y - self.cy) ** 2) ** 0.5 - self.w / 2
        dx, dy = abs(x - self.cx) - self.w / 2, abs(y - self.cy) - self.h / 2
        if dx > 0 and dy > 0:
            return (dx * dx + dy * dy) ** 0.5
        return max(dx, dy)

    def meets(self, b: Box) -> bool:
        nx = min(max(self.cx, b.x0), b.x1)   # the box's point nearest the centre
        ny = min(max(self.cy, b.y0), b.y1)
        return self.distance(nx, ny) < 0


def text_box(t: ET.Element) -> Box:
    s = t.text or ""
    size = float(t.get("font-size"))
    x, y = float(t.get("x")), float(t.get("y"))
    w = text_width(s, size)
    x0 = {"start": x, "middle": x - w / 2, "end": x - w}[t.get("text-anchor")]
    return Box(x0 - PAD, y - 0.8 * size - PAD, x0 + w + PAD, y + 0.22 * size + PAD, repr(s))


def wire_points(d: str) -> list[tuple[float, float]]:
    """Points along a drawn wire, at most half a pixel apart."""
    nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
    n = 2 * int(sum(abs(a - b) for a, b in zip(nums, nums[2:], strict=False))) + 2
    if "Q" in d:
        (x0, y0, cx, cy, x1, y1) = nums
        return [((1 - t) ** 2 * x0 + 2 * t * (1 - t) * cx + t * t * x1,
                 (1 - t) ** 2 * y0 + 2 * t * (1 - t) * cy + t * t * y1)
                for t in (i / n for i in range(n + 1))]
    pts = list(zip(nums[0::2], nums[1::2], strict=True))
    out = []
    for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
        out += [(x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n) for i in range(n + 1)]
    return out


def problems(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    g = {e.get("id"): e for e in root.iter(f"{SVG}g")}
    nodes: list[Node] = []
    for c in g["nodes"].iter(f"{SVG}circle"):
        cx, cy, r = (float(c.get(k)) for k in ("cx", "cy", "r"))
        nodes.append(Node("circle", cx, cy, 2 * r, 2 * r))
    for rc in g["nodes"].iter(f"{SVG}rect"):
        x, y, w, h = (float(rc.get(k)) for k in ("x", "y", "width", "height"))
        nodes.append(Node("box", x + w / 2, y + h / 2, w, h))

    def inside_node(b: Box) -> bool:   # a node's own lines are drawn inside its outline
        mx, my = (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2
        return any(n.distance(mx, my) < 0 for n in nodes)

    texts = [b for b in (text_box(t) for t in root.iter(f"{SVG}text") if t.text)
             if not inside_node(b)]
    width, height = float(root.get("width")), float(root.get("height"))
    bad = [f"text {b.what} leaves the canvas" for b in texts
           if b.x0 < 0 or b.y0 < 0 or b.x1 > width or b.y1 > height]
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            if a.meets(b):
                bad.append(f"text {a.what} overlaps text {b.what}")
        for n in nodes:
            if n.meets(a):
                bad.append(f"text {a.what} overlaps the node at ({n.cx}, {n.cy})")
    captions = {}   # the caption above each circle (an op's name: q, p, f)
    for t in g["nodes"].iter(f"{SVG}text"):
        if t.get("font-style") == "italic":
            b = text_box(t)
            captions[min(range(len(nodes)),
                         key=lambda k, b=b: nodes[k].distance((b.x0 + b.x1) / 2, b.y1))] = b
    for p in g["wires"].iter(f"{SVG}path"):
        pts = wire_points(p.get("d"))
        if any(not (0 <= x <= width and 0 <= y <= height) for x, y in pts):
            bad.append(f"wire {p.get('d')} leaves the canvas")
        ends = {k for k, n in enumerate(nodes)
                if min(abs(n.distance(*pts[0])), abs(n.distance(*pts[-1]))) < 1.0}
        for k, n in enumerate(nodes):
            if k in ends:
                continue
            if min(n.distance(x, y) for x, y in pts) < CLEAR:
                bad.append(f"wire {p.get('d')} passes through the node at ({n.cx}, {n.cy})")
            cap = captions.get(k)
            if cap and any(cap.x0 < x < cap.x1 and cap.y0 < y < cap.y1 for x, y in pts):
                bad.append(f"wire {p.get('d')} passes through caption {cap.what}")
    return bad


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", list(GRAPHS))
def test_expression_graph_texts_and_wires_do_not_collide(name, lang):
    expr, values = GRAPHS[name]
    t = trace(expr, values)
    if name == "30 nodes":
        assert len(t.nodes) == 30
    assert problems(graph_svg(t, lang=lang)) == []


def test_tensor_graphs_wires_avoid_nodes():
    nndl.manual_seed(0)
    x = nndl.randn(4, 3)
    w = nndl.randn(3, 2, requires_grad=True)
    b = nndl.zeros(2, requires_grad=True)
    h = nndl.tanh(x @ w + b)
    loss = (h * h + h).mean() + (w * w).sum() * 0.01
    loss.backward()
    assert problems(draw(loss).svg) == []
    assert problems(draw(loss, lang="zh").svg) == []


def test_the_checker_sees_todays_faults():
    """The checker is not blind: a label drawn on a caption, a wire through a node."""
    svg = graph_svg(trace("x*y", {"x": 2, "y": 3}))
    root = ET.fromstring(svg)
    g = {e.get("id"): e for e in root.iter(f"{SVG}g")}
    cap = next(t for t in g["nodes"].iter(f"{SVG}text") if t.get("font-style") == "italic")
    label = next(iter(g["wire-labels"].iter(f"{SVG}text")))
    label.set("x", cap.get("x"))
    label.set("y", cap.get("y"))
    circle = next(g["nodes"].iter(f"{SVG}circle"))
    x, y = float(circle.get("cx")), float(circle.get("cy"))
    ET.SubElement(g["wires"], f"{SVG}path", d=f"M{x - 60},{y + 3} L{x + 60},{y + 3}")
    found = problems(ET.tostring(root, encoding="unicode"))
    assert any("overlaps text" in p for p in found)
    assert any("passes through the node" in p for p in found)


@pytest.mark.parametrize("name", ["sheet", "(x+y)^2*z", "neuron", "three nodes"])
def test_a_graph_with_room_keeps_straight_wires_and_middle_labels(name):
    """Nothing moves where nothing collides: the textbook drawings stay as they were."""
    from nndl.viz.diagram import from_trace
    from nndl.viz.layout import layout, routes

    expr, values = GRAPHS[name]
    d = from_trace(trace(expr, values), "en")
    for r in routes(d, layout(d)):
        assert r.ctrl is None and r.gap == 5.0
        assert r.anchor == ((r.p0[0] + r.p1[0]) / 2, (r.p0[1] + r.p1[1]) / 2)


def test_a_wire_skipping_a_column_bends_round_the_node_with_its_labels_on_the_bend():
    from nndl.viz.diagram import from_trace
    from nndl.viz.layout import layout, routes

    d = from_trace(trace("x*y+x", {"x": 2, "y": 3}), "en")
    lay = layout(d)
    skip = next(r for r in routes(d, lay) if (r.src, r.dst) == ("x", "f"))
    assert skip.ctrl is not None
    # the labels sit at the bend's middle, on the far side of q from the straight line
    mid = (0.25 * skip.p0[0] + 0.5 * skip.ctrl[0] + 0.25 * skip.p1[0],
           0.25 * skip.p0[1] + 0.5 * skip.ctrl[1] + 0.25 * skip.p1[1])
    assert skip.anchor == pytest.approx(mid)
    q = lay.pos["q"]
    assert skip.anchor[1] < q.y - q.h / 2 - 12   # above q and its caption
