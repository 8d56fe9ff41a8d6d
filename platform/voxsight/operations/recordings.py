"""Recordings: submitting them (an upload, or files on this machine), the list, one call with its
analysis, its audio, its export, search over what was said, the jobs, and a change of a call's
metadata; each checked and audited alike at every door.

The policy, once: analysts and above submit, search, export and correct a call's metadata;
viewers read calls, listen to them and follow jobs. Every read is audited with its door, after
what it read was built: a page of calls (with its filters), a view of a call, a listening, an
export (once the door has written it: an export that then fails is not logged), a search (with
its words), a list of jobs and a job. An upload refused is audited with the reason.

A listening is audited when it reads the recording from its first byte (a player asks for
``bytes=0-``; so does a download, however the range is written). A read that starts later (a
player seeking) is folded into the listening already audited: it is audited only when no download
of that recording by that actor was audited in the last ``LISTENING_S`` seconds, so a range
request alone (``bytes=1-``) never reads a call unrecorded.

What is played is the audio's redacted copy (``voxsight.redacted_audio``), to every role. Where the
policy keeps the original, only an admin may listen to it, and every such read is audited as
``listen_original``.

The same bytes uploaded again reuse the stored call and its analysis and never rewrite it: the
metadata sent with them is not applied (the audit entry says so). A change of metadata is its own
action (``update_metadata``), audited with the old and the new values.

A door that caches what it shows (the API's result cache) passes ``through``: it is given the read
as a function, and what else the answer depends on (``through(build, **vary)``: the actor's view
of alerts), and answers with it, or with its cached copy of what it once answered. The role
check and the audit happen either way, and what the operation returns is then what ``through``
returned.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from voxsight import audio, csvcells, jobs, redacted_audio, redaction
from voxsight.errors import AudioError, NotAudio, NotFound
from voxsight.features import CallFeatures
from voxsight.operations import alerts as alert_policy
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
LISTENING_S = 15 * 60  # a later range read within this of an audited download is the same listening
Through = Callable[..., Any]  # through(build, **vary)
T = TypeVar("T")


def fresh(build: Callable[[], Any], **_vary: Any) -> Any:
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
    audio_stored: bool  # there is audio to play: the redacted copy (or the original, nothing redacted)
    original_kept: bool = False  # the policy kept the original beside the copy


@dataclass(frozen=True)
class Export:
    """A call's transcript to hand over, as JSON or CSV: the door writes the bytes."""

    recording: RecordingSummary
    result: AnalysisResult
    format: str

    @property
    def stem(self) -> str:
        return Path(self.recording.filename).stem or f"recording-{self.recording.id}"

    @property
    def media_type(self) -> str:
        return "application/json" if self.format == "json" else "text/csv; charset=utf-8"

    def text(self) -> str:
        """The export as the door writes it: the analysis as JSON, or one CSV row per segment."""
        if self.format == "json":
            return json.dumps(self.result.to_json(), ensure_ascii=False)
        return csvcells.dumps(
            ["start_s", "end_s", "role", "language", "emotion", "events", "text", "words_engine"],
            ([f"{s.start_s:.2f}", f"{s.end_s:.2f}", s.role, s.language, s.emotion, " ".join(s.events), s.text,
              s.words_engine] for s in self.result.segments))


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
    try:
        fields = received.fields
        priority = fields.get("priority") or "normal"
        if priority not in ("high", "normal"):
            raise ValueError(f"priority must be high or normal, not {priority!r}")
        metadata = {k: v for k, v in _metadata({k: fields.get(k) for k in METADATA_FIELDS}).items() if v is not None}
        # the sender's name, masked: a recording named after the caller's phone number is stored without it
        name = redaction.masked(Path(received.filename.replace("\\", "/")).name, site.config.redaction) or "upload"
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
    except ValueError as exc:  # AudioError is one
        upload_refused(site, actor, str(exc), received.filename, size=received.size,
                       kind="not audio" if isinstance(exc, NotAudio) else
                       "unusable audio" if isinstance(exc, AudioError) else "invalid field")
        raise
    stored = site.store.recordings.get(existing) if (existing := site.store.recordings.id_for(received.sha256)) else None
    job = jobs.submit_upload(site.config, site.store, site.queue, received.path, received.sha256,
                             received.size, name, metadata, priority, reuse)
    received.path = None  # it is in the storage now
    reused = {}
    if stored is not None:  # the same bytes again: the stored call is kept as it is
        reused = {"reused_recording": stored.id, "metadata_applied": False,
                  "metadata_not_applied": {k: v for k, v in metadata.items() if stored.call_metadata.get(k) != v}}
    record(site, actor, Action.UPLOAD, job.recording_id, filename=job.filename, job_id=job.id, **reused)
    return job


def upload_refused(site: Site, actor: Actor, reason: str, filename: str | None = None, **detail: Any) -> None:
    """Audit an upload refused before it became a job: by ``upload`` itself, or by the door that
    received it (too large, not multipart), with the reason."""
    record(site, actor, Action.UPLOAD_REFUSED, filename=filename and redaction.masked(filename, site.config.redaction),
           reason=redaction.masked(reason, site.config.redaction), **detail)


def _metadata(fields: dict[str, Any]) -> dict[str, str | None]:
    """Call metadata fields, checked: each one of ``METADATA_FIELDS``, text (blank: None, to remove
    it), ``call_time`` an ISO 8601 date and time."""
    unknown = sorted(set(fields) - set(METADATA_FIELDS))
    if unknown:
        raise ValueError(f"call metadata fields are {', '.join(METADATA_FIELDS)}, not {', '.join(unknown)}")
    out: dict[str, str | None] = {}
    for key, value in fields.items():
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{key} must be text")
        out[key] = (value or "").strip() or None
    if out.get("call_time"):
        try:
            datetime.fromisoformat(out["call_time"])
        except ValueError:
            raise ValueError(f"call_time must be an ISO 8601 date and time, not {out['call_time']!r}") from None
    return out


def update_metadata(site: Site, actor: Actor, recording_id: int, changes: dict[str, str | None]) -> RecordingSummary:
    """Change a call's metadata (a field given as None or blank is removed); audited with the old
    and new values of what changed. Analysts and above: the same people who give it at upload.

    Raises:
        NotFound: no such recording.
        ValueError: an unknown field, or a call_time that is not ISO 8601.
    """
    require(actor, Role.ANALYST)
    done = site.store.recordings.update_metadata(recording_id, _metadata(changes))
    if done is None:
        raise NotFound(f"no recording {recording_id}")
    old, new = done
    changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    if changed:
        record(site, actor, Action.RECORDING_UPDATE, recording_id, old={k: old.get(k) for k in changed},
               new={k: new.get(k) for k in changed})
    return site.store.recordings.get(recording_id)


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
    """Recordings that match every filter, a page at a time, with the total (see the store's
    ``list``); audited as a list with the filters and the calls it showed."""
    require(actor, Role.VIEWER)
    filters = filters or Filters()
    page = site.store.recordings.list(filters, alert_state, sort, limit, offset, count_up_to=count_up_to)
    record(site, actor, Action.LIST, filters=_given(filters),
           alert_state=alert_state, sort=sort, limit=limit, offset=offset, shown=[r.id for r in page.items])
    return page


def recording(site: Site, actor: Actor, recording_id: int, through: Through = fresh) -> Call | None:
    """One call with its newest analysis, features and alerts (as ``actor``'s role sees alerts:
    ``alerts.shown``), or None; audited as a view when found."""
    require(actor, Role.VIEWER)
    found = through(lambda: _call(site, actor, recording_id), notes=alert_policy.reads_notes(actor))
    if found is not None:
        record(site, actor, Action.VIEW, recording_id)
    return found


def _call(site: Site, actor: Actor, recording_id: int) -> Call | None:
    summary = site.store.recordings.get(recording_id)
    if summary is None:
        return None
    analysis_id = summary.analysis_id
    stored, policy = site.store.recordings.audio_path(recording_id), site.config.redaction
    return Call(summary,
                site.store.analysis(analysis_id) if analysis_id else None,
                site.store.alerts.features(analysis_id) if analysis_id else None,
                alert_policy.shown(actor, site.store.alerts.for_analysis(analysis_id)) if analysis_id else [],
                stored is not None and redacted_audio.playable(stored, policy) is not None,
                stored is not None and policy.entities != () and redacted_audio.original_of(stored) is not None
                and redacted_audio.copy_of(stored).is_file())


def audio_file(site: Site, actor: Actor, recording_id: int,
               deliver: Callable[[Path], tuple[T, bool]] = lambda path: (path, True)) -> T:
    """The recording's audio as every role plays it (its redacted copy), to play or download:
    ``deliver`` is given where it is and returns what the door serves and whether that reads it
    from the first byte. Audited as a download then; a read from later on only when it is not part
    of a listening audited in the last ``LISTENING_S`` (see above).

    Raises:
        NotFound: no audio of it can be played (none stored, or its redacted copy not written yet).
    """
    require(actor, Role.VIEWER)
    stored = site.store.recordings.audio_path(recording_id)
    path = redacted_audio.playable(stored, site.config.redaction) if stored else None
    if path is None:
        raise NotFound(f"recording {recording_id} has no audio to play: "
                       + ("it was analyzed from a path on the command line, or its storage was removed" if not stored
                          else "its redacted copy is written when its analysis finishes (an analysis from before "
                               "redaction gets one from `voxsight redact --backfill`)"))
    served, from_start = deliver(path)
    since = datetime.now(timezone.utc) - timedelta(seconds=LISTENING_S)
    if from_start or not site.store.accounts.audited_since(actor.name, Action.DOWNLOAD, recording_id, since):
        record(site, actor, Action.DOWNLOAD, recording_id, **({} if from_start else {"from_start": False}))
    return served


def original_audio(site: Site, actor: Actor, recording_id: int,
                   deliver: Callable[[Path], tuple[T, bool]] = lambda path: (path, True)) -> T:
    """The original audio, unredacted, where the policy keeps it: admins only, every read audited
    as ``listen_original`` (a seek too: nothing of it is read unrecorded).

    Raises:
        NotFound: the original is not kept (the policy deletes it once its redacted copy exists).
    """
    require(actor, Role.ADMIN)
    stored = site.store.recordings.audio_path(recording_id)
    if not stored or (original := redacted_audio.original_of(stored)) is None:
        raise NotFound(f"recording {recording_id} has no original audio kept "
                       "(redaction.keep_original_audio is false: it is deleted once its redacted copy exists)")
    served, from_start = deliver(original)
    record(site, actor, Action.LISTEN_ORIGINAL, recording_id, **({} if from_start else {"from_start": False}))
    return served


def export(site: Site, actor: Actor, recording_id: int, format: str = "json",
           deliver: Callable[[Export], T] = lambda done: done) -> T:
    """The call's transcript with its tags, to export as JSON or CSV: ``deliver`` writes it out
    (``Export.text``) and what it returns is returned. Audited as an export once it is written.

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
    written = deliver(Export(summary, result, format))
    record(site, actor, Action.EXPORT, recording_id, format=format)
    return written


def search(site: Site, actor: Actor, query: str, filters: Filters | None = None, limit: int = 50, offset: int = 0,
           through: Through = fresh) -> SearchPage:
    """Segments whose words match ``query`` (any language), with the filters; audited with the words,
    redacted as transcripts are (an analyst may type a card number: the log never holds it)."""
    require(actor, Role.ANALYST)
    filters = filters or Filters()
    page = through(lambda: site.store.search(query, filters, limit, offset))
    given = _given(filters)
    policy = site.config.redaction
    record(site, actor, Action.SEARCH, query=redaction.masked(query, policy),
           **({"filters": given} if given else {}),
           **({"offset": offset} if offset else {}))
    return page


def _given(filters: Filters) -> dict[str, Any]:
    """The filters that narrow, as the audit's JSON holds them."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(filters).items() if v is not None}


# -- jobs

def job_list(site: Site, actor: Actor, status: str | None = None, limit: int = 100,
             refresh: bool = False) -> list[JobInfo]:
    """Jobs, newest first; audited with the filter, unless the door only ``refresh``es a list it
    showed (a console timer: the read that opened it was audited)."""
    require(actor, Role.VIEWER)
    found = site.store.jobs.list(status or None, limit)
    if not refresh:
        record(site, actor, Action.JOB_LIST, status=status or None, limit=limit)
    return found


def job(site: Site, actor: Actor, job_id: int) -> JobInfo | None:
    """One job, or None; audited when found."""
    require(actor, Role.VIEWER)
    found = site.store.jobs.get(job_id)
    if found is not None:
        record(site, actor, Action.JOB_VIEW, found.recording_id, job_id=job_id)
    return found
