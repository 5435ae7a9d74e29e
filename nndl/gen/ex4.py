"""Variants of exercise 4: an expression drawn from a small grammar, evaluated at a point.

The grammar: leaves are variables; inner nodes are ``+``, ``−``, ``×`` and the unary
``(·)^2``, ``sigmoid``, ``tanh`` and ``exp``. easy: two or three variables, each used
once, only ``+ − ×`` and at most one square, whole numbers from −3 to 3; standard: three
variables, one of sigmoid / tanh / exp (and perhaps a square), whole and half numbers;
hard: a variable used twice (its gradient sums two paths), one or two functions, possibly
nested, numbers with one decimal from −2.5 to 2.5. At every level each variable's gradient
is at least 0.01 in size, every node's value is at most 1,000 (easy: 200) in size, and
there is no division (so none by zero)."""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from typing import Any

from nndl.check import check
from nndl.check.graph import GRAPH_MISTAKES, backward_with
from nndl.expr import ExprError, trace
from nndl.gen.core import answer_text, display
from nndl.solutions import ex4
from nndl.text import Text

NAMES = (("x", "y", "z"), ("a", "b", "c"), ("u", "v", "w"))
FUNCTIONS = ("sigmoid", "tanh", "exp")
MAX_WRONG = 4  # wrong options kept per gradient


# ------------------------------------------------------------------ the grammar
@dataclass(frozen=True)
class _Node:
    kind: str  # var | + | - | * | sq | sigmoid | tanh | exp
    args: tuple[_Node, ...] = ()
    name: str = ""


_PREC = {"+": 1, "-": 1, "*": 2, "sq": 3}


def _prec(n: _Node) -> int:
    return _PREC.get(n.kind, 4)  # variables and function calls are atoms


def show(n: _Node) -> str:
    """The expression as a student writes it, with only the brackets it needs."""
    if n.kind == "var":
        return n.name
    if n.kind in FUNCTIONS:
        return f"{n.kind}({show(n.args[0])})"
    if n.kind == "sq":
        inner = show(n.args[0])
        return (inner if _prec(n.args[0]) == 4 else f"({inner})") + "^2"
    left, right = n.args
    a = show(left) if _prec(left) >= _PREC[n.kind] else f"({show(left)})"
    tight = _PREC[n.kind] + (1 if n.kind == "-" else 0)  # a − (b + c) keeps its brackets
    b = show(right) if _prec(right) >= tight else f"({show(right)})"
    return f"{a}{n.kind}{b}"


def _nodes(n: _Node) -> list[_Node]:
    out = [n]
    for a in n.args:
        out += _nodes(a)
    return out


def _wrap(root: _Node, target: _Node, kind: str) -> _Node:
    """``root`` with the one node ``target`` (by identity) put inside ``kind``."""
    if root is target:
        return _Node(kind, (root,))
    return _Node(root.kind, tuple(_wrap(a, target, kind) for a in root.args), root.name)


def _tree(rng: random.Random, difficulty: str) -> _Node:
    if difficulty == "easy":
        leaves, unary = rng.choice((2, 3, 3)), ["sq"] if rng.random() < 0.5 else []
    elif difficulty == "standard":
        leaves, unary = 3, [rng.choice(FUNCTIONS)] + (["sq"] if rng.random() < 0.3 else [])
    else:
        leaves = rng.choice((3, 4))  # one variable used twice
        unary = rng.sample(FUNCTIONS, rng.choice((1, 2))) + (["sq"] if rng.random() < 0.3 else [])
    used = leaves - (1 if difficulty == "hard" else 0)
    slots = list(range(used)) + ([rng.randrange(used)] if difficulty == "hard" else [])
    rng.shuffle(slots)
    items = [_Node("var", name=str(s)) for s in slots]
    while len(items) > 1:
        i = rng.randrange(len(items) - 1)
        op = rng.choice(("+", "-", "*", "*"))
        items[i:i + 2] = [_Node(op, (items[i], items[i + 1]))]
    root = items[0]
    for kind in unary:
        target = rng.choice(_nodes(root))
        if target.kind == kind or (target.kind == "var" and kind == "sq" and difficulty != "easy"
                                   and rng.random() < 0.5):
            target = root
        root = _wrap(root, target, kind)
    # names in order of first appearance: x, y, z (or a, b, c …)
    letters = rng.choice(NAMES)
    order: dict[str, str] = {}
    for n in _nodes_in_text_order(root):
        if n.kind == "var" and n.name not in order:
            order[n.name] = letters[len(order)]
    return _rename(root, order)


def _nodes_in_text_order(n: _Node) -> list[_Node]:
    out = [n]
    for a in n.args:
        out += _nodes_in_text_order(a)
    return out


def _rename(n: _Node, order: dict[str, str]) -> _Node:
    if n.kind == "var":
        return _Node("var", name=order[n.name])
    return _Node(n.kind, tuple(_rename(a, order) for a in n.args))


def _value(rng: random.Random, difficulty: str) -> float:
    if difficulty == "easy":
        return float(rng.choice((-3, -2, -1, 1, 2, 3)))
    if difficulty == "standard":
        return rng.choice((-3.0, -2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0))
    return rng.choice([v / 10 for v in range(-25, 26) if v])


# ------------------------------------------------------------------ the generator interface
def sample(rng: random.Random, difficulty: str) -> ex4.Params | None:
    expr = show(_tree(rng, difficulty))
    names = ex4.Params._names(expr)
    values = tuple((k, _value(rng, difficulty)) for k in names)
    try:
        t = trace(expr, dict(values))
    except ExprError:
        return None
    limit = 200 if difficulty == "easy" else 1000
    if any(not math.isfinite(n.value) or abs(n.value) > limit for n in t.nodes):
        return None
    if any(abs(t.gradients[k]) < 0.01 for k in names):
        return None  # every variable must matter at this point
    p = ex4.Params(expr, values)
    if p.is_sheet():
        return None
    if not any(distractors(p, answers(p)).values()):
        return None  # nothing to choose between
    return p


def normal(p: ex4.Params) -> Any:
    """The expression with its variables renamed v0, v1, … in order, and the values."""
    text = p.expr
    for i, (k, _) in enumerate(p.values):
        text = re.sub(rf"\b{k}\b", f"#{i}", text)
    return text, tuple(v for _, v in p.values)


def problem(p: ex4.Params) -> Text:
    return ex4.statement(p)


def answers(p: ex4.Params) -> dict[str, Any]:
    """The keys of ``nndl solve 4``, from the same trace its solution is built on."""
    t = trace(p.expr, dict(p.values))
    inner = [n for n in t.nodes if n.op != "input"][:-1]
    out: dict[str, Any] = {"f": t.output}
    out.update({n.id: n.value for n in inner})
    out.update({f"df/d{k}": t.gradients[k] for k, _ in p.values})
    out.update({f"df/d{n.id}": n.grad for n in inner})
    return out


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-3, abs_tol=1e-9)


def _candidates(t, node: str) -> list[list[tuple[float, str]]]:
    """The gradient of ``node`` with each mistake switched on, one list per mistake (the
    local derivative left out everywhere, then at one step; one path only; the sign)."""
    out = []
    for m in GRAPH_MISTAKES:
        keeps = ("first", "last") if m == "no_accumulation" else ("first",)
        steps = [None, *range(len(t.steps))] if m == "no_local_gradient" else [None]
        out.append([(backward_with(t, frozenset([m]), k, i).get(node, 0.0), m)
                    for k in keeps for i in steps])
    return out


def distractors(p: ex4.Params, key: dict[str, Any]) -> dict[str, list[tuple[Any, str]]]:
    """For each gradient: up to four wrong values, taken in turn from each mistake, each
    diagnosed by ``nndl check`` as the mistake it was made with."""
    t = trace(p.expr, dict(p.values))
    out: dict[str, list[tuple[Any, str]]] = {}
    for k, right in key.items():
        if not k.startswith("df/d"):
            continue
        lists = _candidates(t, k[4:])
        found: list[tuple[float, str]] = []
        shown = {display(right)}
        while len(found) < MAX_WRONG and any(lists):
            for options in lists:
                while options:
                    v, m = options.pop(0)
                    if (not math.isfinite(v) or _close(v, right) or display(v) in shown
                            or any(_close(v, w) for w, _ in found)):
                        continue
                    item = check(4, {k: answer_text(v)}, p).items[0]
                    if item.verdict == "wrong" and m in item.mistakes:
                        found.append((v, m))
                        shown.add(display(v))
                        break
                if len(found) == MAX_WRONG:
                    break
        out[k] = found
    return out
