"""Recordings: submitting them (an upload, or files on this machine), the list, one call with its
analysis, its audio, its export, and search over what was said; each checked and audited alike at
every door.

The policy, once: analysts and above submit, search and export; viewers read calls and listen to
them. Every view of a call, every listening (not every range of it), every export and every search
is audited with its door; the list of calls is not (it shows names, not what was said).

A door that caches what it shows (the API's result cache) passes ``through``: it is given the read
as a function and answers with it, or with its cached copy of what it once answered. The role
check and the audit happen either way, and what the operation returns is then what ``through``
returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from voxsight import audio, jobs
from voxsight.errors import AudioError, NotAudio, NotFound
from voxsight.features import CallFeatures
from voxsight.operations.actor import Actor, require
from voxsight.operations.audit import record
from voxsight.results import AnalysisResult
from voxsight.site import Site
from voxsight.store.accounts import Action, Role
from voxsight.store.alerts import AlertInfo
from voxsight.store.filters import Filters
from voxsight.store.jobs import JobInfo
from voxsight.store.recordings import RecordingPage, RecordingSummary
from voxsight.store.search import SearchPage

METADATA_FIELDS = ("agent", "customer", "queue", "call_time", "direction", "reference")
EXPORT_FORMATS = ("json", "csv")
Through = Callable[[Callable[[], Any]], Any]


def fresh(build: Callable[[], Any]) -> Any:
    """Read now: the ``through`` of a door that caches nothing."""
    return build()


@dataclass
class Received:
    """A recording received into the storage's incoming folder (an upload streamed there, or a file
    the console was given, copied), hashed on the way, with the form's fields."""

    fields: dict[str, str] = field(default_factory=dict)
    path: Path | None = None  # in the storage's incoming folder; moved into the storage when submitted
    filename: str = ""  # as the sender named it
    sha256: str = ""
    size: int = 0
    head: bytes = b""  # its first bytes, to tell audio from anything else

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


@dataclass(frozen=True)
class Call:
    """One call: its newest finished analysis (None while none has finished), features and alerts."""

    recording: RecordingSummary
    result: AnalysisResult | None
    features: CallFeatures | None
    alerts: list[AlertInfo]
    audio_stored: bool


@dataclass(frozen=True)
class Export:
    """A call's transcript to hand over, as JSON or CSV: the door writes the bytes."""

    recording: RecordingSummary
    result: AnalysisResult
    format: str

    @property
    def stem(self) -> str:
        return Path(self.recording.filename).stem or f"recording-{self.recording.id}"


# -- submitting

def upload(site: Site, actor: Actor, received: Received) -> JobInfo:
    """Check a received recording and submit it as a job; audited as an upload.

    Its fields (``priority`` and the call metadata of ``METADATA_FIELDS``) are checked, and so is
    the audio, decoded once in the isolated child as a worker would (unless the same bytes were
    analyzed before with the same models and parameters: the job is then done at once with that
    analysis). On success the file is moved into the storage (``received.path`` becomes None).

    Raises:
        ValueError: a bad field.
        AudioError: an empty, damaged or truncated recording; ``NotAudio`` for a file that is not
            audio. Nothing is stored then.
    """
    require(actor, Role.ANALYST)
    fields = received.fields
    priority = fields.get("priority") or "normal"
    if priority not in ("high", "normal"):
        raise ValueError(f"priority must be high or normal, not {priority!r}")
    metadata = {k: fields[k].strip() for k in METADATA_FIELDS if fields.get(k, "").strip()}
    if "call_time" in metadata:
        try:
            datetime.fromisoformat(metadata["call_time"])
        except ValueError:
            raise ValueError(f"call_time must be an ISO 8601 date and time, not {metadata['call_time']!r}") from None
    name = Path(received.filename.replace("\\", "/")).name or "upload"
    if received.size == 0:
        raise AudioError(f"{name}: the file is empty")
    reuse = jobs.stored_analysis(site.config, site.store, received.sha256)
    a = site.config.audio
    try:  # in an isolated child, as a worker would: a bad file is refused here, before it is stored
        if reuse is None:  # bytes analyzed before decode, by definition
            audio.decode(received.path, a.max_bytes, a.max_duration_s, name=name, timeout_s=a.decode_timeout_s,
                         memory_mb=a.decode_memory_mb)
    except AudioError as exc:
        if audio.looks_like_audio(received.head):
            raise
        raise NotAudio(str(exc)) from exc
    job = jobs.submit_upload(site.store, site.queue, site.config.storage_dir, received.path, received.sha256,
                             received.size, name, metadata, priority, reuse)
    received.path = None  # it is in the storage now
    record(site, actor, Action.UPLOAD, job.recording_id, filename=received.filename, job_id=job.id)
    return job


def submit(site: Site, actor: Actor, paths: Iterable[str | Path], metadata: dict | None = None,
           priority: str = "normal") -> jobs.Submitted:
    """Submit files on this machine as jobs (``jobs.submit_many``: a file that cannot be read is
    refused, the others go on); each job audited as an upload."""
    require(actor, Role.ANALYST)
    done = jobs.submit_many(site.config, site.store, site.queue, paths, metadata, priority)
    for job in done.jobs:
        record(site, actor, Action.UPLOAD, job.recording_id, filename=job.filename, job_id=job.id)
    return done


# -- reading

def recordings(site: Site, actor: Actor, filters: Filters | None = None, alert_state: str | None = None,
               sort: str = "newest", limit: int = 50, offset: int = 0,
               count_up_to: int | None = None) -> RecordingPage:
    """Recordings that match every filter, a page at a time, with the total (see the store's ``list``)."""
    require(actor, Role.VIEWER)
    return site.store.recordings.list(filters, alert_state, sort, limit, offset, count_up_to=count_up_to)


def recording(site: Site, actor: Actor, recording_id: int, through: Through = fresh) -> Call | None:
    """One call with its newest analysis, features and alerts, or None; audited as a view when found."""
    require(actor, Role.VIEWER)
    found = through(lambda: _call(site, recording_id))
    if found is not None:
        record(site, actor, Action.VIEW, recording_id)
    return found


def _call(site: Site, recording_id: int) -> Call | None:
    summary = site.store.recordings.get(recording_id)
    if summary is None:
        return None
    analysis_id = summary.analysis_id
    return Call(summary,
                site.store.analysis(analysis_id) if analysis_id else None,
                site.store.alerts.features(analysis_id) if analysis_id else None,
                site.store.alerts.for_analysis(analysis_id) if analysis_id else [],
                site.store.recordings.audio_path(recording_id) is not None)


def audio_file(site: Site, actor: Actor, recording_id: int, from_start: bool = True) -> Path:
    """Where the recording's audio is stored, to play or download. Audited as a download when it is
    read ``from_start`` (once per listening, not once per range a player seeks to).

    Raises:
        NotFound: no audio of it is stored.
    """
    require(actor, Role.VIEWER)
    path = site.store.recordings.audio_path(recording_id)
    if path is None or not Path(path).is_file():
        raise NotFound(f"recording {recording_id} has no stored audio (it was analyzed from a "
                       "path on the command line, or its storage was removed)")
    if from_start:
        record(site, actor, Action.DOWNLOAD, recording_id)
    return Path(path)


def export(site: Site, actor: Actor, recording_id: int, format: str = "json") -> Export:
    """The call's transcript with its tags, to export as JSON or CSV; audited as an export.

    Raises:
        NotFound: no such recording, or no finished analysis of it.
    """
    require(actor, Role.ANALYST)
    if format not in EXPORT_FORMATS:
        raise ValueError(f"format must be one of {', '.join(EXPORT_FORMATS)}, not {format!r}")
    summary = site.store.recordings.get(recording_id)
    result = site.store.analysis(summary.analysis_id) if summary and summary.analysis_id else None
    if result is None:
        raise NotFound(f"recording {recording_id} has no finished analysis")
    record(site, actor, Action.EXPORT, recording_id, format=format)
    return Export(summary, result, format)


def search(site: Site, actor: Actor, query: str, filters: Filters | None = None, limit: int = 50, offset: int = 0,
           through: Through = fresh) -> SearchPage:
    """Segments whose words match ``query`` (any language), with the filters; audited with the words."""
    require(actor, Role.ANALYST)
    page = through(lambda: site.store.search(query, filters or Filters(), limit, offset))
    record(site, actor, Action.SEARCH, query=query)
    return page
