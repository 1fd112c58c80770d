"""Extraction: raw files → question/answer occurrences, with line accounting and noise lines.

`extract_each` extracts files in compact `Batch`es (Arrow rows; the flow reaches it through the
cache), `extract_files` joins them into one; `extract_page` does one page.
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from qaharvest.readers import Page, UnreadableFile, read_pages, relative_path, split_lines
from qaharvest.segment import KINDS, LineClass, classify_page, classify_pages, strip_seo_prefix

OCCURRENCE_COLUMNS = [
    "file",
    "line",
    "url",
    "record",
    "title",
    "question",
    "answer",
    "answer_cut",
]
MIN_FILES_FOR_POOL = 200
NOISE_COLUMNS = ["file", "line", "rule", "text"]
COUNTED = ("read", *KINDS)  # a file's line counts: lines read, then lines of each kind
BATCH_FILES = 1000  # files per batch: a shard of the process pool, a read from the cache
CLASSIFY_LINES = 1 << 16  # lines of pages classified together (bounds the memory it holds)
_TEXT = pa.large_string()  # what pandas' `str` columns hold
OCCURRENCE_SCHEMA = pa.schema(
    [
        ("file", _TEXT),
        ("line", pa.int64()),
        ("url", _TEXT),
        ("record", pa.int64()),
        ("title", _TEXT),
        ("question", _TEXT),
        ("answer", _TEXT),
        ("answer_cut", pa.bool_()),
    ]
)
NOISE_SCHEMA = pa.schema([("file", _TEXT), ("line", pa.int64()), ("rule", _TEXT), ("text", _TEXT)])


@dataclass
class Extracted:
    """What extraction produced for a batch of files."""

    # One list per column of OCCURRENCE_COLUMNS: a million rows as dicts would cost a GB.
    occurrences: dict[str, list] = field(
        default_factory=lambda: {c: [] for c in OCCURRENCE_COLUMNS}
    )
    noise: list[dict] = field(default_factory=list)
    line_counts: Counter = field(default_factory=Counter)
    rejected_files: list[dict] = field(default_factory=list)
    files_processed: int = 0
    files_from_cache: int = 0

    def merge(self, other: Extracted) -> Extracted:
        for column, values in other.occurrences.items():
            self.occurrences[column] += values
        self.noise += other.noise
        self.line_counts += other.line_counts
        self.rejected_files += other.rejected_files
        self.files_processed += other.files_processed
        self.files_from_cache += other.files_from_cache
        return self

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        with gc_paused():
            occ = pd.DataFrame(self.occurrences, columns=OCCURRENCE_COLUMNS)
            noise = pd.DataFrame(self.noise, columns=NOISE_COLUMNS)
        return occ, noise

    def tables(self) -> tuple[pa.Table, pa.Table]:
        """The occurrences and noise rows as Arrow tables: no Python object per value."""
        occ = pa.table(self.occurrences, schema=OCCURRENCE_SCHEMA)
        return occ, pa.Table.from_pylist(self.noise, schema=NOISE_SCHEMA)


@dataclass
class Batch:
    """Extraction of several files, compact: their rows as Arrow tables, file after file, with
    each file's row counts, line counts (a row of `counts`, columns `COUNTED`) and set-aside
    records."""

    files: list[str]
    occurrence_rows: list[int]
    noise_rows: list[int]
    occurrences: pa.Table
    noise: pa.Table
    rejected: list[list[dict]]
    counts: np.ndarray
    files_processed: int
    files_from_cache: int

    @classmethod
    def of(cls, parts: Iterable[tuple[str, Extracted]]) -> Batch:
        """The batch of per-file results ({relative path, result} in file order)."""
        acc, files, occ_rows, noise_rows, rejected, counts = Extracted(), [], [], [], [], []
        for rel, part in parts:
            files.append(rel)
            occ_rows.append(len(part.occurrences["file"]))
            noise_rows.append(len(part.noise))
            rejected.append(part.rejected_files)
            counts.append([part.line_counts[k] for k in COUNTED])
            acc.merge(part)
        occ, noise = acc.tables()
        return cls(
            files=files,
            occurrence_rows=occ_rows,
            noise_rows=noise_rows,
            occurrences=occ,
            noise=noise,
            rejected=rejected,
            counts=np.array(counts, dtype=np.int64).reshape(len(files), len(COUNTED)),
            files_processed=acc.files_processed,
            files_from_cache=acc.files_from_cache,
        )

    @classmethod
    def concat(cls, batches: list[Batch]) -> Batch:
        """All batches as one, files in path order (the order of a merge by path)."""
        files = [f for b in batches for f in b.files]
        order = sorted(range(len(files)), key=files.__getitem__)
        occ_rows = [n for b in batches for n in b.occurrence_rows]
        noise_rows = [n for b in batches for n in b.noise_rows]
        rejected = [r for b in batches for r in b.rejected]
        return cls(
            files=[files[i] for i in order],
            occurrence_rows=[occ_rows[i] for i in order],
            noise_rows=[noise_rows[i] for i in order],
            occurrences=_in_order(
                [b.occurrences for b in batches], OCCURRENCE_SCHEMA, occ_rows, order
            ),
            noise=_in_order([b.noise for b in batches], NOISE_SCHEMA, noise_rows, order),
            rejected=[rejected[i] for i in order],
            counts=np.concatenate(
                [b.counts for b in batches] or [np.zeros((0, len(COUNTED)), np.int64)]
            )[order],
            files_processed=sum(b.files_processed for b in batches),
            files_from_cache=sum(b.files_from_cache for b in batches),
        )

    @property
    def line_counts(self) -> Counter:
        """Lines read and lines by kind, over all files."""
        return Counter(dict(zip(COUNTED, self.counts.sum(axis=0).tolist(), strict=True)))

    @property
    def rejected_files(self) -> list[dict]:
        """Files and records set aside, in file order."""
        return [r for file_rejected in self.rejected for r in file_rejected]

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The frames `Extracted.frames()` builds from the same rows (string columns share
        the Arrow buffers)."""
        empty_occ, empty_noise = Extracted().frames()
        return _frame(self.occurrences, empty_occ), _frame(self.noise, empty_noise)

    def pop_frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """`frames()`, then drop the tables: the rows live on in the frames only."""
        frames = self.frames()
        self.occurrences, self.noise = OCCURRENCE_SCHEMA.empty_table(), NOISE_SCHEMA.empty_table()
        return frames


def _in_order(
    tables: list[pa.Table], schema: pa.Schema, rows: list[int], order: list[int]
) -> pa.Table:
    """The rows of `tables` (`rows[i]` for the i-th file) with the files put in `order`."""
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    if order == list(range(len(order))):
        return table
    rows, order = np.asarray(rows, dtype=np.int64), np.asarray(order, dtype=np.int64)
    lengths = rows[order]
    starts = (np.cumsum(rows) - rows)[order]
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return table.take(shift + np.arange(lengths.sum()))


def _frame(table: pa.Table, empty: pd.DataFrame) -> pd.DataFrame:
    """`table` as pandas infers it from Python values (`empty` when there are no rows): a
    column without any value holds None."""
    if not table.num_rows:
        return empty
    return pd.DataFrame(
        {
            name: np.full(len(col), None, dtype=object)
            if col.null_count == len(col)
            else col.to_pandas()
            for name, col in zip(table.column_names, table.columns, strict=True)
        }
    )


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while millions of acyclic objects are built or received:
    each collection would walk them all (reference counting still frees what is dropped)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def extract_page(page: Page) -> Extracted:
    """Occurrences (one per question asked), noise lines and line counts for one page."""
    res = Extracted(line_counts=Counter(read=0))  # an empty page still reports 0 lines read
    _add_page(res, page, classify_page(split_lines(page.text)))
    return res


def _add_page(res: Extracted, page: Page, lines: list[LineClass]) -> None:
    """Add one page's occurrences, noise lines and line counts to `res`, given the classes of
    its lines (an empty page adds nothing)."""
    if not lines:
        return
    res.line_counts.update(c.kind for c in lines)
    res.line_counts["read"] += len(lines)
    occ = res.occurrences
    first_row = len(occ["line"])
    where = f"{page.file}#{page.record}" if page.record else page.file
    asked_at, asked = 0, ()  # the last question line and its questions, waiting for answer text
    answer: list[str] = []
    gap = cut = False
    for n, c in enumerate(lines, start=1):
        if c.kind == "question":
            _add_occurrences(occ, asked_at, asked, answer, cut)
            asked_at, asked = n, c.questions
            answer, gap, cut = [], False, False
        elif c.kind == "answer" and asked:
            answer.append(("\n\n" if gap else "\n") + c.text if answer else c.text)
            gap = False
        elif c.kind == "blank":
            gap = True
        elif c.kind == "noise":
            cut = cut or (c.rule == "more-rows" and bool(answer))
            res.noise.append({"file": where, "line": n, "rule": c.rule, "text": c.text})
    _add_occurrences(occ, asked_at, asked, answer, cut)
    rows = len(occ["line"]) - first_row
    shared = {"file": page.file, "url": page.url, "record": page.record, "title": _title(lines)}
    for column, value in shared.items():
        occ[column] += [value] * rows


def _title(lines: list[LineClass]) -> str | None:
    """The page title (a title line, or a question line that is one), without an SEO prefix."""
    for c in lines:
        if c.kind == "title" or c.rule == "title-question":
            return strip_seo_prefix(c.text)
    return None


def _add_occurrences(
    occ: dict[str, list], line: int, questions: tuple[str, ...], answer: list[str], cut: bool
) -> None:
    """The line and answer columns of the occurrences of one question line: the answer text
    goes to its last question (`cut` when a "more rows" line cut it short)."""
    text = "".join(answer).strip() or None
    last = len(questions) - 1
    for k, question in enumerate(questions):
        occ["line"].append(line)
        occ["question"].append(question)
        occ["answer"].append(text if k == last else None)
        occ["answer_cut"].append(k == last and text is not None and cut)


def extract_file(path: Path, rel: str) -> Extracted:
    """Extract every page of one file; an unreadable file is set aside with its reason."""
    return _extract_many([(path, rel)])[0][1]


def _extract_many(files: list[tuple[str | Path, str]]) -> list[tuple[str, Extracted]]:
    """`extract_file` for each (path, relative path). The lines of many pages are classified
    together (`classify_pages`), up to CLASSIFY_LINES at a time."""
    parts, pending, lines = [], [], 0
    for path, rel in files:
        res = Extracted()
        parts.append((rel, res))
        try:
            pages, bad_records = read_pages(path, rel)
        except UnreadableFile as exc:
            res.rejected_files.append({"file": rel, "reason": str(exc)})
            continue
        res.rejected_files += bad_records
        res.files_processed = 1
        for page in pages:
            page_lines = split_lines(page.text)
            pending.append((res, page, page_lines))
            lines += len(page_lines)
            if lines >= CLASSIFY_LINES:
                _add_pages(pending)
                pending, lines = [], 0
    _add_pages(pending)
    return parts


def _add_pages(pending: list[tuple[Extracted, Page, list[str]]]) -> None:
    """Classify the lines of the pages together, then add each page to its file's result."""
    classes = classify_pages([lines for _, _, lines in pending])
    for (res, page, _), page_classes in zip(pending, classes, strict=True):
        _add_page(res, page, page_classes)


def _extract_shard(shard: list[tuple[str, str]]) -> Batch:
    """One batch of files."""
    with gc_paused():
        parts = _extract_many(shard)
        batch = Batch.of(parts)
        del parts  # freed while collection is paused: resuming it would walk them all once
    return batch


def shards(items: list, n: int) -> list[list]:
    """Split items into n contiguous shards of near-equal size (order kept)."""
    n = max(1, min(n, len(items)))
    size, extra = divmod(len(items), n)
    out, start = [], 0
    for i in range(n):
        end = start + size + (i < extra)
        out.append(items[start:end])
        start = end
    return [s for s in out if s]


def extract_each(
    files: list[Path],
    raw_dir: Path,
    workers: int | None = None,
    on_done: Callable[[int], None] | None = None,
    on_batch: Callable[[Batch], None] | None = None,
) -> list[Batch]:
    """Extract the files in batches of at most `BATCH_FILES` (in file order), over a process
    pool when there are enough to pay for it (both cores on a 2-core machine). `on_done(n)`
    is told as files finish (a progress bar); `on_batch` gets each batch as it arrives (the
    cache stores it there)."""
    items = [(str(p), relative_path(p, raw_dir)) for p in files]
    workers = workers or os.cpu_count() or 1
    n = -(-len(items) // BATCH_FILES)
    out: list[Batch] = []

    def done(batch: Batch) -> None:
        if on_batch:
            on_batch(batch)
        if on_done:
            on_done(len(batch.files))
        out.append(batch)

    if workers == 1 or len(items) < MIN_FILES_FOR_POOL:
        for shard in shards(items, n):
            done(_extract_shard(shard))
        return out
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for batch in pool.map(_extract_shard, shards(items, max(n, workers * 8))):
            done(batch)
    return out


def extract_files(files: list[Path], raw_dir: Path, workers: int | None = None) -> Batch:
    """Extract a batch of files into one result, in file order."""
    return Batch.concat(extract_each(files, raw_dir, workers))


def line_accounting(counts: Counter) -> dict:
    """Lines read and lines by kind; the kinds add up to the lines read."""
    acc = {"read": counts.get("read", 0)}
    acc.update({k: counts.get(k, 0) for k in KINDS})
    return acc
