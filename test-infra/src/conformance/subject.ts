import type { DatabaseOptions, Policy } from '@mpgkit/core';

/** What every adapter's app client must do, each the ORM's own usual way. */
export interface AppClient {
  /** `SELECT $1::int AS n, $2::text AS s`, parameterized, through the ORM's normal query path. */
  echo(n: number, s: string): Promise<{ n: number; s: string }>;
  /** Two statements in one transaction, each returning `txid_current()` (equal iff one server transaction). */
  transaction(n: number): Promise<{ n: number; txids: [string, string] }>;
  /** `SELECT pg_sleep(seconds)`: holds a connection for that long. */
  sleep(seconds: number): Promise<void>;
  /**
   * `INSERT INTO conformance_writes (run, id) VALUES ($1, $2)`, the ORM's usual way: the fault scenarios
   * compare the writes it acknowledged with what the database stored.
   */
  write(run: string, id: number): Promise<void>;
  /**
   * `INSERT INTO conformance_events (run, id) VALUES ($1, $2)` inside one transaction through the ORM's
   * transaction API (for a pg Pool, node-postgres's documented BEGIN / COMMIT / catch-ROLLBACK pattern). The
   * table has no key, so work that ran twice leaves two rows: scenario 9 cuts the connection after the
   * server answered COMMIT and counts them.
   */
  writeInTransaction(run: string, id: number): Promise<void>;
  /** The ORM's prepared-statement API, where it has one (e.g. Drizzle's `.prepare()`). */
  preparedEcho?(n: number, s: string): Promise<{ n: number; s: string }>;
  close(): Promise<void>;
}

/** The client an adapter uses for migrations (direct URL, a real session). */
export interface MigrationClient {
  /** Raw SQL on the migration connection; consecutive calls must share one server session. */
  query<R = Record<string, unknown>>(sql: string): Promise<R[]>;
  close(): Promise<void>;
}

/** A module under test: imported in-process and by the child processes of the fault scenarios. */
export interface SubjectModule {
  createAppClient(policy: Policy): AppClient | Promise<AppClient>;
  createMigrationClient?(policy: Policy): MigrationClient | Promise<MigrationClient>;
}

/** An adapter (or a negative control) under test. */
export interface ConformanceSubject {
  /** Shown in test names. */
  name: string;
  /** Absolute path of a module exporting {@link SubjectModule}'s functions. */
  module: string;
}

/** Serializable policy options (no logger, no functions): the child processes rebuild the policy. */
export type PolicyOptions = Omit<DatabaseOptions, 'logger' | 'random'>;
