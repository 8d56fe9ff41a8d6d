"""Analyze a recording end to end: hash, decode, VAD, SenseVoice, tags, store.

The same bytes analyzed with the same model and parameters are not analyzed twice: the stored
result is returned before the audio is even decoded, and the models are loaded only when a
recording actually needs them.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from voxsight import audio, models, tags
from voxsight.config import Config
from voxsight.engine import Engine
from voxsight.results import AnalysisResult, RecordingInfo, Segment
from voxsight.store import Store

# Called with (seconds of audio analyzed so far, seconds in the recording).
ProgressCallback = Callable[[float, float], None]


class AnalysisError(RuntimeError):
    """Analyzing a recording failed after it was decoded; the failure is stored with its reason."""


class Analyzer:
    def __init__(self, config: Config, store: Store | None = None, engine: Engine | None = None):
        self.config = config
        self.store = store
        self._engine = engine

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = Engine(self.config.engine, self.config.models)
        return self._engine

    def parameters(self) -> dict[str, Any]:
        """Everything besides the model and the audio that changes the result."""
        e, a = self.config.engine, self.config.audio
        return {
            "channels": a.channels, "roles": list(a.roles) if a.channels == "split" else [],
            "language": e.language, "use_itn": e.use_itn, "ban_emo_unk": e.ban_emo_unk,
            "word_timestamps": e.word_timestamps, "max_segment_s": e.max_segment_s,
            "vad_end_silence_ms": e.vad_end_silence_ms,
        }

    def analyze_file(self, path: str | Path, call_metadata: dict | None = None,
                     progress: ProgressCallback | None = None) -> AnalysisResult:
        """Analyze one file, or return its stored analysis.

        Raises:
            audio.AudioError: the file is not usable audio (nothing is stored).
            AnalysisError: the models failed on it (the failure is stored).
        """
        path = Path(path)
        started = time.perf_counter()
        sha256, size_bytes = _hash_file(path)
        parameters = self.parameters()
        parameters_key = hashlib.sha256(json.dumps(parameters, sort_keys=True).encode()).hexdigest()
        manifest = self._engine.model if self._engine else models.check_directory(self.config.models.sensevoice_dir)
        if self.store and (stored := self.store.find(sha256, manifest.model_id, parameters_key)):
            return stored

        decoded = audio.decode(path, self.config.audio.max_bytes, self.config.audio.max_duration_s)
        timings = {"decode_s": time.perf_counter() - started, "vad_s": 0.0, "asr_s": 0.0}
        result = AnalysisResult(
            recording=RecordingInfo(sha256=sha256, filename=path.name, format=decoded.format,
                                    duration_s=round(decoded.duration_s, 3),
                                    sample_rate=decoded.source_sample_rate, channels=decoded.channels),
            model_id=manifest.model_id, synthetic=manifest.synthetic, parameters=parameters, segments=(),
        )
        try:
            segments = self._segments(decoded, timings, progress)
        except Exception as exc:
            if self.store:
                self.store.save_failure(result, parameters_key, size_bytes, f"{type(exc).__name__}: {exc}")
            raise AnalysisError(f"{path.name}: analysis failed: {exc}") from exc

        result = replace(result, segments=tuple(segments), timings_s=_rounded(timings))
        if self.store:
            before = time.perf_counter()
            result = self.store.save(result, parameters_key, size_bytes, call_metadata)
            timings["store_s"] = time.perf_counter() - before
            result = replace(result, timings_s=_rounded(timings))
        return result

    def _segments(self, decoded: audio.Audio, timings: dict[str, float],
                  progress: ProgressCallback | None) -> list[Segment]:
        mode, roles = self.config.audio.channels, self.config.audio.roles
        signals = audio.channel_signals(decoded, mode)
        split = len(signals) > 1
        total_s = decoded.duration_s * len(signals)
        segments: list[Segment] = []
        for channel, signal in enumerate(signals):
            before = time.perf_counter()
            spans = self.engine.speech_segments(signal)
            timings["vad_s"] += time.perf_counter() - before
            before = time.perf_counter()
            for utterance in self.engine.transcribe(signal, spans):
                parsed = tags.parse(utterance.raw)
                segments.append(Segment(
                    start_s=round(utterance.start_s, 3), end_s=round(utterance.end_s, 3),
                    channel=channel if split else None,
                    role=(roles[channel] if channel < len(roles) else f"channel{channel}") if split else None,
                    language=parsed.language, emotion=parsed.emotion, events=parsed.events,
                    text=parsed.text, raw=parsed.raw, words=utterance.words,
                ))
                if progress:
                    progress(channel * decoded.duration_s + utterance.end_s, total_s)
            timings["asr_s"] += time.perf_counter() - before
        segments.sort(key=lambda s: (s.start_s, s.channel or 0))
        return segments


def _hash_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    try:
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
                size += len(block)
    except OSError as exc:
        raise audio.AudioError(f"{path.name}: cannot read the file ({exc.strerror})") from exc
    return digest.hexdigest(), size


def _rounded(timings: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in timings.items()}
