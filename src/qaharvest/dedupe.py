"""Deduplication: merge occurrences of the same question into one row, keep every wording,
and group paraphrases under a shared `cluster_id`."""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import snowballstemmer
from pandas.api.extensions import ExtensionArray
from pandas.arrays import ArrowExtensionArray
from rapidfuzz import fuzz

from qaharvest import memory
from qaharvest.normalize import normalize_question, question_id
from qaharvest.schema import arrow_schema, columns

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


class Discounts(NamedTuple):
    """Factors for the differences between two questions that change what is asked."""

    wh_mismatch: float  # "how …" / "why …"
    qualifier_added: float  # "release the psoas" / "… after lunges"
    word_swapped: float  # "learn Python" / "learn Java"
    names_differ: float  # "How old is Darren Clarke?" / "How old is Daniel Radcliffe?"


class Question(NamedTuple):
    """What the paraphrase rules look at in one question."""

    norm: str  # normalized text
    tokens: frozenset[str]  # content stems (`content_tokens`)
    names: frozenset[str]  # stems of its names and numbers (`names`)
    wh: str  # its question word ("how", "what", …) or ""


# Calibrated on a random half of ../shared/qqp (bench/qqp_eval.py --sweep), reported on the other:
# the names factor with the threshold, best F1 over names 0.4-1 (steps of 0.1) and threshold
# 0.30-0.40 (steps of 0.0125); then the content floor with the threshold, precision first: the
# most precise of floor 0-0.35 and threshold 0.325-0.35 within 0.005 of the best F1.
GROUP_THRESHOLD = 0.35
CONTENT_FLOOR = 0.25  # pairs sharing less of their content weight are never paraphrases
WEIGHT_CONTENT = 0.7
LEXICAL_DISCOUNTS = Discounts(
    wh_mismatch=0.8, qualifier_added=0.5, word_swapped=0.7, names_differ=0.8
)
# Semantic grouping: the cosine of all-MiniLM-L6-v2 sentence embeddings times the discounts.
# Calibrated together on the same tuning half, best F1 over a grid: wh-word 0.9-1, qualifier and
# swapped word 0.8-0.9 (steps of 0.025), threshold 0.68-0.77 (steps of 0.005; the threshold
# alone: bench/qqp_eval.py --semantic --sweep); then names 0.8-1 (steps of 0.05) with threshold
# 0.69-0.72. The cosine already weighs the wording, so these discounts are milder than the
# lexical ones.
SEMANTIC_THRESHOLD = 0.71
SEMANTIC_DISCOUNTS = Discounts(
    wh_mismatch=0.975, qualifier_added=0.85, word_swapped=0.825, names_differ=0.95
)
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
# "whats", "hows": normalized contractions still ask with their wh-word.
_WH = re.compile(r"\b(?:how|what|why|which|who|where|when)(?=s?\b)")
BLOCK_KEYS = 4
MAX_BLOCK = 300
SOURCES = arrow_schema("qa_pair").field("sources").type  # list<struct<file, line, url, record>>


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


_NUMBER = re.compile(r"\b\d+\b")


def names(question: str) -> frozenset[str]:
    """Stems of the names (capitalised words inside a sentence) and numbers in a question as
    written; no names in Title Case ("How Much Is It Worth?": the capitals say nothing)."""
    words = question.split()
    if len(words) > 3 and sum(w[:1].islower() for w in words[1:]) < (len(words) - 1) / 4:
        words = []
    capitalised = [
        w
        for prev, w in itertools.pairwise(words)
        if w[:1].isupper() and w != "I" and prev[-1] not in ".!?:"
    ]
    stems = {word_stem(t) for t in normalize_question(" ".join(capitalised)).split()}
    return frozenset(stems.union(_NUMBER.findall(question)))


def _wh(norm: str) -> str:
    m = _WH.search(norm)
    return m.group(0) if m else ""


def question(text: str, norm: str) -> Question:
    """The features of one question (`text` as written, `norm` normalized)."""
    return Question(norm, content_tokens(norm), names(text), _wh(norm))


def _distinct(values: pd.Series, sort: bool = False) -> tuple[np.ndarray, ExtensionArray]:
    """(integer code per value, distinct values as stored: Arrow strings stay Arrow strings);
    a missing value has code -1."""
    codes, uniques = memory.factorize(values, sort=sort)
    return codes, uniques.array


def _codes(values: pd.Series, sort: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(integer code per value, distinct values as Python objects); a missing value has code -1."""
    codes, uniques = _distinct(values, sort)
    return codes, np.asarray(uniques, dtype=object)


def _grouped(keys: np.ndarray, values: list, n_keys: int) -> list[list]:
    """`values` split into one list per key code (0..n_keys-1), order kept within a key."""
    order = np.argsort(keys, kind="stable")
    bounds = np.cumsum(np.bincount(keys, minlength=n_keys))[:-1]
    return [[values[i] for i in part] for part in np.split(order, bounds)]


def _answer_codes(answers: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code per answer, length of each distinct answer). The distinct texts are not kept:
    the best answers are taken from the occurrences."""
    if isinstance(answers.dtype, pd.CategoricalDtype):  # cleaned: the codes are there
        return answers.cat.codes.to_numpy(np.int64), answers.cat.categories.str.len().to_numpy()
    codes, distinct = _distinct(answers)
    return codes, pc.utf8_length(pa.array(distinct, pa.large_string())).to_numpy()


def _occurrence_codes(occ: pd.DataFrame, norms: np.ndarray, codes: dict) -> pd.DataFrame:
    """The occurrences with a question (non-empty normalized wording) as integer codes, in
    file, record, line order (a missing record first); `row` is their position in `occ`,
    `answered` tells those with an answer. Filtered and ordered as arrays, then framed once."""
    record = _nullable_ints(occ["record"])
    line = occ["line"].to_numpy(np.int64)
    asked = np.flatnonzero((norms != "")[codes["norm"]])
    missing = record.isna()
    low = int(record.min()) if not missing.all() else 0
    rank = np.where(missing, low - 1, record.to_numpy(np.int64, na_value=0))
    row = asked[_stable_order([codes["f"][asked], rank[asked], line[asked]])]
    light = pd.DataFrame(
        {
            **{name: code[row] for name, code in codes.items()},
            "row": row,
            "record": record[row],
            "line": line[row],
            "truncated": occ["answer_truncated"].fillna(False).to_numpy(bool)[row],
        }
    )
    return light.assign(answered=light["a"].to_numpy() >= 0)


def _nullable_ints(values: pd.Series) -> pd.arrays.IntegerArray:
    """`values.astype("Int64")`, fast where most are missing (a column of None converts one
    value at a time)."""
    missing = values.isna().to_numpy()
    ints = np.zeros(len(values), dtype=np.int64)
    ints[~missing] = values[~missing].to_numpy(np.int64)
    return pd.arrays.IntegerArray(ints, missing)


def _canonical(light: pd.DataFrame) -> pd.DataFrame:
    """The canonical occurrence of each key (the index, ascending): answered occurrences first
    (all of them when none is), then the most frequent wording, then the first seen."""
    key, answered = light["key"].to_numpy(), light["answered"].to_numpy()
    eligible = answered | ~(np.bincount(key[answered], minlength=key.max() + 1) > 0)[key]
    wording = light.loc[eligible, ["key", "norm", "q", "t"]]
    norm = wording["norm"].to_numpy()
    n = np.bincount(norm)[norm]  # a wording (norm) belongs to one key
    return _first_of_each_key(wording, n=-n)


def _best_answers(light: pd.DataFrame, lengths: np.ndarray) -> tuple[pd.DataFrame, pd.Series]:
    """The best answer of each answered key (not truncated, most common, longest, first seen;
    `lengths` by answer code) and how many other distinct answers the key has."""
    answered = light.loc[light["answered"], ["key", "a", "row", "truncated"]]
    key, a = answered["key"].to_numpy(np.int64), answered["a"].to_numpy(np.int64)
    base = int(a.max()) + 1 if len(a) else 1  # a (key, answer) pair as one integer
    pair_of_row, pairs = pd.factorize(key * base + a)
    n = np.bincount(pair_of_row)
    best = _first_of_each_key(
        answered,
        truncated=answered["truncated"].to_numpy(),
        n=-n[pair_of_row],
        length=-lengths[a].astype(np.int64),
    )
    answers = np.bincount(pairs // base)  # distinct answers per key
    keys = np.flatnonzero(answers)
    return best, pd.Series(answers[keys] - 1, index=keys)


def _first_of_each_key(rows: pd.DataFrame, **ranks: np.ndarray) -> pd.DataFrame:
    """The first row of each key (the index, ascending) by `ranks`, in turn, ascending, then
    by position (the occurrences come in file, record, line order: the first seen first)."""
    key = rows["key"].to_numpy()
    ordered = _stable_order([key, *ranks.values()])
    first = ordered[np.diff(key[ordered], prepend=-1) != 0]  # keys are >= 0
    return rows.iloc[first].set_index("key")


def _stable_order(columns: list[np.ndarray]) -> np.ndarray:
    """The stable sort order of rows by integer `columns`, in turn: one argsort of the columns
    packed into one int64 when their ranges fit in 63 bits (1.2M rows: a lexsort by five
    columns took 0.77 s, an argsort of one 0.13 s), else a lexsort."""
    columns = [np.asarray(c, dtype=np.int64) for c in columns]
    lows = [int(c.min()) if len(c) else 0 for c in columns]
    widths = [
        int(c.max() - low).bit_length() if len(c) else 0
        for c, low in zip(columns, lows, strict=True)
    ]
    if sum(widths) > 63:
        return np.lexsort(columns[::-1])
    packed = np.zeros(len(columns[0]), dtype=np.int64)
    for c, low, width in zip(columns, lows, widths, strict=True):
        packed = (packed << width) | (c - low)
    return np.argsort(packed, kind="stable")


def _alias_lists(
    light: pd.DataFrame, canon: pd.DataFrame, questions: np.ndarray, n_keys: int
) -> list[list[str]]:
    """The other wordings of each key of `canon`, first seen first, as they were written."""
    wordings = light.drop_duplicates(["key", "norm"])
    canon_norm = canon["norm"].reindex(wordings["key"]).to_numpy()
    wordings = wordings[wordings["norm"].to_numpy() != canon_norm]
    lists = _grouped(wordings["key"].to_numpy(), list(questions[wordings["q"]]), n_keys)
    return [lists[i] for i in canon.index]


def _sources(
    light: pd.DataFrame, files: ExtensionArray, urls: ExtensionArray
) -> ArrowExtensionArray:
    """The `sources` column as one Arrow list array: the sources of each key, keys ascending,
    each key's sources in the order of `light` (file, record, line)."""
    by_key = light[["key", "f", "line", "u", "record"]].take(
        np.argsort(light["key"].to_numpy(), kind="stable")
    )
    fields = {
        "file": files.take(by_key["f"].to_numpy()),
        "line": by_key["line"].to_numpy(),
        "url": urls.take(by_key["u"].to_numpy(), allow_fill=True),
        "record": by_key["record"].array,
    }
    struct = list(SOURCES.value_type)
    items = pa.StructArray.from_arrays(
        [pa.array(fields[f.name], type=f.type, from_pandas=True) for f in struct], fields=struct
    )
    sizes = np.bincount(by_key["key"].to_numpy())
    offsets = np.concatenate([[0], np.cumsum(sizes[sizes > 0])])
    return ArrowExtensionArray(
        pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), items, type=SOURCES)
    )


def merge_occurrences(occ: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct question (answered or not), in the qa_pair schema.

    Occurrences with the same merge key are one question. The canonical wording is the most
    frequent among answered occurrences (first seen on ties); the best answer is the first of
    the non-truncated, most common, longest; every other wording is an alias; the sources
    are in file, record, line order.

    Text columns are worked on as integer codes of their distinct values (a million
    occurrences repeat far fewer questions and answers): sorting and grouping then never
    copy the text. Answers, files and urls stay Arrow strings, and `sources` is built as one
    Arrow list column, without a Python object per occurrence.
    """
    q_code, questions = _codes(occ["question"])
    n_of_q, norms = _codes(pd.Series([normalize_question(q) for q in questions], dtype=object))
    k_of_n, keys = _codes(pd.Series([merge_key(n) for n in norms], dtype=object))
    a_code, lengths = _answer_codes(occ["answer"])
    t_code, titles = _codes(occ["title"])
    f_code, files = _distinct(occ["file"], sort=True)
    u_code, urls = _distinct(occ["url"])
    norm = n_of_q[q_code]
    codes = {
        "key": k_of_n[norm],
        "norm": norm,
        "q": q_code,
        "a": a_code,
        "t": t_code,
        "f": f_code,
        "u": u_code,
    }
    light = _occurrence_codes(occ, norms, codes)
    if light.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns()})
    # Independent, and mostly numpy work that releases the GIL: one in a thread, both cores.
    # (`_sources` alongside too raised a 100k-page run's peak memory by 30–130 MiB.)
    with ThreadPoolExecutor(1) as pool:
        canon_of = pool.submit(_canonical, light)
        best, variants = _best_answers(light, lengths)
        canon = canon_of.result()
    k = canon.index.to_numpy()
    best_row = best["row"].reindex(k, fill_value=-1).to_numpy()
    rows = pd.DataFrame(
        {
            "id": [question_id(n) for n in norms[canon["norm"]]],
            "question": questions[canon["q"]],
            "question_norm": norms[canon["norm"]],
            "answer": pd.array(occ["answer"].array.take(best_row, allow_fill=True), dtype="str"),
            "aliases": _alias_lists(light, canon, questions, len(keys)),
            "title": [titles[t] if t >= 0 else None for t in canon["t"]],
            "sources": _sources(light, files, urls),
            "cluster_id": "",
            "answer_truncated": best["truncated"].reindex(k, fill_value=False).to_numpy(bool),
            "answer_variants": variants.reindex(k, fill_value=0).to_numpy(int),
            "occurrences": light.groupby("key").size().reindex(k).to_numpy(),
        }
    )
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


def _adds_qualifier(x: Question, y: Question) -> bool:
    """One question is the other plus a qualifying phrase ("… after lunges?")."""
    if not (x.tokens < y.tokens or y.tokens < x.tokens):
        return False
    longer, shorter = (y.norm, x.tokens) if x.tokens < y.tokens else (x.norm, y.tokens)
    return any(q not in shorter for q in _qualifiers(longer))


def _swaps_one_word(a: frozenset, b: frozenset) -> bool:
    """The two differ in one content word each, not a respelling ("learn Python" / "learn Java",
    but not "loose weight" / "lose weight")."""
    only_a, only_b = a - b, b - a
    if len(only_a) != 1 or len(only_b) != 1:
        return False
    return fuzz.ratio(next(iter(only_a)), next(iter(only_b))) < SPELLING_RATIO


def _names_differ(x: Question, y: Question) -> bool:
    """Each question names something (or gives a number) that the other does not mention."""

    def unmentioned(own: frozenset[str], other: Question) -> bool:
        # The other's content stems first: most names are among them, and no set is built.
        return not own <= other.tokens and not own <= other.tokens.union(other.norm.split())

    return bool(x.names and y.names) and unmentioned(x.names, y) and unmentioned(y.names, x)


def discount(x: Question, y: Question, factors: Discounts) -> float:
    """Product of `factors` for the differences found: different wh-words ("how" vs "why"), one
    question adding a qualifying phrase to the other, one content word swapped, names or
    numbers on both sides that the other does not mention."""
    factor = 1.0
    if x.wh != y.wh:
        factor *= factors.wh_mismatch
    if _adds_qualifier(x, y):
        factor *= factors.qualifier_added
    if _swaps_one_word(x.tokens, y.tokens):
        factor *= factors.word_swapped
    if _names_differ(x, y):
        factor *= factors.names_differ
    return factor


def paraphrase_score(x: Question, y: Question, idf: dict) -> float:
    """Blend of content overlap (weighted Jaccard) and wording overlap (edit-distance ratio),
    times the lexical discounts; 0 under the content floor (a shared template is not a shared
    topic: "What are the 4 types of relationships?" / "What types of kilt are there?")."""
    content = similarity(x.tokens, y.tokens, idf)
    if content < CONTENT_FLOOR:
        return 0.0
    wording = fuzz.ratio(x.norm, y.norm) / 100
    score = WEIGHT_CONTENT * content + (1 - WEIGHT_CONTENT) * wording
    return score * discount(x, y, LEXICAL_DISCOUNTS)


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


def lexical_edges(questions: list[Question], threshold: float) -> list[tuple[int, int]]:
    """Blocked candidate pairs whose paraphrase score reaches `threshold`."""
    tokens = [q.tokens for q in questions]
    idf = idf_weights(tokens)
    return [
        (i, j)
        for i, j in candidate_pairs(tokens, idf)
        if paraphrase_score(questions[i], questions[j], idf) >= threshold
    ]


def semantic_edges(
    texts: list[str], questions: list[Question], threshold: float
) -> list[tuple[int, int]]:
    """Nearest neighbours whose sentence-embedding cosine, times the semantic discounts (the
    kinds of difference the lexical score discounts), reaches `threshold`."""
    from qaharvest import semantic

    # Discounts never raise a score: neighbours below the threshold cannot reach it.
    pairs = semantic.neighbour_pairs(semantic.embed(texts), threshold)
    return [
        (i, j)
        for (i, j), cosine in pairs.items()
        if cosine * discount(questions[i], questions[j], SEMANTIC_DISCOUNTS) >= threshold
    ]


def assign_clusters(
    rows: pd.DataFrame, threshold: float | None = None, semantic: bool = False
) -> pd.Series:
    """Paraphrase groups: connected components of the paraphrase edges (lexical by default,
    sentence embeddings with `semantic`). The label of a group is the smallest id in it."""
    ids = list(rows["id"])
    texts = list(rows["question"])
    questions = [question(t, n) for t, n in zip(texts, rows["question_norm"], strict=True)]
    if semantic:
        edges = semantic_edges(
            texts, questions, SEMANTIC_THRESHOLD if threshold is None else threshold
        )
    else:
        edges = lexical_edges(questions, GROUP_THRESHOLD if threshold is None else threshold)
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
