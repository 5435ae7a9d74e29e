"""The computations that may take seconds — whole worked solutions (``solve``, ``check``),
the experiments of exercises 2 and 3 (``outlier``, ``vanish``) and a training run
(``train``, streamed) — as plain functions of picklable arguments, so that
:mod:`nndl.play.worker` can run them in a separate process under a time limit. Each returns
exactly what the command prints with ``--format json`` (and what the page draws beside it,
computed from the same result)."""

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


def outlier(t: float, epochs: int, lr: float, bias: bool, pla_max_iter: int
            ) -> tuple[str, dict]:
    """``nndl experiment outlier --t T --epochs E --lr LR [--bias] --format json``, and for the
    page: PLA's epochs one at a time on D and on D ∪ {x4} (the weights after each epoch and
    the samples it corrected), and the report's sentences in both languages."""
    from nndl.classic import Perceptron, outlier_experiment, with_x4
    from nndl.classic.render import summary_lines, to_json, verdict, warning_lines

    res = outlier_experiment([t], lr=lr, epochs=epochs, fit_intercept=bias,
                             pla_max_iter=pla_max_iter)
    row = res.rows[0]

    def steps(X, y) -> dict:
        # the same PLA run as the experiment's raw one (zeros, cyclic order, max_iter)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p = Perceptron(max_iter=pla_max_iter).fit(X, y)
        hist = p.history_
        shown = hist if len(hist) <= PLA_STEPS else hist[:PLA_STEPS - 1] + hist[-1:]
        return {"epochs": len(hist), "updates": p.n_updates_, "converged": p.converged_,
                "shown": [{"epoch": h.epoch, "coef": h.coef, "intercept": h.intercept,
                           "updated": h.updated} for h in shown]}

    X4, y4 = with_x4(t)
    text = {lang: {"summary": summary_lines(res, lang), "verdict": verdict(row, res, lang),
                   "warnings": warning_lines(res, lang)} for lang in ("zh", "en")}
    view = {"pla_steps": {"D": steps(res.X, res.y), "x4": steps(X4, y4)}, "text": text}
    return to_json(res), view


PLA_STEPS = 200   # PLA epochs the page can step through (the first ones and the last)


def vanish(depths: str, activations: list[str], inits: list[str], width: int, batch: int,
           seed: int) -> str:
    """``nndl vanish -d DEPTHS -a ACTS -i INITS --width W --batch B --seed S --format json``."""
    from nndl.deep.render import to_json
    from nndl.deep.vanish import vanishing_sweep

    s = vanishing_sweep(depths, activations, inits, width=width, batch=batch, seed=seed)
    return to_json(s)


MISCLASSIFIED_SHOWN = 40


def train(send: Callable[[str, Any], None], model: str, epochs: int, lr: float | None,
          optimizer: str, seed: int) -> dict:
    """``nndl train digits --model M --epochs E [--lr LR] --optimizer O --seed S --format
    json``, sending ``("batch", ...)`` after every step and ``("epoch", ...)`` after every
    epoch as it runs; returns the history (the command's JSON, as data), the confusion
    matrix of the held-out split and the misclassified images."""
    import json

    import numpy as np

    import nndl
    from nndl.data import load_digits
    from nndl.train import to_json, train_digits

    last = [0.0]

    def on_batch(epoch, epochs, batch, batches, loss, acc) -> None:
        import time

        if batch == batches:   # the epoch's mean training loss and accuracy, as the history
            send("epoch", {"epoch": epoch, "epochs": epochs, "train_loss": loss,
                           "train_accuracy": acc})
        elif time.monotonic() - last[0] > 0.2:  # a few progress messages a second, not 50
            last[0] = time.monotonic()
            send("batch", {"epoch": epoch, "epochs": epochs, "batch": batch, "batches": batches,
                           "loss": loss, "accuracy": acc})

    history, net = train_digits(model, epochs=epochs, lr=lr, optimizer=optimizer, seed=seed,
                                on_batch=on_batch)
    split = load_digits(seed=history.split_seed)
    net.eval()
    with nndl.no_grad():
        probs = nndl.from_numpy(split.x_test)
        logits = np.asarray(net(probs).data, dtype=np.float64)
    pred = logits.argmax(axis=1)
    truth = split.y_test
    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (truth, pred), 1)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    wrong = np.flatnonzero(pred != truth)
    return {
        "history": json.loads(to_json(history)),
        "confusion": confusion.tolist(),
        "test_accuracy": float((pred == truth).mean()),
        "misclassified": [{"index": int(i), "label": int(truth[i]), "predicted": int(pred[i]),
                           "confidence": round(float(p[i, pred[i]]), 4),
                           "pixels": np.round(split.x_test[i, 0], 3).tolist()}
                          for i in wrong[:MISCLASSIFIED_SHOWN]],
        "misclassified_total": int(len(wrong)),
    }


JOBS: dict[str, Callable[..., Any]] = {"solve": solve, "check": check, "outlier": outlier,
                                       "vanish": vanish}
STREAMS: dict[str, Callable[..., Any]] = {"train": train}
