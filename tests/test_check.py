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
    assert set(item) == {"key", "given", "expected", "verdict", "mistakes", "feedback", "step"}
    assert item["mistakes"] == ["no_bias"] and item["expected"] == "27,000,100"
    assert main(["check", "5", "nonsense=1"]) == 2
    assert "fc_params" in capsys.readouterr().err  # the valid keys are listed


def test_command_line_takes_the_exercise_parameters(capsys):
    assert main(["check", "5", "image=32x32x3", "fc_params=307,300", "-l", "en"]) == 0
    assert "1 of 1 right" in capsys.readouterr().out
