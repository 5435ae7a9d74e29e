"""Exercise 2 as a function of its parameters (data set, outlier direction and label, t values,
loss, learning rate, epochs), against independent oracles: an LP (scipy) for separability,
NumPy sample by sample for PLA's lines, PyTorch autograd for x4's gradient; zh and en carry
the same numbers; bad parameters are refused by name; the sheet's instance keeps the sheet's
text and errata."""

from __future__ import annotations

import json
import math
import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import require, require_torch

from nndl.classic import outlier_experiment
from nndl.classic.render import summary_lines, verdict
from nndl.cli import main
from nndl.solutions import ex2, render, solve
from nndl.solutions.model import Paragraph, Table, Text, problem_text
from nndl.solutions.params import ParamError

torch = require_torch()
linprog = require("scipy.optimize").linprog


# ------------------------------------------------------------------ oracles
def separable(X: np.ndarray, y: np.ndarray, bias: bool) -> bool:
    """An LP: is there (b, w) with y·(wᵀx + b) ≥ 1 for every sample?"""
    Z = np.hstack([np.ones((len(X), 1)), X]) if bias else X
    res = linprog(np.zeros(Z.shape[1]), A_ub=-(y[:, None] * Z), b_ub=-np.ones(len(X)),
                  bounds=[(None, None)] * Z.shape[1], method="highs")
    return res.status == 0


def torch_grad_norm(loss: str, coef, x, label: float) -> float:
    """‖∂ℓ/∂w‖ of one sample by PyTorch autograd (float64)."""
    w = torch.tensor(coef, dtype=torch.float64, requires_grad=True)
    m = label * (w @ torch.tensor(x, dtype=torch.float64))
    ell = (torch.sigmoid(m) - 1) ** 2 if loss == "sigmoid_squared" else torch.nn.functional.softplus(-m)
    ell.backward()
    return float(w.grad.norm())


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-30)


_NUM = re.compile(r"(?<![\w.])[−-]?\d+(?:\.\d+)?(?:e[+−-]?\d+)?(?:×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?")


def _numbers(text: str, ignore: set[str]) -> Counter:
    return Counter(n for n in _NUM.findall(text) if n.lstrip("−-") not in ignore)


def _same_numbers_in_both_languages(solution, k: int) -> None:
    """Every paragraph, table cell, caption, check, erratum, answer and the statement carries
    the same computed numbers in zh and en (0, 1 and the sample count k aside: the languages
    spell "all four" and "+1 side" differently)."""
    ignore = {"0", "1", str(k)}
    pairs: list[Text] = [solution.statement]
    for sec in solution.sections:
        for b in sec.blocks:
            if isinstance(b, Paragraph):
                pairs.append(b.text)
            elif isinstance(b, Table):
                pairs += [c for row in b.rows for c in row if isinstance(c, Text)]
                pairs += [b.caption] if b.caption else []
    pairs += [c.what for c in solution.checks] + [e.text for e in solution.errata]
    pairs += [a.label for a in solution.answers]
    pairs += [a.display for a in solution.answers if isinstance(a.display, Text)]
    for t in pairs:
        assert _numbers(t.zh, ignore) == _numbers(t.en, ignore), (t.zh, t.en)
    zh, en = render.to_markdown([solution], "zh"), render.to_markdown([solution], "en")
    for a in solution.answers:
        if isinstance(a.display, str):
            assert a.display in zh and a.display in en, a.key


# ------------------------------------------------------------------ random parameters
@st.composite
def ex2_params(draw):
    """D separable by a line through the origin (labels from a random w, margin ≥ 0.25)."""
    angle = draw(st.floats(0, 2 * math.pi))
    w = np.array([math.cos(angle), math.sin(angle)])
    coords = st.integers(-6, 6).map(lambda v: v / 2)
    n = draw(st.integers(2, 5))
    points = draw(st.lists(st.tuples(coords, coords).filter(lambda p: abs(w @ p) >= 0.25),
                           min_size=n, max_size=n))
    labels = [1 if w @ p > 0 else -1 for p in points]
    if len(set(labels)) < 2:   # one class only: flip a point through the origin
        points[0] = (-points[0][0], -points[0][1])
        labels[0] = -labels[0]
    direction = draw(st.tuples(st.integers(-2, 2), st.integers(-2, 2)).filter(any))
    ts = draw(st.lists(st.sampled_from((0.5, 1, 3, 10, 1e3, 1e6)), min_size=1, max_size=3,
                       unique=True))
    return ex2.Params(data=tuple(zip(points, labels, strict=True)), direction=direction,
                      label=draw(st.sampled_from((1, -1))), ts=tuple(sorted(ts)),
                      loss=draw(st.sampled_from(("squared", "cross_entropy"))),
                      lr=draw(st.sampled_from((0.5, 1.0, 2.0))), epochs=draw(st.integers(3, 25)))


@settings(max_examples=8)
@given(ex2_params())
def test_exercise2_for_random_parameters_agrees_with_oracles(p):
    p.validate()
    sol = solve(2, p)
    res = ex2.experiment(p)
    got = {a.key: a.value for a in sol.answers}
    X, y = p.X(), p.y()
    main_loss, other = p.losses()
    assert res.bp_D.loss == main_loss and res.ce_D.loss == other

    seps = []
    for row in res.rows:
        x4 = float(row.t) * np.asarray(p.direction, dtype=np.float64)
        assert np.allclose(row.x4, x4)
        X4, y4 = np.vstack([X, x4]), np.append(y, p.label)
        sep = separable(X4, y4, bias=True)
        seps.append(sep)
        assert row.separable_with_bias == sep
        assert row.separable_without_bias == separable(X4, y4, bias=False)
        for pla in (row.pla_raw, row.pla_scaled):      # PLA's line, sample by sample
            ok = bool(np.all(y4 * (X4 @ np.asarray(pla.coef) + pla.intercept) > 0))
            assert pla.separates == ok
            if not sep:
                assert not ok
        # x4's gradient: the engine's numbers vs PyTorch autograd, at the start and the end
        for run, start in ((row.bp, res.bp_D), (row.ce, res.ce_D)):
            assert close(run.x4_grad_first, torch_grad_norm(run.loss, start.coef, x4, p.label))
            assert close(run.x4_grad_last, torch_grad_norm(run.loss, run.coef, x4, p.label))
            assert run.x4_correct == bool(p.label * (np.dot(run.coef, x4)) > 0)
        # and the solution's closed form
        for run in (row.bp, row.ce):
            assert close(ex2.closed_form_grad(run.loss, run.coef, x4, p.label),
                         torch_grad_norm(run.loss, run.coef, x4, p.label))
    pla_D_ok = np.all(y * (X @ np.asarray(res.pla_D.coef) + res.pla_D.intercept) > 0)
    assert res.pla_D.separates == bool(pla_D_ok)

    last = res.rows[-1]
    assert got["pla_separates_all"] == all(seps)
    assert got["pla_boundary_t_max"] == last.pla_scaled.equation
    assert got["bp_boundary_D"] == res.bp_D.equation
    assert got["bp_turn_deg_t_max"] == last.bp.angle_deg and 0 <= last.bp.angle_deg <= 180
    assert got["x4_gradient_t_max"] == last.bp.x4_grad_first
    assert got["bp_classifies_x4"] == last.bp.x4_correct
    assert all(c.passed for c in sol.checks), [c.what.en for c in sol.checks if not c.passed]
    if not p.sheet_problem():
        assert not sol.errata and sol.statement != problem_text(2)[1]
        k = len(p.data) + 1
        assert f"x_{k}" in sol.statement.en or f"x}}_{k}" in sol.statement.en
    _same_numbers_in_both_languages(sol, len(p.data) + 1)


def test_random_data_statement_shows_the_parameters():
    p = ex2.Params(data=(((0.5, 2), 1), ((3, 1), 1), ((-1, -1), -1), ((-2, 0.5), -1)),
                   direction=(2, -1), label=-1, ts=(1, 10), loss="cross_entropy", epochs=10)
    s = ex2.statement(p)
    for lang in ("zh", "en"):
        text = s(lang)
        for part in ("(0.5,2)^T", "(3,1)^T", "(-1,-1)^T", "(-2,0.5)^T", "(2t, -t)^T, -1",
                     r"\mathbf{x}_5", r"\log(1 + e^{-y"):
            assert part in text, (lang, part)
        assert "1 + 10x_1" not in text and "x_1 + x_2" not in text  # the sheet's claims only there
    assert "交叉熵" in s.zh and "cross-entropy" in s.en


# ------------------------------------------------------------------ the sheet's instance
def test_sheet_instance_keeps_the_sheet_and_the_classic_wording():
    p = ex2.Params(epochs=30)
    assert ex2.Params().is_sheet() and p.sheet_problem() and not p.is_sheet()
    assert ex2.statement(p) == problem_text(2)[1]
    res = outlier_experiment(ex2.TS, epochs=30, lr=1.0)
    for lang in ("zh", "en"):   # the generalised narrative says what nndl.classic.render says
        assert ex2.summary(res, p, lang) == summary_lines(res, lang)
        for row in res.rows:
            assert ex2.verdict(row, res, p, lang) == verdict(row, res, lang)
    sol = solve(2, p)
    assert len(sol.errata) >= 2 and any("1 + 10x1 + 10x2" in e.text.en for e in sol.errata)
    assert any("1.6 + 2x1 − x2" in c.what.en for c in sol.checks)
    assert all(c.passed for c in sol.checks)
    _same_numbers_in_both_languages(sol, 4)


def test_other_loss_on_the_sheets_data_is_another_problem():
    sol = solve(2, ex2.Params(loss="cross_entropy", ts=(1, 1e3), epochs=20))
    assert sol.statement != problem_text(2)[1] and not sol.errata
    assert not any("1.6 + 2x1" in c.what.en for c in sol.checks)
    assert all(c.passed for c in sol.checks)
    assert "cross-entropy" in sol.sections[1].blocks[1].columns[3].en


def test_non_separable_outlier_answers_no():
    # x4 = (−t, 0) with label +1 sits beside x3 = (−1, 0) (−1) and x2 = (1, 0) (+1) on one line
    sol = solve(2, ex2.Params(direction=(-1, 0), ts=(0.5, 2, 1e3), epochs=10))
    got = {a.key: a.value for a in sol.answers}
    assert got["pla_separates_all"] is False
    assert "not a solution" in sol.answers[1].label.en
    assert all(c.passed for c in sol.checks)
    _same_numbers_in_both_languages(sol, 4)


# ------------------------------------------------------------------ parsing and refusals
def test_parameters_read_from_the_command_line_syntax():
    p = ex2.Params.from_strings({"data": "0,1:1; (2, 1):+1; -1,0.5:−1", "direction": "(1, -2)",
                                 "label": "-1", "ts": "10, 1, 1e3", "loss": "ce",
                                 "lr": "0.5", "epochs": "40"})
    assert p.data == (((0, 1), 1), ((2, 1), 1), ((-1, 0.5), -1))
    assert p.direction == (1, -2) and p.label == -1 and p.ts == (1, 10, 1e3)
    assert p.loss == "cross_entropy" and p.lr == 0.5 and p.epochs == 40
    info = {r.name: r for r in ex2.Params.info()}
    assert info["data"].default == "0,1:1; 1,0:1; -1,0:-1"
    assert ex2.Params.from_strings({"data": info["data"].default}) == ex2.Params()
    assert ex2.Params.from_strings({"ts": info["ts"].default, "direction": info["direction"].default}) \
        == ex2.Params()


@pytest.mark.parametrize("name,value", [
    ("data", "0,1:1"),                            # one sample
    ("data", "0,1:1; 1,0:1"),                     # one class
    ("data", "0,1:1; 1,0:1; -1,0:-1; 2,2:-1"),    # not separable
    ("data", "1,1:1; 2,2:-1"),                    # separable only with a bias
    ("data", "0,0:1; 1,0:-1"),                    # a point at the origin
    ("data", "0,1:2; 1,0:-1"),                    # label not ±1
    ("data", "0,1; 1,0:-1"),                      # no label
    ("data", "0,1,2:1; 1,0:-1"),                  # three coordinates
    ("data", "a,1:1; 1,0:-1"),                    # not a number
    ("data", "500,1:1; -1,0:-1"),                 # too far out
    ("data", ""),
    ("direction", "0,0"),
    ("direction", "1"),
    ("direction", "1000,0"),
    ("label", "0"),
    ("ts", "0"),
    ("ts", "-1,10"),
    ("ts", "1e13"),
    ("ts", "inf"),
    ("ts", ",".join(str(i) for i in range(1, 20))),
    ("loss", "hinge"),
    ("lr", "0"),
    ("lr", "100"),
    ("epochs", "0"),
    ("epochs", "1000000"),
])
def test_bad_parameters_are_refused_by_name(name, value):
    with pytest.raises(ParamError) as err:
        ex2.Params.from_strings({name: value})
    assert name in str(err.value), str(err.value)
    assert err.value.hint


def test_large_t_is_refused_for_a_long_direction():
    ex2.Params.from_strings({"ts": "1e12"})        # ‖d‖ = 1: allowed
    with pytest.raises(ParamError, match="ts"):
        ex2.Params.from_strings({"ts": "1e12", "direction": "0,-2"})


@pytest.mark.parametrize("bad", [
    {"data": (((0, 1), 1),)}, {"data": "0,1:1"}, {"ts": (10, 1)}, {"label": 2},
    {"loss": "hinge"}, {"epochs": 2.5}, {"direction": (0, float("nan"))},
])
def test_bad_parameters_built_in_python_are_refused_by_name(bad):
    name = next(iter(bad))
    with pytest.raises(ParamError, match=name):
        solve(2, ex2.Params(**bad))


# ------------------------------------------------------------------ the command line
def test_cli_json_with_parameters(capsys):
    assert main(["solve", "2", "epochs=50", "-f", "json"]) == 0
    ex = json.loads(capsys.readouterr().out)["exercises"][0]
    assert ex["params"]["epochs"] == 50 and ex["params"]["loss"] == "squared"
    assert ex["problem"]["en"] == problem_text(2)[1].en   # the sheet's problem, fewer epochs
    assert ex["errata"] and all(c["passed"] for c in ex["checks"])
    assert main(["solve", "2", "data=0,1:1; 2,1:1; -1,0:-1", "direction=-1,0", "ts=1,100",
                 "epochs=20", "loss=cross_entropy", "-f", "json"]) == 0
    ex = json.loads(capsys.readouterr().out)["exercises"][0]
    assert ex["params"]["data"] == [[[0, 1], 1], [[2, 1], 1], [[-1, 0], -1]]
    assert ex["params"]["direction"] == [-1, 0] and not ex["errata"]
    assert "(-t, 0)^T, 1" in ex["problem"]["en"]
    assert set(ex["answers"]) == {"pla_separates_all", "pla_boundary_t_max", "bp_boundary_D",
                                  "bp_turn_deg_t_max", "x4_gradient_t_max", "bp_classifies_x4"}


def test_cli_refuses_a_bad_parameter_by_name(capsys):
    assert main(["solve", "2", "data=0,1:1; 1,0:1; -1,0:-1; 2,2:-1"]) == 2
    assert "data" in capsys.readouterr().err
    assert main(["solve", "2", "--params", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "direction" in out and "cross_entropy" in out
