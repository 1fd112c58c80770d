"""The plain single-process baseline: read each file, pair each question line with the next
line, exact-dedup on a casefolded key, write Parquet and JSONL.

    python bench/baseline.py RAW_DIR OUT_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def baseline(raw: Path, out: Path) -> int:
    seen: dict[str, tuple[str, str]] = {}
    for path in sorted(raw.rglob("*.txt")):
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        for q, a in zip(lines, lines[1:], strict=False):
            if q.endswith("?") and not a.endswith("?"):
                seen.setdefault(q.casefold(), (q, a))
    out.mkdir(parents=True, exist_ok=True)
    table = pa.table(
        {"question": [q for q, _ in seen.values()], "answer": [a for _, a in seen.values()]}
    )
    pq.write_table(table, out / "qa_pairs.parquet")
    with (out / "qa_pairs.jsonl").open("w", encoding="utf-8") as fh:
        for q, a in seen.values():
            fh.write(json.dumps({"question": q, "answer": a}, ensure_ascii=False) + "\n")
    return len(seen)


if __name__ == "__main__":
    print(baseline(Path(sys.argv[1]), Path(sys.argv[2])))
