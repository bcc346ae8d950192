// The adapter by its own package name: the export conditions pick the source or dist/ (CONTRIBUTING.md).
import type { Policy } from '@mpgkit/core';
import { createDrizzle, createMigrationDrizzle } from '@mpgkit/drizzle/node-postgres';
import type { AppClient, MigrationClient } from '@mpgkit/test-infra/conformance';
import { sql } from 'drizzle-orm';
import { drizzleAppClient } from './drizzle-operations.ts';

const rowsOf = <R>(result: unknown) => (result as { rows: R[] }).rows;

export function createAppClient(policy: Policy): AppClient {
  const db = createDrizzle(policy);
  return drizzleAppClient(db, rowsOf, () => db.$client.end());
}

export function createMigrationClient(policy: Policy): MigrationClient {
  const db = createMigrationDrizzle(policy);
  return {
    query: async <R>(text: string) => rowsOf<R>(await db.execute(sql.raw(text))),
    close: () => db.$client.end(),
  };
}
