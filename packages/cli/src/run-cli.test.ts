import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SEED_FLEET_BUDGET_ARGS } from '../test/fixtures/seed-fleet.ts';
import { runInProcess } from '../test/run-in-process.ts';
import { runCli } from './run-cli.ts';

const run = (...argv: string[]) => runInProcess(argv);

const seed = SEED_FLEET_BUDGET_ARGS;

describe('mpgkit budget', () => {
  it('shows 40 against the limit 50 and exits 0 for the seed fleet', async () => {
    const result = await run(...seed);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/normal\s+40 \/ 50\s+OK/);
    expect(result.stdout).toContain('(3 × 10) + (2 × 5) = 40');
  });

  it('shows a bluegreen peak of 80, explains it, and exits 1', async () => {
    const result = await run(...seed, '--deploy', 'bluegreen');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/peak\s+80 \/ 50\s+OVER/);
    expect(result.stdout).toContain('every group doubles: 2 × 40 = 80');
  });

  it('compares against 200 in transaction mode', async () => {
    const result = await run(
      'budget',
      '--plan',
      'basic',
      '--mode',
      'transaction',
      '--group',
      'web=3x10',
      '--group',
      'worker=2x5',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('max client connections: 200');
  });

  it('prints JSON with total, peak, limit and verdict', async () => {
    const result = await run(...seed, '--deploy', 'bluegreen', '--json');
    expect(JSON.parse(result.stdout)).toMatchObject({ total: 40, peak: 80, limit: 50, verdict: 'over' });
  });

  it('warns on a reserve-only fit, and fails it with --strict', async () => {
    const args = ['budget', '--plan', 'basic', '--mode', 'session', '--group', 'web=9x5'];
    expect(await run(...args)).toMatchObject({ code: 0, stderr: expect.stringContaining('reserve pool') });
    expect((await run(...args, '--strict')).code).toBe(1);
  });

  it('takes custom PgBouncer limits', async () => {
    const result = await run(
      'budget',
      '--max-client-conn',
      '100',
      '--max-db-conn',
      '20',
      '--mode',
      'session',
      '--group',
      'a=2x10',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('plan custom');
  });

  it('recommends pool sizes that fit', async () => {
    const result = await run(
      'budget',
      '--plan',
      'basic',
      '--mode',
      'session',
      '--deploy',
      'bluegreen',
      '--group',
      'web=3x10',
      '--group',
      'worker=2',
      '--recommend',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/web\s+10\s+4/);
  });

  it.each([
    [['budget', '--plan', 'huge', '--mode', 'session', '--group', 'web=3x10'], 'Unknown plan "huge"'],
    [['budget', '--plan', 'basic', '--mode', 'session', '--group', 'web=3by10'], 'is not <name>='],
    [['budget', '--plan', 'basic', '--mode', 'session', '--group', 'web=3'], 'needs a pool size'],
    [['budget', '--plan', 'basic', '--group', 'web=3x10'], '--mode is required'],
    [['budget', '--plan', 'basic', '--mode', 'statement', '--group', 'web=3x10'], 'Pool mode "statement"'],
    [
      ['budget', '--plan', 'basic', '--mode', 'session', '--group', 'web=3x10', '--deploy', 'slow'],
      '--deploy',
    ],
    [['budget', '--plan', 'basic', '--mode', 'session', '--bogus'], "Unknown option '--bogus'"],
    [['connections', '--group', 'web=3'], 'needs a pool size'],
    [['connections', '--interval', '2s'], 'got "2s"'],
    [['connections', '--times', '1.5'], '--times must be a whole number'],
    [['frobnicate'], 'unknown command'],
  ])('exits 2 with a one-line reason for %j', async (argv, reason) => {
    const result = await run(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(reason);
    expect(result.stderr.split('\n')).toHaveLength(1);
  });
});

describe('the mpgkit executable', () => {
  it('exits with the verdict code as a real process', async () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const mpgkit = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['--conditions=@mpgkit/source', main, ...args]);
    const ok = await mpgkit(...seed);
    expect(ok.stdout).toContain('verdict: OK');
    await expect(mpgkit(...seed, '--deploy', 'bluegreen')).rejects.toMatchObject({ code: 1 });
    await expect(mpgkit('budget', '--plan', 'x')).rejects.toMatchObject({ code: 2 });
  });
});

describe('hardening', () => {
  const malformed = [
    'postgresql://u:pw@h/%E0%A4%A',
    'postgresql://u:p%ZZw@h/db',
    'postgresql://u:pw@/db',
    'mysql://u:pw@h/db',
    'not a url',
  ];
  it.each(malformed)(
    'exits 2 on the malformed URL %s, in env and doctor, without echoing it',
    async (url) => {
      for (const command of ['env', 'doctor']) {
        const out: string[] = [];
        const io = {
          stdout: (t: string) => out.push(t),
          stderr: (t: string) => out.push(t),
          env: { DATABASE_URL: url },
        };
        expect(await runCli([command], io), command).toBe(2);
        expect(out.join('\n')).not.toContain('pw');
      }
    },
  );

  it('doctor looks up no DNS for IPv6 literals ([::1], Fly private addresses)', async () => {
    const out: string[] = [];
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => out.push(t),
      env: {
        DATABASE_URL: 'postgresql://u:pw@[::1]:1/db',
        DIRECT_DATABASE_URL: 'postgresql://u:pw@[fdaa:0:1::3]:1/db',
      },
    };
    await runCli(['doctor'], io);
    const dns = out
      .join('\n')
      .split('\n')
      .filter((line) => line.includes('DNS'));
    expect(dns).toHaveLength(2);
    for (const line of dns) expect(line).toMatch(/^✓ .*no lookup needed/);
    // Connecting to an unroutable fdaa: address fails with EHOSTUNREACH only after the kernel's neighbour
    // discovery gives up (~3 s here): a time budget, not a measurement.
  }, 20_000);

  it('takes group names in any script, as the API does, and one name once', async () => {
    const ok = await run('budget', '--plan', 'basic', '--mode', 'session', '--group', 'wéb=1x1');
    expect(ok.code).toBe(0);
    const twice = await run(
      'budget',
      '--plan',
      'basic',
      '--mode',
      'session',
      '--group',
      'web=1x1',
      '--group',
      'web =1x1',
    );
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('declared twice');
  });
});

describe('conventions', () => {
  it('--version prints the package version', async () => {
    const { createRequire } = await import('node:module');
    const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
    expect(await run('--version')).toMatchObject({ code: 0, stdout: version });
  });
  it('with no command: usage on stderr, exit 2; --help: usage on stdout, exit 0', async () => {
    const none = await run();
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toContain('Usage: mpgkit');
    const help = await run('--help');
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('Usage: mpgkit');
  });
});
