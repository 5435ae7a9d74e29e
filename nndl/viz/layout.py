"""A small layered (Sugiyama-style) left-to-right layout, deterministic to the bit.

1. Columns: a node sits one column right of its rightmost input. Inputs stay in the
   first column (textbook figures) or move next to their first user (tensor graphs).
2. Order within a column: a few barycentre sweeps to reduce crossings (stable sorts).
3. Rows: each column is placed as close as possible to the mean row of its neighbours,
   keeping order and spacing; this least-squares problem is solved exactly by
   pool-adjacent-violators (isotonic regression).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from nndl.viz.diagram import Diagram, DNode

FONT = 13          # px, node labels
SMALL = 11         # px, captions, wire labels, box details
LINE_H = 16        # px between lines inside a box
MARGIN = 24


def text_width(s: str, size: float = FONT) -> float:
    """Estimated advance width of ``s`` (wide CJK glyphs count double)."""
    w = 0.0
    for ch in s:
        if unicodedata.east_asian_width(ch) in "WF":
            w += 1.0
        elif ch in "il.,:;|!'[]()":
            w += 0.35
        elif ch.isupper() or ch in "mwMW×−+=Σ":
            w += 0.75
        else:
            w += 0.6
    return w * size


def node_size(n: DNode) -> tuple[float, float]:
    if n.shape == "circle":
        d = max(40.0, text_width(n.lines[0].text) + 18)
        return d, d
    widths = [text_width(ln.text, FONT if i == 0 else SMALL) for i, ln in enumerate(n.lines)]
    return max(44.0, max(widths) + 20), 14.0 + LINE_H * len(n.lines)


@dataclass
class Placed:
    x: float
    y: float
    w: float
    h: float
    column: int


@dataclass
class Layout:
    pos: dict[str, Placed]
    width: float
    height: float
    column_x: list[float]
    top: float               # y where the graph area starts (below the title)


def _pav(desired: list[float], gaps: list[float]) -> list[float]:
    """Rows closest (least squares) to ``desired`` with row[i+1] - row[i] >= gaps[i]."""
    offsets = [0.0]
    for g in gaps:
        offsets.append(offsets[-1] + g)
    target = [d - o for d, o in zip(desired, offsets, strict=True)]
    blocks: list[list[float]] = []  # [mean, count]
    for t in target:
        blocks.append([t, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, c2 = blocks.pop()
            m1, c1 = blocks.pop()
            blocks.append([(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2])
    rows: list[float] = []
    for m, c in blocks:
        rows.extend([m] * int(c))
    return [r + o for r, o in zip(rows, offsets, strict=True)]


def layout(d: Diagram, *, column_gap: float = 96.0, row_gap: float = 44.0,
           top: float = 0.0) -> Layout:
    ids = [n.id for n in d.nodes]
    index = {nid: i for i, nid in enumerate(ids)}
    preds: dict[str, list[str]] = {nid: [] for nid in ids}
    succs: dict[str, list[str]] = {nid: [] for nid in ids}
    for e in d.edges:
        if e.src in preds and e.dst in preds:
            preds[e.dst].append(e.src)
            succs[e.src].append(e.dst)

    # 1. columns (nodes arrive in topological order, inputs before users)
    col: dict[str, int] = {}
    for nid in ids:
        col[nid] = 1 + max((col[p] for p in preds[nid]), default=-1)
    if not d.inputs_left:
        for nid in reversed(ids):
            if not preds[nid] and succs[nid]:
                col[nid] = max(0, min(col[s] for s in succs[nid]) - 1)
    ncol = max(col.values(), default=0) + 1
    columns: list[list[str]] = [[] for _ in range(ncol)]
    for nid in ids:
        columns[col[nid]].append(nid)

    # 2. order within columns: barycentre sweeps
    def bary(nid: str, nbrs: dict[str, list[str]], slot: dict[str, int]) -> float:
        ns = nbrs[nid]
        return sum(slot[n] for n in ns) / len(ns) if ns else float(slot[nid])

    for _ in range(3):
        for direction in (preds, succs):
            slot = {nid: i for c in columns for i, nid in enumerate(c)}
            seq = range(1, ncol) if direction is preds else range(ncol - 2, -1, -1)
            for c in seq:
                columns[c].sort(key=lambda nid, dd=direction, s=slot: (bary(nid, dd, s),
                                                                       index[nid]))
                slot.update({nid: i for i, nid in enumerate(columns[c])})
    if d.inputs_left:  # textbook: the inputs in reading order, top to bottom
        columns[0].sort(key=lambda nid: index[nid])

    # 3. rows
    size = {n.id: node_size(n) for n in d.nodes}
    extra = {n.id: (SMALL + 6 if n.caption else 0, SMALL + 8 if n.note else 0) for n in d.nodes}
    y: dict[str, float] = {}
    for c in columns:
        acc = 0.0
        for i, nid in enumerate(c):
            if i:
                acc += _gap(c[i - 1], nid, size, extra, row_gap)
            y[nid] = acc
    for it in range(8):
        nbrs = preds if it % 2 == 0 else succs
        for c in (columns if it % 2 == 0 else reversed(columns)):
            desired = []
            for nid in c:
                ns = nbrs[nid] or preds[nid] + succs[nid]
                desired.append(sum(y[n] for n in ns) / len(ns) if ns else y[nid])
            gaps = [_gap(a, b, size, extra, row_gap) for a, b in zip(c, c[1:], strict=False)]
            for nid, row in zip(c, _pav(desired, gaps), strict=True):
                y[nid] = row

    # 4. coordinates
    widths = [max(size[nid][0] for nid in c) for c in columns]
    column_x, x = [], MARGIN
    for i, w in enumerate(widths):
        x += w / 2 if i == 0 else widths[i - 1] / 2 + column_gap + w / 2
        column_x.append(x)
    min_top = min(y[nid] - size[nid][1] / 2 - extra[nid][0] for nid in ids)
    shift = top + MARGIN - min_top
    pos = {nid: Placed(round(column_x[col[nid]], 2), round(y[nid] + shift, 2), size[nid][0],
                       size[nid][1], col[nid]) for nid in ids}
    bottom = max(p.y + p.h / 2 + extra[nid][1] for nid, p in pos.items())
    right = column_x[-1] + widths[-1] / 2
    return Layout(pos, right + MARGIN, bottom + MARGIN, column_x, top)


def _gap(a: str, b: str, size, extra, row_gap: float) -> float:
    return size[a][1] / 2 + extra[a][1] + row_gap + extra[b][0] + size[b][1] / 2


# ------------------------------------------------------------------ wires
@dataclass
class Route:
    """A wire: from ``p0`` to ``p1`` (on the node outlines), straight or one quadratic bend."""
    src: str
    dst: str
    p0: tuple[float, float]
    p1: tuple[float, float]
    ctrl: tuple[float, float] | None
    anchor: tuple[float, float]       # where the labels sit
    normal: tuple[float, float]       # unit vector pointing "above" the wire
    top: str
    bottom: str


def _boundary(p: Placed, shape: str, toward: tuple[float, float]) -> tuple[float, float]:
    dx, dy = toward[0] - p.x, toward[1] - p.y
    if dx == 0 and dy == 0:
        return p.x, p.y
    if shape == "circle":
        r = p.w / 2
        norm = (dx * dx + dy * dy) ** 0.5
        return p.x + dx / norm * r, p.y + dy / norm * r
    sx = (p.w / 2) / abs(dx) if dx else float("inf")
    sy = (p.h / 2) / abs(dy) if dy else float("inf")
    s = min(sx, sy)
    return p.x + dx * s, p.y + dy * s


def routes(d: Diagram, lay: Layout, stub: float = 70.0) -> list[Route]:
    shapes = {n.id: n.shape for n in d.nodes}
    groups: dict[tuple[str, str], list] = {}
    for e in d.edges:
        groups.setdefault((e.src, e.dst), []).append(e)
    out: list[Route] = []
    for (src, dst), es in groups.items():
        a, b = lay.pos[src], lay.pos[dst]
        for i, e in enumerate(es):
            offset = (i - (len(es) - 1) / 2) * 30.0
            mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
            dx, dy = b.x - a.x, b.y - a.y
            length = (dx * dx + dy * dy) ** 0.5 or 1.0
            nx, ny = dy / length, -dx / length
            if offset:
                ctrl = (mx + nx * 2 * offset, my + ny * 2 * offset)
                p0 = _boundary(a, shapes[src], ctrl)
                p1 = _boundary(b, shapes[dst], ctrl)
                anchor = (0.25 * p0[0] + 0.5 * ctrl[0] + 0.25 * p1[0],
                          0.25 * p0[1] + 0.5 * ctrl[1] + 0.25 * p1[1])
            else:
                ctrl = None
                p0 = _boundary(a, shapes[src], (b.x, b.y))
                p1 = _boundary(b, shapes[dst], (a.x, a.y))
                # the middle: wires converge at their target and diverge at their source
                anchor = ((p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2)
            out.append(Route(src, dst, p0, p1, ctrl, anchor, (nx, ny), e.top, e.bottom))
    if d.output is not None and d.output.src in lay.pos:
        p = lay.pos[d.output.src]
        p0 = _boundary(p, shapes[d.output.src], (p.x + 1, p.y))
        p1 = (p0[0] + stub, p0[1])
        out.append(Route(d.output.src, "", p0, p1, None, ((p0[0] + p1[0]) / 2, p0[1]), (0.0, -1.0),
                         d.output.top, d.output.bottom))
    return out


def label_points(r: Route, gap: float = 5.0, size: float = SMALL):
    """Baselines of the text above and below the wire."""
    (ax, ay), (nx, ny) = r.anchor, r.normal
    above = (ax + nx * gap, ay + ny * gap)
    below = (ax - nx * gap, ay - ny * gap + size * 0.85)
    return above, below
