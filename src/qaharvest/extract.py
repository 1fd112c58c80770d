"""Extraction: raw files → question/answer occurrences, with line accounting and noise lines.

`extract_files` is the batch entry point used by the flow; `extract_page` does one page.
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from qaharvest.readers import Page, UnreadableFile, read_pages, split_lines
from qaharvest.segment import KINDS, classify, strip_seo_prefix

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

    def pop_frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """`frames()`, then drop the row lists (the largest thing a big run holds)."""
        frames = self.frames()
        self.occurrences, self.noise = {c: [] for c in OCCURRENCE_COLUMNS}, []
        return frames


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
    res = Extracted()
    lines = classify(split_lines(page.text))
    res.line_counts.update(ln.kind for ln in lines)
    res.line_counts["read"] += len(lines)
    title = next(
        (
            strip_seo_prefix(ln.text)
            for ln in lines
            if ln.kind == "title" or ln.rule == "title-question"
        ),
        None,
    )
    where = f"{page.file}#{page.record}" if page.record else page.file
    current: list[dict] = []  # occurrences waiting for answer text
    answer: list[str] = []
    gap = cut = False

    def flush() -> None:
        text = "".join(answer).strip() or None
        for occ in current:
            last = occ is current[-1]
            occ["answer"] = text if last else None
            occ["answer_cut"] = last and text is not None and cut
        for occ in current:
            for column, values in res.occurrences.items():
                values.append(occ[column])

    for ln in lines:
        if ln.kind == "question":
            flush()
            current = [
                {
                    "file": page.file,
                    "line": ln.n,
                    "url": page.url,
                    "record": page.record,
                    "title": title,
                    "question": q,
                    "answer": None,
                }
                for q in ln.questions
            ]
            answer, gap, cut = [], False, False
        elif ln.kind == "answer" and current:
            answer.append(("\n\n" if gap else "\n") + ln.text if answer else ln.text)
            gap = False
        elif ln.kind == "blank":
            gap = True
        elif ln.kind == "noise":
            cut = cut or (ln.rule == "more-rows" and bool(answer))
            res.noise.append({"file": where, "line": ln.n, "rule": ln.rule, "text": ln.text})
    flush()
    return res


def extract_file(path: Path, rel: str) -> Extracted:
    """Extract every page of one file; an unreadable file is set aside with its reason."""
    res = Extracted()
    try:
        pages, bad_records = read_pages(path, rel)
    except UnreadableFile as exc:
        res.rejected_files.append({"file": rel, "reason": str(exc)})
        return res
    res.rejected_files += bad_records
    for page in pages:
        res.merge(extract_page(page))
    res.files_processed = 1
    return res


def _extract_shard(shard: list[tuple[str, str]]) -> list[tuple[str, Extracted]]:
    with gc_paused():
        return [(rel, extract_file(Path(path), rel)) for path, rel in shard]


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
) -> dict[str, Extracted]:
    """Extract each file ({relative path: result}), over a process pool when the batch is
    large enough to pay for it (both cores on a 2-core machine); `on_done(n)` is told as
    files finish (a progress bar)."""
    items = [(str(p), _relative(Path(p), raw_dir)) for p in files]
    workers = workers or os.cpu_count() or 1
    on_done = on_done or (lambda n: None)
    out: dict[str, Extracted] = {}
    if workers == 1 or len(items) < MIN_FILES_FOR_POOL:
        for item in items:
            out.update(_extract_shard([item]))
            on_done(1)
        return out
    with ProcessPoolExecutor(max_workers=workers) as pool, gc_paused():
        for part in pool.map(_extract_shard, shards(items, workers * 8)):
            out.update(part)
            on_done(len(part))
    return out


def _relative(path: Path, raw_dir: Path) -> str:
    """`path` inside `raw_dir`, whichever of the two was given through a symlinked folder."""
    try:
        return path.relative_to(raw_dir).as_posix()
    except ValueError:
        return path.parent.resolve().joinpath(path.name).relative_to(raw_dir.resolve()).as_posix()


def extract_files(files: list[Path], raw_dir: Path, workers: int | None = None) -> Extracted:
    """Extract a batch of files into one result, in file order."""
    result = Extracted()
    parts = extract_each(files, raw_dir, workers)
    with gc_paused():
        for _, part in sorted(parts.items()):
            result.merge(part)
    return result


def line_accounting(counts: Counter) -> dict:
    """Lines read and lines by kind; the kinds add up to the lines read."""
    acc = {"read": counts.get("read", 0)}
    acc.update({k: counts.get(k, 0) for k in KINDS})
    return acc
