"""Crashes: real `qaharvest run` processes killed with SIGKILL at several points leave `latest/`
complete and matching its manifest, and the next run cleans up and succeeds."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from flows.harvest import harvest
from qaharvest import clean, dedupe, extract, publish, readers, report, validate
from qaharvest.cli import app
from tests.conftest import REALWORLD, ROOT

PAGES = sorted(REALWORLD.glob("*.txt"))
PYENV = dict(os.environ, PYTHONPATH=str(ROOT))


def make_raw(raw: Path, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        text = PAGES[i % len(PAGES)].read_text(encoding="utf-8")
        (raw / f"page{i:04d}.txt").write_text(text.replace("?", f" (variant {i})?", 1))


def start_run(raw: Path, out: Path, api_url: str) -> subprocess.Popen:
    """A real CLI run in its own process group (so a kill reaches any child it started)."""
    env = dict(os.environ, PREFECT_API_URL=api_url)
    return subprocess.Popen(
        [sys.executable, "-m", "qaharvest.cli", "run", "--raw", str(raw), "--out", str(out)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def kill_when(proc: subprocess.Popen, seen: Callable[[], bool], timeout: float = 60) -> None:
    """SIGKILL the run's process group the moment `seen()` is true; fail if it ends first."""
    deadline = time.monotonic() + timeout
    while not seen():
        if proc.poll() is not None:
            pytest.fail(f"run ended (rc {proc.returncode}) before the kill point")
        assert time.monotonic() < deadline, "kill point never reached"
        time.sleep(0.001)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def assert_release_intact(release: Path) -> dict:
    """Every file listed with its sha256 and nothing else (besides the manifest)."""
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    on_disk = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    assert on_disk == set(manifest["files"]) | {"manifest.json"}
    for name, meta in manifest["files"].items():
        data = (release / name).read_bytes()
        assert len(data) == meta["bytes"] and hashlib.sha256(data).hexdigest() == meta["sha256"]
    return manifest


def assert_output_consistent(out: Path) -> str:
    """`latest` is a complete release and so is every folder under releases/."""
    for release in publish.list_releases(out):
        assert_release_intact(release)
    return assert_release_intact(out / "latest")["version"]


def _tmp_entries(out: Path) -> list[Path]:
    return list(out.glob(f"{publish.TMP_PREFIX}*"))


def _cache_files(out: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file of the extraction cache."""
    sizes = {}
    for path in (out / ".cache").rglob("*"):
        if path.is_file():
            st = path.stat()
            sizes[path.name] = (st.st_size, st.st_mtime_ns)
    return sizes


def _cache_written(out: Path, before: dict[str, tuple[int, int]]) -> bool:
    """A cache file appeared or changed (the database or its journal)."""
    try:
        return _cache_files(out) != before
    except FileNotFoundError:  # a journal removed while listed: it was being written
        return True


def _writing(out: Path, name: str) -> bool:
    return any((t / name).exists() for t in _tmp_entries(out) if t.is_dir())


@pytest.fixture(scope="module")
def api_url(prefect_server) -> str:
    import prefect.settings

    return prefect.settings.PREFECT_API_URL.value()


def test_runs_killed_at_several_points_leave_latest_whole(api_url, tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    make_raw(raw, 300)
    first = start_run(raw, out, api_url)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err.decode()
    v1 = assert_output_consistent(out)

    make_raw(raw, 30, start=300)  # new input: every run below has a release to build
    cached = _cache_files(out)
    kill_points = {
        "extract cache being written": lambda: _cache_written(out, cached),
        "validating": lambda: any(p.name.startswith(".tmp-run-") for p in _tmp_entries(out)),
        "release folder created": lambda: any(p.name[5:6].isdigit() for p in _tmp_entries(out)),
        "release files being written": lambda: _writing(out, "qa_pairs.jsonl"),
    }
    for point, seen in kill_points.items():
        kill_when(start_run(raw, out, api_url), seen)
        assert (out / ".lock").exists(), point  # the killed run left its lock behind
        assert assert_output_consistent(out) == v1, point

    last = start_run(raw, out, api_url)
    _, err = last.communicate(timeout=120)
    assert last.returncode == 0, err.decode()
    v2 = assert_output_consistent(out)
    assert v2 != v1
    manifest = json.loads((out / "latest" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["input"]["files_total"] == 330
    assert _tmp_entries(out) == [] and not (out / ".lock").exists()
    assert not [p for p in (out / ".cache").rglob("*") if ".tmp" in p.name]


def seed_tables(raw: Path) -> tuple[dict, dict]:
    """The tables and manifest body of a real release of `raw` (every row passes; no GX run)."""
    files, _ = readers.list_inputs(raw)
    ex = extract.extract_files(files)
    occ, noise = ex.frames()
    answered, unanswered = dedupe.dedupe(clean.clean_frame(occ))
    none = answered.iloc[0:0].assign(reason=pd.Series(dtype=object))
    outcomes = {
        name: validate.Outcome(name, frame, none)
        for name, frame in (("qa_pairs", answered), ("unanswered", unanswered))
    }
    summary = report.summary(
        files_total=len(files),
        extracted=ex,
        occurrences=occ,
        answered=answered,
        unanswered=unanswered,
        outcomes=outcomes,
        rejected_files=[],
        times={},
    )
    tables = {
        "qa_pairs": (answered, "qa_pair"),
        "unanswered": (unanswered, "qa_pair"),
        "rejected": (report.rejected_frame(noise, outcomes), "rejected"),
    }
    return tables, report.manifest(summary, "seed", publish.change_summary(None, answered))


LOOP = """
import sys
from pathlib import Path
from qaharvest import clean, dedupe, extract, publish, readers, report, validate
from tests.test_crash import seed_tables
tables, manifest = seed_tables(Path(sys.argv[1]))
print("ready", flush=True)
for _ in iter(int, 1) if sys.argv[3] == "forever" else range(int(sys.argv[3])):
    publish.publish(Path(sys.argv[2]), tables, dict(manifest), keep=2)
"""


def publisher(raw: Path, out: Path, times: str) -> list[str]:
    """Command line of a process publishing releases of `raw` `times` times (or "forever")."""
    return [sys.executable, "-c", LOOP, str(raw), str(out), times]


def test_publish_killed_at_random_moments(seed_raw, tmp_path):
    """A process publishing release after release, killed at random moments, never leaves a
    partial release visible; after `clean_leftovers` the next publish succeeds."""
    out = tmp_path / "out"
    rng = random.Random(9)
    for _ in range(8):
        proc = subprocess.Popen(
            publisher(seed_raw, out, "forever"),
            cwd=ROOT,
            env=PYENV,
            stdout=subprocess.PIPE,
        )
        assert proc.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        if (out / "latest").exists():
            assert_output_consistent(out)
    assert len(publish.list_releases(out)) >= 2  # the kills landed after some publishes
    publish.clean_leftovers(out)
    assert _tmp_entries(out) == []
    before = publish.list_releases(out)
    subprocess.run(publisher(seed_raw, out, "1"), cwd=ROOT, env=PYENV, check=True)
    assert assert_output_consistent(out) not in {r.name for r in before}


def test_a_prune_cut_short_leaves_no_partial_release(seed_raw, tmp_path, monkeypatch):
    """Dying in the middle of deleting an old release must not leave it listed half-gone."""
    out = tmp_path / "out"
    subprocess.run(publisher(seed_raw, out, "3"), cwd=ROOT, env=PYENV, check=True)

    def die_midway(path, ignore_errors=False):
        next(p for p in Path(path).rglob("*.parquet")).unlink()
        raise KeyboardInterrupt  # the process is gone from here on

    monkeypatch.setattr(publish.shutil, "rmtree", die_midway)
    with pytest.raises(KeyboardInterrupt):
        publish.prune(out, keep=1)
    assert_output_consistent(out)
    monkeypatch.undo()
    assert publish.clean_leftovers(out)
    assert _tmp_entries(out) == []


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _denied(*args, **kwargs):
    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))


def _manifest_write_fails(self, *args, **kwargs):
    if self.name == "manifest.json":
        _no_space()
    return REAL_WRITE_TEXT(self, *args, **kwargs)


REAL_WRITE_TEXT = Path.write_text
FAULTS = {
    "parquet, disk full": (publish, "_write_parquet", _no_space, "No space left on device"),
    "parquet, permission": (publish.pq, "write_table", _denied, "Permission denied"),
    "jsonl, disk full": (publish, "_write_jsonl", _no_space, "No space left on device"),
    "docs copy, disk full": (publish.shutil, "copytree", _no_space, "No space left on device"),
    "manifest, disk full": (Path, "write_text", _manifest_write_fails, "No space left on device"),
    "rename, permission": (publish.os, "rename", _denied, "Permission denied"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_failed_write_publishes_nothing(seed_raw, tmp_path, monkeypatch, fault):
    out, docs = tmp_path / "out", tmp_path / "docs"
    docs.mkdir()
    (docs / "index.html").write_text("<html></html>")
    tables, manifest = seed_tables(seed_raw)
    publish.publish(out, tables, dict(manifest), folders={"validation": docs})
    before, releases = assert_output_consistent(out), publish.list_releases(out)
    target, name, fails, why = FAULTS[fault]
    monkeypatch.setattr(target, name, fails)
    with pytest.raises(publish.PublishFailed, match=f"{why}; nothing was published"):
        publish.publish(out, tables, dict(manifest), folders={"validation": docs})
    monkeypatch.undo()
    assert _tmp_entries(out) == []
    assert assert_output_consistent(out) == before
    assert publish.list_releases(out) == releases


def test_cli_reports_a_full_disk_and_keeps_latest(prefect_server, seed_raw, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert harvest(raw_dir=str(seed_raw), out_dir=str(out))["status"] == "published"
    before = assert_output_consistent(out)
    (seed_raw / "more.txt").write_text("Why is the sky blue?\nBecause of Rayleigh scattering.\n")
    monkeypatch.setattr(publish, "_write_jsonl", _no_space)
    result = CliRunner().invoke(app, ["run", "--raw", str(seed_raw), "--out", str(out)])
    assert result.exit_code == 3
    assert "No space left on device; nothing was published" in " ".join(result.output.split())
    assert assert_output_consistent(out) == before
    assert _tmp_entries(out) == [] and not (out / ".lock").exists()
