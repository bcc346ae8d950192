import { createPgPool, defineDatabase } from '@mpgkit/core';
import { startStack } from '@mpgkit/test-infra';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import pg from 'pg';

const stack = await startStack();
const mp = new MeterProvider({
  readers: [
    new PeriodicExportingMetricReader({
      exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
      exportIntervalMillis: 1000,
    }),
  ],
});
const real = mp.getMeter('b');
const noHist = {
  createCounter: real.createCounter.bind(real),
  createObservableUpDownCounter: real.createObservableUpDownCounter.bind(real),
  createHistogram: () => ({ record() {} }),
};
const mk = (meter?: unknown) =>
  createPgPool(
    defineDatabase({
      env: stack.envFor('transaction'),
      poolMode: 'transaction',
      poolSize: 10,
      transactionModeGuard: 'throw',
      logger: { warn() {} },
      ...(meter ? { meter: meter as never } : {}),
    }),
    pg.Pool,
  );
const pools = { off: mk(), on: mk(real), nohist: mk(noHist) };
async function run(pool: pg.Pool) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const n = 8 * 300;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 300; i++) await pool.query('SELECT $1::int AS n', [i]);
    }),
  );
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / n, qps: n / ((performance.now() - t0) / 1000) };
}
const res: Record<string, { cpu: number[]; qps: number[] }> = {
  off: { cpu: [], qps: [] },
  on: { cpu: [], qps: [] },
  nohist: { cpu: [], qps: [] },
};
const names = Object.keys(pools) as (keyof typeof pools)[];
for (const n of names) await run(pools[n]);
for (let r = 0; r < 24; r++)
  for (const n of names.map((_, i) => names[(i + r) % 3]!)) {
    const x = await run(pools[n]);
    res[n]!.cpu.push(x.cpu);
    res[n]!.qps.push(x.qps);
  }
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
for (const n of names)
  console.log(
    n,
    'cpu µs',
    med(res[n]!.cpu).toFixed(1),
    'qps',
    med(res[n]!.qps).toFixed(0),
    'paired ratio to off',
    med(res[n]!.qps.map((q, i) => q / res.off!.qps[i]!)).toFixed(3),
  );
for (const p of Object.values(pools)) await p.end();
await mp.shutdown();
await stack.down();
