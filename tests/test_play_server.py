"""The playground's server through a real HTTP client: every endpoint answers what the
matching command prints with --format json (DESIGN principle 7), errors are 4xx JSON with
the command line's message and hint, and each safety rule holds."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from nndl.cli import main
from nndl.play import api, server, worker
from nndl.play.server import make_server

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def srv():
    s = make_server("127.0.0.1", 0, "en", warm=False)
    thread = threading.Thread(target=s.serve_forever, daemon=True)
    thread.start()
    yield s
    s.shutdown()
    s.server_close()


def request(srv, path: str, *, method: str = "GET", headers: dict | None = None,
            body: bytes | None = None, host: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    # skip_host: the Host header is ours to set (or leave out)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    hdrs = {"Host": host if host is not None else f"127.0.0.1:{srv.port}", **(headers or {})}
    for k, v in hdrs.items():
        if v is not None:
            conn.putheader(k, v)
    if body is not None:
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, dict(res.getheaders()), data


def get_json(srv, path: str, **kw):
    status, headers, data = request(srv, path, **kw)
    assert headers["Content-Type"].startswith("application/json"), (path, headers)
    return status, json.loads(data)


def q(**params) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(str(v), safe='')}" for k, v in params.items())


def cli_json(capsys, *argv: str, code: int = 0):
    capsys.readouterr()
    # the server speaks en unless asked otherwise: the command's formulas in English too
    lang = [] if "--lang" in argv or "-l" in argv else ["-l", "en"]
    assert main([*argv, *lang]) == code
    return json.loads(capsys.readouterr().out)


def cli_error(capsys, *argv: str) -> str:
    capsys.readouterr()
    assert main([*argv, "-l", "en"]) == 2  # the server's JSON errors are in English
    return capsys.readouterr().err


# ------------------------------------------------------------------ the same data as the CLI
@pytest.mark.parametrize("expr,values", [
    ("(x+y)^2*z", {"x": "1", "y": "2", "z": "-6"}),   # exercise 4, the sheet
    ("x*y+x", {"x": "2", "y": "3"}),                  # a variable used twice
    ("sigmoid(w*x+b)", {"w": "0.5", "x": "2", "b": "-1"}),
])
def test_graph_is_nndl_graph_json(srv, capsys, expr, values):
    status, data = get_json(srv, "/api/graph?" + q(expr=expr, **values))
    assert status == 200
    assert data == cli_json(capsys, "graph", expr, *[f"{k}={v}" for k, v in values.items()],
                            "--format", "json")


def test_graph_drawing_is_nndl_graph_svg(srv, capsys):
    status, data = get_json(srv, "/api/graph/drawing?" + q(expr="(x+y)^2*z", x=1, y=2, z=-6,
                                                           lang="zh"))
    assert status == 200
    capsys.readouterr()
    assert main(["graph", "(x+y)^2*z", "x=1", "y=2", "z=-6", "-f", "svg", "--lang", "zh"]) == 0
    assert data["svg"] == capsys.readouterr().out
    assert [n["id"] for n in data["nodes"]] == ["x", "y", "q", "p", "z", "f"]
    assert data["output"] == "−54"
    assert data["display"]["x"] == {"value": "1", "grad": "−36"}
    status, data = get_json(srv, "/api/graph/variables?" + q(expr="(a+b)*a"))
    assert data["variables"] == ["a", "b"]


@pytest.mark.parametrize("spec,extra", [
    ("input 300x300x3; fc 100", []),                               # exercise 5 (1)
    ("input 300x300x3; conv 100 5x5", []),                         # exercise 5 (2)
    ("input 224x224x3\nconv 96 11x11 stride=4", ["--floor"]),      # a note
])
def test_summary_is_nndl_summary_json(srv, capsys, spec, extra):
    params = {"spec": spec, **({"floor": "1"} if extra else {})}
    status, data = get_json(srv, "/api/summary?" + q(**params))
    assert status == 200
    assert data == cli_json(capsys, "summary", spec, *extra, "--format", "json")


def test_presets_are_the_sheets_networks(srv, capsys):
    from nndl.solutions.ex6 import Params

    status, data = get_json(srv, "/api/presets")
    presets = {p["id"]: p for p in data["presets"]}
    assert {"ex5-fc", "ex5-conv", "ex6", "lenet5", "alexnet", "vgg16"} <= set(presets)
    assert presets["ex6"]["spec"] == Params().spec
    totals = {k: get_json(srv, "/api/summary?" + q(spec=p["spec"]))[1]["total_params"]
              for k, p in presets.items()}
    # the sheet's answers and the networks' published parameter counts
    assert totals["ex5-fc"] == 27_000_100 and totals["ex5-conv"] == 7_600
    assert totals["lenet5"] == 61_706 and totals["alexnet"] == 62_378_344
    assert totals["vgg16"] == 138_357_544


def test_act_is_nndl_act_json(srv, capsys):
    status, data = get_json(srv, "/api/act?names=sigmoid,tanh,relu")
    assert status == 200
    assert data == cli_json(capsys, "act", "sigmoid", "tanh", "relu", "--no-timing",
                            "--format", "json")
    status, table = get_json(srv, "/api/act/table?names=relu&lang=en")
    assert table["activations"][0]["rows"][0] == ["output range", "[0, ∞)"]
    status, curves = get_json(srv, "/api/act/curves?names=relu&lo=-1&hi=1&points=3")
    assert curves["x"] == [-1.0, 0.0, 1.0]
    assert curves["curves"][0]["f"] == [0.0, 0.0, 1.0]
    assert curves["curves"][0]["df"] == [0.0, 0.0, 1.0]   # PyTorch's convention at the kink


def _without_seconds(data: dict) -> dict:
    for e in data["exercises"]:
        e.pop("seconds")
    return data


def test_solve_is_nndl_solve_json(srv, capsys):
    status, data = get_json(srv, "/api/solve?" + q(n=4, x=2))
    assert status == 200
    assert _without_seconds(data) == _without_seconds(
        cli_json(capsys, "solve", "4", "x=2", "--format", "json"))
    status, page = get_json(srv, "/api/solve/html?" + q(n=4, x=2))
    capsys.readouterr()
    assert main(["solve", "4", "x=2", "--format", "html"]) == 0
    html = capsys.readouterr().out
    section = re.search(r'<section class="exercise".*</section>', page["html"], re.S).group(0)
    assert section in html                                  # the answer key's own markup
    assert '<dl class="answers">' in page["html"] and "<script" not in page["html"]
    status, info = get_json(srv, "/api/solve/params?n=5")
    assert [p["name"] for p in info["params"]] == ["image", "fc_units", "filters", "kernel",
                                                   "stride", "pad"]
    assert info["params"][0]["default"] == "300x300x3"


@pytest.mark.parametrize("query,argv", [
    ({"problem": "4", "f": "-54", "df/dx": "36"}, ["4", "f=-54", "df/dx=36"]),
    ({"problem": "5", "image": "32x32x3", "fc_params": "307,300"},
     ["5", "image=32x32x3", "fc_params=307,300"]),
    ({"problem": "summary", "spec": "input 32x32x3; conv 6 5x5; fc 10", "Conv-1.params": "450"},
     ["summary", "input 32x32x3; conv 6 5x5; fc 10", "Conv-1.params=450"]),
    ({"problem": "graph", "expr": "(x+y)^2*z", "at": "x=1,y=2,z=-6", "f": "-54"},
     ["graph", "(x+y)^2*z", "--at", "x=1,y=2,z=-6", "f=-54"]),
])
def test_check_is_nndl_check_json(srv, capsys, query, argv):
    for lang in ("en", "zh"):
        status, data = get_json(srv, "/api/check?" + q(**query, lang=lang))
        assert status == 200
        expected_code = 0 if data["correct"] == data["total"] else 1
        assert data == cli_json(capsys, "check", *argv, "--format", "json", "--lang", lang,
                                code=expected_code)


def test_check_in_the_worker_is_nndl_check_json(srv, capsys):
    """Exercise 1 re-runs SymPy and the solution: it goes to the worker process."""
    answer = "sigmoid(x)*(1-sigmoid(x))"
    status, data = get_json(srv, "/api/check?" + q(problem=1, sigmoid_derivative=answer))
    assert status == 200 and data["items"][0]["verdict"] == "correct"
    assert data == cli_json(capsys, "check", "1", f"sigmoid_derivative={answer}", "--format",
                            "json", "--lang", "en")


# ------------------------------------------------------------------ exercises 2 and 3, training
def test_outlier_is_nndl_experiment_outlier_json(srv, capsys):
    for t, extra in ((10, []), (1e9, []), (2, ["--epochs", "200", "--lr", "0.5", "--bias"])):
        params = {"t": f"{t:g}"}
        if extra:
            params.update(epochs="200", lr="0.5", bias="1")
        status, data = get_json(srv, "/api/outlier?" + q(**params))
        assert status == 200
        assert data == cli_json(capsys, "experiment", "outlier", "--t", f"{t:g}", *extra,
                                "--format", "json")
    # the page's extras: PLA's epochs (PLA itself, independently run), the report's sentences
    from nndl.classic import Perceptron, with_x4
    from nndl.classic.render import verdict

    status, view = get_json(srv, "/api/outlier/view?" + q(t=10, lang="zh"))
    X4, y4 = with_x4(10)
    pla = Perceptron(max_iter=2000).fit(X4, y4)
    steps = view["pla_steps"]["x4"]
    assert steps["epochs"] == pla.n_iter_ and steps["updates"] == pla.n_updates_
    assert [s["coef"] for s in steps["shown"]] == [h.coef for h in pla.history_]
    assert steps["shown"][-1]["coef"] == get_json(srv, "/api/outlier?t=10")[1]["rows"][0][
        "pla_raw"]["coef"]
    from nndl.classic import outlier_experiment

    res = outlier_experiment([10])
    assert view["verdict"] == verdict(res.rows[0], res, "zh")
    # a run that hits PLA's cap shows its first epochs and its last
    status, view = get_json(srv, "/api/outlier/view?" + q(t="1e9"))
    far = view["pla_steps"]["x4"]
    assert not far["converged"] and far["epochs"] == 2000
    assert len(far["shown"]) == 200 and far["shown"][-1]["epoch"] == 2000


def test_a_run_and_its_view_asked_at_once_compute_once(srv, monkeypatch):
    calls = []
    real = worker.run

    def counted(job, args, **kw):
        calls.append(job)
        return real(job, args, **kw)

    monkeypatch.setattr(worker, "run", counted)
    answers = []
    threads = [threading.Thread(target=lambda p=p: answers.append(get_json(srv, p)))
               for p in ("/api/outlier?t=3&epochs=50", "/api/outlier/view?t=3&epochs=50")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert [status for status, _ in answers] == [200, 200]
    assert calls == ["outlier"]


def test_warm_up_computes_what_the_experiment_views_open_on():
    folder = ROOT / "nndl" / "play" / "static"
    for name, sheet in (("outlier.js", api.OUTLIER_SHEET), ("vanish.js", api.VANISH_SHEET)):
        js = re.search(r"const SHEET = \{(.*?)\};", (folder / name).read_text(encoding="utf-8"))
        assert dict(re.findall(r'(\w+): "([^"]*)"', js.group(1))) == sheet, name


def test_vanish_is_nndl_vanish_json(srv, capsys):
    for params, argv in (({"depth": "2-30", "act": "sigmoid,relu", "init": "xavier"},
                          ["-d", "2-30", "-a", "sigmoid,relu", "-i", "xavier"]),
                         ({}, []),
                         ({"depth": "3,7", "act": "tanh", "init": "he", "width": "8",
                           "batch": "5", "seed": "3"},
                          ["-d", "3,7", "-a", "tanh", "-i", "he", "--width", "8", "--batch", "5",
                           "--seed", "3"])):
        status, data = get_json(srv, "/api/vanish?" + q(**params))
        assert status == 200
        assert data == cli_json(capsys, "vanish", *argv, "--format", "json")


def test_experiments_refuse_bad_and_huge_input(srv, capsys):
    for path in ("/api/outlier?t=0", "/api/outlier?t=1e13", "/api/outlier?t=x",
                 "/api/outlier?epochs=100000", "/api/outlier?lr=0", "/api/outlier?bias=maybe",
                 "/api/outlier?pla_max_iter=1e9", "/api/outlier?direction=1",
                 "/api/vanish?depth=30-2", "/api/vanish?depth=1-100000",
                 "/api/vanish?depth=1-999999999999", "/api/vanish?depth=0-5", "/api/vanish?depth=201", "/api/vanish?act=gelu",
                 "/api/vanish?init=zeros", "/api/vanish?width=100000", "/api/vanish?batch=0",
                 "/api/vanish?depth=" + "1," * 200, "/api/train/check?epochs=1000",
                 "/api/train/check?model=resnet", "/api/train/check?lr=-1",
                 "/api/train/check?lr=0", "/api/train/check?seed=-1", "/api/train/check?optimizer=lbfgs",
                 "/api/train?epochs=1000", "/api/train?model=resnet&lang=zh"):
        start = time.perf_counter()
        status, data = get_json(srv, path)
        assert 400 <= status < 500 and data["error"], path
        assert time.perf_counter() - start < 1.0, path    # refused, not computed
    status, data = get_json(srv, "/api/vanish?depth=30-2")
    assert data["error"] in cli_error(capsys, "vanish", "-d", "30-2")


def read_events(res, limit: float = 60.0) -> list[tuple[str, dict | None]]:
    """Server-Sent Events until the server closes the stream: (event, data) pairs, and a
    comment line as ("comment", None)."""
    events, kind = [], None
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        line = res.fp.readline()
        if not line:
            break
        line = line.decode("utf-8").rstrip("\n")
        if line.startswith(":"):
            events.append(("comment", None))
        elif line.startswith("event: "):
            kind = line[len("event: "):]
        elif line.startswith("data: "):
            events.append((kind, json.loads(line[len("data: "):])))
    return events


def open_stream(srv, path: str, **headers):
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    conn.request("GET", path, headers={"Host": f"127.0.0.1:{srv.port}", **headers})
    return conn, conn.getresponse()


def test_train_streams_nndl_train_digits(srv, capsys):
    conn, res = open_stream(srv, "/api/train?" + q(model="mlp", epochs=3, seed=1))
    assert res.status == 200 and res.getheader("Content-Type").startswith("text/event-stream")
    events = read_events(res)
    conn.close()
    kinds = [k for k, _ in events if k != "comment"]
    assert kinds[0] == "start" and kinds[-1] == "done"
    assert events[0][1]["command"] == "nndl train digits --model mlp --epochs 3 --optimizer sgd --seed 1"
    epochs = [d for k, d in events if k == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2, 3]
    done = events[-1][1]
    cli = cli_json(capsys, "train", "digits", "--model", "mlp", "--epochs", "3", "--seed", "1",
                   "--format", "json", "--no-progress")
    for run in (done["history"], cli):
        run.pop("seconds")
        for e in run["history"]:
            e.pop("seconds")
    assert done["history"] == cli
    # each live epoch is the history's training loss and accuracy for that epoch
    for live, e in zip(epochs, cli["history"], strict=True):
        assert live["train_loss"] == e["train_loss"] and live["train_accuracy"] == e["train_accuracy"]
    # the confusion matrix counts the held-out split, its diagonal the test accuracy
    m = done["confusion"]
    assert sum(map(sum, m)) == cli["n_test"]
    assert sum(m[i][i] for i in range(10)) == round(cli["history"][-1]["test_accuracy"] * cli["n_test"])
    assert done["misclassified_total"] == cli["n_test"] - sum(m[i][i] for i in range(10))
    assert all(w["label"] != w["predicted"] for w in done["misclassified"])
    assert worker.running_streams() == 0


def _wait(predicate, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_train_is_bounded_and_stops_when_the_page_leaves(srv, monkeypatch):
    # one run at a time: a second is refused with a 4xx while the first runs
    conn, res = open_stream(srv, "/api/train?" + q(model="lenet", epochs=100))
    assert res.status == 200
    assert res.fp.readline().startswith(b"event: start")
    assert worker.running_streams() == 1
    status, data = get_json(srv, "/api/train?" + q(model="mlp", epochs=1))
    assert status == 429 and data["error"] and data["hint"]
    # the page goes away: the server notices, kills the training process, frees the slot
    res.close()    # the response holds the socket's last reference: this closes it
    conn.close()
    assert _wait(lambda: worker.running_streams() == 0), "the run outlived its page"
    # the time limit ends a run with a 'failed' event that says so
    monkeypatch.setattr(worker, "STREAM_TIME_LIMIT", 1.0)
    conn, res = open_stream(srv, "/api/train?" + q(model="lenet", epochs=100))
    events = read_events(res)
    conn.close()
    kind, data = events[-1]
    assert kind == "failed" and "1 s" in data["error"] and "nndl train digits" in data["hint"]
    assert _wait(lambda: worker.running_streams() == 0)


def test_train_obeys_host_and_origin(srv):
    for host in ("evil.example", f"evil.example:{srv.port}"):
        status, data = get_json(srv, "/api/train?epochs=1", host=host)
        assert status == 403 and "Host" in data["error"]
    status, data = get_json(srv, "/api/train?epochs=1", headers={"Origin": "http://evil.example"})
    assert status == 403
    for path in ("/api/outlier?t=10", "/api/vanish", "/api/train/check"):
        status, data = get_json(srv, path, host="evil.example")
        assert status == 403, path
        status, data = get_json(srv, path, headers={"Origin": "http://evil.example"})
        assert status == 403, path
    assert worker.running_streams() == 0


def test_every_page_string_has_both_languages():
    """The page's words live in static/i18n.js: every key a view asks for exists there, in
    Chinese and English."""
    folder = ROOT / "nndl" / "play" / "static"
    table = (folder / "i18n.js").read_text(encoding="utf-8")
    entries = dict(re.findall(r'^  (\w+): (\{\s*zh: "[^"]+",\s*en: "[^"]+"\s*\}),?$', table,
                              re.M))
    keys = set(re.findall(r"^  (\w+):", table, re.M))
    assert keys == set(entries), keys ^ set(entries)
    used = set()
    for file in folder.glob("*.js"):
        text = file.read_text(encoding="utf-8")
        used |= set(re.findall(r'\b(?:t|L)\("(\w+)"', text))
        for prefix in re.findall(r"\b(?:t|L)\(`(\w+)\$\{", text):   # t(`run_${key}`), t(`part_${p}`)
            used |= {k for k in keys if k.startswith(prefix)}
    missing = used - keys
    assert not missing, missing
    # each part a view lets &hide= leave out has its label and its CSS rule
    css = (folder / "style.css").read_text(encoding="utf-8")
    for file in folder.glob("*.js"):
        for parts in re.findall(r"static PARTS = \[(.*?)\];", file.read_text(encoding="utf-8")):
            for part in re.findall(r'"(\w+)"', parts):
                assert f"part_{part}" in keys, (file.name, part)
                assert f".hide-{part} " in css, (file.name, part)


# ------------------------------------------------------------------ errors: 4xx JSON
def test_user_errors_are_4xx_json_with_the_clis_message(srv, capsys):
    status, data = get_json(srv, "/api/graph?" + q(expr="(x+", x=1))
    assert status == 400 and set(data) >= {"error", "hint"}
    err = cli_error(capsys, "graph", "(x+", "x=1")
    assert data["error"].splitlines()[0] in err and data["hint"] in err
    spec = "input 300x300x3\nconv 100 5x5 strid=2"
    status, data = get_json(srv, "/api/summary?" + q(spec=spec))
    assert status == 400 and (data["line"], data["column"]) == (2, 14)
    assert "did you mean 'stride'" in data["hint"]
    assert data["error"].splitlines()[0] in cli_error(capsys, "summary", spec)
    for path in ("/api/summary", "/api/graph?x=1", "/api/solve?n=9", "/api/solve?n=5&kernel=0",
                 "/api/act?names=nope", "/api/check?problem=7", "/api/summary?spec=fc%201&bogus=1",
                 "/api/graph?expr=x&x=1&lang=fr", "/api/act/curves?points=1e9",
                 "/api/graph?expr=x&x=1&x=2", "/api/graph?expr=%ff&x=1"):
        status, data = get_json(srv, path)
        assert 400 <= status < 500 and data["error"], path


def test_refused_not_computed_huge_exponent_and_long_spec(srv):
    for expr in ("x^1e308", "x^(10^10)", "exp(exp(exp(x)))", "(" * 100 + "x" + ")" * 100,
                 "x" + "+x" * 300):
        status, data = get_json(srv, "/api/graph?" + q(expr=expr, x=2))
        assert status == 400 and data["error"], expr
    spec = "input 28x28\n" + "relu\n" * 10_000           # 10,000 layers
    status, data = get_json(srv, "/api/summary?" + q(spec=spec))
    assert status == 414                                  # the URL alone is too long
    body = json.dumps({"spec": spec}).encode()
    start = time.perf_counter()
    status, data = get_json(srv, "/api/summary", method="POST", body=body,
                            headers={"Origin": f"http://127.0.0.1:{srv.port}",
                                     "Content-Type": "application/json"})
    assert status == 400 and "50,012 characters" in data["error"] and data["hint"]
    assert time.perf_counter() - start < 1.0              # refused, not computed
    spec = "input 28x28\n" + "relu\n" * 1_000             # short enough to send, too deep
    status, data = get_json(srv, "/api/summary", method="POST", body=json.dumps({"spec": spec})
                            .encode(), headers={"Origin": f"http://127.0.0.1:{srv.port}"})
    assert status == 400 and "1,001 layers" in data["error"] and "nndl summary" in data["hint"]
    assert api.count_statements("a; b\n# c; d\n e # f; g") == 3


def test_time_limit_is_a_4xx(srv, monkeypatch):
    monkeypatch.setattr(worker, "TIME_LIMIT", 0.3)
    status, data = get_json(srv, "/api/solve?" + q(n=2, epochs=10000, lr=0.5))
    assert status == 422 and "0.3" in data["error"] and "nndl solve 2" in data["hint"]


# ------------------------------------------------------------------ safety rules
def test_listens_on_loopback_by_default():
    s = make_server(warm=False)
    try:
        assert s.server_address[0] == "127.0.0.1"
        assert s.url.startswith("http://127.0.0.1:")
    finally:
        s.server_close()


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1:1",
                                  "127.0.0.1.nip.io:{port}", "", "localhost:{port}0"])
def test_wrong_host_header_is_refused(srv, host):
    """DNS rebinding: a page of evil.example whose name now points at 127.0.0.1."""
    status, data = get_json(srv, "/api/presets", host=host.format(port=srv.port))
    assert status == 403 and "Host" in data["error"]
    status, _, body = request(srv, "/", host=host.format(port=srv.port))
    assert status == 403 and b"<html" not in body


def test_own_host_names_are_served(srv):
    for host in (f"127.0.0.1:{srv.port}", f"localhost:{srv.port}", f"LOCALHOST:{srv.port}"):
        status, _, body = request(srv, "/", host=host)
        assert status == 200 and b"<html" in body


def test_post_needs_this_servers_origin(srv):
    body = json.dumps({"expr": "x*y", "x": 2, "y": "3"}).encode()
    own = f"http://127.0.0.1:{srv.port}"
    for origin in (None, "http://evil.example", f"http://localhost:{srv.port + 1}", "null"):
        status, data = get_json(srv, "/api/graph", method="POST", body=body,
                                headers={"Origin": origin})
        assert status == 403, origin
    status, data = get_json(srv, "/api/graph", method="POST", body=body, headers={"Origin": own})
    assert status == 200
    assert data == get_json(srv, "/api/graph?" + q(expr="x*y", x=2, y=3))[1]
    # a GET from another site's page is refused too
    status, _ = get_json(srv, "/api/presets", headers={"Origin": "http://evil.example"})
    assert status == 403
    status, _ = get_json(srv, "/api/presets", method="PUT", headers={"Origin": own}, body=b"")
    assert status == 405


def test_request_size_is_bounded(srv):
    own = {"Origin": f"http://127.0.0.1:{srv.port}"}
    status, data = get_json(srv, "/api/graph?expr=x&x=" + "1" * 20_000)
    assert status == 414
    status, data = get_json(srv, "/api/graph?" + "&".join(f"v{i}=1" for i in range(150)))
    assert status == 413
    status, data = get_json(srv, "/api/graph", method="POST", headers=own,
                            body=b"{" + b" " * (server.MAX_BODY + 10) + b"}")
    assert status == 413
    for bad in (b"[1, 2]", b"not json", b'{"x": {"y": 1}}', b"\xff\xfe"):
        status, data = get_json(srv, "/api/graph", method="POST", headers=own, body=bad)
        assert status == 400, bad


@pytest.mark.parametrize("path", [
    "/static/../server.py", "/static/%2e%2e/server.py", "/static/..%2fapi.py",
    "/static/%2e%2e%2f%2e%2e%2fpyproject.toml", "/static//etc/passwd", "/static/%2fetc%2fpasswd",
    "/../../etc/passwd", "/static/", "/static/..\\server.py", "/server.py", "/etc/passwd",
    "/static/index.html%00.js", "/static/app.js/..", "/api/../static/app.js",
])
def test_static_files_only_from_the_package_folder(srv, path):
    status, _, body = request(srv, path)
    assert status == 404, path
    assert b"import" not in body and b"root:" not in body


def test_every_static_file_is_served(srv):
    files = server.static_files()
    assert {"index.html", "app.js", "style.css", "graph.js", "summary.js"} <= set(files)
    for name, file in files.items():
        status, headers, body = request(srv, f"/static/{name}")
        assert status == 200 and headers["X-Content-Type-Options"] == "nosniff", name
        if name != "index.html":
            assert body == file.read_bytes()
    status, headers, body = request(srv, "/")
    assert status == 200 and b'data-lang="en"' in body          # the server's --lang
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_no_eval_anywhere():
    folder = ROOT / "nndl" / "play"
    pattern = re.compile(r"(?<![.\w])eval\s*\(|new\s+Function\s*\(|\bexec\s*\(|setTimeout\s*\(\s*['\"]"
                         r"|innerHTML|outerHTML|insertAdjacentHTML|document\.write")
    for file in [*folder.rglob("*.py"), *folder.rglob("*.js"), ROOT / "nndl/commands/play.py"]:
        text = file.read_text(encoding="utf-8")
        assert not pattern.search(text), file
    static = (folder / "static").rglob("*")
    assert not any(re.search(rb"https?://(?!www\.w3\.org)", f.read_bytes())
                   for f in static if f.is_file()), "nothing may be loaded from another site"


# ------------------------------------------------------------------ the command
def _start(*args: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "nndl", "play", "--port", "0", "--no-browser",
                             *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=ROOT)
    line = proc.stdout.readline()
    return proc, line


def test_nndl_play_prints_the_url_and_stops_on_ctrl_c():
    proc, line = _start("--lang", "en")
    try:
        url = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert url, line
        conn = http.client.HTTPConnection("127.0.0.1", int(url.group(1)), timeout=30)
        conn.request("GET", "/api/graph?expr=x*y&x=2&y=3")
        assert json.loads(conn.getresponse().read())["output"] == 6.0
        conn.close()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err and "warning" not in err


def test_nndl_play_warns_off_loopback():
    proc, line = _start("--host", "0.0.0.0", "--lang", "en")
    try:
        assert "http://127.0.0.1:" in line
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert "warning" in err and "0.0.0.0" in err


def test_a_port_in_use_is_a_clear_error(capsys):
    s = make_server(warm=False)
    try:
        err = cli_error(capsys, "play", "--port", str(s.port), "--no-browser", "--lang", "en")
    finally:
        s.server_close()
    assert "already in use" in err and "--port 0" in err
