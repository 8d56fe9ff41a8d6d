"""One place for every action: the same action through the CLI, the API and the console is the
same operation, refused by the same rules and audited with the same action name and its door."""

from __future__ import annotations

import getpass
import hashlib
import io
import json
import shutil
import uuid
from datetime import date
from types import SimpleNamespace

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from starlette.requests import Request

from conftest import SAMPLES
from voxsight.alerts import Alerting
from voxsight.config import Config
from voxsight.errors import AccountError, Forbidden
from voxsight.results import AnalysisResult, RecordingInfo, Segment
from voxsight.store import Store
from voxsight.store.accounts import MIN_PASSWORD_LENGTH, Action, Door
from voxsight.store.repository import _alembic_config
from voxsight.webui.console import access, admin, alerts as console_alerts, analyze, call, calls, files
from voxsight.webui.deps import SESSION_COOKIE

PASSWORD = "correct horse battery staple"
RULES = """rules:
  - id: angry
    severity: high
    message: 'Angry customer at {time}'
    when: {emotion: {role: customer, emotions: [ANGRY], min_seconds: 2}}
"""
LOGIN = getpass.getuser()


@pytest.fixture
def doors(tmp_path, monkeypatch):
    """One embedded site and its three doors: the CLI (in this process), the API (over HTTP) and
    the console (its page functions, for a signed-in session)."""
    from voxsight.cli import main
    from voxsight.webui.app import create_app

    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    monkeypatch.setenv("VOXSIGHT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VOXSIGHT_ALERTS_RULES_FILE", str(rules))
    config = Config().with_overrides(data_dir=str(tmp_path / "data"), alerts={"rules_file": str(rules)})
    store = Store(config.store_url)
    store.accounts.add_user("boss", "admin", PASSWORD)
    token, _ = store.accounts.create_token("boss", "api door")
    session, _ = store.accounts.create_token("boss", "console session")

    def cli(*args: str, stdin: str = "") -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        return main(list(args))

    with TestClient(create_app(config, store), base_url="http://voxsight.test") as client:
        site = client.app.state.site
        console = access.caller(site, Request({"type": "http", "method": "GET", "path": "/console/",
                                               "headers": [(b"cookie", f"{SESSION_COOKIE}={session}".encode())],
                                               "client": ("10.0.0.9", 5000), "query_string": b""}))
        yield SimpleNamespace(site=site, store=store, cli=cli, console=console,
                              api=lambda method, path, **kw: client.request(
                                  method, "/api/v1" + path, headers={"Authorization": f"Bearer {token}"}, **kw))
    store.engine.dispose()


def _entries(store: Store, door: Door) -> list:
    return [e for e in store.accounts.audit_log(1000).entries if e.door == door.value]


def test_the_same_account_actions_through_every_door_are_audited_alike(doors):
    s = doors
    assert s.cli("users", "add", "cli-made", "--role", "viewer", stdin=PASSWORD + "\n") == 0
    assert s.cli("users", "password", "cli-made", stdin=PASSWORD + "!\n") == 0
    assert s.cli("tokens", "create", "cli-made") == 0
    [cli_token] = [t.id for t in s.store.accounts.tokens() if t.user == "cli-made"]
    assert s.cli("tokens", "revoke", str(cli_token)) == 0
    assert s.cli("users", "sign-out", "cli-made") == 0
    assert s.cli("users", "disable", "cli-made") == 0

    assert s.api("POST", "/users", json={"name": "api-made", "role": "viewer", "password": PASSWORD}).status_code == 201
    api_token = s.api("POST", "/tokens", json={"user": "api-made", "name": "api-made"}).json()["info"]["id"]
    assert s.api("DELETE", f"/tokens/{api_token}").status_code == 204
    assert s.api("POST", "/users/api-made/password", json={"password": PASSWORD + "!"}).status_code == 204
    assert s.api("POST", "/users/api-made/sign-out").status_code == 204
    assert s.api("POST", "/users/api-made/disable").status_code == 204

    admin.add_user(s.site, s.console, "console-made", "viewer", PASSWORD)
    admin.set_password(s.site, s.console, "console-made", PASSWORD + "!")
    _, token = admin.create_token(s.site, s.console, "console-made", "", None)
    admin.revoke_token(s.site, s.console, token.id)
    admin.sign_out_everywhere(s.site, s.console, "console-made")
    admin.disable_user(s.site, s.console, "console-made")

    account_actions = {Action.USER_ADD, Action.USER_PASSWORD, Action.TOKEN_CREATE, Action.TOKEN_REVOKE,
                       Action.SIGN_OUT_EVERYWHERE, Action.USER_DISABLE}
    cli, api, console = (_entries(s.store, door) for door in (Door.CLI, Door.API, Door.CONSOLE))
    assert {e.action for e in cli} == {a.value for a in account_actions}
    assert {e.action for e in console} == {a.value for a in account_actions}
    assert {e.action for e in api} == {a.value for a in account_actions}
    assert {e.actor for e in cli} == {f"cli:{LOGIN}"} and {e.actor for e in api + console} == {"boss"}
    assert {e.source for e in console} == {"10.0.0.9"}
    # the same detail from every door: who was added with which role, which token
    added = {e.door: e.detail for e in cli + api + console if e.action == "user_add"}
    assert added == {"cli": {"user": "cli-made", "role": "viewer"}, "api": {"user": "api-made", "role": "viewer"},
                     "console": {"user": "console-made", "role": "viewer"}}
    created = [e.detail for e in cli + api + console if e.action == "token_create"]
    assert all(set(d) == {"user", "token", "token_id", "expires_at"} and d["expires_at"] for d in created)
    listed = s.api("GET", "/audit", params={"action": "user_add"}).json()["entries"]
    assert sorted(e["door"] for e in listed) == ["api", "cli", "console"]


def test_signing_in_and_out_is_audited_with_its_door(doors):
    s = doors
    signed_in = s.api("POST", "/auth/sign-in", json={"name": "boss", "password": PASSWORD})
    assert signed_in.status_code == 200
    [entry] = [e for e in s.store.accounts.audit_log(10).entries if e.action == "sign_in"]
    assert entry.door == "api"


def _alert(store: Store, config: Config, name: str) -> int:
    """The id of the alert an angry call of its own raised."""
    segments = (Segment(0.0, 3.0, 1, "customer", "en", "ANGRY", (), "", ""),)
    result = AnalysisResult(RecordingInfo(hashlib.sha256(name.encode()).hexdigest(), name, "wav", 5.0, 16000, 2),
                            "test-model", False, {}, segments)
    stored = store.save(result, "key", 1000, {})
    Alerting(config.alerts, store).evaluate(stored.analysis_id, stored.segments)
    return store.alerts.list().items[0].id


def test_alert_steps_from_the_cli_are_audited_like_the_apis_and_the_consoles(doors, capsys):
    s = doors
    first, second, third = (_alert(s.store, s.site.config, f"{n}.wav") for n in range(3))
    assert s.cli("alerts", "ack", str(first), "--comment", "on it", "--by", "sue") == 0
    assert s.cli("alerts", "resolve", str(first), "--comment", "refunded") == 0
    assert f"by {LOGIN}" in capsys.readouterr().out
    assert s.api("POST", f"/alerts/{second}/acknowledge", json={"comment": "seen"}).status_code == 200
    console_alerts.act(s.site, s.console, third, "acknowledge", "calling back on 138 1234 5678")

    steps = {(e.door, e.action): e for e in s.store.accounts.audit_log(100).entries if e.action.startswith("alert_")}
    assert set(steps) == {("cli", "alert_acknowledge"), ("cli", "alert_resolve"), ("api", "alert_acknowledge"),
                          ("console", "alert_acknowledge")}
    acknowledged = steps["cli", "alert_acknowledge"]
    assert (acknowledged.actor, acknowledged.detail) == (f"cli:{LOGIN}", {"alert_id": first, "comment": "on it",
                                                                           "by": "sue"})
    assert steps["cli", "alert_resolve"].detail == {"alert_id": first, "comment": "refunded"}
    assert steps["api", "alert_acknowledge"].detail == {"alert_id": second, "comment": "seen"}
    assert all(e.recording_id is not None for e in steps.values())
    history = s.store.alerts.get(first).history
    assert [(h.action, h.actor) for h in history][-2:] == [("acknowledged", "sue"), ("resolved", LOGIN)]
    # A comment is text stored: personal data in it is masked before it is written, history and audit alike.
    assert s.store.alerts.get(third).history[-1].comment == "calling back on [PHONE]"
    assert steps["console", "alert_acknowledge"].detail["comment"] == "calling back on [PHONE]"


def test_an_admin_cannot_disable_themselves_through_any_door(doors, capsys):
    s = doors
    s.store.accounts.add_user(LOGIN, "admin", PASSWORD)  # the CLI acts as the login name
    assert s.cli("users", "disable", LOGIN) == 2
    assert "cannot disable yourself" in capsys.readouterr().err
    refused = s.api("POST", "/users/boss/disable")
    assert refused.status_code == 403 and "cannot disable yourself" in refused.json()["detail"]
    with pytest.raises(Forbidden, match="cannot disable yourself"):
        admin.disable_user(s.site, s.console, "boss")
    assert not s.store.accounts.user("boss").disabled and not s.store.accounts.user(LOGIN).disabled
    assert not [e for e in s.store.accounts.audit_log(100).entries if e.action == "user_disable"]
    assert s.api("POST", f"/users/{LOGIN}/disable").status_code == 204  # another admin can


def test_the_store_refuses_a_short_password_whatever_the_door(doors, capsys):
    s = doors
    short = "x" * (MIN_PASSWORD_LENGTH - 1)
    assert MIN_PASSWORD_LENGTH == 12
    with pytest.raises(AccountError, match="at least 12 characters"):
        s.store.accounts.add_user("eve", "viewer", short)
    s.store.accounts.add_user("eve", "viewer", "x" * MIN_PASSWORD_LENGTH)
    with pytest.raises(AccountError, match="at least 12 characters"):
        s.store.accounts.set_password("eve", short)
    assert s.cli("users", "password", "eve", stdin=short + "\n") == 2
    assert "at least 12 characters" in capsys.readouterr().err
    assert s.api("POST", "/users", json={"name": "bo", "role": "viewer", "password": "eight chr"}).status_code == 422
    with pytest.raises(AccountError, match="at least 12 characters"):
        admin.set_password(s.site, s.console, "eve", short)
    assert s.store.accounts.authenticate("eve", "x" * MIN_PASSWORD_LENGTH) is not None
    assert s.store.accounts.user("bo") is None


def test_a_role_below_the_action_is_refused_by_the_operation_itself(doors):
    from voxsight.operations import Actor, accounts, rules

    viewer = Actor.of(doors.store.accounts.add_user("vic", "viewer", PASSWORD), Door.CLI, None)
    with pytest.raises(Forbidden, match="needs the admin role or higher; vic is viewer"):
        accounts.add_user(doors.site, viewer, "eve", "admin", PASSWORD)
    with pytest.raises(Forbidden, match="supervisor"):
        rules.in_force(doors.site, viewer)
    assert doors.store.accounts.user("eve") is None


# -- recordings: submitting, reading, searching

CALL = SAMPLES / "calls" / "billing_dispute.wav"


def test_an_upload_through_every_door_is_audited_alike(doors, redis_url, tmp_path, monkeypatch):
    s = doors
    with CALL.open("rb") as f:
        sent = s.api("POST", "/recordings", files={"file": ("api 138 1234 5678.wav", f, "audio/wav")},
                       data={"agent": "ann"})  # a name with the caller's phone number: masked as it is stored
    assert sent.status_code == 202, sent.text
    given = files.folder(s.site.config) / "an-upload" / "gradio-copy.wav"  # the console removes its copy once stored
    given.parent.mkdir(parents=True)
    shutil.copy(CALL, given)
    [submitted] = analyze.submit(s.site, s.console, [(given, "console.wav")], analyze.CallDetails(agent="ann"))
    assert submitted.job_id is not None and not given.exists()
    # The CLI queues its job in Redis (with none it would run the job itself, loading the models).
    monkeypatch.setenv("VOXSIGHT_QUEUE_REDIS_URL", redis_url)
    monkeypatch.setenv("VOXSIGHT_QUEUE_PREFIX", f"test-{uuid.uuid4().hex[:8]}")
    cli_copy = tmp_path / "cli-13912345678.wav"
    shutil.copy(CALL, cli_copy)
    assert s.cli("submit", str(cli_copy), "--meta", "agent=ann") == 0

    uploads = {e.door: e for e in s.store.accounts.audit_log(100).entries if e.action == Action.UPLOAD.value}
    assert set(uploads) == {"api", "console", "cli"}
    jobs = {door: s.store.jobs.get(e.detail["job_id"]) for door, e in uploads.items()}
    assert {door: (e.detail["filename"], jobs[door].filename) for door, e in uploads.items()} == {
        "api": ("api [PHONE].wav",) * 2, "console": ("console.wav",) * 2, "cli": ("cli-[PHONE].wav",) * 2}
    # The console sent the API's bytes again: the stored call is reused and kept as it was.
    assert set(uploads["api"].detail) == {"filename", "job_id"}
    assert uploads["console"].detail["reused_recording"] == uploads["api"].recording_id
    assert uploads["console"].detail["metadata_applied"] is False
    assert (uploads["api"].actor, uploads["console"].actor, uploads["cli"].actor) == ("boss", "boss", f"cli:{LOGIN}")
    assert uploads["console"].source == "10.0.0.9"


def test_a_bad_upload_is_refused_by_the_operation_and_audited_as_refused(doors):
    s = doors
    refused = s.api("POST", "/recordings", files={"file": ("from 13812345678.wav", b"%PDF-1.7 not a call\n" * 100)})
    assert refused.status_code == 415 and refused.headers["content-type"] == "application/problem+json"
    assert "not a readable audio file" in refused.json()["detail"]
    bad_priority = s.api("POST", "/recordings", files={"file": ("a.wav", CALL.read_bytes())}, data={"priority": "now"})
    assert bad_priority.status_code == 422 and "priority must be high or normal" in bad_priority.json()["detail"]
    assert not [e for e in s.store.accounts.audit_log(100).entries if e.action == Action.UPLOAD.value]
    refusals = [e.detail for e in s.store.accounts.audit_log(100, action=Action.UPLOAD_REFUSED).entries]
    assert [(r["filename"], r["kind"]) for r in refusals] == [("a.wav", "invalid field"), ("from [PHONE].wav", "not audio")]
    assert "13812345678" not in refusals[1]["reason"] and "from [PHONE].wav" in refusals[1]["reason"]
    assert "priority must be high or normal" in refusals[0]["reason"]
    assert s.store.jobs.list() == []


def _call(store: Store, name: str, text_said: str = "I want my money back") -> int:
    """The id of a recording with a finished analysis of one segment saying ``text_said``."""
    segments = (Segment(0.0, 3.0, 1, "customer", "en", "ANGRY", (), text_said, ""),)
    result = AnalysisResult(RecordingInfo(hashlib.sha256(name.encode()).hexdigest(), name, "wav", 5.0, 16000, 1),
                            "test-model", False, {}, segments)
    store.save(result, "key", 1000, {})
    [recording_id] = [r.id for r in store.recordings.list().items if r.filename == name]
    return recording_id


def test_viewing_exporting_and_searching_are_audited_alike_at_every_door(doors, capsys):
    s = doors
    recording_id = _call(s.store, "refund.wav")
    assert s.api("GET", f"/recordings/{recording_id}").status_code == 200
    assert call.open_call(s.site, s.console, recording_id).recording.id == recording_id
    assert s.api("GET", "/recordings/999999").status_code == 404  # nothing seen: nothing audited
    exported = s.api("GET", f"/recordings/{recording_id}/export", params={"format": "csv"})
    assert exported.status_code == 200 and "money back" in exported.text
    assert s.api("GET", "/search", params={"q": "money"}).json()["hits"][0]["recording_id"] == recording_id
    found = calls.find(s.site, s.console, calls.CallQuery(words="money"))
    assert [h.recording_id for h in found.hits] == [recording_id]
    assert s.cli("search", "money", "--json") == 0
    assert json.loads(capsys.readouterr().out)["hits"][0]["recording_id"] == recording_id

    done = {(e.door, e.action, e.recording_id, json.dumps(e.detail, sort_keys=True))
            for e in s.store.accounts.audit_log(100).entries}
    assert done == {("api", "view", recording_id, "{}"), ("console", "view", recording_id, "{}"),
                    ("api", "export", recording_id, '{"format": "csv"}'),
                    ("api", "search", None, '{"query": "money"}'), ("console", "search", None, '{"query": "money"}'),
                    ("cli", "search", None, '{"query": "money"}')}


def test_a_report_read_and_a_report_exported_are_audited_alike_whatever_the_door(doors, capsys):
    s = doors
    period = {"start": date.today().isoformat(), "end": date.today().isoformat()}
    assert s.api("GET", "/reports", params=period).status_code == 200
    assert s.cli("report", "--from", period["start"], "--to", period["end"]) == 0
    assert not [e for e in s.store.accounts.audit_log(100).entries if e.action == Action.EXPORT.value]
    reads = [(e.door, e.detail) for e in s.store.accounts.audit_log(100).entries if e.action == Action.REPORT.value]
    assert sorted(reads) == [(door, {"report": {**period, "by": "day"}}) for door in ("api", "cli")]
    assert s.api("GET", "/reports", params={**period, "format": "csv"}).status_code == 200
    assert s.cli("report", "--from", period["start"], "--to", period["end"], "--format", "csv") == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("day,calls")
    exports = [(e.door, e.detail) for e in s.store.accounts.audit_log(100).entries if e.action == Action.EXPORT.value]
    assert sorted(exports) == [(door, {"report": {**period, "by": "day"}}) for door in ("api", "cli")]


def test_a_viewer_is_refused_analyst_actions_by_the_operation_itself(doors, tmp_path):
    from voxsight.operations import Actor, recordings, reports
    from voxsight.operations.recordings import Received

    s = doors
    recording_id = _call(s.store, "refund.wav")
    viewer = Actor.of(s.store.accounts.add_user("vic", "viewer", PASSWORD), Door.API, None)
    held = tmp_path / "incoming.wav"
    shutil.copy(CALL, held)
    received = Received(path=held, filename="call.wav", sha256="0" * 64, size=held.stat().st_size, head=b"RIFF")
    with pytest.raises(Forbidden, match="needs the analyst role or higher; vic is viewer"):
        recordings.upload(s.site, viewer, received)
    assert held.exists() and s.store.jobs.list() == []  # nothing taken in
    with pytest.raises(Forbidden, match="analyst"):
        recordings.submit(s.site, viewer, [CALL])
    with pytest.raises(Forbidden, match="analyst"):
        recordings.search(s.site, viewer, "money")
    with pytest.raises(Forbidden, match="analyst"):
        recordings.export(s.site, viewer, recording_id, "csv")
    with pytest.raises(Forbidden, match="analyst"):
        reports.export(s.site, viewer, date.today(), date.today())
    assert s.store.jobs.list() == [] and s.store.accounts.audit_log(100).entries == []
    assert recordings.recording(s.site, viewer, recording_id).recording.id == recording_id  # viewers read calls


# -- the migration: old rows take the one vocabulary and a door

OLD_ROWS = [("cli:root", "user_added", "cli", {"user": "ann", "role": "viewer"}),
            ("cli:root", "token_revoked", "cli", {"token": 3}),
            ("site:ops", "user_add", "run.sh", {"user": "admin", "role": "admin"}),
            ("ann", "token_create", "10.0.0.1", {"user": "crm", "token": "crm", "token_id": 4}),
            ("ann", "user_disable", "10.0.0.2", {"user": "bo", "via": "console"})]


def _migrate(store: Store, fn, target: str) -> None:
    config = _alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        fn(config, target)


def test_migration_0010_renames_old_actions_and_fills_the_door(each_store):
    store = each_store
    _migrate(store, command.downgrade, "0009")
    with store.engine.begin() as c:
        for actor, action, source, detail in OLD_ROWS:
            c.execute(text("INSERT INTO audit_log (at, actor, action, source, detail) "
                           "VALUES (CURRENT_TIMESTAMP, :actor, :action, :source, :detail)"),
                      {"actor": actor, "action": action, "source": source, "detail": json.dumps(detail)})
    _migrate(store, command.upgrade, "head")

    rows = [(e.actor, e.action, e.door) for e in reversed(store.accounts.audit_log().entries)]
    assert rows == [("cli:root", "user_add", "cli"), ("cli:root", "token_revoke", "cli"),
                    ("site:ops", "user_add", "site"), ("ann", "token_create", "api"),
                    ("ann", "user_disable", "console")]
    assert [e.detail for e in reversed(store.accounts.audit_log().entries)] == [d for *_, d in OLD_ROWS]
    with pytest.raises(DatabaseError, match="append-only"):  # the log is append-only again, door included
        with store.engine.begin() as c:
            c.execute(text("UPDATE audit_log SET door = 'api'"))

    _migrate(store, command.downgrade, "0009")  # the CLI's rows get their old names back
    with store.engine.connect() as c:
        assert [r.action for r in c.execute(text("SELECT action FROM audit_log ORDER BY id"))] == \
            [action for _, action, *_ in OLD_ROWS]
    _migrate(store, command.upgrade, "head")


def test_a_metadata_change_is_one_operation_audited_with_old_and_new_at_every_door(doors, capsys):
    s = doors
    recording_id = _call(s.store, "refund.wav")
    assert s.api("PATCH", f"/recordings/{recording_id}", json={"agent": "ann"}).json()["call_metadata"] == {"agent": "ann"}
    assert s.cli("recording", str(recording_id), "--meta", "agent=bob", "--meta", "queue=vip") == 0
    assert capsys.readouterr().out.strip() == f"recording {recording_id}: agent=bob, queue=vip"
    assert s.cli("recording", str(recording_id), "--meta", "queue=") == 0  # KEY= removes it
    assert s.store.recordings.get(recording_id).call_metadata == {"agent": "bob"}
    changes = [(e.door, e.detail) for e in s.store.accounts.audit_log(100, action=Action.RECORDING_UPDATE).entries]
    assert changes == [("cli", {"old": {"queue": "vip"}, "new": {"queue": None}}),
                       ("cli", {"old": {"agent": "ann", "queue": None}, "new": {"agent": "bob", "queue": "vip"}}),
                       ("api", {"old": {"agent": None}, "new": {"agent": "ann"}})]
    assert s.cli("recording", "999999", "--meta", "agent=x") != 0


def test_below_a_supervisor_an_alerts_history_shows_its_steps_but_not_who_wrote_what():
    from datetime import datetime, timezone

    from voxsight.operations import Actor, alerts as alert_operations
    from voxsight.store.accounts import Role
    from voxsight.store.alerts import AlertInfo, HistoryEntry

    viewer = Actor("vic", Role.VIEWER, Door.CONSOLE)
    boss = Actor("boss", Role.SUPERVISOR, Door.CONSOLE)
    now = datetime.now(timezone.utc)
    alert = AlertInfo(1, 1, 1, "a.wav", "r", "v", "high", "m", (), "acknowledged", now, now,
                      (HistoryEntry("opened", None, None, now), HistoryEntry("acknowledged", "sue", "a note", now)))
    [seen] = alert_operations.shown(viewer, [alert])
    assert [(h.action, h.actor, h.comment) for h in seen.history] == [("opened", None, None),
                                                                      ("acknowledged", None, None)]
    assert alert_operations.shown(boss, [alert]) == [alert]
