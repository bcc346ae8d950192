// The app on either driver (DRIZZLE_DRIVER=node-postgres | postgres-js), through the pooled URL.
// `.prepare()` works in transaction mode on both: node-postgres sends it unnamed, postgres.js has prepare: false.
import { eq, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { policy } from './db-policy.ts';
import { accounts } from './schema.ts';

console.log(policy.budgetSummary()); // once at startup: this group's share of the cluster, no secret in it
const driver = process.env.DRIZZLE_DRIVER ?? 'node-postgres';
let db: PgDatabase<PgQueryResultHKT>;
let close: () => Promise<void>;
if (driver === 'postgres-js') {
  const { createDrizzle } = await import('@mpgkit/drizzle/postgres-js');
  const client = createDrizzle(policy);
  [db, close] = [client, () => client.$client.end()];
} else {
  const { createDrizzle } = await import('@mpgkit/drizzle/node-postgres');
  const client = createDrizzle(policy);
  [db, close] = [client, () => client.$client.end()];
}

try {
  const [alice] = await db.insert(accounts).values({ owner: 'alice', balance: 100 }).returning();
  const [bob] = await db.insert(accounts).values({ owner: 'bob' }).returning();
  await db.transaction(async (tx) => {
    await tx
      .update(accounts)
      .set({ balance: sql`${accounts.balance} - 30` })
      .where(eq(accounts.id, alice!.id));
    await tx
      .update(accounts)
      .set({ balance: sql`${accounts.balance} + 30` })
      .where(eq(accounts.id, bob!.id));
  });
  const byId = db
    .select()
    .from(accounts)
    .where(eq(accounts.id, sql.placeholder('id')))
    .prepare('account_by_id');
  const [after] = await byId.execute({ id: bob!.id });
  console.log(
    `[${driver}] bob has ${after!.balance} after the transfer (pool ${policy.poolSize}, ${policy.poolMode} mode)`,
  );
} finally {
  await close();
}
