"""Activation derivations (SymPy), measured properties, rule-made pros/cons, curves and `nndl act`."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import os

import numpy as np
import pytest
from oracles import require_torch

from nndl.activations import (
    REGISTRY,
    ActivationReport,
    analyze,
    curves,
    derivation,
    measure,
    rules,
)
from nndl.cli import main
from nndl.plotting import figure_bytes

torch = require_torch()


# ------------------------------------------------------------------ derivations
def test_sigmoid_derivation_in_the_seeds_style():
    d = derivation("sigmoid")
    titles = [s.title.en for s in d.steps]
    assert titles[:3] == ["Definition", "Differentiate", "Simplify in terms of the function itself"]
    assert "e^(-x)/(1 + e^(-x))^2" in d.steps[1].plain          # the seed's middle expression
    assert d.in_terms_of_f and d.derivative_plain == "(1 - σ(x))·σ(x)"
    assert r"\sigma" in d.derivative_latex


def test_tanh_derivation_ends_at_one_minus_tanh_squared():
    d = derivation("tanh")
    assert d.in_terms_of_f and d.derivative_plain == "1 - tanh(x)^2"


def test_relu_derivation_states_the_kink_convention():
    d = derivation("relu")
    (k,) = d.kinks
    assert (k.at, k.left, k.right, k.value, k.differentiable) == (0.0, 0.0, 1.0, 0.0, False)
    assert any("f′(0) = 0" in s.plain for s in d.steps)
    assert any(s.note and "PyTorch" in s.note.en and "PyTorch" in s.note.zh for s in d.steps)


def test_rewrites_are_discovered_for_silu_softplus_elu_selu():
    assert derivation("silu").derivative_plain == "(1 - SiLU(x))·σ(x) + SiLU(x)"
    assert derivation("softplus").derivative_plain == "σ(x)"
    assert "α + ELU(x)" in derivation("elu").derivative_plain
    assert "α·λ + SELU(x)" in derivation("selu").derivative_plain
    # GELU has no such form among the candidates, and none is claimed
    assert not derivation("gelu").in_terms_of_f


def test_elu_kink_has_continuous_derivative_selu_does_not():
    (e,) = derivation("elu").kinks
    assert e.differentiable and e.left == e.right == 1.0
    (s,) = derivation("selu").kinks
    assert not s.differentiable
    assert s.left == pytest.approx(1.6732632423543772 * 1.0507009873554805)
    assert s.right == pytest.approx(1.0507009873554805)


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_derivation_has_latex_and_plain_steps(name):
    d = derivation(name)
    assert d.steps[0].title.zh == "定义" and d.steps[-1].title.en == "Result"
    assert all(s.latex and s.plain for s in d.steps)


# ------------------------------------------------------------------ properties
def test_sigmoid_properties_against_closed_forms():
    p = measure("sigmoid", cost=False)
    assert p.max_slope == 0.25 and p.max_slope_where.lo == p.max_slope_where.hi == 0.0
    assert p.chain_bound[10] == pytest.approx(0.25**10)
    assert (p.range.lo, p.range.hi, p.range.lo_closed, p.range.hi_closed) == (0, 1, False, False)
    assert p.mean_output == pytest.approx(0.5, abs=2e-3) and not p.zero_centred
    # σ(1-σ) = 0.0025  <=>  σ = (1 + sqrt(0.99))/2
    s = (1 + math.sqrt(0.99)) / 2
    edge = math.log(s / (1 - s))
    assert p.active_band.hi == pytest.approx(edge, abs=2e-6)
    assert p.active_band.lo == pytest.approx(-edge, abs=2e-6)
    t = torch.tensor(p.active_band.hi, dtype=torch.float64)
    assert float(torch.sigmoid(t) * (1 - torch.sigmoid(t))) == pytest.approx(0.0025, rel=1e-5)
    assert p.monotonic and p.smooth_at_0 and not p.dead and not p.kinks


def test_tanh_properties_against_closed_forms():
    p = measure("tanh", cost=False)
    assert p.max_slope == 1.0 and p.max_slope_where.lo == 0.0
    assert p.zero_centred and p.odd_symmetric and abs(p.mean_output) < 5e-3
    assert p.active_band.width == pytest.approx(2 * math.atanh(math.sqrt(0.99)), abs=4e-6)
    # 1 - tanh² rounds to 0.0 beyond |x| ≈ 19 in float64: that is not a dead region
    assert p.dead == []


def test_relu_properties():
    p = measure("relu", cost=False)
    assert p.mean_output == pytest.approx(1 / math.sqrt(2 * math.pi), abs=3e-3)
    (dead,) = p.dead
    assert (dead.lo, dead.hi, dead.hi_closed) == (-math.inf, 0.0, True)
    assert p.kinks == [0.0] and not p.smooth_at_0
    assert (p.slope_left_0, p.slope_right_0) == (0.0, 1.0)
    w = p.max_slope_where
    assert (w.lo, w.hi, w.lo_closed) == (0.0, math.inf, False)
    assert p.saturates_left and not p.saturates_right and p.piecewise_linear and p.uses == []


def test_selu_is_zero_centred_by_design_and_elu_is_not():
    assert measure("selu", cost=False).zero_centred
    elu = measure("elu", cost=False)
    # E[ELU(x)] = φ(0) + e^{1/2} Φ(−1) − 1/2 for x ~ N(0,1)
    exact = 1 / math.sqrt(2 * math.pi) + math.exp(0.5) * 0.5 * math.erfc(1 / math.sqrt(2)) - 0.5
    assert elu.mean_output == pytest.approx(exact, abs=3e-3) and not elu.zero_centred
    assert elu.kinks == [] and elu.smooth_at_0


def test_gelu_dip_matches_the_zero_of_torchs_gradient():
    p = measure("gelu", cost=False)
    lo, hi = -1.0, -0.5
    for _ in range(60):  # bisection on the sign of torch's autograd derivative
        mid = torch.tensor((lo + hi) / 2, dtype=torch.float64, requires_grad=True)
        (g,) = torch.autograd.grad(torch.nn.functional.gelu(mid), mid)
        m = mid.detach().item()
        lo, hi = (m, hi) if g < 0 else (lo, m)
    assert not p.monotonic
    assert p.minimum_at == pytest.approx(lo, abs=1e-6)
    assert p.minimum == pytest.approx(float(torch.nn.functional.gelu(torch.tensor(lo, dtype=torch.float64))), abs=1e-12)


def test_dead_regions_kinks_and_limits_of_the_hard_ones():
    ht = measure("hardtanh", cost=False)
    assert [(d.lo, d.hi) for d in ht.dead] == [(-math.inf, -1.0), (1.0, math.inf)]
    assert ht.kinks == [-1.0, 1.0]
    hs = measure("hardsigmoid", cost=False)
    assert hs.max_slope == pytest.approx(1 / 6) and hs.kinks == [-3.0, 3.0]
    assert measure("gelu_tanh", cost=False).dead == []  # 0.5(1+tanh) rounding to 0 is not dead
    sp = measure("softplus", cost=False)
    assert sp.max_slope_is_limit and sp.max_slope_where.lo == math.inf


def test_cost_is_counted_in_operations_not_timed():
    """The seed's three: both sigmoid and tanh need one exp (tanh's e^(−x) is 1/e^x), ReLU one
    comparison; σ′ and tanh′ reuse the forward output. Counted, so the same every run."""
    sig, tanh, relu = (measure(n).cost for n in ("sigmoid", "tanh", "relu"))
    assert sig.f.transcendental == {"exp": 1} == tanh.f.transcendental
    assert sig.df.transcendental == {} == tanh.df.transcendental
    assert sig.df_reuses_output and tanh.df_reuses_output
    assert (relu.f.compare, relu.f.arith, relu.f.transcendental) == (1, 0, {})
    assert (relu.df.compare, relu.df.arith) == (1, 0)
    gelu = measure("gelu").cost
    assert gelu.functions == ["erf", "exp"] and not gelu.df_reuses_output
    assert measure("hardtanh").cost.f.compare == 2
    assert sig.timing is None  # no measurement unless asked for
    timed = measure("relu", timing=True).cost.timing
    assert timed.relative == 1.0 and timed.ns_f > 0


def test_cost_verdicts_agree_for_every_function_that_needs_exp():
    """tanh is not 'cheap' while sigmoid is 'costly': one rule, read from the counts."""
    for name in REGISTRY:
        r = analyze(name)
        ks = {p.key for p in r.points()}
        if r.properties.cost.functions:
            assert "costly" in ks and "cheap" not in ks, name
        else:
            assert "cheap" in ks and "costly" not in ks, name
    assert [p.text for p in analyze("tanh").points() if p.key == "costly"][0].zh.count("exp") >= 1


def _run(*args: str) -> str:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "nndl", *args], capture_output=True, text=True,
                         timeout=300, env={**os.environ, "COLUMNS": "100"})
    assert out.returncode == 0, out.stderr
    return out.stdout


def _drop_times(v):
    """JSON without its time fields (keys naming seconds, ms or ns, and 'timing')."""
    if isinstance(v, dict):
        return {k: _drop_times(x) for k, x in v.items()
                if not (k == "timing" or k.startswith(("ns_", "time", "elapsed"))
                        or k.endswith(("_s", "_ms", "_ns", "seconds")))}
    if isinstance(v, list):
        return [_drop_times(x) for x in v]
    return v


def test_act_and_solve_1_are_the_same_on_every_run():
    """Two runs in two processes (no cache shared): identical answers. `act` has no time
    field at all unless --timing; `solve 1` may only differ in time fields."""
    a, b = _run("act", "--format", "json"), _run("act", "--format", "json")
    assert a == b and '"timing": null' in a
    s1, s2 = (json.loads(_run("solve", "1", "--format", "json")) for _ in range(2))
    assert _drop_times(s1) == _drop_times(s2)


def test_timing_is_opt_in_and_labelled(capsys):
    assert main(["act", "sigmoid", "--format", "json", "--timing"]) == 0
    timing = json.loads(capsys.readouterr().out)["activations"][0]["properties"]["cost"]["timing"]
    assert timing["ns_f"] > 0 and timing["relative"] > 0


# ------------------------------------------------------------------ pros and cons
def keys(report: ActivationReport, kind: str) -> set[str]:
    return {p.key for p in getattr(report, kind)}


def test_seed_points_for_sigmoid():
    r = analyze("sigmoid", cost=False)
    assert {"smooth", "monotonic", "nonlinear"} <= keys(r, "pros")
    assert {"not_zero_centred", "vanishing_gradient", "saturates"} <= keys(r, "cons")
    van = next(p for p in r.cons if p.key == "vanishing_gradient")
    assert "0.25" in van.text.en and "梯度消失" in van.text.zh
    nz = next(p for p in r.cons if p.key == "not_zero_centred")
    assert "0 均值" in nz.text.zh and "zero-centred" in nz.text.en


def test_seed_points_for_tanh():
    r = analyze("tanh", cost=False)
    assert {"zero_centred", "monotonic", "smooth", "nonlinear"} <= keys(r, "pros")
    zc = next(p for p in r.pros if p.key == "zero_centred")
    assert "中心对称" in zc.text.zh and "f(−x) = −f(x)" in zc.text.en
    van = next(p for p in r.cons if p.key == "vanishing_gradient")
    assert "at most 1 " in van.text.en and "梯度消失" in van.text.zh
    assert "saturates" in keys(r, "cons")


def test_seed_points_for_relu():
    r = analyze("relu")  # "cheap" rests on the operation count
    assert {"no_saturation_positive", "cheap"} <= keys(r, "pros")
    assert {"not_zero_centred", "dead_units"} <= keys(r, "cons")
    dead = next(p for p in r.cons if p.key == "dead_units")
    assert "不会更新" in dead.text.zh and "stop updating" in dead.text.en
    cheap = next(p for p in r.pros if p.key == "cheap")
    assert "指数" in cheap.text.zh and "exponential" in cheap.text.en
    assert "vanishing_gradient" not in keys(r, "cons")


def test_rules_follow_the_numbers_not_the_name():
    p = measure("sigmoid", cost=False)
    d = derivation("sigmoid")
    q = copy.deepcopy(p)
    q.mean_output, q.zero_centred = 0.0, True
    q.max_slope = q.chain_factor = 1.0
    q.saturates_left = q.saturates_right = False
    ks = {pt.key for pt in rules(q, d)}
    assert "zero_centred" in ks and "vanishing_gradient" not in ks and "saturates" not in ks
    for name in REGISTRY:
        for pt in analyze(name, cost=False).points():
            assert REGISTRY[name].title not in pt.text.en and name not in pt.text.en


# ------------------------------------------------------------------ curves and CLI
def test_curves_are_deterministic_and_svg_keeps_text():
    a = figure_bytes(curves(["sigmoid", "relu"]), "svg")
    b = figure_bytes(curves(["sigmoid", "relu"]), "svg")
    assert a == b and b"f(x)" in a and b"Sigmoid" in a
    assert figure_bytes(curves(["tanh"]), "png").startswith(b"\x89PNG")


def test_cli_text_md_json_and_plot(tmp_path, capsys):
    assert main(["act", "--no-timing", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Sigmoid" in out and "ReLU" in out and "Tanh" in out and "vanishing" in out
    assert main(["act", "relu", "--format", "md", "--no-timing"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("# ") and "$$" in md and "优点" in md
    svg, png = tmp_path / "a.svg", tmp_path / "a.png"
    assert main(["act", "sigmoid", "gelu", "--format", "json", "--plot", str(svg), "--no-timing"]) == 0
    data = json.loads(capsys.readouterr().out)
    sig = data["activations"][0]
    assert sig["properties"]["max_slope"] == 0.25 and sig["properties"]["range"]["hi"] == 1.0
    assert data["activations"][1]["properties"]["range"]["hi"] == "inf"
    assert sig["pros"][0]["text"]["zh"] and sig["derivation"]["derivative_latex"]
    assert svg.read_bytes().startswith(b"<?xml")
    assert main(["act", "tanh", "--plot", str(png), "--no-timing"]) == 0
    assert png.read_bytes().startswith(b"\x89PNG")


def test_cli_all_and_unknown_names(capsys):
    assert main(["act", "all", "--format", "json", "--no-timing"]) == 0
    assert [a["name"] for a in json.loads(capsys.readouterr().out)["activations"]] == list(REGISTRY)
    assert main(["act", "--all", "--format", "json", "--no-timing"]) == 0
    assert len(json.loads(capsys.readouterr().out)["activations"]) == len(REGISTRY)
    assert main(["act", "sigmoid", "softmaxx"]) == 2
    err = capsys.readouterr().err
    assert "softmaxx" in err and "hardtanh" in err


def test_analyze_returns_plain_dataclasses():
    r = analyze("mish", cost=False)
    assert dataclasses.is_dataclass(r) and r.properties.cost is None
    assert np.isfinite(r.properties.max_slope)
