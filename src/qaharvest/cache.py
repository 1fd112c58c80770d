"""Extraction cache: a file whose content and code are unchanged is not extracted again.

One folder per code version, `OUT/.cache/extract/<code>/`: each freshly extracted batch is
stored as it arrives, its rows as two Arrow IPC files (a "chunk": `<id>.occ.arrow`,
`<id>.noise.arrow`), and `index.parquet` says, for each file, its content digest, its chunk,
where its rows are and its line counts. The index is replaced at the end of a run; files no
longer input (removed or changed) leave it, chunks it no longer names are deleted, and a
chunk that has lost most of its files is rewritten with the rest. Other code versions'
folders are removed."""

from __future__ import annotations

import functools
import json
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from qaharvest.extract import (
    COUNTED,
    NOISE_SCHEMA,
    OCCURRENCE_SCHEMA,
    Batch,
    extract_each,
    take_ranges,
)
from qaharvest.memory import gc_paused
from qaharvest.readers import InputFile

INDEX = "index.parquet"
INDEX_SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("digest", pa.string()),
        ("chunk", pa.string()),
        ("occ_start", pa.int64()),
        ("occ_rows", pa.int64()),
        ("noise_start", pa.int64()),
        ("noise_rows", pa.int64()),
        ("rejected", pa.string()),  # JSON list of the file's set-aside records
        *[(f"lines_{k}", pa.int64()) for k in COUNTED],
    ]
)
_TABLES = (("occ", OCCURRENCE_SCHEMA), ("noise", NOISE_SCHEMA))


class ExtractCache:
    def __init__(self, out_dir: Path, code: str):
        self.root = out_dir / ".cache" / "extract"
        self.dir = self.root / code[:16]
        self.index = self.dir / INDEX

    def _entries(self) -> pa.Table:
        """The index (empty if missing or unreadable, and then the folder is emptied); other
        versions' folders and files are removed, and so are chunks the index does not name
        (a crashed run's)."""
        self.root.mkdir(parents=True, exist_ok=True)
        for other in self.root.iterdir():
            if other.is_dir() and other != self.dir:
                shutil.rmtree(other, ignore_errors=True)
            elif not other.is_dir():
                other.unlink(missing_ok=True)  # e.g. an older version's SQLite cache
        try:
            entries = pq.read_table(self.index, schema=INDEX_SCHEMA)
        except (OSError, pa.ArrowException):
            shutil.rmtree(self.dir, ignore_errors=True)  # missing or unreadable: start afresh
            entries = INDEX_SCHEMA.empty_table()
        self.dir.mkdir(exist_ok=True)
        self._delete_unnamed(entries)
        return entries

    def _delete_unnamed(self, entries: pa.Table) -> None:
        """Delete the chunks (and leftover files) that `entries` do not name."""
        named = set(entries["chunk"].unique().to_pylist())
        for path in self.dir.iterdir():
            if path.name != INDEX and path.name.split(".")[0] not in named:
                path.unlink(missing_ok=True)

    def holds_nothing(self) -> bool:
        """Whether no file's rows are held for this code version (a first run, or the first
        after a code change): every file is then extracted."""
        try:
            return pq.read_metadata(self.index).num_rows == 0
        except (OSError, pa.ArrowException):
            return True

    def __len__(self) -> int:
        """Files the cache holds."""
        return self._entries().num_rows

    def _read_chunk(self, chunk: str, files: pa.Table) -> Batch:
        """The rows of `files` (index entries) from one chunk, as a batch read from cache: slices
        of the memory-mapped chunk, which its buffers keep mapped once the file is closed (and
        once it is deleted, when a later rewrite replaces it)."""
        tables = []
        for part, schema in _TABLES:
            with pa.memory_map(str(self.dir / f"{chunk}.{part}.arrow")) as source:
                table = pa.ipc.open_file(source).read_all()
                if table.schema != schema:
                    raise pa.ArrowInvalid(f"chunk {chunk}: unexpected schema")
                starts = files[f"{part}_start"].to_numpy()
                tables.append(take_ranges(table, starts, files[f"{part}_rows"].to_numpy()))
        return Batch(
            files=files["file"].to_pylist(),
            occurrence_rows=files["occ_rows"].to_pylist(),
            noise_rows=files["noise_rows"].to_pylist(),
            occurrences=tables[0],
            noise=tables[1],
            rejected=[json.loads(r) for r in files["rejected"].to_pylist()],
            counts=np.column_stack([files[f"lines_{k}"].to_numpy() for k in COUNTED]),
            files_processed=0,
            files_from_cache=files.num_rows,
            reads=[None] * files.num_rows,
        )

    def _store(
        self, stored: list[pa.Table], batch: Batch, digests: list[str | None] | None = None
    ) -> None:
        """Write a batch as a new chunk and add its files' index entries to `stored`; the
        files' digests are those read with them, unless given (a chunk rewritten)."""
        if digests is None:
            digests = [read.sha256 if read else None for read in batch.reads]
        chunk = uuid.uuid4().hex
        for part, table in (("occ", batch.occurrences), ("noise", batch.noise)):
            with pa.ipc.new_file(str(self.dir / f"{chunk}.{part}.arrow"), table.schema) as out:
                out.write_table(table)
        occ_rows = np.asarray(batch.occurrence_rows, dtype=np.int64)
        noise_rows = np.asarray(batch.noise_rows, dtype=np.int64)
        columns = {
            "file": batch.files,
            "digest": digests,
            "chunk": [chunk] * len(batch.files),
            "occ_start": np.cumsum(occ_rows) - occ_rows,
            "occ_rows": occ_rows,
            "noise_start": np.cumsum(noise_rows) - noise_rows,
            "noise_rows": noise_rows,
            "rejected": [json.dumps(r) if r else "[]" for r in batch.rejected],
        }
        columns |= {f"lines_{k}": batch.counts[:, i] for i, k in enumerate(COUNTED)}
        stored.append(pa.table(columns, schema=INDEX_SCHEMA))

    def _save(self, stored: list[pa.Table]) -> None:
        """Replace the index with `stored` (atomically), then delete the chunks it does not
        name."""
        entries = pa.concat_tables([INDEX_SCHEMA.empty_table(), *stored])
        tmp = self.index.with_name(f".{INDEX}.{os.getpid()}.tmp")
        pq.write_table(entries, tmp)
        os.replace(tmp, self.index)
        self._delete_unnamed(entries)

    def extract(
        self,
        files: list[InputFile],
        digests: dict[str, str | None],
        extractor: Callable[..., list[Batch]] = extract_each,
    ) -> Batch:
        """Extract `files`, reading unchanged ones (by `digests`; a file whose digest is None
        is not known to be) from the cache and the others with `extractor(files,
        on_batch=...)` (local process pool by default, Dask shards in the flow), which hands
        each batch to `on_batch` as it arrives; drop the entries of files no longer input.
        The index changes once, at the end."""
        entries = self._entries()
        held = Counter(entries["chunk"].to_pylist())  # files each chunk was written with
        stored: list[pa.Table] = []  # the new index, a part at a time
        store = functools.partial(self._store, stored)
        batches = []
        with gc_paused():
            for chunk, live in _by_chunk(_still_input(entries, digests)):
                try:
                    batch = self._read_chunk(chunk, live)
                except (OSError, pa.ArrowException):
                    continue  # an unreadable chunk: its files are extracted again
                batches.append(batch)
                if 2 * live.num_rows < held[chunk]:  # most of the chunk is gone: rewrite the rest
                    store(batch, live["digest"].to_pylist())
                else:
                    stored.append(live)
            cached = {rel for batch in batches for rel in batch.files}
            missing = [file for file in files if file.rel not in cached]
            if missing:
                batches += extractor(missing, on_batch=store)
        self._save(stored)
        return Batch.concat(batches)


def _still_input(entries: pa.Table, digests: dict[str, str]) -> pa.Table:
    """The entries whose file is still an input with the same content."""
    now = pa.array([digests.get(rel) for rel in entries["file"].to_pylist()], pa.string())
    return entries.filter(pc.fill_null(pc.equal(entries["digest"], now), False))


def _by_chunk(entries: pa.Table) -> Iterator[tuple[str, pa.Table]]:
    """The entries of each chunk, in index order."""
    rows: dict[str, list[int]] = {}
    for i, chunk in enumerate(entries["chunk"].to_pylist()):
        rows.setdefault(chunk, []).append(i)
    for chunk, taken in rows.items():
        yield chunk, entries.take(taken)

