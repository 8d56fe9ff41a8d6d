"""The stored audio's redacted copy: personal data replaced by silence or a tone, on every channel.

A submitted recording is stored at its content address (``<storage>/ab/abcd…/audio.<type>``, see
``voxsight.jobs``). Once its analysis knows when each entity was said (``Segment.redactions``:
its words' times, or the segment's), the worker writes ``redacted.flac`` beside it from the
decoded audio, with a margin around each range since word times are a recogniser's estimate.
Every door plays that copy; the original is deleted once the copy exists, unless the policy keeps
it (``redaction.keep_original_audio``) for an admin's audited listening.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np

from voxsight.audio import SAMPLE_RATE, write_flac
from voxsight.config import RedactionConfig
from voxsight.results import Segment

COPY_NAME = "redacted.flac"
TONE_HZ = 1000.0
TONE_LEVEL = 0.1  # -20 dBFS: plainly a bleep, never louder than speech


def copy_of(original: str | Path) -> Path:
    """Where the redacted copy of a stored recording lies."""
    return Path(original).with_name(COPY_NAME)


def ranges(segments: Sequence[Segment], margin_s: float, duration_s: float) -> list[tuple[float, float]]:
    """Every entity's time range widened by ``margin_s``, within the recording, overlaps merged."""
    spans = sorted((max(0.0, r.start_s - margin_s), min(duration_s, r.end_s + margin_s))
                   for s in segments for r in s.redactions)
    merged: list[tuple[float, float]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        elif end > start:
            merged.append((start, end))
    return merged


def masked(samples: np.ndarray, spans: Sequence[tuple[float, float]], fill: str = "silence") -> np.ndarray:
    """(channels, frames) samples at 16 kHz with every span replaced on every channel (crosstalk
    carries one side's words into the other)."""
    out = samples.copy()
    for start, end in spans:
        a, b = round(start * SAMPLE_RATE), round(end * SAMPLE_RATE)
        out[:, a:b] = 0.0 if fill == "silence" else (
            TONE_LEVEL * np.sin(2 * np.pi * TONE_HZ * np.arange(a, b) / SAMPLE_RATE)).astype(out.dtype)
    return out


def write(samples: np.ndarray, segments: Sequence[Segment], policy: RedactionConfig, original: str | Path) -> Path:
    """Write the redacted copy of ``original`` from its decoded samples; it appears whole or not at all."""
    target = copy_of(original)
    spans = ranges(segments, policy.audio_margin_s, samples.shape[1] / SAMPLE_RATE)
    partial = target.with_name(f".{COPY_NAME}.{os.getpid()}.partial")
    try:
        write_flac(masked(samples, spans, policy.audio), partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def original_of(stored: str | Path) -> Path | None:
    """The original audio a job stored, while it is still there (a job whose original went may name
    its redacted copy: re-uploads after the original's deletion are placed as such)."""
    path = Path(stored)
    return path if path.name != COPY_NAME and path.is_file() else None


def settle(original: str | Path, policy: RedactionConfig) -> bool:
    """Delete the original once its redacted copy exists, unless the policy keeps it; whether it went."""
    kept = not policy.entities or policy.keep_original_audio
    if kept or (path := original_of(original)) is None or not copy_of(path).is_file():
        return False
    path.unlink(missing_ok=True)
    return True


def playable(original: str | Path, policy: RedactionConfig) -> Path | None:
    """What the doors play of a stored recording: its redacted copy; the original only where nothing
    is redacted. None while there is nothing to play (the copy not written yet, or storage gone)."""
    path = copy_of(original) if policy.entities else Path(original)
    return path if path.is_file() else None


def readable(original: str | Path) -> Path | None:
    """What an analysis reads: the original, or the redacted copy once the original is gone."""
    for path in (Path(original), copy_of(original)):
        if path.is_file():
            return path
    return None
