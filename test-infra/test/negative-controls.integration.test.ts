import { fileURLToPath } from 'node:url';
import { defineDatabase } from '@mpgkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConformanceSubject,
  concurrentQueries,
  errorsFromFaults,
  idleConnectionsKilled,
  loadAcrossDrain,
  loadAcrossFault,
  migrationRouting,
  POSTGRES_CRASH,
  poolSizeBound,
  settingsReachedDriver,
} from '../src/conformance/index.ts';
import { type Stack, startStack } from '../src/index.ts';

// Every conformance scenario must be able to fail. These subjects are what apps write without mpgkit;
// each must fail the scenario that targets its mistake, in the same run where the Policy-built pool
// passes (conformance-pg-pool.integration.test.ts).

const subject = (name: string, file: string): ConformanceSubject => ({
  name,
  module: fileURLToPath(new URL(`../src/conformance/subjects/${file}`, import.meta.url)),
});
const naive = subject('naive pg Pool', 'naive-pg-pool.ts');
const named = subject('pg Pool with named statements', 'named-statements-pg-pool.ts');
const policyPool = subject('pg Pool from a core Policy', 'policy-pg-pool.ts');
const stockClient = subject("pg Pool with pg's own Client", 'stock-client-pg-pool.ts');

describe('negative controls fail their scenario', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.down();
  });

  it('1. no lifetime, 10 s idle: connections outlive the lifetime and the idle timeout', async () => {
    const outcome = await settingsReachedDriver({ stack, mode: 'transaction', subject: naive });
    expect(outcome.survivedPastLifetime).toBeGreaterThan(0);
    expect(outcome.openAfterIdle).toBeGreaterThan(0);
  });

  it('2. named statements through the transaction pooler: prepared-statement errors or wrong rows', async () => {
    const outcome = await concurrentQueries({ stack, mode: 'transaction', subject: named });
    expect(outcome.namedStatements.some((name) => name.startsWith('conformance_echo_'))).toBe(true);
    expect(outcome.preparedStatementErrors + outcome.wrongRows).toBeGreaterThan(0);
    // ...and the same client is fine through the session pooler, where named statements are allowed.
    await stack.restartPooler('transaction'); // drop the statements left on pooled server connections
    const session = await concurrentQueries({ stack, mode: 'session', subject: named });
    expect(session).toMatchObject({ errors: 0, wrongRows: 0 });
  });

  it.each(['transaction', 'session'] as const)(
    '3. no lifetime, no listeners, across a drain (%s): failures or a crash',
    async (mode) => {
      const outcome = await loadAcrossDrain({ stack, mode, subject: naive });
      expect(outcome.crashed || outcome.failed > 0).toBe(true);
    },
  );

  it("7. without core's hardened client, a login cut by a stopped PgBouncer reads as a query cut in flight (retry only if idempotent)", async () => {
    const captured = await errorsFromFaults({ stack, mode: 'transaction', subject: stockClient });
    const loginCut = captured.find((entry) => entry.fault === 'login cut by a stopped PgBouncer');
    // The same fault through every adapter is `connect`, safe (conformance 7): the mark is what tells them apart.
    expect(loginCut?.classification).toMatchObject({ phase: 'in-flight', retrySafe: false });
  });

  it('4. no error listener: killing idle connections crashes the process', async () => {
    const outcome = await idleConnectionsKilled({ stack, mode: 'session', subject: naive });
    expect(outcome.crashed).toBe(true);
    expect(outcome.crash).toMatch(/terminat|ECONNRESET|Connection/i);
  });

  it('5. migrations on the pooled URL (transaction mode): the session advisory lock does not hold', async () => {
    const outcome = await migrationRouting({ stack, mode: 'transaction', subject: naive });
    expect(outcome.migrationSeenByPooler).toBe(true);
    expect(outcome.unlockCycles.succeeded).toBeLessThan(outcome.unlockCycles.attempted);
  });

  it('6. a pool sized by library default (10), not by the budget: more connections than the policy allows', async () => {
    const outcome = await poolSizeBound({ stack, mode: 'session', subject: naive });
    expect(outcome.maxPoolerClients).toBeGreaterThan(outcome.poolSize);
  });

  it('3b. acknowledged writes lost: a PostgreSQL crash with synchronous_commit off loses some; the same crash with it on, none', async () => {
    // Commits are acknowledged before their WAL is written; with the WAL writer asleep for 10 s, the last ones
    // exist only in shared memory when an immediate shutdown (a crash) discards it. The same check the matrix
    // runs after every fault must see them lost.
    const crashUnder = async (synchronousCommit: 'on' | 'off') => {
      await stack.admin(`ALTER SYSTEM SET synchronous_commit = ${synchronousCommit}`);
      await stack.admin(`ALTER SYSTEM SET wal_writer_delay = '10s'`);
      await stack.admin('SELECT pg_reload_conf()');
      try {
        return await loadAcrossFault({
          stack,
          mode: 'transaction',
          subject: policyPool,
          fault: POSTGRES_CRASH,
        });
      } finally {
        await stack.admin('ALTER SYSTEM RESET synchronous_commit');
        await stack.admin('ALTER SYSTEM RESET wal_writer_delay');
        await stack.admin('SELECT pg_reload_conf()');
      }
    };
    const asynchronous = await crashUnder('off');
    const synchronous = await crashUnder('on');
    expect(asynchronous.crashed).toBe(false);
    expect(asynchronous.writesKept?.lost).toBeGreaterThan(0);
    expect(synchronous.writesKept?.acked).toBeGreaterThan(0);
    expect(synchronous.writesKept?.lost).toBe(0);
  });

  it("an app configured by nothing but pnpm stack:up's env file survives a drain (the env scales the policy)", async () => {
    const env = stack.env();
    const outcome = await loadAcrossDrain({
      stack,
      mode: 'transaction',
      subject: policyPool,
      policyOptions: { env, poolMode: 'transaction', applicationName: 'stack-env-only' },
    });
    expect(outcome).toMatchObject({ crashed: false, failed: 0 });
    expect(outcome.ok).toBeGreaterThan(100);
    // Without the two variables the same policy keeps connections for up to 600 s, past this proxy's hard stop.
    const { MPGKIT_DRAIN_WINDOW_SECONDS: _window, MPGKIT_MAX_LIFETIME_SECONDS: _lifetime, ...plain } = env;
    expect(defineDatabase({ env: plain, logger: { warn() {} } }).lifetime.maxSeconds).toBeGreaterThan(
      stack.state.proxy.hardStopAfterSeconds,
    );
  });
});
