import { execFile } from 'node:child_process';
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
export function runExampleApp(
  stack: Stack,
  example: string,
  script: string,
): Promise<{ stdout: string; stderr: string }> {
  // Under `pnpm test` / `pnpm demo`, npm_execpath is pnpm's own entry point; otherwise pnpm is on PATH.
  const entry = process.env.npm_execpath;
  const args = ['-s', '--filter', `@mpgkit-example/${example}`, 'run', script];
  const [file, argv] =
    entry && /\.(c?js|mjs)$/.test(entry) ? [process.execPath, [entry, ...args]] : ['pnpm', args];
  return promisify(execFile)(file, argv, {
    env: { ...process.env, ...stack.env() },
    timeout: 60_000,
  });
}
