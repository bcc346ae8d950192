import { createServer, type Server } from 'node:net';
import { classifyError, explainError } from '@mpgkit/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from '../src/error-of.ts';
import { freePort } from '../src/free-port.ts';
import { type Stack, startStack } from '../src/index.ts';

// Real error objects, produced by the real stack, explained. A small plan-shaped stack: 4 client
// connections, 1 server connection, a 1 s query wait timeout.
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    limits: {
      maxClientConnections: 4,
      maxDatabaseConnections: 1,
      reservePool: 0,
      queryWaitTimeoutSeconds: 1,
    },
  });
});
afterAll(() => stack?.down());

async function connected(url: string, config: pg.ClientConfig = {}) {
  const client = new pg.Client({ connectionString: url, ...config });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

describe('explainError on real errors from the stack', () => {
  it('prepared statement "…" does not exist / already exists', async () => {
    const client = await connected(stack.url('direct'));
    const missing = await errorOf(() => client.query('EXECUTE never_prepared'));
    await client.query('PREPARE twice AS SELECT 1');
    const exists = await errorOf(() => client.query('PREPARE twice AS SELECT 1'));
    await client.end();
    expect(explainError(missing, 'pg')).toMatchObject({
      id: 'prepared-statement-missing',
      retry: 'never',
      fix: expect.stringContaining('createPgPool'),
    });
    expect(explainError(exists)).toMatchObject({ id: 'prepared-statement-exists' });
  });

  it('terminating connection due to administrator command, then Connection terminated', async () => {
    const client = new pg.Client({
      connectionString: stack.url('direct'),
      application_name: 'explain-victim',
    });
    const emitted = new Promise<unknown>((resolve) => client.on('error', resolve));
    await client.connect();
    await stack.terminateBackends({ applicationName: 'explain-victim' });
    // The FATAL arrives on the idle client's 'error' event...
    const fatal = await emitted;
    expect(explainError(fatal)).toMatchObject({
      id: 'admin-shutdown',
      transient: true,
      retry: 'if-idempotent',
    });
    expect(classifyError(fatal).retrySafe).toBe(false);
    expect(classifyError(fatal, { idempotent: true }).retrySafe).toBe(true);
    // ...and the next query on that client is refused before it is sent. That query never ran, but what the
    // client sent before (an open transaction's statements, a COMMIT) may have: only idempotent work is
    // repeated.
    const next = await errorOf(() => client.query('SELECT 1'));
    expect(explainError(next)).toMatchObject({ id: 'client-not-queryable', retry: 'if-idempotent' });
    // A query in flight when the connection is cut: Connection terminated unexpectedly.
    const busy = await connected(stack.url('direct'), { application_name: 'explain-busy' });
    const inFlight = errorOf(() => busy.query('SELECT pg_sleep(5)'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await stack.terminateBackends({ applicationName: 'explain-busy' });
    expect(explainError(await inFlight)?.id).toMatch(/admin-shutdown|connection-terminated/);
  });

  it('too many connections for role', async () => {
    await stack.admin('ALTER ROLE app_reader CONNECTION LIMIT 1');
    const first = await connected(stack.url('direct', { user: 'reader' }));
    const error = await errorOf(() => connected(stack.url('direct', { user: 'reader' })));
    await first.end();
    await stack.admin('ALTER ROLE app_reader CONNECTION LIMIT -1');
    expect(explainError(error)).toMatchObject({
      id: 'too-many-connections-for-role',
      transient: true,
      retry: 'safe',
    });
  });

  it('a wrong password: 28P01 directly, 08P01 "SASL authentication failed" through PgBouncer', async () => {
    const wrong = (url: string) => Object.assign(new URL(url), { password: 'not-the-password' }).href;
    for (const route of ['direct', 'transaction', 'session'] as const) {
      const error = await errorOf(() => connected(wrong(stack.url(route))));
      expect((error as { code?: string }).code).toBe(route === 'direct' ? '28P01' : '08P01');
      expect(explainError(error), route).toMatchObject({
        id: 'password-authentication-failed',
        phase: 'config',
        retry: 'never',
      });
    }
  });

  it('unsupported startup parameter', async () => {
    const error = await errorOf(() => connected(stack.url('transaction'), { statement_timeout: 1000 }));
    expect(explainError(error, 'pg')).toMatchObject({ id: 'unsupported-startup-parameter', retry: 'never' });
  });

  it('query_wait_timeout (session mode, over the database limit)', async () => {
    const holder = await connected(stack.url('session'));
    await holder.query('SELECT 1'); // holds the only server connection for its whole session
    const waiter = await connected(stack.url('session'));
    const error = await errorOf(() => waiter.query('SELECT 1'));
    await holder.end();
    expect(explainError(error)).toMatchObject({ id: 'query-wait-timeout', retry: 'safe' });
  });

  it('no more connections allowed (max_client_conn)', async () => {
    const clients = await Promise.all(
      Array.from({ length: 4 }, () => connected(stack.url('transaction')).catch((e) => e)),
    );
    const error = await errorOf(() => connected(stack.url('transaction')));
    await Promise.all(clients.filter((c) => c instanceof pg.Client).map((c: pg.Client) => c.end()));
    expect(explainError(error)).toMatchObject({ id: 'max-client-conn', retry: 'safe' });
  });

  it('database does not exist: directly and through PgBouncer, never retried', async () => {
    const direct = await errorOf(() => connected(stack.url('direct', { database: 'mpgkit_nope' })));
    const pooled = await errorOf(() => connected(stack.url('transaction', { database: 'mpgkit_nope' })));
    expect(explainError(direct)).toMatchObject({ id: 'database-does-not-exist', retry: 'never' });
    expect(explainError(pooled)).toMatchObject({ id: 'database-does-not-exist', retry: 'never' });
  });

  it('statement timeout (57014): nothing took effect, safe to repeat', async () => {
    const client = await connected(stack.url('direct'));
    await client.query('BEGIN');
    await client.query("SET LOCAL statement_timeout = '50ms'");
    const error = await errorOf(() => client.query('SELECT pg_sleep(2)'));
    await client.query('ROLLBACK');
    await client.end();
    expect(explainError(error)).toMatchObject({
      id: 'statement-timeout',
      phase: 'rolled-back',
      retry: 'safe',
    });
  });

  it('connection refused and connection hangs on startup', async () => {
    const closed = await freePort();
    const refused = await errorOf(() => connected(`postgresql://u:p@127.0.0.1:${closed}/db`));
    expect(explainError(refused)).toMatchObject({ id: 'connection-refused', retry: 'safe' });
    // A peer that accepts and never answers, as a blackholed route does.
    const silent: Server = createServer(() => undefined).listen(0, '127.0.0.1');
    await new Promise((resolve) => silent.once('listening', resolve));
    const port = (silent.address() as { port: number }).port;
    const hang = await errorOf(() =>
      connected(`postgresql://u:p@127.0.0.1:${port}/db`, { connectionTimeoutMillis: 300 }),
    );
    silent.close();
    expect(explainError(hang)).toMatchObject({ id: 'connection-timeout', retry: 'safe' });
  });
});

describe('explainError on a server that declines TLS (PostgreSQL with ssl = off, PgBouncer without client TLS)', () => {
  let plain: Stack;
  beforeAll(async () => {
    plain = await startStack({ tls: 'none' });
  });
  afterAll(() => plain?.down());

  it('sslmode=require meets "The server does not support SSL connections": tls-not-offered, never retried', async () => {
    for (const route of ['direct', 'transaction'] as const) {
      const error = await errorOf(() => connected(plain.url(route, { tls: 'require' })));
      expect(explainError(error), route).toMatchObject({ id: 'tls-not-offered', retry: 'never' });
    }
  });
});
