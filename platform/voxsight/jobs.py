"""Submitting recordings as jobs: the audio goes to shared storage, the job to SQL, its id to Redis.

SQL is written first: if Redis is down or loses the message, the job is still queued in SQL and
a worker's reconciler enqueues it again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from voxsight.audio import AudioError
from voxsight.config import Config
from voxsight.queue import RedisQueue
from voxsight.store import Store
from voxsight.store.jobs import JobInfo


def open_queue(config: Config) -> RedisQueue | None:
    """The site's Redis queue, or None for the embedded (Redis-less) mode."""
    q = config.queue
    return RedisQueue(q.redis_url, q.prefix, q.visibility_timeout_s) if q.redis_url else None


def submit(config: Config, store: Store, queue: RedisQueue | None, path: str | Path,
           call_metadata: dict | None = None, priority: str = "normal") -> JobInfo:
    sha256, size, stored = store_audio(config.storage_dir, Path(path))
    job = store.jobs.create(sha256, Path(path).name, size, str(stored), priority, call_metadata)
    if queue is not None:
        queue.enqueue(job.id, priority)
    return job


def store_audio(storage_dir: Path, path: Path) -> tuple[str, int, Path]:
    """Copy a file into content-addressed storage (``<dir>/ab/abcdef…/name.wav``); returns its
    sha256, size and stored path. The same bytes are stored once, under the first name given;
    the name is kept so that errors name the file a user knows."""
    storage_dir.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    copy = tempfile.NamedTemporaryFile(dir=storage_dir, delete=False)
    try:
        with path.open("rb") as source, copy:
            while block := source.read(1 << 20):
                digest.update(block)
                size += len(block)
                copy.write(block)
    except OSError as exc:
        os.unlink(copy.name)
        raise AudioError(f"{path.name}: cannot read the file ({exc.strerror})") from exc
    sha256 = digest.hexdigest()
    folder = storage_dir / sha256[:2] / sha256
    existing = sorted(folder.glob("*")) if folder.is_dir() else []
    if existing:
        os.unlink(copy.name)
        return sha256, size, existing[0]
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / (path.name or "audio")
    shutil.move(copy.name, stored)  # a rename on one filesystem: nobody sees half a file
    return sha256, size, stored
