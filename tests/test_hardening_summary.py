"""Issue 18, the architecture calculator: exact counts or a refusal with the bound named,
never a wrapped int64, a truncated size, an ignored option, or minutes of work."""

from __future__ import annotations

import math
import time

import pytest

import nndl
from nndl.errors import NNDLError
from nndl.summary import SpecError, SummaryError
from nndl.summary.core import spec_model
from nndl.summary.hints import fix_hint
from nndl.summary.rows import VERIFY_MEMORY_LIMIT, VERIFY_WORK_LIMIT, verify_cost
from nndl.summary.spec import MAX_COUNT, MAX_LAYERS, MAX_SPEC_CHARS


# ------------------------------------------------------------------ silent wrong numbers
@pytest.mark.parametrize("spec", [
    "input 3037000500x3037000500x1; relu",  # int64 product wraps negative
    "input 2147483648x2147483648x4; relu",  # wraps to 0
    "input 4194304x4194304x1048576; fc 10",  # wraps to 0, then 'in_features 0'
])
def test_sizes_past_the_bound_are_refused_not_wrapped(spec):
    with pytest.raises(SpecError, match="10\\^15") as info:
        nndl.summary(spec)
    assert "line 1" in info.value.message and info.value.hint


def test_counts_near_the_bound_are_exact_python_ints():
    s = nndl.summary("input 10000000x10000000x10; relu")  # 10^15 values exactly
    row = s.layers[0]
    assert row.output_elements == 10**15 and type(row.output_elements) is int
    assert s.to_dict()["layers"][0]["output_elements"] == 10**15
    s = nndl.summary("input 1000000x1000; fc 1000")  # 10^9 inputs x 10^3 outputs
    assert s.total_params == 10**12 + 1000
    assert s.total_mult_adds == 10**12


@pytest.mark.parametrize("spec, what", [
    ("input 10x10; fc 100000000; fc 100000000", "parameters"),
    ("input 100x100x100000; conv 100000000 100x100", "parameters"),
])
def test_layers_with_too_many_parameters_are_refused(spec, what):
    with pytest.raises(SpecError, match=what):
        nndl.summary(spec)


@pytest.mark.parametrize("size", [(1.5, 2, 3), (3, 2.0, 2), (True, 4, 4), (3, "8", 8),
                                  {"a": 1}, object()])
def test_input_size_that_is_not_whole_is_refused_not_truncated(size):
    with pytest.raises(SummaryError, match="whole number|not \\(C, H, W\\)"):
        nndl.summary(nndl.nn.Sequential(nndl.nn.ReLU()), input_size=size)


def test_input_size_past_the_bound_is_refused():
    with pytest.raises(SummaryError, match="10\\^15"):
        nndl.summary(nndl.nn.Sequential(nndl.nn.ReLU()), input_size=(3, 10**9, 10**9))


@pytest.mark.parametrize("spec, key", [
    ("input 10x10; conv 1 3x3 k=5", "kernel"),
    ("input 10x10; conv 1 3x3 kernel=5x5", "kernel"),
    ("input 10x10; conv 4 3x3/2 stride=3", "stride"),
    ("input 10x10; conv out=5 4 3x3", "filters"),
    ("input 10x10; conv 96@3x3 5", "filters"),
    ("input 10x10; maxpool 3 k=5", "kernel"),
    ("input 10x10; maxpool 3/1 stride=2", "stride"),
    ("input 10; dropout 0.5 p=0.3", "p"),
    ("input 10; leakyrelu 0.1 slope=0.2", "slope"),
])
def test_a_value_given_twice_differently_is_refused(spec, key):
    with pytest.raises(SpecError, match=f"{key} is given twice"):
        nndl.summary(spec)


def test_the_same_value_given_twice_is_accepted():
    a = nndl.summary("input 10x10; conv 1 3x3 k=3")
    b = nndl.summary("input 10x10; conv 1 3x3")
    assert a.layers[0].output_shape == b.layers[0].output_shape == (1, 8, 8)


# ------------------------------------------------------------------ unbounded work
@pytest.mark.parametrize("spec", [
    "input 10x10; conv 1 3x3 stride=10000000000",
    "input 1000000000x1x1; maxpool 7",
    "input 1000000000x1000; maxpool 7",
    "input 999999999999x1; conv 1 2x1 stride=999999999989",
])
def test_hints_are_computed_in_closed_form(spec):
    t = time.perf_counter()
    with pytest.raises(SpecError):
        nndl.summary(spec)
    assert time.perf_counter() - t < 2


def test_stride_hint_finds_the_nearest_divisor_of_a_large_span():
    import sympy

    for n, s in ((10**15 + 1, 999_999_999_989), (10**12 + 39, 7_777_777), (2**40 + 15, 3)):
        hint = fix_hint(n, 2, s, 0, 1, False)
        span = n - 2
        t = int(hint.split("stride=")[1].split(" ")[0])
        best = min((q for q in sympy.divisors(span) if q != s), key=lambda q: (abs(q - s), q))
        assert t == best


@pytest.mark.parametrize("spec, what", [
    ("input 1000x1000x3; conv 1 31x31 pad=15", "GiB"),  # the im2col columns: 11 GiB
    ("input 1024x1024x16; maxpool 32x32 stride=1", "operations"),  # minutes of comparisons
])
def test_verify_estimates_work_arrays_and_time(spec, what):
    t = time.perf_counter()
    with pytest.raises(SummaryError, match=what) as info:
        nndl.summary(spec, verify=True)
    assert time.perf_counter() - t < 5
    assert "leave out --verify" in info.value.hint
    nndl.summary(spec)  # the table itself needs neither


def test_verify_cost_covers_the_convolution_columns():
    spec = "input 1000x1000x3; conv 1 31x31 pad=15"
    s = nndl.summary(spec)
    model, _ = spec_model(spec, meta=True)
    need, work = verify_cost(s, list(model))
    assert need > 2883 * 1000 * 1000 * 4 > VERIFY_MEMORY_LIMIT  # C·kh·kw x H2·W2 float32
    assert work < VERIFY_WORK_LIMIT * 10
    small = nndl.summary("input 28x28; conv 6 5x5 pad=2 relu; maxpool 2; fc 10", verify=True)
    assert small.verified


def test_spec_text_is_bounded():
    with pytest.raises(SpecError, match="1 MB"):
        nndl.summary("input 10\n" + "#" * MAX_SPEC_CHARS)


def test_layer_count_is_capped_quickly():
    t = time.perf_counter()
    with pytest.raises(SpecError, match=f"{MAX_LAYERS:,} layers"):
        nndl.summary("input 10\n" + "relu\n" * (MAX_LAYERS + 1))
    assert time.perf_counter() - t < 5


# ------------------------------------------------------------------ tracebacks
@pytest.mark.parametrize("spec", [
    "input 10x10; fc " + "9" * 5000,
    "input " + "9" * 5000 + "x2",
    "input 10x10; conv 1 3x3 stride=" + "7" * 5000,
    "input 10x10; conv " + "1" * 30 + " 3x3",
])
def test_huge_numbers_are_refused_with_the_bound(spec):
    with pytest.raises(SpecError, match="too large") as info:
        nndl.summary(spec)
    assert len(info.value.message) < 400  # the 5,000 digits are not echoed


def test_error_echo_is_cut_around_the_column():
    spec = "input 10x10; conv 1 3x3 " + "a" * 100_000 + " bad=1"
    with pytest.raises(SpecError) as info:
        nndl.summary(spec)
    assert len(str(info.value)) < 1000


def test_bounds_are_stated_consistently():
    assert MAX_COUNT == 10**15 < 2**53
    assert math.prod((10**7, 10**7, 10)) == MAX_COUNT


def test_a_statement_of_commas_is_skipped():
    assert nndl.summary("input 3; ,; , ,\nfc 2").layers[0].output_shape == (2,)


@pytest.mark.parametrize("spec", ["", " ", ";;", "input", "input 0x3", "input -1", "fc",
                                  "conv", "input 5; conv 1 1x1", "input 3x3; fc 0", ","])
def test_odd_specs_are_nndl_errors(spec):
    with pytest.raises(NNDLError):
        nndl.summary(spec)


def test_verify_of_a_torch_model_is_bounded_too():
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 1, 31, padding=15))
    with pytest.raises(SummaryError, match="GiB"):
        nndl.summary(model, input_size=(3, 1000, 1000), verify=True)
    small = torch.nn.Sequential(torch.nn.Conv2d(3, 2, 3), torch.nn.ReLU())
    assert nndl.summary(small, input_size=(3, 8, 8), verify=True).verified
