// Negative control: TypeORM as its docs show it, a DataSource on DATABASE_URL with its own pool defaults: no
// connection lifetime.
import type { Policy } from '@mpgkit/core';
import type { AppClient } from '@mpgkit/test-infra/conformance';
import { DataSource } from 'typeorm';
import { appClientOn } from './typeorm-subject.ts';

export async function createAppClient(policy: Policy): Promise<AppClient> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: policy.urls.pooled,
    applicationName: policy.applicationName,
  });
  return appClientOn(await dataSource.initialize());
}
