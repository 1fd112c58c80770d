"""The record schemas, declared once as JSON Schema in `schemas/`, and the Arrow schemas
derived from them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pyarrow as pa

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"

_SCALARS = {
    "string": pa.string(),
    "integer": pa.int64(),
    "boolean": pa.bool_(),
    "number": pa.float64(),
}


@cache
def json_schema(name: str = "qa_pair") -> dict:
    """The JSON Schema `schemas/<name>.schema.json`."""
    return json.loads((SCHEMAS_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def schema_version(name: str = "qa_pair") -> str:
    return json_schema(name)["version"]


def _types(spec: dict) -> tuple[str, bool]:
    types = spec["type"] if isinstance(spec["type"], list) else [spec["type"]]
    nullable = "null" in types
    (kind,) = [t for t in types if t != "null"]
    return kind, nullable


def _arrow_type(spec: dict) -> pa.DataType:
    kind, _ = _types(spec)
    if kind == "array":
        return pa.list_(_arrow_type(spec["items"]))
    if kind == "object":
        return pa.struct(_fields(spec))
    return _SCALARS[kind]


def _fields(spec: dict) -> list[pa.Field]:
    required = set(spec.get("required", []))
    fields = []
    for name, prop in spec["properties"].items():
        _, nullable = _types(prop)
        meta = {"description": prop["description"]} if "description" in prop else None
        fields.append(
            pa.field(
                name, _arrow_type(prop), nullable=nullable or name not in required, metadata=meta
            )
        )
    return fields


@cache
def arrow_schema(name: str = "qa_pair") -> pa.Schema:
    """Arrow schema derived from the JSON Schema, descriptions kept as field metadata."""
    spec = json_schema(name)
    return pa.schema(_fields(spec), metadata={"schema_version": spec["version"], "schema": name})


def columns(name: str = "qa_pair") -> list[str]:
    return list(json_schema(name)["properties"])
