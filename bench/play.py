"""The playground's API, timed through HTTP: each endpoint for the sheet's instances, the
median and 95th percentile of ``REPEAT`` calls after the first (the first is reported on
its own: it is the one a student waits for when a view opens; later calls hit the caches
the library keeps: SymPy derivations, measured properties, solved exercises).

Target (issue 16): under 50 ms median and 100 ms p95 per call on a 2-core machine.

Run ``python bench/play.py [repeat]``; ``run(repeat)`` returns the rows for other harnesses.
"""

from __future__ import annotations

import http.client
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REPEAT = 50


def _q(**params) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(str(v), safe='')}" for k, v in params.items())


def calls() -> list[tuple[str, str]]:
    from nndl.solutions.ex6 import Params as Ex6

    sheet6 = Ex6().spec
    return [
        ("graph (ex 4)", "/api/graph?" + _q(expr="(x+y)^2*z", x=1, y=2, z=-6)),
        ("graph/drawing (ex 4)", "/api/graph/drawing?" + _q(expr="(x+y)^2*z", x=1, y=2, z=-6)),
        ("graph/variables", "/api/graph/variables?" + _q(expr="(x+y)^2*z")),
        ("summary (ex 5 fc)", "/api/summary?" + _q(spec="input 300x300x3; fc 100")),
        ("summary (ex 5 conv)", "/api/summary?" + _q(spec="input 300x300x3; conv 100 5x5")),
        ("summary (ex 6)", "/api/summary?" + _q(spec=sheet6)),
        ("act (ex 1)", "/api/act?names=sigmoid,tanh,relu"),
        ("act/table (ex 1)", "/api/act/table?names=sigmoid,tanh,relu"),
        ("act/curves (ex 1)", "/api/act/curves?names=sigmoid,tanh,relu&points=321"),
        ("presets", "/api/presets"),
        ("solve/params", "/api/solve/params?n=5"),
        *[(f"solve (ex {n})", f"/api/solve?n={n}") for n in range(1, 7)],
        ("solve/html (ex 4)", "/api/solve/html?n=4"),
        ("check graph (ex 4)", "/api/check?" + _q(problem="graph", expr="(x+y)^2*z",
                                                  at="x=1,y=2,z=-6", f="-54")),
        ("check 4", "/api/check?" + _q(problem=4, f="-54", **{"df/dx": "-36"})),
        ("check 5", "/api/check?" + _q(problem=5, fc_params="27,000,100")),
        ("check summary", "/api/check?" + _q(problem="summary", spec="input 32x32x3; conv 6 5x5",
                                             **{"Conv-1.params": "456"})),
        ("check 6 (worker)", "/api/check?" + _q(problem=6, conv1_params="34,944")),
        ("check 1 f' (worker)", "/api/check?" + _q(problem=1,
                                                  sigmoid_derivative="sigmoid(x)*(1-sigmoid(x))")),
        ("outlier (ex 2, t=10)", "/api/outlier?t=10"),
        ("outlier/view (ex 2)", "/api/outlier/view?t=10"),
        ("vanish (ex 3)", "/api/vanish?depth=2-30&act=sigmoid,relu&init=xavier"),
        ("train/check", "/api/train/check?model=mlp&epochs=20"),
    ]


def train_stream(conn_port: int, host: str, epochs: int = 20) -> dict:
    """``/api/train`` (mlp, ``epochs``): milliseconds to the first epoch's event and to the
    end of the stream (the run itself, streamed)."""
    conn = http.client.HTTPConnection("127.0.0.1", conn_port, timeout=300)
    start = time.perf_counter()
    conn.request("GET", f"/api/train?model=mlp&epochs={epochs}", headers={"Host": host})
    res = conn.getresponse()
    first = None
    while True:
        line = res.fp.readline()
        if not line:
            break
        if first is None and line.startswith(b"event: epoch"):
            first = (time.perf_counter() - start) * 1000
    total = (time.perf_counter() - start) * 1000
    res.close()
    conn.close()
    return {"first_epoch_ms": first, "done_ms": total, "epochs": epochs}


def _get(conn: http.client.HTTPConnection, host: str, path: str) -> float:
    start = time.perf_counter()
    conn.request("GET", path, headers={"Host": host})
    res = conn.getresponse()
    res.read()
    elapsed = time.perf_counter() - start
    if res.status != 200:
        raise RuntimeError(f"{path}: HTTP {res.status}")
    return elapsed * 1000


def run(repeat: int = REPEAT) -> list[dict]:
    from nndl.play.server import make_server

    server = make_server("127.0.0.1", 0, "en", warm=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"127.0.0.1:{server.port}"
    rows = []
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
        for name, path in calls():
            first = _get(conn, host, path)
            n = repeat if "worker" not in name else max(5, repeat // 10)  # cached: the rest
            times = sorted(_get(conn, host, path) for _ in range(n))
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            rows.append({"call": name, "first_ms": first, "median_ms": statistics.median(times),
                         "p95_ms": p95, "n": n})
        conn.close()
        rows.append({"call": "train stream (mlp, 20 epochs)", **train_stream(server.port, host)})
    finally:
        server.shutdown()
        server.server_close()
    return rows


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else REPEAT
    rows = run(repeat)
    print(f"{'call':24} {'first':>9} {'median':>9} {'p95':>9}   n   (ms; target: median < 50, p95 < 100)")
    for r in rows:
        if "done_ms" in r:
            print(f"{r['call']}: first epoch after {r['first_epoch_ms']:.0f} ms, "
                  f"all {r['epochs']} after {r['done_ms']:.0f} ms (streamed as it trains)")
            continue
        flag = "" if r["median_ms"] < 50 and r["p95_ms"] < 100 else "  over target"
        print(f"{r['call']:24} {r['first_ms']:9.1f} {r['median_ms']:9.1f} {r['p95_ms']:9.1f} "
              f"{r['n']:4d}{flag}")


if __name__ == "__main__":
    main()
