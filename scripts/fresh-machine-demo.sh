#!/usr/bin/env bash
# A new user's first minute, as CI step: the README's demo command in a fresh clone, with HOME an empty
# folder and PATH only the system's directories, started from another directory. `./dev` must install
# everything it needs (Node 24 when the system's is older, pnpm 12, the workspace) and the demo must pass.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mpgkit-fresh-XXXXXX")
trap 'rm -rf "$work"' EXIT
git clone --quiet "$root" "$work/mpgkit"
mkdir "$work/home"
cd /
# The machine's own environment stays (its CA bundle for the registry, locale); what a toolchain or an earlier
# step put there goes: anything npm, pnpm, Node or turbo set, and every tool directory on PATH.
unset_args=()
for name in $(compgen -e); do
  case "$name" in
    npm_* | NPM_* | PNPM_* | pnpm_* | NODE_PATH | NODE_OPTIONS | TURBO_* | MPGKIT_*) unset_args+=(-u "$name") ;;
  esac
done
env "${unset_args[@]}" HOME="$work/home" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin CI=true \
  "$work/mpgkit/dev" demo
echo "fresh-machine demo: passed (HOME and PATH empty of any toolchain, from /)"
