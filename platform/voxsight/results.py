"""Typed records of an analysis, the summary derived from them, and their JSON form.

These cross every boundary: the analyzer makes them, the store keeps them, the CLI, the console and
the API render them. So this module imports nothing else of Voxsight: everything may import it.
The JSON schema is documented in the README.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

SYNTHETIC_WARNING = (
    "SYNTHETIC MODEL: this SenseVoiceSmall has random weights, so its text, language, emotions and "
    "events are MEANINGLESS. Import the real model with `voxsight models import DIR` (see README)."
)
SYNTHETIC_TAGS_WARNING = (
    "SYNTHETIC MODEL: this SenseVoiceSmall has random weights, so its emotions and events are MEANINGLESS. "
    "The words and languages come from Whisper (real weights). Import the real SenseVoiceSmall with "
    "`voxsight models import DIR` (see README)."
)


@dataclass(frozen=True)
class ModelInfo:
    """Which model a result comes from: a loaded one's, or its manifest's."""

    model_id: str
    synthetic: bool


@dataclass(frozen=True)
class RecordingInfo:
    sha256: str
    filename: str
    format: str
    duration_s: float
    sample_rate: int  # of the source, before resampling to 16 kHz
    channels: int
    id: int | None = None  # store id, once stored
    names: tuple[str, ...] = ()  # every name these bytes were seen under, once stored
    call_metadata: dict[str, Any] = field(default_factory=dict)  # agent, customer, queue, call time...


@dataclass(frozen=True)
class Word:
    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Redaction:
    """Personal data said in a segment and masked (``voxsight.redaction``): its kind and where in
    the recording it was said (its words' times; the segment's when no word tells)."""

    type: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Segment:
    start_s: float
    end_s: float
    channel: int | None  # None when channels were mixed
    role: str | None
    language: str | None
    emotion: str | None
    events: tuple[str, ...]
    text: str
    raw: str  # SenseVoice's output with its tags
    words: tuple[Word, ...] = ()
    words_engine: str | None = None  # which engine wrote text and words: sensevoice or whisper
    translation: str | None = None  # English rendering (Whisper), when asked for
    redactions: tuple[Redaction, ...] = ()  # what was masked in text, words, raw and translation
    speaker: int | None = None  # diarized: whose voice (0, 1… in the order they first speak)
    role_source: str | None = None  # diarized: how the role was told (voiceprint, greeting, first_speaker)
    voice_distance: float | None = None  # diarized, agent enrolled: this voice's cosine distance from the print


@dataclass(frozen=True)
class Summary:
    speech_s_by_emotion: dict[str, float]
    speech_s_by_role: dict[str, float]
    speech_s_by_role_emotion: dict[str, dict[str, float]]
    event_counts: dict[str, int]
    dominant_emotion: str | None


@dataclass(frozen=True)
class AnalysisResult:
    recording: RecordingInfo
    model_id: str
    synthetic: bool
    parameters: dict[str, Any]
    segments: tuple[Segment, ...]
    timings_s: dict[str, float] = field(default_factory=dict)
    reused: bool = False  # True when the store already held this exact analysis
    analysis_id: int | None = None
    words_model_id: str | None = None  # the Whisper model, when it may write words

    @property
    def warning(self) -> str | None:
        if not self.synthetic:
            return None
        whisper_words = self.segments and all(s.words_engine == "whisper" for s in self.segments)
        return SYNTHETIC_TAGS_WARNING if whisper_words else SYNTHETIC_WARNING

    @property
    def summary(self) -> Summary:
        return summarize(self.segments)

    def to_json(self) -> dict[str, Any]:
        recording = {**asdict(self.recording), "names": list(self.recording.names)}
        return {
            "recording": recording,
            "model": {"id": self.model_id, "synthetic": self.synthetic, "words_id": self.words_model_id,
                      **({"warning": self.warning} if self.synthetic else {})},
            "parameters": self.parameters,
            "analysis": {"id": self.analysis_id, "reused": self.reused, "timings_s": self.timings_s},
            "segments": [
                {**asdict(s), "events": list(s.events), "words": [asdict(w) for w in s.words],
                 "redactions": [asdict(r) for r in s.redactions]}
                for s in self.segments
            ],
            "summary": asdict(self.summary),
        }


def summarize(segments: tuple[Segment, ...] | list[Segment]) -> Summary:
    """Seconds of speech per emotion and role, event counts, and the dominant emotion.

    The dominant emotion is the one heard for the most seconds; segments without an emotion
    (EMO_UNKNOWN) count as UNKNOWN and never dominate.
    """
    by_emotion: Counter[str] = Counter()
    by_role: Counter[str] = Counter()
    by_role_emotion: dict[str, Counter[str]] = defaultdict(Counter)
    events: Counter[str] = Counter()
    for s in segments:
        seconds = s.end_s - s.start_s
        emotion, role = s.emotion or "UNKNOWN", s.role or "mixed"
        by_emotion[emotion] += seconds
        by_role[role] += seconds
        by_role_emotion[role][emotion] += seconds
        events.update(s.events)
    known = {e: t for e, t in by_emotion.items() if e != "UNKNOWN"}
    dominant = max(known, key=known.get) if known else None
    return Summary(
        speech_s_by_emotion=_rounded(by_emotion),
        speech_s_by_role=_rounded(by_role),
        speech_s_by_role_emotion={r: _rounded(c) for r, c in sorted(by_role_emotion.items())},
        event_counts=dict(sorted(events.items())),
        dominant_emotion=dominant,
    )


def _rounded(counter: Counter[str]) -> dict[str, float]:
    return {k: round(v, 2) for k, v in sorted(counter.items())}
