import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  emptyLoadResult,
  type LoadCommand,
  type LoadConfig,
  type LoadEvent,
  type LoadOutcome,
  type MetricPoint,
} from './load-protocol.ts';

const RUNNER = fileURLToPath(new URL('./load-runner.ts', import.meta.url));

/**
 * The runtime of the app's process: Node (the one running the tests), or Bun when `MPGKIT_LOAD_RUNTIME=bun`,
 * from `MPGKIT_BUN` (the CI's Bun lane installs it from the npm registry's `@oven/bun-linux-x64`). A lane that
 * asks for Bun and has none fails, never falls back.
 */
export function loadRuntime(): string | undefined {
  if (process.env.MPGKIT_LOAD_RUNTIME !== 'bun') return undefined;
  const bun = process.env.MPGKIT_BUN;
  if (bun === undefined || bun === '')
    throw new Error('MPGKIT_LOAD_RUNTIME=bun needs MPGKIT_BUN, the bun binary');
  return bun;
}

/** A load runner child process, controlled step by step. */
export class LoadRun {
  private readonly child: ChildProcess;
  private readonly events: LoadEvent[] = [];
  private readonly waiters: Array<() => void> = [];
  private stderr = '';
  private exit: { code: number | null; signal: NodeJS.Signals | null; at: number } | undefined;

  constructor(config: LoadConfig) {
    const bun = loadRuntime();
    this.child = fork(RUNNER, [JSON.stringify(config)], {
      // The same build the tests run (vitest.shared.ts testTarget): the sources, or dist/ under
      // MPGKIT_TEST_TARGET=dist (subjects import their package by its own name, so the condition decides).
      execArgv: [
        ...(process.env.MPGKIT_TEST_TARGET === 'dist' ? [] : ['--conditions=@mpgkit/source']),
        ...(bun === undefined ? ['--no-warnings'] : []),
      ],
      // The app's process under Bun (the Bun lane): Node's fork speaks IPC with a Bun child (JSON messages).
      ...(bun === undefined ? {} : { execPath: bun }),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.child.on('message', (event: LoadEvent) => {
      if (event.type === 'ready' && event.runtime !== (bun === undefined ? 'node' : 'bun')) {
        // Never a silent fallback: a lane that asked for Bun and got another runtime fails as a crash would.
        this.stderr += `load runner on ${event.runtime}, not ${bun === undefined ? 'node' : 'bun'}`;
        this.child.kill('SIGKILL');
        return;
      }
      this.events.push(event);
      this.wake();
    });
    this.child.on('exit', (code, signal) => {
      this.exit = { code, signal, at: Date.now() };
      this.wake();
    });
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Waits for the next event of a type; undefined if the process died first. */
  async next<T extends LoadEvent['type']>(
    type: T,
    timeoutMs = 30_000,
  ): Promise<Extract<LoadEvent, { type: T }> | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.events.findIndex((event) => event.type === type);
      if (index >= 0) return this.events.splice(index, 1)[0] as Extract<LoadEvent, { type: T }>;
      if (this.exit !== undefined) return undefined;
      if (Date.now() > deadline) throw new Error(`load runner sent no ${type} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Whether the child process has ended (crashed, or finished). */
  get exited(): boolean {
    return this.exit !== undefined;
  }

  send(command: LoadCommand): void {
    if (this.exit === undefined && this.child.connected) this.child.send(command);
  }

  /** Sends a probe query and returns whether it succeeded (false if the process is gone). */
  async probe(n: number): Promise<boolean> {
    this.send({ type: 'probe', n });
    return (await this.next('probed'))?.ok ?? false;
  }

  /** Stops the load, then runs `poolSize` concurrent 0.2 s sleeps in the child (see the runner); undefined if it is gone. */
  /** `count` concurrent sleeps of `seconds`; how many completed (undefined if the process died first). */
  async burst(count: number, seconds: number): Promise<number | undefined> {
    this.send({ type: 'burst', count, seconds });
    return (await this.next('bursted'))?.completed;
  }

  async saturate(): Promise<{ elapsedMs: number; ok: number } | undefined> {
    this.send({ type: 'saturate' });
    return this.next('saturated', 10_000).catch(() => undefined);
  }

  /** Stops the load and waits until the pool has settled; false if the process is gone. */
  async quiesce(): Promise<boolean> {
    this.send({ type: 'quiesce' });
    return (await this.next('quiet', 10_000).catch(() => undefined)) !== undefined;
  }

  /** The metrics the child's pools reported (with `metrics` in the config); undefined if it is gone. */
  async collect(): Promise<MetricPoint[] | undefined> {
    this.send({ type: 'collect' });
    return (await this.next('metrics', 10_000).catch(() => undefined))?.points;
  }

  /** Ends the child process if it is still there (a connection the client never closed keeps it alive). */
  kill(): void {
    if (this.exit === undefined) this.child.kill('SIGKILL');
  }

  /** Stops the load and collects the outcome; a process that died is reported as crashed. */
  async finish(): Promise<LoadOutcome> {
    this.send({ type: 'stop' });
    const event = await this.next('result', 20_000).catch(() => undefined);
    if (event === undefined) {
      this.child.kill('SIGKILL');
      const crash = `exit ${this.exit?.code ?? '?'} ${this.exit?.signal ?? ''}: ${this.stderr
        .trim()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .slice(-12)
        .join(' | ')}`;
      return { ...emptyLoadResult(0), crashed: true, crash, crashedAt: this.exit?.at ?? Date.now() };
    }
    return { ...event.result, crashed: false };
  }
}
