import type { PoolMode } from '@mpgkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../stack.ts';
import { recordErrorCorpus } from './error-corpus.ts';
import { CONVENTION_UNITS, sumOf } from './metrics-reader.ts';
import { settingsReachedDriver } from './scenarios/01-settings-reached-driver.ts';
import { concurrentQueries } from './scenarios/02-concurrent-queries.ts';
import { loadAcrossDrain, type MetricsSeen } from './scenarios/03-load-across-drain.ts';
import { FAULTS, loadAcrossFault } from './scenarios/03b-faults-under-load.ts';
import { idleConnectionsKilled } from './scenarios/04-idle-connections-killed.ts';
import { migrationRouting } from './scenarios/05-migration-routing.ts';
import { poolSizeBound } from './scenarios/06-pool-size-bound.ts';
import { errorsFromFaults } from './scenarios/07-errors-from-faults.ts';
import { tlsAsServersSeeIt } from './scenarios/08-tls.ts';
import { commitLost } from './scenarios/09-commit-lost.ts';
import type { ConformanceSubject } from './subject.ts';

/**
 * How soon after a component works again queries must succeed. Typical: 0.02–1.1 s (PgBouncer's
 * server_login_retry is 1 s here, and the proxy retries a refused connect after ~1 s); the rest is headroom for
 * a 2-core CI machine running every project at once (postgres.js once took 2.45 s there).
 */
const RECOVERY_BOUND_MS = 3_000;

/** Options of {@link describeConformance}. */
export interface ConformanceOptions {
  /** Pool modes to run in. @default ['transaction', 'session'] */
  modes?: PoolMode[];
  /** Also run the concurrency scenario through the ORM's prepared-statement API. @default false */
  prepared?: boolean;
  /**
   * A crash the driver is known to have when connections are cut under load, which mpgkit cannot prevent (an
   * upstream bug thrown where no caller can catch it): the fault scenarios (3b) then accept that crash, and
   * only that one, and say so in their names. @default undefined
   */
  knownFaultCrash?: { crash: RegExp; upstream: string };
  /**
   * Why the adapter's pool reports no metrics (its driver exposes neither pool events nor counts): scenario 3
   * then requires that it reports none, rather than checking them. @default undefined: the metrics are checked
   */
  poolNotMeasured?: string;
}

/**
 * The conformance suite every adapter passes: scenarios 1 to 7 and 9 in both pool modes, then 8 (TLS, which
 * sets its own modes), in the order of their files (`scenarios/`), against a fresh stack of its own (the
 * scenarios inject faults). Each scenario measures; this suite decides.
 */
export function describeConformance(subject: ConformanceSubject, options: ConformanceOptions = {}): void {
  describe(`conformance: ${subject.name}`, () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack();
    });
    afterAll(async () => {
      await stack?.down();
    });

    for (const mode of options.modes ?? (['transaction', 'session'] as const)) {
      describe(`${mode} mode`, () => {
        it('1. the policy reached the driver: application name, lifetime and idle timeout, as PgBouncer sees them', async () => {
          const outcome = await settingsReachedDriver({ stack, mode, subject });
          expect(outcome.clientsWithApplicationName).toBeGreaterThan(0);
          expect(outcome.survivedPastLifetime).toBe(0);
          expect(outcome.openAfterIdle).toBe(0);
        });

        it('2. concurrent queries and transactions: no prepared-statement error, every row right', async () => {
          const outcome = await concurrentQueries({ stack, mode, subject });
          expect(outcome).toMatchObject({ errors: 0, preparedStatementErrors: 0, wrongRows: 0 });
          expect(outcome.queries).toBe(320);
          // Named statements are fine in session mode; through a transaction pooler none may reach Postgres.
          if (mode === 'transaction') expect(outcome.namedStatements).toEqual([]);
        });

        if (options.prepared) {
          it("2b. the ORM's prepared-statement API: no error and no hang", async () => {
            const outcome = await concurrentQueries({ stack, mode, subject, usePrepared: true });
            expect(outcome).toMatchObject({ errors: 0, wrongRows: 0 });
            if (mode === 'transaction') expect(outcome.namedStatements).toEqual([]);
          });
        }

        it(`3. a steady load across a proxy drain: no failed query, no crash; ${options.poolNotMeasured ? 'no pool metrics (the driver exposes no pool state)' : "the pool's OpenTelemetry metrics match PgBouncer, lifetimes closed are counted, names and units follow the conventions"}`, async () => {
          const outcome = await loadAcrossDrain({ stack, mode, subject });
          expect(outcome.crash).toBeUndefined();
          expect(outcome).toMatchObject({ crashed: false, failed: 0, wrongRows: 0 });
          expect(outcome.ok).toBeGreaterThan(100);
          expectPoolMetrics(outcome.metrics, options.poolNotMeasured);
        });

        const accepted = options.knownFaultCrash;
        for (const [index, fault] of FAULTS.entries()) {
          // Half the runs give the app its own uncaughtException/unhandledRejection handlers (an escaped error
          // then reaches them instead of ending the process), the other half none; alternated by fault and
          // mode, so every fault runs both ways for every adapter without running twice.
          const appHandlers = (index + (mode === 'session' ? 1 : 0)) % 2 === 1;
          const crashWord = appHandlers
            ? "no error reaching the app's own process handlers"
            : 'no crash (no process handlers)';
          it(`3b. ${fault} under load: ${crashWord}${accepted ? ` but the driver's known one (${accepted.upstream})` : ''}, queries recover within ${RECOVERY_BOUND_MS / 1000} s, no acknowledged write lost, no pool slot lost, nothing left open at PgBouncer after close, every error explained`, async () => {
            const outcome = await loadAcrossFault({ stack, mode, subject, fault, appHandlers });
            if (accepted !== undefined && outcome.crashed) {
              expect(outcome.crash).toMatch(accepted.crash);
              return;
            }
            expect(outcome.crash).toBeUndefined();
            expect(outcome.crashed).toBe(false);
            for (const escaped of outcome.escaped) expect(escaped).toMatch(accepted?.crash ?? /^$/);
            if (outcome.escaped.length > 0) return; // the driver's known crash, caught by the app's handler
            expect(outcome.recoveredMs).toBeDefined();
            expect(outcome.recoveredMs).toBeLessThan(RECOVERY_BOUND_MS);
            expect(outcome.unexplainedMessages).toEqual([]);
            expect(outcome.unexplained).toBe(0);
            expect(outcome.wrongRows).toBe(0);
            // Every write the ORM acknowledged is in the table.
            expect(outcome.writesKept?.acked).toBeGreaterThan(0);
            expect(outcome.writesKept?.lost).toBe(0);
            // poolSize concurrent 0.2 s sleeps: ~0.2 s with every slot, ≥ 0.4 s if the fault leaked one.
            expect(outcome.saturationMs).toBeDefined();
            expect(outcome.saturationMs).toBeLessThan(380);
            // The server's view: once the app closed its client, PgBouncer holds nothing of it.
            expect(outcome.closeHung).toBe(false);
            expect(outcome.leftOpenAfterClose).toBe(0);
          });
        }

        it('4. idle connections killed (backends terminated, PgBouncer restarted): no crash, the next query works', async () => {
          const outcome = await idleConnectionsKilled({ stack, mode, subject });
          expect(outcome.crash).toBeUndefined();
          expect(outcome.nextQueryAfter).toEqual({ terminateBackends: true, poolerRestart: true });
        });

        it('5. migrations hold a session advisory lock on the direct URL; the app goes through the pooler', async () => {
          const outcome = await migrationRouting({ stack, mode, subject });
          expect(outcome).toEqual({
            lockHeldByMigrationBackend: true,
            unlockCycles: { succeeded: 20, attempted: 20 },
            lockWaitTimedOut: false,
            migrationSeenByPooler: false,
            appSeenByPooler: true,
          });
        });

        it('6. the process never holds more connections than its pool size', async () => {
          const outcome = await poolSizeBound({ stack, mode, subject });
          expect(outcome.completed).toBe(outcome.poolSize * 3);
          expect(outcome.maxPoolerClients).toBeGreaterThan(0);
          expect(outcome.maxPoolerClients).toBeLessThanOrEqual(outcome.poolSize);
          expect(outcome.maxBackends).toBeLessThanOrEqual(outcome.poolSize);
        });

        it(`7. errors from real faults, as the ORM throws them, are classified the same through every adapter: a wrong password is never retried, a login cut by a stopped PgBouncer always may be, a query cut in flight only if idempotent`, async () => {
          const captured = await errorsFromFaults({ stack, mode, subject });
          recordErrorCorpus(subject.name, mode, captured);
          const byFault = Object.fromEntries(captured.map((entry) => [entry.fault, entry.classification]));
          expect(byFault['wrong password']).toEqual({
            id: 'password-authentication-failed',
            phase: 'config',
            retrySafe: false,
          });
          expect(byFault['login cut by a stopped PgBouncer']).toMatchObject({
            id: expect.any(String),
            phase: 'connect',
            retrySafe: true,
          });
          expect(byFault['backend terminated in flight']).toMatchObject({
            id: expect.any(String),
            phase: 'in-flight',
            retrySafe: false,
          });
        });

        it('9. a write whose connection is cut right after the server answered COMMIT: retry() runs it once and says the outcome is unknown, while a naive retry in the same run writes it twice', async () => {
          const outcome = await commitLost({ stack, mode, subject });
          expect(outcome.underRetry).toMatchObject({ cut: true, attempts: 1, rows: 1 });
          expect(outcome.underRetry.error).toMatchObject({
            id: 'commit-outcome-unknown',
            phase: 'commit',
            retrySafe: false,
          });
          expect(outcome.naive).toMatchObject({ cut: true, attempts: 2, rows: 2 });
        });
      });
    }

    it('8. TLS means what it says: require and verify-* encrypt, disable does not, verify-full refuses a wrong CA or host name with an explained error', async () => {
      const outcome = await tlsAsServersSeeIt({ stack, subject });
      for (const [mode, seen] of Object.entries(outcome.byMode)) {
        const expected = mode !== 'disable';
        expect(seen.app.length, `${mode}: the app's connections`).toBeGreaterThan(0);
        expect(
          seen.app.every((ssl) => ssl === expected),
          `${mode}: app ${seen.app}`,
        ).toBe(true);
        if (seen.migration !== undefined) expect(seen.migration, `${mode}: migration`).toBe(expected);
      }
      expect(outcome.pooler['verify-full'].length).toBeGreaterThan(0);
      expect(outcome.pooler['verify-full'].every((tls) => tls.startsWith('TLSv1.'))).toBe(true);
      expect(outcome.pooler.disable.every((tls) => tls === '')).toBe(true);
      expect(outcome.refused).toEqual({
        wrongCa: 'tls-certificate-untrusted',
        wrongHost: 'tls-host-mismatch',
      });
    });
  });
}

// Read through the real SDK once the load settled after the drain: every connection the pool reports is one
// PgBouncer shows under the app's name (asked just before and after); the lifetime (≤ 2 s here) closed some;
// the queries waited for and used connections; the names and units are the conventions'.
function expectPoolMetrics(metrics: MetricsSeen | undefined, notMeasured: string | undefined): void {
  expect(metrics, 'the load runner reported its metrics').toBeDefined();
  const { points, clientsAtPgBouncer } = metrics as MetricsSeen;
  if (notMeasured !== undefined) {
    expect(points.map((point) => point.name)).toEqual([]);
    return;
  }
  const count = (state: string) =>
    sumOf(points, 'db.client.connection.count', { 'db.client.connection.state': state });
  expect({ used: count('used'), total: count('used') + count('idle') }).toEqual({
    used: 0,
    total: clientsAtPgBouncer[0],
  });
  expect(clientsAtPgBouncer[1]).toBe(clientsAtPgBouncer[0]);
  expect(sumOf(points, 'db.client.connection.limit')).toBeGreaterThan(0);
  expect(
    sumOf(points, 'mpgkit.db.client.connection.closed', { 'mpgkit.close.reason': 'lifetime' }),
  ).toBeGreaterThan(0);
  expect(sumOf(points, 'db.client.connection.wait_time')).toBeGreaterThan(100);
  expect(sumOf(points, 'db.client.connection.use_time')).toBeGreaterThan(100);
  expect(sumOf(points, 'db.client.connection.create_time')).toBeGreaterThan(0);
  const units = Object.fromEntries(points.map((point) => [point.name, point.unit]));
  expect(units).toMatchObject(CONVENTION_UNITS);
}
