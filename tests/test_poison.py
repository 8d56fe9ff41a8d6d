"""No file may crash a run, kill a worker, or take good jobs down with it.

Adversarial inputs are made from real audio (``poison_inputs.py``: truncations, byte flips, noise,
lying headers, wrong names, links, non-audio) and fed to the real CLI and to real worker processes
on the real Redis and PostgreSQL. Crashes are real too: decoder children and workers are killed
with real signals.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

import poison_inputs
from helpers import SAMPLES, start_worker, voxsight, wait_for
from voxsight import audio, jobs
from voxsight.analysis import Analyzer
from voxsight.queue import SiteMismatch
from voxsight.store import Store, schema, upgrade
from voxsight.worker import Worker

SETTLED = ("done", "failed", "dead")


@pytest.fixture(scope="module")
def poison_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("poison") / "inbox"
    made = poison_inputs.make(folder, count=24, seed=7, long_silence_s=120)
    return folder, made


def _failure_reasons(stderr: str) -> dict[str, str]:
    """'voxsight: NAME: reason' lines, by name (names may hold colons and spaces, never ': ')."""
    reasons = {}
    for line in stderr.splitlines():
        if m := re.match(r"^voxsight: (?!skipped )(.+?): (.+)$", line.strip()):
            reasons[m.group(1)] = m.group(2)
    return reasons


# -- the whole class of defects, through the CLI and through a worker


def test_a_fuzzed_folder_is_analyzed_or_refused_file_by_file_and_never_crashes(trained_model_dir, tmp_path,
                                                                              poison_folder):
    folder, made = poison_folder
    env = {"VOXSIGHT_MODELS_SENSEVOICE_DIR": str(trained_model_dir), "VOXSIGHT_DATA_DIR": str(tmp_path / "data"),
           "VOXSIGHT_ENGINE_WORDS": "sensevoice"}
    run = voxsight(env, "analyze", str(folder), "--json")
    assert "Traceback" not in run.stderr
    assert run.returncode == 1  # some inputs are refused; the run itself went to the end
    analyzed = [json.loads(line)["recording"]["filename"] for line in run.stdout.splitlines()]
    names = {item.path.name for item in made}
    failed = {name: reason for name, reason in _failure_reasons(run.stderr).items() if name in names}
    skipped = re.findall(r"^voxsight: skipped (.+): (.+)$", run.stderr, re.M)
    for item in made:
        if item.good:
            assert item.path.name in analyzed, f"good input {item.kind} ({item.path.name}) was not analyzed"
    files = [item for item in made if not item.path.is_dir() and not item.path.is_symlink()]
    accounted = set(analyzed) | set(failed) | {Path(p).name for p, _ in skipped}
    missing = [item.path.name for item in files if item.path.name not in accounted]
    assert not missing, f"inputs neither analyzed, failed nor skipped: {missing}"
    assert {Path(p).name for p, _ in skipped} >= {"loop.wav", "broken.wav", "image.png"}
    # Reasons say what is wrong with the file; FFmpeg's own words only as detail, in parentheses.
    for name, reason in failed.items():
        assert not reason.startswith(("FFmpeg", "(", "[Errno")), (name, reason)
        assert "FFmpeg:" not in reason or "(FFmpeg:" in reason, (name, reason)


def test_a_worker_survives_a_fuzzed_folder_and_finishes_every_good_job(site_env, poison_folder):
    folder, made = poison_folder
    worker = start_worker(site_env, "--concurrency", "4")
    try:
        submitted = voxsight(site_env, "submit", str(folder), "--json")
        assert "Traceback" not in submitted.stderr
        job_ids = [j["id"] for j in json.loads(submitted.stdout)]
        store = Store(site_env["VOXSIGHT_STORE_URL"])
        wait_for(lambda: all(store.jobs.get(i).status in SETTLED for i in job_ids), timeout_s=600,
                 what="every job to settle")
        assert worker.poll() is None, "the worker died"
    finally:
        worker.send_signal(signal.SIGTERM)
        _, stderr = worker.communicate(timeout=60)
    assert worker.returncode == 0
    assert "Traceback" not in stderr
    by_name = {}
    for i in job_ids:
        job = store.jobs.get(i)
        by_name[job.filename] = job
        assert job.status != "dead", (job.filename, job.error)
        assert job.attempts == 1 and job.crashes == 0, (job.filename, job.attempts)
        if job.status == "failed":
            assert job.error.startswith(f"{job.filename}: "), job.error  # named as submitted, not as stored
    for item in made:
        if item.good:
            assert by_name[item.path.name].status == "done", (item.kind, by_name[item.path.name].error)


# -- decoding in a child: crashes, runaway decodes, lying headers


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


@pytest.fixture(scope="module")
def long_silence(tmp_path_factory) -> Path:
    """Half an hour of silence: its decoding takes about a second, long enough to be watched, killed
    or timed out (the poison folder's two minutes decode in under 0.1 s on a fast machine)."""
    path = tmp_path_factory.mktemp("long") / "long_silence.wav"
    path.write_bytes(poison_inputs.silence_wav(1800))
    return path


def test_a_decoder_that_crashes_fails_its_file_and_the_next_file_decodes(long_silence):
    audio.decode(SAMPLES / "calls" / "lost_card.wav")  # the decoding server is up
    before = _descendants(os.getpid())
    outcome = {}

    def decode_long():
        try:
            audio.decode(long_silence)
        except audio.AudioError as exc:
            outcome["error"] = str(exc)

    thread = threading.Thread(target=decode_long)
    thread.start()
    decoder = wait_for(lambda: _descendants(os.getpid()) - before, timeout_s=10, what="the decoding child")
    for pid in decoder:
        os.kill(pid, signal.SIGSEGV)  # what a memory-unsafe decoder does to itself
    thread.join(30)
    assert re.match(r"^long_silence\.wav: the decoder crashed on this file \(killed by SIGSEGV\): it is damaged",
                    outcome["error"])
    assert audio.decode(SAMPLES / "calls" / "lost_card.wav").duration_s == pytest.approx(20.15, abs=0.05)


def test_a_decode_that_runs_too_long_is_stopped_with_a_reason(long_silence):
    with pytest.raises(audio.AudioError, match=r"^long_silence\.wav: decoding took longer than 0.05 s and was stopped"):
        audio.decode(long_silence, timeout_s=0.05)


@pytest.mark.parametrize("name,reason", [
    ("tag_0x1234.wav", r"the header names an audio encoding that cannot be decoded \(WAV format tag 0x1234"),
    ("zero_bits.wav", r"the header names an audio encoding that cannot be decoded \(.*0 bits per sample\)"),
    ("zero_channels.wav", r"the header declares 0 channels: the file is damaged$"),
    ("rate_1hz.wav", r"the header declares a sample rate of 1 Hz, which no recording has"),
    ("huge_data.wav", r"it declares 18:38:\d\d, over the limit of 14,400 s$"),
])
def test_headers_that_lie_are_refused_before_decoding_in_words_a_user_can_act_on(poison_folder, name, reason):
    folder, _ = poison_folder
    started = time.monotonic()
    with pytest.raises(audio.AudioError, match=rf"^{re.escape(name)}: {reason}"):
        audio.decode(folder / name, max_duration_s=4 * 3600)
    assert time.monotonic() - started < 3  # refused from the header, not after decoding hours


def test_errors_name_the_file_as_the_user_knows_it(poison_folder):
    folder, _ = poison_folder
    with pytest.raises(audio.AudioError, match=r"^call 7 from the PBX\.wav: the header declares 0 channels"):
        audio.decode(folder / "zero_channels.wav", name="call 7 from the PBX.wav")


# -- names


def test_the_same_bytes_under_two_names_report_the_name_asked_and_keep_both(config, engine, tmp_path):
    first, second = tmp_path / "first.wav", tmp_path / "good_wav.wav"
    shutil.copy(SAMPLES / "calls" / "lost_card.wav", first)
    shutil.copy(first, second)
    store = Store(config.store_url)
    analyzer = Analyzer(config, store, engine=engine)
    assert analyzer.analyze_file(first).recording.filename == "first.wav"
    again = analyzer.analyze_file(second)
    assert again.reused and again.recording.filename == "good_wav.wav"
    assert again.recording.names == ("first.wav", "good_wav.wav")
    with store.engine.connect() as c:
        assert c.execute(select(schema.Recording.names)).scalar_one() == ["first.wav", "good_wav.wav"]


def test_submit_goes_on_past_a_link_loop_and_says_why(site_env, tmp_path):
    good, loop = tmp_path / "good.wav", tmp_path / "loop.wav"
    shutil.copy(SAMPLES / "calls" / "lost_card.wav", good)
    loop.symlink_to(loop)
    run = voxsight(site_env, "submit", str(good), str(loop), "--json")
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "loop.wav: cannot read the file (Too many levels of symbolic links)" in run.stderr
    assert [j["recording"]["filename"] for j in json.loads(run.stdout)] == ["good.wav"]


# -- a site's queue is its own


def test_two_sites_sharing_a_redis_prefix_refuse_to_serve_each_other(config, redis_url, postgres_server, pg_url,
                                                                     tmp_path):
    from sqlalchemy import create_engine, text

    other_db = f"voxsight_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{other_db}"'))
    other_url = postgres_server.rsplit("/", 1)[0] + "/" + other_db
    try:
        upgrade(pg_url)
        upgrade(other_url)
        shared = {"redis_url": redis_url, "prefix": "shared-prefix", "storage_dir": str(tmp_path / "storage")}
        production = config.with_overrides(store={"url": pg_url}, queue=shared)
        staging = config.with_overrides(store={"url": other_url}, queue=shared)
        production_store = Store(pg_url)
        queue = jobs.open_queue(production, production_store)
        job = jobs.submit(production, production_store, queue, SAMPLES / "calls" / "lost_card.wav")
        with pytest.raises(SiteMismatch, match=r"serves site [0-9a-f]{32}, but this database is site [0-9a-f]{32}"):
            jobs.open_queue(staging, Store(other_url))
        assert queue.enqueued([job.id]) == {job.id}  # nothing was taken from production
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{other_db}" WITH (FORCE)'))
        admin.dispose()


# -- workers that die, and workers told to stop


def test_a_job_that_kills_its_workers_fails_alone_and_its_batch_mates_finish(site_env, long_call, tmp_path):
    """A file that kills every worker running it (here: the test kills them, for real, whenever it
    runs) must not take the jobs batched with it down: they are retried alone and finish."""
    from voxsight.config import load

    site = load(environ=site_env)
    store = Store(site.store_url)
    queue = jobs.open_queue(site, store)
    mates = []
    for name in ("lost_card.wav", "happy_upgrade.wav"):
        shutil.copy(SAMPLES / "calls" / name, tmp_path / f"mate_{name}")
        mates.append(jobs.submit(site, store, queue, tmp_path / f"mate_{name}"))
    culprit = jobs.submit(site, store, queue, long_call)
    kills = 0
    deadline = time.monotonic() + 300
    while store.jobs.get(culprit.id).status not in SETTLED:
        assert time.monotonic() < deadline, "the culprit never settled"
        worker = start_worker(site_env, "--concurrency", "3")
        try:
            # After the last allowed attempt the next worker claims it (running, one attempt too many)
            # only to abandon it: that instant is not an attempt to kill.
            last_killed = kills == site.queue.max_attempts
            running = wait_for(
                lambda: store.jobs.get(culprit.id).status in SETTLED or (not last_killed and (
                    (j := store.jobs.get(culprit.id)).status == "running" and j.attempts == kills + 1)),
                timeout_s=120, what="the culprit to be running")
            if not last_killed and store.jobs.get(culprit.id).status == "running" and running:
                time.sleep(0.3)
                worker.kill()
                kills += 1
        finally:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
            worker.communicate(timeout=60)
    dead_culprit = store.jobs.get(culprit.id)
    assert dead_culprit.status == "failed" and "abandoned" in dead_culprit.error
    assert kills == site.queue.max_attempts
    for mate in mates:
        finished = store.jobs.get(mate.id)
        assert finished.status == "done", finished.error
        assert finished.crashes <= 1 and finished.attempts <= 2  # killed with the culprit once at most


def test_sigterm_while_a_worker_starts_is_a_clean_stop(site_env):
    worker = start_worker(site_env)
    while "worker starting" not in (line := worker.stderr.readline()):
        assert line, "the worker ended before starting"
    worker.send_signal(signal.SIGTERM)  # before the store, the queue and the models: already graceful
    _, stderr = worker.communicate(timeout=60)
    assert worker.returncode == 0, stderr
    assert "stopped after 0 job(s)" in stderr


def test_a_worker_stays_registered_when_redis_loses_its_data_with_jobs_in_hand(site_env, engine):
    from voxsight.config import load

    site = load(environ=site_env)
    store = Store(site.store_url)
    queue = jobs.open_queue(site, store)
    worker = Worker(site, store, queue, Analyzer(site, store, engine=engine))
    jobs.submit(site, store, queue, SAMPLES / "calls" / "lost_card.wav")
    held = worker._take(1000)
    assert len(held) == 1
    worker._held = held
    queue.redis.flushdb()
    worker.heartbeat()
    assert [w.id for w in queue.workers()] == [worker.id]
