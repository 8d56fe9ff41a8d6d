"""Legal holds and erasure on request (issue 17), against a served site with PostgreSQL, Redis and a
worker process running: a customer's calls erased everywhere (SQL, storage, the result cache) at
the CLI's door, a held call refused with its hold's reason and left whole, released and then
erased through the API; every step audited without content; the worker goes on serving."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import httpx
import pytest
import redis
from sqlalchemy import text

from helpers import SAMPLES, every_text_in_sql, voxsight, wait_done
from voxsight import jobs
from voxsight.store import Store

CALLS = SAMPLES / "calls"


@pytest.fixture(scope="module")
def site(served_site):
    s = served_site()
    s.ids = {}
    for name, customer in (("billing_dispute.wav", "C-1"), ("happy_upgrade.wav", "C-1"), ("lost_card.wav", "C-2")):
        job = api(s, "analyst", "POST", "/recordings", files={"file": (name, (CALLS / name).read_bytes())},
                  data={"customer": customer, "agent": "ann"}).json()
        wait_done(s, job["id"])
        s.ids[name] = job["recording"]["id"]
    return s


def api(s, role, method, path, **kwargs) -> httpx.Response:
    return httpx.request(method, s.url + "/api/v1" + path, headers={"Authorization": f"Bearer {s.tokens[role]}"},
                         timeout=120, **kwargs)


def rows_of(store: Store, recording_id: int) -> dict[str, int]:
    """How many rows of each table still belong to the recording."""
    analyses = "SELECT id FROM analyses WHERE recording_id = :r"
    alerts = f"SELECT id FROM alerts WHERE analysis_id IN ({analyses})"
    queries = {
        "recordings": "SELECT count(*) FROM recordings WHERE id = :r",
        "analyses": f"SELECT count(*) FROM ({analyses}) a",
        "segments": f"SELECT count(*) FROM segments WHERE analysis_id IN ({analyses})",
        "call_features": f"SELECT count(*) FROM call_features WHERE analysis_id IN ({analyses})",
        "alerts": f"SELECT count(*) FROM ({alerts}) a",
        "outbox": "SELECT count(*) FROM outbox WHERE event_id IN "
                  f"(SELECT id FROM alert_events WHERE alert_id IN ({alerts}))",
        "jobs": "SELECT count(*) FROM jobs WHERE recording_id = :r",
        "audit_log": "SELECT count(*) FROM audit_log WHERE recording_id = :r",
    }
    with store.engine.connect() as c:
        return {table: c.execute(text(q), {"r": recording_id}).scalar() for table, q in queries.items()}


def cached_values(s) -> str:
    client = redis.Redis.from_url(s.env["VOXSIGHT_QUEUE_REDIS_URL"])
    prefix = s.env.get("VOXSIGHT_QUEUE_PREFIX", "voxsight")
    return " ".join(str(client.get(k)) for k in client.scan_iter(f"{prefix}:cache:*"))


def test_a_customers_calls_are_erased_everywhere_but_a_held_one_which_stays_whole(site):
    billing, upgrade, lost = (site.ids[n] for n in ("billing_dispute.wav", "happy_upgrade.wav", "lost_card.wav"))
    billing_sha = api(site, "viewer", "GET", f"/recordings/{billing}").json()["recording"]["sha256"]
    words = api(site, "viewer", "GET", f"/recordings/{billing}").json()["analysis"]["segments"][0]["text"]
    assert billing_sha in cached_values(site)  # the call's page is in the result cache
    before = rows_of(site.store, billing)
    assert before["segments"] and before["alerts"] and before["outbox"] and before["audit_log"]

    held = api(site, "admin", "POST", "/holds", json={"scope": "recording", "value": str(upgrade),
                                                      "reason": "litigation L-7"})
    assert held.status_code == 201, held.text
    hold_id = held.json()["id"]
    listed = voxsight(site.env, "hold", "list", "--json")
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == [hold_id]

    # A dry run says what would go and what would be refused, and removes nothing.
    preview = voxsight(site.env, "erase", "--customer", "C-1", "--dry-run")
    assert preview.returncode == 1, preview.stderr
    assert f"would erase recording {billing}:" in preview.stdout and f"would refuse recording {upgrade}: held" in preview.stdout
    assert preview.stdout.rstrip().endswith("dry run: nothing was removed")
    assert rows_of(site.store, billing) == before and (site.storage / billing_sha[:2] / billing_sha).is_dir()
    assert billing_sha in cached_values(site)
    over_api = api(site, "admin", "POST", "/erasures", json={"customer": "C-1", "dry_run": True}).json()
    assert over_api["dry_run"] and [e["recording_id"] for e in over_api["erased"]] == [billing]
    assert over_api["erased"][0]["segments"] == before["segments"] and over_api["audio_files"] >= 1
    previews = site.store.accounts.audit_log(10, action="erase_preview").entries
    assert [e.door for e in previews] == ["api", "cli"] and not site.store.accounts.audit_log(10, action="erase").entries

    erased = voxsight(site.env, "erase", "--customer", "C-1")
    assert erased.returncode == 1, erased.stderr  # something was refused
    assert f"erased recording {billing}:" in erased.stdout
    assert f"refused recording {upgrade}: held (hold {hold_id}, recording {upgrade}): litigation L-7" in erased.stdout

    # Nothing of the erased call is left: SQL (the audit keeps its entries, naming no recording),
    # its storage folder, the cache.
    assert rows_of(site.store, billing) == dict.fromkeys(before, 0)
    assert not (site.storage / billing_sha[:2] / billing_sha).exists()
    assert billing_sha not in cached_values(site) and billing_sha not in every_text_in_sql(site.store)
    assert api(site, "viewer", "GET", f"/recordings/{billing}").status_code == 404
    assert not any(h["recording_id"] == billing for h in
                   api(site, "analyst", "GET", "/search", params={"q": words}).json()["hits"])
    # The held call and the other customer's are whole.
    assert rows_of(site.store, upgrade)["segments"] and rows_of(site.store, lost)["segments"]
    assert api(site, "viewer", "GET", f"/recordings/{upgrade}/audio").status_code == 200

    [entry] = site.store.accounts.audit_log(10, action="erase").entries
    assert entry.door == "cli" and entry.detail["customer"] == "C-1"
    assert [e["recording_id"] for e in entry.detail["erased"]] == [billing]
    assert entry.detail["refused"] == [{"recording_id": upgrade, "reason": "held (hold %d, recording %d): "
                                        "litigation L-7" % (hold_id, upgrade)}]
    assert words not in json.dumps(entry.detail) and "billing_dispute" not in json.dumps(entry.detail)

    # Released, it is erased through the API; the worker goes on serving.
    assert api(site, "admin", "POST", f"/holds/{hold_id}/release").json()["released_by"] == "admin"
    done = api(site, "admin", "POST", "/erasures", json={"recording_id": upgrade})
    assert done.status_code == 200 and [e["recording_id"] for e in done.json()["erased"]] == [upgrade]
    assert done.json()["audio_files"] >= 1 and rows_of(site.store, upgrade)["recordings"] == 0
    assert {e.action for e in site.store.accounts.audit_log(20).entries} >= {"hold_place", "hold_release", "erase"}
    again = api(site, "analyst", "POST", "/recordings",
                files={"file": ("again.wav", (CALLS / "billing_dispute.wav").read_bytes())}).json()
    assert wait_done(site, again["id"])["status"] == "done"


def test_only_admins_hold_or_erase_and_a_hold_on_every_call_of_an_agent_holds_each(site):
    lost = site.ids["lost_card.wav"]
    for role in ("viewer", "analyst", "supervisor"):
        assert api(site, role, "POST", "/erasures", json={"recording_id": lost}).status_code == 403
        assert api(site, role, "GET", "/holds").status_code == 403
    hold = api(site, "admin", "POST", "/holds", json={"scope": "agent", "value": "ann", "reason": "complaint 42"})
    try:
        refused = api(site, "admin", "POST", "/erasures", json={"meta": {"agent": "ann"}}).json()
        assert lost in [r["recording_id"] for r in refused["refused"]] and refused["erased"] == []
        assert rows_of(site.store, lost)["recordings"] == 1
        both = api(site, "admin", "POST", "/erasures", json={"recording_id": lost, "customer": "C-2"})
        assert both.status_code == 422  # one of them, not both
        assert api(site, "admin", "POST", "/holds", json={"scope": "recording", "value": "0",
                                                          "reason": "x"}).status_code == 404
    finally:
        api(site, "admin", "POST", f"/holds/{hold.json()['id']}/release")


def test_a_call_a_worker_is_analyzing_is_refused_and_a_queued_one_goes_with_its_job(config, tmp_path):
    store = Store(config.store_url)
    running = jobs.submit(config, store, None, CALLS / "billing_dispute.wav")
    queued = jobs.submit(config, store, None, CALLS / "lost_card.wav")
    assert store.jobs.claim(running.id, "worker-1", 60) is not None

    refused = store.compliance.erase(running.recording_id)
    assert re.search("a worker is analyzing it now", refused.reason)
    erased = store.compliance.erase(queued.recording_id)
    assert (erased.jobs, erased.analyses) == (1, 0) and erased.audio_paths == (queued.audio_path,)
    with store.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM jobs")).scalar() == 1
    assert store.jobs.claim(queued.id, "worker-1", 60) is None  # a late delivery finds nothing to run
    assert store.compliance.erase(queued.recording_id) is None


# -- retention


def _age(store: Store, recording_id: int, days: float) -> None:
    """Make a call look stored ``days`` ago, alerts and all."""
    at = datetime.now(timezone.utc) - timedelta(days=days)
    with store.engine.begin() as c:
        c.execute(text("UPDATE recordings SET created_at = :at WHERE id = :r"), {"at": at, "r": recording_id})
        c.execute(text("UPDATE alerts SET created_at = :at WHERE analysis_id IN "
                       "(SELECT id FROM analyses WHERE recording_id = :r)"), {"at": at, "r": recording_id})


def test_retention_removes_what_expired_and_passes_over_a_held_call_while_the_worker_runs(site):
    upgrade = api(site, "analyst", "POST", "/recordings", data={"customer": "C-3"},
                  files={"file": ("upgrade.wav", (CALLS / "happy_upgrade.wav").read_bytes())}).json()
    wait_done(site, upgrade["id"])
    held, aging = upgrade["recording"]["id"], site.ids["lost_card.wav"]
    old = next(i for i in site.store.compliance.matching() if i not in (held, aging))
    for recording_id, days in ((old, 100), (held, 100), (aging, 40)):
        _age(site.store, recording_id, days)
    hold = api(site, "admin", "POST", "/holds", json={"scope": "recording", "value": str(held), "reason": "audit 2026"})
    env = {**site.env, "VOXSIGHT_RETENTION_RECORDINGS_DAYS": "90", "VOXSIGHT_RETENTION_REDACTED_AUDIO_DAYS": "30"}
    try:
        run = voxsight(env, "retention", "run", "--json")
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout) == {"recordings": 1, "alerts": 0, "redacted_audio": 1, "original_audio": 0,
                                          "held": 2, "audit_entries": 0}  # the held call, once for each kind
        assert rows_of(site.store, old) == dict.fromkeys(rows_of(site.store, old), 0)
        assert rows_of(site.store, held)["segments"]
        assert api(site, "viewer", "GET", f"/recordings/{held}/audio").status_code == 200
        assert rows_of(site.store, aging)["segments"]  # its transcript stays: only its audio expired
        assert api(site, "viewer", "GET", f"/recordings/{aging}/audio").status_code == 404
        [entry] = site.store.accounts.audit_log(10, action="retention_purge").entries
        assert entry.door == "cli" and entry.detail["days"] == {"recordings": 90, "redacted_audio": 30}
        again = voxsight(env, "retention", "run")
        assert again.stdout.startswith("0 recordings erased, 0 alerts removed, 0 calls' audio removed")
        assert len(site.store.accounts.audit_log(10, action="retention_purge").entries) == 1  # nothing went: no entry

        # Its alerts expire next; a rules backfill then passes over it, rather than raise them again as new.
        alerting = {**env, "VOXSIGHT_RETENTION_ALERTS_DAYS": "30"}
        assert rows_of(site.store, aging)["alerts"]
        assert json.loads(voxsight(alerting, "retention", "run", "--json").stdout)["alerts"] >= 1
        assert rows_of(site.store, aging)["alerts"] == 0
        backfill = voxsight(alerting, "rules", "backfill")
        assert backfill.returncode == 0, backfill.stderr
        assert "passed over" in backfill.stdout and rows_of(site.store, aging)["alerts"] == 0
        # where alerts do not expire, the same backfill raises them: the retention is what passed over it
        assert voxsight(env, "rules", "backfill").returncode == 0 and rows_of(site.store, aging)["alerts"]
    finally:
        api(site, "admin", "POST", f"/holds/{hold.json()['id']}/release")


def test_each_worker_runs_retention_from_its_first_step_on(config, engine):
    from voxsight.analysis import Analyzer
    from voxsight.worker import Worker

    store = Store(config.store_url)
    job = jobs.submit(config, store, None, CALLS / "lost_card.wav")
    Worker(config, store, None, Analyzer(config, store, engine=engine)).drain()
    recording = store.jobs.get(job.id).recording_id
    _age(store, recording, 10)
    expiring = config.with_overrides(retention={"recordings_days": 7})
    worker = Worker(expiring, store, None, Analyzer(expiring, store, engine=engine))
    assert worker.step(block_ms=0) is False  # no job to run; retention ran
    assert store.recordings.get(recording) is None
    [entry] = store.accounts.audit_log(10, action="retention_purge").entries
    assert entry.door == "worker" and entry.detail["recordings"] == 1
    _age(store, jobs.submit(config, store, None, CALLS / "happy_upgrade.wav").recording_id, 10)
    worker.step(block_ms=0)  # the job runs; retention waits for its next turn (every_minutes)
    assert len(store.recordings.list().items) == 1


def test_the_audit_log_expires_through_its_one_door_and_only_what_is_older(each_store):
    import time

    import sqlalchemy.exc

    from voxsight import config as config_module
    from voxsight.errors import ConfigError

    store = each_store
    for n in range(3):
        store.accounts.audit("ann", "view", None, "10.0.0.1", {"n": n})
    time.sleep(0.01)
    cutoff = datetime.now(timezone.utc)
    time.sleep(0.01)
    for n in range(3, 5):
        store.accounts.audit("ann", "view", None, "10.0.0.1", {"n": n})

    def refused_delete():
        with pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"), store.engine.begin() as c:
            c.execute(text("DELETE FROM audit_log"))

    refused_delete()  # the database refuses a plain delete
    assert store.accounts.expire_audit(cutoff, limit=2) == 3  # in two batches
    assert [e.detail["n"] for e in store.accounts.audit_log(10).entries] == [4, 3]
    refused_delete()  # the door is shut again
    with pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"), store.engine.begin() as c:
        c.execute(text("UPDATE audit_log SET actor = 'someone else'"))
    for bad in ({"audit_days": 30}, {"audit_days": 30, "recordings_days": 60}):
        with pytest.raises(ConfigError, match="must outlive what it audits"):
            config_module.Config().with_overrides(retention=bad)
    assert config_module.Config().with_overrides(retention={"audit_days": 60, "recordings_days": 30})


def test_voiceprints_are_listed_and_erased_by_admins_only_each_time_audited(site):
    import numpy as np

    print_ = np.ones(192, np.float32) / np.sqrt(192)
    site.store.voiceprints.save("ann", "campplus-92f29b94e694", print_, 30.0, "enrolled", 2, "test")
    assert api(site, "supervisor", "GET", "/voiceprints").status_code == 403  # biometric data: admins only
    assert api(site, "supervisor", "DELETE", "/voiceprints/ann").status_code == 403
    listed = api(site, "admin", "GET", "/voiceprints")
    assert listed.status_code == 200, listed.text
    [ann] = [v for v in listed.json() if v["agent"] == "ann"]
    assert ann["source"] == "enrolled" and ann["speech_s"] == 30.0 and "embedding" not in ann
    assert api(site, "admin", "DELETE", "/voiceprints/ann").status_code == 204
    assert site.store.voiceprints.get("ann", "campplus-92f29b94e694") is None
    assert api(site, "admin", "DELETE", "/voiceprints/ann").status_code == 404
    log = site.store.accounts.audit_log(50).entries
    [erased] = [e for e in log if e.action == "voiceprint_erase"]
    assert erased.door == "api" and erased.detail == {"agent": "ann"} and erased.actor == "admin"
    assert any(e.action == "voiceprint_list" and e.door == "api" for e in log)
    assert sum(e.action == "denied" and "voiceprints" in str(e.detail) for e in log) == 2
