"""What the tests share besides fixtures: where things are, a data directory of a test's own, running
the ``voxsight`` command, a worker and a server, and waiting. Fixtures are in conftest.py; tests
import these by name (``from helpers import SAMPLES, voxsight``).

Nothing here may reach the checkout's ``data/`` (what ``./run.sh`` fills): the configuration's
defaults put the data and the models under ``data/`` of the current directory, so every process a
test starts is given directories of that test's own (``own_data``).
"""

from __future__ import annotations

import hashlib
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from voxsight.store import Store
from voxsight.store.accounts import Role

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED_AUDIO = ROOT.parent / "shared" / "data" / "audio"
PASSWORD = "correct horse battery staple"
ROLES = [r.value for r in Role]


def own_data(data_dir: Path) -> dict[str, str]:
    """Environment overrides that keep a site's data and its models in ``data_dir``, wherever the
    process runs (the defaults, and configs/voxsight.yaml, name paths under ``./data``)."""
    return {"VOXSIGHT_DATA_DIR": str(data_dir),
            "VOXSIGHT_MODELS_SENSEVOICE_DIR": str(data_dir / "models" / "sensevoice-small"),
            "VOXSIGHT_MODELS_WHISPER_DIR": str(data_dir / "models" / "whisper-base")}


def voxsight(env, *args, timeout=300, input=None):
    """Run the ``voxsight`` command in a fresh process with these environment overrides."""
    return subprocess.run([sys.executable, "-m", "voxsight", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=timeout, input=input)


def start_worker(env, *args):
    return subprocess.Popen([sys.executable, "-m", "voxsight", "worker", *args], env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """``voxsight serve`` on a free port, once it answers; its output goes to ``log``."""
    port = free_port()
    # A file, not a pipe: a pipe nobody reads fills up and stops the server mid-request.
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "voxsight", "serve", "--port", str(port)],
                                   env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"

    def up():
        assert process.poll() is None, log.read_text()
        try:
            return httpx.get(url + "/api/health", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    wait_for(up, 60, "the server to answer")
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()


@dataclass
class ServedSite:
    """A running ``voxsight serve`` (what the ``served_site`` fixture makes): its address, the
    environment its processes run with, its store, and a token per role (users named by role, with
    ``PASSWORD``)."""

    url: str
    env: dict[str, str]
    store: Store
    tokens: dict[str, str]
    data_dir: Path
    rules_file: Path
    server: subprocess.Popen
    log: Path
    worker: subprocess.Popen | None = None
    _stopped: bool = field(default=False, repr=False)

    @property
    def admin_token(self) -> str:
        return self.tokens["admin"]

    @property
    def storage(self) -> Path:
        return self.data_dir / "audio"

    def played(self, sent: bytes) -> bytes:
        """What the site plays of a recording sent as ``sent``: its redacted copy in the storage."""
        sha256 = hashlib.sha256(sent).hexdigest()
        return (self.storage / sha256[:2] / sha256 / "redacted.flac").read_bytes()

    def stop(self) -> None:
        """Stop the worker and the server (the fixture does it at teardown when a test has not)."""
        if self._stopped:
            return
        self._stopped = True
        if self.worker is not None:
            stop(self.worker)
        stop(self.server)
        self.store.engine.dispose()


def wait_done(site: ServedSite, job_id: int) -> dict:
    """A job of a served site, once finished; it must have succeeded."""
    viewer = {"Authorization": f"Bearer {site.tokens['viewer']}"}

    def done():
        job = httpx.get(f"{site.url}/api/v1/jobs/{job_id}", headers=viewer, timeout=60).json()
        return job if job["status"] in ("done", "failed", "dead") else None
    job = wait_for(done, 180, f"job {job_id}")
    assert job["status"] == "done", job
    return job


def wait_for(condition, timeout_s=120.0, what="condition"):
    deadline = time.monotonic() + timeout_s
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return value


def assert_covers(start_s: float, end_s: float, turn: dict) -> None:
    """A VAD segment holds its whole turn, with no more than the VAD's margins of silence around it."""
    assert turn["start_s"] - 0.4 <= start_s <= turn["start_s"] + 0.05, (start_s, turn)
    assert turn["end_s"] - 0.05 <= end_s <= turn["end_s"] + 0.8, (end_s, turn)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def every_text_in_sql(store: Store) -> str:
    """Every value of every row of every table, as one string: what a scan for personal data reads."""
    from sqlalchemy import inspect, text

    chunks = []
    with store.engine.connect() as c:
        for table in inspect(c).get_table_names():
            if table.startswith("segment_search_"):  # FTS5's own shadow tables: read through segment_search
                continue
            for row in c.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608 (names from the schema)
                chunks += [str(v) for v in row]
    return "\n".join(chunks)


class Receiver:
    """A real HTTP server on a fixed port that records what it is sent; ``fail_next`` answers 500."""

    def __init__(self, port: int):
        self.port, self.requests, self.fail_next = port, [], 0
        self._server = None

    def start(self) -> None:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = 500 if receiver.fail_next > 0 else 204
                receiver.fail_next -= 1
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
