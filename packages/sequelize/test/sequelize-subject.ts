// The conformance subject: Sequelize the way an app uses it, built by @mpgkit/sequelize from a policy.
// The adapter by its own package name: the export conditions pick the source or dist/ (CONTRIBUTING.md).
import type { Policy } from '@mpgkit/core';
import { createMigrationSequelize, createSequelize } from '@mpgkit/sequelize';
import type { AppClient, MigrationClient } from '@mpgkit/test-infra/conformance';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

export function createAppClient(policy: Policy): AppClient {
  return appClientOn(createSequelize(policy));
}

/** The app client's queries on any Sequelize instance (the negative control uses Sequelize's defaults). */
export function appClientOn(sequelize: Sequelize): AppClient {
  const select = async <R extends object>(
    sql: string,
    bind: unknown[] = [],
    transaction?: Transaction,
  ): Promise<R[]> =>
    (await sequelize.query(sql, {
      bind,
      type: QueryTypes.SELECT,
      ...(transaction === undefined ? {} : { transaction }),
    })) as unknown as R[];
  return {
    async echo(n, s) {
      return (await select<{ n: number; s: string }>('SELECT $1::int AS n, $2::text AS s', [n, s]))[0]!;
    },
    transaction: (n) =>
      sequelize.transaction(async (transaction) => {
        const [first] = await select<{ id: string; n: number }>(
          'SELECT txid_current()::text AS id, $1::int AS n',
          [n],
          transaction,
        );
        const [second] = await select<{ id: string }>('SELECT txid_current()::text AS id', [], transaction);
        return { n: first!.n, txids: [first!.id, second!.id] as [string, string] };
      }),
    async sleep(seconds) {
      await select('SELECT pg_sleep($1)', [seconds]);
    },
    async write(run, id) {
      await sequelize.query('INSERT INTO conformance_writes (run, id) VALUES ($1, $2)', {
        bind: [run, id],
        type: QueryTypes.INSERT,
      });
    },
    writeInTransaction: (run, id) =>
      sequelize.transaction(async (transaction) => {
        await sequelize.query('INSERT INTO conformance_events (run, id) VALUES ($1, $2)', {
          bind: [run, id],
          type: QueryTypes.INSERT,
          transaction,
        });
      }),
    close: () => sequelize.close(),
  };
}

export function createMigrationClient(policy: Policy): MigrationClient {
  const sequelize = createMigrationSequelize(policy);
  return {
    query: async <R>(text: string) => (await sequelize.query(text, { type: QueryTypes.SELECT })) as R[],
    close: () => sequelize.close(),
  };
}
