// The app as a long-running service (fly.toml [processes]): an HTTP endpoint that queries through the pooled
// URL, the pool's metrics on the Prometheus endpoint (src/telemetry.ts, imported first), and a clean shutdown
// on SIGTERM (Fly stops machines with it): the server stops taking requests, then the pool closes.
import './telemetry.ts';
import { createServer } from 'node:http';
import { createKysely } from '@mpgkit/kysely';
import type { Database } from './database.ts';
import { policy } from './db-policy.ts';
import { meterProvider } from './telemetry.ts';

console.log(policy.budgetSummary());
const db = createKysely<Database>(policy);
const server = createServer(async (_request, response) => {
  try {
    const { count } = await db
      .selectFrom('kysely_example_notes')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ notes: Number(count) }));
  } catch (error) {
    // The error's message only: mpgkit's errors never carry a password, and a stack helps no client.
    response.writeHead(503).end((error as Error).message);
  }
});
// A few queries at once, so the pool holds connections before the first request (and shows in the metrics).
await Promise.all(
  Array.from({ length: Math.min(3, policy.poolSize) }, () =>
    db.selectNoFrom((eb) => eb.val(1).as('one')).execute(),
  ),
);
server.listen(Number(process.env.PORT ?? 8080), () =>
  console.log(`listening on ${process.env.PORT ?? 8080}`),
);

process.once('SIGTERM', () => {
  server.close(async () => {
    await db.destroy();
    await meterProvider.shutdown();
    console.log('stopped: no request in flight, pool closed');
  });
});
