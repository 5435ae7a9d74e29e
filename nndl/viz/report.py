"""Text renderings of a :class:`~nndl.expr.GraphTrace`: a Rich view for the terminal,
Markdown with LaTeX, and JSON. They only format the trace; both languages render from
the same data."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text as RichText
from rich.tree import Tree

from nndl.expr import format as fm
from nndl.expr.graph import GraphTrace
from nndl.text import Text

_T = {
    "graph": Text("{f} = {expr} 的计算图", "Computational graph of {f} = {expr}"),
    "at": Text("取值 {values}", "at {values}"),
    "node": Text("节点", "node"),
    "op": Text("运算", "op"),
    "definition": Text("定义", "definition"),
    "value": Text("数值（前向）", "value (forward)"),
    "grad": Text("梯度 ∂{f}/∂节点（反向）", "gradient ∂{f}/∂node (backward)"),
    "grad_md": Text("梯度", "gradient"),
    "input": Text("输入", "input"),
    "forward": Text("前向传播（从输入到输出）", "Forward pass (inputs to output)"),
    "backward": Text("反向传播（链式法则，按引擎的计算顺序）",
                     "Backward pass (chain rule, in the order the engine computes it)"),
    "local": Text("局部导数", "local derivative"),
    "gradients": Text("梯度", "Gradients"),
    "nodes": Text("节点", "Nodes"),
    "structure": Text("结构（根为输出）", "Structure (output at the root)"),
    "colon": Text("：", ": "),
    "comma": Text("，", ", "),
    "paren": Text("（{n}）", "({n})"),
    "local_md": Text("（局部导数：{d}）", "(local derivative: {d})"),
}

# the engine's op names as a Chinese course says them (en shows the engine's own name)
OP_ZH = {"add": "加法", "sub": "减法", "mul": "乘法", "div": "除法", "pow": "乘方", "neg": "取负",
         "exp": "指数函数", "log": "对数", "sqrt": "平方根", "abs": "绝对值", "sin": "正弦",
         "cos": "余弦", "tanh": "双曲正切", "sigmoid": "Sigmoid", "relu": "ReLU",
         "maximum": "取较大者", "minimum": "取较小者"}


def op_cell(label: str, op: str, lang: str) -> str:
    """The node table's operation: × (mul) in en, ×（乘法） in zh."""
    if lang != "zh":
        return f"{label}  ({op})"
    name = OP_ZH.get(op, op)
    return name if name.lower() == label.lower() else f"{label}（{name}）"


def _t(key: str, lang: str, **kw) -> str:
    return _T[key].format(**kw)(lang)


def _values(trace: GraphTrace, latex: bool = False) -> str:
    if latex:
        return ", ".join(f"{fm.name_latex(k)} = {fm.num(v, True)}" for k, v in trace.values.items())
    return ", ".join(f"{k} = {fm.num(v)}" for k, v in trace.values.items())


def graph_table(trace: GraphTrace, lang: str = "en"):
    """A Rich renderable: structure tree, node table, forward and backward steps."""
    f = trace.output_id
    title = RichText(_t("graph", lang, f=f, expr=trace.expression), style="bold")
    title.append("   " + _t("at", lang, values=_values(trace)), style="dim")

    by_id = {n.id: n for n in trace.nodes}

    def label(nid: str) -> RichText:
        n = by_id[nid]
        t = RichText(nid, style="bold")
        if n.op != "input":
            t.append(f" = {n.formula}", style="")
        t.append(f"  {fm.num(n.value)}", style="green")
        t.append(f"  ∂{f}/∂{nid} = {fm.num(n.grad)}", style="red")
        return t

    tree = Tree(label(f), guide_style="dim")
    stack = [(tree, f, 0)]
    while stack:  # iterative: long chains do not recurse
        branch, nid, depth = stack.pop()
        subs = [(branch.add(label(child)), child) for child in by_id[nid].inputs]
        for sub, child in reversed(subs):
            if by_id[child].op != "input" and depth < 60:
                stack.append((sub, child, depth + 1))

    nodes = Table(title=_t("nodes", lang), title_justify="left", header_style="bold")
    nodes.add_column(_t("node", lang))
    nodes.add_column(_t("op", lang))
    nodes.add_column(_t("definition", lang))
    nodes.add_column(_t("value", lang), justify="right", style="green")
    nodes.add_column(_t("grad", lang, f=f), justify="right", style="red")
    for n in trace.nodes:
        op = _t("input", lang) if n.op == "input" else op_cell(n.label, n.op, lang)
        nodes.add_row(*map(RichText, (n.id, op, n.formula or "—", fm.num(n.value),
                                      fm.num(n.grad))))  # RichText: [x > 0] is not markup

    fwd = Table(show_header=False, box=None)
    fwd.add_column(justify="right", style="dim")
    fwd.add_column(overflow="fold")
    for i, fs in enumerate(trace.forward, 1):
        fwd.add_row(f"{i}.", RichText(fs.text))

    bwd = Table(show_header=False, box=None)
    bwd.add_column(justify="right", style="dim")
    bwd.add_column(overflow="fold")
    bwd.add_column(style="dim", overflow="fold")  # a Chinese note has no spaces to wrap at
    for i, s in enumerate(trace.steps, 1):
        extra = s.local_text if s.kind == "edge" and s.source != trace.output_id else ""
        note = _note(s, lang)
        if note:
            extra = f"{extra}  {_t('paren', lang, n=note)}" if extra else note
        bwd.add_row(f"{i}.", RichText(s.text), RichText(extra))

    grads = RichText(_t("gradients", lang) + _t("colon", lang), style="bold")
    grads.append(_t("comma", lang).join(f"∂{f}/∂{k} = {fm.num(v)}"
                                        for k, v in trace.gradients.items()),
                 style="red")
    return Group(title, RichText(""), tree, RichText(""), nodes, RichText(""),
                 RichText(_t("forward", lang), style="italic"), fwd, RichText(""),
                 RichText(_t("backward", lang), style="italic"), bwd, RichText(""), grads)


def _note(step, lang: str) -> str:
    """The convention used at a kink, in ``lang`` ('' when there is none)."""
    return step.note_zh if lang == "zh" and step.note_zh else step.note


def _cell(latex: str) -> str:
    bar = "\\vert "  # a bare | would end the Markdown table cell
    return "$" + latex.replace("|", bar) + "$" if latex else "—"


def graph_markdown(trace: GraphTrace, lang: str = "en") -> str:
    f = trace.output_id
    fl = fm.name_latex(f)
    lines = [f"### {_t('graph', lang, f=f, expr=f'`{trace.expression}`')}", "",
             _t("at", lang, values=f"${_values(trace, True)}$"), "",
             f"| {_t('node', lang)} | {_t('definition', lang)} | {_t('value', lang)} | "
             f"{_t('grad_md', lang)} $\\partial {fl}/\\partial\\,\\cdot$ |",
             "|---|---|---:|---:|"]
    for n in trace.nodes:
        definition = _t("input", lang) if n.op == "input" else _cell(
            f"{fm.name_latex(n.id)} = {n.latex}")
        lines.append(f"| ${fm.name_latex(n.id)}$ | {definition} | ${fm.num(n.value, True)}$ | "
                     f"${fm.num(n.grad, True)}$ |")
    lines += ["", f"**{_t('forward', lang)}**", ""]
    lines += [f"{i}. ${s.latex}$" for i, s in enumerate(trace.forward, 1)]
    lines += ["", f"**{_t('backward', lang)}**", ""]
    for i, s in enumerate(trace.steps, 1):
        extra = ""
        if s.kind == "edge" and s.source != f:
            extra = " &nbsp; " + _t("local_md", lang, d=f"${s.local_latex}$")
        note = _note(s, lang)
        if note:
            extra += f" — {note}"
        lines.append(f"{i}. ${s.latex}${extra}")
    grads = _t("comma", lang).join(f"$\\frac{{\\partial {fl}}}{{\\partial {fm.name_latex(k)}}} = "
                      f"{fm.num(v, True)}$" for k, v in trace.gradients.items())
    lines += ["", f"**{_t('gradients', lang)}**{_t('colon', lang)}{grads}", ""]
    return "\n".join(lines)


def graph_json(trace: GraphTrace) -> str:
    return trace.to_json()
