#!/usr/bin/env bash
# publint and attw on the tarball `pnpm pack` makes (publishConfig applied: no development-only exports,
# no @mpgkit/source condition), as the registry would receive it. Run from a package directory.
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
publint --strict --pack pnpm
pnpm pack --pack-destination "$dir" >/dev/null
attw "$dir"/*.tgz --profile esm-only --format table-flipped
