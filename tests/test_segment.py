"""Segmentation: every line gets a kind and the rule that decided it."""

from __future__ import annotations

import string

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qaharvest import patterns as P
from qaharvest import segment
from qaharvest.readers import split_lines
from qaharvest.segment import KINDS, classify, line_class, noise_rule, question_parts, squash
from tests.conftest import REALWORLD, SEED


def kinds(text: str) -> list[tuple[str, str]]:
    """(kind, rule) of every non-blank line."""
    return [(ln.kind, ln.rule) for ln in classify(text.split("\n")) if ln.kind != "blank"]


NOISE_EXAMPLES = [
    ("You might be interested: Readers ask: How old is he?", "link-line"),
    ("THIS IS EXCITING: Can you use mayonnaise for frying?", "link-line"),
    ("Leave a Reply", "boilerplate"),
    ("Contents", "boilerplate"),
    ("Related posts", "boilerplate"),
    ("159 more rows", "more-rows"),
    ("More items…", "more-rows"),
    ("© 2021 Calgary Family Therapy Centre | Calgary", "copyright"),
    ("https://example.com/page", "url-only"),
    ("Home | Chili Pepper | Chili Powder | About Us", "navigation"),
    ("Please click here for Confidentiality Guidelines.", "call-to-action"),
    ("Subscribe to our newsletter for weekly tips.", "call-to-action"),
    # the one call to action that need not open the line
    ("Loved it? Share yours in the comments below.", "call-to-action"),
    ("Many people share their tips in the forum.", None),
    ("You can keep up with us on Instagram @farm.", "social-link"),
    ("Starts here 2:05 How to tie a kilt YouTube", "video-snippet"),
    ("* * *", "no-words"),
    ("Related to this, the stars align.", None),
    ("Home is where the heart is.", None),
]


@pytest.mark.parametrize(("line", "rule"), NOISE_EXAMPLES)
def test_noise_rules(line: str, rule: str | None):
    assert noise_rule(line) == rule


@pytest.mark.parametrize(
    ("line", "parts"),
    [
        ("What is a kilt?", ("What is a kilt?",)),
        ("Quick Answer: Is it safe?", ("Is it safe?",)),
        ("Physics: Why is the sky blue?", ("Physics: Why is the sky blue?",)),
        (
            "We are divorced. Does my ex need to consent?",
            ("We are divorced. Does my ex need to consent?",),
        ),
        ("Which is hottest? Where is it found?", ("Which is hottest?", "Where is it found?")),
        ("How is hair loss treated? Minoxidil is approved.", None),
        ("Boosting his distance to, say, 269?", None),
        ("The answer is yes.", None),
        # a question word before a colon is not a topic
        ("Which is better: red rice or brown rice?", ("Which is better: red rice or brown rice?",)),
        (
            "Is Batman v Superman: Dawn of Justice good?",
            ("Is Batman v Superman: Dawn of Justice good?",),
        ),
        # a title or an abbreviation does not end a sentence
        ("Can Mr. Modi become one?", ("Can Mr. Modi become one?",)),
        (
            "Is it true? Or is it a rumour?",
            ("Is it true?", "Or is it a rumour?"),
        ),
        # a condition, then an inverted auxiliary
        (
            "If I log out of Facebook will the time stamp go away?",
            ("If I log out of Facebook will the time stamp go away?",),
        ),
        ("If you stretch daily the pain goes away?", None),
    ],
)
def test_question_parts(line: str, parts: tuple[str, ...] | None):
    assert question_parts(line) == parts


def test_paa_page_title_questions_answers_and_link_lines():
    page = """Quick Answer: Why Is The Sky Blue?

Why is the sky blue?

Sunlight scatters off air molecules.Nov 18, 2020

You might be interested: Readers ask: Why is the sea blue?

Is the sky blue on Mars?

No, it is butterscotch by day.
It turns blue at sunset.
More items…"""
    assert kinds(page) == [
        ("title", "title-repeats-question"),
        ("question", "question"),
        ("answer", "answer"),
        ("noise", "link-line"),
        ("question", "question"),
        ("answer", "answer"),
        ("answer", "answer"),
        ("noise", "more-rows"),
    ]


def test_help_centre_index_is_questions_without_answers():
    page = """Order Status
Has my order shipped?
How do I track my order?
An item is missing from my shipment.
My Account
How do I create an account?
How do I edit my account?
I forgot my password."""
    got = kinds(page)
    assert [k for k, _ in got].count("question") == 4
    assert all(rule == "menu-item" for kind, rule in got if kind != "question")


def test_interview_intro_compound_questions_outro_and_footer():
    page = """Today we are delighted to introduce a family farm in Oregon.
How long have you farmed? Where did it begin?
I started in 1988 in California.
Where can your petals be bought? Do you ship abroad?
What is your favourite flower?
Roses, every time.
We loved hearing more about your farm and wish you the best.
Follow them on Instagram @farm for news.
Flowers make any day special, so order some today."""
    assert kinds(page) == [
        ("noise", "preamble"),
        ("question", "compound-question"),
        ("answer", "answer"),
        ("question", "two-questions"),
        ("question", "question"),
        ("answer", "answer"),
        ("noise", "closing-remark"),
        ("noise", "social-link"),
        ("noise", "footer"),
    ]
    two = next(ln for ln in classify(page.split("\n")) if ln.rule == "two-questions")
    assert two.questions == ("Where can your petals be bought?", "Do you ship abroad?")


def test_heading_with_question_mark_inside_an_answer():
    page = """Is silicone safe for cooking utensils?

Which utensil is best for cooking?

What Kind of Utensils are Ideal for Cooking?

1. Stainless Steel.
2. Cast Iron."""
    assert kinds(page)[2] == ("answer", "heading-in-answer")


def test_footer_after_navigation_is_not_part_of_the_last_answer():
    page = """Chili Faqs
How to dry chilies?
Lay them out in the sun.
<...Chili Facts About Us...>
Kindly visit our commercial website"""
    assert kinds(page)[-2:] == [("noise", "navigation"), ("noise", "footer")]


def test_site_footnote_after_the_last_answer_is_noise():
    page = """Where can I park?
Along 24th street.
What are the therapists backgrounds?
All of them specialize in family therapy.
* We are not an urgent care facility. Please go to your nearest hospital.
© 2021 Family Therapy Centre | Calgary"""
    assert kinds(page)[-3:] == [("answer", "answer"), ("noise", "footnote"), ("noise", "copyright")]
    listed = "What should I bring?\n* A towel.\n* Water."
    assert kinds(listed)[1:] == [("answer", "answer"), ("answer", "answer")]


def test_every_line_is_accounted_for():
    page = "Title Of Page\n\nWhat is it?\n\x00\nIt is.\n   \nLeave a Reply\n"
    lines = classify(page.split("\n"))
    assert len(lines) == len(page.split("\n"))
    assert all(ln.kind in KINDS and ln.rule for ln in lines)
    assert [ln.n for ln in lines] == list(range(1, len(lines) + 1))


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("What is it?", "What is it?"),
        (" What is it? ", "What is it?"),
        ("What  is\tit?\r", "What is it?"),
        ("What\xa0is\u200b it?", "What is it?"),
        ("What\x07 is it?\x0c", "What is it?"),
        ("  \t ", ""),
        ("", ""),
    ],
)
def test_squash_normalizes_whitespace_and_drops_control_characters(raw, text):
    assert squash(raw) == text


def test_page_context_stays_on_its_page():
    """Lines on their own are classified once and shared between pages: what the context of
    one page makes of a line does not reach the same line on another page."""
    assert kinds("Some intro text.\nWhat is it?\nIt is.")[0] == ("noise", "preamble")
    assert kinds("What is it?\nSome intro text.")[1] == ("answer", "answer")


CONTEXT_LINES = st.sampled_from(
    [
        "Psoas Muscle Pain: What To Know",  # a title
        "Quick Answer: What is a psoas?",  # a title by its SEO prefix
        "What is a psoas?",
        "What Is The Best Psoas Stretch?",  # a title or a heading, by its place
        "Why does it hurt? How long does it last?",  # compound, or two questions
        "The psoas is a muscle.",
        "A longer answer line that runs well past eighty characters, so that it ends a menu run.",
        "Order Status",  # a menu item, among questions
        "1. Stretch daily",  # a list item, never a menu item
        "",
        "159 more rows",
        "Home | About | Contact",  # navigation: a footer after the last question
        "We loved hearing from you!",  # a closing remark
        "* Terms apply.",  # a footnote
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CONTEXT_LINES, max_size=16), min_size=2, max_size=5))
@example(  # a Title-Case question last on its page, answer text first on the next
    [
        ["Psoas Muscle Pain: What To Know", "What is a psoas?", "What Is The Best Psoas Stretch?"],
        ["The psoas is a muscle."],
    ]
)
def test_pages_classified_together_match_each_page_alone(pages):
    """The page passes run over the lines of many pages at once: what one page's lines make
    of another's is a mistake."""
    assert segment.classify_pages(pages) == [segment.classify_page(p) for p in pages]


def test_lines_end_at_crlf_cr_and_lf():
    assert split_lines("a\r\nb\rc\n\nd\n") == ["a", "b", "c", "", "d"]
    assert split_lines("a\r\r\nb\n\r") == ["a", "", "b", ""]
    assert split_lines("") == [] and split_lines("\n") == [""]


# Pieces of lines near the noise and question rules, for lines classified together.
FRAGMENTS = [
    "Starts here",
    "2:14",
    "YouTube",
    "vimeo",
    "Related posts",
    "Related:",
    "See also -",
    "HOME",
    "…",
    "•",
    "|",
    "<",
    ">",
    "©",
    "(C)",
    "Copyright",
    "http://",
    "www.",
    "Click here",
    "Share in the comments",
    "share it in the comments",
    "Follow us",
    "like us",
    "@site",
    "Sign up for",
    "If you have any questions",
    "15 more rows",
    "More items",
    "?",
    '?")',
    "’",
    "Is it",
    "What is",
    "If I go, will it",
    "Physics: why",
    " ",
    "  ",
    "\t",
    ".",
    "-",
    "é",
    "…",
    "–",
    "“",
    "\u017ftarts here",
    "K",
    "\xa0",
    "\u200b",
    "\x07",
]
LINE_PIECES = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.sampled_from([line for line, _ in NOISE_EXAMPLES]),
        st.text(string.printable, max_size=12),
    ),
    max_size=6,
).map("".join)


def test_lines_classified_together_match_one_by_one():
    """The Arrow pass that spares most new lines the rules lets through every line a rule
    could take: on real pages, each line gets the class the rules give it on its own."""
    lines = [
        line
        for path in [SEED, *sorted(REALWORLD.glob("*.txt"))]
        for line in split_lines(path.read_text(encoding="utf-8"))
    ]
    lines = list(dict.fromkeys(lines))
    assert len(lines) > segment.BULK_MIN_LINES
    assert segment._classify_new(lines) == [line_class(line) for line in lines]


@settings(max_examples=200, deadline=None)
@given(st.lists(LINE_PIECES, min_size=segment.BULK_MIN_LINES, max_size=100))
def test_lines_near_the_rules_classified_together_match_one_by_one(lines):
    assert segment._classify_new(lines) == [line_class(line) for line in lines]


SENTENCE_PIECES = st.lists(
    st.sampled_from(
        ["Quick answer", "FAQ", "Q", "question", ":", " -", "–", "—", " ", "  ", "\t", "\u2028",
         "Mr.", "U.S.", "e.g.", "What", "is it", "?", ".", "!", "…", '"', "“", "(", "A", "9", "x"]
    ),
    max_size=12,
).map("".join)


@settings(deadline=None)  # as every property test here: a busy machine must not fail it
@given(SENTENCE_PIECES)
@example("Quick answer: ")
@example("FAQ: What?")
@example("FAQ - What?")
@example("FAQ – What?")
@example("FAQ — What?")
@example("Q — Why? Is it. Mr. Smith")
@example("Stop! Why?")
@example("So… “Or x?”")
def test_the_quick_exits_of_prefix_and_sentence_splitting_change_nothing(text):
    """`strip_seo_prefix` and `sentences` skip their patterns on text without the marks a
    match needs: they give what the patterns give."""
    stripped = P.SEO_PREFIX.sub("", text, count=1)
    assert segment.strip_seo_prefix(text) == (stripped or text)
    assert segment.sentences(text) == [s for s in P.SENTENCE_SPLIT.split(text) if s]
