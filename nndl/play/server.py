"""The playground's HTTP server: the standard library's :class:`ThreadingHTTPServer`, the
JSON API of :mod:`nndl.play.api` under ``/api/``, and the page's own files from the
package's ``static`` folder.

Safety rules (each has a test in ``tests/test_play_server.py``):

* it listens on 127.0.0.1 unless another host is asked for (``nndl play`` warns then);
* a request whose ``Host`` header is not this server's own host and port is refused (403),
  so a web page whose domain name is made to point at 127.0.0.1 (DNS rebinding) gets
  nothing; a request that carries an ``Origin`` must come from this server's own page,
  and a POST must carry one;
* the URL, the number of query fields and a POST body are bounded (414, 413), and so is the
  work: the expression parser's limits, :data:`nndl.play.api.MAX_SPEC_LAYERS`, the
  exercises' parameter ranges, and the worker's time limit for solve and check;
* only files that are in the ``static`` folder are served (looked up by name in a table
  made from the folder, never by joining a path); nothing is ever evaluated.
"""

from __future__ import annotations

import ipaddress
import json
import select
import socket
import sys
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

from nndl.errors import NNDLError
from nndl.play import api, worker
from nndl.text import LANGS, Text

STATIC = Path(__file__).resolve().with_name("static")
MAX_URL = 16_384          # bytes of path and query
MAX_FIELDS = 100          # query fields
MAX_BODY = 65_536         # bytes of a POST body
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
         ".json": "application/json; charset=utf-8"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
       "form-action 'none'; frame-ancestors 'none'")

_T = {
    "host": Text("拒绝：Host 头 '{host}' 不是本服务器（{own}）",
                 "refused: the Host header '{host}' is not this server ({own})"),
    "host_hint": Text("用 nndl play 打印的地址打开演练场",
                      "open the playground at the address nndl play printed"),
    "origin": Text("拒绝：来自 '{origin}' 的请求不是本服务器的页面发出的",
                   "refused: a request from '{origin}' is not from this server's page"),
    "no_origin": Text("拒绝：POST 请求没有带 Origin 头，不是本服务器的页面发出的",
                      "refused: a POST without an Origin header is not from this server's page"),
    "origin_hint": Text("POST 需要本服务器的 Origin 头", "a POST needs this server's Origin header"),
    "url": Text("请求地址太长（{n:,} 字节，上限 {max:,}）",
                "the request's address is too long ({n:,} bytes, at most {max:,})"),
    "fields": Text("查询参数太多（上限 {max}）", "too many query fields (at most {max})"),
    "body": Text("请求体太大（上限 {max:,} 字节）", "the request body is too large (at most {max:,} bytes)"),
    "body_json": Text("请求体应为 JSON 对象 {{名称: 值}}", "the request body must be a JSON object {{name: value}}"),
    "twice": Text("参数 {name} 出现了两次", "the parameter {name} is given twice"),
    "encoding": Text("查询不是有效的 UTF-8", "the query is not valid UTF-8"),
    "not_found": Text("没有 {path}", "there is no {path}"),
    "not_found_hint": Text("API 是 /api/{names}", "the API is /api/{names}"),
    "method": Text("不支持 {method}", "{method} is not supported"),
    "method_hint": Text("用 GET（或带 Origin 的 POST）", "use GET (or POST with an Origin)"),
    "internal": Text("服务器内部错误：{what}", "internal error: {what}"),
    "internal_hint": Text("这是 nndl 的错误，请报告它和你的输入",
                          "this is a bug in nndl: please report it with your input"),
}

# the HTTP library's own refusals (a malformed request line, headers too long...) by status;
# in English the library's words stay as they were
_HTTP = {
    400: Text("请求格式不对，服务器读不懂", "Bad Request"),
    408: Text("请求超时", "Request Timeout"),
    413: Text("请求体太大", "Payload Too Large"),
    414: Text("请求地址太长", "URI Too Long"),
    431: Text("请求头太长或太多", "Request Header Fields Too Large"),
    501: Text("不支持这种请求方法", "Not Implemented"),
    505: Text("不支持这个 HTTP 版本", "HTTP Version Not Supported"),
}
_HTTP_OTHER = Text("请求被拒绝（HTTP {code}）", "HTTP {code}")
_HTTP_HINT = Text("用 nndl play 打印的地址在浏览器中打开演练场",
                  "open the playground in a browser at the address nndl play printed")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
        return True
    except ValueError:
        return False


def static_files() -> dict[str, Path]:
    """URL name -> file: exactly the files in the static folder (and its sub-folders)."""
    return {p.relative_to(STATIC).as_posix(): p for p in sorted(STATIC.rglob("*"))
            if p.is_file() and p.suffix in TYPES}


class PlayError(Exception):
    """A refused request: HTTP status, message and hint (the JSON error's fields)."""

    def __init__(self, status: int, message: str, hint: str | None = None):
        super().__init__(message)
        self.status, self.message, self.hint = status, message, hint


class PlayServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, host: str = "127.0.0.1", port: int = 0, lang: str = "zh",
                 quiet: bool = True):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.host_name, self.lang, self.quiet = host, lang, quiet
        self.files = static_files()
        super().__init__((host.strip("[]"), port), Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        host = self.host_name
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        return f"http://{'[' + host + ']' if ':' in host else host}:{self.port}/"

    def host_allowed(self, header: str) -> bool:
        """``Host`` is name:port with this server's port, and the name is a loopback name
        or the host it was asked to listen on; on a wildcard address (0.0.0.0) any IP
        address too (DNS rebinding needs a domain name, and an IP address is none)."""
        name, sep, port = header.rpartition(":")
        if not sep or not port.isdigit() or int(port) != self.port or "]" in port:
            return False
        name = name.lower()
        if name in ("127.0.0.1", "localhost", "[::1]", self.host_name.lower(),
                    f"[{self.host_name.lower()}]"):
            return True
        return self.host_name in ("0.0.0.0", "::") and _is_ip(name)


def parse_query(query: str, lang: str) -> dict[str, str]:
    """``a=1&b=x%2By`` -> {"a": "1", "b": "x+y"}. A '+' is a plus sign (RFC 3986), not a
    space: expressions are full of them. A name given twice is refused."""
    pairs: dict[str, str] = {}
    parts = [p for p in query.split("&") if p]
    if len(parts) > MAX_FIELDS:
        raise PlayError(413, _T["fields"].format(max=MAX_FIELDS)(lang))
    for part in parts:
        name, _, value = part.partition("=")
        try:
            name, value = unquote(name, errors="strict"), unquote(value, errors="strict")
        except UnicodeDecodeError:
            raise PlayError(400, _T["encoding"](lang)) from None
        if name in pairs:
            raise PlayError(400, _T["twice"].format(name=name)(lang))
        pairs[name] = value
    return pairs


class Handler(BaseHTTPRequestHandler):
    server: PlayServer
    protocol_version = "HTTP/1.1"
    # headers and body leave in two writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK hold the body back ~40 ms on every answer
    disable_nagle_algorithm = True
    server_version = "nndl-play"
    sys_version = ""

    # ------------------------------------------------------------------ plumbing
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        if not self.server.quiet:
            super().log_message(format, *args)

    def _send(self, status: int, body: bytes, content_type: str, *, cache: str = "no-store",
              head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Content-Security-Policy", CSP)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _json(self, status: int, text: str, head: bool = False) -> None:
        self._send(status, text.encode("utf-8"), "application/json; charset=utf-8", head=head)

    def _error(self, status: int, message: str, hint: str | None, extra: dict | None = None,
               head: bool = False) -> None:
        body = {"error": message, "hint": hint, **(extra or {})}
        self._json(status, json.dumps(body, ensure_ascii=False), head=head)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None
                   ) -> None:
        """The base class's own refusals (a request line over 64 KiB, a malformed request)
        as JSON too, and the connection closed after them."""
        self.close_connection = True
        lang = self._lang()
        if lang == "en":
            try:
                phrase = HTTPStatus(code).phrase
            except ValueError:
                phrase = str(code)
            error, hint = message or phrase, explain
        else:   # the library's detail is English: the status said in the page's language
            error = (_HTTP.get(code) or _HTTP_OTHER.format(code=code))(lang)
            hint = _HTTP_HINT(lang)
        body = json.dumps({"error": error, "hint": hint}, ensure_ascii=False)
        self._send(code, body.encode("utf-8"), "application/json; charset=utf-8",
                   head=self.command == "HEAD")

    def _lang(self) -> str:
        """The request's language: its ``lang=`` (the page sends its own with every call),
        else the language ``nndl play`` was started with. Read from the address without
        refusing anything, so even a refused request is answered in the page's language."""
        path = getattr(self, "path", "") or ""
        if len(path) <= MAX_URL:
            for part in path.partition("?")[2].split("#", 1)[0].split("&"):
                name, _, value = part.partition("=")
                if name == "lang" and value.strip().lower() in LANGS:
                    return value.strip().lower()
        return self.server.lang

    # ------------------------------------------------------------------ the rules
    def _guard(self, method: str) -> None:
        lang = self._lang()
        host = self.headers.get("Host", "")
        if not self.server.host_allowed(host):
            own = f"{self.server.host_name}:{self.server.port}"
            raise PlayError(403, _T["host"].format(host=host, own=own)(lang),
                            _T["host_hint"](lang))
        origin = self.headers.get("Origin")
        if (origin is not None or method == "POST") and origin != f"http://{host}":
            said = _T["origin"].format(origin=origin) if origin is not None else _T["no_origin"]
            raise PlayError(403, said(lang), _T["origin_hint"](lang))
        if len(self.path.encode("utf-8", "replace")) > MAX_URL:
            raise PlayError(414, _T["url"].format(n=len(self.path), max=MAX_URL)(lang))

    def _body(self) -> dict[str, str]:
        lang = self._lang()
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = MAX_BODY + 1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True  # the body is left unread
            raise PlayError(413, _T["body"].format(max=MAX_BODY)(lang))
        raw = self.rfile.read(length)
        try:
            data = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            data = None
        if not isinstance(data, dict) or len(data) > MAX_FIELDS or not all(
                isinstance(v, str | int | float) and not isinstance(v, bool)
                for v in data.values()):
            raise PlayError(400, _T["body_json"](lang))
        return {str(k): str(v) for k, v in data.items()}

    # ------------------------------------------------------------------ methods
    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        self._handle("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def _refuse_method(self) -> None:
        lang = self._lang()
        self.close_connection = True
        self._error(405, _T["method"].format(method=self.command)(lang), _T["method_hint"](lang))

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method  # noqa: N815

    def _handle(self, method: str) -> None:
        head = method == "HEAD"
        try:
            self._guard(method)
            path, _, query = self.path.partition("?")
            path = path.split("#", 1)[0]
            if path == "/api/train" and method == "GET":
                self._train(parse_query(query, self._lang()))
            elif path.startswith("/api/"):
                q = parse_query(query, self._lang())
                if method == "POST":
                    body = self._body()
                    twice = set(body) & set(q)
                    if twice:
                        raise PlayError(400, _T["twice"].format(name=min(twice))(self._lang()))
                    q.update(body)
                self._api(path[len("/api/"):], q, head)
            elif method == "POST":
                raise PlayError(405, _T["method"].format(method="POST")(self._lang()),
                                _T["method_hint"](self._lang()))
            else:
                self._static(path, head)
        except PlayError as exc:
            self._error(exc.status, exc.message, exc.hint, head=head)
        except ConnectionError:  # the browser went away (a newer request replaced this one)
            self.close_connection = True
        except Exception as exc:  # a bug, not the user's input: say so, keep serving
            traceback.print_exc(file=sys.stderr)
            lang = self._lang()
            self._error(500, _T["internal"].format(what=f"{type(exc).__name__}: {exc}")(lang),
                        _T["internal_hint"](lang), head=head)

    def _api(self, name: str, q: dict[str, str], head: bool) -> None:
        lang = self._lang()
        fn = api.ENDPOINTS.get(name)
        if fn is None:
            raise PlayError(404, _T["not_found"].format(path=f"/api/{name}")(lang),
                            _T["not_found_hint"].format(names=", ".join(api.ENDPOINTS))(lang))
        try:
            lang = api.request_lang(q, lang)   # a POST may carry lang in its body
            text = fn(q, lang)
        except worker.TimeLimitError as exc:
            self._error(422, exc.message_in(lang), exc.hint_in(lang), head=head)
        except worker.BusyError as exc:
            self._error(429, exc.message_in(lang), exc.hint_in(lang), head=head)
        except worker.JobCrash as exc:
            self._error(500, str(exc), None, head=head)
        except NNDLError as exc:
            # the position is read from the English message (line N, column M), the words
            # are the request's language
            self._error(400, exc.message_in(lang), exc.hint_in(lang),
                        api.error_position(exc.message), head=head)
        else:
            self._json(200, text, head=head)

    # ------------------------------------------------------------------ training, streamed
    def _client_gone(self) -> bool:
        """The browser closed the connection (EventSource.close(), the page left): the socket
        reads as end of file. A stream's client sends nothing after its request."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _event(self, kind: str, data) -> None:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        self.wfile.write(f"event: {kind}\ndata: {text}\n\n".encode())
        self.wfile.flush()

    def _train(self, q: dict[str, str]) -> None:
        """``GET /api/train?model=mlp&epochs=20...``: a training run streamed as Server-Sent
        Events (``start``, ``batch``, ``epoch``, then ``done`` or ``failed``). The run is
        bounded (:data:`nndl.play.api.TRAIN_EPOCHS_MAX` epochs, the worker's
        :data:`~nndl.play.worker.STREAM_TIME_LIMIT`, one at a time) and killed as soon as
        the page closes the stream."""
        lang = self._lang()
        try:
            lang = api.request_lang(q, lang)
            args, cli = api.train_params(q, lang)
            events = worker.stream("train", args, lang=lang, cli=api._cli(cli))
            first = next(events)   # a refusal (busy) is an HTTP error, not an event
        except worker.BusyError as exc:
            self._error(429, exc.message_in(lang), exc.hint_in(lang))
            return
        except NNDLError as exc:
            self._error(400, exc.message_in(lang), exc.hint_in(lang))
            return
        self.close_connection = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Content-Security-Policy", CSP)
            self.end_headers()
            self._event("start", {"command": api._cli(cli), "epochs": args[1],
                                  "time_limit": worker.STREAM_TIME_LIMIT})
            event = first
            while True:
                kind, data = event
                if kind == "tick":
                    if self._client_gone():
                        break
                    self.wfile.write(b": still training\n\n")   # a comment: keeps it open
                    self.wfile.flush()
                elif kind == "error":
                    failed = ({"error": data.message_in(lang), "hint": data.hint_in(lang)}
                              if isinstance(data, NNDLError) else {"error": str(data), "hint": None})
                    self._event("failed", failed)
                    break
                else:
                    self._event(kind, data)
                    if kind == "done":
                        break
                    if self._client_gone():
                        break
                event = next(events)
        except (ConnectionError, OSError):
            pass   # the page went away mid-write
        finally:
            events.close()   # kills the training process if it still runs

    def _static(self, path: str, head: bool) -> None:
        lang = self._lang()
        name = "index.html" if path == "/" else None
        if path.startswith("/static/"):
            try:
                name = unquote(path[len("/static/"):], errors="strict")
            except UnicodeDecodeError:
                name = None
        file = self.server.files.get(name) if name else None
        if file is None:
            raise PlayError(404, _T["not_found"].format(path=path)(lang))
        body = file.read_bytes()
        if name == "index.html":  # the language nndl play was started with
            body = body.replace(b"__NNDL_LANG__", self.server.lang.encode())
        self._send(200, body, TYPES[file.suffix], cache="no-cache", head=head)


def make_server(host: str = "127.0.0.1", port: int = 0, lang: str = "zh", *,
                quiet: bool = True, warm: bool = True) -> PlayServer:
    """A server bound and ready (``serve_forever()`` runs it). ``warm`` starts the solve
    worker's fork server and computes what the first views ask for in the background, so
    the first page does not wait for imports and SymPy."""
    server = PlayServer(host, port, lang, quiet)
    if warm:
        import threading

        def warm_up() -> None:
            worker.warm_up()
            api.warm_up()

        threading.Thread(target=warm_up, name="nndl-play-warm", daemon=True).start()
    return server

