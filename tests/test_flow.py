"""The real Prefect flow on the seed, checked through the published files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort

from flows.harvest import harvest
from qaharvest.schema import arrow_schema


def test_flow_publishes_seed_release(prefect_server, seed_raw: Path, tmp_path: Path):
    out = tmp_path / "out"
    summary = harvest(raw_dir=str(seed_raw), out_dir=str(out))
    assert summary["status"] == "published"
    latest = out / "latest"
    assert latest.is_symlink() and latest.resolve().parent == (out / "releases").resolve()

    pairs = pd.read_parquet(latest / "qa_pairs.parquet")
    assert len(pairs) == 12 and pairs["id"].is_unique
    assert pq.read_schema(latest / "qa_pairs.parquet").names == arrow_schema().names
    jsonl = [json.loads(line) for line in (latest / "qa_pairs.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in jsonl) == sorted(pairs["id"])
    unanswered = pd.read_parquet(latest / "unanswered.parquet")
    assert unanswered["answer"].isna().all() and len(unanswered) >= 3
    rejected = pd.read_parquet(latest / "rejected.parquet")
    assert "reason" in rejected and rejected["reason"].str.contains("video-snippet").any()

    manifest = json.loads((latest / "manifest.json").read_text())
    assert manifest["rows"] == {
        "qa_pairs": 12,
        "unanswered": len(unanswered),
        "rejected": len(rejected),
    }
    for name, meta in manifest["files"].items():
        assert hashlib.sha256((latest / name).read_bytes()).hexdigest() == meta["sha256"]
    lines = manifest["lines"]
    assert lines["read"] == sum(v for k, v in lines.items() if k != "read")

    assert (latest / "validation" / "index.html").stat().st_size > 0

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["qaharvest-run"])),
            sort=ArtifactSort.CREATED_DESC,  # other tests' runs share the server: take this one's
        )
    assert artifacts and "| qa_pairs | 12 |" in artifacts[0].data

    again = harvest(raw_dir=str(seed_raw), out_dir=str(out))
    assert again["status"] == "unchanged"
