// The conformance subject: Kysely the way an app uses it, built by @mpgkit/kysely from a policy.
// The adapter by its own package name: the export conditions pick the source or dist/ (CONTRIBUTING.md).
import type { Policy } from '@mpgkit/core';
import { createKysely, createMigrationKysely } from '@mpgkit/kysely';
import type { AppClient, MigrationClient } from '@mpgkit/test-infra/conformance';
import { type Kysely, sql } from 'kysely';

export function createAppClient(policy: Policy): AppClient {
  return appClientOn(createKysely<unknown>(policy));
}

/** The conformance operations on any Kysely instance (the defaults control builds its own). */
export function appClientOn(db: Kysely<unknown>): AppClient {
  return {
    async echo(n, s) {
      const { rows } = await sql<{ n: number; s: string }>`SELECT ${n}::int AS n, ${s}::text AS s`.execute(
        db,
      );
      return rows[0]!;
    },
    transaction: (n) =>
      db.transaction().execute(async (trx) => {
        const first = await sql<{
          id: string;
          n: number;
        }>`SELECT txid_current()::text AS id, ${n}::int AS n`.execute(trx);
        const second = await sql<{ id: string }>`SELECT txid_current()::text AS id`.execute(trx);
        return { n: first.rows[0]!.n, txids: [first.rows[0]!.id, second.rows[0]!.id] };
      }),
    async sleep(seconds) {
      await sql`SELECT pg_sleep(${seconds})`.execute(db);
    },
    async write(run, id) {
      await sql`INSERT INTO conformance_writes (run, id) VALUES (${run}, ${id})`.execute(db);
    },
    writeInTransaction: (run, id) =>
      db.transaction().execute(async (trx) => {
        await sql`INSERT INTO conformance_events (run, id) VALUES (${run}, ${id})`.execute(trx);
      }),
    close: () => db.destroy(),
  };
}

export function createMigrationClient(policy: Policy): MigrationClient {
  const db = createMigrationKysely<unknown>(policy);
  return {
    query: async <R>(text: string) => (await sql.raw<R>(text).execute(db)).rows,
    close: () => db.destroy(),
  };
}
