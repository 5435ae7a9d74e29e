"""`nndl check`: a student's answers checked, each wrong one diagnosed."""

from __future__ import annotations

import sys
from typing import Literal

import typer

from nndl.commands._common import Language, command_help, helptext, lang_option, rendered
from nndl.errors import NNDLError
from nndl.report import Format
from nndl.text import Text

TextJson = Literal[Format.text, Format.json]  # what --format accepts (and --help lists)


def check_command(
    problem: str = typer.Argument(..., metavar="PROBLEM", help=helptext(
        "1-6（原题中的一道），或 graph 表达式、summary 网络描述、derivative 函数 答案"
        "（自己出的题）。",
        "1-6 (an exercise of the sheet); graph EXPR, summary SPEC or derivative FUNC ANSWER "
        "(problems of your own).")),
    args: list[str] | None = typer.Argument(
        None, metavar="[SPEC] KEY=VALUE...", help=helptext(
            "你的答案，键名同 nndl solve N --format json（fc_params=27,000,100 "
            "conv_output_shape=296x296x100），以及题目参数（同 nndl solve）。",
            "Your answers under the keys of `nndl solve N --format json` (fc_params=27,000,100 "
            "conv_output_shape=296x296x100), and the exercise's parameters, as in nndl solve.")),
    at: str | None = typer.Option(None, "--at", help=helptext(
        "用于 graph：各变量的取值，如 --at x=1,y=2,z=-6。",
        "For graph: the variables' values, e.g. --at x=1,y=2,z=-6.")),
    lang: Language = lang_option(helptext("zh 或 en（反馈的语言）。",
                                          "zh or en (the feedback's language).")),
    fmt: TextJson = typer.Option(Format.text, "--format", "-f",
                                 help=helptext("text 或 json。", "text or json.")),
    variant: str | None = typer.Option(None, "--variant", help=helptext(
        "对照 nndl gen 生成的变体检查（其编号，如 5-g1-s42-i3-standard）：每个 KEY=VALUE "
        "都是答案。",
        "Check against a variant made by nndl gen (its id, e.g. 5-g1-s42-i3-standard): every "
        "KEY=VALUE is an answer.")),
) -> None:
    """Check your answers: which are right, and which mistake gave each wrong one.

    For each wrong answer nndl names the step that went wrong and the mistake
    that gives exactly that number, found by re-running the solver with each
    mistake switched on.

    Exit status: 0 when every answer is right, 1 when any is wrong or
    undetermined, 2 when the input cannot be read.

    \b
    Examples:
      nndl check 5 fc_params=27,000,000 conv_output_shape=296x296x100
      nndl check 5 image=32x32x3 fc_params=307,300
      nndl check 6 conv1_params=34,944 maxpool1_output=27x27x96
      nndl check summary "input 32x32x3; conv 6 5x5; fc 10" Conv-1.params=456
      nndl check 4 f=-54 df/dx=-36 df/dz=9
      nndl check graph "x*y+x" --at x=2,y=3 df/dx=4
      nndl check derivative sigmoid "sigmoid(x)*(1-sigmoid(x))"
    """
    from nndl.check import check, exercise_args
    from nndl.check.render import to_json, to_text
    from nndl.commands.solve import _pairs

    out_format = rendered(fmt, lang, TextJson)
    code = lang.value
    rest = list(args or [])
    target = problem.strip().lower()
    if variant is not None:
        report = _check_variant(target, variant, rest, code)
    elif target in ("summary", "graph", "derivative"):
        if not rest:
            what = _FIRST[target]
            raise NNDLError(Text(_T["first"].zh.format(target=target, what=what.zh),
                                 _T["first"].en.format(target=target, what=what.en)),
                            hint=_T["example"] + _EXAMPLE[target])
        first, rest = rest[0], rest[1:]
        if target == "summary":
            report = check("summary", _pairs(rest, code), first)
        elif target == "graph":
            at_pairs = _pairs((at or "").replace(",", " ").split(), code)
            values = {k: _number(k, v) for k, v in at_pairs.items()}
            report = check("graph", _pairs(rest, code), (first, values))
        else:
            if len(rest) != 1:
                raise NNDLError(_T["derivative"], hint=_T["example"] + _EXAMPLE["derivative"])
            report = check("derivative", {"derivative": rest[0]}, first)
    elif target in ("1", "2", "3", "4", "5", "6"):
        n = int(target)
        answers, params = exercise_args(n, _pairs(rest, code))
        report = check(n, answers, params)
    else:
        raise NNDLError(_T["no_problem"].format(problem=problem), hint=_T["no_problem_hint"])
    out = (to_json(report, lang.value) if out_format is Format.json
           else to_text(report, lang.value))
    sys.stdout.write(out)
    if not report.all_correct:
        raise typer.Exit(1)


# ------------------------------------------------------------------ --variant (nndl gen)
def _check_variant(target: str, variant: str, rest: list[str], lang: str):
    """Every KEY=VALUE is an answer, checked against the parameters the id rebuilds."""
    from nndl.check import check
    from nndl.commands.solve import _pairs, variant_params

    if not target.isdigit():
        raise NNDLError(Text(f"--variant 要跟习题号一起用，不能用于 '{target}'",
                             f"--variant belongs with an exercise number, not '{target}'"),
                        hint=_T["example"] + "nndl check 5 --variant 5-g1-s42-i3-standard fc_params=…")
    params = variant_params("check", target, [int(target)], variant, given=False)
    return check(int(target), _pairs(rest, lang), params)


_FIRST = {"summary": Text("网络描述", "network spec"), "graph": Text("表达式", "expression"),
          "derivative": Text("函数", "function")}
_EXAMPLE = {
    "summary": 'nndl check summary "input 32x32x3; conv 6 5x5" Conv-1.params=456',
    "graph": 'nndl check graph "(x+y)^2*z" --at x=1,y=2,z=-6 f=-54',
    "derivative": 'nndl check derivative sigmoid "sigmoid(x)*(1-sigmoid(x))"',
}
_T = {
    "first": Text("nndl check {target} 需要先给出{what}", "nndl check {target} needs the {what} first"),
    "example": Text("例如 ", "e.g. "),
    "derivative": Text("nndl check derivative 只取一个函数和一个答案",
                       "nndl check derivative takes a function and one answer"),
    "no_problem": Text("nndl check 没有题目 '{problem}'", "nndl check has no problem '{problem}'"),
    "no_problem_hint": Text("用习题号 1-6，或 graph、summary、derivative",
                            "use an exercise 1-6, or graph, summary or derivative"),
}


def _number(name: str, text: str) -> float:
    from nndl.check.values import parse_number

    return float(parse_number(text, name))


command_help(check_command, """检查你的答案：哪些对，每个错的答案出自哪个错误。

    对每个错误答案，nndl 指出出错的那一步，以及恰好得出这个数的错误：
    做法是把每种常见错误逐一打开，重新运行求解器。

    退出状态：全部正确为 0，有错或无法判定为 1，输入无法读取为 2。

    \b
    示例：
      nndl check 5 fc_params=27,000,000 conv_output_shape=296x296x100
      nndl check 5 image=32x32x3 fc_params=307,300
      nndl check 6 conv1_params=34,944 maxpool1_output=27x27x96
      nndl check summary "input 32x32x3; conv 6 5x5; fc 10" Conv-1.params=456
      nndl check 4 f=-54 df/dx=-36 df/dz=9
      nndl check graph "x*y+x" --at x=2,y=3 df/dx=4
      nndl check derivative sigmoid "sigmoid(x)*(1-sigmoid(x))"
    """)


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)
