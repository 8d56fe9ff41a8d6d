"""`voxsight serve` in the embedded mode: SQLite, no Redis; an upload is analyzed with nothing else
running, because serve starts a worker beside itself and stops it when it stops."""

from __future__ import annotations

import os
import re

import httpx

from conftest import SAMPLES, voxsight, wait_for
from test_api import PASSWORD, start_server, stop


def test_the_embedded_site_analyzes_an_upload_with_nothing_else_running(trained_model_dir, tmp_path):
    env = {"VOXSIGHT_MODELS_SENSEVOICE_DIR": str(trained_model_dir), "VOXSIGHT_DATA_DIR": str(tmp_path / "data"),
           "VOXSIGHT_ENGINE_WORDS": "sensevoice", "VOXSIGHT_STORE_URL": "", "VOXSIGHT_QUEUE_REDIS_URL": "",
           "VOXSIGHT_QUEUE_POLL_S": "0.2"}
    added = voxsight(env, "users", "add", "ann", "--role", "analyst", input=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    server, url = start_server(env)
    try:
        with httpx.Client(base_url=url + "/api/v1", timeout=120) as browser:
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
        stop(server)
    output = server.log.read_text()
    worker_pid = int(re.search(r"worker started beside the server \(pid (\d+)\)", output).group(1))
    wait_for(lambda: not os.path.exists(f"/proc/{worker_pid}"), 90, "the embedded worker to stop with the server")
