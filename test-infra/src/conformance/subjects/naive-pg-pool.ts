// Negative control: what an app writes by hand without mpgkit — a pg Pool on DATABASE_URL with the
// library defaults: no lifetime, 10 s idle, no error listeners, max 10 whatever the budget says.
import type { Policy } from '@mpgkit/core';
import { applicationNameFor } from '@mpgkit/core/adapter';
import pg from 'pg';
import type { AppClient, MigrationClient } from '../subject.ts';
import { pgAppClient } from './policy-pg-pool.ts';

export function createAppClient(policy: Policy): AppClient {
  return pgAppClient(
    new pg.Pool({ connectionString: policy.urls.pooled, application_name: policy.applicationName }),
  );
}

// Migrations run on the same (pooled) URL as the app: the mistake the direct URL exists to prevent.
export function createMigrationClient(policy: Policy): MigrationClient {
  const pool = new pg.Pool({
    connectionString: policy.urls.pooled,
    max: 1,
    application_name: applicationNameFor(policy, 'migrate'),
  });
  pool.on('error', () => undefined);
  return { query: async <R>(sql: string) => (await pool.query(sql)).rows as R[], close: () => pool.end() };
}
