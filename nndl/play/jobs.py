"""The two computations that re-run whole worked solutions — ``solve`` and ``check`` — as
plain functions of picklable arguments, so that :mod:`nndl.play.worker` can run them in a
separate process under a time limit. Each returns exactly what the command prints with
``--format json`` (and, for solve, the HTML answer key's body)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_MAIN = re.compile(r"<main>(.*)</main>", re.S)
_TOC = re.compile(r'<nav class="toc">.*?</nav>', re.S)


def answer_key_body(page: str) -> str:
    """The worked solutions of ``nndl solve --format html`` without the page around them
    (its header, contents list, styles and script): what the playground shows."""
    m = _MAIN.search(page)
    return _TOC.sub("", m.group(1) if m else "").strip()


def solve(n: int, params: Any) -> tuple[str, str]:
    """``nndl solve N NAME=VALUE... --format json`` and the HTML body of the same solution."""
    from nndl.solutions import render
    from nndl.solutions import solve as solve_one

    solution = solve_one(n, params)
    return render.to_json([solution]), answer_key_body(render.to_html([solution], "zh"))


def check(problem: Any, answers: dict[str, str], params: Any, lang: str) -> str:
    """``nndl check PROBLEM ... --format json --lang LANG``."""
    from nndl.check import check as check_answers
    from nndl.check.render import to_json

    return to_json(check_answers(problem, answers, params), lang)


JOBS: dict[str, Callable[..., Any]] = {"solve": solve, "check": check}
