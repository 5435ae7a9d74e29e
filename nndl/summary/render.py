"""Renderers of a :class:`Summary`: terminal (Rich), Markdown, JSON; zh or en. They only
format the dataclass, every number comes from there."""

from __future__ import annotations

import json

from nndl.nn.module import fmt, shape_text
from nndl.summary.rows import Summary
from nndl.text import Text

L = {
    "title": Text("网络结构汇总", "Architecture summary"),
    "layer": Text("层", "Layer"),
    "type": Text("类型", "Type"),
    "wxhxd": Text("输出 W×H×D", "Output W×H×D"),
    "chw": Text("PyTorch C×H×W", "PyTorch C×H×W"),
    "wxhxd_short": Text("W×H×D", "W×H×D"),
    "chw_short": Text("C×H×W", "C×H×W"),
    "neurons": Text("神经元", "Neurons"),
    "params": Text("参数量", "Params"),
    "mult_adds": Text("乘加次数", "Mult-adds"),
    "input": Text("输入", "Input"),
    "total_params": Text("参数总量", "Total params"),
    "trainable": Text("可训练参数", "Trainable params"),
    "non_trainable": Text("不可训练参数", "Non-trainable params"),
    "total_neurons": Text("神经元总数", "Total neurons"),
    "total_mult_adds": Text("乘加总数", "Total mult-adds"),
    "param_mem": Text("参数内存 (float32)", "Parameter memory (float32)"),
    "act_mem": Text("前向激活内存 (batch 1, float32)", "Forward activations (batch 1, float32)"),
    "verified": Text("已用真实前向传播核对每层形状（全零输入，batch 1）",
                     "Every shape checked by a real forward pass (zeros, batch 1)"),
    "implied": Text("（自动加入）", "(implied)"),
    "implied_note": Text("自动加入：全连接层之前把图像展平", "implied: the image is flattened before the fc layer"),
    "working": Text("计算过程", "Working"),
    "notes": Text("说明", "Notes"),
    "neuron_note": Text("神经元 = 卷积、全连接、池化层的输出元素个数；激活、BN、Dropout、Flatten 不产生新的神经元（—）。",
                        "Neurons = output elements of conv, fc and pooling layers; activations, BN, "
                        "dropout and flatten add no new neurons (—)."),
}


def t(key: str, lang: str) -> str:
    return L[key](lang)


def mem(n_bytes: int) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n_bytes >= size:
            return f"{n_bytes / size:,.2f} {unit}"
    return f"{n_bytes} B"


def _row_cells(r, lang: str) -> list[str]:
    name = r.name + (" " + t("implied", lang) if r.implied else "")
    return [name, r.type, r.textbook_shape, r.torch_shape,
            fmt(r.neurons) if r.neurons else "—", fmt(r.params), fmt(r.mult_adds)]


def _totals(s: Summary, lang: str) -> list[tuple[str, str]]:
    return [
        (t("total_params", lang), fmt(s.total_params)),
        (t("trainable", lang), fmt(s.trainable_params)),
        (t("non_trainable", lang), fmt(s.non_trainable_params)),
        (t("total_neurons", lang), fmt(s.total_neurons)),
        (t("total_mult_adds", lang), fmt(s.total_mult_adds)),
        (t("param_mem", lang), mem(s.param_bytes)),
        (t("act_mem", lang), mem(s.activation_bytes)),
    ]


def print_table(s: Summary, lang: str = "zh", explain: bool = False, console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    from rich import box

    table = Table(title=f"{t('title', lang)} — {t('input', lang)} {shape_text(s.input_shape)}",
                  header_style="bold", box=box.SIMPLE_HEAVY, pad_edge=False)
    # the class name is left out to fit 80 columns: Conv-1 says it (md/json keep it)
    headers = ["layer", "wxhxd_short", "chw_short", "neurons", "params", "mult_adds"]
    for i, h in enumerate(headers):
        table.add_column(t(h, lang), justify="right" if i >= 3 else "left", no_wrap=True)
    table.add_row(t("input", lang), shape_text(s.input_shape),
                  "×".join(map(str, s.input_shape)), "", "", "")
    for r in s.layers:
        cells = _row_cells(r, lang)
        cells[0] = r.name + ("*" if r.implied else "")
        table.add_row(cells[0], *cells[2:])
    console.print(table)
    if any(r.implied for r in s.layers):
        console.print(f"[dim]* {t('implied_note', lang)}[/]", highlight=False)
    if explain:
        console.print(f"[bold underline]{t('working', lang)}[/]", highlight=False)
        for r in s.layers:
            if r.formulas or r.notes:
                src = f" [dim]({r.source})[/]" if r.source else ""
                console.print(f"[bold]{r.name}[/]{src}", highlight=False)
                for f in r.formulas:
                    console.print(f"  {f}", highlight=False, markup=False)
                for n in r.notes:
                    console.print(f"  [yellow]⚠ {n(lang)}[/]", highlight=False)
    for label, value in _totals(s, lang):
        console.print(f"[bold]{label}[/]: {value}", highlight=False)
    console.print(f"[dim]{t('neuron_note', lang)}[/]", highlight=False)
    if s.verified:
        console.print(f"[green]✓ {t('verified', lang)}[/]", highlight=False)
    for n in s.notes:
        console.print(f"[yellow]⚠ {n(lang)}[/]", highlight=False)


def to_markdown(s: Summary, lang: str = "zh", explain: bool = False) -> str:
    headers = [t(h, lang) for h in ("layer", "type", "wxhxd", "chw", "neurons", "params",
                                    "mult_adds")]
    out = [f"## {t('title', lang)} — {t('input', lang)} {shape_text(s.input_shape)}", "",
           "| " + " | ".join(headers) + " |",
           "|" + "|".join(["---"] * 4 + ["---:"] * 3) + "|"]
    out.append(f"| {t('input', lang)} |  | {shape_text(s.input_shape)} | "
               f"{'×'.join(map(str, s.input_shape))} |  |  |  |")
    for r in s.layers:
        out.append("| " + " | ".join(_row_cells(r, lang)) + " |")
    out += ["", "| | |", "|---|---:|"]
    out += [f"| {k} | {v} |" for k, v in _totals(s, lang)]
    out += ["", f"*{t('neuron_note', lang)}*"]
    if s.verified:
        out += ["", f"✓ {t('verified', lang)}"]
    if explain:
        out += ["", f"### {t('working', lang)}", ""]
        for r in s.layers:
            if r.formulas or r.notes:
                out.append(f"**{r.name}** (`{r.source}`)" if r.source else f"**{r.name}**")
                out.append("")
                out += [f"- `{f}`" for f in r.formulas]
                out += [f"- ⚠ {n(lang)}" for n in r.notes]
                out.append("")
    for n in s.notes:
        out += ["", f"> ⚠ {n(lang)}"]
    return "\n".join(out).rstrip() + "\n"


def to_json(s: Summary) -> str:
    return json.dumps(s.to_dict(), ensure_ascii=False, indent=2) + "\n"
