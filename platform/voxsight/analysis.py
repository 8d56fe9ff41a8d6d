"""Analyze recordings end to end: hash, decode, VAD, SenseVoice, tags, store.

The same bytes analyzed with the same model and parameters are not analyzed twice: the stored
result is returned before the audio is even decoded, and the models are loaded only when a
recording actually needs them. Several recordings analyzed together share SenseVoice batches.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from voxsight import audio, models, tags
from voxsight.alerts import Alerting
from voxsight.config import Config
from voxsight.engine import Engine, ModelInfo, Span
from voxsight.results import AnalysisResult, RecordingInfo, Segment
from voxsight.store import Store

# Called with (segments decoded so far, segments in the recording).
ProgressCallback = Callable[[int, int], None]


class AnalysisError(RuntimeError):
    """Analyzing a recording failed after it was decoded; the failure is stored with its reason."""


@dataclass
class Request:
    path: Path
    call_metadata: dict | None = None
    progress: ProgressCallback | None = None
    sha256: str | None = None  # known already (content-addressed storage): the file is not hashed again


@dataclass
class _Work:
    """A decoded recording on its way through the models."""

    request: Request
    result: AnalysisResult  # recording and model filled in; segments come last
    size_bytes: int
    decoded: audio.Audio
    timings: dict[str, float]
    spans: list[Span] = field(default_factory=list)
    span_channels: list[int] = field(default_factory=list)
    utterances: dict[int, Any] = field(default_factory=dict)
    failure: AnalysisError | None = None


class Analyzer:
    def __init__(self, config: Config, store: Store | None = None, engine: Engine | None = None):
        self.config = config
        self.store = store
        self.alerting = Alerting(config.alerts, store) if store else None
        self._engine = engine
        self._manifest: models.Manifest | None = None
        self.parameters = _parameters(config)
        # sha256 of the canonical parameters: with the audio and the model, the key of a result.
        self.parameters_key = hashlib.sha256(json.dumps(self.parameters, sort_keys=True).encode()).hexdigest()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = Engine(self.config.engine, self.config.models)
        return self._engine

    @property
    def model(self) -> ModelInfo | models.Manifest:
        """Which model results come from (``model_id``, ``synthetic``), without loading it."""
        if self._engine is not None:
            return self._engine.model
        if self._manifest is None:
            self._manifest = models.check_directory(self.config.models.sensevoice_dir)
        return self._manifest

    def analyze_file(self, path: str | Path, call_metadata: dict | None = None,
                     progress: ProgressCallback | None = None) -> AnalysisResult:
        """Analyze one file, or return its stored analysis.

        Raises:
            audio.AudioError: the file is not usable audio (nothing is stored).
            AnalysisError: the models failed on it (the failure is stored).
        """
        [outcome] = self.analyze_many([Request(Path(path), call_metadata, progress)])
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def analyze_many(self, requests: Sequence[Request]) -> list[AnalysisResult | Exception]:
        """Analyze several recordings together, their segments packed into shared batches.

        Returns one outcome per request: its result, or the ``audio.AudioError`` /
        ``AnalysisError`` that stopped it. One recording's failure does not affect the others.
        """
        outcomes: list[AnalysisResult | Exception | None] = [None] * len(requests)
        work: list[tuple[int, _Work]] = []
        for i, request in enumerate(requests):
            try:
                prepared = self._prepare(request)
            except (audio.AudioError, AnalysisError) as exc:
                outcomes[i] = exc
                continue
            if isinstance(prepared, AnalysisResult):
                outcomes[i] = prepared
            else:
                work.append((i, prepared))

        self._transcribe([w for _, w in work])
        for i, w in work:
            try:
                outcomes[i] = w.failure or self._finish(w)
            except Exception as exc:  # the store refused it: this recording fails, the others are kept
                outcomes[i] = AnalysisError(f"{w.request.path.name}: storing the analysis failed: {exc}")
                outcomes[i].__cause__ = exc
        return outcomes

    def _prepare(self, request: Request) -> AnalysisResult | _Work:
        """The stored result, or the recording decoded and cut into speech spans."""
        started = time.perf_counter()
        if request.sha256:
            sha256, size_bytes = request.sha256, _size(request.path)
        else:
            sha256, size_bytes = audio.hash_file(request.path)
        manifest = self.model
        if self.store and (stored := self.store.find(sha256, manifest.model_id, self.parameters_key)):
            return stored

        decoded = audio.decode(request.path, self.config.audio.max_bytes, self.config.audio.max_duration_s)
        w = _Work(
            request=request, size_bytes=size_bytes, decoded=decoded,
            timings={"decode_s": time.perf_counter() - started, "vad_s": 0.0, "asr_s": 0.0},
            result=AnalysisResult(
                recording=RecordingInfo(sha256=sha256, filename=request.path.name, format=decoded.format,
                                        duration_s=round(decoded.duration_s, 3),
                                        sample_rate=decoded.source_sample_rate, channels=decoded.channels),
                model_id=manifest.model_id, synthetic=manifest.synthetic, parameters=self.parameters,
                segments=(),
            ),
        )
        try:
            engine = self.engine  # loaded on first need, not timed as VAD
            before = time.perf_counter()
            for channel, signal in enumerate(audio.channel_signals(decoded, self.config.audio.channels)):
                for start_s, end_s in engine.speech_segments(signal):
                    w.spans.append(Span(signal, start_s, end_s))
                    w.span_channels.append(channel)
            w.timings["vad_s"] = time.perf_counter() - before
        except Exception as exc:
            raise self._failed(w, exc) from exc
        return w

    def _transcribe(self, work: list[_Work]) -> None:
        """Decode every span of every recording in shared batches; on failure, all of them fail."""
        owners = [(w, j) for w in work for j in range(len(w.spans))]
        batches = self.engine.transcribe_batches([w.spans[j] for w, j in owners])
        try:
            while True:
                before = time.perf_counter()
                batch = next(batches, None)
                elapsed = time.perf_counter() - before
                if batch is None:
                    return
                speech_s = {}  # per recording in this batch: its share of the batch's wall time
                for k, utterance in batch:
                    w, j = owners[k]
                    w.utterances[j] = utterance
                    speech_s[id(w)] = speech_s.get(id(w), 0.0) + utterance.end_s - utterance.start_s
                for w in work:
                    if id(w) in speech_s:
                        w.timings["asr_s"] += elapsed * speech_s[id(w)] / (sum(speech_s.values()) or 1)
                        if w.request.progress:
                            w.request.progress(len(w.utterances), len(w.spans))
        except Exception as exc:
            for w in work:
                w.failure = self._failed(w, exc)

    def _finish(self, w: _Work) -> AnalysisResult:
        mode, roles = self.config.audio.channels, self.config.audio.roles
        split = mode == "split" and w.decoded.channels > 1
        segments = []
        for j, utterance in sorted(w.utterances.items()):
            channel = w.span_channels[j]
            parsed = tags.parse(utterance.raw)
            segments.append(Segment(
                start_s=round(utterance.start_s, 3), end_s=round(utterance.end_s, 3),
                channel=channel if split else None,
                role=(roles[channel] if channel < len(roles) else f"channel{channel}") if split else None,
                language=parsed.language, emotion=parsed.emotion, events=parsed.events,
                text=parsed.text, raw=parsed.raw, words=utterance.words,
            ))
        segments.sort(key=lambda s: (s.start_s, s.channel or 0))
        result = replace(w.result, segments=tuple(segments), timings_s=_rounded(w.timings))
        if self.store:
            before = time.perf_counter()
            result = self.store.save(result, self.parameters_key, w.size_bytes, w.request.call_metadata)
            w.timings["store_s"] = time.perf_counter() - before
            result = replace(result, timings_s=_rounded(w.timings))
            if not result.reused:
                self.alerting.after_analysis(result)
        return result

    def _failed(self, w: _Work, exc: Exception) -> AnalysisError:
        if self.store:
            self.store.save_failure(w.result, self.parameters_key, w.size_bytes, f"{type(exc).__name__}: {exc}")
        error = AnalysisError(f"{w.request.path.name}: analysis failed: {exc}")
        error.__cause__ = exc
        return error


def _parameters(config: Config) -> dict[str, Any]:
    """Everything besides the model and the audio that changes the result."""
    e, a = config.engine, config.audio
    return {
        "channels": a.channels, "roles": list(a.roles) if a.channels == "split" else [],
        "language": e.language, "use_itn": e.use_itn, "ban_emo_unk": e.ban_emo_unk,
        "word_timestamps": e.word_timestamps, "max_segment_s": e.max_segment_s,
        "vad_end_silence_ms": e.vad_end_silence_ms,
    }


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise audio.AudioError(f"{path.name}: cannot read the file ({exc.strerror})") from exc


def _rounded(timings: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in timings.items()}
