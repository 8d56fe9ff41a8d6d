"""Alerts for the people who work them: the inbox, one alert with its history, and the two steps
an alert takes, acknowledge and resolve, each with a comment and audited at every door.

What each role sees of an alert is one policy, here (``shown``), applied wherever alerts are
shown (the inbox, one alert, a call's alerts at every door): supervisors and admins work alerts
and read their history with its comments; anyone below (a viewer, an analyst, who sees the alerts
a call raised) reads the alert and when it moved, but not who moved it nor the comments, which are
the supervisors' notes. Every read of the inbox and of one alert is audited.
"""

from __future__ import annotations

from dataclasses import replace

from voxsight import redaction
from voxsight.errors import AlertError
from voxsight.operations.actor import Actor, require
from voxsight.operations.audit import record
from voxsight.site import Site
from voxsight.store.accounts import Action, Role
from voxsight.store.alerts import AlertInfo, AlertPage, HistoryEntry

STEPS = {"acknowledge": Action.ALERT_ACKNOWLEDGE, "resolve": Action.ALERT_RESOLVE}
WORKS_ALERTS = Role.SUPERVISOR  # reads the notes, takes the steps


def reads_notes(actor: Actor) -> bool:
    """Whether ``actor`` reads alerts' history with its comments and who wrote them."""
    return actor.role.allows(WORKS_ALERTS)


def shown(actor: Actor, alerts: list[AlertInfo] | tuple[AlertInfo, ...]) -> list[AlertInfo]:
    """The alerts as ``actor``'s role may see them (the policy above)."""
    if reads_notes(actor):
        return list(alerts)
    return [replace(a, history=tuple(HistoryEntry(h.action, None, None, h.at) for h in a.history)) for a in alerts]


def inbox(site: Site, actor: Actor, status: str | None = None, severity: str | None = None, limit: int = 100,
          offset: int = 0, rule: str | None = None, refresh: bool = False) -> AlertPage:
    """Alerts, newest first, with the total that match; audited with the filters, unless the door
    only ``refresh``es a page it showed (a console timer: the read that opened it was audited)."""
    require(actor, WORKS_ALERTS)
    page = site.store.alerts.list(status or None, severity or None, limit, offset, rule_id=rule or None)
    page = AlertPage(tuple(shown(actor, page.items)), page.total)
    if not refresh:
        record(site, actor, Action.ALERT_LIST, status=status or None, severity=severity or None, rule=rule or None,
               limit=limit, offset=offset, shown=[a.id for a in page.items])
    return page


def alert(site: Site, actor: Actor, alert_id: int) -> AlertInfo | None:
    """One alert with its history, or None; audited when found."""
    require(actor, WORKS_ALERTS)
    found = site.store.alerts.get(alert_id)
    if found is None:
        return None
    [found] = shown(actor, [found])
    record(site, actor, Action.ALERT_VIEW, found.recording_id, alert_id=alert_id)
    return found


def take_step(site: Site, actor: Actor, alert_id: int, step: str, comment: str | None,
              by: str | None = None) -> AlertInfo:
    """Acknowledge or resolve an alert. Its history names ``by`` (default: the actor's own name,
    without a door prefix); the audit names the actor, and ``by`` when it differs.

    Raises:
        NotFound: no such alert.
        AlertError: no such step, or the alert cannot take it now (resolved already...).
    """
    require(actor, WORKS_ALERTS)
    if step not in STEPS:
        raise AlertError(f"unknown action {step!r}: one of {', '.join(STEPS)}")
    comment = (comment or "").strip()
    # a comment is text stored: personal data in it is masked first
    comment = redaction.masked(comment, site.config.redaction) if comment else None
    by = by or actor.login
    done = site.store.alerts.transition(alert_id, step, by, comment)
    record(site, actor, STEPS[step], done.recording_id, alert_id=alert_id, comment=comment,
           **({"by": by} if by != actor.login else {}))
    return done


def acknowledge(site: Site, actor: Actor, alert_id: int, comment: str | None, by: str | None = None) -> AlertInfo:
    return take_step(site, actor, alert_id, "acknowledge", comment, by)


def resolve(site: Site, actor: Actor, alert_id: int, comment: str | None, by: str | None = None) -> AlertInfo:
    return take_step(site, actor, alert_id, "resolve", comment, by)
