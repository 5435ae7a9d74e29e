"""`nndl play` read by a Chinese student.

The server: every refusal (a bad parameter or expression, an unknown route or parameter, a
bad Host or Origin, a body or query too large, a method it does not take, the HTTP
library's own refusals, busy, past the time limit) answers in the language the page sends
(``lang=``): Chinese with no English outside an allow-list for zh, the English as before for
en; a library error's words are its own ``message_in``/``hint_in`` of that language.

The page: every view loaded in Chinese (with its details opened and a training run done)
shows no English word in ``document.body.innerText`` outside a short allow-list and what the
reader types or reads as code; each view's screenshot is kept under artifacts/
(``play-zh-VIEW.png``). Skipped only outside CI when Chromium, its driver or Selenium is
missing (as tests/test_play_browser.py).
"""

from __future__ import annotations

import json
import re
import socket
import threading

import pytest
import test_play_browser
from test_errors_zh import _english_words
from test_figures_zh import english_words
from test_play_browser import css, until

from nndl import glossary
from nndl.cli import main
from nndl.errors import NNDLError
from nndl.play import api, server, worker
from nndl.play.server import make_server

CJK = re.compile("[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def srv():
    s = make_server("127.0.0.1", 0, "zh", warm=False)
    threading.Thread(target=s.serve_forever, daemon=True).start()
    yield s
    s.shutdown()
    s.server_close()


def raw(srv, text: bytes) -> tuple[int | None, dict]:
    """Send bytes as they are (a malformed request the HTTP client would not write). A
    request line the library cannot read is answered as HTTP/0.9: the body alone (None)."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=60) as sock:
        sock.sendall(text)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    if not data.startswith(b"HTTP/"):
        return None, json.loads(data)
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def ask(srv, path: str, lang: str | None, *, method: str = "GET", headers: dict | None = None,
        body: bytes | None = None, host: str | None = None) -> tuple[int, dict]:
    import http.client

    sep = "&" if "?" in path else "?"
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    url = path if lang is None else f"{path}{sep}lang={lang}"   # None: no lang= in the address
    conn.putrequest(method, url, skip_host=True, skip_accept_encoding=True)
    for k, v in {"Host": host or f"127.0.0.1:{srv.port}", **(headers or {})}.items():
        conn.putheader(k, v)
    if body is not None:
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    res = conn.getresponse()
    data = json.loads(res.read())
    conn.close()
    return res.status, data


def library_error(fn) -> NNDLError:
    """The NNDLError the library itself raises (the oracle for the server's words)."""
    with pytest.raises(NNDLError) as info:
        fn()
    return info.value


# the protocol's own names, which Chinese text uses as they are (Host 头, POST 请求, UTF-8)
PROTOCOL = "Host Origin GET POST PUT HEAD HTTP UTF JSON API"


def assert_chinese(data: dict, typed: str = "") -> None:
    """A Chinese refusal: Chinese words, no English outside the echoed input and allow-list."""
    text = data["error"] + "\n" + (data.get("hint") or "")
    assert CJK.search(data["error"]), data
    assert _english_words(CODE.sub(" ", text), [typed, PROTOCOL]) == [], data


def assert_english(data: dict) -> None:
    text = data["error"] + "\n" + (data.get("hint") or "")
    assert not CJK.search(text), data


# path (lang= is added), status, what the user typed (echoed back), a word of each language
CASES = [
    ("/api/outlier?t=abc", 400, "t=abc", "不是数", "is not a number"),
    ("/api/outlier?t=1e99", 400, "t=1e99", "超出范围", "is outside"),
    ("/api/vanish?bogus=1", 400, "vanish bogus depth act init width batch seed", "没有参数",
     "takes no parameter"),
    ("/api/vanish?act=swish", 400, "act=swish", "不是可选值之一", "is not one of"),
    ("/api/graph", 400, "", "缺少参数", "is missing"),
    ("/api/graph?expr=(x%2By&x=1&y=2", 400, "(x+y", "表达式", "expression"),
    ("/api/graph?expr=foo(x)&x=1", 400, "foo", "未知的函数", "unknown function"),
    ("/api/summary?spec=input%208x8x3%3B%20fc%203%20strde%3D2", 400, "strde=2", "没有选项",
     "unknown option"),
    ("/api/solve?n=9", 400, "", "没有第 9 题", "there is no exercise 9"),
    ("/api/solve?n=5&kernel=abc", 400, "kernel=abc", "不是整数", "is not a whole number"),
    ("/api/check?problem=7", 400, "graph summary derivative", "没有可检查的问题", "has no problem"),
    ("/api/train/check?epochs=1000", 400, "epochs=1000", "超出范围", "is outside"),
    ("/api/nope", 404, "/api/nope " + " ".join(api.ENDPOINTS), "没有", "there is no"),
    ("/static/nope.js", 404, "/static/nope.js", "没有", "there is no"),
    ("/api/act?" + "&".join(f"a{i}=1" for i in range(101)), 413, "", "查询参数太多",
     "too many query fields"),
    ("/api/graph?x=1&x=2", 400, "x", "出现了两次", "given twice"),
]


@pytest.mark.parametrize(("path", "status", "typed", "zh", "en"), CASES,
                         ids=[c[0][:40] for c in CASES])
def test_refusals_answer_in_the_pages_language(srv, path, status, typed, zh, en):
    code, data = ask(srv, path, "zh")
    assert code == status and zh in data["error"], data
    assert_chinese(data, typed)
    code, data = ask(srv, path, "en")
    assert code == status and en in data["error"], data
    assert_english(data)


def test_library_errors_are_the_librarys_own_words(srv):
    """An expression or spec error: the server says exactly what the library's error says
    in that language (message_in / hint_in), and still gives the line and column."""
    from nndl.expr import trace
    from nndl.summary import summary

    expr_error = library_error(lambda: trace("foo(x)", {"x": "1"}))
    spec = "input 8x8x3\nfc 3 strde=2"
    spec_error = library_error(lambda: summary(spec, verify=False))
    for lang in ("zh", "en"):
        _, data = ask(srv, "/api/graph?expr=foo(x)&x=1", lang)
        assert data["error"] == expr_error.message_in(lang)
        assert data["hint"] == expr_error.hint_in(lang)
        _, data = ask(srv, "/api/summary?spec=input%208x8x3%0Afc%203%20strde%3D2", lang)
        assert data["error"] == spec_error.message_in(lang)
        assert data["hint"] == spec_error.hint_in(lang)
        assert data["line"] == 2 and "column" in data


def test_post_body_and_guard_refusals(srv):
    origin = {"Origin": f"http://127.0.0.1:{srv.port}", "Content-Type": "application/json"}
    for lang, word in (("zh", "请求体太大"), ("en", "too large")):
        code, data = ask(srv, "/api/summary", lang, method="POST", headers=origin,
                         body=b"{" + b" " * (server.MAX_BODY + 1) + b"}")
        assert code == 413 and word in data["error"], data
    for lang, word in (("zh", "JSON 对象"), ("en", "JSON object")):
        code, data = ask(srv, "/api/summary", lang, method="POST", headers=origin, body=b"[1]")
        assert code == 400 and word in data["error"], data
    # the language may travel in the body too (over nndl play's zh)
    code, data = ask(srv, "/api/vanish", None, method="POST", headers=origin,
                     body=json.dumps({"width": "abc", "lang": "en"}).encode())
    assert code == 400 and "not a whole number" in data["error"], data
    # a foreign Host (DNS rebinding), a POST without this page's Origin, a method it refuses
    for lang in ("zh", "en"):
        code, data = ask(srv, "/api/act", lang, host="evil.example:80")
        assert code == 403 and "evil.example" in data["error"]
        code2, data2 = ask(srv, "/api/act", lang, method="POST", body=b"{}")
        code3, data3 = ask(srv, "/api/act", lang, method="PUT")
        assert (code2, code3) == (403, 405)
        for d in (data, data2, data3):
            if lang == "zh":
                assert_chinese(d, "evil.example")
            else:
                assert_english(d)
    assert "拒绝" in ask(srv, "/api/act", "zh", host="evil.example:80")[1]["error"]
    assert ask(srv, "/api/act", "en", method="PUT")[1]["error"] == "PUT is not supported"


def test_the_http_librarys_own_refusals(srv):
    """Refusals http.server writes itself (too many headers, a bad version) in Chinese too;
    in English its own words as before."""
    many = "".join(f"X-{i}: 1\r\n" for i in range(120))
    for lang in ("zh", "en"):
        code, data = raw(srv, f"GET /api/act?lang={lang} HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}"
                              f"\r\n{many}\r\n".encode())
        assert code == 431
        if lang == "zh":
            assert data["error"] == "请求头太长或太多"
            assert_chinese(data)
        else:
            assert data["error"] == "Too many headers"
    # a request line the library cannot read has no address to take lang from: the language
    # nndl play was started with (zh here)
    code, data = raw(srv, b"GET / HTTP/9.9\r\n\r\n")
    assert code in (505, None) and data["error"] == "不支持这个 HTTP 版本"
    assert_chinese(data)


def test_busy_and_time_limit_in_both_languages(srv, monkeypatch):
    # every worker slot taken: the request waits its time limit, then 429
    monkeypatch.setattr(worker, "TIME_LIMIT", 0.2)
    taken = [worker._slots.acquire(timeout=5) for _ in range(worker.MAX_JOBS)]
    try:
        assert all(taken)
        for lang, word in (("zh", "演练场正忙"), ("en", "the playground is busy")):
            code, data = ask(srv, "/api/solve?n=2&ts=3", lang)
            assert code == 429 and word in data["error"], data
            (assert_chinese if lang == "zh" else assert_english)(data)
    finally:
        for _ in taken:
            worker._slots.release()
    # a training already running: the next is refused at once
    assert worker._stream_slots.acquire(timeout=5)
    try:
        for lang, word in (("zh", "已有一个训练"), ("en", "already running a training")):
            code, data = ask(srv, "/api/train?epochs=1", lang)
            assert code == 429 and word in data["error"], data
    finally:
        worker._stream_slots.release()
    # past the time limit: stopped, 422, the command line to run it there
    monkeypatch.setattr(worker, "TIME_LIMIT", 0.01)
    for lang, word in (("zh", "时间上限"), ("en", "longer than the playground's limit")):
        code, data = ask(srv, f"/api/solve?n=2&ts=7&epochs={11 if lang == 'zh' else 12}", lang)
        assert code == 422 and word in data["error"], data
        assert "nndl solve 2" in data["hint"]
        (assert_chinese if lang == "zh" else assert_english)(data)


def test_a_worker_error_keeps_both_languages(srv):
    """A user's mistake found inside the worker process (exercise 5 with a kernel whose
    network is too large to run) crosses the process boundary in both languages: the
    server says what the library says in the page's language."""
    from nndl.solutions import params_class, solve

    params = params_class(5).from_strings({"kernel": "99"})
    oracle = library_error(lambda: solve(5, params))
    for lang in ("zh", "en"):
        code, data = ask(srv, "/api/solve/html?n=5&kernel=99", lang)
        assert code == 400, data
        assert data["error"] == oracle.message_in(lang) and data["hint"] == oracle.hint_in(lang)
        (assert_chinese if lang == "zh" else assert_english)(data)
    assert CJK.search(oracle.message_in("zh")) and not CJK.search(oracle.message_in("en"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_summary_formulas_in_the_pages_language(srv, lang, capsys):
    """The table's formulas as `nndl summary ... --format json --lang LANG` writes them."""
    spec = "input 32x32x3; conv 6 5x5; fc 10"
    code, data = ask(srv, "/api/summary?spec=" + spec.replace(" ", "%20").replace(";", "%3B"),
                     lang)
    capsys.readouterr()
    assert main(["summary", spec, "--format", "json", "--lang", lang]) == 0
    assert code == 200 and data == json.loads(capsys.readouterr().out)
    formulas = "\n".join(f for layer in data["layers"] for f in layer["formulas"])
    assert ("参数量 =" in formulas) == (lang == "zh") and ("params =" in formulas) == (lang == "en")


# ------------------------------------------------------------------ the page, in a browser
driver = test_play_browser.driver  # the playground tests' browser fixture, one per module
# What a Chinese reader meets as it is in the playground, beyond test_figures_zh's ALLOWED
# (the rules of issue 20): the sheet's layer labels and PyTorch's class names in the layer
# tables (Conv-1, MaxPool2d, Flatten, Linear), and network names in the presets.
PLAY_ALLOWED = {"Conv", "MaxPool", "FC", "Flatten", "Linear", "AlexNet", "VGG"}
# what the reader types or reads as code, cut before the words are counted: command lines
# (nndl solve 2 --full, $ nndl train digits --model mlp ...), flags, identifiers with an
# underscore (answer keys fc_params, names leaky_relu, symbols g_BP and N_in), the graph's
# answer keys df/dx, the dtype float64 and the library scikit-learn by their names
CODE = re.compile(r"nndl(?: [A-Za-z0-9_.,=+\-/']+)+|--?[a-z][\w-]*|\b[A-Za-z]\w*_\w+\b"
                  r"|\bfloat64\b|scikit-learn|\bdf/d\w+")
# elements whose text is code or the sheet's own words: <code>, the language switch (English
# names itself in English), the quoted problem statement, what the reader typed
SKIP = "code, kbd, samp, [data-set-lang], .problem, textarea"

VIEWS = [
    ("graph", "#/graph?lang=zh", "#drawing svg"),
    ("summary", "#/summary?lang=zh&spec=" + "input%20227x227x3%0Aconv%2096%2011x11%20stride%3D4"
     "%0Amaxpool%203x3%20stride%3D2%0Afc%2010", "#total-params"),
    ("act", "#/act?lang=zh&names=sigmoid,tanh,relu,gelu_tanh", "[data-act]"),
    ("outlier", "#/outlier?t=10&lang=zh", "#runs tr[data-run]"),
    ("vanish", "#/vanish?depth=2-10&act=sigmoid,tanh,relu&init=pytorch,xavier,he&lang=zh",
     "#trends tr[data-trend]"),
    ("train", "#/train?model=mlp&epochs=2&lang=zh", "#train-start"),
    *[(f"solve-{n}", f"#/solve?n={n}&lang=zh", "#solution dl.answers") for n in range(1, 7)],
]


def visible_words(driver) -> tuple[list[str], list[str], str]:
    """English words in the page's visible text (the lines they are in, the text) once code and the sheet's words are cut (a
    style hides them for the moment the text is read: innerText leaves out what is hidden)."""
    text = driver.execute_script(
        "const s = document.createElement('style');"
        "s.textContent = arguments[0] + ' { display: none !important; }';"
        "document.head.append(s); const text = document.body.innerText; s.remove(); return text;",
        SKIP)
    words = [w for w in english_words(CODE.sub(" ", text)) if w not in PLAY_ALLOWED]
    lines = [ln for ln in text.splitlines() if any(re.search(rf"\b{w}\b", ln) for w in words)]
    return words, lines, text


def test_play_english_filter():
    assert english_words("Sigmoid 的导数") == []
    assert [w for w in english_words(CODE.sub(" ", "运行 nndl solve 2 --full 或 fc_params；"
                                                  "Conv-1 · 参数"))
            if w not in PLAY_ALLOWED] == []
    assert english_words(CODE.sub(" ", "第 1 层 mean θ′")) == ["mean"]


def settle(driver) -> None:
    """Wait for the view's requests (nothing busy or stale), then open every <details>."""
    until(driver, lambda d: d.execute_script(
        "return !document.querySelector('.busy, .stale') && "
        "document.getElementById('status').textContent !== ''"), "the view's answers")
    # the view's folded parts (derivations, check my answer); the share menu after the shot
    driver.execute_script("for (const d of document.querySelectorAll('details:not(#share-menu)'))"
                          " d.open = true;")
    until(driver, lambda d: d.execute_script("return !document.querySelector('.busy, .stale')"),
          "the opened panels' answers")


@pytest.mark.parametrize(("name", "fragment", "ready"), VIEWS, ids=[v[0] for v in VIEWS])
def test_every_view_reads_in_chinese(driver, srv, artifacts_dir, name, fragment, ready):
    from test_play_browser import shot

    driver.get("about:blank")
    driver.get(srv.url + fragment)
    until(driver, lambda d: css(d, ready), f"{name}: {ready}")
    if name == "train":   # a short run: the curves, the confusion matrix, the mistakes
        css(driver, "#train-start")[0].click()
        until(driver, lambda d: css(d, "#confusion-matrix"), "the run's end")
    settle(driver)
    if name == "graph":   # a node's chain rule and the backward steps
        css(driver, 'tr[data-node="q"]')[0].click()
    assert driver.execute_script("return document.documentElement.lang") == "zh-CN"
    shot(driver, artifacts_dir, f"zh-{name}")
    css(driver, "#share-menu summary")[0].click()
    words, lines, own = visible_words(driver)
    assert words == [], f"{name}: English in the Chinese page: {sorted(set(words))} in {lines}"
    # no text drawn with a box glyph for a missing character (tofu), no Latin-only status
    text = driver.execute_script("return document.body.innerText")
    assert "\ufffd" not in text and "□" not in text
    assert "`" not in text, "a `code` mark shown as it is (the page renders it with rich())"
    # tooltips, labels for screen readers, placeholders and the drawings' <title>s
    said = driver.execute_script(
        "const out = [], shown = (el) => el.getClientRects().length > 0;"
        "for (const el of document.querySelectorAll('[title], [aria-label], [placeholder]')) {"
        "  if (el.closest(arguments[0]) || !shown(el)) continue;"
        "  for (const a of ['title', 'aria-label', 'placeholder'])"
        # a parameter's placeholder is its default value, what `nndl solve N NAME=` takes
        "    if (el.getAttribute(a) && !(a === 'placeholder' && el.dataset.param))"
        "      out.push(el.getAttribute(a)); }"
        "for (const t of document.querySelectorAll('svg > title'))"
        "  if (shown(t.parentNode)) out.push(t.textContent);"
        "return out;", SKIP)
    assert said, f"{name}: no tooltip, label or placeholder read"
    hints = [x for x in said if [w for w in english_words(CODE.sub(" ", x))
                                 if w not in PLAY_ALLOWED]]
    assert hints == [], f"{name}: English in tooltips, labels or placeholders: {hints[:10]}"
    # one term per concept (感知机, 隐藏层, Sigmoid ...), as the rest of nndl (the sheet's
    # quoted problem keeps its own 感知器 and 隐含层)
    assert glossary.check(own, "zh") == [], glossary.check(own, "zh")


def test_the_language_choice_is_remembered(driver, srv):
    """The switch's choice outlives the address: a later visit without lang= opens in it."""
    driver.get("about:blank")
    driver.get(srv.url + "#/graph?lang=zh")
    until(driver, lambda d: css(d, "#drawing svg"))
    css(driver, '[data-set-lang="en"]')[0].click()
    until(driver, lambda d: d.execute_script("return document.documentElement.lang") == "en")
    driver.get("about:blank")
    driver.get(srv.url + "#/summary")
    until(driver, lambda d: css(d, "h1") and "Shapes" in css(d, "h1")[0].text)
    css(driver, '[data-set-lang="zh"]')[0].click()
    until(driver, lambda d: d.execute_script("return document.documentElement.lang") == "zh-CN")
    driver.get("about:blank")
    driver.get(srv.url + "#/graph")
    until(driver, lambda d: css(d, "h1") and "计算图" in css(d, "h1")[0].text)


def test_errors_show_in_the_pages_language(driver, srv):
    """An error the API sends shows in the page's language (the page sends lang=)."""
    from test_play_browser import text_of, type_into

    for lang, word in (("zh", "超出范围"), ("en", "is outside")):
        driver.get("about:blank")
        driver.get(srv.url + f"#/vanish?depth=2-5&act=sigmoid&init=xavier&lang={lang}")
        until(driver, lambda d: css(d, "#trends tr[data-trend]"))
        type_into(css(driver, "#width")[0], "9999\n")
        until(driver, lambda d: css(d, "#error .message"))
        shown = text_of(driver, "#error")
        assert word in shown, shown
        if lang == "zh":   # the parameter is named as the address has it (width=9999)
            assert _english_words(shown, ["width"]) == [], shown
        else:
            assert not CJK.search(shown), shown


def page_texts() -> list[tuple[str, str, str]]:
    """(key, zh, en) of every entry of the page's own word list (static/i18n.js)."""
    source = (server.STATIC / "i18n.js").read_text(encoding="utf-8")
    string = r'"((?:[^"\\]|\\.)*)"'
    return re.findall(rf"(\w+): {{ zh: {string},\s*en: {string} }}", source)


def test_the_pages_own_words_follow_the_glossary():
    """The page's words (i18n.js) in Chinese: the glossary's terms, Chinese punctuation (code
    between backquotes keeps its marks), no English word outside the allow-list; in English
    no Chinese; both languages name the same {fields}."""
    texts = page_texts()
    assert len(texts) > 150   # the whole table is read (a change of its layout fails here)
    for key, zh, en in texts:
        assert glossary.check(zh, "zh") == [], (key, zh)
        assert glossary.check_punctuation(zh) == [], (key, zh)
        plain = re.sub(r"`[^`]*`|\{\w+\}", " ", zh)
        assert [w for w in english_words(CODE.sub(" ", plain)) if w not in PLAY_ALLOWED] == [], \
            (key, zh)
        assert not CJK.search(en), (key, en)
        assert sorted(re.findall(r"\{\w+\}", zh)) == sorted(re.findall(r"\{\w+\}", en)), key


# a view given a mistake: (fragment, what the user typed, a word of the Chinese message)
MISTAKES = [
    ("#/graph?expr=foo(x)&x=1&lang=zh", "foo(x)", "未知的函数"),
    ("#/summary?spec=input%208x8x3%0Afc%203%20strde%3D2&lang=zh", "input 8x8x3 fc 3 strde=2",
     "没有选项"),
    ("#/solve?n=5&kernel=abc&lang=zh", "kernel=abc", "不是整数"),
    ("#/outlier?t=-5&lang=zh", "t=-5", "超出范围"),
]


@pytest.mark.parametrize(("fragment", "typed", "word"), MISTAKES, ids=[m[0][2:12] for m in MISTAKES])
def test_a_mistake_reads_in_chinese(driver, srv, artifacts_dir, fragment, typed, word):
    """nndl's refusal, shown where the view shows it: in Chinese, its place (第 2 行) too."""
    from test_play_browser import text_of

    driver.get("about:blank")
    driver.get(srv.url + fragment)
    until(driver, lambda d: css(d, "#error .message"), "the refusal")
    shown = text_of(driver, "#error")
    assert word in shown, shown
    assert _english_words(CODE.sub(" ", shown), [typed]) == [], shown
    assert "`" not in shown, shown   # nndl's quoting marks become code
    if "summary" in fragment:   # the place said once, in Chinese
        assert shown.count("第 2 行") == 1, shown
        from test_play_browser import shot

        shot(driver, artifacts_dir, "zh-summary-error")


def test_a_checked_answer_reads_in_chinese(driver, srv, artifacts_dir):
    """nndl check's verdict, feedback and step in the page: Chinese (the answer key's name
    and the layer labels aside)."""
    from test_play_browser import shot, text_of, type_into

    driver.get("about:blank")
    driver.get(srv.url + "#/solve?n=5&lang=zh")
    until(driver, lambda d: css(d, 'input[data-answer="fc_params"]'))
    type_into(css(driver, 'input[data-answer="fc_params"]')[0], "27,000,000")
    type_into(css(driver, 'input[data-answer="conv_params"]')[0], "7,600")
    css(driver, "#check-button")[0].click()
    until(driver, lambda d: len(css(d, ".check-item")) == 2)
    shown = text_of(driver, "#check-result")
    assert "只数了权重" in shown and "1 / 2 正确" in shown, shown
    assert "✗ （1）全连接层参数量 = 27,000,000" in shown, shown   # the box's label, not the key
    assert [w for w in english_words(CODE.sub(" ", shown)) if w not in PLAY_ALLOWED] == [], shown
    shot(driver, artifacts_dir, "zh-solve-check")


@pytest.mark.parametrize(("lang", "word"), [("zh", "时间上限"), ("en", "longer than the playground's limit")])
def test_a_training_stopped_by_the_time_limit_says_so_in_the_pages_language(srv, monkeypatch,
                                                                             lang, word):
    """The stream's 'failed' event (a run past its time limit) in the request's language."""
    import http.client

    monkeypatch.setattr(worker, "STREAM_TIME_LIMIT", 0.05)
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    conn.request("GET", f"/api/train?epochs=1&lang={lang}",
                 headers={"Host": f"127.0.0.1:{srv.port}"})
    res = conn.getresponse()
    body = res.read().decode("utf-8")
    conn.close()
    assert res.status == 200, body
    events = dict(re.findall(r"event: (\w+)\ndata: (.*)\n", body))
    failed = json.loads(events["failed"])
    assert word in failed["error"] and "nndl train digits" in failed["hint"], failed
    (assert_chinese if lang == "zh" else assert_english)(failed)
