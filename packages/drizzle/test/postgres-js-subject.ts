// The adapter by its own package name: the export conditions pick the source or dist/ (CONTRIBUTING.md).
import type { Policy } from '@mpgkit/core';
import { createDrizzle, createMigrationDrizzle } from '@mpgkit/drizzle/postgres-js';
import type { AppClient, MigrationClient } from '@mpgkit/test-infra/conformance';
import { sql } from 'drizzle-orm';
import { drizzleAppClient } from './drizzle-operations.ts';

// postgres.js returns rows as an array (a RowList).
const rowsOf = <R>(result: unknown) => [...(result as R[])];

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
