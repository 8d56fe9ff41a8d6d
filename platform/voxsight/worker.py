"""A worker: loads the models once, takes jobs, analyzes them together, records each outcome.

One model per process (funasr's model is not thread-safe); scale by adding processes or hosts.
A worker takes up to ``queue.concurrency`` jobs at once and packs all their speech segments into
shared batches. A heartbeat thread keeps its jobs' leases (SQL) and messages (Redis) fresh and
its registry entry alive; when it stops (SIGKILL, power loss) another worker takes the jobs over.

Outcomes: done (with the analysis id); failed at once on an error that says retrying cannot help
(``VoxsightError.permanent``: an ``AudioError`` for input that is undecodable, empty or over
limits, or ``Abandoned``); anything else is transient and retried with exponential backoff until
``queue.max_attempts``, then the job is dead with its last error.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import redis
import sqlalchemy.exc

from voxsight import redacted_audio
from voxsight.analysis import Analyzer, Request
from voxsight.cache import ResultCache
from voxsight.config import Config
from voxsight.errors import Abandoned, StorageUnavailable, VoxsightError
from voxsight.notifications import Dispatcher
from voxsight.operations import Actor, Door
from voxsight.operations.compliance import retention_run
from voxsight.queue import Delivery, RedisQueue, WorkerInfo
from voxsight.site import Site
from voxsight.store import Store
from voxsight.store.jobs import JobInfo

log = logging.getLogger(__name__)


@dataclass
class _Held:
    job: JobInfo
    delivery: Delivery | None  # None in the embedded mode, where SQL alone is the queue


class Worker:
    def __init__(self, config: Config, store: Store, queue: RedisQueue | None,
                 analyzer: Analyzer | None = None, worker_id: str | None = None,
                 stopping: threading.Event | None = None):
        self.config = config
        self.store = store
        self.queue = queue
        self.analyzer = analyzer or Analyzer(config, store)
        self.id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        # Set by SIGTERM/SIGINT; the CLI passes one in, watched from the process's first moments.
        self.stopping = stopping or threading.Event()
        self.processed = 0
        self.batches: list[int] = []  # jobs per engine pass, for the registry and benchmarks
        self._held: list[_Held] = []
        self._lock = threading.Lock()
        self._started = datetime.now(timezone.utc)
        self._last_reconcile = 0.0
        self._last_delivery = 0.0
        self._last_retention: float | None = None
        self.dispatcher = Dispatcher(config.alerts, store, queue.redis if queue else None, config.queue.prefix)

    # -- serving

    def serve(self, install_signal_handlers: bool = True) -> None:
        """Take and run jobs until stopped. SIGTERM/SIGINT: finish the jobs in hand, take no
        more, exit."""
        if install_signal_handlers:
            stop_on_signals(self.stopping)
        if self.stopping.is_set():
            return
        self.analyzer.load()  # load the models before taking any job
        log.info("worker %s serving (%s)", self.id, "redis" if self.queue else "embedded")
        with self._heartbeating():
            while not self.stopping.is_set():
                try:
                    if not self.step() and self.queue is None:
                        self.stopping.wait(self.config.queue.poll_s)
                except (redis.RedisError, sqlalchemy.exc.OperationalError) as exc:
                    # Redis or SQL away for a while: keep serving once they are back.
                    log.warning("worker %s: %s; retrying", self.id, exc)
                    self.stopping.wait(self.config.queue.poll_s)

    def drain(self) -> None:
        """Run every due job, then return (the embedded mode of ``voxsight submit``)."""
        with self._heartbeating():
            while not self.stopping.is_set() and self.step(block_ms=0):
                pass

    @contextlib.contextmanager
    def _heartbeating(self):
        done = threading.Event()
        thread = threading.Thread(target=self._heartbeat_loop, args=(done,), name="heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()
            if self.queue:
                self.queue.unregister_worker(self.id)

    def step(self, block_ms: int | None = None) -> bool:
        """Take up to ``concurrency`` jobs and run them; False when there was nothing to do."""
        self.reconcile_if_due()
        self.deliver_if_due()
        self.retention_if_due()
        held = self._take(self.config.queue.poll_s * 1000 if block_ms is None else block_ms)
        if not held:
            return False
        self.run(held)
        return True

    def reconcile_if_due(self) -> int:
        if self.queue is None or time.monotonic() - self._last_reconcile < self.config.queue.reconcile_interval_s:
            return 0
        self._last_reconcile = time.monotonic()
        return reconcile(self.store, self.queue)

    def deliver_if_due(self) -> None:
        """Send the alert notifications waiting in the outbox (every ``alerts.deliver_interval_s``)."""
        if time.monotonic() - self._last_delivery < self.config.alerts.deliver_interval_s:
            return
        self._last_delivery = time.monotonic()
        try:
            self.dispatcher.deliver()
        except Exception:  # SQL away: the outbox keeps everything for the next pass
            log.exception("alert notifications not delivered")

    def retention_if_due(self) -> None:
        """Remove what the retention policy says expired (every ``retention.every_minutes``, from the
        first step on), audited as the worker's; every worker does, and they do not get in each
        other's way (each removal is its own transaction of what is still there)."""
        r = self.config.retention
        if not r.every_minutes or not any(r.kinds().values()) or (
                self._last_retention is not None and time.monotonic() - self._last_retention < r.every_minutes * 60):
            return
        self._last_retention = time.monotonic()
        try:
            q = self.config.queue
            site = Site(self.config, self.store, self.queue, ResultCache(q.redis_url or None, q.prefix))
            retention_run(site, Actor.local(Door.WORKER))
        except Exception:  # SQL or storage away: the next run removes it
            log.exception("retention run failed")

    # -- one pass: claim in SQL, analyze together, record outcomes, acknowledge

    def _take(self, block_ms: float) -> list[_Held]:
        limit, lease = self.config.queue.concurrency, self.config.queue.visibility_timeout_s
        if self.queue is None:
            return [_Held(job, None) for job in self.store.jobs.claim_next(self.id, lease, limit)]
        held = []
        for delivery in self.queue.take(self.id, limit, int(block_ms)):
            job = self.store.jobs.claim(delivery.job_id, self.id, lease)
            if job is None:  # finished already (a duplicate delivery), or not due: nothing to run
                self.queue.ack(delivery)
            else:
                held.append(_Held(job, delivery))
        return held

    def run(self, held: list[_Held]) -> None:
        """Run the jobs in hand: together, except those a worker already died running, which run
        alone, after the others are safely recorded."""
        with self._lock:
            self._held = list(held)
        try:
            runnable = []
            for h in held:
                if h.job.attempts > self.config.queue.max_attempts:
                    self._record(h, Abandoned(f"abandoned after {h.job.attempts - 1} attempts: "
                                              f"{h.job.crashes} worker(s) died while running it"))
                elif redacted_audio.readable(h.job.audio_path) is None:
                    self._record(h, StorageUnavailable(f"stored audio {h.job.audio_path} is not readable"))
                else:
                    runnable.append(h)
            together = [h for h in runnable if not h.job.crashes]
            alone = [[h] for h in runnable if h.job.crashes]
            for group in ([together] if together else []) + alone:
                self._run_together(group)
        finally:
            with self._lock:
                self._held = []

    def _run_together(self, group: list[_Held]) -> None:
        self.batches.append(len(group))
        requests = [Request(redacted_audio.readable(h.job.audio_path), progress=self._progress_reporter(h.job.id),
                            sha256=h.job.sha256, name=h.job.filename, stored=True) for h in group]
        for h, outcome in zip(group, self.analyzer.analyze_many(requests)):
            self._record(h, outcome)
            with self._lock:
                self._held = [other for other in self._held if other is not h]

    def _record(self, h: _Held, outcome) -> None:
        jobs, q = self.store.jobs, self.config.queue
        try:
            if isinstance(outcome, VoxsightError) and outcome.permanent:  # retrying cannot help
                jobs.fail(h.job.id, str(outcome))
            elif isinstance(outcome, Exception):
                status = jobs.retry_later(h.job.id, str(outcome), q.max_attempts, q.retry_backoff_s)
                log.warning("job %s attempt %s failed (%s): %s", h.job.id, h.job.attempts, status, outcome)
            else:
                jobs.finish(h.job.id, outcome.analysis_id, outcome.timings_s)
                self.processed += 1
        except Exception:
            # SQL unreachable: leave the message unacknowledged; the job is taken over after its lease.
            log.exception("cannot record the outcome of job %s", h.job.id)
            return
        if h.delivery is not None:
            self.queue.ack(h.delivery)
        if not isinstance(outcome, Exception):
            try:  # the original goes once its redacted copy exists (``voxsight.redacted_audio``)
                redacted_audio.settle(h.job.audio_path, self.config.redaction)
            except OSError:
                log.exception("cannot delete the original audio of job %s", h.job.id)

    def _progress_reporter(self, job_id: int):
        last = [0.0]

        def report(done: int, total: int) -> None:
            if done == total or time.monotonic() - last[0] >= 1.0:  # at most once a second
                last[0] = time.monotonic()
                self.store.jobs.report_progress(job_id, done, total)
        return report

    # -- heartbeat: leases, message idle times and the registry entry

    def _heartbeat_loop(self, done: threading.Event) -> None:
        interval = self.config.queue.visibility_timeout_s / 4
        while True:
            try:
                self.heartbeat()
            except Exception:
                log.exception("heartbeat failed")
            if done.wait(interval):
                return

    def heartbeat(self) -> None:
        with self._lock:
            held = list(self._held)
        lease = self.config.queue.visibility_timeout_s
        if self.queue is not None:  # first: a worker stays visible whatever else fails
            self.queue.register_worker(self.info(held), ttl_s=lease)
        if held:
            self.store.jobs.extend_leases([h.job.id for h in held], self.id, lease)
        if self.queue is not None:
            self.queue.touch(self.id, [h.delivery for h in held if h.delivery])

    def info(self, held: list[_Held] | None = None) -> WorkerInfo:
        return WorkerInfo(
            id=self.id, host=socket.gethostname(), pid=os.getpid(), device=self.config.engine.device,
            model_id=self.analyzer.model.model_id,
            jobs_in_hand=tuple(h.job.id for h in (held if held is not None else self._held)),
            processed=self.processed, started_at=self._started, seen_at=datetime.now(timezone.utc),
            speaker_model_id=self.analyzer.parameters.get("speaker_model_id"),
        )


def stop_on_signals(stopping: threading.Event) -> None:
    """SIGTERM and SIGINT ask for a graceful stop: finish the jobs in hand, take no more, exit 0."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())


def reconcile(store: Store, queue: RedisQueue) -> int:
    """Enqueue every job SQL says should be waiting for a worker but Redis does not hold: after
    Redis lost its data, a retry's backoff ran out, or a worker died after Redis forgot it.
    Returns how many were enqueued."""
    due = store.jobs.needing_queue()
    present = queue.enqueued([job_id for job_id, _ in due])
    return sum(queue.enqueue(job_id, priority) for job_id, priority in due if job_id not in present)

