import { describe, expect, inject, it } from 'vitest';
import { runExampleApp } from '../src/example-apps.ts';
import { attachStack } from '../src/index.ts';

// Each example runs as its README says: `pnpm start` (or another script) with the env `pnpm stack:up` writes.
const stack = attachStack(inject('mpgkitStack'));

describe('the example apps run against the local stack', () => {
  it.each([
    // The startup line first: the group's connections, the app's peak, its share of the shared cluster.
    [
      'kysely',
      'start',
      /mpgkit: group app holds 20 of app peak 25 connections; share 120 of 200 max client connections \(plan basic, transaction mode, rolling deploy\): 95 to spare\n(.*\n)*note \d+: "edited in a transaction"/,
    ],
    ['drizzle', 'start', /\[node-postgres\] bob has 30 after the transfer/],
    ['drizzle', 'start:postgres-js', /\[postgres-js\] bob has 30 after the transfer/],
    ['typeorm', 'start', /order \d+: 3 × coffee/],
    ['knex', 'start', /migrations \(batch \d+\): 001_create_books\.ts[\s\S]*book \d+: 3 copies/],
    ['sequelize', 'start', /migrations: 001-create-tickets\.ts[\s\S]*ticket \d+: closed/],
    ['prisma', 'start', /visit \d+ to \//],
  ])('%s: pnpm %s exits 0', async (example, script, expected) => {
    const { stdout, stderr } = await runExampleApp(stack, example, script);
    expect(stdout).toMatch(expected);
    expect(`${stdout}${stderr}`).not.toContain(stack.state.users.admin.password);
  });
});
