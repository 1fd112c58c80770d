"""`report.html` in every release: a static, offline picture of the run (inline SVG charts)."""

from __future__ import annotations

import html
from collections import Counter

import pandas as pd

BAR_W, BAR_H = 520, 22
LABEL_CHARS = 32  # longer labels are cut; the full text is the tooltip


def _bars(items: list[tuple[str, int]], color: str = "#3b7dd8") -> str:
    """A horizontal bar chart as inline SVG."""
    if not items:
        return "<p class=muted>nothing to show</p>"
    top = max(v for _, v in items) or 1
    rows = []
    for i, (label, value) in enumerate(items):
        y = i * (BAR_H + 6)
        w = max(1, int(BAR_W * value / top))
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        rows.append(
            f'<text x="0" y="{y + 15}" class="lbl">{html.escape(short)}'
            f"<title>{html.escape(label)}</title></text>"
            f'<rect x="230" y="{y}" width="{w}" height="{BAR_H}" fill="{color}" rx="3"/>'
            f'<text x="{236 + w}" y="{y + 15}" class="val">{value:,}</text>'
        )
    height = len(items) * (BAR_H + 6)
    return (
        f'<svg width="{230 + BAR_W + 80}" height="{height}" role="img">' + "".join(rows) + "</svg>"
    )


def _histogram(lengths: pd.Series, bins: list[int]) -> list[tuple[str, int]]:
    counts = pd.cut(lengths, bins=[*bins, 10**9], right=False).value_counts(sort=False)
    labels = [f"{lo}–{hi - 1}" for lo, hi in zip(bins, bins[1:], strict=False)] + [f"{bins[-1]}+"]
    return list(zip(labels, (int(c) for c in counts), strict=True))


def funnel(manifest: dict) -> list[tuple[str, int]]:
    """From lines read to published rows, with the numbers of the manifest."""
    lines, stages, rows = manifest["lines"], manifest["stages"], manifest["rows"]
    return [
        ("lines read", lines["read"]),
        ("question lines", lines["question"]),
        ("answer lines", lines["answer"]),
        ("noise lines", lines["noise"]),
        ("question occurrences", stages["occurrences"]),
        ("distinct questions", stages["distinct_questions"]),
        ("rows rejected", stages["rows_rejected"]),
        ("published pairs", rows["qa_pairs"]),
        ("unanswered", rows["unanswered"]),
    ]


def most_merged(pairs: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The `n` rows with the most other wordings merged in (ties: most seen first)."""
    merged = pairs[pairs["aliases"].map(len) > 0]
    return (
        merged.assign(_n=merged["aliases"].map(len))
        .sort_values(["_n", "occurrences"], ascending=False, kind="stable")
        .head(n)
        .drop(columns="_n")
    )


def largest_groups(pairs: pd.DataFrame, n: int = 5) -> list[list[str]]:
    """The questions of the `n` largest paraphrase groups (asked in other words), biggest first."""
    sizes = pairs["cluster_id"].value_counts()
    top = [c for c, k in sizes.items() if k > 1][:n]
    return [pairs.loc[pairs["cluster_id"] == c, "question"].tolist() for c in top]


def reason_counts(rejected: pd.DataFrame) -> list[tuple[str, int]]:
    """Rejected rows by reason, most common first; a row failing two checks counts for both.
    Each distinct reason is split once (a big run rejects many rows for a few reasons)."""
    reasons: Counter[str] = Counter()
    for reason, rows in rejected["reason"].dropna().astype(str).value_counts().items():
        for part in reason.split(";"):
            reasons[part.strip()] += int(rows)
    return sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))


def render(manifest: dict, pairs: pd.DataFrame, rejected: pd.DataFrame) -> str:
    """The report page for one release."""
    merged = most_merged(pairs)
    merged_rows = (
        "".join(
            f"<tr><td>{html.escape(q)}</td><td>{o}</td><td>{html.escape(' · '.join(a))}</td></tr>"
            for q, o, a in zip(
                merged["question"], merged["occurrences"], merged["aliases"], strict=True
            )
        )
        or "<tr><td colspan=3 class=muted>no merged questions</td></tr>"
    )
    groups = "".join(
        "<li>" + " · ".join(html.escape(q) for q in g) + "</li>" for g in largest_groups(pairs)
    )
    reasons = reason_counts(rejected)[:12]
    q_len = pairs["question"].str.len()
    a_len = pairs["answer"].str.len()
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>qaharvest release {html.escape(manifest["version"])}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#222}}
h1{{font-size:1.5rem}} h2{{font-size:1.15rem;margin-top:2rem}}
.lbl{{font-size:13px;fill:#333}} .val{{font-size:12px;fill:#555}} .muted{{color:#888}}
table{{border-collapse:collapse;width:100%}} td,th{{border-bottom:1px solid #ddd;padding:.3rem;
text-align:left;vertical-align:top;font-size:14px}}
</style></head><body>
<h1>qaharvest release {html.escape(manifest["version"])}</h1>
<p>{manifest["rows"]["qa_pairs"]:,} answered pairs, {manifest["rows"]["unanswered"]:,} unanswered
questions, from {manifest["input"]["files_total"]:,} files
({len(manifest["rejected_files"])} set aside). Validation:
{"passed" if all(v["success"] for v in manifest["validation"].values()) else "FAILED"} —
<a href="validation/index.html">full report</a> · <a href="README.md">dataset card</a>.</p>
<h2>From lines to published rows</h2>
{_bars(funnel(manifest))}
<h2>Question length (characters)</h2>
{_bars(_histogram(q_len, [0, 20, 40, 60, 80, 120, 200]), "#4a9a6b")}
<h2>Answer length (characters)</h2>
{_bars(_histogram(a_len, [0, 50, 100, 200, 400, 800, 1600]), "#4a9a6b")}
<h2>Most merged questions</h2>
<table><tr><th>question</th><th>seen</th><th>other wordings</th></tr>{merged_rows}</table>
<h2>Largest paraphrase groups (same <code>cluster_id</code>)</h2>
{f"<ol>{groups}</ol>" if groups else "<p class=muted>no paraphrase groups</p>"}
<h2>Why rows were set aside</h2>
{_bars(reasons, "#c8553d")}
</body></html>
"""
