"""Checked answers as data: one :class:`CheckItem` per answer key, and the diagnosis of a
wrong layer answer by re-running the layer arithmetic with each named mistake (and each
pair of them) switched on."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from nndl.check import mistakes as M
from nndl.check.layers import LAYER_MISTAKES, LayerNumbers, chain
from nndl.check.values import AnswerError, parse_number, parse_shape
from nndl.report import fmt_int
from nndl.summary import summary
from nndl.summary.formulas import formula_text
from nndl.text import Text

Verdict = Literal["correct", "wrong", "undetermined"]


@dataclass
class CheckItem:
    key: str
    given: str
    expected: str | Text  # the right answer as a reader writes it (Text: words, not a value)
    verdict: Verdict
    mistakes: list[str] = field(default_factory=list)
    feedback: Text = field(default_factory=lambda: Text("", ""))
    step: Text | None = None  # the step of the solution that went wrong, with its numbers

    def expected_in(self, lang: str) -> str:
        return self.expected(lang) if isinstance(self.expected, Text) else self.expected

    def to_json(self, lang: str) -> dict[str, Any]:
        return {"key": self.key, "given": self.given, "expected": self.expected_in(lang),
                "verdict": self.verdict, "mistakes": list(self.mistakes),
                "mistake_names": [M.get(m).name(lang) for m in self.mistakes],
                "feedback": self.feedback(lang), "step": self.step(lang) if self.step else None}


@dataclass
class CheckReport:
    """The answers to one problem, checked: what ``nndl check`` prints."""

    problem: str  # "5", "graph", "summary", "derivative"
    params: dict[str, Any]
    items: list[CheckItem]
    tolerance: float | None = None  # relative tolerance used for real numbers, if any

    @property
    def correct(self) -> int:
        return sum(i.verdict == "correct" for i in self.items)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def all_correct(self) -> bool:
        return self.correct == self.total

    def to_json(self, lang: str) -> dict[str, Any]:
        return {"problem": self.problem, "params": self.params,
                "items": [i.to_json(lang) for i in self.items], "correct": self.correct,
                "total": self.total, "tolerance": self.tolerance}


CORRECT = Text("正确。", "Correct.")


def keys_hint(known: list[str]) -> Text:
    """The answer keys a problem has, for a refusal's hint."""
    return Text("可用的答案键：", "its keys are ") + ", ".join(known)


def _both(expected: str | Text) -> Text:
    return expected if isinstance(expected, Text) else Text.same(expected)


def diagnosis_feedback(ids: list[str], expected: str | Text) -> Text:
    """What a wrong answer's mistakes were, then the right value."""
    parts = [M.get(i).explanation for i in ids]
    joined = parts[0]
    for p in parts[1:]:
        joined = joined + Text("另外，", " Also: ") + p
    e = _both(expected)
    return joined + Text(f"正确答案是 {e.zh}。", f" The right answer is {e.en}.")


def either_feedback(options: list[list[str]], expected: str | Text) -> Text:
    """Several mistakes (or pairs) each give this answer: name them all."""
    out = Text("这个答案可能来自以下任一错误：", "Any of these mistakes gives this answer: ")
    for i, ids in enumerate(options, 1):
        names = [M.get(m).name for m in ids]
        label = names[0]
        for n in names[1:]:
            label = label + Text(" + ", " + ") + n
        out = out + Text(f"（{i}）", f"({i}) ") + label + Text("；", "; ")
    e = _both(expected)
    return out + Text(f"正确答案是 {e.zh}。", f"the right answer is {e.en}.")


def plain_wrong(expected: str, step: bool = True) -> Text:
    """A wrong answer no named mistake explains; ``step``: the report shows the step."""
    if not step:
        return Text(f"不对，正确答案是 {expected}。没有一个已知的常见错误能得出这个数。",
                    f"Not right: the answer is {expected}. No known mistake gives this number.")
    return Text(f"不对，正确答案是 {expected}。没有一个已知的常见错误能得出这个数，请对照下面的步骤检查。",
                f"Not right: the answer is {expected}. No known mistake gives this number; "
                "compare your work with the step below.")


# ------------------------------------------------------------------ layer questions
Quantity = Literal["params", "neurons", "output", "image_size", "total_params"]


@dataclass(frozen=True)
class LayerQuestion:
    """An answer key about a layer chain: ``quantity`` of layer ``layer`` of ``spec``."""

    key: str
    spec: str
    layer: str | None  # None for total_params
    quantity: Quantity

    def value(self, rows: list[LayerNumbers]) -> Any:
        if self.quantity == "total_params":
            return sum(r.params for r in rows)
        row = next(r for r in rows if r.name == self.layer)
        if self.quantity == "params":
            return row.params
        if self.quantity == "neurons":
            return row.neurons
        if self.quantity == "output" and len(row.out_shape) == 1:
            return tuple(row.out_shape)  # a vector (an fc layer's output): N, not 1×1×N
        c, h, w = row.out_shape if len(row.out_shape) == 3 else (row.out_shape[0], 1, 1)
        return (w, h, c) if self.quantity == "output" else (w, h)

    def read(self, text: str) -> Any:
        if self.quantity in ("output", "image_size"):
            shape = parse_shape(text, self.key)
            n = 3 if self.quantity == "output" else 2
            if len(shape) not in (n, 1) and not (self.quantity == "image_size" and len(shape) == 3):
                form, example = ("W×H×D", "27x27x96") if n == 3 else ("W×H", "27x27")
                raise AnswerError(Text(f"{self.key}：应有 {n} 个数（{form}），这里有 {len(shape)} 个",
                                       f"{self.key}: expected {n} numbers ({form}), got "
                                       f"{len(shape)}"),
                                  hint=Text(f"写成 {example}", f"write it as {example}"))
            return shape[:2] if self.quantity == "image_size" and len(shape) == 3 else shape
        v = parse_number(text, self.key)
        if v.denominator != 1:
            raise AnswerError(Text(f"{self.key}：{text!r} 不是整数",
                                   f"{self.key}: {text!r} is not a whole number"),
                              hint=Text("参数或神经元的个数是整数",
                                        "a count of parameters or neurons is a whole number"))
        return int(v)


def show(v: Any) -> str:
    if isinstance(v, tuple):
        return "×".join(str(x) for x in v)
    return fmt_int(v) if isinstance(v, int) else str(v)


def _step_text(q: LayerQuestion) -> Text | None:
    """The layer's own formula with its numbers, from the calculator."""
    if q.layer is None:
        return Text("全网参数总量 = 各层参数量之和", "total parameters = the sum over all layers")
    rows = {r.name: r for r in summary(q.spec).layers}
    row = rows.get(q.layer)
    if row is None:
        return None
    want = {"params": ("params",), "neurons": ("neurons",), "output": ("W2", "H2", "D2", "W2 = H2"),
            "image_size": ("W2", "H2", "W2 = H2")}[q.quantity]
    chosen = [f for f in row.formulas if f.name in want or f.name.split(" ")[0] in want]
    if not chosen:
        return None
    return Text(f"{q.layer}：" + "；".join(formula_text(f, "zh") for f in chosen),
                f"{q.layer}: " + "; ".join(formula_text(f, "en") for f in chosen))


def diagnose_layer(q: LayerQuestion, given_text: str,
                   overrides: dict[str, tuple[int, ...]] | None = None,
                   carried_from: str | None = None) -> CheckItem:
    """Check one layer answer: right, a named mistake (or two), consistent with the
    student's own earlier wrong row, or simply wrong."""
    given = q.read(given_text)
    rows = chain(q.spec)
    expected = q.value(rows)
    shown = show(expected)
    if _same(given, expected):
        return CheckItem(q.key, given_text, shown, "correct", feedback=CORRECT)
    step = _step_text(q)
    # every named mistake that gives this answer; if none, every pair that does
    for size in (1, 2):
        found = []
        for combo in itertools.combinations(LAYER_MISTAKES, size):
            try:
                v = q.value(chain(q.spec, frozenset(combo)))
            except (StopIteration, ZeroDivisionError):
                continue
            if _same(given, v):
                found.append(combo)
        if found:
            ids = [m for combo in found for m in combo]
            feedback = (diagnosis_feedback(ids, shown) if len(found) == 1
                        else either_feedback([list(c) for c in found], shown))
            return CheckItem(q.key, given_text, shown, "wrong", list(dict.fromkeys(ids)),
                             feedback, step)
    # the other quantity of the same layer
    if q.layer is not None and q.quantity in ("params", "neurons"):
        other = LayerQuestion(q.key, q.spec, q.layer,
                              "neurons" if q.quantity == "params" else "params")
        if _same(given, other.value(rows)):
            ids = ["neurons_for_params" if q.quantity == "params" else "params_for_neurons"]
            return CheckItem(q.key, given_text, shown, "wrong", ids, diagnosis_feedback(ids, shown),
                             step)
    # right given the student's own earlier (wrong) row
    if overrides:
        try:
            mine = q.value(chain(q.spec, overrides=overrides))
        except (StopIteration, ZeroDivisionError):
            mine = None
        if mine is not None and _same(given, mine):
            earlier = carried_from or ", ".join(overrides)
            return CheckItem(q.key, given_text, shown, "wrong", ["carried_forward"],
                             Text(f"按你在 {earlier} 的答案计算，这一步是对的：错在 {earlier}。"
                                  f"正确答案是 {shown}。",
                                  f"Computed from your answer to {earlier}, this step is right: "
                                  f"the error is in {earlier}. The right answer is {shown}."), step)
    return CheckItem(q.key, given_text, shown, "wrong", [], plain_wrong(shown, step is not None),
                     step)


def _same(given: Any, expected: Any) -> bool:
    if isinstance(expected, tuple):
        given = tuple(given)
        if len(expected) == 1 and len(given) == 3 and given[:2] == (1, 1):
            given = given[2:]  # 1×1×N for a vector of N: the same answer
        return given == tuple(expected)
    return isinstance(given, int | Fraction) and given == expected


def check_layer_questions(questions: list[LayerQuestion], answers: dict[str, str]
                          ) -> list[CheckItem]:
    """Check answers in the network's order, carrying a student's wrong shape forward: a
    later answer that is right from the student's own earlier shape is blamed on that one."""
    order = {r.name: i for i, r in enumerate(summary(questions[0].spec).layers)} if questions else {}
    items: list[CheckItem] = []
    overrides: dict[str, tuple[int, ...]] = {}
    wrong_shape_key: str | None = None
    by_key = {q.key: q for q in questions}
    for key in sorted(answers, key=lambda k: order.get(by_key[k].layer or "", 10**9)):
        q = by_key[key]
        item = diagnose_layer(q, answers[key], dict(overrides) or None, wrong_shape_key)
        items.append(item)
        given: tuple[int, ...] = (q.read(answers[key]) if q.quantity in ("output", "image_size")
                                  else ())
        out = next((r.out_shape for r in chain(q.spec) if r.name == q.layer), ())
        # a wrong image shape is carried forward (a single number or a vector's is not)
        if item.verdict == "wrong" and q.layer and len(given) >= 2 and len(out) == 3:
            c = out[0]
            w, h = given[0], given[1]
            d = given[2] if len(given) == 3 else c
            overrides[q.layer] = (d, h, w)
            wrong_shape_key = key
    by_order = {k: i for i, k in enumerate(answers)}
    return sorted(items, key=lambda it: by_order[it.key])
