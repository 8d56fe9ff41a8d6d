"""Call analytics over a period, grouped by day, week, agent, queue or language.

Three SQL queries: one grouped scan of ``call_features`` (one row per analysed call, every figure
in a plain column, its date, agent, queue and language denormalised), one grouped join with
``alerts``, and the top escalating calls. The same SQL on SQLite and PostgreSQL; timed over
100,000 calls on PostgreSQL by ``bench/reports.py``. ``build`` is the
library call the console and API use; ``render`` is for the command line.

Figures (features are defined in ``voxsight.features``): calls; minutes of audio; talk and
non-talk minutes; average negative share per call; for each rule, the share of calls with an
alert from it; the emotion mix (each emotion's share of the speech seconds whose emotion is
known); event counts (segments carrying each event); and the calls that escalated most.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import desc, func, select

from voxsight import csvcells
from voxsight.records import Record
from voxsight.store import Store
from voxsight.store import schema

GROUPS = ("day", "week", "agent", "queue", "language")
TOP_ESCALATING = 10


@dataclass(frozen=True)
class ReportRow:
    group: str
    calls: int
    minutes: float
    talk_minutes: float
    non_talk_minutes: float
    avg_negative_share: float
    alert_share_by_rule: dict[str, float]
    emotion_mix: dict[str, float]
    event_counts: dict[str, int]


@dataclass(frozen=True)
class EscalatingCall:
    analysis_id: int
    filename: str
    call_day: str
    agent: str | None
    queue: str | None
    escalation: float
    negative_share: float


@dataclass(frozen=True)
class Report(Record):
    start: str
    end: str
    by: str
    rows: tuple[ReportRow, ...]
    top_escalating: tuple[EscalatingCall, ...]


def build(store: Store, start: date, end: date, by: str = "day") -> Report:
    """Aggregate the calls from ``start`` to ``end`` (both included, by call day)."""
    if by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)}, not {by!r}")
    cf = schema.CallFeatures
    key = {"day": cf.call_day, "week": cf.call_week, "agent": cf.agent, "queue": cf.queue, "language": cf.language}[by]
    period = (cf.call_day >= start, cf.call_day <= end)
    emotion_columns = {e: getattr(cf, c) for e, c in schema.EMOTION_COLUMNS.items()}
    event_columns = {e: getattr(cf, c) for e, c in schema.EVENT_COLUMNS.items()}
    with store.engine.connect() as db:
        totals = db.execute(
            select(key, func.count(), func.sum(cf.duration_s), func.sum(cf.talk_s), func.sum(cf.non_talk_s),
                   func.avg(cf.negative_share), *(func.sum(c) for c in emotion_columns.values()),
                   *(func.sum(c) for c in event_columns.values()))
            .where(*period).group_by(key)).all()
        alerts = db.execute(
            select(key, schema.Alert.rule_id, func.count())
            .join(schema.Alert, schema.Alert.analysis_id == cf.analysis_id).where(*period)
            .group_by(key, schema.Alert.rule_id)).all()
        top = db.execute(
            select(cf.analysis_id, schema.Recording.filename, cf.call_day, cf.agent, cf.queue, cf.escalation,
                   cf.negative_share)
            .join(schema.Analysis, schema.Analysis.id == cf.analysis_id).join(schema.Recording)
            .where(*period, cf.escalation > 0).order_by(desc(cf.escalation), cf.analysis_id)
            .limit(TOP_ESCALATING)).all()

    calls = {_label(g): n for g, n, *_ in totals}
    by_rule: dict[str, dict[str, float]] = {}
    for g, rule_id, n in alerts:
        by_rule.setdefault(_label(g), {})[rule_id] = round(n / calls[_label(g)], 4)
    rows = []
    n_emotions = len(emotion_columns)
    for g, n, seconds, talk, non_talk, negative, *sums in sorted(totals, key=lambda r: _label(r[0])):
        mix = {e: v for e, v in zip(emotion_columns, sums[:n_emotions]) if v}
        known = sum(mix.values())
        rows.append(ReportRow(
            group=_label(g), calls=n, minutes=round((seconds or 0) / 60, 2), talk_minutes=round((talk or 0) / 60, 2),
            non_talk_minutes=round((non_talk or 0) / 60, 2), avg_negative_share=round(negative or 0, 4),
            alert_share_by_rule=dict(sorted(by_rule.get(_label(g), {}).items())),
            emotion_mix={e: round(v / known, 4) for e, v in sorted(mix.items())} if known else {},
            event_counts={e: int(v) for e, v in sorted(zip(event_columns, sums[n_emotions:])) if v},
        ))
    return Report(start.isoformat(), end.isoformat(), by, tuple(rows), tuple(
        EscalatingCall(r[0], r[1], _label(r[2]), r[3], r[4], round(r[5], 4), round(r[6], 4)) for r in top))


def render(report: Report, fmt: str = "table") -> str:
    """The report as an aligned table, CSV (one row per group, one column per figure) or JSON."""
    if fmt == "json":
        return json.dumps(report.to_json(), ensure_ascii=False) + "\n"
    rules = sorted({r for row in report.rows for r in row.alert_share_by_rule})
    emotions = sorted({e for row in report.rows for e in row.emotion_mix})
    events = sorted({e for row in report.rows for e in row.event_counts})
    header = [report.by, "calls", "minutes", "talk_min", "non_talk_min", "avg_negative_share",
              *(f"alerts:{r}" for r in rules), *(f"emotion:{e}" for e in emotions), *(f"event:{e}" for e in events)]
    lines = [[row.group, row.calls, row.minutes, row.talk_minutes, row.non_talk_minutes, row.avg_negative_share,
              *(row.alert_share_by_rule.get(r, 0.0) for r in rules), *(row.emotion_mix.get(e, 0.0) for e in emotions),
              *(row.event_counts.get(e, 0) for e in events)] for row in report.rows]
    if fmt == "csv":  # group names come from upload metadata: cells a spreadsheet must not run
        return csvcells.dumps(header, lines, lineterminator="\n")
    if fmt != "table":
        raise ValueError(f"format must be table, csv or json, not {fmt!r}")
    cells = [header] + [[_cell(v) for v in line] for line in lines]
    widths = [max(len(str(c[i])) for c in cells) for i in range(len(header))]
    text = ["  ".join(str(c).rjust(w) if k else str(c).ljust(w) for k, (c, w) in enumerate(zip(line, widths)))
            for line in cells]
    if report.top_escalating:
        text += ["", "top escalating calls:"]
        text += [f"  {c.escalation:+.2f}  negative {c.negative_share:.2f}  {c.call_day}  {c.agent or '-'}  "
                 f"{c.queue or '-'}  {c.filename} (analysis {c.analysis_id})" for c in report.top_escalating]
    return "\n".join(text) + "\n"


def _label(group: Any) -> str:
    if group is None:
        return "(none)"
    return group.isoformat() if isinstance(group, date) else str(group)


def _cell(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)
