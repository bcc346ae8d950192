/**
 * Runs a measurement on the stack up to `times` times, until one is conclusive, and returns the last. For faults
 * whose effect is a race on a loaded machine (a restart that happens to fail no query): an inconclusive run is
 * tried again, never counted as a pass; the caller asserts on what comes back, so one that is wrong every time
 * still fails.
 *
 * @param times - The most runs. @default 3
 * @example
 * ```ts
 * const outage = await measureUntil((attempt) => measureOutage(`app-${attempt}`), (seen) => seen.failed > 0);
 * expect(outage.logins).toBeGreaterThan(50);
 * ```
 */
export async function measureUntil<T>(
  measure: (attempt: number) => Promise<T>,
  conclusive: (outcome: T) => boolean,
  times = 3,
): Promise<T> {
  let outcome = await measure(1);
  for (let attempt = 2; attempt <= times && !conclusive(outcome); attempt++) outcome = await measure(attempt);
  return outcome;
}
