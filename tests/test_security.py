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


# -- 2. security headers, the API's documents, Origin checks, safe defaults (findings 10, 12, 15)


# -- 3. the console: only what the browser uploaded, its own origin, no files left behind (findings 2, 11, 15)


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


# -- 6. re-uploads, the audit of every read and refusal, CSV cells, alert visibility (findings 5, 6, 7, 8)
