"""Terminal views of a run and of a release (rich tables), for `qaharvest run` and `show`."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from rich.table import Table

from qaharvest.report_html import funnel, largest_groups, most_merged, reason_counts


def summary_rows(summary: dict) -> list[list[tuple[str, str]]]:
    """The closing summary of a run as sections of (label, value) rows."""
    inp, lines, st = summary["input"], summary["lines"], summary["stages"]
    read = inp["files_processed"] + inp["files_from_cache"]
    return [
        [
            ("files read", f"{read:,} ({inp['files_from_cache']:,} from cache)"),
            ("files set aside", f"{inp['files_rejected']:,}"),
        ],
        [("lines read", f"{lines['read']:,}")]
        + [(f"  {kind} lines", f"{n:,}") for kind, n in lines.items() if kind != "read"],
        [
            (
                "questions extracted",
                f"{st['occurrences']:,} ({st['answered_occurrences']:,} with an answer)",
            ),
            ("merged away", f"{st['merged_occurrences']:,}"),
            ("distinct questions", f"{st['distinct_questions']:,}"),
            ("paraphrase groups", f"{st['paraphrase_groups']:,} ({st['rows_in_groups']:,} rows)"),
            ("rows rejected", f"{st['rows_rejected']:,}"),
            ("published pairs", f"{st['qa_pairs']:,}"),
            ("published unanswered", f"{st['unanswered']:,}"),
        ],
        [(f"{stage} (s)", f"{sec:.2f}") for stage, sec in summary["times"].items()]
        + [("total (s)", f"{summary.get('total_seconds', sum(summary['times'].values())):.2f}")],
    ]


def summary_table(summary: dict, out_dir: Path) -> Table:
    """The table `qaharvest run` closes with."""
    table = Table(
        title=f"qaharvest release {summary['release']}",
        caption=f"report: {out_dir / 'latest' / 'report.html'}",
    )
    table.add_column("what")
    table.add_column("count", justify="right")
    for section in summary_rows(summary):
        for label, value in section:
            table.add_row(label, value)
        table.add_section()
    return table


def release_tables(release: Path, top: int = 10) -> list[Table]:
    """Counts of a release (the report's funnel), its most merged questions with their
    aliases, its largest paraphrase groups, and rejected rows by reason."""
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    counts = Table(title=f"release {manifest['version']}")
    counts.add_column("stage")
    counts.add_column("count", justify="right")
    for label, value in funnel(manifest):
        counts.add_row(label, f"{value:,}")

    pairs = pd.read_parquet(
        release / "qa_pairs.parquet", columns=["question", "aliases", "occurrences", "cluster_id"]
    )
    merged = Table(title="most merged questions")
    for col in ("question", "seen", "other wordings"):
        merged.add_column(col, overflow="fold")
    for r in most_merged(pairs, top).itertuples():
        merged.add_row(r.question, str(r.occurrences), "\n".join(r.aliases))
    if not merged.row_count:
        merged.caption = "no question was asked in other wordings"

    groups = Table(title="largest paraphrase groups", show_lines=True)
    groups.add_column("questions asking the same thing", overflow="fold")
    for g in largest_groups(pairs):
        groups.add_row("\n".join(g))

    rejected = pd.read_parquet(release / "rejected.parquet", columns=["reason"])
    reasons = Table(title="rejected rows by reason")
    reasons.add_column("reason", overflow="fold")
    reasons.add_column("rows", justify="right")
    for reason, n in reason_counts(rejected):
        reasons.add_row(reason, f"{n:,}")
    if not reasons.row_count:
        reasons.caption = "nothing was rejected"
    return [counts, merged, groups, reasons]
