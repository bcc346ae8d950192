// What careful apps write after their first crash: error listeners on the pool and on every client, but
// pg-pool's defaults otherwise (no lifetime, 10 s idle). It survives a drain without crashing; the
// connections the proxy cuts at its hard stop take their queries with them.
import type { Policy } from '@mpgkit/core';
import type { AppClient } from '@mpgkit/test-infra/conformance';
import { pgAppClient } from '@mpgkit/test-infra/subjects/policy-pg-pool';
import pg from 'pg';

export function createAppClient(policy: Policy): AppClient {
  const pool = new pg.Pool({
    connectionString: policy.urls.pooled,
    application_name: policy.applicationName,
  });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pgAppClient(pool);
}
