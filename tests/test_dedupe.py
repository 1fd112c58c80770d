"""Merging and grouping on realistic occurrences and on labelled QQP pairs."""

from __future__ import annotations

import pandas as pd

from bench.qqp_eval import decisions, load_pairs, prf
from qaharvest import clean, dedupe
from tests.conftest import QQP


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
