"""nndl against PyTorch CPU, side by side in one process.

    python bench/run.py [--quick] [--json] [--only mlp,lenet,ex6,lstm,attention,scalar]
                        [--threads N]

For each workload (one float32 training step: forward, cross-entropy, backward,
SGD update) the two frameworks start from the same weights (copied through
state_dict) and the same batch, take turns step by step after a warm-up, and the
medians are compared. Both use the same number of threads (torch is set to the
number NumPy's BLAS uses). Achieved GFLOP/s counts the GEMM-shaped work of a step
(see ``workloads.train_step_flops``) against the float32 GEMM peak measured here.
Peak memory is measured in a fresh child process per framework and workload
(peak resident size, reset after imports, data and a first BLAS call, minus the
resident size then), so neither framework's peak hides the other's. Timings on a shared machine are noisy:
compare numbers from one run only.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workloads as W  # noqa: E402

MB = 1024 * 1024


# ------------------------------------------------------------------ sequence workloads
# The layers a course trains next (issue 17): a character-level LSTM language model (d2l's
# chapter 9 setting: vocabulary 28, 35 steps, batch 32, 256 hidden units) and a small
# self-attention classifier. The same model code runs on either library (nndl's nn has
# PyTorch's names), the weights are copied through state_dict as for the other rows.
@dataclass(frozen=True)
class SeqWorkload:
    name: str
    title: str
    kind: str  # "lstm" or "attention"
    batch: int
    steps: int  # sequence length L
    vocab: int
    embed: int
    hidden: int  # LSTM units, or attention heads
    classes: int
    target_ratio: float | None
    reps: int
    block: int


SEQ_WORKLOADS = {w.name: w for w in (
    SeqWorkload("lstm", "char LSTM 28-256, 35 steps, batch 32", "lstm", 32, 35, 28, 32, 256,
                28, 1.5, 60, 5),
    SeqWorkload("attention", "self-attention E=64 4 heads, L=32, batch 32", "attention", 32, 32,
                100, 64, 4, 10, 1.5, 100, 10),
)}


def seq_model(lib, w: SeqWorkload, seed: int = 0):
    """Embedding → LSTM → Linear per step, or Embedding → self-attention + residual →
    LayerNorm → mean over the sequence → Linear; ``lib`` is torch or nndl."""
    nn = lib.nn
    lib.manual_seed(seed)

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(w.vocab, w.embed)
            if w.kind == "lstm":
                self.rnn = nn.LSTM(w.embed, w.hidden, batch_first=True)
                self.out = nn.Linear(w.hidden, w.classes)
            else:
                self.attn = nn.MultiheadAttention(w.embed, w.hidden, batch_first=True)
                self.norm = nn.LayerNorm(w.embed)
                self.out = nn.Linear(w.embed, w.classes)

        def forward(self, x):
            e = self.emb(x)
            if w.kind == "lstm":
                h, _ = self.rnn(e)
                return self.out(h).reshape(-1, w.classes)  # one prediction per step
            a, _ = self.attn(e, e, e, need_weights=False)
            return self.out(self.norm(a + e).mean(1))

    return Model()


def seq_data(w: SeqWorkload, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, w.vocab, (w.batch, w.steps)).astype(np.int64)
    y = rng.integers(0, w.classes, (w.batch * w.steps,) if w.kind == "lstm" else (w.batch,))
    return x, y.astype(np.int64)


def seq_runner(w: SeqWorkload, framework: str, x, y, model=None, seed: int = 0) -> W.Runner:
    """One SGD step of the sequence model, as W.torch_runner / W.nndl_runner."""
    if framework == "torch":
        import torch as lib
    else:
        import nndl as lib
    model = model if model is not None else seq_model(lib, w, seed)
    xt, yt = lib.from_numpy(x), lib.from_numpy(y)
    loss_fn = lib.nn.CrossEntropyLoss()
    opt = lib.optim.SGD(model.parameters(), lr=W.LR)

    def step() -> float:
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        opt.step()
        return float(loss.item())

    def loss() -> float:
        with lib.no_grad():
            return float(loss_fn(model(xt), yt).item())

    return W.Runner(framework, model, step, loss)


def seq_flops(w: SeqWorkload) -> int:
    """2 × multiply-adds of a training step's GEMM work (forward once, backward twice)."""
    n, el, e, h = w.batch, w.steps, w.embed, w.hidden
    if w.kind == "lstm":
        fwd = n * el * (4 * h * (e + h) + h * w.classes)
    else:  # 4 projections, Q·Kᵀ and weights·V, the classifier
        fwd = n * (4 * el * e * e + 2 * el * el * e) + n * e * w.classes
    return 2 * 3 * fwd


def seq_params(w: SeqWorkload) -> int:
    import torch

    return sum(p.numel() for p in seq_model(torch, w).parameters())


def paired(w) -> tuple[W.Runner, W.Runner]:
    """(nndl, torch) runners on the same data and initial weights, for either kind of row."""
    if isinstance(w, W.Workload):
        return W.paired_runners(w)
    import torch

    import nndl

    x, y = seq_data(w)
    tm, nm = seq_model(torch, w), seq_model(nndl, w)
    nm.load_state_dict({k: nndl.from_numpy(v.detach().numpy().copy())
                        for k, v in tm.state_dict().items()})
    return seq_runner(w, "nndl", x, y, nm), seq_runner(w, "torch", x, y, tm)


def all_workloads() -> dict:
    return {**W.WORKLOADS, **SEQ_WORKLOADS}


# ------------------------------------------------------------------ threads
def blas_threads() -> int:
    """Threads NumPy's BLAS uses (threadpoolctl when available, else the CPU count)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return os.cpu_count() or 1
    infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    mine = [i for i in infos if "numpy" in i.get("filepath", "")] or infos
    return int(mine[0]["num_threads"]) if mine else (os.cpu_count() or 1)


def set_threads(n: int | None, torch_too: bool = True) -> int:
    """Use ``n`` threads in NumPy's BLAS and torch (None: BLAS's default); returns the count."""
    if n is not None:
        try:
            from threadpoolctl import threadpool_limits

            threadpool_limits(limits=n, user_api="blas")  # stays in effect (not used as `with`)
        except ImportError:
            pass
    n = n if n is not None else blas_threads()
    # nndl's own loops keep nndl's default (1 thread, see nndl/engine/parallel.py; set
    # NNDL_NUM_THREADS to measure more): with BLAS threaded they were slower on 2 cores
    if torch_too:
        import torch

        torch.set_num_threads(n)
    return n


# ------------------------------------------------------------------ results
@dataclass
class WorkloadResult:
    name: str
    title: str
    nndl_ms: float
    torch_ms: float
    ratio: float
    target_ratio: float | None
    nndl_gflops: float
    torch_gflops: float
    nndl_peak_mb: float | None
    torch_peak_mb: float | None
    reps: int
    loss_nndl: float
    loss_torch: float
    loss_rel_diff: float
    params: int
    nndl_ms_all: list[float] = field(default_factory=list, repr=False)
    torch_ms_all: list[float] = field(default_factory=list, repr=False)


@dataclass
class BenchReport:
    gemm_gflops: float
    threads: int
    workloads: list[WorkloadResult]
    scalar_graph: dict | None
    environment: dict

    def to_json(self) -> dict:
        out = {"workloads": [], "gemm_gflops": round(self.gemm_gflops, 2), "threads": self.threads,
               "scalar_graph": self.scalar_graph, "environment": self.environment}
        for r in self.workloads:
            d = asdict(r)
            d.pop("nndl_ms_all")
            d.pop("torch_ms_all")
            out["workloads"].append(d)
        return out


# ------------------------------------------------------------------ measurements
def gemm_peak(n: int = 2048, reps: int = 5) -> float:
    """Best float32 GFLOP/s of NumPy's matmul on n×n matrices (the machine's practical peak)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    np.matmul(a, b, out=c)  # warm-up
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        np.matmul(a, b, out=c)
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best / 1e9


def time_pair(nr: W.Runner, tr: W.Runner, reps: int, warmup: int, budget_s: float,
              block: int, pause_s: float = 0.2):
    """Times (ms) of nndl and torch steps, taken in alternating blocks of ``block`` steps.

    Why blocks with a pause between them, not strict step-by-step alternation: after a
    BLAS call, OpenBLAS's worker threads spin for up to ~0.1 s (and OpenMP's for a
    while) waiting for more work. Alternating single steps would make each framework
    run while the other's idle threads still burn the cores. The pause lets them go to
    sleep; the first step of a block (waking threads up) is not counted when a block
    has several steps. Who goes first swaps every round.
    """
    for _ in range(warmup):
        nr.step()
        tr.step()
    tn: list[float] = []
    tt: list[float] = []
    start = time.perf_counter()
    i = 0
    while min(len(tn), len(tt)) < reps:
        pair = ((nr, tn), (tr, tt)) if i % 2 == 0 else ((tr, tt), (nr, tn))
        for runner, sink in pair:
            time.sleep(pause_s)
            times = []
            for _ in range(block + (1 if block > 1 else 0)):
                t0 = time.perf_counter()
                runner.step()
                times.append((time.perf_counter() - t0) * 1e3)
            sink.extend(times[1:] if block > 1 else times)
        i += 1
        if min(len(tn), len(tt)) >= 3 and time.perf_counter() - start > budget_s:
            break
    return tn, tt


def check_agreement(nr: W.Runner, tr: W.Runner) -> tuple[float, float, float]:
    """Loss before and after one step in both: same weights and data must give the same numbers."""
    l0n, l0t = nr.step(), tr.step()
    l1n, l1t = nr.loss(), tr.loss()
    rel = max(abs(l0n - l0t) / max(abs(l0t), 1e-12), abs(l1n - l1t) / max(abs(l1t), 1e-12))
    return l0n, l0t, rel


def _rss_now() -> int | None:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _maxrss() -> int:
    """Peak resident bytes: VmHWM (resettable, see _reset_peak), else ru_maxrss."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r if sys.platform == "darwin" else r * 1024  # bytes on macOS, KiB on Linux


def _reset_peak() -> bool:
    """Reset the peak-RSS mark (Linux: write 5 to /proc/self/clear_refs), so a transient
    peak during imports cannot hide or inflate the workload's own peak."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def child_main(framework: str, name: str, steps: int, threads: int) -> None:
    """In a fresh process: peak resident memory of building the model and ``steps`` steps."""
    set_threads(threads, torch_too=framework == "torch")
    w = all_workloads()[name]
    # A first BLAS call makes each library allocate its per-thread buffers (hundreds of MB
    # for OpenBLAS on a many-core machine); that is the runtime, not the workload, so it
    # happens before the baseline, in both frameworks alike.
    if framework == "torch":
        import torch

        torch.ones(256, 256) @ torch.ones(256, 256)
    else:
        import nndl.nn  # noqa: F401

        np.ones((256, 256), np.float32) @ np.ones((256, 256), np.float32)
    seq = isinstance(w, SeqWorkload)
    x, y = seq_data(w) if seq else W.make_data(w)
    gc.collect()
    now = _rss_now()
    # without a resettable mark, the peak so far is the only safe baseline
    base = now if now is not None and _reset_peak() else _maxrss()
    if seq:
        runner = seq_runner(w, framework, x, y)
    else:
        make = W.torch_runner if framework == "torch" else W.nndl_runner
        runner = make(w, x, y)
    for _ in range(steps):
        runner.step()
    print(json.dumps({"peak_mb": (_maxrss() - base) / MB}))


def peak_memory(framework: str, name: str, steps: int, threads: int) -> float | None:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", f"{framework}:{name}",
           "--steps", str(steps), "--threads", str(threads)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        print(f"memory child {framework}:{name} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
        return None
    return float(json.loads(proc.stdout.strip().splitlines()[-1])["peak_mb"])


def environment() -> dict:
    import torch

    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    import nndl

    return {"python": platform.python_version(), "numpy": np.__version__,
            "torch": torch.__version__, "cpu": cpu, "cpu_count": os.cpu_count(),
            "nndl_threads": nndl.get_num_threads()}


def run_workload(w, quick: bool, threads: int, memory: bool, log) -> WorkloadResult:
    nr, tr = paired(w)
    loss_n, loss_t, rel = check_agreement(nr, tr)
    reps = max(3, w.reps // (10 if quick else 1))
    budget = 6.0 if quick else 60.0
    tn, tt = time_pair(nr, tr, reps=reps, warmup=1 if quick else 3, budget_s=budget,
                       block=w.block)
    del nr, tr
    gc.collect()
    mn, mt = statistics.median(tn), statistics.median(tt)
    flops = seq_flops(w) if isinstance(w, SeqWorkload) else W.train_step_flops(w)
    peak_n = peak_t = None
    if memory:
        steps = 2 if quick or w.name == "ex6" else 5
        peak_n = peak_memory("nndl", w.name, steps, threads)
        peak_t = peak_memory("torch", w.name, steps, threads)
    log(f"{w.name}: nndl {mn:.2f} ms, torch {mt:.2f} ms ({len(tn)} reps)")
    return WorkloadResult(
        name=w.name, title=w.title, nndl_ms=mn, torch_ms=mt, ratio=mn / mt,
        target_ratio=w.target_ratio, nndl_gflops=flops / (mn * 1e-3) / 1e9,
        torch_gflops=flops / (mt * 1e-3) / 1e9, nndl_peak_mb=peak_n, torch_peak_mb=peak_t,
        reps=len(tn), loss_nndl=loss_n, loss_torch=loss_t, loss_rel_diff=rel,
        params=seq_params(w) if isinstance(w, SeqWorkload) else W.parameter_count(w),
        nndl_ms_all=tn, torch_ms_all=tt)


def run_scalar(quick: bool) -> dict | None:
    try:
        import scalar_graph
    except ImportError:
        return None
    result = scalar_graph.run(100_000, repeat=1 if quick else 3)
    result["target_speedup"] = 10.0
    return result


def run_all(names: list[str], quick: bool, threads: int | None, memory: bool, log) -> BenchReport:
    threads = set_threads(threads)
    log(f"threads: {threads}; measuring the float32 GEMM peak ...")
    peak = gemm_peak(1024 if quick else 2048)
    results = []
    workloads = all_workloads()
    for name in names:
        if name in workloads:
            log(f"{name}: {workloads[name].title} ...")
            results.append(run_workload(workloads[name], quick, threads, memory, log))
    scalar = run_scalar(quick) if "scalar" in names else None
    return BenchReport(peak, threads, results, scalar, environment())


# ------------------------------------------------------------------ rendering
def _fmt(v: float | None, spec: str = ".1f") -> str:
    return "—" if v is None else format(v, spec)


def render(report: BenchReport, console) -> None:
    from rich.table import Table

    t = Table(title=f"nndl vs PyTorch CPU — one training step, float32, {report.threads} "
                    f"thread(s); GEMM peak {report.gemm_gflops:.0f} GFLOP/s",
              title_justify="left")
    for col in ("workload", "nndl ms", "torch ms", "ratio", "target", "nndl GFLOP/s",
                "torch GFLOP/s", "nndl MB", "torch MB", "mem ratio", "loss Δ"):
        t.add_column(col, justify="left" if col == "workload" else "right")
    peak = report.gemm_gflops
    for r in report.workloads:
        ok = r.target_ratio is None or r.ratio <= r.target_ratio
        mem = (r.nndl_peak_mb / r.torch_peak_mb
               if r.nndl_peak_mb is not None and r.torch_peak_mb else None)
        t.add_row(
            r.title, f"{r.nndl_ms:.2f}", f"{r.torch_ms:.2f}",
            f"[{'green' if ok else 'red'}]{r.ratio:.2f}[/]", f"≤ {_fmt(r.target_ratio, '.1f')}",
            f"{r.nndl_gflops:.1f} ({100 * r.nndl_gflops / peak:.0f}%)",
            f"{r.torch_gflops:.1f} ({100 * r.torch_gflops / peak:.0f}%)",
            _fmt(r.nndl_peak_mb), _fmt(r.torch_peak_mb), _fmt(mem, ".2f"),
            f"{r.loss_rel_diff:.1e}")
    console.print(t)
    s = report.scalar_graph
    if s:
        ok = s["speedup"] >= s["target_speedup"]
        console.print(
            f"scalar graph ({s['n_nodes']} nodes, {s.get('dtype', '?')}): micrograd-style "
            f"{s['micrograd_us_per_node']:.2f} µs/node, nndl {s['nndl_us_per_node']:.2f} µs/node, "
            f"speed-up [{'green' if ok else 'red'}]{s['speedup']:.1f}×[/] (target ≥ "
            f"{s['target_speedup']:.0f}×), results agree: {s['results_agree']}")
    console.print("[dim]ratio = nndl ms / torch ms (medians, alternating steps); mem ratio = "
                  "nndl MB / torch MB (peak RSS growth in separate processes); loss Δ = "
                  "relative loss difference from the same weights.[/]")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer repetitions (about a minute)")
    p.add_argument("--json", action="store_true", help="print JSON on stdout instead of a table")
    p.add_argument("--only", default="mlp,lenet,ex6,lstm,attention,scalar",
                   help="comma-separated workloads: mlp, lenet, ex6, lstm, attention, scalar")
    p.add_argument("--threads", type=int, default=None, help="threads for both (default: NumPy's)")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory child runs")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--steps", type=int, default=2, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        framework, name = args.child.split(":")
        child_main(framework, name, args.steps, args.threads)
        return 0
    from rich.console import Console

    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in all_workloads() and n != "scalar"]
    if unknown:
        p.error(f"unknown workload(s) {unknown}; choose from {[*all_workloads(), 'scalar']}")
    err = Console(stderr=True)
    t0 = time.perf_counter()
    report = run_all(names, args.quick, args.threads, not args.no_memory,
                     lambda m: err.print(f"[dim]{m}[/]", highlight=False))
    err.print(f"[dim]total {time.perf_counter() - t0:.0f} s[/]")
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        console = Console()
        render(report, console if console.is_terminal else Console(width=170))
    return 0


if __name__ == "__main__":
    sys.exit(main())
