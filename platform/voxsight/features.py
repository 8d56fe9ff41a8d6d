"""Call features: what a supervisor asks of a call, computed from its segments alone.

Pure: segments and the call's duration in, a typed ``CallFeatures`` out. No model, no audio, no
store, so features can be recomputed for every stored analysis (``voxsight rules backfill``) and
read the same way by rules, reports and the console. Every definition lives here, once:

- **role**: ``agent``/``customer`` (the segment's role when channels were split); ``all`` when the
  channels were mixed. Call-level figures always cover every segment.
- **speech seconds per emotion**: the summed length of the segments tagged with that emotion;
  segments without one (EMO_UNKNOWN) count as ``UNKNOWN``.
- **emotion timeline**: one ``(start, end, role, emotion)`` entry per segment, in time order.
- **dominant emotion**: the known emotion with the most seconds (None if none is known).
- **negative share**: seconds of ANGRY, SAD, FEARFUL or DISGUSTED speech over seconds of speech
  with a known emotion; 0 when no emotion is known.
- **escalation**: negative share in the last third of the call minus negative share in the first
  third (thirds of the call's duration; segments are clipped to each third; a third without
  emotional speech has share 0). From -1 (calmed down) to +1 (turned negative).
- **event counts**: segments carrying each audio event (a segment counts once per event);
  **event seconds**: their summed length (``BGM`` seconds are music on hold).
- **talk time**: seconds when at least one role speaks (the union of the segments);
  **non-talk time**: duration minus talk time.
- **longest silence**: the longest stretch with nobody speaking between two segments (the ring
  before the first word and the silence after the last are not counted), and where it starts.
- **overtalk**: seconds when two roles speak at once (split channels only; 0 when mixed).
- **interruption**: a segment of one role that starts while another role's segment is under way:
  ``by`` started speaking over ``over``. Split channels only.
- **talk speed**: words per minute over the role's segments that have words: timed words when the
  model gave them, otherwise words counted in the text (each Han or kana character is a word).
- **languages**: seconds of speech per detected language; the call's language is the one with most.
- **voices** (diarized calls only, else None): how many voices were told apart. A two-party call
  with 3 or more had someone else on it (a transfer, a conference, a supervisor).
- **agent voice distance** (diarized calls whose agent has an enrolled voiceprint, else None): the
  cosine distance between that print and the nearest voice on the call (0 the same, 1 unrelated).
  Above ``AGENT_VOICE_MATCH`` no voice is the agent's: someone else took the call under their name.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from voxsight.records import Record
from voxsight.results import Segment

NEGATIVE_EMOTIONS = frozenset({"ANGRY", "SAD", "FEARFUL", "DISGUSTED"})
ALL = "all"  # the role of every segment when channels were mixed
# bench/diarization.py, prints enrolled from clean 16 kHz recordings: the agent's voice on a call is
# 0.16-0.32 from their print at 16 kHz and 0.30-0.60 over an 8 kHz mu-law line; another speaker's
# 0.76-0.94. The match is set between the two.
AGENT_VOICE_MATCH = 0.68  # cosine distance within which a voice is the enrolled agent's

_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+(?:'[^\W_]+)?")


@dataclass(frozen=True)
class EmotionSpan:
    start_s: float
    end_s: float
    role: str
    emotion: str


@dataclass(frozen=True)
class Interruption:
    at_s: float
    by: str  # the role that started speaking
    over: str  # the role that was speaking


@dataclass(frozen=True)
class RoleFeatures:
    role: str
    talk_s: float
    speech_s_by_emotion: dict[str, float]
    dominant_emotion: str | None
    negative_share: float
    escalation: float
    event_counts: dict[str, int]
    event_s: dict[str, float]
    words: int
    words_per_minute: float | None
    languages: dict[str, float]


@dataclass(frozen=True)
class CallFeatures(Record):
    duration_s: float
    split: bool
    roles: dict[str, RoleFeatures]  # agent/customer when split, "all" when mixed
    call: RoleFeatures  # every segment together (role "all")
    timeline: tuple[EmotionSpan, ...]
    talk_s: float
    non_talk_s: float
    longest_silence_s: float
    longest_silence_at_s: float | None
    overtalk_s: float
    interruptions: tuple[Interruption, ...]
    voices: int | None = None
    agent_voice_distance: float | None = None

    @property
    def language(self) -> str | None:
        langs = self.call.languages
        return max(langs, key=langs.get) if langs else None

    def role(self, name: str | None) -> RoleFeatures | None:
        """One role's features; None or ``all`` is the whole call. None if the role never spoke."""
        if name in (None, ALL):
            return self.call
        return self.roles.get(name)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "CallFeatures":
        return cls(
            **{**data, "roles": {k: RoleFeatures(**v) for k, v in data["roles"].items()},
               "call": RoleFeatures(**data["call"]),
               "timeline": tuple(EmotionSpan(**e) for e in data["timeline"]),
               "interruptions": tuple(Interruption(**i) for i in data["interruptions"])})


def compute(segments: Sequence[Segment], duration_s: float) -> CallFeatures:
    """Features of one call.

    Args:
        segments: The analysis's segments, any order.
        duration_s: The recording's duration (segments may end a little past it; they are clipped).
    """
    segments = sorted(segments, key=lambda s: (s.start_s, s.end_s))
    split = any(s.role for s in segments)
    by_role: dict[str, list[Segment]] = defaultdict(list)
    for s in segments:
        by_role[_role(s)].append(s)
    talk = _union((s.start_s, min(s.end_s, duration_s)) for s in segments)
    silence_s, silence_at = 0.0, None
    for (_, end), (start, _) in zip(talk, talk[1:]):
        if start - end > silence_s:
            silence_s, silence_at = start - end, end
    talk_s = sum(e - s for s, e in talk)
    return CallFeatures(
        duration_s=round(duration_s, 3),
        split=split,
        roles={role: _role_features(role, segs, duration_s) for role, segs in sorted(by_role.items())},
        call=_role_features(ALL, segments, duration_s),
        timeline=tuple(EmotionSpan(s.start_s, s.end_s, _role(s), s.emotion) for s in segments if s.emotion),
        talk_s=round(talk_s, 3),
        non_talk_s=round(max(duration_s - talk_s, 0.0), 3),
        longest_silence_s=round(silence_s, 3),
        longest_silence_at_s=silence_at,
        overtalk_s=round(_overtalk(by_role) if split else 0.0, 3),
        interruptions=_interruptions(segments) if split else (),
        voices=len({s.speaker for s in segments}) if any(s.speaker is not None for s in segments) else None,
        agent_voice_distance=min((s.voice_distance for s in segments if s.voice_distance is not None), default=None),
    )


def _role(s: Segment) -> str:
    return s.role or ALL


def _role_features(role: str, segments: Sequence[Segment], duration_s: float) -> RoleFeatures:
    by_emotion: Counter[str] = Counter()
    events: Counter[str] = Counter()
    event_s: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    words, worded_s = 0, 0.0
    for s in segments:
        seconds = s.end_s - s.start_s
        by_emotion[s.emotion or "UNKNOWN"] += seconds
        for e in s.events:
            events[e] += 1
            event_s[e] += seconds
        if s.language:
            languages[s.language] += seconds
        n = len(s.words) or len(_WORD.findall(s.text))
        if n:
            words, worded_s = words + n, worded_s + seconds
    known = {e: t for e, t in by_emotion.items() if e != "UNKNOWN"}
    third = duration_s / 3
    return RoleFeatures(
        role=role,
        talk_s=round(sum(e - s for s, e in _union((s.start_s, s.end_s) for s in segments)), 3),
        speech_s_by_emotion=_rounded(by_emotion),
        dominant_emotion=max(known, key=known.get) if known else None,
        negative_share=round(_negative_share(segments, 0.0, float("inf")), 4),
        escalation=round(_negative_share(segments, 2 * third, duration_s)
                         - _negative_share(segments, 0.0, third), 4) if duration_s > 0 else 0.0,
        event_counts=dict(sorted(events.items())),
        event_s=_rounded(event_s),
        words=words,
        words_per_minute=round(words / worded_s * 60, 1) if worded_s > 0 else None,
        languages=_rounded(languages),
    )


def _negative_share(segments: Iterable[Segment], start: float, end: float) -> float:
    known = negative = 0.0
    for s in segments:
        seconds = min(s.end_s, end) - max(s.start_s, start)
        if s.emotion and seconds > 0:
            known += seconds
            negative += seconds if s.emotion in NEGATIVE_EMOTIONS else 0.0
    return negative / known if known else 0.0


def _union(intervals: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _overtalk(by_role: dict[str, list[Segment]]) -> float:
    """Seconds covered by two roles or more: sweep over every role's merged speech."""
    edges = []
    for segs in by_role.values():
        for start, end in _union((s.start_s, s.end_s) for s in segs):
            edges += [(start, 1), (end, -1)]
    edges.sort(key=lambda e: (e[0], e[1]))  # an end before a start at the same instant: touching is not overlap
    overlap, speaking, last = 0.0, 0, 0.0
    for at, step in edges:
        if speaking >= 2:
            overlap += at - last
        speaking, last = speaking + step, at
    return overlap


def _interruptions(segments: Sequence[Segment]) -> tuple[Interruption, ...]:
    found = []
    for s in segments:
        speaking = [o for o in segments
                    if o.role and o.role != s.role and o.start_s < s.start_s < o.end_s]
        if speaking:
            found.append(Interruption(at_s=s.start_s, by=s.role, over=speaking[0].role))
    return tuple(found)


def _rounded(counter: Counter[str]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in sorted(counter.items())}
