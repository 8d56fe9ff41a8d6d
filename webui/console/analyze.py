"""Analyze: upload one or many recordings with their call's metadata; each becomes a job, shown
with its progress until it is done, or with the reason it failed.

Each file takes the API's path (``voxsight.operations.recordings.upload``): checked by its content
and decoded once in the isolated child before anything is stored, then a job, audited as an upload.
A file that is refused is shown with its reason beside the jobs of the others.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException

from voxsight.errors import AudioError
from voxsight.operations import recordings
from voxsight.store.accounts import Role
from voxsight.webui import uploads
from voxsight.webui.console import files as console_files
from voxsight.webui.console.access import require
from voxsight.site import Site
from voxsight.webui.deps import Caller

RECENT_JOBS = 25


@dataclass(frozen=True)
class CallDetails:
    """What the analyst knows about the calls uploaded together."""

    agent: str = ""
    customer: str = ""
    queue: str = ""
    call_time: str = ""  # ISO 8601
    priority: str = "normal"

    def fields(self) -> dict[str, str]:
        return {"agent": self.agent, "customer": self.customer, "queue": self.queue,
                "call_time": self.call_time, "priority": self.priority}


@dataclass(frozen=True)
class Submitted:
    """One uploaded file: its job, or why it was refused."""

    filename: str
    job_id: int | None
    reason: str | None = None


@dataclass(frozen=True)
class JobRow:
    job_id: int | None
    filename: str
    status: str  # queued running done failed dead, or "refused" (never became a job)
    done: int
    total: int
    reason: str | None
    recording_id: int | None


def submit(site: Site, who: Caller, files: list[tuple[Path, str]], details: CallDetails) -> list[Submitted]:
    """Submit each file (its path here, the name the user knows it by) as a job.

    Each must be a file the browser uploaded (in Gradio's folder); Gradio's copy of each is removed
    once it is in the storage (or refused): call audio is not left in temporary folders.

    Raises:
        Forbidden: a path outside Gradio's folder (nothing is read or removed then).
    """
    me = require(who, Role.ANALYST)
    files = [(console_files.uploaded(site.config, path), name) for path, name in files]
    out = []
    for path, name in files:
        received = None
        try:
            received = uploads.receive_file(path, name, site.config.storage_dir, site.config.web.max_upload_bytes)
            received.fields = details.fields()
            job = recordings.upload(site, me, received)
        except HTTPException as exc:  # over the size limit
            recordings.upload_refused(site, me, str(exc.detail), name, status=exc.status_code)
            out.append(Submitted(name, None, str(exc.detail)))
            continue
        except (AudioError, ValueError) as exc:  # not audio, damaged, a bad field
            out.append(Submitted(name, None, str(exc)))
            continue
        finally:
            if received is not None:
                received.discard()
            _remove(path)
        out.append(Submitted(name, job.id))
    return out


def jobs(site: Site, who: Caller, submitted: list[Submitted], refresh: bool = False) -> list[JobRow]:
    """The files this analyst submitted (refused ones first, with their reason), then the site's
    newest jobs, newest first; audited as a list of jobs unless the page's timer only ``refresh``es it."""
    me = require(who, Role.ANALYST)
    rows = [JobRow(None, s.filename, "refused", 0, 0, s.reason, None) for s in submitted if s.job_id is None]
    found = {j.id: j for j in recordings.job_list(site, me, limit=RECENT_JOBS, refresh=refresh)}
    for s in submitted:  # their own uploads past the newest page (audited as uploads)
        if s.job_id is not None and s.job_id not in found and (job := site.store.jobs.get(s.job_id)):
            found[job.id] = job
    for job in sorted(found.values(), key=lambda j: j.id, reverse=True):
        state = job.to_json()  # plain strings, whatever the store's types
        rows.append(JobRow(job.id, job.filename, state["status"], job.progress_done, job.progress_total,
                           job.error, job.recording_id))
    return rows


def _remove(path: Path | str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
