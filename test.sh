#!/usr/bin/env bash
# Set up (first run only) and run the test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install
# Two processes: most tests wait on servers, workers and databases, so two share two cores well.
# Each module runs whole in one of them (its served site starts once). `-n 0` runs in this one.
exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"
