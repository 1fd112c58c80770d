"""Properties over arbitrary input: extraction never raises, accounting adds up, cleaning is
idempotent."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from qaharvest import clean, extract, readers
from qaharvest import patterns as P
from qaharvest.readers import Page

LINES = st.lists(
    st.one_of(
        st.text(max_size=80),
        st.sampled_from(["What is it?", "How do I do it? Why?", "More items…", "", "Answer."]),
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(LINES, st.sampled_from(["\n", "\r\n", "\r"]))
def test_extraction_never_raises_and_lines_add_up(lines, eol):
    text = eol.join(lines)
    ex = extract.extract_page(Page(file="p.txt", text=text))
    acc = extract.line_accounting(ex.line_counts)
    assert acc["read"] == len(readers.split_lines(text))
    assert acc["read"] == sum(v for k, v in acc.items() if k != "read")
    occ = clean.clean_frame(ex.frames()[0])
    assert occ["question"].str.len().gt(0).all() if len(occ) else True


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_decoding_arbitrary_bytes_either_works_or_says_why(data):
    try:
        text = readers.decode(data)
    except readers.UnreadableFile as exc:
        assert str(exc)
    else:
        extract.extract_page(Page(file="p.txt", text=text))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_cleaning_is_idempotent(text):
    once = clean.clean_text(text)
    assert clean.clean_text(once) == once
    answer, _ = clean.clean_answer(text)
    assert clean.clean_answer(answer)[0] == answer
    question = clean.clean_question(text)
    assert clean.clean_question(question) == question


MARKUP = st.lists(
    st.sampled_from(
        [
            "<",
            ">",
            "/",
            "script",
            "style",
            "b",
            " ",
            "!--",
            "-->",
            "<!DOCTYPE x>",
            "&lt;",
            "&amp;",
            "&#60;",
            "\x1b[31m",
            "\u202e",
            "\x00",
            "\n",
            "alert(1)",
            "Fine.",
            "svg/",
        ]
    ),
    max_size=25,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(MARKUP)
def test_cleaning_markup_soup_is_idempotent_and_leaves_no_tags(text):
    once = clean.clean_text(text)
    assert clean.clean_text(once) == once
    assert not P.HTML_TAG.search(once) and not P.SCRIPT_BLOCK.search(once)
    assert not any(c in once for c in "\x00\x1b\u202e")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab?\r\n \t\x00\u2028."), max_size=200))
def test_line_accounting_adds_up_with_mixed_line_ends(text):
    acc = extract.line_accounting(extract.extract_page(Page(file="p.txt", text=text)).line_counts)
    assert acc["read"] == len(readers.split_lines(text))
    assert acc["read"] == sum(v for k, v in acc.items() if k != "read")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from(["p.txt", "d.jsonl", "p.txt.gz", "d.jsonl.gz"]))
def test_extracting_any_file_never_raises(data, name):
    """Whatever bytes a file holds, extraction uses it or sets it aside with a reason."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        res = extract.extract_file(path, name)
    assert res.files_processed + len([r for r in res.rejected_files if r["file"] == name]) == 1
    assert all(r["reason"] for r in res.rejected_files)
