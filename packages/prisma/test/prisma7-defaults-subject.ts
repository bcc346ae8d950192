// Negative control: Prisma 7 as its docs show it, PrismaPg on DATABASE_URL with adapter-pg's pool defaults: no
// connection lifetime.
import type { Policy } from '@mpgkit/core';
import type { AppClient } from '@mpgkit/test-infra/conformance';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.ts';
import { appClientOn } from './prisma7-subject.ts';

export function createAppClient(policy: Policy): AppClient {
  const adapter = new PrismaPg({
    connectionString: policy.urls.pooled,
    application_name: policy.applicationName,
  });
  return appClientOn(new PrismaClient({ adapter }));
}
