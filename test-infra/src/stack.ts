import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PoolMode } from '@mpgkit/core';
import type { TlsMode } from '@mpgkit/core/adapter';
import { findBinaries, type PgBouncerVersion, type PostgresVersion, type StackBinaries } from './binaries.ts';
import { createCertificateAuthority, issueServerCertificate, STACK_HOST } from './certificates.ts';
import { freePort } from './free-port.ts';
import { drainHaproxy, type HaproxyProxy, startHaproxy, stopHaproxy } from './haproxy-proxy.ts';
import {
  type PgBouncerPooler,
  POOLER_ADMIN_USER,
  type PoolerLimits,
  restartPgBouncer,
  startPgBouncer,
  stopPgBouncer,
} from './pgbouncer-pooler.ts';
import {
  type PostgresServer,
  postgresPid,
  type StackTls,
  startPostgres,
  startPostgresProcess,
  stopPostgres,
  superuserQuery,
} from './postgres-server.ts';
import { descendantsOf, handToServiceUser, isAlive, readPid, signal, waitFor } from './process-control.ts';

/** A login of the stack. Passwords are random per stack and distinctive, so leaks are easy to spot. */
export interface StackUser {
  name: string;
  password: string;
}

/** Which way a URL goes: through the proxy to a PgBouncer of that mode, or to Postgres directly. */
export type StackRoute = PoolMode | 'direct';

/** Everything needed to control a running stack from any process (it is what `state.json` holds). */
export interface StackState {
  id: string;
  dir: string;
  runId: string | undefined;
  postgres: PostgresServer;
  poolers: Record<PoolMode, PgBouncerPooler>;
  proxy: HaproxyProxy;
  /** Proxy ports: what apps connect to. */
  ports: Record<StackRoute, number>;
  users: { admin: StackUser; writer: StackUser; reader: StackUser; poolerAdmin: StackUser };
  databases: { main: string; second: string };
  postgresVersion: PostgresVersion;
  /** Absent in a state file from before PgBouncer 1.24 could run: Debian's 1.18. */
  pgbouncerVersion?: PgBouncerVersion;
  /** TLS on every server: `offered` or `required`, and the CA that signed the servers' certificate. */
  tls: { mode: StackTls; caFile: string };
}

/** Options of {@link startStack}. */
export interface StackOptions {
  /** PgBouncer limits for both poolers (plan-shaped). @default MPG Basic: 200 / 50 / 10 */
  limits?: PoolerLimits;
  /** The proxy's shutdown timeout, scaled down from MPG's 10 minutes. @default 4 */
  hardStopAfterSeconds?: number;
  /** `required`: PostgreSQL and both PgBouncers refuse plaintext clients. @default 'offered' */
  tls?: StackTls;
  /** PostgreSQL's major version. @default env MPGKIT_STACK_POSTGRES ?? '16' (MPG's) */
  postgresVersion?: PostgresVersion;
  /** PgBouncer's version. @default env MPGKIT_STACK_PGBOUNCER ?? '1.18' (Debian's) */
  pgbouncerVersion?: PgBouncerVersion;
}

const STATE_FILE = 'state.json';
const STACK_PREFIX = 'mpgkit-stack-';

/**
 * Starts PostgreSQL, a PgBouncer per pool mode and HAProxy in front of all three (on MPG the direct URL
 * passes through the proxy too), on free loopback ports, in a fresh temporary directory.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const bin = findBinaries(options.postgresVersion, options.pgbouncerVersion);
  const runId = process.env.MPGKIT_STACK_RUN_ID;
  const dir = mkdtempSync(join(tmpdir(), `${STACK_PREFIX}${runId ?? 'manual'}-`));
  handToServiceUser(dir);
  const id = dir.slice(dir.lastIndexOf('-') + 1);
  const partial: Partial<StackState> & { dir: string } = { dir };
  writeState(partial);
  try {
    const [pgPort, txPort, sessionPort, proxyTx, proxySession, proxyDirect] = await uniquePorts();
    const ca = createCertificateAuthority(dir);
    const tls = { certificate: issueServerCertificate(ca, dir), mode: options.tls ?? 'offered' };
    const postgres = await startPostgres(bin, dir, pgPort, tls);
    partial.postgres = postgres;
    writeState(partial);
    const users = {
      admin: user('fly-user'),
      writer: user('app_writer'),
      reader: user('app_reader'),
      poolerAdmin: user(POOLER_ADMIN_USER),
    };
    const databases = { main: 'fly-db', second: 'reports' };
    await createRolesAndDatabases(postgres, users, databases);
    const authFile = join(dir, 'userlist.txt');
    await writeAuthFile(postgres, authFile, Object.values(users));

    const common = { dir, postgresPort: pgPort, authFile, limits: options.limits ?? {}, tls };
    const transaction = await startPgBouncer(bin, { ...common, mode: 'transaction', port: txPort });
    partial.poolers = { transaction } as StackState['poolers'];
    writeState(partial);
    const session = await startPgBouncer(bin, { ...common, mode: 'session', port: sessionPort });
    partial.poolers = { transaction, session };
    writeState(partial);
    const proxy = await startHaproxy(bin, {
      dir,
      hardStopAfterSeconds: options.hardStopAfterSeconds ?? 4,
      routes: [
        { name: 'transaction', listenPort: proxyTx, targetPort: txPort },
        { name: 'session', listenPort: proxySession, targetPort: sessionPort },
        { name: 'direct', listenPort: proxyDirect, targetPort: pgPort },
      ],
    });
    const state: StackState = {
      id,
      dir,
      runId,
      postgres,
      poolers: { transaction, session },
      proxy,
      ports: { transaction: proxyTx, session: proxySession, direct: proxyDirect },
      users,
      databases,
      postgresVersion: bin.postgresVersion,
      pgbouncerVersion: bin.pgbouncerVersion,
      tls: { mode: tls.mode, caFile: ca.certFile },
    };
    writeState(state);
    return new Stack(state, bin);
  } catch (error) {
    teardownStackSync(partial);
    throw error;
  }
}

/** A running stack: URLs, faults, probes and teardown. */
export class Stack {
  readonly state: StackState;
  private readonly bin: StackBinaries;

  constructor(
    state: StackState,
    bin: StackBinaries = findBinaries(state.postgresVersion, state.pgbouncerVersion),
  ) {
    this.state = state;
    this.bin = bin;
  }

  /**
   * A connection URL through the proxy (or straight to the server with `bypassProxy`). With `tls`, the URL
   * carries `sslmode` (and, for the verifying modes, `sslrootcert` = the stack's CA); without, it names no
   * TLS at all, and mpgkit's default for a loopback host (`disable`) applies.
   */
  url(
    route: StackRoute,
    options: {
      user?: keyof StackState['users'];
      database?: string;
      bypassProxy?: boolean;
      tls?: TlsMode;
      host?: string;
    } = {},
  ): string {
    const login = this.state.users[options.user ?? 'admin'];
    const port = options.bypassProxy
      ? route === 'direct'
        ? this.state.postgres.port
        : this.state.poolers[route].port
      : this.state.ports[route];
    const database = options.database ?? this.state.databases.main;
    const tls = options.tls;
    const query =
      tls === undefined
        ? ''
        : `?sslmode=${tls}${tls.startsWith('verify') ? `&sslrootcert=${encodeURIComponent(this.state.tls.caFile)}` : ''}`;
    return `postgresql://${encodeURIComponent(login.name)}:${encodeURIComponent(login.password)}@${options.host ?? STACK_HOST}:${port}/${encodeURIComponent(database)}${query}`;
  }

  /**
   * What `pnpm stack:up` writes: the app's pooled URL (transaction mode), the session-mode one, the direct
   * one, and the drain window scaled to this proxy's hard stop, with a lifetime of half of it (lifetime +
   * the longest transaction must stay under the window), so a policy built from this env survives
   * `pnpm stack:drain` as it would MPG's 10-minute drain. The URLs ask for `verify-full` against the stack's
   * CA (`sslrootcert`), so apps on the stack run verified TLS, as on MPG.
   */
  env(): Record<
    | 'DATABASE_URL'
    | 'DATABASE_URL_SESSION'
    | 'DIRECT_DATABASE_URL'
    | 'MPGKIT_DRAIN_WINDOW_SECONDS'
    | 'MPGKIT_MAX_LIFETIME_SECONDS',
    string
  > {
    const window = this.state.proxy.hardStopAfterSeconds;
    return {
      DATABASE_URL: this.url('transaction', { tls: 'verify-full' }),
      DATABASE_URL_SESSION: this.url('session', { tls: 'verify-full' }),
      DIRECT_DATABASE_URL: this.url('direct', { tls: 'verify-full' }),
      MPGKIT_DRAIN_WINDOW_SECONDS: String(window),
      MPGKIT_MAX_LIFETIME_SECONDS: String(window / 2),
    };
  }

  /** The same variables for an app on the given pool mode. */
  envFor(mode: PoolMode): Record<'DATABASE_URL' | 'DIRECT_DATABASE_URL', string> {
    return {
      DATABASE_URL: this.url(mode, { tls: 'verify-full' }),
      DIRECT_DATABASE_URL: this.url('direct', { tls: 'verify-full' }),
    };
  }

  /** Every password of the stack, for tests that check nothing leaks. */
  secrets(): string[] {
    return Object.values(this.state.users).map((login) => login.password);
  }

  // ---- faults --------------------------------------------------------------------------------

  /** Proxy restart: new connections go to a new proxy at once; old ones are cut at the hard stop. */
  drain(): Promise<{ oldPid: number; hardStopAt: number }> {
    return drainHaproxy(this.bin, this.state.proxy);
  }

  /** PgBouncer restart (immediate shutdown, then start), optionally with another pool mode, as on MPG. */
  async restartPooler(which: PoolMode, options: { mode?: PoolMode } = {}): Promise<void> {
    await restartPgBouncer(this.bin, this.state.poolers[which], options.mode);
    writeState(this.state);
  }

  /**
   * Postgres restart: a fast shutdown (clients disconnected, a checkpoint written), or with `crash` an
   * immediate one (as an OOM kill: no checkpoint, unwritten WAL buffers lost, crash recovery on start).
   */
  async restartPostgres(options: { crash?: boolean } = {}): Promise<void> {
    await stopPostgres(this.bin, this.state.postgres, options.crash ? 'immediate' : 'fast');
    await startPostgresProcess(this.bin, this.state.postgres);
  }

  /** Kills backends, as an operator's `pg_terminate_backend` or an OOM would. Returns how many. */
  async terminateBackends(filter: { applicationName?: string; user?: string } = {}): Promise<number> {
    const rows = await this.admin<{ pid: number }>(
      `SELECT pg_terminate_backend(pid) AS terminated, pid FROM pg_stat_activity
        WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
          AND ($1::text IS NULL OR application_name = $1) AND ($2::text IS NULL OR usename = $2)
          AND usename <> 'postgres'`,
      [filter.applicationName ?? null, filter.user ?? null],
    );
    return rows.length;
  }

  /**
   * A wrong password for a while, as a credential rotation gone wrong: the user's password changes in
   * Postgres, its backends are terminated (so PgBouncer must log in again, and fails), and after `forMs` the
   * original SCRAM verifier is restored as it was (PgBouncer's auth_file holds that verifier, so a new
   * password, even the same text, would not do). Resolves when the password works again.
   */
  async breakPassword(user: string, forMs: number): Promise<void> {
    const [saved] = await this.admin<{ verifier: string }>(
      'SELECT rolpassword AS verifier FROM pg_authid WHERE rolname = $1',
      [user],
    );
    if (saved === undefined) throw new Error(`breakPassword: no role ${user}`);
    const role = `"${user.replaceAll('"', '""')}"`;
    await this.admin(`ALTER ROLE ${role} PASSWORD 'wrong-${randomBytes(8).toString('hex')}'`);
    try {
      await this.terminateBackends({ user });
      await new Promise((resolve) => setTimeout(resolve, forMs));
    } finally {
      await this.admin(`ALTER ROLE ${role} PASSWORD '${saved.verifier.replaceAll("'", "''")}'`);
    }
  }

  /** Stops one component (it stays down until {@link Stack.start}). */
  async stop(component: 'postgres' | PoolMode | 'proxy'): Promise<void> {
    if (component === 'postgres') await stopPostgres(this.bin, this.state.postgres, 'fast');
    else if (component === 'proxy') await stopHaproxy(this.state.proxy);
    else await stopPgBouncer(this.state.poolers[component]);
  }

  /** Starts a component stopped with {@link Stack.stop}. */
  async start(component: 'postgres' | PoolMode): Promise<void> {
    if (component === 'postgres') await startPostgresProcess(this.bin, this.state.postgres);
    else await restartPgBouncer(this.bin, this.state.poolers[component]);
  }

  // ---- probes: the truth, read from the servers --------------------------------------------

  /** SQL as the Postgres superuser, over the private socket (never through the proxy). */
  admin<R extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
    database?: string,
  ): Promise<R[]> {
    return superuserQuery<R>(this.state.postgres, sql, params, database);
  }

  // ---- teardown ---------------------------------------------------------------------------

  /** Stops everything and removes the directory; resolves when no process of the stack is left. Safe to call twice. */
  async down(): Promise<void> {
    const roots = stackPids(this.state);
    const everyProcess = [...roots, ...descendantsOf(roots)];
    await stopHaproxy(this.state.proxy).catch(() => undefined);
    for (const pooler of Object.values(this.state.poolers))
      await stopPgBouncer(pooler).catch(() => undefined);
    await stopPostgres(this.bin, this.state.postgres, 'immediate').catch(() => undefined);
    teardownStackSync(this.state);
    await waitFor('every stack process to exit', () => everyProcess.every((pid) => !isAlive(pid)), 10_000);
  }
}

/** Attaches to a stack started elsewhere (another process) from its state. */
export function attachStack(state: StackState): Stack {
  return new Stack(state);
}

function stackPids(state: Partial<StackState>): number[] {
  const pids = [...(state.proxy?.pids ?? [])];
  const proxyPid = state.proxy && readPid(state.proxy.pidFile);
  if (proxyPid !== undefined) pids.push(proxyPid);
  for (const pooler of Object.values(state.poolers ?? {})) {
    const pid = readPid(pooler.pidFile);
    if (pid !== undefined) pids.push(pid);
  }
  const postmaster = state.postgres && postgresPid(state.postgres);
  if (postmaster !== undefined) pids.push(postmaster);
  return [...new Set(pids)];
}

/**
 * Kills every process of a stack at once and removes its directory, synchronously, so it also works in
 * `process.on('exit')` and after a test worker died. Idempotent.
 */
export function teardownStackSync(state: Partial<StackState> & { dir: string }): void {
  for (const pid of state.proxy?.pids ?? []) signal(pid, 'SIGKILL');
  const proxyPid = state.proxy && readPid(state.proxy.pidFile);
  if (proxyPid !== undefined) signal(proxyPid, 'SIGKILL');
  for (const pooler of Object.values(state.poolers ?? {})) {
    const pid = readPid(pooler.pidFile);
    if (pid !== undefined) signal(pid, 'SIGKILL');
  }
  const postmaster = state.postgres && postgresPid(state.postgres);
  // SIGQUIT is Postgres's immediate shutdown: the postmaster takes its backends down with it.
  if (postmaster !== undefined) signal(postmaster, 'SIGQUIT');
  rmSync(state.dir, { recursive: true, force: true });
}

/**
 * Tears down every stack a test run started (by run id), including those of workers that died. Stacks
 * are found by their directory name in the temp folder.
 */
export function sweepStacks(runId: string): number {
  let swept = 0;
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(`${STACK_PREFIX}${runId}-`)) continue;
    const dir = join(tmpdir(), name);
    const stateFile = join(dir, STATE_FILE);
    const state = existsSync(stateFile)
      ? (JSON.parse(readFileSync(stateFile, 'utf8')) as Partial<StackState>)
      : {};
    teardownStackSync({ ...state, dir });
    swept++;
  }
  return swept;
}

function writeState(state: Partial<StackState> & { dir: string }): void {
  writeFileSync(join(state.dir, STATE_FILE), JSON.stringify(state, null, 2), { mode: 0o600 });
}

function user(name: string): StackUser {
  return { name, password: `Zq9pw-${randomBytes(12).toString('base64url')}` };
}

async function uniquePorts(): Promise<[number, number, number, number, number, number]> {
  const ports = new Set<number>();
  while (ports.size < 6) ports.add(await freePort());
  return [...ports] as [number, number, number, number, number, number];
}

// Roles shaped like MPG's (seed 001): fly-user is the Schema Admin that owns the databases, a Writer
// reads and writes data but cannot change the schema, a Reader only reads.
async function createRolesAndDatabases(
  postgres: PostgresServer,
  users: StackState['users'],
  databases: StackState['databases'],
): Promise<void> {
  const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;
  for (const login of Object.values(users)) {
    await superuserQuery(
      postgres,
      `CREATE ROLE ${ident(login.name)} LOGIN PASSWORD ${literal(login.password)}`,
    );
  }
  for (const database of Object.values(databases)) {
    await superuserQuery(postgres, `CREATE DATABASE ${ident(database)} OWNER ${ident(users.admin.name)}`);
    const admin = ident(users.admin.name);
    const writer = ident(users.writer.name);
    const reader = ident(users.reader.name);
    for (const sql of [
      `GRANT CONNECT ON DATABASE ${ident(database)} TO ${writer}, ${reader}`,
      `GRANT USAGE ON SCHEMA public TO ${writer}, ${reader}`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${admin} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${writer}`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${admin} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${writer}`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${admin} IN SCHEMA public GRANT SELECT ON TABLES TO ${reader}`,
    ]) {
      await superuserQuery(postgres, sql, [], database);
    }
  }
}

// PgBouncer authenticates clients and logs in to Postgres with the SCRAM secret itself, so no plaintext
// password is written to disk (shared/reference/local-stack.md).
async function writeAuthFile(postgres: PostgresServer, path: string, logins: StackUser[]): Promise<void> {
  const rows = await superuserQuery<{ rolname: string; rolpassword: string }>(
    postgres,
    'SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY($1)',
    [logins.map((login) => login.name)],
  );
  writeFileSync(path, `${rows.map((row) => `"${row.rolname}" "${row.rolpassword}"`).join('\n')}\n`, {
    mode: 0o640,
  });
  handToServiceUser(path);
}
