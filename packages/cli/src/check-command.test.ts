import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const fixtures = fileURLToPath(new URL('../test/fixtures/', import.meta.url));
const fly = (name: string) => join(fixtures, 'fly', name);

async function check(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  // No DATABASE_URL anywhere: declaring and checking a policy needs no secret.
  const code = await runCli(['check', '--policy', join(fixtures, 'check', 'db-policy.ts'), ...argv], {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    env: {},
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

function scaleFile(counts: Record<string, number>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mpgkit-scale-'));
  const path = join(dir, 'scale.json');
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

describe('mpgkit check: the policy module against the real fleet', () => {
  it('takes groups and the release command from fly.toml, machines from fly scale show, pool sizes from the policy', async () => {
    const { code, stdout } = await check(
      '--fly-toml',
      fly('twilio-rails-example.toml'),
      '--scale',
      fly('scale-show.json'),
    );
    expect(code).toBe(0);
    expect(stdout).toContain('release_command: +1 direct connection while deploying');
    expect(stdout).toMatch(/machines: .*scale-show\.json \(fly scale show --json\)/);
    const json = JSON.parse(
      (
        await check(
          '--fly-toml',
          fly('twilio-rails-example.toml'),
          '--scale',
          fly('scale-show.json'),
          '--json',
        )
      ).stdout,
    );
    expect(
      json.report.groups.map((group: { name: string; machines: number; poolSize: number }) => [
        group.name,
        group.machines,
        group.poolSize,
      ]),
    ).toEqual([
      ['app', 3, 10],
      ['sidekiq', 2, 5],
    ]);
    expect(json.report.total).toBe(40);
    expect(json.report.directConnections).toBe(1);
  });

  it('exits 1 with the arithmetic when a machine count does not fit (negative control: the same files with the real count pass)', async () => {
    const over = await check(
      '--fly-toml',
      fly('twilio-rails-example.toml'),
      '--scale',
      scaleFile({ app: 25, sidekiq: 2 }),
    );
    expect(over.code).toBe(1);
    expect(over.stdout).toMatch(/25 × 10/);
    expect(over.stdout).toMatch(/260/);
    const fits = await check(
      '--fly-toml',
      fly('twilio-rails-example.toml'),
      '--scale',
      scaleFile({ app: 3, sidekiq: 2 }),
    );
    expect(fits.code).toBe(0);
  });

  it('exits 2 naming both files when fly.toml and the policy disagree on the groups', async () => {
    const { code, stderr } = await check('--fly-toml', fly('folioflex.toml'));
    expect(code).toBe(2);
    expect(stderr).toContain('group "web" is in');
    expect(stderr).toContain('folioflex.toml [processes] but not in the fleet of');
    expect(stderr).toContain('db-policy.ts');
    expect(stderr).toContain('group "app" is in the fleet of');
  });

  it('exits 2 when the scale output names a group the app does not have (taken from another app?)', async () => {
    const { code, stderr } = await check(
      '--fly-toml',
      fly('twilio-rails-example.toml'),
      '--scale',
      scaleFile({ app: 1, web: 2 }),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /has machines for "web", which .*twilio-rails-example\.toml \[processes\] does not name/,
    );
  });

  it("uses the deploy strategy of fly.toml, and the policy's declared machines without --scale", async () => {
    const json = JSON.parse((await check('--json')).stdout);
    expect(json.report.groups.map((group: { machines: number }) => group.machines)).toEqual([2, 1]);
    expect(json.report.deploy).toBe('rolling');
    expect(json.sources.at(-1)).toMatch(/machines: declared in/);
  });

  it('reads the scale output from standard input with --scale -', async () => {
    const out: string[] = [];
    const code = await runCli(
      [
        'check',
        '--policy',
        join(fixtures, 'check', 'db-policy.ts'),
        '--fly-toml',
        fly('twilio-rails-example.toml'),
        '--scale',
        '-',
        '--json',
      ],
      {
        stdout: (text) => out.push(text),
        stderr: () => undefined,
        env: {},
        readStdin: async () =>
          JSON.stringify([
            { Process: 'app', Count: 4 },
            { Process: 'sidekiq', Count: 1 },
          ]),
      },
    );
    expect(code).toBe(0);
    expect(JSON.parse(out.join('\n')).report.total).toBe(45);
  });

  it('explains a module that is missing or exports no policy (exit 2), never with a stack trace', async () => {
    const missing = await runCli(['check', '--policy', join(fixtures, 'check', 'nope.ts')], {
      stdout: () => undefined,
      stderr: (text) =>
        expect(text).toMatch(
          /Cannot load the policy module .*nope\.ts: it \(or a module it imports\) was not found/,
        ),
      env: {},
    });
    expect(missing).toBe(2);
    const noPolicy = await runCli(['check', '--policy', join(fixtures, 'seed-fleet.ts')], {
      stdout: () => undefined,
      stderr: (text) => expect(text).toMatch(/exports no policy|exports several policies|declares no/),
      env: {},
    });
    expect(noPolicy).toBe(2);
  });
});
