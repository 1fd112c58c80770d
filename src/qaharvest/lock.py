"""A lock on the output folder so two runs never publish at once; a lock left by a killed run
(its process is gone) is detected and taken over."""

from __future__ import annotations

import json
import os
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

LOCK_NAME = ".lock"


FRESH_SECONDS = 5.0  # an empty lock file younger than this is a run still writing it


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


class LockHeld(RuntimeError):
    """Another live run holds the output folder."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _holder(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class OutputLock:
    """`with OutputLock(out_dir, wait=30):` holds `out_dir/.lock` for the block."""

    def __init__(self, out_dir: Path, wait: float = 0.0, poll: float = 0.5):
        self.path = out_dir / LOCK_NAME
        self.wait, self.poll = wait, poll
        self.took_over: dict | None = None

    def _try(self) -> bool:
        me = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(me, fh)
        return True

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.wait
        while not self._try():
            holder = _holder(self.path)
            same_host = holder is not None and holder.get("host") == socket.gethostname()
            if (holder is None and _age(self.path) > FRESH_SECONDS) or (
                same_host and holder is not None and not _alive(int(holder["pid"]))
            ):
                self.took_over = holder or {"pid": None}
                self.path.unlink(missing_ok=True)  # stale: its run was killed
                continue
            if time.monotonic() >= deadline:
                who = (
                    f"pid {holder['pid']} on {holder['host']}, since {holder['since']}"
                    if holder
                    else "starting"
                )
                raise LockHeld(f"another run ({who}) is using {self.path.parent}; try again later")
            time.sleep(self.poll)

    def release(self) -> None:
        holder = _holder(self.path)
        if holder is not None and holder.get("pid") == os.getpid():
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
