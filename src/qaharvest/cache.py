"""Per-file extraction cache: a file whose content and code are unchanged is not extracted
again. Entries live in `OUT/.cache/extract/<code>/`, keyed by path and content digest;
entries not used by a run are dropped (removed or changed files)."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

from qaharvest.extract import Extracted, extract_each


class ExtractCache:
    def __init__(self, out_dir: Path, code: str):
        self.root = out_dir / ".cache" / "extract"
        self.dir = self.root / code[:16]

    def _entry(self, rel: str, digest: str) -> Path:
        return self.dir / (hashlib.sha256(f"{rel}\0{digest}".encode()).hexdigest() + ".pkl")

    def _load(self, path: Path) -> Extracted | None:
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except (OSError, pickle.PickleError, EOFError, AttributeError):
            return None  # missing or unreadable entry: extract again

    def _store(self, path: Path, part: Extracted) -> None:
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with tmp.open("wb") as fh:
            pickle.dump(part, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)

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
        self.dir.mkdir(parents=True, exist_ok=True)
        result, missing, used = Extracted(), [], set()
        parts: dict[str, Extracted] = {}
        for path in files:
            rel = path.relative_to(raw_dir).as_posix()
            entry = self._entry(rel, digests[rel])
            used.add(entry.name)
            part = self._load(entry)
            if part is None:
                missing.append(path)
            else:
                part.files_from_cache, part.files_processed = 1, 0
                parts[rel] = part
        for rel, fresh in (extractor(missing, raw_dir) if missing else {}).items():
            parts[rel] = fresh
            self._store(self._entry(rel, digests[rel]), fresh)
        for rel in sorted(parts):
            result.merge(parts[rel])
        for old in self.dir.iterdir():
            if old.name not in used:
                old.unlink(missing_ok=True)
        for other in self.root.iterdir():
            if other != self.dir:
                shutil.rmtree(other, ignore_errors=True)  # entries of another code version
        return result
