"""Validation with Great Expectations: row-level expectations quarantine rows, table-level
expectations gate the release. Suites are JSON files in `schemas/expectations/`; they run in
a `datadocs.Session` (the GX context), which also renders the Data Docs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from qaharvest.datadocs import Session
from qaharvest.schema import SCHEMAS_DIR

__all__ = ["Outcome", "Session", "load_suite", "validate_table"]

SUITES_DIR = SCHEMAS_DIR / "expectations"
# Used when the row-count expectation's meta sets no `max_drop_fraction`.
MAX_DROP_FRACTION = 0.5


@dataclass
class Outcome:
    """Result of validating one table."""

    table: str
    good: pd.DataFrame
    rejected: pd.DataFrame  # the failing rows with a `reason` column
    results: list[dict] = field(default_factory=list)  # one per expectation

    @property
    def failed_gates(self) -> list[str]:
        return [
            r["expectation"] for r in self.results if r["level"] == "table" and not r["success"]
        ]

    @property
    def success(self) -> bool:
        return not self.failed_gates


def load_suite(table: str) -> dict:
    return json.loads((SUITES_DIR / f"{table}.json").read_text(encoding="utf-8"))


def describe(exp: dict) -> str:
    """`type(column, key=value…)`; run-time parameters shown as `$name`."""
    kw = exp["kwargs"]
    args = [kw["column"]] if "column" in kw else []
    for k, v in kw.items():
        if k not in ("column", "batch_id"):
            args.append(f"{k}=${v['$PARAMETER']}" if isinstance(v, dict) else f"{k}={v}")
    return f"{exp['type']}({', '.join(args)})"


def min_rows(suite: dict, previous_rows: int | None) -> int:
    """At least one row, and no fewer than the previous release's rows less the allowed drop
    (`max_drop_fraction` in the meta of the suite's row-count expectation)."""
    fraction = next(
        (
            e["meta"]["max_drop_fraction"]
            for e in suite["expectations"]
            if "max_drop_fraction" in e.get("meta", {})
        ),
        MAX_DROP_FRACTION,
    )
    return max(1, int((previous_rows or 0) * (1 - fraction)))


def _suite_columns(suite: dict) -> list[str]:
    return sorted({e["kwargs"]["column"] for e in suite["expectations"] if "column" in e["kwargs"]})


def _checked_frame(df: pd.DataFrame, wanted: list[str]) -> pd.DataFrame:
    """The columns the suite checks, as GX sees them: derived columns added, and list columns
    (sources, aliases) as their length, so that GX can hash the batch cheaply (a frame with
    lists in it is pickled whole, which costs seconds per 10K rows)."""
    frame = df.reset_index(drop=True)
    if "answer_equals_question" in wanted and {"answer", "question"} <= set(frame.columns):
        frame = frame.assign(
            answer_equals_question=[
                isinstance(a, str) and a.strip().casefold() == str(q).strip().casefold()
                for q, a in zip(frame["question"], frame["answer"], strict=True)
            ]
        )
    frame = frame[[c for c in wanted if c in frame.columns]].copy()
    for col in frame.columns:
        if _is_arrow_list(frame[col].dtype):
            frame[col] = _list_lengths(frame[col])
        elif frame[col].dtype == object and frame[col].map(_is_list).any():
            lengths = [None if v is None else len(v) for v in frame[col]]
            frame[col] = pd.array(lengths, dtype="Int64")
    return frame


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple) or hasattr(value, "__array__")


def _is_arrow_list(dtype: object) -> bool:
    return isinstance(dtype, pd.ArrowDtype) and pa.types.is_list(dtype.pyarrow_dtype)


def _list_lengths(lists: pd.Series) -> pd.api.extensions.ExtensionArray:
    """The length of each list of an Arrow list column (missing stays missing), as Int64."""
    lengths = pc.list_value_length(pa.array(lists)).cast(pa.int64())
    return pd.array(lengths.to_numpy(zero_copy_only=False), dtype="Int64")


def validate_table(
    session: Session, df: pd.DataFrame, table: str, previous_rows: int | None = None
) -> Outcome:
    """Quarantine rows failing row-level expectations, then check table-level ones."""
    suite = load_suite(table)
    df = df.reset_index(drop=True)
    wanted = _suite_columns(suite)
    frame = _checked_frame(df, wanted)
    missing = sorted(set(wanted) - set(frame.columns))
    if missing:
        gate = {"expectation": "columns present", "level": "table", "success": False}
        gate["observed"] = "missing: " + ", ".join(missing)
        return Outcome(table=table, good=df, rejected=df.iloc[:0], results=[gate])
    rows_exp = [e for e in suite["expectations"] if e.get("meta", {}).get("level") == "row"]
    table_exp = [e for e in suite["expectations"] if e.get("meta", {}).get("level") != "row"]
    params = {"min_rows": min_rows(suite, previous_rows)}

    reasons: dict[int, list[str]] = {}
    results = []
    for exp, res in zip(
        rows_exp, session.run(frame, f"{table}-rows", rows_exp, params), strict=True
    ):
        bad = res.result.get("unexpected_index_list") or []
        for i in bad:
            reasons.setdefault(int(i), []).append(describe(exp))
        results.append(
            {
                "expectation": describe(exp),
                "level": "row",
                "success": res.success,
                "unexpected": len(bad),
            }
        )
    bad_idx = sorted(reasons)
    rejected = df.loc[bad_idx].copy()
    rejected["reason"] = ["; ".join(reasons[i]) for i in bad_idx]
    checked = frame.drop(index=bad_idx)
    for exp, res in zip(
        table_exp, session.run(checked, f"{table}-table", table_exp, params), strict=True
    ):
        results.append(
            {
                "expectation": describe(exp),
                "level": "table",
                "success": res.success,
                "observed": _observed(res),
            }
        )
    good = df.drop(index=bad_idx).reset_index(drop=True)
    return Outcome(
        table=table, good=good, rejected=rejected.reset_index(drop=True), results=results
    )


def _observed(res) -> object:
    info = res.exception_info or {}
    # One dict, or one per metric that was computed.
    for item in [info, *(v for v in info.values() if isinstance(v, dict))]:
        if item.get("raised_exception"):
            return f"error: {item.get('exception_message')}"
    value = res.result.get("observed_value", res.result.get("unexpected_count"))
    return value if isinstance(value, int | float | str | type(None)) else str(value)
