#!/usr/bin/env bash
# Install Townhall with its development tools into .venv, then run every check:
# ruff, mypy (with django-stubs) and the pytest suite: unit, service, page and browser tests.
# Arguments go to pytest, e.g. ./test.sh tests/core -x
# The database is SQLite unless DATABASE_URL says otherwise (REDIS_URL adds Redis as cache and queue).
set -euo pipefail
cd "$(dirname "$0")"

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "test.sh: Townhall needs Python 3.11 or newer ($python is older); set PYTHON=python3.11" >&2; exit 1; }
  echo "== creating .venv"
  "$python" -m venv .venv
fi
# Install (again) only when pyproject.toml changed since the last install.
stamp=.venv/.townhall-installed
wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "== installing townhall[dev] into .venv"
  .venv/bin/python -m pip install -qq --upgrade pip
  .venv/bin/python -m pip install -qq -e ".[dev]"
  echo "$wanted" > "$stamp"
fi

# The browser tests drive Debian's Chromium: Playwright never downloads a browser of its own.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing Debian's chromium for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "test.sh: /usr/bin/chromium is missing (sudo apt-get install chromium): browser tests are skipped" >&2
  fi
fi

# Lint and types first; their failures are reported here, and the run still ends with pytest's summary.
failed=()
echo "== ruff check"
.venv/bin/ruff check townhall tests || failed+=("ruff")
echo "== mypy townhall"
.venv/bin/mypy townhall || failed+=("mypy")
if [ ${#failed[@]} -gt 0 ]; then
  echo "test.sh: FAILED: ${failed[*]} (see above); running the tests anyway" >&2
fi

if [ -n "${DATABASE_URL:-}" ]; then database="DATABASE_URL"; else database="SQLite"; fi
echo "== pytest on $database${REDIS_URL:+ with Redis}"
status=0
.venv/bin/pytest "$@" || status=$?
if [ $status -eq 0 ] && [ ${#failed[@]} -gt 0 ]; then
  status=1
fi
exit $status
