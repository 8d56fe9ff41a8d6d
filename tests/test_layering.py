"""The web tier, and what it stands on, loads no model: the errors, store, search, accounts, rules,
alerts, reports, job submission, the result cache, the API, the console (with Gradio) and the CLI
(whose model commands import the models when they run) import without torch, funasr or PyAV
(checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

LIGHT = ["voxsight.errors", "voxsight.store", "voxsight.store.search", "voxsight.store.accounts", "voxsight.rules",
         "voxsight.alerts", "voxsight.reports", "voxsight.notifications", "voxsight.jobs", "voxsight.queue",
         "voxsight.config", "voxsight.cli", "voxsight.cache", "voxsight.store.recordings", "voxsight.webui.app",
         "voxsight.webui.server", "voxsight.webui.console.app"]
HEAVY = ["torch", "funasr", "av", "faster_whisper", "ctranslate2"]


def _loaded_after_importing(modules: list[str], watched: list[str] = HEAVY) -> list[str]:
    probe = (f"import json, sys\nfor m in {modules!r}: __import__(m)\n"
             f"print(json.dumps([m for m in {watched!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_core_a_web_tier_needs_loads_no_model_library():
    assert _loaded_after_importing(LIGHT) == []


def test_importing_the_cli_loads_no_database_or_queue_library_either():
    # The audio decoder's forkserver preloads voxsight.cli (cli.main, audio.preload_in_decoder): what it
    # imports is in every decoding child, which runs under an address-space limit.
    assert _loaded_after_importing(["voxsight.cli"], ["sqlalchemy", "alembic", "redis", "argon2", *HEAVY]) == []


def test_the_probe_sees_a_model_library_when_one_is_imported():
    assert "torch" in _loaded_after_importing(["voxsight.analysis"])
