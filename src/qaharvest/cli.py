"""The `qaharvest` command line.

Exit codes: 0 published or unchanged, 1 a dataset check failed, 2 bad usage,
3 unreadable input folder or output not writable.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from qaharvest import progress
from qaharvest.semantic import available as semantic_available
from qaharvest.show import release_tables, summary_table

app = typer.Typer(
    help="Turn scraped Q&A pages into clean, deduplicated, validated releases.",
    epilog="Exit codes: 0 published or unchanged, 1 a dataset check failed (nothing published), "
    "2 bad usage, 3 unreadable input folder or output not writable (or held by another run).",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)
EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE, EXIT_IO = 0, 1, 2, 3


def _check_dirs(raw: Path, out: Path) -> None:
    if not raw.is_dir() or not os.access(raw, os.R_OK | os.X_OK):
        console.print(f"[red]error:[/red] input folder {raw} is missing or unreadable")
        raise typer.Exit(EXIT_IO)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-probe"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        console.print(f"[red]error:[/red] output folder {out} is not writable: {exc.strerror}")
        raise typer.Exit(EXIT_IO) from exc


@app.command()
def run(
    raw: Path = typer.Option(Path("raw"), "--raw", help="Folder of scraped pages."),
    out: Path = typer.Option(Path("output"), "--out", help="Folder that receives releases."),
    keep: int = typer.Option(10, "--keep", min=1, help="How many releases to keep."),
    wait: float = typer.Option(
        0.0, "--wait", help="Seconds to wait for another run holding the output folder."
    ),
    runner: str = typer.Option(
        "local", "--runner", help="local (process pool) or dask (prefect-dask DaskTaskRunner)."
    ),
    dask_address: str | None = typer.Option(
        None,
        "--dask-address",
        help="Dask scheduler, e.g. tcp://HOST:8786 (default: a LocalCluster).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
    semantic: bool = typer.Option(
        False, "--semantic", help="Group paraphrases by sentence embeddings (extra: semantic)."
    ),
) -> None:
    """Run the flow once in Prefect's local ephemeral mode.

    Example: qaharvest run --raw raw --out output
    """
    _check_dirs(raw, out)
    _no_server_telemetry()
    # Prefect's default 20 s to start its ephemeral server is too short on a busy machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    if runner not in ("local", "dask"):
        console.print(f"[red]error:[/red] unknown runner {runner!r} (local or dask)")
        raise typer.Exit(EXIT_USAGE)
    if semantic and not semantic_available():
        console.print("[red]error:[/red] --semantic needs: pip install 'qaharvest[semantic]'")
        raise typer.Exit(EXIT_USAGE)
    from flows.startup import server_starting
    from qaharvest.memory import settled_after

    with settled_after(), server_starting():
        from flows.harvest import ReleaseRejected, dask_runner, harvest
        from qaharvest.datadocs import import_gx

        import_gx()
    flow = (
        harvest.with_options(task_runner=dask_runner(dask_address)) if runner == "dask" else harvest
    )
    with _progress(quiet=as_json):
        state = flow(
            raw_dir=str(raw),
            out_dir=str(out),
            keep=keep,
            wait=wait,
            runner=runner,
            semantic=semantic,
            return_state=True,
        )
    if state.is_failed():
        exc = state.result(raise_on_failure=False)
        console.print(f"[red]failed:[/red] {exc}")
        raise typer.Exit(EXIT_CHECK_FAILED if isinstance(exc, ReleaseRejected) else EXIT_IO)
    result = state.result()
    if as_json:
        print(json.dumps(result, indent=2, default=str))
        return
    if result["status"] == "unchanged":
        console.print(f"unchanged: release {result['release']} is current")
        return
    Console().print(summary_table(result, out))


@app.command()
def serve(
    raw: Path = typer.Option(Path("raw"), "--raw", help="Folder of scraped pages."),
    out: Path = typer.Option(Path("output"), "--out", help="Folder that receives releases."),
    cron: str | None = typer.Option(None, "--cron", help='Cron schedule, e.g. "0 * * * *".'),
    interval: float | None = typer.Option(None, "--interval", help="Seconds between runs."),
) -> None:
    """Run the flow on a schedule until stopped (SIGTERM or Ctrl-C).

    Starts a Prefect server on 127.0.0.1 unless PREFECT_API_URL points at one.
    Example: qaharvest serve --cron "0 * * * *"
    """
    if (cron is None) == (interval is None):
        console.print("[red]error:[/red] give exactly one of --cron or --interval")
        raise typer.Exit(EXIT_USAGE)
    _check_dirs(raw, out)
    _no_server_telemetry()
    from flows.serve import serve as serve_flow

    serve_flow(str(raw), str(out), cron=cron, interval=interval)


def _no_server_telemetry() -> None:
    """The Prefect server a run starts sends no usage data (unless the environment says it
    should): offline, each run logged an ERROR when the send failed."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def _progress(quiet: bool):
    """A progress bar on stderr while the flow runs; nothing unless stderr is a terminal."""
    if quiet or not console.is_terminal:
        return contextlib.nullcontext()
    bar = progress.RichBar(console)
    stack = contextlib.ExitStack()
    stack.enter_context(bar)
    stack.enter_context(progress.listening(bar))
    return stack


@app.command()
def inspect(
    file: Path = typer.Argument(..., help="One page (.txt) or dump (.jsonl[.gz])."),
) -> None:
    """Show how each line of a page was classified, and by which rule.

    Example: qaharvest inspect raw/psoas.txt
    """
    from qaharvest.readers import UnreadableFile, read_pages, split_lines
    from qaharvest.segment import classify

    try:
        pages, _ = read_pages(file, file.name)
    except (UnreadableFile, FileNotFoundError) as exc:
        console.print(f"[red]error:[/red] {file}: {exc}")
        raise typer.Exit(EXIT_IO) from exc
    colors = {
        "title": "bold magenta",
        "question": "bold cyan",
        "answer": "green",
        "noise": "red",
        "blank": "dim",
    }
    out = Console()
    for page in pages:
        if page.record:
            out.rule(f"record {page.record} {page.url or ''}")
        table = Table(show_lines=False)
        for col in ("line", "kind", "rule", "text"):
            table.add_column(col, overflow="fold")
        for ln in classify(split_lines(page.text)):
            if ln.kind == "blank":
                continue
            c = colors[ln.kind]
            table.add_row(str(ln.n), f"[{c}]{ln.kind}[/{c}]", ln.rule, ln.text[:160])
        out.print(table)


@app.command("validate")
def validate_cmd(
    path: Path = typer.Argument(..., help="A release folder, or one Parquet file."),
    table: str = typer.Option(
        "qa_pairs", "--table", help="Suite for a single Parquet file (qa_pairs or unanswered)."
    ),
) -> None:
    """Check a release (or any Parquet file with the same columns) against the suites.

    Example: qaharvest validate output/latest
    """
    import pandas as pd
    from rich.markup import escape

    from qaharvest import validate

    targets = (
        {t: path / f"{t}.parquet" for t in ("qa_pairs", "unanswered")}
        if path.is_dir()
        else {table: path}
    )
    missing = [str(p) for p in targets.values() if not p.exists()]
    if missing:
        console.print(f"[red]error:[/red] not found: {', '.join(missing)}")
        raise typer.Exit(EXIT_IO)
    result = Table(title=f"validation of {path}")
    for col in ("table", "expectation", "level", "success", "detail"):
        result.add_column(col, overflow="fold")
    failed = []
    with validate.Session() as session:
        for name, file in targets.items():
            outcome = validate.validate_table(session, pd.read_parquet(file), name)
            for r in outcome.results:
                detail = r.get("unexpected", r.get("observed", ""))
                if not r["success"]:
                    failed.append(f"{name}: {r['expectation']} ({detail})")
                mark = "[green]yes[/green]" if r["success"] else "[red]NO[/red]"
                result.add_row(name, r["expectation"], r["level"], mark, str(detail))
    Console().print(result)
    for line in failed:
        console.print(f"[red]failed:[/red] {escape(line)}", soft_wrap=True)
    if failed:
        raise typer.Exit(EXIT_CHECK_FAILED)


@app.command()
def show(
    release: Path = typer.Argument(Path("output/latest"), help="A release folder."),
    top: int = typer.Option(10, "--top", min=1, help="How many merged questions to list."),
) -> None:
    """Summarize a release: counts from lines to published rows, the most merged questions
    with their other wordings, and rejected rows by reason.

    Example: qaharvest show output/latest
    """
    if not (release / "manifest.json").exists():
        console.print(f"[red]error:[/red] no release at {release}")
        raise typer.Exit(EXIT_IO)
    out = Console()
    for table in release_tables(release, top):
        out.print(table)


@app.command()
def releases(
    out: Path = typer.Option(Path("output"), "--out", help="Folder that holds the releases."),
) -> None:
    """List the releases kept in the output folder, newest last, with their row counts.

    Example: qaharvest releases --out output
    """
    from qaharvest.publish import list_releases

    current = (out / "latest").resolve() if (out / "latest").exists() else None
    table = Table(title=f"releases in {out}")
    for col in ("version", "created", "qa_pairs", "unanswered", "rejected", "latest"):
        table.add_column(col)
    for rel in list_releases(out):
        m = json.loads((rel / "manifest.json").read_text(encoding="utf-8"))
        rows = m["rows"]
        table.add_row(
            m["version"],
            m["created"],
            str(rows["qa_pairs"]),
            str(rows["unanswered"]),
            str(rows["rejected"]),
            "*" if rel.resolve() == current else "",
        )
    Console().print(table)


@app.command()
def export(
    format: str = typer.Option("faqpage", "--format", help="Export format: faqpage."),
    release: Path = typer.Option(Path("output/latest"), "--release", help="Release folder."),
    dest: Path = typer.Option(Path("faqpage.json"), "--out", help="File to write."),
) -> None:
    """Export a release for websites: schema.org FAQPage JSON-LD, one document per page title.

    Example: qaharvest export --format faqpage --release output/latest --out faq.json
    """
    from qaharvest.export import write_faqpage

    if format != "faqpage":
        console.print(f"[red]error:[/red] unknown format {format!r} (known: faqpage)")
        raise typer.Exit(EXIT_USAGE)
    if not (release / "qa_pairs.parquet").exists():
        console.print(f"[red]error:[/red] no release at {release}")
        raise typer.Exit(EXIT_IO)
    n = write_faqpage(release, dest)
    console.print(f"wrote {n} FAQPage documents to {dest}")


if __name__ == "__main__":
    app()
