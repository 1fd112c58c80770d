"""Cleaning: repairs, markup, control characters, whitespace, glued dates and cut answers."""

from __future__ import annotations

import pandas as pd
import pytest

from qaharvest.clean import clean_answer, clean_frame, clean_question, clean_text


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("CafÃ© crÃ¨me â€“ best", "Café crème – best"),  # UTF-8 read as cp1252
        ("Fish &amp; Chips &quot;to go&quot;", 'Fish & Chips "to go"'),
        ("A &amp;amp; B", "A & B"),  # double-escaped entity
        ("<p>Hello <b>world</b></p>", "Hello world"),
        ("Hi<script>alert('x')</script> there", "Hi there"),
        ("Hi<style>p {color: red}</style> there", "Hi there"),
        ("&lt;b&gt;bold&lt;/b&gt; text", "bold text"),  # escaped tags are still tags
        ("a<!-- note -->b", "a b"),
        ("a\x00b\x07c\u200bd\ufeffe", "abcde"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("  a \t b\xa0 c  ", "a b c"),
        ("one\n\n\n\ntwo", "one\n\ntwo"),
        ("5 < 6 and 7 > 3", "5 < 6 and 7 > 3"),  # comparisons are not tags
    ],
)
def test_clean_text(raw: str, want: str):
    assert clean_text(raw) == want
    assert clean_text(want) == want


@pytest.mark.parametrize(
    ("raw", "want", "truncated"),
    [
        # glued or leading dates go, a date that is part of the text stays
        ("… Vitamin D. … Zinc.Nov 18, 2020", "… Vitamin D. … Zinc.", False),
        ("Tortilla chipsNov 18, 2020", "Tortilla chips", False),
        ("Jun 3, 2020 — The answer is yes.", "The answer is yes.", False),
        ("He was born on June 22, 1984", "He was born on June 22, 1984", False),
        ("36 years (June 22, 1984)", "36 years (June 22, 1984)", False),
        # snippet tails: the answer is kept and flagged as cut
        ("Canada. … Spain.More items…", "Canada. … Spain.", True),
        ("Spain.More items…•Jul 12, 2017", "Spain.", True),
        ("Latvia14.50•88 more rows", "Latvia14.50", True),
        ("Pakistan27,226159 more rows", "Pakistan27,226", True),
        ("and if she received the …", "and if she received the …", True),
        ("Listen. … Talk. … Trust.", "Listen. … Talk. … Trust.", False),
        # featured snippets glue the short answer to the paragraph
        ("NigerNiger, in Western Africa.", "Niger\nNiger, in Western Africa.", False),
        ("250 babiesThere are 250 a minute.", "250 babies\nThere are 250 a minute.", False),
        ("SheIn is not a scam.", "SheIn is not a scam.", False),
        # knowledge-panel labels
        ("52 years (August 14, 1968)Darren Clarke/Age", "52 years (August 14, 1968)", False),
        ("2.5 billion USD (2021)Donald Trump/Net worth", "2.5 billion USD (2021)", False),
        ("We use TCP/IP and Input/Output.", "We use TCP/IP and Input/Output.", False),
    ],
)
def test_clean_answer(raw: str, want: str, truncated: bool):
    assert clean_answer(raw) == (want, truncated)
    assert clean_answer(want)[0] == want


def test_clean_question_strips_seo_prefix_and_whitespace():
    assert clean_question("Quick Answer:  What is  a kilt?\n") == "What is a kilt?"
    assert clean_question("Readers ask: Is it &quot;safe&quot;?") == 'Is it "safe"?'


def test_clean_frame_nulls_empty_answers_and_flags_cut_ones():
    occ = pd.DataFrame(
        {
            "question": ["What is it?", "Why?", "How?"],
            "title": [None, None, None],
            "answer": ["<b></b>", "Because.More items…", "Like this."],
            "answer_cut": [False, False, True],
        }
    )
    out = clean_frame(occ)
    assert out["answer"].isna().tolist() == [True, False, False]
    assert out["answer_truncated"].tolist() == [False, True, True]
    again = clean_frame(out)
    assert again["answer"].tolist()[1:] == out["answer"].tolist()[1:]


def test_cleaning_over_a_process_pool_matches_cleaning_in_process(monkeypatch):
    """Large columns are cleaned over both cores; the result is the same, row for row."""
    from qaharvest import clean, extract
    from tests.conftest import REALWORLD

    files = sorted(REALWORLD.glob("*.txt"))
    occ = extract.extract_files(files, REALWORLD, workers=1).frames()[0]
    serial = clean_frame(occ)
    monkeypatch.setattr(clean, "PARALLEL_MIN_VALUES", 1)
    parallel = clean_frame(occ)
    assert len(serial) > 200 and serial["answer"].isna().any()
    pd.testing.assert_frame_equal(parallel, serial)
