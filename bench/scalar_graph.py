"""Scalar expression graphs: nndl's 0-d tensors against a micrograd-style ``Value``.

The workload is the one micrograd is built for: many scalar leaves and a long
sum of small expressions, ``s = s + tanh(a*b + c)`` (7 graph nodes per term:
three leaves, mul, add, tanh, add), then one ``backward()``. Both engines build
the same graph; the time covers building it and the backward sweep, and is
reported per graph node.

The baseline below is micrograd's ``engine.Value`` written out again (scalar
float, one closure per op that captures its output, ``set`` of children), with
one change: its recursive topological sort is made iterative so that 10^5 nodes
do not hit Python's recursion limit. Like micrograd, it leaves a reference
cycle per node (``out._backward`` captures ``out``), which Python's cycle
collector keeps walking while the graph grows.

Run ``python bench/scalar_graph.py [n_nodes]``; ``run(n_nodes)`` returns a dict
for the benchmark harness.
"""

from __future__ import annotations

import gc
import math
import random
import sys
import time
from pathlib import Path

import numpy as np

NODES_PER_TERM = 7  # a, b, c, a*b, +c, tanh, s + ...


# ------------------------------------------------------------- the baseline
class Value:
    """micrograd's ``Value`` (Karpathy, engine.py), with an iterative topological sort."""

    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t * t) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        # micrograd's build_topo, as an explicit stack (post-order DFS)
        topo, visited = [], set()
        stack = [(self, False)]
        while stack:
            v, expanded = stack.pop()
            if expanded:
                topo.append(v)
            elif v not in visited:
                visited.add(v)
                stack.append((v, True))
                stack.extend((child, False) for child in v._prev if child not in visited)
        self.grad = 1
        for v in reversed(topo):
            v._backward()


# ------------------------------------------------------------- the workload
def _numbers(n_terms: int, seed: int = 0) -> list[tuple[float, float, float]]:
    rng = random.Random(seed)
    return [(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)) for _ in range(n_terms)]


def _micrograd(numbers):
    leaves = []
    s = Value(0.0)
    for x, y, z in numbers:
        a, b, c = Value(x), Value(y), Value(z)
        leaves.append(a)
        s = s + (a * b + c).tanh()
    s.backward()
    return s, leaves


def _nndl(numbers, dtype):
    import nndl
    from nndl import Tensor

    dtype = getattr(nndl, dtype)  # nndl.float64 / nndl.float32, as a user writes it
    leaves = []
    s = Tensor(0.0, dtype=dtype)
    for x, y, z in numbers:
        a = Tensor(x, requires_grad=True, dtype=dtype)
        b = Tensor(y, requires_grad=True, dtype=dtype)
        c = Tensor(z, requires_grad=True, dtype=dtype)
        leaves.append(a)
        s = s + (a * b + c).tanh()
    s.backward()
    return s, leaves


def _once(fn, args, collector: bool) -> tuple[float, float, tuple]:
    """Wall and CPU seconds of one build + backward (the result is read afterwards)."""
    gc.collect()  # start from a clean heap (micrograd leaves its cycles behind)
    if not collector:
        gc.disable()
    try:
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn(*args)
        c1, w1 = time.process_time(), time.perf_counter()
    finally:
        gc.enable()
    return w1 - w0, c1 - c0, result


def _readout(result) -> tuple[float, list[float]]:
    root, leaves = result
    return float(root.data), [float(np.asarray(v.grad)) for v in leaves[:50]]


def run(n_nodes: int = 100_000, repeat: int = 3, dtype: str = "float64") -> dict:
    """Build + backward of a scalar graph of about ``n_nodes`` nodes in both engines.

    The engines take turns (``repeat`` runs each, best kept), so a change in the load
    of a shared machine hits both. CPU time (``time.process_time``) is the headline,
    as wall time also counts time other processes held the core; both are returned,
    as is the CPU time with Python's cycle collector switched off (what the graph
    costs without it), and whether both engines computed the same value and
    gradients (a benchmark of a wrong answer would be worthless).
    """
    n_terms = max(1, n_nodes // NODES_PER_TERM)
    nodes = n_terms * NODES_PER_TERM + 1  # + the initial s
    numbers = _numbers(n_terms)
    engines = {"micrograd": (_micrograd, (numbers,)), "nndl": (_nndl, (numbers, dtype))}
    best = {(name, gc_on): (math.inf, math.inf) for name in engines for gc_on in (True, False)}
    readout = {}
    for _ in range(repeat):
        for name, (fn, args) in engines.items():
            for gc_on in (True, False):
                wall, cpu, result = _once(fn, args, gc_on)
                old = best[name, gc_on]
                best[name, gc_on] = (min(old[0], wall), min(old[1], cpu))
                readout[name] = _readout(result)
                del result
    (v_mg, g_mg), (v_nn, g_nn) = readout["micrograd"], readout["nndl"]
    tol = 1e-9 if dtype == "float64" else 1e-3
    agree = math.isclose(v_mg, v_nn, rel_tol=tol, abs_tol=tol) and all(
        math.isclose(p, q, rel_tol=tol, abs_tol=tol) for p, q in zip(g_mg, g_nn, strict=True))

    def per_node(name, gc_on=True, wall=False):
        return best[name, gc_on][0 if wall else 1] / nodes * 1e6

    return {
        "workload": "s = s + tanh(a*b + c) over scalar leaves; build + backward",
        "n_nodes": nodes,
        "dtype": dtype,
        "micrograd_s": best["micrograd", True][1],
        "nndl_s": best["nndl", True][1],
        "micrograd_us_per_node": per_node("micrograd"),
        "nndl_us_per_node": per_node("nndl"),
        "micrograd_wall_us_per_node": per_node("micrograd", wall=True),
        "nndl_wall_us_per_node": per_node("nndl", wall=True),
        "micrograd_us_per_node_no_gc": per_node("micrograd", gc_on=False),
        "nndl_us_per_node_no_gc": per_node("nndl", gc_on=False),
        "speedup": best["micrograd", True][1] / best["nndl", True][1],
        "results_agree": agree,
    }


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    n = int(argv[1]) if len(argv) > 1 else 100_000
    for dtype in ("float64", "float32"):
        r = run(n, dtype=dtype)
        print(f"{r['n_nodes']} nodes, {dtype} (CPU us/node; wall; without the cycle collector):\n"
              f"  micrograd-style {r['micrograd_us_per_node']:6.2f}; "
              f"{r['micrograd_wall_us_per_node']:6.2f}; {r['micrograd_us_per_node_no_gc']:6.2f}\n"
              f"  nndl            {r['nndl_us_per_node']:6.2f}; "
              f"{r['nndl_wall_us_per_node']:6.2f}; {r['nndl_us_per_node_no_gc']:6.2f}\n"
              f"  nndl is {r['speedup']:.1f}x faster; results agree: {r['results_agree']}")


if __name__ == "__main__":
    main(sys.argv)
