"""Issue 18, PLA: stopping at max_iter without separating is a ConvergenceWarning (as in
scikit-learn) with the number of updates Novikoff's bound predicts, said in every rendering."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from nndl.classic import Perceptron, outlier_experiment, render, with_x4
from nndl.classic.perceptron import ConvergenceWarning, predicted_updates


def test_pla_warns_when_it_stops_at_max_iter():
    X, y = with_x4(1e6)
    with pytest.warns(ConvergenceWarning, match="max_iter=1000") as caught:
        p = Perceptron(max_iter=1000).fit(X, y)
    assert not p.converged_
    nb = p.novikoff_bound()
    n = predicted_updates(nb)
    assert abs(n - nb.bound_max) <= 1e-9 * nb.bound_max and n > p.n_updates_
    assert f"{n:,} updates" in str(caught[0].message)


def test_pla_is_silent_when_it_converges():
    X, y = with_x4(10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = Perceptron(max_iter=1000).fit(X, y)
    assert p.converged_ and p.convergence_message() == ""
    assert p.n_updates_ <= predicted_updates(p.novikoff_bound())


def test_pla_on_inseparable_data_says_it_never_converges():
    with pytest.warns(ConvergenceWarning, match="not linearly separable"):
        Perceptron(max_iter=20).fit([[1.0], [1.0]], [1, -1])


def test_extreme_magnitudes_keep_a_finite_exact_bound():
    # a margin of 1e-159 beside R = 1e12: (R/γ)² is past float64, but a number; rows of
    # 1e-191 are not 0 (their squares underflow)
    X = [[1e12, 1e12], [-1e-159, 1e-300], [1.0, 0.0]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        p = Perceptron(max_iter=3, fit_intercept=False).fit(X, [1, -1, 1])
        q = Perceptron(max_iter=5, fit_intercept=False).fit([[-0.89], [-8.5e-191]], [-1, -1])
    n = predicted_updates(p.novikoff_bound())
    assert n is not None and n > 10**300
    assert q.converged_ and predicted_updates(q.novikoff_bound()) is not None


def test_sklearn_names_the_same_warning():
    sk = pytest.importorskip("sklearn.linear_model")
    X, y = with_x4(1e6)
    with pytest.warns(Warning) as caught:
        sk.Perceptron(max_iter=2, shuffle=False).fit(X, y)
    assert any(type(w.message).__name__ == "ConvergenceWarning" for w in caught)


@pytest.mark.parametrize("fmt", ["text", "md", "json"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_rendering_says_it(fmt, lang):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # the experiment records, not warns
        res = outlier_experiment(ts=(1e6,), epochs=20, pla_max_iter=30)
    raw = res.rows[0].pla_raw
    assert not raw.converged and raw.predicted_updates and raw.warning
    assert len(res.warnings) == 1 and "t = 1e+06" in res.warnings[0]
    out = (render.to_json(res) if fmt == "json" else render.to_markdown(res, lang)
           if fmt == "md" else render.to_text(res, lang, width=140))
    n = f"{raw.predicted_updates:,}"
    if fmt == "json":
        data = json.loads(out)
        assert [w["en"] for w in data["warnings"]] == res.warnings  # zh beside it (issue 20)
        assert data["rows"][0]["pla_raw"]["predicted_updates"] == raw.predicted_updates
    else:
        assert ("收敛警告" if lang == "zh" else "ConvergenceWarning") in out and n in out
        assert out.count(n) >= 2  # the warning and the table cell


def test_a_scaled_run_that_stops_is_not_called_converged():
    res = outlier_experiment(ts=(1e6,), epochs=5, pla_max_iter=1)
    scaled = res.rows[0].pla_scaled
    if scaled.converged:
        pytest.skip("one epoch was enough for the scaled run")
    out = render.to_text(res, "en")
    assert "max-abs scaled features PLA has not converged" in out


def test_pla_D_that_stops_is_rendered_as_such():
    res = outlier_experiment(ts=(1,), epochs=5, pla_max_iter=1,
                             X=np.array([[0.0, 1.0], [1.0, 0.0], [-1.0, 0.0], [0.0, -1.0]]),
                             y=[1, 1, -1, -1])
    if res.pla_D.converged:
        pytest.skip("one epoch was enough on D")
    assert "not converged" in render.to_text(res, "en").split("Results")[0]
