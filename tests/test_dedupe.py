"""Merging and grouping on realistic occurrences and on labelled QQP pairs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bench.qqp_eval import decisions, load_pairs, prf
from qaharvest import clean, dedupe, extract, semantic
from qaharvest.normalize import normalize_question
from qaharvest.readers import Page
from tests.conftest import QQP, SEED


def occurrences(rows: list[tuple[str, str | None, str, int]]) -> pd.DataFrame:
    """(question, answer, file, line) → a cleaned occurrences frame."""
    frame = pd.DataFrame(
        [
            {
                "file": f,
                "line": ln,
                "url": None,
                "record": None,
                "title": "T",
                "question": q,
                "answer": a,
                "answer_cut": False,
            }
            for q, a, f, ln in rows
        ]
    )
    return clean.clean_frame(frame)


def test_same_question_merges_with_every_wording_and_source():
    occ = occurrences(
        [
            ("Is walking good for tight psoas?", "Yes, walking helps.", "a.txt", 3),
            ("Is walking good for a tight psoas?", "Yes, walking helps.", "b.txt", 7),
            ("Quick Answer: is walking good for tight psoas", None, "c.txt", 1),
            ("Is walking good for tight psoas?", "Walking is good …", "d.txt", 9),
        ]
    )
    answered, unanswered = dedupe.dedupe(occ)
    assert len(answered) == 1 and unanswered.empty
    row = answered.iloc[0]
    assert row["question"] == "Is walking good for tight psoas?"
    assert row["aliases"] == ["Is walking good for a tight psoas?"]
    assert [(s["file"], s["line"]) for s in row["sources"]] == [
        ("a.txt", 3),
        ("b.txt", 7),
        ("c.txt", 1),
        ("d.txt", 9),
    ]
    assert row["answer"] == "Yes, walking helps." and not row["answer_truncated"]
    assert row["answer_variants"] == 1 and row["occurrences"] == 4


def test_each_row_lists_its_own_sources_in_file_record_line_order():
    occ = occurrences(
        [
            ("How do I stretch the psoas?", "Lunge.", "dump.jsonl", 1),
            ("Why is my psoas tight?", "Sitting.", "b.txt", 4),
            ("How do I stretch the psoas?", "Lunge.", "b.txt", 2),
            ("Why is my psoas tight?", "Sitting.", "dump.jsonl", 1),
            ("How do I stretch the psoas?", None, "a.txt", 8),
            ("How do I stretch the psoas?", "Lunge.", "dump.jsonl", 4),
        ]
    )
    dump = occ["file"] == "dump.jsonl"
    occ.loc[dump, "record"] = [3, 1, 2]
    occ.loc[dump, "url"] = ["https://e.org/3", "https://e.org/1", "https://e.org/2"]
    answered, _ = dedupe.dedupe(occ)
    sources = {r["question"]: r["sources"] for r in answered.to_dict("records")}
    assert sources == {
        "How do I stretch the psoas?": [
            {"file": "a.txt", "line": 8, "url": None, "record": None},
            {"file": "b.txt", "line": 2, "url": None, "record": None},
            {"file": "dump.jsonl", "line": 4, "url": "https://e.org/2", "record": 2},
            {"file": "dump.jsonl", "line": 1, "url": "https://e.org/3", "record": 3},
        ],
        "Why is my psoas tight?": [
            {"file": "b.txt", "line": 4, "url": None, "record": None},
            {"file": "dump.jsonl", "line": 1, "url": "https://e.org/1", "record": 1},
        ],
    }


def test_unanswered_wording_folds_into_answered_row_as_alias():
    occ = occurrences(
        [
            ("How do plants make food?", None, "a.txt", 2),
            ("How do the plants make food?", "By photosynthesis.", "b.txt", 5),
        ]
    )
    answered, unanswered = dedupe.dedupe(occ)
    assert unanswered.empty
    assert answered.iloc[0]["question"] == "How do the plants make food?"
    assert answered.iloc[0]["aliases"] == ["How do plants make food?"]


def test_content_word_difference_is_never_merged():
    occ = occurrences(
        [
            ("How do I learn Python?", "Practice.", "a.txt", 1),
            ("How do I learn Java?", "Practice too.", "a.txt", 3),
            ("What is the capital of France?", "Paris.", "a.txt", 5),
            ("What is the capital of Spain?", "Madrid.", "a.txt", 7),
        ]
    )
    answered, _ = dedupe.dedupe(occ)
    assert len(answered) == 4
    answers = dict(zip(answered["question"], answered["answer"], strict=True))
    assert answers["How do I learn Java?"] == "Practice too."
    assert answers["What is the capital of Spain?"] == "Madrid."


def test_ids_do_not_depend_on_other_rows():
    one = dedupe.dedupe(occurrences([("What is a psoas?", "A muscle.", "a.txt", 1)]))[0]
    two = dedupe.dedupe(
        occurrences(
            [
                ("What is a psoas?", "A muscle.", "a.txt", 1),
                ("Why do cats purr?", "Contentment.", "b.txt", 1),
            ]
        )
    )[0]
    assert one.iloc[0]["id"] in set(two["id"])


def test_merges_are_precise_on_labelled_qqp_pairs():
    pairs = load_pairs(QQP).iloc[:2000].reset_index(drop=True)
    dec = decisions(pairs)
    gold = pairs["is_duplicate"].to_numpy() == 1
    p_merge, _, _ = prf(dec["merged"].to_numpy(), gold)
    _, _, f_group = prf(dec["grouped"].to_numpy(), gold)
    assert dec["merged"].sum() >= 10 and p_merge >= 0.95
    assert f_group >= 0.70


def test_truncated_answer_loses_to_whole_one_and_is_counted():
    full = "Stretch the hip flexors daily and strengthen the glutes to balance them."
    cut = "Stretch the hip flexors daily and …"
    occ = occurrences(
        [
            ("How do I loosen a tight psoas?", cut, "a.txt", 2),
            ("How do I loosen a tight psoas?", cut, "b.txt", 2),
            ("How do I loosen the tight psoas?", full, "c.txt", 4),
        ]
    )
    occ.loc[occ["answer"] == cut, "answer_truncated"] = True
    row = dedupe.dedupe(occ)[0].iloc[0]
    assert row["answer"] == full and not row["answer_truncated"]
    assert row["answer_variants"] == 1 and row["occurrences"] == 3
    assert row["question"] == "How do I loosen a tight psoas?"
    assert row["aliases"] == ["How do I loosen the tight psoas?"]


def test_paraphrases_share_a_group_but_keep_their_rows_and_answers():
    occ = occurrences(
        [
            ("How can I lose belly fat fast?", "Eat less sugar.", "a.txt", 1),
            ("What is the fastest way to lose belly fat?", "Cardio and diet.", "b.txt", 1),
            ("How can I learn Python?", "Practice.", "c.txt", 1),
            ("How can I learn Java?", "Practice too.", "c.txt", 3),
        ]
    )
    answered, _ = dedupe.dedupe(occ)
    cluster = dict(zip(answered["question"], answered["cluster_id"], strict=True))
    assert len(answered) == 4
    assert (
        cluster["How can I lose belly fat fast?"]
        == cluster["What is the fastest way to lose belly fat?"]
    )
    assert cluster["How can I learn Python?"] != cluster["How can I learn Java?"]
    assert cluster["How can I learn Python?"] in set(answered["id"])


def test_neighbour_pairs_keep_close_vectors_only_in_small_chunks(monkeypatch):
    monkeypatch.setattr(semantic, "CELLS_PER_CHUNK", 8)  # two rows per chunk
    vectors = np.array([[1, 0], [0.96, 0.28], [0, 1], [-1, 0], [0.28, 0.96]], dtype=np.float32)
    pairs = semantic.neighbour_pairs(vectors, min_cosine=0.9, k=2)
    assert set(pairs) == {(0, 1), (2, 4)}
    assert abs(pairs[(0, 1)] - 0.96) < 1e-6


def test_semantic_edges_discount_the_cosine_like_the_lexical_score(monkeypatch):
    questions = [
        "How do I learn Python?",
        "How do I learn Java?",
        "How can I release my psoas?",
        "How can I release my psoas after lunges?",
        "Is walking good for tight psoas?",
        "Does walking help tight psoas?",
    ]
    cosines = {(0, 1): 0.8, (2, 3): 0.8, (4, 5): 0.95}
    monkeypatch.setattr(semantic, "embed", lambda texts: np.zeros((len(texts), 2)))
    monkeypatch.setattr(
        semantic,
        "neighbour_pairs",
        lambda vectors, min_cosine: {p: c for p, c in cosines.items() if c >= min_cosine},
    )
    features = [dedupe.question(q, normalize_question(q)) for q in questions]
    # A swapped word and an added qualifier pull 0.8 under the threshold; 0.95 stays above.
    assert dedupe.semantic_edges(questions, features, dedupe.SEMANTIC_THRESHOLD) == [(4, 5)]


def test_contracted_wh_word_is_the_same_wh_word():
    a, b, c = (
        dedupe.question(q, normalize_question(q))
        for q in ("Whats the capital of France?", "What is the capital of France?", "How is it?")
    )
    only_wh = dedupe.Discounts(1.0, 1.0, 1.0, 1.0)._replace(wh_mismatch=0.5)
    assert dedupe.discount(a, b, only_wh) == 1.0
    assert dedupe.discount(c, b, only_wh) == 0.5


def test_names_or_numbers_on_both_sides_that_the_other_lacks_ask_different_things():
    def differ(a: str, b: str) -> bool:
        x, y = (dedupe.question(q, normalize_question(q)) for q in (a, b))
        return dedupe.discount(x, y, dedupe.Discounts(1.0, 1.0, 1.0, 0.5)) == 0.5

    assert differ("How old is Darren Clarke?", "How old is Daniel Radcliffe?")
    assert differ("Which country has the lowest birth rate 2019?", "… lowest birth rate 2018?")
    # The same name, a name on one side only, or Title Case (no signal) are no difference.
    assert not differ("What's in the bag Darren Clarke?", "How old is Darren Clarke?")
    assert not differ("How do I learn Python?", "How do I learn programming?")
    assert not differ("How Much Is Tiger Woods Worth?", "How Much Is Donald Trump Worth?")


@pytest.mark.skipif(not semantic.available(), reason="extra 'semantic' not installed")
def test_semantic_grouping_on_the_seed():
    ex = extract.extract_page(Page(file="psoas.txt", text=SEED.read_text(encoding="utf-8")))
    answered, unanswered = dedupe.dedupe(clean.clean_frame(ex.frames()[0]), semantic=True)
    rows = pd.concat([answered, unanswered])
    cluster = {
        q: r["cluster_id"] for r in rows.to_dict("records") for q in [r["question"], *r["aliases"]]
    }
    walking = {
        cluster[q]
        for q in (
            "Is walking good for tight psoas?",
            "Is walking good for a tight psoas muscle?",
            "Does walking help tight psoas?",
        )
    }
    assert len(walking) == 1
    assert (
        cluster["How can I release my psoas muscle?"]
        != cluster["How do you release the psoas muscle after lunges?"]
    )


@pytest.mark.parametrize("high", [3, 2**20, 2**40])
def test_rows_are_ranked_as_a_lexsort_ranks_them_packed_or_not(high: int):
    """Small ranges are packed into one sort key, wide ones (2**40 three times over 63 bits)
    fall back to a lexsort: the order is the same, ties kept in position."""
    rng = np.random.default_rng(high)
    columns = [rng.integers(-high, high, 5_000) for _ in range(3)]
    columns.append(rng.random(5_000) < 0.5)
    expected = np.lexsort([np.asarray(c, np.int64) for c in columns][::-1])
    np.testing.assert_array_equal(dedupe._stable_order(columns), expected)
