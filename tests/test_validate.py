"""Great Expectations gates: row-level checks quarantine rows, table-level checks stop a release."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from flows.harvest import ReleaseRejected, harvest
from qaharvest import clean, dedupe, extract, validate
from qaharvest.cli import app
from qaharvest.readers import Page
from tests.conftest import SEED


@pytest.fixture(scope="module")
def seed_answered() -> pd.DataFrame:
    page = Page(file="psoas.txt", text=SEED.read_text(encoding="utf-8"))
    return dedupe.dedupe(clean.clean_frame(extract.extract_page(page).frames()[0]))[0]


@pytest.fixture(scope="module")
def session():
    with validate.Session() as s:
        yield s


def test_planted_bad_rows_are_quarantined_with_reason(session, seed_answered):
    rows = seed_answered.copy()
    rows.loc[0, "answer"] = "<div>Stretch the psoas</div> daily."
    rows.loc[1, "question"] = "How " + "very " * 80 + "long is this question?"
    bad_ids = {rows.loc[0, "id"], rows.loc[1, "id"]}
    out = validate.validate_table(session, rows, "qa_pairs")
    assert out.success
    assert set(out.rejected["id"]) == bad_ids
    reasons = dict(zip(out.rejected["id"], out.rejected["reason"], strict=True))
    assert "not_match_regex(answer" in reasons[rows.loc[0, "id"]]
    assert "lengths_to_be_between(question" in reasons[rows.loc[1, "id"]]
    assert len(out.good) == len(rows) - 2 and not set(out.good["id"]) & bad_ids


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
    for name in ("qa_pairs", "unanswered"):
        shutil.copy(validate.SUITES_DIR / f"{name}.json", tmp_path / f"{name}.json")
    (tmp_path / "qa_pairs.json").write_text(json.dumps(suite))
    monkeypatch.setattr(validate, "SUITES_DIR", tmp_path)
    out = validate.validate_table(session, seed_answered, "qa_pairs")
    mentions = seed_answered["answer"].str.contains("(?i)psoas")
    assert len(out.rejected) == mentions.sum() > 0


def _snapshot(root: Path) -> dict:
    """Every published file (the extraction cache may change; releases may not)."""
    snap = {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (root / "releases").rglob("*")
        if p.is_file()
    }
    snap["latest ->"] = str((root / "latest").readlink())
    return snap


def test_no_qa_input_publishes_nothing_and_keeps_latest(prefect_server, seed_raw, tmp_path):
    out = tmp_path / "out"
    first = harvest(raw_dir=str(seed_raw), out_dir=str(out))
    latest = out / "latest"
    assert (latest / "validation" / "index.html").exists()
    assert first["validation"]["qa_pairs"]["success"]
    before = _snapshot(out)

    prose = tmp_path / "prose"
    prose.mkdir()
    (prose / "essay.txt").write_text(
        "A Walk In The Park\n\nWe walked for hours. The weather was fine.\nThen we went home.\n"
    )
    with pytest.raises(ReleaseRejected, match="expect_table_row_count_to_be_between"):
        harvest(raw_dir=str(prose), out_dir=str(out))
    assert _snapshot(out) == before

    result = CliRunner().invoke(app, ["run", "--raw", str(prose), "--out", str(out)])
    assert result.exit_code == 1
    assert _snapshot(out) == before


def test_validate_command_checks_a_release(prefect_server, seed_raw, tmp_path):
    out = tmp_path / "out"
    harvest(raw_dir=str(seed_raw), out_dir=str(out))
    ok = CliRunner().invoke(app, ["validate", str(out / "latest")])
    assert ok.exit_code == 0, ok.output
    pairs = pd.read_parquet(out / "latest" / "qa_pairs.parquet")
    pairs.loc[0, "answer"] = "<script>alert(1)</script>"
    bad = tmp_path / "bad.parquet"
    pairs.to_parquet(bad)
    failed = CliRunner().invoke(app, ["validate", str(bad)])
    assert failed.exit_code == 1
