import { defineDatabase, type Policy } from '@mpgkit/core';
import { attachStack, scaledPolicyOptions, showClients } from '@mpgkit/test-infra';
import knex from 'knex';
import { Model } from 'objection';
import { describe, expect, inject, it } from 'vitest';
import { createKnex, createMigrationKnex, knexfileConfig, runMigrations } from '../src/index.ts';

const stack = attachStack(inject('mpgkitStack'));
const policyFor = (name: string): Policy =>
  defineDatabase({ ...scaledPolicyOptions(stack, 'transaction', name), logger: { warn() {} } });

// A migration source in code (knex's MigrationSource interface), as a knexfile's `migrations` can give.
const source = (table: string, seen: string[]) => ({
  getMigrations: async () => ['001_create'],
  getMigrationName: (name: string) => name,
  getMigration: async () => ({
    up: async (db: knex.Knex) => {
      // What the migration's own session is: the direct URL's, so session locks are safe here.
      const { rows } = await db.raw<{ rows: { name: string }[] }>(
        "SELECT current_setting('application_name') AS name",
      );
      seen.push(rows[0]?.name ?? '');
      await db.raw('SELECT pg_advisory_lock(4242)');
      await db.schema.createTable(table, (t) => {
        t.increments('id');
        t.text('name');
      });
      await db.raw('SELECT pg_advisory_unlock(4242)');
    },
    down: async (db: knex.Knex) => db.schema.dropTable(table),
  }),
});

describe('knex migrations and Objection on the policy', () => {
  it('runMigrations runs on the direct URL (one session), records its batch, and is idempotent', async () => {
    const policy = policyFor('knex-migrate');
    const seen: string[] = [];
    const table = `knex_people_${process.pid}`;
    const config = { migrationSource: source(table, seen), tableName: `knex_migrations_${process.pid}` };
    const [batch, log] = await runMigrations(policy, config);
    expect(batch).toBe(1);
    expect(log).toEqual(['001_create']);
    expect(seen).toEqual(['knex-migrate:migrate']);
    // Nothing left to run: no migration in the log (knex 3.0 reports the next batch number here, 3.3 the last).
    const [, again] = await runMigrations(policy, config);
    expect(again).toEqual([]);
    const check = createMigrationKnex(policy);
    const { rows } = await check.raw<{ rows: { n: number }[] }>(
      `SELECT count(*)::int AS n FROM ${config.tableName}`,
    );
    await check.destroy();
    expect(rows[0]?.n).toBe(1);
  });

  it('a failing migration is MIGRATION_FAILED with knex error as its cause, no password in it', async () => {
    const policy = policyFor('knex-migrate-fail');
    const failing = {
      getMigrations: async () => ['001_fail'],
      getMigrationName: (name: string) => name,
      getMigration: async () => ({
        up: (db: knex.Knex) => db.raw('SELECT * FROM no_such_table_here'),
        down: async () => undefined,
      }),
    };
    const error = await runMigrations(policy, {
      migrationSource: failing,
      tableName: `knex_migrations_fail_${process.pid}`,
    }).then(
      () => new Error('resolved'),
      (caught: unknown) => caught as Error & { code?: string; cause?: unknown },
    );
    expect(error).toMatchObject({ code: 'MIGRATION_FAILED' });
    expect(error.message).toMatch(/no_such_table_here/);
    expect((error.cause as Error).message).toMatch(/does not exist/);
  });

  it("knexfileConfig is what knex's CLI would build: direct URL, one connection", async () => {
    const policy = policyFor('knex-cli');
    const config = knexfileConfig(policy, { migrations: { directory: './migrations' } });
    expect(config.pool).toMatchObject({ min: 0, max: 1 });
    expect(config.migrations).toEqual({ directory: './migrations' });
    for (const user of Object.values(stack.state.users)) {
      expect(JSON.stringify(config)).not.toContain(user.password);
    }
    const db = knex(config);
    try {
      const { rows } = await db.raw<{ rows: { name: string }[] }>(
        "SELECT current_setting('application_name') AS name",
      );
      expect(rows[0]?.name).toBe('knex-cli:migrate');
    } finally {
      await db.destroy();
    }
  });

  it('Objection models and transactions work on createKnex unchanged, through the transaction pooler', async () => {
    const table = `objection_people_${process.pid}`;
    const policy = policyFor('objection');
    const migration = createMigrationKnex(policy);
    await migration.raw(`CREATE TABLE IF NOT EXISTS ${table} (id serial PRIMARY KEY, name text NOT NULL)`);
    await migration.destroy();
    class Person extends Model {
      declare id: number;
      declare name: string;
      static override get tableName() {
        return table;
      }
    }
    const db = createKnex(policy);
    try {
      const ada = await Person.query(db).insert({ name: 'Ada' });
      const renamed = await Person.transaction(db, async (trx) => {
        await Person.query(trx).patch({ name: 'Ada L.' }).where('id', ada.id);
        return Person.query(trx).findById(ada.id);
      });
      expect(renamed?.name).toBe('Ada L.');
      // A failed transaction rolls back and leaves the pool usable.
      await expect(
        Person.transaction(db, async (trx) => {
          await Person.query(trx).insert({ name: 'rolled back' });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await Person.query(db).where('name', 'rolled back').resultSize()).toBe(0);
    } finally {
      await db.destroy();
    }
  });

  it('in transaction mode, session-only SQL is refused before it is sent; on the direct URL it runs', async () => {
    const policy = policyFor('knex-guard');
    const db = createKnex(policy);
    const direct = createMigrationKnex(policy);
    try {
      await expect(db.raw('LISTEN jobs')).rejects.toMatchObject({
        code: 'SESSION_FEATURE_IN_TRANSACTION_MODE',
      });
      await expect(db.raw("SET statement_timeout = '1s'")).rejects.toMatchObject({
        code: 'SESSION_FEATURE_IN_TRANSACTION_MODE',
      });
      // What the guard lets through still works on the same pool: the refused query broke nothing.
      expect((await db.raw<{ rows: { one: number }[] }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
      await direct.raw('LISTEN jobs');
    } finally {
      await db.destroy();
      await direct.destroy();
    }
  });
});

describe('the pool under createKnex follows the knex version', () => {
  // The catalog's knex 3.3 here; the compatibility job runs 3.0.1, which has no connectionPool.
  const takesPgPool =
    typeof (knex.Client.prototype as { wrapNativePool?: unknown }).wrapNativePool === 'function';

  it("on knex 3.3+ it runs on the policy's pg pool, which destroy() ends; before, on knex's own pool", async () => {
    const policy = policyFor('knex-pool-kind');
    const db = createKnex(policy);
    const client = db.client as { pool: { totalCount?: number; numUsed?: unknown }; _ownsPool?: boolean };
    await db.raw('SELECT 1');
    if (takesPgPool) {
      // knex wraps the pg pool (acquire/release/destroy); the pg pool itself holds the connection.
      expect(client._ownsPool).toBe(false);
      expect(typeof client.pool.numUsed).toBe('undefined'); // not tarn
    } else {
      expect(typeof client.pool.numUsed).toBe('function'); // tarn, with the policy client's lifetime
    }
    await db.destroy();
    // Nothing of it left at PgBouncer once destroyed: the pg pool ended too. Within 500 ms, well before the
    // policy's 1 s idle timeout would have closed a connection a forgotten pool kept.
    const ours = async () =>
      (await showClients(stack, 'transaction')).filter((row) =>
        row.application_name.startsWith('knex-pool-kind'),
      ).length;
    const deadline = Date.now() + 500;
    let open = await ours();
    while (open > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      open = await ours();
    }
    expect(open).toBe(0);
  });
});
