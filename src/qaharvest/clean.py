"""Cleaning: repair and tidy question, answer and title text; flag truncated answers.

Idempotent: cleaning cleaned text changes nothing.
"""

from __future__ import annotations

import html
import re
import unicodedata

import ftfy
import pandas as pd

from qaharvest import patterns as P
from qaharvest.segment import strip_seo_prefix

MAX_ANSWER_CHARS = 20_000
# A featured snippet glues its short answer to the paragraph: "NigerNiger, in Western Africa…".
_GLUED_REPEAT = re.compile(r"^([^\W\d_].{2,59}?)(?=\1)")
_GLUED_STARTER = re.compile(
    r"^([^.?!:;,\n]{2,40}?[a-z0-9%)])(?=(?:The|There|According|In|It|A|An|This|That|These|Those|"
    r"As|If|When|While|With|For|On|At|By|From|Most|Some|Many|Yes|No)\s)"
)


def clean_text(text: str) -> str:
    """Mojibake, HTML entities and tags, control characters, whitespace; lines kept.

    Repeated until nothing changes (a repair can reveal another), so it is idempotent."""
    for _ in range(3):
        cleaned = _clean_once(text)
        if cleaned == text:
            break
        text = cleaned
    return text


def _clean_once(text: str) -> str:
    text = P.CONTROL_CHARS.sub("", text.replace("\xa0", " ").replace("\t", " "))
    if not text.isascii() and ftfy.is_bad(text):  # the full repair is slow: only where needed
        text = ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False)
    else:
        text = unicodedata.normalize("NFC", text)
    for _ in range(2):  # double-escaped entities ("&amp;lt;") decode in two steps
        text = html.unescape(text)
    text = P.SCRIPT_BLOCK.sub(" ", text)
    text = P.HTML_TAG.sub(" ", text)
    text = P.CONTROL_CHARS.sub("", text.replace("\xa0", " ").replace("\t", " "))
    lines = (re.sub(r" {2,}", " ", ln).strip() for ln in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def clean_question(text: str) -> str:
    return strip_seo_prefix(re.sub(r"\s+", " ", clean_text(text)).strip())


def _unglue_snippet(line: str) -> str:
    m = _GLUED_REPEAT.match(line) or _GLUED_STARTER.match(line)
    return f"{m.group(1).rstrip()}\n{line[m.end(1) :].lstrip()}" if m else line


def clean_answer(text: str) -> tuple[str, bool]:
    """A cleaned answer and whether it was cut off in the source."""
    truncated = False
    out = []
    for i, line in enumerate(clean_text(text).split("\n")):
        line = P.LEADING_DATE.sub("", line)
        line = P.TRAILING_DATE.sub("", line)
        tail = P.TRUNCATION_TAIL.search(line)
        if tail:
            truncated = True
            line = line[: tail.start()].rstrip()
        line = P.TRAILING_DATE.sub("", line)
        if i == 0:
            line = _unglue_snippet(line)
        out.append(line)
    answer = "\n".join(out).strip()
    answer = re.sub(r"\n{3,}", "\n\n", answer)
    if P.ELLIPSIS_END.search(answer):
        truncated = True
    if len(answer) > MAX_ANSWER_CHARS:
        answer, truncated = answer[:MAX_ANSWER_CHARS].rsplit(" ", 1)[0] + " …", True
    return answer, truncated


def clean_frame(occ: pd.DataFrame) -> pd.DataFrame:
    """Clean the question, answer and title columns of an occurrences frame.

    Adds `answer_truncated`. Answers that clean to nothing become null (unanswered).
    """
    out = occ.copy()
    out["question"] = _map_unique(out["question"], clean_question)
    out["title"] = _map_unique(out["title"], clean_question)
    cleaned = _map_unique(out["answer"], clean_answer)
    out["answer"] = [c[0] or None if isinstance(c, tuple) else None for c in cleaned]
    cut = out["answer_cut"] if "answer_cut" in out else [False] * len(out)
    out["answer_truncated"] = [
        isinstance(c, tuple) and bool(c[0]) and (c[1] or bool(k))
        for c, k in zip(cleaned, cut, strict=True)
    ]
    return out


def _map_unique(values: pd.Series, fn) -> list:
    """Apply `fn` once per distinct string (scraped text repeats a lot); None stays None."""
    done: dict[str, object] = {}
    out = []
    for v in values:
        if not isinstance(v, str):
            out.append(None)
            continue
        if v not in done:
            done[v] = fn(v)
        out.append(done[v])
    return out
