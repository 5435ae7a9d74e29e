"""Fuzz campaign (issue 18): hostile and unlucky input against every command and loader.

    python bench/fuzz.py [--examples N] [--only summary,expr,...] [--seed S] [--json]

Each target draws inputs with Hypothesis (specs, expressions, values, checkpoint files
mutated byte by byte, file names, command lines...) and checks that nndl answers with a
result that holds its invariants or with an ``NNDLError`` (the CLI: exit status 0, 1 or 2):
never another exception, never a hang (``--time-limit`` seconds per input, 10 by default),
never a wrong number the target can check. Failures are collected, not stopped at, and the
totals printed: inputs tried and failures per target. ``tests/test_hardening_fuzz.py`` runs
the same targets, derandomised, 40 to 200 inputs each; ``--examples 10000`` is a campaign of
about 135,000 inputs (weights below), some twenty minutes on one core.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import signal
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from nndl.errors import NNDLError

WORK = Path(tempfile.mkdtemp(prefix="nndl-fuzz-"))


class Hang(Exception):
    """An input took longer than the time limit."""


# ------------------------------------------------------------------ summary specs
_NUM = st.one_of(st.integers(0, 300).map(str), st.integers(0, 10**20).map(str),
                 st.sampled_from(["0", "-1", "+3", "1.5", "1e3", "9" * 30, "9" * 5000, "", "x",
                                  "007", "10000000000", "２"]))
_SIZE = st.one_of(_NUM, st.builds("{}x{}".format, _NUM, _NUM),
                  st.builds("{}x{}x{}".format, _NUM, _NUM, _NUM),
                  st.builds("{}×{} x {}".format, _NUM, _NUM, _NUM),
                  st.builds("{}@{}/{}".format, _NUM, _NUM, _NUM),
                  st.builds("{}/{}".format, _NUM, _NUM))
_WORDS = ["input", "conv", "maxpool", "avgpool", "fc", "relu", "sigmoid", "tanh", "leakyrelu",
          "softmax", "flatten", "dropout", "bn", "linear", "dense", "pool", "convv", "rgb",
          "gray", "conv96@11x11", "stride", "pad", "kernel", ":", "#", ";", ",", ", ,"]
_OPTS = ["stride", "s", "pad", "padding", "p", "dilation", "d", "kernel", "k", "f", "filters",
         "out", "bias", "slope", "rate", "foo", ""]
_OPT = st.builds("{}={}".format, st.sampled_from(_OPTS),
                 st.one_of(_NUM, _SIZE, st.sampled_from(["true", "false", "maybe", "0.5"])))
_TOKEN = st.one_of(_NUM, _SIZE, _OPT, st.sampled_from(_WORDS), st.text(max_size=4))
_LINE = st.builds(lambda kw, toks: " ".join([kw, *toks]), st.sampled_from(_WORDS),
                  st.lists(_TOKEN, max_size=4))
@st.composite
def plausible_specs(draw) -> str:
    """A network as a course writes one: small sizes, so most are valid (or fail on a stride,
    which --floor then rounds)."""
    w, h = draw(st.integers(1, 64)), draw(st.integers(1, 64))
    lines = [f"input {w}x{h}x{draw(st.integers(1, 8))}" if draw(st.booleans())
             else f"input {w * h}"]
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["conv", "conv", "pool", "fc", "act", "bn", "dropout",
                                     "flatten"]))
        if kind == "conv":
            k = draw(st.integers(1, 5))
            lines.append(f"conv {draw(st.integers(1, 16))} {k}x{k} "
                         f"stride={draw(st.integers(1, 3))} pad={draw(st.integers(0, 2))}"
                         + draw(st.sampled_from(["", " relu", " d=2", " bias=false"])))
        elif kind == "pool":
            lines.append(f"{draw(st.sampled_from(['maxpool', 'avgpool']))} "
                         f"{draw(st.integers(1, 3))}"
                         + draw(st.sampled_from(["", " stride=1", "/2", " pad=1"])))
        elif kind == "fc":
            lines.append(f"fc {draw(st.integers(1, 64))}")
        elif kind == "act":
            lines.append(draw(st.sampled_from(["relu", "sigmoid", "tanh", "softmax",
                                               "leakyrelu 0.2"])))
        else:
            lines.append({"bn": "bn", "dropout": "dropout 0.5", "flatten": "flatten"}[kind])
    return draw(st.sampled_from(["; ", "\n"])).join(lines)


SPECS = st.one_of(
    plausible_specs(), plausible_specs(),
    st.builds(lambda first, lines, sep: sep.join([first, *lines]),
              st.builds("input {}".format, _SIZE), st.lists(_LINE, max_size=6),
              st.sampled_from(["; ", "\n", " ;\n"])),
    st.builds(lambda lines: "\n".join(lines), st.lists(_LINE, max_size=5)),
    st.text(max_size=60))


def check_summary(args: tuple[str, bool]) -> None:
    import nndl
    from nndl.summary import render
    from nndl.summary.core import spec_model
    from nndl.summary.rows import VERIFY_MEMORY_LIMIT, verify_cost

    spec, floor = args
    try:
        s = nndl.summary(spec, floor=floor)
    except NNDLError:
        return
    shape = s.input_shape
    assert all(type(n) is int and n >= 1 for n in shape), shape
    for r in s.layers:
        assert r.input_shape == shape, (r.name, r.input_shape, shape)
        assert all(type(n) is int and n >= 1 for n in r.output_shape), r
        assert r.output_elements == math.prod(r.output_shape)
        assert min(r.params, r.trainable, r.mult_adds, r.neurons) >= 0, r
        assert r.trainable <= r.params
        shape = r.output_shape
    assert s.total_params == sum(r.params for r in s.layers)
    assert s.total_mult_adds == sum(r.mult_adds for r in s.layers)
    json.loads(render.to_json(s))
    for lang in ("zh", "en"):
        render.to_markdown(s, lang, explain=True)
        render.print_table(s, lang, explain=True, console=_null_console())
    model, _ = spec_model(spec, meta=True)
    need, work = verify_cost(s, list(model))
    if need < VERIFY_MEMORY_LIMIT / 64 and work < 10**8:  # the real forward pass agrees
        checked = nndl.summary(spec, verify=True, floor=floor)
        assert checked.verified


def _null_console():
    from rich.console import Console

    return Console(file=io.StringIO(), width=120)


def check_spec_parse(text: str) -> None:
    from nndl.summary import parse

    try:
        lines = parse(text)
    except NNDLError:
        return
    for sl in lines:
        assert sl.keyword and sl.line >= 1 and sl.col >= 1


# ------------------------------------------------------------------ input sizes
_ODD = st.one_of(st.integers(-3, 10**16), st.floats(allow_nan=True), st.booleans(), st.none(),
                 st.text(max_size=12), st.just(np.int64(3)), st.just(np.float32(2.0)))
INPUT_SIZES = st.one_of(st.lists(_ODD, max_size=5).map(tuple), _ODD,
                        st.lists(st.integers(1, 10**6), min_size=1, max_size=4).map(tuple))


def check_input_size(size: Any) -> None:
    from nndl.summary import parse_input_size

    try:
        shape = parse_input_size(size)
    except NNDLError:
        return
    assert len(shape) in (1, 3) and all(type(n) is int and n >= 1 for n in shape), shape
    assert math.prod(shape) <= 10**15


# ------------------------------------------------------------------ expressions
_FUNCS = ["exp", "log", "ln", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "σ", "relu"]
_ATOM = st.one_of(st.sampled_from(["x", "y", "z"]), st.sampled_from(["x", "y", "z"]),
                  st.integers(0, 9).map(str), st.sampled_from(["e", "α", "x₁", "w_2"]),
                  st.floats(0, 1e3).map(lambda v: f"{v:g}"),
                  st.sampled_from(["0", "1", "2.5", ".5", "1e308", "1e400", "9" * 400, "2e",
                                   "x" + "¹" * 50]))


def _compose(child):
    return st.one_of(
        st.builds("{}{}{}".format, child, st.sampled_from(["+", "-", "*", "/", "^", "**", "×",
                                                            "·", "÷", "−", ""]), child),
        st.builds("({})".format, child), st.builds("-{}".format, child),
        st.builds("{}(({}))".format, st.sampled_from(_FUNCS), child),
        st.builds("{}({})".format, st.sampled_from(_FUNCS), child),
        st.builds("max({}, {})".format, child, child), st.builds("min({},{},{})".format,
                                                                 child, child, child),
        st.builds("{}{}".format, child, st.sampled_from(["²", "³", "⁻¹", "⁰"])))


EXPRESSIONS = st.one_of(st.recursive(_ATOM, _compose, max_leaves=10),
                        st.text(alphabet="xyz+-*/^()., 0123456789²σ√eE（）", max_size=30))
_VALUE = st.one_of(st.floats(-1e3, 1e3), st.integers(-10, 10),
                   st.sampled_from(["0", "-1", "1/3", "1e309", "nan", "inf", "1/0", "sqrt(-1)",
                                    "10**400", "", "x", "2^1000", "exp(800)"]))
VALUES = st.dictionaries(st.sampled_from(["x", "y", "z", "α", "x₁", "w_2", "q"]), _VALUE,
                         max_size=5)


@st.composite
def expr_cases(draw) -> tuple[str, dict]:
    """An expression and, mostly, a value for each of its variables (else any values)."""
    from nndl.expr.parser import parse, variables

    expression = draw(EXPRESSIONS)
    if draw(st.integers(0, 3)) == 0:
        return expression, draw(VALUES)
    try:
        names = [v.name for v in variables(parse(expression))]
    except NNDLError:
        names = []
    return expression, {n: draw(st.one_of(st.floats(-3, 3), st.floats(-3, 3), _VALUE))
                        for n in names}


def check_expr(args: tuple[str, dict]) -> None:
    from nndl.expr import trace
    from nndl.viz import graph_json, graph_markdown, graph_table

    expression, values = args
    try:
        t = trace(expression, values)
    except NNDLError:
        return
    assert math.isfinite(t.output), t.output
    assert all(math.isfinite(g) for g in t.gradients.values()), t.gradients
    json.loads(graph_json(t))
    for lang in ("zh", "en"):
        graph_markdown(t, lang)
        _null_console().print(graph_table(t, lang))


def check_assignments(args: list[str]) -> None:
    from nndl.commands.graph import parse_assignments

    try:
        values = parse_assignments(args)
    except NNDLError:
        return
    assert all(isinstance(k, str) and k for k in values)


ASSIGNMENTS = st.lists(st.one_of(st.text(alphabet="xyz=,;() 0123456789.-", max_size=12),
                                 st.builds("{}={}".format, st.sampled_from(["x", "y", "x y"]),
                                           _VALUE.map(str))), max_size=4)


# ------------------------------------------------------------------ checkpoints
def _base_files() -> dict[str, bytes]:
    from nndl.checkpoint import save

    state = {"fc.weight": np.arange(6, dtype=np.float32).reshape(2, 3),
             "fc.bias": np.array([1.5, -2.0], np.float32),
             "bn.num_batches_tracked": np.array(3, np.int64)}
    out = {}
    for ext in ("npz", "safetensors"):
        path = WORK / f"base.{ext}"
        save(state, path, **({"metadata": {"k": "v"}} if ext == "safetensors" else {}))
        out[ext] = path.read_bytes()
    return out


_BASES = _base_files()
_JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                               st.floats(allow_nan=False), st.text(max_size=5)),
                     lambda c: st.one_of(st.lists(c, max_size=3),
                                         st.dictionaries(st.text(max_size=8), c, max_size=3)),
                     max_leaves=8)


@st.composite
def checkpoint_files(draw) -> bytes:
    ext = draw(st.sampled_from(["npz", "safetensors"]))
    data = bytearray(_BASES[ext])
    kind = draw(st.sampled_from(["flip", "truncate", "insert", "header", "npy", "random"]))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] = draw(st.integers(0, 255))
    elif kind == "truncate":
        del data[draw(st.integers(0, len(data))):]
    elif kind == "insert":
        i = draw(st.integers(0, len(data)))
        data[i:i] = draw(st.binary(min_size=1, max_size=16))
    elif kind == "header" and ext == "safetensors":
        header = draw(st.one_of(_JSON, st.dictionaries(
            st.sampled_from(["w", "__metadata__", "fc.bias"]),
            st.fixed_dictionaries({"dtype": st.sampled_from(["F32", "I64", "BOOL", "X", 3]),
                                   "shape": st.lists(st.integers(-1, 2**40), max_size=4),
                                   "data_offsets": st.lists(st.integers(-1, 2**40),
                                                            max_size=3)}), max_size=3)))
        head = json.dumps(header).encode()
        body = draw(st.binary(max_size=64))
        data = bytearray(len(head).to_bytes(8, "little") + head + body)
    elif kind == "npy" or kind == "header":
        shape = draw(st.one_of(st.lists(st.integers(-1, 2**40), max_size=4).map(tuple),
                               st.text(max_size=8)))
        descr = draw(st.sampled_from(["<f4", ">f8", "|b1", "O", "<U3", "V8", "<c8", "x"]))
        text = f"{{'descr': {descr!r}, 'fortran_order': False, 'shape': {shape!r}, }}"
        member = (b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode()
                  + draw(st.binary(max_size=64)))
        buf = io.BytesIO()
        method = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
        with zipfile.ZipFile(buf, "w", method) as zf:
            zf.writestr(draw(st.sampled_from(["w.npy", "fc.bias.npy", "x.txt", "a/b.npy"])),
                        member)
        data = bytearray(buf.getvalue())
    else:
        data = bytearray(draw(st.binary(max_size=200)))
    return bytes(data)


def check_checkpoint(data: bytes) -> None:
    from nndl import nn
    from nndl.checkpoint import load, load_into, load_metadata, load_shapes

    path = WORK / "fuzz.ckpt"
    path.write_bytes(data)
    try:
        shapes = load_shapes(path)
    except NNDLError:
        shapes = None
    for reader in (load, load_metadata):
        try:
            out = reader(path)
        except NNDLError:
            continue
        if reader is load:
            assert shapes is not None and {k: tuple(v.shape) for k, v in out.items()} == shapes
    model = nn.Linear(3, 2)
    before = {k: v.data.copy() for k, v in model.state_dict().items()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            load_into(model, path, strict=False, cast=True)
    except NNDLError:  # a failed load leaves the model as it was
        after = model.state_dict()
        assert all(np.array_equal(before[k], after[k].data, equal_nan=True) for k in before)


STATE_DICTS = st.dictionaries(
    st.text(min_size=1, max_size=10).filter(lambda s: "\x00" not in s),
    st.sampled_from([np.float32, np.float64, np.int64, np.uint8, np.bool_]).flatmap(
        lambda dt: st.lists(st.integers(0, 3), max_size=3).map(
            lambda shape: np.zeros(shape, dt))), max_size=4)


def check_round_trip(args: tuple[dict, str]) -> None:
    from nndl.checkpoint import load_arrays, save

    state, ext = args
    path = WORK / f"rt.{ext}"
    try:
        save(state, path)
    except NNDLError:
        return
    back = load_arrays(path)
    assert list(back) == list(state)
    for k, v in state.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape, k


# ------------------------------------------------------------------ files
FILE_NAMES = st.one_of(
    st.text(min_size=1, max_size=40).filter(lambda s: "/" not in s and "\x00" not in s
                                            and s not in (".", "..")),
    st.integers(200, 400).map(lambda n: "n" * n + ".svg"),
    st.sampled_from(["a.svg", "é" * 130, ".hidden", "x.nndl-tmp", "-o", " ", "con"]))


def check_atomic_write(name: str) -> None:
    from nndl.fileio import TEMP_SUFFIX, atomic_write, umask

    folder = WORK / "files"
    folder.mkdir(exist_ok=True)
    try:
        path = atomic_write(folder / name, b"payload")
    except NNDLError:
        return
    finally:
        assert not [p for p in folder.iterdir() if p.name.endswith(TEMP_SUFFIX)
                    and p.name != name]
    assert path.read_bytes() == b"payload"
    assert (os.stat(path).st_mode & 0o777) == 0o666 & ~umask()
    path.unlink()


# ------------------------------------------------------------------ PLA
_COORD = st.one_of(st.floats(-10, 10), st.sampled_from([0.0, 1e6, -1e6, 1e-9, 1e12]))


@st.composite
def pla_data(draw):
    n, d = draw(st.integers(1, 6)), draw(st.integers(1, 3))
    X = [[draw(_COORD) for _ in range(d)] for _ in range(n)]
    y = [draw(st.sampled_from([1, -1])) for _ in range(n)]
    return X, y, draw(st.integers(1, 40)), draw(st.booleans())


def check_pla(args) -> None:
    from nndl.classic import Perceptron
    from nndl.classic.perceptron import ConvergenceWarning, predicted_updates

    X, y, max_iter, bias = args
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            p = Perceptron(max_iter=max_iter, fit_intercept=bias).fit(X, y)
        except NNDLError:
            return
    said = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    if p.converged_:
        assert not said
        # separated, up to the rounding of the two ways of summing w·x (training adds the bias
        # first): a sample 1e-22 of the data's scale from the line may fall either side
        margin = np.asarray(y) * p.decision_function(X)
        scale = np.abs(np.asarray(X)) @ np.abs(p.coef_) + abs(p.intercept_)
        assert np.all(margin > -1e-12 * scale), margin
        bound = predicted_updates(p.novikoff_bound())  # Novikoff: updates <= (R/γ*)²
        if bound is None:  # only when float64 cannot certify a margin: some sample lies
            # within rounding of PLA's line (a difference of two 1e-8 terms, say)
            Xa, w = p._Xa, p._w_aug
            noise = 64 * np.finfo(np.float64).eps * (np.abs(Xa) @ np.abs(w))
            assert np.any(np.abs(Xa @ w) <= noise), (p.n_updates_, Xa @ w, noise)
        else:
            assert p.n_updates_ <= bound + 1 + bound // 10**6, (p.n_updates_, bound)
    else:
        assert len(said) == 1, said
        message = str(said[0].message)
        assert "updates" in message or "not linearly separable" in message, message


# ------------------------------------------------------------------ train and solve inputs
def check_affine(text: str) -> None:
    from nndl.train import parse_affine

    try:
        values = parse_affine(text)
    except NNDLError:
        return
    assert len(values) == 3 and all(math.isfinite(v) for v in values)


def check_solve_params(args: tuple[int, dict]) -> None:
    from nndl.solutions import params_class

    number, pairs = args
    try:
        params_class(number).from_strings(pairs)
    except NNDLError:
        return


_PARAM_NAMES = ["image", "fc_units", "filters", "kernel", "stride", "pad", "names", "sizes",
                "activation", "init", "depths", "data", "direction", "label", "ts", "loss",
                "lr", "epochs", "expression", "values", "spec", "bogus"]
SOLVE_PARAMS = st.tuples(st.integers(1, 6), st.dictionaries(
    st.sampled_from(_PARAM_NAMES),
    st.one_of(_NUM, _SIZE, st.text(max_size=20), st.sampled_from(
        ["relu,sigmoid", "3,4,3,1", "(x+y)^2*z", "x=1 y=2", "0:1;1:-1", "1e13", "-1", "nan"])),
    max_size=3))


# ------------------------------------------------------------------ the command line
_SMALL_NUM = st.one_of(st.integers(0, 40).map(str), st.sampled_from(["-1", "x", "", "1.5"]))


@st.composite
def command_lines(draw) -> list[str]:
    command = draw(st.sampled_from(["summary", "graph", "act", "experiment", "vanish", "solve",
                                    "train", "bogus", "--version", "-V"]))
    args: list[str] = [] if command == "bogus" else [command]
    if command == "summary":
        args.append(draw(SPECS))
        args += draw(st.lists(st.sampled_from(["--explain", "--floor", "-e"]), max_size=2))
        if draw(st.booleans()):
            args += ["--input", draw(_SIZE)]
    elif command == "graph":
        args.append(draw(EXPRESSIONS))
        args += [f"{k}={v}" for k, v in draw(VALUES).items()]
        if draw(st.booleans()):
            args += ["-o", str(WORK / "out" / draw(FILE_NAMES))]
    elif command == "act":
        args += draw(st.lists(st.sampled_from(["sigmoid", "tanh", "relu", "bogus", "σ"]),
                              max_size=2))
    elif command == "experiment":
        args += ["outlier", "--t", draw(st.sampled_from(["1", "1e6", "0", "-1", "1e20", "x",
                                                         "1,2,3", ""])),
                 "--epochs", draw(st.sampled_from(["1", "5", "0", "-3", "x"])),
                 "--pla-max-iter", draw(st.sampled_from(["1", "3", "0"]))]
    elif command == "vanish":
        args += ["--depth", draw(st.sampled_from(["1", "3", "0", "100000", "x"]))]
    elif command == "solve":
        args += [draw(st.sampled_from(["5", "4", "9", "0", "1-2-3", "x", "6"]))]
        args += draw(st.lists(st.builds("{}={}".format, st.sampled_from(_PARAM_NAMES),
                                        _SMALL_NUM), max_size=2))
    elif command == "train":
        args += ["digits", "--epochs", draw(st.sampled_from(["0", "-1", "1e20", "99999999999",
                                                             "x"])),
                 "--threads", draw(st.sampled_from(["0", "1000", "1"]))]
    args += draw(st.lists(st.sampled_from(["-f", "--format", "--lang", "-l", "json", "md",
                                           "text", "table", "svg", "xx", "en", "zh"]),
                          max_size=3))
    return args


def check_cli(argv: list[str]) -> None:
    from nndl.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    assert code in (0, 1, 2), (code, err.getvalue()[-500:])
    assert "Traceback" not in err.getvalue()


# ------------------------------------------------------------------ the campaign
@dataclass
class Target:
    strategy: Any
    check: Callable[[Any], None]
    weight: float = 1.0  # share of the examples (slow targets get fewer)
    ci: bool = True  # also in tests/test_hardening_fuzz.py (False: a known slow finding)


TARGETS: dict[str, Target] = {
    "summary": Target(st.tuples(SPECS, st.booleans()), check_summary),
    "spec_parse": Target(SPECS, check_spec_parse),
    "input_size": Target(INPUT_SIZES, check_input_size),
    "expr": Target(expr_cases(), check_expr),
    "assignments": Target(ASSIGNMENTS, check_assignments),
    "checkpoint_load": Target(checkpoint_files(), check_checkpoint),
    "checkpoint_round_trip": Target(st.tuples(STATE_DICTS, st.sampled_from(["npz",
                                                                            "safetensors"])),
                                    check_round_trip),
    "atomic_write": Target(FILE_NAMES, check_atomic_write),
    "pla": Target(pla_data(), check_pla, 0.5),
    "train_affine": Target(st.text(alphabet="0123456789.,-e xinf", max_size=16),
                           check_affine),
    "solve_params": Target(SOLVE_PARAMS, check_solve_params),
    "cli": Target(command_lines(), check_cli, 0.25),
    "cli_summary": Target(st.lists(SPECS, min_size=1, max_size=1).map(
        lambda s: ["summary", s[0], "-f", "json"]), check_cli, 0.5),
    "cli_graph": Target(expr_cases().map(
        lambda a: ["graph", a[0], *[f"{k}={v}" for k, v in a[1].items()], "-f", "json"]),
        check_cli, 0.5),
    # solve with any numbers: `solve 5 fc_units=4335` takes 15 s and 4.6 GB (ex5 allocates the
    # real layer), so this target runs in the campaign only
    "cli_solve_params": Target(SOLVE_PARAMS.map(
        lambda a: ["solve", str(a[0]), *[f"{k}={v}" for k, v in a[1].items()], "-f", "json"]),
        check_cli, 0.02, ci=False),
}


@dataclass
class Result:
    target: str
    tried: int = 0
    failures: list[dict] = field(default_factory=list)
    seconds: float = 0.0


def _alarm(signum, frame):
    raise Hang


def run_target(name: str, examples: int, seed: int = 0, time_limit: float = 10.0,
               derandomize: bool = False) -> Result:
    """Run one target for ``examples`` inputs, collecting (not stopping at) failures."""
    target = TARGETS[name]
    result = Result(name)
    use_alarm = time_limit > 0 and hasattr(signal, "setitimer")

    def one(value: Any) -> None:
        result.tried += 1
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, time_limit)
        try:
            target.check(value)
        except Hang:
            result.failures.append({"input": _short(value), "error": f"hang > {time_limit} s"})
        except Exception as exc:  # noqa: BLE001 - every other exception is a finding
            result.failures.append({"input": _short(value),
                                    "error": f"{type(exc).__name__}: {str(exc)[:300]}",
                                    "where": traceback.format_exc(limit=-3)[-1200:]})
        finally:
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)

    test = settings(max_examples=examples, database=None, deadline=None,
                    derandomize=derandomize, phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck))(given(target.strategy)(one))
    previous = signal.signal(signal.SIGALRM, _alarm) if use_alarm else None
    start = time.perf_counter()
    try:
        (test if derandomize else hypothesis_seed(seed)(test))()
    finally:
        if use_alarm:
            signal.signal(signal.SIGALRM, previous)
    result.seconds = time.perf_counter() - start
    return result


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 400 else text[:380] + f"… ({len(text):,} chars)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=1000,
                        help="inputs per target of weight 1 (default 1000)")
    parser.add_argument("--only", default="", help="comma-separated targets")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=10.0,
                        help="seconds one input may take before it counts as a hang")
    parser.add_argument("--json", action="store_true", help="print the totals as JSON")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or list(TARGETS)
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        parser.error(f"unknown targets {unknown}; known: {', '.join(TARGETS)}")
    os.environ.setdefault("NNDL_QUIET_ENCODING", "1")
    # Hypothesis cannot read the source of these extend functions when this file runs as a
    # script, and then warns (wrongly) that they do not recurse
    warnings.filterwarnings("ignore", message=".*can't actually recurse.*")
    results = []
    for name in names:
        n = max(1, round(args.examples * TARGETS[name].weight))
        r = run_target(name, n, args.seed, args.time_limit)
        results.append(r)
        if not args.json:
            print(f"{name:24s} {r.tried:8,d} inputs  {len(r.failures):4d} failures  "
                  f"{r.seconds:7.1f} s", flush=True)
            for f in r.failures[:5]:
                print(f"    {f['error']}\n      input: {f['input']}", flush=True)
    tried = sum(r.tried for r in results)
    failed = sum(len(r.failures) for r in results)
    if args.json:
        print(json.dumps({"inputs": tried, "failures": failed,
                          "targets": [r.__dict__ for r in results]}, indent=2))
    else:
        print(f"{'total':24s} {tried:8,d} inputs  {failed:4d} failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
