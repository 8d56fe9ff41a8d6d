"""Legal holds and erasure in SQL.

A hold names one recording, or a customer or an agent as the calls' metadata names them; a
recording is held while any hold that names it is in force. Erasing a recording deletes its row in
one transaction, and with it, through the foreign keys, its analyses, segments (and their search
index), features, alerts, their history and notifications, and its jobs; the audit log keeps its
entries, which then name no recording. The caller removes the audio files it is told of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from voxsight.records import Record, Time
from voxsight.store import schema

HOLD_SCOPES = ("recording", "customer", "agent")  # customer and agent: the call metadata's keys


@dataclass(frozen=True)
class HoldInfo(Record):
    id: int
    scope: str
    value: str
    reason: str
    placed_by: str
    placed_at: Time
    released_by: str | None
    released_at: Time | None

    @property
    def active(self) -> bool:
        return self.released_at is None


@dataclass(frozen=True)
class Erased(Record):
    """One recording erased: how many rows of each kind went with it, and its stored audio files."""

    recording_id: int
    analyses: int
    segments: int
    alerts: int
    notifications: int
    jobs: int
    audio_paths: tuple[str, ...]  # the files the jobs stored it as; the caller deletes them


@dataclass(frozen=True)
class Refused(Record):
    recording_id: int
    reason: str


class ComplianceStore:
    def __init__(self, sessions: sessionmaker):
        self._sessions = sessions

    # -- holds

    def place_hold(self, scope: str, value: str, reason: str, by: str) -> HoldInfo:
        if scope not in HOLD_SCOPES:
            raise ValueError(f"a hold's scope is one of {', '.join(HOLD_SCOPES)}, not {scope!r}")
        with self._sessions.begin() as session:
            hold = schema.LegalHold(scope=scope, value=value, reason=reason, placed_by=by)
            session.add(hold)
            session.flush()
            return _hold(hold)

    def release_hold(self, hold_id: int, by: str) -> HoldInfo | None:
        """Release a hold in force; None when there is no such hold. A released one stays as it was."""
        with self._sessions.begin() as session:
            hold = session.get(schema.LegalHold, hold_id, with_for_update=True)
            if hold is None:
                return None
            if hold.released_at is None:
                hold.released_by, hold.released_at = by, datetime.now(timezone.utc)
            return _hold(hold)

    def holds(self, include_released: bool = False) -> list[HoldInfo]:
        """Holds, newest first: those in force, or all."""
        query = select(schema.LegalHold).order_by(schema.LegalHold.id.desc())
        if not include_released:
            query = query.where(schema.LegalHold.released_at.is_(None))
        with self._sessions() as session:
            return [_hold(h) for h in session.scalars(query)]

    def holding(self, recording_id: int) -> HoldInfo | None:
        """The oldest hold in force that names this recording, if any."""
        with self._sessions() as session:
            return _holding(session, recording_id)

    # -- erasure

    def matching(self, recording_id: int | None = None, metadata: tuple[str, str] | None = None) -> list[int]:
        """The recordings a request for erasure names: one by id, or every one whose call metadata
        has KEY = VALUE."""
        r = schema.Recording
        query = select(r.id).order_by(r.id)
        if recording_id is not None:
            query = query.where(r.id == recording_id)
        if metadata is not None:
            key, value = metadata
            query = query.where(r.call_metadata[key].as_string() == value)
        with self._sessions() as session:
            return list(session.scalars(query))

    def erase(self, recording_id: int, dry_run: bool = False) -> Erased | Refused | None:
        """Delete one recording and everything stored of it, in one transaction; refused while a hold
        names it or a worker is analyzing it (a queued job goes with it). None: no such recording.
        ``dry_run``: the same checks and counts, and nothing deleted."""
        r, a, j = schema.Recording, schema.Analysis, schema.Job
        with self._sessions.begin() as session:
            recording = session.scalar(select(r).where(r.id == recording_id).with_for_update())
            if recording is None:
                return None
            if (hold := _holding(session, recording_id)) is not None:
                return Refused(recording_id, f"held (hold {hold.id}, {hold.scope} {hold.value}): {hold.reason}")
            jobs = list(session.scalars(select(j).where(j.recording_id == recording_id).with_for_update()))
            if any(job.status == schema.JobStatus.RUNNING.value for job in jobs):
                return Refused(recording_id, "a worker is analyzing it now: erase it once its job has finished")
            analyses = select(a.id).where(a.recording_id == recording_id)
            alerts = select(schema.Alert.id).where(schema.Alert.analysis_id.in_(analyses))
            events = select(schema.AlertEvent.id).where(schema.AlertEvent.alert_id.in_(alerts))
            counted = _count(session, a, a.recording_id == recording_id), \
                _count(session, schema.Segment, schema.Segment.analysis_id.in_(analyses)), \
                _count(session, schema.Alert, schema.Alert.id.in_(alerts)), \
                _count(session, schema.Outbox, schema.Outbox.event_id.in_(events))
            if not dry_run:
                session.execute(delete(r).where(r.id == recording_id))  # the rest follows by the foreign keys
            return Erased(recording_id, *counted, len(jobs), tuple(sorted({job.audio_path for job in jobs})))


    # -- retention: what was stored before a moment, a batch at a time (ids ascending, after ``after_id``)

    def stored_before(self, cutoff: datetime, after_id: int = 0, limit: int = 500) -> list[int]:
        """Recordings stored before ``cutoff``."""
        r = schema.Recording
        with self._sessions() as session:
            return list(session.scalars(select(r.id).where(r.created_at < cutoff, r.id > after_id)
                                        .order_by(r.id).limit(limit)))

    def alerts_before(self, cutoff: datetime, after_id: int = 0, limit: int = 500) -> list[tuple[int, int]]:
        """Alerts raised before ``cutoff``, with their recording: (alert id, recording id)."""
        al, a = schema.Alert, schema.Analysis
        with self._sessions() as session:
            return [tuple(row) for row in session.execute(
                select(al.id, a.recording_id).join(a, al.analysis_id == a.id)
                .where(al.created_at < cutoff, al.id > after_id).order_by(al.id).limit(limit))]

    def delete_alerts(self, alert_ids: list[int]) -> int:
        """Delete alerts, with their history and notifications (by the foreign keys)."""
        with self._sessions.begin() as session:
            return session.execute(delete(schema.Alert).where(schema.Alert.id.in_(alert_ids))).rowcount or 0

    def audio_paths(self, recording_id: int) -> list[str]:
        """Where the recording's jobs stored its audio."""
        j = schema.Job
        with self._sessions() as session:
            return sorted(set(session.scalars(select(j.audio_path).where(j.recording_id == recording_id))))


def _count(session: Session, table, condition) -> int:
    return session.scalar(select(func.count()).select_from(table).where(condition)) or 0


def _holding(session: Session, recording_id: int) -> HoldInfo | None:
    recording = session.get(schema.Recording, recording_id)
    if recording is None:
        return None
    metadata = recording.call_metadata or {}
    h = schema.LegalHold
    named = [and_(h.scope == scope, h.value == str(value)) for scope, value in
             (("recording", recording_id), ("customer", metadata.get("customer")), ("agent", metadata.get("agent")))
             if value is not None]
    hold = session.scalar(select(h).where(h.released_at.is_(None), or_(*named)).order_by(h.id).limit(1))
    return _hold(hold) if hold else None


def _hold(h: schema.LegalHold) -> HoldInfo:
    return HoldInfo(h.id, h.scope, h.value, h.reason, h.placed_by, h.placed_at, h.released_by, h.released_at)
