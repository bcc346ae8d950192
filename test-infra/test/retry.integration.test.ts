import { classifyError, createPgPool, defineDatabase, retry } from '@mpgkit/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onDemandMeter, sumOf } from '../src/conformance/metrics-reader.ts';
import { type Stack, startStack } from '../src/index.ts';

// retry() on real faults: the row count says whether a write ran once, twice, or not at all. A stack of
// its own, since these stop and kill its parts.
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await stack.admin('CREATE TABLE retry_ledger (id serial PRIMARY KEY, run text NOT NULL)', [], 'fly-db');
  await stack.admin('GRANT ALL ON retry_ledger, retry_ledger_id_seq TO PUBLIC', [], 'fly-db');
});
afterAll(() => stack?.down());

const rows = async (run: string) =>
  (
    await stack.admin<{ n: number }>(
      'SELECT count(*)::int AS n FROM retry_ledger WHERE run = $1',
      [run],
      'fly-db',
    )
  )[0]?.n ?? -1;

const policyFor = (applicationName: string) =>
  defineDatabase({
    env: stack.envFor('transaction'),
    poolMode: 'transaction',
    applicationName,
    logger: { warn() {} },
  });

describe('retry() on real faults', () => {
  it('does not re-run a write whose connection died in flight (backend terminated mid-insert)', async () => {
    const pool = createPgPool(policyFor('retry-terminated'), pg.Pool);
    let attempts = 0;
    const insert = () => {
      attempts++;
      // The insert waits 2 s inside its statement, so the backend is killed while it is in flight.
      return pool.query("INSERT INTO retry_ledger (run) SELECT 'terminated' FROM pg_sleep(2)");
    };
    const outcome = retry(insert, { baseDelayMs: 10 }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await stack.terminateBackends({ applicationName: 'retry-terminated' })).toBeGreaterThan(0);
    const error = await outcome;
    expect(classifyError(error)).toMatchObject({ phase: 'in-flight', retrySafe: false });
    expect(attempts).toBe(1);
    await pool.end();
  });

  it("does not repeat a write that committed after the client stopped waiting (pg's query_timeout)", async () => {
    const client = new pg.Client({ connectionString: stack.url('transaction'), query_timeout: 200 });
    client.on('error', () => undefined);
    await client.connect();
    const insert = (run: string) => () =>
      client.query(`INSERT INTO retry_ledger (run) SELECT '${run}' FROM pg_sleep(0.6)`);
    const error = await retry(insert('timed-out'), { baseDelayMs: 10 }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('Query read timeout');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the server finishes and commits
    expect(await rows('timed-out')).toBe(1);
    await client.end();
  });

  it('negative control: the same timeout retried as if the work were idempotent writes the row again', async () => {
    // Each attempt on a connection of its own, as a pool would give it; they are closed once both ran.
    const clients: pg.Client[] = [];
    const insert = async () => {
      const client = new pg.Client({ connectionString: stack.url('transaction'), query_timeout: 200 });
      client.on('error', () => undefined);
      clients.push(client);
      await client.connect();
      return client.query("INSERT INTO retry_ledger (run) SELECT 'duplicated' FROM pg_sleep(0.6)");
    };
    const metrics = await onDemandMeter();
    await retry(insert, { attempts: 2, baseDelayMs: 10, idempotent: true, meter: metrics.meter }).catch(
      () => undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await rows('duplicated')).toBe(2);
    // The retry is counted as one the caller declared idempotent (the statement had been sent).
    expect(
      sumOf(await metrics.collect(), 'mpgkit.db.client.retries', { 'mpgkit.retry.safety': 'idempotent' }),
    ).toBe(1);
    await metrics.shutdown();
    await Promise.all(clients.map((client) => client.end()));
  });

  it('retries a write whose connection could not be opened (PgBouncer restarting), and it runs once', async () => {
    const pool = createPgPool(policyFor('retry-login'), pg.Pool);
    await stack.stop('transaction');
    // Longer than HAProxy's own connect retries (3, about 1 s apart), which would hide a shorter outage.
    const restart = new Promise((resolve) => setTimeout(resolve, 4000)).then(() =>
      stack.start('transaction'),
    );
    // Negative control, in the same outage: a plain pg Pool's failure reads like a query cut in flight.
    const plain = new pg.Pool({ connectionString: stack.url('transaction'), connectionTimeoutMillis: 5000 });
    plain.on('error', () => undefined);
    const plainError = plain.query('SELECT 1').catch((error: unknown) => error);
    const errors: unknown[] = [];
    const metrics = await onDemandMeter();
    await retry(() => pool.query("INSERT INTO retry_ledger (run) VALUES ('login')"), {
      attempts: 30,
      baseDelayMs: 100,
      maxDelayMs: 500,
      onRetry: (error) => errors.push(error),
      meter: metrics.meter,
    });
    await restart;
    expect(classifyError(await plainError)).toMatchObject({ phase: 'in-flight', retrySafe: false });
    await plain.end();
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors)
      expect(classifyError(error)).toMatchObject({ phase: 'connect', retrySafe: true });
    // Every retry counted, each as safe because nothing was sent (through the real OpenTelemetry SDK).
    const points = await metrics.collect();
    expect(sumOf(points, 'mpgkit.db.client.retries', { 'mpgkit.retry.safety': 'nothing-sent' })).toBe(
      errors.length,
    );
    expect(sumOf(points, 'mpgkit.db.client.retries')).toBe(errors.length);
    await metrics.shutdown();
    expect(await rows('login')).toBe(1);
    await pool.end();
  });
});
