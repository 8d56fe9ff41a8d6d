"""The engine: real FSMN-VAD segmentation and SenseVoice decoding through funasr."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers import SAMPLES, assert_covers
from voxsight import audio, config as config_module, engine as engine_module
from voxsight.engine import Engine


@pytest.fixture(scope="module")
def billing(sample_calls):
    call = sample_calls[0]
    return call, audio.decode(SAMPLES / call["file"])


def test_vad_finds_each_turn_on_its_own_channel(engine, billing):
    call, decoded = billing
    for channel, signal in enumerate(audio.channel_signals(decoded, "split")):
        turns = [t for t in call["turns"] if t["channel"] == channel]

        spans = engine.speech_segments(signal)

        assert len(spans) == len(turns)
        for (start, end), turn in zip(spans, turns):
            assert_covers(start, end, turn)


def test_vad_reading_in_blocks_finds_the_same_segments(trained_model_dir, engine, billing):
    mixed = audio.channel_signals(billing[1], "mix")[0]
    cfg = config_module.Config().with_overrides(
        models={"sensevoice_dir": str(trained_model_dir)}, engine={"vad_chunk_s": 7.0})

    blocked = Engine(cfg.engine, cfg.models).speech_segments(mixed)

    whole = engine.speech_segments(mixed)
    assert len(blocked) == len(whole)
    assert np.allclose(blocked, whole, atol=0.05)


def test_long_speech_is_cut_at_max_segment_s(trained_model_dir, billing):
    speech = audio.channel_signals(billing[1], "mix")[0]
    # Turns back to back with the pauses removed: one long stretch of speech.
    voiced = np.concatenate([speech[i:i + 1600] for i in range(0, len(speech), 1600)
                             if np.abs(speech[i:i + 1600]).max() > 0.01])
    cfg = config_module.Config().with_overrides(
        models={"sensevoice_dir": str(trained_model_dir)}, engine={"max_segment_s": 4.0})

    spans = Engine(cfg.engine, cfg.models).speech_segments(voiced)

    assert len(spans) >= 3
    assert max(end - start for start, end in spans) <= 4.0 + 0.01


def test_batches_never_exceed_the_padded_budget():
    silence = np.zeros(16000 * 30, np.float32)
    spans = [audio.Span(silence, 0.0, d) for d in (1.0, 2.0, 2.5, 3.0, 7.0, 12.0, 29.0)]
    order = sorted(range(len(spans)), key=lambda i: spans[i].end_s)

    batches = list(engine_module._batches(order, spans, batch_size_s=10.0))

    assert sorted(i for b in batches for i in b) == list(range(len(spans)))
    for batch in batches:
        longest = max(spans[i].end_s for i in batch)
        assert len(batch) == 1 or len(batch) * longest <= 10.0


def test_batch_size_does_not_change_the_result(trained_model_dir, engine, billing):
    signal = audio.channel_signals(billing[1], "mix")[0]
    spans = engine.speech_segments(signal)
    cfg = config_module.Config().with_overrides(
        models={"sensevoice_dir": str(trained_model_dir)}, engine={"batch_size_s": 1.0})

    one_at_a_time = list(Engine(cfg.engine, cfg.models).transcribe(signal, spans))
    batched = list(engine.transcribe(signal, spans))

    # The same tags and words. The tiny overfit model has near-ties between a word boundary and
    # none ("refund it today" / "refund itoday"), which padding's rounding can tip on some machine
    # states: the words are compared without their spaces; a batching fault garbles far more.
    assert [u.raw.replace(" ", "") for u in one_at_a_time] == [u.raw.replace(" ", "") for u in batched]
    assert [u.start_s for u in batched] == [s for s, _ in spans]


def test_torch_threads_stay_pinned_to_the_configured_count(trained_model_dir, billing):
    cfg = config_module.Config().with_overrides(
        models={"sensevoice_dir": str(trained_model_dir)}, engine={"threads": 1})
    one_thread = Engine(cfg.engine, cfg.models)
    signal = audio.channel_signals(billing[1], "mix")[0]

    list(one_thread.transcribe(signal, one_thread.speech_segments(signal)))

    assert torch.get_num_threads() == 1
    torch.set_num_threads(config_module.EngineConfig().resolved_threads())


def test_ban_emo_unk_forbids_the_unknown_emotion(tmp_path, billing):
    from voxsight import models, synthetic

    # A model that prefers EMO_UNKNOWN above everything, so only the ban can keep it out.
    directory = synthetic.build_model_dir(tmp_path / "unknown-lover", size="tiny", seed=5)
    state = torch.load(directory / models.CHECKPOINT_FILE)
    state["ctc.ctc_lo.bias"][models.REQUIRED_TOKEN_IDS["<|EMO_UNKNOWN|>"]] += 100.0
    torch.save(state, directory / models.CHECKPOINT_FILE)
    models.write_manifest(directory, synthetic=True, size="tiny")
    signal = audio.channel_signals(billing[1], "mix")[0]

    raws = {}
    for ban in (False, True):
        cfg = config_module.Config().with_overrides(
            models={"sensevoice_dir": str(directory)}, engine={"ban_emo_unk": ban, "word_timestamps": False})
        raws[ban] = [u.raw for u in Engine(cfg.engine, cfg.models).transcribe(signal, [(0.0, 3.0)])]

    assert "<|EMO_UNKNOWN|>" in raws[False][0]
    assert "<|EMO_UNKNOWN|>" not in raws[True][0]
