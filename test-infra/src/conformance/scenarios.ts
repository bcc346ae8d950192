import { existsSync, readFileSync, statSync } from 'node:fs';
import { classifyError, defineDatabase, type Policy, type PoolMode } from '@mpgkit/core';
import { applicationNameFor, type TlsMode } from '@mpgkit/core/adapter';
import { createCertificateAuthority } from '../certificates.ts';
import {
  backends,
  namedStatementsSeen,
  showClients,
  statementLogOffset,
  tlsByApplication,
} from '../probes.ts';
import type { Stack } from '../stack.ts';
import type { LoadOutcome, MetricPoint } from './load-protocol.ts';
import { sumOf } from './metrics-reader.ts';
import { LoadRun } from './run-load.ts';
import { scaledPolicyOptions } from './scaled-policy.ts';
import type { AppClient, ConformanceSubject, PolicyOptions, SubjectModule } from './subject.ts';

// Every scenario measures and returns what happened; the suite (and the negative controls) decide what
// is a pass. Probes read the servers (PgBouncer's SHOW CLIENTS, pg_stat_activity, the statement log),
// never the adapter's own objects.

const quiet = { warn: () => undefined };

/** A scenario's context: the stack, the pool mode, the subject, and the policy options it runs under. */
export interface ScenarioContext {
  stack: Stack;
  mode: PoolMode;
  subject: ConformanceSubject;
  /** Defaults to {@link scaledPolicyOptions} with an application name unique to the call. */
  policyOptions?: PolicyOptions;
}

let sequence = 0;

function optionsFor(context: ScenarioContext): PolicyOptions {
  const name = `${context.subject.name}-${context.mode}-${++sequence}`.replace(/[^\w.-]/g, '_').slice(0, 50);
  return context.policyOptions ?? scaledPolicyOptions(context.stack, context.mode, name);
}

async function load(subject: ConformanceSubject): Promise<SubjectModule> {
  return (await import(subject.module)) as SubjectModule;
}

async function withApp<T>(
  context: ScenarioContext,
  run: (app: AppClient, policy: Policy) => Promise<T>,
): Promise<T> {
  const policy = defineDatabase({ ...optionsFor(context), logger: quiet });
  const app = await (await load(context.subject)).createAppClient(policy);
  try {
    return await run(app, policy);
  } finally {
    await app.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function clientsOf(stack: Stack, mode: PoolMode, applicationName: string) {
  return (await showClients(stack, mode)).filter((client) => client.application_name === applicationName);
}

// ---- 1. the policy's settings reached the driver ---------------------------------------------

/** What {@link settingsReachedDriver} saw. */
export interface SettingsOutcome {
  /** Client connections PgBouncer saw under the policy's application name. */
  clientsWithApplicationName: number;
  /** Connections (by client port and connect time) alive at the start of a steady load that were still open after lifetime + 1 s. */
  survivedPastLifetime: number;
  /** Client connections still open after idle timeout + 1 s of no queries. */
  openAfterIdle: number;
}

/**
 * Runs a steady load for longer than the policy's lifetime, then idles past the idle timeout, and reads
 * from PgBouncer which connections lived how long.
 */
export async function settingsReachedDriver(context: ScenarioContext): Promise<SettingsOutcome> {
  return withApp(context, async (app, policy) => {
    const { stack, mode } = context;
    let running = true;
    const loops = Array.from({ length: policy.poolSize }, async (_, worker) => {
      for (let n = 0; running; n++) {
        await app.echo(n, `w${worker}`);
        await sleep(5);
      }
    });
    await sleep(300);
    const first = await clientsOf(stack, mode, policy.applicationName);
    await sleep((policy.lifetime.maxSeconds + 1) * 1000);
    // A connection is its port and its connect time: a port alone can come back on a new connection (Linux's
    // default tcp_tw_reuse = 2 reuses TIME_WAIT ports for loopback connections).
    const identity = (client: { port: number; connect_time: string }) =>
      `${client.port}@${client.connect_time}`;
    const later = new Set((await clientsOf(stack, mode, policy.applicationName)).map(identity));
    running = false;
    await Promise.all(loops);
    await sleep((policy.idleTimeoutSeconds + 1) * 1000);
    const idle = await clientsOf(stack, mode, policy.applicationName);
    return {
      clientsWithApplicationName: first.length,
      survivedPastLifetime: first.filter((client) => later.has(identity(client))).length,
      openAfterIdle: idle.length,
    };
  });
}

/** What {@link oldestClientUnderLoad} saw. */
export interface ClientAgeOutcome {
  /** The oldest age (s) a client connection reached while PgBouncer still showed it open. */
  oldestSeconds: number;
  /** The policy's lifetime range, for the verdict. */
  lifetime: { minSeconds: number; maxSeconds: number };
}

/**
 * Runs a steady load (one loop per pool slot) for `seconds` and samples PgBouncer's `SHOW CLIENTS` every
 * 100 ms, tracking each client connection by port. Under a steady load every connection is acquired again
 * within milliseconds, so one PgBouncer still shows is one the pool would still hand out: the oldest age seen
 * is the lifetime the pool really gives its connections, measured on the server side.
 */
export async function oldestClientUnderLoad(
  context: ScenarioContext & { seconds: number },
): Promise<ClientAgeOutcome> {
  return withApp(context, async (app, policy) => {
    const firstSeen = new Map<number, number>();
    let oldestSeconds = 0;
    let running = true;
    const loops = Array.from({ length: policy.poolSize }, async (_, worker) => {
      for (let n = 0; running; n++) {
        await app.echo(n, `w${worker}`);
        await sleep(2);
      }
    });
    try {
      for (const until = Date.now() + context.seconds * 1000; Date.now() < until; await sleep(100)) {
        const now = Date.now();
        for (const client of await clientsOf(context.stack, context.mode, policy.applicationName)) {
          const since = firstSeen.get(client.port) ?? now;
          firstSeen.set(client.port, since);
          oldestSeconds = Math.max(oldestSeconds, (now - since) / 1000);
        }
      }
    } finally {
      running = false;
      await Promise.all(loops);
    }
    return { oldestSeconds, lifetime: policy.lifetime };
  });
}

// ---- 2. concurrency through the pooler --------------------------------------------------------

/** What {@link concurrentQueries} saw. */
export interface ConcurrencyOutcome {
  queries: number;
  errors: number;
  preparedStatementErrors: number;
  wrongRows: number;
  /** Named prepared statements Postgres executed meanwhile (from its statement log). */
  namedStatements: string[];
  errorSamples: string[];
}

/** `clients` concurrent loops × `perClient` queries and transactions, every row checked. */
export async function concurrentQueries(
  context: ScenarioContext & { clients?: number; perClient?: number; usePrepared?: boolean },
): Promise<ConcurrencyOutcome> {
  const clients = context.clients ?? 8;
  const perClient = context.perClient ?? 40;
  const offset = statementLogOffset(context.stack);
  const outcome: ConcurrencyOutcome = {
    queries: 0,
    errors: 0,
    preparedStatementErrors: 0,
    wrongRows: 0,
    namedStatements: [],
    errorSamples: [],
  };
  await withApp(context, async (app) => {
    const echo = context.usePrepared && app.preparedEcho ? app.preparedEcho.bind(app) : app.echo.bind(app);
    await Promise.all(
      Array.from({ length: clients }, async (_, worker) => {
        for (let n = 0; n < perClient; n++) {
          outcome.queries++;
          try {
            // A per-query timeout: a driver that hangs forever must fail here, not stall the run.
            const work =
              n % 5 === 4
                ? app.transaction(n).then((tx) => tx.n === n && tx.txids[0] === tx.txids[1])
                : echo(n, `c${worker}`).then((row) => row.n === n && row.s === `c${worker}`);
            if (!(await withTimeout(work, 5_000))) outcome.wrongRows++;
          } catch (error) {
            outcome.errors++;
            const message = String((error as Error)?.message ?? error);
            if (/prepared statement|42P05|26000/i.test(message)) outcome.preparedStatementErrors++;
            if (outcome.errorSamples.length < 3)
              outcome.errorSamples.push(
                context.stack.secrets().reduce((m, s) => m.replaceAll(s, '***'), message),
              );
          }
        }
      }),
    );
  });
  outcome.namedStatements = namedStatementsSeen(context.stack, offset);
  return outcome;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`query did not resolve within ${ms} ms (hang)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---- 3. steady load across a proxy drain -----------------------------------------------------

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

// ---- 3b. the fault matrix ---------------------------------------------------------------------

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
  const writesRun = policyOptions.applicationName ?? `writes-${++sequence}`;
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

// ---- 4. idle connections killed --------------------------------------------------------------

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

// ---- 5. migrations on the direct URL, app on the pooled one ----------------------------------

/** What {@link migrationRouting} saw. */
export interface MigrationRoutingOutcome {
  /** The session advisory lock is granted to the migration client's own backend. */
  lockHeldByMigrationBackend: boolean;
  /** Lock/unlock cycles in which `pg_advisory_unlock` returned true (it can't through a transaction pooler). */
  unlockCycles: { succeeded: number; attempted: number };
  /** A lock call waited more than 3 s: the lock was held by an orphaned session elsewhere. */
  lockWaitTimedOut: boolean;
  /** The migration client appeared as a PgBouncer client (it must not: it goes around the pooler). */
  migrationSeenByPooler: boolean;
  /** The app client appeared as a PgBouncer client (it must: it goes through the pooler). */
  appSeenByPooler: boolean;
}

export async function migrationRouting(context: ScenarioContext): Promise<MigrationRoutingOutcome> {
  const subject = await load(context.subject);
  if (subject.createMigrationClient === undefined)
    throw new Error(`${context.subject.name} has no migration client`);
  const policy = defineDatabase({ ...optionsFor(context), logger: quiet });
  const migration = await subject.createMigrationClient(policy);
  const app = await subject.createAppClient(policy);
  const key = 7_000_000 + (sequence % 1000);
  // Deploys migrate while the app serves: app traffic runs meanwhile, taking pooled server connections.
  let serving = true;
  const traffic = Array.from({ length: policy.poolSize }, async (_, worker) => {
    for (let n = 0; serving; n++) await app.echo(n, `m${worker}`).catch(() => undefined);
  });
  try {
    const [own] = await migration.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pooledNames = async () =>
      new Set(
        [
          ...(await showClients(context.stack, 'transaction')),
          ...(await showClients(context.stack, 'session')),
        ].map((client) => client.application_name),
      );
    // Through a transaction pooler a lock can be orphaned on another backend and the next lock call
    // waits forever (Prisma's P1002): every call is bounded, and a timeout ends the cycles.
    const bounded = <T>(promise: Promise<T>) => withTimeout(promise, 3_000);
    const attempted = 20;
    let succeeded = 0;
    let lockWaitTimedOut = false;
    let lockHeldByMigrationBackend = false;
    let migrationSeenByPooler = false;
    try {
      for (let cycle = 0; cycle < attempted; cycle++) {
        await bounded(migration.query(`SELECT true AS locked FROM pg_advisory_lock(${key})`));
        if (cycle === 0) {
          const holders = await context.stack.admin<{ pid: number }>(
            `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted`,
            [key],
          );
          lockHeldByMigrationBackend = holders.length === 1 && holders[0]?.pid === own?.pid;
          migrationSeenByPooler = (await pooledNames()).has(applicationNameFor(policy, 'migrate'));
        }
        const [row] = await bounded(
          migration.query<{ ok: boolean }>(`SELECT pg_advisory_unlock(${key}) AS ok`),
        );
        if (row?.ok === true) succeeded++;
      }
    } catch {
      lockWaitTimedOut = true;
    }
    return {
      lockHeldByMigrationBackend,
      unlockCycles: { succeeded, attempted },
      lockWaitTimedOut,
      migrationSeenByPooler,
      appSeenByPooler: (await pooledNames()).has(policy.applicationName),
    };
  } finally {
    serving = false;
    await Promise.all(traffic);
    // Release anything a broken client left behind, so it can't block later scenarios.
    // Through a transaction pooler the lock is orphaned on pooled server backends (holding it or waiting
    // for it): end them, twice, since a waiter gets the lock when the holder goes.
    for (let round = 0; round < 2; round++) {
      await context.stack
        .admin(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1`, [
          key,
        ])
        .catch(() => undefined);
      await sleep(50);
    }
    await migration.close().catch(() => undefined);
    await app.close().catch(() => undefined);
  }
}

// ---- 6. a process never holds more connections than its pool size ----------------------------

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

// ---- 7. errors from real faults, through the ORM, classified --------------------------------

/** One error a fault produced through the subject, as {@link errorsFromFaults} captured it. */
export interface CapturedError {
  /** The fault that produced it. */
  fault: 'wrong password' | 'login cut by a stopped PgBouncer' | 'backend terminated in flight';
  /** What classifyError says of the error object as thrown. */
  classification: { id: string | undefined; phase: string | undefined; retrySafe: boolean };
  /** The error as plain data (message, name, codes, cause chain), passwords removed: for the corpus. */
  error: unknown;
}

// The suite's connect timeout is 5 s: an answer must come before it, plus the proxy's retry.
const LOGIN_CUT_WAIT_MS = 8_000;

/**
 * A wrong password, a login cut by a stopped PgBouncer, and a backend terminated while a query is in flight,
 * each through the subject's own query path; returns the errors as the ORM threw them, with their
 * classification.
 */
export async function errorsFromFaults(context: ScenarioContext): Promise<CapturedError[]> {
  const { stack, mode } = context;
  const options = optionsFor(context);
  const module = await load(context.subject);
  const captured: CapturedError[] = [];
  const record = (fault: CapturedError['fault'], error: unknown) =>
    captured.push({
      fault,
      classification: (({ id, phase, retrySafe }) => ({ id, phase, retrySafe }))(classifyError(error)),
      error: plainError(error, stack.secrets()),
    });

  // A wrong password: the pooled URL with another password.
  const url = new URL(stack.url(mode));
  url.password = 'not-the-password';
  const wrong = defineDatabase({
    ...options,
    env: { ...(options.env ?? {}), DATABASE_URL: url.href },
    logger: quiet,
  });
  let app: AppClient | undefined;
  try {
    app = await module.createAppClient(wrong);
    await app.echo(1, 'x');
    throw new Error('a wrong password was accepted');
  } catch (error) {
    record('wrong password', error);
  } finally {
    await app?.close().catch(() => undefined);
  }

  // A login cut: PgBouncer stopped behind the proxy, which accepts the client's connection and then closes it
  // while the client waits for the login's answer. Nothing of the work was sent: every adapter must say so.
  // The client is built with PgBouncer stopped, as an app starting during the outage would be (TypeORM's
  // DataSource connects when it initializes, the others on the first query).
  await stack.stop(mode);
  let cut: AppClient | undefined;
  try {
    const policy = defineDatabase({ ...optionsFor(context), logger: quiet });
    const attempt = async () => {
      cut = await module.createAppClient(policy);
      await cut.echo(1, 'x');
      return new Error('a query succeeded with PgBouncer stopped');
    };
    record(
      'login cut by a stopped PgBouncer',
      await Promise.race([
        attempt().catch((error: unknown) => error),
        sleep(LOGIN_CUT_WAIT_MS).then(
          () => new Error(`no answer within ${LOGIN_CUT_WAIT_MS} ms with PgBouncer stopped`),
        ),
      ]),
    );
  } finally {
    await stack.start(mode);
    await Promise.race([cut?.close().catch(() => undefined), sleep(2_000)]);
  }

  // A backend terminated while the subject's query sleeps on it.
  await withApp(context, async (client, policy) => {
    await client.echo(1, 'warm');
    const inFlight = client.sleep(3).then(
      () => new Error('the query survived its backend'),
      (error: unknown) => error,
    );
    await sleep(300);
    await stack.terminateBackends({ applicationName: policy.applicationName });
    record('backend terminated in flight', await inFlight);
  });
  return captured;
}

// ---- 8. TLS, as the servers see it ---------------------------------------------------------------

/** What {@link tlsAsServersSeeIt} saw. */
export interface TlsOutcome {
  /** Per mode: whether each of the app's connections was encrypted (`pg_stat_ssl`), and the migration client's. */
  byMode: Record<TlsMode, { app: boolean[]; migration: boolean | undefined }>;
  /** Through PgBouncer: the `tls` column of SHOW CLIENTS for the app's connections, under verify-full and disable. */
  pooler: { 'verify-full': string[]; disable: string[] };
  /** How the first query failed with `verify-full` against another CA, and against a name the certificate lacks. */
  refused: { wrongCa: string | undefined; wrongHost: string | undefined };
}

/**
 * Builds the subject's app and migration clients under each TLS mode (the stack's CA given for the verifying
 * ones), runs a query, and reads from PostgreSQL's `pg_stat_ssl` whether their connections were encrypted.
 * The app's URL is the proxy's direct route here, so PostgreSQL sees the app's own connections (through
 * PgBouncer it would see PgBouncer's); PgBouncer's view is read separately. Then `verify-full` meets a CA that
 * did not sign the server's certificate, and a host name (`localhost`) that the certificate does not name.
 */
export async function tlsAsServersSeeIt(context: Omit<ScenarioContext, 'mode'>): Promise<TlsOutcome> {
  const { stack } = context;
  const module = await load(context.subject);
  const ca = stack.state.tls.caFile;
  const base = (name: string, pooledUrl: string, tls: { mode: TlsMode; ca?: string }) => ({
    ...scaledPolicyOptions(stack, 'session', name),
    env: {},
    pooledUrl,
    directUrl: stack.url('direct', { bypassProxy: true }),
    tls,
  });

  const byMode = {} as TlsOutcome['byMode'];
  for (const mode of ['disable', 'require', 'verify-ca', 'verify-full'] as const) {
    const name = `${context.subject.name}-tls-${mode}-${++sequence}`.replace(/[^\w.-]/g, '_').slice(0, 50);
    const policy = defineDatabase({ ...base(name, stack.url('direct'), { mode, ca }), logger: quiet });
    const app = await module.createAppClient(policy);
    let migration: boolean | undefined;
    try {
      await app.echo(1, mode);
      const seen = await tlsByApplication(stack, name);
      if (module.createMigrationClient !== undefined) {
        const client = await module.createMigrationClient(policy);
        try {
          const [row] = await client.query<{ ssl: boolean }>(
            'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
          );
          migration = row?.ssl;
        } finally {
          await client.close();
        }
      }
      byMode[mode] = { app: seen, migration };
    } finally {
      await app.close();
    }
  }

  const pooler = { 'verify-full': [] as string[], disable: [] as string[] };
  for (const mode of ['verify-full', 'disable'] as const) {
    const name = `${context.subject.name}-tlspool-${mode}-${++sequence}`
      .replace(/[^\w.-]/g, '_')
      .slice(0, 50);
    const policy = defineDatabase({ ...base(name, stack.url('session'), { mode, ca }), logger: quiet });
    const app = await module.createAppClient(policy);
    try {
      await app.echo(1, mode);
      pooler[mode] = (await clientsOf(stack, 'session', name)).map((client) => client.tls);
    } finally {
      await app.close();
    }
  }

  const firstQueryError = async (name: string, pooledUrl: string, tlsCa: string) => {
    const policy = defineDatabase({
      ...base(name, pooledUrl, { mode: 'verify-full', ca: tlsCa }),
      logger: quiet,
    });
    let app: AppClient | undefined;
    try {
      app = await module.createAppClient(policy);
      await app.echo(1, 'refused?');
      return undefined;
    } catch (error) {
      return classifyError(error).id;
    } finally {
      await app?.close().catch(() => undefined);
    }
  };
  const other = createCertificateAuthority(stack.state.dir, `other-ca-${++sequence}`);
  return {
    byMode,
    pooler,
    refused: {
      wrongCa: await firstQueryError(`tls-wrong-ca-${sequence}`, stack.url('direct'), other.certFile),
      wrongHost: await firstQueryError(
        `tls-wrong-host-${sequence}`,
        stack.url('direct', { host: 'localhost' }),
        ca,
      ),
    },
  };
}

// An error as plain JSON-able data: the fields classifiers read, through the wrappers ORMs put around
// driver errors (cause, driverError, meta), secrets removed.
function plainError(error: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof error === 'string')
    return secrets.reduce((text, secret) => text.split(secret).join('***'), error);
  if (typeof error !== 'object' || error === null || depth > 4) {
    return typeof error === 'function' ? undefined : error;
  }
  const source = error as Record<string, unknown>;
  const keys = new Set([...Object.keys(source), 'name', 'message', 'code', 'cause']);
  const plain: Record<string, unknown> = {};
  for (const key of keys) {
    if (key === 'stack' || !(key in source)) continue;
    const value = plainError(source[key], secrets, depth + 1);
    if (value !== undefined) plain[key] = value;
  }
  return plain;
}
