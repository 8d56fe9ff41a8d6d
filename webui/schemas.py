"""What the API receives, and what it sends that is no record of the core's.

A record (a user, a token, an alert, a page of recordings...) is the core's dataclass, named as
the route's response model itself (``voxsight.records``): its fields are declared once. What is
here is the web tier's own: request bodies (what a client may send, with the limits the server
enforces), problem details, and answers that put records together."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from voxsight.features import CallFeatures
from voxsight.queue import QueueDepth, WorkerInfo
from voxsight.store.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, TokenInfo
from voxsight.store.alerts import AlertInfo
from voxsight.store.jobs import JobView
from voxsight.store.recordings import RecordingSummary
from voxsight.webui.deps import OptionalMoment

_METADATA_BYTES = 4096  # as an upload's form field (``uploads.MAX_FIELD_BYTES``)


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str


class SignIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)


class UserCreate(BaseModel):
    name: str = Field(min_length=1, max_length=128, pattern=r"^[\w.@-]+$")
    role: str = Field(pattern="^(viewer|analyst|supervisor|admin)$")
    password: str | None = Field(default=None, min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH,
                                 description="none: the user signs in only through tokens")


class PasswordReset(BaseModel):
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)


class TokenCreate(BaseModel):
    user: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=128)
    expires_in_days: float | None = Field(default=None, gt=0, le=3650,
                                          description="none: the site's web.token_days (90 by default)")
    never_expires: bool = Field(default=False, description="a token that does not expire (not with expires_in_days)")

    @model_validator(mode="after")
    def _one_expiry(self):
        if self.never_expires and self.expires_in_days is not None:
            raise ValueError("give expires_in_days or never_expires, not both")
        return self


class TokenCreated(BaseModel):
    token: str = Field(description="the bearer token; shown once, stored only as a hash")
    info: TokenInfo


class JobPage(BaseModel):
    items: list[JobView]


class RecordingDetail(BaseModel):
    recording: RecordingSummary
    analysis: dict[str, Any] | None = Field(description="the newest finished analysis: model, segments, summary")
    features: CallFeatures | None
    alerts: list[AlertInfo]
    audio_stored: bool  # /audio plays its redacted copy
    original_kept: bool = False  # /audio/original serves the unredacted audio to admins, audited


class RecordingUpdate(BaseModel):
    """A change of a call's metadata (``voxsight.operations.recordings.METADATA_FIELDS``): the
    fields given are set, null or blank removes one, the others are kept."""

    model_config = ConfigDict(extra="forbid")

    agent: str | None = Field(default=None, max_length=_METADATA_BYTES)
    customer: str | None = Field(default=None, max_length=_METADATA_BYTES)
    queue: str | None = Field(default=None, max_length=_METADATA_BYTES)
    call_time: OptionalMoment = Field(default=None, description="when the call took place")
    direction: str | None = Field(default=None, max_length=_METADATA_BYTES)
    reference: str | None = Field(default=None, max_length=_METADATA_BYTES)


class AlertAction(BaseModel):
    comment: str | None = Field(default=None, max_length=4000)


class RulesText(BaseModel):
    text: str = Field(min_length=1, max_length=1_000_000, description="a rules file (YAML), as configs/rules.yaml")


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
    workers: list[WorkerInfo]
    queue: dict[str, QueueDepth] = Field(description="per priority")
    jobs: dict[str, int]


class Health(BaseModel):
    status: str
    database: str
    redis: str


class HoldCreate(BaseModel):
    scope: str = Field(pattern="^(recording|customer|agent)$",
                       description="one recording (value: its id), or every call of a customer or an agent")
    value: str = Field(min_length=1, max_length=256)
    reason: str = Field(min_length=1, max_length=2000)


class ErasureRequest(BaseModel):
    """Exactly one of: a recording, a customer (the call metadata's), a metadata KEY = VALUE."""

    recording_id: int | None = None
    customer: str | None = Field(default=None, min_length=1, max_length=256)
    meta: dict[str, str] | None = Field(default=None, min_length=1, max_length=1)
    dry_run: bool = False  # what it would erase and refuse, with nothing removed


class Erasure(BaseModel):
    erased: list[dict]  # recording_id and how many analyses, segments, alerts, notifications, jobs went
    refused: list[dict]  # recording_id and why (held, or being analyzed)
    audio_files: int
    dry_run: bool = False  # then: what it would erase and refuse; nothing was removed
