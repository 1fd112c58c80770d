"""`make bench`: the whole flow (`qaharvest run`, fresh output folder) on generated corpora, next
to the plain baseline on the same corpus.

Each measured command finds the corpus warm in the page cache. For each size it prints wall
times, per-stage times (the run summary's `times`), MB/s, pairs/s (question occurrences
extracted per second) and peak memory, then the target ratios: (run − fixed cost of a run on
one tiny page, the median of three) / baseline (the median of three runs), and the cost of
doubling the input. The machine may be shared: read the numbers as noisy.

Times and peak memory come from separate runs of each command: the peak is the PSS summed
over the process tree (pages shared by forked workers count once), sampled every 0.1 s, and
reading the PSS of a big process that often slows it (a 100k-page flow took 45–51 s sampled,
37–41 s not), so timed runs are not sampled.

    python bench/run_bench.py [--pages 10000 50000 100000] [--work bench/out]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402

BIN = Path(sys.executable).parent
# Corpora are named after the generator's code: an edited generator makes fresh ones.
GENERATOR = hashlib.sha256((ROOT / "bench" / "generate.py").read_bytes()).hexdigest()[:8]
TINY_PAGE = ROOT.parent / "shared" / "seed" / "psoas.txt"
FIXED_RUNS = 3  # timed runs on the tiny page: the fixed cost is their median
BASELINE_RUNS = 3  # timed baseline runs per size: its time is their median


@dataclass
class Row:
    pages: int
    mib: float
    base_s: float
    base_runs: list[float]
    base_mem: float
    run_s: float
    run_mem: float
    occurrences: int
    qa_pairs: int
    times: dict


def timed(cmd: list[str]) -> tuple[float, str]:
    """Wall seconds and stdout of `cmd`."""
    start = time.perf_counter()
    run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed with exit code {run.returncode}")
    return time.perf_counter() - start, run.stdout


def peak_memory(cmd: list[str]) -> float:
    """Peak memory (MiB, proportional set size) of the process tree of `cmd`."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            # PSS: pages shared by forked workers count once, not once per process.
            peak = max(peak, sum(p.memory_full_info().pss for p in tree))
        except psutil.Error:
            pass  # a worker ended between listing and reading
        time.sleep(0.1)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    return peak / 2**20


def warm(raw: Path) -> None:
    """Read every file of `raw` once, so that the baseline and the flow both find the corpus
    in the page cache (a cold read of 100k files takes seconds more than a warm one)."""
    for path in raw.rglob("*"):
        if path.is_file():
            path.read_bytes()


def run_flow(raw: Path, out: Path, sample_peak: bool = True) -> tuple[float, float, dict]:
    """`qaharvest run --json` into a fresh output folder (no extraction cache), the corpus
    warm: wall seconds, peak MiB (another run; 0 unless `sample_peak`) and the run summary."""
    cmd = [str(BIN / "qaharvest"), "run", "--raw", str(raw), "--out", str(out), "--json"]
    peak = 0.0
    if sample_peak:
        shutil.rmtree(out, ignore_errors=True)
        warm(raw)
        peak = peak_memory(cmd)
    shutil.rmtree(out, ignore_errors=True)
    warm(raw)
    seconds, stdout = timed(cmd)
    return seconds, peak, json.loads(stdout[stdout.index("{") :])


def fixed_cost(tiny: Path, out: Path) -> tuple[list[float], float]:
    """The wall seconds of FIXED_RUNS timed runs on the tiny page, sorted, and the peak MiB
    of one. Start-up alone varied by 10.7–14.1 s from one `make bench` to the next, and every
    ratio subtracts it: their median is the fixed cost."""
    runs = [run_flow(tiny, out, sample_peak=i == 0) for i in range(FIXED_RUNS)]
    return sorted(seconds for seconds, _, _ in runs), runs[0][1]


def bench_size(work: Path, pages: int) -> Row:
    raw = work / f"pages-{pages}-{GENERATOR}"
    if not raw.exists():
        generate(raw, pages)
    mib = sum(p.stat().st_size for p in raw.rglob("*.txt")) / 2**20
    base_cmd = [sys.executable, str(ROOT / "bench" / "baseline.py"), str(raw), str(work / "base")]
    warm(raw)
    base_mem = peak_memory(base_cmd)
    base_runs = []
    for _ in range(BASELINE_RUNS):  # one baseline run at 100k pages took 4.4 to 6.4 s
        warm(raw)
        base_runs.append(timed(base_cmd)[0])
    run_s, run_mem, summary = run_flow(raw, work / f"out-{pages}")
    stages = summary["stages"]
    return Row(
        pages, mib, statistics.median(base_runs), sorted(base_runs), base_mem, run_s, run_mem,
        stages["occurrences"], stages["qa_pairs"], summary["times"],
    )  # fmt: skip


def table(rows: list[Row], fixed: float) -> str:
    out = [
        "| pages | MiB | baseline s | flow s | (flow − fixed) / baseline | flow MiB/s "
        "| pairs/s (flow / baseline) | peak MiB (flow / baseline) | flow stage seconds |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        stages = ", ".join(f"{k} {v:.1f}" for k, v in r.times.items())
        out.append(
            f"| {r.pages:,} | {r.mib:.0f} | {r.base_s:.1f} | {r.run_s:.1f} | "
            f"{(r.run_s - fixed) / r.base_s:.2f} | {r.mib / r.run_s:.1f} | "
            f"{r.occurrences / r.run_s:,.0f} / {r.occurrences / r.base_s:,.0f} | "
            f"{r.run_mem:,.0f} / {r.base_mem:,.0f} | {stages} |"
        )
    return "\n".join(out)


def scaling(rows: list[Row], fixed: float) -> list[str]:
    """Time ratio for each pair of sizes where one is twice the other."""
    lines = []
    for small in rows:
        for big in rows:
            if big.pages == 2 * small.pages:
                lines.append(
                    f"{small.pages:,} → {big.pages:,} pages: {big.run_s / small.run_s:.2f}× the "
                    f"time, {(big.run_s - fixed) / (small.run_s - fixed):.2f}× beyond the fixed "
                    f"cost (baseline {big.base_s / small.base_s:.2f}×)"
                )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "out")
    args = ap.parse_args()
    tiny = args.work / "tiny"
    tiny.mkdir(parents=True, exist_ok=True)
    shutil.copy(TINY_PAGE, tiny / TINY_PAGE.name)
    runs, fixed_mem = fixed_cost(tiny, args.work / "out-tiny")
    fixed = statistics.median(runs)
    print(
        f"fixed cost of a run on one tiny page: {fixed:.1f} s (median of "
        f"{', '.join(f'{s:.1f}' for s in runs)}), {fixed_mem:,.0f} MiB",
        flush=True,
    )
    rows = []
    for n in args.pages:
        rows.append(bench_size(args.work, n))
        print(table(rows[-1:], fixed).splitlines()[-1], flush=True)
    print()
    print(table(rows, fixed))
    print("\n".join(["", *scaling(rows, fixed)]))
    runs = "; ".join(f"{r.pages:,}: {', '.join(f'{s:.1f}' for s in r.base_runs)}" for r in rows)
    print(f"baseline runs (s), the median taken: {runs}")


if __name__ == "__main__":
    main()
