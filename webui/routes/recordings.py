"""Recordings: upload (→ a job), the filtered list, one call with its analysis, its audio, export."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response

from voxsight.operations import recordings
from voxsight.store.filters import Filters
from voxsight.store.jobs import JobView
from voxsight.store.recordings import ALERT_STATES, SORTS, RecordingPage
from voxsight.webui import files, schemas
from voxsight.webui.deps import Analyst, Id, OptionalMoment, SiteDep, Viewer
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
    received = await receive(request, site.config.storage_dir, site.config.web.max_upload_bytes)
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
    def cached(build):
        detail, response.headers["X-Cache"] = site.cache.get_or_build(
            "recording", site.store.recordings.version(), {"id": recording_id}, lambda: _detail(build()))
        return detail

    detail = recordings.recording(site, who.actor, recording_id, through=cached)
    if detail is None:
        raise HTTPException(404, f"no recording {recording_id}")
    return detail


def _detail(call: recordings.Call | None) -> dict | None:
    if call is None:
        return None
    return schemas.RecordingDetail(
        recording=call.recording,
        analysis=call.result.to_json() if call.result else None,
        features=call.features,
        alerts=list(call.alerts),
        audio_stored=call.audio_stored,
    ).model_dump(mode="json")


@router.get("/{recording_id}/audio", response_class=FileResponse,
            responses={200: {"content": {"audio/*": {}}}, 206: {"description": "the range asked for"},
                       **problems(404, 416)})
def recording_audio(recording_id: Id, request: Request, who: Viewer, site: SiteDep):
    """The recording as uploaded, with HTTP range requests (the console's player seeks with them),
    served as the audio type its bytes are (``application/octet-stream`` when they are no type a
    browser plays), never as the name it was sent with says. Audited once per listening, not once
    per range."""
    ranged = request.headers.get("range", "")
    from_start = not ranged or ranged.replace(" ", "").startswith("bytes=0-")
    path = recordings.audio_file(site, who.actor, recording_id, from_start)
    return files.recording(path, f"recording-{recording_id}")


@router.get("/{recording_id}/export", responses={**problems(404),
                                                 200: {"content": {"text/csv": {}, "application/json": {}}}})
def export(recording_id: Id, who: Analyst, site: SiteDep, format: Literal["json", "csv"] = "json"):
    """The call's transcript with its tags, as JSON or CSV (one row per segment); audited."""
    done = recordings.export(site, who.actor, recording_id, format)
    stem, result = done.stem, done.result
    if format == "json":
        return files.download(json.dumps(result.to_json(), ensure_ascii=False), "application/json", f"{stem}.json")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["start_s", "end_s", "role", "language", "emotion", "events", "text", "words_engine"])
    for s in result.segments:
        writer.writerow([f"{s.start_s:.2f}", f"{s.end_s:.2f}", s.role or "", s.language or "", s.emotion or "",
                         " ".join(s.events), _cell(s.text), s.words_engine or ""])
    return files.download(out.getvalue(), "text/csv; charset=utf-8", f"{stem}.csv")


def _cell(text: str) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula: a transcript must stay text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
