"""The playground's JSON API: one function per endpoint, each a thin reading of the query
around the same library calls that the matching command makes, so that
``GET /api/graph?expr=...`` returns what ``nndl graph EXPR ... --format json`` prints
(DESIGN principle 7). The browser only draws what these functions return.

Every function takes the query as ``{name: text}`` and the language of the request, and
returns the response body as JSON text. A user's mistake is an :class:`NNDLError` (the
server answers it with a 4xx status and ``{"error", "hint"}``).

Limits (a request is refused, never computed, past them): the expression parser's own
nesting and length limits, :data:`MAX_SPEC_LAYERS` statements in a spec, the parameter
ranges of each exercise (``nndl solve N --params``), and the worker's time limit for the
two endpoints that re-run whole solutions (``solve`` and ``check``, see
:mod:`nndl.play.worker`).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import shlex
import threading
from collections.abc import Callable
from typing import Any

from nndl.errors import NNDLError
from nndl.text import LANGS, Text

MAX_SPEC_CHARS = 20_000
MAX_SPEC_LAYERS = 300      # VGG-16 written with its activations is ~40 statements
MAX_CURVE_POINTS = 2001
MAX_CURVE_X = 1000.0

Query = dict[str, str]

_T = {
    "missing": Text("缺少参数 {name}", "the parameter {name} is missing"),
    "missing_hint": Text("例如 {example}", "e.g. {example}"),
    "unknown": Text("{endpoint} 没有参数 {name}", "{endpoint} takes no parameter {name}"),
    "unknown_hint": Text("它的参数是 {names}", "its parameters are {names}"),
    "lang": Text("未知语言 '{value}'", "unknown language '{value}'"),
    "lang_hint": Text("用 lang=zh 或 lang=en", "use lang=zh or lang=en"),
    "spec_chars": Text("网络描述有 {n:,} 个字符，超过上限 {max:,}",
                       "the spec has {n:,} characters, more than the limit of {max:,}"),
    "spec_layers": Text("网络描述有 {n:,} 层，超过演练场的上限 {max}",
                        "the spec has {n:,} layers, more than the playground's limit of {max}"),
    "spec_hint": Text("大网络请用命令行：nndl summary 文件名",
                      "for a larger network use the command line: nndl summary FILE"),
    "flag": Text("{name}={value}：应为 0 或 1", "{name}={value}: use 0 or 1"),
    "number": Text("{name}={value} 不是数", "{name}={value} is not a number"),
    "range": Text("{name}={value} 超出范围 {lo}–{hi}", "{name}={value} is outside {lo}–{hi}"),
    "exercise": Text("没有第 {n} 题", "there is no exercise {n}"),
    "exercise_hint": Text("题号是 1–6", "the sheet has exercises 1–6"),
    "check_problem": Text("没有可检查的问题 '{p}'", "nndl check has no problem '{p}'"),
    "choice": Text("{name}={value} 不是可选值之一（{allowed}）",
                   "{name}={value} is not one of {allowed}"),
    "depth_hint": Text("隐藏层数 1–200，如 2-30 或 2,5,10", "hidden layers 1-200, e.g. 2-30 or 2,5,10"),
    "integer": Text("{name}={value} 不是整数", "{name}={value} is not a whole number"),
    "check_problem_hint": Text("用题号 1–6，或 graph、summary、derivative",
                               "use an exercise 1-6, or graph, summary or derivative"),
}


def say(key: str, lang: str, **values: Any) -> str:
    return _T[key].format(**values)(lang)


class QueryError(NNDLError):
    """A request the playground cannot read (missing or unknown parameter, bad value)."""


def _need(q: Query, name: str, lang: str, example: str) -> str:
    value = q.get(name, "")
    if not value.strip():
        raise QueryError(say("missing", lang, name=name),
                         hint=say("missing_hint", lang, example=example))
    return value


def _only(q: Query, allowed: tuple[str, ...], endpoint: str, lang: str) -> None:
    for name in q:
        if name not in allowed and name != "lang":
            raise QueryError(say("unknown", lang, endpoint=endpoint, name=name),
                             hint=say("unknown_hint", lang, names=", ".join(allowed)))


def _flag(q: Query, name: str, lang: str) -> bool:
    value = q.get(name, "0").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("", "0", "false", "no", "off"):
        return False
    raise QueryError(say("flag", lang, name=name, value=value), hint=None)


def _number(q: Query, name: str, default: float, lo: float, hi: float, lang: str) -> float:
    text = q.get(name, "").strip()
    if not text:
        return default
    try:
        v = float(text)
    except ValueError:
        raise QueryError(say("number", lang, name=name, value=text), hint=None) from None
    if not (math.isfinite(v) and lo <= v <= hi):
        raise QueryError(say("range", lang, name=name, value=text, lo=f"{lo:g}", hi=f"{hi:g}"),
                         hint=None)
    return v


def request_lang(q: Query, default: str) -> str:
    lang = q.get("lang", "").strip().lower() or default
    if lang not in LANGS:
        raise QueryError(say("lang", default, value=lang), hint=say("lang_hint", default))
    return lang


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


# ------------------------------------------------------------------ exercise 4: graphs
def _trace(q: Query, lang: str):
    from nndl.expr import trace

    expr = _need(q, "expr", lang, "expr=(x%2By)%5E2*z&x=1&y=2&z=-6")
    values = {k: v for k, v in q.items() if k not in ("expr", "lang")}
    return trace(expr, values)


def graph(q: Query, lang: str) -> str:
    """``nndl graph EXPR NAME=VALUE... --format json``."""
    from nndl.viz import graph_json

    return graph_json(_trace(q, lang))


def graph_drawing(q: Query, lang: str) -> str:
    """What ``nndl graph ... --format svg --lang LANG`` draws, with where each node sits in
    the drawing (so the page can make nodes clickable) and each number as the library
    writes it (3 not 3.0, −6 with a real minus sign)."""
    from nndl.expr import format as fm
    from nndl.viz import draw
    from nndl.viz.diagram import from_trace
    from nndl.viz.layout import layout
    from nndl.viz.svg import header_height

    t = _trace(q, lang)
    diagram = from_trace(t, lang)
    placed = layout(diagram, top=header_height(diagram)).pos
    shapes = {n.id: n.shape for n in diagram.nodes}
    return dumps({
        "svg": draw(t, lang).svg,
        "nodes": [{"id": nid, "shape": shapes[nid], "x": p.x, "y": p.y, "w": p.w, "h": p.h}
                  for nid, p in placed.items()],
        "display": {n.id: {"value": fm.num(n.value), "grad": fm.num(n.grad)} for n in t.nodes},
        "output": fm.num(t.output),
    })


def graph_variables(q: Query, lang: str) -> str:
    """The variables of an expression, in the order the graph reads them (so the page can
    offer a slider for each before it has values)."""
    from nndl.expr import parse, variables

    _only(q, ("expr",), "graph/variables", lang)
    expr = _need(q, "expr", lang, "expr=(x%2By)%5E2*z")
    return dumps({"expression": expr, "variables": [v.name for v in variables(parse(expr))]})


# ------------------------------------------------------------------ exercises 5, 6: summary
def count_statements(spec: str) -> int:
    """Layer statements as the spec reader splits them: lines and ';', '#' comments out."""
    return sum(1 for line in spec.splitlines() for part in line.split("#", 1)[0].split(";")
               if part.strip())


def check_spec(spec: str, lang: str) -> str:
    if len(spec) > MAX_SPEC_CHARS:
        raise QueryError(say("spec_chars", lang, n=len(spec), max=MAX_SPEC_CHARS),
                         hint=say("spec_hint", lang))
    n = count_statements(spec)
    if n > MAX_SPEC_LAYERS:
        raise QueryError(say("spec_layers", lang, n=n, max=MAX_SPEC_LAYERS),
                         hint=say("spec_hint", lang))
    return spec


def summary(q: Query, lang: str) -> str:
    """``nndl summary SPEC [--input WxHxD] [--floor] --format json`` (the spec is text,
    never a file name: the playground reads no file)."""
    from nndl.summary import render
    from nndl.summary import summary as summarise

    _only(q, ("spec", "input", "floor"), "summary", lang)
    spec = check_spec(_need(q, "spec", lang, "spec=input 300x300x3; fc 100"), lang)
    result = summarise(spec, input_size=q.get("input") or None, verify=False,
                       floor=_flag(q, "floor", lang))
    return render.to_json(result, lang)   # the formulas in the page's language


_WHERE = re.compile(r"^line (\d+)(?:, column (\d+))?")


def error_position(message: str) -> dict[str, int]:
    """A spec error names its line (and column) first: ``line 2, column 14 `...`: ...``."""
    m = _WHERE.match(message)
    if not m:
        return {}
    where = {"line": int(m.group(1))}
    if m.group(2):
        where["column"] = int(m.group(2))
    return where


# ------------------------------------------------------------------ exercise 1: activations
def _names(q: Query) -> list[str]:
    text = q.get("names", "").strip()
    return [n for n in re.split(r"[,\s]+", text) if n] or []


def act(q: Query, lang: str) -> str:
    """``nndl act NAME... --format json`` (the cost counted in operations; no timing, as
    the command's default ``--no-timing``)."""
    from nndl.activations import analyze, render, resolve

    _only(q, ("names",), "act", lang)
    return render.to_json([analyze(a.name, timing=False) for a in resolve(_names(q) or None)])


def act_table(q: Query, lang: str) -> str:
    """The rows of ``nndl act NAME... --no-timing``'s terminal table, in the request's
    language: each measured property as the command writes it."""
    from nndl.activations import analyze, render, resolve

    _only(q, ("names",), "act/table", lang)
    reports = [analyze(a.name, timing=False) for a in resolve(_names(q) or None)]
    from nndl.activations.registry import get as entry

    return dumps({"activations": [{"name": r.name, "title": r.title,
                                   "label": {code: entry(r.name).label(code) for code in LANGS},
                                   "rows": [list(row) for row in render.rows(r, lang)]}
                                  for r in reports]})


def act_curves(q: Query, lang: str) -> str:
    """f and f′ sampled on a grid, as ``nndl act --plot`` draws them, for the page to plot."""
    import numpy as np

    from nndl.activations import resolve

    _only(q, ("names", "lo", "hi", "points"), "act/curves", lang)
    lo = _number(q, "lo", -8.0, -MAX_CURVE_X, MAX_CURVE_X, lang)
    hi = _number(q, "hi", 8.0, -MAX_CURVE_X, MAX_CURVE_X, lang)
    if hi <= lo:
        raise QueryError(say("range", lang, name="hi", value=f"{hi:g}", lo=f"{lo:g}",
                             hi=f"{MAX_CURVE_X:g}"), hint=None)
    points = int(_number(q, "points", 401, 2, MAX_CURVE_POINTS, lang))
    x = np.linspace(lo, hi, points)

    def finite(a) -> list[float | None]:
        return [round(float(v), 9) if math.isfinite(v) else None for v in np.asarray(a, float)]

    return dumps({
        "x": finite(x),
        "curves": [{"name": a.name, "title": a.title, "f": finite(a.f(x)), "df": finite(a.df(x)),
                    "label": {code: a.label(code) for code in LANGS}}
                   for a in resolve(_names(q) or None)],
    })


# ------------------------------------------------------------------ solve and check
def exercise_number(q: Query, lang: str) -> int:
    text = _need(q, "n", lang, "n=4").strip()
    if text not in ("1", "2", "3", "4", "5", "6"):
        raise QueryError(say("exercise", lang, n=text), hint=say("exercise_hint", lang))
    return int(text)


def solve_params(q: Query, lang: str):
    """(n, Params) as ``nndl solve N NAME=VALUE...`` reads them."""
    from nndl.solutions import params_class

    n = exercise_number(q, lang)
    pairs = {k: v for k, v in q.items() if k not in ("n", "lang")}
    cls = params_class(n)
    return n, (cls.from_strings(pairs) if pairs else cls())


def params_info(q: Query, lang: str) -> str:
    """``nndl solve N --params`` as data: each parameter's name, type, default, allowed
    values and meaning in both languages, and the current instance's values."""
    from nndl.solutions import params_class

    n = exercise_number(q, lang)
    cls = params_class(n)
    return dumps({
        "number": n,
        "params": [{"name": p.name, "default": p.default,
                    "kind": {code: p.kind(code) for code in LANGS},
                    "allowed": {code: p.allowed(code) for code in LANGS},
                    "help": {code: p.help(code) for code in LANGS}} for p in cls.info()],
        "sheet": cls().to_json(),
    })


def check_request(q: Query, lang: str) -> tuple[Any, dict[str, str], Any]:
    """(problem, answers, params) for :func:`nndl.check.check`, read as ``nndl check``
    reads its arguments: ``problem=summary&spec=...``, ``problem=graph&expr=...&at=x=1,y=2``,
    ``problem=derivative&func=...&answer=...``, or ``problem=N`` with the exercise's
    parameters and the answers under their keys."""
    from nndl.check import exercise_args
    from nndl.commands.check import _number as number_value
    from nndl.commands.graph import parse_assignments

    problem = _need(q, "problem", lang, "problem=4&f=-54").strip().lower()
    rest = {k: v for k, v in q.items() if k not in ("problem", "lang")}
    if problem == "summary":
        spec = check_spec(_need(q, "spec", lang, "spec=input 32x32x3; conv 6 5x5"), lang)
        return "summary", {k: v for k, v in rest.items() if k != "spec"}, spec
    if problem == "graph":
        expr = _need(q, "expr", lang, "expr=(x%2By)%5E2*z&at=x=1,y=2,z=-6&f=-54")
        at = {k: number_value(k, v) for k, v in parse_assignments([rest.get("at", "")]).items()}
        answers = {k: v for k, v in rest.items() if k not in ("expr", "at")}
        return "graph", answers, (expr, at)
    if problem == "derivative":
        func = _need(q, "func", lang, "func=sigmoid&answer=sigmoid(x)*(1-sigmoid(x))")
        return "derivative", {"derivative": _need(q, "answer", lang, "answer=...")}, func
    if problem in ("1", "2", "3", "4", "5", "6"):
        n = int(problem)
        answers, params = exercise_args(n, rest)
        return n, answers, params
    raise QueryError(say("check_problem", lang, p=problem), hint=say("check_problem_hint", lang))


_SOLVED: dict[tuple[int, str], tuple[str, str]] = {}   # (n, params) -> (JSON, HTML body)
_SOLVED_MAX = 64
_solved_lock = threading.Lock()


def _cli(words: list[str]) -> str:
    return " ".join(shlex.quote(w) for w in words)


def _solved(q: Query, lang: str) -> tuple[str, str]:
    """The solution for these parameters, computed once in the worker and then kept: a
    solution is a function of its parameters (DESIGN principle 8)."""
    from nndl.play import worker

    n, params = solve_params(q, lang)
    key = (n, json.dumps(params.to_json(), sort_keys=True, default=str))
    with _solved_lock:
        hit = _SOLVED.get(key)
    if hit is None:
        args = [f"{k}={v}" for k, v in q.items() if k not in ("n", "lang")]
        hit = worker.run("solve", (n, params), lang=lang,
                         cli=_cli(["nndl", "solve", str(n), *args]))
        with _solved_lock:
            if len(_SOLVED) >= _SOLVED_MAX:
                _SOLVED.pop(next(iter(_SOLVED)))
            _SOLVED[key] = hit
    return hit


def solve(q: Query, lang: str) -> str:
    """``nndl solve N NAME=VALUE... --format json``."""
    return _solved(q, lang)[0]


def solve_html(q: Query, lang: str) -> str:
    """The same solution as ``nndl solve N ... --format html`` shows it (both languages; the
    page shows one), without the page around it."""
    n, _ = solve_params(q, lang)
    return dumps({"number": n, "html": _solved(q, lang)[1]})


# problems checked in the request's own thread; the others (1, 2, 3, 6 and derivative)
# re-run a whole solution or SymPy and go to the worker, under its time limit
_QUICK_CHECKS = ("graph", "summary", 4, 5)


def check(q: Query, lang: str) -> str:
    """``nndl check PROBLEM ... --format json --lang LANG`` (a wrong answer is a normal
    answer here: status 200, as the report says which are right)."""
    from nndl.play import worker

    problem, answers, params = check_request(q, lang)
    if problem in _QUICK_CHECKS:  # arithmetic on one graph or one network: milliseconds
        from nndl.play.jobs import check as check_here

        return check_here(problem, answers, params, lang)
    args = [f"{k}={v}" for k, v in q.items() if k not in ("problem", "lang")]
    return worker.run("check", (problem, answers, params, lang), lang=lang,
                      cli=_cli(["nndl", "check", str(problem), *args]))


# ------------------------------------------------------------------ exercises 2 and 3: experiments
OUTLIER_T_MAX = 1e12       # nndl.classic's own limit (float64 geometry past it is noise)
OUTLIER_EPOCHS_MAX = 5000  # gradient-descent epochs per run in the playground (the CLI: any)
PLA_MAX_ITER_MAX = 10_000
VANISH_DEPTH_MAX = 200    # nndl.deep.vanish's own bound
VANISH_WIDTH_MAX = 256
VANISH_BATCH_MAX = 1024
TRAIN_EPOCHS_MAX = 100     # a playground run; the command line trains longer

_RESULTS: dict[tuple, Any] = {}   # (endpoint, parameters) -> what the worker computed
_RESULTS_MAX = 64
_RUNNING: dict[tuple, threading.Lock] = {}   # a key being computed: its later askers wait


def _integer(q: Query, name: str, default: int, lo: int, hi: int, lang: str) -> int:
    text = q.get(name, "").strip()
    if not text:
        return default
    try:
        v = int(text)
    except ValueError:
        raise QueryError(say("integer", lang, name=name, value=text), hint=None) from None
    if not lo <= v <= hi:
        raise QueryError(say("range", lang, name=name, value=text, lo=f"{lo:,}", hi=f"{hi:,}"),
                         hint=None)
    return v


def _choices(q: Query, name: str, default: str, allowed: tuple[str, ...], lang: str,
             many: bool = True) -> list[str]:
    items = [v for v in re.split(r"[,\s]+", q.get(name, "").strip().lower()) if v] or \
        default.split(",")
    for v in items:
        if v not in allowed:
            raise QueryError(say("choice", lang, name=name, value=v, allowed=", ".join(allowed)),
                             hint=None)
    if not many and len(items) != 1:
        raise QueryError(say("choice", lang, name=name, value=",".join(items),
                             allowed=", ".join(allowed)), hint=None)
    return list(dict.fromkeys(items))


def _computed(key: tuple, job: str, args: tuple, lang: str, cli: list[str]) -> Any:
    """The worker's result for these parameters, computed once and then kept (an experiment
    is a function of its parameters, its seeds included)."""
    from nndl.play import worker

    with _solved_lock:
        hit = _RESULTS.get(key)
        running = _RUNNING.setdefault(key, threading.Lock())
    if hit is not None:
        return hit
    with running:   # the page asks for a run's JSON and its view at once: one computation
        with _solved_lock:
            hit = _RESULTS.get(key)
        if hit is None:
            try:
                hit = worker.run(job, args, lang=lang, cli=_cli(cli))
            finally:
                with _solved_lock:
                    _RUNNING.pop(key, None)
            with _solved_lock:
                if len(_RESULTS) >= _RESULTS_MAX:
                    _RESULTS.pop(next(iter(_RESULTS)))
                _RESULTS[key] = hit
    return hit


def outlier_params(q: Query, lang: str) -> tuple[float, int, float, bool, int]:
    _only(q, ("t", "epochs", "lr", "bias", "pla_max_iter"), "outlier", lang)
    t = _number(q, "t", 10.0, 1e-12, OUTLIER_T_MAX, lang)
    epochs = _integer(q, "epochs", 300, 1, OUTLIER_EPOCHS_MAX, lang)  # the CLI's default
    lr = _number(q, "lr", 1.0, 1e-6, 100.0, lang)
    if lr <= 0:
        raise QueryError(say("range", lang, name="lr", value=q["lr"], lo="1e-06", hi="100"),
                         hint=None)
    pla = _integer(q, "pla_max_iter", 2000, 1, PLA_MAX_ITER_MAX, lang)
    return t, epochs, lr, _flag(q, "bias", lang), pla


def _outlier(q: Query, lang: str) -> tuple[str, dict]:
    t, epochs, lr, bias, pla = outlier_params(q, lang)
    cli = ["nndl", "experiment", "outlier", "--t", f"{t:g}", "--epochs", str(epochs),
           "--lr", f"{lr:g}", "--pla-max-iter", str(pla)] + (["--bias"] if bias else [])
    return _computed(("outlier", t, epochs, lr, bias, pla), "outlier", (t, epochs, lr, bias, pla),
                     lang, cli)


def outlier(q: Query, lang: str) -> str:
    """``nndl experiment outlier --t T [--epochs E --lr LR --bias --pla-max-iter N]
    --format json`` (one t: the one on the page)."""
    return _outlier(q, lang)[0]


def outlier_view(q: Query, lang: str) -> str:
    """What the page draws beside it, from the same run: PLA's epochs one at a time on D and
    on D ∪ {x4}, and the report's sentences in the request's language."""
    view = _outlier(q, lang)[1]
    return dumps({"pla_steps": view["pla_steps"], **view["text"][lang]})


def vanish_params(q: Query, lang: str) -> tuple[str, list[str], list[str], int, int, int]:
    from nndl.deep.backprop import INITS
    from nndl.deep.vanish import SWEEP_ACTIVATIONS, parse_depths

    _only(q, ("depth", "act", "init", "width", "batch", "seed"), "vanish", lang)
    depth = q.get("depth", "").strip() or "2-30"
    # numbers of at most 3 digits before the library expands the ranges into lists (a range
    # to 10^12 would be a list of 10^12 depths before any bound is checked)
    if len(depth) > 200 or re.search(r"\d{4}", depth):
        raise QueryError(say("range", lang, name="depth", value=depth[:20], lo="1",
                             hi=str(VANISH_DEPTH_MAX)), hint=say("depth_hint", lang))
    depths = parse_depths(depth)   # its own errors (a range written backwards, a word)
    if not depths or min(depths) < 1 or max(depths) > VANISH_DEPTH_MAX:
        raise QueryError(say("range", lang, name="depth", value=depth[:20], lo="1",
                             hi=str(VANISH_DEPTH_MAX)), hint=say("depth_hint", lang))
    acts = _choices(q, "act", ",".join(SWEEP_ACTIVATIONS), SWEEP_ACTIVATIONS, lang)
    inits = _choices(q, "init", ",".join(INITS), tuple(INITS), lang)
    width = _integer(q, "width", 32, 1, VANISH_WIDTH_MAX, lang)
    batch = _integer(q, "batch", 64, 1, VANISH_BATCH_MAX, lang)
    seed = _integer(q, "seed", 0, 0, 2**32 - 1, lang)
    return depth, acts, inits, width, batch, seed


def vanish(q: Query, lang: str) -> str:
    """``nndl vanish -d DEPTHS -a ACTS -i INITS [--width W --batch B --seed S] --format
    json``."""
    depth, acts, inits, width, batch, seed = vanish_params(q, lang)
    cli = ["nndl", "vanish", "-d", depth, "-a", ",".join(acts), "-i", ",".join(inits),
           "--width", str(width), "--batch", str(batch), "--seed", str(seed)]
    return _computed(("vanish", depth, tuple(acts), tuple(inits), width, batch, seed), "vanish",
                     (depth, acts, inits, width, batch, seed), lang, cli)


def train_params(q: Query, lang: str) -> tuple[tuple, list[str]]:
    """(arguments of :func:`nndl.play.jobs.train`, the command line that trains the same)."""
    from nndl.train import MODELS, OPTIMIZERS

    _only(q, ("model", "epochs", "lr", "optimizer", "seed"), "train", lang)
    model = _choices(q, "model", "mlp", MODELS, lang, many=False)[0]
    optimizer = _choices(q, "optimizer", "sgd", OPTIMIZERS, lang, many=False)[0]
    epochs = _integer(q, "epochs", 20, 1, TRAIN_EPOCHS_MAX, lang)
    lr = _number(q, "lr", 0.0, 1e-8, 10.0, lang) if q.get("lr", "").strip() else None
    seed = _integer(q, "seed", 0, 0, 2**31 - 1, lang)
    cli = ["nndl", "train", "digits", "--model", model, "--epochs", str(epochs), "--optimizer",
           optimizer, "--seed", str(seed)] + (["--lr", f"{lr:g}"] if lr else [])
    return (model, epochs, lr, optimizer, seed), cli


def train_check(q: Query, lang: str) -> str:
    """The parameters of ``/api/train`` read without training: the command line that trains
    the same, or the refusal (so the page can show it; an event stream cannot)."""
    from nndl.play import worker

    args, cli = train_params(q, lang)
    return dumps({"command": _cli(cli), "epochs": args[1], "running": worker.running_streams(),
                  "time_limit": worker.STREAM_TIME_LIMIT})


# ------------------------------------------------------------------ presets
def presets(q: Query, lang: str) -> str:
    from nndl.play.presets import all_presets

    return dumps({"presets": all_presets()})


def warm_up() -> None:
    """What the views ask for first, computed once (the library keeps it): the sheet's
    activations (SymPy derivations, measured properties) and the exercises' parameters."""
    from nndl.activations import analyze, resolve
    from nndl.solutions import EXERCISES, params_class

    for a in resolve(None):
        analyze(a.name, timing=False)
    for n in EXERCISES:
        params_class(n).info()
    # the experiments #/outlier and #/vanish open on (seconds each, in the worker), kept
    from nndl.play import worker

    for fn, q in ((outlier, OUTLIER_SHEET), (vanish, VANISH_SHEET)):
        # on a busy machine the page asks again later
        with contextlib.suppress(worker.TimeLimitError, worker.BusyError):
            fn(dict(q), "en")


OUTLIER_SHEET = {"t": "10"}   # what #/outlier and #/vanish open on (static/outlier.js, vanish.js)
VANISH_SHEET = {"depth": "2-30", "act": "sigmoid,tanh,relu", "init": "xavier"}


# endpoint (under /api/) -> function
ENDPOINTS: dict[str, Callable[[Query, str], str]] = {
    "graph": graph,
    "graph/drawing": graph_drawing,
    "graph/variables": graph_variables,
    "summary": summary,
    "act": act,
    "act/curves": act_curves,
    "act/table": act_table,
    "solve/params": params_info,
    "presets": presets,
    "solve": solve,
    "solve/html": solve_html,
    "check": check,
    "outlier": outlier,
    "outlier/view": outlier_view,
    "vanish": vanish,
    "train/check": train_check,
}
# /api/train is not here: it streams (Server-Sent Events), see nndl.play.server
