"""Kill workers over and over with jobs in hand and while they load; flush Redis once; lose nothing.

    .venv/bin/python bench/soak.py [--rounds 20] [--jobs 10] [--db URL] [--redis URL]

Each round submits ``--jobs`` new recordings (distinct bytes), starts a worker, and sends it
SIGKILL (two rounds in three) or SIGTERM: in half the rounds 0-3 s after it starts (while it loads
its models), in the other half 0-1.5 s after it has taken jobs (mid-batch). Halfway, Redis is flushed while a worker holds jobs. Finally one worker runs until every
job settles. Reported: jobs, kills, stops, jobs not done (lost), recordings analyzed more than
once (duplicates), and the most attempts any job needed. A tiny synthetic SenseVoice is used.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import wave
from pathlib import Path

import redis
from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parent.parent
SETTLED = ("done", "failed", "dead")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=10, help="new jobs per round")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    work = Path(tempfile.mkdtemp(prefix="voxsight-soak-"))
    model = work / "model"
    subprocess.run([sys.executable, "-m", "voxsight", "models", "synth", str(model), "--size", "tiny"],
                   check=True, capture_output=True)
    name = f"voxsight_soak_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.db, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.db.rsplit("/", 1)[0] + "/" + name
    # SenseVoice's own words: what is measured is the job path, not Whisper.
    env = {**os.environ, "VOXSIGHT_MODELS_SENSEVOICE_DIR": str(model), "VOXSIGHT_DATA_DIR": str(work / "data"),
           "VOXSIGHT_ENGINE_WORDS": "sensevoice",
           "VOXSIGHT_STORE_URL": url, "VOXSIGHT_QUEUE_REDIS_URL": args.redis, "VOXSIGHT_QUEUE_PREFIX": name,
           "VOXSIGHT_QUEUE_VISIBILITY_TIMEOUT_S": "2", "VOXSIGHT_QUEUE_RECONCILE_INTERVAL_S": "1",
           "VOXSIGHT_QUEUE_POLL_S": "0.2", "VOXSIGHT_QUEUE_MAX_ATTEMPTS": "100", "VOXSIGHT_QUEUE_CONCURRENCY": "4"}
    try:
        subprocess.run([sys.executable, "-m", "voxsight", "db", "upgrade"], env=env, check=True, capture_output=True)
        print(soak(env, url, work, args, rng))
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def soak(env: dict, url: str, work: Path, args, rng: random.Random) -> str:
    from voxsight.store import Store, schema

    store = Store(url)
    calls = sorted((ROOT / "samples" / "calls").glob("*.wav"))
    kills = stops = flushes = in_hand = 0
    job_ids: list[int] = []
    for round_ in range(args.rounds):
        inbox = work / f"round{round_}"
        inbox.mkdir()
        for j in range(args.jobs):
            _variant(calls[j % len(calls)], inbox / f"r{round_}_{j}.wav", rng)
        submitted = subprocess.run([sys.executable, "-m", "voxsight", "submit", str(inbox), "--json"], env=env,
                                   capture_output=True, text=True, check=True)
        job_ids += [j["id"] for j in json.loads(submitted.stdout)]
        worker = subprocess.Popen([sys.executable, "-m", "voxsight", "worker"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if rng.random() < 0.5:  # while it starts and loads its models
            time.sleep(rng.uniform(0, 3))
        else:  # with jobs in hand, mid-batch
            deadline = time.monotonic() + 120
            while not store.jobs.list("running", 1) and worker.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(rng.uniform(0, 1.5))
            in_hand += len(store.jobs.list("running", 100))
        if round_ == args.rounds // 2:  # Redis loses everything while a worker has jobs in hand
            redis.Redis.from_url(args.redis).flushdb()
            flushes += 1
            time.sleep(1)
        if rng.random() < 2 / 3:
            worker.kill()
            kills += 1
        else:
            worker.send_signal(signal.SIGTERM)
            stops += 1
        worker.wait(timeout=300)

    finisher = subprocess.Popen([sys.executable, "-m", "voxsight", "worker"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 1800
    while not all(store.jobs.get(i).status in SETTLED for i in job_ids) and time.monotonic() < deadline:
        time.sleep(0.5)
    finisher.send_signal(signal.SIGTERM)
    finisher.wait(timeout=300)

    final = [store.jobs.get(i) for i in job_ids]
    with store.engine.connect() as c:
        duplicates = c.execute(select(func.count()).select_from(
            select(schema.Analysis.recording_id).group_by(schema.Analysis.recording_id)
            .having(func.count() > 1).subquery())).scalar_one()
    lost = [j.id for j in final if j.status != "done"]
    return (f"rounds {args.rounds}, jobs {len(job_ids)}, SIGKILL {kills}, SIGTERM {stops}, Redis flushes {flushes}, "
            f"jobs in hand when signalled {in_hand}: "
            f"lost {len(lost)}, duplicates {duplicates}, max attempts {max(j.attempts for j in final)}"
            + (f" (not done: {[(j.id, j.status, j.attempts, j.error) for j in final if j.status != 'done'][:5]})"
               if lost else ""))


def _variant(source: Path, dest: Path, rng: random.Random) -> None:
    """The call with one sample changed: the same speech, distinct bytes (a distinct recording)."""
    with wave.open(str(source)) as w:
        params, frames = w.getparams(), bytearray(w.readframes(w.getnframes()))
    at = rng.randrange(len(frames) // 2) * 2
    frames[at:at + 2] = rng.randbytes(2)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setparams(params)
        w.writeframes(bytes(frames))
    dest.write_bytes(out.getvalue())


if __name__ == "__main__":
    main()
