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
    from nndl import Tensor

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


def _time(fn, *args, repeat: int) -> tuple[float, float, float, list[float]]:
    """Best wall and CPU time of ``repeat`` runs; the value and gradients are read after.

    CPU time (``time.process_time``) is the fairer measure on a shared machine, where
    wall time also counts the time other processes held the core.
    """
    wall = cpu = math.inf
    result = None
    for _ in range(repeat):
        result = None
        gc.collect()  # start each run from a clean heap (micrograd leaves cycles behind)
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn(*args)
        c1, w1 = time.process_time(), time.perf_counter()
        wall, cpu = min(wall, w1 - w0), min(cpu, c1 - c0)
    root, leaves = result
    return wall, cpu, float(root.data), [float(np.asarray(v.grad)) for v in leaves[:50]]


def run(n_nodes: int = 100_000, repeat: int = 3, dtype: str = "float64") -> dict:
    """Build + backward of a scalar graph of about ``n_nodes`` nodes in both engines.

    Returns seconds and microseconds per node for each (wall clock and CPU time), their
    ratio (CPU), and whether both computed the same value and gradients (a benchmark of a
    wrong answer would be worthless).
    """
    n_terms = max(1, n_nodes // NODES_PER_TERM)
    nodes = n_terms * NODES_PER_TERM + 1  # + the initial s
    numbers = _numbers(n_terms)
    mg_wall, mg_cpu, v_mg, g_mg = _time(_micrograd, numbers, repeat=repeat)
    nn_wall, nn_cpu, v_nn, g_nn = _time(_nndl, numbers, dtype, repeat=repeat)
    tol = 1e-9 if dtype == "float64" else 1e-3
    agree = math.isclose(v_mg, v_nn, rel_tol=tol, abs_tol=tol) and all(
        math.isclose(p, q, rel_tol=tol, abs_tol=tol) for p, q in zip(g_mg, g_nn, strict=True))
    return {
        "workload": "s = s + tanh(a*b + c) over scalar leaves; build + backward",
        "n_nodes": nodes,
        "dtype": dtype,
        "micrograd_s": mg_cpu,
        "nndl_s": nn_cpu,
        "micrograd_us_per_node": mg_cpu / nodes * 1e6,
        "nndl_us_per_node": nn_cpu / nodes * 1e6,
        "micrograd_wall_us_per_node": mg_wall / nodes * 1e6,
        "nndl_wall_us_per_node": nn_wall / nodes * 1e6,
        "speedup": mg_cpu / nn_cpu,
        "results_agree": agree,
    }


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    n = int(argv[1]) if len(argv) > 1 else 100_000
    for dtype in ("float64", "float32"):
        r = run(n, dtype=dtype)
        print(f"{r['n_nodes']} nodes, {dtype}: micrograd-style "
              f"{r['micrograd_us_per_node']:.2f} us/node (wall {r['micrograd_wall_us_per_node']:.2f}), "
              f"nndl {r['nndl_us_per_node']:.2f} us/node (wall {r['nndl_wall_us_per_node']:.2f}); "
              f"nndl is {r['speedup']:.1f}x faster (CPU time); results agree: {r['results_agree']}")


if __name__ == "__main__":
    main(sys.argv)
