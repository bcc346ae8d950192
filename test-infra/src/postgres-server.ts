import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { StackBinaries } from './binaries.ts';
import type { ServerCertificate } from './certificates.ts';
import { handToServiceUser, readPid, runServiceCommand } from './process-control.ts';

/** A PostgreSQL server for tests: fast and unsafe (fsync off), on loopback, with a private socket dir. */
export interface PostgresServer {
  port: number;
  dataDir: string;
  socketDir: string;
  logFile: string;
}

/** The superuser, reachable only over the private Unix socket. */
export const SUPERUSER = 'postgres';

/**
 * How the stack's servers take TLS: `offered` (TLS and plaintext, as libpq's `prefer` finds MPG), `required`,
 * or `none` (PostgreSQL with ssl = off, PgBouncer declining client TLS: the server a `tls-not-offered` error meets).
 */
export type StackTls = 'offered' | 'required' | 'none';

/**
 * initdb + config + start. `pg_ctl -w` waits for readiness. TLS is on with the stack's certificate; in
 * `required` mode pg_hba.conf has only `hostssl` lines, so a plaintext client is refused.
 */
export async function startPostgres(
  bin: StackBinaries,
  dir: string,
  port: number,
  tls: { certificate: ServerCertificate; mode: StackTls },
): Promise<PostgresServer> {
  const dataDir = join(dir, 'pgdata');
  const socketDir = join(dir, 'pgsocket');
  const logFile = join(dir, 'postgres.log');
  mkdirSync(socketDir);
  handToServiceUser(socketDir);
  await runServiceCommand(bin.initdb, [
    '-D',
    dataDir,
    '-U',
    SUPERUSER,
    '--auth-local=trust', // the socket dir is private to this stack
    '--auth-host=scram-sha-256',
    '-N',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  appendFileSync(
    join(dataDir, 'postgresql.conf'),
    [
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      `unix_socket_directories = '${socketDir}'`,
      'unix_socket_permissions = 0700',
      'max_connections = 300',
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      "password_encryption = 'scram-sha-256'",
      // Every statement is logged with its prepared-statement name, so tests can read which names
      // the server really saw ("execute s0: ..." vs "execute <unnamed>: ...").
      "log_statement = 'all'",
      "log_line_prefix = '%m [%p] %a '",
      ...(tls.mode === 'none'
        ? ['ssl = off']
        : [
            'ssl = on',
            `ssl_cert_file = '${tls.certificate.certFile}'`,
            `ssl_key_file = '${tls.certificate.keyFile}'`,
          ]),
      '',
    ].join('\n'),
  );
  if (tls.mode === 'required') {
    const hba = join(dataDir, 'pg_hba.conf');
    writeFileSync(hba, readFileSync(hba, 'utf8').replace(/^host(\s)/gm, 'hostssl$1'));
  }
  await startPostgresProcess(bin, { dataDir, logFile });
  return { port, dataDir, socketDir, logFile };
}

/** Starts (or restarts after a stop) the server and waits until it accepts connections. */
export async function startPostgresProcess(
  bin: StackBinaries,
  server: { dataDir: string; logFile: string },
): Promise<void> {
  await runServiceCommand(bin.pgCtl, ['-D', server.dataDir, '-l', server.logFile, '-w', '-t', '30', 'start']);
}

/** Stops the server: `fast` rolls back and disconnects clients, `immediate` is a crash. */
export async function stopPostgres(
  bin: StackBinaries,
  server: { dataDir: string },
  mode: 'fast' | 'immediate',
): Promise<void> {
  await runServiceCommand(bin.pgCtl, ['-D', server.dataDir, '-m', mode, '-w', 'stop']);
}

/** The postmaster's pid. */
export function postgresPid(server: { dataDir: string }): number | undefined {
  return readPid(join(server.dataDir, 'postmaster.pid'));
}

/** Runs SQL as the superuser over the Unix socket. */
export async function superuserQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  server: Pick<PostgresServer, 'socketDir' | 'port'>,
  sql: string,
  params: unknown[] = [],
  database = 'postgres',
): Promise<R[]> {
  const client = new pg.Client({ host: server.socketDir, port: server.port, user: SUPERUSER, database });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
