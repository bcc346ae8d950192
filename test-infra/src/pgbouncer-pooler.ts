import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { PoolMode } from '@mpgkit/core';
import type { StackBinaries } from './binaries.ts';
import type { ServerCertificate } from './certificates.ts';
import type { StackTls } from './postgres-server.ts';
import { isAlive, readPid, runServiceCommand, signal, waitFor } from './process-control.ts';

/** PgBouncer limits, shaped like an MPG plan. */
export interface PoolerLimits {
  /** `max_client_conn`: client connections accepted in total. @default 200 */
  maxClientConnections?: number;
  /** `max_db_connections`: server connections per database; `default_pool_size` is this less the reserve. @default 50 */
  maxDatabaseConnections?: number;
  /** `reserve_pool_size`. @default 10 */
  reservePool?: number;
  /** `reserve_pool_timeout` in seconds. @default 5 */
  reservePoolTimeoutSeconds?: number;
  /** `query_wait_timeout` in seconds: queued clients are disconnected after this. @default 120 */
  queryWaitTimeoutSeconds?: number;
}

/** One PgBouncer instance (MPG's pool mode is cluster-wide, so the stack runs one per mode). */
export interface PgBouncerPooler {
  mode: PoolMode;
  port: number;
  configFile: string;
  pidFile: string;
  logFile: string;
  limits: Required<PoolerLimits>;
}

/** The stats/admin user of `SHOW POOLS` and `SHOW CLIENTS`. */
export const POOLER_ADMIN_USER = 'pgbouncer_admin';

/** Writes the ini and starts PgBouncer as a daemon, waiting until it accepts connections. */
export async function startPgBouncer(
  bin: StackBinaries,
  options: {
    dir: string;
    mode: PoolMode;
    port: number;
    postgresPort: number;
    authFile: string;
    limits?: PoolerLimits;
    tls: { certificate: ServerCertificate; mode: StackTls };
  },
): Promise<PgBouncerPooler> {
  const name = `pgbouncer-${options.mode}`;
  const pooler: PgBouncerPooler = {
    mode: options.mode,
    port: options.port,
    configFile: join(options.dir, `${name}.ini`),
    pidFile: join(options.dir, `${name}.pid`),
    logFile: join(options.dir, `${name}.log`),
    limits: {
      maxClientConnections: 200,
      maxDatabaseConnections: 50,
      reservePool: 10,
      reservePoolTimeoutSeconds: 5,
      queryWaitTimeoutSeconds: 120,
      ...options.limits,
    },
  };
  writeFileSync(
    pooler.configFile,
    iniFor(pooler, options.postgresPort, options.authFile, options.tls, bin.pgbouncerVersion),
  );
  await launch(bin, pooler);
  return pooler;
}

function iniFor(
  pooler: PgBouncerPooler,
  postgresPort: number,
  authFile: string,
  tls: { certificate: ServerCertificate; mode: StackTls },
  version: StackBinaries['pgbouncerVersion'],
): string {
  const { limits } = pooler;
  return [
    '[databases]',
    `* = host=127.0.0.1 port=${postgresPort}`,
    '',
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${pooler.port}`,
    'unix_socket_dir =',
    'auth_type = scram-sha-256',
    `auth_file = ${authFile}`,
    `pool_mode = ${pooler.mode}`,
    `max_client_conn = ${limits.maxClientConnections}`,
    // The plan's database limit caps everything; the reserve is its top slice (pool + reserve = limit).
    `default_pool_size = ${Math.max(1, limits.maxDatabaseConnections - limits.reservePool)}`,
    `max_db_connections = ${limits.maxDatabaseConnections}`,
    `reserve_pool_size = ${limits.reservePool}`,
    `reserve_pool_timeout = ${limits.reservePoolTimeoutSeconds}`,
    `query_wait_timeout = ${limits.queryWaitTimeoutSeconds}`,
    // After a failed login to Postgres PgBouncer refuses clients for server_login_retry (15 s by default)
    // with "server login has been failing": a 0.5 s Postgres restart kept every app down ~15 s (measured).
    // MPG's value is not published; 1 s keeps the fault scenarios short and still shows the refusals, which
    // apps must treat as connect-phase errors (retry() does).
    'server_login_retry = 1',
    // TLS from clients (`allow` takes TLS when a client asks for it, plaintext otherwise; `require` refuses
    // plaintext) and to Postgres, as MPG's PgBouncer does (PgBouncer 1.18 doc/config.md, "TLS settings").
    // `none`: a server that declines TLS (answers the SSLRequest with N), as a self-hosted one with ssl = off.
    `client_tls_sslmode = ${{ required: 'require', offered: 'allow', none: 'disable' }[tls.mode]}`,
    `client_tls_cert_file = ${tls.certificate.certFile}`,
    `client_tls_key_file = ${tls.certificate.keyFile}`,
    `server_tls_sslmode = ${tls.mode === 'none' ? 'disable' : 'require'}`,
    `admin_users = ${POOLER_ADMIN_USER}`,
    `stats_users = ${POOLER_ADMIN_USER}`,
    `logfile = ${pooler.logFile}`,
    `pidfile = ${pooler.pidFile}`,
    // 1.24 tracks protocol-level named statements in transaction mode by default (max_prepared_statements 200,
    // pgbouncer NEWS.md 1.24.0); 1.18 cannot. Off, as on 1.18, so both versions show the same failures to the
    // negative controls: whether MPG's pooler keeps them is for a probe to say, never a default.
    ...(version === '1.24' ? ['max_prepared_statements = 0'] : []),
    '',
  ].join('\n');
}

async function launch(bin: StackBinaries, pooler: PgBouncerPooler): Promise<void> {
  await runServiceCommand(bin.pgbouncer, ['-d', '-q', pooler.configFile]);
  await waitFor(`PgBouncer (${pooler.mode}) on port ${pooler.port}`, async () => {
    const pid = readPid(pooler.pidFile);
    return pid !== undefined && isAlive(pid) && (await acceptsTcp(pooler.port));
  });
}

/** Immediate shutdown (SIGTERM, like a node restart: every client connection is cut), then start again. */
export async function restartPgBouncer(
  bin: StackBinaries,
  pooler: PgBouncerPooler,
  mode?: PoolMode,
): Promise<void> {
  await stopPgBouncer(pooler);
  if (mode !== undefined && mode !== pooler.mode) {
    pooler.mode = mode;
    const ini = readFileSync(pooler.configFile, 'utf8');
    writeFileSync(pooler.configFile, ini.replace(/^pool_mode = .*$/m, `pool_mode = ${mode}`));
  }
  await launch(bin, pooler);
}

/** Stops PgBouncer and waits until its process is gone. */
export async function stopPgBouncer(pooler: PgBouncerPooler): Promise<void> {
  const pid = readPid(pooler.pidFile);
  if (pid === undefined) return;
  signal(pid, 'SIGTERM');
  await waitFor(`PgBouncer (${pooler.mode}) to exit`, () => !isAlive(pid));
}

/** Whether something accepts TCP connections on the port. */
export function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
