"""``voxsight serve``: the API on uvicorn, and in the embedded mode a worker beside it.

With no Redis configured, jobs wait in SQL; so that an upload is analyzed with nothing else
running, ``serve`` starts ``voxsight worker`` as a child process (the web process itself never
loads a model). On SIGTERM or Ctrl-C the server stops, then asks the worker to stop gracefully and
waits for it (it finishes the jobs in hand); should the server's process end any other way, the
kernel sends the worker that SIGTERM itself.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess  # nosec B404 # starts our own worker, never a shell
import sys
from typing import Mapping

import uvicorn

from voxsight.config import Config
from voxsight.webui.app import create_app

log = logging.getLogger(__name__)


def serve(config: Config, host: str | None = None, port: int | None = None, config_path: str | None = None,
          worker_environ: Mapping[str, str] | None = None) -> int:
    """Serve the API and the console until SIGTERM or Ctrl-C. ``worker_environ``: configuration
    overrides (``VOXSIGHT_*``) for the embedded worker, which reads its configuration itself."""
    app = create_app(config)
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again for the handler it found:
    # the default one would end this process there, before the worker beside it is stopped.
    signal.signal(signal.SIGTERM, _exit)
    worker = None
    try:
        if app.state.site.queue is None and config.web.embedded_worker:
            command = [sys.executable, "-m", "voxsight", *(["--config", config_path] if config_path else []), "worker"]
            worker = subprocess.Popen(command, env={**os.environ, **(worker_environ or {})},  # nosec B603 # our argv, no shell
                                      preexec_fn=_stop_with_parent)
            print(f"voxsight: embedded mode (no Redis): worker started beside the server (pid {worker.pid})",
                  file=sys.stderr, flush=True)
        host, port = host or config.web.host, port or config.web.port
        print(f"voxsight: serving on http://{host}:{port}/ (console at /, API docs at /api/docs)", file=sys.stderr,
              flush=True)
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # stopping already: see the worker out first
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
    return 0


def _stop_with_parent() -> None:
    """In the worker, before it runs: a SIGTERM (a graceful stop) when the server's process ends,
    however it ends (SIGKILL included, when no cleanup code runs)."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _exit(_signum, _frame) -> None:
    raise SystemExit(0)
