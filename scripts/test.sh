#!/usr/bin/env bash
# Set up and run the whole test suite: tests/ and the doctests of every module of kg and server
# (testpaths and --doctest-modules in pyproject.toml). A run that collects no tests has failed:
# pytest's exit code 5 is kept. KG_SKIP_SETUP=1 skips the set-up (a .venv that is already there).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${KG_SKIP_SETUP:-0}" = 1 ] || bash scripts/setup.sh
status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure" >&2
fi
exit "$status"
