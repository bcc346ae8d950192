import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../dist/main.mjs', import.meta.url));
const app = (name: string) => fileURLToPath(new URL(`./fixtures/loading/${name}/`, import.meta.url));

/** The built bin, as `npx mpgkit` runs it, on this Node (the compat job runs it on Node 22.13). */
async function mpgkit(cwd: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const check = (cwd: string, policy: string) => mpgkit(cwd, ['check', '--policy', policy, '--json']);

const groupsOf = (stdout: string) =>
  (
    JSON.parse(stdout) as { report: { groups: { name: string; machines: number; poolSize: number }[] } }
  ).report.groups.map((group) => [group.name, group.machines, group.poolSize]);

describe('mpgkit check loads policies as apps write them', () => {
  it(`a CommonJS package's TypeScript policy: extensionless and .js siblings, an enum, a tsconfig path alias (Node ${process.versions.node})`, async () => {
    const result = await check(app('commonjs-app'), 'src/db-policy.ts');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(groupsOf(result.stdout)).toEqual([
      ['app', 2, 10],
      ['worker', 1, 5],
    ]);
    expect(JSON.parse(result.stdout).report.poolMode).toBe('transaction'); // the enum's value arrived
  });

  it('a CommonJS JavaScript policy (module.exports, require of a TypeScript sibling)', async () => {
    const result = await check(app('commonjs-app'), 'src/db-policy.js');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).report.poolMode).toBe('session');
  });

  it('an ESM package importing its sibling without an extension', async () => {
    const result = await check(app('esm-app'), 'src/db-policy.ts');
    expect(result.code).toBe(0);
    expect(groupsOf(result.stdout)).toEqual([['app', 3, 8]]);
  });

  it('a missing import is named, with the file that imports it; no stack trace', async () => {
    const result = await check(app('commonjs-app'), 'src/broken-policy.ts');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /Cannot load the policy module src\/broken-policy\.ts: it imports \.\/fleets, which was not found/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a policy file that does not exist says so', async () => {
    const result = await check(app('esm-app'), 'src/nope.ts');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /Cannot load the policy module src\/nope\.ts: it was not found\. Check its path\./,
    );
  });
});

describe('mpgkit env --policy shows what the app itself resolves', () => {
  const env = { DATABASE_URL: 'postgres://app:s3cret-pw@my-cluster.flympg.net/app' };

  it("the app's pool mode, pool size and guard, with the TLS line; without --policy, mpgkit's defaults say so", async () => {
    const own = await mpgkit(app('commonjs-app'), ['env', '--policy', 'src/db-policy.ts'], env);
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(/pool mode {4}transaction {3}group app {3}guard throw/);
    expect(own.stdout).toMatch(/TLS {10}pooled verify-full/);
    expect(own.stdout).toMatch(/policy {7}src\/db-policy\.ts/);
    expect(own.stdout).not.toContain('s3cret-pw');
    const defaults = await mpgkit(app('commonjs-app'), ['env'], env);
    expect(defaults.stdout).toMatch(/pool mode {4}session/);
    expect(defaults.stdout).toMatch(/policy {7}mpgkit's defaults \(pass --policy <module>/);
  });

  it('refuses --mode beside --policy: the module decides', async () => {
    const both = await mpgkit(
      app('commonjs-app'),
      ['env', '--policy', 'src/db-policy.ts', '--mode', 'session'],
      env,
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--mode and --policy both say what the policy is: drop --mode/);
  });
});
