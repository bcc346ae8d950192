// "The seed's hand-written settings": the node-postgres snippet of MPG's Connect Your Client guide, as
// apps copy it (max 10, idle 300 s, lifetime 600 s, connect 5 s, no error listeners), with its times
// scaled to the test proxy like everything else: lifetime = the drain window, idle = half of it.
import type { Policy } from '@mpgkit/core';
import type { AppClient } from '@mpgkit/test-infra/conformance';
import { pgAppClient } from '@mpgkit/test-infra/subjects/policy-pg-pool';
import pg from 'pg';

export function createAppClient(policy: Policy): AppClient {
  const scale = policy.drainWindowSeconds / 600;
  const pool = new pg.Pool({
    connectionString: policy.urls.pooled,
    max: 10,
    idleTimeoutMillis: 300_000 * scale,
    maxLifetimeSeconds: 600 * scale,
    connectionTimeoutMillis: 5_000,
    application_name: policy.applicationName,
  });
  return pgAppClient(pool);
}
