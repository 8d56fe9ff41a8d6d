"""Call analytics over a period (``voxsight.reports``): a report to read, or one exported.

Analysts and above read them. A report read is audited as a report naming the period and the
grouping (its rows name agents and queues); one exported (CSV, to leave the site) as an export,
once the door has written it.
"""

from __future__ import annotations

from datetime import date
from typing import Callable, TypeVar

from voxsight import reports
from voxsight.operations.actor import Actor, require
from voxsight.operations.audit import record
from voxsight.operations.recordings import Through, fresh
from voxsight.reports import Report
from voxsight.site import Site
from voxsight.store.accounts import Action, Role

T = TypeVar("T")


def report(site: Site, actor: Actor, start: date, end: date, by: str = "day", through: Through = fresh) -> Report:
    """Calls, minutes, talk time, negative share, alert share by rule, emotion mix and events, per
    ``by``, from ``start`` to ``end`` (call days, both included); audited as a report read."""
    built = _build(site, actor, start, end, by, through)
    record(site, actor, Action.REPORT, report=_period(start, end, by))
    return built


def export(site: Site, actor: Actor, start: date, end: date, by: str = "day", through: Through = fresh,
           deliver: Callable[[Report], T] = lambda built: built) -> T:
    """The same report, to export: ``deliver`` writes it out (``reports.render``) and what it
    returns is returned; audited as an export of the period once it is written."""
    written = deliver(_build(site, actor, start, end, by, through))
    record(site, actor, Action.EXPORT, report=_period(start, end, by))
    return written


def _build(site: Site, actor: Actor, start: date, end: date, by: str, through: Through) -> Report:
    require(actor, Role.ANALYST)
    return through(lambda: reports.build(site.store, start, end, by))


def _period(start: date, end: date, by: str) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat(), "by": by}
