"""Call analytics over a period (``voxsight.reports``), as JSON or CSV."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response

from voxsight import reports
from voxsight.operations import reports as report_operations
from voxsight.webui import files
from voxsight.webui.deps import Analyst, SiteDep

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("", response_model=reports.Report, responses={200: {"content": {"text/csv": {}}}})
def report(start: date, end: date, who: Analyst, site: SiteDep, response: Response,
           by: Literal[reports.GROUPS] = "day",  # type: ignore[valid-type]
           format: Literal["json", "csv"] = "json"):
    """Calls, minutes, talk time, negative share, alert share by rule, emotion mix and events, per
    day, week, agent, queue or language, from ``start`` to ``end`` (call days, both included)."""
    params = {"start": start.isoformat(), "end": end.isoformat(), "by": by}

    def cached(build, **_vary):
        built, response.headers["X-Cache"] = site.cache.get_or_build(
            "report", site.store.recordings.version(), params, lambda: build().to_json())
        return built

    def deliver(built: dict) -> Response:
        report = reports.Report(**{**built, "rows": tuple(reports.ReportRow(**r) for r in built["rows"]),
                                   "top_escalating": ()})
        return files.download(reports.render(report, "csv"), "text/csv; charset=utf-8", f"report-{start}-{end}-{by}.csv")

    if format == "json":
        return report_operations.report(site, who.actor, start, end, by, through=cached)
    return report_operations.export(site, who.actor, start, end, by, through=cached, deliver=deliver)
