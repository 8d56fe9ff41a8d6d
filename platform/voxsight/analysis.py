"""Analyze recordings end to end: hash, decode, VAD, SenseVoice, tags, words (Whisper), store.

The same bytes analyzed with the same model and parameters are not analyzed twice: the stored
result is returned before the audio is even decoded, and the models are loaded only when a
recording actually needs them. Several recordings analyzed together share SenseVoice batches, and
then Whisper batches for the segments whose words Whisper writes (``voxsight.words``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from voxsight import audio, models, recipe, redacted_audio, redaction, rules, script, speakers, tags, words
from voxsight.alerts import Alerting
from voxsight.audio import Span
from voxsight.config import Config
from voxsight.engine import Engine
from voxsight.errors import AnalysisError
from voxsight.results import AnalysisResult, ModelInfo, RecordingInfo, Segment
from voxsight.store import Store
from voxsight.whisper import Transcript, Whisper

log = logging.getLogger(__name__)

# Called with (segments decoded so far, segments in the recording).
ProgressCallback = Callable[[int, int], None]


@dataclass
class Request:
    path: Path
    call_metadata: dict | None = None
    progress: ProgressCallback | None = None
    sha256: str | None = None  # known already (content-addressed storage): the file is not hashed again
    name: str | None = None  # the name the user knows it by (a stored copy has another); default: the path's
    stored: bool = False  # the path is Voxsight's stored copy: its redacted copy is written beside it

    @property
    def display_name(self) -> str:
        return self.name or self.path.name


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
    span_speakers: list[int] = field(default_factory=list)  # diarized: each span's voice
    voices: Any = None  # diarized: each voice's print (rows of an array, by speaker)
    utterances: dict[int, Any] = field(default_factory=dict)
    transcripts: dict[int, Transcript] = field(default_factory=dict)  # Whisper's, by span
    words_engines: dict[int, str] = field(default_factory=dict)  # by span
    failure: AnalysisError | None = None


class Analyzer:
    def __init__(self, config: Config, store: Store | None = None, engine: Engine | None = None,
                 whisper: Whisper | None = None):
        self.config = config
        self.store = store
        self.alerting = Alerting(config.alerts, store) if store else None
        self._engine = engine
        self._whisper = whisper
        self._speaker_model: speakers.SpeakerModel | None = None
        self._manifest: models.Manifest | None = None
        self._words_model_id: str | None = None
        self._parameters_key: str | None = None
        self.parameters = recipe.analysis_parameters(config)

    @property
    def parameters_key(self) -> str:
        """sha256 of the canonical parameters and the Whisper model: with the audio and the SenseVoice
        model, the key of a result (``voxsight.recipe``)."""
        if self._parameters_key is None:
            self._parameters_key = recipe.parameters_key(self.parameters, self.words_model_id)
        return self._parameters_key

    @property
    def words_model_id(self) -> str | None:
        """The Whisper model that may write words (the embedded one is reassembled on first need)."""
        if self._words_model_id is None:
            loaded = self._whisper.model if self._whisper is not None else None
            self._words_model_id = recipe.words_model_id(self.config, loaded, unpack=True)
        return self._words_model_id

    def load(self) -> None:
        """Load every model this configuration may use now (a worker does, before taking any job)."""
        self.engine
        if recipe.uses_whisper(self.config.engine):
            self.whisper
        if self.config.audio.channels == "diarize":
            self.speaker_model

    @property
    def whisper(self) -> Whisper:
        if self._whisper is None:
            self._whisper = Whisper(self.config.engine, self.config.models.whisper_dir)
        return self._whisper

    @property
    def speaker_model(self) -> speakers.SpeakerModel:
        """CAM++, for ``audio.channels: diarize`` (its checkpoint's sha256 checked as it loads)."""
        if self._speaker_model is None:
            self._speaker_model = speakers.SpeakerModel(
                self.config.models.speaker_dir or None, self.config.engine.device,
                self.config.engine.resolved_threads(), Path(self.config.data_dir) / "models" / "campplus-onnx")
        return self._speaker_model

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
        ``AnalysisError`` that stopped it. One recording's failure, whatever it is, does not affect
        the others. Decoded audio is held for at most ``audio.max_pass_mb`` at a time: once that
        much is decoded, those recordings are finished before more are decoded.
        """
        outcomes: list[AnalysisResult | Exception | None] = [None] * len(requests)
        budget, held, work = self.config.audio.max_pass_mb << 20, 0, []
        for i, request in enumerate(requests):
            # its name masked before it is stored, logged or told in an error (a file named after a phone number)
            request = replace(request, name=redaction.masked(request.display_name, self.config.redaction))
            prepared = self._prepare_one(request)
            if isinstance(prepared, _Work):
                work.append((i, prepared))
                held += prepared.decoded.samples.nbytes
                if held >= budget:
                    self._finish_pass(work, outcomes)
                    held, work = 0, []
            else:
                outcomes[i] = prepared
        self._finish_pass(work, outcomes)
        return outcomes

    def _prepare_one(self, request: Request) -> AnalysisResult | _Work | Exception:
        try:
            return self._prepare(request)
        except (audio.AudioError, AnalysisError) as exc:
            return exc
        except Exception as exc:  # a bug or an unforeseen input: this recording fails, the others go on
            log.exception("preparing %s failed", request.display_name)
            error = AnalysisError(f"{request.display_name}: preparing the recording failed: "
                                  f"{type(exc).__name__}: {exc}")
            error.__cause__ = exc
            return error

    def _finish_pass(self, work: list[tuple[int, _Work]], outcomes: list) -> None:
        self._transcribe([w for _, w in work])
        self._write_words([w for _, w in work if w.failure is None])
        for i, w in work:
            try:
                outcomes[i] = w.failure or self._finish(w)
            except Exception as exc:  # the store refused it: this recording fails, the others are kept
                outcomes[i] = AnalysisError(f"{w.request.display_name}: storing the analysis failed: {exc}")
                outcomes[i].__cause__ = exc

    def _prepare(self, request: Request) -> AnalysisResult | _Work:
        """The stored result, or the recording decoded and cut into speech spans."""
        started = time.perf_counter()
        if request.sha256:
            sha256, size_bytes = request.sha256, _size(request)
        else:
            sha256, size_bytes = audio.hash_file(request.path)
        manifest = self.model
        if self.store and (stored := self.store.find(sha256, manifest.model_id, self.parameters_key)):
            name, names = request.display_name, stored.recording.names
            if name not in names:
                self.store.add_name(sha256, name)
                names += (name,)
            # The result is reported under the name it was asked about, not the first one stored.
            return replace(stored, recording=replace(stored.recording, filename=name, names=names))

        limits = self.config.audio
        decoded = audio.decode(request.path, limits.max_bytes, limits.max_duration_s, name=request.display_name,
                               timeout_s=limits.decode_timeout_s, memory_mb=limits.decode_memory_mb)
        w = _Work(
            request=request, size_bytes=size_bytes, decoded=decoded,
            timings={"decode_s": time.perf_counter() - started, "vad_s": 0.0, "asr_s": 0.0},
            result=AnalysisResult(
                recording=RecordingInfo(sha256=sha256, filename=request.display_name, format=decoded.format,
                                        duration_s=round(decoded.duration_s, 3),
                                        sample_rate=decoded.source_sample_rate, channels=decoded.channels),
                model_id=manifest.model_id, synthetic=manifest.synthetic, parameters=self.parameters,
                segments=(), words_model_id=self.words_model_id,
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
            if self.config.audio.channels == "diarize" and w.spans:
                self._diarize(w)
        except Exception as exc:
            raise self._failed(w, exc) from exc
        return w

    def _diarize(self, w: _Work) -> None:
        """The mixed channel's spans cut into turns of one voice each (``voxsight.speakers``)."""
        before = time.perf_counter()
        signal = w.spans[0].signal
        found = speakers.diarize(self.speaker_model, signal, [(s.start_s, s.end_s) for s in w.spans],
                                 self.config.audio.speakers or None)
        w.spans = [Span(signal, t.start_s, t.end_s) for t in found.turns]
        w.span_channels, w.span_speakers = [0] * len(found.turns), [t.speaker for t in found.turns]
        w.voices = found.voices
        w.timings["diarize_s"] = time.perf_counter() - before

    def _transcribe(self, work: list[_Work]) -> None:
        """Decode every span of every recording in shared batches. If a shared batch fails, each
        recording is tried again alone, so that only the one the failure follows fails."""
        if not work:
            return
        self._transcribe_together(work)
        failed = [w for w in work if w.failure is not None]
        if len(work) > 1 and failed:
            for w in failed:
                w.failure, w.utterances = None, {}
                w.timings["asr_s"] = 0.0
                self._transcribe_together([w])

    def _transcribe_together(self, work: list[_Work]) -> None:
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

    def _write_words(self, work: list[_Work]) -> None:
        """Route each segment's words (``voxsight.words``) and run Whisper, in shared batches, on
        those it writes; on failure, every recording in the run fails, as in ``_transcribe``."""
        e, synthetic = self.config.engine, self.model.synthetic
        owners = []
        for w in work:
            for j, utterance in w.utterances.items():
                w.words_engines[j] = words.engine_for(e.words, synthetic, tags.parse(utterance.raw).language)
                if w.words_engines[j] == words.WHISPER or e.translate:
                    owners.append((w, j))
        if not owners:
            return
        try:
            batches = self.whisper.transcribe_batches([w.spans[j] for w, j in owners], translate=e.translate)
            while True:
                before = time.perf_counter()
                batch = next(batches, None)
                elapsed = time.perf_counter() - before
                if batch is None:
                    return
                speech_s: dict[int, tuple[_Work, float]] = {}  # per recording: its share of the batch
                for k, transcript in batch:
                    w, j = owners[k]
                    w.transcripts[j] = transcript
                    seconds = speech_s.get(id(w), (w, 0.0))[1] + w.spans[j].end_s - w.spans[j].start_s
                    speech_s[id(w)] = (w, seconds)
                total = sum(seconds for _, seconds in speech_s.values()) or 1
                for w, seconds in speech_s.values():
                    w.timings["words_s"] = w.timings.get("words_s", 0.0) + elapsed * seconds / total
        except Exception as exc:
            for w in work:
                w.failure = self._failed(w, exc)

    def _finish(self, w: _Work) -> AnalysisResult:
        mode, roles = self.config.audio.channels, self.config.audio.roles
        split = mode == "split" and w.decoded.channels > 1
        scripts = self.config.chinese_script.as_dict()
        segments = []
        for j, utterance in sorted(w.utterances.items()):
            channel = w.span_channels[j]
            parsed = tags.parse(utterance.raw)
            segment = words.apply(Segment(
                start_s=round(utterance.start_s, 3), end_s=round(utterance.end_s, 3),
                channel=channel if split else None,
                role=(roles[channel] if channel < len(roles) else f"channel{channel}") if split else None,
                language=parsed.language, emotion=parsed.emotion, events=parsed.events,
                text=parsed.text, raw=parsed.raw, words=utterance.words,
            ), w.transcripts.get(j), w.words_engines.get(j, words.SENSEVOICE))
            segments.append(script.write_segment(segment, scripts))  # the words as the site writes them
        if w.span_speakers:
            segments = self._with_roles(segments, w)
        segments.sort(key=lambda s: (s.start_s, s.channel or 0))
        # Personal data masked here, before the result is stored, indexed, alerted on or printed.
        policy = self.config.redaction
        segments = redaction.redact_call(segments, policy.entities, policy.mask)
        if w.request.stored and policy.entities:  # the audio too, before the analysis says it is done
            before = time.perf_counter()
            redacted_audio.write(w.decoded.samples, segments, policy, w.request.path)
            w.timings["redact_audio_s"] = time.perf_counter() - before
        result = replace(w.result, segments=tuple(segments), timings_s=_rounded(w.timings))
        if self.store:
            before = time.perf_counter()
            result = self.store.save(result, self.parameters_key, w.size_bytes, w.request.call_metadata)
            result = replace(result, recording=replace(result.recording, filename=w.request.display_name))
            w.timings["store_s"] = time.perf_counter() - before
            result = replace(result, timings_s=_rounded(w.timings))
            if not result.reused:
                self.alerting.after_analysis(result)
        return result

    def _with_roles(self, segments: list[Segment], w: _Work) -> list[Segment]:
        """A diarized call's segments with their voice and role: the agent is the voice of the
        print enrolled for the call's agent, else the voice that greets as the rules'
        ``agent_greeting_missing`` expects, else the first to speak (``speakers.roles``)."""
        voices = [w.span_speakers[j] for j in sorted(w.utterances)]
        try:
            ruleset = self.alerting.rules if self.alerting else None
        except rules.RulesError:  # no rules to read the greetings from: the first voice is the agent's
            ruleset = None
        distances = self._agent_voice_distances(w)
        told = speakers.roles(list(zip(segments, voices)), lambda s: bool(ruleset) and rules.greets(ruleset, s.text),
                              self.config.audio.roles, distances)
        return [replace(s, speaker=v, role=told[v][0], role_source=told[v][1], voice_distance=distances.get(v))
                for s, v in zip(segments, voices)]

    def _agent_voice_distances(self, w: _Work) -> dict[int, float]:
        """Each voice's cosine distance from the print enrolled for the call's agent (none without one)."""
        agent = (w.request.call_metadata or {}).get("agent")
        if not self.store or not agent or w.voices is None or not len(w.voices):
            return {}
        enrolled = self.store.voiceprints.get(str(agent), self.parameters["speaker_model_id"])
        if enrolled is None:
            return {}
        return {v: round(1.0 - float(voice @ enrolled), 3) for v, voice in enumerate(w.voices)}

    def _failed(self, w: _Work, exc: Exception) -> AnalysisError:
        if self.store:
            self.store.save_failure(w.result, self.parameters_key, w.size_bytes, f"{type(exc).__name__}: {exc}")
        error = AnalysisError(f"{w.request.display_name}: analysis failed: {exc}")
        error.__cause__ = exc
        return error


def _size(request: Request) -> int:
    try:
        return request.path.stat().st_size
    except OSError as exc:
        raise audio.AudioError(f"{request.display_name}: cannot read the file ({exc.strerror})") from exc


def _rounded(timings: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in timings.items()}
