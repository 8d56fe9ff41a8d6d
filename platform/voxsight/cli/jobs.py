"""``submit``, ``jobs``, ``job``, ``workers`` and ``worker``: the queue, from both ends; and
``recording``: a stored call's metadata changed (the only way it changes: a submit of the same
bytes never rewrites it)."""

from __future__ import annotations

import argparse
import sys

from voxsight import audio, config as config_module
from voxsight.cli import render
from voxsight.cli.db import open_site, open_store
from voxsight.errors import NotFound


def add_commands(commands) -> None:
    from voxsight.store.schema import JobStatus, Priority

    sub = commands.add_parser("submit", help="store recordings and queue them for the workers")
    sub.add_argument("paths", nargs="+", metavar="PATH", help="audio files or folders (searched recursively)")
    sub.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE",
                     help="call metadata (agent, customer, queue, call time...); repeatable")
    sub.add_argument("--priority", choices=[p.value for p in Priority], default=Priority.NORMAL.value)
    sub.add_argument("--json", action="store_true", help="a JSON list of the jobs")
    sub.set_defaults(run=_submit)

    jobs = commands.add_parser("jobs", help="list jobs, newest first")
    jobs.add_argument("--status", choices=[s.value for s in JobStatus])
    jobs.add_argument("--limit", type=int, default=50)
    jobs.add_argument("--json", action="store_true")
    jobs.set_defaults(run=_jobs)

    job = commands.add_parser("job", help="one job's state")
    job.add_argument("id", type=int)
    job.add_argument("--json", action="store_true")
    job.set_defaults(run=_job)

    recording = commands.add_parser("recording", help="change a stored call's metadata (audited, old and new)")
    recording.add_argument("id", type=int)
    recording.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE", required=True,
                           help="a call metadata field to set (KEY= removes it); repeatable")
    recording.add_argument("--json", action="store_true")
    recording.set_defaults(run=_recording)


def add_worker_commands(commands) -> None:
    workers = commands.add_parser("workers", help="live workers and the queue's depth")
    workers.add_argument("--json", action="store_true")
    workers.set_defaults(run=_workers)

    worker = commands.add_parser("worker", help="load the models once and run jobs until stopped")
    worker.add_argument("--device", help="cuda:0, cpu... (default: engine.device)")
    worker.add_argument("--concurrency", type=int, help="jobs taken at once (default: queue.concurrency)")
    worker.set_defaults(run=_worker)


def key_values(items: list[str]) -> dict[str, str] | None:
    """``--meta KEY=VALUE`` options as a mapping; None (after saying why) when one is not that."""
    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            render.note(f"--meta wants KEY=VALUE, not {item!r}")
            return None
        pairs[key] = value
    return pairs


def _submit(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import jobs
    from voxsight.cache import ResultCache
    from voxsight.operations import Actor, Door, recordings
    from voxsight.site import Site

    metadata = key_values(args.meta)
    if metadata is None:
        return 2
    found = audio.find_audio_files(args.paths)
    render.found_files(found, args.paths)
    if not found.files:
        return 1
    store = open_store(args, config)
    queue = jobs.open_queue(config, store)
    site = Site(config, store, queue, ResultCache(None))
    done = recordings.submit(site, Actor.local(Door.CLI), found.files, metadata, args.priority)
    for refused in done.refused:
        render.note(refused)
    if done.refused:
        render.note(f"{len(done.refused)} of {len(found.files)} files could not be submitted")
    submitted = list(done.jobs)
    if queue is None and submitted:
        # Embedded: no Redis, so this process is the worker, on the same job path.
        from voxsight.worker import Worker

        render.note(f"no queue.redis_url configured: running {len(submitted)} job(s) here")
        Worker(config, store, None).drain()
        submitted = [store.jobs.get(j.id) for j in submitted]
    if args.json:
        print(render.as_json([j.to_json() for j in submitted]))
    else:
        for j in submitted:
            print(j.id)
    return 1 if done.refused else 0


def _jobs(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import Actor, Door, recordings

    listed = recordings.job_list(open_site(args, config), Actor.local(Door.CLI), args.status, args.limit)
    if args.json:
        print(render.as_json([j.to_json() for j in listed]))
        return 0
    for j in listed:
        print(render.job_line(j))
    return 0


def _job(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import Actor, Door, recordings

    j = recordings.job(open_site(args, config), Actor.local(Door.CLI), args.id)
    if j is None:
        raise NotFound(f"no job {args.id}")
    print(render.as_json(j.to_json()) if args.json else render.job(j))
    return 0


def _recording(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight.operations import Actor, Door, recordings

    changes = key_values(args.meta)
    if changes is None:
        return 2
    changes = {key: value or None for key, value in changes.items()}  # KEY= removes it
    r = recordings.update_metadata(open_site(args, config), Actor.local(Door.CLI), args.id, changes)
    print(render.as_json(r.to_json()) if args.json else
          f"recording {r.id}: " + ", ".join(f"{k}={v}" for k, v in sorted(r.call_metadata.items())))
    return 0


def _workers(args: argparse.Namespace, config: config_module.Config) -> int:
    from voxsight import jobs

    queue = jobs.open_queue(config, open_store(args, config))
    if queue is None:
        render.note("no queue.redis_url configured: jobs run in the process that submits them")
        return 1
    live, depth = queue.workers(), queue.depth()
    if args.json:
        print(render.workers_json(live, depth))
        return 0
    for w in live:
        print(render.worker_line(w))
    print(render.workers_summary(live, depth))
    return 0


def _worker(args: argparse.Namespace, config: config_module.Config) -> int:
    import signal
    import threading

    # Before anything slow (imports, models): a SIGTERM while the worker starts is a graceful stop too.
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    print("voxsight: worker starting (SIGTERM or Ctrl-C stops it gracefully)", file=sys.stderr, flush=True)
    from voxsight import jobs
    from voxsight.worker import Worker

    config = config.with_overrides(
        engine={"device": args.device} if args.device else {},
        queue={"concurrency": args.concurrency} if args.concurrency else {},
    )
    store = open_store(args, config)
    worker = Worker(config, store, jobs.open_queue(config, store), stopping=stopping)
    render.note(f"worker {worker.id} loading models")
    worker.serve()
    render.note(f"worker {worker.id} stopped after {worker.processed} job(s)")
    return 0
