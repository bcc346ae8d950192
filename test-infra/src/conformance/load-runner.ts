// Child process of the fault scenarios: builds the subject's app client from a policy and runs a load
// the parent controls over IPC. If the subject lets a connection error go unhandled, this process
// crashes, and the parent counts the crash.
import { defineDatabase, explainError } from '@mpgkit/core';
import { redact } from '@mpgkit/core/adapter';
import {
  emptyLoadResult,
  type LoadCommand,
  type LoadConfig,
  type LoadEvent,
  type LoadResult,
} from './load-protocol.ts';
import { onDemandMeter } from './metrics-reader.ts';
import type { AppClient, SubjectModule } from './subject.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as LoadConfig;
const send = (event: LoadEvent) => process.send?.(event);

const subject = (await import(config.module)) as SubjectModule;
const metrics = config.metrics ? await onDemandMeter() : undefined;
const policy = defineDatabase({
  ...config.policyOptions,
  logger: { warn: () => undefined },
  ...(metrics === undefined ? {} : { meter: metrics.meter }),
});
const client: AppClient = await subject.createAppClient(policy);

const started = Date.now();
const result: LoadResult = emptyLoadResult(started);
let running = true;
// Per epoch second: latencies of the queries that succeeded, and the number that failed.
const seconds = new Map<number, { latencies: number[]; failed: number }>();
const secondOf = (at: number) => {
  const key = Math.floor(at / 1000);
  const entry = seconds.get(key) ?? { latencies: [], failed: 0 };
  seconds.set(key, entry);
  return entry;
};

if (config.appHandlers) {
  // What an app's own handlers see; the first stack lines say where the error was thrown.
  const escaped = (event: string) => (error: unknown) => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    result.escaped.push(`${event}: ${redact(text.split('\n').slice(0, 4).join(' | ')).slice(0, 400)}`);
  };
  process.on('uncaughtException', escaped('uncaughtException'));
  process.on('unhandledRejection', escaped('unhandledRejection'));
}

function record(error: unknown): void {
  result.failed++;
  const message = redact(String((error as Error)?.message ?? error)).slice(0, 160);
  result.errors[message] = (result.errors[message] ?? 0) + 1;
  const id = explainError(error)?.id ?? 'unexplained';
  result.explained[id] = (result.explained[id] ?? 0) + 1;
  if (id === 'unexplained' && result.unexplainedMessages.length < 5) {
    const chain: string[] = [];
    for (
      let at: unknown = error;
      at instanceof Error && chain.length < 4;
      at = (at as Error & { cause?: unknown }).cause
    ) {
      chain.push(`${(at as { code?: unknown }).code ?? at.name}: ${redact(at.message).slice(0, 160)}`);
    }
    result.unexplainedMessages.push(chain.join(' <- '));
  }
  result.timeline.push({ atMs: Date.now() - started, event: 'failure', message });
}

async function once(n: number, worker: number): Promise<boolean> {
  const t0 = performance.now();
  // A write id unique in the run: the worker in the high digits, the operation in the low ones.
  const writeId = config.writesRun !== undefined && n % 5 === 4 ? (worker + 1) * 10_000_000 + n : undefined;
  try {
    if (writeId !== undefined && config.writesRun !== undefined) {
      await client.write(config.writesRun, writeId);
      result.writes.acked.push(writeId);
    } else if (n % 10 === 9) {
      const tx = await client.transaction(n);
      if (tx.n !== n || tx.txids[0] !== tx.txids[1]) result.wrongRows++;
    } else {
      const row = await client.echo(n, `w${worker}`);
      if (row.n !== n || row.s !== `w${worker}`) result.wrongRows++;
    }
    result.ok++;
    const latency = performance.now() - t0;
    result.latenciesMs.push(latency);
    secondOf(Date.now()).latencies.push(latency);
    return true;
  } catch (error) {
    if (writeId !== undefined) result.writes.failed.push(writeId);
    secondOf(Date.now()).failed++;
    record(error);
    return false;
  }
}

async function worker(index: number): Promise<void> {
  for (let n = 0; running; n++) {
    await once(n, index);
    if (config.paceMs) await new Promise((resolve) => setTimeout(resolve, config.paceMs));
  }
}

// A fleet deployed together connects together: wait for the agreed instant, if one was given.
const { startAt } = config;
if (startAt !== undefined) await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
// Open as many connections as the pool allows, so there are idle ones to kill.
// The warm-up and the probes count as workers of their own (800+, 900), so their write ids never collide.
await Promise.all(Array.from({ length: policy.poolSize }, (_, index) => once(index, 800 + index)));
const workers = Array.from({ length: config.workers }, (_, index) => worker(index));
await new Promise((resolve) => setTimeout(resolve, config.warmupMs));
send({ type: 'ready', runtime: 'Bun' in globalThis ? 'bun' : 'node' });

process.on('message', async (command: LoadCommand) => {
  if (command.type === 'probe') {
    const ok = await once(command.n, 900);
    result.probes.push(ok);
    send({ type: 'probed', ok });
  } else if (command.type === 'saturate') {
    // The load stops first, so the pool is the sleeps' alone. Then every slot busy at once, three times: the
    // first round reopens what the fault closed; the two on warm connections take ~0.2 s each unless a slot
    // was leaked (then one sleep waits for another: ≥ 0.4 s every time). The faster of the two is reported,
    // so one slow reconnect (a lifetime ending mid-round) is not taken for a leak.
    running = false;
    await Promise.all(workers);
    const round = async () => {
      const t0 = performance.now();
      const sleeps = Array.from({ length: policy.poolSize }, () => client.sleep(0.2));
      const settled = await Promise.race([
        Promise.allSettled(sleeps),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 3_000)),
      ]);
      const ok = settled?.filter((outcome) => outcome.status === 'fulfilled').length ?? 0;
      return { elapsedMs: performance.now() - t0, ok };
    };
    await round();
    const [second, third] = [await round(), await round()];
    send({ type: 'saturated', ...(second.elapsedMs <= third.elapsedMs ? second : third) });
  } else if (command.type === 'burst') {
    const settled = await Promise.allSettled(
      Array.from({ length: command.count }, () => client.sleep(command.seconds)),
    );
    send({ type: 'bursted', completed: settled.filter((outcome) => outcome.status === 'fulfilled').length });
  } else if (command.type === 'quiesce') {
    running = false;
    await Promise.all(workers);
    await new Promise((resolve) => setTimeout(resolve, 200));
    send({ type: 'quiet' });
  } else if (command.type === 'collect') {
    send({ type: 'metrics', points: (await metrics?.collect()) ?? [] });
  } else if (command.type === 'stop') {
    running = false;
    await Promise.all(workers);
    const closed = await Promise.race([
      client.close().then(
        () => true,
        () => true,
      ),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 5_000).unref()),
    ]);
    result.closeHung = !closed;
    // Keep the result small: latencies are summarised here.
    const quantile = (sorted: number[], q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    const sorted = result.latenciesMs.sort((a, b) => a - b);
    const at = (q: number) => quantile(sorted, q);
    result.perSecond = [...seconds.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([second, { latencies, failed }]) => {
        latencies.sort((a, b) => a - b);
        return {
          second,
          ok: latencies.length,
          failed,
          p50: quantile(latencies, 0.5),
          p99: quantile(latencies, 0.99),
        };
      });
    // Disconnect only once the result is written: a disconnect right after send() can drop a large message
    // (hundreds of failures in the timeline), and the parent would see a clean exit with no result.
    process.send?.(
      {
        type: 'result',
        result: { ...result, latenciesMs: [], latency: { p50: at(0.5), p99: at(0.99), max: at(1) } },
      } satisfies LoadEvent,
      () => process.disconnect?.(),
    );
  }
});
