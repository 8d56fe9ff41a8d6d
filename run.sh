#!/usr/bin/env bash
# Set up (first run only) and analyze the sample calls, or the files and folders given.
# With no real model imported, builds a synthetic one first and says so, loudly.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install
exec .venv/bin/voxsight demo "$@"
