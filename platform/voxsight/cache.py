"""A Redis cache of result pages (a recording with its analysis, a search page, a report).

Keys are versioned, not invalidated: each key holds the store's change mark
(``RecordingStore.version``: the newest analysis, alert event and job ids), so a page cached before
a new analysis, an alert action or a rule backfill is simply never asked for again, whichever
process made the change (a worker, the CLI, another API server), and expires after ``ttl_s``.
There is nothing to forget to invalidate. Reading the mark costs three index lookups. Only where
stored text is rewritten or erased (``voxsight.compliance``) are the cached pages removed outright
(``purge``): a page under an old mark must not keep a value in Redis until it expires.

The cache never fails a request: with no Redis configured, or Redis down, pages are built each time.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, Callable

import redis

log = logging.getLogger(__name__)


class ResultCache:
    def __init__(self, redis_url: str | None, prefix: str = "voxsight", ttl_s: float = 600.0):
        self._redis = redis.Redis.from_url(redis_url, socket_timeout=1.0) if redis_url else None
        self._prefix, self._ttl_s = prefix, ttl_s

    @property
    def enabled(self) -> bool:
        return self._redis is not None

    def key(self, kind: str, version: str, params: dict[str, Any]) -> str:
        digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:32]
        return f"{self._prefix}:cache:{kind}:{version}:{digest}"

    def get_or_build(self, kind: str, version: str, params: dict[str, Any],
                     build: Callable[[], Any]) -> tuple[Any, str]:
        """The cached JSON value for (kind, version, params), or ``build()``'s, stored; and where
        it came from: ``hit``, ``miss`` (built and stored) or ``off`` (no cache)."""
        if self._redis is None:
            return build(), "off"
        key = self.key(kind, version, params)
        try:
            if (cached := self._redis.get(key)) is not None:
                return json.loads(cached), "hit"
        except redis.RedisError as exc:
            log.warning("result cache unavailable (%s): building %s uncached", exc, kind)
            return build(), "off"
        value = build()
        try:
            self._redis.set(key, json.dumps(value, default=str), px=int(self._ttl_s * 1000))
        except redis.RedisError as exc:
            log.warning("result cache unavailable (%s): %s not cached", exc, kind)
            return value, "off"
        return value, "miss"

    def purge(self) -> int:
        """Remove every cached page now; returns how many. Raises ``redis.RedisError`` when Redis
        is configured and does not answer: what must be gone from it cannot be left to expiry."""
        if self._redis is None:
            return 0
        removed = 0
        for keys in _batched(self._redis.scan_iter(match=f"{self._prefix}:cache:*", count=500), 500):
            removed += self._redis.delete(*keys)
        return removed


def _batched(items, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
