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
from voxsight.features import AGENT_VOICE_MATCH
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
    call = bench.mix(recordings, (0, 2), turns=8, seed=3, directory=tmp_path, clips=(0, 1, 2, 3))
    phone = bench.telephone(call, tmp_path)
    # rules with no greeting to listen for: the tiny model's words may hold one by chance
    (rules := tmp_path / "rules.yaml").write_text(
        "rules:\n  - id: crying\n    severity: high\n    message: crying\n    when: {event: {event: Cry}}\n")
    env = {"VOXSIGHT_DATA_DIR": str(tmp_path / "data"), "VOXSIGHT_MODELS_SENSEVOICE_DIR": str(trained_model_dir),
           "VOXSIGHT_ENGINE_WORDS": "sensevoice", "VOXSIGHT_ALERTS_RULES_FILE": str(rules)}
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
        assert {s.role_source for s in segments} == {"first_speaker"}  # no greeting: the first voice is the agent
        assert segments[0].speaker == 0 and segments[0].role == "agent"
        assert document["parameters"]["speaker_model_id"].startswith("campplus-92f29b94e694")


def test_a_span_holding_two_voices_is_cut_where_the_voice_changes(recordings, model):
    first, second = (bench._trimmed(recordings[k][1]) for k in (1, 3))
    signal = np.concatenate([first, second])  # no pause between them: one speech span holds both
    change = len(first) / speakers.SAMPLE_RATE
    turns = speakers.diarize(model, signal, [(0.0, len(signal) / speakers.SAMPLE_RATE)], 2).turns
    assert [t.speaker for t in turns] == [0, 1]
    assert abs(turns[0].end_s - change) <= speakers.WINDOW_S and turns[1].start_s == turns[0].end_s


def test_a_short_turn_inside_a_stretch_of_speech_is_kept(recordings, model, engine, tmp_path):
    # bench/diarization.py's worst call: turns of 2.3-2.8 s between the other voice's, no pause on one
    # side; smoothing every lone window away lost two of its ten turns (11.5 % speaker error)
    call = bench.mix(recordings, (0, 2), turns=10, seed=1, directory=tmp_path, agent_first=False)
    from voxsight import audio

    signal = audio.decode(call.path).samples[0]
    found = speakers.diarize(model, signal, engine.speech_segments(signal), 2)
    segments = [Segment(t.start_s, t.end_s, None, None, None, None, (), "", "", speaker=t.speaker) for t in found.turns]
    assert len(found.turns) == len(call.truth) and bench.score(call, segments)["speaker_error"] <= 0.09


@pytest.mark.parametrize("count", [None, 2], ids=["no count given", "a two-party call"])
def test_a_third_voice_is_counted_whether_or_not_the_count_is_given(recordings, model, count):
    pieces, spans, at = [], [], 0.0
    for k in range(9):  # three voices, three turns each
        clip = bench._trimmed(recordings[k % 3][k // 3])
        pieces += [clip, np.zeros(speakers.SAMPLE_RATE // 2, np.float32)]
        spans.append((at, at + len(clip) / speakers.SAMPLE_RATE))
        at += len(clip) / speakers.SAMPLE_RATE + 0.5
    found = speakers.diarize(model, np.concatenate(pieces), spans, count)
    by_span = [max({t.speaker for t in found.turns if a <= t.start_s < b}, default=None) for a, b in spans]
    assert by_span == [0, 1, 2] * 3
    assert found.voices.shape == (3, 192)


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
    # an enrolled print names the agent before any greeting, if a voice is near enough to it
    assert speakers.roles(said, greets, distances={0: 0.2, 1: 0.9}) == {0: ("agent", "voiceprint"),
                                                                        1: ("customer", "voiceprint")}
    assert speakers.roles(said, greets, distances={0: 0.8, 1: 0.9})[1] == ("agent", "greeting")


def _enrol_files(recordings, who, directory):
    paths = [directory / f"enrol-{who}-{c}.wav" for c in bench.ENROL_CLIPS]
    for path, c in zip(paths, bench.ENROL_CLIPS):
        bench._write_wav(path, recordings[who][c])
    return [str(p) for p in paths]


def test_enrolment_names_the_agent_and_a_stranger_enrolled_under_their_name_is_flagged(
        recordings, trained_model_dir, tmp_path):
    env = {"VOXSIGHT_DATA_DIR": str(tmp_path / "data"), "VOXSIGHT_MODELS_SENSEVOICE_DIR": str(trained_model_dir),
           "VOXSIGHT_ENGINE_WORDS": "sensevoice", "VOXSIGHT_AUDIO_CHANNELS": "diarize"}
    for name, who in (("alice", 1), ("mallory", 0)):
        run = voxsight(env, "agents", "enroll", name, *_enrol_files(recordings, who, tmp_path), "--json")
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout)["agent"] == name and json.loads(run.stdout)["speech_s"] >= 8
    # the customer (speaker 2) speaks first: the fallback would name them agent, the print does not
    call = bench.mix(recordings, (2, 1), turns=8, seed=5, directory=tmp_path, agent_first=False)
    run = voxsight(env, "analyze", str(call.path), "--meta", "agent=alice", "--json")
    assert run.returncode == 0, run.stderr
    segments = [Segment(**{**s, "events": tuple(s["events"]), "words": (), "redactions": ()})
                for s in json.loads(run.stdout)["segments"]]
    assert {s.role_source for s in segments} == {"voiceprint"}
    assert bench.score(call, segments)["role_accuracy"] >= 0.95
    agent_distance = min(s.voice_distance for s in segments if s.role == "agent")
    assert agent_distance <= AGENT_VOICE_MATCH < min(s.voice_distance for s in segments if s.role == "customer")

    # the same voices under an agent whose print is another speaker's: no voice matches, and the rule fires
    other = bench.mix(recordings, (2, 1), turns=8, seed=6, directory=tmp_path, agent_first=False)
    run = voxsight(env, "analyze", str(other.path), "--meta", "agent=mallory", "--json")
    assert run.returncode == 0, run.stderr
    segments = json.loads(run.stdout)["segments"]
    assert {s["role_source"] for s in segments} == {"first_speaker"} and min(s["voice_distance"] for s in segments) > AGENT_VOICE_MATCH
    alerts = json.loads(voxsight(env, "alerts", "--json").stdout)["items"]
    assert [a["rule_id"] for a in alerts if a["rule_id"] == "agent_voice_mismatch"] == ["agent_voice_mismatch"]

    listed = voxsight(env, "agents", "list", "--json")
    assert [json.loads(line)["agent"] for line in listed.stdout.splitlines()] == ["alice", "mallory"]
    assert "embedding" not in listed.stdout
    assert voxsight(env, "agents", "forget", "mallory").returncode == 0
    assert voxsight(env, "agents", "forget", "mallory").returncode == 1  # nothing left to erase
    audit = voxsight(env, "audit", "--json")
    actions = [json.loads(line)["action"] for line in audit.stdout.splitlines()]
    assert actions.count("voiceprint_enroll") == 2 and "voiceprint_erase" in actions and "voiceprint_list" in actions


def test_a_print_learned_from_the_agent_channel_of_stereo_calls_names_the_agent(recordings, config, engine, tmp_path):
    from voxsight import jobs
    from voxsight.analysis import Analyzer
    from voxsight.operations import Actor, Door, voiceprints
    from voxsight.site import Site
    from voxsight.store import Store
    from voxsight.cache import ResultCache
    from voxsight.worker import Worker

    store = Store(config.store_url)
    site = Site(config, store, None, ResultCache(None))
    # a stereo call: the agent (speaker 3) on the left channel, a customer (speaker 0) on the right
    left = np.concatenate([bench._trimmed(recordings[3][c]) for c in bench.ENROL_CLIPS])
    right = np.concatenate([bench._trimmed(recordings[0][c]) for c in bench.ENROL_CLIPS])
    n = max(len(left), len(right))
    stereo = np.zeros((n, 2), np.float32)
    stereo[:len(left), 0], stereo[:len(right), 1] = left, right
    path = tmp_path / "stereo.wav"
    import wave
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2), w.setsampwidth(2), w.setframerate(speakers.SAMPLE_RATE)
        w.writeframes((stereo * 32767).astype(np.int16).tobytes())
    split = config.with_overrides(audio={"channels": "split"})
    jobs.submit(split, store, None, path, {"agent": "dana"})
    Worker(split, store, None, Analyzer(split, store, engine=engine)).drain()

    diarizing = config.with_overrides(audio={"channels": "diarize"})
    analyzer = Analyzer(diarizing, store, engine=engine)
    learned = voiceprints.learn(site, Actor.local(Door.CLI), "dana", analyzer)
    assert learned.source == "learned" and learned.made_from == 1 and learned.speech_s >= 8
    call = bench.mix(recordings, (0, 3), turns=8, seed=7, directory=tmp_path, agent_first=False)  # the customer first
    segments = analyzer.analyze_file(call.path, {"agent": "dana"}).segments
    assert {s.role_source for s in segments} == {"voiceprint"}
    assert bench.score(call, segments)["role_accuracy"] >= 0.95


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


def test_a_diarizing_worker_registers_its_speaker_model(config, engine):
    from voxsight.analysis import Analyzer
    from voxsight.cli import render
    from voxsight.store import Store
    from voxsight.worker import Worker

    store = Store(config.store_url)
    diarizing, split = (config.with_overrides(audio={"channels": mode}) for mode in ("diarize", "split"))
    info = Worker(diarizing, store, None, Analyzer(diarizing, store, engine=engine)).info()
    assert info.speaker_model_id == "campplus-92f29b94e694"
    assert f"{info.model_id} + campplus-92f29b94e694" in render.worker_line(info)
    assert Worker(split, store, None, Analyzer(split, store, engine=engine)).info().speaker_model_id is None


def test_cam_plus_plus_in_onnx_runtime_gives_pytorchs_prints_and_its_export_is_kept_only_while_current(
        recordings, model, tmp_path):
    from voxsight import models

    onnx = speakers.SpeakerModel(threads=2, onnx_dir=tmp_path)
    [export] = tmp_path.glob("campplus-*.onnx")
    manifest = json.loads(export.with_suffix(".json").read_text())
    assert manifest["checkpoint_sha256"].startswith("92f29b94e694") and manifest["onnx_sha256"] == models.file_sha256(export)
    clip = bench._trimmed(recordings[2][0])
    pieces = [clip[:24000], clip[24000:48000], clip[:8000], clip[:19200]]  # 1.5 s windows and shorter spans
    assert onnx.session is not None and float(np.min(np.sum(onnx.embed(pieces) * model.embed(pieces), axis=1))) > 0.99999

    made_at = export.stat().st_mtime_ns
    speakers.SpeakerModel(onnx_dir=tmp_path)
    assert export.stat().st_mtime_ns == made_at  # current: used as it is
    with open(export, "r+b") as f:  # changed on disk: not used, made again from the checked checkpoint
        f.seek(5000)
        f.write(b"\0" * 64)
    again = speakers.SpeakerModel(onnx_dir=tmp_path)
    assert models.file_sha256(export) == manifest["onnx_sha256"]
    assert float(np.min(np.sum(again.embed(pieces) * model.embed(pieces), axis=1))) > 0.99999
