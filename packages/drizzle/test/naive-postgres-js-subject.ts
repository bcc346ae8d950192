// Negative control: postgres.js with its defaults (prepare: true), as in most tutorials: tagged-template
// queries become named statements, and so does Drizzle's `.prepare()`.
import type { Policy } from '@mpgkit/core';
import type { AppClient } from '@mpgkit/test-infra/conformance';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { drizzleAppClient } from './drizzle-operations.ts';

export function createAppClient(policy: Policy): AppClient {
  const client = postgres(policy.urls.pooled, { connection: { application_name: policy.applicationName } });
  const app = drizzleAppClient(
    drizzle({ client }),
    (result) => [...(result as never[])],
    () => client.end({ timeout: 1 }),
  );
  return {
    ...app,
    async echo(n, s) {
      const [row] = await client<{ n: number; s: string }[]>`SELECT ${n}::int AS n, ${s}::text AS s`;
      return row!;
    },
  };
}
