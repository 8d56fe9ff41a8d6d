"""Alerts for the people who work them: the inbox, one alert with its history, and the two steps
an alert takes, acknowledge and resolve, each with a comment and audited at every door."""

from __future__ import annotations

from voxsight.errors import AlertError
from voxsight.operations.actor import Actor, require
from voxsight.operations.audit import record
from voxsight.site import Site
from voxsight.store.accounts import Action, Role
from voxsight.store.alerts import AlertInfo, AlertPage

STEPS = {"acknowledge": Action.ALERT_ACKNOWLEDGE, "resolve": Action.ALERT_RESOLVE}


def inbox(site: Site, actor: Actor, status: str | None = None, severity: str | None = None, limit: int = 100,
          offset: int = 0, rule: str | None = None) -> AlertPage:
    """Alerts, newest first, with the total that match."""
    require(actor, Role.SUPERVISOR)
    return site.store.alerts.list(status or None, severity or None, limit, offset, rule_id=rule or None)


def alert(site: Site, actor: Actor, alert_id: int) -> AlertInfo | None:
    """One alert with its history, or None."""
    require(actor, Role.SUPERVISOR)
    return site.store.alerts.get(alert_id)


def take_step(site: Site, actor: Actor, alert_id: int, step: str, comment: str | None,
              by: str | None = None) -> AlertInfo:
    """Acknowledge or resolve an alert. Its history names ``by`` (default: the actor's own name,
    without a door prefix); the audit names the actor, and ``by`` when it differs.

    Raises:
        NotFound: no such alert.
        AlertError: no such step, or the alert cannot take it now (resolved already...).
    """
    require(actor, Role.SUPERVISOR)
    if step not in STEPS:
        raise AlertError(f"unknown action {step!r}: one of {', '.join(STEPS)}")
    comment = (comment or "").strip() or None
    by = by or actor.login
    done = site.store.alerts.transition(alert_id, step, by, comment)
    record(site, actor, STEPS[step], done.recording_id, alert_id=alert_id, comment=comment,
           **({"by": by} if by != actor.login else {}))
    return done


def acknowledge(site: Site, actor: Actor, alert_id: int, comment: str | None, by: str | None = None) -> AlertInfo:
    return take_step(site, actor, alert_id, "acknowledge", comment, by)


def resolve(site: Site, actor: Actor, alert_id: int, comment: str | None, by: str | None = None) -> AlertInfo:
    return take_step(site, actor, alert_id, "resolve", comment, by)
