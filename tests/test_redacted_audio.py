"""The stored audio's redacted copy (issue 17): each entity's time range silenced (or toned) on every
channel and nothing else changed; the original deleted once the copy exists unless the policy keeps
it; on real speech, Whisper no longer hears the values in the copy.

1. the ranges, the masking, the copy written whole, what is kept and what is played;
2. what redaction says of each segment: which kinds, and when they were said;
3. a worker on real speech (espeak-ng, Whisper words): the copy, the original gone, the values
   gone from what can be heard; the same bytes again leave no original behind.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from helpers import SAMPLES
from voxsight import audio, jobs, redacted_audio, redaction
from voxsight.analysis import Analyzer
from voxsight.config import RedactionConfig
from voxsight.results import Redaction, Segment, Word
from voxsight.store import Store
from voxsight.worker import Worker

RATE = audio.SAMPLE_RATE


def said(start, end, *redactions, channel=None, text="x", words=(), translation=None) -> Segment:
    return Segment(start, end, channel, None, "en", "NEUTRAL", (), text, text, tuple(words),
                   translation=translation, redactions=tuple(redactions))


def noise(seconds: float, channels: int = 2, seed: int = 7) -> np.ndarray:
    return (np.random.default_rng(seed).uniform(-0.5, 0.5, (channels, int(seconds * RATE)))).astype(np.float32)


def inside(spans, frames: int) -> np.ndarray:
    mask = np.zeros(frames, dtype=bool)
    for start, end in spans:
        mask[round(start * RATE):round(end * RATE)] = True
    return mask


# -- 1. ranges, masking, the copy


def test_ranges_are_widened_kept_within_the_recording_and_merged():
    segments = [said(0, 2, Redaction("CARD", 0.1, 1.0)),
                said(2, 5, Redaction("CVV", 1.3, 1.6), Redaction("PHONE", 4.0, 4.9))]
    assert redacted_audio.ranges(segments, 0.25, 5.0) == [(0.0, 1.85), (3.75, 5.0)]
    assert redacted_audio.ranges(segments, 0.0, 5.0) == [(0.1, 1.0), (1.3, 1.6), (4.0, 4.9)]
    assert redacted_audio.ranges([said(0, 2)], 0.25, 2.0) == []


def test_silence_replaces_each_range_on_every_channel_and_nothing_else():
    samples, spans = noise(4.0), [(0.5, 1.25), (3.0, 3.5)]
    out = redacted_audio.masked(samples, spans)
    hit = inside(spans, samples.shape[1])
    assert not out[:, hit].any()  # both channels: crosstalk carries one side's words into the other
    assert np.array_equal(out[:, ~hit], samples[:, ~hit])
    assert samples[:, hit].any()  # the input is untouched


def test_a_tone_replaces_each_range_instead_when_asked():
    samples, spans = noise(2.0), [(0.5, 1.5)]
    out = redacted_audio.masked(samples, spans, "tone")
    hit = inside(spans, samples.shape[1])
    tone = out[0, hit]
    assert np.sqrt(np.mean(tone ** 2)) == pytest.approx(redacted_audio.TONE_LEVEL / np.sqrt(2), rel=0.01)
    spectrum = np.abs(np.fft.rfft(tone))
    assert np.fft.rfftfreq(tone.size, 1 / RATE)[spectrum.argmax()] == pytest.approx(redacted_audio.TONE_HZ, abs=2)
    assert np.array_equal(out[1, hit], tone) and np.array_equal(out[:, ~hit], samples[:, ~hit])


def test_the_copy_is_lossless_flac_written_whole_beside_the_original(tmp_path):
    folder = tmp_path / "ab" / "abcdef"
    folder.mkdir(parents=True)
    original = folder / "audio.wav"
    original.write_bytes(b"the original's bytes")
    samples = noise(3.0)
    segments = [said(0, 3, Redaction("PHONE", 1.0, 2.0))]

    copy = redacted_audio.write(samples, segments, RedactionConfig(audio_margin_s=0.1), original)

    assert copy == folder / "redacted.flac" and copy.read_bytes()[:4] == b"fLaC"
    assert sorted(p.name for p in folder.iterdir()) == ["audio.wav", "redacted.flac"]  # no partial file left
    decoded = audio.decode(copy).samples
    expected = redacted_audio.masked(samples, [(0.9, 2.1)])
    assert decoded.shape == samples.shape and np.abs(decoded - expected).max() < 1 / 16384  # 16-bit steps


def test_the_original_goes_once_its_copy_exists_unless_the_policy_keeps_it(tmp_path):
    original = tmp_path / "audio.mp3"
    for policy, copy_written, kept in ((RedactionConfig(), False, True), (RedactionConfig(), True, False),
                                       (RedactionConfig(keep_original_audio=True), True, True),
                                       (RedactionConfig(entities=()), True, True)):
        original.write_bytes(b"original")
        redacted_audio.copy_of(original).unlink(missing_ok=True)
        if copy_written:
            redacted_audio.copy_of(original).write_bytes(b"copy")
        redacted_audio.settle(original, policy)
        assert original.exists() == kept, (policy, copy_written)
        # What is played: the copy where anything is redacted, never the original.
        played = redacted_audio.playable(original, policy)
        assert played == (original if not policy.entities else redacted_audio.copy_of(original) if copy_written
                          else None)


# -- 2. what each segment masked, and when


def test_each_entity_is_timed_by_its_words_or_else_by_its_segment():
    words = (Word("call", 0.0, 0.3), Word("138", 0.4, 0.9), Word("1234", 1.0, 1.5), Word("5678", 1.6, 2.0),
             Word("thanks", 2.2, 2.5))
    timed, untimed, translated = redaction.redact_call([
        said(0, 2.5, text="call 138 1234 5678 thanks", words=words),
        said(3, 6, text="my email is ann@example.com", channel=1),
        said(7, 9, text="我的手机号码", translation="my mobile is 13812345678", channel=2),
    ])
    assert timed.redactions == (Redaction("PHONE", 0.4, 2.0),)
    assert [(w.text, w.start_s, w.end_s) for w in timed.words] == [
        ("call", 0.0, 0.3), ("[PHONE]", 0.4, 2.0), ("thanks", 2.2, 2.5)]
    assert untimed.redactions == (Redaction("EMAIL", 3, 6),)  # no words: the segment's time
    # A value only the translation held: when it was said is not known, so the whole segment.
    assert translated.redactions == (Redaction("PHONE", 7, 9),) and translated.text == "我的手机号码"
    assert redaction.redact_call([said(0, 1, text="nothing personal")])[0].redactions == ()


# -- 3. a worker, real speech

# A rule that quotes what was said, as alert messages and webhooks do.
CARD_RULE = """rules:
  - id: card_read_out
    severity: high
    message: 'Read out: "{text}"'
    when:
      phrase: {phrases: {en: [card number]}}
"""

SPOKEN = "Hello. My card number is 4532 0151 1283 0366. Thank you, and my phone number is 138 1234 5678."


@pytest.fixture
def spoken(tmp_path) -> Path:
    wav = tmp_path / "details.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(wav), SPOKEN], check=True)
    return wav


def digits(result) -> str:
    return "".join(c for s in result.segments for c in s.text if c.isdigit())


def test_the_worker_leaves_a_copy_in_which_whisper_no_longer_hears_the_values(
        config, whisper_dir, engine, whisper_model, spoken, receiver, caplog, tmp_path):
    import logging
    import re

    from voxsight.notifications import Dispatcher

    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(CARD_RULE)  # its message quotes what was said
    site = config.with_overrides(models={"whisper_dir": str(whisper_dir)}, engine={"words": "whisper"},
                                 alerts={"rules_file": str(rules_file),
                                         "webhook_url": f"http://127.0.0.1:{receiver.port}/hook",
                                         "webhook_secret": "s3cret-for-the-test"})
    store = Store(site.store_url)
    before = audio.decode(spoken).samples
    job = jobs.submit(site, store, None, spoken)
    caplog.set_level(logging.DEBUG)
    receiver.start()
    Worker(site, store, None, Analyzer(site, store, engine=engine, whisper=whisper_model)).drain()
    Dispatcher(site.alerts, store).deliver()  # what the worker's next turn would send
    [(_, body)] = receiver.requests  # the webhook quotes the words as they were stored, masked
    values = re.compile(r"4532|0151|1283|0366|1234\D{0,3}5678")
    assert "[CARD]" in body.decode() and not values.search(body.decode()), body
    assert not values.search(caplog.text)  # nor may a log line, at any level, say them

    done = store.jobs.get(job.id)
    assert done.status == "done", done.error
    original, copy = Path(done.audio_path), redacted_audio.copy_of(done.audio_path)
    assert copy.is_file() and not original.exists()  # the policy keeps no original
    result = store.analysis(done.analysis_id)
    assert {"CARD", "PHONE"} <= {r.type for s in result.segments for r in s.redactions}, result.segments
    after = audio.decode(copy).samples
    hit = inside(redacted_audio.ranges(result.segments, site.redaction.audio_margin_s, before.shape[1] / RATE),
                 before.shape[1])
    assert after.shape == before.shape and not after[:, hit].any()
    words = [w for s in result.segments for w in s.words]
    masks = [w for w in words if w.text.startswith("[")]
    margin = site.redaction.audio_margin_s
    for w in words:  # the masks' words silenced; the others kept, but for those within the margin of one
        heard = hit[round(w.start_s * RATE):round(w.end_s * RATE)]
        if w in masks:
            assert heard.all(), w
        elif all(w.end_s + margin < m.start_s or m.end_s + margin < w.start_s for m in masks):
            assert not heard.any(), w
    assert np.abs(after[:, ~hit] - before[:, ~hit]).max() < 1 / 16384

    # Whisper heard the card and the phone in the original (the redactions above); in the copy, no digit of them.
    unmasked = site.with_overrides(redaction={"entities": []})
    heard = digits(Analyzer(unmasked, engine=engine, whisper=whisper_model).analyze_file(copy))
    assert all(group not in heard for group in ("4532", "0151", "1283", "0366", "1234", "5678")), heard


def test_the_same_bytes_again_leave_no_original_behind_unless_it_is_kept(config, engine, tmp_path):
    call = SAMPLES / "calls" / "lost_card.wav"
    for policy, kept in (({}, False), ({"keep_original_audio": True}, True)):
        (tmp_path / str(kept)).mkdir()
        site = config.with_overrides(redaction=policy, data_dir=str(tmp_path / str(kept)))
        store = Store(site.store_url)
        first = jobs.submit(site, store, None, call)
        Worker(site, store, None, Analyzer(site, store, engine=engine)).drain()
        again = jobs.submit(site, store, None, call)  # stored once more, then analyzed from the store
        Worker(site, store, None, Analyzer(site, store, engine=engine)).drain()
        done = store.jobs.get(again.id)
        assert done.status == "done" and done.analysis_id == store.jobs.get(first.id).analysis_id
        assert Path(done.audio_path).exists() == kept and redacted_audio.copy_of(done.audio_path).is_file()
        store.engine.dispose()


# -- 4. what was stored before the policy: `voxsight redact --backfill`



def test_backfill_redacts_what_was_stored_before_the_policy_in_every_copy(
        config, whisper_dir, engine, whisper_model, spoken, redis_url, tmp_path):
    import re

    import redis

    from helpers import every_text_in_sql, voxsight
    from voxsight.cache import ResultCache

    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(CARD_RULE)
    before = config.with_overrides(models={"whisper_dir": str(whisper_dir)}, engine={"words": "whisper"},
                                   alerts={"rules_file": str(rules_file)}, redaction={"entities": []})
    store = Store(before.store_url)
    named = tmp_path / "call from 138 1234 5678.wav"  # the sender named it after the caller
    shutil.copy(spoken, named)
    job = jobs.submit(before, store, None, named)
    Worker(before, store, None, Analyzer(before, store, engine=engine, whisper=whisper_model)).drain()
    done = store.jobs.get(job.id)
    [alert] = store.alerts.for_analysis(done.analysis_id)
    store.alerts.transition(alert.id, "acknowledge", "sam", "called back on 138 1234 5678")
    values = re.compile(r"4532\D{0,3}0151|1283\D{0,3}0366|1234\D{0,3}5678")
    assert len(values.findall(every_text_in_sql(store))) >= 5  # segments, words, raw, alert, trigger, comment, outbox
    assert Path(done.audio_path).is_file() and not redacted_audio.copy_of(done.audio_path).exists()
    mark = store.recordings.version()
    cache = ResultCache(redis_url)  # a page of the call cached as the API caches it
    cache.get_or_build("recording", mark, {"id": done.analysis_id}, lambda: store.analysis(done.analysis_id).to_json())

    def redis_values() -> str:
        client = redis.Redis.from_url(redis_url)
        return " ".join(str(client.get(k)) for k in client.scan_iter("*"))
    assert values.search(redis_values())

    env = {"VOXSIGHT_DATA_DIR": before.data_dir, "VOXSIGHT_ALERTS_RULES_FILE": str(rules_file),
           "VOXSIGHT_QUEUE_REDIS_URL": redis_url}
    run = voxsight(env, "redact", "--backfill", "--batch", "1")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("1 analyses read:")
    assert "1 redacted audio copies written, 1 originals deleted" in run.stdout

    everything = every_text_in_sql(store)
    assert values.findall(everything) == [] and "[CARD]" in everything and "[PHONE]" in everything
    assert not store.search("4532").hits and store.search("card number").hits
    assert store.recordings.get(done.recording_id).filename == "call from [PHONE].wav"
    assert store.recordings.version() != mark  # no page cached from now on shows them
    assert not values.search(redis_values())  # and none cached before is left in Redis
    assert redacted_audio.copy_of(done.audio_path).is_file() and not Path(done.audio_path).exists()
    redacted = store.analysis(done.analysis_id)
    assert {"CARD", "PHONE"} <= {r.type for s in redacted.segments for r in s.redactions}
    [entry] = store.accounts.audit_log(10, action="redaction_backfill").entries
    assert entry.door == "cli" and entry.detail["analyses"] == 1 and entry.detail["segments"] >= 1
    assert entry.detail["cached_pages_removed"] == 1

    again = voxsight(env, "redact", "--backfill")
    assert again.returncode == 0, again.stderr
    assert "0 segments and 0 alerts redacted again; 0 redacted audio copies written" in again.stdout
    assert voxsight(env, "redact").returncode == 2  # neither TEXT nor --backfill
