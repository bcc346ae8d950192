import { backends } from '../../probes.ts';
import { clientsOf, type ScenarioContext, sleep, withApp } from './context.ts';

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

/** 3 × pool size concurrent slow queries; PgBouncer and Postgres are sampled meanwhile. */
export async function poolSizeBound(context: ScenarioContext): Promise<PoolBoundOutcome> {
  return withApp(context, async (app, policy) => {
    let done = false;
    let completed = 0;
    const work = Promise.all(
      Array.from({ length: policy.poolSize * 3 }, () => app.sleep(0.25).then(() => void completed++)),
    ).finally(() => {
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
    await work;
    return { poolSize: policy.poolSize, maxPoolerClients, maxBackends, completed };
  });
}
