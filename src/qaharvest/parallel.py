"""Work split in chunks, on every core when there is enough of it."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor


def map_chunks(fn: Callable, chunks: list, parallel: bool) -> list:
    """`fn` over each chunk, results in order: in a process pool on every core when
    `parallel` (the caller says whether there is enough work to pay for starting it) and the
    machine has more than one, else here, one chunk after another."""
    if parallel and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor() as pool:
            return list(pool.map(fn, chunks))
    return [fn(chunk) for chunk in chunks]
