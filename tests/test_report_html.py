"""report.html, `show` and `run --json`, checked against the manifest of real releases."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from flows.harvest import harvest
from qaharvest import clean, dedupe, extract, progress, readers, report
from qaharvest.cli import app
from qaharvest.report_html import funnel, most_merged, reason_counts
from qaharvest.show import summary_rows
from tests.conftest import REALWORLD, SEED


class Recorder:
    """A progress listener that remembers what it was told."""

    def __init__(self) -> None:
        self.stages: list[str] = []
        self.totals: dict[str, int | None] = {}
        self.done = 0

    def stage(self, name: str, total: int | None) -> None:
        if not self.stages or self.stages[-1] != name:
            self.stages.append(name)
        self.totals[name] = total

    def advance(self, n: int) -> None:
        self.done += n


def _chart(page: str, heading: str) -> list[tuple[str, int]]:
    """The (label, value) bars of the chart under `heading` in report.html."""
    svg = page.split(f"<h2>{heading}</h2>")[1].split("</svg>")[0]
    labels = re.findall(r'class="lbl">([^<]+)<', svg)
    values = [int(v.replace(",", "")) for v in re.findall(r'class="val">([^<]+)<', svg)]
    return list(zip(labels, values, strict=True))


def _run_cli_json(raw: Path, out: Path, home: Path) -> tuple[dict, str]:
    """`qaharvest run --json` in its own process (Prefect's ephemeral mode, no terminal)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(home)
    cli = Path(sys.executable).with_name("qaharvest")
    run = subprocess.run(
        [str(cli), "run", "--raw", str(raw), "--out", str(out), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout), run.stderr


@pytest.mark.parametrize("page", [SEED, REALWORLD / "09_karate-invented.txt"])
def test_report_show_and_json_agree_with_the_manifest(prefect_server, tmp_path, page: Path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    shutil.copy(page, raw / page.name)
    if page == SEED:
        recorder = Recorder()
        with progress.listening(recorder):
            summary = harvest(raw_dir=str(raw), out_dir=str(out))
        assert recorder.stages == ["scan", "extract", "clean", "dedupe", "validate", "publish"]
        assert recorder.totals["extract"] == recorder.done == 1
    else:
        summary, stderr = _run_cli_json(raw, out, tmp_path / "prefect-home")
        assert "Finished in state Completed" in stderr  # the logs go to stderr
        assert "━" not in stderr  # no progress bar without a terminal
        # Started while the run imports (flows.startup), then used by the flow: one server.
        assert stderr.count("Starting temporary server") == 1
        assert "ERROR" not in stderr  # e.g. the server failing to send telemetry offline
    latest = out / "latest"
    manifest = json.loads((latest / "manifest.json").read_text())
    assert summary["stages"] == manifest["stages"] and summary["lines"] == manifest["lines"]
    assert summary["stages"]["qa_pairs"] == manifest["rows"]["qa_pairs"]
    closing = dict(row for section in summary_rows(summary) for row in section)
    assert closing["files read"] == "1 (0 from cache)"
    assert closing["lines read"] == f"{manifest['lines']['read']:,}"
    assert closing["published pairs"] == f"{manifest['rows']['qa_pairs']:,}"
    assert closing["rows rejected"] == f"{manifest['stages']['rows_rejected']:,}"
    assert {"extract (s)", "dedupe (s)", "validate (s)", "publish (s)"} <= closing.keys()

    page_html = (latest / "report.html").read_text()
    assert _chart(page_html, "From lines to published rows") == funnel(manifest)
    for lengths in ("Question length (characters)", "Answer length (characters)"):
        assert sum(n for _, n in _chart(page_html, lengths)) == manifest["rows"]["qa_pairs"]
    assert funnel(manifest)[0] == ("lines read", manifest["lines"]["read"])
    assert funnel(manifest)[-2] == ("published pairs", manifest["rows"]["qa_pairs"])
    assert 'href="validation/index.html"' in page_html and "<script" not in page_html
    assert not re.search(r'(src|href)="https?:', page_html)  # opens offline
    assert manifest["files"]["report.html"]["bytes"] == len(page_html.encode())
    assert "[report.html](report.html)" in (latest / "README.md").read_text()

    rejected = reason_counts(pd.read_parquet(latest / "rejected.parquet"))
    assert sum(n for _, n in rejected) >= manifest["rows"]["rejected"] > 0
    shown = CliRunner().invoke(app, ["show", str(latest)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    for label, value in funnel(manifest):
        assert re.search(rf"{label}\s*│\s*{value:,}\s*│", shown.stdout), label
    for reason, n in rejected:
        assert re.search(rf"{re.escape(reason)}\s*│\s*{n:,}\s*│", shown.stdout), reason
        assert f">{n:,}<" in page_html


def test_most_merged_lists_the_other_wordings(tmp_path):
    shutil.copy(SEED, tmp_path / "a.txt")
    reworded = SEED.read_text().replace(
        "Will psoas pain ever go away?", "Will the psoas pain ever go away?"
    )
    (tmp_path / "b.txt").write_text(reworded)
    files = readers.input_files(sorted(tmp_path.iterdir()), tmp_path)
    occurrences, noise = extract.extract_files(files).frames()
    answered, _ = dedupe.dedupe(clean.clean_frame(occurrences))

    top = most_merged(answered)
    assert top["question"].tolist() == ["Will psoas pain ever go away?"]
    assert list(top["aliases"].iloc[0]) == ["Will the psoas pain ever go away?"]
    assert top["occurrences"].iloc[0] == 2

    rejected = report.rejected_frame(noise, {})
    expected = noise["rule"].value_counts()
    assert dict(reason_counts(rejected)) == {f"noise: {r}": n for r, n in expected.items()}


def test_a_row_failing_two_checks_counts_for_both():
    rejected = pd.DataFrame({"reason": ["a; b", "b", None]})
    assert reason_counts(rejected) == [("b", 2), ("a", 1)]
