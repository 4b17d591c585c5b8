#!/usr/bin/env bash
# `npm test`: every test. Typecheck, lint, unit and integration tests on
# PGlite and PostgreSQL, one `next build`, then the e2e suite in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
start=$SECONDS
step() { printf '\n\033[1m== %s\033[0m (%ss)\n' "$1" "$((SECONDS - start))"; }

step "chromium";           bash scripts/ensure-chromium.sh
# The ClickHouse variant of the usage contract tests needs the embedded engine (on demand, ~550 MB, ~10 s once).
step "chdb";               bash scripts/ensure-chdb.sh
export CHDB_REQUIRED=1
step "typecheck";          npx tsc --noEmit
step "format";             npx prettier --check . > /dev/null || { npx prettier --list-different .; echo "not formatted: run npm run format"; exit 1; }
step "lint";               npx eslint --max-warnings=0 .
step "unit + integration (PGlite and PostgreSQL at ${TEST_DATABASE_URL:-postgres://127.0.0.1:5432/test})"
npx vitest run
step "build";              npx next build
step "e2e";                npx playwright test
step "all tests passed in $((SECONDS - start))s"
