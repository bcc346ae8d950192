// Overhead: throughput of the mpgkit pg pool (guard off and on) against the seed's hand-written pg
// pool, through the same transaction-mode PgBouncer, in interleaved rounds; reported as ratios. All of them
// run verified TLS (the stack's URLs ask for verify-full); one more mpgkit pool runs plaintext, so TLS's own
// cost is a ratio measured in the same run; and one more mpgkit pool reports its metrics to the real
// OpenTelemetry SDK (collected every second, as a Prometheus scrape or an OTLP export would), so their cost is
// a ratio too. A second, identical guard-on pool is the A/A control: the ratio of two pools that differ in
// nothing is the bench's noise floor in that run. Each round also reads the client's own CPU time
// (process.cpuUsage), so a cost shows per query even when the shared cores blur the throughput.

import { EventEmitter } from 'node:events';
import { createPgPool, defineDatabase } from '@mpgkit/core';
import { guardPgClient, instrumentPgPool, type MeterLike, sendStatementsUnnamed } from '@mpgkit/core/adapter';
import { type Stack, startStack } from '@mpgkit/test-infra';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import pg from 'pg';
import { renderChart } from './chart.ts';
import { median, pairedDifferences, RESULTS_DIR, writeResult } from './results.ts';

const ROUNDS = 40;
const WORKERS = 8;
const QUERIES_PER_WORKER = 150;

type Variant =
  | 'seed'
  | 'mpgkit, guard off'
  | 'mpgkit, guard on'
  | 'mpgkit, guard on (A/A control)'
  | 'mpgkit, guard on, metrics on'
  | 'mpgkit, guard on, metrics on, none per query'
  | 'mpgkit, guard off, plaintext';

// The metrics' reader: the SDK collects every second into memory (cumulative, as Prometheus reads them).
const meterProvider = new MeterProvider({
  readers: [
    new PeriodicExportingMetricReader({
      exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
      exportIntervalMillis: 1_000,
    }),
  ],
});

function pools(stack: Stack): Record<Variant, pg.Pool> {
  const env = stack.envFor('transaction');
  const policy = (guard: 'off' | 'throw', plaintext = false, metrics: 'off' | 'on' | 'lean' = 'off') =>
    defineDatabase({
      env: plaintext
        ? { DATABASE_URL: stack.url('transaction'), DIRECT_DATABASE_URL: stack.url('direct') }
        : env,
      poolMode: 'transaction',
      poolSize: 10,
      transactionModeGuard: guard,
      logger: { warn() {} },
      ...(metrics === 'off'
        ? {}
        : { meter: meterProvider.getMeter('bench'), perQueryMetrics: metrics === 'on' }),
    });
  return {
    // The seed guide's snippet, verbatim (pg reads the URL's sslmode=verify-full and sslrootcert itself).
    seed: new pg.Pool({
      connectionString: env.DATABASE_URL,
      max: 10,
      idleTimeoutMillis: 300_000,
      maxLifetimeSeconds: 600,
      connectionTimeoutMillis: 5_000,
    }),
    'mpgkit, guard off': createPgPool(policy('off'), pg.Pool),
    'mpgkit, guard on': createPgPool(policy('throw'), pg.Pool),
    'mpgkit, guard on (A/A control)': createPgPool(policy('throw'), pg.Pool),
    'mpgkit, guard on, metrics on': createPgPool(policy('throw', false, 'on'), pg.Pool),
    'mpgkit, guard on, metrics on, none per query': createPgPool(policy('throw', false, 'lean'), pg.Pool),
    'mpgkit, guard off, plaintext': createPgPool(policy('off', true), pg.Pool),
  };
}

// The guard's and the unnaming's own cost per query, without a network: a client whose query does
// nothing, called with the app's usual statements (the guard caches verdicts per statement text).
function guardCpuPerQuery(): { guardNs: number; unnameNs: number } {
  const policy = defineDatabase({
    env: { DATABASE_URL: 'postgresql://u:p@h:6432/db' },
    poolMode: 'transaction',
    logger: { warn() {} },
  });
  const statements = [
    'SELECT * FROM users WHERE id = $1',
    'UPDATE orders SET status = $1 WHERE id = $2',
    'INSERT INTO events (kind) VALUES ($1)',
  ];
  const time = (client: { query: (config: unknown) => unknown }) => {
    const n = 300_000;
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) client.query({ text: statements[i % 3], values: [i] });
    return Number(process.hrtime.bigint() - started) / n;
  };
  const bare = () => ({ on() {}, query: (_config: unknown) => undefined });
  const guarded = bare();
  guardPgClient(guarded, policy, 'throw');
  const listeners: Array<(client: ReturnType<typeof bare>) => void> = [];
  const unnamed = bare();
  sendStatementsUnnamed({
    on: (_event: string, listener: (client: ReturnType<typeof bare>) => void) => listeners.push(listener),
  } as never);
  for (const listener of listeners) listener(unnamed);
  for (let i = 0; i < 3; i++) [time(bare()), time(guarded), time(unnamed)]; // warm up the JIT
  const base = time(bare());
  return {
    guardNs: Math.max(0, Math.round(time(guarded) - base)),
    unnameNs: Math.max(0, Math.round(time(unnamed) - base)),
  };
}

// The metrics' own cost per query, without a network: a real pg Pool (pg-pool's events, its wait and release
// paths) whose Client answers at once, queried with and without a meter, and with a meter whose histograms
// discard what they get (what is left is mpgkit's bridge: the events, the clocks, the weak maps), and with the
// real meter but nothing recorded per query (perQueryMetrics: false).
async function metricsCpuPerQuery(): Promise<{ bridgeNs: number; sdkNs: number; nonePerQueryNs: number }> {
  class InstantClient extends EventEmitter {
    // pg-pool keeps a released client only if it is `_queryable` and not `_ending` (pg-pool 3.14 index.js
    // _release); without them every query would open a new client.
    _queryable = true;
    _ending = false;
    connect(callback: (error?: Error) => void) {
      queueMicrotask(() => callback());
    }
    query(_text: unknown, _values: unknown, callback: (error: Error | null, result: unknown) => void) {
      queueMicrotask(() => callback(null, { rows: [] }));
    }
    end(callback?: () => void) {
      callback?.();
    }
    release() {}
  }
  const provider = new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
        exportIntervalMillis: 60_000,
      }),
    ],
  });
  const real = provider.getMeter('cpu');
  const discarding = {
    createCounter: real.createCounter.bind(real),
    createObservableUpDownCounter: real.createObservableUpDownCounter.bind(real),
    createHistogram: () => ({ record() {} }),
  };
  const pool = (meter?: MeterLike, perQuery = true) => {
    const built = new pg.Pool({ Client: InstantClient as never, max: 4 });
    if (meter !== undefined) instrumentPgPool(built, meter, { poolName: 'cpu', perQuery });
    return built;
  };
  const time = async (target: pg.Pool) => {
    const n = 40_000;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = 0; i < n / 4; i++) await target.query('SELECT 1');
      }),
    );
    return Number(process.hrtime.bigint() - started) / n;
  };
  const [off, bridge, on, lean] = [pool(), pool(discarding), pool(real), pool(real, false)];
  const samples = { off: [] as number[], bridge: [] as number[], on: [] as number[], lean: [] as number[] };
  for (let r = 0; r < 7; r++) {
    samples.off.push(await time(off));
    samples.bridge.push(await time(bridge));
    samples.on.push(await time(on));
    samples.lean.push(await time(lean));
  }
  await Promise.all([off.end(), bridge.end(), on.end(), lean.end()]);
  await provider.shutdown();
  const above = (a: number[], b: number[]) => Math.max(0, Math.round(median(a) - median(b)));
  return {
    bridgeNs: above(samples.bridge, samples.off),
    sdkNs: above(samples.on, samples.bridge),
    nonePerQueryNs: above(samples.lean, samples.off),
  };
}

/** One round: queries per second, and the client's CPU time (user + system) per query in µs. */
async function round(pool: pg.Pool): Promise<{ qps: number; cpuUs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, worker) => {
      for (let i = 0; i < QUERIES_PER_WORKER; i++)
        await pool.query('SELECT $1::int AS n, $2::text AS s', [i, `w${worker}`]);
    }),
  );
  const used = process.cpuUsage(cpu);
  const queries = WORKERS * QUERIES_PER_WORKER;
  return {
    qps: queries / ((performance.now() - started) / 1000),
    cpuUs: (used.user + used.system) / queries,
  };
}

export async function runOverheadBench(log: (line: string) => void) {
  const stack = await startStack();
  const variants = pools(stack);
  const names = Object.keys(variants) as Variant[];
  const perVariant = () =>
    Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Variant, number[]>;
  const samples = perVariant();
  const cpuSamples = perVariant();
  try {
    for (const name of names) await round(variants[name]); // warm-up: open every pool's connections
    for (let r = 0; r < ROUNDS; r++) {
      // Rotate the order each round, so drift on a noisy machine hits every variant alike.
      for (const name of names.map((_, i) => names[(i + r) % names.length] as Variant)) {
        const { qps, cpuUs } = await round(variants[name]);
        samples[name].push(qps);
        cpuSamples[name].push(cpuUs);
      }
    }
  } finally {
    await Promise.all(Object.values(variants).map((pool) => pool.end()));
    await meterProvider.shutdown();
    await stack.down();
  }
  // Paired: each round's ratio compares runs made moments apart, under the same load on the machine.
  const pairedRatio = (variant: Variant, base: Variant) =>
    Math.round(median(samples[variant].map((qps, r) => qps / (samples[base][r] ?? qps))) * 1000) / 1000;
  const rows = names.map((name) => ({
    variant: name,
    medianQueriesPerSecond: Math.round(median(samples[name])),
    ratioToSeed: pairedRatio(name, 'seed'),
    clientCpuUsPerQuery: Math.round(median(cpuSamples[name]) * 10) / 10,
    samples: samples[name].map(Math.round),
  }));
  // The A/A control: two pools that differ in nothing; how far their ratio is from 1 is this run's noise.
  const controlRatio = pairedRatio('mpgkit, guard on (A/A control)', 'mpgkit, guard on');
  // The client CPU the metrics add per query, paired by round as the ratios are (µs, and a share of the
  // pool's CPU per query without them).
  const pairedCpu = (variant: Variant, base: Variant) =>
    median(pairedDifferences(cpuSamples[variant], cpuSamples[base]));
  const cpuCost = (variant: Variant) => {
    const added = pairedCpu(variant, 'mpgkit, guard on');
    return {
      addedUsPerQuery: Math.round(added * 10) / 10,
      share: Math.round((added / median(cpuSamples['mpgkit, guard on'])) * 1000) / 1000,
    };
  };
  const metricsClientCpu = {
    ...cpuCost('mpgkit, guard on, metrics on'),
    controlAddedUsPerQuery: cpuCost('mpgkit, guard on (A/A control)').addedUsPerQuery,
  };
  // TLS's own cost: the same mpgkit pool, verified TLS vs plaintext.
  const tlsRatioToPlaintext = pairedRatio('mpgkit, guard off', 'mpgkit, guard off, plaintext');
  // The metrics' own cost: the same pool (guard on) with and without a meter; and with a meter but nothing
  // recorded per query (perQueryMetrics: false).
  const metricsRatio = pairedRatio('mpgkit, guard on, metrics on', 'mpgkit, guard on');
  const leanMetrics = {
    ratio: pairedRatio('mpgkit, guard on, metrics on, none per query', 'mpgkit, guard on'),
    ...cpuCost('mpgkit, guard on, metrics on, none per query'),
  };
  log(
    `  metrics on ÷ off (mpgkit, guard on): ${metricsRatio}, +${metricsClientCpu.addedUsPerQuery} µs client CPU per query (${(metricsClientCpu.share * 100).toFixed(1)} %); none per query: ${leanMetrics.ratio}, +${leanMetrics.addedUsPerQuery} µs; the A/A control ${controlRatio}, ${metricsClientCpu.controlAddedUsPerQuery} µs`,
  );
  const guardCpu = guardCpuPerQuery();
  const metricsCpu = await metricsCpuPerQuery();
  log(
    `  metrics' cost per query without a network: mpgkit's bridge ${metricsCpu.bridgeNs} ns, the SDK's records ${metricsCpu.sdkNs} ns; none per query ${metricsCpu.nonePerQueryNs} ns`,
  );
  log(`  client-side cost per query: guard ${guardCpu.guardNs} ns, unnaming ${guardCpu.unnameNs} ns`);
  log(`  verified TLS ÷ plaintext (mpgkit, guard off): ${tlsRatioToPlaintext}`);
  for (const row of rows)
    log(
      `  ${row.variant.padEnd(20)} ${String(row.medianQueriesPerSecond).padStart(6)} q/s  ratio ${row.ratioToSeed}`,
    );
  writeResult('overhead', {
    description: `${WORKERS} workers × ${QUERIES_PER_WORKER} parameterized queries per round, ${ROUNDS} rounds with the order rotated each round, through a transaction-mode PgBouncer, over verified TLS (one pool plaintext); ratio = median of per-round ratios to the seed's pool. Targets: ≥ 0.98 guard off, ≥ 0.95 guard on.`,
    targets: { 'mpgkit, guard off': 0.98, 'mpgkit, guard on': 0.95 },
    rows,
    tlsRatioToPlaintext,
    metricsRatio,
    controlRatio,
    metricsTarget: 0.97,
    metricsClientCpu,
    leanMetrics,
    metricsCostPerQuery: metricsCpu,
    clientSideCostPerQuery: guardCpu,
  });
  await renderChart(
    {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: "Throughput relative to the seed's hand-written pg pool (median of paired per-round ratios)",
      width: 420,
      height: 180,
      layer: [
        {
          data: { values: rows },
          mark: 'bar',
          encoding: {
            y: { field: 'variant', type: 'nominal', title: null, sort: null },
            x: {
              field: 'ratioToSeed',
              type: 'quantitative',
              title: 'throughput ÷ seed',
              scale: { domain: [0, 1.1] },
            },
          },
        },
        {
          data: {
            values: [
              { target: 0.95, label: 'guard-on target 0.95' },
              { target: 0.98, label: 'guard-off target 0.98' },
            ],
          },
          mark: { type: 'rule', strokeDash: [4, 3], color: '#c33' },
          encoding: { x: { field: 'target', type: 'quantitative' } },
        },
      ],
    },
    `${RESULTS_DIR}overhead.svg`,
  );
  return rows;
}
