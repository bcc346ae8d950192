import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { SEED_FLEET_BUDGET_ARGS } from './fixtures/seed-fleet.ts';

// Runs against the built dist (the test command builds first), as an installed package would.
it('can be require()d from a CommonJS file', async () => {
  const fixture = fileURLToPath(new URL('./fixtures/require-core.cjs', import.meta.url));
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [fixture]);
  expect(JSON.parse(stdout)).toEqual({ prepared: false, total: 40 });
  expect(stderr).not.toContain('ExperimentalWarning');
});

// The bin an installed package exposes (package.json "bin": dist/cli.mjs), as `npx mpgkit` runs it.
it('the built mpgkit bin runs and exits with the verdict', async () => {
  const bin = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
  const args = SEED_FLEET_BUDGET_ARGS;
  const { stdout } = await promisify(execFile)(process.execPath, [bin, ...args]);
  expect(stdout).toContain('verdict: OK');
  await expect(
    promisify(execFile)(process.execPath, [bin, ...args, '--deploy', 'bluegreen']),
  ).rejects.toMatchObject({ code: 1 });
});
