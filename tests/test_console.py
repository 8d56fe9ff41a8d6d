"""The console's pages, page by page, against a real store (SQLite and PostgreSQL where the page
queries it): what each page function returns for each role, what it refuses, and what it audits.
The sign-in pages and the mounted console are exercised over HTTP on the real app.

The browser flow (clicks, the player, timers) is in test_console_browser.py.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from helpers import SAMPLES
from voxsight.alerts import Alerting
from voxsight.cache import ResultCache
from voxsight.results import SYNTHETIC_WARNING, AnalysisResult, RecordingInfo, Segment
from voxsight.rules import RulesError
from voxsight.store import Store
from voxsight.store.accounts import Role, SignInLimits, UserInfo
from voxsight.store.alerts import AlertError
from voxsight.webui.console import access, admin, alerts, analytics, analyze, call, calls, files, render
from voxsight.webui.console.access import Forbidden
from voxsight.site import Site
from voxsight.webui.deps import SESSION_COOKIE, Caller

PASSWORD = "correct horse battery staple"
RULES = """rules:
  - id: angry_customer
    severity: high
    message: 'Angry customer at {time}'
    when: {emotion: {role: customer, emotions: [ANGRY], min_seconds: 2}}
  - id: complaint
    severity: critical
    message: 'Complaint at {time}: "{text}"'
    when: {phrase: {phrases: {en: [complaint]}, role: customer}}
"""


def seg(start, end, role, emotion, text="", events=(), language="en"):
    channel = {"agent": 0, "customer": 1, None: None}[role]
    return Segment(start, end, channel, role, language, emotion, tuple(events), text, text)


# (file, agent, queue, call time, segments)
CALLS = [
    ("billing.wav", "ann", "billing", "2026-11-02T09:00:00+00:00",
     [seg(0.5, 3.0, "agent", "NEUTRAL", "thank you for calling"),
      seg(4.0, 8.0, "customer", "ANGRY", "you charged me twice I will file a complaint"),
      seg(9.0, 11.0, "agent", "NEUTRAL", "let me check")]),
    ("upgrade.wav", "bob", "sales", "2026-11-02T11:00:00+00:00",
     [seg(0.5, 2.0, "agent", "HAPPY", "good morning"), seg(3.0, 6.0, "customer", "HAPPY", "I want to upgrade",
                                                          ("Laughter",))]),
    ("card.wav", "ann", "cards", "2026-11-03T10:00:00+00:00",
     [seg(0.5, 2.0, "agent", "NEUTRAL", "hello"), seg(2.5, 6.0, "customer", "ANGRY", "my card is gone"),
      seg(6.5, 7.0, "customer", "SAD", "")]),
    ("mono.wav", "cy", "billing", "2026-11-04T10:00:00+00:00",
     [seg(0.0, 2.0, None, "NEUTRAL", "one voice"), seg(2.0, 4.0, None, "FEARFUL", "<b>not</b> markup & co")]),
]


def _save(store: Store, alerting: Alerting, name: str, meta: dict, segments, synthetic: bool = False) -> AnalysisResult:
    duration = max(s.end_s for s in segments) + 1.0
    result = AnalysisResult(RecordingInfo(hashlib.sha256(name.encode()).hexdigest(), name, "wav", duration, 16000,
                                          2 if segments[0].role else 1), "test-model", synthetic, {}, tuple(segments))
    stored = store.save(result, "key", 1000, meta)
    alerting.evaluate(stored.analysis_id, stored.segments)
    return stored


@pytest.fixture
def site(each_store, own_config, tmp_path) -> Site:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    config = own_config.with_overrides(alerts={"rules_file": str(rules)})
    store = each_store
    alerting = Alerting(config.alerts, store)
    for name, agent, queue, when, segments in CALLS:
        _save(store, alerting, name, {"agent": agent, "queue": queue, "call_time": when}, segments)
    yield Site(config, store, None, ResultCache(None))
    store.engine.dispose()


@pytest.fixture
def people(site) -> dict[str, Caller]:
    return {role.value: Caller(site.store.accounts.add_user(f"{role.value}-1", role, PASSWORD), "10.0.0.7", "session")
            for role in Role}


def _recording(site: Site, name: str) -> int:
    return next(r.id for r in site.store.recordings.list(limit=100).items if r.filename == name)


def _audited(site: Site, action: str) -> list:
    return [e for e in site.store.accounts.audit_log(1000).entries if e.action == action]


# -- who sees what

def test_each_role_sees_only_its_pages():
    assert access.pages_for(Role.VIEWER) == ["calls"]
    assert access.pages_for(Role.ANALYST) == ["analyze", "calls", "analytics"]
    assert access.pages_for(Role.SUPERVISOR) == ["analyze", "calls", "alerts", "analytics"]
    assert access.pages_for(Role.ADMIN) == ["analyze", "calls", "alerts", "analytics", "admin"]


# (page function, its arguments after site and caller, least role). Every page re-checks the role
# itself: a hidden tab is not the protection.
def _page_calls(site):
    billing = _recording(site, "billing.wav")
    alert_id = site.store.alerts.list(limit=1).items[0].id
    return [
        (calls.find, (calls.CallQuery(),), "viewer"),
        (calls.find, (calls.CallQuery(words="complaint"),), "analyst"),
        (calls.choices, (), "viewer"),
        (call.open_call, (billing,), "viewer"),
        (analyze.submit, ([], analyze.CallDetails()), "analyst"),
        (analyze.jobs, ([],), "analyst"),
        (alerts.inbox, (alerts.AlertQuery(),), "supervisor"),
        (alerts.alert, (alert_id,), "supervisor"),
        (alerts.act, (alert_id, "acknowledge", "seen"), "supervisor"),
        (alerts.watch, (), "supervisor"),
        (analytics.build, (date(2026, 11, 1), date(2026, 11, 30)), "analyst"),
        (analytics.export_csv, (date(2026, 11, 1), date(2026, 11, 30), "day"), "analyst"),
        (admin.machinery, (), "admin"),
        (admin.models_in_use, (), "admin"),
        (admin.rules_text, (), "admin"),
        (admin.check_rules, (RULES,), "admin"),
        (admin.users, (), "admin"),
        (admin.tokens, (), "admin"),
        (admin.audit_log, (), "admin"),
        (admin.voiceprints, (), "admin"),
    ]


def test_every_page_function_refuses_a_role_below_its_page(site, people):
    for function, args, least in _page_calls(site):
        for role, who in people.items():
            if Role(role).allows(Role(least)):
                try:
                    function(site, who, *args)
                except AlertError:  # refused for what it asks (acknowledged already): the role check let it through
                    pass
            else:
                with pytest.raises(Forbidden, match=least):
                    function(site, who, *args)


def _request(cookie: str | None) -> Request:
    headers = [(b"cookie", f"{SESSION_COOKIE}={cookie}".encode())] if cookie else []
    return Request({"type": "http", "method": "GET", "path": "/console/", "headers": headers,
                    "client": ("10.0.0.9", 5000), "query_string": b""})


def test_the_session_is_checked_on_every_call_and_a_signed_out_one_is_refused(site, people):
    secret, _ = site.store.accounts.create_token("analyst-1", "console session")
    assert access.session_user(site, _request(secret)) == "analyst-1"
    who = access.caller(site, _request(secret))
    assert (who.user.name, who.source) == ("analyst-1", "10.0.0.9")
    site.store.accounts.revoke_session(secret)
    assert access.session_user(site, _request(secret)) is None
    with pytest.raises(Forbidden, match="sign in again"):
        access.caller(site, _request(secret))
    assert access.session_user(site, _request(None)) is None


# -- Calls

def test_calls_are_filtered_sorted_and_paged(site, people):
    who = people["viewer"]
    angry = calls.find(site, who, calls.CallQuery(emotion="ANGRY", sort="name", page_size=1))
    assert [c.filename for c in angry.calls] == ["billing.wav"] and angry.total == 2 and angry.has_next
    assert angry.describe() == "Calls 1–1 of 2"
    second = calls.find(site, who, calls.CallQuery(emotion="ANGRY", sort="name", page=1, page_size=1))
    assert [c.filename for c in second.calls] == ["card.wav"] and not second.has_next
    ann_billing = calls.find(site, who, calls.CallQuery(agent="ann", queue="billing"))
    assert [c.filename for c in ann_billing.calls] == ["billing.wav"]
    laughing = calls.find(site, who, calls.CallQuery(event="Laughter"))
    assert [c.filename for c in laughing.calls] == ["upgrade.wav"]
    open_alerts = calls.find(site, who, calls.CallQuery(alert_state="open", sort="name"))
    assert [c.filename for c in open_alerts.calls] == ["billing.wav", "card.wav"]
    none = calls.find(site, who, calls.CallQuery(alert_state="none", sort="name"))
    assert [c.filename for c in none.calls] == ["mono.wav", "upgrade.wav"]
    today = datetime.now(timezone.utc).date()
    assert calls.find(site, who, calls.CallQuery(since=today, until=today)).total == 4  # stored today
    assert calls.find(site, who, calls.CallQuery(until=date(2020, 1, 1))).total == 0


def test_a_long_list_is_counted_no_further_than_the_page_needs(site, people, monkeypatch):
    monkeypatch.setattr(calls, "COUNT_UP_TO", 2)
    first = calls.find(site, people["viewer"], calls.CallQuery(page_size=1))
    assert (first.total, first.total_exact, first.has_next) == (3, False, True)
    assert first.describe() == "Calls 1–1 of more than 2"
    last = calls.find(site, people["viewer"], calls.CallQuery(page=3, page_size=1))
    assert (last.total, last.total_exact, last.has_next) == (4, True, False)
    assert last.describe() == "Calls 4–4 of 4"
    exact = site.store.recordings.list(limit=1)  # the API's count: every match
    assert (exact.total, exact.total_exact) == (4, True)


def test_migration_0009_indexes_calls_newest_first_up_and_down(site):
    from alembic import command
    from sqlalchemy import inspect

    from voxsight.store.repository import _alembic_config

    def indexes() -> set[str]:
        with site.store.engine.connect() as connection:
            return {i["name"] for i in inspect(connection).get_indexes("recordings")}

    assert "ix_recordings_created_at" in indexes()
    config = _alembic_config()
    for target, present in (("0008", False), ("head", True)):
        with site.store.engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if target == "0008" else command.upgrade)(config, target)
        assert ("ix_recordings_created_at" in indexes()) == present
    assert [c.filename for c in site.store.recordings.list(limit=2).items] == ["mono.wav", "card.wav"]


def test_searching_words_needs_an_analyst_finds_them_and_is_audited(site, people):
    with pytest.raises(Forbidden, match="analyst"):
        calls.find(site, people["viewer"], calls.CallQuery(words="complaint"))
    found = calls.find(site, people["analyst"], calls.CallQuery(words="complaint"))
    assert found.searching and found.total is None
    [hit] = found.hits
    assert (hit.filename, hit.role, hit.start_s) == ("billing.wav", "customer", 4.0)
    start, end = hit.highlights[0]
    assert hit.text[start:end] == "complaint"
    [entry] = _audited(site, "search")
    assert (entry.actor, entry.detail["query"], entry.source) == ("analyst-1", "complaint", "10.0.0.7")


def test_the_filters_offer_what_the_store_holds(site, people):
    offered = calls.choices(site, people["viewer"])
    assert offered.agents == ("ann", "bob", "cy") and offered.queues == ("billing", "cards", "sales")
    assert offered.languages == ("en",) and "ANGRY" in offered.emotions and "none" in offered.alert_states


# -- Call detail

class _Segments(HTMLParser):
    """The transcript's segments as the browser gets them: start, column (lane) and text."""

    def __init__(self, html: str):
        super().__init__()
        self.found, self._in, self._text = [], None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "vx-seg" in (a.get("class") or "").split():
            column = int(re.search(r"grid-column:(\d+)", a["style"]).group(1))
            self._in = {"start": float(a["data-start"]), "column": column, "text": ""}
            self.found.append(self._in)
        elif self._in is not None and a.get("class") == "vx-seg-text":
            self._text = True

    def handle_endtag(self, tag):
        if self._text and tag == "div":
            self._text, self._in = False, None

    def handle_data(self, data):
        if self._text:
            self._in["text"] += data


def test_a_split_call_has_a_lane_per_role_in_time_order_each_segment_playable(site, people):
    view = call.open_call(site, people["viewer"], _recording(site, "billing.wav"))
    assert view.lanes == ["agent", "customer"]
    html = call.transcript_html(view)
    segments = _Segments(html).found
    assert [(s["start"], s["column"]) for s in segments] == [(0.5, 1), (4.0, 2), (9.0, 1)]
    assert segments[1]["text"] == "you charged me twice I will file a complaint"
    angry = re.search(r'<div class="vx-seg"[^>]*data-start="4.00"[^>]*>', html).group(0)
    assert "#d64545" in angry  # coloured by its emotion (ANGRY)
    assert html.count('class="vx-block"') == 3  # the overview strip: one block per segment


def test_a_mixed_call_has_one_lane_and_its_text_is_escaped(site, people):
    view = call.open_call(site, people["viewer"], _recording(site, "mono.wav"))
    assert view.lanes == ["mixed"]
    html = call.transcript_html(view)
    assert "<b>not</b>" not in html and "&lt;b&gt;not&lt;/b&gt; markup &amp; co" in html
    assert {s["column"] for s in _Segments(html).found} == {1}


def test_a_call_told_apart_by_voice_says_how_its_roles_were_told():
    def said(start, speaker, role, how):
        return Segment(start, start + 2, None, role, "en", "NEUTRAL", (), "words", "", speaker=speaker, role_source=how)

    by_greeting = [said(0, 0, "agent", "greeting"), said(3, 1, "customer", "greeting")]
    assert "2 voices told apart by CAM++; the agent is the voice that greeted" in call._roles_told(by_greeting)
    first = [said(0, 0, "agent", "first_speaker"), said(3, 1, "customer", "first_speaker")]
    assert "check it by ear" in call._roles_told(first)
    assert call._roles_told([Segment(0, 2, 0, "agent", "en", None, (), "", "")]) == ""  # split channels: nothing to tell


def test_an_admin_lists_and_erases_voiceprints_in_the_console_each_time_audited(site, people):
    import numpy as np

    site.store.voiceprints.save("ann", "campplus-92f29b94e694", np.ones(192, np.float32) / np.sqrt(192), 12.5,
                                "learned", 3, "cli-admin")
    [kept] = admin.voiceprints(site, people["admin"])
    assert (kept.agent, kept.source, kept.made_from) == ("ann", "learned", 3)
    with pytest.raises(Forbidden, match="admin"):
        admin.forget_voiceprint(site, people["supervisor"], "ann")
    admin.forget_voiceprint(site, people["admin"], "ann")
    assert admin.voiceprints(site, people["admin"]) == []
    [erased] = _audited(site, "voiceprint_erase")
    assert (erased.door, erased.actor, erased.detail) == ("console", "admin-1", {"agent": "ann"})
    assert len(_audited(site, "voiceprint_list")) == 2


def test_a_diarized_mono_call_has_a_lane_and_an_emotion_line_per_role(site, people):
    def said(start, speaker, role, emotion, distance, how="voiceprint"):
        return Segment(start, start + 2, None, role, "en", emotion, (), "words", "", speaker=speaker, role_source=how,
                       voice_distance=distance)

    segments = [said(0, 0, "customer", "ANGRY", 0.81), said(3, 1, "agent", "NEUTRAL", 0.22),
                said(6, 0, "customer", "SAD", 0.81)]
    _save(site.store, Alerting(site.config.alerts, site.store), "diarized.wav", {"agent": "ann"}, segments)
    view = call.open_call(site, people["viewer"], _recording(site, "diarized.wav"))
    assert view.lanes == ["agent", "customer"]
    assert [(p["role"], p["emotion"]) for p in call.emotion_timeline(view)] == [
        ("customer", "ANGRY"), ("agent", "NEUTRAL"), ("customer", "SAD")]
    html = call.transcript_html(view)
    assert [s["column"] for s in _Segments(html).found] == [2, 1, 2]
    assert "nearest the voiceprint enrolled for this agent (distance 0.22" in html
    stranger = [said(0, 0, "agent", "NEUTRAL", 0.85, "first_speaker"), said(3, 1, "customer", "HAPPY", 0.9, "first_speaker"),
                said(6, 2, "customer", "HAPPY", 0.9, "first_speaker")]
    told = call._roles_told(stranger)
    assert "3 voices told apart by CAM++; someone else came on the call" in told
    assert "no voice matches the voiceprint enrolled for this agent (the nearest is 0.85 away)" in told


def test_opening_a_call_is_audited_and_shows_its_features_alerts_and_emotions(site, people):
    billing = _recording(site, "billing.wav")
    view = call.open_call(site, people["supervisor"], billing)
    [entry] = _audited(site, "view")
    assert (entry.actor, entry.recording_id) == ("supervisor-1", billing)
    features = call.features_html(view)
    assert "Talk time" in features and "Escalation" in features and "Overtalk" in features
    assert view.features.talk_s == pytest.approx(8.5)
    alerts_html = call.alerts_html(view)
    assert "complaint" in alerts_html and "angry_customer" in alerts_html
    assert 'data-start="4.00"' in alerts_html  # the trigger plays from where it was said
    assert call.emotion_timeline(view) == [
        {"time_s": 0.5, "emotion": "NEUTRAL", "role": "agent", "text": "thank you for calling"},
        {"time_s": 4.0, "emotion": "ANGRY", "role": "customer", "text": "you charged me twice I will file a complaint"},
        {"time_s": 9.0, "emotion": "NEUTRAL", "role": "agent", "text": "let me check"}]
    assert call.open_call(site, people["viewer"], 10**6) is None


def test_a_call_analyzed_from_the_command_line_has_no_player_and_exports_are_for_analysts(site, people):
    billing = _recording(site, "billing.wav")
    viewer, analyst = (call.open_call(site, people[r], billing) for r in ("viewer", "analyst"))
    assert viewer.audio_url is None and "No audio of this call can be played here" in call.header_html(viewer)
    assert "/export?format=csv" not in call.header_html(viewer)
    assert f"/api/v1/recordings/{billing}/export?format=csv" in call.header_html(analyst)


def test_a_synthetic_models_output_is_marked_at_the_top_of_the_page(site, people):
    alerting = Alerting(site.config.alerts, site.store)
    stored = _save(site.store, alerting, "synthetic.wav", {}, [seg(0.0, 2.0, "agent", "ANGRY", "hello")], synthetic=True)
    view = call.open_call(site, people["viewer"], stored.recording.id)
    assert call.banner_html(view).count(SYNTHETIC_WARNING) == 1 and 'role="alert"' in call.banner_html(view)
    assert "synthetic" in call.header_html(view) and "tags are meaningless" in call.transcript_html(view)
    real = call.open_call(site, people["viewer"], _recording(site, "billing.wav"))
    assert call.banner_html(real) == "" and "synthetic" not in call.transcript_html(real)


# -- Analyze

def _uploaded(site: Site, source: Path, name: str | None = None) -> Path:
    """``source`` as the browser's upload leaves it: in Gradio's folder, in a directory of its own."""
    directory = files.folder(site.config) / hashlib.sha256(str(source).encode()).hexdigest()
    directory.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(source, directory / (name or source.name)))


def test_uploads_become_jobs_and_a_refused_file_says_why(site, people, tmp_path):
    gradio_copies = files.folder(site.config) / "an-upload"
    gradio_copies.mkdir(parents=True)
    good = gradio_copies / "lost_card.wav"
    shutil.copy(SAMPLES / "calls" / "lost_card.wav", good)
    notes = gradio_copies / "notes.txt"
    notes.write_text("not a recording at all")
    empty = gradio_copies / "empty.wav"
    empty.write_bytes(b"")
    details = analyze.CallDetails(agent="dee", queue="claims", call_time="2026-11-05 10:30:00")

    done = analyze.submit(site, people["analyst"], [(good, good.name), (notes, notes.name), (empty, empty.name)], details)

    assert [(d.filename, d.job_id is not None) for d in done] == [("lost_card.wav", True), ("notes.txt", False),
                                                                  ("empty.wav", False)]
    assert "not" in done[1].reason and "audio" in done[1].reason  # refused by its content
    assert "empty" in done[2].reason
    assert not any(gradio_copies.iterdir())  # Gradio's copies of call audio are not left behind
    job = site.store.jobs.get(done[0].job_id)
    assert job.to_json()["status"] == "queued" and Path(job.audio_path).is_file()
    recording = site.store.recordings.get(job.recording_id)
    assert recording.call_metadata == {"agent": "dee", "queue": "claims", "call_time": "2026-11-05 10:30:00"}
    [entry] = _audited(site, "upload")
    assert (entry.actor, entry.recording_id, entry.detail["job_id"]) == ("analyst-1", job.recording_id, job.id)

    rows = analyze.jobs(site, people["analyst"], done)
    assert [(r.filename, r.status) for r in rows[:3]] == [("notes.txt", "refused"), ("empty.wav", "refused"),
                                                           ("lost_card.wav", "queued")]
    site.store.jobs.claim(job.id, "worker-1", 60)
    site.store.jobs.report_progress(job.id, 3, 8)
    [running] = [r for r in analyze.jobs(site, people["analyst"], done) if r.job_id == job.id]
    assert (running.status, running.done, running.total) == ("running", 3, 8)
    site.store.jobs.fail(job.id, "lost_card.wav: the file is damaged at 00:41")
    [failed] = [r for r in analyze.jobs(site, people["analyst"], done) if r.job_id == job.id]
    assert (failed.status, failed.reason) == ("failed", "lost_card.wav: the file is damaged at 00:41")


def test_a_bad_call_time_refuses_the_upload_with_the_reason(site, people):
    good = _uploaded(site, SAMPLES / "calls" / "happy_upgrade.wav")
    [done] = analyze.submit(site, people["analyst"], [(good, good.name)], analyze.CallDetails(call_time="yesterday"))
    assert done.job_id is None and "call_time" in done.reason and "ISO 8601" in done.reason
    assert site.store.jobs.list() == []


def test_only_files_in_gradios_folder_are_taken_and_nothing_else_is_read_or_removed(site, people, tmp_path):
    elsewhere = Path(shutil.copy(SAMPLES / "calls" / "happy_upgrade.wav", tmp_path / "server_file.wav"))
    uploaded = _uploaded(site, SAMPLES / "calls" / "lost_card.wav")
    way_out = files.folder(site.config) / ".." / "server_file.wav"
    shutil.copy(elsewhere, way_out)
    link = uploaded.parent / "link.wav"
    link.symlink_to(elsewhere)
    stored = site.store.recordings.list().total
    for path in (elsewhere, way_out, link, "https://example.com/call.wav", "relative/call.wav"):
        with pytest.raises(Forbidden, match="only files uploaded"):
            analyze.submit(site, people["analyst"], [(uploaded, "lost_card.wav"), (path, "call.wav")],
                           analyze.CallDetails())
    assert elsewhere.exists() and way_out.exists() and uploaded.exists()  # nothing read, nothing removed
    assert site.store.jobs.list() == [] and site.store.recordings.list().total == stored


# -- Alerts

def test_the_inbox_filters_by_state_severity_and_rule(site, people):
    who = people["supervisor"]
    everything = alerts.inbox(site, who, alerts.AlertQuery(status=None))
    assert sorted(a.rule_id for a in everything.items) == ["angry_customer", "angry_customer", "complaint"]
    critical = alerts.inbox(site, who, alerts.AlertQuery(severity="critical"))
    assert [(a.rule_id, a.filename) for a in critical.items] == [("complaint", "billing.wav")]
    by_rule = alerts.inbox(site, who, alerts.AlertQuery(rule="angry_customer"))
    assert by_rule.total == 2 and {a.filename for a in by_rule.items} == {"billing.wav", "card.wav"}
    assert alerts.rule_choices(site, who) == ["angry_customer", "complaint"]


def test_acknowledging_and_resolving_keep_who_why_and_when_and_are_audited(site, people):
    who = people["supervisor"]
    [complaint] = alerts.inbox(site, who, alerts.AlertQuery(rule="complaint")).items
    alerts.act(site, who, complaint.id, "acknowledge", "  calling them back  ")
    with pytest.raises(AlertError, match="acknowledged"):
        alerts.act(site, who, complaint.id, "acknowledge", "again")
    done = alerts.act(site, people["admin"], complaint.id, "resolve", "refunded")
    assert done.status == "resolved"
    assert [(h.action, h.actor, h.comment) for h in done.history][-2:] == [
        ("acknowledged", "supervisor-1", "calling them back"), ("resolved", "admin-1", "refunded")]
    assert [(e.actor, e.detail["alert_id"]) for e in _audited(site, "alert_acknowledge")] == [("supervisor-1", complaint.id)]
    assert alerts.inbox(site, who, alerts.AlertQuery(status="open", rule="complaint")).total == 0


def test_new_alerts_are_noticed_without_a_reload(site, people):
    who = people["supervisor"]
    before = alerts.watch(site, who)
    assert alerts.watch(site, who) == before  # nothing changed: the page does nothing
    assert alerts.new_since(site, who, None, before) == []  # the first look announces nothing
    _save(site.store, Alerting(site.config.alerts, site.store), "late.wav", {},
          [seg(0.0, 3.0, "customer", "ANGRY", "this is a complaint")])
    after = alerts.watch(site, who)
    assert after != before and after.open == before.open + 2
    assert sorted(a.rule_id for a in alerts.new_since(site, who, before, after)) == ["angry_customer", "complaint"]


# -- Analytics

def test_analytics_plots_come_from_the_report(site, people):
    built = analytics.build(site, people["analyst"], date(2026, 11, 1), date(2026, 11, 30), "agent")
    assert built.calls == 4
    mix = analytics.emotion_mix(built)
    for day in {row["day"] for row in mix}:
        assert sum(r["share"] for r in mix if r["day"] == day) == pytest.approx(1.0, abs=0.001)
    nov2 = {r["emotion"]: r["share"] for r in mix if r["day"] == "2026-11-02"}
    assert nov2["ANGRY"] == pytest.approx(4.0 / 13.0, abs=0.001)  # 4 s of the 13 s of emotional speech that day
    assert analytics.alert_rates(built) == [{"rule": "angry_customer", "share": 0.5}, {"rule": "complaint", "share": 0.25}]
    assert analytics.events(built) == [{"event": "Laughter", "segments": 1}]
    compared = {row["agent"]: row for row in analytics.comparison(built)}
    assert compared["ann"]["calls"] == 2 and compared["bob"]["negative share"] == 0
    with pytest.raises(ValueError, match="ends before"):
        analytics.build(site, people["analyst"], date(2026, 11, 30), date(2026, 11, 1))


def test_the_csv_export_is_the_report_and_is_audited(site, people):
    path = analytics.export_csv(site, people["analyst"], date(2026, 11, 1), date(2026, 11, 30), "queue")
    assert path.is_relative_to(files.folder(site.config)) and path.name == "report-2026-11-01-2026-11-30-queue.csv"
    lines = path.read_text().splitlines()
    assert lines[0].startswith("queue,calls,minutes") and [line.split(",")[0] for line in lines[1:]] == [
        "billing", "cards", "sales"]
    [entry] = _audited(site, "export")
    assert entry.detail["report"] == {"start": "2026-11-01", "end": "2026-11-30", "by": "queue"}


# -- Admin

def test_rules_are_validated_before_they_are_put_in_force(site, people):
    who = people["admin"]
    broken = RULES.replace("severity: high", "severity: urgent")
    check = admin.check_rules(site, who, broken)
    assert not check["ok"] and re.search(r"rules.yaml:3: 'urgent' is not one of", check["error"])
    with pytest.raises(RulesError):
        admin.put_rules_in_force(site, who, broken)
    assert admin.rules_text(site, who) == RULES  # the rules in force stay
    fewer = RULES.split("  - id: complaint")[0]
    done = admin.put_rules_in_force(site, who, fewer)
    assert done["ok"] and done["rules"] == ["angry_customer"]
    assert admin.rules_in_force(site, who)["rules"] == ["angry_customer"] and admin.rules_text(site, who) == fewer
    [entry] = _audited(site, "rules_update")
    assert entry.detail["version"] == done["version"]


def test_admins_add_users_set_passwords_and_make_and_revoke_tokens(site, people):
    who = people["admin"]
    with pytest.raises(ValueError, match="password"):
        admin.add_user(site, who, "eve", "analyst", "short")
    with pytest.raises(ValueError, match="role"):
        admin.add_user(site, who, "eve", "owner", PASSWORD)
    made = admin.add_user(site, who, "eve", "analyst", PASSWORD)
    assert made.role == Role.ANALYST and site.store.accounts.authenticate("eve", PASSWORD) is not None
    admin.set_password(site, who, "eve", "a new password entirely")
    assert site.store.accounts.authenticate("eve", "a new password entirely") is not None
    secret, token = admin.create_token(site, who, "eve", "crm", 30)
    assert site.store.accounts.user_for_token(secret).name == "eve" and token.expires_at is not None
    admin.revoke_token(site, who, token.id)
    assert site.store.accounts.user_for_token(secret) is None
    with pytest.raises(Forbidden, match="yourself"):
        admin.disable_user(site, who, "admin-1")
    admin.disable_user(site, who, "eve")
    assert site.store.accounts.user("eve").disabled
    actions = {e.action for e in site.store.accounts.audit_log(100, actor="admin-1").entries}
    assert {"user_add", "user_password", "token_create", "token_revoke", "user_disable"} <= actions


def test_a_password_set_in_the_console_ends_sessions_and_tokens_and_sign_out_everywhere_ends_sessions(site, people):
    who = people["admin"]
    admin.add_user(site, who, "fay", "analyst", PASSWORD)
    session, _ = site.store.accounts.create_token("fay", "console session", 3600, session=True)
    token, _ = site.store.accounts.create_token("fay", "crm")
    assert admin.set_password(site, who, "fay", "a new password entirely") == 2
    assert site.store.accounts.user_for_token(session) is None and site.store.accounts.user_for_token(token) is None
    session, _ = site.store.accounts.create_token("fay", "console session", 3600, session=True)
    token, _ = site.store.accounts.create_token("fay", "crm")
    assert admin.sign_out_everywhere(site, who, "fay") == 1
    assert site.store.accounts.user_for_token(session) is None and site.store.accounts.user_for_token(token).name == "fay"
    with pytest.raises(Forbidden):
        admin.sign_out_everywhere(site, people["supervisor"], "fay")
    [entry] = _audited(site, "sign_out_everywhere")
    assert (entry.detail, entry.door) == ({"user": "fay", "ended": 1}, "console")


def test_the_audit_log_pages_back_and_filters(site, people):
    who = people["admin"]
    for n in range(admin.AUDIT_PAGE + 5):
        site.store.accounts.audit("someone", "view", None, None, {"n": n})
    first = admin.audit_log(site, who, actor="someone")
    assert len(first.entries) == admin.AUDIT_PAGE and first.entries[0].detail == {"n": admin.AUDIT_PAGE + 4}
    older = admin.audit_log(site, who, actor="someone", before_id=first.next_before_id)
    assert [e.detail["n"] for e in older.entries] == [4, 3, 2, 1, 0] and older.next_before_id is None


def test_machinery_in_the_embedded_mode_lists_jobs_by_state_and_who_runs_them(site, people):
    wav = _uploaded(site, SAMPLES / "calls" / "happy_upgrade.wav")
    [done] = analyze.submit(site, people["analyst"], [(wav, wav.name)], analyze.CallDetails())
    site.store.jobs.claim(done.job_id, "worker-7", 60)
    now = admin.machinery(site, people["admin"])
    assert now.mode == "embedded" and now.jobs == {"running": 1}
    assert [(j["id"], j["worker"]) for j in now.running] == [(done.job_id, "worker-7")]


def test_a_synthetic_model_in_use_is_flagged(site, people, trained_model_dir):
    synthetic = Site(site.config.with_overrides(models={"sensevoice_dir": str(trained_model_dir)}), site.store, None,
                     site.cache)
    models = admin.models_in_use(synthetic, people["admin"])
    assert models.synthetic and models.warning == SYNTHETIC_WARNING
    assert "synthetic" in models.sensevoice["model_id"]
    missing = admin.models_in_use(site, people["admin"])  # no model imported at all
    assert missing.sensevoice["model_id"] is None and not missing.synthetic


# -- what every page shares

def test_the_top_bar_escapes_the_signed_in_users_name():
    user = UserInfo(1, '<img src=x onerror="alert(1)">', Role.VIEWER, False, datetime.now(timezone.utc))
    html = render.whoami_html(user)
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_every_colour_the_console_draws_with_is_one_of_the_palettes():
    console = Path(render.__file__).parent
    css = (console / "static" / "console.css").read_text()
    assert not re.findall(r"#[0-9a-fA-F]{3,6}\b", css)
    assert set(re.findall(r"var\(--vx-([a-z-]+)\)", css)) <= set(render.PALETTE)
    assert all(f"--vx-{name}: {colour};" in render.css_variables() for name, colour in render.PALETTE.items())
    # The sign-in page is a document of its own, before the console and its stylesheet load.
    pages = [p for p in [*console.glob("*.py"), *console.glob("pages/*.py")] if p.name not in ("render.py", "signin.py")]
    assert pages and not [p.name for p in pages if re.search(r"#[0-9a-fA-F]{6}\b", p.read_text())]


# -- the sign-in pages and the mounted console, over HTTP

@pytest.fixture
def served(own_config):
    from voxsight.webui.app import create_app

    config = own_config
    store = Store(config.store_url)
    store.accounts.add_user("ann", "analyst", PASSWORD)
    # Served over HTTPS, as a site off loopback must be: the session cookie is Secure.
    with TestClient(create_app(config, store), base_url="https://voxsight.test") as client:
        yield SimpleNamespace(client=client, store=store)
    store.engine.dispose()


def test_the_front_door_sends_whoever_is_not_signed_in_to_the_sign_in_page(served):
    c = served.client
    for path in ("/", "/console/", "/console"):
        response = c.get(path, follow_redirects=False)
        assert response.status_code in (303, 307) and response.headers["location"].endswith(("/sign-in", "/console/"))
    assert c.get("/console/", follow_redirects=False).headers["location"] == "/sign-in"
    page = c.get("/sign-in")
    assert page.status_code == 200 and 'name="password"' in page.text and "http" not in page.text.split("<body>")[1]
    assert c.get("/console/config").status_code == 401  # Gradio's own routes need the session too


def test_signing_in_makes_the_apis_session_and_opens_the_console(served):
    c = served.client
    wrong = c.post("/sign-in", data={"name": "ann", "password": "nope"}, follow_redirects=False)
    assert wrong.status_code == 401 and "Wrong name or password" in wrong.text and SESSION_COOKIE not in wrong.cookies
    signed_in = c.post("/sign-in", data={"name": "ann", "password": PASSWORD}, follow_redirects=False)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/console/"
    cookie = signed_in.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
    assert c.get("/console/").status_code == 200
    assert c.get("/console/config").status_code == 200
    assert c.get("/api/v1/auth/me").json()["name"] == "ann"  # the same session serves the API and the player
    assert c.get("/", follow_redirects=False).headers["location"] == "/console/"
    actions = [e.action for e in served.store.accounts.audit_log(10, actor="ann").entries]
    assert actions[:2] == ["sign_in", "sign_in_failed"]


def test_signing_out_ends_the_session_everywhere(served):
    c = served.client
    c.post("/sign-in", data={"name": "ann", "password": PASSWORD})
    secret = c.cookies[SESSION_COOKIE]
    out = c.get("/sign-out", follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/sign-in?signed_out=true"
    assert served.store.accounts.user_for_token(secret) is None
    c.cookies.set(SESSION_COOKIE, secret)  # even a copy of the old cookie is refused
    assert c.get("/console/", follow_redirects=False).headers["location"] == "/sign-in"
    assert c.get("/api/v1/auth/me").status_code == 401
    assert "You are signed out" in c.get("/sign-in?signed_out=true").text


def test_sign_in_is_locked_out_after_repeated_failures(served):
    c = served.client
    for _ in range(SignInLimits().free_attempts):
        c.post("/sign-in", data={"name": "ann", "password": "guess"})
    refused = c.post("/sign-in", data={"name": "ann", "password": PASSWORD}, follow_redirects=False)
    assert refused.status_code == 429 and "too many failed sign-ins" in refused.text.lower()
    assert int(refused.headers["retry-after"]) > 0 and SESSION_COOKIE not in refused.cookies


def test_a_sign_in_form_posted_from_another_site_signs_nobody_in(served):
    refused = served.client.post("/sign-in", data={"name": "ann", "password": PASSWORD},
                                 headers={"Origin": "http://elsewhere.example"}, follow_redirects=False)
    assert refused.status_code == 403 and SESSION_COOKIE not in refused.cookies


def test_gradios_folder_is_the_sites_emptied_at_start_and_takes_uploads_within_the_size_limit(own_config):
    from voxsight.webui.app import create_app

    config = own_config.with_overrides(web={"max_upload_bytes": 10_000})
    left = files.folder(config) / "left-by-a-crash" / "call.wav"
    left.parent.mkdir(parents=True)
    left.write_bytes(b"RIFF")
    store = Store(config.store_url)
    store.accounts.add_user("ann", "analyst", PASSWORD)
    with TestClient(create_app(config, store), base_url="https://voxsight.test",
                    headers={"Origin": "https://voxsight.test"}) as c:
        assert not left.exists()
        c.post("/sign-in", data={"name": "ann", "password": PASSWORD})
        small = c.post("/console/gradio_api/upload", files={"files": ("small.wav", b"x" * 5_000)})
        assert small.status_code == 200, small.text
        [path] = small.json()
        assert Path(path).is_relative_to(files.folder(config)) and Path(path).read_bytes() == b"x" * 5_000
        big = c.post("/console/gradio_api/upload", files={"files": ("big.wav", b"x" * 20_000)})
        assert big.status_code == 413
        assert [p.name for p in files.folder(config).rglob("*") if p.is_file() and p.stat().st_size] == ["small.wav"]
    store.engine.dispose()


def test_an_admin_holds_a_customers_calls_and_erases_the_others_from_the_console(site, people):
    who = people["admin"]
    refund, other = _recording(site, "upgrade.wav"), _recording(site, "billing.wav")
    site.store.recordings.update_metadata(refund, {"customer": "C-9"})
    site.store.recordings.update_metadata(other, {"customer": "C-9"})
    for role in ("viewer", "analyst", "supervisor"):
        with pytest.raises(Forbidden):
            admin.erase(site, people[role], "customer", "C-9")
    hold = admin.place_hold(site, who, "recording", str(refund), "court order 7")
    preview = admin.erase(site, who, "customer", "C-9", dry_run=True)
    assert [e.recording_id for e in preview.erased] == [other] and [r.recording_id for r in preview.refused] == [refund]
    assert "Preview, nothing removed: 1 recording(s) would be erased" in render.erasure_html(preview, dry_run=True)
    assert site.store.recordings.get(other) is not None
    done = admin.erase(site, who, "customer", "C-9")
    assert [e.recording_id for e in done.erased] == [other] and [r.recording_id for r in done.refused] == [refund]
    shown = render.erasure_html(done)
    assert "1 recording(s) erased" in shown and "court order 7" in shown
    assert site.store.recordings.get(other) is None and site.store.recordings.get(refund) is not None
    assert [h.id for h in admin.holds(site, who)] == [hold.id]
    assert admin.release_hold(site, who, hold.id).released_by == who.user.name
    with pytest.raises(ValueError, match="KEY=VALUE"):
        admin.erase(site, who, "metadata KEY=VALUE", "customer")
    assert [e.action for e in _audited(site, "erase")] == ["erase"]
    assert [e.action for e in _audited(site, "erase_preview")] == ["erase_preview"]
