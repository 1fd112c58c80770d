"""Exports of a release for other apps: schema.org FAQPage JSON-LD, one document per page title."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd


def faqpage_documents(pairs: pd.DataFrame) -> list[dict]:
    """One FAQPage per page title (pairs with no title go to an untitled page)."""
    docs = []
    for title, group in pairs.groupby(pairs["title"].fillna(""), sort=True):
        doc = {"@context": "https://schema.org", "@type": "FAQPage"}
        if title:
            doc["name"] = title
        doc["mainEntity"] = [
            {"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer", "text": a}}
            for q, a in zip(group["question"], group["answer"], strict=True)
        ]
        docs.append(doc)
    return docs


def write_faqpage(release: Path, dest: Path) -> int:
    """Write the FAQPage documents of a release as a JSON array; return how many."""
    pairs = pd.read_parquet(release / "qa_pairs.parquet", columns=["title", "question", "answer"])
    docs = faqpage_documents(pairs)
    dest.write_text(json.dumps(docs, ensure_ascii=False, indent=2), encoding="utf-8")
    return len(docs)
