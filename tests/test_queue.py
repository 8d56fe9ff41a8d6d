"""The site's job path against the real Redis and PostgreSQL: submit, workers, failures, recovery.

Workers here run in this process (sharing the trained tiny model); the tests that kill worker
processes are in test_worker_process.py.
"""

from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from helpers import SAMPLES
from voxsight import jobs
from voxsight.analysis import Analyzer, Request
from voxsight.queue import QueueDepth
from voxsight.store import Store, schema, upgrade
from voxsight.store.schema import JobStatus, Priority
from voxsight.worker import Worker, reconcile


@pytest.fixture
def site(config, pg_url, redis_url, tmp_path):
    """Configuration of a small site: PostgreSQL, Redis, short timeouts so that tests are quick."""
    upgrade(pg_url)
    return config.with_overrides(
        store={"url": pg_url},
        queue={"redis_url": redis_url, "prefix": f"test-{uuid.uuid4().hex[:8]}",
               "storage_dir": str(tmp_path / "storage"), "visibility_timeout_s": 1.0,
               "retry_backoff_s": 0.2, "reconcile_interval_s": 0.0, "poll_s": 0.1, "concurrency": 4},
    )


def _worker(site, engine, **queue) -> Worker:
    site = site.with_overrides(queue=queue)
    store = Store(site.store_url)
    return Worker(site, store, jobs.open_queue(site, store), Analyzer(site, store, engine=engine))


def _submit(site, *paths, **kwargs):
    store = Store(site.store_url)
    return [jobs.submit(site, store, jobs.open_queue(site, store), p, **kwargs) for p in paths]


def _run_until(worker: Worker, done, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        assert time.monotonic() < deadline, "jobs did not settle in time"
        worker.step(block_ms=100)


def _job(site, job_id):
    return Store(site.store_url).jobs.get(job_id)


def _analyses(site) -> int:
    with Store(site.store_url).engine.connect() as c:
        return c.scalar(select(func.count()).select_from(schema.Analysis))


def test_submit_stores_the_audio_once_records_the_job_and_enqueues_it(site, sample_calls):
    path = SAMPLES / sample_calls[0]["file"]
    first, again = _submit(site, path, path, call_metadata={"agent": "ann", "queue": "billing"})

    assert first.status == again.status == "queued" and first.recording_id == again.recording_id
    stored = list(site.storage_dir.rglob("*.wav"))
    assert len(stored) == 1 and stored[0].read_bytes() == path.read_bytes()
    assert stored[0].parent.name == first.sha256
    assert jobs.open_queue(site, Store(site.store_url)).enqueued([first.id, again.id]) == {first.id, again.id}
    with Store(site.store_url).engine.connect() as c:
        assert c.scalar(select(schema.Recording.call_metadata)) == {"agent": "ann", "queue": "billing"}


def test_submit_many_refuses_an_unreadable_file_and_submits_the_others(site, sample_calls, tmp_path):
    store = Store(site.store_url)
    good = SAMPLES / sample_calls[0]["file"]

    done = jobs.submit_many(site, store, jobs.open_queue(site, store), [tmp_path / "gone.wav", good],
                            {"agent": "ann"}, "high")

    assert [j.filename for j in done.jobs] == [good.name] and done.jobs[0].priority == "high"
    [refused] = done.refused
    assert str(refused) == "gone.wav: cannot read the file (No such file or directory)"


def test_a_job_s_status_and_priority_are_enums_that_read_and_serialize_as_plain_strings(site, sample_calls):
    [job] = _submit(site, SAMPLES / sample_calls[0]["file"], priority="high")

    assert (job.status, job.priority) == (JobStatus.QUEUED, Priority.HIGH) == ("queued", "high")
    document = job.to_json()
    assert type(document["status"]) is str and type(document["priority"]) is str
    assert (document["status"], document["priority"]) == ("queued", "high")
    with pytest.raises(ValueError, match="priority must be one of high, normal, not 'urgent'"):
        _submit(site, SAMPLES / sample_calls[0]["file"], priority="urgent")


def test_worker_batches_across_jobs_with_the_same_results_as_one_at_a_time(site, engine, sample_calls):
    submitted = _submit(site, *(SAMPLES / c["file"] for c in sample_calls))
    worker = _worker(site, engine)

    assert worker.step(block_ms=1000)

    assert worker.batches == [len(sample_calls)]  # one engine pass for all the jobs
    store = Store(site.store_url)
    single = Analyzer(site, engine=engine)  # no store: a fresh, one-recording-at-a-time analysis
    for job, call in zip(submitted, sample_calls):
        finished = store.jobs.get(job.id)
        assert finished.status == "done" and finished.attempts == 1 and finished.error is None
        assert finished.progress_done == finished.progress_total == len(call["turns"])
        stored = store.find(job.sha256, worker.analyzer.engine.model.model_id, worker.analyzer.parameters_key)
        assert stored.analysis_id == finished.analysis_id
        alone = single.analyze_file(SAMPLES / call["file"])
        assert [(s.start_s, s.raw) for s in stored.segments] == [(s.start_s, s.raw) for s in alone.segments]
    assert jobs.open_queue(site, Store(site.store_url)).depth() == {"high": QueueDepth(waiting=0, in_hand=0),
                                                                    "normal": QueueDepth(waiting=0, in_hand=0)}


def test_high_priority_jobs_are_served_first(site, engine, sample_calls):
    normal = _submit(site, SAMPLES / sample_calls[0]["file"])[0]
    high = _submit(site, SAMPLES / sample_calls[1]["file"], priority="high")[0]
    worker = _worker(site, engine, concurrency=1)

    worker.step(block_ms=1000)

    assert (_job(site, high.id).status, _job(site, normal.id).status) == ("done", "queued")


def test_a_job_delivered_twice_after_its_worker_died_leaves_one_result(site, engine, sample_calls):
    job = _submit(site, SAMPLES / sample_calls[0]["file"])[0]
    dying = _worker(site, engine)
    # The first worker takes the job and writes the analysis, then dies before recording the
    # job's outcome or acknowledging the message.
    [held] = dying._take(block_ms=1000)
    dying.analyzer.analyze_many([Request(Path(held.job.audio_path))])
    assert _analyses(site) == 1 and _job(site, job.id).status == "running"

    time.sleep(1.2)  # past the visibility timeout: nobody touches the message any more
    survivor = _worker(site, engine)
    _run_until(survivor, lambda: _job(site, job.id).status == "done")

    finished = _job(site, job.id)
    assert finished.attempts == 2 and finished.worker_id == survivor.id and finished.analysis_id
    assert _analyses(site) == 1
    # And a stray duplicate message of a finished job is acknowledged without running it again.
    assert jobs.open_queue(site, Store(site.store_url)).enqueue(job.id, "normal")
    survivor.step(block_ms=1000)
    assert _job(site, job.id).attempts == 2 and _analyses(site) == 1
    assert jobs.open_queue(site, Store(site.store_url)).enqueued([job.id]) == set()


def test_undecodable_audio_fails_at_once_and_the_rest_of_the_batch_succeeds(site, engine, sample_calls, tmp_path):
    good = SAMPLES / sample_calls[0]["file"]
    earlier = _submit(site, good)[0]
    worker = _worker(site, engine)
    _run_until(worker, lambda: _job(site, earlier.id).status == "done")
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(good.read_bytes()[:44] + bytes(range(256)) * 200)
    not_audio = tmp_path / "notes.mp3"
    not_audio.write_text("minutes of the meeting")
    bad = _submit(site, corrupt, not_audio)
    fine = _submit(site, SAMPLES / sample_calls[1]["file"])[0]

    _run_until(worker, lambda: all(_job(site, j.id).status not in ("queued", "running") for j in [*bad, fine]))

    for job, name in zip(bad, ("corrupt.wav", "notes.mp3")):
        failed = _job(site, job.id)
        assert failed.status == "failed" and failed.attempts == 1
        assert name in failed.error
    assert _job(site, fine.id).status == "done"
    assert _job(site, earlier.id).status == "done" and _job(site, earlier.id).analysis_id is not None
    assert _analyses(site) == 2


def test_a_transient_failure_is_retried_with_backoff_then_the_job_is_dead(site, engine, sample_calls):
    job = _submit(site, SAMPLES / sample_calls[0]["file"])[0]
    other = _submit(site, SAMPLES / sample_calls[1]["file"])[0]
    shutil.rmtree(site.storage_dir / job.sha256[:2])  # the shared storage lost it
    worker = _worker(site, engine, max_attempts=3)

    seen = []
    deadline = time.monotonic() + 30
    while _job(site, job.id).status != "dead":
        assert time.monotonic() < deadline
        worker.step(block_ms=50)
        state = _job(site, job.id)
        if state.attempts and (not seen or seen[-1][0] != state.attempts):
            seen.append((state.attempts, state.started_at))  # when this attempt was taken

    dead = _job(site, job.id)
    assert dead.attempts == 3 and "not readable" in dead.error
    assert [a for a, _ in seen] == [1, 2, 3]
    gaps = [(b - a).total_seconds() for (_, a), (_, b) in zip(seen, seen[1:])]
    assert gaps[0] >= 0.2 and gaps[1] >= 0.4  # 0.2 s, then doubled
    assert _job(site, other.id).status == "done"


def test_a_transient_failure_recovers_when_the_cause_goes_away(site, engine, sample_calls, tmp_path):
    job = _submit(site, SAMPLES / sample_calls[0]["file"])[0]
    folder = site.storage_dir / job.sha256[:2] / job.sha256
    folder.rename(tmp_path / "away")  # e.g. the storage mount dropped out
    worker = _worker(site, engine, retry_backoff_s=0.5)

    _run_until(worker, lambda: _job(site, job.id).attempts == 1 and _job(site, job.id).status == "queued")
    (tmp_path / "away").rename(folder)
    _run_until(worker, lambda: _job(site, job.id).status == "done")

    assert _job(site, job.id).attempts == 2


def test_a_job_whose_workers_keep_dying_is_failed_instead_of_killing_more(site, engine, sample_calls):
    job = _submit(site, SAMPLES / sample_calls[0]["file"])[0]
    store = Store(site.store_url)
    for attempt in range(site.queue.max_attempts):  # each time, its worker vanished mid-job
        assert store.jobs.claim(job.id, f"vanished-{attempt}", lease_s=0.05)
        time.sleep(0.1)
    worker = _worker(site, engine)

    _run_until(worker, lambda: _job(site, job.id).status == "failed")

    assert "abandoned" in _job(site, job.id).error and _analyses(site) == 0


def test_everything_queued_survives_redis_losing_its_data(site, engine, sample_calls):
    submitted = _submit(site, *(SAMPLES / c["file"] for c in sample_calls))
    # One job is in the hands of a worker that then dies; the others wait in Redis.
    # A lease long enough to be live still at the first reconcile on a loaded machine.
    dying = _worker(site, engine, concurrency=1, visibility_timeout_s=5.0)
    taken_at = time.monotonic()
    [held] = dying._take(block_ms=1000)
    redis.Redis.from_url(site.queue.redis_url).flushdb()  # Redis restarted without persistence

    queue = jobs.open_queue(site, Store(site.store_url))
    assert queue.enqueued([j.id for j in submitted]) == set()
    assert reconcile(Store(site.store_url), queue) == len(submitted) - 1  # the held one has a live lease
    time.sleep(max(0.0, taken_at + 5.1 - time.monotonic()))  # its lease expires
    assert reconcile(Store(site.store_url), queue) == 1
    assert reconcile(Store(site.store_url), queue) == 0  # nothing enqueued twice

    survivor = _worker(site, engine)
    _run_until(survivor, lambda: all(_job(site, j.id).status == "done" for j in submitted))
    assert _job(site, held.job.id).attempts == 2 and _analyses(site) == len(submitted)


def test_a_worker_recovers_its_consumer_group_after_redis_lost_it(site, engine, sample_calls):
    worker = _worker(site, engine)
    worker.step(block_ms=10)  # creates the groups
    redis.Redis.from_url(site.queue.redis_url).flushdb()
    job = _submit(site, SAMPLES / sample_calls[0]["file"])[0]

    _run_until(worker, lambda: _job(site, job.id).status == "done")


def test_workers_heartbeat_into_a_registry_that_expires(site, engine, sample_calls):
    worker = _worker(site, engine, visibility_timeout_s=0.6)
    worker.step(block_ms=10)
    worker.heartbeat()
    queue = jobs.open_queue(site, Store(site.store_url))

    [entry] = queue.workers()
    assert entry.id == worker.id and entry.device == "cpu" and entry.processed == 0
    assert entry.model_id == engine.model.model_id and entry.jobs_in_hand == ()
    assert entry.host and entry.started_at <= entry.seen_at
    assert entry.to_json()["jobs_in_hand"] == [] and entry.to_json()["started_at"] == entry.started_at.isoformat()
    time.sleep(0.8)  # no heartbeat for longer than the TTL: the worker is presumed gone
    assert queue.workers() == []


def test_the_embedded_mode_runs_the_same_job_path_on_sqlite_without_redis(config, engine, sample_calls, tmp_path):
    embedded = config.with_overrides(queue={"storage_dir": str(tmp_path / "storage")})
    store = Store(embedded.store_url)
    assert jobs.open_queue(embedded, Store(embedded.store_url)) is None
    submitted = [jobs.submit(embedded, store, None, SAMPLES / c["file"]) for c in sample_calls]

    worker = Worker(embedded, store, None, Analyzer(embedded, store, engine=engine))
    worker.drain()

    assert worker.batches == [len(sample_calls)]
    assert all(store.jobs.get(j.id).status == "done" for j in submitted)
    assert store.engine.dialect.name == "sqlite"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_jobs_migration_keeps_what_an_earlier_version_stored(backend, request, tmp_path):
    from alembic import command
    from sqlalchemy import create_engine, inspect, text

    from voxsight.store.repository import _alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    engine = create_engine(url)
    with engine.begin() as connection:
        alembic = _alembic_config()
        alembic.attributes["connection"] = connection
        command.upgrade(alembic, "0001")
        connection.execute(text(
            "INSERT INTO recordings (sha256, filename, format, size_bytes, duration_s, sample_rate, channels, "
            "metadata, created_at) VALUES ('ab', 'old.wav', 'wav', 10, 1.5, 8000, 1, '{}', CURRENT_TIMESTAMP)"))

    store = Store(url, auto_upgrade=True)

    assert "jobs" in inspect(store.engine).get_table_names()
    with store.engine.connect() as c:
        assert c.execute(select(schema.Recording.filename, schema.Recording.duration_s)).all() == [("old.wav", 1.5)]
    engine.dispose()
