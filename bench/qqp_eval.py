"""Merge and grouping decisions on labelled Quora Question Pairs, through the real pipeline.

Each pair becomes one page (a title, the two questions, an answer each); the pages go through
extract → clean → dedupe together, and a pair counts as merged when both questions land in one
row, grouped when they share a cluster_id. Prints precision, recall and F1 on a held-out half
(a fixed random split; thresholds are tuned on the other half with --sweep) and on all pairs.

    python bench/qqp_eval.py [--tsv ../shared/qqp/qqp_sample.tsv] [--semantic]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from qaharvest import clean, dedupe, extract
from qaharvest import semantic as sem
from qaharvest.readers import Page

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TSV = ROOT.parent / "shared" / "qqp" / "qqp_sample.tsv"


def load_pairs(tsv: Path) -> pd.DataFrame:
    df = pd.read_csv(tsv, sep="\t", quoting=3, encoding_errors="replace")
    df = df.dropna(subset=["question1", "question2"])
    for col in ("question1", "question2"):
        df[col] = df[col].astype(str).str.replace(r"\s+", " ", regex=True).str.strip()
    # Pipeline questions end in "?"; QQP's sometimes don't.
    for col in ("question1", "question2"):
        df[col] = [q if q.endswith("?") else q + "?" for q in df[col]]
    return df.reset_index(drop=True)


def _rows(pairs: pd.DataFrame, semantic: bool, threshold: float | None) -> pd.DataFrame:
    pages = [
        Page(
            file=f"qqp/{i}.txt",
            text=f"QQP pair {i}\n{q1}\nAnswer one for pair {i}.\n{q2}\nAnswer two for pair {i}.\n",
        )
        for i, (q1, q2) in enumerate(zip(pairs["question1"], pairs["question2"], strict=True))
    ]
    occ = clean.clean_frame(extract.extract_pages(pages).frames()[0])
    answered, unanswered = dedupe.dedupe(occ, threshold=threshold, semantic=semantic)
    return pd.concat([answered, unanswered], ignore_index=True)


def decisions(
    pairs: pd.DataFrame, semantic: bool = False, threshold: float | None = None
) -> pd.DataFrame:
    """Per pair: merged (same row) and grouped (same cluster) as the pipeline decides."""
    rows = _rows(pairs, semantic, threshold)
    where: dict[tuple[str, int], tuple[str, str]] = {}
    for rid, cid, sources in zip(rows["id"], rows["cluster_id"], rows["sources"], strict=True):
        for s in sources:
            where[(s["file"], s["line"])] = (rid, cid)
    merged, grouped = [], []
    for i in range(len(pairs)):
        a, b = where.get((f"qqp/{i}.txt", 2)), where.get((f"qqp/{i}.txt", 4))
        merged.append(a is not None and b is not None and a[0] == b[0])
        grouped.append(a is not None and b is not None and a[1] == b[1])
    out = pd.DataFrame({"merged": merged, "grouped": grouped})
    out.attrs["largest_group"] = int(rows["cluster_id"].value_counts().max())
    return out


def _memoized(embed):
    """`embed` that computes each text once (in batches), for threshold sweeps."""
    cache: dict[str, np.ndarray] = {}

    def wrapper(texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        if missing:
            cache.update(zip(missing, embed(missing), strict=True))
        return np.stack([cache[t] for t in texts])

    return wrapper


def prf(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    tp = int((pred & gold).sum())
    p = tp / max(1, int(pred.sum()))
    r = tp / max(1, int(gold.sum()))
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tsv", type=Path, default=DEFAULT_TSV)
    ap.add_argument("--semantic", action="store_true")
    ap.add_argument("--sweep", action="store_true", help="F1 by threshold on the tuning half.")
    args = ap.parse_args()
    pairs = load_pairs(args.tsv)
    gold = pairs["is_duplicate"].astype(int).to_numpy() == 1
    test = np.random.default_rng(20261125).random(len(pairs)) < 0.5  # the held-out half
    if args.sweep:
        if args.semantic:
            sem.embed = _memoized(sem.embed)
        grid = np.arange(0.66, 0.78, 0.005) if args.semantic else np.arange(0.20, 0.60, 0.025)
        for threshold in grid:
            pred = decisions(pairs, args.semantic, float(threshold))["grouped"].to_numpy()
            p, r, f = prf(pred[~test], gold[~test])
            print(f"threshold {threshold:.3f}: tuning half P {p:.3f} R {r:.3f} F1 {f:.3f}")
        return
    t = time.perf_counter()
    dec = decisions(pairs, semantic=args.semantic)
    seconds = time.perf_counter() - t
    print(
        f"{len(pairs)} QQP pairs ({gold.mean():.0%} duplicates), pipeline {seconds:.1f} s, "
        f"semantic={args.semantic}, largest paraphrase group {dec.attrs['largest_group']} rows"
    )
    print(f"{'decision':10} {'split':9} {'precision':>9} {'recall':>7} {'F1':>6}")
    for name in ("merged", "grouped"):
        pred = dec[name].to_numpy()
        for split, mask in (("held-out", test), ("all", np.ones(len(pairs), bool))):
            p, r, f = prf(pred[mask], gold[mask])
            print(f"{name:10} {split:9} {p:9.3f} {r:7.3f} {f:6.3f}")


if __name__ == "__main__":
    main()
