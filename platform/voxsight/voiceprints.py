"""Agents' voiceprints, made with the CAM++ model diarization uses (``voxsight.speakers``).

A print is made from recordings of the agent alone (``from_recordings``: enrolment), or from the
agent channel of their stereo calls already stored (``from_calls``: their own voice, split from
the customer's by the recording). Either way the speech is cut into the windows diarization
embeds, so that a print and a call's voice are measured alike. A print made from less than
``MIN_SPEECH_S`` of speech is refused: it would not tell the agent from a caller.

Voiceprints are biometric data: only ``voxsight.operations.voiceprints`` (admins, audited) makes,
lists and erases them; the analyzer reads the one of a call's agent and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from voxsight import audio, redacted_audio, speakers
from voxsight.config import AudioConfig
from voxsight.errors import VoiceprintError
from voxsight.store.voiceprints import AgentChannel

MIN_SPEECH_S = 8.0


@dataclass(frozen=True)
class Made:
    embedding: np.ndarray
    speech_s: float
    made_from: int


def from_recordings(model: speakers.SpeakerModel, speech_segments: Callable[[np.ndarray], list[tuple[float, float]]],
                    paths: Sequence[Path], limits: AudioConfig) -> Made:
    """A print from recordings of one agent speaking alone: the channels mixed, the pauses left out
    by ``speech_segments`` (``Engine.speech_segments``, FSMN-VAD)."""
    pieces: list[np.ndarray] = []
    for path in paths:
        decoded = _decoded(path, limits)
        [signal] = audio.channel_signals(decoded, "mix")
        pieces += _pieces(signal, speech_segments(signal))
    return _made(model, pieces, len(paths), "in the recordings given")


def from_calls(model: speakers.SpeakerModel, calls: Sequence[AgentChannel], limits: AudioConfig) -> Made:
    """A print from the agent's channel of stored stereo calls, over the segments their analyses gave the agent."""
    pieces: list[np.ndarray] = []
    used = 0
    for call in calls:
        path = redacted_audio.readable(call.audio_path)
        if path is None:
            continue  # its audio is gone (retention, erasure): the other calls still tell
        signals = audio.channel_signals(_decoded(path, limits), "split")
        if call.channel < len(signals):
            pieces += _pieces(signals[call.channel], call.turns)
            used += 1
    return _made(model, pieces, used, "on the agent's channel of their stored stereo calls")


def _decoded(path: Path, limits: AudioConfig) -> audio.Audio:
    return audio.decode(path, limits.max_bytes, limits.max_duration_s, name=Path(path).name,
                        timeout_s=limits.decode_timeout_s, memory_mb=limits.decode_memory_mb)


def _pieces(signal: np.ndarray, spans: Sequence[tuple[float, float]]) -> list[np.ndarray]:
    rate = speakers.SAMPLE_RATE
    return [signal[int(a * rate):int(b * rate)] for start, end in spans if end - start >= speakers.SHORTEST_S
            for a, b in speakers.windows(start, end)]


def _made(model: speakers.SpeakerModel, pieces: list[np.ndarray], made_from: int, where: str) -> Made:
    speech_s = sum(len(p) for p in pieces) / speakers.SAMPLE_RATE
    if speech_s < MIN_SPEECH_S:
        raise VoiceprintError(f"{speech_s:.1f} s of speech {where}: a voiceprint needs at least {MIN_SPEECH_S:.0f} s")
    return Made(speakers.voiceprint(model.embed(pieces)), speech_s, made_from)
