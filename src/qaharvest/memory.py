"""Process memory: what a stage frees goes back to the system, and the garbage collector
walks only what it must."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import pyarrow as pa

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
MMAP_THRESHOLD_BYTES = 1 << 20


def return_freed_blocks() -> bool:
    """Have glibc's malloc serve blocks of 1 MiB and more from mappings of their own, so that
    freeing one gives its memory back. By default the threshold grows to the largest block
    freed, and then the column buffers a big run receives from its workers are carved from
    the heap, whose freed space is kept: the main process of a 100k-page run peaked about
    0.25 GB higher. False (and no change) where the C library has no `mallopt`."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    except (OSError, AttributeError):
        return False


def factorize(values, sort: bool = False) -> tuple:
    """`pd.factorize(values, sort=sort)`, then Arrow's freed hash table (a copy of every
    distinct value, for Arrow-backed text) handed back: Arrow's allocator would keep it."""
    codes, uniques = pd.factorize(values, sort=sort)
    pa.default_memory_pool().release_unused()
    return codes, uniques


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
