import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExampleScript } from '../src/example-apps.ts';

// CI's budget check, run on every example app as its own CI would (`pnpm check`, a real process): its policy
// module against its own fly.toml, with no DATABASE_URL and no other secret in the environment, and against a
// scale file where someone ran `fly scale count` too far.
const noSecrets = { PATH: process.env.PATH, HOME: process.env.HOME };

describe('mpgkit check on the example apps', () => {
  it.each(['kysely', 'drizzle', 'prisma', 'typeorm', 'knex', 'sequelize'])(
    '%s: its policy fits its fly.toml',
    async (example) => {
      const { code, stdout, stderr } = await runExampleScript(example, 'check', [], noSecrets);
      expect(stderr).not.toMatch(/mpgkit check:|warning/); // pnpm echoes the script's command line there
      expect(stdout).toMatch(/release_command: \+1 direct connection while deploying/);
      expect(stdout).toMatch(/verdict: OK/);
      expect(code).toBe(0);
    },
  );

  it('kysely: a scale count that does not fit exits 1 with the arithmetic', async () => {
    const scale = scaleFile({ app: 30, worker: 1 });
    const { code, stdout } = await runExampleScript('kysely', 'check', ['--scale', scale], noSecrets);
    expect(stdout).toMatch(/\(30 × 10\) \+ \(1 × 5\) = 305 of 200/);
    expect(code).toBe(1);
  });
});

// The org's template package holds the cluster file of the cluster the Kysely and Drizzle examples share; its
// `pnpm check` is CI's check of that cluster, each app read from its own policy module (which extends the
// template) and fly.toml.
describe('mpgkit check --cluster on the shared example cluster', () => {
  const kysely = 'mpgkit-example-kysely';
  const drizzle = 'mpgkit-example-drizzle';

  it('prints one budget for the cluster with both apps and their shares', async () => {
    const { code, stdout } = await runExampleScript('@acme/db-policy', 'check', [], noSecrets);
    expect(stdout).toMatch(/Cluster budget: acme-examples, plan basic, transaction mode, 2 apps/);
    expect(stdout).toMatch(new RegExp(`${kysely} +app, worker +rolling +25 +25 +120`));
    expect(stdout).toMatch(new RegExp(`${drizzle} +app +rolling +20 +20 +80`));
    expect(stdout).toMatch(/Shares \(budgetShare\): .* = 200 of 200: ok/);
    expect(stdout).toMatch(/verdict: OK/);
    expect(code).toBe(0);
  });

  it('exits 1 with the arithmetic when one app is scaled past its share (negative control above)', async () => {
    const { code, stdout } = await runExampleScript(
      '@acme/db-policy',
      'check',
      ['--scale', `${drizzle}=${scaleFile({ app: 9 })}`],
      noSecrets,
    );
    expect(stdout).toMatch(new RegExp(`Normal: ${kysely} 25 \\+ ${drizzle} 90 = 115 of 200: ok`));
    expect(stdout).toMatch(new RegExp(`${drizzle}'s peak 90 is over its share 80 by 10\\.`));
    expect(code).toBe(1);
  });
});

function scaleFile(counts: Record<string, number>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'mpgkit-scale-')), 'scale.json');
  const rows = Object.entries(counts).map(([Process, Count]) => ({
    Process,
    Count,
    CPUKind: 'shared',
    CPUs: 1,
    Memory: 512,
    Regions: { iad: Count },
  }));
  writeFileSync(path, JSON.stringify(rows, null, 4));
  return path;
}
