import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { SEED_FLEET_BUDGET_ARGS } from './fixtures/seed-fleet.ts';

const run = promisify(execFile);

// The bin an installed package exposes (package.json "bin": dist/main.mjs), as `npx mpgkit` runs it.
it('the built mpgkit bin runs and exits with the verdict', async () => {
  const bin = fileURLToPath(new URL('../dist/main.mjs', import.meta.url));
  const args = SEED_FLEET_BUDGET_ARGS;
  const { stdout } = await run(process.execPath, [bin, ...args]);
  expect(stdout).toContain('verdict: OK');
  await expect(run(process.execPath, [bin, ...args, '--deploy', 'bluegreen'])).rejects.toMatchObject({
    code: 1,
  });
});

it('can be require()d from a CommonJS file (runCli in-process)', async () => {
  const fixture = fileURLToPath(new URL('./fixtures/require-cli.cjs', import.meta.url));
  const { stdout } = await run(process.execPath, [fixture]);
  expect(JSON.parse(stdout)).toEqual({ code: 0 });
});
