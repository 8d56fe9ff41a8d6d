"""Word and character error rates against a reference transcript, with one documented normaliser.

Used by the accuracy harness (``bench/accuracy.py``) and by the tests that hold the words engines to
a bound. The normaliser, applied to reference and hypothesis alike:

1. Unicode NFKC (full-width forms become ASCII), then case-folding.
2. Chinese only (``zh``, ``yue``): traditional characters folded to simplified, as matching folds
   them (``voxsight.script.fold``): a reference and a transcript in different scripts agree.
3. Every punctuation or symbol character becomes a space.
4. Space-delimited languages are split into words (WER); Chinese, Japanese and Cantonese are
   compared character by character with spaces removed (CER). Korean is written with spaces but
   its CER is the usual figure: characters, spaces removed.

Numbers are not verbalised: "50" against "fifty" counts as an error. Rates can exceed 1.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from voxsight.script import fold

CHARACTER_LANGUAGES = ("zh", "yue", "ja", "ko")  # scored by CER
CHINESE = ("zh", "yue")


@dataclass(frozen=True)
class ErrorCount:
    """Edits (substitutions + deletions + insertions) against the reference's length, summable."""

    errors: int
    reference_length: int

    @property
    def rate(self) -> float:
        return self.errors / self.reference_length if self.reference_length else float(self.errors > 0)

    def __add__(self, other: "ErrorCount") -> "ErrorCount":
        return ErrorCount(self.errors + other.errors, self.reference_length + other.reference_length)


def metric(language: str) -> str:
    return "CER" if language in CHARACTER_LANGUAGES else "WER"


def tokens(text: str, language: str) -> list[str]:
    """The normalised units a rate counts: words, or characters for CJK languages."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if language in CHINESE:
        text = fold(text)
    text = "".join(" " if unicodedata.category(c)[0] in "PS" else c for c in text)
    if language in CHARACTER_LANGUAGES:
        return [c for c in text if not c.isspace()]
    return text.split()


def errors(reference: str, hypothesis: str, language: str) -> ErrorCount:
    """Edit distance between the normalised texts, in words (WER) or characters (CER)."""
    ref, hyp = tokens(reference, language), tokens(hypothesis, language)
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return ErrorCount(previous[-1], len(ref))
