import type { MeterLike, MetricAttributes } from './pool-metrics.ts';

// mpgkit's own counters beside the pool metrics, clearly namespaced: statements the transaction-mode guard
// refused (or warned of), and the retries `retry()` made, by why repeating was safe. One instrument per meter.

type Counter = { add(value: number, attributes?: MetricAttributes): void };
const counters = new WeakMap<MeterLike, { guarded: Counter; retried: Counter }>();

function countersOf(meter: MeterLike): { guarded: Counter; retried: Counter } {
  let found = counters.get(meter);
  if (found === undefined) {
    found = {
      guarded: meter.createCounter('mpgkit.db.client.guard.statements', {
        description:
          'Session-only statements the transaction-mode guard refused or warned of, by feature and action.',
        unit: '{statement}',
      }),
      retried: meter.createCounter('mpgkit.db.client.retries', {
        description: 'Work retry() ran again, by why it was safe: nothing sent, rolled back, or idempotent.',
        unit: '{retry}',
      }),
    };
    counters.set(meter, found);
  }
  return found;
}

/**
 * Counts a statement the transaction-mode guard stopped (`refused`) or let through with a warning (`warned`):
 * `mpgkit.db.client.guard.statements`, by `mpgkit.guard.feature` (e.g. `LISTEN`) and `mpgkit.guard.action`.
 *
 * @example
 * ```ts
 * countGuardedStatement(meter, 'LISTEN', 'refused');
 * ```
 */
export function countGuardedStatement(meter: MeterLike, feature: string, action: 'refused' | 'warned'): void {
  countersOf(meter).guarded.add(1, { 'mpgkit.guard.feature': feature, 'mpgkit.guard.action': action });
}

/** Why repeating work was safe: nothing reached the server, the server rolled it back, or the caller said it is idempotent. */
export type RetrySafety = 'nothing-sent' | 'rolled-back' | 'idempotent';

/**
 * Counts one retry: `mpgkit.db.client.retries`, by `mpgkit.retry.safety` and `error.type` (the error's catalogue
 * id, e.g. `pgbouncer-server-login-retry`).
 *
 * @example
 * ```ts
 * countRetry(meter, 'nothing-sent', 'connection-refused');
 * ```
 */
export function countRetry(meter: MeterLike, safety: RetrySafety, errorType: string): void {
  countersOf(meter).retried.add(1, { 'mpgkit.retry.safety': safety, 'error.type': errorType });
}
