import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineDatabase, type Policy } from '@mpgkit/core';
import { attachStack, scaledPolicyOptions, statementLogOffset, statementsSeen } from '@mpgkit/test-infra';
import { DataTypes, QueryTypes, Sequelize } from 'sequelize';
import * as umzug from 'umzug';
import { describe, expect, inject, it } from 'vitest';
import {
  createMigrationSequelize,
  createSequelize,
  runMigrations,
  sequelizeCliConfig,
} from '../src/index.ts';

const stack = attachStack(inject('mpgkitStack'));
const policyFor = (name: string, mode: 'transaction' | 'session' = 'transaction'): Policy =>
  defineDatabase({ ...scaledPolicyOptions(stack, mode, name), logger: { warn() {} } });
// A session SET, not a transaction-scoped one. `SET application_name=…` is PgBouncer's own: it syncs each
// client's application_name onto the server connection it lends (logged under the previous client's name).
const SESSION_SET = /^\s*SET\s+(?!LOCAL\b|TRANSACTION\b|CONSTRAINTS\b|application_name\b)/im;

describe('Sequelize on the policy', () => {
  it('sends no session SET through the transaction pooler; Sequelize with its defaults does (same run)', async () => {
    const offset = statementLogOffset(stack);
    const policy = policyFor('sequelize-no-set');
    const sequelize = createSequelize(policy);
    await sequelize.query('SELECT 1', { type: QueryTypes.SELECT });
    await sequelize.transaction(async (transaction) => {
      await sequelize.query('SELECT 2', { type: QueryTypes.SELECT, transaction });
    });
    await sequelize.close();
    const plain = new Sequelize(policy.urls.pooled, {
      logging: false,
      dialectOptions: { application_name: 'sequelize-defaults-set' },
    });
    await plain.query('SELECT 1', { type: QueryTypes.SELECT });
    await plain.close();
    const ours = statementsSeen(stack, 'sequelize-no-set', offset);
    expect(ours.length).toBeGreaterThan(2);
    expect(ours.filter((statement) => SESSION_SET.test(statement))).toEqual([]);
    // Sequelize's defaults set the session's time zone and message level on every new connection, which a
    // transaction pooler then lends to other clients.
    expect(statementsSeen(stack, 'sequelize-defaults-set', offset).join('\n')).toMatch(
      /SET client_min_messages TO warning;SET TIME ZONE INTERVAL '\+00:00' HOUR TO MINUTE/,
    );
  });

  it('in transaction mode, session-only SQL is refused before it is sent; on the direct URL it runs', async () => {
    const policy = policyFor('sequelize-guard');
    const sequelize = createSequelize(policy);
    const direct = createMigrationSequelize(policy);
    try {
      // Sequelize wraps every driver error in its own DatabaseError, the original as `parent`.
      await expect(sequelize.query('LISTEN jobs')).rejects.toMatchObject({
        name: 'SequelizeDatabaseError',
        parent: { code: 'SESSION_FEATURE_IN_TRANSACTION_MODE' },
      });
      expect(await sequelize.query('SELECT 1 AS one', { type: QueryTypes.SELECT })).toEqual([{ one: 1 }]);
      await direct.query('LISTEN jobs');
    } finally {
      await sequelize.close();
      await direct.close();
    }
  });

  it('models, transactions and rollbacks work through the transaction pooler, dates keep their instant', async () => {
    const policy = policyFor('sequelize-models');
    const sequelize = createSequelize(policy);
    const Order = sequelize.define(
      `Order${process.pid}`,
      { item: { type: DataTypes.TEXT, allowNull: false }, placedAt: DataTypes.DATE },
      { tableName: `sequelize_orders_${process.pid}`, timestamps: false },
    );
    const migration = createMigrationSequelize(policy);
    await migration.getQueryInterface().createTable(`sequelize_orders_${process.pid}`, {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      item: { type: DataTypes.TEXT, allowNull: false },
      placedAt: DataTypes.DATE,
    });
    await migration.close();
    try {
      const placedAt = new Date('2026-11-23T07:00:00.123Z');
      const order = await Order.create({ item: 'coffee', placedAt });
      await sequelize.transaction(async (transaction) => {
        await order.update({ item: 'tea' }, { transaction });
      });
      await expect(
        sequelize.transaction(async (transaction) => {
          await Order.create({ item: 'rolled back' }, { transaction });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const rows = (await Order.findAll({ raw: true })) as unknown as { item: string; placedAt: Date }[];
      expect(rows.map((row) => row.item)).toEqual(['tea']);
      expect(rows[0]?.placedAt.toISOString()).toBe(placedAt.toISOString());
    } finally {
      await sequelize.close();
    }
  });

  it('runMigrations runs umzug on the direct URL under a session lock, once; sequelizeCliConfig is that URL', async () => {
    const policy = policyFor('sequelize-migrate');
    const dir = mkdtempSync(join(tmpdir(), 'mpgkit-umzug-'));
    const table = `umzug_things_${process.pid}`;
    writeFileSync(
      join(dir, '001-things.cjs'),
      `exports.up = async ({ context }) => {
         const [[{ name }]] = await context.sequelize.query("SELECT current_setting('application_name') AS name");
         const [[{ held }]] = await context.sequelize.query("SELECT count(*)::int AS held FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()");
         await context.createTable(${JSON.stringify(table)}, { id: { type: 'INTEGER', primaryKey: true }, note: { type: 'TEXT' } });
         await context.bulkInsert(${JSON.stringify(table)}, [{ id: 1, note: name + ' lock ' + held }]);
       };
       exports.down = async ({ context }) => context.dropTable(${JSON.stringify(table)});`,
    );
    const options = { migrations: { glob: join(dir, '*.cjs') }, tableName: `umzug_meta_${process.pid}` };
    expect(await runMigrations(policy, umzug, options)).toEqual(['001-things.cjs']);
    expect(await runMigrations(policy, umzug, options)).toEqual([]);
    const check = createMigrationSequelize(policy);
    try {
      expect(await check.query(`SELECT note FROM ${table}`, { type: QueryTypes.SELECT })).toEqual([
        { note: 'sequelize-migrate:migrate lock 1' },
      ]);
    } finally {
      await check.close();
    }
    const cli = sequelizeCliConfig(policy);
    expect(cli.pool).toMatchObject({ max: 1, min: 0 });
    expect(JSON.stringify(cli)).not.toContain(stack.state.users.writer.password);
  });

  it("one folder for both tools: a sequelize-cli migration (queryInterface, Sequelize) and an umzug one ({ context }); umzug's own resolver fails the first (negative control)", async () => {
    const policy = policyFor('sequelize-either-tool');
    const dir = mkdtempSync(join(tmpdir(), 'mpgkit-either-'));
    const table = `either_tool_${process.pid}`;
    // As `npx sequelize-cli migration:generate` writes it.
    writeFileSync(
      join(dir, '001-cli-style.cjs'),
      `module.exports = {
         async up(queryInterface, Sequelize) {
           await queryInterface.createTable(${JSON.stringify(table)}, { id: { type: Sequelize.INTEGER, primaryKey: true }, note: { type: Sequelize.TEXT } });
         },
         async down(queryInterface) { await queryInterface.dropTable(${JSON.stringify(table)}); },
       };`,
    );
    writeFileSync(
      join(dir, '002-umzug-style.mjs'),
      `export const up = async ({ context, name }) => context.bulkInsert(${JSON.stringify(table)}, [{ id: 1, note: name }]);`,
    );
    const tableName = `either_meta_${process.pid}`;
    // umzug on its own, with its default resolver, hands the cli-style migration `{ path, name, context }`.
    const plain = createMigrationSequelize(policy);
    try {
      const stock = new umzug.Umzug({
        migrations: { glob: join(dir, '*.{cjs,mjs}') },
        context: plain.getQueryInterface(),
        storage: new umzug.SequelizeStorage({ sequelize: plain, tableName }),
        logger: undefined,
      });
      await expect(stock.up()).rejects.toThrow(
        /createTable is not a function|Cannot read properties of undefined/,
      );
    } finally {
      await plain.close();
    }
    expect(
      await runMigrations(policy, umzug, { migrations: { glob: join(dir, '*.{cjs,mjs}') }, tableName }),
    ).toEqual(['001-cli-style.cjs', '002-umzug-style.mjs']);
    const check = createMigrationSequelize(policy);
    try {
      expect(await check.query(`SELECT id, note FROM ${table}`, { type: QueryTypes.SELECT })).toEqual([
        { id: 1, note: '002-umzug-style.mjs' },
      ]);
    } finally {
      await check.close();
    }
  });

  it('a failing migration is MIGRATION_FAILED with the cause, and releases its lock', async () => {
    const policy = policyFor('sequelize-migrate-fail');
    const failing = [{ name: '001-fail', up: async () => Promise.reject(new Error('no such table: nope')) }];
    const error = await runMigrations(policy, umzug, {
      migrations: failing,
      tableName: `umzug_fail_${process.pid}`,
      lockKey: 4711,
    }).then(
      () => new Error('resolved'),
      (caught: unknown) => caught as Error & { code?: string },
    );
    expect(error).toMatchObject({ code: 'MIGRATION_FAILED' });
    expect(error.message).toMatch(/no such table: nope/);
    const [{ held } = { held: -1 }] = await stack.admin<{ held: number }>(
      "SELECT count(*)::int AS held FROM pg_locks WHERE locktype = 'advisory' AND objid = 4711",
    );
    expect(held).toBe(0);
  });
});
