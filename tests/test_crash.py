"""Crashes: real `qaharvest run` processes killed with SIGKILL at several points leave `latest/`
complete and matching its manifest, and the next run cleans up and succeeds."""

from __future__ import annotations

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

import pytest

from qaharvest import publish
from tests.conftest import REALWORLD, ROOT

PAGES = sorted(REALWORLD.glob("*.txt"))


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


def _new_cache_entry(out: Path, before: set[str]) -> bool:
    return any(p.name not in before for p in (out / ".cache").rglob("*") if p.is_file())


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
    cached = {p.name for p in (out / ".cache").rglob("*")}
    kill_points = {
        "extract cache being written": lambda: _new_cache_entry(out, cached),
        "release folder created": lambda: any(p.is_dir() for p in _tmp_entries(out)),
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


LOOP = """
import sys
from pathlib import Path
from qaharvest import clean, dedupe, extract, publish, readers, report
raw = Path(sys.argv[1])
files, _ = readers.list_inputs(raw)
ex = extract.extract_files(files, raw)
occ, noise = ex.frames()
answered, unanswered = dedupe.dedupe(clean.clean_frame(occ))
tables = {
    "qa_pairs": (answered, "qa_pair"),
    "unanswered": (unanswered, "qa_pair"),
    "rejected": (report.rejected_frame(noise, {}), "rejected"),
}
stages = dict.fromkeys(
    ["occurrences", "distinct_questions", "paraphrase_groups", "rows_in_groups", "rows_rejected"], 0
)
print("ready", flush=True)
for _ in iter(int, 1) if sys.argv[3] == "forever" else range(int(sys.argv[3])):
    manifest = {"input": {"files_total": len(files)}, "rejected_files": [], "stages": stages,
                "lines": extract.line_accounting(ex.line_counts)}
    publish.publish(Path(sys.argv[2]), tables, manifest, keep=2)
"""


def test_publish_killed_at_random_moments(seed_raw, tmp_path):
    """A process publishing release after release, killed at random moments, never leaves a
    partial release visible; after `clean_leftovers` the next publish succeeds."""
    out = tmp_path / "out"
    script = tmp_path / "loop.py"
    script.write_text(LOOP)
    rng = random.Random(9)
    for _ in range(8):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(seed_raw), str(out), "forever"],
            cwd=ROOT,
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
    subprocess.run(
        [sys.executable, str(script), str(seed_raw), str(out), "1"], cwd=ROOT, check=True
    )
    assert assert_output_consistent(out) not in {r.name for r in before}
