// Storms: a fleet of N separate Node processes (each a small pool under a paced load) through one
// transaction-mode PgBouncer, for three kinds of pool in turn: mpgkit's (jittered lifetime, connect backoff),
// the seed guide's (a fixed lifetime) and a pg Pool with no lifetime. Each fleet goes through (a) a steady
// state over several lifetimes, (b) a proxy drain, (c) a PgBouncer restart, (d) a PostgreSQL restart and (e) a
// wrong password, one after another. PgBouncer's log says when every client login and every new server
// connection happened; the processes say which queries failed and how fast the others were, per second.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { POLICY_DEFAULTS } from '@mpgkit/core';
import { type Stack, startStack } from '@mpgkit/test-infra';
import { LoadRun, scaledPolicyOptions } from '@mpgkit/test-infra/conformance';
import { renderChart } from './chart.ts';
import { RESULTS_DIR, writeResult } from './results.ts';
import { DRAIN_SUBJECTS } from './subjects.ts';

/** The fleet's shape and the run's durations: parameters, so a bigger machine can run a bigger fleet. */
export interface StormSettings {
  /** Separate Node processes. @default env MPGKIT_BENCH_FLEET_PROCESSES ?? 20 */
  processes: number;
  /** Pool size of each process. @default 2 */
  poolSize: number;
  /** Query loops per process, each pausing `paceMs` between queries. @default 2 */
  workers: number;
  /** @default 25 */
  paceMs: number;
  /** The proxy's hard stop, which scales every policy (lifetime ≤ half of it). @default 30 */
  drainWindowSeconds: number;
  /** The steady state before the first fault: past the seed's fixed lifetime (the window). @default 32 */
  steadySeconds: number;
  /** Time from one fault to the next (from the drain's hard stop: 1 s). @default 5 */
  faultSpacingSeconds: number;
  /** Time the processes get to boot before they all connect at once. @default 10 */
  bootSeconds: number;
  /** How long the password stays wrong. @default 3 */
  wrongPasswordSeconds: number;
  /** Width of a time bucket for the chart. @default 250 */
  bucketMs: number;
}

/**
 * One second of MPG's time, scaled as the policies are: the drain window is 600 s on MPG, so on a stack whose
 * window is W seconds a connection rate "per second" is one per W/600 s. Lifetimes and their jitter scale the
 * same way, so peaks per scaled second compare as they would on MPG.
 */
export function scaledSecondMs(settings: StormSettings): number {
  return (settings.drainWindowSeconds / 600) * 1000;
}

const FAULTS = ['drain', 'pgbouncer-restart', 'postgres-restart', 'wrong-password'] as const;
type StormFault = (typeof FAULTS)[number];

// The three pools of the issue: the seed's is the guide's hand-written pool (a fixed lifetime equal to the
// drain window), the third the same with listeners and no lifetime.
const KINDS = [
  { kind: 'mpgkit', subject: 'mpgkit: pg Pool', label: 'mpgkit (jittered lifetime, connect backoff)' },
  { kind: 'fixed', subject: "seed's hand-written pg Pool", label: "fixed lifetime (the seed's pool)" },
  { kind: 'none', subject: 'pg Pool, listeners, no lifetime', label: 'no lifetime' },
] as const;

/** What one fault did to one fleet. */
export interface StormPhase {
  fault: StormFault;
  /** Seconds from the fleet's start to the fault, and to the component working again. */
  atSeconds: number;
  backSeconds: number;
  failed: number;
  /** Failures more than 2 s after the component worked again (0 means the fleet had recovered). */
  failedAfterRecovery: number;
  /** From the component working again to the fleet's last failure in this phase (0: none after it). */
  recoveredSeconds: number;
  /**
   * From the component working again to the first second in which the whole fleet served at least 90 % of its
   * steady queries per second again; `never` if it did not before the next fault (a fleet that lost processes
   * never has, whatever its survivors do); `unknown` when no process survived to report its seconds.
   */
  throughputBackSeconds: number | 'never' | 'unknown';
  /** PgBouncer client logins and new server connections from the fault to the next. */
  clientLogins: number;
  serverConnections: number;
}

export interface StormRow {
  kind: (typeof KINDS)[number]['kind'];
  label: string;
  crashedProcesses: number;
  /** When the first process crashed: seconds since the fleet started, and the fault whose phase it fell in. */
  firstCrash?: { atSeconds: number; during: StormFault | 'steady state' };
  ok: number;
  failed: number;
  steady: {
    /** Peak client logins in one scaled second ({@link scaledSecondMs}) and in one real second, in the steady state. */
    peakLoginsPerScaledSecond: number;
    peakLoginsPerSecond: number;
    logins: number;
    p50Ms: number;
    p99Ms: number;
  };
  phases: StormPhase[];
  /** [seconds since the fleet's start, client logins, server connections] per bucket. */
  timeline: Array<[number, number, number]>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function stormSettings(): StormSettings {
  return {
    processes: Number(process.env.MPGKIT_BENCH_FLEET_PROCESSES ?? 20),
    poolSize: 2,
    workers: 2,
    paceMs: 25,
    drainWindowSeconds: 30,
    steadySeconds: 32,
    faultSpacingSeconds: 5,
    bootSeconds: 10,
    wrongPasswordSeconds: 3,
    bucketMs: 250,
  };
}

// PgBouncer 1.18 logs each client login ("login attempt: db=… user=…", log_connections) and each server
// connection it opens ("new connection to server"), each line stamped "YYYY-MM-DD HH:MM:SS.mmm TZ".
function pgbouncerEvents(path: string, fromOffset: number): { logins: number[]; servers: number[] } {
  const logins: number[] = [];
  const servers: number[] = [];
  if (!existsSync(path)) return { logins, servers };
  const text = readFileSync(path).subarray(fromOffset).toString('utf8');
  for (const line of text.split('\n')) {
    const stamp = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) (UTC|GMT)/.exec(line);
    if (stamp === null) continue;
    const at = Date.parse(`${stamp[1]}T${stamp[2]}Z`);
    if (/login attempt: db=(?!pgbouncer\b)/.test(line)) logins.push(at);
    else if (line.includes('new connection to server')) servers.push(at);
  }
  return { logins, servers };
}

async function runFleet(
  stack: Stack,
  kind: (typeof KINDS)[number],
  settings: StormSettings,
  log: (line: string) => void,
): Promise<StormRow> {
  const subject = DRAIN_SUBJECTS.find((candidate) => candidate.name === kind.subject);
  if (subject === undefined) throw new Error(`no bench subject ${kind.subject}`);
  const pooler = stack.state.poolers.transaction;
  const logOffset = existsSync(pooler.logFile) ? statSync(pooler.logFile).size : 0;
  // Deployed together: every process connects at the same instant, as a fleet's machines do on a deploy.
  const startedAt = Date.now() + settings.bootSeconds * 1000;
  const runs = Array.from(
    { length: settings.processes },
    (_, index) =>
      new LoadRun({
        module: subject.module,
        policyOptions: {
          ...scaledPolicyOptions(stack, 'transaction', `storm-${kind.kind}-${index}`),
          poolSize: settings.poolSize,
        },
        workers: settings.workers,
        paceMs: settings.paceMs,
        startAt: startedAt,
        warmupMs: 200,
      }),
  );
  await Promise.all(runs.map((run) => run.next('ready', 60_000)));
  await sleep(Math.max(0, startedAt + settings.steadySeconds * 1000 - Date.now()));
  const faultTimes: Array<{ fault: StormFault; at: number; back: number }> = [];
  for (const fault of FAULTS) {
    const at = Date.now();
    let back = at;
    if (fault === 'drain') back = (await stack.drain()).hardStopAt;
    else if (fault === 'pgbouncer-restart') {
      await stack.restartPooler('transaction');
      back = Date.now();
    } else if (fault === 'postgres-restart') {
      await stack.restartPostgres();
      back = Date.now();
    } else {
      await stack.breakPassword(stack.state.users.admin.name, settings.wrongPasswordSeconds * 1000);
      back = Date.now();
    }
    faultTimes.push({ fault, at, back });
    // At least 4 s after the part works again before the next fault (and the end): room to see the fleet's
    // throughput come back, in whole seconds.
    await sleep(Math.max(0, Math.max(at + settings.faultSpacingSeconds * 1000, back + 4_000) - Date.now()));
  }
  const outcomes = await Promise.all(runs.map((run) => run.finish()));
  for (const run of runs) run.kill();
  const endedAt = Date.now();
  const events = pgbouncerEvents(pooler.logFile, logOffset);

  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const failures = outcomes.flatMap((outcome) =>
    outcome.timeline.map((event) => outcome.startedAt + event.atMs),
  );
  const count = (times: number[], from: number, to: number) =>
    times.filter((time) => time >= from && time < to).length;
  // The queries the surviving processes served per wall-clock second (a crashed process reports nothing), and
  // their steady rate (the median second before the first fault): before any crash, the survivors stand for
  // the fleet. Once a process has crashed the fleet cannot serve its rate again: a phase ending after a crash
  // never recovers.
  const servedPerSecond = new Map<number, number>();
  for (const outcome of outcomes)
    for (const second of outcome.perSecond)
      servedPerSecond.set(second.second, (servedPerSecond.get(second.second) ?? 0) + second.ok);
  const firstFault = faultTimes[0]?.at ?? endedAt;
  const survivors = outcomes.filter((outcome) => !outcome.crashed).length;
  const steadyRate = median(
    [...servedPerSecond.entries()]
      .filter(([second]) => second * 1000 >= startedAt + 2_000 && (second + 1) * 1000 <= firstFault)
      .map(([, served]) => served),
  );
  const firstCrash = Math.min(
    Number.POSITIVE_INFINITY,
    ...outcomes.flatMap((outcome) => (outcome.crashedAt === undefined ? [] : [outcome.crashedAt])),
  );
  const phases: StormPhase[] = faultTimes.map(({ fault, at, back }, index) => {
    const end = faultTimes[index + 1]?.at ?? endedAt;
    const inPhase = failures.filter((time) => time >= at && time < end);
    const lastFailure = Math.max(back, ...inPhase);
    return {
      fault,
      atSeconds: (at - startedAt) / 1000,
      backSeconds: (back - startedAt) / 1000,
      failed: inPhase.length,
      failedAfterRecovery: inPhase.filter((time) => time > back + 2_000).length,
      recoveredSeconds: (lastFailure - back) / 1000,
      throughputBackSeconds: (() => {
        if (firstCrash < end) return 'never';
        if (survivors === 0) return 'unknown';
        for (let second = Math.floor(back / 1000); (second + 1) * 1000 <= end; second++) {
          if ((servedPerSecond.get(second) ?? 0) >= 0.9 * steadyRate)
            return Math.max(0, (second * 1000 - back) / 1000);
        }
        return 'never';
      })(),
      clientLogins: count(events.logins, at, end),
      serverConnections: count(events.servers, at, end),
    };
  });

  // Steady state: from the fleet's connecting together to the first fault (the first lifetimes end inside it).
  const steadyFrom = startedAt + 1_000;
  const steadyTo = faultTimes[0]?.at ?? endedAt;
  const peak = (width: number) => {
    const buckets = new Map<number, number>();
    for (const time of events.logins) {
      if (time < steadyFrom || time >= steadyTo) continue;
      const key = Math.floor((time - steadyFrom) / width);
      buckets.set(key, (buckets.get(key) ?? 0) + 1);
    }
    return Math.max(0, ...buckets.values());
  };
  const steadySeconds = outcomes.flatMap((outcome) =>
    outcome.perSecond.filter(
      (second) => second.second * 1000 >= steadyFrom && (second.second + 1) * 1000 <= steadyTo,
    ),
  );

  const timeline = new Map<number, [number, number]>();
  const bucketOf = (time: number) =>
    Math.floor((time - startedAt) / settings.bucketMs) * (settings.bucketMs / 1000);
  for (const time of events.logins) {
    const key = bucketOf(time);
    timeline.set(key, [(timeline.get(key)?.[0] ?? 0) + 1, timeline.get(key)?.[1] ?? 0]);
  }
  for (const time of events.servers) {
    const key = bucketOf(time);
    timeline.set(key, [timeline.get(key)?.[0] ?? 0, (timeline.get(key)?.[1] ?? 0) + 1]);
  }
  const row: StormRow = {
    kind: kind.kind,
    label: kind.label,
    crashedProcesses: outcomes.filter((outcome) => outcome.crashed).length,
    ...(Number.isFinite(firstCrash)
      ? {
          firstCrash: {
            atSeconds: round((firstCrash - startedAt) / 1000),
            during: faultTimes.findLast((time) => time.at <= firstCrash)?.fault ?? 'steady state',
          },
        }
      : {}),
    ok: outcomes.reduce((sum, outcome) => sum + outcome.ok, 0),
    failed: outcomes.reduce((sum, outcome) => sum + outcome.failed, 0),
    steady: {
      peakLoginsPerScaledSecond: peak(scaledSecondMs(settings)),
      peakLoginsPerSecond: peak(1000),
      logins: count(events.logins, steadyFrom, steadyTo),
      p50Ms: round(median(steadySeconds.map((second) => second.p50))),
      p99Ms: round(Math.max(0, ...steadySeconds.map((second) => second.p99))),
    },
    phases,
    timeline: [...timeline.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([t, [logins, servers]]) => [t, logins, servers]),
  };
  log(
    `  ${kind.label.padEnd(46)} steady peak ${row.steady.peakLoginsPerScaledSecond}/${scaledSecondMs(settings).toFixed(1)} ms, ${row.steady.peakLoginsPerSecond}/s; ` +
      phases
        .map(
          (phase) =>
            `${phase.fault} ${phase.failed}f ${phase.clientLogins} logins ${phase.recoveredSeconds.toFixed(2)} s`,
        )
        .join('; ') +
      (row.crashedProcesses > 0 ? `; ${row.crashedProcesses} processes crashed` : ''),
  );
  return row;
}

const round = (value: number) => Math.round(value * 100) / 100;

export async function runStormBench(log: (line: string) => void): Promise<StormRow[]> {
  const settings = stormSettings();
  const stack = await startStack({ hardStopAfterSeconds: settings.drainWindowSeconds });
  const rows: StormRow[] = [];
  try {
    for (const kind of KINDS) rows.push(await runFleet(stack, kind, settings, log));
  } finally {
    await stack.down();
  }
  writeResult('storms', {
    description: `${settings.processes} Node processes started together, each a pool of ${settings.poolSize} with ${settings.workers} query loops (one query every ${settings.paceMs} ms each), through one transaction-mode PgBouncer, all connecting at the same instant; policies scaled to a ${settings.drainWindowSeconds} s drain window (mpgkit's lifetimes ${(settings.drainWindowSeconds / 2) * (1 - POLICY_DEFAULTS.lifetimeJitter)}–${settings.drainWindowSeconds / 2} s, the default jitter; the seed's fixed lifetime = the window). ${settings.steadySeconds} s of steady state, then proxy drain, PgBouncer restart, PostgreSQL restart, a wrong password for ${settings.wrongPasswordSeconds} s, ${settings.faultSpacingSeconds} s apart and at least 4 s after the part worked again. Connection rates from PgBouncer's log; a scaled second is ${scaledSecondMs(settings).toFixed(1)} ms (600 s on MPG ↔ ${settings.drainWindowSeconds} s here).`,
    settings,
    rows,
  });
  await renderChart(
    {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: {
        text: `A fleet of ${settings.processes} processes: client logins at PgBouncer per ${settings.bucketMs} ms`,
        subtitle: 'dashed lines: a fault (drain, PgBouncer restart, PostgreSQL restart, wrong password)',
      },
      facet: { row: { field: 'label', type: 'nominal', title: null, header: { labelLimit: 320 } } },
      data: {
        values: rows.flatMap((row) => [
          ...row.timeline.map(([t, logins]) => ({ label: row.label, t, logins, mark: 'logins' })),
          ...row.phases.map((phase) => ({ label: row.label, t: phase.atSeconds, fault: phase.fault })),
        ]),
      },
      spec: {
        width: 640,
        height: 110,
        layer: [
          {
            transform: [{ filter: 'datum.mark === "logins"' }],
            mark: { type: 'bar', width: 2 },
            encoding: {
              x: { field: 't', type: 'quantitative', title: 'seconds since the fleet started' },
              y: { field: 'logins', type: 'quantitative', title: 'logins', axis: { format: 'd' } },
            },
          },
          {
            transform: [{ filter: 'isValid(datum.fault)' }],
            mark: { type: 'rule', strokeDash: [4, 3], color: '#c0392b' },
            encoding: { x: { field: 't', type: 'quantitative' } },
          },
        ],
      },
      resolve: { scale: { y: 'independent' } },
    },
    `${RESULTS_DIR}storms.svg`,
  );
  return rows;
}
