import { describe, expect, it, vi } from 'vitest';
import { retry } from './retry.ts';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6432'), { code: 'ECONNREFUSED' });
const cut = () => new Error('Connection terminated unexpectedly');

describe('retry', () => {
  it('retries errors that are safe to retry, with full-jitter backoff under the cap', async () => {
    const delays: number[] = [];
    const work = vi.fn(async (attempt: number) => {
      if (attempt < 4) throw refused();
      return 'ok';
    });
    const result = await retry(work, {
      attempts: 4,
      baseDelayMs: 10,
      maxDelayMs: 25,
      random: () => 0.999,
      onRetry: (_e, _a, d) => delays.push(d),
    });
    expect(result).toBe('ok');
    expect(work).toHaveBeenCalledTimes(4);
    expect(delays.map(Math.round)).toEqual([10, 20, 25]); // 10 × 2ⁿ, capped at 25
  });

  it('does not repeat work that may have run unless it is idempotent', async () => {
    const work = vi.fn(async () => {
      throw cut();
    });
    await expect(retry(work, { baseDelayMs: 1 })).rejects.toThrow('terminated');
    expect(work).toHaveBeenCalledTimes(1);
    await expect(retry(work, { baseDelayMs: 1, idempotent: true })).rejects.toThrow('terminated');
    expect(work).toHaveBeenCalledTimes(4);
  });

  it('throws unknown errors at once and gives up after the last attempt', async () => {
    const syntax = vi.fn(async () => {
      throw new Error('syntax error');
    });
    await expect(retry(syntax)).rejects.toThrow('syntax error');
    expect(syntax).toHaveBeenCalledTimes(1);
    const always = vi.fn(async () => {
      throw refused();
    });
    await expect(retry(always, { attempts: 2, baseDelayMs: 1 })).rejects.toThrow('ECONNREFUSED');
    expect(always).toHaveBeenCalledTimes(2);
  });
});
