"""What the API sends and receives: one pydantic model per boundary, built from the library's
typed records (``from_attributes``), so the OpenAPI document says exactly what comes back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from voxsight.store.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


class Record(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str


class SignIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)


class User(Record):
    id: int
    name: str
    role: str
    disabled: bool
    created_at: datetime


class UserCreate(BaseModel):
    name: str = Field(min_length=1, max_length=128, pattern=r"^[\w.@-]+$")
    role: str = Field(pattern="^(viewer|analyst|supervisor|admin)$")
    password: str | None = Field(default=None, min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH,
                                 description="none: the user signs in only through tokens")


class Token(Record):
    id: int
    name: str
    user: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreate(BaseModel):
    user: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=128)
    expires_in_days: float | None = Field(default=None, gt=0, le=3650)


class TokenCreated(BaseModel):
    token: str = Field(description="the bearer token; shown once, stored only as a hash")
    info: Token


class AuditEntry(Record):
    id: int
    at: datetime
    actor: str
    action: str
    door: str | None = Field(description="cli, api, console, site or worker; none for entries no door wrote")
    recording_id: int | None
    source: str | None
    detail: dict[str, Any]


class AuditPage(BaseModel):
    entries: list[AuditEntry]
    next_before_id: int | None


class Job(BaseModel):
    id: int
    status: str
    priority: str
    attempts: int
    crashes: int
    recording: dict[str, Any]
    progress: dict[str, int]
    analysis_id: int | None
    error: str | None
    worker: str | None
    timings_s: dict[str, Any]
    created_at: str | None
    started_at: str | None
    finished_at: str | None


class JobPage(BaseModel):
    items: list[Job]


class RecordingSummary(Record):
    id: int
    filename: str
    sha256: str
    size_bytes: int
    format: str | None
    duration_s: float | None
    channels: int | None
    call_metadata: dict[str, Any]
    created_at: datetime
    analysis_id: int | None
    synthetic: bool | None
    dominant_emotion: str | None
    language: str | None
    open_alerts: int
    alerts: int


class RecordingPage(Record):
    items: list[RecordingSummary]
    total: int
    offset: int
    next_offset: int | None


class RecordingDetail(BaseModel):
    recording: RecordingSummary
    analysis: dict[str, Any] | None = Field(description="the newest finished analysis: model, segments, summary")
    features: dict[str, Any] | None
    alerts: list[dict[str, Any]]
    audio_stored: bool


class SearchHit(Record):
    recording_id: int
    filename: str
    analysis_id: int
    segment_id: int
    start_s: float
    end_s: float
    role: str | None
    emotion: str | None
    language: str | None
    events: list[str]
    text: str
    highlights: list[tuple[int, int]]


class SearchPage(Record):
    hits: list[SearchHit]
    offset: int
    next_offset: int | None


class AlertHistory(BaseModel):
    action: str
    actor: str | None
    comment: str | None
    at: str | None


class Alert(BaseModel):
    id: int
    analysis_id: int
    recording_id: int
    filename: str
    rule_id: str
    ruleset_version: str
    severity: str
    message: str
    triggers: list[dict[str, Any]]
    status: str
    created_at: str | None
    updated_at: str | None
    history: list[AlertHistory]


class AlertPage(BaseModel):
    items: list[Alert]
    total: int


class AlertAction(BaseModel):
    comment: str | None = Field(default=None, max_length=4000)


class RulesText(BaseModel):
    text: str = Field(max_length=1_000_000)


class RulesCheck(BaseModel):
    ok: bool
    version: str | None = None
    rules: list[str] = []
    error: str | None = None


class Models(BaseModel):
    sensevoice: dict[str, Any]
    whisper: dict[str, Any] | None
    words: str


class Workers(BaseModel):
    mode: str = Field(description="redis (shared queue) or embedded (SQL only)")
    workers: list[dict[str, Any]]
    queue: dict[str, Any]
    jobs: dict[str, int]


class Health(BaseModel):
    status: str
    database: str
    redis: str
