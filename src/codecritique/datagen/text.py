"""Text normalisation and shingling shared by dedup and decontamination.

:func:`normalize` makes the exact-match key: Unicode NFKC, lower case, every run of digits replaced by ``0`` (so a
copy renumbered from ``n <= 10^5`` to ``n <= 2*10^5`` or with other sample values still matches), every character
that is not a letter, digit or space dropped (Markdown, LaTeX ``$``/``\\``, punctuation), whitespace collapsed.
:func:`words` splits the normalised text; :func:`shingles` makes the word n-grams that MinHash and the n-gram
decontamination compare.
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _DIGITS.sub("0", text)
    text = _NON_WORD.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def words(text: str) -> list[str]:
    n = normalize(text)
    return n.split(" ") if n else []


def shingles(tokens: list[str], n: int) -> set[str]:
    """Word n-grams of ``tokens``; a text shorter than ``n`` words is one shingle of all of it."""
    if not tokens:
        return set()
    if len(tokens) < n:
        return {" ".join(tokens)}
    return {" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}
