"""Validation with Great Expectations: row-level expectations quarantine rows, table-level
expectations gate the release. Suites are JSON files in `schemas/expectations/`.

great_expectations is imported lazily: it costs seconds and only this step needs it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from qaharvest.schema import SCHEMAS_DIR

SUITES_DIR = SCHEMAS_DIR / "expectations"
MAX_DROP_FRACTION = 0.5  # a release may not lose more than half the rows of the previous one


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
    kw = {k: v for k, v in exp["kwargs"].items() if k not in ("column", "batch_id")}
    col = exp["kwargs"].get("column")
    args = ", ".join(f"{k}={v}" for k, v in kw.items() if not isinstance(v, dict))
    return f"{exp['type']}({col}{', ' if col and args else ''}{args})"


class Session:
    """A Great Expectations file context in a temporary folder: runs suites through
    checkpoints and renders their Data Docs. Use as a context manager."""

    def __enter__(self) -> Session:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
        self._tmp = tempfile.mkdtemp(prefix="qaharvest-gx-")
        self.ctx = gx.get_context(mode="file", project_root_dir=self._tmp)
        self.ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        self._source = self.ctx.data_sources.add_pandas("qaharvest")
        self._runs: dict[str, int] = {}
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self._tmp, ignore_errors=True)

    def run(self, df: pd.DataFrame, name: str, expectations: list[dict], params: dict) -> list:
        """Validate `df` against `expectations` as suite `name`; one result per expectation."""
        if not expectations:
            return []
        gx = self._gx
        self._runs[name] = self._runs.get(name, 0) + 1
        if self._runs[name] > 1:
            name = f"{name}-{self._runs[name]}"
        batch = self._source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")
        suite = self.ctx.suites.add(
            gx.ExpectationSuite(name=name, expectations=[dict(e) for e in expectations])
        )
        definition = self.ctx.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=suite)
        )
        checkpoint = self.ctx.checkpoints.add(
            gx.Checkpoint(
                name=name,
                validation_definitions=[definition],
                actions=[gx.checkpoint.UpdateDataDocsAction(name="data-docs")],
                result_format={"result_format": "COMPLETE"},
            )
        )
        result = checkpoint.run(batch_parameters={"dataframe": df}, expectation_parameters=params)
        (suite_result,) = result.run_results.values()
        return list(suite_result.results)

    def copy_docs(self, dest: Path) -> None:
        """Copy the rendered Data Docs site to `dest` (its entry page is index.html)."""
        site = Path(self._tmp) / "gx" / "uncommitted" / "data_docs" / "local_site"
        shutil.copytree(site, dest)


def _prepare(df: pd.DataFrame) -> pd.DataFrame:
    frame = df.reset_index(drop=True).copy()
    if "answer" in frame and "question" in frame:
        frame["answer_equals_question"] = [
            isinstance(a, str) and a.strip().casefold() == str(q).strip().casefold()
            for q, a in zip(frame["question"], frame["answer"], strict=True)
        ]
    return frame


def validate_table(
    session: Session, df: pd.DataFrame, table: str, previous_rows: int | None = None
) -> Outcome:
    """Quarantine rows failing row-level expectations, then check table-level ones."""
    suite = load_suite(table)
    frame = _prepare(df)
    rows_exp = [e for e in suite["expectations"] if e.get("meta", {}).get("level") == "row"]
    table_exp = [e for e in suite["expectations"] if e.get("meta", {}).get("level") != "row"]
    min_rows = max(1, int((previous_rows or 0) * (1 - MAX_DROP_FRACTION)))
    params = {"min_rows": min_rows}

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
    rejected = frame.loc[bad_idx, [c for c in df.columns]].copy()
    rejected["reason"] = ["; ".join(reasons[i]) for i in bad_idx]
    good = frame.drop(index=bad_idx)
    for exp, res in zip(
        table_exp, session.run(good, f"{table}-table", table_exp, params), strict=True
    ):
        results.append(
            {
                "expectation": describe(exp),
                "level": "table",
                "success": res.success,
                "observed": _observed(res),
            }
        )
    good = good[[c for c in df.columns]].reset_index(drop=True)
    return Outcome(
        table=table, good=good, rejected=rejected.reset_index(drop=True), results=results
    )


def _observed(res) -> object:
    value = res.result.get("observed_value", res.result.get("unexpected_count"))
    return value if isinstance(value, int | float | str | type(None)) else str(value)
