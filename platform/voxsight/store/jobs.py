"""Jobs in SQL: the source of truth for every job's state.

The Redis queue carries job ids only. Every transition is one conditional UPDATE here, so a job
delivered twice, or held by a worker that died, cannot be finished twice or lost: a claim
succeeds only on a queued job that is due, or on a running job whose lease has expired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import sessionmaker

from voxsight.records import Record, Time
from voxsight.store import schema
from voxsight.store.schema import JobStatus, Priority


@dataclass(frozen=True)
class JobRecording(Record):
    id: int
    filename: str  # the name it was submitted under
    sha256: str


@dataclass(frozen=True)
class JobProgress(Record):
    done: int  # segments analyzed
    total: int


@dataclass(frozen=True)
class JobView(Record):
    """A job as the CLI's ``--json``, the API and the console show it (no path on the server)."""

    id: int
    status: JobStatus
    priority: Priority
    attempts: int
    crashes: int
    recording: JobRecording
    progress: JobProgress
    analysis_id: int | None
    error: str | None
    worker: str | None
    timings_s: dict[str, Any]
    created_at: Time | None
    started_at: Time | None
    finished_at: Time | None


@dataclass(frozen=True)
class JobInfo:
    id: int
    recording_id: int
    filename: str
    sha256: str
    audio_path: str
    priority: Priority
    status: JobStatus
    attempts: int
    crashes: int  # workers that died running it: it runs alone
    error: str | None
    analysis_id: int | None
    worker_id: str | None
    progress_done: int
    progress_total: int
    timings: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    def view(self) -> JobView:
        return JobView(
            self.id, self.status, self.priority, self.attempts, self.crashes,
            JobRecording(self.recording_id, self.filename, self.sha256),
            JobProgress(self.progress_done, self.progress_total), self.analysis_id, self.error, self.worker_id,
            self.timings, self.created_at, self.started_at, self.finished_at)

    def to_json(self) -> dict[str, Any]:
        return self.view().to_json()


class JobStore:
    def __init__(self, sessions: sessionmaker):
        self._sessions = sessions

    def create(self, sha256: str, filename: str, size_bytes: int, audio_path: str,
               priority: Priority | str = Priority.NORMAL, call_metadata: dict | None = None) -> JobInfo:
        """Record a queued job for stored audio (and its recording, if new)."""
        priority = _priority(priority)
        with self._sessions.begin() as session:
            recording = schema.Recording.get_or_add(session, sha256, filename, size_bytes, call_metadata)
            job = schema.Job(recording=recording, audio_path=audio_path, filename=filename, priority=priority.value,
                             timings={})
            session.add(job)
            session.flush()
            return _info(job)

    def get(self, job_id: int) -> JobInfo | None:
        with self._sessions() as session:
            job = session.get(schema.Job, job_id)
            return _info(job) if job else None

    def list(self, status: JobStatus | str | None = None, limit: int = 100) -> list[JobInfo]:
        query = select(schema.Job).order_by(schema.Job.id.desc()).limit(limit)
        if status:
            query = query.where(schema.Job.status == getattr(status, "value", status))
        with self._sessions() as session:
            return [_info(job) for job in session.scalars(query)]

    def counts(self) -> dict[str, int]:
        with self._sessions() as session:
            rows = session.execute(select(schema.Job.status, func.count()).group_by(schema.Job.status))
            return {status: n for status, n in rows}

    def claim(self, job_id: int, worker_id: str, lease_s: float) -> JobInfo | None:
        """Take a job that is due or whose holder's lease expired; None if it is not to be run."""
        now = _now()
        with self._sessions.begin() as session:
            taken = session.execute(
                update(schema.Job)
                .where(schema.Job.id == job_id, _claimable(now))
                .values(status=JobStatus.RUNNING.value, worker_id=worker_id, attempts=schema.Job.attempts + 1,
                        # still running under an expired lease: the worker running it died
                        crashes=schema.Job.crashes + case((schema.Job.status == JobStatus.RUNNING.value, 1), else_=0),
                        lease_expires_at=now + timedelta(seconds=lease_s), started_at=now,
                        progress_done=0, progress_total=0)
            ).rowcount
            return _info(session.get(schema.Job, job_id)) if taken else None

    def claim_next(self, worker_id: str, lease_s: float, limit: int) -> list[JobInfo]:
        """Claim up to ``limit`` due jobs, high priority first (the embedded, Redis-less queue).
        A job a worker died running is claimed alone."""
        now = _now()
        suspect = or_(schema.Job.crashes > 0, schema.Job.status == JobStatus.RUNNING.value)
        with self._sessions() as session:
            ids = session.scalars(
                select(schema.Job.id).where(_claimable(now))
                .order_by(case((suspect, 0), else_=1), case((schema.Job.priority == Priority.HIGH.value, 0), else_=1),
                          schema.Job.id).limit(limit)
            ).all()
        claimed = []
        for job_id in ids:
            if (job := self.claim(job_id, worker_id, lease_s)) is None:
                continue
            if job.crashes and claimed:
                self.release(job.id, worker_id)
                break
            claimed.append(job)
            if job.crashes:
                break
        return claimed

    def release(self, job_id: int, worker_id: str) -> None:
        """Give back a job claimed but not started: queued again, the attempt not counted."""
        with self._sessions.begin() as session:
            session.execute(
                update(schema.Job).where(schema.Job.id == job_id, schema.Job.worker_id == worker_id,
                                         schema.Job.status == JobStatus.RUNNING.value)
                .values(status=JobStatus.QUEUED.value, worker_id=None, lease_expires_at=None,
                        attempts=schema.Job.attempts - 1, next_attempt_at=_now())
            )

    def extend_leases(self, job_ids: list[int], worker_id: str, lease_s: float) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(schema.Job)
                .where(schema.Job.id.in_(job_ids), schema.Job.worker_id == worker_id,
                       schema.Job.status == JobStatus.RUNNING.value)
                .values(lease_expires_at=_now() + timedelta(seconds=lease_s))
            )

    def report_progress(self, job_id: int, done: int, total: int) -> None:
        with self._sessions.begin() as session:
            session.execute(update(schema.Job).where(schema.Job.id == job_id)
                            .values(progress_done=done, progress_total=total))

    def finish(self, job_id: int, analysis_id: int, timings: dict[str, Any]) -> bool:
        """Mark the job done with its analysis. Idempotent: False if it was already finished."""
        return self._end(job_id, JobStatus.DONE, analysis_id=analysis_id, timings=timings, error=None,
                         progress_done=schema.Job.progress_total)

    def fail(self, job_id: int, error: str) -> bool:
        """A permanent failure: the input cannot be analyzed, retrying would not help."""
        return self._end(job_id, JobStatus.FAILED, error=error)

    def retry_later(self, job_id: int, error: str, max_attempts: int, backoff_s: float) -> str:
        """A transient failure: queue the job again after an exponential backoff, or declare it
        dead when its attempts are spent. Returns the new status."""
        with self._sessions.begin() as session:
            attempts = session.scalar(select(schema.Job.attempts).where(schema.Job.id == job_id)) or 0
            dead = attempts >= max_attempts
            values = ({"status": JobStatus.DEAD.value, "finished_at": _now()} if dead else
                      {"status": JobStatus.QUEUED.value, "worker_id": None,
                       "next_attempt_at": _now() + timedelta(seconds=backoff_s * 2 ** (attempts - 1))})
            session.execute(
                update(schema.Job).where(schema.Job.id == job_id, schema.Job.status == JobStatus.RUNNING.value)
                .values(error=error, lease_expires_at=None, **values)
            )
        return values["status"]

    def needing_queue(self) -> list[tuple[int, Priority]]:
        """(id, priority) of every job a worker should pick up now: queued and due, or running
        under a lease that has expired (its worker died)."""
        with self._sessions() as session:
            return [(i, Priority(p)) for i, p in session.execute(
                select(schema.Job.id, schema.Job.priority).where(_claimable(_now())).order_by(schema.Job.id))]

    def _end(self, job_id: int, status: JobStatus, **values: Any) -> bool:
        with self._sessions.begin() as session:
            return bool(session.execute(
                update(schema.Job)
                .where(schema.Job.id == job_id,
                       schema.Job.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]))
                .values(status=status.value, lease_expires_at=None, finished_at=_now(), **values)
            ).rowcount)


def _claimable(now: datetime):
    return or_(
        (schema.Job.status == JobStatus.QUEUED.value) & (schema.Job.next_attempt_at <= now),
        (schema.Job.status == JobStatus.RUNNING.value) & (schema.Job.lease_expires_at < now),
    )


def _priority(priority: Priority | str) -> Priority:
    try:
        return Priority(priority)
    except ValueError:
        raise ValueError(f"priority must be one of {', '.join(p.value for p in Priority)}, not {priority!r}") from None


def _now() -> datetime:
    return datetime.now(timezone.utc)




def _info(job: schema.Job) -> JobInfo:
    return JobInfo(
        id=job.id, recording_id=job.recording_id, filename=job.filename, sha256=job.recording.sha256,
        audio_path=job.audio_path, priority=Priority(job.priority), status=JobStatus(job.status), attempts=job.attempts,
        crashes=job.crashes,
        error=job.error, analysis_id=job.analysis_id, worker_id=job.worker_id,
        progress_done=job.progress_done, progress_total=job.progress_total, timings=job.timings or {},
        created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at,
    )
