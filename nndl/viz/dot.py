"""Graphviz DOT text of a Diagram, for those who have Graphviz (nndl never runs it)."""

from __future__ import annotations

from html import escape

from nndl.viz.diagram import GRAD_COLOR, VALUE_COLOR, Diagram
from nndl.viz.svg import ROLE_COLOR


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(d: Diagram) -> str:
    lines = ["digraph nndl {", "  rankdir=LR;",
             '  node [fontname="DejaVu Sans", fontsize=12];',
             '  edge [fontname="DejaVu Sans", fontsize=10, color="#57606a"];']
    title = " — ".join(t for t in (d.title, d.subtitle) if t)
    if title:
        lines.append(f"  label={_q(title)}; labelloc=t;")
    for n in d.nodes:
        rows = "<br/>".join(f'<font color="{ROLE_COLOR[ln.role]}">{escape(ln.text)}</font>'
                            if i else f"<b>{escape(ln.text)}</b>" for i, ln in enumerate(n.lines))
        if n.note:
            rows += f'<br/><font color="{ROLE_COLOR[n.note.role]}">{escape(n.note.text)}</font>'
        shape = "circle" if n.shape == "circle" else "box"
        attrs = [f"label=<{rows}>", f"shape={shape}", 'style="filled,rounded"',
                 f'fillcolor="{n.fill}"']
        if n.caption:
            attrs.append(f"xlabel={_q(n.caption)}")
        lines.append(f"  {_q(n.id)} [{', '.join(attrs)}];")
    for e in d.edges + ([d.output] if d.output is not None else []):
        dst = e.dst or "__output__"
        if not e.dst:
            lines.append(f'  "__output__" [shape=plaintext, label={_q(e.src)}];')
        label = ""
        if e.top or e.bottom:
            label = (f' [label=<<font color="{VALUE_COLOR}">{escape(e.top)}</font><br/>'
                     f'<font color="{GRAD_COLOR}">{escape(e.bottom)}</font>>]')
        lines.append(f"  {_q(e.src)} -> {_q(dst)}{label};")
    lines.append("}")
    return "\n".join(lines) + "\n"
