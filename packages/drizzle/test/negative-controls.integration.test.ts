import { fileURLToPath } from 'node:url';
import { defineDatabase } from '@mpgkit/core';
import { attachStack } from '@mpgkit/test-infra';
import { concurrentQueries } from '@mpgkit/test-infra/conformance';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleStock } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import postgres from 'postgres';
import { describe, expect, inject, it } from 'vitest';
import { createDrizzle as createNodePostgresDrizzle } from '../src/node-postgres.ts';
import { createDrizzle } from '../src/postgres-js.ts';

const stack = attachStack(inject('mpgkitStack'));
const subject = {
  name: 'postgres.js defaults',
  module: fileURLToPath(new URL('./naive-postgres-js-subject.ts', import.meta.url)),
};

// Measured with postgres 3.4.9 through PgBouncer 1.18 (transaction mode): the default client sends a named
// statement per query. When one is missing on the server connection PgBouncer picked, postgres.js
// re-prepares it under a new name and retries (src/connection.js, retryRoutines), so queries mostly
// succeed, but hundreds of named statements pile up on pooled server connections, where any client can
// collide with them. The policy-built client (prepare: false) sends none (conformance scenario 2).
// Each query is bounded by a 5 s timeout, so a hang would count as an error, not a stuck run.
describe('negative control: postgres.js with default options through the transaction pooler', () => {
  it.each([
    ['tagged-template queries', false],
    ["Drizzle's .prepare()", true],
  ])('%s put named statements on pooled server connections', async (_, usePrepared) => {
    const outcome = await concurrentQueries({
      stack,
      mode: 'transaction',
      subject,
      clients: 8,
      perClient: 15,
      usePrepared,
    });
    expect(outcome.namedStatements.length).toBeGreaterThan(10);
  });
});

// postgres 3.4.9: end() without a timeout waits for every connection to close, and one whose query was cut
// by a terminated backend never does. The adapter's clients end within the connect timeout by default.
describe('shutting down after a backend was terminated mid-query', () => {
  const settle = (promise: Promise<unknown>, ms: number) =>
    Promise.race([
      promise.then(() => 'ended'),
      new Promise((resolve) => setTimeout(() => resolve('hung'), ms)),
    ]);

  async function cutQuery(end: (sql: postgres.Sql) => Promise<unknown>, sql: postgres.Sql, name: string) {
    await sql`SELECT 1`;
    const inFlight = sql`SELECT pg_sleep(3)`.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stack.terminateBackends({ applicationName: name });
    await inFlight;
    return settle(end(sql), 4000);
  }

  it("negative control: postgres.js's own end() hangs", async () => {
    const sql = postgres(stack.url('transaction'), {
      prepare: false,
      connection: { application_name: 'pgjs-end-naive' },
    });
    expect(await cutQuery((client) => client.end(), sql, 'pgjs-end-naive')).toBe('hung');
    // end() is memoised, so this client cannot be ended any more: its socket closes with the stack.
  });

  it('the client built from the policy ends within the connect timeout', async () => {
    const policy = defineDatabase({
      env: stack.envFor('transaction'),
      poolMode: 'transaction',
      applicationName: 'pgjs-end-policy',
      connectTimeoutSeconds: 1,
      logger: { warn() {} },
    });
    const db = createDrizzle(policy);
    expect(await cutQuery((client) => client.end(), db.$client, 'pgjs-end-policy')).toBe('ended');
  });
});

// drizzle-orm 0.45.4 runs BEGIN outside its try (node-postgres/session.js): a BEGIN that fails leaks the
// pool client. A BEGIN the server rejects (an invalid isolation level) shows it without a fault to time.
// The messages of a rejection and its causes: drizzle-orm wraps driver errors ("Failed query: ...", the
// driver's error as `cause`) in 0.45; 0.36, the lowest version the compat job runs, throws them as they are.
async function messagesOf(promise: Promise<unknown>): Promise<string> {
  const messages: string[] = [];
  try {
    await promise;
  } catch (error) {
    for (let at: unknown = error; at instanceof Error; at = (at as { cause?: unknown }).cause)
      messages.push(at.message);
    return messages.join(' <- ');
  }
  throw new Error('expected a rejection');
}

describe('a transaction whose BEGIN fails', () => {
  const failingBegin = { isolationLevel: 'not a level' } as unknown as { isolationLevel: 'serializable' };

  it('negative control: stock Drizzle over a pg Pool leaks a client per failed BEGIN until the pool is empty', async () => {
    const pool = new pg.Pool({
      connectionString: stack.url('transaction'),
      max: 2,
      connectionTimeoutMillis: 1000,
    });
    pool.on('error', () => undefined);
    const db = drizzleStock({ client: pool });
    for (let i = 0; i < 2; i++) await expect(db.transaction(async () => 1, failingBegin)).rejects.toThrow();
    await expect(messagesOf(db.execute(sql`SELECT 1`))).resolves.toMatch(
      /timeout exceeded when trying to connect/,
    );
    // pool.end() would wait for the two leaked clients forever: they close with the stack.
  });

  it('the adapter releases the client every time, and the pool keeps serving', async () => {
    const policy = defineDatabase({
      env: stack.envFor('transaction'),
      poolMode: 'transaction',
      poolSize: 2,
      connectTimeoutSeconds: 1,
      logger: { warn() {} },
    });
    const db = createNodePostgresDrizzle(policy);
    for (let i = 0; i < 4; i++)
      await expect(messagesOf(db.transaction(async () => 1, failingBegin))).resolves.toMatch(/syntax error/);
    await expect(db.execute(sql`SELECT 1 AS one`)).resolves.toMatchObject({ rows: [{ one: 1 }] });
    // A transaction still works, and its callback's own error is what is thrown.
    expect(await db.transaction(async (tx) => (await tx.execute(sql`SELECT 2 AS two`)).rows[0])).toEqual({
      two: 2,
    });
    const own = new Error('the callback failed');
    await expect(db.transaction(async () => Promise.reject(own))).rejects.toBe(own);
    expect(db.$client.totalCount).toBeLessThanOrEqual(2);
    await db.$client.end();
  });
});
