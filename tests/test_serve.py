"""`voxsight serve` in the embedded mode: SQLite, no Redis; an upload is analyzed with nothing else
running, because serve starts a worker beside itself and stops it when it stops."""

from __future__ import annotations

import os
import re

import httpx

from helpers import PASSWORD, SAMPLES, voxsight, wait_for


def test_the_embedded_site_analyzes_an_upload_with_nothing_else_running(served_site):
    site = served_site(embedded=True)
    added = voxsight(site.env, "users", "add", "ann", "--role", "analyst", input=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    try:
        with httpx.Client(base_url=site.url + "/api/v1", timeout=120, headers={"Origin": site.url}) as browser:
            assert browser.post("/auth/sign-in", json={"name": "ann", "password": PASSWORD}).status_code == 200
            call = SAMPLES / "calls" / "happy_upgrade.wav"
            job = browser.post("/recordings", files={"file": (call.name, call.read_bytes())},
                               data={"agent": "ann"}).json()
            done = wait_for(lambda: (j := browser.get(f"/jobs/{job['id']}").json())["status"] in ("done", "failed") and j,
                            180, "the embedded worker to analyze the upload")
            assert done["status"] == "done", done
            detail = browser.get(f"/recordings/{job['recording']['id']}")
            assert detail.headers["x-cache"] == "off"  # no Redis: pages are built every time
            assert "upgrade my plan" in " ".join(s["text"] for s in detail.json()["analysis"]["segments"]).lower()
            assert browser.get("/workers").json()["mode"] == "embedded"
    finally:
        site.stop()
    output = site.log.read_text()
    worker_pid = int(re.search(r"worker started beside the server \(pid (\d+)\)", output).group(1))
    wait_for(lambda: not os.path.exists(f"/proc/{worker_pid}"), 90, "the embedded worker to stop with the server")
