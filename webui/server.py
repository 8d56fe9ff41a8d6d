"""``voxsight serve``: the API on uvicorn, and in the embedded mode a worker beside it.

With no Redis configured, jobs wait in SQL; so that an upload is analyzed with nothing else
running, ``serve`` starts ``voxsight worker`` as a child process (the web process itself never
loads a model), which the kernel asks to stop gracefully when the server's process ends.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys

import uvicorn

from voxsight.config import Config
from voxsight.webui.app import create_app

log = logging.getLogger(__name__)


def serve(config: Config, host: str | None = None, port: int | None = None, config_path: str | None = None) -> int:
    app = create_app(config)
    worker = None
    if app.state.site.queue is None and config.web.embedded_worker:
        command = [sys.executable, "-m", "voxsight", *(["--config", config_path] if config_path else []), "worker"]
        worker = subprocess.Popen(command, preexec_fn=_stop_with_parent)
        print(f"voxsight: embedded mode (no Redis): worker started beside the server (pid {worker.pid})",
              file=sys.stderr, flush=True)
    host, port = host or config.web.host, port or config.web.port
    print(f"voxsight: serving on http://{host}:{port}/ (API docs at /api/docs)", file=sys.stderr, flush=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
    return 0


def _stop_with_parent() -> None:
    """In the worker, before it runs: a SIGTERM (a graceful stop) when the server's process ends,
    however it ends (uvicorn re-raises the signal that stopped it, so no cleanup code runs then)."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
