"""Deduplication: merge occurrences of the same question into one row, keep every wording,
and group paraphrases under a shared `cluster_id`."""

from __future__ import annotations

from collections import Counter, defaultdict

import pandas as pd
from rapidfuzz import fuzz

from qaharvest.normalize import normalize_question, question_id
from qaharvest.schema import columns

# Words whose presence or absence does not change what is asked.
FILLER = frozenset(["a", "an", "the"])
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "am",
        "do",
        "does",
        "did",
        "can",
        "could",
        "should",
        "would",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "i",
        "you",
        "he",
        "she",
        "it",
        "we",
        "they",
        "my",
        "your",
        "his",
        "her",
        "its",
        "our",
        "their",
        "me",
        "him",
        "us",
        "them",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "at",
        "by",
        "from",
        "and",
        "or",
        "as",
        "that",
        "this",
        "these",
        "those",
        "there",
        "what",
        "how",
        "why",
        "who",
        "when",
        "where",
        "which",
        "if",
        "so",
        "about",
        "into",
        "than",
        "then",
        "just",
        "also",
        "any",
        "some",
    ]
)
GROUP_THRESHOLD = 85
MAX_BLOCK = 200


def _stem(token: str) -> str:
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def merge_key(norm: str) -> str:
    """Occurrences with the same merge key are the same question: articles dropped,
    plurals folded, word order kept."""
    return " ".join(_stem(t) for t in norm.split() if t not in FILLER)


def content_tokens(norm: str) -> frozenset[str]:
    return frozenset(_stem(t) for t in norm.split() if t not in STOPWORDS)


def _best_answer(group: pd.DataFrame) -> tuple[str | None, bool, int]:
    answered = group[group["answer"].notna()]
    if answered.empty:
        return None, False, 0
    counts = Counter(answered["answer"])
    ranked = sorted(
        answered.drop_duplicates("answer").itertuples(index=False),
        key=lambda r: (bool(r.answer_truncated), -counts[r.answer], -len(r.answer)),
    )
    best = ranked[0]
    return best.answer, bool(best.answer_truncated), len(counts) - 1


def merge_occurrences(occ: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct question (answered or not), in the qa_pair schema."""
    occ = occ.copy()
    occ["norm"] = [normalize_question(q) for q in occ["question"]]
    occ = occ[occ["norm"] != ""]
    occ["key"] = [merge_key(n) for n in occ["norm"]]
    occ = occ.sort_values(["file", "record", "line"], na_position="first", kind="stable")
    rows = []
    for _, group in occ.groupby("key", sort=False):
        answered = group[group["answer"].notna()]
        pool = answered if not answered.empty else group
        wording = Counter(pool["norm"])
        canon_norm = max(wording, key=lambda n: (wording[n], -list(pool["norm"]).index(n)))
        canon = pool[pool["norm"] == canon_norm].iloc[0]
        answer, truncated, variants = _best_answer(group)
        aliases = list(
            dict.fromkeys(
                q for q, n in zip(group["question"], group["norm"], strict=True) if n != canon_norm
            )
        )
        sources = [
            {
                "file": f,
                "line": int(ln),
                "url": u if isinstance(u, str) else None,
                "record": int(r) if pd.notna(r) else None,
            }
            for f, ln, u, r in zip(
                group["file"], group["line"], group["url"], group["record"], strict=True
            )
        ]
        rows.append(
            {
                "id": question_id(canon_norm),
                "question": canon["question"],
                "question_norm": canon_norm,
                "answer": answer,
                "aliases": aliases,
                "title": canon["title"] if isinstance(canon["title"], str) else None,
                "sources": sources,
                "cluster_id": "",
                "answer_truncated": truncated,
                "answer_variants": variants,
                "occurrences": len(group),
            }
        )
    return pd.DataFrame(rows, columns=columns())


def _similar(a: str, b: str, ta: frozenset, tb: frozenset) -> bool:
    if not ta or not tb or (ta - tb and tb - ta):
        return False  # each side asks about something the other does not mention
    return fuzz.token_set_ratio(a, b) >= GROUP_THRESHOLD


def assign_clusters(rows: pd.DataFrame) -> pd.Series:
    """Paraphrase groups over blocked candidates (rows sharing a rare content word)."""
    norms = list(rows["question_norm"])
    ids = list(rows["id"])
    tokens = [content_tokens(n) for n in norms]
    df = Counter(t for ts in tokens for t in ts)
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, ts in enumerate(tokens):
        for t in sorted(ts, key=lambda t: (df[t], t))[:2]:
            blocks[t].append(i)
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for members in blocks.values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                if find(i) != find(j) and _similar(norms[i], norms[j], tokens[i], tokens[j]):
                    parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(rows)):
        groups[find(i)].append(i)
    cluster = [""] * len(rows)
    for members in groups.values():
        label = min(ids[i] for i in members)
        for i in members:
            cluster[i] = label
    return pd.Series(cluster, index=rows.index, dtype=object)


def dedupe(occ: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(answered rows, unanswered rows), both in the qa_pair schema, sorted by id."""
    rows = merge_occurrences(occ)
    rows["cluster_id"] = assign_clusters(rows)
    answered = rows[rows["answer"].notna()].sort_values("id").reset_index(drop=True)
    unanswered = rows[rows["answer"].isna()].sort_values("id").reset_index(drop=True)
    return answered, unanswered
