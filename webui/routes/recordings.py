"""Recordings: upload (→ a job), the filtered list, one call with its analysis, its metadata
changed, its audio, export."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response

from voxsight.operations import recordings
from voxsight.store.filters import Filters
from voxsight.store.jobs import JobView
from voxsight.store.recordings import ALERT_STATES, SORTS, RecordingPage, RecordingSummary
from voxsight.webui import files, ranges, schemas
from voxsight.webui.deps import Admin, Analyst, Id, OptionalMoment, SiteDep, Viewer
from voxsight.webui.errors import problems
from voxsight.webui.uploads import FILE_FIELD, METADATA_FIELDS, receive

router = APIRouter(prefix="/recordings", tags=["recordings"])

_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": [FILE_FIELD],
    "properties": {FILE_FIELD: {"type": "string", "format": "binary"},
                   "priority": {"type": "string", "enum": ["high", "normal"]},
                   **{name: {"type": "string"} for name in METADATA_FIELDS if name != "call_time"},
                   "call_time": {"type": "string", "format": "date-time"}}}}}}}  # as submit checks it


@router.post("", status_code=202, response_model=JobView, openapi_extra=_UPLOAD_BODY,
             responses={200: {"model": JobView, "description": "analyzed before: the job is done"},
                        **problems(413, 415, 422)})
async def upload(request: Request, who: Analyst, site: SiteDep):
    """Upload one recording (``multipart/form-data``: ``file`` and optional call metadata) to be
    analyzed. It is checked before anything is stored: over the size limit → 413; not audio (by its
    content) → 415; empty, damaged or truncated → 422 with the reason. The same bytes analyzed
    before with the same models and parameters come back at once: the job is ``done`` with the
    stored analysis."""
    try:
        received = await receive(request, site.config.storage_dir, site.config.web.max_upload_bytes)
    except HTTPException as exc:  # too large, or not a multipart upload: refused before the operation
        await run_in_threadpool(recordings.upload_refused, site, who.actor, str(exc.detail), status=exc.status_code)
        raise
    try:
        job = await run_in_threadpool(recordings.upload, site, who.actor, received)
    finally:
        received.discard()  # placed (moved) on success; otherwise nothing may be left
    return JSONResponse(job.to_json(), status_code=200 if job.status == "done" else 202,
                        headers={"Location": f"/api/v1/jobs/{job.id}"})


@router.get("", response_model=RecordingPage)
def list_recordings(
        who: Viewer, site: SiteDep,
        since: OptionalMoment = None, until: OptionalMoment = None,
        agent: Annotated[str | None, Query(max_length=128)] = None,
        queue: Annotated[str | None, Query(max_length=128)] = None,
        language: Annotated[str | None, Query(max_length=16)] = None,
        emotion: Annotated[str | None, Query(max_length=16)] = None,
        event: Annotated[str | None, Query(max_length=32)] = None,
        alert_state: Literal[ALERT_STATES] | None = None,  # type: ignore[valid-type]
        sort: Literal[SORTS] = "newest",  # type: ignore[valid-type]
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
    """Recordings that match every filter given, a page at a time, with the total."""
    filters = Filters(emotion=emotion, language=language, event=event, agent=agent, queue=queue,
                      since=since, until=until)
    return recordings.recordings(site, who.actor, filters, alert_state, sort, limit, offset)


@router.get("/{recording_id}", response_model=schemas.RecordingDetail, responses=problems(404))
def recording(recording_id: Id, who: Viewer, site: SiteDep, response: Response):
    """One call: its newest analysis with every segment, its features and its alerts (audited)."""
    def cached(build, **vary):  # vary: what the answer depends on besides the id (the role's view of alerts)
        detail, response.headers["X-Cache"] = site.cache.get_or_build(
            "recording", site.store.recordings.version(), {"id": recording_id, **vary}, lambda: _detail(build()))
        return detail

    detail = recordings.recording(site, who.actor, recording_id, through=cached)
    if detail is None:
        raise HTTPException(404, f"no recording {recording_id}")
    return detail


@router.patch("/{recording_id}", response_model=RecordingSummary, responses=problems(404))
def update_recording(recording_id: Id, body: schemas.RecordingUpdate, who: Analyst, site: SiteDep):
    """Change the call's metadata: the fields given are set (null or blank: removed), the others
    kept. Audited with the old and new values; reports, the list and cached pages follow at once.
    (Uploading the same bytes again never changes a stored call.)"""
    return recordings.update_metadata(site, who.actor, recording_id, body.model_dump(mode="json", exclude_unset=True))


def _detail(call: recordings.Call | None) -> dict | None:
    if call is None:
        return None
    return schemas.RecordingDetail(
        recording=call.recording,
        analysis=call.result.to_json() if call.result else None,
        features=call.features,
        alerts=list(call.alerts),
        audio_stored=call.audio_stored,
        original_kept=call.original_kept,
    ).model_dump(mode="json")


@router.get("/{recording_id}/audio", response_class=FileResponse,
            responses={200: {"content": {"audio/*": {}}}, 206: {"description": "the range asked for"},
                       **problems(404, 416)})
def recording_audio(recording_id: Id, request: Request, who: Viewer, site: SiteDep):
    """The recording's redacted copy (personal data silenced; the original where nothing is
    redacted), with HTTP range requests (the console's player seeks with them), served as the audio
    type its bytes are (``application/octet-stream`` when no type a browser plays), never as the
    name it was sent with says.
    Audited once per listening, not once per range: a read from the first byte, however the range
    is written; a later range only when no listening of it by the same user was audited lately."""
    return recordings.audio_file(site, who.actor, recording_id, _deliver(request, recording_id))


@router.get("/{recording_id}/audio/original", response_class=FileResponse,
            responses={200: {"content": {"audio/*": {}}}, 206: {"description": "the range asked for"},
                       **problems(404, 416)})
def recording_original_audio(recording_id: Id, request: Request, who: Admin, site: SiteDep):
    """The original, unredacted audio, where the policy keeps it (``redaction.keep_original_audio``):
    admins only, every read audited as ``listen_original``."""
    return recordings.original_audio(site, who.actor, recording_id, _deliver(request, recording_id, "original"))


def _deliver(request: Request, recording_id: int, kind: str = ""):
    def deliver(path):
        reads_start = ranges.from_start(request.headers.get("range"), request.headers.get("if-range"),
                                        path.stat().st_size)
        return files.recording(path, f"recording-{recording_id}" + (f"-{kind}" if kind else "")), reads_start
    return deliver


@router.get("/{recording_id}/export", responses={**problems(404),
                                                 200: {"content": {"text/csv": {}, "application/json": {}}}})
def export(recording_id: Id, who: Analyst, site: SiteDep, format: Literal["json", "csv"] = "json"):
    """The call's transcript with its tags, as JSON or CSV (one row per segment); audited once
    the response is made."""
    def deliver(done: recordings.Export) -> Response:
        return files.download(done.text(), done.media_type, f"{done.stem}.{done.format}")

    return recordings.export(site, who.actor, recording_id, format, deliver)
