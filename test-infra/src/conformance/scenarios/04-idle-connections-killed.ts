import type { LoadOutcome } from '../load-protocol.ts';
import { LoadRun } from '../run-load.ts';
import { optionsFor, type ScenarioContext, sleep } from './context.ts';

// Scenario 4. idle connections killed.

/** What {@link idleConnectionsKilled} saw. */
export interface IdleKillOutcome extends LoadOutcome {
  /** For each fault in order: did the next query succeed? */
  nextQueryAfter: Record<'terminateBackends' | 'poolerRestart', boolean>;
}

/**
 * Opens a full pool, leaves it idle, then kills its connections two ways (backends terminated, PgBouncer
 * restarted); after each, the next query must succeed and the process must survive.
 */
export async function idleConnectionsKilled(context: ScenarioContext): Promise<IdleKillOutcome> {
  const run = new LoadRun({
    module: context.subject.module,
    policyOptions: optionsFor(context),
    workers: 0,
    warmupMs: 100,
  });
  const nextQueryAfter = { terminateBackends: false, poolerRestart: false };
  if ((await run.next('ready')) !== undefined) {
    await context.stack.terminateBackends({ user: context.stack.state.users.admin.name });
    await sleep(300);
    nextQueryAfter.terminateBackends = await run.probe(1);
    await context.stack.restartPooler(context.mode);
    await sleep(300);
    nextQueryAfter.poolerRestart = await run.probe(2);
  }
  return { ...(await run.finish()), nextQueryAfter };
}
