"""End to end: a recording on disk to tagged segments in the store, with the trained tiny model."""

from __future__ import annotations

import shutil

import av
import pytest
from sqlalchemy import func, select

from helpers import SAMPLES, assert_covers
from trained_model import expected_raw
from voxsight import tags
from voxsight.analysis import Analyzer
from voxsight.audio import AudioError
from voxsight.store import Store
from voxsight.store import schema


def _split(config):
    return config.with_overrides(audio={"channels": "split"})


def _row_counts(store: Store) -> tuple[int, int, int]:
    with store.engine.connect() as c:
        return tuple(c.scalar(select(func.count()).select_from(t))
                     for t in (schema.Recording, schema.Analysis, schema.Segment))


def test_split_call_gives_each_turn_its_role_emotion_and_exact_words(config, engine, sample_calls):
    call = sample_calls[0]
    result = Analyzer(_split(config), engine=engine).analyze_file(SAMPLES / call["file"])

    assert [(s.role, s.channel) for s in result.segments] == [
        (t["role"], t["channel"]) for t in call["turns"]]
    for segment, turn in zip(result.segments, call["turns"]):
        assert segment.raw == expected_raw(turn)
        assert (segment.text, segment.emotion, segment.language) == (turn["text"], turn["emotion"], "en")
        assert_covers(segment.start_s, segment.end_s, turn)


def test_mixed_call_has_no_roles_but_the_same_words(config, engine, sample_calls):
    call = sample_calls[1]
    result = Analyzer(config, engine=engine).analyze_file(SAMPLES / call["file"])

    assert [s.text for s in result.segments] == [t["text"] for t in call["turns"]]
    assert {(s.role, s.channel) for s in result.segments} == {(None, None)}


def test_words_carry_timestamps_inside_their_segment(config, engine, sample_calls):
    result = Analyzer(config, engine=engine).analyze_file(SAMPLES / sample_calls[2]["file"])

    for segment in result.segments:
        assert " ".join(w.text for w in segment.words) == segment.text
        assert all(segment.start_s <= w.start_s <= w.end_s <= segment.end_s + 0.1 for w in segment.words)


def test_summary_counts_speech_per_role_and_emotion(config, engine, sample_calls):
    call = sample_calls[0]
    result = Analyzer(_split(config), engine=engine).analyze_file(SAMPLES / call["file"])

    summary = result.summary
    customer_angry = sum(s.end_s - s.start_s for s in result.segments
                         if s.role == "customer" and s.emotion == "ANGRY")
    assert customer_angry > 0
    assert summary.speech_s_by_role_emotion["customer"]["ANGRY"] == pytest.approx(customer_angry, abs=0.01)
    assert sum(summary.speech_s_by_role.values()) == pytest.approx(
        sum(s.end_s - s.start_s for s in result.segments), abs=0.02)
    assert summary.dominant_emotion == max(summary.speech_s_by_emotion, key=summary.speech_s_by_emotion.get)


def test_result_is_stored_and_read_back_identically(config, engine, sample_calls):
    store = Store(config.store_url)
    analyzer = Analyzer(_split(config), store=store, engine=engine)
    first = analyzer.analyze_file(SAMPLES / sample_calls[0]["file"], call_metadata={"agent": "a17"})

    again = analyzer.analyze_file(SAMPLES / sample_calls[0]["file"])

    assert not first.reused and again.reused
    assert again.analysis_id == first.analysis_id
    assert again.segments == first.segments
    assert _row_counts(store) == (1, 1, len(first.segments))
    with store.engine.connect() as c:
        assert c.scalar(select(schema.Recording.call_metadata)) == {"agent": "a17"}


def test_same_bytes_under_another_name_are_not_analyzed_again(config, engine, sample_calls, tmp_path):
    store = Store(config.store_url)
    analyzer = Analyzer(config, store=store, engine=engine)
    source = SAMPLES / sample_calls[0]["file"]
    copy = shutil.copy(source, tmp_path / "renamed.wav")

    first = analyzer.analyze_file(source)
    second = analyzer.analyze_file(copy)

    assert second.reused and second.analysis_id == first.analysis_id


def test_other_parameters_make_a_new_analysis(config, engine, sample_calls):
    store = Store(config.store_url)
    path = SAMPLES / sample_calls[0]["file"]
    mixed = Analyzer(config, store=store, engine=engine).analyze_file(path)

    split = Analyzer(_split(config), store=store, engine=engine).analyze_file(path)

    assert not split.reused and split.analysis_id != mixed.analysis_id
    assert _row_counts(store)[:2] == (1, 2)


def test_a_corrupt_file_fails_alone_and_touches_nothing_stored(config, engine, sample_calls, tmp_path):
    store = Store(config.store_url)
    analyzer = Analyzer(config, store=store, engine=engine)
    analyzer.analyze_file(SAMPLES / sample_calls[0]["file"])
    before = _row_counts(store)
    corrupt = tmp_path / "upload.wav"
    corrupt.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" * 50)

    with pytest.raises(AudioError, match="upload.wav"):
        analyzer.analyze_file(corrupt)

    assert _row_counts(store) == before
    assert not analyzer.analyze_file(SAMPLES / sample_calls[1]["file"]).reused


def test_lossy_copy_finds_the_same_segments(config, engine, sample_calls, tmp_path):
    call = sample_calls[0]
    lossless = Analyzer(_split(config), engine=engine).analyze_file(SAMPLES / call["file"])
    mp3 = _encode_mp3(SAMPLES / call["file"], tmp_path / "call.mp3")

    lossy = Analyzer(_split(config), engine=engine).analyze_file(mp3)

    assert [s.role for s in lossy.segments] == [s.role for s in lossless.segments]
    for a, b in zip(lossy.segments, lossless.segments):
        assert a.start_s == pytest.approx(b.start_s, abs=0.15)
        assert a.end_s == pytest.approx(b.end_s, abs=0.15)


def test_postgresql_store_round_trip(config, engine, sample_calls, pg_url):
    from voxsight.store import upgrade

    upgrade(pg_url)
    store = Store(pg_url)
    analyzer = Analyzer(_split(config), store=store, engine=engine)
    first = analyzer.analyze_file(SAMPLES / sample_calls[2]["file"])

    again = analyzer.analyze_file(SAMPLES / sample_calls[2]["file"])

    assert again.reused and again.segments == first.segments
    assert _row_counts(store) == (1, 1, len(first.segments))
    store.engine.dispose()


def test_words_less_segment_keeps_emotion_and_events(config, tmp_path):
    """A caller crying with no words is still a segment: stored and read back whole."""
    from voxsight.results import AnalysisResult, RecordingInfo, Segment

    parsed = tags.parse("<|en|><|SAD|><|Cry|><|woitn|>")
    segment = Segment(1.0, 3.5, 1, "customer", parsed.language, parsed.emotion, parsed.events, parsed.text, parsed.raw)
    result = AnalysisResult(RecordingInfo("ab" * 32, "cry.wav", "wav", 4.0, 16000, 2), "m", True, {}, (segment,))
    store = Store(config.store_url)

    store.save(result, "key", 100)

    stored = store.find("ab" * 32, "m", "key").segments
    assert stored == (segment,)
    assert (stored[0].text, stored[0].emotion, stored[0].events) == ("", "SAD", ("Cry",))


def _encode_mp3(source, dest):
    with av.open(str(source)) as src, av.open(str(dest), "w") as out:
        stream = out.add_stream("libmp3lame", rate=16000, layout="stereo")
        for frame in src.decode(audio=0):
            frame.pts = None
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return dest
