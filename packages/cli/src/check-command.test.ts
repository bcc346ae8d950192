import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../test/run-in-process.ts';
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

/** `mpgkit check --json` on the Twilio Rails example's fly.toml and a `fly scale show` of it. */
async function twilioReport() {
  const { stdout } = await check(
    '--fly-toml',
    fly('twilio-rails-example.toml'),
    '--scale',
    fly('scale-show.json'),
    '--json',
  );
  return JSON.parse(stdout);
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
    const json = await twilioReport();
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
    // The release machine runs only while deploying: no direct connection normally, one at the peak.
    expect(json.report.directConnections).toBe(0);
    expect(json.report.peakDirectConnections).toBe(1);
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
        expect(text).toMatch(/Cannot load the policy module .*nope\.ts: it was not found\. Check its path\./),
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

describe('mpgkit check --cluster: several apps on one cluster', () => {
  const cluster = join(fixtures, 'cluster', 'mpgkit.cluster.ts');
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['check', ...argv], {
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      env: {},
    });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  };
  // A cluster file elsewhere (as CI writes one with other scale files), its apps given by absolute paths.
  const clusterFile = (apps: Record<string, object>, extra = '') => {
    const dir = mkdtempSync(join(tmpdir(), 'mpgkit-cluster-'));
    const path = join(dir, 'mpgkit.cluster.ts');
    const entry = fileURLToPath(new URL('./index.ts', import.meta.url));
    writeFileSync(
      path,
      `import { defineCluster } from ${JSON.stringify(entry)};\n` +
        `export default defineCluster({ plan: 'basic', poolMode: 'transaction', apps: ${JSON.stringify(apps)}${extra} });\n`,
    );
    return path;
  };
  const app = (name: 'web' | 'worker', scale?: Record<string, number>) => ({
    policy: join(fixtures, 'cluster', name, 'db-policy.ts'),
    flyToml: join(fixtures, 'cluster', name, 'fly.toml'),
    ...(scale === undefined ? {} : { scale: scaleFile(scale) }),
  });

  it('prints one budget with every app, its pools, share and deploy peak, one deploy at a time', async () => {
    const { code, stdout } = await cli('--cluster', cluster);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^cluster: .*mpgkit\.cluster\.ts/);
    expect(stdout).toMatch(
      /web: fly\.toml: \.\/web\/fly\.toml \(groups app; bluegreen deploy; release_command/,
    );
    expect(stdout).toMatch(/Cluster budget: acme-prod, plan basic, transaction mode, 2 apps/);
    // web: 2 × (10 + 5) = 30, doubled by its bluegreen deploy; worker: 2 × 20 = 40.
    expect(stdout).toMatch(/web +app +bluegreen +30 +60 +120 +1/);
    // worker: 2 × 20 = 40, + 1 × 20 while its canary runs; its listeners (direct) 2, + 1 on the canary.
    expect(stdout).toMatch(/worker +worker +canary +40 +60 +80 +3/);
    expect(stdout).toMatch(/Normal: web 30 \+ worker 40 = 70 of 200: ok, 130 to spare\./);
    expect(stdout).toMatch(/assumed not to overlap .*during web's bluegreen deploy, 70 \+ 30 = 100 of 200/);
    expect(stdout).toMatch(/Shares \(budgetShare\): web 120 \+ worker 80 = 200 of 200: ok/);
    expect(stdout).toMatch(/verdict: OK/);
  });

  it('exits 1 when a scale count pushes an app past its share (negative control: the declared counts pass)', async () => {
    const over = await cli(
      '--cluster',
      clusterFile({ web: app('web'), worker: app('worker', { worker: 5 }) }),
    );
    expect(over.stdout).toMatch(/worker +worker +canary +100 +120 +80 OVER +6/);
    // The cluster itself still fits (130 normally, 160 during web's deploy): the share is what is broken.
    expect(over.stdout).toMatch(/Normal: web 30 \+ worker 100 = 130 of 200: ok/);
    expect(over.stdout).toMatch(/worker's peak 120 is over its share 80 by 40\./);
    expect(over.stdout).toMatch(/verdict: OVER/);
    expect(over.code).toBe(1);
    const fits = await cli(
      '--cluster',
      clusterFile({ web: app('web'), worker: app('worker', { worker: 2 }) }),
    );
    expect(fits.stdout).toMatch(/verdict: OK/);
    expect(fits.code).toBe(0);
  });

  it('exits 1 when the apps fit alone but not together (each within the plan, the sum over it)', async () => {
    // The scale files given on the command line, as CI passes what `fly scale show --json` printed.
    const crowded = await cli(
      '--cluster',
      cluster,
      '--scale',
      `web=${scaleFile({ app: 6 })}`,
      '--scale',
      `worker=${scaleFile({ worker: 4 })}`,
    );
    // web alone: 90, 180 at its bluegreen peak ≤ 200; worker alone: 80, 100 at its canary peak ≤ 200.
    expect(crowded.stdout).toMatch(/Normal: web 90 \+ worker 80 = 170 of 200: ok, 30 to spare\./);
    expect(crowded.stdout).toMatch(/during web's bluegreen deploy, 170 \+ 90 = 260 of 200: over by 60/);
    expect(crowded.code).toBe(1);
  });

  it('adds deploy peaks up with --simultaneous-deploys', async () => {
    const apart = JSON.parse((await cli('--cluster', cluster, '--json')).stdout);
    const together = JSON.parse((await cli('--cluster', cluster, '--simultaneous-deploys', '--json')).stdout);
    expect(apart.report.simultaneousDeploys).toBe(false);
    expect(together.report.simultaneousDeploys).toBe(true);
    // web's bluegreen adds 30, the worker's canary 20: one at a time the peak is 70 + 30, together 70 + 50.
    expect(apart.report.peak).toBe(100);
    expect(together.report.peak).toBe(120);
    // Direct: the worker's 2 listeners, + web's release command or the canary's listener, or both.
    expect(apart.report.peakDirectConnections).toBe(3);
    expect(together.report.peakDirectConnections).toBe(4);
  });

  it('exits 2 naming both files when an app and the cluster disagree, and refuses per-app flags', async () => {
    const session = join(mkdtempSync(join(tmpdir(), 'mpgkit-policy-')), 'db-policy.ts');
    writeFileSync(
      session,
      `import { defineDatabase } from '@mpgkit/core';\nexport const policy = defineDatabase({ poolMode: 'session', fleet: { app: { machines: 1, poolSize: 5 } } });\n`,
    );
    const mismatch = await cli('--cluster', clusterFile({ web: { policy: session } }));
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(
      /App web: .*db-policy\.ts says session mode, but .*mpgkit\.cluster\.ts says transaction/,
    );
    // The web app's policy with the worker's fly.toml: the groups disagree, and both files are named.
    const crossed = await cli(
      '--cluster',
      clusterFile({ web: { policy: app('web').policy, flyToml: app('worker').flyToml } }),
    );
    expect(crossed.code).toBe(2);
    expect(crossed.stderr).toMatch(
      /group "worker" is in .*worker\/fly\.toml \[processes\] but not in the fleet of .*web\/db-policy\.ts/,
    );
    const mixed = await cli('--cluster', cluster, '--fly-toml', 'fly.toml');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/drop --fly-toml/);
    expect((await cli('--cluster', cluster, '--scale', 'x.json')).stderr).toMatch(/<app>=<path>/);
    expect((await cli('--cluster', cluster, '--scale', 'admin=x.json')).stderr).toMatch(
      /--scale names "admin", which .*mpgkit\.cluster\.ts does not list \(its apps: web, worker\)/,
    );
    expect((await cli('--simultaneous-deploys')).stderr).toMatch(/applies to --cluster only/);
  });

  it('refuses a cluster file that lists no app, or an app without a policy, with the field named', async () => {
    const none = await cli('--cluster', clusterFile({}));
    expect(none.stderr).toMatch(/apps lists no app/);
    const noPolicy = await cli('--cluster', clusterFile({ web: { flyToml: 'fly.toml' } }));
    expect(noPolicy.stderr).toMatch(/apps\.web\.policy must be the path of its policy module/);
    expect(noPolicy.code).toBe(2);
  });
});

describe('mpgkit check and mpgkit check --cluster agree on one app', () => {
  it('the same policy, fly.toml (with a release command) and scale give the same connections, direct ones included', async () => {
    const alone = {
      json: await twilioReport(),
    };
    const cluster = {
      json: JSON.parse(
        (await runInProcess(['check', '--cluster', join(fixtures, 'check', 'mpgkit.cluster.ts'), '--json']))
          .stdout,
      ),
    };
    const app = cluster.json.report.apps[0].report;
    const numbers = (report: Record<string, unknown>) => ({
      total: report.total,
      peak: report.peak,
      directConnections: report.directConnections,
      peakDirectConnections: report.peakDirectConnections,
    });
    expect(numbers(app)).toEqual(numbers(alone.json.report));
    expect(alone.json.report.peakDirectConnections).toBe(1);
    expect(cluster.json.report.peakDirectConnections).toBe(1);
    expect(cluster.json.report.directConnections).toBe(0);
  });
});
