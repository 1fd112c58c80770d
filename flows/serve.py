"""Serve the qaharvest flow on a schedule.

With PREFECT_API_URL unset, a Prefect server is started on 127.0.0.1 (a free port) as a child
process; SIGTERM or Ctrl-C stops the deployment and that server, and if the server dies first
the serve loop stops too instead of hanging. With PREFECT_API_URL set, that server is used.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path

import psutil

SERVER_START_TIMEOUT = 90.0
LOCK_WAIT = 300.0  # a scheduled run waits this long for a manual run holding the output


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def start_server() -> tuple[subprocess.Popen, str]:
    """Start `prefect server start` on 127.0.0.1 and wait until it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    prefect = Path(sys.executable).with_name("prefect")
    proc = subprocess.Popen(
        [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while not _healthy(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            raise RuntimeError(f"the Prefect server on port {port} did not start")
        time.sleep(0.5)
    return proc, url


def stop_server(proc: subprocess.Popen, timeout: float = 20.0) -> None:
    """Stop the server and everything it started (its own process group)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def prefect_api():
    """The API to serve against: PREFECT_API_URL when set, else a server of our own."""
    if os.environ.get("PREFECT_API_URL"):
        yield os.environ["PREFECT_API_URL"]
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    proc, url = start_server()
    stopping = threading.Event()

    def watchdog() -> None:  # a serve loop whose server died would hang: stop it instead
        proc.wait()
        if stopping.is_set():  # we are stopping it ourselves
            return
        print("the Prefect server stopped; stopping serve", file=sys.stderr, flush=True)
        for child in psutil.Process().children(recursive=True):
            child.kill()
        os._exit(3)

    threading.Thread(target=watchdog, daemon=True).start()
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url
    finally:
        stopping.set()
        stop_server(proc)


def _stop_on(signum: int, frame) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def serve(raw_dir: str, out_dir: str, cron: str | None, interval: float | None) -> None:
    """Serve the flow with a cron or interval schedule until SIGTERM or Ctrl-C."""
    # A background job inherits SIGINT ignored: install both handlers explicitly.
    signal.signal(signal.SIGTERM, _stop_on)
    signal.signal(signal.SIGINT, _stop_on)
    with prefect_api() as url:
        from flows.harvest import harvest

        print(f"serving qaharvest against {url}", flush=True)
        with suppress(KeyboardInterrupt):
            harvest.serve(
                name="qaharvest-scheduled",
                cron=cron,
                interval=interval,
                parameters={
                    "raw_dir": str(Path(raw_dir).resolve()),
                    "out_dir": str(Path(out_dir).resolve()),
                    "wait": LOCK_WAIT,
                },
                limit=1,  # a run still going when the next is due: the next one waits
                pause_on_shutdown=False,
                print_starting_message=False,
            )
