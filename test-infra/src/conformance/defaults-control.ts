import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../stack.ts';
import { oldestClientUnderLoad } from './scenarios/01-settings-reached-driver.ts';
import { loadAcrossDrain } from './scenarios/03-load-across-drain.ts';
import type { ConformanceSubject } from './subject.ts';

/**
 * The negative control for an ORM whose own pool has no max connection lifetime (knex, Sequelize): in one
 * run, on a stack of its own, the ORM with its defaults must fail or crash across the drain the conformance
 * suite has the adapter survive, and at PgBouncer the adapter's connections must never outlive the policy's
 * lifetime while the defaults' connections outlive it by far.
 *
 * @param adapter - The adapter's conformance subject.
 * @param defaults - The same ORM as its docs show it, with its own defaults.
 * @example
 * ```ts
 * describeDefaultsControl({ name: 'Knex', module: knexSubject }, { name: 'knex defaults', module: defaultsSubject });
 * ```
 */
export function describeDefaultsControl(adapter: ConformanceSubject, defaults: ConformanceSubject): void {
  describe(`${adapter.name}: the ORM's defaults as a negative control`, () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack();
    });
    afterAll(async () => {
      await stack?.down();
    });

    it(`${defaults.name} fails or crashes across the drain the conformance suite survives`, async () => {
      const outcome = await loadAcrossDrain({ stack, mode: 'transaction', subject: defaults });
      expect(outcome.crashed || outcome.failed > 0).toBe(true);
    });

    it('no connection outlives its drawn lifetime under load (PgBouncer SHOW CLIENTS); the defaults keep theirs', async () => {
      const measure = (subject: ConformanceSubject) =>
        oldestClientUnderLoad({ stack, mode: 'transaction', subject, seconds: 5 });
      const withPolicy = await measure(adapter);
      const plain = await measure(defaults);
      // The sampling interval (0.1 s) and one acquire's gap are the only slack.
      expect(withPolicy.oldestSeconds).toBeLessThanOrEqual(withPolicy.lifetime.maxSeconds + 0.3);
      expect(withPolicy.oldestSeconds).toBeGreaterThan(withPolicy.lifetime.minSeconds * 0.5);
      expect(plain.oldestSeconds).toBeGreaterThan(plain.lifetime.maxSeconds + 1);
    });
  });
}
