#!/usr/bin/env bash
# Builds PgBouncer 1.24 (1.24.1 today) from Debian trixie's source package into the tools folder, once (the stack runs it
# with MPGKIT_STACK_PGBOUNCER=1.24 beside Debian bookworm's 1.18). The source comes through a one-off apt
# sources list; the machine's own lists are never changed (shared/reference/mpg-late-2026.md). Needs root for
# the build dependencies from bookworm: libevent-dev libc-ares-dev libssl-dev pkg-config.
set -euo pipefail
tools="${MPGKIT_TOOLS_DIR:-$HOME/.cache/mpgkit-tools}"
target="$tools/pgbouncer-1.24"
if [ -x "$target/pgbouncer" ]; then exit 0; fi
echo "build-pgbouncer: building PgBouncer 1.24 from Debian trixie's source package"
work=$(mktemp -d "${TMPDIR:-/tmp}/mpgkit-pgbouncer-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
uri=${uri:-http://deb.debian.org/debian}
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main" > "$work/src.list"
apt_one_off=(-o "Dir::Etc::sourcelist=$work/src.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache")
# (apt warns that root downloads unsandboxed into these directories: expected, and silenced.)
apt-get "${apt_one_off[@]}" update >/dev/null 2>&1
(cd "$work" && apt-get "${apt_one_off[@]}" source --download-only pgbouncer >/dev/null 2>&1)
deps=(libevent-dev libc-ares-dev libssl-dev pkg-config)
if ! dpkg -s "${deps[@]}" >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "build-pgbouncer: needs ${deps[*]}: sudo apt-get install -y ${deps[*]}" >&2
    exit 1
  fi
  # The machine's lists may be stale or absent (a fresh machine whose Debian packages came preinstalled).
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${deps[@]}" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${deps[@]}" >/dev/null; }
fi
tar xzf "$work"/pgbouncer_1.24*.orig.tar.gz -C "$work"
(cd "$work"/pgbouncer-1.24*/ && ./configure >/dev/null && make -j2 >/dev/null)
mkdir -p "$target.staging"
cp "$work"/pgbouncer-1.24*/pgbouncer "$target.staging/pgbouncer"
"$target.staging/pgbouncer" --version | head -1 | grep -q "^PgBouncer 1\.24" || { echo "build-pgbouncer: trixie no longer has 1.24" >&2; exit 1; }
rm -rf "$target" && mv "$target.staging" "$target"
"$target/pgbouncer" --version | head -1
