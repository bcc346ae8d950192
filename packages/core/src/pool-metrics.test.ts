import fc from 'fast-check';
import { expect, it } from 'vitest';
import { type ClosedConnection, closeReason } from './pool-metrics.ts';

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
