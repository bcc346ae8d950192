import fc from 'fast-check';
import { afterEach, expect, it, vi } from 'vitest';
import { lifetimeOver, startLifetime } from './connection-lifetime.ts';

afterEach(() => vi.useRealTimers());

it('a connection is over its lifetime exactly from its drawn lifetime on, never without one', () => {
  vi.useFakeTimers();
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 600_000 }), (lifetimeMs) => {
      const connection = {};
      expect(lifetimeOver(connection)).toBe(false);
      startLifetime(connection, { nextLifetimeSeconds: () => lifetimeMs / 1000 });
      vi.advanceTimersByTime(lifetimeMs - 1);
      expect(lifetimeOver(connection)).toBe(false);
      vi.advanceTimersByTime(1);
      expect(lifetimeOver(connection)).toBe(true);
    }),
    { numRuns: 200 },
  );
});
