"""The Dask runner (prefect-dask, 2-worker LocalCluster) publishes what the local one does."""

from __future__ import annotations

import pandas as pd

from flows.harvest import dask_runner, harvest
from tests.test_incremental import make_pages


def test_dask_runner_publishes_the_same_rows_as_local(prefect_server, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    make_pages(raw, 30)
    local_out, dask_out = tmp_path / "local", tmp_path / "dask"
    assert harvest(raw_dir=str(raw), out_dir=str(local_out))["status"] == "published"
    on_dask = harvest.with_options(task_runner=dask_runner())
    summary = on_dask(raw_dir=str(raw), out_dir=str(dask_out), runner="dask")
    assert summary["status"] == "published" and summary["input"]["files_processed"] == 30
    for table in ("qa_pairs", "unanswered", "rejected"):
        local = pd.read_parquet(local_out / "latest" / f"{table}.parquet")
        dask = pd.read_parquet(dask_out / "latest" / f"{table}.parquet")
        assert table != "qa_pairs" or len(local) > 100
        pd.testing.assert_frame_equal(local, dask)
