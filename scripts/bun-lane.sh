#!/usr/bin/env bash
# The Bun lane (`pnpm test:bun`): the app's process of the conformance scenarios that cut its connections (a
# proxy drain, a PostgreSQL restart under load, idle connections killed) and the pool-size bound runs on Bun, for every client that
# runs on Bun: createPgPool, Kysely, Drizzle on both drivers, knex. The test process itself stays on Node;
# LoadRun forks the app under Bun (MPGKIT_LOAD_RUNTIME=bun) and fails if the app reports another runtime.
# Bun comes from the npm registry (@oven/bun-linux-x64), into the tools folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="${MPGKIT_TOOLS_DIR:-$HOME/.cache/mpgkit-tools}"
version=1.4.5
bun="$tools/bun-$version/node_modules/@oven/bun-linux-x64/bin/bun"
if [ ! -x "$bun" ]; then
  echo "bun lane: installing Bun $version from the npm registry"
  npm install --no-audit --no-fund --prefix "$tools/bun-$version" "@oven/bun-linux-x64@$version" >/dev/null
fi
echo "bun lane: the apps run on bun $("$bun" --version)"
cd "$root"
export MPGKIT_LOAD_RUNTIME=bun MPGKIT_BUN="$bun"
pnpm vitest run \
  test-infra/test/conformance-pg-pool.integration.test.ts \
  packages/kysely/test/conformance.integration.test.ts \
  packages/drizzle/test/conformance.integration.test.ts \
  packages/knex/test/conformance.integration.test.ts \
  -t 'conformance: .*(transaction|session) mode.*(3\. a steady load|3b\. postgres-restart|4\. idle|6\. the process never)' "$@"
