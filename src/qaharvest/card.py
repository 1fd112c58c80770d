"""The dataset card (`README.md` in each release), in the Hugging Face dataset-card style."""

from __future__ import annotations

from qaharvest.schema import json_schema

_HF_TYPES = {"string": "string", "integer": "int64", "boolean": "bool"}


def _feature(name: str, spec: dict) -> list[str]:
    kinds = spec["type"] if isinstance(spec["type"], list) else [spec["type"]]
    kind = next(k for k in kinds if k != "null")
    if kind == "array" and spec["items"]["type"] == "object":
        out = [f"  - name: {name}", "    sequence:"]
        for sub, sub_spec in spec["items"]["properties"].items():
            sub_kind = next(
                k
                for k in (
                    [sub_spec["type"]] if isinstance(sub_spec["type"], str) else sub_spec["type"]
                )
                if k != "null"
            )
            out += [f"      - name: {sub}", f"        dtype: {_HF_TYPES[sub_kind]}"]
        return out
    if kind == "array":
        return [f"  - name: {name}", f"    sequence: {_HF_TYPES[spec['items']['type']]}"]
    return [f"  - name: {name}", f"    dtype: {_HF_TYPES[kind]}"]


def dataset_card(manifest: dict) -> str:
    """Markdown with a YAML header (features, splits and sizes), then how the data was built."""
    schema = json_schema()
    rows = manifest["rows"]
    features = [
        line for name, spec in schema["properties"].items() for line in _feature(name, spec)
    ]
    stages, lines = manifest["stages"], manifest["lines"]
    columns = "\n".join(
        f"| `{n}` | {s.get('description', '')} |" for n, s in schema["properties"].items()
    )
    return "\n".join(
        [
            "---",
            "pretty_name: qaharvest Q&A pairs",
            "language:",
            "- en",
            "task_categories:",
            "- question-answering",
            "size_categories:",
            f"- {_size_category(rows['qa_pairs'])}",
            "configs:",
            "- config_name: default",
            "  data_files:",
            "  - split: train",
            "    path: qa_pairs.parquet",
            "  - split: unanswered",
            "    path: unanswered.parquet",
            "dataset_info:",
            "  features:",
            *features,
            "  splits:",
            f"  - name: train\n    num_examples: {rows['qa_pairs']}",
            f"  - name: unanswered\n    num_examples: {rows['unanswered']}",
            "---",
            "",
            f"# qaharvest release {manifest['version']}",
            "",
            'Question–answer pairs extracted from scraped "People also ask" pages, cleaned, '
            "deduplicated (the same question merged, other wordings kept as `aliases`, paraphrases "
            "grouped by `cluster_id`) and validated with Great Expectations.",
            "",
            "## How it was built",
            "",
            f"- input: {manifest['input']['files_total']} files "
            f"({len(manifest['rejected_files'])} set aside, see `manifest.json`), "
            f"{lines['read']} lines: {lines['title']} titles, {lines['question']} questions, "
            f"{lines['answer']} answer lines, {lines['noise']} noise lines;",
            f"- {stages['occurrences']} question occurrences merged into "
            f"{stages['distinct_questions']} distinct questions, {stages['paraphrase_groups']} "
            "paraphrase groups;",
            f"- {stages['rows_rejected']} rows quarantined by row-level checks "
            "(`rejected.parquet`, with the failed expectations in `reason`);",
            f"- published: {rows['qa_pairs']} answered pairs, {rows['unanswered']} unanswered "
            "questions.",
            "",
            "Run report: [report.html](report.html). "
            "Validation report: [validation/index.html](validation/index.html). "
            "Every file's sha256 is in `manifest.json`.",
            "",
            "## Columns",
            "",
            "| column | description |",
            "|---|---|",
            columns,
            "",
            f"Schema version {manifest['schema_version']}, "
            f"qaharvest {manifest['package_version']}.",
            "",
        ]
    )


def _size_category(n: int) -> str:
    for limit, label in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
    ):
        if n < limit:
            return label
    return "n>1M"
