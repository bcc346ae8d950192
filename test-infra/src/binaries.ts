import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Absolute paths of the server binaries the stack runs. */
export interface StackBinaries {
  initdb: string;
  pgCtl: string;
  pgbouncer: string;
  haproxy: string;
}

const INSTALL_HINT = 'apt-get update && apt-get install -y postgresql pgbouncer haproxy';

/**
 * Finds PostgreSQL (first on PATH, else the newest /usr/lib/postgresql/<version>/bin), PgBouncer and
 * HAProxy. Missing binaries are a clear failure with the install command, never a silent skip.
 */
export function findBinaries(): StackBinaries {
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const pgDirs = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .sort((a, b) => Number(b) - Number(a))
        .map((version) => `/usr/lib/postgresql/${version}/bin`)
    : [];
  const find = (name: string, extra: string[]) =>
    [...pathDirs, ...extra].map((dir) => join(dir, name)).find((candidate) => existsSync(candidate));
  const found = {
    initdb: find('initdb', pgDirs),
    pgCtl: find('pg_ctl', pgDirs),
    pgbouncer: find('pgbouncer', ['/usr/sbin']),
    haproxy: find('haproxy', ['/usr/sbin']),
  };
  const missing = Object.entries(found)
    .filter(([, path]) => path === undefined)
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new Error(
      `The test stack needs ${missing.join(', ')}, which are not installed. Install them with:\n  ${INSTALL_HINT}`,
    );
  }
  return found as StackBinaries;
}
