// Negative control for the fault matrix's leak check: stock Drizzle over a pg Pool of the policy's size,
// with error listeners on the pool and every client (so it does not crash: a checked-out client's error has
// no listener in pg-pool) but without mpgkit's release of a client whose BEGIN failed
// (drizzle-orm 0.45.4 node-postgres/session.js runs BEGIN outside its try).
import type { Policy } from '@mpgkit/core';
import type { AppClient } from '@mpgkit/test-infra/conformance';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { drizzleAppClient } from './drizzle-operations.ts';

export function createAppClient(policy: Policy): AppClient {
  const pool = new pg.Pool({
    connectionString: policy.urls.pooled,
    application_name: policy.applicationName,
    max: policy.poolSize,
    connectionTimeoutMillis: 1_000,
  });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = drizzle({ client: pool });
  // A pool with leaked clients never ends (pool.end waits for them): give up after a second.
  const close = () => Promise.race([pool.end(), new Promise<void>((resolve) => setTimeout(resolve, 1_000))]);
  const app = drizzleAppClient(db, (result) => (result as { rows: never[] }).rows, close);
  // Every query in a transaction, so that every failure during the fault is a chance for BEGIN to fail
  // (the load runs transactions one query in ten otherwise, and an outage may fail too few of them).
  return { ...app, echo: async (n, s) => ((await app.transaction(n)).n === n ? { n, s } : { n: -1, s }) };
}
