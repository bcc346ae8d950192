import { createPgPool, defineDatabase } from '@mpgkit/core';
import {
  type DataPoint,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledPolicyOptions } from '../src/conformance/index.ts';
import { type Stack, startStack } from '../src/index.ts';
import { showClients } from '../src/probes.ts';

// The pool metrics through the real OpenTelemetry SDK (a reader collected on demand), while a load runs on the
// stack across a proxy drain: the counts must match the pool's own and what PgBouncer shows, lifetimes
// closed must be counted, names and units must be OpenTelemetry's (semantic-conventions model/db/metrics.yaml).
class OnDemandReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.down());

type Point = { name: string; unit: string; attributes: Record<string, unknown>; value: unknown };
function points(metrics: ResourceMetrics): Point[] {
  return metrics.scopeMetrics.flatMap((scope) =>
    scope.metrics.flatMap((metric) =>
      (metric.dataPoints as DataPoint<unknown>[]).map((point) => ({
        name: metric.descriptor.name,
        unit: metric.descriptor.unit,
        attributes: point.attributes,
        value: point.value,
      })),
    ),
  );
}
const sum = (all: Point[], name: string, attributes: Record<string, unknown> = {}) =>
  all
    .filter(
      (point) =>
        point.name === name &&
        Object.entries(attributes).every(([key, value]) => point.attributes[key] === value),
    )
    .reduce(
      (total, point) =>
        total + (typeof point.value === 'number' ? point.value : (point.value as { count: number }).count),
      0,
    );

describe('pool metrics (OpenTelemetry SDK, in-memory reader)', () => {
  it('across a drain under load: counts match the pool and PgBouncer, lifetimes closed are counted, names and units follow the conventions', async () => {
    const reader = new OnDemandReader();
    const provider = new MeterProvider({ readers: [reader] });
    const applicationName = 'metrics-drain';
    const policy = defineDatabase({
      ...scaledPolicyOptions(stack, 'transaction', applicationName),
      meter: provider.getMeter('mpgkit-test'),
      logger: { warn() {} },
    });
    const pool = createPgPool(policy, pg.Pool);
    let running = true;
    let failed = 0;
    const load = Array.from({ length: 6 }, async () => {
      while (running) await pool.query('SELECT pg_sleep(0.01)').catch(() => failed++);
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const { hardStopAt } = await stack.drain();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, hardStopAt - Date.now()) + 1_000));
      running = false;
      await Promise.all(load);
      // The load stopped: the pool's connections are idle, and each is one PgBouncer client.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { resourceMetrics } = await reader.collect();
      const all = points(resourceMetrics);
      const pooled = { 'db.client.connection.pool.name': applicationName };
      const idle = sum(all, 'db.client.connection.count', {
        ...pooled,
        'db.client.connection.state': 'idle',
      });
      const used = sum(all, 'db.client.connection.count', {
        ...pooled,
        'db.client.connection.state': 'used',
      });
      expect({ idle, used }).toEqual({ idle: pool.idleCount, used: pool.totalCount - pool.idleCount });
      const atPgBouncer = (await showClients(stack, 'transaction')).filter(
        (client) => client.application_name === applicationName,
      ).length;
      expect(idle + used).toBe(atPgBouncer);
      expect(sum(all, 'db.client.connection.max', pooled)).toBe(policy.poolSize);
      // 0 failed queries across the drain; the lifetime (≤ 2 s here) closed connections several times.
      expect(failed).toBe(0);
      expect(
        sum(all, 'mpgkit.db.client.connection.closed', { 'mpgkit.close.reason': 'lifetime' }),
      ).toBeGreaterThan(0);
      expect(sum(all, 'db.client.connection.wait_time', pooled)).toBeGreaterThan(100);
      expect(sum(all, 'db.client.connection.use_time', pooled)).toBeGreaterThan(100);
      expect(sum(all, 'db.client.connection.create_time', pooled)).toBeGreaterThanOrEqual(policy.poolSize);
      const units = Object.fromEntries(all.map((point) => [point.name, point.unit]));
      expect(units).toMatchObject({
        'db.client.connection.count': '{connection}',
        'db.client.connection.max': '{connection}',
        'db.client.connection.idle.max': '{connection}',
        'db.client.connection.idle.min': '{connection}',
        'db.client.connection.pending_requests': '{request}',
        'db.client.connection.create_time': 's',
        'db.client.connection.wait_time': 's',
        'db.client.connection.use_time': 's',
      });
    } finally {
      running = false;
      await pool.end();
      await provider.shutdown();
    }
  });
});
