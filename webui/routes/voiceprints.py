"""Agents' voiceprints, for admins: which are kept, and erasing one. Making a print runs the
speaker model, which the web tier never loads: that is ``voxsight agents enroll|learn`` on a
machine with the models. Each route is a call into ``voxsight.operations.voiceprints``, audited there."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from voxsight.operations import voiceprints
from voxsight.store.voiceprints import VoiceprintInfo
from voxsight.webui.deps import Admin, SiteDep
from voxsight.webui.errors import problems

router = APIRouter(tags=["voiceprints"])

Agent = Annotated[str, Path(min_length=1, max_length=128, description="the agent, as the calls' metadata names them")]


@router.get("/voiceprints", response_model=list[VoiceprintInfo])
def listed(who: Admin, site: SiteDep):
    """Whose voiceprints are kept, how and when each was made; never the prints."""
    return voiceprints.listed(site, who.actor)


@router.delete("/voiceprints/{agent}", status_code=204, responses=problems(404))
def forget(agent: Agent, who: Admin, site: SiteDep):
    """Erase an agent's voiceprint: their mono calls are then told by greeting or by who speaks first."""
    voiceprints.forget(site, who.actor, agent)
    return Response(status_code=204)
