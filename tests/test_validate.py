"""Great Expectations gates: row-level checks quarantine rows, table-level checks stop a release."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort
from typer.testing import CliRunner

from flows.harvest import ReleaseRejected, harvest
from qaharvest import clean, dedupe, extract, publish, report, validate
from qaharvest.cli import app
from qaharvest.readers import Page
from tests.conftest import SEED


@pytest.fixture(scope="module")
def seed_extracted() -> extract.Batch:
    return extract.extract_page(Page(file="psoas.txt", text=SEED.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def seed_answered(seed_extracted) -> pd.DataFrame:
    return dedupe.dedupe(clean.clean_frame(seed_extracted.frames()[0]))[0]


@pytest.fixture(scope="module")
def session():
    with validate.Session() as s:
        yield s


def test_planted_bad_rows_land_in_rejected_parquet_while_good_rows_publish(
    session, seed_extracted, seed_answered, tmp_path
):
    rows = seed_answered.copy()
    rows.loc[0, "answer"] = "<div>Stretch the psoas</div> daily."
    rows.loc[1, "question"] = "How " + "very " * 80 + "long is this question?"
    bad = {rows.loc[0, "id"], rows.loc[1, "id"]}
    occurrences, noise = seed_extracted.frames()
    outcomes = {"qa_pairs": validate.validate_table(session, rows, "qa_pairs")}
    unanswered = rows.iloc[:0].assign(answer=None)
    outcomes["unanswered"] = validate.validate_table(session, unanswered, "unanswered")
    assert outcomes["qa_pairs"].success and outcomes["unanswered"].success
    docs = tmp_path / "docs"
    session.copy_docs(docs)
    summary = report.summary(
        files_total=1,
        extracted=seed_extracted,
        occurrences=occurrences,
        answered=rows,
        unanswered=unanswered,
        outcomes=outcomes,
        rejected_files=[],
        times={},
    )
    manifest = report.manifest(summary, "fp", publish.change_summary(None, rows))
    good = outcomes["qa_pairs"].good
    tables = {
        "qa_pairs": (good, "qa_pair"),
        "unanswered": (outcomes["unanswered"].good, "qa_pair"),
        "rejected": (report.rejected_frame(noise, outcomes), "rejected"),
    }
    release = publish.publish(tmp_path / "out", tables, manifest, folders={"validation": docs})

    rejected = pd.read_parquet(release / "rejected.parquet")
    quarantined = rejected[rejected["stage"] == "validate:qa_pairs"]
    reasons = dict(zip(quarantined["text"].str[:20], quarantined["reason"], strict=True))
    assert len(reasons) == 2
    assert "not_match_regex(answer" in reasons[rows.loc[0, "question"][:20]]
    assert "lengths_to_be_between(question" in reasons["How very very very v"]
    published = pd.read_parquet(release / "qa_pairs.parquet")
    assert len(published) == len(rows) - 2 and not set(published["id"]) & set(bad)
    # The Data Docs: a page per suite run (rows and table, of both tables), all on the index.
    site = release / "validation"
    runs = {page.parts[-4] for page in (site / "validations").rglob("*.html")}
    assert {"qa_pairs-rows", "qa_pairs-table", "unanswered-rows", "unanswered-table"} <= runs
    index = (site / "index.html").read_text()
    assert all(f"validations/{run}/" in index for run in runs)
    assert summary["stages"]["rows_rejected"] == 2


def test_duplicate_ids_and_collapse_fail_the_gate(session, seed_answered):
    dup = pd.concat([seed_answered, seed_answered.iloc[[0]]], ignore_index=True)
    out = validate.validate_table(session, dup, "qa_pairs")
    assert not out.success
    assert any("be_unique(id" in g for g in out.failed_gates)
    collapsed = validate.validate_table(session, seed_answered, "qa_pairs", previous_rows=100)
    assert any("row_count" in g for g in collapsed.failed_gates)


def test_suite_file_drives_the_checks(session, seed_answered, tmp_path, monkeypatch):
    suite = validate.load_suite("qa_pairs")
    suite["expectations"].append(
        {
            "type": "expect_column_values_to_not_match_regex",
            "kwargs": {"column": "answer", "regex": "(?i)psoas"},
            "meta": {"level": "row"},
        }
    )
    (gate,) = [e for e in suite["expectations"] if "max_drop_fraction" in e["meta"]]
    gate["meta"]["max_drop_fraction"] = 0.95
    (tmp_path / "qa_pairs.json").write_text(json.dumps(suite))
    monkeypatch.setattr(validate, "SUITES_DIR", tmp_path)
    # Most seed answers mention the psoas: the few left are a collapse from 20 rows by more
    # than 0.5, not by more than 0.95.
    out = validate.validate_table(session, seed_answered, "qa_pairs", previous_rows=20)
    mentions = seed_answered["answer"].str.contains("(?i)psoas")
    assert len(out.rejected) == mentions.sum() > 0
    assert out.success and validate.min_rows(suite, 20) == 1
    gate["meta"]["max_drop_fraction"] = 0.5
    (tmp_path / "qa_pairs.json").write_text(json.dumps(suite))
    out = validate.validate_table(session, seed_answered, "qa_pairs", previous_rows=20)
    assert out.failed_gates == ["expect_table_row_count_to_be_between(min_value=$min_rows)"]


def _snapshot(root: Path) -> dict:
    """Every published file (the extraction cache may change; releases may not)."""
    snap = {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (root / "releases").rglob("*")
        if p.is_file()
    }
    snap["latest ->"] = str((root / "latest").readlink())
    snap["leftovers"] = sorted(p.name for p in root.glob(f"{publish.TMP_PREFIX}*"))
    return snap


def _last_artifact() -> str:
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["qaharvest-run"])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    return artifacts[0].data


def test_no_qa_input_publishes_nothing_and_keeps_latest(prefect_server, seed_raw, tmp_path):
    out = tmp_path / "out"
    first = harvest(raw_dir=str(seed_raw), out_dir=str(out))
    latest = out / "latest"
    assert (latest / "validation" / "index.html").exists()
    assert first["validation"]["qa_pairs"]["success"]
    artifact = _last_artifact()
    assert "# qaharvest run: published" in artifact and "## Validation: passed" in artifact
    assert f"| qa_pairs | {first['stages']['qa_pairs']} |" in artifact
    ok = CliRunner().invoke(app, ["validate", str(latest)])
    assert ok.exit_code == 0, ok.output
    before = _snapshot(out)

    prose = tmp_path / "prose"
    prose.mkdir()
    (prose / "essay.txt").write_text(
        "A Walk In The Park\n\nWe walked for hours. The weather was fine.\nThen we went home.\n"
    )
    with pytest.raises(ReleaseRejected, match="expect_table_row_count_to_be_between"):
        harvest(raw_dir=str(prose), out_dir=str(out))
    assert _snapshot(out) == before
    artifact = _last_artifact()
    assert "FAILED, nothing published" in artifact
    assert "qa_pairs: expect_table_row_count_to_be_between" in artifact

    result = CliRunner().invoke(app, ["run", "--raw", str(prose), "--out", str(out)])
    assert result.exit_code == 1
    assert "expect_table_row_count_to_be_between" in result.output
    assert _snapshot(out) == before


def test_validate_command_fails_on_bad_parquet(tmp_path, seed_answered):
    # As in a release, sources are written as Python lists: pandas cannot read back the
    # nested Arrow column dedupe holds them in (pandas-dev/pandas#53011).
    pairs = seed_answered.astype({"sources": object})
    pairs.loc[0, "answer"] = "<script>alert(1)</script>"
    bad = tmp_path / "bad.parquet"
    pairs.to_parquet(bad)
    failed = CliRunner().invoke(app, ["validate", str(bad)])
    assert failed.exit_code == 1
    assert "failed: qa_pairs: expect_column_values_to_not_match_regex(answer" in failed.output
    pairs.drop(columns=["id"]).to_parquet(bad)
    missing = CliRunner().invoke(app, ["validate", str(bad)])
    assert missing.exit_code == 1 and "missing: id" in missing.output
