import { defineDatabase } from '@mpgkit/core';
import { attachStack, scaledPolicyOptions } from '@mpgkit/test-infra';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { expect, inject, it } from 'vitest';
import { runMigrations } from '../src/index.ts';

const stack = attachStack(inject('mpgkitStack'));

class CreateLedger1700000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('SELECT pg_sleep(0.5)'); // a slow migration, so two deploys overlap
    await runner.query('CREATE TABLE typeorm_ledger (id serial PRIMARY KEY, amount int NOT NULL)');
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE typeorm_ledger');
  }
}

it('two overlapping deploys migrate once: the second waits for the lock, then finds nothing pending', async () => {
  const policy = defineDatabase({
    ...scaledPolicyOptions(stack, 'transaction', 'typeorm-deploy'),
    logger: { warn() {} },
  });
  const deploy = async () => {
    const applied = await runMigrations(policy, {
      migrations: [CreateLedger1700000000000],
      migrationsTableName: 'typeorm_lock_test_migrations',
    });
    return applied.map((migration) => migration.name);
  };
  const [first, second] = await Promise.all([deploy(), deploy()]);
  expect([...first, ...second]).toEqual(['CreateLedger1700000000000']);
  const [row] = await stack.admin<{ n: number }>(
    'SELECT count(*)::int AS n FROM typeorm_lock_test_migrations',
    [],
    'fly-db',
  );
  expect(row?.n).toBe(1);
});
