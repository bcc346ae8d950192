import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Stack } from '../../stack.ts';
import type { LoadOutcome } from '../load-protocol.ts';
import { LoadRun } from '../run-load.ts';
import { clientsOf, nextSequence, optionsFor, type ScenarioContext, sleep } from './context.ts';

// Scenario 3b. the fault matrix.

/** The faults MPG's components produce under an app, besides the proxy drain (scenario 3). */
export const FAULTS = [
  'postgres-restart',
  'pgbouncer-restart',
  'pool-mode-change',
  'backends-terminated',
  'wrong-password',
] as const;

/** One of {@link FAULTS}. */
export type Fault = (typeof FAULTS)[number];

/**
 * A PostgreSQL crash (immediate shutdown: no checkpoint, WAL buffers not written), then crash recovery. Not in
 * the matrix: with the default `synchronous_commit = on` it loses nothing a restart would not; the negative
 * control uses it with `synchronous_commit = off` to show the lost-write check can fail.
 */
export const POSTGRES_CRASH = 'postgres-crash';

/** What {@link loadAcrossFault} saw. */
export interface FaultOutcome extends LoadOutcome {
  fault: Fault | typeof POSTGRES_CRASH;
  /** Whether the app had its own process-wide error handlers (see {@link LoadOutcome.escaped}). */
  appHandlers: boolean;
  /** Milliseconds from the component working again to the first query that succeeded. */
  recoveredMs: number | undefined;
  /** Failures mpgkit cannot explain. */
  unexplained: number;
  /** After recovery, `poolSize` concurrent 0.2 s sleeps on warm connections: ms taken (a leaked slot makes them queue). */
  saturationMs: number | undefined;
  /** Client logins PgBouncer logged from the fault until recovery (a login storm shows here). */
  loginsDuringOutage: number;
  /**
   * Writes (one operation in five): acknowledged by the ORM, stored in the table, acknowledged but not stored
   * (lost), and reported failed but stored (a commit whose outcome the client could not know). Undefined
   * when the process did not survive to report them.
   */
  writesKept: { acked: number; stored: number; lost: number; failedButStored: number } | undefined;
  /**
   * The server's view after the app closed its client: connections PgBouncer still holds under the run's
   * application name (a connection the pool forgot, or one a hung close never ended). Must be 0.
   */
  leftOpenAfterClose: number;
}

/**
 * A steady load (in a child process) through one fault; then probes until a query succeeds again, checks
 * that every pool slot still works, and counts the logins PgBouncer saw meanwhile. MPG produces each fault:
 * a plan change restarts Postgres, a pool-mode change (dashboard only) restarts the poolers in the new mode,
 * an operator or OOM terminates backends, a credential rotation can leave a wrong password for a while.
 */
export async function loadAcrossFault(
  context: ScenarioContext & { fault: Fault | typeof POSTGRES_CRASH; appHandlers?: boolean },
): Promise<FaultOutcome> {
  const { stack, mode, fault } = context;
  const appHandlers = context.appHandlers ?? false;
  const policyOptions = optionsFor(context);
  const writesRun = policyOptions.applicationName ?? `writes-${nextSequence()}`;
  await stack.admin(
    `CREATE TABLE IF NOT EXISTS conformance_writes (run text NOT NULL, id bigint NOT NULL, PRIMARY KEY (run, id));
     GRANT ALL ON conformance_writes TO "${stack.state.users.admin.name}"`,
    [],
    stack.state.databases.main,
  );
  const run = new LoadRun({
    module: context.subject.module,
    policyOptions,
    workers: 4,
    warmupMs: 500,
    writesRun,
    appHandlers,
  });
  const pooler = stack.state.poolers[mode];
  const logOffset = fileLength(pooler.logFile);
  let recoveredMs: number | undefined;
  let saturationMs: number | undefined;
  let loginsDuringOutage = 0;
  if ((await run.next('ready')) !== undefined) {
    const appUser = stack.state.users.admin.name;
    if (fault === 'postgres-restart') await stack.restartPostgres();
    else if (fault === POSTGRES_CRASH) await stack.restartPostgres({ crash: true });
    else if (fault === 'pgbouncer-restart') await stack.restartPooler(mode);
    else if (fault === 'pool-mode-change') {
      await stack.restartPooler(mode, { mode: mode === 'transaction' ? 'session' : 'transaction' });
    } else if (fault === 'backends-terminated') await stack.terminateBackends({ user: appUser });
    else await stack.breakPassword(appUser, 2_000);
    const back = Date.now();
    for (let n = 0; Date.now() - back < 10_000 && !run.exited; n++) {
      if (await run.probe(n)) {
        recoveredMs = Date.now() - back;
        break;
      }
      await sleep(50);
    }
    loginsDuringOutage = loginsLogged(pooler.logFile, logOffset);
    await sleep(300); // the load runs on after recovery, then stops for the leak check
    saturationMs = (await run.saturate())?.elapsedMs;
  }
  const outcome = await run.finish();
  const leftOpenAfterClose = await settledCount(async () => (await clientsOf(stack, mode, writesRun)).length);
  run.kill();
  // The next scenario needs the pooler in its own mode again.
  if (fault === 'pool-mode-change') await stack.restartPooler(mode, { mode });
  return {
    ...outcome,
    fault,
    appHandlers,
    recoveredMs,
    unexplained: outcome.explained.unexplained ?? 0,
    saturationMs,
    loginsDuringOutage,
    leftOpenAfterClose,
    writesKept: outcome.crashed ? undefined : await writesKept(stack, writesRun, outcome.writes),
  };
}

// A count that should fall to 0 once closes reach the server: polled for up to 1 s.
async function settledCount(count: () => Promise<number>): Promise<number> {
  let seen = await count();
  for (let waited = 0; seen > 0 && waited < 1_000; waited += 100) {
    await sleep(100);
    seen = await count();
  }
  return seen;
}

// What the database stored of a run's writes, beside what the ORM said.
async function writesKept(
  stack: Stack,
  run: string,
  writes: { acked: number[]; failed: number[] },
): Promise<FaultOutcome['writesKept']> {
  const rows = await stack.admin<{ id: string }>(
    'SELECT id::text AS id FROM conformance_writes WHERE run = $1',
    [run],
    stack.state.databases.main,
  );
  const stored = new Set(rows.map((row) => Number(row.id)));
  return {
    acked: writes.acked.length,
    stored: stored.size,
    lost: writes.acked.filter((id) => !stored.has(id)).length,
    failedButStored: writes.failed.filter((id) => stored.has(id)).length,
  };
}

function fileLength(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

// PgBouncer logs each client login (log_connections, on by default): "… login attempt: db=… user=…".
function loginsLogged(path: string, fromOffset: number): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path).subarray(fromOffset).toString('utf8');
  return text.match(/login attempt:/g)?.length ?? 0;
}
