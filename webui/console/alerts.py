"""Alerts: the supervisors' inbox, filtered by severity, state and rule, newest first; one alert
with its triggers and history; acknowledge and resolve with a comment: the operations the API's
alert routes call (``voxsight.operations.alerts``), audited the same way.

The page polls ``watch`` every few seconds: it costs two indexed reads, and tells the page whether
anything changed and how many alerts are new since it last looked, so new alerts appear without a
reload (Redis pub/sub would only reach a console that was listening at the moment; the store is
where every alert is).
"""

from __future__ import annotations

from dataclasses import dataclass

from voxsight import rules
from voxsight.operations import alerts as operations
from voxsight.rules import SEVERITIES
from voxsight.store.accounts import Role
from voxsight.store.alerts import AlertInfo, AlertPage
from voxsight.store.schema import AlertStatus
from voxsight.webui.console.access import require
from voxsight.site import Site
from voxsight.webui.deps import Caller

PAGE_SIZE = 50
STATES = tuple(s.value for s in AlertStatus)
ACTIONS = ("acknowledge", "resolve")


@dataclass(frozen=True)
class AlertQuery:
    status: str | None = "open"
    severity: str | None = None
    rule: str | None = None
    page: int = 0
    page_size: int = PAGE_SIZE


@dataclass(frozen=True)
class Watch:
    """What the inbox last saw: the newest alert and the store's change mark."""

    newest_id: int
    mark: str
    open: int


def inbox(site: Site, who: Caller, query: AlertQuery, refresh: bool = False) -> AlertPage:
    """A page of the inbox; audited unless the page's timer only ``refresh``es it."""
    actor = require(who, Role.SUPERVISOR)
    if query.status and query.status not in STATES:
        raise ValueError(f"state must be one of {', '.join(STATES)}")
    if query.severity and query.severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}")
    return operations.inbox(site, actor, query.status, query.severity, query.page_size,
                            max(query.page, 0) * query.page_size, query.rule, refresh)


def alert(site: Site, who: Caller, alert_id: int) -> AlertInfo | None:
    """One alert with its history."""
    return operations.alert(site, require(who, Role.SUPERVISOR), alert_id)


def act(site: Site, who: Caller, alert_id: int, action: str, comment: str) -> AlertInfo:
    """Acknowledge or resolve an alert in the name of the signed-in supervisor.

    Raises:
        AlertError: no such alert, or it cannot take this step now (resolved already...).
    """
    return operations.take_step(site, require(who, Role.SUPERVISOR), alert_id, action, comment)


def rule_choices(site: Site, who: Caller) -> list[str]:
    """The rules in force, then any other rule that has alerts in the store's newest page."""
    require(who, Role.SUPERVISOR)
    try:
        in_force = [r.id for r in rules.load(site.config.alerts.rules_file).rules]
    except rules.RulesError:
        in_force = []
    seen = [a.rule_id for a in site.store.alerts.list(limit=200).items]
    return list(dict.fromkeys(in_force + sorted(seen)))


def watch(site: Site, who: Caller) -> Watch:
    require(who, Role.SUPERVISOR)
    newest = site.store.alerts.list(limit=1)
    opened = site.store.alerts.list("open", limit=1)
    return Watch(newest.items[0].id if newest.items else 0, site.store.recordings.version(), opened.total)


def new_since(site: Site, who: Caller, seen: Watch | None, now: Watch) -> list[AlertInfo]:
    """Alerts opened after ``seen`` (none the first time the page looks)."""
    require(who, Role.SUPERVISOR)
    if seen is None or now.newest_id <= seen.newest_id:
        return []
    fresh = site.store.alerts.list(limit=min(now.newest_id - seen.newest_id, 100)).items
    return [a for a in fresh if a.id > seen.newest_id]
