import type { PoolMode } from '@mpgkit/core';
import type { Stack } from '../../stack.ts';
import type { LoadOutcome, MetricPoint } from '../load-protocol.ts';
import { sumOf } from '../metrics-reader.ts';
import { LoadRun } from '../run-load.ts';
import { clientsOf, optionsFor, type ScenarioContext, sleep } from './context.ts';

// Scenario 3. steady load across a proxy drain.

/** A steady load (in a child process) while the proxy restarts; runs until past the hard stop. */
const POOL_NAME = 'db.client.connection.pool.name';

export async function loadAcrossDrain(
  context: ScenarioContext & { workers?: number },
): Promise<LoadOutcome & { metrics?: MetricsSeen }> {
  const policyOptions = optionsFor(context);
  const run = new LoadRun({
    module: context.subject.module,
    policyOptions,
    workers: context.workers ?? 6,
    warmupMs: 500,
    metrics: true,
  });
  let metrics: MetricsSeen | undefined;
  if ((await run.next('ready')) !== undefined) {
    const { hardStopAt } = await context.stack.drain();
    await sleep(Math.max(0, hardStopAt - Date.now()) + 1_000);
    metrics = await metricsBesidePgBouncer(run, context, policyOptions.applicationName ?? '');
  }
  return { ...(await run.finish()), ...(metrics === undefined ? {} : { metrics }) };
}

/** The pool metrics a load run reported once it settled, and PgBouncer's clients of the app around them. */
export interface MetricsSeen {
  points: MetricPoint[];
  /** PgBouncer's clients under the app's name just before and just after the collection. */
  clientsAtPgBouncer: [number, number];
}

// The pool keeps recycling while idle (its lifetime is ≤ 2 s here), so PgBouncer is asked just before and
// just after the collection; should a connection close or open in between (the three counts differ), the
// bracket is tried again, up to three times: a count that is wrong every time is reported as it is.
async function metricsBesidePgBouncer(
  run: LoadRun,
  context: ScenarioContext,
  applicationName: string,
): Promise<MetricsSeen | undefined> {
  if (!(await run.quiesce())) return undefined;
  return collectBesidePgBouncer(context.stack, context.mode, applicationName, () => run.collect());
}

/**
 * Collects a settled pool's metrics between two counts of its clients at PgBouncer (`SHOW CLIENTS` under the
 * app's name). A pool with a short lifetime recycles while idle, so a bracket in which a connection opened or
 * closed (the counts before, after and reported differ) is tried again, up to three times; a count that is
 * wrong every time is returned as it is, for the caller to fail on.
 *
 * @example
 * ```ts
 * const seen = await collectBesidePgBouncer(stack, 'transaction', 'my-app', () => metrics.collect());
 * expect(seen?.clientsAtPgBouncer).toEqual([reported, reported]);
 * ```
 */
export async function collectBesidePgBouncer(
  stack: Stack,
  mode: PoolMode,
  applicationName: string,
  collect: () => Promise<MetricPoint[] | undefined>,
): Promise<MetricsSeen | undefined> {
  const clients = async () => (await clientsOf(stack, mode, applicationName)).length;
  let seen: MetricsSeen | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = await clients();
    const points = await collect();
    const after = await clients();
    if (points === undefined) return seen;
    seen = { points, clientsAtPgBouncer: [before, after] };
    const measured = sumOf(points, 'db.client.connection.count', { [POOL_NAME]: applicationName });
    if (before === after && measured === before) return seen;
  }
  return seen;
}
