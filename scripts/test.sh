#!/usr/bin/env bash
# Install what the tests need and run them: placemap with its test extra, Debian's
# chromium for the browser tests (never a browser download), then lint, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    echo "scripts/test.sh: chromium is not installed; browser tests will be skipped" >&2
  fi
fi

python3 -m pip install -q -e '.[test]'
python3 -m ruff check src tests benchmarks
python3 -m mypy
python3 -m pytest "$@"
