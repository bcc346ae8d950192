// The conformance subject: knex the way an app uses it, built by @mpgkit/knex from a policy.
// The adapter by its own package name: the export conditions pick the source or dist/ (CONTRIBUTING.md).
import type { Policy } from '@mpgkit/core';
import { createKnex, createMigrationKnex } from '@mpgkit/knex';
import type { AppClient, MigrationClient } from '@mpgkit/test-infra/conformance';
import type { Knex } from 'knex';

export function createAppClient(policy: Policy): AppClient {
  return appClientOn(createKnex(policy));
}

/** The app client's queries on any knex instance (the negative control uses knex's defaults). */
export function appClientOn(db: Knex): AppClient {
  return {
    async echo(n, s) {
      const { rows } = await db.raw<{ rows: { n: number; s: string }[] }>(
        'SELECT ?::int AS n, ?::text AS s',
        [n, s],
      );
      return rows[0]!;
    },
    transaction: (n) =>
      db.transaction(async (trx) => {
        const first = await trx.raw<{ rows: { id: string; n: number }[] }>(
          'SELECT txid_current()::text AS id, ?::int AS n',
          [n],
        );
        const second = await trx.raw<{ rows: { id: string }[] }>('SELECT txid_current()::text AS id');
        return { n: first.rows[0]!.n, txids: [first.rows[0]!.id, second.rows[0]!.id] };
      }),
    async sleep(seconds) {
      await db.raw('SELECT pg_sleep(?)', [seconds]);
    },
    async write(run, id) {
      await db('conformance_writes').insert({ run, id });
    },
    writeInTransaction: (run, id) =>
      db.transaction(async (trx) => {
        await trx('conformance_events').insert({ run, id });
      }),
    close: () => db.destroy(),
  };
}

export function createMigrationClient(policy: Policy): MigrationClient {
  const db = createMigrationKnex(policy);
  return {
    query: async <R>(text: string) => (await db.raw<{ rows: R[] }>(text)).rows,
    close: () => db.destroy(),
  };
}
