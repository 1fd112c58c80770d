"""Per-file extraction cache: a file whose content and code are unchanged is not extracted
again. Entries live in one SQLite database per code version, `OUT/.cache/extract/<code>.sqlite`,
one row per file with its content digest; rows not used by a run are dropped (removed or
changed files), and so are the databases of other code versions."""

from __future__ import annotations

import pickle
import shutil
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import closing
from pathlib import Path

from qaharvest.extract import Extracted, extract_each, gc_paused

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
    def _load(db: sqlite3.Connection, digests: dict[str, str]) -> dict[str, Extracted]:
        """Entries whose file is still an input with the same content."""
        parts = {}
        for rel, digest, blob in db.execute("SELECT file, digest, part FROM entries"):
            if digests.get(rel) != digest:
                continue
            try:
                part = pickle.loads(blob)
            except (pickle.PickleError, EOFError, AttributeError, TypeError):
                continue  # unreadable entry: extract again
            part.files_from_cache, part.files_processed = 1, 0
            parts[rel] = part
        return parts

    @staticmethod
    def _save(
        db: sqlite3.Connection,
        fresh: dict[str, Extracted],
        digests: dict[str, str],
        inputs: Iterable[str],
    ) -> None:
        """Store the fresh entries and drop those of files no longer input, in one transaction."""
        with db:
            db.execute("CREATE TEMP TABLE inputs (file TEXT PRIMARY KEY)")
            db.executemany("INSERT INTO inputs VALUES (?)", ((rel,) for rel in inputs))
            db.execute("DELETE FROM entries WHERE file NOT IN (SELECT file FROM inputs)")
            db.executemany(
                "INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
                (
                    (rel, digests[rel], pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))
                    for rel, part in fresh.items()
                ),
            )

    def extract(
        self,
        files: list[Path],
        raw_dir: Path,
        digests: dict[str, str],
        extractor: Callable[[list[Path], Path], dict[str, Extracted]] = extract_each,
    ) -> Extracted:
        """Extract `files`, reading unchanged ones from the cache and the others with
        `extractor` (local process pool by default, Dask shards in the flow); prune unused
        entries."""
        raw_dir = raw_dir.resolve()
        wanted = {path.relative_to(raw_dir).as_posix(): path for path in files}
        with closing(self._connect()) as db, gc_paused():
            parts = self._load(db, {rel: digests[rel] for rel in wanted})
            missing = [path for rel, path in wanted.items() if rel not in parts]
            fresh = extractor(missing, raw_dir) if missing else {}
            self._save(db, fresh, digests, wanted)
            parts.update(fresh)
            result = Extracted()
            for rel in sorted(parts):
                result.merge(parts[rel])
        return result
