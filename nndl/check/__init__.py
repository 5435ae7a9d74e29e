"""Check a student's answers: which are right, and for each wrong one the step that went
wrong and the named mistake that produces exactly that number.

>>> from nndl.check import check
>>> r = check(5, {"fc_params": "27,000,000"})
>>> r.items[0].verdict, r.items[0].mistakes
('wrong', ['no_bias'])
"""

from __future__ import annotations

from typing import Any

from nndl.check.core import CheckItem, CheckReport
from nndl.check.mistakes import CATALOGUE, Mistake
from nndl.check.values import AnswerError
from nndl.text import Text

__all__ = ["CATALOGUE", "AnswerError", "CheckItem", "CheckReport", "Mistake", "check",
           "exercise_args"]


def exercise_args(number: int, pairs: dict[str, str]) -> tuple[dict[str, str], Any]:
    """Split ``NAME=VALUE`` pairs given for exercise ``number`` into (answers, Params or
    None): names of the exercise's parameters choose the instance (for exercise 4: ``expr``
    and its variables), every other name is an answer key. The command line and the
    playground both read their arguments with this."""
    from nndl.solutions import params_class

    cls = params_class(number)
    names = {p.name for p in cls.info()}
    if number == 4:  # the variables' values are parameters; f, nodes and df/d… are answers
        names = {"expr", *cls._names(pairs.get("expr") or cls().expr)}
    chosen = {k: v for k, v in pairs.items() if k in names}
    answers = {k: v for k, v in pairs.items() if k not in names}
    return answers, (cls.from_strings(chosen) if chosen else None)


def check(problem: int | str, answers: dict[str, str], params: Any = None) -> CheckReport:
    """Check ``answers`` ({key: the student's text}) for exercise ``problem`` (1-6) with
    ``params`` (its Params; None: the sheet's instance), or for a free-standing problem:
    ``"summary"`` (params: the spec), ``"graph"`` (params: (expr, values)),
    ``"derivative"`` (params: the function)."""
    from nndl.check import problems
    from nndl.solutions import params_class

    if problem in (1, 2, 3, 4, "1", "2", "3", "4"):
        n = int(problem)
        p = params if params is not None else params_class(n)()
        p.validate()
        if n == 4:
            from nndl.check.graph import check_graph

            return check_graph(p.expr, dict(p.values), answers, "4")
        checker = {1: problems.check_exercise1, 2: problems.check_exercise2,
                   3: problems.check_exercise3}[n]
        return checker(p, answers)
    if problem == "graph":
        from nndl.check.graph import check_graph

        expr, values = params
        return check_graph(expr, values, answers)
    if problem == "derivative":
        from nndl.check.derivative import check_derivative

        [(_, answer)] = answers.items()
        return check_derivative(params, answer)
    if problem in (5, "5"):
        p = params if params is not None else params_class(5)()
        p.validate()
        return problems.check_layers("5", problems.exercise5_questions(p), answers, p.to_json())
    if problem in (6, "6"):
        p = params if params is not None else params_class(6)()
        p.validate()
        return problems.check_layers("6", problems.exercise6_questions(p), answers, p.to_json())
    if problem == "summary":
        return problems.check_layers("summary", problems.summary_questions(params), answers,
                                     {"spec": params})
    raise AnswerError(Text(f"没有可检查的题目 {problem!r}", f"there is no problem {problem!r} to check"),
                      hint=Text("用习题号 1-6，或 graph、summary、derivative",
                                "use an exercise 1-6, graph, summary or derivative"))
