import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConnectBackoff,
  connectBackoffDelayMs,
  connectBackoffWithin,
  DEFAULT_CONNECT_BACKOFF,
} from './connect-backoff.ts';

const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const delays = fc
  .tuple(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 60_000 }))
  .map(([baseDelayMs, maxDelayMs]) => ({ baseDelayMs, maxDelayMs }));

describe('connectBackoffDelayMs', () => {
  it('is 0 before any failure: the first attempt is immediate', () => {
    fc.assert(fc.property(random, delays, (r, options) => connectBackoffDelayMs(0, r, options) === 0));
  });

  it('never exceeds the cap nor base × 2ⁿ⁻¹, and is never negative, for any number of failures', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), random, delays, (failures, r, options) => {
        const delay = connectBackoffDelayMs(failures, r, options);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(options.maxDelayMs);
        expect(delay).toBeLessThanOrEqual(options.baseDelayMs * 2 ** (failures - 1));
        expect(Number.isFinite(delay)).toBe(true);
      }),
    );
  });

  it('is full jitter: the random draw scales the whole ceiling, which doubles per failure until the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), random, delays, (failures, r, options) => {
        const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (failures - 1));
        expect(connectBackoffDelayMs(failures, r, options)).toBeCloseTo(r * ceiling, 6);
      }),
    );
    expect(connectBackoffDelayMs(3, 0.5)).toBe(100);
    expect(connectBackoffDelayMs(50, 0.999)).toBeCloseTo(DEFAULT_CONNECT_BACKOFF.maxDelayMs * 0.999);
  });
});

describe('ConnectBackoff', () => {
  it('counts consecutive failures and forgets them on the first success', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 50 }), (outcomes) => {
        const backoff = new ConnectBackoff({}, () => 0.999);
        let expected = 0;
        for (const worked of outcomes) {
          if (worked) backoff.succeeded();
          else backoff.failed();
          expected = worked ? 0 : expected + 1;
          expect(backoff.failures).toBe(expected);
          expect(backoff.delayMs() === 0).toBe(expected === 0);
        }
      }),
    );
  });

  it('connectBackoffWithin keeps the cap to half the connect timeout, and false means none', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120_000 }), (timeoutMs) => {
        const backoff = connectBackoffWithin(timeoutMs, { baseDelayMs: 1e6, maxDelayMs: 1e9 });
        for (let n = 0; n < 5; n++) backoff?.failed();
        expect(backoff?.delayMs()).toBeLessThan(timeoutMs / 2 + 1e-9);
      }),
    );
    expect(connectBackoffWithin(5_000, false)).toBeUndefined();
  });
});
