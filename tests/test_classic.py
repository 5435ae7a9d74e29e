"""Exercise 2: PLA, the sigmoid neuron, the outlier experiment, against independent oracles
(the seed's gradient formula, PyTorch float64 autograd, a second max-margin algorithm)."""

from __future__ import annotations

import itertools
import json
import math
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from oracles import require_torch

from nndl.classic import (
    DEFAULT_TS,
    X_D,
    Y_D,
    DataError,
    Neuron,
    Perceptron,
    check_line,
    max_margin,
    outlier_experiment,
    sheet_checks,
    with_x4,
)
from nndl.classic.perceptron import _frank_wolfe

torch = require_torch()

X = np.array(X_D)
y = np.array(Y_D, dtype=np.float64)


@pytest.fixture(scope="module")
def experiment():
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # t = 1e9: no overflow / invalid warnings
        return outlier_experiment(DEFAULT_TS, epochs=400)


# ------------------------------------------------------------------ PLA
def test_pla_separates_D_and_every_D_with_x4(experiment):
    assert experiment.pla_D.converged and experiment.pla_D.separates
    for row in experiment.rows:
        X4, y4 = with_x4(row.t)
        assert row.pla_scaled.converged, row.t
        line = check_line(row.pla_scaled.coef, row.pla_scaled.intercept, X4, y4)
        assert line.separates, (row.t, line.margins)
        if row.t <= 1000:   # raw PLA needs about t updates; it converges for these
            assert row.pla_raw.converged and row.pla_raw.separates
            assert row.pla_raw.n_updates <= row.pla_raw.novikoff.bound_max


@pytest.mark.parametrize("shuffle,init", [(True, "zeros"), (False, "random"), (True, "random")])
def test_pla_orders_and_inits_separate(shuffle, init):
    for seed in range(5):
        for t in (1, 1e9):
            X4, y4 = with_x4(t)
            p = Perceptron(shuffle=shuffle, init=init, random_state=seed,
                           feature_scaling="maxabs").fit(X4, y4)
            assert p.converged_ and np.all(p.predict(X4) == y4)


def test_pla_history_and_sklearn_conventions():
    p = Perceptron().fit(X, y)
    assert p.history_[-1].mistakes == 0
    assert sum(h.mistakes for h in p.history_) == p.n_updates_
    assert p.coef_.shape == (2,) and isinstance(p.intercept_, float)
    np.testing.assert_allclose(p.decision_function(X), X @ p.coef_ + p.intercept_)
    assert set(p.predict(X)) <= {-1, 1}


def test_novikoff_on_D_uses_the_found_and_the_max_margin():
    nb = Perceptron().fit(X, y).novikoff_bound()
    # found separator here is x1 + x2, augmented (0, 1, 1)/√2: its margin is 1/√2
    assert nb.gamma_found == pytest.approx(1 / math.sqrt(2))
    assert math.isclose(nb.R, math.sqrt(2))                    # ‖(1, 0, 1)‖
    assert nb.gamma_max >= nb.gamma_found - 1e-12
    assert nb.exact and nb.holds and nb.updates <= nb.bound_max <= nb.bound_found + 1e-9


@st.composite
def separable(draw):
    n = draw(st.integers(3, 12))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(2)
    b = rng.standard_normal()
    pts = rng.uniform(-3, 3, (n, 2))
    s = pts @ w + b
    keep = np.abs(s) > 0.3 * np.linalg.norm(w)        # a margin, so PLA ends quickly
    pts, s = pts[keep], s[keep]
    if len(pts) < 2:
        pts, s = np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([1.0, -1.0])
    return pts, np.where(s > 0, 1.0, -1.0)


@given(separable())
def test_pla_obeys_novikoff_on_random_separable_data(data):
    pts, lab = data
    p = Perceptron(max_iter=100_000).fit(pts, lab)
    assert p.converged_ and np.all(p.predict(pts) == lab)
    nb = p.novikoff_bound()
    assert nb.updates <= nb.bound_max * (1 + 1e-9)
    assert nb.gamma_found <= nb.gamma_max + 1e-9


@settings(max_examples=20)
@given(separable())
def test_exact_max_margin_matches_a_qp_solver(data):
    """Oracle: SciPy's SLSQP on the hard-margin QP min ‖u‖² s.t. y·uᵀz ≥ 1 (γ* = 1/‖u‖)."""
    from scipy.optimize import minimize

    pts, lab = data
    Z = np.hstack([np.ones((len(pts), 1)), pts])
    u, gamma, exact = max_margin(Z, lab)
    assert exact
    P = Z * lab[:, None]
    qp = minimize(lambda v: v @ v, u / gamma, jac=lambda v: 2 * v, method="SLSQP",
                  constraints=[{"type": "ineq", "fun": lambda v: P @ v - 1, "jac": lambda v: P}],
                  options={"ftol": 1e-14, "maxiter": 500})
    assert qp.success
    assert gamma == pytest.approx(1 / np.linalg.norm(qp.x), rel=1e-6)
    # and the approximate route agrees roughly (Frank-Wolfe converges like 1/k)
    assert gamma <= np.linalg.norm(_frank_wolfe(P, iters=2000)) + 1e-9


def _exact_max_margin_sq(Z, lab):
    """Oracle in exact rational arithmetic: γ*² for the rows p_n = y_n z_n, by brute force
    over active sets. For every linearly independent set S of rows, v_S = P_Sᵀ(P_S P_Sᵀ)⁻¹1
    is the least-norm solution of P_S v = 1; γ*² = 1 / min ‖v_S‖² over the v_S with P v ≥ 1
    (0 when none is feasible). No rounding, so it holds for any t, 1e12 included."""
    from fractions import Fraction

    P = [[Fraction(float(y_)) * Fraction(float(z)) for z in row] for row, y_ in zip(Z, lab, strict=True)]
    n, d = len(P), len(P[0])
    best = None
    for k in range(1, min(n, d) + 1):
        for S in itertools.combinations(range(n), k):
            A = [P[i] for i in S]
            G = [[sum(a * b for a, b in zip(r, c, strict=True)) for c in A] + [Fraction(1)] for r in A]
            for c in range(k):                      # Gauss-Jordan on [G | 1]
                piv = next((r for r in range(c, k) if G[r][c] != 0), None)
                if piv is None:
                    break                           # dependent rows: a smaller S covers it
                G[c], G[piv] = G[piv], G[c]
                G[c] = [x / G[c][c] for x in G[c]]
                for r in range(k):
                    if r != c and G[r][c] != 0:
                        G[r] = [x - G[r][c] * yv for x, yv in zip(G[r], G[c], strict=True)]
            else:
                lam = [G[r][k] for r in range(k)]
                v = [sum(lam[r] * A[r][j] for r in range(k)) for j in range(d)]
                if all(sum(p * x for p, x in zip(row, v, strict=True)) >= 1 for row in P):
                    nv = sum(x * x for x in v)
                    best = nv if best is None or nv < best else best
    return Fraction(0) if best is None else 1 / best


@pytest.mark.parametrize("t", [1.0, 10.0, 1e3, 1e6, 1e9, 1e11, 1e12])
@pytest.mark.parametrize("bias", [True, False])
def test_max_margin_on_D_with_x4_is_exact_for_every_allowed_t(t, bias):
    X4, y4 = with_x4(t)
    Z = np.hstack([np.ones((4, 1)), X4]) if bias else X4
    u, gamma, exact = max_margin(Z, y4)
    want = math.sqrt(_exact_max_margin_sq(Z, y4))
    assert exact
    assert gamma == pytest.approx(want, rel=1e-12, abs=0)
    if want:
        assert np.min((Z * y4[:, None]) @ u) == gamma and np.linalg.norm(u) == pytest.approx(1)


@st.composite
def ill_scaled(draw):
    """Small integer data sets, with or without a bias column, one entry blown up by 10^e."""
    d = draw(st.integers(1, 3))
    n = draw(st.integers(1, 6))
    Z = np.array(draw(st.lists(st.lists(st.integers(-4, 4), min_size=d, max_size=d),
                               min_size=n, max_size=n)), dtype=np.float64)
    Z[draw(st.integers(0, n - 1)), draw(st.integers(0, d - 1))] *= 10.0 ** draw(st.integers(0, 12))
    if draw(st.booleans()):
        Z = np.hstack([np.ones((n, 1)), Z])
    lab = np.array(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n, max_size=n)))
    return Z, lab


@settings(max_examples=200)
@given(ill_scaled())
# the old Gram-matrix solve returned γ = 0 here (two same-side points 1e11 apart)
@example((np.array([[1e11], [1.0]]), np.array([-1.0, -1.0])))
# γ* = 3.5e-8 from rows of size 1e7 whose terms cancel: y·uᵀz rounds by ~1e-16 absolute
@example((np.array([[1.0, 1e7, 0.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]]), np.array([1.0, 1.0, -1.0])))
def test_exact_max_margin_matches_rational_brute_force_on_ill_scaled_data(data):
    Z, lab = data
    u, gamma, exact = max_margin(Z, lab)
    want = math.sqrt(_exact_max_margin_sq(Z, lab))
    assert exact
    P, eps = Z * lab[:, None], np.finfo(np.float64).eps
    if gamma == 0.0:
        # not separable, or a margin below what float64 resolves of y·uᵀz
        assert want <= 64 * eps * np.linalg.norm(P, axis=1).max()
    else:
        # y·uᵀz itself rounds by about eps·Σ_j |y z_j u_j| (a 1e7 beside 1s whose terms cancel
        # to a margin of 3.5e-8 loses 9 digits there); beyond that rounding, exact
        scale = float((np.abs(P) @ np.abs(u)).max())
        assert gamma == pytest.approx(want, rel=1e-12, abs=16 * eps * scale)
        assert np.min(P @ u) == gamma                       # attained by the u returned


# ------------------------------------------------------------- the sheet
def test_sheet_boundaries_checked_honestly():
    checks = {(c.name, c.set_name): c for c in sheet_checks()}
    assert checks[("g_PLA = 1 + 10x1 + 10x2", "D")].separates
    assert checks[("g_BP = x1 + x2", "D")].separates
    for t in DEFAULT_TS:
        name = f"D∪x4(t={float(t):g})"
        assert checks[("g_PLA' = 1.6 + 2x1 − x2", name)].separates
        # x1 + x2 puts x4 = (0, −t) on the wrong side: the sheet's "BP stays ≈ x1 + x2"
        # means BP misclassifies x4
        assert checks[("g_BP = x1 + x2", name)].wrong == [3]
        assert checks[("g_PLA = 1 + 10x1 + 10x2", name)].wrong == [3]


def test_separability_with_and_without_bias(experiment):
    for row in experiment.rows:
        assert not row.separable_without_bias      # x1 = (0,1) and x4 = (0,−t) both +1
        assert row.separable_with_bias


# ------------------------------------------------------------ the neuron
def _torch_sample_grads(w, Xa, ya, loss):
    out = []
    for xn, yn in zip(Xa, ya, strict=True):
        wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        m = yn * (wt @ torch.tensor(xn, dtype=torch.float64))
        ell = (torch.sigmoid(m) - 1) ** 2 if loss == "sigmoid_squared" else \
            torch.nn.functional.softplus(-m)
        ell.backward()
        out.append(wt.grad.numpy())
    return np.array(out)


@pytest.mark.parametrize("loss", ["sigmoid_squared", "logistic"])
@pytest.mark.parametrize("t", [1.0, 10.0, 1e3])
def test_sample_gradients_match_torch_and_the_seed_formula(loss, t):
    X4, y4 = with_x4(t)
    w = np.array([0.7, -0.3])
    n = Neuron(loss=loss, epochs=0).fit(X4, y4, coef_init=w)
    mine = n.sample_gradients()
    np.testing.assert_allclose(mine, _torch_sample_grads(w, X4, y4, loss), rtol=1e-12, atol=1e-300)
    if loss == "sigmoid_squared":      # the seed: 2(θ − 1) θ (1 − θ) y x
        th = 1 / (1 + np.exp(-(y4 * (X4 @ w))))
        seed = (2 * (th - 1) * th * (1 - th) * y4)[:, None] * X4
        np.testing.assert_allclose(mine, seed, rtol=1e-10, atol=1e-300)


@pytest.mark.parametrize("loss", ["sigmoid_squared", "logistic"])
@pytest.mark.parametrize("bias", [False, True])
def test_gradient_descent_matches_torch(loss, bias):
    X4, y4 = with_x4(10.0)
    n = Neuron(loss=loss, lr=0.5, epochs=25, fit_intercept=bias, init="random",
               random_state=3).fit(X4, y4)
    w0 = np.random.default_rng(3).standard_normal(3 if bias else 2)
    wt = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    Xt = torch.tensor(np.hstack([X4, np.ones((4, 1))]) if bias else X4)
    yt = torch.tensor(y4)
    opt = torch.optim.SGD([wt], lr=0.5)
    for _ in range(25):
        opt.zero_grad()
        m = yt * (Xt @ wt)
        ell = ((torch.sigmoid(m) - 1) ** 2 if loss == "sigmoid_squared"
               else torch.nn.functional.softplus(-m)).mean()
        ell.backward()
        opt.step()
    got = np.r_[n.coef_, n.intercept_] if bias else n.coef_
    np.testing.assert_allclose(got, wt.detach().numpy(), rtol=1e-10)
    # the per-epoch record: the step used the mean of the recorded per-sample gradients
    h = n.history_
    assert len(h) == 25 and len(h[0].sample_grads) == 4


def test_bp_direction_on_D_tends_to_max_margin(experiment):
    d = experiment.direction
    np.testing.assert_allclose(d.max_margin_direction, [2 ** -0.5, 2 ** -0.5], atol=1e-12)
    assert all(b > a for a, b in zip(d.norms, d.norms[1:], strict=False))       # ‖w‖ grows
    assert all(b < a for a, b in zip(d.angles_deg, d.angles_deg[1:], strict=False))


def test_bp_boundary_stays_for_large_t_and_x4_gradient_vanishes(experiment):
    rows = [r for r in experiment.rows if r.t >= 10]
    for r in rows:
        assert r.bp.angle_deg < 1.0, (r.t, r.bp.angle_deg)
        assert r.bp.x4_correct is False               # no line through 0 gets x4 right too
    grads = [r.bp.x4_grad_first for r in experiment.rows]
    assert all(b <= a for a, b in zip(grads, grads[1:], strict=False))
    assert grads[-1] == 0.0 and rows[0].bp.x4_grad_first < 1e-10


def test_cross_entropy_lets_x4_move_the_boundary(experiment):
    for r in experiment.rows:
        if r.t >= 10:
            assert r.ce.angle_deg > 20.0, (r.t, r.ce.angle_deg)
            assert r.ce.x4_correct
            assert r.ce.x4_grad_first >= 0.9 * r.t     # −θ(−m)·y·x ≈ t: it does not vanish


def test_zero_start_is_not_protected_by_saturation(experiment):
    big = experiment.rows[-1]
    assert big.bp_zeros.angle_deg > 20.0 and big.bp_zeros.x4_grad_first > 1e6


def test_no_nan_anywhere(experiment):
    from nndl.classic.render import to_json

    text = to_json(experiment)
    assert "NaN" not in text and "nan" not in text.replace("nan\"", "")
    json.loads(text)


# ------------------------------------------------------------ errors
@pytest.mark.parametrize("Xb,yb,where", [
    ([[0, 1], [1, 0]], [1, 0], "row 1"),
    ([[0, 1], [np.nan, 0]], [1, -1], "row 1"),
    ([0, 1], [1], "2-D"),
])
def test_bad_input_names_where(Xb, yb, where):
    with pytest.raises(DataError, match=where):
        Perceptron().fit(Xb, yb)
    with pytest.raises(DataError, match=where):
        Neuron().fit(Xb, yb)


def test_bad_settings():
    with pytest.raises(DataError, match="loss"):
        Neuron(loss="hinge")
    with pytest.raises(DataError, match="t = -1"):
        outlier_experiment((-1,))


# ------------------------------------------------------------ CLI, renderers, plot
def test_cli_outlier_json_and_plot(tmp_path, capsys):
    from nndl.cli import main

    fig = tmp_path / "o.svg"
    assert main(["experiment", "outlier", "--t", "1,1e9", "--epochs", "60", "--pla-max-iter", "100", "-f", "json",
                 "--plot", str(fig)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["t"] for r in data["rows"]] == [1.0, 1e9]
    assert fig.read_text().startswith("<?xml") and "x4 = (0, -1e+09)" in fig.read_text()


@pytest.mark.parametrize("fmt", ["text", "md"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_outlier_text(fmt, lang, capsys):
    from nndl.cli import main

    assert main(["experiment", "outlier", "--t", "10", "--epochs", "40", "-f", fmt, "-l", lang]) == 0
    out = capsys.readouterr().out
    assert ("交叉熵" if lang == "zh" else "Cross-entropy") in out


def test_cli_outlier_bad_t(capsys):
    from nndl.cli import main

    assert main(["experiment", "outlier", "--t", "1,x", "-l", "en"]) == 2  # zh: test_zh_experiments
    assert "item 2" in capsys.readouterr().err


# ------------------------------------------------------------------ issue 20's bugs
def test_a_zero_x4_gradient_turns_the_boundary_by_exactly_nothing():
    """The reference continuation (without x4) weighs D's samples as the run with x4 does
    (the loss is a mean over n + 1): when x4 adds no gradient, the two runs coincide. Before,
    the reference stepped lr/n per sample instead of lr/(n+1) and showed a spurious 0.0928°."""
    res = outlier_experiment(ts=(1e3, 1e9), epochs=50)
    for row in res.rows:
        assert row.bp.x4_grad_max == 0.0  # saturated: every epoch's gradient underflows
        assert row.bp.angle_deg == pytest.approx(0.0, abs=1e-9)


def test_the_bias_run_is_not_explained_by_a_missing_bias():
    from nndl.classic.render import verdict

    res = outlier_experiment(ts=(10, 1e6), epochs=100, fit_intercept=True)
    for row in res.rows:
        assert not row.bp.all_correct  # the saturated continuation keeps x4 wrong
        en = " ".join(verdict(row, res, "en"))
        zh = " ".join(verdict(row, res, "zh"))
        assert "without a bias" not in en and "没有偏置" not in zh
        assert "a line with a bias could classify every sample" in en and "带偏置的直线" in zh
    # without a bias the origin is the reason, and says so
    res0 = outlier_experiment(ts=(10,), epochs=100)
    assert "without a bias" in " ".join(verdict(res0.rows[0], res0, "en"))
