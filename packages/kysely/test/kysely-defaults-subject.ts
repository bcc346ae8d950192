// Negative control: Kysely as its docs show it, a PostgresDialect over a plain pg Pool on DATABASE_URL: no
// connection lifetime, no error listener on the pool.
import type { Policy } from '@mpgkit/core';
import type { AppClient } from '@mpgkit/test-infra/conformance';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { appClientOn } from './kysely-subject.ts';

export function createAppClient(policy: Policy): AppClient {
  const pool = new pg.Pool({
    connectionString: policy.urls.pooled,
    application_name: policy.applicationName,
  });
  return appClientOn(new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }));
}
