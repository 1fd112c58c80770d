"""Content fingerprints: of each input file, of the whole input, and of the code and schemas
that shape a release (so a code change is a change too)."""

from __future__ import annotations

import hashlib
import os
import struct
import time
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

from qaharvest import __version__
from qaharvest.parallel import map_slices
from qaharvest.schema import SCHEMAS_DIR

READ_CHUNK = 1 << 18
# Files from which a scan hashes on every core (below, starting processes costs more than
# it saves), and how many each process takes at a time.
PARALLEL_MIN_FILES = 5000
PARALLEL_CHUNK = 2000
# A file changed this recently may change again within one timestamp tick, unseen by its
# stat: its digest is not remembered (git's "racy" entries).
RACY_NS = 2_000_000_000
_STAT = struct.Struct("<qqqQ")  # size, modification and change times (ns), inode
_MEMO_SCHEMA = pa.schema(
    [("file", pa.string()), ("stat", pa.binary(_STAT.size)), ("sha256", pa.string())]
)


class FileRead(NamedTuple):
    """What reading a file tells of it: its `stat_key` (taken before reading), the time it
    last changed (ns) and the sha256 of its bytes."""

    key: bytes
    changed_ns: int
    sha256: str


def file_read(st: os.stat_result, data: bytes) -> FileRead:
    """The `FileRead` of a file whose stat is `st` and bytes `data`."""
    return _file_read(st, hashlib.sha256(data).hexdigest())


def _file_read(st: os.stat_result, sha256: str) -> FileRead:
    return FileRead(stat_key(st), max(st.st_mtime_ns, st.st_ctime_ns), sha256)


def file_digest(path: Path | str) -> str:
    """sha256 of a file's bytes."""
    return stat_and_digest(path)[1]


def stat_and_digest(path: Path | str) -> tuple[os.stat_result, str]:
    """A file's stat, taken before reading it (a change while reading shows next time), and
    the sha256 of its bytes (read unbuffered: most inputs are a few KB, and a buffered file
    object costs more than hashing them; in chunks below `memory`'s mapping threshold, or
    each read of a small file would map and unmap a fresh block)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        st = os.fstat(fd)
        h = hashlib.sha256()
        while chunk := os.read(fd, READ_CHUNK):
            h.update(chunk)
        return st, h.hexdigest()
    finally:
        os.close(fd)


def stat_and_digest_each(paths: list[str]) -> list[FileRead | OSError]:
    """For each file, its `FileRead`, or the error that reading it raised; on every core when
    there are many (hashing 100k pages of a few KB keeps one core busy a second)."""
    parallel = len(paths) >= PARALLEL_MIN_FILES
    parts = map_slices(_stat_and_digest_each, paths, PARALLEL_CHUNK, parallel)
    return [result for part in parts for result in part]


def _stat_and_digest_each(paths: list[str]) -> list[FileRead | OSError]:
    results: list[FileRead | OSError] = []
    for path in paths:
        try:
            st, digest = stat_and_digest(path)
        except OSError as exc:
            results.append(exc)
        else:
            results.append(_file_read(st, digest))
    return results


def code_fingerprint() -> str:
    """Package version, source of the package and every schema and suite file."""
    h = hashlib.sha256(__version__.encode())
    roots = [Path(__file__).parent, SCHEMAS_DIR]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".json"):
                h.update(path.name.encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def input_fingerprint(digests: dict[str, str]) -> str:
    """sha256 over the sorted (relative path, content sha256) of every input file."""
    h = hashlib.sha256()
    for rel in sorted(digests):
        h.update(f"{rel}\0{digests[rel]}\n".encode())
    return h.hexdigest()


def stat_key(st: os.stat_result) -> bytes:
    """What tells that a file may have changed, packed: size, modification and change times,
    inode (the change time moves on every write, even one that restores the modification
    time)."""
    return _STAT.pack(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


class DigestMemo:
    """The digests of the last scan, by relative path and `stat_key`, in
    `OUT/.cache/digests.parquet`: a scheduled run over an unchanged folder reads no file.
    An unreadable memo is dropped (every file is hashed again); without an output folder,
    nothing is remembered."""

    def __init__(self, out_dir: Path | None):
        self.path = out_dir / ".cache" / "digests.parquet" if out_dir else None
        self.known = self._read() if self.path else {}
        self.seen: dict[str, tuple[bytes, str]] = {}

    def _read(self) -> dict[str, tuple[bytes, str]]:
        try:
            table = pq.read_table(self.path, schema=_MEMO_SCHEMA)
        except (OSError, pa.ArrowException):
            return {}
        files, stats, digests = (table[name].to_pylist() for name in _MEMO_SCHEMA.names)
        return dict(zip(files, zip(stats, digests, strict=True), strict=True))

    def digests(
        self, files: list[tuple[str, str]], read_unknown: bool = True
    ) -> dict[str, str | OSError | None]:
        """sha256 of each file (path, relative path), or the error that reading it raised:
        remembered when its stat is unchanged, else read and hashed (`stat_and_digest_each`);
        None for those, unless `read_unknown` (the caller reads them, and tells `remember`)."""
        found: dict[str, str | OSError | None] = {}
        unknown: list[tuple[str, str]] = []
        for path, rel in files:
            known = self.known.get(rel)
            if known is None:
                unknown.append((path, rel))
                continue
            try:
                st = os.stat(path)
            except OSError as exc:
                found[rel] = exc
                continue
            if stat_key(st) == known[0]:  # unchanged: remembered, and not racy, as before
                self.seen[rel] = known
                found[rel] = known[1]
            else:
                unknown.append((path, rel))
        if not read_unknown:
            found |= dict.fromkeys((rel for _, rel in unknown), None)
            return {rel: found[rel] for _, rel in files}
        read = stat_and_digest_each([path for path, _ in unknown])
        for (_, rel), result in zip(unknown, read, strict=True):
            found[rel] = result if isinstance(result, OSError) else self.remember(rel, result)
        return {rel: found[rel] for _, rel in files}

    def remember(self, rel: str, read: FileRead) -> str:
        """Remember a file's digest for the next scan, unless it changed too recently; return
        the digest."""
        if time.time_ns() - read.changed_ns > RACY_NS:
            self.seen[rel] = (read.key, read.sha256)
        return read.sha256

    def save(self) -> None:
        """Remember the digests of this scan (files no longer there are forgotten)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.table(
            {
                "file": list(self.seen),
                "stat": [key for key, _ in self.seen.values()],
                "sha256": [digest for _, digest in self.seen.values()],
            },
            schema=_MEMO_SCHEMA,
        )
        tmp = self.path.with_suffix(".tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, self.path)
        del table
        pa.default_memory_pool().release_unused()  # Arrow's allocator would keep it
