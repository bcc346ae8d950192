import { readFileSync, statSync } from 'node:fs';
import { createPgPool, defineDatabase, explainError, type PgPoolOptions } from '@mpgkit/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureUntil, type Stack, startStack } from '../src/index.ts';

// The connect backoff of the pools mpgkit builds, on a real outage: PostgreSQL stopped for 2 s under four
// workers that query as fast as their queries fail. Behind PgBouncer each failed query costs a login (PgBouncer
// answers "server login has been failing" and closes the client), so without a backoff the pool floods the
// pooler. The same pool with `connectBackoff: false` is the negative control, in the same run.
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.down());

const OUTAGE_MS = 2_000;
const CONNECT_TIMEOUT_S = 5;

interface OutageOutcome {
  logins: number;
  failed: number;
  unexplained: string[];
  /** The longest a failed query took: no query may wait past the connect timeout. */
  slowestFailureMs: number;
  /** From PostgreSQL accepting connections again to the first query that works. */
  recoveredMs: number;
}

async function outage(applicationName: string, options: PgPoolOptions): Promise<OutageOutcome> {
  const policy = defineDatabase({
    env: stack.envFor('transaction'),
    poolMode: 'transaction',
    poolSize: 4,
    connectTimeoutSeconds: CONNECT_TIMEOUT_S,
    applicationName,
    logger: { warn() {} },
  });
  const pool = createPgPool(policy, pg.Pool, options);
  const outcome: OutageOutcome = {
    logins: 0,
    failed: 0,
    unexplained: [],
    slowestFailureMs: 0,
    recoveredMs: -1,
  };
  try {
    await Promise.all(Array.from({ length: 4 }, () => pool.query('SELECT 1')));
    const log = stack.state.poolers.transaction.logFile;
    const offset = statSync(log).size;
    await stack.stop('postgres');
    // PostgreSQL comes back on its own schedule: a query PgBouncer queued meanwhile waits for it.
    let back = 0;
    const restarted = new Promise<void>((resolve) => setTimeout(resolve, OUTAGE_MS))
      .then(() => stack.start('postgres'))
      .then(() => {
        back = Date.now();
      });
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (back === 0) {
          const t0 = performance.now();
          await pool.query('SELECT 1').catch((error: unknown) => {
            outcome.failed++;
            outcome.slowestFailureMs = Math.max(outcome.slowestFailureMs, performance.now() - t0);
            if (explainError(error) === undefined) outcome.unexplained.push(String(error));
          });
        }
      }),
    );
    await restarted;
    outcome.logins =
      readFileSync(log)
        .subarray(offset)
        .toString('utf8')
        .match(/login attempt:/g)?.length ?? 0;
    while (Date.now() - back < 10_000) {
      const worked = await pool.query('SELECT 1').then(
        () => true,
        () => false,
      );
      if (worked) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    outcome.recoveredMs = Date.now() - back;
  } finally {
    await pool.end();
  }
  return outcome;
}

// An outage must fail something to measure anything: on a loaded machine (CI) PgBouncer once held every query of
// the negative control through the 2 s (0 logins). An outage in which no query failed is tried again, up to
// three times, for either pool alike; an outcome that is wrong every time fails the test, with what it saw.
function failingOutage(applicationName: string, options: PgPoolOptions): Promise<OutageOutcome> {
  return measureUntil(
    (attempt) => outage(attempt === 1 ? applicationName : `${applicationName}-${attempt}`, options),
    (outcome) => outcome.failed > 0,
  );
}

describe('connect backoff (pg pools mpgkit builds)', () => {
  it('a PostgreSQL outage: far fewer PgBouncer logins than without it, no query waits past the connect timeout, recovery as quick', async () => {
    const without = await failingOutage('backoff-off', { connectBackoff: false });
    const withBackoff = await failingOutage('backoff-on', {});
    const seen = JSON.stringify({ without, withBackoff });
    expect(without.failed, seen).toBeGreaterThan(0);
    expect(withBackoff.failed, seen).toBeGreaterThan(0);
    // The negative control floods the pooler: a login per failed query.
    expect(without.logins, seen).toBeGreaterThan(50);
    expect(withBackoff.logins * 3, seen).toBeLessThanOrEqual(without.logins);
    for (const outcome of [without, withBackoff]) {
      expect(outcome.unexplained).toEqual([]);
      expect(outcome.slowestFailureMs, seen).toBeLessThan(CONNECT_TIMEOUT_S * 1000);
      // PgBouncer refuses logins for server_login_retry (1 s here) after the last failure; the backoff adds at
      // most its cap (1 s) on top.
      expect(outcome.recoveredMs, seen).toBeLessThan(3_000);
    }
  });
});
