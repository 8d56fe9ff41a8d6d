"""The analysis engine: FSMN-VAD finds speech, SenseVoiceSmall decodes each segment.

We drive both funasr models ourselves instead of ``AutoModel.generate(vad_model=...)``: on CPU
that path decodes one segment at a time, and ``merge_vad`` glues segments into 15 s blocks timed
from 0 ms, which collapses the emotion timeline and loses words. Here every VAD segment (at most
30 s) is decoded on its own, in batches of about ``batch_size_s`` seconds, so a segment's emotion
and events stay attached to its own time span. Features exist for one batch at a time and the VAD
reads long recordings in blocks, so memory stays bounded for a two-hour call.

Loading is strictly offline: local absolute paths that are checked first (funasr turns a missing
path into a hub id and hangs), ``disable_update`` (it otherwise queries the package index with no
timeout) and the hubs' offline switches.
"""

from __future__ import annotations

import contextlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import torch

from voxsight import models
from voxsight.audio import SAMPLE_RATE, Span
from voxsight.config import EngineConfig, ModelsConfig
from voxsight.results import ModelInfo, Word

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Utterance:
    """SenseVoice's raw output for one speech segment of one signal."""

    start_s: float
    end_s: float
    raw: str
    words: tuple[Word, ...] = ()


class Engine:
    """FSMN-VAD and SenseVoiceSmall, loaded once from local directories."""

    def __init__(self, engine: EngineConfig, model_dirs: ModelsConfig):
        self.config = engine
        self.threads = engine.resolved_threads()
        sensevoice_dir = Path(model_dirs.sensevoice_dir).resolve()
        vad_dir = Path(model_dirs.vad_dir).resolve() if model_dirs.vad_dir else models.packaged_vad_dir()
        manifest = models.check_directory(sensevoice_dir)
        models.check_contents(sensevoice_dir)
        if not (vad_dir / "config.yaml").is_file() or not (vad_dir / "model.pt").is_file():
            raise models.ModelError(f"{vad_dir} is not an FSMN-VAD directory (config.yaml and model.pt needed)")
        self.model = ModelInfo(manifest.model_id, manifest.synthetic)

        torch.set_num_threads(self.threads)
        auto_model = models.import_funasr().AutoModel
        common = dict(disable_update=True, device=engine.device, ncpu=self.threads, disable_log=True)
        with contextlib.redirect_stdout(io.StringIO()):  # funasr prints its version line to stdout, twice
            # VAD options are read when the model is built, not per call.
            self._vad = auto_model(model=str(vad_dir), max_single_segment_time=int(engine.max_segment_s * 1000),
                                   max_end_silence_time=engine.vad_end_silence_ms, **common)
            self._asr = auto_model(model=str(sensevoice_dir), **common)

    def speech_segments(self, signal: np.ndarray) -> list[tuple[float, float]]:
        """Speech spans (start_s, end_s) of a 16 kHz mono signal, each at most ``max_segment_s``.

        FSMN-VAD keeps every frame it has seen in its state (3.3 GB for 30 minutes), so the signal
        is read in blocks of ``vad_chunk_s``, each with a fresh state. A segment that may go on past
        its block (not followed by ``vad_end_silence_ms`` of silence inside it) is not kept: the
        next block starts where it started, and finds it whole.
        """
        block = int(self.config.vad_chunk_s * SAMPLE_RATE)
        spans: list[tuple[float, float]] = []
        start = 0
        while start < len(signal):
            end = min(start + block, len(signal))
            found = self._vad_block(signal[start:end])
            open_until = (end - start) / SAMPLE_RATE - self.config.vad_end_silence_ms / 1000
            if end < len(signal) and found and found[-1][1] > open_until and found[-1][0] > 0:
                resume = start + int(found[-1][0] * SAMPLE_RATE)
                found = found[:-1]
            else:
                resume = end
            spans += [(round(start / SAMPLE_RATE + a, 3), round(start / SAMPLE_RATE + b, 3)) for a, b in found]
            start = resume
        return spans

    def _vad_block(self, samples: np.ndarray) -> list[tuple[float, float]]:
        results, _ = self._vad.model.inference(
            data_in=[torch.from_numpy(np.ascontiguousarray(samples))], key=["block"], cache={},
            frontend=self._vad.kwargs["frontend"], device=self._vad.kwargs["device"], is_final=True,
            # Given explicitly, it turns off funasr's schedule that waits up to 2 s of silence.
            max_end_silence_time=self.config.vad_end_silence_ms,
        )
        return [(a / 1000, b / 1000) for a, b in results[0]["value"]]

    def transcribe(self, signal: np.ndarray, spans: Sequence[tuple[float, float]]) -> Iterator[Utterance]:
        """Decode each span of one signal on its own; yields in span order."""
        decoded: dict[int, Utterance] = {}
        next_to_yield = 0
        for batch in self.transcribe_batches([Span(signal, start, end) for start, end in spans]):
            decoded.update(batch)
            while next_to_yield in decoded:
                yield decoded.pop(next_to_yield)
                next_to_yield += 1

    def transcribe_batches(self, spans: Sequence[Span]) -> Iterator[list[tuple[int, Utterance]]]:
        """Decode every span on its own, whatever signal it comes from, packed into batches of
        about ``batch_size_s`` padded seconds; yields each batch as ``(index in spans, utterance)``.

        Spans of many recordings share batches: a call centre's short calls alone would leave a
        GPU mostly idle.
        """
        order = sorted(range(len(spans)), key=lambda i: spans[i].end_s - spans[i].start_s)  # less padding
        for batch in _batches(order, spans, self.config.batch_size_s):
            yield list(zip(batch, self._decode([spans[i] for i in batch])))

    def _decode(self, spans: list[Span]) -> list[Utterance]:
        pieces = [torch.from_numpy(np.ascontiguousarray(
            s.signal[int(s.start_s * SAMPLE_RATE):int(s.end_s * SAMPLE_RATE)])) for s in spans]
        try:
            results = self._infer(pieces, self.config.word_timestamps)
        except IndexError:
            # funasr's word alignment re-tokenizes the decoded text and indexes past the end when
            # a piece re-encodes to several ids; the transcript itself is fine without words.
            log.warning("word timestamps failed for a batch; keeping its segments without them")
            results = self._infer(pieces, False)
        utterances = []
        for span, result in zip(spans, results):
            words = tuple(
                Word(w, round(span.start_s + a / 1000, 3), round(span.start_s + b / 1000, 3))
                for w, (a, b) in zip(result.get("words", ()), result.get("timestamp", ()))
            )
            utterances.append(Utterance(span.start_s, span.end_s, result["text"], words))
        return utterances

    def _infer(self, pieces: list[torch.Tensor], word_timestamps: bool) -> list[dict]:
        kwargs = self._asr.kwargs
        with torch.inference_mode():
            results, _ = self._asr.model.inference(
                data_in=pieces, key=[f"segment{i}" for i in range(len(pieces))],
                tokenizer=kwargs["tokenizer"], frontend=kwargs["frontend"], device=kwargs["device"],
                language=self.config.language, use_itn=self.config.use_itn,
                ban_emo_unk=self.config.ban_emo_unk, output_timestamp=word_timestamps,
            )
        return results


def _batches(order: list[int], spans: Sequence[Span], batch_size_s: float) -> Iterator[list[int]]:
    batch: list[int] = []
    for i in order:
        duration = spans[i].end_s - spans[i].start_s
        # Padded cost: every item in a batch is as long as the longest (the last, as order is sorted).
        if batch and (len(batch) + 1) * duration > batch_size_s:
            yield batch
            batch = []
        batch.append(i)
    if batch:
        yield batch

