import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineDatabase } from '@mpgkit/core';
import { attachStack, scaledPolicyOptions } from '@mpgkit/test-infra';
import { type Generated, Kysely, PostgresDialect, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createKysely, runMigrations } from '../src/index.ts';

const stack = attachStack(inject('mpgkitStack'));

// The Migrator moved to 'kysely/migration' in 0.29 (the compat job runs 0.27, where it is in 'kysely'),
// and its lock changed in a patch release: a session pg_advisory_lock since 0.28.18 and 0.29.3, a
// transaction-scoped pg_advisory_xact_lock before (kysely CHANGELOG; PR #1919).
const migrationModule: string = 'kysely/migration'; // a variable, so vite does not resolve it ahead
const { Migrator } = (await import(/* @vite-ignore */ migrationModule).catch(
  () => import('kysely'),
)) as typeof import('kysely/migration');
const kyselyVersion = kyselyPackageVersion();
const [minor = 0, patch = 0] = kyselyVersion.split('.').slice(1).map(Number);
const takesSessionLock = (minor === 28 && patch >= 18) || (minor === 29 && patch >= 3) || minor > 29;

function kyselyPackageVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('kysely'));
  while (
    !existsSync(join(dir, 'package.json')) ||
    !readFileSync(join(dir, 'package.json'), 'utf8').includes('"name": "kysely"')
  ) {
    dir = dirname(dir);
  }
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}
// Kysely's Migrator lock: pg_advisory_lock(3853314791062309107), a bigint key split by pg_locks into
// classid (high 32 bits) and objid (low 32 bits) (kysely 0.29.9 dist/dialect/postgres/postgres-adapter.js).
const KYSELY_LOCK = 3853314791062309107n;
const lockHolders = async () =>
  (
    await stack.admin<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1
         AND ((classid::bigint << 32) | objid::bigint) = $1`,
      [KYSELY_LOCK.toString()],
    )
  )[0]?.n ?? 0;

function migrations(table: string): Record<string, Migration> {
  return {
    [`001_${table}`]: {
      up: async (db) => {
        await db.schema
          .createTable(table)
          .addColumn('id', 'serial', (c) => c.primaryKey())
          .addColumn('name', 'text')
          .execute();
      },
    },
  };
}
const provider = (table: string) => ({ getMigrations: async () => migrations(table) });

describe('Kysely migrations on the direct URL while the app goes through the transaction pooler', () => {
  it('migrates, leaves no advisory lock behind, and the app keeps serving', async () => {
    const policy = defineDatabase({
      ...scaledPolicyOptions(stack, 'transaction', 'kysely-migrate'),
      logger: { warn() {} },
    });
    const app = createKysely<{ kysely_items: { id: Generated<number>; name: string } }>(policy);
    let serving = true;
    let served = 0;
    const traffic = (async () => {
      while (serving) {
        await sql`SELECT 1`.execute(app);
        served++;
      }
    })();
    const result = await runMigrations(policy, Migrator, {
      provider: provider('kysely_items'),
      migrationTableName: 'kysely_migration_a',
      migrationLockTableName: 'kysely_migration_lock_a',
    });
    serving = false;
    await traffic;
    expect(result.results?.map((r) => r.status)).toEqual(['Success']);
    expect(await lockHolders()).toBe(0);
    await app.insertInto('kysely_items').values({ name: 'first' }).execute();
    expect(await app.selectFrom('kysely_items').select('name').execute()).toEqual([{ name: 'first' }]);
    expect(served).toBeGreaterThan(0);
    await app.destroy();
  });

  it(`negative control: the Migrator on the pooled URL leaves its session lock orphaned on a pooled backend (kysely ${kyselyVersion}: ${takesSessionLock ? 'session lock' : 'transaction lock, nothing to orphan'})`, async () => {
    const policy = defineDatabase({
      ...scaledPolicyOptions(stack, 'transaction', 'kysely-naive'),
      logger: { warn() {} },
    });
    const app = createKysely<unknown>(policy);
    let serving = true;
    const traffic = Array.from({ length: 8 }, async () => {
      while (serving) await sql`SELECT 1`.execute(app);
    });
    // What users write by hand: the Migrator over the app's pooled URL.
    const naive = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: policy.urls.pooled, max: 1 }) }),
    });
    try {
      const migrator = new Migrator({
        db: naive,
        provider: provider('kysely_naive_items'),
        migrationTableName: 'kysely_migration_b',
        migrationLockTableName: 'kysely_migration_lock_b',
      });
      // Each run takes and releases the session lock. Whether the unlock lands on the backend that holds
      // the lock is up to PgBouncer, so deploy a few times, stopping at the first orphaned lock (the next
      // run would wait on it for Kysely's one-hour lock_timeout).
      let orphaned = 0;
      for (let deploy = 0; deploy < 10 && orphaned === 0; deploy++) {
        const result = await migrator.migrateToLatest();
        expect(result.error).toBeUndefined(); // the migration itself "succeeds"...
        orphaned = await lockHolders();
      }
      if (takesSessionLock) {
        // ...but an unlock ran on another server connection: the lock is still held, by nobody's session.
        expect(orphaned, `kysely ${kyselyVersion}`).toBeGreaterThan(0);
      } else {
        // Before the change a transaction-scoped lock ends with its transaction, even through the pooler.
        expect(orphaned, `kysely ${kyselyVersion}`).toBe(0);
      }
    } finally {
      serving = false;
      await Promise.all(traffic);
      await naive.destroy();
      await app.destroy();
      await stack.admin(
        `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1
           AND ((classid::bigint << 32) | objid::bigint) = $1`,
        [KYSELY_LOCK.toString()],
      );
    }
  });
});
