"""Read raw files into pages of text: `.txt`, `.jsonl` (C4/FineWeb/DCLM shape), optionally gzipped.

A file that cannot be read raises `UnreadableFile` with a one-line reason; callers set it aside.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import re
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from qaharvest.fingerprint import DigestMemo, FileRead, file_read

SUFFIXES = (".txt", ".txt.gz", ".jsonl", ".jsonl.gz")
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_URL_CHARS = 2048
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")  # terminal colour codes in captured text
_SURROGATE = re.compile("[\ud800-\udfff]")  # JSON may escape half a UTF-16 pair on its own
_URL = re.compile(
    rf"https?://[^\s\x00-\x1f\x7f<>\"'`\\\ud800-\udfff]{{1,{MAX_URL_CHARS - 8}}}", re.IGNORECASE
)


class UnreadableFile(Exception):
    """The file is set aside; the message says why. `read` is what its bytes told
    (`FileRead`), when they could be read."""

    def __init__(self, reason: str, read: FileRead | None = None):
        super().__init__(reason)
        self.read = read


@dataclass(frozen=True)
class Page:
    file: str  # path relative to the raw folder
    text: str
    url: str | None = None
    record: int | None = None  # 1-based record number in a JSONL dump


class InputFile(NamedTuple):
    """An input file: its path, and its path relative to the raw folder (POSIX), which names
    it in the release."""

    path: str
    rel: str


def input_files(paths: Iterable[Path], raw_dir: Path) -> list[InputFile]:
    """`paths` (inside `raw_dir`) as input files."""
    raw_dir = raw_dir.resolve()
    return [InputFile(str(path), relative_path(Path(path), raw_dir)) for path in paths]


def list_inputs(raw_dir: Path) -> tuple[list[InputFile], list[dict]]:
    """Input files under `raw_dir`, sorted, and the files set aside (`{file, reason}`).

    Hidden files and folders are skipped, other suffixes ignored; symlinks that leave the raw
    folder are set aside. No `Path` is made per file: 100k of them cost most of a second.
    """
    raw_dir = raw_dir.resolve()
    files, rejected = [], []
    for rel, entry in _entries(str(raw_dir), ""):
        if not entry.name.endswith(SUFFIXES):
            continue
        if not _printable_name(rel):
            rejected.append({"file": _shown(rel), "reason": "file name is not printable UTF-8"})
            continue
        is_file = entry.is_file()
        if entry.is_symlink():
            try:
                real = Path(entry.path).resolve(strict=True)
            except OSError as exc:
                reason = f"unresolvable path: {exc.strerror or exc}"
                rejected.append({"file": rel, "reason": reason})
                continue
            if not real.is_relative_to(raw_dir):
                reason = "symlink points outside the raw folder"
                rejected.append({"file": rel, "reason": reason})
                continue
            is_file = real.is_file()
        if is_file:
            files.append(InputFile(entry.path, rel))
        else:
            rejected.append({"file": rel, "reason": "not a regular file"})
    return files, rejected


def _entries(folder: str, prefix: str) -> Iterator[tuple[str, os.DirEntry]]:
    """(relative path, entry) of everything under `folder` but hidden names, in sorted path
    order; linked folders are listed, not entered."""
    with os.scandir(folder) as scan:
        entries = sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
    for entry in entries:
        rel = prefix + entry.name
        yield rel, entry
        if entry.is_dir(follow_symlinks=False):
            yield from _entries(entry.path, rel + "/")


def _printable_name(rel: str) -> bool:
    """No undecodable bytes (surrogate escapes), control or format characters: the name goes
    into Parquet, JSON and reports as it is."""
    if rel.isprintable():  # no category C character at all (the common case, checked fast)
        return True
    return not any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in rel)


def _shown(rel: str) -> str:
    """A bad name made printable: undecodable bytes as \\xNN, control characters as \\uNNNN."""
    text = os.fsencode(rel).decode("utf-8", "backslashreplace")
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf") else c for c in text
    )


def relative_path(path: Path, raw_dir: Path) -> str:
    """`path` inside `raw_dir` as a POSIX path, whichever of the two was given through a
    symlinked folder (the common case, a path listed under `raw_dir`, is a string slice)."""
    text, prefix = str(path), f"{raw_dir}/"
    if text.startswith(prefix):
        return text[len(prefix) :]
    try:
        return path.relative_to(raw_dir).as_posix()
    except ValueError:
        return path.parent.resolve().joinpath(path.name).relative_to(raw_dir.resolve()).as_posix()


def digest_inputs(
    files: list[InputFile], memo: DigestMemo | None = None, read_unknown: bool = True
) -> tuple[dict[str, str | None], list[dict]]:
    """sha256 of each input file by relative path, and the files that cannot be opened;
    through `memo` (the last scan's digests), only new and changed files are read, and with
    `read_unknown` false, not even those: their digest is None (extraction reads them)."""
    digests, rejected = {}, []
    for rel, result in (memo or DigestMemo(None)).digests(files, read_unknown).items():
        if isinstance(result, PermissionError):
            rejected.append({"file": rel, "reason": "permission denied"})
        elif isinstance(result, OSError):
            rejected.append({"file": rel, "reason": f"cannot read: {result.strerror or result}"})
        else:
            digests[rel] = result
    return digests, rejected


def safe_url(url: object) -> str | None:
    """A record's URL when it is a plain http(s) URL of sane length, else None."""
    return url if isinstance(url, str) and _URL.fullmatch(url) else None


def decode(data: bytes) -> str:
    """Bytes → text: BOMs (UTF-8, UTF-16), then strict UTF-8, then cp1252. Rejects binary;
    stray NUL characters in text are dropped."""
    return _decode(data).replace("\x00", "")


def _decode(data: bytes) -> str:
    if not data or data.isspace():
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
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _without_ansi(text: str) -> str:
    """`text` without terminal colour codes."""
    return _ANSI.sub("", text) if "\x1b" in text else text


def _read_file(path: str | Path) -> tuple[bytes, FileRead]:
    """A file's bytes as stored, and what they tell (`FileRead`)."""
    try:
        # Four system calls, stat'ed on the open file (a file object makes twice as many).
        fd = os.open(path, os.O_RDONLY)
        try:
            st = os.fstat(fd)
            if st.st_size > MAX_FILE_BYTES:
                raise UnreadableFile(f"file larger than {MAX_FILE_BYTES // 2**20} MiB")
            data = _read_all(fd, st.st_size)
        finally:
            os.close(fd)
    except PermissionError as exc:
        raise UnreadableFile("permission denied") from exc
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from exc
    return data, file_read(st, data)


def _read_all(fd: int, size: int) -> bytes:
    """The bytes of an open file `size` bytes long when stat'ed: one read when it still is (a
    short read of a regular file is its end), more when it grew meanwhile."""
    data = os.read(fd, size + 1)
    if len(data) <= size:
        return data
    parts = [data]
    while part := os.read(fd, 1 << 20):
        parts.append(part)
    return b"".join(parts)


def _gunzipped(data: bytes) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
            data = gz.read(MAX_FILE_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise UnreadableFile(f"broken gzip: {exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(f"decompresses to more than {MAX_FILE_BYTES // 2**20} MiB")
    return data


def read_pages(path: str | Path, rel: str) -> tuple[list[Page], list[dict]]:
    """Pages in one file, and the JSONL records set aside (`{file, reason}`)."""
    pages, rejected, _ = read_input(path, rel)
    return pages, rejected


def read_input(path: str | Path, rel: str) -> tuple[list[Page], list[dict], FileRead]:
    """`read_pages`, and what the file's bytes told (`FileRead`: the file is read once, for
    its pages and its digest)."""
    data, read = _read_file(path)
    try:
        text = decode(_gunzipped(data) if str(path).endswith(".gz") else data)
    except UnreadableFile as exc:
        raise UnreadableFile(str(exc), read) from None
    return (*_pages(text, path, rel), read)


def _pages(text: str, path: str | Path, rel: str) -> tuple[list[Page], list[dict]]:
    """The pages of a file's text, and the JSONL records set aside."""
    if ".jsonl" not in os.path.basename(path):
        return [Page(file=rel, text=_without_ansi(text))], []
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
        text = _SURROGATE.sub("\ufffd", body)  # a lone "\\ud800" escape: not text
        page = Page(file=rel, text=_without_ansi(text), url=safe_url(rec.get("url")), record=n)
        pages.append(page)
    return pages, rejected
