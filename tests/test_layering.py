"""The web tier, and what it stands on, loads no model: the store, search, accounts, rules, alerts,
reports, job submission, the API and the console (with Gradio) import without torch, funasr or PyAV
(checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

LIGHT = ["voxsight.store", "voxsight.search", "voxsight.store.accounts", "voxsight.rules", "voxsight.alerts",
         "voxsight.reports", "voxsight.notifications", "voxsight.jobs", "voxsight.queue", "voxsight.config",
         "voxsight.cache", "voxsight.store.recordings", "voxsight.webui.app", "voxsight.webui.server",
         "voxsight.webui.console.blocks"]
HEAVY = ["torch", "funasr", "av", "faster_whisper", "ctranslate2"]


def _loaded_after_importing(modules: list[str]) -> list[str]:
    probe = (f"import json, sys\nfor m in {modules!r}: __import__(m)\n"
             f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_core_a_web_tier_needs_loads_no_model_library():
    assert _loaded_after_importing(LIGHT) == []


def test_the_probe_sees_a_model_library_when_one_is_imported():
    assert "torch" in _loaded_after_importing(["voxsight.analysis"])
