// Negative control: Sequelize as its docs show it, on DATABASE_URL with its defaults: pool { max: 5,
// idle: 10 s }, no connection lifetime, and its per-connection session SETs.
import type { Policy } from '@mpgkit/core';
import type { AppClient } from '@mpgkit/test-infra/conformance';
import { Sequelize } from 'sequelize';
import { appClientOn } from './sequelize-subject.ts';

export function createAppClient(policy: Policy): AppClient {
  return appClientOn(
    new Sequelize(policy.urls.pooled, {
      logging: false,
      dialectOptions: { application_name: policy.applicationName },
    }),
  );
}
