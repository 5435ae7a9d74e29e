"""`nndl solve`: the sheet's six exercises with complete worked solutions."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from nndl.commands._common import (
    WROTE,
    Language,
    command_help,
    helptext,
    lang_option,
    render_result,
    rendered,
)
from nndl.errors import NNDLError
from nndl.report import Format
from nndl.text import Text

_T = {
    "one_exercise": Text("参数只属于一道题，但所选的 '{which}' 包含 {n} 道",
                         "parameters belong to one exercise, but the selection '{which}' "
                         "names {n}"),
    "one_exercise_hint": Text("只选一道题，例如 nndl solve 5 image=224x224x3",
                              "choose one exercise, e.g. nndl solve 5 image=224x224x3"),
    "html_terminal": Text("--format html 写出的是网页，终端无法显示",
                          "--format html writes a web page, which a terminal cannot show"),
    "html_terminal_hint": Text("用 -o 文件夹 写入文件夹（图放在旁边），或重定向："
                               "nndl solve --format html > key.html",
                               "write it into a folder with -o DIR (figures beside it), or "
                               "redirect it: nndl solve --format html > key.html"),
    "unreadable": Text("无法把 '{a}' 读成参数", "cannot read '{a}' as a parameter"),
    "unreadable_hint": Text("写成 参数名=值，例如 kernel=3（nndl solve 题号 --params 列出参数名）",
                            "write NAME=VALUE, e.g. kernel=3 (nndl solve N --params lists the "
                            "names)"),
    "twice": Text("参数 '{name}' 给了两次", "the parameter '{name}' is given twice"),
    "twice_hint": Text("每个参数只给一次", "give each parameter once"),
}


def solve_command(
    which: str = typer.Argument("all", help=helptext(
        "哪几道题：1-6 中的题号、范围（1-3）、列表（2,5）或 all。",
        "Which exercises: 1-6, a range (1-3), a list (2,5) or all.")),
    assignments: list[str] | None = typer.Argument(
        None, metavar="[NAME=VALUE]...", help=helptext(
            "某一道题的参数（其余保持原题的值），如 nndl solve 5 image=224x224x3 filters=64 "
            "kernel=3 pad=1。--params 列出可用参数。",
            "Parameters of one exercise (the rest keep the sheet's values), e.g. "
            "nndl solve 5 image=224x224x3 filters=64 kernel=3 pad=1. --params lists them.")),
    list_params: bool = typer.Option(False, "--params", help=helptext(
        "列出该题的参数（名称、类型、默认值、可取值）后退出。",
        "List the exercise's parameters (name, type, default, allowed values) and stop.")),
    lang: Language = lang_option(helptext("zh（原题的语言）或 en。",
                                          "zh (the sheet's language) or en.")),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help=helptext(
        "text（终端）、md（Markdown，公式在 $…$ 中）、html（一个自包含页面）、json。"
        "md 输出到终端时图嵌在文中；用 -o 目录则图另存为 SVG 文件并在文中链接。",
        "text (terminal), md (Markdown with $…$ math), html (one self-contained page), json. "
        "md on stdout embeds the figures; with -o DIR they are SVG files beside it, linked.")),
    out: Path | None = typer.Option(None, "--output", "-o", file_okay=False, help=helptext(
        "输出目录：写入 solutions.<格式> 和每张图（SVG）。",
        "Folder: write solutions.<fmt> and every figure (SVG) into it.")),
    full: bool = typer.Option(False, "--full", help=helptext(
        "运行更长的扫描（几秒变成几十秒），并逐个 t 讲解习题 2。",
        "Run the longer sweeps (seconds become tens of seconds) and explain exercise 2 t by t.")),
    brief: bool = typer.Option(False, "--brief", help=helptext(
        "只给题目、答案和验证。", "Only the problems, answers and checks.")),
    variant: str | None = typer.Option(None, "--variant", help=helptext(
        "nndl gen 生成的变体的参数，由其编号给出（如 5-g1-s42-i3-standard）。",
        "The parameters of a variant made by nndl gen, from its id (e.g. "
        "5-g1-s42-i3-standard).")),
) -> None:
    """Print the six exercises with worked solutions, every number computed by nndl now.

    \b
    Examples:
      nndl solve                      all six, in Chinese, in the terminal
      nndl solve 4 --lang en          exercise 4 (computational graph) in English
      nndl solve --brief              problems, answers and checks only
      nndl solve --format html -o out answer key as one HTML page + figures
      nndl solve 5 image=224x224x3 filters=64 kernel=3 pad=1
                                      exercise 5 for other numbers
      nndl solve 5 --params           the parameters exercise 5 takes
    """
    fmt = rendered(fmt, lang, Format)
    from nndl.fileio import check_folder
    from nndl.solutions import params_class, parse_selection, render, solve, solve_all

    numbers = parse_selection(which)
    if (assignments or list_params) and len(numbers) != 1:
        raise NNDLError(_T["one_exercise"].format(which=which, n=len(numbers))(lang.value),
                        hint=_T["one_exercise_hint"](lang.value))
    if list_params:
        render.print_params(params_class(numbers[0]), lang.value)
        return
    chosen = None
    if variant is not None:
        chosen = variant_params("solve", which, numbers, variant, given=bool(assignments))
    elif assignments:
        chosen = params_class(numbers[0]).from_strings(_pairs(assignments, lang.value))
    if out is not None:  # a bad folder fails now, not after the sweeps
        check_folder(out)
    elif fmt is Format.html and sys.stdout.isatty():  # a page is for a browser, not a terminal
        raise NNDLError(_T["html_terminal"](lang.value), hint=_T["html_terminal_hint"](lang.value))
    solutions = ([solve(numbers[0], chosen, full=full)] if chosen is not None
                 else solve_all(numbers, full=full))
    if brief:
        from nndl.solutions.model import brief as brief_of

        solutions = [brief_of(s) for s in solutions]
    lang_code = lang.value
    figure_links = None
    files: dict[str, str] = {}  # -o: written together at the end (_write_folder)
    if out is not None:
        figure_links = True
        for s in solutions:
            for f in s.figures:
                for code in ("zh", "en"):
                    files[f.file_name(code)] = f.svg_for(code)
    if fmt is Format.text and out is not None:  # a file: a fixed width, no colours
        content, name = render.to_text(solutions, lang_code, width=110), "solutions.txt"
    else:
        content = render_result(render, solutions, fmt, lang_code, figure_links=figure_links)
        name = f"solutions.{fmt.value}"
    if out is None:
        sys.stdout.write(content)
    else:
        files[name] = content
        _write_folder(out, files)
        typer.echo(WROTE.format(path=out / name)(lang_code))


def _write_folder(out: Path, files: dict[str, str]) -> None:
    """Every file of -o appears in ``out`` together, or (a full disk, Ctrl-C) none does: they
    are written into a temporary folder beside it, which then takes its place."""
    from nndl.fileio import atomic_dir

    with atomic_dir(out) as tmp:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")


# ------------------------------------------------------------------ --variant (nndl gen)
def variant_params(command: str, which: str, numbers: list[int], variant: str, given: bool):
    """The Params a variant id rebuilds, for exactly the exercise it belongs to (and no
    NAME=VALUE parameters beside it: the id fixes them all)."""
    from nndl.gen import from_id, parse_id

    vid = parse_id(variant)
    if len(numbers) != 1 or numbers[0] != vid.exercise:
        right = f"nndl {command} {vid.exercise} --variant {variant}"
        raise NNDLError(Text(f"变体 {variant} 属于第 {vid.exercise} 题，不属于 '{which}'",
                             f"the variant {variant} belongs to exercise {vid.exercise}, not to "
                             f"'{which}'"),
                        hint=Text(f"写成 {right}", f"write {right}"))
    if given:
        raise NNDLError(Text("变体编号已确定它的全部参数，不能再用 参数名=值 改动",
                             "a variant's id fixes all its parameters; NAME=VALUE cannot change them"),
                        hint=Text("--variant 和 参数名=值 只能留一个",
                                  "leave out either --variant or the NAME=VALUE parameters"))
    return from_id(variant)


def _pairs(assignments: list[str], lang: str = "zh") -> dict[str, str]:
    """['image=224x224x3', 'pad=1'] -> {'image': '224x224x3', 'pad': '1'} (errors in ``lang``)."""
    pairs: dict[str, str] = {}
    for a in assignments:
        name, eq, value = a.partition("=")
        name = name.strip()
        if not eq or not name:
            raise NNDLError(_T["unreadable"].format(a=a)(lang), hint=_T["unreadable_hint"](lang))
        if name in pairs:
            raise NNDLError(_T["twice"].format(name=name)(lang), hint=_T["twice_hint"](lang))
        pairs[name] = value
    return pairs


command_help(solve_command, """给出六道题的完整题解，每个数都由 nndl 当场算出。

    \b
    示例：
      nndl solve                      全部六题，中文，显示在终端
      nndl solve 4 --lang en          习题 4（计算图），英文
      nndl solve --brief              只给题目、答案和验证
      nndl solve --format html -o out 答案写成一个 HTML 页面，另附各图
      nndl solve 5 image=224x224x3 filters=64 kernel=3 pad=1
                                      换一组数做习题 5
      nndl solve 5 --params           习题 5 可用的参数
    """)


def register(app: typer.Typer) -> None:
    app.command("solve")(solve_command)
