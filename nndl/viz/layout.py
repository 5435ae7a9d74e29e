"""A small layered (Sugiyama-style) left-to-right layout, deterministic to the bit.

1. Columns: a node sits one column right of its rightmost input. Inputs stay in the
   first column (textbook figures) or move next to their first user (tensor graphs).
2. Order within a column: a few barycentre sweeps to reduce crossings (stable sorts).
3. Rows: each column is placed as close as possible to the mean row of its neighbours,
   keeping order and spacing; this least-squares problem is solved exactly by
   pool-adjacent-violators (isotonic regression).
4. Wires (:func:`routes`): straight, unless that would cross a node (or its caption) it
   does not connect; then the gentlest quadratic bend that clears, with its labels on
   the bend. A label that would hit a node, a caption, a note or another label slides
   along its wire to the nearest clear place. Text boxes are estimated with
   :func:`text_width`, as the SVG and PNG writers lay out their text.
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
            for ci in seq:
                columns[ci].sort(key=lambda nid, dd=direction, s=slot: (  # type: ignore[misc]
                    bary(nid, dd, s), index[nid]))
                slot.update({nid: i for i, nid in enumerate(columns[ci])})
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
    # a caption or note in the first column may reach into the margin, but not past 6 px
    texts = {n.id: max(text_width(n.caption, SMALL + 1) if n.caption else 0.0,
                       text_width(n.note.text, SMALL) if n.note else 0.0) for n in d.nodes}
    widths[0] = max([widths[0]] + [texts[nid] - 2 * (MARGIN - 6) for nid in columns[0]])
    column_x: list[float] = []
    x = float(MARGIN)
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
    gap: float = 5.0                  # between the wire and its labels


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


WIRE_CLEAR = 4.0   # px a wire keeps from a node it does not connect
LABEL_PAD = 1.2    # px kept around every text box (the labels' halo is 1.5 px wide)


@dataclass
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def meets(self, o: _Box) -> bool:
        return self.x0 < o.x1 and o.x0 < self.x1 and self.y0 < o.y1 and o.y0 < self.y1

    def grown(self, by: float) -> _Box:   # a little room between a label and a wire
        return _Box(self.x0 - by, self.y0 - by, self.x1 + by, self.y1 + by)

    def holds(self, x: float, y: float) -> bool:
        return self.x0 < x < self.x1 and self.y0 < y < self.y1

    def crosses(self, pts: list[tuple[float, float]], span: _Box | None = None) -> bool:
        """Whether the polyline through ``pts`` (inside ``span``) enters the box
        (Liang–Barsky clipping)."""
        if span is not None and not self.meets(span):
            return False
        for (xa, ya), (xb, yb) in zip(pts, pts[1:], strict=False):
            t0, t1 = 0.0, 1.0
            for p, q in ((xa - xb, xa - self.x0), (xb - xa, self.x1 - xa),
                         (ya - yb, ya - self.y0), (yb - ya, self.y1 - ya)):
                if p == 0:
                    if q < 0:
                        break
                    continue
                t = q / p
                if p < 0:
                    t0 = max(t0, t)
                else:
                    t1 = min(t1, t)
            else:
                if t0 < t1:
                    return True
        return False


def _bounds(pts: list[tuple[float, float]], pad: float = 0.0) -> _Box:
    xs, ys = [x for x, _ in pts], [y for _, y in pts]
    return _Box(min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)


def text_box(x: float, y: float, s: str, size: float, anchor: str = "middle",
             pad: float = LABEL_PAD) -> _Box:
    """Where text with baseline ``(x, y)`` is drawn (svg.py's ``text-anchor`` values)."""
    w = text_width(s, size)
    x0 = x if anchor == "start" else x - w if anchor == "end" else x - w / 2
    return _Box(x0 - pad, y - 0.8 * size - pad, x0 + w + pad, y + 0.22 * size + pad)


def caption_box(p: Placed, caption: str) -> _Box:
    return text_box(p.x, p.y - p.h / 2 - 6, caption, SMALL + 1)


def note_box(p: Placed, note: str) -> _Box:
    return text_box(p.x, p.y + p.h / 2 + SMALL + 4, note, SMALL)


def text_anchor(nx: float) -> str:
    """Labels beside a steep wire start (or end) at it; beside a flat one they are centred."""
    return "start" if nx > 0.35 else "end" if nx < -0.35 else "middle"


def _outside(p: Placed, shape: str, x: float, y: float) -> float:
    """Signed distance of ``(x, y)`` from the node's outline (negative inside)."""
    if shape == "circle":
        return ((x - p.x) ** 2 + (y - p.y) ** 2) ** 0.5 - p.w / 2
    dx, dy = abs(x - p.x) - p.w / 2, abs(y - p.y) - p.h / 2
    return (dx * dx + dy * dy) ** 0.5 if dx > 0 and dy > 0 else max(dx, dy)


def _box_meets_node(b: _Box, p: Placed, shape: str) -> bool:
    nx, ny = min(max(p.x, b.x0), b.x1), min(max(p.y, b.y0), b.y1)  # nearest to the centre
    return _outside(p, shape, nx, ny) < 0


def _point(r: Route, t: float) -> tuple[float, float]:
    (x0, y0), (x1, y1) = r.p0, r.p1
    if r.ctrl is None:
        return x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
    cx, cy = r.ctrl
    u = 1 - t
    return u * u * x0 + 2 * t * u * cx + t * t * x1, u * u * y0 + 2 * t * u * cy + t * t * y1


def _normal(r: Route, t: float) -> tuple[float, float]:
    (x0, y0), (x1, y1) = r.p0, r.p1
    if r.ctrl is None:
        dx, dy = x1 - x0, y1 - y0
    else:
        cx, cy = r.ctrl
        dx = 2 * (1 - t) * (cx - x0) + 2 * t * (x1 - cx)
        dy = 2 * (1 - t) * (cy - y0) + 2 * t * (y1 - cy)
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    return dy / length, -dx / length


def routes(d: Diagram, lay: Layout, stub: float = 70.0) -> list[Route]:
    """Every wire, bent around the nodes it would cross, with its labels placed where they
    clear node outlines, captions, notes and the labels placed before them. ``lay.height``
    grows if a wire bent below the lowest node (or its labels) needs the room."""
    shapes = {n.id: n.shape for n in d.nodes}
    blocks: dict[str, list[_Box]] = {n.id: [] for n in d.nodes}   # caption and note boxes
    for n in d.nodes:
        p = lay.pos[n.id]
        if n.caption:
            blocks[n.id].append(caption_box(p, n.caption))
        if n.note:
            blocks[n.id].append(note_box(p, n.note.text))

    reach = {nid: _Box(min([p.x - p.w / 2] + [b.x0 for b in blocks[nid]]),
                       min([p.y - p.h / 2] + [b.y0 for b in blocks[nid]]),
                       max([p.x + p.w / 2] + [b.x1 for b in blocks[nid]]),
                       max([p.y + p.h / 2] + [b.y1 for b in blocks[nid]]))
             for nid, p in lay.pos.items()}   # a node with its caption and note

    def clear(r: Route) -> bool:  # misses every node (and its texts) but its own two
        pts = [_point(r, i / 40) for i in range(41)]
        span = _bounds(pts, WIRE_CLEAR)
        if span.y0 < lay.top + SMALL + 6 - WIRE_CLEAR or span.x0 < 6 - WIRE_CLEAR:
            return False   # into the title or off the left edge: bend the other way
        for nid, p in lay.pos.items():
            if nid in (r.src, r.dst) or not span.meets(reach[nid]):
                continue   # its own ends, or too far away to be in the way
            if any(_outside(p, shapes[nid], x, y) < WIRE_CLEAR for x, y in pts):
                return False
            if any(b.crosses(pts) for b in blocks[nid]):
                return False
        return True

    def roomy(r: Route) -> bool:  # its labels, in the middle, clear every node and its texts
        boxes = _label_boxes(r, r.anchor, r.normal)
        if any(b.x0 < 0 or b.y0 < lay.top for b in boxes):
            return False
        return not any(b.meets(o) for b in boxes for bs in blocks.values() for o in bs) and not any(
            _box_meets_node(b, p, shapes[nid]) for b in boxes for nid, p in lay.pos.items())

    groups: dict[tuple[str, str], list] = {}
    for e in d.edges:
        groups.setdefault((e.src, e.dst), []).append(e)
    out: list[Route] = []
    detoured: set[int] = set()
    for (src, dst), es in groups.items():
        a, b = lay.pos[src], lay.pos[dst]
        for i, e in enumerate(es):
            offset = (i - (len(es) - 1) / 2) * 30.0
            r = _wire(a, b, shapes[src], shapes[dst], e, offset)
            if not clear(r):
                r = _detour(_bends(a, b, shapes[src], shapes[dst], e, offset), clear, roomy) or r
                detoured.add(len(out))
            out.append(r)
    if d.output is not None and d.output.src in lay.pos:
        p = lay.pos[d.output.src]
        p0 = _boundary(p, shapes[d.output.src], (p.x + 1, p.y))
        p1 = (p0[0] + stub, p0[1])
        out.append(Route(d.output.src, "", p0, p1, None, ((p0[0] + p1[0]) / 2, p0[1]), (0.0, -1.0),
                         d.output.top, d.output.bottom))
    _place_labels(d, lay, out, shapes, blocks, detoured)
    # a wire bent below the lowest node, or its labels, may reach past the bottom margin
    low = max((y for r in out for _, y in (_point(r, k / 20) for k in range(21))), default=0.0)
    low = max([low] + [b.y1 for r in out for b in _label_boxes(r, r.anchor, r.normal)])
    lay.height = max(lay.height, low + MARGIN / 2)
    return out


def _wire(a: Placed, b: Placed, sa: str, sb: str, e, offset: float) -> Route:
    """Straight from ``a`` to ``b``, or a quadratic bend whose middle lies ``offset`` beside
    the straight line (on the side of the normal, "above" a left-to-right wire)."""
    mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
    dx, dy = b.x - a.x, b.y - a.y
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    nx, ny = dy / length, -dx / length
    if not offset:
        p0, p1 = _boundary(a, sa, (b.x, b.y)), _boundary(b, sb, (a.x, a.y))
        # the middle: wires converge at their target and diverge at their source
        return Route(e.src, e.dst, p0, p1, None, ((p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2),
                     (nx, ny), e.top, e.bottom)
    ctrl = (mx + nx * 2 * offset, my + ny * 2 * offset)
    p0, p1 = _boundary(a, sa, ctrl), _boundary(b, sb, ctrl)
    anchor = (0.25 * p0[0] + 0.5 * ctrl[0] + 0.25 * p1[0],
              0.25 * p0[1] + 0.5 * ctrl[1] + 0.25 * p1[1])
    return Route(e.src, e.dst, p0, p1, ctrl, anchor, (nx, ny), e.top, e.bottom)


def _bends(a: Placed, b: Placed, sa: str, sb: str, e, offset: float) -> list[Route]:
    """Ever stronger bends, 12 px apart, above first (the normal's side)."""
    # one of several wires between the same two nodes keeps its side (or it would cross them)
    sides = (1.0, -1.0) if not offset else (1.0,) if offset > 0 else (-1.0,)
    return [_wire(a, b, sa, sb, e, side * (abs(offset) + k * 12.0))
            for k in range(1, 40) for side in sides]


def _detour(bends: list[Route], clear, roomy) -> Route | None:
    """The gentlest bend that is clear; a little stronger if that leaves room for the labels
    on the bend (but no more: a wire looping far round reads worse than a slid label)."""
    first = next((i for i, r in enumerate(bends) if clear(r)), None)
    if first is None:
        return None
    return next((r for r in bends[first:first + 6] if clear(r) and roomy(r)), bends[first])


def _label_boxes(r: Route, anchor: tuple[float, float], normal: tuple[float, float],
                 gap: float | None = None) -> list[_Box]:
    above, below = label_points(Route(r.src, r.dst, r.p0, r.p1, r.ctrl, anchor, normal, "", "",
                                      r.gap if gap is None else gap))
    out = []
    if r.top:
        out.append(text_box(*above, r.top, SMALL, text_anchor(normal[0])))
    if r.bottom:
        out.append(text_box(*below, r.bottom, SMALL, text_anchor(-normal[0])))
    return out


def _place_labels(d: Diagram, lay: Layout, rs: list[Route], shapes: dict[str, str],
                  blocks: dict[str, list[_Box]], detoured: set[int]) -> None:
    """Labels stay in the middle of their wire unless they hit something there; those slide
    along their wire to the nearest place clear of nodes, captions, notes and other labels
    (and, if such a place exists, clear of other wires too)."""
    fixed = [b for bs in blocks.values() for b in bs]
    fixed.append(_Box(-1e9, -1e9, 1e9, lay.top))   # the title and subtitle
    fixed.append(_Box(-1e9, -1e9, 0.0, 1e9))       # the left edge
    if d.output is not None and rs and rs[-1].dst == "":
        r = rs[-1]
        fixed.append(text_box(r.p1[0] + 6, r.p1[1] + 4, d.output.src, FONT, "start"))

    nodes = [(_Box(p.x - p.w / 2, p.y - p.h / 2, p.x + p.w / 2, p.y + p.h / 2), p, shapes[nid])
             for nid, p in lay.pos.items()]

    def free(boxes: list[_Box], placed: list[_Box]) -> bool:
        return not any(b.meets(o) for b in boxes for o in fixed + placed) and not any(
            b.meets(o) and _box_meets_node(b, p, shape) for b in boxes for o, p, shape in nodes)

    first = [_label_boxes(r, r.anchor, r.normal) for r in rs]
    others = [[o for j, bs in enumerate(first) if j != i for o in bs] for i in range(len(rs))]
    wires = [[_point(r, k / 40) for k in range(41)] for r in rs]
    spans = [_bounds(w) for w in wires]
    # a label on a wire that was bent round a node moves off it too (a straight wire's labels
    # were always drawn over any wire that crossed them there: left so, for stable drawings)
    ok = [free(bs, others[i]) and not any(b.grown(2).crosses(wires[j], spans[j])
                                          for b in bs for j in detoured if j != i)
          for i, bs in enumerate(first)]
    placed = [b for i, bs in enumerate(first) if ok[i] for b in bs]
    # where to try: the middle first, then ever further out, then a little further off the wire
    outlines = [o for o, _, _ in nodes]
    tries = [(gap, 0.5 + (k // 2) * 0.025 * (1 if k % 2 else -1))
             for gap in (5.0, 10.0) for k in range(1, 34)]
    for i, r in enumerate(rs):
        if ok[i] or not (r.top or r.bottom):
            continue
        best, best_cost = (r.anchor, r.normal, 5.0, first[i]), float("inf")
        for gap, t in tries:
            anchor, normal = _point(r, t), _normal(r, t)
            boxes = _label_boxes(r, anchor, normal, gap)
            if free(boxes, placed):
                spaced = [b.grown(2) for b in boxes]
                if not any(b.crosses(w, spans[j]) for b in spaced
                           for j, w in enumerate(wires) if j != i):
                    best = (anchor, normal, gap, boxes)
                    break
                cost = 0.0   # clear of every text and node, only over a wire
            elif best_cost < 1.0:
                continue   # a clear place is known already
            else:   # nowhere clear (yet): the least overlap
                cost = 1.0 + sum(_overlap(b, o) for b in boxes for o in fixed + placed + outlines
                                 if b.meets(o))
            if cost < best_cost:
                best, best_cost = (anchor, normal, gap, boxes), cost
        r.anchor, r.normal, r.gap, boxes = best
        placed.extend(boxes)


def _overlap(a: _Box, b: _Box) -> float:
    return max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0)) * max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0))


def label_points(r: Route, gap: float | None = None,
                 size: float = SMALL) -> tuple[tuple[float, float], tuple[float, float]]:
    """Baselines of the text above and below the wire."""
    gap = r.gap if gap is None else gap
    (ax, ay), (nx, ny) = r.anchor, r.normal
    above = (ax + nx * gap, ay + ny * gap)
    below = (ax - nx * gap, ay - ny * gap + size * 0.85)
    return above, below
