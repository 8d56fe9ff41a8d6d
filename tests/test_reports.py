"""Specification of voxsight.reports: exact aggregates over calls with constructed segments, the same
on SQLite and PostgreSQL, and the command line's table, CSV and JSON."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date

import pytest

from voxsight import reports
from voxsight.alerts import Alerting
from voxsight.config import Config
from voxsight.results import AnalysisResult, RecordingInfo, Segment

RULES = """rules:
  - id: angry
    severity: high
    message: 'angry at {time}'
    when: {emotion: {role: customer, emotions: ANGRY}}
  - id: crying
    severity: high
    message: 'crying at {time}'
    when: {event: {event: Cry}}
"""


def seg(start, end, role, emotion, events=()):
    return Segment(start, end, {"agent": 0, "customer": 1}[role], role, "en", emotion, tuple(events), "", "")


# (name, call_time, agent, queue, duration, segments)
CALLS = [
    ("1.wav", "2026-11-02T09:00:00+00:00", "ann", "billing", 60.0,
     [seg(0, 20, "agent", "NEUTRAL"), seg(40, 60, "customer", "ANGRY")]),  # escalation 1, negative 0.5
    ("2.wav", "2026-11-02T10:00:00+00:00", "bob", "billing", 120.0,
     [seg(0, 30, "agent", "HAPPY"), seg(30, 60, "customer", "SAD", ("Cry",))]),  # negative 0.5, escalation 0
    ("3.wav", "2026-11-03T10:00:00+00:00", "ann", "sales", 30.0,
     [seg(0, 10, "agent", "NEUTRAL"), seg(10, 20, "customer", "NEUTRAL")]),
    ("4.wav", "2026-11-10T10:00:00+00:00", "ann", "sales", 60.0,  # the next week
     [seg(0, 30, "customer", "ANGRY", ("Cry",)), seg(30, 40, "agent", "NEUTRAL")]),
    ("5.wav", "2026-12-01T10:00:00+00:00", "ann", "sales", 60.0, [seg(0, 10, "agent", "ANGRY")]),  # outside
]


@pytest.fixture
def store(each_store, tmp_path):
    store = each_store
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    alerting = Alerting(Config().with_overrides(alerts={"rules_file": str(rules)}).alerts, store)
    for name, when, agent, queue, duration, segments in CALLS:
        result = AnalysisResult(RecordingInfo(hashlib.sha256(name.encode()).hexdigest(), name, "wav", duration,
                                              16000, 2), "m", False, {}, tuple(segments))
        stored = store.save(result, "key", 100, {"call_time": when, "agent": agent, "queue": queue})
        alerting.evaluate(stored.analysis_id, stored.segments)
    yield store
    store.engine.dispose()


NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def test_report_by_day(store):
    report = reports.build(store, *NOVEMBER, by="day")

    assert [r.group for r in report.rows] == ["2026-11-02", "2026-11-03", "2026-11-10"]
    day = report.rows[0]
    assert (day.calls, day.minutes) == (2, 3.0)
    assert day.talk_minutes == pytest.approx((40 + 60) / 60, abs=0.01)
    assert day.non_talk_minutes == pytest.approx((20 + 60) / 60, abs=0.01)
    assert day.avg_negative_share == pytest.approx(0.5)
    assert day.alert_share_by_rule == {"angry": 0.5, "crying": 0.5}
    assert day.emotion_mix == {"ANGRY": 0.2, "HAPPY": 0.3, "NEUTRAL": 0.2, "SAD": 0.3}
    assert day.event_counts == {"Cry": 1}


def test_report_by_week_agent_queue_and_language(store):
    assert [(r.group, r.calls) for r in reports.build(store, *NOVEMBER, by="week").rows] == [
        ("2026-11-02", 3), ("2026-11-09", 1)]  # Mondays
    by_agent = {r.group: r for r in reports.build(store, *NOVEMBER, by="agent").rows}
    assert (by_agent["ann"].calls, by_agent["bob"].calls) == (3, 1)
    assert by_agent["ann"].alert_share_by_rule == {"angry": pytest.approx(2 / 3, abs=1e-4),
                                                   "crying": pytest.approx(1 / 3, abs=1e-4)}
    assert {r.group: r.calls for r in reports.build(store, *NOVEMBER, by="queue").rows} == {"billing": 2, "sales": 2}
    assert [(r.group, r.calls) for r in reports.build(store, *NOVEMBER, by="language").rows] == [("en", 4)]


def test_top_escalating_calls(store):
    top = reports.build(store, *NOVEMBER).top_escalating

    assert [(c.filename, c.escalation) for c in top] == [("1.wav", 1.0)]


def test_the_period_includes_both_ends(store):
    assert sum(r.calls for r in reports.build(store, date(2026, 11, 3), date(2026, 11, 10)).rows) == 2


def test_cli_formats(store, capsys):
    from voxsight.cli import main

    args = ["report", "--from", "2026-11-01", "--to", "2026-11-30", "--by", "queue", "--db", store.url]
    assert main([*args, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["queue"], r["calls"], r["alerts:angry"]) for r in rows] == [("billing", "2", "0.5"), ("sales", "2", "0.5")]
    assert main([*args, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"][0]["group"] == "billing"
    assert main(args) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split()[:3] == ["queue", "calls", "minutes"]
    assert "top escalating calls:" in table and "1.wav" in table
