"""Releases that analyses and apps can trust: real clients, schema, checksums, stable ids."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import jsonschema
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

from flows.harvest import harvest
from qaharvest import publish
from qaharvest.cli import app
from qaharvest.schema import arrow_schema, json_schema, schema_version
from tests.conftest import REALWORLD, SEED


@pytest.fixture(scope="module")
def two_releases(prefect_server, tmp_path_factory) -> dict:
    """The seed published, a re-run on unchanged input, then one real page added."""
    root = tmp_path_factory.mktemp("release")
    raw, out = root / "raw", root / "out"
    raw.mkdir()
    shutil.copy(SEED, raw / "psoas.txt")
    first = harvest(raw_dir=str(raw), out_dir=str(out))
    first_release = (out / "latest").resolve()
    unchanged = harvest(raw_dir=str(raw), out_dir=str(out))
    after_unchanged = {
        "latest": (out / "latest").resolve(),
        "releases": [p.name for p in publish.list_releases(out)],
        "ids": pl.read_parquet(out / "latest" / "qa_pairs.parquet")["id"].to_list(),
    }
    shutil.copy(REALWORLD / "06_vegan-chocolate.txt", raw / "vegan.txt")
    second = harvest(raw_dir=str(raw), out_dir=str(out))
    return {
        "out": out,
        "first": first,
        "first_release": first_release,
        "unchanged": unchanged,
        "after_unchanged": after_unchanged,
        "second": second,
    }


def test_duckdb_and_polars_read_the_release(two_releases):
    latest = two_releases["out"] / "latest"
    n = duckdb.sql(f"SELECT count(*) FROM '{latest / 'qa_pairs.parquet'}'").fetchone()[0]
    frame = pl.read_parquet(latest / "qa_pairs.parquet")
    assert (
        n == frame.height == json.loads((latest / "manifest.json").read_text())["rows"]["qa_pairs"]
    )
    files = duckdb.sql(
        f"SELECT DISTINCT s.file FROM (SELECT unnest(sources) AS s "
        f"FROM '{latest / 'qa_pairs.parquet'}')"
    ).fetchall()
    assert {f for (f,) in files} == {"psoas.txt", "vegan.txt"}
    assert frame.schema["aliases"] == pl.List(pl.String)
    assert pl.read_ndjson(latest / "qa_pairs.jsonl").height == n


def test_jsonl_lines_match_the_json_schema(two_releases):
    validator = jsonschema.Draft202012Validator(json_schema())
    lines = (two_releases["out"] / "latest" / "qa_pairs.jsonl").read_text("utf-8").splitlines()
    assert lines
    for line in lines:
        validator.validate(json.loads(line))


def test_manifest_checksums_and_metadata(two_releases):
    latest = two_releases["out"] / "latest"
    manifest = json.loads((latest / "manifest.json").read_text())
    on_disk = {p.relative_to(latest).as_posix() for p in latest.rglob("*") if p.is_file()}
    assert on_disk - set(manifest["files"]) == {"manifest.json"}
    for name, meta in manifest["files"].items():
        data = (latest / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == meta["sha256"] and len(data) == meta["bytes"]
    for key in (
        "version",
        "created",
        "package_version",
        "schema_version",
        "input_fingerprint",
        "rows",
        "stages",
        "validation",
        "rejected_files",
        "input",
        "changes",
    ):
        assert key in manifest
    assert manifest["input"]["files_total"] == 2
    for table in ("qa_pairs", "unanswered"):
        parquet = pq.ParquetFile(latest / f"{table}.parquet")
        assert parquet.schema_arrow.metadata[b"schema_version"].decode() == schema_version()
        assert all(f.metadata[b"description"] for f in parquet.schema_arrow)
        meta = parquet.metadata
        chunks = [
            meta.row_group(g).column(c)
            for g in range(meta.num_row_groups)
            for c in range(meta.num_columns)
        ]
        assert chunks and {c.compression for c in chunks} == {"ZSTD"}
    card = (latest / "README.md").read_text()
    header = yaml.safe_load(card.split("---\n")[1])
    info = header["dataset_info"]
    assert [f["name"] for f in info["features"]] == list(json_schema()["properties"])
    assert {s["name"]: s["num_examples"] for s in info["splits"]} == {
        "train": manifest["rows"]["qa_pairs"],
        "unanswered": manifest["rows"]["unanswered"],
    }
    assert "## How it was built" in card


def test_unchanged_input_publishes_nothing(two_releases):
    assert two_releases["unchanged"]["status"] == "unchanged"
    assert two_releases["unchanged"]["release"] == two_releases["first"]["release"]
    after = two_releases["after_unchanged"]
    assert after["latest"] == two_releases["first_release"]
    assert after["releases"] == [two_releases["first"]["release"]]
    first_ids = pl.read_parquet(two_releases["first_release"] / "qa_pairs.parquet")["id"]
    assert sorted(after["ids"]) == sorted(first_ids.to_list()) and len(first_ids) == 12


def test_adding_a_page_changes_only_its_ids(two_releases):
    out = two_releases["out"]
    before = pl.read_parquet(two_releases["first_release"] / "qa_pairs.parquet")
    after = pl.read_parquet(out / "latest" / "qa_pairs.parquet")
    manifest = json.loads((out / "latest" / "manifest.json").read_text())
    assert manifest["input"]["files_processed"] == 1  # the new page; the seed came from cache
    assert manifest["input"]["files_from_cache"] == 1
    changes = manifest["changes"]
    added = set(after["id"]) - set(before["id"])
    assert added and set(changes["added"]) == added
    assert changes["removed"] == [] and changes["changed"] == []
    assert set(before["id"]) <= set(after["id"])
    new_sources = after.filter(pl.col("id").is_in(list(added)))["sources"].to_list()
    assert all(s["file"] == "vegan.txt" for row in new_sources for s in row)
    kept = after.filter(pl.col("id").is_in(before["id"].to_list())).sort("id")
    assert kept.select("id", "answer").equals(before.sort("id").select("id", "answer"))


def test_releases_and_faqpage_export(two_releases, tmp_path):
    out = two_releases["out"]
    listed = CliRunner().invoke(app, ["releases", "--out", str(out)], env={"COLUMNS": "200"})
    assert listed.exit_code == 0
    for rel in publish.list_releases(out):
        rows = json.loads((rel / "manifest.json").read_text())["rows"]
        assert f"{rel.name} " in listed.output
        assert " ".join(str(rows[t]) for t in ("qa_pairs", "unanswered")) in " ".join(
            listed.output.replace("│", " ").split()
        )
    dest = tmp_path / "faq.json"
    res = CliRunner().invoke(
        app, ["export", "--format", "faqpage", "--release", str(out / "latest"), "--out", str(dest)]
    )
    assert res.exit_code == 0, res.output
    docs = json.loads(dest.read_text())
    assert {d["name"] for d in docs} == {
        "How do you stop a psoas spasm?",
        "Can Vegans Eat Dairy Milk Chocolate?",
    }
    questions = sum(len(d["mainEntity"]) for d in docs)
    assert questions == pl.read_parquet(out / "latest" / "qa_pairs.parquet").height
    assert all(q["acceptedAnswer"]["text"] for d in docs for q in d["mainEntity"])
    bad = CliRunner().invoke(app, ["export", "--format", "csv", "--release", str(out / "latest")])
    assert bad.exit_code == 2


def test_prune_keeps_the_newest_and_the_current_release(tmp_path):
    releases = tmp_path / "releases"
    versions = [f"20260101T00000{i}000000Z" for i in range(5)]
    for v in versions:
        (releases / v).mkdir(parents=True)
        (releases / v / "manifest.json").write_text("{}")
    (releases / "20260101T000009000000Z").mkdir()  # no manifest: not a complete release
    (tmp_path / "latest").symlink_to(Path("releases") / versions[0])
    publish.prune(tmp_path, keep=2)
    assert [p.name for p in publish.list_releases(tmp_path)] == [versions[0], *versions[-2:]]
    assert not list(tmp_path.glob(f"{publish.TMP_PREFIX}*"))


def _pairs_frame() -> pd.DataFrame:
    """qa_pair rows whose text needs escaping (quotes, backslashes, control characters) or
    must not be escaped (non-ASCII, slashes), with missing values and empty lists."""
    texts = ['Say "hi"\\n', "line\nbreak\ttab\x01\x1f", "café – 東京 / a/b \u2028", "", "plain"]
    dump = {"file": "dump.jsonl", "line": 3, "url": 'https://e.org/a?b="c"', "record": 2}
    pages = [
        {"file": f"d/{t}.txt", "line": 1 + i, "url": None, "record": None}
        for i, t in enumerate(texts)
    ]
    return pd.DataFrame(
        {
            "id": [f"{i:016x}" for i in range(5)],
            "question": [f"{t}?" for t in texts],
            "question_norm": [f"q {i}" for i in range(5)],
            "answer": [*texts[:4], None],
            "aliases": [[], [texts[0]], texts[1:3], [], ["x"]],
            "title": [None, *texts[1:]],
            "sources": [[page, dump] if i % 2 else [page] for i, page in enumerate(pages)],
            "cluster_id": [f"{i:016x}" for i in range(5)],
            "answer_truncated": [False, True, False, True, False],
            "answer_variants": [0, 1, 2, 0, 5],
            "occurrences": [1, 2, 1, 2, 1],
        }
    )


def test_jsonl_lines_are_the_records_with_text_as_it_is(tmp_path):
    """Each line parses to its row; text that JSON escapes round-trips, and non-ASCII text is
    written as UTF-8, not as \\u escapes."""
    table = publish.to_arrow(_pairs_frame(), "qa_pair")
    publish._write_jsonl(table, tmp_path / "pairs.jsonl")
    text = (tmp_path / "pairs.jsonl").read_text(encoding="utf-8")
    lines = text.removesuffix("\n").split("\n")  # not splitlines(): U+2028 is text here
    assert [json.loads(line) for line in lines] == table.to_pylist()
    assert [list(json.loads(line)) for line in lines] == [table.schema.names] * len(lines)
    assert "café – 東京" in text


def test_parquet_does_not_depend_on_how_the_frame_holds_sources(tmp_path):
    """dedupe holds `sources` as an Arrow list column: same table, same pandas metadata."""
    frame = _pairs_frame()
    held = frame.assign(
        sources=pd.arrays.ArrowExtensionArray(
            pa.array(frame["sources"], type=arrow_schema("qa_pair").field("sources").type)
        )
    )
    as_objects, as_arrow = publish.to_arrow(frame, "qa_pair"), publish.to_arrow(held, "qa_pair")
    assert as_arrow.equals(as_objects, check_metadata=True)
    publish._write_parquet(as_objects, tmp_path / "a.parquet")
    publish._write_parquet(as_arrow, tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
