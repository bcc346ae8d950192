import { runCli } from '../src/run-cli.ts';

/** What an in-process `mpgkit` run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `mpgkit` in-process with `env` as its environment, collecting what it prints.
 *
 * @example
 * ```ts
 * const { code, stdout } = await runInProcess(['budget', '--help']);
 * ```
 */
export async function runInProcess(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}
