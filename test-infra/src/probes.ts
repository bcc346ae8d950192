import { readFileSync } from 'node:fs';
import type { PoolMode } from '@mpgkit/core';
import pg from 'pg';
import type { Stack } from './stack.ts';

/** A row of PgBouncer's `SHOW POOLS`. */
export interface PoolRow {
  database: string;
  user: string;
  cl_active: number;
  cl_waiting: number;
  sv_active: number;
  sv_idle: number;
  sv_used: number;
  pool_mode: string;
}

/** A row of PgBouncer's `SHOW CLIENTS`. */
export interface ClientRow {
  user: string;
  database: string;
  state: string;
  application_name: string;
  connect_time: string;
  port: number;
  /** The TLS version and cipher of the client's connection to PgBouncer; empty when plaintext. */
  tls: string;
}

/** A row of `pg_stat_activity` for a client backend. */
export interface BackendRow {
  pid: number;
  usename: string;
  datname: string;
  application_name: string;
  state: string | null;
  backend_start: Date;
}

/** Runs a command on a PgBouncer's admin console (straight to the pooler, not through the proxy). */
export async function poolerConsole<R>(stack: Stack, mode: PoolMode, command: string): Promise<R[]> {
  const { poolerAdmin } = stack.state.users;
  const client = new pg.Client({
    host: '127.0.0.1',
    port: stack.state.poolers[mode].port,
    user: poolerAdmin.name,
    password: poolerAdmin.password,
    database: 'pgbouncer',
  });
  await client.connect();
  try {
    // The admin console speaks only the simple query protocol: no parameters.
    const result = await client.query(command);
    return result.rows.map((row) => numeric(row)) as R[];
  } finally {
    await client.end();
  }
}

/** `SHOW POOLS`, for the app database. */
export async function showPools(stack: Stack, mode: PoolMode): Promise<PoolRow[]> {
  const rows = await poolerConsole<PoolRow>(stack, mode, 'SHOW POOLS');
  return rows.filter((row) => row.database !== 'pgbouncer');
}

/** `SHOW CLIENTS`, without the admin console's own connection. */
export async function showClients(stack: Stack, mode: PoolMode): Promise<ClientRow[]> {
  const rows = await poolerConsole<ClientRow>(stack, mode, 'SHOW CLIENTS');
  return rows.filter((row) => row.database !== 'pgbouncer');
}

/** Client backends Postgres has right now (not the probe's own). */
export function backends(stack: Stack): Promise<BackendRow[]> {
  return stack.admin<BackendRow & Record<string, unknown>>(
    `SELECT pid, usename, datname, application_name, state, backend_start FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
  );
}

/**
 * Whether each of PostgreSQL's backends under an application name was reached over TLS (`pg_stat_ssl`): the
 * server's view of a client that connects to it directly.
 */
export async function tlsByApplication(stack: Stack, applicationName: string): Promise<boolean[]> {
  const rows = await stack.admin<{ ssl: boolean }>(
    'SELECT s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.application_name = $1',
    [applicationName],
  );
  return rows.map((row) => row.ssl);
}

/** Backends per application name. */
export async function backendsByApplication(stack: Stack): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const row of await backends(stack))
    counts.set(row.application_name, (counts.get(row.application_name) ?? 0) + 1);
  return counts;
}

/**
 * Names of the prepared statements Postgres executed since `fromOffset` in its log
 * (`execute <name>: ...`); unnamed statements are not listed. Use {@link statementLogOffset} to mark.
 */
export function namedStatementsSeen(stack: Stack, fromOffset = 0): string[] {
  const log = readFileSync(stack.state.postgres.logFile).subarray(fromOffset).toString('utf8');
  const names = new Set<string>();
  for (const match of log.matchAll(/\bexecute ([^\s:]+):/g)) {
    if (match[1] !== '<unnamed>') names.add(match[1] ?? '');
  }
  for (const match of log.matchAll(/statement: PREPARE\s+("?[\w$]+"?)/gi)) names.add(match[1] ?? '');
  return [...names];
}

/**
 * The statements Postgres logged since `fromOffset` for one application name (`log_line_prefix` carries
 * `%a`; PgBouncer passes each client's application_name on to the server connection it lends).
 */
export function statementsSeen(stack: Stack, applicationName: string, fromOffset = 0): string[] {
  const log = readFileSync(stack.state.postgres.logFile).subarray(fromOffset).toString('utf8');
  const statements: string[] = [];
  // Simple-protocol queries log as `statement: …`, extended ones as `execute <name>: …`.
  for (const match of log.matchAll(/ (\S+) LOG: {2}(?:statement|execute [^:]*): (.*)$/gm)) {
    if (match[1] === applicationName) statements.push(match[2] ?? '');
  }
  return statements;
}

/** The current end of the Postgres log, to read only what comes after. */
export function statementLogOffset(stack: Stack): number {
  return readFileSync(stack.state.postgres.logFile).length;
}

// The admin console returns every column as text.
function numeric(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [
      key,
      typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value,
    ]),
  );
}
