"""Read raw files into pages of text: `.txt`, `.jsonl` (C4/FineWeb/DCLM shape), optionally gzipped.

A file that cannot be read raises `UnreadableFile` with a one-line reason; callers set it aside.
"""

from __future__ import annotations

import codecs
import gzip
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".txt", ".txt.gz", ".jsonl", ".jsonl.gz")
MAX_FILE_BYTES = 256 * 1024 * 1024
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class UnreadableFile(Exception):
    """The file is set aside; the message says why."""


@dataclass(frozen=True)
class Page:
    file: str  # path relative to the raw folder
    text: str
    url: str | None = None
    record: int | None = None  # 1-based record number in a JSONL dump


def list_inputs(raw_dir: Path) -> tuple[list[Path], list[dict]]:
    """Input files under `raw_dir`, sorted, and the files set aside (`{file, reason}`).

    Symlinks that leave the raw folder are set aside; other suffixes are ignored.
    """
    raw_dir = raw_dir.resolve()
    files, rejected = [], []
    for path in sorted(raw_dir.rglob("*")):
        rel = path.relative_to(raw_dir).as_posix()
        if any(part.startswith(".") for part in path.relative_to(raw_dir).parts):
            continue
        if not path.name.endswith(SUFFIXES):
            continue
        try:
            real = path.resolve(strict=True)
        except OSError as exc:
            rejected.append({"file": rel, "reason": f"unresolvable path: {exc.strerror or exc}"})
            continue
        if not real.is_relative_to(raw_dir):
            rejected.append({"file": rel, "reason": "symlink points outside the raw folder"})
            continue
        if real.is_file():
            files.append(path)
    return files, rejected


def decode(data: bytes) -> str:
    """Bytes → text: BOMs (UTF-8, UTF-16), then strict UTF-8, then cp1252. Rejects binary."""
    if not data.strip():
        raise UnreadableFile("empty file")
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc)
            except UnicodeDecodeError as exc:
                raise UnreadableFile(f"invalid {enc} after its byte-order mark") from exc
    if b"\x00" in data[:65536] and data[:65536].count(b"\x00") > len(data[:65536]) // 100:
        raise UnreadableFile("binary content (NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    controls = sum(1 for c in text[:65536] if ord(c) < 32 and c not in "\t\r\n\f")
    if controls > len(text[:65536]) // 20:
        raise UnreadableFile("binary content (not text in UTF-8, UTF-16 or cp1252)")
    return text


def split_lines(text: str) -> list[str]:
    """Lines as an editor numbers them: CRLF, CR and LF all end a line."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _read_bytes(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UnreadableFile(f"file larger than {MAX_FILE_BYTES // 2**20} MiB")
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise UnreadableFile(f"decompresses to more than {MAX_FILE_BYTES // 2**20} MiB")
            return data
        return path.read_bytes()
    except PermissionError as exc:
        raise UnreadableFile("permission denied") from exc
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise UnreadableFile(f"broken gzip: {exc}") from exc
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from exc


def read_pages(path: Path, rel: str) -> tuple[list[Page], list[dict]]:
    """Pages in one file, and the JSONL records set aside (`{file, reason}`)."""
    text = decode(_read_bytes(path))
    if ".jsonl" not in path.name:
        return [Page(file=rel, text=text)], []
    pages, rejected = [], []
    for n, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            body = rec["text"]
            if not isinstance(body, str):
                raise TypeError("'text' is not a string")
        except (ValueError, KeyError, TypeError) as exc:
            reason = "no 'text' field" if isinstance(exc, KeyError) else f"malformed JSONL: {exc}"
            rejected.append({"file": f"{rel}#{n}", "reason": reason})
            continue
        url = rec.get("url")
        pages.append(Page(file=rel, text=body, url=url if isinstance(url, str) else None, record=n))
    return pages, rejected
