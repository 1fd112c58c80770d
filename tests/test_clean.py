"""Cleaning: repairs, markup, control characters, whitespace, glued dates and cut answers."""

from __future__ import annotations

import os
import re
import string

import ftfy
import ftfy.badness
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qaharvest import clean, extract, parallel
from qaharvest.clean import clean_answer, clean_frame, clean_question, clean_text, may_change
from qaharvest.readers import input_files
from tests.conftest import REALWORLD, SEED


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


ANSWER_EXAMPLES = [
    # glued or leading dates go, a date that is part of the text stays
    ("… Vitamin D. … Zinc.Nov 18, 2020", "… Vitamin D. … Zinc.", False),
    ("Tortilla chipsNov 18, 2020", "Tortilla chips", False),
    ("Jun 3, 2020 — The answer is yes.", "The answer is yes.", False),
    ("Jun 3, 2020 - The answer is yes.", "The answer is yes.", False),
    ("He was born on June 22, 1984", "He was born on June 22, 1984", False),
    ("36 years (June 22, 1984)", "36 years (June 22, 1984)", False),
    # snippet tails: the answer is kept and flagged as cut
    ("Canada. … Spain.More items…", "Canada. … Spain.", True),
    ("Spain.More items…•Jul 12, 2017", "Spain.", True),
    ("Latvia14.50•88 more rows", "Latvia14.50", True),
    ("Pakistan27,226159 more rows", "Pakistan27,226", True),
    ("and if she received the …", "and if she received the …", True),
    ("and if she received the ...", "and if she received the ...", True),
    ("Listen. … Talk. … Trust.", "Listen. … Talk. … Trust.", False),
    # featured snippets glue the short answer to the paragraph
    ("NigerNiger, in Western Africa.", "Niger\nNiger, in Western Africa.", False),
    ("250 babiesThere are 250 a minute.", "250 babies\nThere are 250 a minute.", False),
    ("SheIn is not a scam.", "SheIn is not a scam.", False),
    # knowledge-panel labels
    ("52 years (August 14, 1968)Darren Clarke/Age", "52 years (August 14, 1968)", False),
    ("2.5 billion USD (2021)Donald Trump/Net worth", "2.5 billion USD (2021)", False),
    ("We use TCP/IP and Input/Output.", "We use TCP/IP and Input/Output.", False),
]


@pytest.mark.parametrize(("raw", "want", "truncated"), ANSWER_EXAMPLES)
def test_clean_answer(raw: str, want: str, truncated: bool):
    assert clean_answer(raw) == (want, truncated)
    assert clean_answer(want)[0] == want


def test_clean_question_strips_seo_prefix_and_whitespace():
    assert clean_question("Quick Answer:  What is  a kilt?\n") == "What is a kilt?"
    assert clean_question("Readers ask: Is it &quot;safe&quot;?") == 'Is it "safe"?'
    # Joining lines makes "Â" and a space: a broken no-break space, repaired in the same call.
    assert clean_question("Â\r0") == clean_question(clean_question("Â\r0")) == "0"


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
    occ = extract.extract_files(input_files(files, REALWORLD), workers=1).frames()[0]
    serial = clean_frame(occ)
    monkeypatch.setattr(clean, "PARALLEL_MIN_VALUES", 1)
    parallel = clean_frame(occ)
    assert len(serial) > 200 and serial["answer"].isna().any()
    pd.testing.assert_frame_equal(parallel, serial)


@pytest.mark.parametrize("forked", [False, True])
def test_slices_are_mapped_in_order_here_or_in_forked_workers(forked, monkeypatch):
    """Forked workers find the values in their memory: only the bounds go to them (a lambda,
    which cannot be pickled, works), and the results come back in the order of the slices."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    values = pa.array([str(i) for i in range(10)])
    parts = parallel.map_slices(lambda s: (os.getpid(), s.to_pylist()), values, 3, forked)
    assert [v for _, part in parts for v in part] == values.to_pylist()
    assert [len(part) for _, part in parts] == [3, 3, 3, 1]
    assert (os.getpid() not in {pid for pid, _ in parts}) == forked
    assert parallel._work is None


def real_answers() -> list[str]:
    """The distinct answers of the seed and the real pages, and each of their lines."""
    files = [SEED, *sorted(REALWORLD.glob("*.txt"))]
    occ = extract.extract_files(input_files(files, SEED.parents[1]), workers=1).frames()[0]
    answers = occ["answer"].dropna().tolist()
    return list(dict.fromkeys(answers + [ln for a in answers for ln in a.split("\n")]))


def assert_let_go_answers_are_clean(answers: list[str]) -> np.ndarray:
    """Every answer `may_change` lets go is one `clean_answer` returns as it is, not cut."""
    changing = may_change(pa.array(answers, pa.large_string()))
    for answer, flagged in zip(answers, changing, strict=True):
        if not flagged:
            assert clean_answer(answer) == (answer, False), answer
    return changing


def test_the_pass_lets_go_only_answers_that_are_clean_already():
    """On real pages most answers need no rule, and those the pass lets go are clean."""
    too_long = "Xq7 " + "word " * 5000 + "end."
    answers = real_answers() + [raw for raw, _, _ in ANSWER_EXAMPLES] + [too_long]
    changing = assert_let_go_answers_are_clean(answers)
    assert 0.1 < changing.mean() < 0.9


# fmt: off
ANSWER_FRAGMENTS = [
    "Nov 18, 2020", "Jun 3, 2020 — ", "Jul", "2017", "7", "More items…", "88 more rows", "MORE",
    "...", "…", "•", "Darren Clarke/Age", "TCP/IP", "/", "&amp;", "&", "<b>", "<", "  ", " ",
    "\n", "\t", "\xa0", "é", "Ã©", "\u200b", "\x07", "Niger", "NigerNiger", "250 babies",
    "There are", "The ", "Yes ", "a", "Zinc.",
]
# fmt: on
ANSWER_PIECES = st.lists(
    st.one_of(
        st.sampled_from(ANSWER_FRAGMENTS),
        st.sampled_from([raw for raw, _, _ in ANSWER_EXAMPLES]),
        st.text(string.printable, max_size=12),
    ),
    max_size=6,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(ANSWER_PIECES, min_size=1, max_size=50))
def test_answers_near_the_rules_let_go_by_the_pass_are_clean(answers):
    assert_let_go_answers_are_clean(answers)


def test_cleaned_answer_column_matches_cleaning_each_answer():
    files = input_files(sorted(REALWORLD.glob("*.txt")), REALWORLD)
    occ = extract.extract_files(files, workers=1).frames()[0]
    got = clean_frame(occ)
    want = [clean_answer(a) if isinstance(a, str) else ("", False) for a in occ["answer"]]
    assert [None if pd.isna(a) else a for a in got["answer"]] == [text or None for text, _ in want]
    cut = occ["answer_cut"].to_numpy(bool)
    assert got["answer_truncated"].tolist() == [
        bool(text) and (t or c) for (text, t), c in zip(want, cut, strict=True)
    ]


MOJIBAKE_PIECES = st.text(
    # ASCII, the punctuation most text has, and every character of ftfy's mojibake pattern
    st.sampled_from(
        sorted(
            set(string.printable + "’‘“”–—…•é")
            | set(ftfy.badness.BADNESS_RE.pattern) - set(string.whitespace)
        )
    ),
    max_size=8,
)


@settings(max_examples=2000, deadline=None)
@given(MOJIBAKE_PIECES)
def test_text_ftfy_finds_mojibake_in_has_a_required_character(text):
    assert not ftfy.is_bad(text) or clean._may_be_mojibake(text)


def test_text_with_only_common_punctuation_skips_the_mojibake_search():
    answers = real_answers()
    bad = [a for a in answers if ftfy.is_bad(a)] + ["CafÃ© crÃ¨me â€“ best", "Itâ€™s"]
    assert all(clean._may_be_mojibake(a) for a in bad)
    assert not clean._may_be_mojibake("It’s “fine” – really… — isn’t it?")
    assert clean._required_chars(re.compile("é|a")) is None  # an alternative needs no rare one
    assert clean._required_chars(re.compile("é|ü", re.IGNORECASE)) is None


def mojibake_examples() -> list[str]:
    """For each alternative of ftfy's mojibake pattern, a text it matches, made of
    characters outside the pre-check's class wherever the alternative allows it."""
    from re import _constants as C
    from re import _parser

    pattern = ftfy.badness.BADNESS_RE
    ((_, (_, alternatives)),) = _parser.parse(pattern.pattern, pattern.flags)
    examples = []
    for alternative in alternatives:
        text = ""
        for op, arg in alternative:
            if op == C.LITERAL:
                text += chr(arg)
            elif op == C.IN and arg[0][0] == C.NEGATE:
                text += "1"  # the pattern's only negated class is [^A-Za-z]
            elif op == C.IN:
                chars = {chr(v) for o, v in arg if o == C.LITERAL} | {
                    chr(c) for o, v in arg if o == C.RANGE for c in range(v[0], v[1] + 1)
                }
                chars |= {" " if v == C.CATEGORY_SPACE else "a" for o, v in arg if o == C.CATEGORY}
                outside = sorted(c for c in chars if not clean._may_be_mojibake(c))
                text += (outside or sorted(chars))[0]
            elif op == C.ANY:
                text += "a"
        examples.append(text)
    return examples


def test_every_alternative_of_the_mojibake_pattern_needs_a_required_character():
    examples = mojibake_examples()
    assert len(examples) > 30
    for text in examples:
        assert ftfy.is_bad(text), text  # the example is one the pattern matches
        assert clean._may_be_mojibake(text), text
