"""Analytics: a period's calls in plots and tables, from ``voxsight.reports`` (the reports API's
call): the emotion mix day by day, how often each rule raised an alert, the audio events, and
agents, queues or languages side by side; the report as CSV (audited as an export, as in the API).

Plots take long-form rows (one value per row, a column naming its series), which is what Gradio's
plots draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from voxsight import reports
from voxsight.operations import reports as report_operations
from voxsight.reports import Report
from voxsight.store.accounts import Role
from voxsight.webui.console import files
from voxsight.webui.console.access import require
from voxsight.site import Site
from voxsight.webui.deps import Caller

COMPARISONS = ("agent", "queue", "language")


@dataclass(frozen=True)
class Analytics:
    by_day: Report
    compared: Report  # grouped by agent, queue or language

    @property
    def calls(self) -> int:
        return sum(r.calls for r in self.by_day.rows)


def build(site: Site, who: Caller, start: date, end: date, compare: str = "agent") -> Analytics:
    me = require(who, Role.ANALYST)
    if end < start:
        raise ValueError("the period ends before it starts")
    if compare not in COMPARISONS:
        raise ValueError(f"compare by one of {', '.join(COMPARISONS)}")
    return Analytics(report_operations.report(site, me, start, end, "day"),
                     report_operations.report(site, me, start, end, compare))


def emotion_mix(a: Analytics) -> list[dict]:
    """Each day's share of emotional speech per emotion."""
    return [{"day": row.group, "emotion": emotion, "share": share}
            for row in a.by_day.rows for emotion, share in row.emotion_mix.items()]


def alert_rates(a: Analytics) -> list[dict]:
    """For each rule, the share of the period's calls it raised an alert on."""
    calls = a.calls
    totals: dict[str, float] = {}
    for row in a.by_day.rows:
        for rule, share in row.alert_share_by_rule.items():
            totals[rule] = totals.get(rule, 0.0) + share * row.calls
    return [{"rule": rule, "share": round(n / calls, 4)} for rule, n in sorted(totals.items())] if calls else []


def events(a: Analytics) -> list[dict]:
    """Segments carrying each audio event over the period."""
    totals: dict[str, int] = {}
    for row in a.by_day.rows:
        for event, n in row.event_counts.items():
            totals[event] = totals.get(event, 0) + n
    return [{"event": e, "segments": n} for e, n in sorted(totals.items(), key=lambda kv: -kv[1])]


def comparison(a: Analytics) -> list[dict]:
    """One row per agent (queue, language): calls, minutes, negative share, alerted share."""
    out = []
    for row in a.compared.rows:
        out.append({a.compared.by: row.group, "calls": row.calls, "minutes": row.minutes,
                    "talk minutes": row.talk_minutes, "negative share": row.avg_negative_share,
                    "alerts per call": round(sum(row.alert_share_by_rule.values()), 4)})
    return out


def export_csv(site: Site, who: Caller, start: date, end: date, by: str) -> Path:
    """The report as CSV in a file of its own for the browser to download, in the console's folder
    (which Gradio sweeps: ``files``); audited as an export, once written."""
    def deliver(report: Report) -> Path:
        path = files.export_file(site.config, f"report-{start}-{end}-{by}.csv")
        path.write_text(reports.render(report, "csv"), encoding="utf-8", newline="")
        return path

    return report_operations.export(site, require(who, Role.ANALYST), start, end, by, deliver=deliver)
