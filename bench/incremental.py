"""Incremental runs and the Dask runner, timed through the CLI.

1. a cold run over N generated pages, 2. the same output after adding 10 pages (only those are
extracted, the rest come from the cache), 3. the N+10 pages cold on the local runner and on
`--runner dask` (2-worker LocalCluster), checking both publish the same rows.

    python bench/incremental.py [--pages 2000] [--work bench/out/incremental]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from bench.run_bench import BIN, timed  # noqa: E402


def run(raw: Path, out: Path, *extra: str) -> tuple[float, dict]:
    cmd = [str(BIN / "qaharvest"), "run", "--raw", str(raw), "--out", str(out), "--json"]
    seconds, stdout = timed([*cmd, *extra])
    return seconds, json.loads(stdout[stdout.index("{") :])


def line(label: str, seconds: float, summary: dict) -> str:
    inp = summary["input"]
    return (
        f"| {label} | {seconds:.1f} | {inp['files_processed']:,} | {inp['files_from_cache']:,} "
        f"| {summary['times'].get('extract', 0):.1f} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "incremental")
    args = ap.parse_args()
    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    raw, extra = work / "raw", work / "extra"
    generate(raw, args.pages)
    generate(extra, 10, seed=2)
    rows = []
    t, s = run(raw, work / "out")
    rows.append(line(f"cold, {args.pages:,} pages", t, s))
    for i, page in enumerate(sorted(extra.rglob("*.txt"))):
        shutil.copy(page, raw / f"added{i:02d}.txt")
    t, s = run(raw, work / "out")
    rows.append(line("+10 pages, incremental", t, s))
    t_local, s = run(raw, work / "local")
    rows.append(line(f"cold, {args.pages + 10:,} pages, local runner", t_local, s))
    t_dask, s = run(raw, work / "dask", "--runner", "dask")
    rows.append(line(f"cold, {args.pages + 10:,} pages, dask runner", t_dask, s))
    print("| run | wall s | files extracted | files from cache | extract s |")
    print("|---|---:|---:|---:|---:|")
    print("\n".join(rows))
    for table in ("qa_pairs", "unanswered", "rejected"):
        local = pd.read_parquet(work / "local" / "latest" / f"{table}.parquet")
        dask = pd.read_parquet(work / "dask" / "latest" / f"{table}.parquet")
        pd.testing.assert_frame_equal(local, dask)
    print("\ndask and local releases: same rows in every table")


if __name__ == "__main__":
    main()
