"""Process memory: what a stage frees goes back to the system, and the garbage collector
walks only what it must."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import pyarrow as pa

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters
PR_SET_THP_DISABLE, PR_GET_THP_DISABLE = 41, 42  # <linux/prctl.h>
MMAP_THRESHOLD_BYTES = 1 << 20
# A worker's: it builds, sends and drops a batch of a few MB at a time (`reuse_freed_blocks`).
WORKER_MMAP_THRESHOLD_BYTES = 64 << 20
WORKER_TRIM_THRESHOLD_BYTES = 128 << 20


def return_freed_blocks() -> bool:
    """Have glibc's malloc serve blocks of 1 MiB and more from mappings of their own, so that
    freeing one gives its memory back. By default the threshold grows to the largest block
    freed, and then the column buffers a big run receives from its workers are carved from
    the heap, whose freed space is kept: the main process of a 100k-page run peaked about
    0.25 GB higher. False (and no change) where the C library has no `mallopt`."""
    return _mallopt((M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))


def reuse_freed_blocks() -> bool:
    """In a worker process that builds and sends a batch of a few MB at a time: glibc's
    malloc serves blocks up to 64 MiB from its heap and keeps up to 128 MiB freed at its top,
    so that each batch reuses the memory of the one before. A worker forked after
    `return_freed_blocks` would map fresh pages for each batch, a page fault per 4 KiB: the
    two extraction workers of a 100k-page run spent 2.2 s in the kernel, 1.3 s with these.
    False (and no change) where the C library has no `mallopt`."""
    return _mallopt(
        (M_MMAP_THRESHOLD, WORKER_MMAP_THRESHOLD_BYTES),
        (M_TRIM_THRESHOLD, WORKER_TRIM_THRESHOLD_BYTES),
    )


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library, or None where it cannot be loaded."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def _mallopt(*settings: tuple[int, int]) -> bool:
    """Apply every (parameter, value) setting; whether all took."""
    mallopt = getattr(_libc(), "mallopt", None)
    return mallopt is not None and all([bool(mallopt(p, v)) for p, v in settings])


def factorize(values, sort: bool = False) -> tuple:
    """`pd.factorize(values, sort=sort)`, then Arrow's freed hash table (a copy of every
    distinct value, for Arrow-backed text) handed back: Arrow's allocator would keep it."""
    codes, uniques = pd.factorize(values, sort=sort)
    pa.default_memory_pool().release_unused()
    return codes, uniques


@contextmanager
def small_pages() -> Iterator[None]:
    """Within: no transparent huge pages for this process's new memory, nor for the
    processes it forks meanwhile (`prctl(PR_SET_THP_DISABLE)`; nothing where there is no
    such call), as before after. A run allocates and frees big buffers stage after stage,
    and on this project's 2-core machine each fresh huge page costs about 3 ms to fault in
    (219 faults, 0.64 s of system time, for one `factorize` of 1.4M answers). A 100k-page
    run with them off: cleaning about 0.95 s faster, deduplication about 0.25 s slower
    (its sorts and gathers take more TLB misses), the run about 0.5 s faster."""
    before = _prctl(PR_GET_THP_DISABLE)
    changed = before == 0 and _prctl(PR_SET_THP_DISABLE, 1) == 0
    try:
        yield
    finally:
        if changed:
            _prctl(PR_SET_THP_DISABLE, 0)


def _prctl(option: int, *args: int) -> int:
    """`prctl(option, *args)`; -1 where the C library has none."""
    prctl = getattr(_libc(), "prctl", None)
    return -1 if prctl is None else prctl(option, *args, *[0] * (4 - len(args)))


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while millions of acyclic objects are built or received:
    each collection would walk them all (reference counting still frees what is dropped)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def settled_after() -> Iterator[None]:
    """Around a program's start-up (its imports): no collection during it, then every object
    alive is frozen out of the collector's view (`gc.freeze`), so that the collections of the
    work that follows walk only what the work creates. Imports make next to no garbage, and
    a full collection walks every object alive: a run's half a million start-up objects cost
    it about 1.2 s of collections during start-up and 0.4–0.5 s per full one after."""
    with gc_paused():
        yield
    gc.freeze()
