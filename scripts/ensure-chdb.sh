#!/usr/bin/env bash
# The embedded ClickHouse engine (npm package chdb, about 550 MB with its
# prebuilt libchdb) for USAGE_STORE=clickhouse without CLICKHOUSE_URL and for
# the ClickHouse contract tests. Not a dependency of the app, so `npm install`
# stays lean: installed on demand into .chdb/ beside node_modules, with the
# npm client like any package, and loaded from there (lib/usage/clickhouse/client.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
CHDB_VERSION="3.4.0"
DIR=".chdb"
if [ -f "$DIR/node_modules/chdb/package.json" ] && grep -q "\"version\": \"$CHDB_VERSION\"" "$DIR/node_modules/chdb/package.json" \
  && ls "$DIR"/node_modules/@chdb/lib-*/ >/dev/null 2>&1; then
  exit 0
fi
echo "Installing the embedded ClickHouse engine (chdb $CHDB_VERSION, about 550 MB) into $DIR/ ..."
mkdir -p "$DIR"
# A package of its own, so the app's package.json and lockfile never list it and `npm install` never prunes it.
printf '{ "name": "zdr-console-chdb", "private": true, "description": "On-demand install of the embedded ClickHouse engine (scripts/ensure-chdb.sh)" }\n' > "$DIR/package.json"
start=$SECONDS
# --no-package-lock: the engine is pinned by version here; --omit=peer: chdb's optional peers (AI SDKs, S3) are not wanted.
npm install --prefix "$DIR" --no-audit --no-fund --no-package-lock --omit=peer --loglevel=error "chdb@$CHDB_VERSION" >/dev/null
echo "chdb $CHDB_VERSION installed in $((SECONDS - start))s ($(du -sh "$DIR" | cut -f1))."
