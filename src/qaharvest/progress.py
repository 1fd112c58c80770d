"""Progress of long work, told to whoever listens (the CLI's progress bar); silent by default.

The flow names each stage with `stage`; extraction reports finished files with `advance`.
Nothing here knows about Prefect; `RichBar` draws it all on a terminal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Listener(Protocol):
    def stage(self, name: str, total: int | None) -> None: ...

    def advance(self, n: int) -> None: ...


_listener: Listener | None = None


def stage(name: str, total: int | None = None) -> None:
    """A stage starts (or, same name again, learns how many items it has)."""
    if _listener is not None:
        _listener.stage(name, total)


def advance(n: int = 1) -> None:
    """`n` more items of the current stage are done."""
    if _listener is not None:
        _listener.advance(n)


@contextmanager
def listening(listener: Listener) -> Iterator[Listener]:
    """Send progress to `listener` for the duration of the block."""
    global _listener
    previous, _listener = _listener, listener
    try:
        yield listener
    finally:
        _listener = previous


class RichBar:
    """One transient rich progress line per stage: a bar with counts when the stage has a
    total (files to extract), a spinner otherwise."""

    def __init__(self, console) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.task = None
        self.name = None

    def __enter__(self) -> RichBar:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def stage(self, name: str, total: int | None) -> None:
        if name == self.name and self.task is not None:
            self.progress.update(self.task, total=total)
            return
        if self.task is not None:
            self.progress.update(self.task, visible=False)
        self.name = name
        self.task = self.progress.add_task(name, total=total)

    def advance(self, n: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, n)
