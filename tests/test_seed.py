"""The pure steps on the seed page (../shared/seed/psoas.txt)."""

from __future__ import annotations

import pandas as pd
import pytest

from qaharvest import clean, dedupe, extract
from qaharvest.readers import Page
from tests.conftest import SEED


@pytest.fixture(scope="module")
def seed_rows() -> tuple[pd.DataFrame, pd.DataFrame, extract.Batch]:
    ex = extract.extract_page(Page(file="psoas.txt", text=SEED.read_text(encoding="utf-8")))
    occ, _ = ex.frames()
    answered, unanswered = dedupe.dedupe(clean.clean_frame(occ))
    return answered, unanswered, ex


def _by_question(df: pd.DataFrame) -> dict[str, dict]:
    return {r["question"]: r for r in df.to_dict("records")}


def test_title_repeating_first_question_gives_one_pair(seed_rows):
    answered, _, ex = seed_rows
    hits = answered[answered["question"] == "How do you stop a psoas spasm?"]
    assert len(hits) == 1
    assert [s["line"] for s in hits.iloc[0]["sources"]] == [2]
    assert hits.iloc[0]["title"] == "How do you stop a psoas spasm?"
    assert ex.line_counts["title"] == 1


def test_every_answered_question_once_with_whole_answer(seed_rows):
    answered, _, _ = seed_rows
    lines = SEED.read_text(encoding="utf-8").splitlines()
    expected = {
        lines[i]: lines[i + 1]
        for i in range(1, len(lines) - 1)
        if lines[i].endswith("?") and len(lines[i + 1]) > 100  # answers are paragraphs
    }
    got = _by_question(answered)
    assert answered["question"].is_unique
    assert len(expected) == 12
    for q, a in expected.items():
        assert got[q]["answer"] == a, q


def test_video_snippet_never_an_answer(seed_rows):
    answered, unanswered, ex = seed_rows
    assert not answered["answer"].str.contains("YouTube").any()
    assert "How do you release a psoas with a foam roller?" in set(unanswered["question"])
    noise = ex.frames()[1]
    assert noise.loc[noise["text"].str.startswith("Starts here"), "rule"].tolist() == [
        "video-snippet"
    ]


def test_unanswered_never_get_another_questions_answer(seed_rows):
    answered, unanswered, _ = seed_rows
    assert unanswered["answer"].isna().all()
    no_answer = {
        "How do you sleep to relax the psoas?",
        "Does walking help tight psoas?",
        "How do you release a psoas with a foam roller?",
    }
    assert no_answer <= set(unanswered["question"])
    assert not no_answer & set(answered["question"])
    walking = answered[answered["question"] == "Is walking good for tight psoas?"].iloc[0]
    assert walking["answer"].startswith("The psoas muscle also plays")


def test_different_questions_never_merged(seed_rows):
    answered, unanswered, _ = seed_rows
    rows = pd.concat([answered, unanswered])
    release = rows[rows["question"] == "How can I release my psoas muscle?"].iloc[0]
    lunges = rows[rows["question"] == "How do you release the psoas muscle after lunges?"].iloc[0]
    assert release["id"] != lunges["id"]
    assert release["cluster_id"] != lunges["cluster_id"]
    assert release["aliases"] == [] and lunges["aliases"] == []
    assert rows["id"].is_unique


def test_walking_questions_share_a_row_or_group(seed_rows):
    answered, unanswered, _ = seed_rows
    rows = pd.concat([answered, unanswered])
    walking = [
        "Is walking good for tight psoas?",
        "Is walking good for a tight psoas muscle?",
        "Does walking help tight psoas?",
    ]
    found = set()
    for r in rows.to_dict("records"):
        for q in [r["question"], *r["aliases"]]:
            if q in walking:
                found.add(r["cluster_id"])
    assert len(found) == 1


def test_ids_are_stable_across_runs(seed_rows):
    answered, _, _ = seed_rows
    again = dedupe.dedupe(
        clean.clean_frame(
            extract.extract_page(
                Page(file="psoas.txt", text=SEED.read_text(encoding="utf-8"))
            ).frames()[0]
        )
    )[0]
    assert list(again["id"]) == list(answered["id"])
