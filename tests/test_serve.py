"""`qaharvest serve` starts its own Prefect server on loopback, runs on schedule, and stops
every process it started on SIGTERM, or by itself when its server dies."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import psutil

from tests.conftest import SEED


class Serve:
    """`qaharvest serve --interval 5` in a subprocess, with every process it ever started."""

    def __init__(self, tmp_path: Path):
        self.raw, self.out, self.log = tmp_path / "raw", tmp_path / "out", tmp_path / "serve.log"
        self.raw.mkdir()
        shutil.copy(SEED, self.raw / "psoas.txt")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
        cli = Path(sys.executable).with_name("qaharvest")
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(
                [str(cli), "serve", "--raw", str(self.raw), "--out", str(self.out)]
                + ["--interval", "5"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.seen: dict[int, psutil.Process] = {}

    def sample(self) -> None:
        try:
            root = psutil.Process(self.proc.pid)
            for p in [root, *root.children(recursive=True)]:
                self.seen.setdefault(p.pid, p)
        except psutil.NoSuchProcess:
            pass

    def wait_for(self, predicate, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sample()
            if predicate():
                return True
            time.sleep(0.25)
        return False

    def server(self) -> psutil.Process:
        return next(p for p in self.seen.values() if "server" in " ".join(p.cmdline()))

    def all_gone(self) -> bool:
        def alive(p: psutil.Process) -> bool:
            try:
                return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
            except psutil.NoSuchProcess:
                return False

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if not any(alive(p) for p in self.seen.values()):
                return True
            time.sleep(0.25)
        return False

    def cleanup(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for p in self.seen.values():
            with suppress(psutil.NoSuchProcess):
                p.kill()


def test_serve_publishes_on_schedule_and_sigterm_stops_everything(tmp_path: Path):
    serve = Serve(tmp_path)
    try:
        published = serve.wait_for(lambda: (serve.out / "latest" / "manifest.json").exists(), 180)
        assert published, serve.log.read_text()[-2000:]
        assert serve.server().is_running()
        serve.proc.send_signal(signal.SIGTERM)
        assert serve.proc.wait(timeout=45) == 0
        assert serve.all_gone(), [p.pid for p in serve.seen.values() if p.is_running()]
    finally:
        serve.cleanup()


def test_serve_stops_by_itself_when_its_server_dies(tmp_path: Path):
    serve = Serve(tmp_path)
    try:
        running = serve.wait_for(lambda: "Beginning flow run" in serve.log.read_text(), 180)
        assert running, serve.log.read_text()[-2000:]
        os.killpg(serve.server().pid, signal.SIGKILL)
        assert serve.proc.wait(timeout=45) == 3
        assert "the Prefect server stopped" in serve.log.read_text()
        assert serve.all_gone(), [p.pid for p in serve.seen.values() if p.is_running()]
    finally:
        serve.cleanup()
