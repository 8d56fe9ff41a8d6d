"""Parse SenseVoice's inline tags into a typed record.

SenseVoiceSmall writes its language, emotion, audio-event and ITN decisions into the
transcript itself (``<|en|><|ANGRY|><|Speech|><|woitn|>i want to cancel``), once per
decoded block, so a merged segment can carry several tag blocks mid-text. FunASR's own
``rich_transcription_postprocess`` turns them into emoji inside the text; we keep them
as fields instead, so rules and the store never have to parse emoji back out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

EMOTIONS = ("HAPPY", "SAD", "ANGRY", "NEUTRAL", "FEARFUL", "DISGUSTED", "SURPRISED")
# Non-speech events we report; "Speech" and "Event_UNK" say nothing about the call.
EVENTS = ("BGM", "Applause", "Laughter", "Cry", "Sneeze", "Breath", "Cough", "Sing", "Speech_Noise", "GBG")
LANGUAGES = ("zh", "en", "yue", "ja", "ko")

EMOTION_EMOJI = {
    "HAPPY": "😊",
    "SAD": "😔",
    "ANGRY": "😠",
    "NEUTRAL": "😐",
    "FEARFUL": "😰",
    "DISGUSTED": "🤢",
    "SURPRISED": "😮",
}
EVENT_EMOJI = {
    "BGM": "🎵",
    "Applause": "👏",
    "Laughter": "😀",
    "Cry": "😭",
    "Sneeze": "🤧",
    "Breath": "😮‍💨",
    "Cough": "😷",
    "Sing": "🎤",
    "Speech_Noise": "🔊",
    "GBG": "🗑",
}

_OTHER_KNOWN = ("nospeech", "Speech", "Event_UNK", "EMO_UNKNOWN", "withitn", "woitn", "ASR", "AED", "SER")
_KNOWN = frozenset(
    EMOTIONS + EVENTS + LANGUAGES + _OTHER_KNOWN + tuple("/" + e for e in EVENTS + ("Speech", "Event_UNK"))
)

_TAG = re.compile(r"<\|([^<>|]*)\|>")
_TAG_RUN = re.compile(r"(?:<\|[^<>|]*\|>)+")
# Han, kana, CJK punctuation and fullwidth forms: scripts written without spaces.
_UNSPACED = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


@dataclass(frozen=True)
class RichTranscript:
    """One SenseVoice output with its tags lifted out of the text."""

    text: str  # words only, tags removed, whitespace collapsed
    language: str | None  # first of LANGUAGES seen; None for nospeech or no tag
    emotion: str | None  # one of EMOTIONS; None when only EMO_UNKNOWN or no emotion tag
    events: tuple[str, ...]  # distinct EVENTS, in order of first appearance
    itn: bool | None  # True for withitn, False for woitn, None when absent
    unknown_tags: tuple[str, ...]  # non-empty tags SenseVoice is not known to emit, distinct, in order
    raw: str  # the input, unchanged


def parse(raw: str) -> RichTranscript:
    """Split a raw SenseVoice transcript into words and tags.

    Args:
        raw: Model output, e.g. ``<|en|><|ANGRY|><|Speech|><|woitn|>i want to cancel``.
            Any string is accepted; text that is not a tag is kept as words.

    Returns:
        The parsed transcript; ``raw`` is kept unchanged on it.
    """
    tags = _TAG.findall(raw)
    return RichTranscript(
        text=" ".join(_TAG_RUN.sub(_tag_gap, raw).split()),
        language=next((t for t in tags if t in LANGUAGES), None),
        emotion=_pick_emotion(tags),
        events=tuple(dict.fromkeys(t for t in tags if t in EVENTS)),
        itn=next((t == "withitn" for t in tags if t in ("withitn", "woitn")), None),
        unknown_tags=tuple(dict.fromkeys(t for t in tags if t and t not in _KNOWN)),
        raw=raw,
    )


def _tag_gap(match: re.Match[str]) -> str:
    # funasr glues tag blocks together ("cancelthank you"); we keep a space between
    # words unless either side is Chinese or Japanese, where funasr's gluing is right.
    before = match.string[match.start() - 1 : match.start()]
    after = match.string[match.end() : match.end() + 1]
    return "" if _UNSPACED.match(before) or _UNSPACED.match(after) else " "


def _pick_emotion(tags: list[str]) -> str | None:
    counts = Counter(t for t in tags if t in EMOTIONS)
    # format_str_v2 lets NEUTRAL win ties inside one block, but funasr still shows every
    # block's non-neutral emoji, so NEUTRAL here only when nothing else was heard.
    others = Counter({e: n for e, n in counts.items() if e != "NEUTRAL"})
    if others:
        return others.most_common(1)[0][0]  # ties go to the first seen
    return "NEUTRAL" if counts else None
