"""Call analytics over a period (``voxsight.reports``): a report to read, or one exported.

Analysts and above read them. A report read is not audited (it shows figures, not calls); one
exported (CSV, to leave the site) is, as an export naming the period.
"""

from __future__ import annotations

from datetime import date

from voxsight import reports
from voxsight.operations.actor import Actor, require
from voxsight.operations.audit import record
from voxsight.operations.recordings import Through, fresh
from voxsight.reports import Report
from voxsight.site import Site
from voxsight.store.accounts import Action, Role


def report(site: Site, actor: Actor, start: date, end: date, by: str = "day", through: Through = fresh) -> Report:
    """Calls, minutes, talk time, negative share, alert share by rule, emotion mix and events, per
    ``by``, from ``start`` to ``end`` (call days, both included)."""
    require(actor, Role.ANALYST)
    return through(lambda: reports.build(site.store, start, end, by))


def export(site: Site, actor: Actor, start: date, end: date, by: str = "day", through: Through = fresh) -> Report:
    """The same report, to export; audited as an export of the period."""
    built = report(site, actor, start, end, by, through)
    record(site, actor, Action.EXPORT, report={"start": start.isoformat(), "end": end.isoformat(), "by": by})
    return built
