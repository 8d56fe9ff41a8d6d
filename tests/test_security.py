"""The web tier as a bank's penetration tester tries it (issue 16): each finding reproduced over HTTP
against a real ``voxsight serve`` with PostgreSQL, Redis and a worker, and shown not to work.

One site serves the module; a test that needs settings of its own starts its own with
``served_site(env=...)``. Tests that sign in or lock accounts use names of their own.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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


# -- 2. security headers, the API's documents, Origin checks, safe defaults (findings 10, 12, 15)


# -- 3. the console: only what the browser uploaded, its own origin, no files left behind (findings 2, 11, 15)

@contextmanager
def console(s, role: str | None) -> Iterator[httpx.Client]:
    """A browser's session on the console (anonymous when ``role`` is None)."""
    with httpx.Client(base_url=s.url, timeout=120) as client:
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


# -- 5. sign-in limits, proxies, sessions and tokens (findings 4, 9, 13, 15)


# -- 6. re-uploads, the audit of every read and refusal, CSV cells, alert visibility (findings 5, 6, 7, 8)
