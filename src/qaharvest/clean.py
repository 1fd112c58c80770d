"""Cleaning: repair and tidy question, answer and title text; flag truncated answers.

Idempotent: cleaning cleaned text changes nothing.
"""

from __future__ import annotations

import html
import os
import re
import re._constants as _re_constants
import re._parser as _re_parser
import unicodedata

import ftfy
import ftfy.badness
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from qaharvest import memory
from qaharvest import patterns as P
from qaharvest.parallel import map_slices
from qaharvest.segment import strip_seo_prefix

MAX_ANSWER_CHARS = 20_000
# Distinct values from which a column is cleaned over a process pool (below, starting the
# pool costs more than it saves), the chunks it is cut in per core, and their least size:
# each chunk pays for its RE2 passes' compiling and warming up (`may_change`), about 1.7 ms.
PARALLEL_MIN_VALUES = 50_000
CHUNKS_PER_CORE = 8
MIN_CHUNK = 2_000
TAIL_CHARS = 160
_TEXT = pa.large_string()  # what pandas' text columns hold
_MONTH_STARTS = frozenset("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())
# A featured snippet glues its short answer to the paragraph: "NigerNiger, in Western Africa…".
_GLUED_REPEAT = re.compile(r"^([^\W\d_].{2,59}?)(?=\1)")
_STARTERS = (
    r"(?:The|There|According|In|It|A|An|This|That|These|Those|"
    r"As|If|When|While|With|For|On|At|By|From|Most|Some|Many|Yes|No)\s"
)
_GLUED_STARTER = re.compile(rf"^([^.?!:;,\n]{{3,40}}?[a-z0-9%)])(?={_STARTERS})")


_STARTER_INITIAL = re.compile(r"[TAIWFOBMSYN]")  # the first letters of the starter words


def clean_text(text: str) -> str:
    """Mojibake, HTML entities and tags, control characters, whitespace; lines kept.

    After a mojibake repair it is repeated until nothing changes (a repair can reveal
    another), so cleaning is idempotent."""
    cleaned, repaired = _clean_once(text)
    for _ in range(2):
        if not repaired:
            break
        text = cleaned
        cleaned, repaired = _clean_once(text)
        repaired = repaired and cleaned != text
    return cleaned


def _clean_once(text: str) -> tuple[str, bool]:
    """One cleaning pass; also says whether ftfy repaired mojibake."""
    unsafe = P.UNSAFE_CHARS.search(text) is not None  # most text has nothing for the two below
    if unsafe:
        text = _FORMAT.sub("", text)
    text = text.replace("\xa0", " ").replace("\t", " ")
    if unsafe:
        text = P.CONTROL_CHARS.sub("", text)
    repaired = not text.isascii() and _may_be_mojibake(text) and ftfy.is_bad(text)
    if repaired:
        text = ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False)
    elif not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if "&" in text:
        for _ in range(2):  # double-escaped entities ("&amp;lt;") decode in two steps
            text = html.unescape(text)
        text = P.CONTROL_CHARS.sub("", _FORMAT.sub("", text).replace("\xa0", " "))
    if "<" in text:
        text = _strip_markup(text)
        text = P.CONTROL_CHARS.sub("", text.replace("\xa0", " ").replace("\t", " "))
    if "  " in text or "\n" in text or text != text.strip():
        lines = (_SPACES.sub(" ", ln).strip() for ln in text.split("\n"))
        text = _BLANKS.sub("\n\n", "\n".join(lines)).strip()
    return text, repaired


def _required_chars(pattern: re.Pattern) -> re.Pattern | None:
    """A character class that every match of `pattern` has a character of, or None.

    `pattern` is an alternation of character sequences (ftfy's mojibake pattern). From each
    alternative, one set of non-ASCII characters that it must match one of is taken (the one
    with the fewest common punctuation marks, then the smallest): text with none of them
    cannot match, and needs no search of the whole pattern. Most non-ASCII text only has
    quotes, dashes or an ellipsis."""
    try:
        ((op, (_, alternatives)),) = _re_parser.parse(pattern.pattern, pattern.flags)
    except (ValueError, TypeError):
        return None
    if op != _re_constants.BRANCH or pattern.flags & re.IGNORECASE:
        return None
    required: set[str] = set()
    for alternative in alternatives:
        sets = [chars for item in alternative if (chars := _item_chars(*item))]
        sets = [chars for chars in sets if not any(c.isascii() for c in chars)]
        if not sets:
            return None
        required |= min(sets, key=lambda chars: (len(chars & _COMMON_PUNCTUATION), len(chars)))
    return re.compile("[" + "".join(re.escape(c) for c in sorted(required)) + "]")


def _item_chars(op, arg) -> set[str] | None:
    """The characters a literal or a character class (not negated, no category) matches."""
    if op == _re_constants.LITERAL:
        return {chr(arg)}
    if op != _re_constants.IN:
        return None
    chars = set()
    for member, value in arg:
        if member == _re_constants.LITERAL:
            chars.add(chr(value))
        elif member == _re_constants.RANGE:
            chars.update(map(chr, range(value[0], value[1] + 1)))
        else:  # a negation or a category (\w, \s): not a finite set of characters
            return None
    return chars


_COMMON_PUNCTUATION = frozenset("‘’‚“”„–—…•·«»")  # chosen last: most text has them
_MOJIBAKE_CHARS = _required_chars(ftfy.badness.BADNESS_RE)
_may_be_mojibake = _MOJIBAKE_CHARS.search if _MOJIBAKE_CHARS else bool
_SPACES = re.compile(r" {2,}")
_BLANKS = re.compile(r"\n{3,}")
# Markup HTML_TAG misses: comments, <!DOCTYPE>/CDATA, "<svg/onload=…>".
_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<![A-Za-z][^<>]*>"
    r"|<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*/[^<>]*>",
    re.DOTALL,
)
# A <script>/<style> left open runs to the end; a stray closing tag ends code before it.
_OPEN_CODE = re.compile(r"<\s*(?:script|style)\b[^>]*>.*", re.IGNORECASE | re.DOTALL)
_CLOSED_CODE = re.compile(r"^.*<\s*/\s*(?:script|style)\s*>", re.IGNORECASE | re.DOTALL)
# Terminal escapes and bidirectional overrides: never text.
_FORMAT = re.compile(rf"\x1b\[[0-9;?]*[ -/]*[@-~]|[{P.BIDI_OVERRIDES}]")


def _strip_markup(text: str) -> str:
    """Scripts, styles, comments and tags; again while removing one reveals another
    ("<<b>script>"). Each round that changes something shortens the text."""
    while True:
        before = text
        text = P.SCRIPT_BLOCK.sub(" ", text)
        text = _CLOSED_CODE.sub(" ", _OPEN_CODE.sub(" ", text))
        text = P.HTML_TAG.sub(" ", _MARKUP.sub(" ", text))
        if text == before:
            return text


def clean_question(text: str) -> str:
    """`clean_text` on one line, without an SEO prefix. Repeated until nothing changes:
    joining the lines can reveal mojibake ("Â\r0" becomes "Â 0", a broken no-break space)."""
    for _ in range(3):
        cleaned = strip_seo_prefix(re.sub(r"\s+", " ", clean_text(text)).strip())
        if cleaned == text:
            break
        text = cleaned
    return cleaned


def _unglue_snippet(line: str) -> str:
    # Cheap necessary conditions first: the opening repeats within 60 characters, or a
    # starter word begins within 41.
    repeat = line.find(line[:3], 3, 63) >= 0 and _GLUED_REPEAT.match(line)
    m = repeat or (_STARTER_INITIAL.search(line, 4, 42) and _GLUED_STARTER.match(line))
    return f"{m.group(1).rstrip()}\n{line[m.end(1) :].lstrip()}" if m else line


def _cut_tail(line: str, pattern: re.Pattern) -> tuple[str, bool]:
    """Remove `pattern` at the end of `line`, looking only at its last characters (searching a
    whole long line for an end-anchored pattern is quadratic)."""
    end = line[-TAIL_CHARS:]
    m = pattern.search(end)
    if not m:
        return line, False
    return line[: len(line) - len(end) + m.start()].rstrip(), True


def _cut_date(line: str) -> str:
    """`line` without a trailing date (`P.TRAILING_DATE`), found fast: where the date itself
    starts (`_DATE_AT_END`, a search that skips to the months' capitals) bounds where a match
    can start: only the spaces and bullets of its prefix come before. The same cut as a search
    of the whole pattern over the tail (`_cut_tail`), about ten times faster."""
    end = line[-TAIL_CHARS:]
    date = _DATE_AT_END.search(end)
    if not date:
        return line
    start = date.start()
    while start and (end[start - 1].isspace() or end[start - 1] in "•·"):
        start -= 1
    m = P.TRAILING_DATE.search(end, start)
    return line[: len(line) - len(end) + m.start()].rstrip() if m else line


_DATE_AT_END = re.compile(rf"{P.DATE}\s*$")


def clean_answer(text: str) -> tuple[str, bool]:
    """A cleaned answer and whether it was cut off in the source."""
    truncated = False
    out = []
    for i, line in enumerate(clean_text(text).split("\n")):
        if line[:3] in _MONTH_STARTS:
            line = P.LEADING_DATE.sub("", line)
        if line[-1:].isdigit():
            line = _cut_date(line)
        if "more" in line[-TAIL_CHARS:].lower():
            line, cut = _cut_tail(line, P.TRUNCATION_TAIL)
            truncated = truncated or cut
            if line[-1:].isdigit():
                line = _cut_date(line)
        if "/" in line:
            line = P.PANEL_LABEL.sub("\n", line).strip()
        if i == 0:
            line = _unglue_snippet(line)
        out.append(line)
    answer = "\n".join(out).strip()
    if "\n\n\n" in answer:
        answer = _BLANKS.sub("\n\n", answer)
    if P.ELLIPSIS_END.search(answer[-12:]):
        truncated = True
    if len(answer) > MAX_ANSWER_CHARS:
        answer, truncated = answer[:MAX_ANSWER_CHARS].rsplit(" ", 1)[0] + " …", True
    return answer, truncated


def clean_frame(occ: pd.DataFrame) -> pd.DataFrame:
    """Clean the question, answer and title columns of an occurrences frame.

    Adds `answer_truncated`. Answers that clean to nothing become null (unanswered). Each
    distinct value is cleaned once (scraped text repeats a lot), as Arrow strings: no Python
    object per row. The three columns come back as pandas Categoricals, each distinct text
    held once (a million occurrences repeat a few thousand questions).
    """
    out = occ.copy(deep=False)  # columns are replaced, never changed in place
    for column in ("question", "title"):
        uniques, codes = _distinct(out[column])
        out[column] = _categorical(pa.chunked_array(_map(_clean_questions, uniques), _TEXT), codes)
    answer, truncated = _answer_column(out["answer"])
    cut = out["answer_cut"].fillna(False).to_numpy(bool) if "answer_cut" in out else False
    out["answer"] = answer
    out["answer_truncated"] = truncated | (cut & answer.notna())
    return out


def _answer_column(answers: pd.Series) -> tuple[pd.Categorical, np.ndarray]:
    """Cleaned answers, row by row, and whether each was cut off."""
    uniques, codes = _distinct(answers)
    parts = _map(_clean_answers, uniques)
    changed = pa.array(np.concatenate([changing for changing, _, _ in parts]))
    cut = np.concatenate([cut for _, _, cut in parts])
    texts = pa.chunked_array([text for _, text, _ in parts], _TEXT).combine_chunks()
    cleaned = pc.replace_with_mask(uniques, changed, texts)
    # A big run's memory peaks here: let the raw and the changed answers go first.
    del uniques, parts, texts
    # A missing answer (code -1) takes the False appended at the end.
    truncated = np.append(cut, False)[codes]
    return _categorical(pa.chunked_array([cleaned], _TEXT), codes), truncated


def may_change(answers: pa.Array) -> np.ndarray:
    """Whether `clean_answer` could change each answer or find it cut off. One Arrow (RE2)
    pass, built from the rules' own patterns and pre-checks, and a look at the first
    characters for a glued snippet: a necessary condition (an answer it lets go is one line
    of printable ASCII that `clean_answer` returns as it is, not cut off)."""
    flagged = pc.match_substring_regex(answers, _MAY_CHANGE).to_numpy(zero_copy_only=False)
    flagged |= pc.greater(pc.utf8_length(answers), MAX_ANSWER_CHARS).to_numpy(zero_copy_only=False)
    heads = pc.utf8_slice_codeunits(answers, 0, _REPEAT_WITHIN).to_pylist()
    flagged |= np.fromiter((h.find(h[:3], 3) >= 0 for h in heads), bool, len(heads))
    return flagged


_REPEAT_WITHIN = 63  # `_unglue_snippet` looks for a repeated opening this far
_MAY_CHANGE = "|".join(
    [
        r"[^\x20-\x7e]",  # non-ASCII, controls, tabs, line breaks: `clean_text`'s repairs
        "&|<",  # entities, markup
        "  |^ | $|^$",  # spacing; an empty answer
        f"^(?:{'|'.join(sorted(_MONTH_STARTS))})",  # a leading date
        "[0-9]$",  # a trailing date
        "(?i:more)",  # a truncation tail
        "/",  # a panel label
        P.ELLIPSIS_END.pattern,
        rf"^[^.?!:;,\n]{{3,40}}[a-z0-9%)]{_STARTERS}",  # a glued snippet: `_GLUED_STARTER`
    ]
)


def _distinct(values: pd.Series) -> tuple[pa.Array, np.ndarray]:
    """The distinct values of a text column, and the position of each row's value among them
    (-1 for a missing value)."""
    codes, uniques = memory.factorize(values)
    if not len(uniques):  # e.g. the float column of an empty frame
        return pa.array([], _TEXT), codes
    text = pa.array(uniques, type=_TEXT, from_pandas=True)
    return (text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text), codes


def _categorical(cleaned: pa.ChunkedArray, codes: np.ndarray) -> pd.Categorical:
    """The rows' values `cleaned[codes]` as a pandas Categorical: each distinct text is held
    once, however many rows repeat it (cleaning can make two values equal: they become one
    category; a value cleaned to nothing, and code -1, are missing)."""
    remap, categories = memory.factorize(cleaned.to_pandas())
    # Code -1 takes the -1 appended at the end.
    return pd.Categorical.from_codes(np.append(remap, -1)[codes], categories=categories)


def _clean_questions(values: pa.Array) -> pa.Array:
    """`clean_question` over distinct questions or titles."""
    return pa.array([clean_question(v) for v in values.to_pylist()], _TEXT)


def _clean_answers(values: pa.Array) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """`clean_answer` over distinct answers: which answers it may change (`may_change`: only
    those go through the rules), their cleaned text (null when nothing is left), and whether
    each answer was cut off. The answers kept as they are do not come back."""
    changing = may_change(values)
    cleaned = [clean_answer(v) for v in values.filter(changing).to_pylist()]
    texts = pa.array([text or None for text, _ in cleaned], _TEXT)
    cut = np.zeros(len(values), dtype=bool)
    cut[changing] = [bool(text) and truncated for text, truncated in cleaned]
    return changing, texts, cut


def _map(fn, values: pa.Array) -> list:
    """`fn` over slices of `values`, on both cores when there are many."""
    size = max(MIN_CHUNK, -(-len(values) // (CHUNKS_PER_CORE * (os.cpu_count() or 1))))
    return map_slices(fn, values, size, len(values) >= PARALLEL_MIN_VALUES)
