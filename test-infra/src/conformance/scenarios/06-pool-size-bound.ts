import { defineDatabase, type Policy } from '@mpgkit/core';
import { backends } from '../../probes.ts';
import { LoadRun, loadRuntime } from '../run-load.ts';
import { clientsOf, optionsFor, type ScenarioContext, sleep, withApp } from './context.ts';

// Scenario 6. a process never holds more connections than its pool size.

/** What {@link poolSizeBound} saw. */
export interface PoolBoundOutcome {
  poolSize: number;
  /** Most client connections PgBouncer saw from this process at once. */
  maxPoolerClients: number;
  /** Most server backends at once (session mode pins one per client). */
  maxBackends: number;
  completed: number;
}

/**
 * 3 × pool size concurrent slow queries; PgBouncer and Postgres are sampled meanwhile. In this process, or,
 * with another runtime for the app (the Bun lane), in a load runner on it.
 */
export async function poolSizeBound(context: ScenarioContext): Promise<PoolBoundOutcome> {
  if (loadRuntime() !== undefined) {
    const options = optionsFor(context);
    const policy = defineDatabase({ ...options, logger: { warn() {} } });
    const run = new LoadRun({
      module: context.subject.module,
      policyOptions: options,
      workers: 0,
      warmupMs: 100,
    });
    let outcome: PoolBoundOutcome = {
      poolSize: policy.poolSize,
      maxPoolerClients: 0,
      maxBackends: 0,
      completed: 0,
    };
    if ((await run.next('ready')) !== undefined) {
      outcome = await sampled(context, policy, async () => (await run.burst(policy.poolSize * 3, 0.25)) ?? 0);
    }
    await run.finish();
    return outcome;
  }
  return withApp(context, (app, policy) =>
    sampled(context, policy, async () => {
      let completed = 0;
      await Promise.all(
        Array.from({ length: policy.poolSize * 3 }, () => app.sleep(0.25).then(() => void completed++)),
      );
      return completed;
    }),
  );
}

/** Samples PgBouncer's clients and Postgres's active backends of the policy's app while `work` runs. */
async function sampled(
  context: ScenarioContext,
  policy: Policy,
  work: () => Promise<number>,
): Promise<PoolBoundOutcome> {
  let done = false;
  const completed = work().finally(() => {
    done = true;
  });
  let maxPoolerClients = 0;
  let maxBackends = 0;
  while (!done) {
    maxPoolerClients = Math.max(
      maxPoolerClients,
      (await clientsOf(context.stack, context.mode, policy.applicationName)).length,
    );
    const sleeping = (await backends(context.stack)).filter(
      (row) => row.state === 'active' && row.application_name === policy.applicationName,
    );
    maxBackends = Math.max(maxBackends, sleeping.length);
    await sleep(40);
  }
  return { poolSize: policy.poolSize, maxPoolerClients, maxBackends, completed: await completed };
}
