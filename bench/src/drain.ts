// Drain: a steady load across a proxy restart, for every adapter's mpgkit-built client, beside a naive
// hand-written client and the seed guide's hand-written settings, in one run on one stack.

import { type Stack, showClients, startStack } from '@mpgkit/test-infra';
import { LoadRun, scaledPolicyOptions } from '@mpgkit/test-infra/conformance';
import { renderChart } from './chart.ts';
import { RESULTS_DIR, writeResult } from './results.ts';
import { type BenchSubject, DRAIN_SUBJECTS } from './subjects.ts';

const BUCKET_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface DrainRow {
  subject: string;
  kind: BenchSubject['kind'];
  ok: number;
  failed: number;
  crashed: boolean;
  latencyMs: { p50: number; p99: number; max: number };
  topErrors: string[];
  /** [seconds since the drain, failures, new connections] per 250 ms. */
  timeline: Array<[number, number, number]>;
}

async function measure(stack: Stack, subject: BenchSubject, index: number): Promise<DrainRow> {
  const applicationName = `bench-drain-${index}`;
  const run = new LoadRun({
    module: subject.module,
    policyOptions: scaledPolicyOptions(stack, 'transaction', applicationName),
    workers: 6,
    warmupMs: 500,
  });
  // New client connections, as PgBouncer sees them (a new client port = a new connection).
  const firstSeen = new Map<number, number>();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const clients = await showClients(stack, 'transaction').catch(() => []);
      for (const client of clients) {
        if (client.application_name === applicationName && !firstSeen.has(client.port))
          firstSeen.set(client.port, Date.now());
      }
      await sleep(50);
    }
  })();
  let drainAt = Date.now();
  if ((await run.next('ready')) !== undefined) {
    drainAt = Date.now();
    const { hardStopAt } = await stack.drain();
    await sleep(Math.max(0, hardStopAt - Date.now()) + 1_500);
  }
  const outcome = await run.finish();
  polling = false;
  await poller;

  const buckets = new Map<number, [number, number]>();
  const bucket = (epoch: number) => Math.floor((epoch - drainAt) / BUCKET_MS) * (BUCKET_MS / 1000);
  for (const event of outcome.timeline) {
    const key = bucket(outcome.startedAt + event.atMs);
    buckets.set(key, [(buckets.get(key)?.[0] ?? 0) + 1, buckets.get(key)?.[1] ?? 0]);
  }
  for (const seenAt of firstSeen.values()) {
    const key = bucket(seenAt);
    if (key < -0.25) continue; // the pool's first connections, before the drain
    buckets.set(key, [buckets.get(key)?.[0] ?? 0, (buckets.get(key)?.[1] ?? 0) + 1]);
  }
  return {
    subject: subject.name,
    kind: subject.kind,
    ok: outcome.ok,
    failed: outcome.failed,
    crashed: outcome.crashed,
    latencyMs: {
      p50: round(outcome.latency?.p50 ?? 0),
      p99: round(outcome.latency?.p99 ?? 0),
      max: round(outcome.latency?.max ?? 0),
    },
    topErrors: outcome.crashed
      ? [outcome.crash ?? 'crashed']
      : Object.entries(outcome.errors)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3)
          .map(([message, count]) => `${count}× ${message}`),
    timeline: [...buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([t, [failures, connections]]) => [t, failures, connections]),
  };
}

const round = (value: number) => Math.round(value * 100) / 100;

export async function runDrainBench(log: (line: string) => void): Promise<DrainRow[]> {
  const stack = await startStack({ hardStopAfterSeconds: 4 });
  const rows: DrainRow[] = [];
  try {
    for (const [index, subject] of DRAIN_SUBJECTS.entries()) {
      const row = await measure(stack, subject, index);
      rows.push(row);
      log(
        `  ${subject.name.padEnd(30)} ${String(row.ok).padStart(6)} ok  ${String(row.failed).padStart(4)} failed  ${row.crashed ? 'CRASHED' : 'no crash'}  p99 ${row.latencyMs.p99} ms`,
      );
    }
  } finally {
    await stack.down();
  }
  writeResult('drain', {
    description:
      'Steady load (6 workers) through a transaction-mode PgBouncer while the proxy restarts (drain, hard stop after 4 s); policies scaled to the 4 s window (lifetime ≤ 2 s).',
    rows,
  });
  const crashed = rows.filter((row) => row.crashed).map((row) => `${row.subject}: crashed`);
  await renderChart(
    {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: {
        text: 'Proxy drain at t = 0, hard stop at 4 s: failed queries and new connections per 250 ms',
        subtitle:
          crashed.length > 0
            ? `not shown: ${crashed.join(', ')} (process exit on an unhandled connection error)`
            : '',
      },
      data: {
        values: rows.flatMap((row) =>
          row.timeline.flatMap(([t, failures, connections]) => [
            { subject: row.subject, t, metric: 'failed queries', count: failures },
            { subject: row.subject, t, metric: 'new connections', count: connections },
          ]),
        ),
      },
      facet: { row: { field: 'metric', type: 'nominal', title: null } },
      spec: {
        width: 640,
        height: 150,
        mark: { type: 'bar', width: 9 },
        encoding: {
          x: {
            field: 't',
            type: 'quantitative',
            title: 'seconds since the drain',
            scale: { domain: [-0.5, 6] },
          },
          y: {
            field: 'count',
            type: 'quantitative',
            title: null,
            stack: true,
            axis: { format: 'd', tickMinStep: 1 },
          },
          color: {
            field: 'subject',
            type: 'nominal',
            legend: { orient: 'bottom', columns: 2, labelLimit: 320 },
          },
        },
      },
      resolve: { scale: { y: 'independent' } },
    },
    `${RESULTS_DIR}drain.svg`,
  );
  return rows;
}
