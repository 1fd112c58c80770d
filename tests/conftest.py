"""Shared fixtures: paths to the shared sample data and one Prefect test server per session."""

from __future__ import annotations

import os
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
    """One Prefect test server for every flow test, with a throwaway PREFECT_HOME."""
    home = tempfile.mkdtemp(prefix="qaharvest-prefect-")
    os.environ["PREFECT_HOME"] = home
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def seed_raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEED, raw / "psoas.txt")
    return raw
