"""The normalized question key and the stable id derived from it."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from qaharvest.segment import strip_seo_prefix

_QUOTES = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'", "“": '"', "”": '"', "„": '"'})
_NON_WORD = re.compile(r"[^\w']+|(?<!\w)'|'(?!\w)")


def normalize_question(text: str) -> str:
    """Unicode NFKC, SEO prefix removed, casefolded, quotes unified, punctuation dropped."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = strip_seo_prefix(text.strip()).casefold()
    text = text.replace("'s ", "s ").replace("n't", "nt").replace("'", "")
    return " ".join(_NON_WORD.sub(" ", text).split())


def question_id(norm: str) -> str:
    """Stable 16-hex id of a normalized question."""
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]
