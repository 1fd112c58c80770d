"""`qaharvest serve` starts its own Prefect server on loopback, runs on schedule, and stops
every process it started on SIGTERM, or by itself when its server dies."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import SEED


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.parametrize("stop", ["sigterm", "server-dies"])
def test_serve_publishes_on_schedule_and_stops_cleanly(tmp_path: Path, stop: str):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    shutil.copy(SEED, raw / "psoas.txt")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    cli = Path(sys.executable).with_name("qaharvest")
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [str(cli), "serve", "--raw", str(raw), "--out", str(out), "--interval", "5"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    started: list[psutil.Process] = []
    try:
        published = wait_for(lambda: (out / "latest" / "manifest.json").exists(), 120)
        assert published, (tmp_path / "serve.log").read_text()[-2000:]
        started = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
        server = next(p for p in started if "server" in " ".join(p.cmdline()))
        if stop == "sigterm":
            proc.send_signal(signal.SIGTERM)
        else:
            os.killpg(server.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        assert wait_for(
            lambda: not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in started),
            30,
        )
    finally:
        if proc.poll() is None:
            proc.kill()
        for p in started:
            if p.is_running():
                p.kill()
        log.close()
