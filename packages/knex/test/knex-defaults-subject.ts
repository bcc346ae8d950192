// Negative control: knex as its docs show it, on DATABASE_URL with knex's defaults: pool { min: 2, max: 10 },
// no connection lifetime, connections kept however long they live.
import type { Policy } from '@mpgkit/core';
import type { AppClient } from '@mpgkit/test-infra/conformance';
import knex from 'knex';
import { appClientOn } from './knex-subject.ts';

export function createAppClient(policy: Policy): AppClient {
  return appClientOn(
    knex({
      client: 'pg',
      connection: { connectionString: policy.urls.pooled, application_name: policy.applicationName },
    }),
  );
}
