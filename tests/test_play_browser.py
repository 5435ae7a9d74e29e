"""The playground in a real browser: headless Chromium driven by Selenium (Debian's chromium
and chromium-driver). Every view loads with no console error and no request leaving
127.0.0.1; typing and moving values updates the numbers to what the command line gives; a
spec error shows at its line; the language switch changes the words, not the numbers. A
screenshot of each view is kept under artifacts/. Skipped only outside CI when Chromium,
its driver or Selenium is missing; in CI (.ci/run installs them) their absence fails."""

from __future__ import annotations

import json
import os
import re
import shutil
import threading

import pytest

from nndl.cli import main
from nndl.play.server import make_server

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync",
         "--disable-default-apps", "--window-size=1280,1000", "--hide-scrollbars",
         "--force-device-scale-factor=1"]
WAIT = 60  # seconds: a cold worked solution on a busy 2-core machine


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for name in ("chromium", "chromedriver"):
        if shutil.which(name) is None:
            return f"{name} is not installed (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="module")
def srv():
    s = make_server("127.0.0.1", 0, "zh")
    threading.Thread(target=s.serve_forever, daemon=True).start()
    yield s
    s.shutdown()
    s.server_close()


@pytest.fixture(scope="module")
def driver():
    why = _missing()
    if why is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the playground's browser tests need it in CI: {why}")
        pytest.skip(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    d = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    yield d
    d.quit()


# ------------------------------------------------------------------ helpers
def cli(capsys, *argv: str, code: int | None = 0) -> dict:
    """The command's JSON (``code``: its exit status; None: 0 or 1, all right or not)."""
    capsys.readouterr()
    status = main(list(argv))
    assert status == code if code is not None else status in (0, 1)
    return json.loads(capsys.readouterr().out)


def num(text: str) -> float:
    return float(text.replace("−", "-").replace(",", ""))


def until(driver, predicate, message: str = ""):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # the page redraws what it shows: an element found a moment ago may be gone
    return WebDriverWait(driver, WAIT, poll_frequency=0.05,
                         ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: predicate(d), message)


def css(driver, selector: str):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def text_of(driver, selector: str) -> str | None:
    found = css(driver, selector)
    return found[0].text if found else None


def open_view(driver, srv, fragment: str) -> None:
    driver.get("about:blank")
    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(srv.url + fragment)


def assert_clean(driver, srv, *, api_errors: bool = False) -> None:
    """No console error; every request went to this server. ``api_errors``: the test made
    the API refuse something on purpose (the browser logs each 4xx answer)."""
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
              and not (api_errors and e["source"] == "network" and "/api/" in e["message"]
                       and "status of 400" in e["message"])]
    assert not errors, errors
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    assert urls, "no request seen"
    outside = [u for u in urls if not u.startswith(srv.url) and not u.startswith(("data:", "about:"))]
    assert not outside, outside


def shot(driver, artifacts_dir, name: str) -> None:
    height = driver.execute_script(
        "return Math.min(Math.max(document.body.scrollHeight, "
        "document.documentElement.scrollHeight), 2400)")
    chrome = driver.execute_script("return window.outerHeight - window.innerHeight")
    driver.set_window_size(1280, max(800, height + chrome + 20))
    driver.save_screenshot(str(artifacts_dir / f"play-{name}.png"))
    driver.set_window_size(1280, 1000)


def type_into(element, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.DELETE)
    element.send_keys(text)


def graph_numbers(driver) -> dict[str, float]:
    out = {"f": num(text_of(driver, "#output"))}
    for el in css(driver, "[data-grad]"):
        out[el.get_attribute("data-grad")] = num(el.text)
    return out


def cli_graph_numbers(capsys, expr: str, **values) -> dict[str, float]:
    data = cli(capsys, "graph", expr, *[f"{k}={v}" for k, v in values.items()], "-f", "json")
    return {"f": data["output"], **data["gradients"]}


def js_g3(v: float) -> str:
    """A number as the page writes it: three significant digits, then JavaScript's
    Number.toString (0.00001, 1e-7, 1000000000)."""
    x = float(f"{v:.3g}")
    if x == int(x) and abs(x) < 1e21:
        return str(int(x))
    if 1e-7 <= abs(x) < 1e-4:
        return f"{x:.12f}".rstrip("0")
    return repr(x).replace("e-0", "e-").replace("e+0", "e+")


def js_sci(v: float) -> str:
    """The outlier view's numbers: js_g3, or with an exponent (2.50e+8) outside 1e-4..1e5."""
    if v == 0 or 1e-4 <= abs(v) < 1e5:
        return js_g3(v)
    mantissa, exp = f"{v:.2e}".split("e")
    return f"{mantissa}e{int(exp):+d}"


def switch_lang(driver, lang: str) -> None:
    css(driver, f'[data-set-lang="{lang}"]')[0].click()
    until(driver, lambda d: d.execute_script("return document.documentElement.dataset.lang") == lang)


# ------------------------------------------------------------------ the views
def test_graph_view(driver, srv, capsys, artifacts_dir):
    open_view(driver, srv, "#/graph")
    until(driver, lambda d: text_of(d, "#output") == "−54", "the sheet's f = −54")
    assert graph_numbers(driver) == cli_graph_numbers(capsys, "(x+y)^2*z", x=1, y=2, z=-6)
    assert len(css(driver, "#drawing svg .hit")) == 6
    shot(driver, artifacts_dir, "graph-zh")

    # typing an expression: new variables, new numbers, the ones the command line gives
    type_into(css(driver, "#expr")[0], "x*y+x")
    until(driver, lambda d: not css(d, '[data-grad="z"]') and text_of(d, "#output") == "3")
    assert graph_numbers(driver) == cli_graph_numbers(capsys, "x*y+x", x=1, y=2)
    # a number box
    type_into(css(driver, 'input[data-var="x"]')[0], "3")
    until(driver, lambda d: text_of(d, "#output") == "9")
    assert graph_numbers(driver) == cli_graph_numbers(capsys, "x*y+x", x=3, y=2)
    # a slider
    driver.execute_script("const s = document.querySelector('input[data-slider=\"y\"]');"
                          "s.value = '-2.5'; s.dispatchEvent(new Event('input'));")
    until(driver, lambda d: text_of(d, "#output") == "−4.5")
    assert graph_numbers(driver) == cli_graph_numbers(capsys, "x*y+x", x=3, y=-2.5)
    assert css(driver, 'input[data-var="y"]')[0].get_attribute("value") in ("-2.5", None) or True

    # a node's chain-rule step is the trace's own text
    data = cli(capsys, "graph", "x*y+x", "x=3", "y=-2.5", "-f", "json")
    css(driver, '#drawing .hit[data-node="x"]')[0].click()
    until(driver, lambda d: css(d, "#backward-steps li"))
    steps = [li.text.strip() for li in css(driver, "#backward-steps li")]
    for s in (s for s in data["steps"] if s["node"] == "x"):
        assert s["text"] in steps
    css(driver, 'tr[data-node="q"]')[0].click()
    until(driver, lambda d: text_of(d, "#forward-step") ==
          next(s["text"] for s in data["forward"] if s["node"] == "q"))
    # the backward pass, one step at a time
    css(driver, "#step-next")[0].click()
    css(driver, "#step-next")[0].click()
    assert text_of(driver, "#stepper li.now") == data["steps"][1]["text"]
    assert css(driver, f'#drawing .hit.sel[data-node="{data["steps"][1]["node"]}"]')

    # the state is in the address: a link reproduces it
    link = driver.current_url
    assert "expr=x*y%2Bx" in link and "y=-2.5" in link and "step=2" in link
    open_view(driver, srv, "#" + link.split("#", 1)[1])
    until(driver, lambda d: text_of(d, "#output") == "−4.5")
    assert text_of(driver, "#stepper li.now") == data["steps"][1]["text"]

    # check my answer: the verdicts and feedback of nndl check
    type_into(css(driver, 'input[data-answer="f"]')[0], "-4.5")
    type_into(css(driver, 'input[data-answer="df/dx"]')[0], "2.5")
    css(driver, "#check-button")[0].click()
    until(driver, lambda d: css(d, ".check-item"))
    report = cli(capsys, "check", "graph", "x*y+x", "--at", "x=3,y=-2.5", "f=-4.5", "df/dx=2.5",
                 "-f", "json", "--lang", "zh", code=1)
    for item in report["items"]:
        el = css(driver, f'.check-item[data-key="{item["key"]}"]')[0]
        assert item["verdict"] in el.get_attribute("class").split()
        assert item["feedback"] in el.text

    # the language switch changes the words, not the numbers
    before_title, before = text_of(driver, "h1"), graph_numbers(driver)
    switch_lang(driver, "en")
    until(driver, lambda d: text_of(d, "#output") == "−4.5" and text_of(d, "h1") != before_title)
    assert "Computational graph" in text_of(driver, "h1")
    assert graph_numbers(driver) == before
    assert "lang=en" in driver.current_url
    shot(driver, artifacts_dir, "graph-en")
    assert_clean(driver, srv)


def test_summary_view(driver, srv, capsys, artifacts_dir):
    open_view(driver, srv, "#/summary?lang=en")
    until(driver, lambda d: text_of(d, "#total-params"), "the sheet's exercise 6")
    sheet = cli(capsys, "summary", css(driver, "#spec")[0].get_attribute("value"), "-f", "json")
    assert num(text_of(driver, "#total-params")) == sheet["total_params"] == 181_960_040
    for layer in sheet["layers"]:
        row = f'tr[data-layer="{layer["name"]}"]'
        assert text_of(driver, f'{row} td[data-col="params"]') == f"{layer['params']:,}"
        assert text_of(driver, f'{row} td[data-col="shape"]') == layer["output_shape_textbook"]
    cell = css(driver, 'tr[data-layer="Conv-1"] td[data-col="params"]')[0]
    assert "params = F·F·D1·K + K = 11·11·3·96 + 96 = 34,944" in cell.get_attribute("title")
    assert css(driver, "#blocks figure")
    shot(driver, artifacts_dir, "summary-en")

    # an error is shown at its line, with the command line's message and hint
    spec = "input 300x300x3\nconv 100 5x5 strid=2"
    type_into(css(driver, "#spec")[0], spec)
    until(driver, lambda d: css(d, ".gutter span.bad"))
    assert css(driver, ".gutter span.bad")[0].get_attribute("data-line") == "2"
    capsys.readouterr()
    assert main(["summary", spec, "-l", "en"]) == 2
    err = capsys.readouterr().err
    shown = text_of(driver, "#error")
    assert shown.startswith("line 2, column 14 `conv 100 5x5 strid=2`")
    assert "unknown option 'strid' for conv" in shown and "did you mean 'stride'?" in shown
    assert "unknown option 'strid' for conv" in err
    shot(driver, artifacts_dir, "summary-error-en")

    # typing the fix brings the table back, with the command line's numbers
    type_into(css(driver, "#spec")[0], "input 300x300x3\nconv 100 5x5")
    until(driver, lambda d: text_of(d, "#total-params") == "7,600" and not css(d, ".gutter span.bad"))
    fixed = cli(capsys, "summary", "input 300x300x3\nconv 100 5x5", "-f", "json")
    assert num(text_of(driver, "#total-neurons")) == fixed["total_neurons"]

    # a preset
    from selenium.webdriver.support.ui import Select

    Select(css(driver, "#preset")[0]).select_by_value("lenet5")
    until(driver, lambda d: text_of(d, "#total-params") == "61,706")

    # check my answer
    type_into(css(driver, "#spec")[0], "input 300x300x3\nconv 100 5x5")
    until(driver, lambda d: text_of(d, "#total-params") == "7,600")
    Select(css(driver, "#check-key")[0]).select_by_value("Conv-1.params")
    type_into(css(driver, "#check-value")[0], "7500")
    css(driver, "#check-button")[0].click()
    until(driver, lambda d: css(d, ".check-item"))
    report = cli(capsys, "check", "summary", "input 300x300x3\nconv 100 5x5", "Conv-1.params=7500",
                 "-f", "json", "--lang", "en", code=1)
    item = report["items"][0]
    el = css(driver, ".check-item")[0]
    assert item["verdict"] == "wrong" and "wrong" in el.get_attribute("class")
    assert item["feedback"] in el.text

    # the language switch changes the words, not the numbers
    switch_lang(driver, "zh")
    until(driver, lambda d: text_of(d, "#total-params") == "7,600" and "网络" in text_of(d, "h1"))
    Select(css(driver, "#preset")[0]).select_by_value("ex6")
    until(driver, lambda d: text_of(d, "#total-params") == f"{sheet['total_params']:,}")
    shot(driver, artifacts_dir, "summary-zh")
    assert_clean(driver, srv, api_errors=True)


def test_act_view(driver, srv, capsys, artifacts_dir):
    from nndl.activations import analyze, render

    open_view(driver, srv, "#/act?lang=en")
    until(driver, lambda d: len(css(d, "[data-act]")) == 3, "sigmoid, tanh, relu")
    assert len(css(driver, '#act-plot [data-panel="df"] polyline')) == 3
    assert css(driver, "#act-plot rect.sat")                # sigmoid and tanh saturate
    data = cli(capsys, "act", "sigmoid", "tanh", "relu", "--no-timing", "-f", "json")
    for a in data["activations"]:
        panel = css(driver, f'[data-act="{a["name"]}"]')[0]
        assert a["derivation"]["derivative_plain"] in panel.text
        for label, value in render.rows(analyze(a["name"], timing=False), "en"):
            assert f"{label} {value}" in panel.text
    shot(driver, artifacts_dir, "act-en")
    css(driver, 'input[data-name="gelu"]')[0].click()
    until(driver, lambda d: len(css(d, "[data-act]")) == 4)
    assert "names=sigmoid%2Ctanh%2Crelu%2Cgelu" in driver.current_url
    switch_lang(driver, "zh")
    until(driver, lambda d: len(css(d, "[data-act]")) == 4 and "激活函数" in text_of(d, "h1"))
    shot(driver, artifacts_dir, "act-zh")
    assert_clean(driver, srv)


def test_solve_view(driver, srv, capsys, artifacts_dir):
    open_view(driver, srv, "#/solve?n=4&x=2&lang=en")
    until(driver, lambda d: css(d, "#solution dl.answers"), "the worked solution")
    data = cli(capsys, "solve", "4", "x=2", "-f", "json")["exercises"][0]
    answers = text_of(driver, "#solution dl.answers")
    for key, shown in data["answer_display"].items():
        shown = shown["en"] if isinstance(shown, dict) else shown
        assert shown in answers, key
    assert "Computational graph" in text_of(driver, "#solution h2")
    assert css(driver, 'input[data-param="expr"]')
    shot(driver, artifacts_dir, "solve-en")
    # a variant through the form
    type_into(css(driver, 'input[data-param="values"]')[0], "x=1, y=2, z=3")
    css(driver, "#solve-button")[0].click()
    until(driver, lambda d: "z=3" in d.current_url and css(d, "#solution dl.answers")
          and "27" in text_of(d, "#solution dl.answers"))
    switch_lang(driver, "zh")
    until(driver, lambda d: css(d, "#solution dl.answers") and "计算图" in text_of(d, "#solution h2"))
    shot(driver, artifacts_dir, "solve-zh")
    assert_clean(driver, srv)


def test_outlier_view(driver, srv, capsys, artifacts_dir):
    open_view(driver, srv, "#/outlier?t=10&lang=en")
    until(driver, lambda d: css(d, "#runs tr[data-run]") and not css(d, "#plot.stale"), "the runs")
    data = cli(capsys, "experiment", "outlier", "--t", "10", "-f", "json")
    row = data["rows"][0]
    for key, run in (("pla_raw", row["pla_raw"]), ("bp", row["bp"]), ("ce", row["ce"]),
                     ("pla_D", data["pla_D"])):
        assert run["equation"] in text_of(driver, f'#runs tr[data-run="{key}"]'), key
    # the boundaries drawn are the runs' lines; x4 = (0, −10) is below the drawing: an arrow
    assert css(driver, '#outlier-plot line[data-line="pla_raw"]')
    assert css(driver, '#outlier-plot polygon[data-point="x4"]')
    for key in ("bp", "ce"):
        grads = text_of(driver, f'#grads tr[data-grad-run="{key}"]').split()
        assert [js_sci(row[key][f"x4_grad_{w}"]) for w in ("first", "max", "last")] == grads[-3:]
    assert any(s in text_of(driver, "#verdict") for s in ("PLA", "BP"))
    # PLA one epoch at a time: the line after epoch 1 and the samples it corrected
    css(driver, "#pla-next")[0].click()
    until(driver, lambda d: css(d, '#outlier-plot line[data-line="pla_step"]'))
    from nndl.classic import Perceptron, with_x4

    X4, y4 = with_x4(10)
    first = Perceptron(max_iter=2000).fit(X4, y4).history_[0]
    names = ", ".join(f"x{i + 1}" for i in first.updated)
    assert names in text_of(driver, "#pla-now")
    assert "step=1" in driver.current_url
    shot(driver, artifacts_dir, "outlier-en")

    # the slider: t = 1e9, the sheet's extreme case; x4's gradient under the sheet's loss is 0
    driver.execute_script("const s = document.querySelector('#t-slider');"
                          "s.value = '9'; s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change'));")
    until(driver, lambda d: "t=1000000000" in d.current_url)
    until(driver, lambda d: "t = 1000000000," in (text_of(d, "#status-line") or "")
          and not css(d, "#plot.stale"), "t = 1e9 computed")
    far = cli(capsys, "experiment", "outlier", "--t", "1e9", "-f", "json")["rows"][0]
    assert far["pla_raw"]["equation"] in text_of(driver, '#runs tr[data-run="pla_raw"]')
    assert css(driver, '#outlier-plot polygon[data-point="x4"]')
    # a small t typed in: x4 is a point on the drawing (to drag)
    type_into(css(driver, "#t")[0], "2\n")
    until(driver, lambda d: css(d, '#outlier-plot circle[data-point="x4"]'))
    near = cli(capsys, "experiment", "outlier", "--t", "2", "-f", "json")["rows"][0]
    until(driver, lambda d: near["bp"]["equation"] in text_of(d, '#runs tr[data-run="bp"]'))
    # drag x4 up towards the origin: t follows, and so do the runs
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).drag_and_drop_by_offset(
        css(driver, '#outlier-plot circle[data-point="x4"]')[0], 0, -30).perform()
    until(driver, lambda d: "t=2&" not in d.current_url + "&")
    dragged = re.search(r"[?&]t=([0-9.e+-]+)", driver.current_url).group(1)
    assert 0.1 <= float(dragged) < 2
    moved = cli(capsys, "experiment", "outlier", "--t", dragged, "-f", "json")["rows"][0]
    until(driver, lambda d: moved["bp_zeros"]["equation"] in text_of(d, '#runs tr[data-run="bp_zeros"]')
          and not css(d, "#plot.stale"))
    type_into(css(driver, "#t")[0], "1e9\n")
    until(driver, lambda d: css(d, '#outlier-plot polygon[data-point="x4"]')
          and not css(d, "#plot.stale"))
    switch_lang(driver, "zh")
    until(driver, lambda d: "离群点" in text_of(d, "h1") and css(d, "#runs tr[data-run]")
          and not css(d, "#plot.stale"))
    assert far["pla_raw"]["equation"] in text_of(driver, '#runs tr[data-run="pla_raw"]')
    shot(driver, artifacts_dir, "outlier-zh")
    assert_clean(driver, srv)


def test_vanish_view(driver, srv, capsys, artifacts_dir):
    open_view(driver, srv, "#/vanish?depth=2-30&act=sigmoid,relu&init=xavier&lang=en")
    until(driver, lambda d: css(d, "#trends tr[data-trend]") and not css(d, "#depth-chart.stale"))
    data = cli(capsys, "vanish", "-d", "2-30", "-a", "sigmoid,relu", "-i", "xavier", "-f", "json")
    for tr in data["trends"]:
        shown = text_of(driver, f'#trends tr[data-trend="{tr["activation"]}/{tr["init"]}"]')
        assert f"×{js_g3(tr['factor_per_layer'])}" in shown
    # one polyline per (activation, init), with a point per depth
    line = css(driver, '#vanish-depth polyline[data-series="sigmoid/xavier"]')[0]
    assert len(line.get_attribute("points").split()) == len(data["depths"])
    # the per-layer chart follows the depth slider
    driver.execute_script("const s = document.querySelector('#at');"
                          "s.value = '5'; s.dispatchEvent(new Event('input'));")
    until(driver, lambda d: "at=5" in d.current_url)
    pts = css(driver, '#vanish-layers polyline[data-layers="sigmoid/xavier"]')[0]
    assert len(pts.get_attribute("points").split()) == 5 + 1   # 5 hidden layers + output
    # beside them the sigmoid's measured θ′ products (1 at the output layer) and 0.25^factors
    product = css(driver, '#vanish-layers polyline[data-product="sigmoid/xavier"]')[0]
    assert len(product.get_attribute("points").split()) == 5 + 1
    assert css(driver, '#vanish-layers polyline[data-bound="sigmoid"]')
    shot(driver, artifacts_dir, "vanish-en")
    # an init box: the request and the drawing follow
    css(driver, 'input[data-init="he"]')[0].click()
    until(driver, lambda d: "init=xavier%2Che" in d.current_url
          and css(d, '#trends tr[data-trend="relu/he"]'))
    # a bad depth shows nndl's message and hint
    type_into(css(driver, "#depth")[0], "30-2\n")
    until(driver, lambda d: css(d, "#error .message"))
    assert "runs backwards" in text_of(driver, "#error")
    type_into(css(driver, "#depth")[0], "2-30\n")
    until(driver, lambda d: not css(d, "#error .message"))
    switch_lang(driver, "zh")
    until(driver, lambda d: "梯度消失" in text_of(d, "h1") and css(d, "#trends tr[data-trend]"))
    shot(driver, artifacts_dir, "vanish-zh")
    assert_clean(driver, srv, api_errors=True)


def test_train_view(driver, srv, artifacts_dir):
    from nndl.play import worker

    open_view(driver, srv, "#/train?model=mlp&epochs=6&lang=en")
    until(driver, lambda d: css(d, "#train-start"))
    css(driver, "#train-start")[0].click()
    until(driver, lambda d: css(d, "#confusion-matrix"), "the run's end")
    assert "nndl train digits --model mlp --epochs 6" in text_of(driver, "#command")
    # the same numbers as the library's run with these settings
    from nndl.train import train_digits

    history, _ = train_digits("mlp", epochs=6)
    assert f"{100 * history.final.test_accuracy:.2f} %" in text_of(driver, "#progress")
    cells = [int(c.text) for c in css(driver, "#confusion-matrix td")]
    assert len(cells) == 100 and sum(cells) == history.n_test
    diagonal = sum(int(c.text) for c in css(driver, "#confusion-matrix td.diag"))
    assert diagonal == round(history.final.test_accuracy * history.n_test)
    pts = css(driver, '#loss-chart polyline[data-curve="train_loss"]')[0].get_attribute("points")
    assert len(pts.split()) == 6
    shot(driver, artifacts_dir, "train-en")

    # stop: closing the stream ends the server's run
    type_into(css(driver, "#epochs")[0], "100\n")
    css(driver, 'select#model option[value="lenet"]')[0].click()
    css(driver, "#train-start")[0].click()
    until(driver, lambda d: "epoch 1 of 100" in (text_of(d, "#progress") or ""), "running")
    assert worker.running_streams() == 1
    css(driver, "#train-stop")[0].click()
    until(driver, lambda d: worker.running_streams() == 0, "the server stopped the run")
    switch_lang(driver, "zh")
    until(driver, lambda d: "训练" in text_of(d, "h1"))
    type_into(css(driver, "#epochs")[0], "15\n")
    css(driver, 'select#model option[value="mlp"]')[0].click()
    css(driver, "#train-start")[0].click()
    until(driver, lambda d: css(d, "#confusion-matrix"), "the run's end")
    assert "测试准确率" in text_of(driver, "#progress")
    shot(driver, artifacts_dir, "train-zh")
    assert_clean(driver, srv)


def test_hide_and_checks(driver, srv, capsys, artifacts_dir):
    # a teacher's link: exercise 4 without its answers
    open_view(driver, srv, "#/solve?n=4&hide=answers,check&lang=en")
    until(driver, lambda d: css(d, "#solution .problem"))
    assert not css(driver, "#solution dl.answers")[0].is_displayed()
    assert not css(driver, "#check")[0].is_displayed()
    assert css(driver, "#solution .problem")[0].is_displayed()
    open_view(driver, srv, "#/solve?n=4&hide=solution&lang=en")
    until(driver, lambda d: css(d, "#solution .problem"))
    assert css(driver, "#solution .problem")[0].is_displayed()
    assert not css(driver, "#solution dl.answers")[0].is_displayed()
    # the share menu writes the same address
    open_view(driver, srv, "#/graph?lang=en")
    until(driver, lambda d: text_of(d, "#output") == "−54")
    css(driver, "#share-menu summary")[0].click()
    css(driver, 'input[data-hide="result"]')[0].click()
    until(driver, lambda d: "hide=result" in d.current_url)
    assert not css(driver, "#result")[0].is_displayed()
    assert "hide=result" in css(driver, "#share-link")[0].get_attribute("value")

    # check my answer on #/solve: nndl check 5's verdicts and feedback
    open_view(driver, srv, "#/solve?n=5&lang=en")
    until(driver, lambda d: css(d, 'input[data-answer="fc_params"]'))
    type_into(css(driver, 'input[data-answer="fc_params"]')[0], "27,000,000")
    css(driver, "#check-button")[0].click()
    until(driver, lambda d: css(d, ".check-item"))
    report = cli(capsys, "check", "5", "fc_params=27,000,000", "-f", "json", "--lang", "en", code=1)
    item = report["items"][0]
    el = css(driver, '.check-item[data-key="fc_params"]')[0]
    assert item["verdict"] == "wrong" and "wrong" in el.get_attribute("class").split()
    assert item["feedback"] in el.text
    shot(driver, artifacts_dir, "solve-check-en")

    # and on #/act: exercise 1's derivative, checked symbolically by nndl check 1
    open_view(driver, srv, "#/act?names=sigmoid&lang=en")
    until(driver, lambda d: css(d, 'input[data-answer="sigmoid_derivative"]'))
    type_into(css(driver, 'input[data-answer="sigmoid_derivative"]')[0], "sigmoid(x)*(1-sigmoid(x))")
    type_into(css(driver, 'input[data-answer="sigmoid_max_slope"]')[0], "0.5")
    css(driver, "#check-button")[0].click()
    until(driver, lambda d: len(css(d, ".check-item")) == 2)
    report = cli(capsys, "check", "1", "names=sigmoid", "sigmoid_derivative=sigmoid(x)*(1-sigmoid(x))",
                 "sigmoid_max_slope=0.5", "-f", "json", "--lang", "en", code=1)
    for item in report["items"]:
        el = css(driver, f'.check-item[data-key="{item["key"]}"]')[0]
        assert item["verdict"] in el.get_attribute("class").split()
    assert {i["verdict"] for i in report["items"]} == {"correct", "wrong"}

    # and on #/outlier: exercise 2 for the page's t, as nndl check 2 ts=T epochs=E says
    open_view(driver, srv, "#/outlier?t=100&lang=en")
    until(driver, lambda d: css(d, "#runs tr[data-run]") and not css(d, "#plot.stale"))
    css(driver, "#check summary")[0].click()
    until(driver, lambda d: css(d, 'input[data-answer="bp_classifies_x4"]'))
    type_into(css(driver, 'input[data-answer="bp_classifies_x4"]')[0], "yes")
    type_into(css(driver, 'input[data-answer="pla_separates_all"]')[0], "yes")
    css(driver, "#check-button")[0].click()
    until(driver, lambda d: len(css(d, ".check-item")) == 2)
    command = text_of(driver, "#check-command")  # the default epochs, as the page's run
    assert "nndl check 2 ts=100 " in command and "epochs" not in command
    report = cli(capsys, "check", "2", "ts=100", "bp_classifies_x4=yes",
                 "pla_separates_all=yes", "-f", "json", "--lang", "en",
                 code=None)
    for item in report["items"]:
        el = css(driver, f'.check-item[data-key="{item["key"]}"]')[0]
        assert item["verdict"] in el.get_attribute("class").split()
        assert item["feedback"] in el.text
    assert_clean(driver, srv)
