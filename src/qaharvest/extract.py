"""Extraction: raw files → question/answer occurrences, with line accounting and noise lines.

`extract_each` extracts files in compact `Batch`es (Arrow rows; the flow reaches it through the
cache), `extract_files` joins them into one; `extract_pages` does pages already read. The rows
of many pages are built together, column by column, from the classes of their lines.
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from qaharvest.fingerprint import FileRead
from qaharvest.memory import gc_paused, reuse_freed_blocks
from qaharvest.readers import InputFile, Page, UnreadableFile, read_input, split_lines
from qaharvest.segment import KINDS, Classified, classify_together, strip_seo_prefix

MIN_FILES_FOR_POOL = 200
COUNTED = ("read", *KINDS)  # a file's line counts: lines read, then lines of each kind
BATCH_FILES = 1000  # files per batch: a shard of the process pool, a read from the cache
MAX_RUNS = 1024  # slices of a table before its rows are copied out instead (`take_ranges`)
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
class Batch:
    """Extraction of several files, compact: their rows as Arrow tables, file after file, with
    each file's row counts, line counts (a row of `counts`, columns `COUNTED`), set-aside
    records and what reading it told (`FileRead`; None for a file that could not be read,
    or was not: rows from the cache, pages given as text)."""

    files: list[str]
    occurrence_rows: list[int]
    noise_rows: list[int]
    occurrences: pa.Table
    noise: pa.Table
    rejected: list[list[dict]]
    counts: np.ndarray
    files_processed: int
    files_from_cache: int
    reads: list[FileRead | None]

    @classmethod
    def concat(cls, batches: list[Batch]) -> Batch:
        """All batches as one, files in path order (the order of a merge by path)."""
        files = [f for b in batches for f in b.files]
        order = sorted(range(len(files)), key=files.__getitem__)
        occ_rows = [n for b in batches for n in b.occurrence_rows]
        noise_rows = [n for b in batches for n in b.noise_rows]
        rejected = [r for b in batches for r in b.rejected]
        reads = [r for b in batches for r in b.reads]
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
            reads=[reads[i] for i in order],
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
        """The occurrences and noise rows as pandas frames (string columns share the Arrow
        buffers)."""
        return _frame(self.occurrences), _frame(self.noise)

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
    rows, order = np.asarray(rows, dtype=np.int64), np.asarray(order, dtype=np.int64)
    return take_ranges(table, (np.cumsum(rows) - rows)[order], rows[order])


def take_ranges(table: pa.Table, starts: np.ndarray, lengths: np.ndarray) -> pa.Table:
    """The rows of `table` in the ranges (start, length), one range after another. Ranges that
    follow on from each other make one run, and the runs are slices of `table` (no copy: an
    incremental run's cached files are runs of whole chunks); with more than MAX_RUNS runs,
    the rows are copied out in one take."""
    starts, lengths = starts[lengths > 0], lengths[lengths > 0]
    if not len(starts):
        return table.slice(0, 0)
    ends = starts + lengths
    first = np.flatnonzero(np.append(True, starts[1:] != ends[:-1]))  # each run's first range
    last = np.append(first[1:], len(starts)) - 1
    if len(first) > MAX_RUNS:
        positions = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        return table.take(positions + np.arange(lengths.sum()))
    runs = [table.slice(a, b - a) for a, b in zip(starts[first], ends[last], strict=True)]
    return pa.concat_tables(runs)


def _frame(table: pa.Table) -> pd.DataFrame:
    """`table` as pandas infers it from Python values (columns of Python objects when there
    are no rows): a column without any value holds None."""
    if not table.num_rows:
        return pd.DataFrame({name: [] for name in table.column_names}, dtype=object)
    return pd.DataFrame(
        {
            name: np.full(len(col), None, dtype=object)
            if col.null_count == len(col)
            else col.to_pandas()
            for name, col in zip(table.column_names, table.columns, strict=True)
        }
    )


def extract_page(page: Page) -> Batch:
    """Occurrences (one per question asked), noise lines and line counts for one page."""
    return extract_pages([page])


def extract_pages(pages: list[Page]) -> Batch:
    """Each page extracted, as a batch with one entry per page (in the order given)."""
    with gc_paused():
        rows = _Rows(len(pages))
        rows.add(list(enumerate(pages)), classify_together([split_lines(p.text) for p in pages]))
        files = [p.file for p in pages]
        return rows.batch(files, [[] for _ in pages], [None for _ in pages], len(pages))


def extract_file(path: Path | str, rel: str) -> Batch:
    """Extract every page of one file; an unreadable file is set aside with its reason."""
    return _extract_shard([InputFile(str(path), rel)])


def _extract_shard(shard: list[InputFile]) -> Batch:
    """One batch of files (path, relative path). The lines of many pages are classified
    together (`classify_together`), up to CLASSIFY_LINES at a time."""
    with gc_paused():
        rows, rejected, reads, processed = _Rows(len(shard)), [], [], 0
        pending: list[tuple[int, Page]] = []
        page_lines: list[list[str]] = []
        lines = 0
        for i, (path, rel) in enumerate(shard):
            try:
                pages, bad_records, read = read_input(path, rel)
            except UnreadableFile as exc:
                rejected.append([{"file": rel, "reason": str(exc)}])
                reads.append(exc.read)
                continue
            rejected.append(bad_records)
            reads.append(read)
            processed += 1
            for page in pages:
                pending.append((i, page))
                page_lines.append(split_lines(page.text))
                lines += len(page_lines[-1])
                if lines >= CLASSIFY_LINES:
                    rows.add(pending, classify_together(page_lines))
                    pending, page_lines, lines = [], [], 0
        rows.add(pending, classify_together(page_lines))
        return rows.batch([rel for _, rel in shard], rejected, reads, processed)


class _Rows:
    """The occurrence and noise rows of classified pages, built column by column (numpy over
    every line of the pages at once), with each file's row and line counts."""

    def __init__(self, files: int):
        self.occurrences: list[pa.Table] = []
        self.noise: list[pa.Table] = []
        # Each file's occurrence rows, noise rows, then its line counts (COUNTED).
        self.counts = np.zeros((files, 2 + len(COUNTED)), dtype=np.int64)

    def add(self, pages: list[tuple[int, Page]], lines: Classified) -> None:
        """Add pages ((file index, page)) given their classified lines."""
        if not pages:
            return
        n = len(pages)
        occurrences, occurrence_page = _occurrences([page for _, page in pages], lines)
        noise, noise_page = _noise([page for _, page in pages], lines)
        by_kind = np.bincount(lines.page * len(KINDS) + lines.kind, minlength=n * len(KINDS))
        per_page = np.column_stack(
            [
                np.bincount(occurrence_page, minlength=n),
                np.bincount(noise_page, minlength=n),
                lines.ends() - lines.start,  # lines read
                by_kind.reshape(n, len(KINDS)),
            ]
        )
        np.add.at(self.counts, [file for file, _ in pages], per_page)
        self.occurrences.append(occurrences)
        self.noise.append(noise)

    def batch(
        self,
        files: list[str],
        rejected: list[list[dict]],
        reads: list[FileRead | None],
        processed: int,
    ) -> Batch:
        return Batch(
            files=files,
            occurrence_rows=self.counts[:, 0].tolist(),
            noise_rows=self.counts[:, 1].tolist(),
            occurrences=pa.concat_tables([OCCURRENCE_SCHEMA.empty_table(), *self.occurrences]),
            noise=pa.concat_tables([NOISE_SCHEMA.empty_table(), *self.noise]),
            rejected=rejected,
            counts=self.counts[:, 2:],
            files_processed=processed,
            files_from_cache=0,
            reads=reads,
        )


_QUESTION, _ANSWER, _BLANK = (KINDS.index(k) for k in ("question", "answer", "blank"))
# What str.strip() removes: the answer text of a question is stripped as a whole.
_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


def _texts(lines: Classified, which: np.ndarray, type_: pa.DataType = _TEXT) -> pa.Array:
    """The text of lines `which`."""
    return pa.array(lines.attribute("text", which), type_)


def _occurrences(pages: list[Page], lines: Classified) -> tuple[pa.Table, np.ndarray]:
    """The occurrence rows of the pages, and the page of each.

    Each question line asks one or more questions; the answer text (the answer lines up to
    the next question line, a blank line between two of them kept as an empty line) goes to
    its last question, cut short when a "more rows" line follows some of it. Answer text
    before a page's first question belongs to no question."""
    kind, page = lines.kind, lines.page
    # The last question line at or before each line, if it is on the same page.
    asked_at = np.maximum.accumulate(np.where(kind == _QUESTION, np.arange(len(kind)), -1))
    asked = asked_at >= lines.start[page]
    question = lines.of_kind("question")
    texts = _answer_texts(lines, asked_at, np.flatnonzero((kind == _ANSWER) & asked), question)
    # Cut short: a "more rows" line after some of the question's answer text.
    answered = np.cumsum((kind == _ANSWER) & asked)
    more = lines.of_kind("noise")
    more = lines.with_rule(more[asked[more]], "more-rows")
    more = more[answered[more] > answered[asked_at[more]]]
    cut = np.isin(question, asked_at[more])  # with some answer text, never empty

    asks = lines.attribute("questions", question)
    per_line = np.fromiter(map(len, asks), np.int64, len(asks))
    row_line = np.repeat(question, per_line)
    last = np.cumsum(per_line) - 1  # the row of each question line's last question
    answer_of = np.full(len(row_line), -1)  # the question line whose answer a row takes
    answer_of[last] = np.arange(len(question))
    row_cut = np.zeros(len(row_line), dtype=bool)
    row_cut[last] = cut
    row_page = page[row_line]
    table = pa.table(
        {
            "file": pa.array([p.file for p in pages], _TEXT).take(row_page),
            "line": lines.numbers(row_line),
            "url": pa.array([p.url for p in pages], _TEXT).take(row_page),
            "record": pa.array([p.record for p in pages], pa.int64()).take(row_page),
            "title": _titles(pages, lines, question).take(row_page),
            "question": pa.array(list(chain.from_iterable(asks)), _TEXT),
            "answer": texts.take(pa.array(answer_of, mask=answer_of < 0)),
            "answer_cut": row_cut,
        },
        schema=OCCURRENCE_SCHEMA,
    )
    return table, row_page


def _answer_texts(
    lines: Classified, asked_at: np.ndarray, answer: np.ndarray, question: np.ndarray
) -> pa.Array:
    """The answer text of each question line (null when it has none): its `answer` lines
    joined by line breaks, two where a blank line came between, then stripped."""
    joint = np.zeros(len(answer), dtype=np.int64)  # before each line: "", "\n" or "\n\n"
    blanks = np.cumsum(lines.kind == _BLANK)
    same_question = asked_at[answer[1:]] == asked_at[answer[:-1]]
    joint[1:] = same_question * (1 + (blanks[answer[1:]] > blanks[answer[:-1]]))
    pieces = pc.binary_join_element_wise(
        pa.array(np.array(["", "\n", "\n\n"])[joint], pa.string()),
        _texts(lines, answer, pa.string()),
        "",
    )
    offsets = np.append(np.searchsorted(asked_at[answer], question), len(answer))
    joined = pc.binary_join(pa.ListArray.from_arrays(offsets.astype(np.int32), pieces), "")
    texts = pc.utf8_trim(joined, _WHITESPACE)
    return pc.if_else(pc.equal(texts, ""), pa.scalar(None, _TEXT), texts.cast(_TEXT))


def _titles(pages: list[Page], lines: Classified, question: np.ndarray) -> pa.Array:
    """Each page's title (its title line, or a question line that is one), without an SEO
    prefix; null for a page without one."""
    # A title-question is its page's first content line: only the first question line of
    # each page can be one.
    first_question = question[np.diff(lines.page[question], prepend=-1) != 0]
    candidates = np.sort(
        np.concatenate([lines.of_kind("title"), lines.with_rule(first_question, "title-question")])
    )
    with_title, first = np.unique(lines.page[candidates], return_index=True)
    titles: list[str | None] = [None] * len(pages)
    for page, line in zip(with_title.tolist(), candidates[first].tolist(), strict=True):
        titles[page] = strip_seo_prefix(lines.classes[line].text)
    return pa.array(titles, _TEXT)


def _noise(pages: list[Page], lines: Classified) -> tuple[pa.Table, np.ndarray]:
    """The noise rows of the pages (where, line number, rule, text), and the page of each."""
    noise = lines.of_kind("noise")
    page = lines.page[noise]
    where = [f"{p.file}#{p.record}" if p.record else p.file for p in pages]
    table = pa.table(
        {
            "file": pa.array(where, _TEXT).take(page),
            "line": lines.numbers(noise),
            "rule": pa.array(lines.attribute("rule", noise), _TEXT),
            "text": _texts(lines, noise),
        },
        schema=NOISE_SCHEMA,
    )
    return table, page


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
    files: list[InputFile],
    workers: int | None = None,
    on_done: Callable[[int], None] | None = None,
    on_batch: Callable[[Batch], None] | None = None,
) -> list[Batch]:
    """Extract the files in batches of at most `BATCH_FILES` (in file order), over a process
    pool when there are enough to pay for it (both cores on a 2-core machine). `on_done(n)`
    is told as files finish (a progress bar); `on_batch` gets each batch as it arrives (the
    cache stores it there)."""
    workers = workers or os.cpu_count() or 1
    n = -(-len(files) // BATCH_FILES)
    out: list[Batch] = []

    def done(batch: Batch) -> None:
        if on_batch:
            on_batch(batch)
        if on_done:
            on_done(len(batch.files))
        out.append(batch)

    if workers == 1 or len(files) < MIN_FILES_FOR_POOL:
        for shard in shards(files, n):
            done(_extract_shard(shard))
        return out
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker) as pool:
        for batch in pool.map(_extract_shard, shards(files, max(n, workers * 8))):
            done(batch)
    return out


def _start_worker() -> None:
    """An extraction worker never collects cyclic garbage: what it builds is acyclic, and
    each full collection would walk its remembered line classes (`segment.line_classes`).
    It reuses the memory of the batches it sends (`memory.reuse_freed_blocks`)."""
    gc.disable()
    reuse_freed_blocks()


def extract_files(files: list[InputFile], workers: int | None = None) -> Batch:
    """Extract a batch of files into one result, in file order."""
    return Batch.concat(extract_each(files, workers))


def line_accounting(counts: Counter) -> dict:
    """Lines read and lines by kind; the kinds add up to the lines read."""
    acc = {"read": counts.get("read", 0)}
    acc.update({k: counts.get(k, 0) for k in KINDS})
    return acc
