import { runCli } from 'mpgkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExampleApp, runExampleApp, startExampleApp } from '../src/example-apps.ts';
import { freePort } from '../src/free-port.ts';
import { type Stack, startStack } from '../src/index.ts';
import { measureUntil } from '../src/measure-until.ts';

// `mpgkit connections` on a stack of its own, with two example apps serving (each a long-running process with
// its pool, as Fly runs them) and a script that stays connected on the direct URL without a lifetime: every
// connection must be attributed to its app and group, and the script's flagged once it is older than the
// (scaled) drain window, the apps' never.
const DRAIN_WINDOW_SECONDS = 3;
let stack: Stack;
const apps: RunningExampleApp[] = [];
const appPorts: number[] = [];
let kyselyMetricsPort = 0;
let script: pg.Client | undefined;

beforeAll(async () => {
  stack = await startStack({ hardStopAfterSeconds: DRAIN_WINDOW_SECONDS });
  await Promise.all([runExampleApp(stack, 'kysely', 'migrate'), runExampleApp(stack, 'drizzle', 'migrate')]);
  for (const [example, group] of [
    ['kysely', 'app'],
    ['drizzle', 'app'],
  ] as const) {
    const metricsPort = await freePort();
    if (example === 'kysely') kyselyMetricsPort = metricsPort;
    apps.push(
      await startExampleApp(stack, example, 'serve', {
        // Through the session pooler: there each client connection holds its own server connection, so what
        // Postgres sees is what each app holds (in transaction mode it is who used a connection last).
        DATABASE_URL: stack.url('session', { tls: 'verify-full' }),
        FLY_APP_NAME: `${example}-example`,
        FLY_PROCESS_GROUP: group,
        PORT: String(appPorts[appPorts.push(await freePort()) - 1]),
        METRICS_PORT: String(metricsPort),
      }),
    );
  }
  script = new pg.Client({ connectionString: stack.url('direct'), application_name: 'nightly-report' });
  await script.connect();
}, 90_000);

afterAll(async () => {
  await script?.end();
  await Promise.all(apps.map((app) => app.stop()));
  await stack?.down();
});

async function mpgkit(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: stack.env(),
  });
  for (const secret of stack.secrets()) expect(`${out.join('\n')}${err.join('\n')}`).not.toContain(secret);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

type Report = {
  total: number;
  groups: Array<{ key: string; total: number; viaPgBouncer: boolean; pastDrainWindow: number }>;
  flags: Array<{ kind: string; key: string }>;
};

describe('mpgkit connections, two example apps serving', () => {
  it('attributes every connection to its app and group, and flags the script past the drain window, not the apps', async () => {
    // Older than the drain window: the apps' pools recycle their connections within it, the script does not.
    // Requests keep both apps' pools busy meanwhile (an idle pool closes its connections after the idle timeout).
    let serving = true;
    const requests = appPorts.map(async (port) => {
      while (serving) {
        await fetch(`http://127.0.0.1:${port}/`).then((response) => response.text());
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, (DRAIN_WINDOW_SECONDS + 1) * 1000));
    // A snapshot can fall between an app's connections (its pool recycles each within the drain window, and a
    // loaded machine can delay its requests past the idle timeout): look again, a few times, before judging.
    // Besides, PgBouncer's idle server connections: DISCARD ALL (its server_reset_query in session mode) reset
    // their application_name when their client left, so they have none.
    const keysOf = (report: Report) =>
      report.groups.map((group) => group.key).filter((key) => key !== '(no name)');
    const { code, report } = await measureUntil(
      async () => {
        const { code, stdout } = await mpgkit(
          'connections',
          '--mode',
          'session',
          '--json',
          '--group',
          'app=2x10',
        );
        return { code, report: JSON.parse(stdout) as Report };
      },
      ({ report }) => keysOf(report).length === 3,
      5,
    );
    serving = false;
    await Promise.all(requests);
    const keys = keysOf(report);
    expect(keys.sort()).toEqual(['drizzle-example:app', 'kysely-example:app', 'nightly-report']);
    expect(report.groups.reduce((sum, group) => sum + group.total, 0)).toBe(report.total);
    const group = (key: string) => report.groups.find((entry) => entry.key === key);
    expect(group('kysely-example:app')).toMatchObject({ viaPgBouncer: true, pastDrainWindow: 0 });
    expect(group('drizzle-example:app')).toMatchObject({ viaPgBouncer: true, pastDrainWindow: 0 });
    expect(group('nightly-report')).toMatchObject({ total: 1, viaPgBouncer: false, pastDrainWindow: 1 });
    const flagged = report.flags
      .map((flag) => `${flag.kind} ${flag.key}`)
      .filter((flag) => !flag.endsWith('(no name)'));
    expect(flagged).toEqual(['past-drain-window nightly-report']);
    expect(code).toBe(1);
  });

  it('says it in text too, and --watch reports again', async () => {
    const { stdout } = await mpgkit('connections', '--mode', 'transaction');
    expect(stdout).toMatch(/kysely-example\s+app\s+-\s+PgBouncer/);
    expect(stdout).toMatch(/^! nightly-report: 1 connection older than the 3 s drain window/m);
    expect(stdout).toContain("Transaction mode: PgBouncer's server connections are shared");
    const watched = await mpgkit('connections', '--json', '--watch', '--interval', '0.2', '--times', '2');
    expect(watched.stdout.split('\n').map((line) => (JSON.parse(line) as Report).total)).toHaveLength(2);
  });

  it("the Kysely app's Prometheus endpoint (fly.toml [metrics]) shows its pool, in OpenTelemetry's names", async () => {
    const text = await (await fetch(`http://127.0.0.1:${kyselyMetricsPort}/metrics`)).text();
    const pool = 'db_client_connection_pool_name="kysely-example:app"';
    expect(text).toMatch(
      new RegExp(
        `^db_client_connection_count\\{${pool},db_client_connection_state="idle"[^}]*\\} \\d+$`,
        'm',
      ),
    );
    expect(text).toMatch(
      new RegExp(`^db_client_connection_wait_time_count\\{${pool}[^}]*\\} [1-9]\\d*$`, 'm'),
    );
    expect(text).toMatch(new RegExp(`^db_client_connection_limit\\{${pool}[^}]*\\} 10$`, 'm'));
    expect(text).toMatch(/^db_client_connection_create_time_bucket\{[^}]*le="0.05"\} \d+$/m);
  });

  it('the apps stop cleanly on SIGTERM, as Fly stops machines', async () => {
    const stopping = apps.splice(0);
    await Promise.all(stopping.map((app) => app.stop()));
    for (const app of stopping) expect(app.output()).toContain('stopped: no request in flight, pool closed');
  });
});
