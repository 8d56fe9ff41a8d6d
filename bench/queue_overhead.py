"""What the site's job path costs per job, with 1, 2 and 4 worker processes on the real Redis and
PostgreSQL, against analyzing the same files directly in one process.

The tiny synthetic model keeps inference small, so what is measured is mostly the platform:
storing the audio, SQL job rows and claims, Redis messages, worker hand-offs, result writes.
Workers get the machine's cores divided among them (oversubscribed torch threads are slower) and
take one job at a time, as the direct run does: cross-job batching is cross_job_batching.py's.

    python bench/queue_overhead.py [--jobs 40] [--workers 1 2 4] [--db URL] [--redis URL]

--db names a PostgreSQL server where a fresh database is made per run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import helpers

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    args = _arguments()
    from voxsight import config, jobs
    from voxsight.analysis import Analyzer
    from voxsight.store import Store, upgrade

    model_dir = helpers.synthetic_model("tiny")
    work = Path(tempfile.mkdtemp(prefix="voxsight-overhead-"))
    files = helpers.short_calls(args.jobs, work / "calls", min_s=5, max_s=10)
    audio_s = helpers.seconds(files)
    cores = len(os.sched_getaffinity(0))
    print(f"{len(files)} calls, {audio_s:.0f} s of audio, {cores} cores, tiny synthetic model", file=sys.stderr)

    direct = config.Config().with_overrides(data_dir=str(work / "direct"), models={"sensevoice_dir": str(model_dir)},
                                            engine={"words": "sensevoice"},
                                            audio={"channels": "split"})
    analyzer = Analyzer(direct, Store(direct.store_url))
    analyzer.engine  # loaded before timing, as a worker's is
    started = time.perf_counter()
    for path in files:
        analyzer.analyze_file(path)
    direct_rate = len(files) / (time.perf_counter() - started)
    print(f"{'direct (one process)':<22}{'':>34}{direct_rate:>8.2f} jobs/s   1.00x")

    for count in args.workers:
        url = helpers.fresh_database(args.db)
        upgrade(url)
        env = {**os.environ, "VOXSIGHT_MODELS_SENSEVOICE_DIR": str(model_dir), "VOXSIGHT_STORE_URL": url,
               "VOXSIGHT_QUEUE_REDIS_URL": args.redis, "VOXSIGHT_QUEUE_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
               "VOXSIGHT_QUEUE_STORAGE_DIR": str(work / f"storage{count}"), "VOXSIGHT_AUDIO_CHANNELS": "split",
               "VOXSIGHT_DATA_DIR": str(work / f"data{count}"),
               "VOXSIGHT_ENGINE_THREADS": str(max(1, cores // count)), "VOXSIGHT_QUEUE_POLL_S": "0.05",
               "VOXSIGHT_QUEUE_CONCURRENCY": "1"}
        site = config.load(path=ROOT / "configs/voxsight.yaml", environ=env)
        store = Store(url)
        queue = jobs.open_queue(site, store)
        workers = [subprocess.Popen([sys.executable, "-m", "voxsight", "worker"], env=env,
                                    stderr=subprocess.DEVNULL) for _ in range(count)]
        try:
            while len(queue.workers()) < count:  # every worker has loaded its models
                time.sleep(0.1)
            for path in files:
                jobs.submit(site, store, queue, path)
            while store.jobs.counts().get("done", 0) < len(files):
                time.sleep(0.05)
        finally:
            for w in workers:
                w.terminate()
            for w in workers:
                w.wait()
        finished = store.jobs.list(limit=len(files))
        latencies = sorted((j.finished_at - j.created_at).total_seconds() for j in finished)
        span = (max(j.finished_at for j in finished) - min(j.created_at for j in finished)).total_seconds()
        rate = len(files) / span
        print(f"{count} worker(s){'':<12}latency p50 {statistics.median(latencies):6.2f} s "
              f"p95 {latencies[int(0.95 * (len(latencies) - 1))]:6.2f} s {rate:>8.2f} jobs/s "
              f"{rate / direct_rate:6.2f}x", flush=True)
    print("jobs/s ratio: site job path / direct analysis in one process (same files, same model)")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    return parser.parse_args()


if __name__ == "__main__":
    main()
