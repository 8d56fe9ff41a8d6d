"""Jobs: their state and progress (each read audited, ``voxsight.operations.recordings``)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query

from voxsight.operations import recordings
from voxsight.store.jobs import JobView
from voxsight.webui import schemas
from voxsight.webui.deps import Id, SiteDep, Viewer
from voxsight.webui.errors import problems

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("", response_model=schemas.JobPage)
def list_jobs(who: Viewer, site: SiteDep,
              status: Literal["queued", "running", "done", "failed", "dead"] | None = None,
              limit: Annotated[int, Query(ge=1, le=500)] = 100):
    """Jobs, newest first."""
    return {"items": [j.to_json() for j in recordings.job_list(site, who.actor, status, limit)]}


@router.get("/{job_id}", response_model=JobView, responses=problems(404))
def job(job_id: Id, who: Viewer, site: SiteDep):
    """One job: state, progress (segments done of total), its analysis when done, its reason when failed."""
    found = recordings.job(site, who.actor, job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id}")
    return found.to_json()
