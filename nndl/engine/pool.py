"""Work arrays lent out and given back explicitly (convolution's im2col columns, padded
copies, gradient scratch).

A fresh large array costs a page fault per 4 KiB on its first touch (about 2,000 per
LeNet step), so large work arrays are reused. Reuse is safe under two rules:

* **Leases, not reference counts.** ``take`` removes an array from the free list; only
  ``give`` (or the death of a :class:`Lease` that holds it) puts it back. An array is
  never handed to two users at once, and nothing depends on ``sys.getrefcount``.
* **Contents are undefined.** A taker gets whatever the previous user left there (any
  user of the same shape and dtype). Every user writes each element it later reads —
  zero borders and padding included — at each use. Nothing survives between uses.

Tests turn on ``poison``: every array given back is filled with NaN (or -1 for ints),
so a user that reads a value it did not write in this use produces NaN, not a quietly
wrong number (tests/test_model_parity.py).
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np

_MAX_BYTES = 8 << 20  # per array: bigger ones are rare and fault in few huge pages
_PER_KEY = 3  # free arrays kept per (shape, dtype)

_free: dict[tuple, list[np.ndarray]] = {}
_lock = threading.Lock()
poison = False  # tests: fill every returned array with NaN so stale reads show


def take(shape: tuple[int, ...], dtype) -> np.ndarray:
    """An array of ``shape`` and ``dtype`` that nobody else holds; its contents are
    undefined (see the module's rules)."""
    key = (shape, np.dtype(dtype))
    with _lock:
        bufs = _free.get(key)
        if bufs:
            return bufs.pop()
    return np.empty(shape, dtype=dtype)


def give(buf: np.ndarray) -> None:
    """Return ``buf`` to the pool. The caller, and any view it made, must not touch it again."""
    if buf.nbytes > _MAX_BYTES or buf.base is not None:
        return
    if poison:
        buf.fill(np.nan if buf.dtype.kind in "fc" else -1)
    key = (buf.shape, buf.dtype)
    with _lock:
        bufs = _free.setdefault(key, [])
        if len(bufs) < _PER_KEY and not any(b is buf for b in bufs):
            bufs.append(buf)


class Lease:
    """Holds a taken array for as long as a closure needs it: the array goes back to the
    pool when the lease dies (a backward closure freed after its sweep, or a graph that
    nobody keeps), never earlier. No view of ``buf`` may outlive the lease."""

    __slots__ = ("buf",)

    def __init__(self, shape: tuple[int, ...], dtype) -> None:
        self.buf = take(shape, dtype)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter shutdown globals may be gone
            give(self.buf)


def clear() -> None:
    """Drop every free array (tests; frees memory after a large model)."""
    with _lock:
        _free.clear()
