"""Deduplication: merge occurrences of the same question into one row, keep every wording,
and group paraphrases under a shared `cluster_id`."""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter, defaultdict

import pandas as pd
import snowballstemmer
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
# Calibrated on a random half of ../shared/qqp (bench/qqp_eval.py --sweep), reported on the other.
GROUP_THRESHOLD = 0.35
# Cosine of all-MiniLM-L6-v2 sentence embeddings for `semantic` grouping (same calibration).
SEMANTIC_THRESHOLD = 0.72
WEIGHT_CONTENT = 0.7
WH_MISMATCH = 0.8
QUALIFIER_ADDED = 0.5
WORD_SWAPPED = 0.7
SPELLING_RATIO = 75
QUALIFIER_PREPOSITIONS = frozenset(
    [
        "after",
        "before",
        "during",
        "with",
        "without",
        "while",
        "for",
        "in",
        "on",
        "at",
        "from",
        "by",
        "since",
        "until",
        "near",
    ]
)
_WH = re.compile(r"\b(?:how|what|why|which|who|where|when)\b")
BLOCK_KEYS = 4
MAX_BLOCK = 300


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


_SNOWBALL = snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=1 << 20)
def word_stem(token: str) -> str:
    """Snowball stem of one word (cached: the vocabulary is far smaller than the text)."""
    return _SNOWBALL.stemWord(token)


def content_tokens(norm: str) -> frozenset[str]:
    """Stemmed words of a question that carry its topic (no stopwords)."""
    return frozenset(word_stem(t) for t in norm.split() if t not in STOPWORDS)


def _sources(occ: pd.DataFrame) -> list[dict]:
    urls = occ["url"].where(occ["url"].notna(), None)
    records = occ["record"].astype("Int64")
    return [
        {"file": f, "line": int(ln), "url": u, "record": None if pd.isna(r) else int(r)}
        for f, ln, u, r in zip(occ["file"], occ["line"], urls, records, strict=True)
    ]


def merge_occurrences(occ: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct question (answered or not), in the qa_pair schema.

    Occurrences with the same merge key are one question. The canonical wording is the most
    frequent among answered occurrences (first seen on ties); the best answer is the first of
    the non-truncated, most common, longest; every other wording is an alias.
    """
    occ = occ.assign(norm=[normalize_question(q) for q in occ["question"]])
    occ = occ[occ["norm"] != ""]
    if occ.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns()})
    occ = occ.assign(key=[merge_key(n) for n in occ["norm"]], answered=occ["answer"].notna())
    occ = occ.sort_values(["file", "record", "line"], na_position="first", kind="stable")
    occ = occ.reset_index(drop=True).assign(order=lambda d: range(len(d)))
    by_key = occ.groupby("key", sort=False)

    # Canonical wording: answered occurrences first, then the most frequent, then first seen.
    eligible = occ["answered"] | ~by_key["answered"].transform("any")
    wording = occ[eligible].assign(
        n=lambda d: d.groupby(["key", "norm"])["order"].transform("size")
    )
    canon = wording.sort_values(["key", "n", "order"], ascending=[True, False, True])
    canon = canon.drop_duplicates("key").set_index("key")

    # Best answer: not truncated, most common, longest; the others are counted.
    answered = occ[occ["answered"]].assign(
        n=lambda d: d.groupby(["key", "answer"])["order"].transform("size"),
        length=lambda d: d["answer"].map(len, na_action="ignore"),
    )
    best = (
        answered.sort_values(
            ["key", "answer_truncated", "n", "length", "order"],
            ascending=[True, True, False, False, True],
        )
        .drop_duplicates("key")
        .set_index("key")
    )
    variants = answered.groupby("key")["answer"].nunique() - 1

    occ["source"] = _sources(occ)
    sources = by_key["source"].agg(list)
    wordings = occ.drop_duplicates(["key", "norm"])
    wordings = wordings[
        wordings["norm"].to_numpy() != canon.loc[wordings["key"], "norm"].to_numpy()
    ]
    aliases = wordings.groupby("key", sort=False)["question"].agg(list)

    keys = canon.index
    rows = pd.DataFrame(
        {
            "id": [question_id(n) for n in canon["norm"]],
            "question": canon["question"].to_numpy(),
            "question_norm": canon["norm"].to_numpy(),
            "answer": best["answer"].reindex(keys).astype(object).to_numpy(),
            "aliases": [
                list(a)
                for a in aliases.reindex(keys).apply(lambda a: a if isinstance(a, list) else [])
            ],
            "title": canon["title"].where(canon["title"].notna(), None).to_numpy(),
            "sources": sources.reindex(keys).to_numpy(),
            "cluster_id": "",
            "answer_truncated": best["answer_truncated"]
            .reindex(keys)
            .fillna(False)
            .astype(bool)
            .to_numpy(),
            "answer_variants": variants.reindex(keys).fillna(0).astype(int).to_numpy(),
            "occurrences": by_key.size().reindex(keys).to_numpy(),
        }
    )
    rows["answer"] = rows["answer"].where(rows["answer"].notna(), None)
    return rows[columns()]


def idf_weights(tokens: list[frozenset[str]]) -> dict[str, float]:
    """Inverse document frequency of each content token over the questions of this run."""
    df = Counter(t for ts in tokens for t in ts)
    n = len(tokens) + 1
    return {t: math.log(n / c) + 1.0 for t, c in df.items()}


def similarity(a: frozenset[str], b: frozenset[str], idf: dict[str, float]) -> float:
    """IDF-weighted Jaccard of two content-token sets: a rare word on one side only
    ("learn Python" / "learn Java") costs much more than a common one."""
    union = a | b
    if not union:
        return 0.0
    return sum(idf[t] for t in a & b) / sum(idf[t] for t in union)


def _wh(norm: str) -> str:
    m = _WH.search(norm)
    return m.group(0) if m else ""


def _qualifiers(norm: str) -> list[str]:
    """Stems of the first content word after each preposition ("after lunges" → "lung")."""
    words = norm.split()
    out = []
    for i, w in enumerate(words):
        if w in QUALIFIER_PREPOSITIONS:
            nxt = next((t for t in words[i + 1 : i + 4] if t not in STOPWORDS), None)
            if nxt:
                out.append(word_stem(nxt))
    return out


def _adds_qualifier(norm_a: str, norm_b: str, a: frozenset, b: frozenset) -> bool:
    """One question is the other plus a qualifying phrase ("… after lunges?")."""
    if not (a < b or b < a):
        return False
    longer, shorter = (norm_b, a) if a < b else (norm_a, b)
    return any(q not in shorter for q in _qualifiers(longer))


def _swaps_one_word(a: frozenset, b: frozenset) -> bool:
    """The two differ in one content word each, not a respelling ("learn Python" / "learn Java",
    but not "loose weight" / "lose weight")."""
    only_a, only_b = a - b, b - a
    if len(only_a) != 1 or len(only_b) != 1:
        return False
    return fuzz.ratio(next(iter(only_a)), next(iter(only_b))) < SPELLING_RATIO


def paraphrase_score(norm_a: str, norm_b: str, a: frozenset, b: frozenset, idf: dict) -> float:
    """Blend of content overlap (weighted Jaccard) and wording overlap (edit-distance ratio),
    discounted when the two ask with different wh-words ("how" vs "why") and when one only
    adds a qualifying phrase to the other ("release the psoas" / "… after lunges")."""
    score = WEIGHT_CONTENT * similarity(a, b, idf) + (1 - WEIGHT_CONTENT) * (
        fuzz.ratio(norm_a, norm_b) / 100
    )
    if _wh(norm_a) != _wh(norm_b):
        score *= WH_MISMATCH
    if _adds_qualifier(norm_a, norm_b, a, b):
        score *= QUALIFIER_ADDED
    if _swaps_one_word(a, b):
        score *= WORD_SWAPPED
    return score


def candidate_pairs(tokens: list[frozenset[str]], idf: dict[str, float]) -> set[tuple[int, int]]:
    """Pairs sharing one of their rarest content tokens (blocking keeps this sub-quadratic)."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, ts in enumerate(tokens):
        for t in sorted(ts, key=lambda t: (-idf[t], t))[:BLOCK_KEYS]:
            blocks[t].append(i)
    pairs = set()
    for members in blocks.values():
        if 1 < len(members) <= MAX_BLOCK:
            pairs.update(itertools.combinations(members, 2))
    return pairs


def lexical_edges(norms: list[str], threshold: float) -> list[tuple[int, int]]:
    """Blocked candidate pairs whose paraphrase score reaches `threshold`."""
    tokens = [content_tokens(n) for n in norms]
    idf = idf_weights(tokens)
    return [
        (i, j)
        for i, j in candidate_pairs(tokens, idf)
        if paraphrase_score(norms[i], norms[j], tokens[i], tokens[j], idf) >= threshold
    ]


def semantic_edges(
    questions: list[str], norms: list[str], threshold: float
) -> list[tuple[int, int]]:
    """Nearest neighbours by sentence-embedding cosine that reaches `threshold`, except where
    one question only adds a qualifying phrase to the other."""
    from qaharvest import semantic

    pairs = semantic.neighbour_pairs(semantic.embed(questions), threshold)
    return [
        (i, j)
        for i, j in pairs
        if not _adds_qualifier(
            norms[i], norms[j], content_tokens(norms[i]), content_tokens(norms[j])
        )
    ]


def assign_clusters(
    rows: pd.DataFrame, threshold: float | None = None, semantic: bool = False
) -> pd.Series:
    """Paraphrase groups: connected components of the paraphrase edges (lexical by default,
    sentence embeddings with `semantic`). The label of a group is the smallest id in it."""
    ids = list(rows["id"])
    norms = list(rows["question_norm"])
    if semantic:
        edges = semantic_edges(
            list(rows["question"]), norms, SEMANTIC_THRESHOLD if threshold is None else threshold
        )
    else:
        edges = lexical_edges(norms, GROUP_THRESHOLD if threshold is None else threshold)
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in edges:
        parent[find(i)] = find(j)
    label: dict[int, str] = {}
    for i in range(len(rows)):
        root = find(i)
        label[root] = min(label.get(root, ids[i]), ids[i])
    return pd.Series([label[find(i)] for i in range(len(rows))], index=rows.index, dtype=object)


def dedupe(
    occ: pd.DataFrame, threshold: float | None = None, semantic: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(answered rows, unanswered rows), both in the qa_pair schema, sorted by id.
    `semantic` groups paraphrases by sentence embeddings (needs the `semantic` extra)."""
    rows = merge_occurrences(occ)
    rows["cluster_id"] = assign_clusters(rows, threshold, semantic)
    answered = rows[rows["answer"].notna()].sort_values("id").reset_index(drop=True)
    unanswered = rows[rows["answer"].isna()].sort_values("id").reset_index(drop=True)
    return answered, unanswered
