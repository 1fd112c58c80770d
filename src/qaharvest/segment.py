"""Segmentation: decide for every line of a page whether it is a title, a question, answer text or
noise, and name the rule that decided. Pure functions over lists of strings."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from itertools import chain, islice
from operator import attrgetter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from qaharvest import patterns as P

KINDS = ("title", "question", "answer", "noise", "blank")
MAX_QUESTION_CHARS = 300
MENU_LINE_CHARS = 80
MAX_NOISE_CHARS = 1000
# Distinct lines whose page-independent classification is remembered (per process).
LINE_CACHE_SIZE = 1 << 17
# New lines from which classifying them together (Arrow passes) beats one by one.
BULK_MIN_LINES = 64
# Distinct titles and questions whose page-context tests are remembered (per process).
TEXT_CACHE_SIZE = 1 << 16


@dataclass(slots=True)
class Line:
    """One classified line. `questions` holds the question(s) a question line asks."""

    n: int  # 1-based line number in the page
    text: str  # whitespace-normalized text
    kind: str
    rule: str
    questions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LineClass:
    """How a line is classified: a `Line` without its number. Frozen: the class of a line on
    its own is shared by every page that has the line (see `line_classes`)."""

    text: str
    kind: str
    rule: str
    questions: tuple[str, ...] = ()

    def relabel(self, kind: str, rule: str, questions: tuple[str, ...] = ()) -> LineClass:
        """The same text with another kind, rule and questions."""
        return LineClass(self.text, kind, rule, questions)


def squash(line: str) -> str:
    """Whitespace-normalize a line for classification (NBSP, tabs, zero-width, runs of spaces)."""
    if line.isascii() and line.isprintable() and "  " not in line:
        return line.strip(" ")  # the common case: no control characters, single spaces only
    if not line.isascii():
        line = P.CONTROL_CHARS.sub("", line.replace("\xa0", " "))
    elif _ASCII_CONTROL.search(line):
        line = P.CONTROL_CHARS.sub("", line)
    return " ".join(line.split())  # str.split() and re's \s agree on what is whitespace


_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_seo_prefix(text: str) -> str:
    """`text` without an SEO prefix ("Quick answer: …"), unless the prefix is all of it."""
    if not any(mark in text for mark in _SEO_MARKS):
        return text  # most text: every prefix ends with one of these
    m = P.SEO_PREFIX.match(text)
    return text[m.end() :] if m and m.end() < len(text) else text


_SEO_MARKS = (":", "-", "–", "—")  # `P.SEO_PREFIX` ends with one of them


_FIRST_WORD = re.compile(r"[\"“'‘(\[]*([A-Za-z']+)")


def _first_word(sentence: str) -> str:
    m = _FIRST_WORD.match(sentence)
    return m.group(1).lower().replace("’", "'") if m else ""


def sentences(text: str) -> list[str]:
    if not _MAY_SPLIT.search(text):  # most lines: no sentence end before a space
        return [text] if text else []
    return [s for s in P.SENTENCE_SPLIT.split(text) if s]


_MAY_SPLIT = re.compile(r"[.!?…]\s")  # where `P.SENTENCE_SPLIT` can split, and more


_CLOSERS = " \"”'’)]"  # may follow the "?" that ends a question


def is_question_sentence(sentence: str) -> bool:
    """A sentence that asks: it ends with '?' and opens with a question word, possibly after a
    topic ("Physics: Why …?") or a leading clause ("If X, then why …?"), or it holds a wh-word."""
    s = sentence.rstrip(_CLOSERS)
    if not s.endswith("?"):
        return False
    s = strip_seo_prefix(s)
    if _opening_word(s) in P.QUESTION_WORDS:  # "Which is better: X or Y?"
        return True
    s = _TOPIC.sub("", s, count=1)
    if _opening_word(s) in P.QUESTION_WORDS:
        return True
    clause = _AFTER_CLAUSE.search(s)
    return (
        bool(clause and clause.group(1).lower() in P.QUESTION_WORDS)
        or bool(_WH.search(s))
        or bool(_CONDITION.match(s) and _ASKS.search(s))
    )


def _opening_word(sentence: str) -> str:
    """The first word, or the second after a joining "Or/And/But/So" ("Or is it real?")."""
    word = _first_word(sentence)
    if word in _JOINERS:
        return _first_word(sentence[sentence.lower().index(word) + len(word) :].lstrip())
    return word


_JOINERS = frozenset(("or", "and", "but", "so"))
# "If I log out will the stamp go away?": a condition, then an inverted auxiliary.
_CONDITION = re.compile(r"(?:if|when|once|since|after|before|while)\s", re.IGNORECASE)
_ASKS = re.compile(
    r"\s(?:do|does|did|will|would|can|could|should|is|are|was|were|may|might|must|shall)\s+"
    r"(?:i|you|he|she|it|we|they|my|your|his|her|its|our|their|the|this|that|these|those|there|"
    r"someone|anyone|people)\b",
    re.IGNORECASE,
)


_TOPIC = re.compile(r"^[A-Z][\w'’&-]*(?: [\w'’&-]+){0,3}:\s+")
_AFTER_CLAUSE = re.compile(r"[,;:]\s*(?:then\s+|so\s+)?([A-Za-z']+)")
_WH = re.compile(r"\b(?:how|what|why|who|when|where|which|whose|whom)\b", re.IGNORECASE)


def question_parts(text: str) -> tuple[str, ...] | None:
    """The questions a line asks, or None when it is not a question line.

    A question line ends with '?' and its last sentence opens with a question word
    ("Boosting his distance to, say, 269?" is answer text). Context sentences before the
    question stay with it; a line made only of questions yields each of them.
    """
    if not text.rstrip(_CLOSERS).endswith("?"):
        return None  # cheap exit for most lines (removing a prefix keeps the end)
    text = strip_seo_prefix(text)
    if len(text) > MAX_QUESTION_CHARS:
        return None
    parts = sentences(text)
    if not parts:
        return None
    if not is_question_sentence(parts[-1]):
        # "What does Prof. Walter Lewin think …?": an abbreviation split the sentence.
        if text.count("?") == 1 and is_question_sentence(parts[0].rstrip(".") + "?"):
            return (text,)
        return None
    if len(parts) > 1 and all(is_question_sentence(p) for p in parts):
        return tuple(parts)
    return (text,)


def noise_rule(text: str) -> str | None:
    """The noise rule a line matches, if any. Noise lines are short: long lines skip the checks."""
    if len(text) > MAX_NOISE_CHARS:
        return None
    folded = text.casefold()
    low = folded.strip(_STRIPPED)
    # Cheap substring checks first: most lines are plain prose.
    if ("youtube" in folded or "vimeo" in folded or "starts here" in folded) and (
        P.VIDEO_SNIPPET.search(text)
    ):
        return "video-snippet"
    if P.LINK_LINE.match(text):
        return "link-line"
    if low in P.BOILERPLATE:
        return "boilerplate"
    if P.MORE_ROWS.match(text):
        return "more-rows"
    if P.COPYRIGHT.match(text):
        return "copyright"
    if P.URL_ONLY.match(text):
        return "url-only"
    if ("|" in text or text.startswith("<")) and (
        text.count("|") >= 2
        or re.match(r"^<\.{2,}.*\.{2,}>$", text)
        or ("|" in text and _title_case(text) and not re.search(r"[.?!]", text))
    ):
        return "navigation"
    if _call_to_action(text, folded) and any(h in folded for h in _CTA_HINTS):
        return "call-to-action"
    if any(h in folded for h in _SOCIAL_HINTS) and P.SOCIAL_HOOK.search(text):
        return "social-link"
    if not _WORD_CHAR.search(text):
        return "no-words"
    return None


_STRIPPED = " .…:!-–—•*|"  # around a line looked up in the boilerplate


def _call_to_action(text: str, folded: str) -> bool:
    """`P.CALL_TO_ACTION.search(text)`, cheaply: all its branches but "share … in the comments"
    are anchored at the start, and that one needs "share" in the case-folded line."""
    return bool(
        P.CALL_TO_ACTION.match(text) or ("share" in folded and P.CALL_TO_ACTION.search(text))
    )


# Cheap pre-checks (substrings of the case-folded line) before the full patterns.
_CTA_HINTS = ("click", "share", "tell us", "follow", "subscribe", "like us", "sign up", "questions")
_SOCIAL_HINTS = ("facebook", "instagram", "twitter", "pinterest", "tiktok")
_WORD_CHAR = re.compile(r"[^\W_]")


_WORD = re.compile(r"[A-Za-z][\w'’]*")


@functools.lru_cache(maxsize=TEXT_CACHE_SIZE)
def _title_case(text: str) -> bool:
    """Most words of four letters or more are capitalized. Remembered: page passes ask about
    the same titles and questions on many pages."""
    words = [w for w in _WORD.findall(strip_seo_prefix(text)) if len(w) > 3]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _same(a: str, b: str) -> bool:
    return _comparable(a) == _comparable(b)


@functools.lru_cache(maxsize=TEXT_CACHE_SIZE)
def _comparable(text: str) -> str:
    """`text` as `_same` compares it: no SEO prefix, punctuation or case. Remembered, as
    `_title_case`."""
    return re.sub(r"\W+", " ", strip_seo_prefix(text)).strip().casefold()


def classify(lines: list[str]) -> list[Line]:
    """Classify every line of a page. Each line gets exactly one kind and the rule behind it."""
    return [
        Line(n, c.text, c.kind, c.rule, c.questions)
        for n, c in enumerate(classify_page(lines), start=1)
    ]


def classify_page(lines: list[str]) -> list[LineClass]:
    """`classify` without line numbers (line n is at index n - 1)."""
    return classify_pages([lines])[0]


def classify_pages(pages: list[list[str]]) -> list[list[LineClass]]:
    """`classify_page` for each page (`classify_together`, split by page)."""
    return classify_together(pages).pages()


@dataclass
class Classified:
    """The classified lines of several pages, one page after another: each line's class,
    and as arrays each line's kind (its position in KINDS) and page, and each page's first
    line."""

    classes: list[LineClass]
    kind: np.ndarray
    page: np.ndarray
    start: np.ndarray

    def relabel(self, line: int, kind: str, rule: str, questions: tuple[str, ...] = ()) -> None:
        self.classes[line] = self.classes[line].relabel(kind, rule, questions)
        self.kind[line] = _KIND_CODE[kind]

    def pages(self) -> list[list[LineClass]]:
        """The classes, page by page."""
        ends = self.ends().tolist()
        return [self.classes[a:b] for a, b in zip(self.start.tolist(), ends, strict=True)]

    def ends(self) -> np.ndarray:
        """Where each page's lines end (its last line + 1)."""
        return np.append(self.start[1:], len(self.classes))

    def of_kind(self, kind: str) -> np.ndarray:
        return np.flatnonzero(self.kind == _KIND_CODE[kind])

    def attribute(self, name: str, lines: np.ndarray) -> list:
        """The attribute `name` of the class of each of `lines`."""
        return list(map(attrgetter(name), map(self.classes.__getitem__, lines.tolist())))

    def with_rule(self, lines: np.ndarray, rule: str) -> np.ndarray:
        """The `lines` whose rule is `rule`."""
        return lines[np.fromiter(map(rule.__eq__, self.attribute("rule", lines)), bool, len(lines))]

    def numbers(self, lines: np.ndarray) -> np.ndarray:
        """The 1-based line numbers of `lines` in their pages."""
        return lines - self.start[self.page[lines]] + 1


def classify_together(pages: list[list[str]]) -> Classified:
    """The lines of several pages classified: the class of each line on its own (the lines
    of all pages looked up, or classified, together), then each page's context applied, in
    passes over the lines of all pages at once. A pass relabels the lines it changes."""
    classes = line_classes(list(chain.from_iterable(pages)))
    lengths = np.fromiter(map(len, pages), np.int64, len(pages))
    kinds = map(_KIND_CODE.__getitem__, map(attrgetter("kind"), classes))
    lines = Classified(
        classes=classes,
        kind=np.fromiter(kinds, np.int64, len(classes)),
        page=np.repeat(np.arange(len(pages)), lengths),
        start=np.cumsum(lengths) - lengths,
    )
    content = np.flatnonzero(np.isin(lines.kind, _CONTENT))
    after = _same_page(content, lines)
    _mark_menus(lines, content, after)
    _mark_titles(lines, content, after)
    _mark_answer_headings(lines, content, after)
    _resolve_questions(lines, content, after)
    _mark_footers(lines)
    return lines


_KIND_CODE = {k: i for i, k in enumerate(KINDS)}
_QUESTION, _ANSWER, _NOISE = (_KIND_CODE[k] for k in ("question", "answer", "noise"))
# The kinds the page context is about: `content` holds the lines of these kinds, in order.
_CONTENT = (_QUESTION, _ANSWER)


def _same_page(content: np.ndarray, lines: Classified) -> np.ndarray:
    """Whether each content line is on the page of the content line before it (`after`, as
    the passes call it)."""
    page = lines.page[content]
    same = np.zeros(len(content), dtype=bool)
    same[1:] = page[1:] == page[:-1]
    return same


def _before(after: np.ndarray) -> np.ndarray:
    """Whether each content line is on the page of the content line after it."""
    return np.append(after[1:], False)


def line_class(raw: str) -> LineClass:
    """The class of a raw line on its own, before the page context is applied."""
    return _text_class(squash(raw))


def _text_class(text: str) -> LineClass:
    """`line_class` of a line already squashed."""
    if not text:
        return LineClass(text, "blank", "blank")
    rule = noise_rule(text)
    if rule:
        return LineClass(text, "noise", rule)
    return _question_or_answer(text)


def _question_or_answer(text: str) -> LineClass:
    """The class of a line no noise rule takes."""
    parts = question_parts(text)
    if parts:
        return LineClass(text, "question", "question", parts)
    return LineClass(text, "answer", "answer")


_known: dict[str, LineClass] = {}  # remembered classes: pages repeat lines a lot


def line_classes(lines: list[str]) -> list[LineClass]:
    """`line_class` of each line. Lines seen before in this process are remembered (up to
    LINE_CACHE_SIZE, the oldest half forgotten first); new ones are classified together
    (`_classify_new`)."""
    known = _known
    new = list(dict.fromkeys([line for line in lines if line not in known]))
    known.update(zip(new, _classify_new(new), strict=True))
    classes = list(map(known.__getitem__, lines))
    if len(known) > LINE_CACHE_SIZE:
        kept = dict(islice(known.items(), len(known) // 2, None))
        known.clear()
        known.update(kept)
    return classes


def _classify_new(lines: list[str]) -> list[LineClass]:
    """`line_class` of each line. Most new lines are plain answer text: two Arrow (RE2) passes
    over all of them find the few that could be noise, or a question, and only those go
    through the noise rules, or the question test, one by one. A pass may let through lines
    that are not (it is a necessary condition of the rules, not the rules), never the reverse."""
    if len(lines) < BULK_MIN_LINES:
        return [line_class(line) for line in lines]
    array = _squashed(lines)
    unsure = pc.match_substring_regex(array, _UNSURE)
    noise = pc.or_(unsure, pc.match_substring_regex(array, _MAYBE_NOISE))
    asks = pc.match_substring_regex(array, _QUESTION_END)
    classes = []
    for text, maybe_noise, maybe_asks in zip(
        array.to_pylist(), noise.to_pylist(), asks.to_pylist(), strict=True
    ):
        if maybe_noise or not text:
            classes.append(_text_class(text))
        elif maybe_asks:
            classes.append(_question_or_answer(text))
        else:
            classes.append(LineClass(text, "answer", "answer"))
    return classes


def _squashed(lines: list[str]) -> pa.Array:
    """`squash` of each line. Lines of printable ASCII without two spaces in a row (most) are
    only stripped of spaces, in one Arrow pass; the others go through `squash`."""
    raw = pa.array(lines, pa.string())
    odd = pc.match_substring_regex(raw, r"[^\x20-\x7e]|  ")
    array = pc.utf8_trim(raw, " ")
    at = np.flatnonzero(odd.to_numpy(zero_copy_only=False))
    if not len(at):
        return array
    squashed = pa.array([squash(lines[i]) for i in at.tolist()], pa.string())
    return pc.replace_with_mask(array, odd, squashed)


def _noise_pattern() -> str:
    """An RE2 pattern that every line a noise rule takes matches too, if its characters are
    ASCII or the marks `_UNSURE` spares (built from the rules' own patterns and pre-checks)."""
    strip = f"{_char_class(_STRIPPED)}*"  # around a boilerplate line
    return "(?i)" + "|".join(
        [
            "youtube|vimeo|starts here",  # video-snippet's pre-check
            P.LINK_LINE.pattern,
            rf"^{strip}(?:{'|'.join(sorted(P.BOILERPLATE))}){strip}$",
            P.MORE_ROWS.pattern,
            P.COPYRIGHT.pattern,
            P.URL_ONLY.pattern,
            r"\||^<",  # navigation's pre-check
            P.CALL_TO_ACTION.pattern,
            P.SOCIAL_HOOK.pattern,
            "^[^A-Za-z0-9]*$",  # no-words
        ]
    )


def _char_class(chars: str) -> str:
    """A regex class of exactly `chars` (in RE2 and Python syntax)."""
    return "[" + "".join("\\" + c if c in "]\\^-" else c for c in chars) + "]"


_MAYBE_NOISE = _noise_pattern()
# Text the RE2 passes cannot vouch for takes the rules: its non-ASCII characters are not all
# marks that have no case and are neither word characters nor spaces (RE2 and Python regexes
# agree on ASCII and on these).
_UNSURE = "[^\\x00-\\x7f…–—‘’“”]"
_QUESTION_END = rf"\?{_char_class(_CLOSERS)}*$"  # how a question line ends (`question_parts`)


def _mark_titles(lines: Classified, content: np.ndarray, after: np.ndarray) -> None:
    """A page's first content line (unless a menu took it) may be its title."""
    first = np.flatnonzero(~after)
    has_next = _before(after)
    for k in first.tolist():
        if lines.kind[content[k]] != _NOISE:
            _mark_title(lines, content[k], content[k + 1] if has_next[k] else None)


def _mark_title(lines: Classified, line: int, next_line: int | None) -> None:
    first = lines.classes[line]
    nxt = lines.classes[next_line] if next_line is not None else None
    is_title = (
        P.SEO_PREFIX.match(first.text) is not None
        or (_title_case(first.text) and len(first.text) <= 150 and not first.text.endswith("."))
        or (
            nxt is not None
            and nxt.kind == "question"
            and len(first.text) <= 150
            and not re.search(r"[.!]$", first.text)
        )
    )
    if not is_title:
        return
    if first.kind == "question" and nxt is not None and nxt.kind == "answer":
        # a title that is itself answered by the next paragraph
        lines.relabel(line, "question", "title-question", first.questions)
    elif nxt is not None and nxt.kind == "question" and _same(first.text, nxt.text):
        lines.relabel(line, "title", "title-repeats-question")
    else:
        lines.relabel(line, "title", "title")


def _mark_menus(lines: Classified, content: np.ndarray, after: np.ndarray) -> None:
    """Help-centre indexes: in a run of short lines where questions follow questions, the
    other lines are menu items and section headings, not answers. A run is of consecutive
    content lines of at most MENU_LINE_CHARS on one page."""
    # Only pages where a question follows a question twice can have one (lengths are not
    # looked at on the others).
    asks = lines.kind[content] == _QUESTION
    twice = asks[1:] & asks[:-1] & after[1:]
    pages = np.bincount(lines.page[content[1:][twice]], minlength=len(lines.start)) >= 2
    kept = pages[lines.page[content]]  # whole pages: `after` stays true of the lines kept
    content, after = content[kept], after[kept]
    classes = lines.classes
    length = np.fromiter(map(len, lines.attribute("text", content)), np.int64, len(content))
    short = length <= MENU_LINE_CHARS
    follows = np.zeros(len(content), dtype=bool)  # in the run of the line before
    follows[1:] = short[1:] & short[:-1]
    follows &= after
    in_run = np.flatnonzero(short)
    run = (np.cumsum(short & ~follows) - 1)[in_run]
    asks = lines.kind[content[in_run]] == _QUESTION
    size = np.bincount(run)
    questions = np.bincount(run, weights=asks, minlength=len(size))
    adjacent = np.bincount(run[1:][asks[1:] & asks[:-1] & follows[in_run][1:]], minlength=len(size))
    menu = (questions >= 3) & (adjacent >= 2) & (questions >= 0.5 * size)
    for i in content[in_run][menu[run] & ~asks].tolist():
        if not _LIST_ITEM.match(classes[i].text):
            lines.relabel(i, "noise", "menu-item")


_LIST_ITEM = re.compile(r"(?:\d{1,2}[.)]|[-•*–])\s")  # numbered or bulleted: an answer list


def _mark_answer_headings(lines: Classified, content: np.ndarray, after: np.ndarray) -> None:
    """A Title-Case question right after a question, followed by answer text, is a heading
    that opens the answer ("What Kind of Utensils are Ideal for Cooking?")."""
    kind = lines.kind[content]
    middle = np.zeros(len(content), dtype=bool)  # a question between a question and an answer
    middle[1:-1] = (kind[1:-1] == _QUESTION) & (kind[:-2] == _QUESTION) & (kind[2:] == _ANSWER)
    middle &= after & _before(after)
    for k in np.flatnonzero(middle).tolist():
        heading, before = lines.classes[content[k]], lines.classes[content[k - 1]]
        if _title_case(heading.text) and not _title_case(before.text):
            lines.relabel(content[k], "answer", "heading-in-answer")


def _resolve_questions(lines: Classified, content: np.ndarray, after: np.ndarray) -> None:
    """Answer text before any question is preamble; a line of several questions followed by
    an answer is one compound question, otherwise each question stands alone."""
    kind = lines.kind[content]
    asks = kind == _QUESTION
    answered = _before(after) & np.append(kind[1:] == _ANSWER, False)
    asked = content[asks]
    several = np.fromiter(map(len, lines.attribute("questions", asked)), np.int64, len(asked)) > 1
    for k in np.flatnonzero(asks)[several].tolist():
        questions = lines.classes[content[k]].questions
        if answered[k]:
            lines.relabel(content[k], "question", "compound-question", (" ".join(questions),))
        else:
            lines.relabel(content[k], "question", "two-questions", questions)
    # The last question at or before each content line, when it is on the same page.
    asked_at = np.maximum.accumulate(np.where(asks, np.arange(len(content)), -1))
    page = lines.page[content]
    seen = (asked_at >= 0) & (page[np.maximum(asked_at, 0)] == page)
    for i in content[(kind == _ANSWER) & ~seen].tolist():
        lines.relabel(i, "noise", "preamble")


def _mark_footers(lines: Classified) -> None:
    """The footer of each page with a question (`_mark_footer`)."""
    asks = lines.of_kind("question")[::-1]
    pages, last = np.unique(lines.page[asks], return_index=True)
    ends = lines.ends()
    for page, last_question in zip(pages.tolist(), asks[last].tolist(), strict=True):
        _mark_footer(lines, range(last_question + 1, ends[page]))


def _mark_footer(lines: Classified, tail: range) -> None:
    """After the last question (`tail`: the lines after it), a site line (navigation,
    copyright, social or call-to-action link) or a closing remark ("We loved hearing…",
    "Thank you for…") starts the page footer: the text from there on is not part of the
    last answer."""
    footer = False
    for i in tail:
        ln = lines.classes[i]
        if ln.kind == "answer" and not footer and _CLOSING.match(ln.text):
            lines.relabel(i, "noise", "closing-remark")
            ln = lines.classes[i]
            footer = True
        footer = footer or (ln.kind == "noise" and ln.rule in _FOOTER_RULES)
        if footer and ln.kind == "answer":
            lines.relabel(i, "noise", "footer")
    _mark_footnote(lines, tail)


def _mark_footnote(lines: Classified, tail: range) -> None:
    """A last "* …" line after plain answer text is the site's footnote, not a list item."""
    answers = [i for i in tail if lines.classes[i].kind == "answer"]
    if len(answers) < 2:
        return
    last, before = lines.classes[answers[-1]], lines.classes[answers[-2]]
    if last.text.startswith("*") and not before.text.startswith("*"):
        lines.relabel(answers[-1], "noise", "footnote")


_FOOTER_RULES = frozenset(("navigation", "copyright", "social-link", "call-to-action"))
_CLOSING = re.compile(
    r"(?:we |i )?(?:loved|enjoyed) (?:hearing|talking|chatting|learning)|"
    r"thanks? (?:you )?(?:so much )?for (?:sharing|talking|chatting|joining|taking the time|"
    r"reading)|it was a pleasure",
    re.IGNORECASE,
)
