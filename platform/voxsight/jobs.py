"""Submitting recordings as jobs: the audio goes to shared storage, the job to SQL, its id to Redis.

SQL is written first: if Redis is down or loses the message, the job is still queued in SQL and
a worker's reconciler enqueues it again.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from voxsight import models, recipe, redacted_audio, redaction
from voxsight.audio import AudioError, hash_file, read_head, stored_name
from voxsight.config import Config
from voxsight.queue import RedisQueue
from voxsight.store import Store
from voxsight.store.jobs import JobInfo
from voxsight.results import AnalysisResult
from voxsight.store.schema import Priority


def open_queue(config: Config, store: Store) -> RedisQueue | None:
    """The site's Redis queue, checked to answer and to belong to this site (the store's), or None
    for the embedded (Redis-less) mode."""
    q = config.queue
    if not q.redis_url:
        return None
    queue = RedisQueue(q.redis_url, store.site_id, q.prefix, q.visibility_timeout_s)
    queue.ping()
    return queue


@dataclass(frozen=True)
class Submitted:
    """What ``submit_many`` did: a job for each file it stored, and why it refused the others."""

    jobs: tuple[JobInfo, ...]
    refused: tuple[AudioError, ...]  # files that could not be read: nothing stored, no job


def submit(config: Config, store: Store, queue: RedisQueue | None, path: str | Path,
           call_metadata: dict | None = None, priority: Priority | str = Priority.NORMAL) -> JobInfo:
    """Store one file's audio and queue a job for it.

    Raises:
        AudioError: the file cannot be read (nothing is stored).
    """
    sha256, size, stored = store_audio(config.storage_dir, Path(path))
    job = store.jobs.create(sha256, redaction.masked(Path(path).name, config.redaction), size, str(stored), priority,
                            call_metadata)
    if queue is not None:
        queue.enqueue(job.id, job.priority)
    return job


def submit_many(config: Config, store: Store, queue: RedisQueue | None, paths: Iterable[str | Path],
                call_metadata: dict | None = None, priority: Priority | str = Priority.NORMAL) -> Submitted:
    """Submit several files (``audio.find_audio_files`` expands folders into them), each with the
    same call metadata and priority; a file that cannot be read is refused, the others go on."""
    submitted, refused = [], []
    for path in paths:
        try:
            submitted.append(submit(config, store, queue, path, call_metadata, priority))
        except AudioError as exc:
            refused.append(exc)
    return Submitted(tuple(submitted), tuple(refused))


def stored_analysis(config: Config, store: Store, sha256: str) -> AnalysisResult | None:
    """The stored analysis these bytes would get if analyzed now (the same SenseVoice and Whisper
    models, the same parameters), if there is one; read from the models' manifests, loading none."""
    try:
        current = recipe.current(config)
    except models.ModelError:  # a model not in place yet: nothing can have been analyzed with it
        return None
    return store.find(sha256, current.model_id, current.key)


def submit_upload(config: Config, store: Store, queue: RedisQueue | None, received: Path, sha256: str,
                  size: int, name: str, call_metadata: dict | None = None, priority: Priority | str = Priority.NORMAL,
                  reuse: AnalysisResult | None = None) -> JobInfo:
    """Submit audio already received into the storage directory (an upload streamed there and
    hashed on the way): it is moved into place, not copied. With ``reuse`` (its ``stored_analysis``)
    the job is finished at once with that analysis, and the bytes dropped again where their redacted
    copy stands for them."""
    stored = place(config.storage_dir, received, sha256, name)
    name = redaction.masked(name, config.redaction)  # the sender's name is kept without personal data
    job = store.jobs.create(sha256, name, size, str(stored), priority, call_metadata)
    if reuse is not None:  # analyzed already: the job is done as it is made, nothing is queued
        store.add_name(sha256, name)
        store.jobs.finish(job.id, reuse.analysis_id, {})
        redacted_audio.settle(stored, config.redaction)
        return store.jobs.get(job.id)
    if queue is not None:
        queue.enqueue(job.id, priority)
    return job


def store_audio(storage_dir: Path, path: Path) -> tuple[str, int, Path]:
    """Copy a file into content-addressed storage (``<dir>/ab/abcdef…/audio.wav``); returns its
    sha256, size and stored path. The same bytes are stored once."""
    storage_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=storage_dir, delete=False) as copy:
        try:
            sha256, size = hash_file(path, copy_to=copy)
        except AudioError:
            os.unlink(copy.name)
            raise
    return sha256, size, place(storage_dir, Path(copy.name), sha256, path.name)


def place(storage_dir: Path, received: Path, sha256: str, name: str) -> Path:
    """Move a file received in ``storage_dir`` to its content address, under a name Voxsight chooses
    by its content (``audio.stored_name``: ``audio.wav``...), never the sender's ``name``, which the
    job keeps to show; if those bytes are stored already, drop it and return the stored copy (which
    may carry the sender's name: stored before names were chosen, it is served by its content too)."""
    folder = storage_dir / sha256[:2] / sha256
    existing = sorted(p for p in folder.glob("*") if p.name != redacted_audio.COPY_NAME and not p.name.startswith(".")
                      ) if folder.is_dir() else []
    if existing:
        os.unlink(received)
        return existing[0]
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / stored_name(read_head(received), name)
    shutil.move(received, stored)  # a rename on one filesystem: nobody sees half a file
    return stored
