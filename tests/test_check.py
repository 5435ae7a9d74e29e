"""nndl check: every layer mistake of the catalogue, produced by the switched solver, is
diagnosed as that mistake (on the sheet's instance and on random parameters); right answers
in equivalent forms are right; errors carried forward are blamed on the first wrong row;
bad input is refused by name; the command's exit status scripts over a class."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nndl.check import CATALOGUE, AnswerError, check
from nndl.check.layers import LAYER_MISTAKES, chain
from nndl.check.problems import exercise5_questions, exercise6_questions
from nndl.check.values import parse_number, parse_shape
from nndl.cli import main
from nndl.solutions import ex5, ex6


def _as_text(v) -> str:
    return "x".join(str(x) for x in v) if isinstance(v, tuple) else str(v)


def _mistaken_answers(questions, mistake):
    """Each question's answer with ``mistake`` switched on, where it differs from the right one."""
    for q in questions:
        right = q.value(chain(q.spec))
        wrong = q.value(chain(q.spec, frozenset([mistake])))
        if wrong != right:
            yield q, _as_text(wrong)


@pytest.mark.parametrize("mistake", LAYER_MISTAKES)
def test_every_layer_mistake_on_the_sheet_is_diagnosed(mistake):
    found = 0
    for number, questions in ((5, exercise5_questions(ex5.Params())),
                              (6, exercise6_questions(ex6.Params()))):
        for q, answer in _mistaken_answers(questions, mistake):
            item = check(number, {q.key: answer}).items[0]
            assert item.verdict == "wrong", (q.key, answer)
            assert mistake in item.mistakes, (q.key, answer, item.mistakes)
            assert item.feedback.zh and item.feedback.en
            found += 1
    if mistake not in ("pool_params", "shape_before_pool", "pad_once"):
        assert found, f"the sheet never shows {mistake}"  # exercise 5 and 6 exercise it


@st.composite
def ex5_params(draw):
    w, h = draw(st.integers(8, 64)), draw(st.integers(8, 64))
    d = draw(st.integers(1, 4))
    kernel = draw(st.integers(2, min(w, h, 7)))
    pad = draw(st.integers(0, kernel - 1))
    strides = [s for s in range(1, 5)
               if (w - kernel + 2 * pad) % s == 0 and (h - kernel + 2 * pad) % s == 0]
    return ex5.Params(image=(w, h, d), fc_units=draw(st.integers(2, 300)),
                      filters=draw(st.integers(2, 64)), kernel=kernel,
                      stride=draw(st.sampled_from(strides)), pad=pad)


@settings(max_examples=20)
@given(ex5_params(), st.sampled_from(LAYER_MISTAKES))
def test_every_layer_mistake_on_random_parameters_is_diagnosed(p, mistake):
    for q, answer in _mistaken_answers(exercise5_questions(p), mistake):
        item = check(5, {q.key: answer}, p).items[0]
        assert item.verdict == "wrong" and mistake in item.mistakes, (q.key, answer, item.mistakes)


def test_two_mistakes_together_are_diagnosed_as_both():
    q = next(q for q in exercise5_questions(ex5.Params()) if q.key == "conv_params")
    answer = q.value(chain(q.spec, frozenset(["no_bias", "no_input_depth"])))  # 5·5·100
    item = check(5, {"conv_params": str(answer)}).items[0]
    assert set(item.mistakes) == {"no_bias", "no_input_depth"}


@pytest.mark.parametrize("written", ["27,000,100", "27000100", "2.70001e7", "2.70001×10^7",
                                     "2.70001 x 10^7", "2.70001×10⁷", "27_000_100"[:0] + "27000100"])
def test_the_right_answer_in_any_usual_form_is_right(written):
    assert check(5, {"fc_params": written}).items[0].verdict == "correct"


@pytest.mark.parametrize("written", ["296x296x100", "296×296×100", "(296, 296, 100)", "296 296 100"])
def test_shapes_in_any_usual_form_are_right(written):
    assert check(5, {"conv_output_shape": written}).items[0].verdict == "correct"


def test_neurons_given_for_parameters_and_back():
    item = check(5, {"conv_neurons": "7,600"}).items[0]
    assert item.mistakes == ["params_for_neurons"]
    item = check(6, {"conv1_params": "290,400"}).items[0]  # Conv-1's 55·55·96 neurons
    assert item.mistakes == ["neurons_for_params"]


def test_an_error_carried_forward_blames_the_first_wrong_row():
    r = check(6, {"maxpool1_output": "26x26x96", "conv2_image_size": "26x26",
                  "maxpool1_neurons": str(26 * 26 * 96)})
    by_key = {i.key: i for i in r.items}
    assert by_key["maxpool1_output"].mistakes == []
    assert by_key["conv2_image_size"].mistakes == ["carried_forward"]
    assert by_key["maxpool1_neurons"].mistakes == ["carried_forward"]
    assert "maxpool1_output" in by_key["conv2_image_size"].feedback.en
    assert [i.key for i in r.items] == ["maxpool1_output", "conv2_image_size", "maxpool1_neurons"]


def test_an_answer_no_mistake_explains_is_simply_wrong_with_the_step():
    item = check(5, {"fc_params": "12345"}).items[0]
    assert item.verdict == "wrong" and item.mistakes == []
    assert "27,000,100" in item.step.en and "270,000·100 + 100" in item.step.en


def test_every_mistake_explains_itself_in_both_languages():
    for m in CATALOGUE.values():
        for t in (m.name, m.explanation, m.step):
            assert not t.missing(), m.id


def test_the_same_input_gives_the_same_verdict_every_time():
    answers = {"fc_params": "27,000,000", "conv_output_shape": "295x295x100"}
    first = check(5, answers).to_json("en")
    assert all(check(5, answers).to_json("en") == first for _ in range(3))


def test_summary_questions_by_layer_name():
    r = check("summary", {"Conv-1.params": "450", "FC-1.params": "47050",
                          "Conv-1.output": "28x28x6", "total_params": "47506"},
              "input 32x32x3; conv 6 5x5; fc 10")
    verdicts = {i.key: (i.verdict, i.mistakes) for i in r.items}
    assert verdicts == {"Conv-1.params": ("wrong", ["no_bias"]), "FC-1.params": ("correct", []),
                        "Conv-1.output": ("correct", []), "total_params": ("correct", [])}


@pytest.mark.parametrize("text, what", [("abc", "character 1"), ("1..2", "character"),
                                        ("2.5", "whole number"), ("1" * 600, "characters long")])
def test_unreadable_numbers_say_where(text, what):
    with pytest.raises(AnswerError, match=what):
        check(5, {"fc_params": text})


def test_value_readers():
    assert parse_number("−3") == -3 and parse_number("1/4") * 4 == 1
    assert parse_number("2.5×10^-3") * 1000 == 2.5
    assert parse_shape("(27, 27, 96)") == (27, 27, 96)
    with pytest.raises(AnswerError):
        parse_shape("27xx")


def test_command_line_exit_status_and_json(capsys):
    assert main(["check", "5", "fc_params=27,000,100"]) == 0
    capsys.readouterr()
    assert main(["check", "5", "fc_params=27,000,000", "-f", "json", "-l", "en"]) == 1
    d = json.loads(capsys.readouterr().out)
    assert d["correct"] == 0 and d["total"] == 1
    item = d["items"][0]
    assert set(item) == {"key", "given", "expected", "verdict", "mistakes", "mistake_names",
                         "feedback", "step"}
    assert item["mistakes"] == ["no_bias"] and item["expected"] == "27,000,100"
    assert main(["check", "5", "nonsense=1"]) == 2
    assert "fc_params" in capsys.readouterr().err  # the valid keys are listed


def test_command_line_takes_the_exercise_parameters(capsys):
    assert main(["check", "5", "image=32x32x3", "fc_params=307,300", "-l", "en"]) == 0
    assert "1 of 1 right" in capsys.readouterr().out


# ------------------------------------------------------------------ graphs (exercise 4)
from nndl.check.graph import GRAPH_MISTAKES, backward_with  # noqa: E402
from nndl.expr import trace  # noqa: E402


@pytest.mark.parametrize("expr, values", [("(x+y)^2*z", {"x": 1, "y": 2, "z": -6}),
                                          ("x*y+x", {"x": 2, "y": 3}),
                                          ("sigmoid(w*x+b)*w", {"w": 0.5, "x": -1.5, "b": 0.25})])
@pytest.mark.parametrize("mistake", GRAPH_MISTAKES)
def test_every_graph_mistake_is_diagnosed(expr, values, mistake):
    t = trace(expr, values)
    right = backward_with(t, frozenset())
    keeps = ("first", "last") if mistake == "no_accumulation" else ("first",)
    steps = [None, *range(len(t.steps))] if mistake == "no_local_gradient" else [None]
    checked = 0
    for v in t.variables:
        for keep in keeps:
            for at in steps:
                wrong = backward_with(t, frozenset([mistake]), keep, at)[v]
                if abs(wrong - right[v]) <= 1e-3 * max(1.0, abs(right[v])):
                    continue  # this switch does not change ∂f/∂v here
                r = check("graph", {f"df/d{v}": repr(wrong)}, (expr, values))
                assert r.items[0].verdict == "wrong"
                assert mistake in r.items[0].mistakes, (v, wrong, r.items[0].mistakes)
                checked += 1
    if mistake != "no_accumulation" or expr != "(x+y)^2*z":
        assert checked, "the mistake never changes an answer here"


def test_exercise4_right_values_and_gradients():
    r = check(4, {"f": "-54", "q": "3", "p": "9", "df/dx": "-36", "df/dy": "-36", "df/dz": "9"})
    assert r.all_correct and r.tolerance == 1e-3


def test_a_real_number_within_the_stated_tolerance_is_right():
    assert check("graph", {"f": "0.37754"}, ("sigmoid(w*x+b)", {"w": 0.5, "x": -1.5, "b": 0.25})
                 ).all_correct


# ------------------------------------------------------------------ derivatives (exercise 1)
@pytest.mark.parametrize("function, answer", [
    ("sigmoid", "sigmoid(x)*(1-sigmoid(x))"), ("sigmoid", "σ(x)(1−σ(x))"),
    ("sigmoid", "exp(-x)/(1+exp(-x))^2"), ("sigmoid", "e^x/(1+e^x)^2"),
    ("tanh", "1-tanh(x)^2"), ("tanh", "1 - tanh(x)**2"), ("tanh", "4/(exp(x)+exp(-x))^2"),
    ("relu", "{0 if x <= 0; 1 otherwise}"), ("relu", "{0 if x < 0; 1 otherwise}"),
    ("x^3 + 2x", "3x^2 + 2"), ("log(1+exp(x))", "sigmoid(x)"),
])
def test_right_derivatives_in_equivalent_forms(function, answer):
    item = check("derivative", {"d": answer}, function).items[0]
    assert item.verdict == "correct", (function, answer, item.feedback.en)


@pytest.mark.parametrize("function, answer, mistake", [
    ("sigmoid", "x(1-x)", "derivative_of_wrong_argument"),
    ("sigmoid", "x*(1-x)", "derivative_of_wrong_argument"),
    ("tanh", "1-x^2", "derivative_of_wrong_argument"),
    ("tanh", "1-tanh(x)", "missing_square"),
    ("tanh", "tanh(x)^2-1", "sign"),
    ("sigmoid", "sigmoid(x)*(sigmoid(x)-1)", "sign"),
    ("x^3", "-3x^2", "sign"),
])
def test_derivative_mistakes_are_diagnosed(function, answer, mistake):
    item = check("derivative", {"d": answer}, function).items[0]
    assert item.verdict == "wrong" and item.mistakes == [mistake], item.feedback.en


def test_relu_at_zero_is_a_convention_and_says_so():
    item = check("derivative", {"d": "{0 if x <= 0; 1 otherwise}"}, "relu").items[0]
    assert item.verdict == "correct" and "PyTorch" in item.feedback.en and "PyTorch" in item.feedback.zh


def test_an_undecidable_formula_is_undetermined_not_wrong():
    # log(−x² − 1) is undefined at every real point: neither route can decide
    item = check("derivative", {"d": "log(-x^2-1)"}, "x^2").items[0]
    assert item.verdict == "undetermined"


def test_a_formula_in_other_variables_is_refused_by_name():
    with pytest.raises(AnswerError, match="uses y"):
        check("derivative", {"d": "y*x"}, "sigmoid")


def test_exercise1_keys():
    r = check(1, {"sigmoid_derivative": "x(1-x)", "tanh_derivative": "1-tanh(x)^2",
                  "relu_max_slope": "1"})
    got = {i.key: (i.verdict, i.mistakes) for i in r.items}
    assert got == {"sigmoid_derivative": ("wrong", ["derivative_of_wrong_argument"]),
                   "tanh_derivative": ("correct", []), "relu_max_slope": ("correct", [])}


# ------------------------------------------------------------------ boundaries (exercise 2)
def test_a_pla_boundary_is_right_when_it_separates_every_point():
    from nndl.check.boundary import boundary_item

    pts, ys = [[0, 1], [1, 0], [-1, 0], [0, -10]], [1, 1, -1, 1]
    assert boundary_item("b", "1 + 2x1 - 0.01x2", pts, ys, None).verdict == "correct"
    assert boundary_item("b", "g(x) = 0.5 + 3·x1 + 0·x2", pts, ys, None).verdict == "correct"
    wrong = boundary_item("b", "x1 + x2", pts, ys, None)
    assert wrong.verdict == "wrong" and "x4" in wrong.feedback.en
    with pytest.raises(AnswerError, match="not a line"):
        boundary_item("b", "x1^2 + x2", pts, ys, None)


def test_exercise2_keys_on_the_sheet():
    r = check(2, {"pla_separates_all": "是", "bp_boundary_D": "x1 + x2",
                  "bp_classifies_x4": "no"})
    assert r.all_correct, [(i.key, i.feedback.en) for i in r.items]


def test_exercise3_derivations_are_undetermined_numbers_are_checked():
    r = check(3, {"delta_output": "whatever", "sigmoid_factor_per_layer": "0.5"})
    got = {i.key: i.verdict for i in r.items}
    assert got == {"delta_output": "undetermined", "sigmoid_factor_per_layer": "wrong"}


@pytest.mark.parametrize("key, answer, verdict, mistakes", [
    # the sheet's network: three weight layers, sigmoid: (1/4)^3 = 1/64
    ("theta_prime_bound_w1", "1/64", "correct", []),
    ("theta_prime_bound_w1", "0.015625", "correct", []),
    ("theta_prime_bound_w1", "1/8", "wrong", ["sigma_for_sigma_prime"]),  # (1/2)^3
    ("theta_prime_bound_w1", "1/16", "wrong", ["one_layer_short"]),  # hidden layers only
    ("theta_prime_bound_w1", "1/256", "wrong", ["one_layer_over"]),
    ("theta_prime_bound_w1", "1", "wrong", ["no_theta_prime"]),
    ("theta_prime_bound_w1", "0.3", "wrong", []),
    ("max_theta_prime", "0.5", "wrong", ["sigma_for_sigma_prime"]),
    ("theta_prime_factors_w1", "2", "wrong", ["one_layer_short"]),
    ("theta_prime_factors_w1", "3", "correct", []),
])
def test_exercise3_bound_and_its_mistakes(key, answer, verdict, mistakes):
    item = check(3, {key: answer}).items[0]  # no sweep: these are computed, not measured
    assert (item.verdict, item.mistakes) == (verdict, mistakes), item.feedback.en


def test_exercise3_bound_mistakes_apply_where_they_exist():
    from nndl.check.vanishing import bound_numbers

    # tanh's θ′ peaks at 1: the bound is 1 whatever the depth, and σ for σ′ is the sigmoid's
    assert bound_numbers((2, 5, 1), "tanh") == {"theta_prime_factors_w1": 2,
                                                "max_theta_prime": 1.0,
                                                "theta_prime_bound_w1": 1.0}
    assert bound_numbers((2, 5, 1), "tanh", frozenset({"sigma_for_sigma_prime"})) is None
    item = check(3, {"theta_prime_bound_w1": "1"}, ex3_params(activation="tanh")).items[0]
    assert item.verdict == "correct"


def ex3_params(**kw):
    from nndl.solutions import ex3

    return ex3.Params(**kw)


def test_exercise2_outlier_gradient_and_its_mistakes():
    """x = t·(1, −1) with label −1 at BP's boundary on D = {(1,2):1, (2,1):1, (−1,−1):−1}:
    w ∝ (1, 1), so s = 0 and σ = 1/2: ‖∂ℓ/∂w‖ = 2·(1/2)·(1/4)·‖x‖ = ‖x‖/4 at t = 10."""
    from nndl.check.outlier import fit_on_d, x4_gradient
    from nndl.solutions import ex2

    p = ex2.Params(data=(((1, 2), 1), ((2, 1), 1), ((-1, -1), -1)), direction=(1, -1),
                   label=-1, ts=(1, 3, 10))
    w = fit_on_d(p)
    assert w[0] == pytest.approx(w[1])
    norm = 10 * 2 ** 0.5
    assert x4_gradient(p, 10, w) == pytest.approx(norm / 4)
    got = {text: check(2, {"x4_gradient_t_max": text}, p).items[0]
           for text in (f"{norm / 4:.6f}", f"{norm:.6f}", f"{norm / 8:.6f}", "2")}
    assert [(i.verdict, i.mistakes) for i in got.values()] == [
        ("correct", []), ("wrong", ["no_theta_prime"]), ("wrong", ["no_factor_two"]),
        ("wrong", [])]
    # cross-entropy's gradient has neither σ′ nor a square: the switches do not apply
    ce = ex2.Params(data=p.data, direction=p.direction, label=-1, ts=p.ts, loss="cross_entropy")
    assert x4_gradient(ce, 10, w, frozenset({"no_theta_prime"})) is None


def test_command_line_graph_and_derivative(capsys):
    assert main(["check", "graph", "x*y+x", "--at", "x=2,y=3", "df/dx=4", "f=8"]) == 0
    assert main(["check", "derivative", "tanh", "1-tanh(x)", "-f", "json"]) == 1
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{"):])["items"][0]["mistakes"] == ["missing_square"]
    assert main(["check", "4", "f=-54", "q=3", "df/dx=-36"]) == 0
    assert main(["check", "derivative", "sigmoid"]) == 2


@pytest.mark.parametrize("function, answer", [
    ("hardtanh", "{0 if x < -1; 1 if x <= 1; 0 otherwise}"),
    ("hardsigmoid", "{0 if x < -3; 1/6 if x < 3; 0 otherwise}"),
    ("leaky_relu", "{a if x <= 0; 1 otherwise}"),  # the activation's own parameter by name
    ("leaky_relu", "{0.01 if x < 0; 1 otherwise}"),
    ("elu", "{alpha*exp(x) if x <= 0; 1 otherwise}"),
])
def test_piecewise_activations_with_parameters(function, answer):
    item = check("derivative", {"d": answer}, function).items[0]
    assert item.verdict == "correct", item.feedback.en


def test_exercise1_and_2_are_checked_against_the_solutions_own_answers():
    """check 1 measures max |f′| alone and check 2 runs the experiment at the largest t only:
    each value is the one the whole worked solution gives (sheet and a non-separable D)."""
    from nndl.activations import measure
    from nndl.solutions import ex2, solve

    s1 = {a.key: a.value for a in solve(1).answers}
    slopes = {k: v for k, v in s1.items() if k.endswith("_max_slope")}
    assert len(slopes) == 3
    for key, v in slopes.items():
        assert measure(key.removesuffix("_max_slope"), cost=False).max_slope == v
        assert check(1, {key: repr(v)}).all_correct
        assert not check(1, {key: repr(v * 1.1 + 0.1)}).all_correct
    # (−5, −5) labelled +1 lies beyond (−1, −1) labelled −1 on the line x1 = x2: not separable
    odd = ex2.Params(data=(((1, 2), 1), ((2, 1), 1), ((-1, -1), -1)), direction=(-1, -1),
                     label=1, ts=(0.1, 5))
    for p in (ex2.Params(), odd):
        full = {a.key: a.value for a in solve(2, p).answers}
        assert ex2.answer_values(p) == full
    assert full["pla_separates_all"] is False
    r = check(2, {"pla_separates_all": "no", "bp_classifies_x4": "yes" if full["bp_classifies_x4"] else "no",
                  "bp_turn_deg_t_max": repr(full["bp_turn_deg_t_max"])}, odd)
    assert r.all_correct, [(i.key, i.feedback.en) for i in r.items]
