"""Shared fixtures: paths to the shared sample data and one Prefect test server per session."""

from __future__ import annotations

import errno
import os
import random
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "psoas.txt"
REALWORLD = SHARED / "realworld"
QQP = SHARED / "qqp" / "qqp_sample.tsv"


@pytest.fixture(scope="session")
def prefect_server():
    """One Prefect test server for every flow test, with a throwaway PREFECT_HOME.

    The events client's websocket pings the server every 20 s from a background thread,
    drawing its payload from the global `random`; a hypothesis test running meanwhile
    takes that for its strategy using `random` (HypothesisDeprecationWarning). The
    websocket connections get a generator of their own while the server runs."""
    home = tempfile.mkdtemp(prefix="qaharvest-prefect-")
    os.environ["PREFECT_HOME"] = home
    from prefect.testing.utilities import prefect_test_harness
    from websockets.asyncio import connection

    connection.random = random.Random()
    try:
        with prefect_test_harness(server_startup_timeout=120):
            yield
    finally:
        connection.random = random
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def seed_raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEED, raw / "psoas.txt")
    return raw


@pytest.fixture
def kernel_permissions(monkeypatch):
    """chmod 000 blocks reading as it does for a normal user, also when tests run as root
    (where the kernel lets every read through): opening such a file to read it, as the
    readers and the scan do, raises PermissionError."""
    if os.geteuid() != 0:
        return
    from qaharvest import fingerprint, readers

    def locked(file) -> bool:
        return os.path.isfile(file) and not os.stat(file).st_mode & 0o444

    def open_(file, mode="r", *args, **kwargs):
        if "r" in mode and locked(file):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
        return open(file, mode, *args, **kwargs)

    def os_open(path, flags, *args, real=os.open, **kwargs):
        if flags & os.O_ACCMODE == os.O_RDONLY and locked(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(readers, "open", open_, raising=False)
    monkeypatch.setattr(fingerprint.os, "open", os_open)  # the os module: the scan's open
