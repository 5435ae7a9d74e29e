"""Which answer keys each problem has, and how each is checked."""

from __future__ import annotations

import re
from typing import Any

from nndl.check.core import CheckReport, LayerQuestion, check_layer_questions, keys_hint
from nndl.check.values import AnswerError
from nndl.solutions import ex5, ex6
from nndl.summary import summary
from nndl.text import Text


def _unknown_keys(answers: dict[str, str], known: list[str], problem: str) -> None:
    name = (Text(f"第 {problem} 题", f"exercise {problem}") if problem.isdigit()
            else Text(f"nndl check {problem} ", f"nndl check {problem}"))
    for key in answers:
        if key not in known:
            raise AnswerError(name + Text(f"没有答案键 '{key}'", f" has no answer key '{key}'"),
                              hint=keys_hint(known))
    if not answers:
        raise AnswerError(Text("没有要检查的答案", f"no answers to check for {problem}"),
                          hint=Text("用“答案键=值”的形式给出答案，例如 ",
                                    "give answers as KEY=VALUE, e.g. ")
                          + f"{known[0]}=…")



def exercise5_questions(p: ex5.Params) -> list[LayerQuestion]:
    fc_spec, conv_spec = p.specs()
    return [LayerQuestion("fc_params", fc_spec, "FC-1", "params"),
            LayerQuestion("conv_params", conv_spec, "Conv-1", "params"),
            LayerQuestion("conv_output_shape", conv_spec, "Conv-1", "output"),
            LayerQuestion("conv_neurons", conv_spec, "Conv-1", "neurons")]


_EX6_KEY = re.compile(r"^(conv|maxpool|fc)(\d+)_(params|image_size|output|neurons)$")
_PREFIX = {"conv": "Conv", "maxpool": "MaxPool", "fc": "FC"}


def exercise6_questions(p: ex6.Params) -> list[LayerQuestion]:
    names = {r.name for r in summary(p.spec).layers}
    out = [LayerQuestion("total_params", p.spec, None, "total_params")]
    for layer in sorted(names):
        family = next((f for f, pre in _PREFIX.items() if layer.startswith(pre + "-")), None)
        if family is None:
            continue
        k = layer.split("-")[1]
        whats = {"conv": ("params", "image_size"), "maxpool": ("output", "neurons"),
                 "fc": ("params",)}[family]
        out += [LayerQuestion(f"{family}{k}_{w}", p.spec, layer, w) for w in whats]  # type: ignore[arg-type]
    return out


def summary_questions(spec: str) -> list[LayerQuestion]:
    """Keys LAYER.params, LAYER.output, LAYER.neurons for every layer of the table, and
    total_params."""
    out = [LayerQuestion("total_params", spec, None, "total_params")]
    for r in summary(spec).layers:
        out += [LayerQuestion(f"{r.name}.{w}", spec, r.name, w)  # type: ignore[arg-type]
                for w in ("params", "output", "neurons")]
    return out


def check_layers(problem: str, questions: list[LayerQuestion], answers: dict[str, str],
                 params: dict[str, Any]) -> CheckReport:
    _unknown_keys(answers, [q.key for q in questions], problem)
    asked = [q for q in questions if q.key in answers]
    return CheckReport(problem, params, check_layer_questions(asked, answers))


# ------------------------------------------------------------------ exercises 1-4
def _solution_answers(number: int, params) -> dict[str, Any]:
    from nndl.solutions import solve

    return {a.key: a.value for a in solve(number, params).answers}


def check_exercise1(p, answers: dict[str, str]) -> CheckReport:
    from nndl.activations import measure
    from nndl.check.derivative import RTOL, check_derivative_item

    known = [f"{n}_{w}" for n in p.names for w in ("derivative", "max_slope")]
    _unknown_keys(answers, known, "1")
    items = []
    for key, text in answers.items():
        if key.endswith("_derivative"):
            items.append(check_derivative_item(key, key.removesuffix("_derivative"), text))
            continue
        # the solution's max |f′| is this measurement (no derivation, cost count or figure)
        slope = measure(key.removesuffix("_max_slope"), cost=False).max_slope
        items.append(number_item(key, text, float(slope), 1e-3))
    return CheckReport("1", p.to_json(), items, tolerance=RTOL)


def number_item(key: str, text: str, expected: float, rtol: float, atol: float = 1e-9):
    import math

    from nndl.check.core import CORRECT, CheckItem, plain_wrong
    from nndl.check.values import parse_number
    from nndl.report import fmt_num

    given = float(parse_number(text, key))
    shown = fmt_num(expected)
    if math.isclose(given, expected, rel_tol=rtol, abs_tol=atol):
        return CheckItem(key, text, shown, "correct", feedback=CORRECT)
    if math.isclose(-given, expected, rel_tol=rtol, abs_tol=atol):
        from nndl.check.core import diagnosis_feedback

        return CheckItem(key, text, shown, "wrong", ["sign"], diagnosis_feedback(["sign"], shown))
    return CheckItem(key, text, shown, "wrong", [], plain_wrong(shown, step=False))


def bool_item(key: str, text: str, expected: bool):
    from nndl.check.core import CORRECT, CheckItem
    from nndl.check.values import parse_bool
    from nndl.text import Text

    shown = Text("是", "yes") if expected else Text("否", "no")
    if parse_bool(text, key) == expected:
        return CheckItem(key, text, shown, "correct", feedback=CORRECT)
    return CheckItem(key, text, shown, "wrong", [], Text(
        f"不对，答案是“{'是' if expected else '否'}”；理由见 nndl solve 的解答。",
        f"Not right: the answer is {'yes' if expected else 'no'}; nndl solve shows why."))


def check_exercise2(p, answers: dict[str, str]) -> CheckReport:
    from nndl.check.boundary import boundary_item

    if set(answers) == {"x4_gradient_t_max"}:  # its closed form needs BP on D only, no solve
        from nndl.check.outlier import x4_gradient

        expected: dict[str, Any] = {"x4_gradient_t_max": x4_gradient(p, max(p.ts))}
    else:  # the solution's answers, from its experiment at the largest t only
        from nndl.solutions.ex2 import answer_values

        expected = answer_values(p)
    _unknown_keys(answers, list(expected), "2")
    points = [list(x) for x, _ in p.data]
    labels = [label for _, label in p.data]
    t_max = max(p.ts)
    with_x4 = (points + [[t_max * p.direction[0], t_max * p.direction[1]]], labels + [p.label])
    items = []
    for key, text in answers.items():
        v = expected[key]
        if key == "pla_boundary_t_max":
            items.append(boundary_item(key, text, *with_x4, None))
        elif key == "bp_boundary_D":
            items.append(boundary_item(key, text, points, labels, str(v)))
        elif isinstance(v, bool):
            items.append(bool_item(key, text, v))
        elif key == "bp_turn_deg_t_max":
            items.append(number_item(key, text, float(v), 1e-2, atol=0.01))
        elif key == "x4_gradient_t_max":
            items.append(_x4_gradient_item(p, text, float(v)))
        else:
            items.append(number_item(key, text, float(v), 1e-3, atol=1e-6))
    return CheckReport("2", p.to_json(), items, tolerance=1e-3)


def _bound_item(p, key: str, text: str):
    """One of exercise 3's bound numbers: right, or the named mistake(s) that give it."""
    from nndl.check.core import CORRECT, CheckItem, diagnosis_feedback, either_feedback
    from nndl.check.values import parse_number
    from nndl.check.vanishing import bound_numbers
    from nndl.report import fmt_num

    expected = bound_numbers(p.sizes, p.activation)[key]  # type: ignore[index]
    shown = fmt_num(expected, 6) if isinstance(expected, float) else str(expected)
    given = float(parse_number(text, key))
    if _near(given, expected):
        return CheckItem(key, text, shown, "correct", feedback=CORRECT)
    found = [m for v, m in _all_mistaken(p, key) if _near(given, v)]
    if found:
        feedback = (diagnosis_feedback(found, shown) if len(found) == 1
                    else either_feedback([[m] for m in found], shown))
        return CheckItem(key, text, shown, "wrong", found, feedback)
    return number_item(key, text, float(expected), 1e-3, atol=0.0)


def _all_mistaken(p, key: str) -> list[tuple[float, str]]:
    """Every single mistake's value for ``key`` (equal values kept: several may give one)."""
    from nndl.check.vanishing import BOUND_MISTAKES, bound_numbers

    right = bound_numbers(p.sizes, p.activation)[key]  # type: ignore[index]
    out = []
    for m in BOUND_MISTAKES:
        got = bound_numbers(p.sizes, p.activation, frozenset({m}))
        if got is not None and not _near(got[key], right):
            out.append((got[key], m))
    return out


def _near(a: float, b: float) -> bool:
    import math

    return math.isclose(a, b, rel_tol=1e-3, abs_tol=0.0)


def _x4_gradient_item(p, text: str, expected: float):
    """The outlier's gradient norm: right, or the named mistake(s) whose switch gives it."""
    import math

    from nndl.check.core import diagnosis_feedback, either_feedback
    from nndl.check.outlier import GRADIENT_MISTAKES, fit_on_d, x4_gradient
    from nndl.check.values import parse_number

    item = number_item("x4_gradient_t_max", text, expected, 1e-3, atol=1e-6)
    if item.verdict == "correct":
        return item
    given = float(parse_number(text, "x4_gradient_t_max"))
    w, t = fit_on_d(p), max(p.ts)
    found = []
    for m in GRADIENT_MISTAKES:
        v = x4_gradient(p, t, w, frozenset({m}))
        if v is not None and not math.isclose(v, expected, rel_tol=1e-3, abs_tol=1e-6) \
                and math.isclose(given, v, rel_tol=1e-3, abs_tol=1e-6):
            found.append(m)
    if not found:
        return item
    shown = item.expected_in("en")  # a number: the same in both languages
    feedback = (diagnosis_feedback(found, shown) if len(found) == 1
                else either_feedback([[m] for m in found], shown))
    item.mistakes, item.feedback = found, feedback
    return item


def check_exercise3(p, answers: dict[str, str]) -> CheckReport:
    from nndl.check.core import CheckItem
    from nndl.check.vanishing import KEYS
    from nndl.text import Text

    bound_only = all(k in KEYS for k in answers)
    expected: dict[str, Any] = dict.fromkeys(KEYS) if bound_only else _solution_answers(3, p)
    _unknown_keys(answers, list(expected), "3")
    items = []
    for key, text in answers.items():
        if key in KEYS:  # computed here with the mistake switches (no need to solve)
            items.append(_bound_item(p, key, text))
            continue
        v = expected[key]
        if isinstance(v, str):  # a derivation written in LaTeX: not a value to compare
            items.append(CheckItem(key, text, "—", "undetermined", [], Text(
                "这一项是推导（公式），nndl 不比较推导的写法；请对照 nndl solve 3 的逐步推导。",
                "This key is a derivation (a formula); nndl does not compare how it is "
                "written: compare with the steps of nndl solve 3.")))
        else:
            items.append(number_item(key, text, float(v), 1e-3))
    return CheckReport("3", p.to_json(), items, tolerance=1e-3)
