import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { attachStack } from '../src/index.ts';

// Each example runs as its README says: `pnpm start` (or another script) with the env `pnpm stack:up` writes.
const stack = attachStack(inject('mpgkitStack'));
const run = promisify(execFile);

// Under `pnpm test`, npm_execpath is pnpm's own entry point; otherwise pnpm is on PATH.
function pnpm(args: string[], cwd: string) {
  const entry = process.env.npm_execpath;
  const [file, argv] =
    entry && /\.(c?js|mjs)$/.test(entry) ? [process.execPath, [entry, ...args]] : ['pnpm', args];
  return run(file, argv, { cwd, env: { ...process.env, ...stack.env() }, timeout: 60_000 });
}

describe('the example apps run against the local stack', () => {
  it.each([
    ['kysely', 'start', /note \d+: "edited in a transaction"/],
    ['drizzle', 'start', /\[node-postgres\] bob has 30 after the transfer/],
    ['drizzle', 'start:postgres-js', /\[postgres-js\] bob has 30 after the transfer/],
    ['typeorm', 'start', /order \d+: 3 × coffee/],
    ['prisma', 'start', /visit \d+ to \//],
  ])('%s: pnpm %s exits 0', async (example, script, expected) => {
    const cwd = fileURLToPath(new URL(`../../examples/${example}/`, import.meta.url));
    const { stdout, stderr } = await pnpm(['-s', script], cwd);
    expect(stdout).toMatch(expected);
    expect(`${stdout}${stderr}`).not.toContain(stack.state.users.admin.password);
  });
});
