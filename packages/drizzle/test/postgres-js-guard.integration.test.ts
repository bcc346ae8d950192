import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineDatabase } from '@mpgkit/core';
import { attachStack, statementLogOffset } from '@mpgkit/test-infra';
import { GUARD_SETUP_SQL, SAFE_SQL, UNSAFE_SQL } from '@mpgkit/test-infra/guard-corpus';
import { sql as drizzleSql } from 'drizzle-orm';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDrizzle, guardPostgresJs, postgresJsOptions, postgresJsUrl } from '../src/postgres-js.ts';

// The transaction-mode guard on postgres.js, on the wire through the stack's real transaction-mode
// PgBouncer: every way SQL enters a postgres.js client (tagged template, unsafe, file, begin, savepoint,
// reserve, listen, and Drizzle's execute) is refused before anything is sent; the same statements through an
// unguarded client leave state on the pooler's server connections that a second client sees.
const stack = attachStack(inject('mpgkitStack'));
const policy = defineDatabase({
  env: stack.envFor('transaction'),
  poolMode: 'transaction',
  applicationName: 'postgres-js-guard',
  logger: { warn() {} },
});
const sql = guardPostgresJs(postgres(postgresJsUrl(policy), postgresJsOptions(policy)), policy);
const db = createDrizzle(policy);
const template = (text: string) => Object.assign([text], { raw: [text] }) as unknown as TemplateStringsArray;
const unwrapped = (query: Promise<unknown>) =>
  query.catch((error: { cause?: unknown }) => {
    throw error.cause ?? error;
  });
const folder = mkdtempSync(join(tmpdir(), 'mpgkit-guard-'));

// What a second client sees: the locks and temporary tables every session of the database holds.
async function leftBehind(): Promise<{ advisoryLocks: number; temporaryTables: number }> {
  const direct = new pg.Client({ connectionString: stack.url('direct') });
  await direct.connect();
  try {
    const { rows } = await direct.query<{ advisory_locks: number; temporary_tables: number }>(
      `SELECT (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242) AS advisory_locks,
              (SELECT count(*)::int FROM pg_class WHERE relpersistence = 't' AND relname = 'guard_scratch') AS temporary_tables`,
    );
    return { advisoryLocks: rows[0]!.advisory_locks, temporaryTables: rows[0]!.temporary_tables };
  } finally {
    await direct.end();
  }
}

const LEAVES_STATE = ['SELECT pg_advisory_lock(4242)', 'CREATE TEMP TABLE guard_scratch (id int)'];

describe('the transaction-mode guard on postgres.js, through a real transaction-mode PgBouncer', () => {
  beforeAll(async () => {
    const direct = new pg.Client({ connectionString: stack.url('direct') });
    await direct.connect();
    for (const statement of GUARD_SETUP_SQL) await direct.query(statement);
    await direct.end();
  });
  afterAll(async () => {
    await sql.end({ timeout: 1 });
    await db.$client.end({ timeout: 1 });
  });

  const paths: Record<string, (text: string) => Promise<unknown>> = {
    'tagged template': async (text) => sql(template(text)),
    unsafe: async (text) => sql.unsafe(text),
    file: async (text) => {
      const path = join(folder, `${Math.random().toString(36).slice(2)}.sql`);
      writeFileSync(path, text);
      return sql.file(path);
    },
    'begin (the scoped client)': (text) => sql.begin((tx) => tx.unsafe(text)),
    savepoint: (text) => sql.begin((tx) => tx.savepoint((point) => point.unsafe(text))),
    reserve: async (text) => {
      const reserved = await sql.reserve();
      try {
        return await reserved.unsafe(text);
      } finally {
        reserved.release();
      }
    },
    // Drizzle wraps a failed query in DrizzleQueryError, the refusal as its cause.
    "Drizzle's execute": (text) => unwrapped(db.execute(drizzleSql.raw(text))),
    "Drizzle's transaction": (text) => unwrapped(db.transaction((tx) => tx.execute(drizzleSql.raw(text)))),
  };

  for (const [path, send] of Object.entries(paths)) {
    it(`${path}: all ${UNSAFE_SQL.length} unsafe statements refused with a typed error, none reaches the server`, async () => {
      const offset = statementLogOffset(stack);
      for (const [index, [text, feature]] of UNSAFE_SQL.entries()) {
        await expect(send(`${text} /* pjs-guard-probe-${index} */`), text).rejects.toMatchObject({
          code: 'SESSION_FEATURE_IN_TRANSACTION_MODE',
          details: { feature: expect.stringContaining(feature) },
        });
      }
      await send('SELECT 1 /* pjs-guard-probe-control */');
      const log = readFileSync(stack.state.postgres.logFile).subarray(offset).toString();
      expect(log).toContain('pjs-guard-probe-control');
      expect(log).not.toMatch(/pjs-guard-probe-\d+/);
    });
  }

  it('listen() is refused too: notifications through a transaction pooler go to a connection you do not hold', async () => {
    await expect(sql.listen('jobs', () => undefined)).rejects.toMatchObject({
      code: 'SESSION_FEATURE_IN_TRANSACTION_MODE',
    });
  });

  it(`lets all ${SAFE_SQL.length} safe statements through, and they succeed`, async () => {
    // On a reserved connection: postgres.js refuses a bare BEGIN on a pool of several (UNSAFE_TRANSACTION).
    const reserved = await sql.reserve();
    try {
      for (const text of SAFE_SQL) await expect(reserved.unsafe(text), text).resolves.toBeDefined();
    } finally {
      reserved.release();
    }
  });

  it('a second client sees nothing left behind; the same statements through an unguarded client leave a lock and a temporary table (negative control)', async () => {
    for (const text of LEAVES_STATE) {
      await expect(async () => sql.unsafe(text)).rejects.toMatchObject({
        code: 'SESSION_FEATURE_IN_TRANSACTION_MODE',
      });
    }
    expect(await leftBehind()).toEqual({ advisoryLocks: 0, temporaryTables: 0 });
    const stockPolicy = defineDatabase({
      env: stack.envFor('transaction'),
      poolMode: 'transaction',
      applicationName: 'postgres-js-unguarded',
      logger: { warn() {} },
    });
    const unguarded = postgres(postgresJsUrl(stockPolicy), postgresJsOptions(stockPolicy));
    try {
      for (const text of LEAVES_STATE) await unguarded.unsafe(text);
      expect(await leftBehind()).toEqual({ advisoryLocks: 1, temporaryTables: 1 });
    } finally {
      await unguarded.end({ timeout: 1 });
    }
    // The pooler's server connections keep that state until they close: end them for the tests after this one.
    await stack.terminateBackends({ applicationName: 'postgres-js-unguarded' });
    expect(await leftBehind()).toEqual({ advisoryLocks: 0, temporaryTables: 0 });
  });
});
