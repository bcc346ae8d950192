import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import type { Stack } from './stack.ts';

/**
 * Runs one script of an example app (`examples/<name>`, package `@mpgkit-example/<name>`) the way its
 * README does, with the env `pnpm stack:up` writes, and resolves with its output. The example is reached by
 * its package name through pnpm's workspace filter, never by a path into it.
 *
 * @example
 * ```ts
 * const { stdout } = await runExampleApp(stack, 'kysely', 'start');
 * ```
 */
export async function runExampleApp(
  stack: Stack,
  example: string,
  script: string,
): Promise<{ stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await runExampleScript(example, script, [], {
    ...process.env,
    ...stack.env(),
  });
  // A failing example is an error here, as it was before scripts could report their exit code.
  if (code !== 0) throw new Error(`examples/${example}: pnpm ${script} exited ${code}:\n${stderr || stdout}`);
  return { stdout, stderr };
}

/**
 * Runs one script of an example app with extra arguments and exactly the given environment; resolves with
 * its exit code and output (a non-zero exit is an outcome, not a rejection).
 *
 * @example
 * ```ts
 * const { code } = await runExampleScript('kysely', 'check', ['--scale', 'scale.json'], { PATH: process.env.PATH });
 * ```
 */
export async function runExampleScript(
  example: string,
  script: string,
  extraArgs: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  // Under `pnpm test` / `pnpm demo`, npm_execpath is pnpm's own entry point; otherwise pnpm is on PATH.
  const entry = process.env.npm_execpath;
  const args = ['-s', '--filter', packageName(example), 'run', script, ...extraArgs];
  const [file, argv] =
    entry && /\.(c?js|mjs)$/.test(entry) ? [process.execPath, [entry, ...args]] : ['pnpm', args];
  try {
    const { stdout, stderr } = await promisify(execFile)(file, argv, { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof code !== 'number') throw error;
    return { code, stdout: stdout ?? '', stderr: stderr ?? '' };
  }
}

// `kysely` is the example app `@mpgkit-example/kysely`; a scoped name (the org template `@acme/db-policy`) is
// taken as it is.
function packageName(example: string): string {
  return example.startsWith('@') ? example : `@mpgkit-example/${example}`;
}

/** A long-running example app (its `serve` script), started by {@link startExampleApp}. */
export interface RunningExampleApp {
  /** What it printed so far. */
  output(): string;
  /**
   * Sends SIGTERM to its process group (as Fly stops a machine) and resolves once every process of it has
   * closed its output (pnpm itself dies of the signal; the app's node process shuts down as it chooses).
   */
  stop(): Promise<void>;
}

/**
 * Starts a long-running script of an example app with the stack's env and more, and resolves once it printed
 * `listening on`: the app serves, its pool holds connections.
 *
 * @example
 * ```ts
 * const app = await startExampleApp(stack, 'kysely', 'serve', { FLY_APP_NAME: 'kysely-example', PORT: '18080' });
 * await app.stop();
 * ```
 */
export async function startExampleApp(
  stack: Stack,
  example: string,
  script: string,
  env: Record<string, string>,
): Promise<RunningExampleApp> {
  const entry = process.env.npm_execpath;
  const args = ['-s', '--filter', packageName(example), 'run', script];
  const [file, argv] =
    entry && /\.(c?js|mjs)$/.test(entry) ? [process.execPath, [entry, ...args]] : ['pnpm', args];
  // Its own process group, so SIGTERM reaches the app's node process, not only pnpm.
  const child = spawn(file, argv, {
    env: { ...process.env, ...stack.env(), ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // 'close': every process holding its stdout and stderr (pnpm and the app it runs) has ended.
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`examples/${example} did not start:\n${output}`)),
      30_000,
    );
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`examples/${example} exited ${code} before it listened:\n${output}`));
    });
  });
  return {
    output: () => output,
    async stop() {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
      await closed;
    },
  };
}
