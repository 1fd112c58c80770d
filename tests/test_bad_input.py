"""Bad input: every kind of broken file is either decoded and used, or set aside with a reason."""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
from pathlib import Path

import pandas as pd
import pytest

from qaharvest import clean, dedupe, extract, readers
from tests.conftest import REALWORLD, SEED

PAGE = SEED.read_text(encoding="utf-8")


def run(raw: Path) -> tuple[pd.DataFrame, list[dict]]:
    files, rejected = readers.list_inputs(raw)
    ex = extract.extract_files(files, raw)
    return clean.clean_frame(ex.frames()[0]), rejected + ex.rejected_files


def reasons(rejected: list[dict]) -> dict[str, str]:
    return {r["file"]: r["reason"] for r in rejected}


def test_re_encoded_copies_give_the_same_pairs_as_extra_sources(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "utf8.txt").write_text(PAGE, encoding="utf-8")
    (raw / "bom.txt").write_bytes(b"\xef\xbb\xbf" + PAGE.encode())
    (raw / "utf16.txt").write_text(PAGE, encoding="utf-16")
    (raw / "cp1252.txt").write_bytes(PAGE.encode("cp1252"))
    (raw / "crlf.txt").write_bytes(PAGE.replace("\n", "\r\n").encode())
    (raw / "cr.txt").write_bytes(PAGE.replace("\n", "\r").encode())
    with gzip.open(raw / "gz.txt.gz", "wt", encoding="utf-8") as fh:
        fh.write(PAGE)
    (raw / "dump.jsonl").write_text(
        json.dumps({"text": PAGE, "url": "https://example.org/psoas"}) + "\n"
    )
    occ, rejected = run(raw)
    assert rejected == []
    answered, _ = dedupe.dedupe(occ)
    assert len(answered) == 12
    for sources in answered["sources"]:
        assert {s["file"] for s in sources} == {
            "utf8.txt",
            "bom.txt",
            "utf16.txt",
            "cp1252.txt",
            "crlf.txt",
            "cr.txt",
            "gz.txt.gz",
            "dump.jsonl",
        }
        lines = {s["line"] for s in sources}
        assert len(lines) == 1  # the same line number in every encoding and line-end style
    jsonl = [s for s in answered["sources"].iloc[0] if s["file"] == "dump.jsonl"][0]
    assert jsonl["url"] == "https://example.org/psoas" and jsonl["record"] == 1


def test_broken_files_are_set_aside_with_reasons(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEED, raw / "good.txt")
    (raw / "empty.txt").write_bytes(b"")
    (raw / "binary.txt").write_bytes(random.Random(1).randbytes(4096))
    (raw / "nul.txt").write_bytes(b"How?\x00\x00\x00\x00" * 200)
    (raw / "truncated.txt.gz").write_bytes(gzip.compress(PAGE.encode())[:200])
    (raw / "dump.jsonl").write_text(
        json.dumps({"text": PAGE}) + "\n{not json\n" + json.dumps({"url": "x"}) + "\n"
    )
    outside = tmp_path / "secret.txt"
    outside.write_text("What is the secret?\nIt is outside the raw folder.\n")
    os.symlink(outside, raw / "link.txt")
    (raw / "locked.txt").write_text(PAGE)
    real_read = readers._read_bytes

    def deny(path: Path) -> bytes:
        if path.name == "locked.txt":
            raise readers.UnreadableFile("permission denied")
        return real_read(path)

    monkeypatch.setattr(readers, "_read_bytes", deny)
    occ, rejected = run(raw)
    why = reasons(rejected)
    assert why == {
        "empty.txt": "empty file",
        "binary.txt": why["binary.txt"],
        "nul.txt": "binary content (NUL bytes)",
        "truncated.txt.gz": why["truncated.txt.gz"],
        "dump.jsonl#2": why["dump.jsonl#2"],
        "dump.jsonl#3": "no 'text' field",
        "link.txt": "symlink points outside the raw folder",
        "locked.txt": "permission denied",
    }
    assert why["binary.txt"].startswith("binary content")
    assert why["truncated.txt.gz"].startswith("broken gzip")
    assert why["dump.jsonl#2"].startswith("malformed JSONL")
    assert set(occ["file"]) == {"good.txt", "dump.jsonl"}
    assert not occ["answer"].fillna("").str.contains("outside the raw folder").any()


def test_invalid_utf8_falls_back_to_cp1252(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "mixed.txt").write_bytes(
        "Is caf\u00e9 au lait vegan?\nNo \u2013 it has milk.\n".encode("cp1252") + b"\xff\xfe?"
    )
    occ, rejected = run(raw)
    assert rejected == []
    assert occ.iloc[0]["question"] == "Is café au lait vegan?"
    assert occ.iloc[0]["answer"].startswith("No – it has milk.")


def test_a_12_mb_line_without_newline_is_handled(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    words = "lorem ipsum 12:30 dolor sit amet, consectetur adipiscing elit. "
    (raw / "huge.txt").write_text(
        "What is lorem ipsum?\n" + words * (12 * 2**20 // len(words)), encoding="utf-8"
    )
    occ, rejected = run(raw)
    assert rejected == []
    answer = occ.iloc[0]["answer"]
    assert len(answer) <= clean.MAX_ANSWER_CHARS + 2 and occ.iloc[0]["answer_truncated"]


def test_script_and_markup_never_reach_an_answer(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "page.txt").write_text(
        "How do I stay safe online?\n"
        "<p>Use a <b>password manager</b> &amp; update often.</p>"
        "<script>alert('x')</script><style>p{color:red}</style>\x07\x1b\n"
    )
    occ, _ = run(raw)
    answer = occ.iloc[0]["answer"]
    assert answer == "Use a password manager & update often."


@pytest.mark.parametrize("name", ["01_hydrocortisone-hair-loss.txt", "19_chili-faq.txt"])
def test_utf16_copy_of_a_real_page_matches(tmp_path, name):
    raw = tmp_path / "raw"
    raw.mkdir()
    text = (REALWORLD / name).read_text(encoding="utf-8")
    (raw / "a.txt").write_text(text, encoding="utf-8")
    (raw / "b.txt").write_text(text, encoding="utf-16")
    occ, _ = run(raw)
    a, b = occ[occ["file"] == "a.txt"], occ[occ["file"] == "b.txt"]
    assert list(a["question"]) == list(b["question"]) and list(a["answer"]) == list(b["answer"])


def test_run_publishes_good_files_and_lists_bad_ones(prefect_server, tmp_path):
    from typer.testing import CliRunner

    from qaharvest.cli import app

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    shutil.copy(SEED, raw / "good.txt")
    (raw / "binary.txt").write_bytes(random.Random(2).randbytes(4096))
    (raw / "broken.txt.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    result = CliRunner().invoke(app, ["run", "--raw", str(raw), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout[result.stdout.index("{") :])
    assert summary["input"]["files_rejected"] == 2
    manifest = json.loads((out / "latest" / "manifest.json").read_text())
    assert {r["file"] for r in manifest["rejected_files"]} == {"binary.txt", "broken.txt.gz"}
    assert manifest["rows"]["qa_pairs"] == 12
