"""Chinese in either script: written in the site's script when stored, matched in both.

Whisper writes Mandarin in traditional characters, SenseVoice mostly in simplified, an analyst in
Beijing types simplified and one in Hong Kong traditional. Two things follow, both from OpenCC's
tables (the ``opencc`` package, no table of our own):

- ``write``: a segment's words converted to the script the site chose for its language
  (``chinese_script`` in the configuration), before it is stored. Taiwan and mainland conversions
  also change vocabulary (軟體 / 软件); the others change characters only.
- ``fold``: every traditional character mapped to its simplified form, one character to one
  character, so that offsets survive. ``voxsight.text`` folds both sides of every match with it
  (search terms, queries, phrase rules, highlights), whatever script either was written in.

Characters both scripts share, Cantonese ones included (嘅, 咗, 啲), are left as they are.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from voxsight.results import Segment, Word

# The choices of ``chinese_script.<language>``, and the OpenCC conversion each one runs.
CONVERSIONS: dict[str, str | None] = {
    "as_recognised": None,
    "simplified": "t2s",
    "traditional": "s2t",
    "hongkong": "s2hk",  # traditional, Hong Kong's standard characters
    "taiwan": "s2twp",  # traditional, Taiwan's standard characters and vocabulary (软件 -> 軟體)
    "mainland": "tw2sp",  # simplified, with mainland vocabulary (軟體 -> 软件)
}

# Han code points: the unified ideographs and their extensions (compatibility ones NFKC unifies).
_HAN = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0x20000, 0x2FFFF))


@cache
def _converter(conversion: str):
    import opencc  # loaded on first use: most calls carry no Chinese

    return opencc.OpenCC(conversion)


def write(text: str, script: str) -> str:
    """``text`` in ``script`` (one of ``CONVERSIONS``)."""
    conversion = CONVERSIONS[script]
    return _converter(conversion).convert(text) if conversion and text else text


def write_segment(segment: Segment, scripts: dict[str, str]) -> Segment:
    """The segment's text, words and translation in the script chosen for its language
    (``scripts``: language -> choice); other languages as they are. SenseVoice's ``raw`` output
    stays as the model wrote it."""
    script = scripts.get(segment.language or "", "as_recognised")
    if CONVERSIONS[script] is None:
        return segment
    return replace(segment, text=write(segment.text, script), words=_write_words(segment.words, script),
                   translation=segment.translation and write(segment.translation, script))


def _write_words(words: tuple[Word, ...], script: str) -> tuple[Word, ...]:
    # Converted together, so that a phrase split over words is converted as a phrase; cut back at the
    # same offsets when the conversion kept the length (it nearly always does), else word by word.
    joined = "".join(w.text for w in words)
    converted = write(joined, script)
    if len(converted) != len(joined):
        return tuple(replace(w, text=write(w.text, script)) for w in words)
    out, at = [], 0
    for w in words:
        out.append(replace(w, text=converted[at:at + len(w.text)]))
        at += len(w.text)
    return tuple(out)


@cache
def _fold_table() -> dict[int, str]:
    # Each character converted on its own (a newline between them, so that no phrase spans two):
    # OpenCC's traditional -> simplified for single characters, 5,118 of them, each to one.
    characters = [chr(c) for low, high in _HAN for c in range(low, high + 1)]
    simplified = _converter("t2s").convert("\n".join(characters)).split("\n")
    return {ord(t): s for t, s in zip(characters, simplified) if s != t and len(s) == 1}


def fold(text: str) -> str:
    """``text`` with every traditional character in its simplified form, character for character."""
    return text.translate(_fold_table())
