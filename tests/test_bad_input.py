"""Bad input: every kind of broken file is either decoded and used, or set aside with a reason."""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from qaharvest import clean, dedupe, extract, readers, segment
from tests.conftest import REALWORLD, SEED

PAGE = SEED.read_text(encoding="utf-8")


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


def test_lone_surrogate_escapes_in_jsonl_become_replacement_characters(tmp_path):
    # JSON may escape half a UTF-16 pair on its own ("\\ud83d"): not text, and Arrow cannot
    # hold it. The record is kept, the half pair replaced; a URL with one is no URL.
    raw = tmp_path / "raw"
    raw.mkdir()
    record = r'{"text": "Is \ud83d this broken?\nNo, only \udc00 this mark.\n", "url": "https://x.org/\ud800"}'
    (raw / "dump.jsonl").write_text(record + "\n")
    occ, rejected = run(raw)
    assert rejected == []
    row = occ.iloc[0]
    assert (row["question"], row["answer"]) == (
        "Is \ufffd this broken?",
        "No, only \ufffd this mark.",
    )
    assert row["url"] is None and row["record"] == 1


def run(raw: Path) -> tuple[pd.DataFrame, list[dict]]:
    """The flow's steps before dedupe: scan (list, digest), extract, clean."""
    files, rejected = readers.list_inputs(raw)
    digests, unreadable = readers.digest_inputs(files)
    ex = extract.extract_files([f for f in files if f.rel in digests])
    return clean.clean_frame(ex.frames()[0]), rejected + unreadable + ex.rejected_files


def test_broken_files_are_set_aside_with_reasons(tmp_path, kernel_permissions):
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
    (tmp_path / "elsewhere").mkdir()
    shutil.copy(outside, tmp_path / "elsewhere" / "page.txt")
    os.symlink(tmp_path / "elsewhere", raw / "linked-folder")
    (raw / "locked.txt").write_text(PAGE)
    (raw / "locked.txt").chmod(0)
    os.mkfifo(raw / "pipe.txt")  # reading it would block forever
    (raw / b"bad\xffname.txt".decode(errors="surrogateescape")).write_text(PAGE)
    (raw / "ctl\x1bname.txt").write_text(PAGE)
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
        "pipe.txt": "not a regular file",
        "bad\\xffname.txt": "file name is not printable UTF-8",
        "ctl\\u001bname.txt": "file name is not printable UTF-8",
    }
    assert why["binary.txt"].startswith("binary content")
    assert why["truncated.txt.gz"].startswith("broken gzip")
    assert why["dump.jsonl#2"].startswith("malformed JSONL")
    assert set(occ["file"]) == {"good.txt", "dump.jsonl"}
    assert not occ["answer"].str.contains("outside the raw folder", na=False).any()


def test_a_few_nul_bytes_in_a_page_are_dropped(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "clean.txt").write_text(PAGE)
    lines = PAGE.split("\n")
    dirty = "\n".join(ln[:5] + "\x00" + ln[5:] if i % 7 == 0 else ln for i, ln in enumerate(lines))
    (raw / "nul.txt").write_text(dirty)
    occ, rejected = run(raw)
    assert rejected == []
    a, b = occ[occ["file"] == "clean.txt"], occ[occ["file"] == "nul.txt"]
    assert len(a) > 10 and list(a["question"]) == list(b["question"])
    assert list(a["answer"]) == list(b["answer"])


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


def test_a_page_that_grew_after_its_stat_is_read_whole(tmp_path):
    """A crawler may still be appending to a page when it is read: one read of the size the
    stat gave, then on to the end."""
    page = tmp_path / "growing.txt"
    page.write_text(PAGE, encoding="utf-8")
    stated = len(PAGE.encode()) // 3
    fd = os.open(page, os.O_RDONLY)
    try:
        assert readers._read_all(fd, stated) == PAGE.encode()
    finally:
        os.close(fd)


HOSTILE = [
    "<p>Use a <b>password manager</b> &amp; update often.</p><script>alert('x')</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>Fine.",
    "&lt;script&gt;alert(1)&lt;/script&gt;Fine.",
    "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;Fine.",
    "&#60;script&#62;alert(1)&#60;/script&#62;Fine.",
    "< script >alert(1)< / script >Fine.",
    "<img src=x onerror=alert(1)>Fine.",
    "<svg/onload=alert(1)>Fine.",
    '<a href="javascript:alert(1)">Fine.</a>',
    "<iframe src=javascript:alert(1)></iframe>Fine.",
    "<!-- <b>alert(1)</b> -->Fine.",
    "<!DOCTYPE html><![CDATA[ alert(1) ]]>Fine.",
    "<style>p{color:red}</style>Fine.",
    "<<b>script>alert(1)<</b>/script>Fine.",
    "Fine.\n<script>\nvar a = 1;\nalert(a)\n</script>",
    "Fine.<script>\nvar a = 1;\nalert(a)",
    "Fine.\x07\x1b[31m\u202e\u2066\u200b\ufeff\x00\x7f\x85",
]


@pytest.mark.parametrize("markup", HOSTILE)
def test_script_markup_and_control_chars_never_reach_an_answer(tmp_path, markup):
    raw = tmp_path / "raw"
    raw.mkdir()
    more = "What else should I know?\n" + "Keep your software up to date. " * 5
    (raw / "page.txt").write_text(f"How do I stay safe online?\n{markup}\n{more}\n")
    occ, rejected = run(raw)
    answer = occ.iloc[0]["answer"]
    assert rejected == [] and answer is not None
    assert not re.search(r"<\s*[/!A-Za-z]|alert|\[31m", answer), answer
    assert all(unicodedata.category(c) not in ("Cc", "Cf") or c == "\n" for c in answer)
    assert answer.endswith(("Fine.", "update often."))


def test_over_long_fields_are_capped_or_left_out(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    long_q = "Why " + "very " * 2000 + "long?"
    page = f"{'Long Title Words ' * 600}\n{long_q}\nIt is long.\nWhat is short?\nThis.\n"
    (raw / "page.txt").write_text(page + "x" * 50_000 + "\n")
    long_url = "https://example.org/" + "a" * 5000
    records = [
        {"text": "What is a URL?\nAn address.", "url": long_url},
        {"text": "What is a scheme?\nA prefix.", "url": "javascript:alert(1)"},
        {"text": "What is a path?\nA route.", "url": "../../../../tmp/evil"},
        {"text": "What is HTTPS?\nSecure HTTP.", "url": "https://example.org/ok?q=1"},
    ]
    (raw / "dump.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    occ, _ = run(raw)
    assert occ["question"].str.len().max() <= segment.MAX_QUESTION_CHARS
    assert occ["title"].str.len().fillna(0).max() <= segment.MAX_QUESTION_CHARS
    assert occ["answer"].str.len().fillna(0).max() <= clean.MAX_ANSWER_CHARS + 2
    assert long_q not in set(occ["question"])
    urls = dict(zip(occ["question"], occ["url"], strict=True))
    assert urls["What is HTTPS?"] == "https://example.org/ok?q=1"
    assert all(pd.isna(urls[q]) for q in ("What is a URL?", "What is a scheme?", "What is a path?"))


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


def test_run_publishes_good_files_and_lists_bad_ones(prefect_server, tmp_path, kernel_permissions):
    from typer.testing import CliRunner

    from qaharvest.cli import app

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    shutil.copy(SEED, raw / "good.txt")
    (raw / "copy-utf16.txt").write_text(PAGE, encoding="utf-16")
    (raw / "binary.txt").write_bytes(random.Random(2).randbytes(4096))
    (raw / "empty.txt").write_bytes(b"")
    (raw / "broken.txt.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (raw / "locked.txt").write_text(PAGE)
    (raw / "locked.txt").chmod(0)
    (tmp_path / "secret.txt").write_text("What is the secret?\nThe secret is out.\n")
    os.symlink(tmp_path / "secret.txt", raw / "escape.txt")
    hostile = {
        "text": "Where does output go?\n<script>alert(1)</script>Into the release only.",
        "url": "../../../escaped",
        "file": "../../../escaped.parquet",
    }
    (raw / "dump.jsonl").write_text(json.dumps(hostile) + "\n{broken\n")
    before = sorted(p for p in tmp_path.rglob("*") if not p.is_relative_to(out))
    result = CliRunner().invoke(app, ["run", "--raw", str(raw), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout[result.stdout.index("{") :])
    assert summary["input"]["files_total"] == 8
    assert summary["input"]["files_rejected"] == 6  # 5 files and one JSONL record
    manifest = json.loads((out / "latest" / "manifest.json").read_text())
    assert reasons(manifest["rejected_files"]).keys() == {
        "binary.txt",
        "empty.txt",
        "broken.txt.gz",
        "locked.txt",
        "escape.txt",
        "dump.jsonl#2",
    }
    assert reasons(manifest["rejected_files"])["locked.txt"] == "permission denied"
    pairs = pd.read_parquet(out / "latest" / "qa_pairs.parquet")
    assert len(pairs) == 13
    sources = {s["file"] for srcs in pairs["sources"] for s in srcs}
    assert sources == {"good.txt", "copy-utf16.txt", "dump.jsonl"}
    row = pairs[pairs["question"] == "Where does output go?"].iloc[0]
    assert row["answer"] == "Into the release only." and row["sources"][0]["url"] is None
    assert not pairs["answer"].str.contains("secret is out").any()
    # Nothing written outside the output folder; inside it, only the fixed layout.
    assert sorted(p for p in tmp_path.rglob("*") if not p.is_relative_to(out)) == before
    assert {p.name for p in out.iterdir()} == {"latest", "releases", ".cache"}
