import { classifyError, defineDatabase, explainError } from '@mpgkit/core';
import { type Stack, startStack } from '@mpgkit/test-infra';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresJsOptions, postgresJsUrl } from '../src/postgres-js.ts';

// postgres.js's real errors from real faults, through postgresJsOptions, explained as pg's are
// (test-infra's explain-errors test is pg's). Each on a stack of its own kind.
const quiet = { warn() {} };

async function errorOf(sql: postgres.Sql, query: (sql: postgres.Sql) => Promise<unknown>): Promise<unknown> {
  try {
    await query(sql);
  } catch (error) {
    return error;
  } finally {
    await sql.end({ timeout: 0.2 }).catch(() => undefined);
  }
  throw new Error('expected an error');
}

function client(url: string, directUrl: string): postgres.Sql {
  const policy = defineDatabase({
    env: { DATABASE_URL: url, DIRECT_DATABASE_URL: directUrl },
    poolMode: 'transaction',
    connectTimeoutSeconds: 3,
    logger: quiet,
  });
  return postgres(postgresJsUrl(policy), postgresJsOptions(policy));
}

describe('postgres.js errors from the stack, explained', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.down());

  it('database does not exist, directly and through PgBouncer: never retried', async () => {
    for (const route of ['direct', 'transaction'] as const) {
      const url = stack.url(route, { database: 'mpgkit_nope' });
      const error = await errorOf(client(url, stack.url('direct')), (sql) => sql`SELECT 1`);
      expect(explainError(error), route).toMatchObject({ id: 'database-does-not-exist', retry: 'never' });
    }
  });

  it('statement timeout (57014): safe to repeat, nothing took effect', async () => {
    const sql = client(stack.url('transaction'), stack.url('direct'));
    const error = await errorOf(sql, (sql) =>
      sql.begin(async (tx) => {
        await tx`SET LOCAL statement_timeout = '50ms'`;
        await tx`SELECT pg_sleep(2)`;
      }),
    );
    expect(explainError(error)).toMatchObject({ id: 'statement-timeout', retry: 'safe' });
  });
});

describe('postgres.js on a server that declines TLS', () => {
  let plain: Stack;
  beforeAll(async () => {
    plain = await startStack({ tls: 'none' });
  });
  afterAll(() => plain?.down());

  it("fails with tls-not-offered, as pg does; postgres.js's own socket gets another error (negative control)", async () => {
    for (const route of ['direct', 'transaction'] as const) {
      const policy = defineDatabase({
        env: { DATABASE_URL: plain.url(route) },
        poolMode: 'transaction',
        connectTimeoutSeconds: 2,
        tls: 'require',
        logger: quiet,
      });
      const error = await errorOf(
        postgres(postgresJsUrl(policy), postgresJsOptions(policy)),
        (sql) => sql`SELECT 1`,
      );
      expect(explainError(error), route).toMatchObject({ id: 'tls-not-offered', retry: 'never' });
      expect(classifyError(error).retrySafe).toBe(false);
      // postgres.js goes on with a TLS handshake the server cannot read (measured through PgBouncer: OpenSSL's
      // "wrong version number").
      const { socket: _socket, ...stock } = postgresJsOptions(policy) as { socket?: unknown };
      const stockError = await errorOf(postgres(postgresJsUrl(policy), stock), (sql) => sql`SELECT 1`);
      expect(explainError(stockError)?.id, route).not.toBe('tls-not-offered');
    }
  });
});
