"""Wrong options for layer questions (exercises 5 and 6): the layer arithmetic re-run with
one named mistake switched on (:func:`nndl.check.layers.chain`), kept only when the
checker's own diagnosis (:func:`nndl.check.core.diagnose_layer`) names that mistake."""

from __future__ import annotations

from typing import Any

from nndl.check.core import LayerQuestion, diagnose_layer
from nndl.check.layers import LAYER_MISTAKES, chain
from nndl.gen.core import answer_text


def _plausible(v: Any) -> bool:
    """A count or a shape a student could write: positive whole numbers."""
    if isinstance(v, tuple):
        return all(isinstance(x, int) and x > 0 for x in v)
    return isinstance(v, int) and v > 0


def _key(v: Any) -> Any:
    return tuple(v) if isinstance(v, list | tuple) else v


def _switched(q: LayerQuestion) -> list[tuple[Any, str]]:
    """(value, mistake) for each single mistake that changes this answer, then the answer
    of the other quantity (neurons for parameters, and back), in the catalogue's order."""
    out = []
    for m in LAYER_MISTAKES:
        try:
            out.append((q.value(chain(q.spec, frozenset([m]))), m))
        except (StopIteration, ZeroDivisionError):
            continue
    if q.layer is not None and q.quantity in ("params", "neurons"):
        swap = "neurons" if q.quantity == "params" else "params"
        other = LayerQuestion(q.key, q.spec, q.layer, swap)  # type: ignore[arg-type]
        out.append((other.value(chain(q.spec)),
                    "neurons_for_params" if q.quantity == "params" else "params_for_neurons"))
    return out


def layer_distractors(questions: list[LayerQuestion], keys) -> dict[str, list[tuple[Any, str]]]:
    """For each question whose key is in ``keys``: its distinct wrong answers, each made by
    one mistake and diagnosed by the checker as that mistake."""
    out: dict[str, list[tuple[Any, str]]] = {}
    for q in questions:
        if q.key not in keys:
            continue
        right = q.value(chain(q.spec))
        seen = {_key(right)}
        found = []
        for v, m in _switched(q):
            if not _plausible(v) or _key(v) in seen:
                continue
            item = diagnose_layer(q, answer_text(v))
            if item.verdict == "wrong" and m in item.mistakes:
                found.append((v, m))
                seen.add(_key(v))
        out[q.key] = found
    return out
