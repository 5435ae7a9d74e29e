"""Worked solutions of the course sheet's six exercises, built at run time from nndl's
capabilities (one module per exercise) and rendered by :mod:`nndl.solutions.render`."""

from __future__ import annotations

import importlib
import time

from nndl.errors import NNDLError
from nndl.solutions.model import Solution, Text

EXERCISES = (1, 2, 3, 4, 5, 6)


def parse_selection(which: str) -> list[int]:
    """'all', '4', '1-3', '2,5' -> exercise numbers."""
    which = which.strip().lower()
    if which in ("", "all"):
        return list(EXERCISES)
    numbers: list[int] = []
    for part in which.replace(" ", "").split(","):
        try:
            if "-" in part:
                lo, hi = (int(p) for p in part.split("-", 1))
                if lo > hi:
                    raise NNDLError(Text(f"范围 '{part}' 写反了", f"the range '{part}' runs backwards"),
                                    hint=Text(f"写成 {hi}-{lo}", f"write it as {hi}-{lo}"))
                numbers += list(range(lo, hi + 1))
            else:
                numbers.append(int(part))
        except ValueError:
            raise NNDLError(Text(f"无法读懂题号 '{which}'（在 '{part}' 处）",
                                 f"cannot read the exercise selection '{which}' (at '{part}')"),
                            hint=Text("写一个 1-6 的题号、范围（如 1-3）、列表（如 2,5）或 all",
                                      "use a number 1-6, a range such as 1-3, a list such as 2,5, or all")) from None
    bad = [n for n in numbers if n not in EXERCISES]
    if bad:
        raise NNDLError(Text(f"习题共 6 题（1-6），没有第 {bad[0]} 题",
                             f"the sheet has exercises 1-6; there is no exercise {bad[0]}"),
                        hint=Text("写一个 1-6 的题号、范围（如 1-3）或 all",
                                  "use a number 1-6, a range such as 1-3, or all"))
    return sorted(set(numbers))


def params_class(number: int):
    """The ``Params`` dataclass of exercise ``number`` (the sheet's instance as defaults)."""
    if number not in EXERCISES:
        raise NNDLError(Text(f"没有第 {number} 题", f"there is no exercise {number}"),
                        hint=Text("习题共 6 题（1-6）", "the sheet has exercises 1-6"))
    return importlib.import_module(f"nndl.solutions.ex{number}").Params


def solve(number: int, params=None, *, full: bool = False) -> Solution:
    """Build the worked solution of one exercise (every number computed now) for
    ``params`` (its ``Params``; None: the sheet's own instance)."""
    cls = params_class(number)
    if params is None:
        params = cls()
    elif not isinstance(params, cls):
        raise NNDLError(f"exercise {number} takes {cls.__module__}.Params, got "
                        f"{type(params).__name__}", hint=f"build it as {cls.__module__}.Params(...)")
    params.validate()
    module = importlib.import_module(f"nndl.solutions.ex{number}")
    start = time.perf_counter()
    solution = module.build(params, full=full)
    solution.params = params
    solution.seconds = time.perf_counter() - start
    return solution


def solve_all(numbers: list[int] | None = None, *, full: bool = False) -> list[Solution]:
    return [solve(n, full=full) for n in (numbers or EXERCISES)]
