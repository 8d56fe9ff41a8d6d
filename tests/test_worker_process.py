"""Worker and queue commands as real processes against the real Redis and PostgreSQL: killed
workers, stopped workers, and the commands an operator types."""

from __future__ import annotations

import json
import signal
import time

import pytest
from sqlalchemy import func, select

from helpers import SAMPLES, start_worker, voxsight, wait_for
from voxsight import jobs
from voxsight.analysis import Analyzer
from voxsight.queue import QueueDepth
from voxsight.store import Store, schema
from voxsight.worker import Worker


@pytest.fixture
def site(config, site_env):
    from voxsight.config import load

    return load(environ=site_env)


def test_a_killed_worker_s_job_is_taken_over_and_finished_by_another(site, site_env, engine, long_call):
    store = Store(site.store_url)
    job = jobs.submit(site, store, jobs.open_queue(site, store), long_call)
    doomed = start_worker(site_env)
    try:
        wait_for(lambda: (j := store.jobs.get(job.id)).status == "running" and j.progress_done > 0,
                 what="the first worker to be part way through the job")
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
    halfway = store.jobs.get(job.id)
    assert halfway.progress_done < halfway.progress_total

    survivor = Worker(site, store, jobs.open_queue(site, store), Analyzer(site, store, engine=engine))
    deadline = time.monotonic() + 120
    while store.jobs.get(job.id).status != "done":
        assert time.monotonic() < deadline, "the survivor did not finish the job"
        survivor.step(block_ms=200)

    finished = store.jobs.get(job.id)
    assert finished.attempts == 2 and finished.worker_id == survivor.id
    assert finished.progress_done == finished.progress_total > 0
    with store.engine.connect() as c:
        assert c.scalar(select(func.count()).select_from(schema.Analysis)) == 1
    # The dead worker's registry entry expires with its heartbeat.
    wait_for(lambda: jobs.open_queue(site, Store(site.store_url)).workers() == [], timeout_s=5, what="the registry entry to expire")


def test_sigterm_finishes_the_job_in_hand_takes_no_more_and_exits(site, site_env, long_call, sample_calls):
    store = Store(site.store_url)
    queue = jobs.open_queue(site, store)
    held = jobs.submit(site, store, queue, long_call)
    waiting = jobs.submit(site, store, queue, SAMPLES / sample_calls[0]["file"])
    worker = start_worker(site_env, "--concurrency", "1")
    wait_for(lambda: store.jobs.get(held.id).status == "running", what="the worker to take the first job")
    wait_for(lambda: [w.jobs_in_hand for w in queue.workers()] == [(held.id,)], timeout_s=5,
             what="the registry to show the job in hand")

    worker.send_signal(signal.SIGTERM)
    _, stderr = worker.communicate(timeout=120)

    assert worker.returncode == 0, stderr
    assert "stopped after 1 job" in stderr
    assert store.jobs.get(held.id).status == "done"
    untouched = store.jobs.get(waiting.id)
    assert (untouched.status, untouched.attempts) == ("queued", 0)
    assert queue.workers() == []
    assert queue.depth()["normal"] == QueueDepth(waiting=1, in_hand=0)


def test_submit_jobs_job_and_workers_commands(site_env, sample_calls):
    paths = [str(SAMPLES / c["file"]) for c in sample_calls]
    done = voxsight(site_env, "submit", "--json", "--meta", "agent=ann", "--meta", "queue=billing",
                    "--priority", "high", *paths)
    assert done.returncode == 0, done.stderr
    submitted = json.loads(done.stdout)
    assert [j["status"] for j in submitted] == ["queued"] * len(paths)
    assert {j["priority"] for j in submitted} == {"high"}

    plain = voxsight(site_env, "submit", paths[0])
    assert plain.returncode == 0 and plain.stdout.strip().isdigit()

    listed = json.loads(voxsight(site_env, "jobs", "--status", "queued", "--json").stdout)
    assert len(listed) == len(paths) + 1
    one = voxsight(site_env, "job", str(submitted[0]["id"]))
    assert one.returncode == 0 and "queued" in one.stdout and sample_calls[0]["file"].split("/")[-1] in one.stdout
    assert voxsight(site_env, "job", "999999").returncode == 1

    state = json.loads(voxsight(site_env, "workers", "--json").stdout)
    assert state["workers"] == []
    assert state["queue"]["high"]["waiting"] == len(paths) and state["queue"]["normal"]["waiting"] == 1

    bad = voxsight(site_env, "submit", "--meta", "agent", paths[0])
    assert bad.returncode == 2 and "KEY=VALUE" in bad.stderr


def test_a_worker_says_clearly_when_redis_is_unreachable(site_env):
    done = voxsight({**site_env, "VOXSIGHT_QUEUE_REDIS_URL": "redis://127.0.0.1:1/0"}, "worker", timeout=60)

    assert done.returncode == 2
    assert "cannot reach Redis at 127.0.0.1:1" in done.stderr


def test_embedded_submit_runs_the_job_in_process(trained_model_dir, tmp_path, sample_calls):
    env = {"VOXSIGHT_MODELS_SENSEVOICE_DIR": str(trained_model_dir), "VOXSIGHT_DATA_DIR": str(tmp_path / "data"),
           "VOXSIGHT_ENGINE_WORDS": "sensevoice"}
    done = voxsight(env, "submit", str(SAMPLES / sample_calls[0]["file"]))

    assert done.returncode == 0, done.stderr
    job_id = done.stdout.strip()
    state = json.loads(voxsight(env, "job", job_id, "--json").stdout)
    assert state["status"] == "done" and state["analysis_id"] and state["attempts"] == 1
    assert state["progress"] == {"done": len(sample_calls[0]["turns"]), "total": len(sample_calls[0]["turns"])}
