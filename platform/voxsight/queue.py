"""The job queue on Redis Streams: one stream per priority, one consumer group of workers.

A message carries a job id and nothing else; SQL holds the job. Redis gives at-least-once
delivery: a message stays in the group's pending-entries list until its worker acknowledges it,
and a message whose worker stopped touching it for ``visibility_timeout_s`` is taken over by
another worker with XAUTOCLAIM. A set of enqueued job ids makes enqueueing idempotent, and lets
the reconciler see which jobs Redis has lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis

from voxsight.errors import QueueError, SiteMismatch
from voxsight.records import Record, Time
from voxsight.store.schema import Priority

GROUP = "workers"

# Add the job to its stream unless it is already enqueued (atomic, so racing reconcilers and
# submitters put one message per job). Messages carry the site they belong to.
_ENQUEUE = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('XADD', KEYS[2], '*', 'job', ARGV[1], 'site', ARGV[2])
  return 1
end
return 0
"""


@dataclass(frozen=True)
class Delivery:
    """One message handed to one worker; acknowledged when the job's outcome is in SQL."""

    stream: str
    message_id: str
    job_id: int


@dataclass(frozen=True)
class QueueDepth(Record):
    """One priority's stream: messages waiting for a worker, and messages in workers' hands
    (Redis's pending entries)."""

    waiting: int
    in_hand: int


@dataclass(frozen=True)
class WorkerInfo(Record):
    """A live worker as its last heartbeat registered it."""

    id: str
    host: str
    pid: int
    device: str
    model_id: str
    jobs_in_hand: tuple[int, ...]
    processed: int  # jobs finished since it started
    started_at: Time
    seen_at: Time  # its last heartbeat
    speaker_model_id: str | None = None  # CAM++, when it diarizes mono calls

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> "WorkerInfo":
        return cls(
            id=document["id"], host=document["host"], pid=document["pid"], device=document["device"],
            model_id=document["model_id"], jobs_in_hand=tuple(document["jobs_in_hand"]),
            processed=document["processed"], started_at=datetime.fromisoformat(document["started_at"]),
            seen_at=datetime.fromisoformat(document["seen_at"]), speaker_model_id=document.get("speaker_model_id"),
        )


class RedisQueue:
    def __init__(self, url: str, site_id: str, prefix: str = "voxsight", visibility_timeout_s: float = 60.0):
        self.redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=30,
                                          socket_connect_timeout=5, health_check_interval=30)
        self.site_id = site_id
        self.prefix = prefix
        self.site_key = f"{prefix}:site"
        self.visibility_timeout_ms = int(visibility_timeout_s * 1000)
        self.streams = {p: f"{prefix}:jobs:{p.value}" for p in Priority}  # in the order they are served
        self.enqueued_ids = f"{prefix}:jobs:enqueued"
        self._enqueue = self.redis.register_script(_ENQUEUE)
        self._groups_ready = False

    def ping(self) -> None:
        """Check that Redis answers and that this prefix is this site's (claiming it if new)."""
        try:
            self.redis.ping()
            self.claim_site()
        except redis.RedisError as exc:
            raise QueueError(f"cannot reach Redis at {self._where()}: {exc}") from exc

    def claim_site(self) -> None:
        self.redis.set(self.site_key, self.site_id, nx=True)
        self._check_site(self.redis.get(self.site_key))

    def enqueue(self, job_id: int, priority: Priority | str) -> bool:
        """Put a job on its stream; False if it is enqueued already."""
        return bool(self._enqueue(keys=[self.enqueued_ids, self.streams[Priority(priority)]],
                                  args=[job_id, self.site_id]))

    def enqueued(self, job_ids: list[int]) -> set[int]:
        """Which of these jobs Redis holds (waiting or pending)."""
        if not job_ids:
            return set()
        flags = self.redis.smismember(self.enqueued_ids, job_ids)
        return {job_id for job_id, flag in zip(job_ids, flags) if flag}

    def take(self, consumer: str, count: int, block_ms: int = 1000) -> list[Delivery]:
        """Up to ``count`` messages for this consumer, high priority before normal; blocks up to
        ``block_ms`` when there are none. A message abandoned by a dead worker comes first, and
        alone: the file in it may be what killed that worker, and must not take others down.

        Raises:
            SiteMismatch: a message belongs to another site (two sites share this prefix).
        """
        self._ensure_groups()
        try:
            taken = self._reclaim(consumer, 1)
            if taken:
                return taken
            for stream in self.streams.values():  # high first, without waiting
                if len(taken) < count:
                    taken += self._read(consumer, {stream: ">"}, count - len(taken), None)
            if not taken:
                taken = self._read(consumer, {s: ">" for s in self.streams.values()}, count, block_ms)
            return taken
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            self._groups_ready = False  # Redis lost its data: recreate the groups next time
            return []

    def touch(self, consumer: str, deliveries: list[Delivery]) -> None:
        """Reset the idle time of messages in hand, so that no other worker claims them. Messages
        Redis has lost (a flush) are skipped: the reconciler enqueues their jobs again."""
        pipe = self.redis.pipeline(transaction=False)
        for d in deliveries:
            pipe.xclaim(d.stream, GROUP, consumer, 0, [d.message_id], justid=True)
        for reply in pipe.execute(raise_on_error=False):
            if isinstance(reply, redis.ResponseError) and "NOGROUP" not in str(reply):
                raise reply

    def ack(self, delivery: Delivery) -> None:
        """The job's outcome is in SQL: forget the message."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.xack(delivery.stream, GROUP, delivery.message_id)
        pipe.xdel(delivery.stream, delivery.message_id)
        pipe.srem(self.enqueued_ids, delivery.job_id)
        pipe.execute()

    def depth(self) -> dict[Priority, QueueDepth]:
        """Per priority, in the order they are served: messages waiting, and messages in hand."""
        depth = {}
        for priority, stream in self.streams.items():
            pending = 0
            try:
                pending = self.redis.xpending(stream, GROUP)["pending"]
            except redis.ResponseError:  # no stream or no group yet
                pass
            depth[priority] = QueueDepth(waiting=self.redis.xlen(stream) - pending, in_hand=pending)
        return depth

    # -- worker registry: one key per live worker, expiring unless its heartbeat renews it

    def register_worker(self, info: WorkerInfo, ttl_s: float) -> None:
        self.redis.set(f"{self.prefix}:worker:{info.id}", json.dumps(info.to_json()), px=int(ttl_s * 1000))

    def unregister_worker(self, worker_id: str) -> None:
        self.redis.delete(f"{self.prefix}:worker:{worker_id}")

    def workers(self) -> list[WorkerInfo]:
        """The live workers, by id."""
        keys = sorted(self.redis.scan_iter(match=f"{self.prefix}:worker:*", count=1000))
        return [WorkerInfo.from_json(json.loads(v)) for v in self.redis.mget(keys) if v] if keys else []

    def _ensure_groups(self) -> None:
        if self._groups_ready:
            return
        self.claim_site()  # first use, or Redis lost its data: the prefix may have a new owner
        for stream in self.streams.values():
            try:
                self.redis.xgroup_create(stream, GROUP, id="0", mkstream=True)
            except redis.ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
        self._groups_ready = True

    def _reclaim(self, consumer: str, count: int) -> list[Delivery]:
        taken: list[Delivery] = []
        for stream in self.streams.values():
            if len(taken) >= count:
                break
            _, messages, *_ = self.redis.xautoclaim(stream, GROUP, consumer, self.visibility_timeout_ms,
                                                    start_id="0-0", count=count - len(taken))
            taken += self._deliveries(stream, messages)
        return taken

    def _read(self, consumer: str, streams: dict[str, str], count: int, block_ms: int | None) -> list[Delivery]:
        replies = self.redis.xreadgroup(GROUP, consumer, streams, count=count, block=block_ms) or []
        return [d for stream, messages in replies for d in self._deliveries(stream, messages)]

    def _deliveries(self, stream: str, messages: list) -> list[Delivery]:
        # A message deleted while pending comes back without fields: nothing to run. Messages
        # from before sites had identities carry none; the prefix's own check covers them.
        for _, fields in messages:
            if fields and "site" in fields:
                self._check_site(fields["site"])
        return [Delivery(stream, message_id, int(fields["job"])) for message_id, fields in messages if fields]

    def _check_site(self, site_id: str | None) -> None:
        if site_id != self.site_id:
            raise SiteMismatch(
                f"Redis {self._where()} prefix {self.prefix!r} serves site {site_id or 'unknown'}, but this "
                f"database is site {self.site_id}: two sites share one queue. Give each site its own "
                "queue.prefix or Redis database; nothing was taken from the other site's queue"
            )

    def _where(self) -> str:
        kwargs = self.redis.connection_pool.connection_kwargs
        return f"{kwargs.get('host')}:{kwargs.get('port')}/{kwargs.get('db')}"
