import fc from 'fast-check';
import { expect, it } from 'vitest';
import { batchHistogram } from './histogram-batch.ts';
import { type ClosedConnection, closeReason, recordPoolMetrics } from './pool-metrics.ts';

const connections = fc.record({
  died: fc.boolean(),
  ageMs: fc.double({ min: 0, max: 1e9, noNaN: true }),
  idleMs: fc.double({ min: 0, max: 1e9, noNaN: true }),
  poolEnding: fc.boolean(),
  minLifetimeMs: fc.option(fc.double({ min: 1, max: 1e9, noNaN: true }), { nil: undefined }),
  idleTimeoutMs: fc.option(fc.double({ min: 1, max: 1e9, noNaN: true }), { nil: undefined }),
}) satisfies fc.Arbitrary<ClosedConnection>;

it('a died connection is always an error, whatever its age; a live one past its lifetime is the lifetime', () => {
  fc.assert(
    fc.property(connections, (connection) => {
      const reason = closeReason(connection);
      if (connection.died) expect(reason).toBe('error');
      else if (connection.minLifetimeMs !== undefined && connection.ageMs >= connection.minLifetimeMs)
        expect(reason).toBe('lifetime');
      else expect(['pool-end', 'idle', 'other']).toContain(reason);
    }),
  );
});

it('idle only with an idle timeout it (nearly) sat out, and never while the pool ends', () => {
  fc.assert(
    fc.property(connections, (connection) => {
      const reason = closeReason(connection);
      if (reason === 'idle') {
        expect(connection.poolEnding).toBe(false);
        expect(connection.idleTimeoutMs).toBeDefined();
        expect(connection.idleMs).toBeGreaterThanOrEqual((connection.idleTimeoutMs ?? 0) * 0.9);
      }
      if (connection.idleTimeoutMs === undefined) expect(reason).not.toBe('idle');
    }),
  );
  expect(
    closeReason({ died: false, ageMs: 5, idleMs: 300_000, poolEnding: false, idleTimeoutMs: 300_000 }),
  ).toBe('idle');
});

// A meter that keeps every recording, by instrument name (the real SDK is read in test-infra).
function recordingMeter() {
  const recorded: string[] = [];
  const created: string[] = [];
  const callbacks: Array<(result: { observe(): void }) => void> = [];
  const instrument = (name: string) => {
    created.push(name);
    return {
      add: () => recorded.push(name),
      record: () => recorded.push(name),
      addCallback: (callback: (result: { observe(): void }) => void) => callbacks.push(callback),
    };
  };
  return {
    recorded,
    created,
    /** What a reader does: runs the callbacks. */
    collect: () => {
      for (const callback of callbacks) callback({ observe() {} });
    },
    meter: {
      createCounter: instrument,
      createHistogram: instrument,
      createObservableUpDownCounter: instrument,
    },
  };
}

it('perQuery: false records nothing per query and keeps the rest; the default records wait and use times', () => {
  const queries = (perQuery: boolean | undefined) => {
    const { meter, recorded, created, collect } = recordingMeter();
    const record = recordPoolMetrics(meter, {
      poolName: 'p',
      state: () => ({ idle: 0, used: 0, pending: 0, max: 1 }),
      ...(perQuery === undefined ? {} : { perQuery }),
    });
    const connection = {};
    record.creating(connection);
    record.opened(connection);
    for (let i = 0; i < 3; i++) {
      const done = record.waiting();
      done('got');
      record.borrowed(connection);
      record.returned(connection);
    }
    record.waiting()('timeout');
    record.closed(connection);
    collect();
    return { recorded, created };
  };
  const lean = queries(false);
  expect(lean.created).not.toContain('db.client.connection.wait_time');
  expect(lean.created).not.toContain('db.client.connection.use_time');
  expect(lean.recorded).toEqual([
    'db.client.connection.create_time',
    'db.client.connection.timeouts',
    'mpgkit.db.client.connection.closed',
  ]);
  const full = queries(undefined);
  expect(full.recorded.filter((name) => name === 'db.client.connection.wait_time')).toHaveLength(3);
  expect(full.recorded.filter((name) => name === 'db.client.connection.use_time')).toHaveLength(3);
});

it('batched histograms hand over every value, in order, with their attributes, by the time of a flush', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { maxLength: 60 }),
      fc.integer({ min: 1, max: 16 }),
      fc.array(fc.nat({ max: 60 }), { maxLength: 5 }),
      (values, size, flushAt) => {
        const seen: Array<[number, unknown]> = [];
        const batch = batchHistogram(
          { record: (value, attributes) => seen.push([value, attributes]) },
          { p: 'x' },
          size,
        );
        values.forEach((value, i) => {
          batch.record(value);
          if (flushAt.includes(i)) batch.flush();
          // Never more than a batch's size is held back.
          expect(i + 1 - seen.length).toBeLessThan(size);
        });
        batch.flush();
        expect(seen).toEqual(values.map((value) => [value, { p: 'x' }]));
      },
    ),
  );
});
