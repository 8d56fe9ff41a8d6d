"""A tiny SenseVoiceSmall overfit on the shipped sample calls: a model whose output tests can assert.

Random weights say nothing testable; a tiny model trained for a few hundred steps on the sample
calls' segments (as our own VAD cuts them, mixed and split) reproduces their tagged transcripts
exactly on lossless input. Training runs the real funasr model and frontend; only the loss is ours.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from voxsight import audio, config, models, synthetic
from voxsight.engine import Engine

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@dataclass(frozen=True)
class Example:
    signal: np.ndarray
    target: str  # the raw SenseVoice output the model must learn, tags first


def expected_raw(turn: dict) -> str:
    return f"<|en|><|{turn['emotion']}|><|Speech|><|withitn|>{turn['text']}"


def build(dest: Path, steps: int = 400, seed: int = 0) -> Path:
    """Build and train the model in ``dest``; returns the directory."""
    synthetic.build_model_dir(dest, size="tiny", seed=seed)
    cfg = config.Config().with_overrides(models={"sensevoice_dir": str(dest)}, engine={"word_timestamps": False})
    engine = Engine(cfg.engine, cfg.models)
    examples = training_examples(engine)
    train(engine, examples, steps, seed)
    # Train on until every segment comes out exactly, then a little more for a safety margin,
    # so thread counts and batch padding cannot tip a borderline frame.
    for extra in range(5):
        if all(_decode(engine, e) == e.target for e in examples):
            break
        train(engine, examples, 100, seed + extra + 1)
    train(engine, examples, 100, seed + 99)
    torch.save(engine._asr.model.state_dict(), dest / models.CHECKPOINT_FILE)
    models.write_manifest(dest, synthetic=True, size="tiny")
    return dest


def training_examples(engine: Engine) -> list[Example]:
    """Every VAD segment of every sample call, mixed and split, paired with the turn it covers."""
    examples = []
    for call in json.loads((SAMPLES / "calls.json").read_text()):
        decoded = audio.decode(SAMPLES / call["file"])
        for mode in ("split", "mix"):
            for channel, signal in enumerate(audio.channel_signals(decoded, mode)):
                turns = [t for t in call["turns"] if mode == "mix" or t["channel"] == channel]
                for start, end in engine.speech_segments(signal):
                    turn = max(turns, key=lambda t: min(end, t["end_s"]) - max(start, t["start_s"]))
                    piece = signal[int(start * audio.SAMPLE_RATE):int(end * audio.SAMPLE_RATE)]
                    examples.append(Example(piece, expected_raw(turn)))
    return examples


def train(engine: Engine, examples: list[Example], steps: int, seed: int, batch_size: int = 8) -> None:
    from funasr.utils.load_utils import extract_fbank

    generator = torch.Generator().manual_seed(seed)
    model, kwargs = engine._asr.model, engine._asr.kwargs
    tokenizer = kwargs["tokenizer"]
    features = [extract_fbank([torch.from_numpy(e.signal)], frontend=kwargs["frontend"])[0][0] for e in examples]
    targets = [torch.tensor(_encode(tokenizer, e.target)) for e in examples]
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    for _ in range(steps):
        batch = torch.randperm(len(examples), generator=generator)[:batch_size].tolist()
        speech = torch.nn.utils.rnn.pad_sequence([features[i] for i in batch], batch_first=True)
        lengths = torch.tensor([len(features[i]) for i in batch])
        log_probs, out_lengths = _forward(model, speech, lengths)
        loss = torch.nn.functional.ctc_loss(
            log_probs.transpose(0, 1), torch.cat([targets[i] for i in batch]), out_lengths,
            torch.tensor([len(targets[i]) for i in batch]), blank=0, zero_infinity=True)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()


def _decode(engine: Engine, example: Example) -> str:
    return next(engine.transcribe(example.signal, [(0.0, len(example.signal) / audio.SAMPLE_RATE)])).raw


def _encode(tokenizer, raw: str) -> list[int]:
    # Tags first, one id each, then the words, as SenseVoice emits them.
    head, _, text = raw.rpartition("|>")
    tag_ids = [tokenizer.sp.piece_to_id(f"<|{t}|>") for t in head.removeprefix("<|").split("|><|")]
    return tag_ids + tokenizer.encode(text)


def _forward(model, speech: torch.Tensor, lengths: torch.Tensor):
    """SenseVoiceSmall.inference's encoder pass (language auto, with ITN), with gradients."""
    batch = speech.size(0)
    language = model.embed(torch.LongTensor([[model.lid_dict["auto"]]])).repeat(batch, 1, 1)
    textnorm = model.embed(torch.LongTensor([[model.textnorm_dict["withitn"]]])).repeat(batch, 1, 1)
    event_emotion = model.embed(torch.LongTensor([[1, 2]])).repeat(batch, 1, 1)
    speech = torch.cat((language, event_emotion, textnorm, speech), dim=1)
    encoder_out, out_lengths = model.encoder(speech, lengths + 4)
    return model.ctc.log_softmax(encoder_out), out_lengths
