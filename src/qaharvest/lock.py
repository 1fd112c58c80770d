"""A lock on the output folder so two runs never publish at once.

`OUT/.lock` is held with flock(2), so the kernel frees it when its process dies however it
dies: no pid guessing, no race between two runs taking over the same stale lock. The file
records the holder (pid, host, since) for the "busy" message; a run that finds a previous
holder's record there knows that run was killed and says so (`took_over`).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

LOCK_NAME = ".lock"


class LockHeld(RuntimeError):
    """Another live run holds the output folder."""


def _holder(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class OutputLock:
    """`with OutputLock(out_dir, wait=30):` holds `out_dir/.lock` for the block, waiting up
    to `wait` seconds for another run, then raising LockHeld."""

    def __init__(self, out_dir: Path, wait: float = 0.0, poll: float = 0.2):
        self.path = out_dir / LOCK_NAME
        self.wait, self.poll = wait, poll
        self.took_over: dict | None = None
        self._fd: int | None = None

    def _try(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # The holder before us may have unlinked the file after we opened it: retry.
            if os.fstat(fd).st_ino != os.stat(self.path).st_ino:
                raise BlockingIOError
        except (BlockingIOError, FileNotFoundError):
            os.close(fd)
            return False
        self._fd = fd
        return True

    def _record(self) -> None:
        """Note a killed holder's record, then write ours."""
        with os.fdopen(os.dup(self._fd), "r+", encoding="utf-8") as fh:
            try:
                previous = json.loads(fh.read() or "null")
            except ValueError:
                previous = {"pid": None}
            self.took_over = previous
            fh.seek(0)
            fh.truncate()
            since = datetime.now(UTC).isoformat(timespec="seconds")
            json.dump({"pid": os.getpid(), "host": socket.gethostname(), "since": since}, fh)

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.wait
        while not self._try():
            if time.monotonic() >= deadline:
                holder = _holder(self.path)
                who = (
                    f"pid {holder['pid']} on {holder['host']}, since {holder['since']}"
                    if holder
                    else "starting"
                )
                raise LockHeld(f"another run ({who}) is using {self.path.parent}; try again later")
            time.sleep(self.poll)
        self._record()

    def release(self) -> None:
        if self._fd is None:
            return
        self.path.unlink(missing_ok=True)  # while still held: a waiter then sees a new inode
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
