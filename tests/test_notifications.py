"""Specification of alert notifications: the outbox delivered to a real local HTTP server as signed
JSON, retried with backoff while the receiver is down and delivered once it is back, each event
with one idempotency key however often it is sent; and a Redis pub/sub channel for the console."""

from __future__ import annotations

import hashlib
import json
import time

import pytest

from voxsight import notifications
from voxsight.alerts import Alerting
from voxsight.config import Config
from voxsight.notifications import Dispatcher
from voxsight.results import AnalysisResult, RecordingInfo, Segment
from voxsight.store import Store

SECRET = "s3cret"
RULES = """rules:
  - id: angry
    severity: high
    message: 'angry {role} at {time}: {text}'
    when: {emotion: {role: customer, emotions: ANGRY}}
"""


@pytest.fixture
def site(tmp_path, receiver):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    config = Config().with_overrides(data_dir=str(tmp_path / "data"), alerts={
        "rules_file": str(rules), "webhook_url": f"http://127.0.0.1:{receiver.port}/hook",
        "webhook_secret": SECRET, "retry_backoff_s": 0.2, "max_backoff_s": 0.4, "webhook_timeout_s": 2})
    store = Store(config.store_url)
    return config, store, Alerting(config.alerts, store)


def angry_call(store: Store, alerting: Alerting, name: str = "a.wav") -> int:
    segment = Segment(1.0, 4.0, 1, "customer", "en", "ANGRY", (), "i want my money back", "")
    result = AnalysisResult(RecordingInfo(hashlib.sha256(name.encode()).hexdigest(), name, "wav", 5.0, 16000, 2),
                            "m", False, {}, (segment,))
    stored = store.save(result, "key", 100, {"agent": "ann"})
    alerting.evaluate(stored.analysis_id, stored.segments)
    return stored.analysis_id


def test_a_delivered_webhook_is_signed_over_timestamp_and_body(site, receiver):
    config, store, alerting = site
    receiver.start()
    angry_call(store, alerting)

    done = Dispatcher(config.alerts, store).deliver()

    assert done.delivered == 1
    [(headers, body)] = receiver.requests
    assert notifications.verify(SECRET, headers["X-Voxsight-Timestamp"], body, headers["X-Voxsight-Signature"])
    assert not notifications.verify("wrong", headers["X-Voxsight-Timestamp"], body, headers["X-Voxsight-Signature"])
    assert not notifications.verify(SECRET, headers["X-Voxsight-Timestamp"], body + b" ", headers["X-Voxsight-Signature"])
    payload = json.loads(body)
    assert payload["event"] == "alert.opened" and payload["alert"]["rule_id"] == "angry"
    assert payload["alert"]["message"] == "angry customer at 00:01.00: i want my money back"
    assert payload["call"]["metadata"] == {"agent": "ann"}
    assert headers["Idempotency-Key"] == payload["idempotency_key"]
    assert Dispatcher(config.alerts, store).deliver().delivered == 0  # nothing left to send


def test_an_old_timestamp_is_refused_by_the_receiver_check():
    body = b'{"x": 1}'
    stamp = int(time.time()) - 3600
    signature = notifications.sign(SECRET, stamp, body)

    assert notifications.verify(SECRET, str(stamp), body, signature, now=stamp + 10)
    assert not notifications.verify(SECRET, str(stamp), body, signature)


def test_retries_with_backoff_while_the_receiver_is_down_then_delivers(site, receiver):
    config, store, alerting = site
    angry_call(store, alerting)
    dispatcher = Dispatcher(config.alerts, store)

    failures = 0
    for _ in range(4):  # down: connection refused, every attempt logged, nothing dropped
        failures += dispatcher.deliver().failed
        assert dispatcher.deliver().failed == 0  # not due again before its backoff
        time.sleep(0.45)
    receiver.start()
    delivered = dispatcher.deliver().delivered

    assert (failures, delivered) == (4, 1)
    log = store.alerts.deliveries()
    assert [d.status_code for d in log] == [None] * 4 + [204]
    assert all("unreachable" in d.error for d in log[:4]) and log[4].error is None
    assert len(receiver.requests) == 1


def test_backoff_doubles_up_to_the_maximum(site):
    from sqlalchemy import select

    from voxsight.store import schema

    config, store, alerting = site  # retry_backoff_s 0.2, max_backoff_s 0.4; the receiver never starts
    angry_call(store, alerting)
    dispatcher = Dispatcher(config.alerts, store)
    waits = []
    for _ in range(3):
        dispatcher.deliver()
        with store.engine.connect() as c:
            entry = c.execute(select(schema.Outbox.next_attempt_at, schema.Outbox.attempts)).one()
            attempted = c.scalar(select(schema.Delivery.attempted_at).order_by(schema.Delivery.id.desc()))
        waits.append(round((entry.next_attempt_at - attempted).total_seconds(), 2))
        time.sleep(0.45)

    assert waits == [0.2, 0.4, 0.4]
    assert store.alerts.due(10)[0].attempts == 3  # never given up


def test_a_redelivered_event_keeps_its_idempotency_key_and_makes_no_new_alert(site, receiver):
    config, store, alerting = site
    receiver.start()
    receiver.fail_next = 1  # the receiver takes the first post but answers 500: we must send it again
    analysis_id = angry_call(store, alerting)
    dispatcher = Dispatcher(config.alerts, store)

    assert dispatcher.deliver().failed == 1
    time.sleep(0.25)
    assert dispatcher.deliver().delivered == 1
    segments = store.alerts.segments([analysis_id])[analysis_id]
    alerting.evaluate(analysis_id, segments)  # re-evaluated (a backfill): the same alert, nothing new to send
    assert dispatcher.deliver().delivered == 0

    keys = [h["Idempotency-Key"] for h, _ in receiver.requests]
    assert len(keys) == 2 and keys[0] == keys[1]
    assert store.alerts.list().total == 1


def test_lifecycle_events_are_sent_too(site, receiver):
    config, store, alerting = site
    receiver.start()
    angry_call(store, alerting)
    [alert] = store.alerts.list().items
    store.alerts.transition(alert.id, "acknowledge", "sue", "on it")

    assert Dispatcher(config.alerts, store).deliver().delivered == 2
    events = [json.loads(body) for _, body in receiver.requests]
    assert [e["event"] for e in events] == ["alert.opened", "alert.acknowledged"]
    assert (events[1]["actor"], events[1]["comment"], events[1]["alert"]["status"]) == ("sue", "on it", "acknowledged")


def test_each_event_is_published_once_on_the_redis_channel(site, redis_url):
    import redis

    config, store, alerting = site
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    subscriber = client.pubsub()
    subscriber.subscribe(notifications.channel("vxtest"))
    subscriber.get_message(timeout=1)  # the subscription confirmation
    angry_call(store, alerting)
    dispatcher = Dispatcher(config.alerts, store, client, "vxtest")

    assert dispatcher.deliver().published == 1  # the webhook is down; the channel still hears of it
    time.sleep(0.45)
    assert dispatcher.deliver().published == 0  # a retry of the webhook is not republished

    message = subscriber.get_message(timeout=2)
    assert json.loads(message["data"])["alert"]["rule_id"] == "angry"
    assert subscriber.get_message(timeout=0.5) is None
    subscriber.close()
    client.close()


def test_without_a_webhook_the_outbox_is_settled_after_publishing(tmp_path, redis_url):
    import redis

    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    config = Config().with_overrides(data_dir=str(tmp_path / "data"), alerts={"rules_file": str(rules)})
    store = Store(config.store_url)
    angry_call(store, Alerting(config.alerts, store))
    client = redis.Redis.from_url(redis_url)

    assert Dispatcher(config.alerts, store, client, "vxtest").deliver().published == 1
    assert store.alerts.due(10) == []
    client.close()


def test_workers_deliver_the_outbox_periodically(site, receiver):
    from voxsight.worker import Worker

    config, store, alerting = site
    receiver.start()
    angry_call(store, alerting)
    worker = Worker(config, store, None)  # embedded mode; the models load only when a job needs them

    worker.step(block_ms=0)  # no job to run, but the outbox is due

    assert len(receiver.requests) == 1
    angry_call(store, alerting, "b.wav")
    worker.step(block_ms=0)  # within deliver_interval_s: not yet
    assert len(receiver.requests) == 1


def test_cli_deliver(site, receiver, tmp_path, capsys):
    from voxsight.cli import main

    config, store, alerting = site
    angry_call(store, alerting)
    config_file = tmp_path / "voxsight.yaml"
    config_file.write_text(json.dumps({"data_dir": config.data_dir, "alerts": {
        "rules_file": config.alerts.rules_file, "webhook_url": config.alerts.webhook_url,
        "webhook_secret": SECRET, "retry_backoff_s": 0.2}}))  # JSON is YAML

    assert main(["--config", str(config_file), "alerts", "deliver"]) == 1  # down: failed, kept for later
    assert "0 delivered, 1 failed" in capsys.readouterr().out
    receiver.start()
    time.sleep(0.25)
    assert main(["--config", str(config_file), "alerts", "deliver"]) == 0
    assert "1 delivered, 0 failed" in capsys.readouterr().out
    assert len(receiver.requests) == 1
