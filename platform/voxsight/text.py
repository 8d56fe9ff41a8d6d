"""Text as matching sees it: one normalisation for search and phrase rules, in every script.

Transcripts differ from what an analyst types in width (ＡＢＣ, ｶﾀｶﾅ), case, punctuation and the
punctuation that ITN adds or leaves out ("cancel my account." / "Cancel my account"), and Chinese
in its script (投訴 / 投诉), so both sides are normalised the same way: NFKC, casefold, traditional
Chinese folded to simplified (``voxsight.script``), punctuation and symbols to spaces. Every step
maps a character to characters of its own, so a match is found again in the original text. Chinese
and Japanese are written without spaces: their runs of characters are matched as substrings, other
scripts as whole words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from voxsight.script import fold

# Han, kana and CJK punctuation: scripts written without spaces (Korean spaces its words).
UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")


def normalize(text: str) -> str:
    """NFKC, casefold, Chinese scripts folded, punctuation and symbols to spaces, whitespace collapsed."""
    return " ".join(_normalize_chars(text).split())


def _normalize_chars(text: str) -> str:
    return fold(_width_case_punctuation(text))


def _width_case_punctuation(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(" " if unicodedata.category(c)[0] in "PSZC" else c for c in text)


@dataclass(frozen=True)
class Run:
    """A stretch of normalised text: a word of a spaced script, or a run of unspaced characters."""

    text: str
    unspaced: bool


def runs(text: str) -> list[Run]:
    """The words and unspaced runs of ``text``, normalised, in order."""
    found: list[Run] = []
    for word in normalize(text).split():
        for piece in re.split(f"({UNSPACED.pattern}+)", word):
            if piece:
                found.append(Run(piece, bool(UNSPACED.match(piece))))
    return found


def find(text: str, query: str) -> list[tuple[int, int]]:
    """Where ``query`` occurs in ``text``, as (start, end) offsets into the original ``text``,
    matched the way search and rules match: normalised, CJK as substrings, words whole."""
    mapped, origin = [], []  # normalised characters, and the original index of each
    for i, ch in enumerate(text):
        for c in _width_case_punctuation(ch):
            mapped.append(c)
            origin.append(i)
    haystack = fold("".join(mapped))  # once for the whole text: it maps each character to one
    wanted = runs(query)
    if not wanted:
        return []
    parts = []
    for k, run in enumerate(wanted):
        if k:  # between runs: spaces, or nothing where an unspaced run meets anything
            parts.append(r"\s*" if run.unspaced or wanted[k - 1].unspaced else r"\s+")
        parts.append(r"\s*".join(map(re.escape, run.text)) if run.unspaced else re.escape(run.text))
    head = "" if wanted[0].unspaced else r"(?<!\w)"
    tail = "" if wanted[-1].unspaced else r"(?!\w)"
    spans = []
    for m in re.finditer(head + "".join(parts) + tail, haystack):
        if m.end() > m.start():
            spans.append((origin[m.start()], origin[m.end() - 1] + 1))
    return spans
