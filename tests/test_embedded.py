"""The embedded site (what `./run.sh` starts): from an empty data directory to a console with the
sample calls analyzed and an admin who can sign in with the password printed once; run again, it
submits nothing twice and makes no second admin."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from helpers import SAMPLES, free_port, own_data, wait_for
from voxsight.store import Store
from voxsight.webui import embedded

RUN = ("from pathlib import Path; from voxsight import config; from voxsight.webui import embedded; "
       "raise SystemExit(embedded.run(config.load(), port={port}, samples=Path({samples!r})))")


def test_the_embedded_site_starts_with_the_samples_analyzed_and_an_admin(trained_model_dir, own_config, tmp_path):
    env = {**own_data(tmp_path / "data"), "VOXSIGHT_MODELS_SENSEVOICE_DIR": str(trained_model_dir),
           "VOXSIGHT_ENGINE_WORDS": "sensevoice", "VOXSIGHT_STORE_URL": "", "VOXSIGHT_QUEUE_REDIS_URL": "",
           "VOXSIGHT_QUEUE_POLL_S": "0.2", "VOXSIGHT_AUDIO_CHANNELS": "split"}
    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    site = subprocess.Popen([sys.executable, "-c", RUN.format(port=port, samples=str(SAMPLES / "calls"))],
                            env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, text=True)
    output = Path(log.name)
    try:
        ready = wait_for(lambda: site.poll() is None and re.search(r"Voxsight is ready: open (\S+)", output.read_text()),
                         240, f"the site to say it is ready:\n{output.read_text()}")
        url = ready.group(1).rstrip("/")
        text = output.read_text()
        assert url == f"http://127.0.0.1:{port}" and "sample calls analyzed: 3 of 3" in text
        password = re.search(r"Sign in as admin, password (\S+)", text).group(1)
        assert text.count(password) == 1  # printed once

        with httpx.Client(base_url=url, timeout=60) as browser:
            signed_in = browser.post("/sign-in", data={"name": "admin", "password": password}, follow_redirects=False)
            assert signed_in.status_code == 303 and signed_in.headers["location"] == "/console/"
            assert browser.get("/console/").status_code == 200
            calls = browser.get("/api/v1/recordings", params={"sort": "name"}).json()["items"]
            assert [(c["filename"], c["call_metadata"].get("queue"), c["analysis_id"] is not None) for c in calls] == [
                ("billing_dispute.wav", "billing", True), ("happy_upgrade.wav", "sales", True),
                ("lost_card.wav", "cards", True)]
            detail = browser.get(f"/api/v1/recordings/{calls[0]['id']}").json()
            assert detail["audio_stored"]  # submitted like an upload: the console's player can play it
            assert {s["role"] for s in detail["analysis"]["segments"]} == {"agent", "customer"}  # split channels
            assert browser.get(f"/api/v1/recordings/{calls[0]['id']}/audio").status_code == 200
    finally:
        site.send_signal(signal.SIGTERM)
        site.wait(timeout=90)
    assert site.returncode == 0
    worker_pid = int(re.search(r"worker started beside the server \(pid (\d+)\)", output.read_text()).group(1))
    assert not os.path.exists(f"/proc/{worker_pid}") or "zombie" in open(f"/proc/{worker_pid}/status").read().lower()

    # Run again: the samples are analyzed already and the site has its admin.
    config = own_config.with_overrides(models={"sensevoice_dir": str(trained_model_dir)}, engine={"words": "sensevoice"},
                                       audio={"channels": "split"})
    store = Store(config.store_url)
    said = []
    again = embedded.prepare(config, store, SAMPLES / "calls", said.append)
    assert again == embedded.Prepared((), None) and said == []
    assert [u.name for u in store.accounts.users()] == ["admin"] and len(store.jobs.list()) == 3
    store.engine.dispose()
