#!/usr/bin/env bash
# Set up (first run only), then:
#   ./run.sh            start the embedded site: the sample calls analyzed, an admin account (its
#                       password printed once), the console and the API at the address it prints
#   ./run.sh PATH...    analyze these files and folders on the command line
# With no real model imported, builds a synthetic one first and says so, loudly.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install
if [ "$#" -eq 0 ]; then
  exec .venv/bin/voxsight site
fi
exec .venv/bin/voxsight demo "$@"
