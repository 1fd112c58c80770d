"""The command line: help and examples, exit codes, the progress bar, and start-up."""

from __future__ import annotations

import gc
import io
import resource
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from qaharvest import extract, memory, progress, readers
from qaharvest.cli import app
from tests.conftest import REALWORLD, SEED

COMMANDS = ["run", "serve", "inspect", "validate", "releases", "export", "show"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str):
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example: qaharvest " + command in " ".join(result.stdout.split())


def test_top_level_help_lists_every_command():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.stdout
    assert "Exit codes: 0 published or unchanged, 1 a dataset check failed" in " ".join(
        result.stdout.split()
    )


def test_bad_usage_exits_2(tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["run", "--no-such-option"]).exit_code == 2
    assert runner.invoke(app, ["serve", "--raw", str(tmp_path)]).exit_code == 2
    assert runner.invoke(app, ["show", str(tmp_path), "--top", "0"]).exit_code == 2


def test_unreadable_input_or_missing_release_exits_3(tmp_path):
    runner = CliRunner()
    missing = tmp_path / "nope"
    assert runner.invoke(app, ["run", "--raw", str(missing), "--out", str(tmp_path)]).exit_code == 3
    assert runner.invoke(app, ["show", str(tmp_path)]).exit_code == 3
    assert runner.invoke(app, ["inspect", str(missing)]).exit_code == 3


def test_inspect_shows_each_line_with_its_rule():
    result = CliRunner().invoke(app, ["inspect", str(SEED)], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Will psoas pain ever go away?" in result.stdout
    assert "question" in result.stdout and "noise" in result.stdout


def test_progress_bar_counts_every_extracted_file():
    files = sorted(REALWORLD.glob("*.txt"))
    screen = io.StringIO()
    bar = progress.RichBar(Console(file=screen, force_terminal=True))
    with bar, progress.listening(bar):
        progress.stage("extract", len(files))
        inputs = readers.input_files(files, REALWORLD)
        extract.extract_each(inputs, workers=1, on_done=progress.advance)
        task = bar.progress.tasks[0]
        assert (task.completed, task.total) == (len(files), len(files))
    assert "extract" in screen.getvalue()
    progress.advance(5)  # nobody listens any more: nothing happens
    assert task.completed == len(files)


def test_start_up_collects_nothing_then_leaves_the_collector_what_comes_after():
    """`run` imports inside `memory.settled_after()`: no collection while the block runs, then
    what is alive is frozen out of the collector's view; it collects as before afterwards."""
    gc.unfreeze()
    try:
        with memory.settled_after():
            assert not gc.isenabled()
            start_up = [[i] for i in range(10_000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= len(start_up)
        assert not any(o is start_up for o in gc.get_objects())
        cycle: list = []
        cycle.append(cycle)
        assert any(o is cycle for o in gc.get_objects())
    finally:
        gc.unfreeze()


def _huge_pages() -> str:
    """Whether transparent huge pages may back this process's memory ("1") or not ("0")."""
    status = Path("/proc/self/status").read_text().split("\n")
    return next(line.split()[1] for line in status if line.startswith("THP_enabled:"))


def test_a_run_maps_small_pages_and_so_do_the_processes_it_forks():
    before = _huge_pages()
    with memory.small_pages():
        assert _huge_pages() == "0"
        with memory.small_pages():
            pass
        assert _huge_pages() == "0"  # an inner use leaves them off
        with ProcessPoolExecutor(1, mp_context=get_context("fork")) as pool:
            assert pool.submit(_huge_pages).result() == "0"
    assert _huge_pages() == before


def _faults_of_a_second_batch() -> int:
    """Minor page faults of building a 5 MiB buffer after one was built and dropped, in 4 KiB
    pages: transparent huge pages are off for the process, whatever the machine's setting."""
    with memory.small_pages():
        assert _huge_pages() == "0"
        bytearray(5 << 20)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        bytearray(5 << 20)
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_extraction_workers_collect_nothing_and_reuse_the_memory_of_their_batches():
    """Workers forked from a run's main process (1 MiB blocks mapped afresh each time) set
    glibc's malloc to keep what a batch frees for the next one."""
    assert memory.return_freed_blocks()
    with ProcessPoolExecutor(1, mp_context=get_context("fork")) as pool:
        fresh_each_time = pool.submit(_faults_of_a_second_batch).result()
    init = extract._start_worker
    with ProcessPoolExecutor(1, mp_context=get_context("fork"), initializer=init) as pool:
        assert pool.submit(gc.isenabled).result() is False
        reused = pool.submit(_faults_of_a_second_batch).result()
    assert fresh_each_time >= 1000  # 5 MiB in 4 KiB pages: 1280
    assert reused < 100
