"""Alert notifications: the SQL outbox delivered as signed JSON webhooks, and a Redis channel.

Every alert event is written to the outbox in the transaction that makes it (``store.alerts``);
the ``Dispatcher`` posts each entry to ``alerts.webhook_url`` until the receiver answers 2xx,
retrying with exponential backoff (``retry_backoff_s`` doubling up to ``max_backoff_s``) for as
long as it takes, and logging every attempt. Delivery is at least once: a receiver may see an
event twice (we posted, it answered, the answer was lost) and drops the repeat by its
``Idempotency-Key``. Workers run a pass every ``deliver_interval_s``; ``voxsight alerts deliver``
runs one by hand.

Each request carries ``X-Voxsight-Timestamp`` (Unix seconds) and ``X-Voxsight-Signature:
v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>``; ``verify`` is the receiver's check (README).
Signing the timestamp with the body lets a receiver refuse replays of old requests.

The Redis channel ``<queue.prefix>:alerts`` gets each event once, for a console that is
listening; pub/sub keeps nothing for absent listeners, so the outbox stays the durable path.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from voxsight.config import AlertsConfig
from voxsight.store import Store

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Voxsight-Signature"
TIMESTAMP_HEADER = "X-Voxsight-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def channel(prefix: str) -> str:
    """The Redis pub/sub channel of alert events."""
    return f"{prefix}:alerts"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, tolerance_s: float = 300,
           now: float | None = None) -> bool:
    """The receiver's check: the signature matches and the timestamp is recent (no replays)."""
    try:
        moment = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - moment) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, moment, body), signature or "")


@dataclass(frozen=True)
class DeliverySummary:
    delivered: int = 0
    failed: int = 0
    published: int = 0


class Dispatcher:
    def __init__(self, config: AlertsConfig, store: Store, redis_client: Any = None, prefix: str = "voxsight"):
        self.config = config
        self.store = store
        self.redis = redis_client
        self.channel = channel(prefix)
        # No proxy from the environment: the receiver is on the site's own network.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def deliver(self) -> DeliverySummary:
        """One pass over the due outbox entries. Stops early when the receiver is unreachable, so
        that a receiver that is down costs one timeout per pass, not one per entry."""
        entries = self.store.alerts.due(self.config.deliver_batch)
        published = self._publish([e for e in entries if not e.published])
        delivered = failed = 0
        if not self.config.webhook_url:
            self.store.alerts.settle([e.id for e in entries])  # nothing to post to: the channel was all
            return DeliverySummary(0, 0, published)
        for entry in entries:
            body = json.dumps(entry.payload, ensure_ascii=False, sort_keys=True).encode()
            status, error, started = None, None, time.monotonic()
            try:
                status = self._post(body, entry.idempotency_key)
                if not 200 <= status < 300:
                    error = f"HTTP {status}"
            except urllib.error.HTTPError as exc:
                status, error = exc.code, f"HTTP {exc.code} {exc.reason}"
            except (urllib.error.URLError, OSError) as exc:
                error = f"unreachable: {getattr(exc, 'reason', exc)}"
            elapsed_ms = round((time.monotonic() - started) * 1000)
            if error is None:
                self.store.alerts.attempted(entry.id, status, None, elapsed_ms, None)
                delivered += 1
                continue
            retry_in = min(self.config.retry_backoff_s * 2 ** entry.attempts, self.config.max_backoff_s)
            self.store.alerts.attempted(entry.id, status, error, elapsed_ms, retry_in)
            failed += 1
            log.warning("alert webhook %s: %s; retry in %.0f s", entry.idempotency_key, error, retry_in)
            if status is None:
                break  # unreachable: the others would time out too
        return DeliverySummary(delivered, failed, published)

    def _post(self, body: bytes, key: str) -> int:
        timestamp = int(time.time())
        request = urllib.request.Request(self.config.webhook_url, data=body, method="POST", headers={
            "Content-Type": "application/json", TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(self.config.webhook_secret, timestamp, body), IDEMPOTENCY_HEADER: key,
            "User-Agent": "voxsight-alerts",
        })
        with self._opener.open(request, timeout=self.config.webhook_timeout_s) as response:
            return response.status

    def _publish(self, entries) -> int:
        if self.redis is None or not entries:
            return 0
        done = []
        try:
            for e in entries:
                self.redis.publish(self.channel, json.dumps(e.payload, ensure_ascii=False))
                done.append(e.id)
        except Exception as exc:  # the live feed is best effort; the webhook goes on
            log.warning("alert events not published on %s: %s", self.channel, exc)
        self.store.alerts.published(done)
        return len(done)
