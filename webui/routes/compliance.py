"""Compliance, for admins: legal holds placed, released and listed, and erasure on request. Each
route is a call into ``voxsight.operations.compliance``; each action is audited there."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from voxsight.operations import compliance
from voxsight.store.compliance import HoldInfo
from voxsight.webui import schemas
from voxsight.webui.deps import Admin, Id, SiteDep
from voxsight.webui.errors import problems

router = APIRouter(tags=["compliance"])


@router.get("/holds", response_model=list[HoldInfo])
def holds(who: Admin, site: SiteDep, all: Annotated[bool, Query(description="released holds too")] = False):
    return compliance.holds(site, who.actor, all)


@router.post("/holds", response_model=HoldInfo, status_code=201, responses=problems(404))
def place_hold(body: schemas.HoldCreate, who: Admin, site: SiteDep):
    """Hold a recording, or every call of a customer or an agent: erasure is refused with the
    reason, and retention passes over it, until it is released."""
    return compliance.place_hold(site, who.actor, body.scope, body.value, body.reason)


@router.post("/holds/{hold_id}/release", response_model=HoldInfo, responses=problems(404))
def release_hold(hold_id: Id, who: Admin, site: SiteDep):
    return compliance.release_hold(site, who.actor, hold_id)


@router.post("/erasures", response_model=schemas.Erasure)
def erase(body: schemas.ErasureRequest, who: Admin, site: SiteDep):
    """Erase a recording, every call of a customer, or every call whose metadata has KEY = VALUE:
    audio (every copy), transcripts, index entries, alerts, notifications, jobs, cached pages. Held
    calls, and calls being analyzed, are refused (listed with why) and left whole."""
    meta = next(iter(body.meta.items())) if body.meta else None
    done = compliance.erase(site, who.actor, body.recording_id, body.customer, meta, body.dry_run)
    return schemas.Erasure(
        erased=[{k: v for k, v in e.to_json().items() if k != "audio_paths"} for e in done.erased],
        refused=[r.to_json() for r in done.refused], audio_files=done.audio_files, dry_run=body.dry_run)
