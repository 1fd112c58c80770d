"""The Great Expectations file context of a run, in a temporary folder: runs suites through
checkpoints and renders their Data Docs, which are then copied into the release.

great_expectations is imported lazily: it costs seconds and only validation needs it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd


def import_gx():
    """The `great_expectations` module, imported with its usage statistics off."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations

    return great_expectations


class Session:
    """A Great Expectations file context in a temporary folder: runs suites through
    checkpoints and renders their Data Docs. Use as a context manager."""

    def __enter__(self) -> Session:
        gx = import_gx()
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
                result_format={"result_format": "COMPLETE"},
            )
        )
        result = checkpoint.run(batch_parameters={"dataframe": df}, expectation_parameters=params)
        (suite_result,) = result.run_results.values()
        return list(suite_result.results)

    def copy_docs(self, dest: Path) -> None:
        """Render the Data Docs site of every run, once, and copy it to `dest` (its entry
        page is index.html)."""
        self.ctx.build_data_docs()
        site = Path(self._tmp) / "gx" / "uncommitted" / "data_docs" / "local_site"
        shutil.copytree(site, dest)
