// The adapter by its own package name: the export conditions pick the source or dist/ (CONTRIBUTING.md).
import type { Policy } from '@mpgkit/core';
import type { AppClient, MigrationClient } from '@mpgkit/test-infra/conformance';
import { createDataSource, createMigrationDataSource } from '@mpgkit/typeorm';
import type { DataSource } from 'typeorm';

export async function createAppClient(policy: Policy): Promise<AppClient> {
  return appClientOn(await createDataSource(policy).initialize());
}

/** The conformance operations on any initialized DataSource (the defaults control builds its own). */
export function appClientOn(dataSource: DataSource): AppClient {
  return {
    async echo(n, s) {
      return (await dataSource.query('SELECT $1::int AS n, $2::text AS s', [n, s]))[0];
    },
    transaction: (n) =>
      dataSource.transaction(async (manager) => {
        const [first] = await manager.query('SELECT txid_current()::text AS id, $1::int AS n', [n]);
        const [second] = await manager.query('SELECT txid_current()::text AS id');
        return { n: first.n, txids: [first.id, second.id] };
      }),
    async sleep(seconds) {
      await dataSource.query('SELECT pg_sleep($1)', [seconds]);
    },
    async write(run, id) {
      await dataSource.query('INSERT INTO conformance_writes (run, id) VALUES ($1, $2)', [run, id]);
    },
    writeInTransaction: (run, id) =>
      dataSource.transaction(async (manager) => {
        await manager.query('INSERT INTO conformance_events (run, id) VALUES ($1, $2)', [run, id]);
      }),
    close: () => dataSource.destroy(),
  };
}

export async function createMigrationClient(policy: Policy): Promise<MigrationClient> {
  const dataSource = await createMigrationDataSource(policy).initialize();
  // Migrations and locks run on one QueryRunner: one real session on the direct URL.
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  return {
    query: (sql) => runner.query(sql),
    close: async () => {
      await runner.release();
      await dataSource.destroy();
    },
  };
}
