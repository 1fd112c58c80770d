"""Per-file extraction cache: a file whose content and code are unchanged is not extracted
again. Entries live in one SQLite database per code version, `OUT/.cache/extract/<code>.sqlite`,
one row per file with its content digest; rows not used by a run are dropped (removed or
changed files), and so are the databases of other code versions."""

from __future__ import annotations

import functools
import pickle
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from itertools import islice
from pathlib import Path

from qaharvest.extract import BATCH_FILES, Batch, Extracted, extract_each, gc_paused
from qaharvest.readers import relative_path

SCHEMA = "CREATE TABLE IF NOT EXISTS entries (file TEXT PRIMARY KEY, digest TEXT, part BLOB)"


class ExtractCache:
    def __init__(self, out_dir: Path, code: str):
        self.root = out_dir / ".cache" / "extract"
        self.path = self.root / f"{code[:16]}.sqlite"

    def _connect(self) -> sqlite3.Connection:
        """The database, created if missing or unreadable; other versions' are removed."""
        self.root.mkdir(parents=True, exist_ok=True)
        for other in self.root.iterdir():
            if other.is_dir():
                shutil.rmtree(other, ignore_errors=True)  # per-file entries of older versions
            elif not other.name.startswith(self.path.name):  # keeps a crashed run's journal
                other.unlink(missing_ok=True)
        try:
            return self._open()
        except sqlite3.DatabaseError:
            self.path.unlink(missing_ok=True)  # not a database: the cache is safe to drop
            return self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path)
        try:
            db.execute(SCHEMA)
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def __len__(self) -> int:
        """Entries held."""
        with closing(self._connect()) as db:
            return db.execute("SELECT count(*) FROM entries").fetchone()[0]

    @staticmethod
    def _load(db: sqlite3.Connection, digests: dict[str, str]) -> Iterator[Batch]:
        """Entries whose file is still an input with the same content, in batches (path order)."""
        rows = db.execute("SELECT file, digest, part FROM entries ORDER BY file")
        parts = (
            (rel, part)
            for rel, digest, blob in rows
            if digests.get(rel) == digest and (part := _unpickle(blob)) is not None
        )
        while batch := list(islice(parts, BATCH_FILES)):
            yield Batch.of(batch)

    @staticmethod
    def _prune(db: sqlite3.Connection, inputs: Iterable[str]) -> None:
        """Drop the entries of files no longer input."""
        db.execute("CREATE TEMP TABLE inputs (file TEXT PRIMARY KEY)")
        db.executemany("INSERT INTO inputs VALUES (?)", ((rel,) for rel in inputs))
        db.execute("DELETE FROM entries WHERE file NOT IN (SELECT file FROM inputs)")

    @staticmethod
    def _store(db: sqlite3.Connection, digests: dict[str, str], batch: Batch) -> None:
        """Store the entries of a freshly extracted batch, then let the batch drop them."""
        db.executemany(
            "INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
            ((rel, digests[rel], blob) for rel, blob in batch.entries.items()),
        )
        batch.entries = {}

    def extract(
        self,
        files: list[Path],
        raw_dir: Path,
        digests: dict[str, str],
        extractor: Callable[..., list[Batch]] = extract_each,
    ) -> Batch:
        """Extract `files`, reading unchanged ones from the cache and the others with
        `extractor(files, raw_dir, on_batch=...)` (local process pool by default, Dask shards
        in the flow), which hands each batch to `on_batch` as it arrives; prune unused
        entries. The cache changes in one transaction."""
        raw_dir = raw_dir.resolve()
        wanted = {relative_path(path, raw_dir): path for path in files}
        with closing(self._connect()) as db, gc_paused():
            batches = list(self._load(db, {rel: digests[rel] for rel in wanted}))
            cached = {rel for batch in batches for rel in batch.files}
            missing = [path for rel, path in wanted.items() if rel not in cached]
            with db:
                self._prune(db, wanted)
                if missing:
                    store = functools.partial(self._store, db, digests)
                    batches += extractor(missing, raw_dir, on_batch=store)
        return Batch.concat(batches)


def _unpickle(blob: bytes) -> Extracted | None:
    """A stored per-file result counted as read from the cache; None when unreadable."""
    try:
        part = pickle.loads(blob)
    except (pickle.PickleError, EOFError, AttributeError, TypeError):
        return None  # unreadable entry: extract again
    part.files_from_cache, part.files_processed = 1, 0
    return part
