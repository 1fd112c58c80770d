"""Run summaries: the rejected table, the counts of each stage, the manifest body and the
markdown shown as a Prefect artifact."""

from __future__ import annotations

import pandas as pd

from qaharvest.extract import Batch, line_accounting
from qaharvest.schema import columns


def rejected_frame(noise: pd.DataFrame, outcomes: dict) -> pd.DataFrame:
    """Noise lines (stage extract) and rows failing row-level checks (stage validate)."""
    parts = (
        [
            pd.DataFrame(
                {
                    "stage": "extract",
                    "reason": "noise: " + noise["rule"],
                    "file": noise["file"],
                    "line": noise["line"].astype("Int64"),
                    "text": noise["text"],
                }
            )
        ]
        if len(noise)
        else []
    )
    for table, outcome in outcomes.items():
        bad = outcome.rejected
        if bad.empty:
            continue
        first = [s[0] if len(s) else {"file": None, "line": None} for s in bad["sources"]]
        parts.append(
            pd.DataFrame(
                {
                    "stage": f"validate:{table}",
                    "reason": bad["reason"].values,
                    "file": [f["file"] for f in first],
                    "line": pd.array([f["line"] for f in first], dtype="Int64"),
                    "text": [
                        f"{q}\n{a}" if isinstance(a, str) else q
                        for q, a in zip(bad["question"], bad["answer"], strict=True)
                    ],
                }
            )
        )
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns("rejected")})
    return pd.concat(parts, ignore_index=True)[columns("rejected")]


def summary(
    *,
    files_total: int,
    extracted: Batch,
    occurrences: pd.DataFrame,
    answered: pd.DataFrame,
    unanswered: pd.DataFrame,
    outcomes: dict,
    rejected_files: list[dict],
    times: dict,
) -> dict:
    """Counts of every stage of a run."""
    rows = len(answered) + len(unanswered)
    both = pd.concat([answered["cluster_id"], unanswered["cluster_id"]])
    sizes = both.value_counts()
    return {
        "input": {
            "files_total": files_total,
            "files_processed": extracted.files_processed,
            "files_from_cache": extracted.files_from_cache,
            "files_rejected": len(rejected_files),
        },
        "rejected_files": rejected_files,
        "lines": line_accounting(extracted.line_counts),
        "stages": {
            "occurrences": len(occurrences),
            "answered_occurrences": int(occurrences["answer"].notna().sum()),
            "distinct_questions": rows,
            "merged_occurrences": len(occurrences) - rows,
            "paraphrase_groups": int((sizes > 1).sum()),
            "rows_in_groups": int(sizes[sizes > 1].sum()),
            "rows_rejected": sum(len(o.rejected) for o in outcomes.values()),
            "qa_pairs": len(outcomes["qa_pairs"].good),
            "unanswered": len(outcomes["unanswered"].good),
        },
        "validation": {
            name: {"success": o.success, "results": o.results} for name, o in outcomes.items()
        },
        "times": times,
    }


def manifest(summary: dict, fingerprint: str, changes: dict) -> dict:
    """The manifest body; `publish` adds version, files and row counts."""
    return {
        "input_fingerprint": fingerprint,
        "input": summary["input"],
        "rejected_files": summary["rejected_files"],
        "lines": summary["lines"],
        "stages": summary["stages"],
        "validation": summary["validation"],
        "changes": changes,
    }


def markdown(summary: dict) -> str:
    """A short markdown report of a run (the Prefect artifact)."""
    out = [
        f"# qaharvest run: {summary.get('status', 'running')}",
        "",
        "| stage | count |",
        "|---|---|",
    ]
    out += [f"| files {k} | {v} |" for k, v in summary["input"].items()]
    out += [f"| lines {k} | {v} |" for k, v in summary["lines"].items()]
    out += [f"| {k} | {v} |" for k, v in summary["stages"].items()]
    failed = [
        f"`{t}: {_cell(r['expectation'])}`"
        for t, v in summary["validation"].items()
        for r in v["results"]
        if r["level"] == "table" and not r["success"]
    ]
    out += [
        "",
        "## Validation: " + ("FAILED, nothing published" if failed else "passed"),
        "",
        *([f"Failed gates: {', '.join(failed)}", ""] if failed else []),
        "| table | expectation | level | success | detail |",
        "|---|---|---|---|---|",
    ]
    for table, v in summary["validation"].items():
        out += [
            f"| {table} | `{_cell(r['expectation'])}` | {r['level']} | {r['success']} "
            f"| {r.get('unexpected', r.get('observed', ''))} |"
            for r in v["results"]
        ]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    """Text safe inside a markdown table cell (a regex's `|` would split it)."""
    return text.replace("|", "\\|").replace("\n", " ")
