"""Specification of voxsight.features: exact figures from constructed segments, and overtalk and
interruptions measured on a split stereo call built with known overlaps, through the real pipeline."""

from __future__ import annotations

import subprocess
import sys
import wave

import numpy as np
import pytest

from helpers import SAMPLES
from voxsight import features
from voxsight.features import CallFeatures, Interruption
from voxsight.results import Segment, Word


def seg(start, end, role=None, emotion="NEUTRAL", text="", events=(), language="en", words=()):
    return Segment(start, end, 0 if role == "agent" else (1 if role else None), role, language, emotion,
                   tuple(events), text, "", tuple(words))


def test_negative_share_is_negative_seconds_over_emotional_seconds():
    f = features.compute([seg(0, 4, emotion="ANGRY"), seg(5, 7, emotion="SAD"), seg(8, 12, emotion="NEUTRAL"),
                          seg(13, 20, emotion=None)], 20.0)

    assert f.call.negative_share == pytest.approx(6 / 10)
    assert f.call.speech_s_by_emotion == {"ANGRY": 4, "NEUTRAL": 4, "SAD": 2, "UNKNOWN": 7}
    assert f.call.dominant_emotion in ("ANGRY", "NEUTRAL")  # a 4 s tie


def test_escalation_compares_the_last_third_with_the_first():
    calm_then_angry = [seg(0, 10, emotion="NEUTRAL"), seg(20, 30, emotion="ANGRY")]
    angry_then_calm = [seg(0, 10, emotion="ANGRY"), seg(20, 30, emotion="NEUTRAL")]

    assert features.compute(calm_then_angry, 30.0).call.escalation == 1.0
    assert features.compute(angry_then_calm, 30.0).call.escalation == -1.0


def test_escalation_clips_segments_to_the_thirds():
    # thirds of 30 s: [0,10) [10,20) [20,30]; the first third is half angry, the last all angry
    f = features.compute([seg(0, 5, emotion="ANGRY"), seg(5, 10, emotion="NEUTRAL"), seg(15, 30, emotion="ANGRY")],
                         30.0)

    assert f.call.escalation == pytest.approx(1.0 - 0.5)


def test_talk_time_is_the_union_of_speech_and_silence_the_longest_gap_between_segments():
    f = features.compute([seg(1, 5, "agent"), seg(4, 6, "customer"), seg(20, 22, "agent"), seg(25, 26, "customer")],
                         40.0)

    assert f.talk_s == pytest.approx(5 + 2 + 1)
    assert f.non_talk_s == pytest.approx(40 - 8)
    assert (f.longest_silence_s, f.longest_silence_at_s) == (14.0, 6)  # 6 → 20; 26 → 40 is trailing


def test_overtalk_and_who_interrupted_whom():
    f = features.compute([seg(0, 5, "agent"), seg(3, 8, "customer"), seg(7, 9, "agent"), seg(12, 14, "customer")],
                         15.0)

    assert f.overtalk_s == pytest.approx(2 + 1)
    assert f.interruptions == (Interruption(3, "customer", "agent"), Interruption(7, "agent", "customer"))


def test_segments_that_only_touch_do_not_overlap():
    f = features.compute([seg(0, 5, "agent"), seg(5, 8, "customer")], 8.0)

    assert f.overtalk_s == 0 and f.interruptions == ()


def test_mixed_channels_have_one_role_and_no_overtalk():
    f = features.compute([seg(0, 5), seg(3, 8)], 8.0)

    assert list(f.roles) == ["all"] and not f.split
    assert f.overtalk_s == 0 and f.interruptions == ()


def test_features_per_role():
    f = features.compute([seg(0, 4, "agent", "NEUTRAL"), seg(5, 9, "customer", "ANGRY", events=("Cry",)),
                          seg(10, 12, "customer", "SAD", events=("Cry", "BGM"))], 12.0)

    assert f.role("customer").negative_share == 1.0
    assert f.role("agent").negative_share == 0.0
    assert f.role("customer").event_counts == {"BGM": 1, "Cry": 2}
    assert f.role("customer").event_s == {"BGM": 2, "Cry": 6}
    assert f.role(None).talk_s == f.talk_s == 10
    assert f.role("supervisor") is None


def test_talk_speed_counts_timed_words_else_words_in_the_text_and_han_characters():
    english = seg(0, 6, "agent", text="you charged me twice", words=(Word("you", 0, 1), Word("charged", 1, 2)))
    chinese = seg(0, 3, "customer", text="我要投诉", language="zh")

    f = features.compute([english, chinese, seg(10, 20, "customer", text="")], 20.0)

    assert f.role("agent").words_per_minute == pytest.approx(2 / 6 * 60)
    assert f.role("customer").words_per_minute == pytest.approx(4 / 3 * 60)  # the wordless segment is left out
    assert f.role("customer").languages == {"en": 10, "zh": 3}


def test_emotion_timeline_in_time_order_without_unknowns():
    f = features.compute([seg(5, 6, "customer", "ANGRY"), seg(0, 2, "agent", "HAPPY"), seg(3, 4, "agent", None)], 6)

    assert [(e.start_s, e.role, e.emotion) for e in f.timeline] == [(0, "agent", "HAPPY"), (5, "customer", "ANGRY")]


def test_json_round_trip():
    f = features.compute([seg(0, 5, "agent"), seg(3, 8, "customer", "ANGRY", events=("Laughter",))], 9.0)

    assert CallFeatures.from_json(f.to_json()) == f


def test_features_import_no_model_code():
    probe = ("import sys, voxsight.features; "
             "print(sorted(m for m in ('torch', 'funasr', 'av', 'voxsight.analysis') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.fixture
def overlapping_call(tmp_path):
    """billing_dispute with the customer's channel moved 2 s earlier: each customer turn now starts
    0.7 s before the agent's preceding turn ends (agent 0.5–2.82 and 8.26–11.02; customer
    4.12→2.12 and 12.32→10.32)."""
    with wave.open(str(SAMPLES / "calls" / "billing_dispute.wav")) as w:
        params, frames = w.getparams(), w.readframes(w.getnframes())
    pcm = np.frombuffer(frames, dtype=np.int16).reshape(-1, 2).copy()
    shift = 2 * params.framerate
    pcm[:, 1] = np.concatenate([pcm[shift:, 1], np.zeros(shift, dtype=np.int16)])
    path = tmp_path / "overlap.wav"
    with wave.open(str(path), "wb") as out:
        out.setparams(params)
        out.writeframes(pcm.tobytes())
    return path


def test_overtalk_and_interruptions_on_a_split_call_with_known_overlaps(config, engine, overlapping_call):
    from voxsight.analysis import Analyzer

    result = Analyzer(config.with_overrides(audio={"channels": "split"}), engine=engine).analyze_file(overlapping_call)
    f = features.compute(result.segments, result.recording.duration_s)

    assert [(i.by, i.over) for i in f.interruptions] == [("customer", "agent"), ("customer", "agent")]
    assert [i.at_s for i in f.interruptions] == pytest.approx([2.12, 10.32], abs=0.4)
    # two 0.7 s overlaps; the VAD keeps up to 0.8 s of trailing silence on the agent's turns
    assert 1.0 <= f.overtalk_s <= 1.4 + 2 * 0.8
