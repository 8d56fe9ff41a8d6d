"""Which engine writes a segment's words: SenseVoice's own, or Whisper's.

SenseVoice's emotion and event tags are acoustic and hold for any language, so every segment keeps
them. Its words exist only for zh/en/yue/ja/ko, and mean something only when the real model is
imported; Whisper writes words in 99 languages. ``engine.words: auto`` takes SenseVoice's words where
they can be trusted and Whisper's everywhere else.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from voxsight.results import Segment
from voxsight.tags import LANGUAGES as SENSEVOICE_LANGUAGES

if TYPE_CHECKING:  # only a type here: deciding which engine writes words loads no model
    from voxsight.whisper import Transcript

SENSEVOICE, WHISPER = "sensevoice", "whisper"


def engine_for(mode: str, sensevoice_synthetic: bool, sensevoice_language: str | None) -> str:
    """The engine whose words a segment gets, given what SenseVoice made of it."""
    if mode != "auto":
        return mode
    if not sensevoice_synthetic and sensevoice_language in SENSEVOICE_LANGUAGES:
        return SENSEVOICE
    return WHISPER  # a synthetic model's language tag is as random as its words


def apply(segment: Segment, transcript: Transcript | None, engine: str) -> Segment:
    """The segment with its words from ``engine``; a translation is kept whichever engine wrote them."""
    translation = transcript.translation if transcript else None
    if engine == SENSEVOICE or transcript is None:
        return replace(segment, words_engine=SENSEVOICE, translation=translation)
    return replace(segment, language=transcript.language, text=transcript.text, words=transcript.words,
                   words_engine=WHISPER, translation=translation)
