"""Incremental extraction (per-file cache) and the output-folder lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from flows.harvest import harvest
from qaharvest import cache, extract, fingerprint, parallel, readers
from qaharvest.cache import ExtractCache
from qaharvest.cli import app
from qaharvest.fingerprint import DigestMemo, file_digest
from qaharvest.lock import LockHeld, OutputLock
from tests.conftest import REALWORLD


def make_pages(raw: Path, n: int) -> None:
    pages = sorted(REALWORLD.glob("*.txt"))
    for i in range(n):
        text = pages[i % len(pages)].read_text(encoding="utf-8")
        (raw / f"page{i:04d}.txt").write_text(text.replace("?", f" (variant {i})?", 1))


def cached_extract(raw: Path, out: Path) -> extract.Batch:
    files, _ = readers.list_inputs(raw)
    digests = {f.rel: file_digest(f.path) for f in files}
    return ExtractCache(out, "code-v1").extract(files, digests)


def merged_per_file(raw: Path) -> extract.Batch:
    """Every file extracted on its own and merged in path order: what a batch must equal."""
    files, _ = readers.list_inputs(raw)
    return extract.Batch.concat(
        [extract.extract_file(f.path, f.rel) for f in files]
    )


def assert_same_extraction(batch: extract.Batch, expected: extract.Batch) -> None:
    for got, want in zip(batch.frames(), expected.frames(), strict=True):
        pd.testing.assert_frame_equal(got, want)
    assert batch.line_counts == expected.line_counts
    assert batch.rejected_files == expected.rejected_files


def test_only_new_and_changed_files_are_extracted(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    make_pages(raw, 40)
    first = cached_extract(raw, out)
    assert (first.files_processed, first.files_from_cache) == (40, 0)

    (raw / "page0000.txt").unlink()
    (raw / "page0001.txt").write_text("What changed?\nThis page did.\n")
    (raw / "zz_new.txt").write_text("Is this new?\nYes, a new page.\n")
    second = cached_extract(raw, out)
    assert (second.files_processed, second.files_from_cache) == (2, 38)

    assert_same_extraction(second, merged_per_file(raw))
    assert len(ExtractCache(out, "code-v1")) == 40  # the removed file's entry is gone


def test_a_scan_reads_only_new_and_changed_files(tmp_path, monkeypatch):
    """The last scan's digests are taken back for files whose stat is unchanged; a rewrite
    that keeps the size and restores the modification time is still read again."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    make_pages(raw, 6)
    long_ago = 1_700_000_000_000_000_000  # November 2023
    for f in raw.iterdir():
        os.utime(f, ns=(long_ago, long_ago))  # older than a timestamp tick: not racy
    monkeypatch.setattr(fingerprint, "RACY_NS", 0)  # the change times are from just now
    files, _ = readers.list_inputs(raw)
    read: list[str] = []

    def scan() -> dict[str, str]:
        read.clear()
        memo = DigestMemo(out)
        digests, _ = readers.digest_inputs(files, memo)
        memo.save()
        return digests

    stat_and_digest = fingerprint.stat_and_digest
    monkeypatch.setattr(
        fingerprint,
        "stat_and_digest",
        lambda p: read.append(os.path.basename(p)) or stat_and_digest(p),
    )
    first = scan()
    assert sorted(read) == sorted(f.rel for f in files)
    assert scan() == first and read == []

    changed = raw / "page0003.txt"
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("?", "!", 1), encoding="utf-8")  # same size
    os.utime(changed, ns=(long_ago, long_ago))
    digests = scan()
    assert read == ["page0003.txt"]
    assert digests == first | {"page0003.txt": file_digest(changed)} != first


def test_many_files_are_hashed_on_every_core_with_the_same_digests(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    make_pages(raw, 7)
    files, _ = readers.list_inputs(raw)
    one_by_one, _ = readers.digest_inputs(files)
    (raw / "page0002.txt").unlink()  # gone between the listing and the hashing
    pools = []

    class Pool(ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            pools.append(self)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(fingerprint, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(fingerprint, "PARALLEL_CHUNK", 3)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    digests, rejected = readers.digest_inputs(files)
    assert len(pools) == 1
    assert digests == {rel: d for rel, d in one_by_one.items() if rel != "page0002.txt"}
    gone = {"file": "page0002.txt", "reason": "cannot read: No such file or directory"}
    assert rejected == [gone]


def test_a_just_written_file_is_read_again_and_a_broken_memo_is_dropped(tmp_path, monkeypatch):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    make_pages(raw, 2)
    monkeypatch.setattr(fingerprint, "RACY_NS", 3_600_000_000_000)  # however slow this test
    files, _ = readers.list_inputs(raw)
    memo = DigestMemo(out)
    digests, _ = readers.digest_inputs(files, memo)
    memo.save()
    assert DigestMemo(out).known == {}  # written within RACY_NS: may change unseen
    memo.path.write_bytes(b"not parquet")
    broken = DigestMemo(out)
    assert broken.known == {}
    assert readers.digest_inputs(files, broken)[0] == digests


def test_batches_from_pool_and_cache_equal_a_merge_per_file(tmp_path, monkeypatch):
    """Pages, JSONL records with and without a URL, a bad record and an unreadable file,
    over several batches (pool, then cache and pool mixed): the frames, types included,
    are those of every file merged in path order."""
    monkeypatch.setattr(extract, "BATCH_FILES", 7)
    monkeypatch.setattr(extract, "MIN_FILES_FOR_POOL", 10)
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    make_pages(raw, 30)
    records = [{"text": (raw / "page0003.txt").read_text(), "url": "https://example.org/a"}]
    records.append({"text": (raw / "page0004.txt").read_text()})
    lines = [json.dumps(r) for r in records] + ["{not json"]
    (raw / "dump.jsonl").write_text("\n".join(lines) + "\n")
    (raw / "binary.txt").write_bytes(bytes(range(256)) * 8)
    first = cached_extract(raw, out)
    assert first.files_from_cache == 0 and first.rejected_files
    assert_same_extraction(first, merged_per_file(raw))
    (raw / "page0012.txt").write_text("What changed?\nThis page did.\n")
    (raw / "page0020.txt").unlink()
    (raw / "a_first.txt").write_text("Is this first?\nYes, by name.\n")
    second = cached_extract(raw, out)
    assert (second.files_processed, second.files_from_cache) == (2, 30)
    assert_same_extraction(second, merged_per_file(raw))


def chunks(out: Path) -> set[str]:
    return {p.name.split(".")[0] for p in ExtractCache(out, "code-v1").dir.glob("*.arrow")}


def test_the_cache_rewrites_emptied_chunks_and_recovers_from_broken_ones(tmp_path, monkeypatch):
    """A chunk that lost most of its files is rewritten with the rest, a chunk that cannot be
    read has its files extracted again, a crashed run's chunk is deleted, a broken index drops
    the cache: each time the result equals every file extracted on its own."""
    monkeypatch.setattr(extract, "BATCH_FILES", 10)  # one process (few files): three batches
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    make_pages(raw, 30)
    cached_extract(raw, out)
    first = chunks(out)
    assert len(first) == 3
    for i in range(6):  # six of the first chunk's ten files
        (raw / f"page{i:04d}.txt").unlink()
    second = cached_extract(raw, out)
    assert (second.files_processed, second.files_from_cache) == (0, 24)
    assert_same_extraction(second, merged_per_file(raw))
    rewritten = chunks(out)
    assert len(rewritten) == 3 and len(rewritten & first) == 2  # one chunk replaced

    cache_dir = ExtractCache(out, "code-v1").dir
    (cache_dir / f"{sorted(first & rewritten)[0]}.occ.arrow").write_bytes(b"torn")
    (cache_dir / "0crashed.occ.arrow").write_bytes(b"left by a killed run")
    third = cached_extract(raw, out)
    assert (third.files_processed, third.files_from_cache) == (10, 14)
    assert_same_extraction(third, merged_per_file(raw))
    assert "0crashed" not in chunks(out) and len(ExtractCache(out, "code-v1")) == 24

    (cache_dir / cache.INDEX).write_bytes(b"not parquet")
    fourth = cached_extract(raw, out)
    assert (fourth.files_processed, fourth.files_from_cache) == (24, 0)
    assert_same_extraction(fourth, merged_per_file(raw))
    assert len(chunks(out)) == 3


HOLD = """
import os, signal, sys, time
from pathlib import Path
from qaharvest.lock import OutputLock
lock = OutputLock(Path(sys.argv[1]))
lock.acquire()
print("held", flush=True)
if sys.argv[2] == "die":
    os.kill(os.getpid(), signal.SIGKILL)
time.sleep(60)
"""


def hold_lock(out: Path, then: str) -> subprocess.Popen:
    """A process that takes the output lock, then sleeps ("live") or is killed ("die")."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out), then], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline() == "held\n"
    return proc


def test_a_live_holder_blocks_and_a_killed_one_is_taken_over(tmp_path):
    out = tmp_path / "out"
    live = hold_lock(out, "live")
    try:
        with pytest.raises(LockHeld, match=f"another run \\(pid {live.pid} "):
            OutputLock(out, wait=0.3, poll=0.05).acquire()
    finally:
        live.kill()
        live.wait()
    dead = hold_lock(out, "die")
    dead.wait()
    lock = OutputLock(out)
    with lock:
        assert lock.took_over["pid"] == dead.pid
    assert not (out / ".lock").exists()


COUNT = """
import sys, time
from pathlib import Path
from qaharvest.lock import OutputLock
out = Path(sys.argv[1])
for _ in range(20):
    with OutputLock(out, wait=60, poll=0.01):
        n = int((out / "count").read_text())
        time.sleep(0.002)
        (out / "count").write_text(str(n + 1))
"""


def test_concurrent_runs_take_turns(tmp_path):
    """Four processes each do 20 read-modify-write steps under the lock, starting from a
    killed holder's lock: none is lost."""
    out = tmp_path / "out"
    hold_lock(out, "die").wait()
    (out / "count").write_text("0")
    procs = [subprocess.Popen([sys.executable, "-c", COUNT, str(out)]) for _ in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0] * 4
    assert (out / "count").read_text() == "80"


def test_cli_run_exits_3_while_another_run_holds_the_output(prefect_server, seed_raw, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    holder = hold_lock(out, "live")
    try:
        result = CliRunner().invoke(app, ["run", "--raw", str(seed_raw), "--out", str(out)])
        assert result.exit_code == 3
        assert "another run" in result.output
        assert not (out / "latest").exists()
    finally:
        holder.kill()
        holder.wait()
    # The holder was killed: its lock is taken over by the next run.
    assert harvest(raw_dir=str(seed_raw), out_dir=str(out))["status"] == "published"
    assert not (out / ".lock").exists()


def test_a_first_run_leaves_digests_to_extraction_with_the_same_fingerprint(
    prefect_server, tmp_path, monkeypatch, kernel_permissions
):
    """With nothing cached, every file is extracted anyway: the scan hashes nothing and
    extraction reads each digest as it reads the file. A later scan that hashes the files
    itself (memo gone) must find the same input, set-aside files included: the release is
    current."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    make_pages(raw, 6)
    (raw / "binary.txt").write_bytes(bytes(range(256)) * 16)
    (raw / "locked.txt").write_text("Why is it locked?\nNobody may read it.\n")
    (raw / "locked.txt").chmod(0)
    monkeypatch.setattr(fingerprint, "RACY_NS", 0)  # the files were written just now
    hashed_by_scan = []
    monkeypatch.setattr(
        fingerprint,
        "stat_and_digest_each",
        lambda paths, real=fingerprint.stat_and_digest_each: hashed_by_scan.extend(paths)
        or real(paths),
    )
    first = harvest(raw_dir=str(raw), out_dir=str(out))
    assert first["status"] == "published" and hashed_by_scan == []
    assert first["input"]["files_total"] == 8
    assert {r["file"]: r["reason"] for r in first["rejected_files"]}["locked.txt"] == (
        "permission denied"
    )
    (out / ".cache" / "digests.parquet").unlink()
    assert harvest(raw_dir=str(raw), out_dir=str(out))["status"] == "unchanged"
    assert len(hashed_by_scan) == 8  # the scan hashed every file (the cache held them)
    hashed_by_scan.clear()
    assert harvest(raw_dir=str(raw), out_dir=str(out))["status"] == "unchanged"
    assert [Path(p).name for p in hashed_by_scan] == ["locked.txt"]  # the memo knew the rest
    (raw / "page0001.txt").write_text("Is this page new?\nYes, it changed.\n")
    assert harvest(raw_dir=str(raw), out_dir=str(out))["status"] == "published"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 39), st.integers(0, 6)), max_size=12),
    st.sampled_from([1, 2, extract.MAX_RUNS]),
)
def test_rows_taken_by_ranges_as_slices_or_copied_are_the_rows_asked(ranges, max_runs):
    """`take_ranges` gives the rows of each range in turn, whether as slices of the table
    (ranges that follow on make one run) or copied out (more runs than `MAX_RUNS`)."""
    table = pa.concat_tables(  # in chunks, as a chunk read from the cache may be
        [pa.table({"n": pa.array(range(a, a + 15), pa.int64())}) for a in (0, 15, 30)]
    )
    ranges = [(start, min(length, 45 - start)) for start, length in ranges]
    starts = np.array([s for s, _ in ranges], dtype=np.int64)
    lengths = np.array([n for _, n in ranges], dtype=np.int64)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(extract, "MAX_RUNS", max_runs)
        got = extract.take_ranges(table, starts, lengths)
    assert got["n"].to_pylist() == [i for s, n in ranges for i in range(s, s + n)]
    assert got.schema == table.schema
