"""Which answer keys each problem has, and how each is checked."""

from __future__ import annotations

import re
from typing import Any

from nndl.check.core import CheckReport, LayerQuestion, check_layer_questions
from nndl.check.values import AnswerError
from nndl.solutions import ex5, ex6
from nndl.summary import summary


def _unknown_keys(answers: dict[str, str], known: list[str], problem: str) -> None:
    name = f"exercise {problem}" if problem.isdigit() else f"nndl check {problem}"
    for key in answers:
        if key not in known:
            raise AnswerError(f"{name} has no answer key '{key}'",
                              hint="its keys are " + ", ".join(known))
    if not answers:
        raise AnswerError(f"no answers to check for {problem}",
                          hint="give answers as KEY=VALUE, e.g. " + f"{known[0]}=…")


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
