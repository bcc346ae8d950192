import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { findBinaries } from './binaries.ts';
import { startStack, sweepStacks } from './stack.ts';

import './vitest-context.ts';

/**
 * Starts one shared stack for the run and, at the end, tears down every stack the run started,
 * including those of workers that died. Missing binaries fail the run with the install command.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  findBinaries(); // fails loudly, with the apt-get line, before any test runs
  const runId = process.env.MPGKIT_STACK_RUN_ID ?? randomBytes(4).toString('hex');
  process.env.MPGKIT_STACK_RUN_ID = runId;
  const cleanup = () => sweepStacks(runId);
  process.once('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, cleanup);
  const stack = await startStack();
  project.provide('mpgkitStack', stack.state);
  return async () => {
    await stack.down();
    cleanup();
  };
}
