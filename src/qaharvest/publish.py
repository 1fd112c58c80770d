"""Publishing: write a release into a temporary folder, fsync, rename it into
`OUT/releases/<version>`, then switch the `OUT/latest` symlink with one atomic rename."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from qaharvest import __version__
from qaharvest.card import dataset_card
from qaharvest.fingerprint import file_digest
from qaharvest.report_html import render as render_report
from qaharvest.schema import arrow_schema, schema_version

KEEP_RELEASES = 10
TMP_PREFIX = ".tmp-"


class PublishFailed(OSError):
    """Writing a release failed (disk full, permission…); its temporary folder is removed."""


def to_arrow(df: pd.DataFrame, schema_name: str) -> pa.Table:
    """`df` as an Arrow table of the schema. Columns the frame holds as Arrow arrays (the
    nested `sources`) are described in the pandas metadata as the object columns pandas reads
    back, so that the files do not depend on how a frame held its columns."""
    schema = arrow_schema(schema_name)
    frame = df[schema.names]
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    held = [c for c in frame.columns if isinstance(frame[c].dtype, pd.ArrowDtype)]
    if not held:
        return table
    as_objects = frame.iloc[:0].astype(dict.fromkeys(held, object))
    meta = pa.Table.from_pandas(as_objects, schema=schema, preserve_index=False).schema.metadata
    return table.replace_schema_metadata(meta)


def _write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, compression="zstd")


def _write_jsonl(table: pa.Table, path: Path) -> None:
    """One JSON object per row and line (UTF-8, keys in schema order), written by polars: the
    million nested sources of a big run take it a fraction of a second, a Python loop seconds."""
    pl.from_arrow(table).write_ndjson(path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def latest_manifest(out_dir: Path) -> dict | None:
    path = out_dir / "latest" / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def change_summary(previous: pd.DataFrame | None, current: pd.DataFrame) -> dict:
    """Ids added, removed and changed (answer or aliases differ) against the previous release."""
    if previous is None:
        return {"added": sorted(current["id"]), "removed": [], "changed": []}
    prev, cur = _answers_and_aliases(previous), _answers_and_aliases(current)
    return {
        "added": sorted(cur.keys() - prev.keys()),
        "removed": sorted(prev.keys() - cur.keys()),
        "changed": sorted(i for i in cur.keys() & prev.keys() if cur[i] != prev[i]),
    }


def _answers_and_aliases(pairs: pd.DataFrame) -> dict[str, tuple]:
    """{id: (answer, aliases)} of each row (only these columns are read: the others, such as
    the sources, are not turned into Python objects)."""
    return {
        i: (answer, list(aliases))
        for i, answer, aliases in zip(pairs["id"], pairs["answer"], pairs["aliases"], strict=True)
    }


def previous_pairs(out_dir: Path) -> pd.DataFrame | None:
    path = out_dir / "latest" / "qa_pairs.parquet"
    return pd.read_parquet(path, columns=["id", "answer", "aliases"]) if path.exists() else None


def new_version() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def publish(
    out_dir: Path,
    tables: dict[str, tuple[pd.DataFrame, str]],
    manifest: dict,
    keep: int = KEEP_RELEASES,
    folders: dict[str, Path] | None = None,
) -> Path:
    """Write `tables` ({name: (frame, schema)}), copies of `folders` ({name: source}) and the
    manifest as a new release; return it.

    `qa_pairs` is also written as JSONL. Nothing is visible under `releases/` or `latest`
    until every file is written and flushed.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    version = manifest.setdefault("version", new_version())
    tmp = out_dir / f"{TMP_PREFIX}{version}"
    tmp.mkdir()
    try:
        rows = {}
        for name, (df, schema_name) in tables.items():
            table = to_arrow(df, schema_name)
            _write_parquet(table, tmp / f"{name}.parquet")
            if name == "qa_pairs":
                _write_jsonl(table, tmp / f"{name}.jsonl")
            rows[name] = table.num_rows
        for name, source in (folders or {}).items():
            shutil.copytree(source, tmp / name)
        manifest.update(
            {
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "package_version": __version__,
                "schema_version": schema_version(),
                "rows": rows,
            }
        )
        (tmp / "README.md").write_text(dataset_card(manifest), encoding="utf-8")
        (tmp / "report.html").write_text(
            render_report(manifest, tables["qa_pairs"][0], tables["rejected"][0]),
            encoding="utf-8",
        )
        files = {}
        for path in sorted(p for p in tmp.rglob("*") if p.is_file()):
            _fsync(path)
            files[path.relative_to(tmp).as_posix()] = {
                "bytes": path.stat().st_size,
                "sha256": file_digest(path),
            }
        manifest["files"] = files
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        _fsync(tmp / "manifest.json")
        _fsync(tmp)
        releases = out_dir / "releases"
        releases.mkdir(exist_ok=True)
        final = releases / version
        os.rename(tmp, final)
        _fsync(releases)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise PublishFailed(
                exc.errno,
                f"could not write release {version} in {out_dir}: {exc.strerror or exc}; "
                "nothing was published",
            ) from exc
        raise
    link = out_dir / f"{TMP_PREFIX}latest"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(Path("releases") / version)
    os.replace(link, out_dir / "latest")
    _fsync(out_dir)
    prune(out_dir, keep)
    return final


def list_releases(out_dir: Path) -> list[Path]:
    """Complete releases, oldest first."""
    releases = out_dir / "releases"
    if not releases.exists():
        return []
    return sorted(p for p in releases.iterdir() if (p / "manifest.json").exists())


def prune(out_dir: Path, keep: int) -> None:
    """Keep the newest `keep` releases (never the one `latest` points to) and drop leftovers
    of interrupted runs."""
    current = (out_dir / "latest").resolve()
    for old in list_releases(out_dir)[:-keep] if keep > 0 else []:
        if old.resolve() != current:
            # Renamed out of releases/ first: a kill mid-delete leaves only a temp folder.
            doomed = out_dir / f"{TMP_PREFIX}pruned-{old.name}"
            os.rename(old, doomed)
            shutil.rmtree(doomed, ignore_errors=True)


def clean_leftovers(out_dir: Path) -> list[str]:
    """Remove temporary folders left by a killed run; return their names."""
    removed = []
    for p in out_dir.glob(f"{TMP_PREFIX}*") if out_dir.exists() else []:
        if p.is_symlink() or p.is_file():
            p.unlink()
        else:
            shutil.rmtree(p, ignore_errors=True)
        removed.append(p.name)
    return removed
