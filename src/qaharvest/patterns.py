"""Regular expressions shared by segmentation, cleaning and normalization."""

from __future__ import annotations

import re

# SEO prefixes that "People also ask" copy sites put before titles and questions.
SEO_PREFIX = re.compile(
    r"^\s*(?:(?:quick|fast|best|short|correct) answer|(?:quick|popular|common|frequent|"
    r"frequently asked|your|reader|readers|user|users) questions?|often asked|"
    r"(?:readers?|people|users?|you) ask(?:s|ed)?|question answer|question|answer|faq|q&a|q|"
    r"solved|asked)\s*[:\-–—]\s+",
    re.IGNORECASE,
)

# Words that open a direct question in English.
QUESTION_WORDS = frozenset(
    [
        "how",
        "what",
        "whats",
        "what's",
        "why",
        "who",
        "whom",
        "whose",
        "who's",
        "when",
        "where",
        "which",
        "whether",
        "is",
        "are",
        "was",
        "were",
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
        "has",
        "have",
        "had",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "don't",
        "doesn't",
        "didn't",
        "can't",
        "cannot",
        "couldn't",
        "shouldn't",
        "wouldn't",
        "won't",
        "hasn't",
        "haven't",
        "hadn't",
        "any",
        "anyone",
        "anybody",
    ]
)

# A sentence ends at . ! ? … before a capital or digit, but not after a title or an
# abbreviation ("Can Mr. Modi …", "the U.S. Army", "e.g. Python").
_ABBREVIATIONS = "".join(
    rf"(?<!\b{re.escape(a)})"
    for a in ("Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Mt.", "Prof.", "Jr.", "Sr.", "vs.", "U.S.",
              "e.g.", "i.e.")
)
SENTENCE_SPLIT = re.compile(rf"(?<=[.!?…]){_ABBREVIATIONS}\s+(?=[\"“'‘(]?[A-Z0-9])")

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
DATE = rf"{_MONTH}\s+\d{{1,2}},\s+\d{{4}}"
# "…Zinc.Nov 18, 2020", "… 46 more rows•Mar 23, 2020", "chipsNov 18, 2020" at the end of a
# line: glued after punctuation or straight onto a word ("… born on June 22, 1984" is text).
TRAILING_DATE = re.compile(rf"(?:(?<=[.!?…\"”’)\]•·])\s*[•·]?\s*|(?<=[a-z0-9%])[•·]?){DATE}\s*$")
# "Jun 3, 2020 — The answer…" at the start of a line.
LEADING_DATE = re.compile(rf"^\s*{DATE}\s*(?:[—–-]|\.\.\.|…)\s*")
# Snippet tails: "More items…", "159 more rows", "13 more columns", a dangling bullet.
TRUNCATION_TAIL = re.compile(
    r"(?:\s*[•·]?\s*(?:\.{3}|…)?\s*(?:More items\s*(?:\.{3}|…)?\.?|"
    # "Pakistan27,226159 more rows": after a thousands comma, three digits belong to the number.
    r"(?:(?<=,\d{3})|(?<![\d,]))\d+\s+more\s+(?:rows|columns|items))"
    r"\s*[•·]?)+\s*$",
    re.IGNORECASE,
)
# Knowledge-panel breadcrumb glued to its answer: "52 years (August 14, 1968)Darren Clarke/Age".
PANEL_LABEL = re.compile(
    r"(?<=[\da-z)])(?:[A-Z][\w’'.-]*\s){0,3}[A-Z][\w’'.-]*/[A-Z][a-z]+(?: [a-z]+)?(?=[A-Z]|\s*$)"
)
ELLIPSIS_END = re.compile(r"(?:\.{3}|…)\s*[•·]?\s*$")

VIDEO_SNIPPET = re.compile(
    r"^Starts here\s*\d|\d{1,2}:\d{2}.{0,200}?(?:YouTube|Vimeo)|"
    r"(?:YouTube|Vimeo)\s*(?:YouTube|Vimeo)\s*$",
    re.IGNORECASE,
)
LINK_LINE = re.compile(
    r"^(?:you might (?:also )?be interested(?: in)?|you may (?:also )?(?:be interested in|like)|"
    r"read (?:also|more|next)|see also|also read|related(?: posts?| articles?| questions?)?|"
    r"this is (?:exciting|interesting)|interesting(?: read)?|recommended(?: reading)?|"
    r"popular(?: posts?)?|trending|check out|learn more)\s*[:\-–—]",
    re.IGNORECASE,
)
BOILERPLATE = frozenset(
    """contents|table of contents|leave a reply|leave a comment|related posts|related|
    quick links|share|share this|share this post|comments|navigation|menu|home|
    sitemap|privacy policy|terms of use|terms and conditions|search|skip to content|
    post navigation|recent posts|categories|archives|tags|advertisement|sponsored|
    you may also like|people also ask|cookie policy|all rights reserved|back to top|top""".replace(
        "\n", ""
    )
    .replace("    ", "")
    .split("|")
)
MORE_ROWS = re.compile(r"^(?:\d+\s+more\s+(?:rows|columns|items)|more items)\W*$", re.IGNORECASE)
COPYRIGHT = re.compile(r"^\W*(?:©|\(c\)|copyright\b)", re.IGNORECASE)
URL_ONLY = re.compile(r"^\W*(?:https?://|www\.)\S+\W*$", re.IGNORECASE)
CALL_TO_ACTION = re.compile(
    r"^(?:please\s+)?click here\b|^(?:share|tell us) (?:this|in the comments|your)|"
    r"^(?:follow|subscribe to|like) us\b|^sign up (?:for|to)\b|^subscribe\b|"
    r"^if you have (?:any )?(?:other |more |further )?questions\b|"
    r"\bshare (?:it |them |yours )?in the comments\b",
    re.IGNORECASE,
)
SOCIAL_HOOK = re.compile(
    r"@\w|\bfollow\b|\bkeep up with\b|\blike us\b|\bfind (?:us|them)\b", re.IGNORECASE
)
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?\s*>")
SCRIPT_BLOCK = re.compile(r"<\s*(script|style)\b[^>]*>.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff"
BIDI_OVERRIDES = r"\u202a-\u202e\u2066-\u2069"  # "Trojan source": never text (a class body)
CONTROL_CHARS = re.compile(f"[{_CONTROL}]")
# Any character that cleaning removes: a control, a bidirectional override (or a terminal
# escape, which starts with the control ESC).
UNSAFE_CHARS = re.compile(f"[{_CONTROL}{BIDI_OVERRIDES}]")
