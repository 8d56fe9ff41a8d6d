"""A site: its configuration and what every action needs open, the store, the queue and the cache.

The CLI, the API, the console and the embedded site all act through one of these; it lives in the
core so that the operations below every door can take it.
"""

from __future__ import annotations

from dataclasses import dataclass

from voxsight import jobs
from voxsight.cache import ResultCache
from voxsight.config import Config
from voxsight.queue import RedisQueue
from voxsight.store import Store


@dataclass
class Site:
    """Everything an action may use, opened once."""

    config: Config
    store: Store
    queue: RedisQueue | None  # None: embedded mode (jobs wait in SQL for the embedded worker)
    cache: ResultCache

    @classmethod
    def open(cls, config: Config, store: Store | None = None, queue: RedisQueue | None = None) -> Site:
        """The configured store, queue (none when no Redis is configured) and result cache."""
        store = store or Store(config.store_url)
        if queue is None:
            queue = jobs.open_queue(config, store)
        return cls(config, store, queue,
                   ResultCache(config.queue.redis_url or None, config.queue.prefix, config.web.cache_ttl_s))
