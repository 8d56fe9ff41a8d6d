"""Hundreds of adversarial inputs through `voxsight analyze` and through a worker on Redis + PostgreSQL.

    .venv/bin/python bench/poison_fuzz.py [--count 300] [--seed 1] [--db URL] [--redis URL]

Inputs come from tests/poison_inputs.py (real audio, damaged every way a telephony export can be,
plus lying headers, odd names, links, non-audio and an hour of silence). Counts, for each path:
analyzed, failed with a reason, skipped with a reason, crashes (a traceback or an unexpected exit
status), hangs (no exit within the time limit), worker deaths (the worker process gone), good files
not analyzed, and the peak memory of the process doing the work. A tiny synthetic SenseVoice is
used: what is measured is the platform, not inference.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import poison_inputs  # noqa: E402

SETTLED = ("done", "failed", "dead")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="randomly damaged files (plus ~35 fixed cases)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a run counts as hung")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="voxsight-fuzz-"))
    made = poison_inputs.make(work / "inbox", count=args.count, seed=args.seed, long_silence_s=3600)
    model = work / "model"
    subprocess.run([sys.executable, "-m", "voxsight", "models", "synth", str(model), "--size", "tiny"],
                   check=True, capture_output=True)
    # SenseVoice's own words: what is measured is decoding and the job path, not Whisper.
    env = {**os.environ, "VOXSIGHT_MODELS_SENSEVOICE_DIR": str(model), "VOXSIGHT_DATA_DIR": str(work / "data"),
           "VOXSIGHT_ENGINE_WORDS": "sensevoice"}
    good = {i.path.name for i in made if i.good}
    print(f"{len(made)} inputs ({len(good)} good) in {work / 'inbox'}")

    report("analyze", analyze(env, work / "inbox", good, args.timeout))
    report("worker", through_worker(env, work, args, good))


def analyze(env: dict, inbox: Path, good: set[str], timeout: float) -> dict:
    started = time.monotonic()
    try:
        run = subprocess.run([sys.executable, "-m", "voxsight", "analyze", str(inbox), "--json"], env=env,
                             capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"hangs": 1}
    analyzed = {json.loads(line)["recording"]["filename"] for line in run.stdout.splitlines()}
    failed = re.findall(r"^voxsight: (?!skipped )(.+?): (.+)$", run.stderr, re.M)
    return {
        "analyzed": len(analyzed), "failed": len({n for n, _ in failed if (inbox / n).exists() or n in good}),
        "skipped": len(re.findall(r"^voxsight: skipped ", run.stderr, re.M)),
        "crashes": int("Traceback" in run.stderr or run.returncode not in (0, 1)), "hangs": 0,
        "good not analyzed": len(good - analyzed),
        "peak MB": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
        "seconds": round(time.monotonic() - started, 1),
    }


def through_worker(env: dict, work: Path, args, good: set[str]) -> dict:
    name = f"voxsight_fuzz_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.db, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.db.rsplit("/", 1)[0] + "/" + name
    env = {**env, "VOXSIGHT_STORE_URL": url, "VOXSIGHT_QUEUE_REDIS_URL": args.redis,
           "VOXSIGHT_QUEUE_PREFIX": name, "VOXSIGHT_QUEUE_STORAGE_DIR": str(work / "storage")}
    try:
        subprocess.run([sys.executable, "-m", "voxsight", "db", "upgrade"], env=env, check=True, capture_output=True)
        return _run_worker(env, work, args.timeout, good, url)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _run_worker(env: dict, work: Path, timeout: float, good: set[str], url: str) -> dict:
    from voxsight.store import Store

    started = time.monotonic()
    worker = _start(env)
    deaths, peak_kb = 0, 0
    submitted = subprocess.run([sys.executable, "-m", "voxsight", "submit", str(work / "inbox"), "--json"], env=env,
                               capture_output=True, text=True)
    job_ids = [j["id"] for j in json.loads(submitted.stdout or "[]")]
    store = Store(url)
    hung = False
    while not all(store.jobs.get(i).status in SETTLED for i in job_ids):
        if time.monotonic() - started > timeout:
            hung = True
            break
        if worker.poll() is not None:  # died: count it and start another, as an orchestrator would
            deaths += 1
            worker = _start(env)
        peak_kb = max(peak_kb, _peak_kb(worker.pid))
        time.sleep(0.5)
    peak_kb = max(peak_kb, _peak_kb(worker.pid))
    worker.send_signal(signal.SIGTERM)
    _, stderr = worker.communicate(timeout=120)
    final = [store.jobs.get(i) for i in job_ids]
    done = {j.filename for j in final if j.status == "done"}
    return {
        "analyzed": len(done), "failed": sum(j.status == "failed" for j in final),
        "dead": sum(j.status == "dead" for j in final), "submit errors": len(re.findall(r"^voxsight: .+?: ",
                                                                                       submitted.stderr, re.M)),
        "crashes": int("Traceback" in stderr) + int("Traceback" in submitted.stderr), "hangs": int(hung),
        "worker deaths": deaths, "good not analyzed": len(good - done),
        "peak MB": peak_kb // 1024, "seconds": round(time.monotonic() - started, 1),
    }


def _start(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "voxsight", "worker", "--concurrency", "4"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _peak_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"VmHWM:\s+(\d+)", status)  # absent once the process has died (a zombie)
    return int(found.group(1)) if found else 0


def report(path: str, figures: dict) -> None:
    print(f"{path:8} " + ", ".join(f"{k} {v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
