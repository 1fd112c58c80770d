"""The qaharvest flow: raw/ → extract → clean → dedupe → validate → publish.

Each task is one coarse batch step; the logic lives in the `qaharvest` package.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from qaharvest import clean, dedupe, extract, memory, progress, publish, readers, report, validate
from qaharvest.cache import ExtractCache
from qaharvest.fingerprint import DigestMemo, code_fingerprint, input_fingerprint
from qaharvest.lock import OutputLock

DASK_SHARD_FILES = 2000  # a Dask task costs 100–400 ms: shards must be coarse


def dask_runner(address: str | None = None):
    """A DaskTaskRunner on `address`, or on a 2-worker LocalCluster (one per core)."""
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1})


class ReleaseRejected(RuntimeError):
    """A dataset-level check failed: nothing was published."""


@task(name="scan", cache_policy=NO_CACHE)
def scan_task(raw_dir: Path, out_dir: Path, semantic: bool = False) -> dict:
    files, rejected = readers.list_inputs(raw_dir)
    code = code_fingerprint()
    memo = DigestMemo(out_dir)
    # With nothing in the extraction cache, every file is extracted: the files the memo does
    # not know are hashed by extraction as it reads them (digest None until then).
    hash_now = not ExtractCache(out_dir, code).holds_nothing()
    digests, unreadable = readers.digest_inputs(files, memo, read_unknown=hash_now)
    rejected += unreadable
    files = [f for f in files if f.rel in digests]
    scan = {
        "files": files,
        "digests": digests,
        "code": code,
        "semantic": semantic,
        "rejected_files": rejected,
        "memo": memo,
        "previous": publish.latest_manifest(out_dir),
    }
    return _fingerprinted(scan) if None not in digests.values() else scan


def _fingerprinted(scan: dict, unread: tuple[dict, ...] = ()) -> dict:
    """`scan` with the input fingerprint and whether it matches the latest release's, once
    every digest is known (and remembered: the digest memo is saved); `unread`: the files
    extraction found it could not read."""
    scan["memo"].save()
    # Files set aside count too: the release lists them, so a new bad file is a change.
    set_aside = [*scan["rejected_files"], *unread]
    fingerprint = input_fingerprint(
        {rel: d for rel, d in scan["digests"].items() if d}
        | {r["file"]: r["reason"] for r in set_aside}
    )
    fingerprint += ":" + scan["code"] + (":semantic" if scan["semantic"] else "")
    previous = scan["previous"]
    unchanged = previous is not None and previous.get("input_fingerprint") == fingerprint
    return scan | {"fingerprint": fingerprint, "unchanged": unchanged}


def _digests_read(scan: dict, ex: extract.Batch) -> dict:
    """`scan` fingerprinted with the digests extraction read (of the files the scan left to
    it); a file it could not read counts as set aside, as in the scan (extraction lists it)."""
    digests, unread = dict(scan["digests"]), []
    for rel, read, set_aside in zip(ex.files, ex.reads, ex.rejected, strict=True):
        if rel in digests and digests[rel] is None:
            if read is None:
                unread += set_aside
            else:
                digests[rel] = scan["memo"].remember(rel, read)
    return _fingerprinted(scan | {"digests": digests}, tuple(unread))


def _unchanged(version: str) -> dict:
    """The run's summary when input and code match the latest release: nothing published."""
    get_run_logger().info("unchanged: input and code match release %s", version)
    create_markdown_artifact(
        key="qaharvest-run",
        markdown=f"# qaharvest run: unchanged\n\nInput and code match release {version}; "
        "nothing published.\n",
        description=f"qaharvest: release {version} is current",
    )
    return {"status": "unchanged", "release": version}


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(
    files: list[readers.InputFile],
    workers: int | None = None,
    report_progress: bool = True,
    on_batch: Callable[[extract.Batch], None] | None = None,
) -> list[extract.Batch]:
    """Extract a batch of files (Arrow batches, each handed to `on_batch` as it arrives);
    both cores locally."""
    return extract.extract_each(
        files, workers, progress.advance if report_progress else None, on_batch
    )


def extract_changed(scan: dict, out: Path, runner: str) -> extract.Batch:
    """New and changed files are extracted (one task locally, coarse shards on Dask);
    unchanged ones come from the per-file cache."""

    def on_dask(missing: list[readers.InputFile], on_batch: Callable) -> list[extract.Batch]:
        n = max(2, -(-len(missing) // DASK_SHARD_FILES))
        progress.stage("extract", len(missing))
        futures = [extract_task.submit(shard, 1, False) for shard in extract.shards(missing, n)]
        out = []
        for f in futures:
            for batch in f.result():
                on_batch(batch)
                progress.advance(len(batch.files))
                out.append(batch)
        return out

    def local(missing: list[readers.InputFile], on_batch: Callable) -> list[extract.Batch]:
        progress.stage("extract", len(missing))
        # quote: Prefect would otherwise visit every path looking for upstream results.
        return extract_task(quote(missing), on_batch=on_batch)

    cache = ExtractCache(out, scan["code"])
    return cache.extract(scan["files"], scan["digests"], on_dask if runner == "dask" else local)


@task(name="clean", cache_policy=NO_CACHE)
def clean_task(occurrences: pd.DataFrame) -> pd.DataFrame:
    return clean.clean_frame(occurrences)


@task(name="dedupe", cache_policy=NO_CACHE)
def dedupe_task(
    occurrences: pd.DataFrame, semantic: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    return dedupe.dedupe(occurrences, semantic=semantic)


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(
    answered: pd.DataFrame, unanswered: pd.DataFrame, previous_rows: int | None, docs_dir: Path
) -> dict[str, validate.Outcome]:
    with validate.Session() as session:
        outcomes = {
            "qa_pairs": validate.validate_table(session, answered, "qa_pairs", previous_rows),
            "unanswered": validate.validate_table(session, unanswered, "unanswered"),
        }
        session.copy_docs(docs_dir)
    return outcomes


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(
    out_dir: Path, tables: dict, manifest: dict, folders: dict[str, Path], keep: int
) -> str:
    return str(publish.publish(out_dir, tables, manifest, keep=keep, folders=folders))


@flow(name="qaharvest", log_prints=True)
def harvest(
    raw_dir: str = "raw",
    out_dir: str = "output",
    keep: int = publish.KEEP_RELEASES,
    wait: float = 0.0,
    runner: str = "local",
    semantic: bool = False,
) -> dict:
    """Build a release of `out_dir` from the pages in `raw_dir`; return the run summary.

    Holds the output folder's lock for the whole run (waiting up to `wait` seconds)."""
    memory.return_freed_blocks()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with OutputLock(out, wait=wait), memory.small_pages():
        return _build(Path(raw_dir), out, keep, runner, semantic)


def _build(raw: Path, out: Path, keep: int, runner: str, semantic: bool = False) -> dict:
    """The run itself: scan, extract, clean, dedupe, validate, publish."""
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    publish.clean_leftovers(out)
    progress.stage("scan")
    scan = scan_task(raw, out, semantic)
    times["scan"] = time.perf_counter() - t0
    if scan.get("unchanged"):
        return _unchanged(scan["previous"]["version"])

    t = time.perf_counter()
    progress.stage("extract")
    ex = extract_changed(scan, out, runner)
    if "fingerprint" not in scan:  # the scan left digests to extraction
        scan = _digests_read(scan, ex)
        if scan["unchanged"]:
            return _unchanged(scan["previous"]["version"])
    occurrences, noise = ex.pop_frames()
    times["extract"] = time.perf_counter() - t
    t = time.perf_counter()
    progress.stage("clean")
    cleaned = clean_task(quote(occurrences))
    del occurrences  # the cleaned frame replaces it: a big run cannot hold both
    times["clean"] = time.perf_counter() - t
    t = time.perf_counter()
    progress.stage("dedupe")
    answered, unanswered = dedupe_task(cleaned, semantic)
    times["dedupe"] = time.perf_counter() - t
    t = time.perf_counter()
    progress.stage("validate")
    previous = scan["previous"]
    # In the output folder so that the leftovers of a killed run are cleaned by the next.
    work = Path(tempfile.mkdtemp(prefix=f"{publish.TMP_PREFIX}run-", dir=out))
    docs = work / "validation"
    outcomes = validate_task(
        answered, unanswered, previous["rows"]["qa_pairs"] if previous else None, docs
    )
    times["validate"] = time.perf_counter() - t

    rejected = report.rejected_frame(noise, outcomes)
    summary = report.summary(
        files_total=len(scan["files"]) + len(scan["rejected_files"]),
        extracted=ex,
        occurrences=cleaned,
        answered=answered,
        unanswered=unanswered,
        outcomes=outcomes,
        rejected_files=scan["rejected_files"] + ex.rejected_files,
        times=times,
    )
    failed = [f"{name}: {g}" for name, o in outcomes.items() for g in o.failed_gates]
    if failed:
        shutil.rmtree(work, ignore_errors=True)
        summary["status"] = "failed"
        create_markdown_artifact(
            key="qaharvest-run",
            markdown=report.markdown(summary),
            description="qaharvest run: nothing published",
        )
        raise ReleaseRejected("dataset check failed, nothing published: " + "; ".join(failed))

    t = time.perf_counter()
    progress.stage("publish")
    good = outcomes["qa_pairs"].good
    manifest = report.manifest(
        summary, scan["fingerprint"], publish.change_summary(publish.previous_pairs(out), good)
    )
    tables = {
        "qa_pairs": (good, "qa_pair"),
        "unanswered": (outcomes["unanswered"].good, "qa_pair"),
        "rejected": (rejected, "rejected"),
    }
    try:
        release = publish_task(out, tables, manifest, {"validation": docs}, keep)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    times["publish"] = time.perf_counter() - t
    summary.update(
        status="published",
        release=Path(release).name,
        times=times,
        total_seconds=time.perf_counter() - t0,
    )
    create_markdown_artifact(
        key="qaharvest-run",
        markdown=report.markdown(summary),
        description=f"qaharvest release {Path(release).name}",
    )
    return summary
