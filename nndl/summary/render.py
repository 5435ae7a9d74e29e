"""Renderers of a :class:`Summary`: terminal (Rich), Markdown, JSON; zh or en. They only
format the dataclass, every number comes from there."""

from __future__ import annotations

import json

from nndl.nn.module import fmt, shape_text
from nndl.report import wrap_zh
from nndl.summary.formulas import formula_text
from nndl.summary.rows import MULT_ADDS_NOTE, Summary
from nndl.text import Text

L = {
    "title": Text("网络结构汇总", "Architecture summary"),
    "layer": Text("层", "Layer"),
    "type": Text("类型", "Type"),
    "wxhxd": Text("输出 W×H×D", "Output W×H×D"),
    "chw": Text("PyTorch C×H×W", "PyTorch C×H×W"),
    "wxhxd_short": Text("W×H×D", "W×H×D"),
    "chw_short": Text("C×H×W", "C×H×W"),
    "shape_short": Text("PyTorch 形状", "PyTorch shape"),
    "neurons": Text("神经元数", "Neurons"),
    "params": Text("参数量", "Params"),
    "mult_adds": Text("乘加次数", "Mult-adds"),
    "input": Text("输入", "Input"),
    "total_params": Text("参数总量", "Total params"),
    "trainable": Text("可训练参数", "Trainable params"),
    "non_trainable": Text("不可训练参数", "Non-trainable params"),
    "total_neurons": Text("神经元总数", "Total neurons"),
    "total_mult_adds": Text("乘加总数", "Total mult-adds"),
    "param_mem": Text("参数内存（float32）", "Parameter memory (float32)"),
    "act_mem": Text("前向激活内存（批大小 1，float32）", "Forward activations (batch 1, float32)"),
    "act_mem_input": Text("前向激活内存（按给定的输入，float32）",
                          "Forward activations (the input as given, float32)"),
    "verified": Text("每层的形状都已用一次真实的前向传播核对过（全零输入，批大小 1）",
                     "Every shape checked by a real forward pass (zeros, batch 1)"),
    "implied": Text("（自动加入）", "(implied)"),
    "implied_note": Text("自动加入的层：图像进入全连接层之前要先展平成向量",
                         "implied: the image is flattened before the fc layer"),
    "working": Text("计算过程", "Working"),
    "traced": Text("形状取自模型自身的前向传播（在每个模块上挂前向钩子记录）",
                   "Shapes from the model's own forward pass (forward hooks on every module)"),
    "meta": Text("形状取自 PyTorch 自身的前向传播：在 meta 设备上只推算形状，不分配内存",
                 "Shapes from PyTorch's own forward pass, shape-only on the meta device (no "
                 "memory)"),
    "buffers": Text("缓冲区数值（不是参数，如 BN 的滑动均值）", "Buffer values (not parameters, e.g. "
                    "BatchNorm's running statistics)"),
    "shared": Text("共享参数（多个模块持有，只计一次）", "Shared parameters (held by several modules, "
                   "counted once)"),
    "measured_mark": Text("† 这一层没有公式：形状和参数量都是在前向传播中实测的",
                          "† measured, no formula: shape and parameters from the forward pass"),
    "not_called": Text("（未调用）", "(not called)"),
    "call": Text("第 {k} 次调用", "call {k}"),
    "input_n": Text("输入 {k}", "Input {k}"),
    "notes": Text("说明", "Notes"),
    "working_torchinfo": Text("下面的乘加次数公式按 nndl 的约定（只数与权重相乘的次数）；表中的乘加次数"
                              "按 torchinfo 的约定，两者可能不同。",
                              "The mult-adds formulas below follow nndl's convention "
                              "(multiplications by weights); the table's mult-adds follow "
                              "torchinfo's, so the two may differ."),
    "neuron_note": Text("神经元数指卷积层、全连接层和池化层输出的元素个数；激活函数、BN、Dropout "
                        "和展平只改变数值或形状，不产生新的神经元，表中记作 —。",
                        "Neurons = output elements of conv, fc and pooling layers; activations, BN, "
                        "dropout and flatten add no new neurons (—)."),
}


def t(key: str, lang: str) -> str:
    return L[key](lang)


def colon(lang: str) -> str:
    """The colon after a label: full-width after Chinese."""
    return "：" if lang == "zh" else ": "


def _bracketed(text: str, lang: str) -> str:
    """A spec statement or module path after a row's name: （…） in Chinese text."""
    return f"（{text}）" if lang == "zh" else f" ({text})"


def mem(n_bytes: int) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n_bytes >= size:
            return f"{n_bytes / size:,.2f} {unit}"
    return f"{n_bytes} B"


def _label(r, lang: str, indent: str = "  ") -> str:
    """The row's name as the table shows it: indented by its depth (a module inside a
    container), with the call number of a reused module and a mark for a measured one."""
    name = indent * r.depth + r.name
    if r.call > 1:
        name += _bracketed(t("call", lang).format(k=r.call), lang)
    if r.not_called:
        name += t("not_called", lang) if lang == "zh" else " " + t("not_called", lang)
    if r.measured:
        name += " †"
    return name


def _shape_cells(r) -> tuple[str, str]:
    if not r.output_shape:
        return "", ""
    return r.textbook_shape, r.torch_shape


def _row_cells(r, lang: str, indent: str = "  ") -> list[str]:
    name = _label(r, lang, indent) + ((t("implied", lang) if lang == "zh" else " " + t("implied", lang))
                                      if r.implied else "")
    book, torch = _shape_cells(r)
    macs = "" if (r.container or r.not_called) else fmt(r.mult_adds)
    return [name, r.type, book, torch, fmt(r.neurons) if r.neurons else "—", fmt(r.params), macs]


def _inputs(s: Summary, lang: str) -> list[tuple[str, str, str]]:
    """(label, W×H×D, PyTorch shape) of each input."""
    shapes = s.input_shapes if s.batch_included and s.input_shapes else [s.input_shape]
    out = []
    for k, shape in enumerate(shapes, start=1):
        label = t("input", lang) if len(shapes) == 1 else t("input_n", lang).format(k=k)
        book = shape_text(tuple(shape[1:])) if s.batch_included and len(shape) > 1 else \
            ("" if s.batch_included else shape_text(shape))
        out.append((label, book, "×".join(map(str, shape))))
    return out


def _totals(s: Summary, lang: str) -> list[tuple[str, str]]:
    rows = [
        (t("total_params", lang), fmt(s.total_params)),
        (t("trainable", lang), fmt(s.trainable_params)),
        (t("non_trainable", lang), fmt(s.non_trainable_params)),
    ]
    if s.shared_params:
        rows.append((t("shared", lang), fmt(s.shared_params)))
    if s.total_buffers:
        rows.append((t("buffers", lang), fmt(s.total_buffers)))
    rows += [
        (t("total_neurons", lang), fmt(s.total_neurons)),
        (t("total_mult_adds", lang), fmt(s.total_mult_adds)),
        (t("param_mem", lang), mem(s.param_bytes)),
        (t("act_mem_input" if s.batch_included else "act_mem", lang), mem(s.activation_bytes)),
    ]
    return rows


def _footer(s: Summary, lang: str) -> list[str]:
    """The lines under the totals, in order: what the numbers mean and where they come from."""
    out = [t("neuron_note", lang), MULT_ADDS_NOTE[s.mult_adds_convention](lang)]
    if any(r.measured for r in s.layers):
        out.append(t("measured_mark", lang))
    return out


def _provenance(s: Summary, lang: str) -> str | None:
    if s.batch_included and s.verified:
        return t("traced", lang)
    if s.batch_included:
        return t("meta", lang)
    return t("verified", lang) if s.verified else None


def print_table(s: Summary, lang: str = "zh", explain: bool = False, console=None) -> None:
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()

    table = Table(title=f"{t('title', lang)} — {t('input', lang)} {shape_text(s.input_shape)}",
                  header_style="bold", box=box.SIMPLE_HEAVY, pad_edge=False)
    # the class name is left out to fit 80 columns: Conv-1 says it (md/json keep it)
    headers = ["layer", "wxhxd_short", "shape_short" if s.batch_included else "chw_short",
               "neurons", "params", "mult_adds"]
    for i, h in enumerate(headers):
        # fold, never crop: a cell too wide for the terminal goes on over two lines
        table.add_column(t(h, lang), justify="right" if i >= 3 else "left", overflow="fold")
    for label, book, torch in _inputs(s, lang):
        table.add_row(label, book, torch, "", "", "")
    for r in s.layers:
        cells = _row_cells(r, lang)
        cells[0] = _label(r, lang) + ("*" if r.implied else "")
        table.add_row(cells[0], *cells[2:])
    console.print(table)
    say = _sayer(console, lang)
    if any(r.implied for r in s.layers):
        say(f"* {t('implied_note', lang)}", "dim")
    if explain:
        console.print(f"[bold underline]{t('working', lang)}[/]", highlight=False)
        if s.mult_adds_convention == "torchinfo":
            say(t("working_torchinfo", lang), "dim")
        for r in s.layers:
            if r.formulas or r.notes:
                src = f"[dim]{escape(_bracketed(r.source, lang))}[/]" if r.source else ""
                console.print(f"[bold]{escape(r.name)}[/]{src}", highlight=False, markup=True)
                for f in r.formulas:
                    say(f"  {formula_text(f, lang)}", "")
                for n in r.notes:
                    say(f"  ⚠ {n(lang)}", "yellow")
    for label, value in _totals(s, lang):
        console.print(f"[bold]{label}[/]{colon(lang)}{value}", highlight=False)
    for line in _footer(s, lang):
        say(line, "dim")
    prov = _provenance(s, lang)
    if prov:
        say(f"✓ {prov}", "green")
    for n in s.notes:
        say(f"⚠ {n(lang)}", "yellow")


def _sayer(console, lang: str):
    """print(line, style): a note under the table, wrapped as Chinese in zh."""
    def say(line: str, style: str) -> None:
        lines = wrap_zh(line, console.width) if lang == "zh" else [line]
        for part in lines:
            console.print(part, style=style, highlight=False, markup=False)
    return say


def to_markdown(s: Summary, lang: str = "zh", explain: bool = False) -> str:
    headers = [t(h, lang) for h in ("layer", "type", "wxhxd",
                                    "shape_short" if s.batch_included else "chw", "neurons",
                                    "params", "mult_adds")]
    out = [f"## {t('title', lang)} — {t('input', lang)} {shape_text(s.input_shape)}", "",
           "| " + " | ".join(headers) + " |",
           "|" + "|".join(["---"] * 4 + ["---:"] * 3) + "|"]
    for label, book, torch in _inputs(s, lang):
        out.append(f"| {label} |  | {book} | {torch} |  |  |  |")
    for r in s.layers:
        out.append("| " + " | ".join(_row_cells(r, lang, indent="· ")) + " |")
    out += ["", "| | |", "|---|---:|"]
    out += [f"| {k} | {v} |" for k, v in _totals(s, lang)]
    out += [""] + [f"*{line}*" for line in _footer(s, lang)]
    prov = _provenance(s, lang)
    if prov:
        out += ["", f"✓ {prov}"]
    if explain:
        out += ["", f"### {t('working', lang)}", ""]
        if s.mult_adds_convention == "torchinfo":
            out += [f"*{t('working_torchinfo', lang)}*", ""]
        for r in s.layers:
            if r.formulas or r.notes:
                src = _bracketed(f"`{r.source}`", lang) if r.source else ""
                out.append(f"**{r.name}**{src}")
                out.append("")
                out += [f"- `{formula_text(f, lang)}`" for f in r.formulas]
                out += [f"- ⚠ {n(lang)}" for n in r.notes]
                out.append("")
    for n in s.notes:
        out += ["", f"> ⚠ {n(lang)}"]
    return "\n".join(out).rstrip() + "\n"


def to_json(s: Summary, lang: str = "en") -> str:
    """The numbers under fixed English keys; the formulas in ``lang`` (notes carry both
    languages). English by default: the playground reads the formulas' English names."""
    return json.dumps(s.to_dict(lang), ensure_ascii=False, indent=2) + "\n"
