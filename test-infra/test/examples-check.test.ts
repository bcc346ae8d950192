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
  it.each(['kysely', 'drizzle', 'prisma', 'typeorm'])('%s: its policy fits its fly.toml', async (example) => {
    const { code, stdout, stderr } = await runExampleScript(example, 'check', [], noSecrets);
    expect(stderr).not.toMatch(/mpgkit check:|warning/); // pnpm echoes the script's command line there
    expect(stdout).toMatch(/release_command: \+1 direct connection while deploying/);
    expect(stdout).toMatch(/verdict: OK/);
    expect(code).toBe(0);
  });

  it('kysely: a scale count that does not fit exits 1 with the arithmetic', async () => {
    const scale = join(mkdtempSync(join(tmpdir(), 'mpgkit-scale-')), 'scale.json');
    const group = (Process: string, Count: number) => ({
      Process,
      Count,
      CPUKind: 'shared',
      CPUs: 1,
      Memory: 512,
      Regions: { iad: Count },
    });
    writeFileSync(scale, JSON.stringify([group('app', 30), group('worker', 1)], null, 4));
    const { code, stdout } = await runExampleScript('kysely', 'check', ['--scale', scale], noSecrets);
    expect(stdout).toMatch(/\(30 × 10\) \+ \(1 × 5\) = 305 of 200/);
    expect(code).toBe(1);
  });
});
