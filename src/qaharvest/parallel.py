"""Work split in slices, on every core when there is enough of it."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

# What the forked workers of `map_slices` work on: the function and the values.
_work: tuple[Callable, object] | None = None
_one_at_a_time = threading.Lock()
_CAN_FORK = "fork" in multiprocessing.get_all_start_methods()


def map_slices(fn: Callable, values, size: int, parallel: bool) -> list:
    """`fn` over consecutive slices of `values` (a list or an Arrow array) of `size` items,
    results in order: in a process pool on every core when `parallel` (the caller says
    whether there is enough work to pay for starting it), the machine has more than one and
    can fork, else here, one slice after another.

    The workers are forked with `values` in their memory: only each slice's bounds and its
    result travel between processes (pickling the 690k distinct answers of 100k pages out to
    the workers, and back, cost the parent seconds of copying and page faults)."""
    bounds = [(start, min(start + size, len(values))) for start in range(0, len(values), size)]
    if not (parallel and (os.cpu_count() or 1) > 1 and _CAN_FORK):
        return [fn(values[start:end]) for start, end in bounds or [(0, 0)]]
    global _work
    with _one_at_a_time:
        _work = (fn, values)
        try:
            with ProcessPoolExecutor(mp_context=multiprocessing.get_context("fork")) as pool:
                return list(pool.map(_apply, bounds))
        finally:
            _work = None


def _apply(bounds: tuple[int, int]):
    """In a forked worker: `fn` over one slice of the values it was forked with."""
    fn, values = _work
    start, end = bounds
    return fn(values[start:end])
