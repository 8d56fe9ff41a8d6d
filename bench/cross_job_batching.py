"""Throughput of one worker with cross-job batching against the same worker taking one job at a time.

Same process, same loaded full-size model, same short calls (5-20 s, split agent/customer), each
mode with a fresh store so that nothing is answered from a stored result:

- batched: ``queue.concurrency`` jobs taken at once, their segments packed into shared batches;
- one at a time: ``queue.concurrency = 1``, the naive worker.

Jobs run through the real job path (SQL job rows, claims, outcomes), embedded on SQLite unless
--db/--redis name a site's PostgreSQL and Redis. Prints throughput in multiples of real time
(audio seconds per wall second) and the ratio. On a GPU pass --device cuda:0.

    python bench/cross_job_batching.py [--calls 50] [--concurrency 16] [--model DIR] [--device cpu]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

import helpers

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    args = _arguments()
    from voxsight import config, jobs, models
    from voxsight.analysis import Analyzer
    from voxsight.engine import Engine
    from voxsight.store import Store, upgrade
    from voxsight.worker import Worker

    model_dir = Path(args.model) if args.model else helpers.synthetic_model("full")
    work = Path(tempfile.mkdtemp(prefix="voxsight-batching-"))
    files = helpers.short_calls(args.calls, work / "calls")
    audio_s = helpers.seconds(files)
    base = config.Config().with_overrides(
        data_dir=str(work / "data"), models={"sensevoice_dir": str(model_dir)},
        engine={"device": args.device, "threads": args.threads, "batch_size_s": args.batch_size_s,
                "words": "sensevoice"},  # SenseVoice alone: bench/words.py measures Whisper
        audio={"channels": "split"})
    engine = Engine(base.engine, base.models)
    manifest = models.check_directory(model_dir)
    print(f"model {manifest.model_id} ({'synthetic' if manifest.synthetic else 'real'}) on {args.device}, "
          f"{len(files)} calls, {audio_s:.0f} s of audio", file=sys.stderr)

    results = {}
    for mode, concurrency in (("one at a time", 1), ("batched", args.concurrency)):
        site = base.with_overrides(queue={"concurrency": concurrency, "storage_dir": str(work / mode / "audio"),
                                          "redis_url": args.redis or "", "prefix": f"bench-{uuid.uuid4().hex[:8]}"})
        url = args.db or f"sqlite:///{work / mode / 'voxsight.db'}"
        if args.db:
            url = helpers.fresh_database(args.db)
            upgrade(url)
        site = site.with_overrides(store={"url": url})
        store = Store(url)
        queue = jobs.open_queue(site, store)
        worker = Worker(site, store, queue, Analyzer(site, store, engine=engine))
        for path in files:
            jobs.submit(site, store, queue, path)
        started = time.perf_counter()
        while sum(store.jobs.counts().get(s, 0) for s in ("done", "failed", "dead")) < len(files):
            worker.step(block_ms=100)
        elapsed = time.perf_counter() - started
        assert store.jobs.counts() == {"done": len(files)}, store.jobs.counts()
        results[mode] = elapsed
        print(f"{mode:<14} concurrency {concurrency:>3}: {elapsed:7.1f} s, {audio_s / elapsed:8.1f}x real time, "
              f"{len(worker.batches)} engine passes", flush=True)
    print(f"batched / one at a time throughput: {results['one at a time'] / results['batched']:.2f}x")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=16, help="jobs per pass in the batched mode")
    parser.add_argument("--batch-size-s", type=float, default=15.0, help="engine.batch_size_s (raise it on a GPU)")
    parser.add_argument("--model", help="SenseVoiceSmall directory (default: a synthetic full-size one)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--db", help="a PostgreSQL URL whose server gets a fresh database per mode")
    parser.add_argument("--redis", help="a Redis URL (default: embedded, no Redis)")
    return parser.parse_args()


if __name__ == "__main__":
    main()
