// Negative control: a pool with the policy's options and safety net but without createPgPool's unnaming,
// whose queries carry statement names, as `client.query({ name })` does. Each app connection names its own statement (as per-connection statement caches do), so through
// a transaction pooler any query that lands on another server connection than the one that prepared it
// fails with `prepared statement "..." does not exist`.
import type { Policy } from '@mpgkit/core';
import { attachPoolSafetyNet, toPgPoolConfig } from '@mpgkit/core/adapter';
import pg from 'pg';
import type { AppClient } from '../subject.ts';
import { pgAppClient } from './policy-pg-pool.ts';

export function createAppClient(policy: Policy): AppClient {
  const pool = attachPoolSafetyNet(new pg.Pool(toPgPoolConfig(policy)), policy);
  const names = new WeakMap<pg.PoolClient, string>();
  let next = 0;
  const app = pgAppClient(pool);
  return {
    ...app,
    async echo(n, s) {
      const client = await pool.connect();
      if (!names.has(client)) names.set(client, `conformance_echo_${next++}`);
      try {
        const result = await client.query({
          name: names.get(client),
          text: 'SELECT $1::int AS n, $2::text AS s',
          values: [n, s],
        });
        client.release();
        return result.rows[0];
      } catch (error) {
        client.release();
        throw error;
      }
    },
  };
}
