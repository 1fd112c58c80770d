"""Incremental extraction (per-file cache) and the output-folder lock."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.harvest import harvest
from qaharvest import extract, readers
from qaharvest.cache import ExtractCache
from qaharvest.cli import app
from qaharvest.fingerprint import file_digest
from qaharvest.lock import LockHeld, OutputLock
from tests.conftest import REALWORLD


def make_pages(raw: Path, n: int) -> None:
    pages = sorted(REALWORLD.glob("*.txt"))
    for i in range(n):
        text = pages[i % len(pages)].read_text(encoding="utf-8")
        (raw / f"page{i:04d}.txt").write_text(text.replace("?", f" (variant {i})?", 1))


def cached_extract(raw: Path, out: Path) -> extract.Extracted:
    files, _ = readers.list_inputs(raw)
    digests = {f.relative_to(raw.resolve()).as_posix(): file_digest(f) for f in files}
    return ExtractCache(out, "code-v1").extract(files, raw, digests)


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

    files, _ = readers.list_inputs(raw)
    fresh = extract.extract_files(files, raw)
    assert second.occurrences == fresh.occurrences
    assert second.line_counts == fresh.line_counts
    entries = list((out / ".cache" / "extract").rglob("*.pkl"))
    assert len(entries) == 40  # the removed file's entry is gone


def test_a_live_holder_blocks_and_a_dead_one_is_taken_over(tmp_path):
    out = tmp_path / "out"
    with OutputLock(out), pytest.raises(LockHeld, match="another run"):
        OutputLock(out, wait=0.2, poll=0.05).acquire()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    (out / ".lock").write_text(
        json.dumps({"pid": int(dead.stdout), "host": socket.gethostname(), "since": "earlier"})
    )
    lock = OutputLock(out)
    with lock:
        assert lock.took_over["pid"] == int(dead.stdout)
    assert not (out / ".lock").exists()


def test_cli_run_exits_3_while_another_run_holds_the_output(prefect_server, seed_raw, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (out / ".lock").write_text(
            json.dumps({"pid": holder.pid, "host": socket.gethostname(), "since": "now"})
        )
        result = CliRunner().invoke(app, ["run", "--raw", str(seed_raw), "--out", str(out)])
        assert result.exit_code == 3
        assert "another run" in result.output
        assert not (out / "latest").exists()
    finally:
        holder.kill()
        holder.wait()
    # The holder is gone: its lock is stale and the next run takes it over.
    assert harvest(raw_dir=str(seed_raw), out_dir=str(out))["status"] == "published"
    assert not (out / ".lock").exists()
