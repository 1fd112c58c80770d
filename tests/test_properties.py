"""Properties over arbitrary input: extraction never raises, accounting adds up, cleaning is
idempotent."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from qaharvest import clean, extract, readers
from qaharvest import patterns as P
from qaharvest.readers import Page
from qaharvest.segment import Line, classify, strip_seo_prefix

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


PAGE_LINES = st.lists(
    st.sampled_from(
        [
            "Psoas Muscle Pain: What To Know",  # a title
            "What is a psoas?",
            "What Is The Best Psoas Stretch?",  # a title that is a question, when answered
            "Why does it hurt? How long does it last?",  # two questions, or one compound
            "The psoas is a muscle.",
            "It connects the spine to the legs.",
            "",
            " \u3000 ",
            "159 more rows",
            "Starts here1:26How to stretch it – YouTubeYouTube",
            "Home | About | Contact",
            "© 2024 Example Inc.",
        ]
    ),
    max_size=14,
)


def page_rows(page: Page, lines: list[Line]) -> tuple[list[tuple], list[tuple]]:
    """Occurrence and noise rows read off a page's classified lines, one line at a time:
    the model the column-wise extraction must agree with."""
    where = f"{page.file}#{page.record}" if page.record else page.file
    titles = [ln.text for ln in lines if ln.kind == "title" or ln.rule == "title-question"]
    title = strip_seo_prefix(titles[0]) if titles else None
    occurrences, noise, asked, answer, gap, cut = [], [], None, [], False, False

    def close() -> None:
        if asked is None:
            return
        text = "".join(answer).strip() or None
        for k, question in enumerate(asked.questions):
            last = k == len(asked.questions) - 1
            answered = (text if last else None, last and cut)
            occurrences.append(
                (page.file, asked.n, page.url, page.record, title, question, *answered)
            )

    for ln in lines:
        if ln.kind == "question":
            close()
            asked, answer, gap, cut = ln, [], False, False
        elif ln.kind == "answer" and asked is not None:
            answer.append(("\n\n" if gap else "\n") + ln.text if answer else ln.text)
            gap = False
        elif ln.kind == "blank":
            gap = True
        elif ln.kind == "noise":
            cut = cut or (ln.rule == "more-rows" and bool(answer))
            noise.append((where, ln.n, ln.rule, ln.text))
    close()
    return occurrences, noise


@settings(max_examples=300, deadline=None)
@given(st.lists(PAGE_LINES, min_size=1, max_size=4))
def test_rows_built_column_wise_match_the_lines_read_one_by_one(pages):
    # Every other page is a record of a JSONL dump, with its URL.
    pages = [
        Page(f"p{i}.txt", "\n".join(lines), f"https://e.org/{i}", i)
        if i % 2
        else Page(f"p{i}.txt", "\n".join(lines))
        for i, lines in enumerate(pages)
    ]
    batch = extract.extract_pages(pages)
    occ, noise = batch.frames()
    want_occ, want_noise = [], []
    for page in pages:
        rows = page_rows(page, classify(readers.split_lines(page.text)))
        want_occ += rows[0]
        want_noise += rows[1]
    got_occ = [
        tuple(None if v is None or v != v else v for v in row)
        for row in occ.itertuples(index=False)
    ]
    assert got_occ == want_occ
    assert list(noise.itertuples(index=False, name=None)) == want_noise
    assert batch.occurrence_rows == [sum(r[0] == page.file for r in want_occ) for page in pages]


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


DATED_TAILS = st.tuples(
    st.integers(0, 170),  # filler before: the date may straddle the 160 characters looked at
    st.lists(
        st.sampled_from(["x", "ab", "3", "%", ".", "!", "…", "”", ")", "•", "·", " ", "\u00a0"])
    ),
    st.sampled_from(["Mar", "March", "Sept", "Sep", "Ma", "mar", "JunJul"]),
    st.sampled_from(["", ".", ". "]),
    st.sampled_from([" ", "  ", ""]),
    st.sampled_from(["3", "13", "113"]),
    st.sampled_from([", ", ",  ", ","]),
    st.sampled_from(["2020", "12345", "20"]),
    st.sampled_from(["", " ", "x"]),
)


@settings(max_examples=500, deadline=None)
@given(DATED_TAILS)
def test_the_fast_trailing_date_cut_is_the_patterns_own(tail):
    filler, *pieces = tail
    line = ("word " * 40)[:filler] + "".join(pieces[0]) + "".join(pieces[1:])
    assert clean._cut_date(line) == clean._cut_tail(line, P.TRAILING_DATE)[0]


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


# Any JSON string: json.dumps escapes every non-ASCII character, lone surrogates included
# (drawn apart: they are 2,048 of the 1.1 million code points), and the characters of a question.
JSON_TEXT = st.text(
    st.one_of(st.sampled_from("ab ?.\n"), st.characters(), st.characters(categories=["Cs"])),
    max_size=30,
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(JSON_TEXT, JSON_TEXT, JSON_TEXT), min_size=1, max_size=4))
def test_any_jsonl_record_is_extracted(records):
    """Whatever a record's text and URL hold, its page is extracted, and every text the
    rows hold can be written out as UTF-8."""
    lines = [
        json.dumps({"text": f"{title}\nWhat is {q}?\n{answer}\n", "url": f"https://x.org/{q}"})
        for title, q, answer in records
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="ascii")
        res = extract.extract_file(path, "d.jsonl")
    assert res.files_processed == 1 and res.rejected_files == []
    occ, _ = res.frames()
    for column in ("title", "question", "answer", "url"):
        for value in occ[column].dropna():
            value.encode("utf-8")  # raises on a lone surrogate
