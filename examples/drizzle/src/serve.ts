// The app as a long-running service (fly.toml [processes]): an HTTP endpoint that reads through the pooled
// URL, and a clean shutdown on SIGTERM (Fly stops machines with it): the server stops taking requests, then
// the pool closes.
import { createServer } from 'node:http';
import { createDrizzle } from '@mpgkit/drizzle/node-postgres';
import { sql } from 'drizzle-orm';
import { policy } from './db-policy.ts';
import { accounts } from './schema.ts';

console.log(policy.budgetSummary());
const db = createDrizzle(policy);
const server = createServer(async (_request, response) => {
  try {
    const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(accounts);
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ accounts: row?.count }));
  } catch (error) {
    // The error's message only: mpgkit's errors never carry a password, and a stack helps no client.
    response.writeHead(503).end((error as Error).message);
  }
});
// A few queries at once, so the pool holds connections before the first request.
await Promise.all(Array.from({ length: Math.min(3, policy.poolSize) }, () => db.execute(sql`SELECT 1`)));
server.listen(Number(process.env.PORT ?? 8080), () =>
  console.log(`listening on ${process.env.PORT ?? 8080}`),
);

process.once('SIGTERM', () => {
  server.close(async () => {
    await db.$client.end();
    console.log('stopped: no request in flight, pool closed');
  });
});
