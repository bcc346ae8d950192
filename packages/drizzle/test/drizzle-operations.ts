// The conformance operations written once in Drizzle's own idiom; each driver's subject supplies the db.
import type { AppClient } from '@mpgkit/test-infra/conformance';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

type Row = { n: number; s: string };

export function drizzleAppClient(
  db: PgDatabase<PgQueryResultHKT>,
  rowsOf: <R>(result: unknown) => R[],
  close: () => Promise<void>,
): AppClient {
  // A named prepared statement (Drizzle's `.prepare(name)`), the API that breaks behind transaction poolers.
  const prepared = db
    .select({
      n: sql<number>`${sql.placeholder('n')}::int`.as('n'),
      s: sql<string>`${sql.placeholder('s')}::text`.as('s'),
    })
    .from(sql`(VALUES (1)) AS one (x)`)
    .prepare('conformance_drizzle_echo');
  return {
    async echo(n, s) {
      return rowsOf<Row>(await db.execute(sql`SELECT ${n}::int AS n, ${s}::text AS s`))[0]!;
    },
    transaction: (n) =>
      db.transaction(async (tx) => {
        const [first] = rowsOf<{ id: string; n: number }>(
          await tx.execute(sql`SELECT txid_current()::text AS id, ${n}::int AS n`),
        );
        const [second] = rowsOf<{ id: string }>(await tx.execute(sql`SELECT txid_current()::text AS id`));
        return { n: first!.n, txids: [first!.id, second!.id] as [string, string] };
      }),
    async sleep(seconds) {
      await db.execute(sql`SELECT pg_sleep(${seconds})`);
    },
    async write(run, id) {
      await db.execute(sql`INSERT INTO conformance_writes (run, id) VALUES (${run}, ${id})`);
    },
    writeInTransaction: (run, id) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO conformance_events (run, id) VALUES (${run}, ${id})`);
      }),
    async preparedEcho(n, s) {
      return ((await prepared.execute({ n, s })) as Row[])[0]!;
    },
    close,
  };
}
