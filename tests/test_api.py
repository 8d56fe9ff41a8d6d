"""The REST API over HTTP: a real `voxsight serve` process, PostgreSQL, Redis and a real worker.

One site serves the whole module (starting a server and analyzing a call takes seconds); tests
that change who may sign in use names of their own.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from helpers import PASSWORD, ROLES, SAMPLES, voxsight, wait_done
from voxsight.store.accounts import Role

MAX_UPLOAD = 3 * 1024 * 1024


@pytest.fixture(scope="module")
def site(served_site):
    """A served site with a user and a token per role, and one analyzed call that raised alerts."""
    s = served_site(env={"VOXSIGHT_WEB_MAX_UPLOAD_BYTES": str(MAX_UPLOAD)})
    job = upload(s, "analyst", SAMPLES / "calls" / "billing_dispute.wav", agent="ann", queue="billing").json()
    s.job = wait_done(s, job["id"])
    s.recording_id = job["recording"]["id"]
    s.alert_ids = [a["id"] for a in get(s, "supervisor", "/alerts").json()["items"]]
    assert s.alert_ids, "the billing dispute threatens a complaint: the default rules raise an alert"
    return s


def auth(s, role: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {s.tokens[role]}"} if role else {}


def get(s, role, path, **kwargs) -> httpx.Response:
    return httpx.get(s.url + "/api/v1" + path, headers=auth(s, role), timeout=60, **kwargs)


def upload(s, role, path: Path, content: bytes | None = None, filename: str | None = None, **fields) -> httpx.Response:
    body = content if content is not None else path.read_bytes()
    return httpx.post(s.url + "/api/v1/recordings", headers=auth(s, role), timeout=120,
                      files={"file": (filename or path.name, body, "application/octet-stream")}, data=fields)


# -- every route, every role

# (method, path, least role that may call it, request keyword arguments). Path ids are filled from
# the site; a request that passes the role check may still be refused for what it asks (404, 409),
# which shows the check let it through.
ROUTES = [
    ("GET", "/auth/me", "viewer", {}),
    ("POST", "/auth/sign-out", "viewer", {}),
    ("GET", "/recordings", "viewer", {}),
    ("POST", "/recordings", "analyst", {"files": {"file": ("notes.txt", b"not audio at all", "text/plain")}}),
    ("GET", "/recordings/{recording_id}", "viewer", {}),
    ("PATCH", "/recordings/{recording_id}", "analyst", {"json": {"reference": None}}),  # removes none: no change
    ("GET", "/recordings/{recording_id}/audio", "viewer", {}),
    ("GET", "/recordings/{recording_id}/audio/original", "admin", {}),  # 404 here: originals are not kept
    ("GET", "/recordings/{recording_id}/export", "analyst", {}),
    ("GET", "/jobs", "viewer", {}),
    ("GET", "/jobs/{job_id}", "viewer", {}),
    ("GET", "/search", "analyst", {"params": {"q": "money"}}),
    ("GET", "/alerts", "supervisor", {}),
    ("GET", "/alerts/{alert_id}", "supervisor", {}),
    ("POST", "/alerts/{alert_id}/{action}", "supervisor", {"json": {"comment": "seen"}}),
    ("GET", "/reports", "analyst", {"params": {"start": "2000-01-01", "end": "2100-01-01"}}),
    ("GET", "/users", "admin", {}),
    ("POST", "/users", "admin", {"json": {"name": "role-table-{n}", "role": "viewer", "password": PASSWORD}}),
    ("POST", "/users/{name}/disable", "admin", {}),
    ("POST", "/users/{name}/password", "admin", {"json": {"password": PASSWORD}}),
    ("POST", "/users/{name}/sign-out", "admin", {}),
    ("GET", "/tokens", "admin", {}),
    ("POST", "/tokens", "admin", {"json": {"user": "viewer", "name": "role table"}}),
    ("DELETE", "/tokens/{token_id}", "admin", {}),
    ("GET", "/audit", "admin", {}),
    ("GET", "/rules", "supervisor", {}),
    ("GET", "/rules/text", "supervisor", {}),
    ("POST", "/rules/check", "admin", {"json": {"text": "rules: []"}}),
    ("PUT", "/rules", "admin", {"json": {"text": "{current_rules}"}}),
    ("GET", "/workers", "analyst", {}),
    ("GET", "/models", "viewer", {}),
    ("GET", "/holds", "admin", {}),
    ("POST", "/holds", "admin", {"json": {"scope": "recording", "value": "999999999", "reason": "role table"}}),
    ("POST", "/holds/{hold_id}/release", "admin", {}),
    ("POST", "/erasures", "admin", {"json": {"recording_id": 10**9}}),  # names no recording: erases nothing
    ("GET", "/voiceprints", "admin", {}),
    ("DELETE", "/voiceprints/{agent}", "admin", {}),  # nobody's: 404
]


def test_the_role_table_covers_every_route(site):
    spec = httpx.get(site.url + "/api/openapi.json", headers=auth(site, "viewer")).json()  # signed in
    served = {(method.upper(), path.removeprefix("/api/v1")) for path, ops in spec["paths"].items()
              for method in ops if path.startswith("/api/v1")}
    assert served == {(m, p) for m, p, _, _ in ROUTES} | {("POST", "/auth/sign-in")}  # anyone may try to sign in


@pytest.mark.parametrize("method,path,least,kwargs", ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
def test_each_role_can_do_exactly_what_it_should(site, method, path, least, kwargs):
    current_rules = site.rules_file.read_text()
    for n, role in enumerate([None, *ROLES]):
        values = {"recording_id": site.recording_id, "job_id": site.job["id"], "alert_id": site.alert_ids[0],
                  "action": "acknowledge", "name": f"nobody-{uuid.uuid4().hex[:6]}", "token_id": 10**9,
                  "hold_id": 10**9, "agent": f"nobody-{uuid.uuid4().hex[:6]}"}
        request = {k: (v if k != "json" else {jk: (jv.format(n=uuid.uuid4().hex[:8], current_rules=current_rules)
                                                   if isinstance(jv, str) else jv) for jk, jv in v.items()})
                   for k, v in kwargs.items()}
        if role and method == "POST" and path == "/auth/sign-out":  # its own session, not the shared token
            signed_in = httpx.post(site.url + "/api/v1/auth/sign-in", json={"name": role, "password": PASSWORD})
            headers = {"Cookie": f"voxsight_session={signed_in.cookies['voxsight_session']}",
                       "Origin": site.url}  # as a browser on the site's own page sends it
        else:
            headers = auth(site, role)
        response = httpx.request(method, site.url + "/api/v1" + path.format(**values), headers=headers,
                                 timeout=120, **request)
        if role is None:
            assert response.status_code == 401, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        elif Role(role).allows(Role(least)):
            assert response.status_code not in (401, 403) and response.status_code < 500, (role, path, response.text)
        else:
            assert response.status_code == 403, (role, path, response.text)
            assert least in response.json()["detail"]


def test_health_is_the_only_anonymous_route(site):
    health = httpx.get(site.url + "/api/health").json()
    assert health == {"status": "ok", "database": "ok", "redis": "ok"}
    assert httpx.get(site.url + "/api/v1/recordings").status_code == 401


def test_the_server_process_never_loads_a_model_or_pyav(site):
    """It decoded every upload (in a forkserver child) and served every page: its own memory map
    holds no torch, CTranslate2 or FFmpeg library."""
    maps = Path(f"/proc/{site.server.pid}/maps").read_text()
    assert "libtorch" not in maps and "ctranslate2" not in maps and "libavcodec" not in maps
    assert "libpython" in maps or "python" in maps  # the probe reads a real map


# -- sessions and tokens

def test_a_revoked_token_stops_working_at_once(site):
    secret, info = site.store.accounts.create_token("analyst", "crm")
    headers = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(site.url + "/api/v1/auth/me", headers=headers).json()["name"] == "analyst"
    assert httpx.delete(f"{site.url}/api/v1/tokens/{info.id}", headers=auth(site, "admin")).status_code == 204
    refused = httpx.get(site.url + "/api/v1/auth/me", headers=headers)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


def test_a_token_made_through_the_api_works_and_is_shown_once(site):
    made = httpx.post(site.url + "/api/v1/tokens", headers=auth(site, "admin"),
                      json={"user": "viewer", "name": "ticketing", "expires_in_days": 1}).json()
    assert made["token"].startswith("vxs_") and made["info"]["expires_at"]
    listed = httpx.get(site.url + "/api/v1/tokens", headers=auth(site, "admin")).json()
    assert all("token" not in t for t in listed) and made["info"]["id"] in [t["id"] for t in listed]
    assert httpx.get(site.url + "/api/v1/auth/me", headers={"Authorization": f"Bearer {made['token']}"}).json()["role"] == "viewer"


def test_a_session_signs_in_and_out_and_a_disabled_user_is_out_at_once(site):
    name = f"temp-{uuid.uuid4().hex[:6]}"
    site.store.accounts.add_user(name, "analyst", PASSWORD)
    with httpx.Client(base_url=site.url + "/api/v1", headers={"Origin": site.url}) as browser:
        signed_in = browser.post("/auth/sign-in", json={"name": name, "password": PASSWORD})
        assert signed_in.status_code == 200 and signed_in.json()["role"] == "analyst"
        cookie = signed_in.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert browser.get("/auth/me").json()["name"] == name
        assert browser.post("/auth/sign-out").status_code == 204
        assert browser.get("/auth/me").status_code == 401
    with httpx.Client(base_url=site.url + "/api/v1") as browser:
        browser.post("/auth/sign-in", json={"name": name, "password": PASSWORD})
        assert browser.get("/recordings").status_code == 200
        assert httpx.post(f"{site.url}/api/v1/users/{name}/disable", headers=auth(site, "admin")).status_code == 204
        assert browser.get("/recordings").status_code == 401


def test_failed_sign_ins_are_limited_and_audited(site):
    name = f"target-{uuid.uuid4().hex[:6]}"
    site.store.accounts.add_user(name, "viewer", PASSWORD)
    codes = [httpx.post(site.url + "/api/v1/auth/sign-in", json={"name": name, "password": "guess"}).status_code
             for _ in range(6)]
    assert codes[:4] == [401] * 4 and codes[-1] == 429
    # locked: even the right password is refused for now
    assert httpx.post(site.url + "/api/v1/auth/sign-in", json={"name": name, "password": PASSWORD}).status_code == 429
    actions = [e.action for e in site.store.accounts.audit_log(limit=20, actor=name).entries]
    assert actions.count("sign_in_failed") == 5 and "sign_in_refused" in actions
    assert all(e.source == "127.0.0.1" for e in site.store.accounts.audit_log(limit=20, actor=name).entries)


@pytest.mark.parametrize("peer,forwarded,client", [
    ("10.0.0.1", ["6.6.6.6, 1.2.3.4, 10.0.0.2"], "1.2.3.4"),  # the rightmost hop that is not our proxy
    ("10.0.0.1", ["6.6.6.6", "1.2.3.4"], "1.2.3.4"),  # the header given twice reads as one list
    ("8.8.8.8", ["1.2.3.4"], "8.8.8.8"),  # not from a trusted proxy: not believed
    ("10.0.0.1", [], "10.0.0.1"),
    ("10.0.0.1", ["10.0.0.3, 10.0.0.2"], "10.0.0.3"),  # proxies all the way: the first of them
    ("10.0.0.1", ["not-an-address, 10.0.0.2"], "10.0.0.2"),  # junk beyond our proxies: say the proxy
])
def test_the_client_address_believes_x_forwarded_for_only_from_trusted_proxies(peer, forwarded, client):
    from types import SimpleNamespace

    from starlette.requests import Request

    from voxsight.config import Config
    from voxsight.webui.deps import client_address

    site = SimpleNamespace(config=Config().with_overrides(web={"trusted_proxies": ["10.0.0.0/8"]}))
    request = Request({"type": "http", "client": (peer, 5000),
                       "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded]})
    assert client_address(site, request) == client


# -- uploads

def _stored_files(site) -> list[Path]:
    return sorted(p for p in site.storage.rglob("*") if p.is_file())


def _truncated_wav() -> bytes:
    data = (SAMPLES / "calls" / "happy_upgrade.wav").read_bytes()
    return data[: len(data) // 3]


@pytest.mark.parametrize("case,content,status,reason", [
    ("empty", b"", 422, "empty"),
    ("not audio", b"%PDF-1.7 an invoice, not a call\n" * 100, 415, "not a readable audio file"),
    ("oversized", b"RIFF" + bytes(MAX_UPLOAD + 10), 413, "limit"),
    ("truncated", None, 422, "truncated"),
])
def test_a_bad_upload_gets_its_status_and_reason_and_stores_nothing(site, case, content, status, reason):
    jobs_before, files_before = get(site, "viewer", "/jobs").json()["items"], _stored_files(site)
    recordings_before = get(site, "viewer", "/recordings").json()["total"]
    response = upload(site, "analyst", Path("call.wav"), content if content is not None else _truncated_wav())
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert reason in response.json()["detail"]
    assert get(site, "viewer", "/jobs").json()["items"] == jobs_before
    assert get(site, "viewer", "/recordings").json()["total"] == recordings_before
    assert _stored_files(site) == files_before


def test_bad_parameters_get_422_with_the_reason(site):
    response = get(site, "viewer", "/recordings", params={"sort": "loudest", "limit": 0})
    assert response.status_code == 422
    assert "sort" in response.json()["detail"] and "limit" in response.json()["detail"]
    bad_time = upload(site, "analyst", SAMPLES / "calls" / "billing_dispute.wav", call_time="yesterday-ish")
    assert bad_time.status_code == 422 and "call_time" in bad_time.json()["detail"]


# -- reading calls

def test_a_recording_has_its_analysis_features_alerts_and_call_metadata(site):
    detail = get(site, "viewer", f"/recordings/{site.recording_id}").json()
    assert detail["recording"]["call_metadata"] == {"agent": "ann", "queue": "billing"}
    assert detail["recording"]["synthetic"] is True  # the tests' tiny model has random-ish weights
    texts = " ".join(s["text"] for s in detail["analysis"]["segments"])
    assert "money back" in texts.lower()
    assert detail["features"]["duration_s"] == pytest.approx(20.32, abs=0.1)
    assert {a["rule_id"] for a in detail["alerts"]} >= {"complaint_threat"}
    assert detail["audio_stored"] is True
    assert get(site, "viewer", "/recordings/999999").status_code == 404


def test_recordings_filter_by_metadata_emotion_and_alert_state(site):
    def ids(**params):
        return [r["id"] for r in get(site, "viewer", "/recordings", params=params).json()["items"]]
    assert site.recording_id in ids(agent="ann")
    assert site.recording_id not in ids(agent="bob")
    emotions = {s["emotion"] for s in get(site, "viewer", f"/recordings/{site.recording_id}").json()["analysis"]["segments"]}
    assert site.recording_id in ids(emotion=sorted(e for e in emotions if e)[0])
    assert site.recording_id not in ids(alert_state="none")
    page = get(site, "viewer", "/recordings", params={"limit": 1}).json()
    assert len(page["items"]) == 1 and page["total"] >= 1


def test_audio_is_served_with_range_requests(site):
    played = site.played((SAMPLES / "calls" / "billing_dispute.wav").read_bytes())  # its redacted copy
    path = f"/recordings/{site.recording_id}/audio"
    whole = get(site, "viewer", path)
    assert whole.status_code == 200 and whole.content == played
    part = httpx.get(site.url + "/api/v1" + path, headers={**auth(site, "viewer"), "Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == played[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(played)}"


def test_export_as_csv_and_the_audit_log_records_who_did_what_to_which_call(site):
    csv_text = get(site, "analyst", f"/recordings/{site.recording_id}/export", params={"format": "csv"}).text
    assert csv_text.splitlines()[0].startswith("start_s,end_s,role") and "money back" in csv_text.lower()
    get(site, "viewer", f"/recordings/{site.recording_id}")
    get(site, "analyst", "/search", params={"q": "money back"})
    entries = get(site, "admin", "/audit", params={"limit": 10_000}).json()["entries"]  # every read is in it
    seen = {(e["actor"], e["action"], e["recording_id"]) for e in entries}
    assert {("analyst", "upload", site.recording_id), ("viewer", "view", site.recording_id),
            ("analyst", "export", site.recording_id), ("viewer", "download", site.recording_id)} <= seen
    assert any(e["action"] == "search" and e["detail"]["query"] == "money back" for e in entries)
    assert all(e["source"] == "127.0.0.1" for e in entries if e["actor"] in ROLES)
    exported = get(site, "admin", "/audit", params={"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv") and "upload" in exported.text


def test_search_highlights_the_words_it_matched(site):
    hits = get(site, "analyst", "/search", params={"q": "money back"}).json()["hits"]
    assert hits and all(h["recording_id"] == site.recording_id for h in hits)
    hit = hits[0]
    start, end = hit["highlights"][0]
    assert hit["text"][start:end].lower() == "money back"


# -- the result cache

def test_a_cached_page_is_never_served_after_a_change_made_by_another_process(site):
    path = f"/recordings/{site.recording_id}"
    get(site, "viewer", path)
    cached = get(site, "viewer", path)
    assert cached.headers["x-cache"] == "hit"
    alert = next(a for a in cached.json()["alerts"] if a["status"] != "resolved")
    step, after = ("acknowledge", "acknowledged") if alert["status"] == "open" else ("resolve", "resolved")
    # the step is taken from the command line: no API process is told of it
    done = voxsight(site.env, "alerts", step, str(alert["id"]), "--by", "cli-user", "--comment", "from the CLI")
    assert done.returncode == 0, done.stderr
    fresh = get(site, "viewer", path)
    assert fresh.headers["x-cache"] == "miss"
    assert {a["id"]: a["status"] for a in fresh.json()["alerts"]}[alert["id"]] == after


def test_search_pages_see_a_new_analysis_at_once(site):
    query = {"q": "upgrade my plan"}
    assert get(site, "analyst", "/search", params=query).json()["hits"] == []
    assert get(site, "analyst", "/search", params=query).headers["x-cache"] == "hit"
    job = upload(site, "analyst", SAMPLES / "calls" / "happy_upgrade.wav").json()
    wait_done(site, job["id"])
    hits = get(site, "analyst", "/search", params=query).json()["hits"]
    assert [h["recording_id"] for h in hits] == [job["recording"]["id"]]


def test_the_same_upload_again_returns_the_stored_analysis_at_once(site):
    response = upload(site, "analyst", SAMPLES / "calls" / "billing_dispute.wav", filename="again.wav")
    job = response.json()
    assert response.status_code == 200 and job["status"] == "done" and job["analysis_id"] == site.job["analysis_id"]
    assert job["recording"]["id"] == site.recording_id
    assert "again.wav" in site.store.analysis(site.job["analysis_id"]).recording.names


# -- alerts

def test_acknowledge_then_resolve_with_comments_and_an_impossible_step_is_409(site):
    alert_id = site.alert_ids[-1]
    as_supervisor = auth(site, "supervisor")
    url = f"{site.url}/api/v1/alerts/{alert_id}"
    state = httpx.get(url, headers=as_supervisor).json()["status"]
    if state == "open":
        acked = httpx.post(url + "/acknowledge", headers=as_supervisor, json={"comment": "calling back"})
        assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
    resolved = httpx.post(url + "/resolve", headers=as_supervisor, json={"comment": "refunded"})
    assert resolved.status_code == 200 and resolved.json()["history"][-1]["comment"] == "refunded"
    again = httpx.post(url + "/resolve", headers=as_supervisor, json={})
    assert again.status_code == 409 and "resolved" in again.json()["detail"]
    audited = get(site, "admin", "/audit", params={"action": "alert_resolve"}).json()["entries"]
    assert audited[0]["recording_id"] == site.recording_id and audited[0]["detail"]["alert_id"] == alert_id


def test_a_broken_rules_file_is_refused_and_the_rules_in_force_stay(site):
    before = site.rules_file.read_text()
    refused = httpx.put(site.url + "/api/v1/rules", headers=auth(site, "admin"),
                        json={"text": "rules:\n  - id: x\n    when: {nonsense: 1}\n"})
    assert refused.status_code == 422 and "rules.yaml:2: missing severity" in refused.json()["detail"]
    assert site.rules_file.read_text() == before
    assert get(site, "supervisor", "/rules").json()["ok"] is True


# -- the OpenAPI document (fuzzed last: it creates users, tries sign-ins and replaces rules at random)

def test_every_error_the_api_documents_is_sent_as_problem_details(site):
    """Integrators generate clients from the document: an error it describes is described as what
    the server sends (``application/problem+json``), and every route says it may refuse a caller."""
    spec = httpx.get(site.url + "/api/openapi.json", headers=auth(site, "viewer")).json()  # signed in
    errors = {(path, method, status): set(response.get("content", {}))
              for path, ops in spec["paths"].items() if path.startswith("/api/v1")
              for method, op in ops.items() for status, response in op["responses"].items() if int(status) >= 400}
    assert errors and all(types == {"application/problem+json"} for types in errors.values()), errors
    operations = {(path, method) for path, method, _ in errors}
    assert {(p, m) for p, m, status in errors if status == "401"} == operations
    assert "HTTPValidationError" not in spec["components"]["schemas"]  # FastAPI's application/json 422


def test_schemathesis_with_every_check_finds_nothing(site, tmp_path):
    """What integrators would run: ``st run .../openapi.json --checks all`` as an admin, every phase
    (coverage, fuzzing, stateful). No server error, every answer as documented (status, media type,
    body, headers), every schema-valid request accepted and every invalid one refused, except
    where ``schemathesis.toml`` says why not. Revoking tokens, and disabling users or resetting
    their passwords (which ends their tokens), at random would end the fuzzer's own session early:
    they are in the role table above."""
    config = Path(__file__).parent.parent / "schemathesis.toml"
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
               site.url + "/api/openapi.json", "--checks", "all",
               "-H", f"Authorization: Bearer {site.tokens['admin']}", "--max-examples", "5", "--workers", "1",
               "--generation-deterministic", "--exclude-method", "DELETE", "--exclude-path-regex", "/(disable|password)$",
               "--no-color", "--report", "junit", "--report-junit-path", str(tmp_path / "junit.xml")]
    # In its own directory: schemathesis keeps a cache of what it found where it runs.
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "schemathesis.toml" in run.stdout  # the repository's configuration was read
    report = (tmp_path / "junit.xml").read_text()
    assert report.count("<testcase ") >= 25 and "<failure" not in report and "<error" not in report
