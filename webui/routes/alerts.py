"""Alerts: the inbox, one alert with its history, acknowledge and resolve (audited)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query

from voxsight.operations import alerts
from voxsight.rules import SEVERITIES
from voxsight.store.alerts import AlertInfo, AlertPage
from voxsight.webui import schemas
from voxsight.webui.deps import Id, SiteDep, Supervisor
from voxsight.webui.errors import problems

router = APIRouter(prefix="/alerts", tags=["alerts"])


@router.get("", response_model=AlertPage)
def list_alerts(who: Supervisor, site: SiteDep,
                status: Literal["open", "acknowledged", "resolved"] | None = None,
                severity: Literal[SEVERITIES] | None = None,  # type: ignore[valid-type]
                rule: Annotated[str | None, Query(max_length=128)] = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 100,
                offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
    """Alerts, newest first, with the total that match."""
    page = alerts.inbox(site, who.actor, status, severity, limit, offset, rule)
    return {"items": [a.to_json() for a in page.items], "total": page.total}


@router.get("/{alert_id}", response_model=AlertInfo, responses=problems(404))
def alert(alert_id: Id, who: Supervisor, site: SiteDep):
    found = alerts.alert(site, who.actor, alert_id)
    if found is None:
        raise HTTPException(404, f"no alert {alert_id}")
    return found.to_json()


@router.post("/{alert_id}/{action}", response_model=AlertInfo, responses=problems(404, 409))
def step(alert_id: Id, action: Literal["acknowledge", "resolve"], body: schemas.AlertAction, who: Supervisor,
         site: SiteDep):
    """Acknowledge or resolve an alert, with a comment; 409 when it cannot take that step now."""
    return alerts.take_step(site, who.actor, alert_id, action, body.comment).to_json()
