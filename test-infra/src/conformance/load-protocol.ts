import type { PolicyOptions } from './subject.ts';

/** What the parent tells the load runner. */
export interface LoadConfig {
  module: string;
  policyOptions: PolicyOptions;
  /** Concurrent query loops; 0 leaves the pool idle between probes. */
  workers: number;
  warmupMs: number;
  /**
   * Epoch ms at which to open the pool and start, so that several processes (a fleet deployed together)
   * connect in the same instant whatever their boot took. @default undefined: at once
   */
  startAt?: number;
  /** Pause of each worker between its operations, in ms: a paced load instead of a flat-out one. @default 0 */
  paceMs?: number;
  /** Make one operation in five a write, recorded under this run name (the table must exist). @default undefined */
  writesRun?: string;
  /**
   * Install the app's own process-wide handlers (`uncaughtException`, `unhandledRejection`), as many apps do:
   * an error that escapes the library then reaches them instead of ending the process, and is counted in
   * {@link LoadResult.escaped}. Without them, an escaped error ends the process (a crash). @default false
   */
  appHandlers?: boolean;
  /**
   * Give the policy a meter of the real OpenTelemetry SDK (a reader collected on demand), so the pools report
   * their metrics; `collect` reads them. @default false
   */
  metrics?: boolean;
}

export type LoadCommand =
  | { type: 'probe'; n: number }
  | { type: 'saturate' }
  /** `count` concurrent sleeps of `seconds` each, on an idle pool (scenario 6 with the app on another runtime). */
  | { type: 'burst'; count: number; seconds: number }
  /** Stop the load and let the pool settle (its connections idle). */
  | { type: 'quiesce' }
  /** Collect the metrics (with {@link LoadConfig.metrics}). */
  | { type: 'collect' }
  | { type: 'stop' };

/** One data point of a collected metric: a sum's value, or a histogram's count of recordings. */
export interface MetricPoint {
  name: string;
  unit: string;
  attributes: Record<string, unknown>;
  value: number;
}

export type LoadEvent =
  | { type: 'ready'; runtime: 'node' | 'bun' }
  | { type: 'probed'; ok: boolean }
  /** `poolSize` concurrent 0.2 s sleeps: how long they took, and how many completed. */
  | { type: 'saturated'; elapsedMs: number; ok: number }
  | { type: 'quiet' }
  | { type: 'bursted'; completed: number }
  | { type: 'metrics'; points: MetricPoint[] }
  | { type: 'result'; result: LoadResult };

/** What a load run measured. */
export interface LoadResult {
  /** Epoch ms when the load began; timeline entries are relative to it. */
  startedAt: number;
  ok: number;
  failed: number;
  /** Queries that returned a row other than the one asked for. */
  wrongRows: number;
  /** Failure messages (redacted) and how often each happened. */
  errors: Record<string, number>;
  /** Failures by what explainError calls them (from the error objects as thrown), `unexplained` for none. */
  explained: Record<string, number>;
  /** The messages (redacted) of failures explainError does not know, with their causes: to say what is missing. */
  unexplainedMessages: string[];
  latenciesMs: number[];
  latency?: { p50: number; p99: number; max: number };
  /**
   * Per wall-clock second (epoch seconds, so several processes line up): queries that succeeded and failed,
   * and the succeeded ones' latency percentiles (ms). Summarised when the run stops.
   */
  perSecond: Array<{ second: number; ok: number; failed: number; p50: number; p99: number }>;
  timeline: Array<{ atMs: number; event: 'failure'; message: string }>;
  /** Outcome of each probe query sent after a fault. */
  probes: boolean[];
  /** Ids of the writes the ORM acknowledged, and of those it reported failed (when writes were asked for). */
  writes: { acked: number[]; failed: number[] };
  /**
   * Errors that reached the app's own process-wide handlers (with {@link LoadConfig.appHandlers}): each the
   * event's name and the error's first stack lines, redacted. Where the app has no handlers, these are crashes.
   */
  escaped: string[];
  /** Whether closing the client took longer than 5 s (a pool waiting for a connection that is never released). */
  closeHung: boolean;
}

/** A load run's result plus whether the process survived. */
export interface LoadOutcome extends LoadResult {
  crashed: boolean;
  /** How the process ended, when it crashed (exit code or signal, and the last stderr lines). */
  crash?: string;
  /** Epoch ms at which the process ended, when it crashed. */
  crashedAt?: number;
}

/** A load result with nothing counted yet. */
export function emptyLoadResult(startedAt: number): LoadResult {
  return {
    startedAt,
    ok: 0,
    failed: 0,
    wrongRows: 0,
    errors: {},
    explained: {},
    unexplainedMessages: [],
    latenciesMs: [],
    perSecond: [],
    timeline: [],
    probes: [],
    writes: { acked: [], failed: [] },
    escaped: [],
    closeHung: false,
  };
}
