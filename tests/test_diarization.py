"""Mono calls told apart by voice (issue 18): the real CAM++ weights on real speech of the shared
corpus's speakers, mixed into one channel; the turns found, a span holding two voices cut at the
change, telephone audio, roles, and the checkpoint's sha256 checked as it loads."""

from __future__ import annotations

import json
import shutil
import sys

import numpy as np
import pytest

from helpers import ROOT, voxsight
from voxsight import speakers
from voxsight.errors import ModelError
from voxsight.results import Segment

sys.path.insert(0, str(ROOT / "bench"))
import diarization as bench  # noqa: E402  (bench/diarization.py: the mixes and their scoring)

sys.path.remove(str(ROOT / "bench"))

pytestmark = pytest.mark.skipif(not bench.CORPUS.is_dir(), reason="the shared speech corpus is not here")


@pytest.fixture(scope="module")
def recordings():
    return bench.speakers_recordings()


@pytest.fixture(scope="module")
def model():
    return speakers.SpeakerModel()


def test_two_voices_on_one_channel_come_back_as_two_with_their_turns(recordings, trained_model_dir, tmp_path):
    call = bench.mix(recordings, (0, 2), turns=8, seed=3, directory=tmp_path)
    phone = bench.telephone(call, tmp_path)
    env = {"VOXSIGHT_DATA_DIR": str(tmp_path / "data"), "VOXSIGHT_MODELS_SENSEVOICE_DIR": str(trained_model_dir),
           "VOXSIGHT_ENGINE_WORDS": "sensevoice"}
    run = voxsight(env, "analyze", str(call.path), str(phone.path), "--channels", "diarize", "--json")
    assert run.returncode == 0, run.stderr
    for m, line in zip((call, phone), run.stdout.splitlines()):
        document = json.loads(line)
        segments = [Segment(**{**s, "events": tuple(s["events"]), "words": (), "redactions": ()})
                    for s in document["segments"]]
        score = bench.score(m, segments)
        # measured: 2.4 % (16 kHz) and 2.2 % (8 kHz mu-law) over 4 calls of bench/diarization.py
        assert score["speakers"] == 2 and score["speaker_error"] <= 0.06, score
        assert {s.role for s in segments} == {"agent", "customer"}
        assert {s.role_source for s in segments} == {"first_speaker"}  # nobody greets: the first voice is the agent
        assert segments[0].speaker == 0 and segments[0].role == "agent"
        assert document["parameters"]["speaker_model_id"].startswith("campplus-92f29b94e694")


def test_a_span_holding_two_voices_is_cut_where_the_voice_changes(recordings, model):
    first, second = (bench._trimmed(recordings[k][1]) for k in (1, 3))
    signal = np.concatenate([first, second])  # no pause between them: one speech span holds both
    change = len(first) / speakers.SAMPLE_RATE
    turns = speakers.diarize(model, signal, [(0.0, len(signal) / speakers.SAMPLE_RATE)], 2)
    assert [t.speaker for t in turns] == [0, 1]
    assert abs(turns[0].end_s - change) <= speakers.WINDOW_S and turns[1].start_s == turns[0].end_s


def test_voices_are_counted_when_the_count_is_not_given(recordings, model):
    pieces, spans, at = [], [], 0.0
    for k in range(9):  # three voices, three turns each
        clip = bench._trimmed(recordings[k % 3][k // 3])
        pieces += [clip, np.zeros(speakers.SAMPLE_RATE // 2, np.float32)]
        spans.append((at, at + len(clip) / speakers.SAMPLE_RATE))
        at += len(clip) / speakers.SAMPLE_RATE + 0.5
    turns = speakers.diarize(model, np.concatenate(pieces), spans, None)
    by_span = [max({t.speaker for t in turns if a <= t.start_s < b}, default=None) for a, b in spans]
    assert by_span == [0, 1, 2] * 3


def test_the_agent_is_the_voice_that_greets_else_the_first_heard():
    def seg(start, text):
        return Segment(start, start + 2, None, None, "en", "NEUTRAL", (), text, text)

    said = [(seg(0, "yes I am calling about my bill"), 0), (seg(3, "good morning thank you for calling"), 1),
            (seg(6, "it is wrong"), 0)]
    greets = lambda s: "good morning" in s.text  # noqa: E731
    assert speakers.roles(said, greets) == {0: ("customer", "greeting"), 1: ("agent", "greeting")}
    assert speakers.roles(said, lambda s: False) == {0: ("agent", "first_speaker"), 1: ("customer", "first_speaker")}
    late = [(seg(0, "hello?"), 0), (seg(25, "good morning"), 1)]  # a greeting after 20 s is not the opening
    assert speakers.roles(late, greets)[0] == ("agent", "first_speaker")


def test_the_checkpoint_is_checked_as_it_loads_and_a_changed_one_refused(tmp_path):
    changed = tmp_path / "campplus"
    shutil.copytree(speakers.packaged_dir(), changed)
    data = bytearray((changed / speakers.CHECKPOINT).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (changed / speakers.CHECKPOINT).write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match its SHA256SUMS"):
        speakers.SpeakerModel(changed)
    (changed / "SHA256SUMS").unlink()
    with pytest.raises(ModelError, match="needs campplus_cn_en_common.pt and SHA256SUMS"):
        speakers.SpeakerModel(changed)
    assert speakers.model_id() == "campplus-92f29b94e694"
