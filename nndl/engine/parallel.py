"""Intra-op threads for the memory-bound halves of layer ops, as PyTorch's intra-op pool.

NumPy runs a copy or an elementwise ufunc on one core, while BLAS already spreads a GEMM
over all of them. Convolution and pooling spend most of their time in copies and adds
(im2col, col2im, masks), so those loops split the batch into one slice per thread.
NumPy releases the GIL inside such loops, so Python threads really do run them side by
side; the slices never overlap, so no locking is needed. GEMMs stay single calls: BLAS
threads them itself, and two threads each calling a multi-threaded BLAS would fight
over the cores.

``set_num_threads(n)`` / ``get_num_threads()`` mirror ``torch``'s, but the default is 1
(``NNDL_NUM_THREADS`` in the environment overrides it). Measured on a 2-core VM (LeNet-5
step, BLAS on 2 threads, median ratios to PyTorch over 4 rounds): 1.40 with 1 nndl thread,
1.57 with 2. After each GEMM, OpenBLAS's idle workers spin on the cores for a while, and
a Python worker that needs that core waits behind them; the loops themselves gained only
~5 % with BLAS on 1 thread. More cores and more memory bandwidth may change that, so the
threads are there to switch on and measure (``python bench/run.py``), not on by default.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from nndl.errors import NNDLError

_MIN_ELEMENTS = 1 << 16  # below this per thread, handing work over costs more than it saves


def _default_threads() -> int:
    env = os.environ.get("NNDL_NUM_THREADS", "").strip()
    if not env:
        return 1
    if env.isdigit() and int(env) >= 1:
        return int(env)
    raise NNDLError(f"NNDL_NUM_THREADS must be a whole number ≥ 1, got {env!r}",
                    hint="unset it or set it to e.g. 2")


_threads: int | None = None
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def set_num_threads(n: int) -> None:
    """Use ``n`` threads for nndl's own loops (as ``torch.set_num_threads``; BLAS is separate)."""
    global _threads
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise NNDLError(f"set_num_threads: expected a whole number ≥ 1, got {n!r}")
    _threads = n


def get_num_threads() -> int:
    """Threads nndl's own loops use (see :func:`set_num_threads`)."""
    global _threads
    if _threads is None:
        _threads = _default_threads()
    return _threads


def _executor(workers: int) -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool._max_workers < workers:
            old, _pool = _pool, ThreadPoolExecutor(workers, thread_name_prefix="nndl")
            if old is not None:
                old.shutdown(wait=False)
        return _pool


def parallel_for(fn: Callable[[int, int], object], n: int, elements: int) -> None:
    """Call ``fn(start, stop)`` on slices that cover ``range(n)`` once, side by side.

    ``elements``: the work in all of ``range(n)`` (array elements touched), which decides
    how many slices are worth it. The last slice runs on the calling thread; an exception
    in any slice is raised here once every slice has finished.
    """
    parts = min(get_num_threads(), n, max(1, elements // _MIN_ELEMENTS))
    if parts <= 1 or threading.current_thread().name.startswith("nndl"):
        fn(0, n)  # one slice, or already inside a worker (no nested fan-out)
        return
    bounds = [n * p // parts for p in range(parts + 1)]
    pool = _executor(parts - 1)
    futures = [pool.submit(fn, bounds[p], bounds[p + 1]) for p in range(parts - 1)]
    error = None
    try:
        fn(bounds[-2], bounds[-1])
    except BaseException as e:  # noqa: BLE001 - re-raised below, after the workers finish
        error = e
    for f in futures:
        try:
            f.result()
        except BaseException as e:  # noqa: BLE001
            error = error or e
    if error is not None:
        raise error
