// The app: queries and a transaction through the pooled (transaction-mode) URL.
import { createKysely } from '@mpgkit/kysely';
import type { Database } from './database.ts';
import { policy } from './db-policy.ts';

// Once at startup, one line: how this process's group fits its share of the cluster (no secret in it).
console.log(policy.budgetSummary());
const db = createKysely<Database>(policy);
try {
  const note = await db
    .insertInto('kysely_example_notes')
    .values({ body: 'hello from Kysely' })
    .returning(['id', 'body'])
    .executeTakeFirstOrThrow();
  const moved = await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('kysely_example_notes')
      .set({ body: 'edited in a transaction' })
      .where('id', '=', note.id)
      .execute();
    return trx
      .selectFrom('kysely_example_notes')
      .select('body')
      .where('id', '=', note.id)
      .executeTakeFirstOrThrow();
  });
  const { count } = await db
    .selectFrom('kysely_example_notes')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  console.log(
    `note ${note.id}: "${moved.body}"; ${count} notes; pool size ${policy.poolSize} (${policy.poolMode} mode)`,
  );
} finally {
  await db.destroy();
}
