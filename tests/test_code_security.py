"""The product code (the core, the web tier, the migrations) passes bandit, Python's security
linter, with no finding left: each one accepted is justified on its line (``# nosec BXXX # why``).
A test rather than a step of ``.ci/run``, so that the README's test command stays the one gate and
a developer runs the same check as CI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("platform", "webui", "migrations")  # what ships; the tests are not scanned


def _bandit(*targets: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bandit", "-r", *targets, "-f", "json", "-q"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.stdout, f"bandit did not run (it is in the test extra): {done.stderr}"
    return json.loads(done.stdout)


def test_the_product_code_has_no_bandit_finding():
    report = _bandit(*SCANNED)
    found = [f"{r['filename']}:{r['line_number']}: {r['test_id']} {r['issue_text']}" for r in report["results"]]
    assert found == [], "\n".join(found)
    assert report["errors"] == []  # every file was read
    assert report["metrics"]["_totals"]["loc"] > 5000


def test_bandit_reports_what_it_is_for(tmp_path):
    (tmp_path / "shell.py").write_text("import subprocess\nsubprocess.call(input(), shell=True)\n")
    assert "B602" in {r["test_id"] for r in _bandit(str(tmp_path))["results"]}
