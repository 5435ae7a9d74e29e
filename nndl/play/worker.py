"""Jobs that may run long (a worked solution re-runs trainings and sweeps: exercise 2 with
10,000 epochs takes minutes) run in their own process, killed when they pass the time
limit; the page gets a 4xx error saying so instead of a server that hangs.

The processes come from a fork server that has imported nndl once (so a job starts in
milliseconds, not the second an import takes), and at most :data:`MAX_JOBS` run at once.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
import time
from collections.abc import Generator
from typing import Any

from nndl.errors import NNDLError
from nndl.text import Text

TIME_LIMIT = 20.0   # seconds a solve or check may take in the playground
MAX_JOBS = 2        # processes at once (the course's machines have two cores)
STREAM_TIME_LIMIT = 120.0   # seconds a streamed job (a training run) may take
MAX_STREAMS = 1             # streamed jobs at once: a training run takes a whole core
PRELOAD = ["nndl.play.jobs", "nndl.solutions", "nndl.check", "nndl.summary", "nndl.expr",
           "nndl.classic", "nndl.deep", "nndl.train", "nndl.play.preload"]

_TEXT = {
    "slow": Text("计算超过了演练场的时间上限 {limit:g} 秒，已停止",
                 "the computation took longer than the playground's limit of {limit:g} s "
                 "and was stopped"),
    "slow_hint": Text("换小一些的参数（更少的轮数、t 值或层数），或在命令行运行：{cli}",
                      "choose smaller parameters (fewer epochs, values of t or layers), or run "
                      "it on the command line: {cli}"),
    "busy": Text("演练场正忙（已有 {n} 个计算在运行）", "the playground is busy ({n} computations "
                 "are running)"),
    "busy_hint": Text("稍后再试", "try again in a moment"),
    "stream_busy": Text("演练场已有一个训练在运行", "the playground is already running a training"),
    "stream_busy_hint": Text("等它结束或停止它（关闭那个页面）再开始",
                             "wait for it to end, or stop it (close that page), then start"),
    "crash": Text("计算意外中止：{what}", "the computation stopped unexpectedly: {what}"),
    "exit": Text("进程退出，退出码 {code}", "exit code {code}"),
    "crash_hint": Text("这是 nndl 的错误，请报告它和你的输入",
                       "this is a bug in nndl: please report it with your input"),
}


class TimeLimitError(NNDLError):
    """A job ran past :data:`TIME_LIMIT` and was stopped."""


class BusyError(NNDLError):
    """Every worker slot stayed taken while this request waited."""


class JobCrash(Exception):
    """A job died of something that is not a user's mistake (a bug): the server says 500."""


_lock = threading.Lock()
_slots = threading.BoundedSemaphore(MAX_JOBS)
_stream_slots = threading.BoundedSemaphore(MAX_STREAMS)
_context: Any = None


def context():
    global _context
    with _lock:
        if _context is None:
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            _context = ctx
    return _context


def warm_up() -> None:
    """Start the fork server now (it imports nndl once), not on the first request."""
    context()
    from multiprocessing import forkserver

    forkserver.ensure_running()


def _entry(conn, job: str, args: tuple) -> None:
    from nndl.play.jobs import JOBS

    try:
        conn.send(("ok", JOBS[job](*args)))
    except NNDLError as exc:   # both languages travel (Text pickles); the server picks one
        conn.send(("error", (exc.message_t, exc.hint_t)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which says 500
        conn.send(("crash", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def run(job: str, args: tuple, *, lang: str, cli: str, time_limit: float | None = None) -> Any:
    """``JOBS[job](*args)`` in a worker process; its NNDLError is raised here again (same
    message and hint, in both languages), a run past the time limit raises
    :class:`TimeLimitError`."""
    limit = TIME_LIMIT if time_limit is None else time_limit
    if not _slots.acquire(timeout=limit):
        raise BusyError(_TEXT["busy"].format(n=MAX_JOBS), hint=_TEXT["busy_hint"])
    try:
        ctx = context()
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_entry, args=(send, job, args), daemon=True)
        proc.start()
        send.close()
        try:
            if not receive.poll(limit):
                raise TimeLimitError(_TEXT["slow"].format(limit=limit),
                                     hint=_TEXT["slow_hint"].format(cli=cli))
            kind, payload = receive.recv()
        except EOFError:  # the process died without a word (killed, out of memory)
            kind, payload = "crash", _TEXT["exit"].format(code=proc.exitcode)(lang)
        finally:
            if proc.is_alive():
                proc.kill()
            proc.join()
            receive.close()
    finally:
        _slots.release()
    if kind == "ok":
        return payload
    if kind == "error":
        message, hint = payload
        raise NNDLError(message, hint=hint)
    raise JobCrash(_TEXT["crash"].format(what=payload)(lang) + " — " + _TEXT["crash_hint"](lang))


# ------------------------------------------------------------------ streamed jobs
def _stream_entry(conn, job: str, args: tuple) -> None:
    from nndl.play.jobs import STREAMS

    def send(kind: str, data: Any) -> None:
        conn.send((kind, data))

    try:
        conn.send(("done", STREAMS[job](send, *args)))
    except NNDLError as exc:
        conn.send(("error", (exc.message_t, exc.hint_t)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which says so
        conn.send(("crash", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def stream(job: str, args: tuple, *, lang: str, cli: str, time_limit: float | None = None,
           tick: float = 0.5) -> Generator[tuple[str, Any], None, None]:
    """Run ``STREAMS[job](send, *args)`` in a worker process and yield what it sends, as
    ``(kind, data)``: its progress messages, then ``("done", result)``, or ``("error",
    NNDLError)`` for a user's mistake or a run past the time limit. ``("tick", None)`` comes
    every ``tick`` seconds of silence, so the caller can notice that its client left. The
    process is killed when the generator is closed early (the client went away) or the time
    is up: nothing outlives the request. At most :data:`MAX_STREAMS` run at once; another
    is refused at once with :class:`BusyError`."""
    limit = STREAM_TIME_LIMIT if time_limit is None else time_limit
    if not _stream_slots.acquire(blocking=False):
        raise BusyError(_TEXT["stream_busy"], hint=_TEXT["stream_busy_hint"])
    proc = receive = None
    try:
        ctx = context()
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_stream_entry, args=(send, job, args), daemon=True)
        proc.start()
        send.close()
        deadline = time.monotonic() + limit
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                yield "error", TimeLimitError(_TEXT["slow"].format(limit=limit),
                                              hint=_TEXT["slow_hint"].format(cli=cli))
                return
            if not receive.poll(min(tick, left)):
                yield "tick", None
                continue
            try:
                kind, data = receive.recv()
            except EOFError:
                kind, data = "crash", _TEXT["exit"].format(code=proc.exitcode)(lang)
            if kind == "error":
                yield "error", NNDLError(data[0], hint=data[1])
                return
            if kind == "crash":
                yield "error", JobCrash(_TEXT["crash"].format(what=data)(lang) + " — "
                                        + _TEXT["crash_hint"](lang))
                return
            yield kind, data
            if kind == "done":
                return
    finally:
        if proc is not None:
            if proc.is_alive():
                proc.kill()
            proc.join()
        if receive is not None:
            receive.close()
        _stream_slots.release()


def running_streams() -> int:
    """Streamed jobs running now (for tests: a closed page leaves none)."""
    return MAX_STREAMS - _stream_slots._value  # noqa: SLF001 - a semaphore has no public count
