"""The web tier as a bank's penetration tester tries it (issue 16): each finding reproduced over HTTP
against a real ``voxsight serve`` with PostgreSQL, Redis and a worker, and shown not to work.

One site serves the module; a test that needs settings of its own starts its own with
``served_site(env=...)``. Tests that sign in or lock accounts use names of their own.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from helpers import PASSWORD, SAMPLES, wait_done  # noqa: F401  (the sections below use them)

CALL = SAMPLES / "calls" / "billing_dispute.wav"


@pytest.fixture(scope="module")
def site(served_site):
    """A served site with a user and a token per role, and one analyzed call that raised alerts."""
    s = served_site()
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
    return get(s, "admin", "/audit", params={"limit": 200, **query}).json()["items"]


# -- 1. files served: the type we probed, nosniff, a sandboxing CSP, names we chose (findings 1, 6's file name)
import shutil  # noqa: E402  (this section's own)
import time  # noqa: E402


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
    return job.json()["recording"]["id"]


def test_a_wav_named_poc_html_is_served_as_audio_never_as_a_page(site, poc):
    audio = get(site, "viewer", f"/recordings/{poc}/audio")
    assert audio.status_code == 200 and audio.content == poc_wav(SCRIPT)
    assert audio.headers["content-type"] == "audio/wav"  # what its bytes are, not what its name says
    assert audio.headers["content-disposition"] == f'inline; filename="recording-{poc}.wav"'
    assert_served_as_a_file(audio)
    ranged = get(site, "viewer", f"/recordings/{poc}/audio", headers={"Range": "bytes=10-99"})
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
        audio = get(site, "viewer", f"/recordings/{poc}/audio")
        assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
        assert "html" not in audio.headers["content-disposition"]
        assert_served_as_a_file(audio)
    finally:
        with site.store.engine.begin() as db:
            db.execute(text("UPDATE jobs SET audio_path = :old WHERE audio_path = :new"),
                       {"new": str(old), "old": str(stored)})
        old.rename(stored)


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
    browser_sign_in(browser, site, "supervisor")
    browser.get(f"{site.url}/api/v1/recordings/{poc}/audio")  # the supervisor opens the link
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


# -- 4. alert message templates (finding 3)


# -- 5. sign-in limits, proxies, sessions and tokens (findings 4, 9, 13, 15)


# -- 6. re-uploads, the audit of every read and refusal, CSV cells, alert visibility (findings 5, 6, 7, 8)
