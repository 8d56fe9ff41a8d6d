"""Specification of alerts: raised after every analysis from the real pipeline's output, stored
once per (analysis, rule), re-evaluated by backfill without a model, with a lifecycle and its
history, on SQLite and PostgreSQL; a broken rules file never takes the rules in force away."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, inspect, select

from helpers import ROOT, SAMPLES
from voxsight.alerts import Alerting
from voxsight.analysis import Analyzer
from voxsight.results import AnalysisResult, RecordingInfo, Segment
from voxsight.store import Store, schema
from voxsight.errors import NotFound
from voxsight.store.alerts import AlertError
from voxsight.store.repository import _alembic_config

RULES = ROOT / "configs" / "rules.yaml"


def _split(config, rules_file=RULES):
    return config.with_overrides(audio={"channels": "split"}, alerts={"rules_file": str(rules_file)})


def seg(start, end, role, emotion="NEUTRAL", text=""):
    return Segment(start, end, {"agent": 0, "customer": 1}[role], role, "en", emotion, (), text, "")


def store_call(store: Store, name: str, segments, duration_s: float, metadata: dict | None = None) -> AnalysisResult:
    sha = hashlib.sha256(name.encode()).hexdigest()
    result = AnalysisResult(RecordingInfo(sha, name, "wav", duration_s, 16000, 2), "m", False, {}, tuple(segments))
    return store.save(result, "key", 1000, metadata)


def count(store: Store, table) -> int:
    with store.engine.connect() as c:
        return c.scalar(select(func.count()).select_from(table))


def rules_file(tmp_path: Path, rules: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(rules)
    return path


ANGRY_RULE = """rules:
  - id: angry
    severity: high
    message: 'angry {role} at {time}: {text}'
    when: {emotion: {role: customer, emotions: ANGRY}}
"""


# -- after every analysis


@pytest.fixture
def analyzed(config, engine):
    """The three sample calls analyzed with the store and the shipped rules."""
    store = Store(config.store_url)
    analyzer = Analyzer(_split(config), store=store, engine=engine)
    results = {p.stem: analyzer.analyze_file(p, call_metadata={"queue": "billing", "agent": "ann"})
               for p in sorted((SAMPLES / "calls").glob("*.wav"))}
    return store, analyzer, results


def test_the_angry_customer_of_the_billing_dispute_raises_alerts(analyzed):
    store, _, results = analyzed
    alerts = {a.rule_id: a for a in store.alerts.list().items if a.analysis_id == results["billing_dispute"].analysis_id}

    assert {"angry_customer", "complaint_threat"} <= set(alerts)
    complaint = alerts["complaint_threat"]
    assert complaint.severity == "critical"
    assert "i will file a complaint" in complaint.message and "00:12" in complaint.message
    assert [(t.role, round(t.start_s)) for t in complaint.triggers] == [("customer", 12)]
    assert all(t.role == "customer" for t in alerts["angry_customer"].triggers)


def test_the_happy_call_raises_no_emotion_alert(analyzed):
    store, _, results = analyzed
    happy = {a.rule_id for a in store.alerts.list().items if a.analysis_id == results["happy_upgrade"].analysis_id}

    assert not happy & {"angry_customer", "complaint_threat", "escalating_call", "crying_caller"}


def test_features_are_stored_with_each_analysis(analyzed):
    store, _, results = analyzed
    with store.engine.connect() as c:
        row = c.execute(select(schema.CallFeatures).where(
            schema.CallFeatures.analysis_id == results["billing_dispute"].analysis_id)).one()

    assert (row.agent, row.queue, row.language) == ("ann", "billing", "en")
    assert row.negative_share > 0.3 and row.talk_s > 10
    assert row.features["roles"]["customer"]["dominant_emotion"] == "ANGRY"


def test_analyzing_again_and_backfilling_never_duplicate_alerts(analyzed, config):
    store, analyzer, results = analyzed
    before = (count(store, schema.Alert), count(store, schema.Outbox))

    again = analyzer.analyze_file(SAMPLES / "calls" / "billing_dispute.wav")
    summary = Alerting(_split(config).alerts, store).backfill()

    assert again.reused
    assert (summary.calls, summary.opened, summary.updated) == (3, 0, 0)
    assert (count(store, schema.Alert), count(store, schema.Outbox)) == before
    assert count(store, schema.CallFeatures) == 3


def test_the_worker_raises_alerts_with_the_metadata_given_at_submit(config, engine, tmp_path):
    from voxsight import jobs
    from voxsight.worker import Worker

    site = _split(config)
    store = Store(site.store_url)
    job = jobs.submit(site, store, None, SAMPLES / "calls" / "billing_dispute.wav", {"agent": "kim", "queue": "vip"})
    Worker(site, store, None, Analyzer(site, store, engine=engine)).drain()

    done = store.jobs.get(job.id)
    assert done.status == "done"
    alerts = [a for a in store.alerts.list().items if a.analysis_id == done.analysis_id]
    assert {"angry_customer", "complaint_threat"} <= {a.rule_id for a in alerts}
    with store.engine.connect() as c:
        row = c.execute(select(schema.CallFeatures).where(schema.CallFeatures.analysis_id == done.analysis_id)).one()
    assert (row.agent, row.queue) == ("kim", "vip")  # read from the recording, not from the job's request


def test_backfill_applies_a_new_rule_to_stored_calls_without_a_model(analyzed, config, tmp_path):
    store, _, results = analyzed
    path = rules_file(tmp_path, RULES.read_text() + """
  - id: billing_queue
    severity: low
    message: 'billing call for {meta[agent]}'
    when: {metadata: {key: queue, in: billing}}
""")
    probe = (
        "import sys, json\n"
        "from voxsight.cli import main\n"
        f"code = main(['rules', 'backfill', '--db', {store.url!r}])\n"
        "print(json.dumps({'code': code, 'torch': 'torch' in sys.modules, 'funasr': 'funasr' in sys.modules}))\n")
    env = {**os.environ, "VOXSIGHT_ALERTS_RULES_FILE": str(path)}

    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT)

    assert json.loads(done.stdout.splitlines()[-1]) == {"code": 0, "torch": False, "funasr": False}, done.stderr
    assert "3 calls evaluated" in done.stdout and "3 alerts opened" in done.stdout
    billing = [a for a in store.alerts.list().items if a.rule_id == "billing_queue"]
    assert sorted(a.analysis_id for a in billing) == sorted(r.analysis_id for r in results.values())
    assert billing[0].message == "billing call for ann"
    # the older alerts now carry the version of the rules that re-evaluated them
    versions = {a.ruleset_version for a in store.alerts.list().items}
    assert versions == {hashlib.sha256(path.read_bytes()).hexdigest()[:12]}


def test_backfill_since_leaves_older_analyses_alone(analyzed, config):
    from datetime import datetime, timedelta, timezone

    store, _, _ = analyzed
    assert Alerting(_split(config).alerts, store).backfill(
        since=datetime.now(timezone.utc) + timedelta(hours=1)).calls == 0


def test_features_recomputed_from_the_store_equal_those_of_the_analysis(config, engine, shared_audio):
    """Real recordings (Mandarin, Cantonese; mono, so one role): the features stored after the
    analysis are exactly what a backfill recomputes from the stored segments, without the model."""
    from voxsight import features
    from voxsight.features import CallFeatures

    store = Store(config.store_url)
    analyzer = Analyzer(config.with_overrides(alerts={"rules_file": str(RULES)}), store=store, engine=engine)
    results = [analyzer.analyze_file(shared_audio / "multilingual" / name) for name in ("zh.mp3", "yue.mp3")]

    def stored():
        with store.engine.connect() as c:
            return {r.analysis_id: CallFeatures.from_json(r.features) for r in c.execute(select(schema.CallFeatures))}

    at_analysis = stored()
    Alerting(analyzer.config.alerts, store).backfill()

    assert stored() == at_analysis
    for result in results:
        f = at_analysis[result.analysis_id]
        assert f == features.compute(result.segments, result.recording.duration_s)
        assert list(f.roles) == ["all"] and f.overtalk_s == 0
        assert 0 < f.talk_s <= f.duration_s == result.recording.duration_s
        assert f.talk_s + f.non_talk_s == pytest.approx(f.duration_s, abs=0.002)


# -- rules in force


def test_a_broken_rules_file_is_refused_and_the_rules_in_force_keep_working(config, tmp_path, caplog):
    store = Store(config.store_url)
    path = rules_file(tmp_path, ANGRY_RULE)
    alerting = Alerting(_split(config, path).alerts, store)
    first = store_call(store, "a.wav", [seg(0, 3, "customer", "ANGRY", "no")], 5)
    alerting.evaluate(first.analysis_id, first.segments)

    path.write_text(ANGRY_RULE.replace("emotions: ANGRY", "emotions: RAGE"))
    os.utime(path, ns=(1, 1))
    second = store_call(store, "b.wav", [seg(0, 3, "customer", "ANGRY", "still angry")], 5)
    alerting.evaluate(second.analysis_id, second.segments)

    messages = sorted(a.message for a in store.alerts.list().items)
    assert messages == ["angry customer at 00:00.00: no", "angry customer at 00:00.00: still angry"]
    assert f"{path}:5: " in caplog.text and "'RAGE' is not one of" in caplog.text


def test_an_analysis_is_kept_when_its_alerts_cannot_be_evaluated(config, engine, tmp_path, caplog):
    store = Store(config.store_url)
    analyzer = Analyzer(_split(config, tmp_path / "absent.yaml"), store=store, engine=engine)

    result = analyzer.analyze_file(SAMPLES / "calls" / "lost_card.wav")

    assert store.find(result.recording.sha256, result.model_id, analyzer.parameters_key) is not None
    assert count(store, schema.Alert) == 0
    assert "absent.yaml" in caplog.text and "not evaluated" in caplog.text


def test_re_evaluation_updates_the_alert_in_place(config, tmp_path):
    store = Store(config.store_url)
    path = rules_file(tmp_path, ANGRY_RULE)
    alerting = Alerting(_split(config, path).alerts, store)
    call = store_call(store, "a.wav", [seg(0, 3, "customer", "ANGRY", "no")], 5)
    alerting.evaluate(call.analysis_id, call.segments)
    [before] = store.alerts.list().items

    path.write_text(ANGRY_RULE.replace("angry {role}", "ANGRY {role}"))
    os.utime(path, ns=(1, 1))
    summary = alerting.evaluate(call.analysis_id, call.segments)

    [after] = store.alerts.list().items
    assert (summary.opened, summary.updated) == (0, 1)
    assert after.id == before.id and after.message.startswith("ANGRY customer")
    assert [h.action for h in store.alerts.get(after.id).history] == ["opened", "updated"]
    assert count(store, schema.Outbox) == 1  # an update is not announced again


# -- lifecycle


def test_lifecycle_open_acknowledged_resolved_with_who_when_and_why(config, tmp_path):
    store = Store(config.store_url)
    alerting = Alerting(_split(config, rules_file(tmp_path, ANGRY_RULE)).alerts, store)
    call = store_call(store, "a.wav", [seg(0, 3, "customer", "ANGRY")], 5)
    alerting.evaluate(call.analysis_id, call.segments)
    [alert] = store.alerts.list(status="open").items

    store.alerts.transition(alert.id, "acknowledge", "sue", "calling the customer back")
    resolved = store.alerts.transition(alert.id, "resolve", "sue", "refunded")

    assert resolved.status == "resolved"
    assert [(h.action, h.actor, h.comment) for h in resolved.history] == [
        ("opened", None, None), ("acknowledged", "sue", "calling the customer back"), ("resolved", "sue", "refunded")]
    assert resolved.history[1].at <= resolved.history[2].at
    with pytest.raises(AlertError, match="is resolved: it cannot be acknowledged"):
        store.alerts.transition(alert.id, "acknowledge", "bob", "late")
    with pytest.raises(NotFound, match="no alert 999"):
        store.alerts.transition(999, "resolve", "bob", "?")
    keys = [e.idempotency_key for e in store.alerts.due(10)]
    assert len(keys) == len(set(keys)) == 3  # one notification per event
    assert store.alerts.list(status="open").total == 0 and store.alerts.list(status="resolved").total == 1


def test_cli_lists_acknowledges_and_resolves(config, tmp_path, capsys):
    from voxsight.cli import main

    store = Store(config.store_url)
    Alerting(_split(config, rules_file(tmp_path, ANGRY_RULE)).alerts, store).evaluate(
        (call := store_call(store, "a.wav", [seg(0, 3, "customer", "ANGRY")], 5)).analysis_id, call.segments)
    [alert] = store.alerts.list().items
    db = ["--db", store.url]

    assert main(["alerts", "--status", "open", "--severity", "high", "--json", *db]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["total"] == 1 and listed["items"][0]["rule_id"] == "angry"
    assert main(["alerts", *db, "ack", str(alert.id), "--comment", "on it", "--by", "sue"]) == 0
    assert main(["alerts", *db, "ack", str(alert.id), "--comment", "again"]) == 1
    assert "cannot be acknowledged" in capsys.readouterr().err
    assert main(["alerts", "resolve", str(alert.id), "--comment", "done", "--json", *db]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["status"] == "resolved"


def test_cli_rules_check(tmp_path, capsys):
    from voxsight.cli import main

    assert main(["rules", "check", str(RULES)]) == 0
    assert "complaint_threat" in capsys.readouterr().out
    bad = rules_file(tmp_path, ANGRY_RULE.replace("severity: high", "severity: dire"))
    assert main(["rules", "check", str(bad)]) == 1
    assert f"{bad}:3: 'dire' is not one of low, medium, high, critical" in capsys.readouterr().err


# -- migration and PostgreSQL


def test_migration_0005_up_and_down_on_sqlite(tmp_path):
    _migration_round_trip(f"sqlite:///{tmp_path / 'm.db'}")


def test_migration_0005_up_and_down_on_postgresql(pg_url):
    _migration_round_trip(pg_url)


def _migration_round_trip(url: str) -> None:
    store = Store(url, auto_upgrade=True)
    tables = {"call_features", "alerts", "alert_events", "outbox", "deliveries"}
    assert tables <= set(inspect(store.engine).get_table_names())
    config = _alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    assert not tables & set(inspect(store.engine).get_table_names())
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert tables <= set(inspect(store.engine).get_table_names())
    store.engine.dispose()


def test_alerts_on_postgresql(config, engine, pg_url):
    store = Store(pg_url, auto_upgrade=True)
    analyzer = Analyzer(_split(config), store=store, engine=engine)

    result = analyzer.analyze_file(SAMPLES / "calls" / "billing_dispute.wav")
    Alerting(_split(config).alerts, store).backfill()

    rules = sorted(a.rule_id for a in store.alerts.list().items if a.analysis_id == result.analysis_id)
    assert {"angry_customer", "complaint_threat"} <= set(rules) and len(rules) == len(set(rules))
    assert count(store, schema.Outbox) == len(rules)
    store.engine.dispose()
