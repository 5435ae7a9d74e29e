"""Checked answers about a computational graph: the output, any node's value, and the
gradient of the output by any variable or node. A wrong gradient is diagnosed by running
the backward pass again over the engine's own chain-rule terms with a mistake switched on
(the local derivative left out, one path's gradient instead of the sum, the sign)."""

from __future__ import annotations

import itertools
import math

from nndl.check.core import (
    CORRECT,
    CheckItem,
    CheckReport,
    diagnosis_feedback,
    keys_hint,
    plain_wrong,
)
from nndl.check.values import AnswerError, parse_number
from nndl.errors import NNDLError
from nndl.expr import GraphTrace, trace
from nndl.report import fmt_num
from nndl.text import Text

RTOL = 1e-3  # relative tolerance for real numbers (shown in the report)
GRAPH_MISTAKES = ("no_local_gradient", "no_accumulation", "sign")


def backward_with(t: GraphTrace, mistakes: frozenset[str], keep: str = "first",
                  at_step: int | None = None) -> dict[str, float]:
    """∂f/∂node for every node, re-run over the trace's chain-rule terms in the engine's
    order, with ``mistakes`` switched on (``keep``: which path no_accumulation keeps;
    ``at_step``: the one chain-rule step that drops its local derivative, None: all)."""
    grads: dict[str, float] = {t.output_id: 1.0}
    for i, s in enumerate(t.steps):
        if s.kind != "edge" or s.source is None:
            continue
        up = grads.get(s.source, 0.0)
        drop = "no_local_gradient" in mistakes and (at_step is None or at_step == i)
        term = up if drop else up * (s.local if s.local is not None else 0.0)
        if "no_accumulation" in mistakes and s.node in grads:
            if keep == "last":
                grads[s.node] = term
            continue
        grads[s.node] = grads.get(s.node, 0.0) + term
    if "sign" in mistakes:
        grads = {k: -v for k, v in grads.items()}
    return grads


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RTOL, abs_tol=1e-9)


def keys_of(t: GraphTrace) -> list[str]:
    nodes = [n.id for n in t.nodes if n.op != "input" and n.id != t.output_id]
    return ["f", *nodes, *[f"df/d{v}" for v in t.variables], *[f"df/d{n}" for n in nodes]]


def check_graph(expression: str, values: dict[str, float], answers: dict[str, str],
                problem: str = "graph") -> CheckReport:
    t = trace(expression, values)
    known = keys_of(t)
    for key in answers:
        if key not in known:
            raise AnswerError(Text(f"{expression} 的计算图没有答案键 '{key}'",
                                   f"the graph of {expression} has no answer key '{key}'"),
                              hint=keys_hint(known))
    if not answers:
        raise AnswerError(Text("没有要检查的答案", "no answers to check"),
                          hint=Text("用“答案键=值”的形式给出答案，例如 f=-54",
                                    "give answers as KEY=VALUE, e.g. f=-54"))
    right = backward_with(t, frozenset())
    for v in t.variables:  # the re-run sweep must be the engine's (a guard, not a test)
        if not _close(right.get(v, 0.0), t.gradients[v]):
            mine, engine = right.get(v, 0.0), t.gradients[v]
            raise NNDLError(Text(f"内部错误：检查器的反向传播给出 ∂f/∂{v} = {mine}，引擎给出 {engine}",
                                 f"internal: the checker's backward pass gives ∂f/∂{v} = "
                                 f"{mine}, the engine {engine}"),
                            hint=Text("请报告这个问题", "please report this"))
    values_of = {n.id: n.value for n in t.nodes}
    items = []
    for key, text in answers.items():
        given = float(parse_number(text, key))
        if key == "f" or not key.startswith("df/d"):
            node = t.output_id if key == "f" else key
            expected = values_of[node]
            items.append(_item(key, text, given, expected, [], _forward_step(t, node)))
            continue
        node = key[4:]
        expected = right.get(node, 0.0)
        found: list[str] = []
        if not _close(given, expected):
            for size in (1, 2):
                for combo in itertools.combinations(GRAPH_MISTAKES, size):
                    keeps = ("first", "last") if "no_accumulation" in combo else ("first",)
                    steps = ([None, *range(len(t.steps))] if "no_local_gradient" in combo
                             else [None])
                    if any(_close(given, backward_with(t, frozenset(combo), k, i).get(node, 0.0))
                           for k in keeps for i in steps):
                        found = list(combo)
                        break
                if found:
                    break
        items.append(_item(key, text, given, expected, found, _backward_step(t, node)))
    return CheckReport(problem, {"expr": expression, **values}, items, tolerance=RTOL)


def _item(key: str, text: str, given: float, expected: float, mistakes: list[str],
          step: Text | None) -> CheckItem:
    shown = fmt_num(expected)
    if _close(given, expected):
        return CheckItem(key, text, shown, "correct", feedback=CORRECT)
    feedback = (diagnosis_feedback(mistakes, shown) if mistakes
                else plain_wrong(shown, step is not None))
    return CheckItem(key, text, shown, "wrong", mistakes, feedback, step)


def _forward_step(t: GraphTrace, node: str) -> Text | None:
    s = next((s for s in t.forward if s.node == node), None)
    return None if s is None else Text.same(s.text)


def _backward_step(t: GraphTrace, node: str) -> Text | None:
    lines = [s.text for s in t.steps if s.node == node and s.kind in ("edge", "sum")]
    return Text("；".join(lines), "; ".join(lines)) if lines else None
