"""The SQL schema: recordings, their analyses and segments, jobs, call features, alerts and their
notifications.

Changed only through Alembic revisions in ``migrations/``; nothing calls ``create_all``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (JSON, BigInteger, DateTime, ForeignKey, Index, LargeBinary, String, Text, TypeDecorator,
                        UniqueConstraint, select)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from voxsight.tags import EMOTIONS, EVENTS

JSONType = JSON().with_variant(JSONB(), "postgresql")


def _now() -> datetime:
    return datetime.now(timezone.utc)


class UtcDateTime(TypeDecorator):
    """A moment in time, read back timezone-aware and in UTC on every database.

    PostgreSQL's ``timestamptz`` keeps the instant; SQLite has no zones and hands back naive
    datetimes for ``DateTime(timezone=True)``. So every moment is stored in UTC, and one read back
    without a zone is UTC. The SQL type is unchanged (no migration).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        return value.astimezone(timezone.utc) if value is not None and value.tzinfo else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSONType, list[Any]: JSONType}


class AnalysisStatus(str, enum.Enum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Recording(Base):
    """One distinct audio file, identified by the sha256 of its bytes."""

    __tablename__ = "recordings"
    __table_args__ = (Index("ix_recordings_created_at", "created_at", "id"),  # newest first (0009)
                      Index("ix_recordings_metadata_changed_at", "metadata_changed_at"))  # the change mark (0012)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    # Known once a worker has decoded it (a submitted recording is stored before that).
    format: Mapped[str | None] = mapped_column(String(64))
    duration_s: Mapped[float | None]
    sample_rate: Mapped[int | None]
    channels: Mapped[int | None]
    # Free-form call metadata: agent, customer, call time, queue...
    call_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    # Every name these bytes have been seen under, first first (``filename`` is the first).
    names: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    # When its call metadata was last changed on purpose (``RecordingStore.update_metadata``), if ever.
    metadata_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    analyses: Mapped[list[Analysis]] = relationship(back_populates="recording")

    @classmethod
    def get_or_add(cls, session: Session, sha256: str, filename: str, size_bytes: int,
                   call_metadata: dict | None) -> "Recording":
        """The recording of these bytes, added with this call metadata if new. An existing one keeps
        its own: the same bytes sent again with other metadata reuse the call, they never rewrite it
        (a change of metadata is ``RecordingStore.update_metadata``, audited with old and new). The
        name is only added to the names it was seen under."""
        recording = session.scalar(select(cls).where(cls.sha256 == sha256))
        if recording is None:
            recording = cls(sha256=sha256, filename=filename, size_bytes=size_bytes,
                            call_metadata=call_metadata or {}, names=[filename])
            session.add(recording)
            return recording
        recording.add_name(filename)
        return recording

    def add_name(self, name: str) -> None:
        if name not in self.names:
            self.names = [*self.names, name]  # a new list: JSON columns track assignment, not mutation


class Analysis(Base):
    """One run of one model with one set of parameters over one recording."""

    __tablename__ = "analyses"
    __table_args__ = (UniqueConstraint("recording_id", "model_id", "parameters_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"))
    model_id: Mapped[str] = mapped_column(String(128))  # SenseVoice: emotion, events (and words)
    synthetic: Mapped[bool]
    # Whisper, when it may write words; part of parameters_key too, so it keys the analysis.
    words_model_id: Mapped[str | None] = mapped_column(String(128))
    parameters: Mapped[dict[str, Any]]
    parameters_key: Mapped[str] = mapped_column(String(64))  # sha256 of the canonical parameters
    status: Mapped[str] = mapped_column(String(16), default=AnalysisStatus.RUNNING.value)
    error: Mapped[str | None] = mapped_column(Text)
    timings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    redacted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # when `redact --backfill` last changed it

    recording: Mapped[Recording] = relationship(back_populates="analyses")
    segments: Mapped[list[Segment]] = relationship(
        back_populates="analysis", cascade="all, delete-orphan", order_by="Segment.start_ms"
    )


class Segment(Base):
    """One speech segment of one channel, with SenseVoice's tags lifted into columns."""

    __tablename__ = "segments"
    __table_args__ = (Index("ix_segments_analysis_start", "analysis_id", "start_ms"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"))
    channel: Mapped[int | None]
    role: Mapped[str | None] = mapped_column(String(64))
    start_ms: Mapped[int]
    end_ms: Mapped[int]
    language: Mapped[str | None] = mapped_column(String(16))
    emotion: Mapped[str | None] = mapped_column(String(16), index=True)
    events: Mapped[list[Any]] = mapped_column(default=list)
    text: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    words: Mapped[list[Any]] = mapped_column(default=list)
    words_engine: Mapped[str | None] = mapped_column(String(16))  # sensevoice or whisper
    translation: Mapped[str | None] = mapped_column(Text)  # English, when asked for
    # What was masked and when it was said: [[type, start_s, end_s], ...] (voxsight.redaction)
    redactions: Mapped[list[Any]] = mapped_column(default=list)
    speaker: Mapped[int | None]  # a diarized call's voice (voxsight.speakers); None when channels tell roles
    role_source: Mapped[str | None] = mapped_column(String(16))  # how a diarized segment's role was told
    voice_distance: Mapped[float | None]  # its voice's cosine distance from the agent's enrolled print
    # What full-text search finds it by (voxsight.store.search.index_terms), indexed by the database's
    # full-text engine (see migration 0006). On PostgreSQL it is also stored as a tsvector, the
    # generated column search_vector (migration 0008), not mapped here: SQLite has no such column.
    search_terms: Mapped[str] = mapped_column(Text, default="")

    analysis: Mapped[Analysis] = relationship(back_populates="segments")


class JobStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # permanently: the input cannot be analyzed
    DEAD = "dead"  # transient failures outlasted the retries


class Priority(str, enum.Enum):
    """Which Redis stream a job waits on; the streams are served in this order."""

    HIGH = "high"
    NORMAL = "normal"


class Site(Base):
    """This site's identity, made with the schema: Redis keys and messages carry it, so that two
    sites pointed at one Redis by mistake refuse to serve instead of eating each other's jobs."""

    __tablename__ = "site"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class Job(Base):
    """A request to analyze one stored recording. The queue only carries job ids: this row is
    the job's state, and what a reconciler rebuilds the queue from."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"))
    audio_path: Mapped[str] = mapped_column(Text)  # in the shared storage directory
    filename: Mapped[str] = mapped_column(Text)  # as submitted: the stored copy may carry another name
    priority: Mapped[str] = mapped_column(String(16), default=Priority.NORMAL.value)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    # Times a worker died holding it: such a job is only ever run alone, so that a file that kills
    # workers cannot take the jobs batched with it down too.
    crashes: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analyses.id", ondelete="SET NULL"))
    worker_id: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    timings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    recording: Mapped[Recording] = relationship()


class User(Base):
    """A person or a system (a CRM) that signs in; its role says what it may do."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(Text)  # argon2id; None: tokens only
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class ApiToken(Base):
    """A bearer token acting as its user. Only the token's sha256 is kept (tokens are random, long
    and checked on every request: a slow password hash would buy nothing and cost every call)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # A console sign-in (ends when idle too), not a token an admin made for a system.
    session: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()


class SignInLimit(Base):
    """Failed sign-ins counted under one key (a name from an address, a name, an address), and
    when the next attempt under it may be checked. One row per key, changed under its row lock: the
    count cannot race (the audit log keeps the history; this is only the limit's state)."""

    __tablename__ = "sign_in_limits"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    next_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # None: no wait
    last_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)  # the latest counted attempt


class AuditLogExpiry(Base):
    """One row: while its cutoff is set (by the retention run, inside its own transaction), audit
    entries older than it may be deleted; at any other time none may (migration 0016)."""

    __tablename__ = "audit_log_expiry"

    id: Mapped[int] = mapped_column(primary_key=True)
    cutoff: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LegalHold(Base):
    """A legal hold: one recording, or every call of a customer or of an agent (by the call's
    metadata), exempt from erasure and retention until released. Released holds stay listed."""

    __tablename__ = "legal_holds"
    __table_args__ = (Index("ix_legal_holds_scope_value", "scope", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))  # recording, customer or agent
    value: Mapped[str] = mapped_column(String(256))  # the recording's id, the customer's, the agent's
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[str] = mapped_column(String(128))
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    released_by: Mapped[str | None] = mapped_column(String(128))
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Voiceprint(Base):
    """An agent's voice as the speaker model hears it (``voxsight.voiceprints``), to tell the agent
    on mono calls. Biometric data: read, made and erased by admins only, each time audited."""

    __tablename__ = "voiceprints"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent: Mapped[str] = mapped_column(String(128), unique=True)  # as the calls' metadata names the agent
    model_id: Mapped[str] = mapped_column(String(64))  # the speaker model it was made with: only its prints compare
    embedding: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian, L2-normalised
    speech_s: Mapped[float]  # how much of the agent's speech it was made from
    source: Mapped[str] = mapped_column(String(16))  # enrolled (from files) or learned (stereo calls' agent channel)
    made_from: Mapped[int]  # how many files or calls
    updated_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class AuditEvent(Base):
    """Who did what, to which recording, when and from where. Append-only: the database refuses
    updates and deletes (triggers made by the migration)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"), Index("ix_audit_log_actor_action_at", "actor", "action", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    actor: Mapped[str] = mapped_column(String(128))  # user name, or "cli:<os user>" / "site:<os user>"
    action: Mapped[str] = mapped_column(String(64))  # an accounts.Action value: sign_in, user_add, export...
    door: Mapped[str | None] = mapped_column(String(16))  # an accounts.Door value: cli, api, console, site...
    recording_id: Mapped[int | None] = mapped_column(ForeignKey("recordings.id", ondelete="SET NULL"))
    source: Mapped[str | None] = mapped_column(String(128))  # client address, or the host a command ran on
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


# Emotion seconds and event counts of a call, one plain column each: reports sum them in the same
# single scan as everything else (a narrow name/value table made every report a join).
EMOTION_COLUMNS = {e: f"{e.lower()}_s" for e in EMOTIONS}
EVENT_COLUMNS = {e: f"{e.lower()}_n" for e in EVENTS}


class CallFeatures(Base):
    """Features of one analysis (``voxsight.features``), with the figures reports aggregate as
    plain columns and the call's date, agent, queue and language denormalised for grouping."""

    __tablename__ = "call_features"
    __table_args__ = (Index("ix_call_features_call_day", "call_day"),)

    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True)
    call_at: Mapped[datetime] = mapped_column(UtcDateTime())
    call_day: Mapped[date]
    call_week: Mapped[date]  # the Monday of the call's ISO week
    agent: Mapped[str | None] = mapped_column(String(128))
    queue: Mapped[str | None] = mapped_column(String(128))
    language: Mapped[str | None] = mapped_column(String(16))
    duration_s: Mapped[float]
    talk_s: Mapped[float]
    non_talk_s: Mapped[float]
    negative_share: Mapped[float]
    escalation: Mapped[float]
    overtalk_s: Mapped[float]
    longest_silence_s: Mapped[float]
    dominant_emotion: Mapped[str | None] = mapped_column(String(16))
    happy_s: Mapped[float] = mapped_column(default=0.0)
    sad_s: Mapped[float] = mapped_column(default=0.0)
    angry_s: Mapped[float] = mapped_column(default=0.0)
    neutral_s: Mapped[float] = mapped_column(default=0.0)
    fearful_s: Mapped[float] = mapped_column(default=0.0)
    disgusted_s: Mapped[float] = mapped_column(default=0.0)
    surprised_s: Mapped[float] = mapped_column(default=0.0)
    bgm_n: Mapped[int] = mapped_column(default=0)
    applause_n: Mapped[int] = mapped_column(default=0)
    laughter_n: Mapped[int] = mapped_column(default=0)
    cry_n: Mapped[int] = mapped_column(default=0)
    sneeze_n: Mapped[int] = mapped_column(default=0)
    breath_n: Mapped[int] = mapped_column(default=0)
    cough_n: Mapped[int] = mapped_column(default=0)
    sing_n: Mapped[int] = mapped_column(default=0)
    speech_noise_n: Mapped[int] = mapped_column(default=0)
    gbg_n: Mapped[int] = mapped_column(default=0)
    features: Mapped[dict[str, Any]]  # the whole CallFeatures record, for the console and rules
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)


class AlertStatus(str, enum.Enum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Alert(Base):
    """One rule firing on one analysis: re-evaluating updates it, never duplicates it."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("analysis_id", "rule_id"), Index("ix_alerts_status_severity", "status", "severity"))

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"))
    rule_id: Mapped[str] = mapped_column(String(128))
    ruleset_version: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    triggers: Mapped[list[Any]]  # [{start_s, end_s, role, text}]
    status: Mapped[str] = mapped_column(String(16), default=AlertStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    acknowledged_by: Mapped[str | None] = mapped_column(String(128))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    history: Mapped[list[AlertEvent]] = relationship(back_populates="alert", order_by="AlertEvent.id",
                                                     cascade="all, delete-orphan")


class AlertEvent(Base):
    """An alert's history: opened, updated (re-evaluated with a different result), acknowledged,
    resolved; who, when, and their comment."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str | None] = mapped_column(String(128))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)

    alert: Mapped[Alert] = relationship(back_populates="history")


class OutboxStatus(str, enum.Enum):
    PENDING = "pending"
    DELIVERED = "delivered"


class Outbox(Base):
    """A notification to send, written in the same transaction as the alert event it announces,
    so that no event is lost and none is sent for a change that was rolled back."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("alert_events.id", ondelete="CASCADE"), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    published: Mapped[bool] = mapped_column(default=False)  # on the Redis channel
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Delivery(Base):
    """The delivery log: every attempt to post an outbox entry, and what came of it."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_now)
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int]
