import { createPgPool, defineDatabase } from '@mpgkit/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectBesidePgBouncer, scaledPolicyOptions } from '../src/conformance/index.ts';
import { CONVENTION_UNITS, onDemandMeter, sumOf } from '../src/conformance/metrics-reader.ts';
import { type Stack, startStack } from '../src/index.ts';

// The pg pool's metrics through the real OpenTelemetry SDK (a reader collected on demand), in-process, while a
// load runs across a proxy drain: besides what conformance scenario 3 checks for every adapter (PgBouncer's
// view), the counts must match the pool's own (pg-pool's totalCount and idleCount).
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.down());

describe('pool metrics (OpenTelemetry SDK, in-memory reader)', () => {
  it("across a drain under load: counts match the pool's own and PgBouncer's, lifetimes closed are counted, names and units follow the conventions", async () => {
    const metrics = await onDemandMeter();
    const applicationName = 'metrics-drain';
    const policy = defineDatabase({
      ...scaledPolicyOptions(stack, 'transaction', applicationName),
      meter: metrics.meter,
      logger: { warn() {} },
    });
    const pool = createPgPool(policy, pg.Pool);
    // Beside it, under the same load and drain, a pool that records nothing per query (perQueryMetrics: false).
    const lean = createPgPool(
      defineDatabase({
        ...scaledPolicyOptions(stack, 'transaction', 'metrics-lean'),
        meter: metrics.meter,
        perQueryMetrics: false,
        logger: { warn() {} },
      }),
      pg.Pool,
    );
    let running = true;
    let failed = 0;
    const load = [pool, lean].flatMap((target) =>
      Array.from({ length: 3 }, async () => {
        while (running) await target.query('SELECT pg_sleep(0.01)').catch(() => failed++);
      }),
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const { hardStopAt } = await stack.drain();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, hardStopAt - Date.now()) + 1_000));
      running = false;
      await Promise.all(load);
      // The load stopped: the pool's connections are idle, and each is one PgBouncer client. The pool's own
      // counts are read as the collection ends; PgBouncer is asked around it (the pool recycles while idle).
      await new Promise((resolve) => setTimeout(resolve, 200));
      let own = { idle: -1, used: -1 };
      let leanCount = -1;
      const seen = await collectBesidePgBouncer(stack, 'transaction', applicationName, async () => {
        const points = await metrics.collect();
        own = { idle: pool.idleCount, used: pool.totalCount - pool.idleCount };
        leanCount = lean.totalCount;
        return points;
      });
      const all = seen?.points ?? [];
      const pooled = { 'db.client.connection.pool.name': applicationName };
      const state = (name: string) =>
        sumOf(all, 'db.client.connection.count', { ...pooled, 'db.client.connection.state': name });
      expect({ idle: state('idle'), used: state('used') }).toEqual(own);
      const reported = state('idle') + state('used');
      expect(seen?.clientsAtPgBouncer).toEqual([reported, reported]);
      expect(sumOf(all, 'db.client.connection.limit', pooled)).toBe(policy.poolSize);
      expect(all.some((point) => point.name === 'db.client.connection.max')).toBe(false); // the old name
      // 0 failed queries across the drain; the lifetime (≤ 2 s here) closed connections several times.
      expect(failed).toBe(0);
      expect(
        sumOf(all, 'mpgkit.db.client.connection.closed', { 'mpgkit.close.reason': 'lifetime' }),
      ).toBeGreaterThan(0);
      expect(sumOf(all, 'db.client.connection.wait_time', pooled)).toBeGreaterThan(100);
      expect(sumOf(all, 'db.client.connection.use_time', pooled)).toBeGreaterThan(100);
      expect(sumOf(all, 'db.client.connection.create_time', pooled)).toBeGreaterThanOrEqual(policy.poolSize);
      expect(Object.fromEntries(all.map((point) => [point.name, point.unit]))).toMatchObject(
        CONVENTION_UNITS,
      );
      // The lean pool: its counts, creations and closes are there; its wait and use times are not (the pool
      // above, in the same run, shows they would be).
      const leanPool = { 'db.client.connection.pool.name': 'metrics-lean' };
      expect(sumOf(all, 'db.client.connection.count', leanPool)).toBe(leanCount);
      expect(sumOf(all, 'db.client.connection.create_time', leanPool)).toBeGreaterThan(0);
      expect(
        sumOf(all, 'mpgkit.db.client.connection.closed', { ...leanPool, 'mpgkit.close.reason': 'lifetime' }),
      ).toBeGreaterThan(0);
      expect(sumOf(all, 'db.client.connection.wait_time', leanPool)).toBe(0);
      expect(sumOf(all, 'db.client.connection.use_time', leanPool)).toBe(0);
    } finally {
      running = false;
      await lean.end();
      await pool.end();
      await metrics.shutdown();
    }
  });
});
