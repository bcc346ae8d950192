import type { MeterLike } from '../metrics/pool-metrics.ts';
import { countRetry, type RetrySafety } from '../metrics/statement-counters.ts';
import { type KnownKeys, rejectUnknownKeys } from '../unknown-keys.ts';
import { classifyError } from './explain-error.ts';

/** Options of {@link retry}. */
export interface RetryOptions {
  /** Total attempts, the first included. @default 3 */
  attempts?: number;
  /** The backoff base: attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs × 2ⁿ)]. @default 100 */
  baseDelayMs?: number;
  /** The backoff cap. @default 2000 */
  maxDelayMs?: number;
  /**
   * The work can run twice without harm: also retry errors after which the query may have run (a
   * connection cut mid-query). @default false
   */
  idempotent?: boolean;
  /** Called before each retry, e.g. to log. @default undefined */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /**
   * Counts each retry in `mpgkit.db.client.retries`, by why it was safe (`policy.meter` is the usual one).
   * @default undefined: not counted
   */
  meter?: MeterLike;
  /** Random source in [0, 1), for tests. @default Math.random */
  random?: () => number;
}

/**
 * Runs `work` and retries it with exponential backoff and full jitter, only for errors
 * {@link classifyError} calls safe to retry: nothing reached the server (pooler full, connection refused,
 * a restart), or the server rolled the whole transaction back (serialization failure, deadlock); after a
 * connection cut mid-query only when `idempotent` is set. Any other error is thrown at once. Wrap a whole
 * transaction, not a statement inside one.
 *
 * @example
 * ```ts
 * const user = await retry(() => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(), { idempotent: true });
 * ```
 */
const RETRY_OPTION_KEYS = {
  attempts: true,
  baseDelayMs: true,
  maxDelayMs: true,
  idempotent: true,
  onRetry: true,
  meter: true,
  random: true,
} as const satisfies KnownKeys<RetryOptions>;

export async function retry<T>(
  work: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  rejectUnknownKeys('retry', options, RETRY_OPTION_KEYS);
  const attempts = options.attempts ?? 3;
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 2000;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      const classified = classifyError(error, { idempotent: options.idempotent ?? false });
      if (attempt >= attempts || !classified.retrySafe) throw error;
      if (options.meter !== undefined) {
        countRetry(
          options.meter,
          SAFETY[classified.phase ?? 'in-flight'] ?? 'idempotent',
          classified.id ?? 'unknown',
        );
      }
      // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): a fleet that failed together
      // does not come back together.
      const delayMs = random() * Math.min(cap, base * 2 ** (attempt - 1));
      options.onRetry?.(error, attempt, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

// A retry-safe failure's phase says why repeating was safe (connection-errors.ts FailurePhase).
const SAFETY: Partial<Record<string, RetrySafety>> = {
  connect: 'nothing-sent',
  'rolled-back': 'rolled-back',
  'in-flight': 'idempotent',
  commit: 'idempotent',
};
