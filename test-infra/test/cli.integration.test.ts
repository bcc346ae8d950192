import { runCli } from 'mpgkit';
import { describe, expect, inject, it } from 'vitest';
import { freePort } from '../src/free-port.ts';
import { attachStack } from '../src/index.ts';

const stack = attachStack(inject('mpgkitStack'));

async function mpgkit(env: Record<string, string>, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env });
  const all = `${out.join('\n')}\n${err.join('\n')}`;
  // No password of the stack, ever, in any output.
  for (const secret of stack.secrets()) expect(all).not.toContain(secret);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const check = (stdout: string, name: string) =>
  stdout.split('\n').find((line) => line.slice(2).startsWith(name)) ?? '';

describe('mpgkit doctor against the local stack', () => {
  it.each(['transaction', 'session'] as const)('names the pool mode of the %s PgBouncer', async (mode) => {
    const { code, stdout } = await mpgkit(stack.envFor(mode), 'doctor', '--mode', mode);
    expect(check(stdout, 'pool mode')).toMatch(new RegExp(`^✓ pool mode\\s+${mode}`));
    // The stack's env asks for verify-full against its CA: the doctor connects as the policy would.
    expect(check(stdout, 'connect (pooled)')).toMatch(/^✓ .* ms, TLS: TLSv1\.3/);
    expect(check(stdout, 'connect (direct)')).toMatch(/^✓/);
    expect(check(stdout, 'TLS (pooled)')).toMatch(
      /^✓ TLS \(pooled\)\s+TLSv1\.3 \S+, certificate for 127\.0\.0\.1 by mpgkit test stack ca .*; verifies against the configured CA .* for 127\.0\.0\.1; policy: verify-full \(from url\)/,
    );
    expect(check(stdout, 'TLS (direct)')).toMatch(/^✓ TLS \(direct\)\s+TLSv1\.3/);
    expect(code).toBe(0);
  });

  it('says what the server offers when the policy asks for less, and fails a verify-full that cannot verify', async () => {
    const plaintext = await mpgkit(
      { DATABASE_URL: stack.url('transaction'), DIRECT_DATABASE_URL: stack.url('direct') },
      'doctor',
      '--mode',
      'transaction',
    );
    expect(check(plaintext.stdout, 'TLS (pooled)')).toMatch(
      /^✓ .*policy: disable \(default\): plaintext although the server offers TLS$/,
    );
    expect(check(plaintext.stdout, 'connect (pooled)')).toMatch(/TLS: none/);

    // Node's roots (no CA given) do not know the stack's CA; 'localhost' is not a name the certificate has.
    const unverifiable = await mpgkit(
      {
        DATABASE_URL: `${stack.url('transaction')}?sslmode=verify-full`,
        DIRECT_DATABASE_URL: stack.url('direct', { tls: 'verify-full', host: 'localhost' }),
      },
      'doctor',
      '--mode',
      'transaction',
    );
    expect(check(unverifiable.stdout, 'TLS (pooled)')).toMatch(
      /^✗ .*the chain does not verify against Node's trusted roots \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): give tls\.ca/,
    );
    expect(check(unverifiable.stdout, 'TLS (direct)')).toMatch(
      /^✗ .*the certificate does not name localhost \(127\.0\.0\.1\)/,
    );
    expect(check(unverifiable.stdout, 'connect (pooled)')).toMatch(/^✗ .*certificate/);
    expect(unverifiable.code).toBe(1);
  });

  it('warns when the policy declares another pool mode than the pooler has', async () => {
    const { stdout } = await mpgkit(stack.envFor('transaction'), 'doctor', '--mode', 'session');
    expect(check(stdout, 'pool mode')).toMatch(/^! pool mode\s+the pooler behaves as transaction mode/);
  });

  it('flags a schema-admin runtime role, and passes a Writer', async () => {
    const admin = await mpgkit(stack.envFor('transaction'), 'doctor', '--mode', 'transaction');
    expect(check(admin.stdout, 'runtime role')).toMatch(/^! runtime role\s+"fly-user" can change the schema/);
    const writerEnv = {
      DATABASE_URL: stack.url('transaction', { user: 'writer' }),
      DIRECT_DATABASE_URL: stack.url('direct'),
    };
    const writer = await mpgkit(writerEnv, 'doctor', '--mode', 'transaction');
    expect(check(writer.stdout, 'runtime role')).toMatch(
      /^✓ runtime role\s+"app_writer" cannot change the schema \(Writer\)/,
    );
  });

  it('fails clearly, exit 1, when the direct URL is unreachable', async () => {
    const closed = await freePort();
    const env = {
      DATABASE_URL: stack.url('transaction'),
      DIRECT_DATABASE_URL: `postgresql://fly-user:Zq9-unreachable-pw@127.0.0.1:${closed}/fly-db`,
    };
    const { code, stdout } = await mpgkit(env, 'doctor', '--mode', 'transaction');
    expect(check(stdout, 'connect (direct)')).toMatch(/^✗ connect \(direct\)\s+.*ECONNREFUSED/);
    expect(stdout).not.toContain('Zq9-unreachable-pw');
    expect(code).toBe(1);
  });

  it('fails when a pooler answers at the direct URL (the direct URL set to another pooled one)', async () => {
    const env = { DATABASE_URL: stack.url('transaction'), DIRECT_DATABASE_URL: stack.url('session') };
    const { code, stdout } = await mpgkit(env, 'doctor', '--mode', 'transaction');
    expect(check(stdout, 'connect (direct)')).toMatch(/^✗ .*a pooler answers at the direct URL/);
    expect(check(stdout, 'connect (pooled)')).toMatch(/^✓ .*through a pooler/);
    expect(code).toBe(1);
    // Negative control: the real direct URL passes the same probe.
    const direct = await mpgkit(stack.envFor('transaction'), 'doctor', '--mode', 'transaction');
    expect(check(direct.stdout, 'connect (direct)')).toMatch(/^✓ .*Postgres itself/);
  });

  it('prints no password given as a URL parameter with an encoded key (?pass%77ord=), as pg reads it', async () => {
    const asParameter = (url: string) => {
      const parsed = new URL(url);
      const password = parsed.password;
      parsed.password = '';
      return `${parsed.href}?pass%77ord=${password}`;
    };
    const env = {
      DATABASE_URL: asParameter(stack.url('transaction')),
      DIRECT_DATABASE_URL: asParameter(stack.url('direct')),
    };
    for (const argv of [
      ['doctor', '--mode', 'transaction'],
      ['doctor', '--json'],
      ['env'],
      ['env', '--json'],
    ]) {
      const { stdout } = await mpgkit(env, ...argv); // mpgkit() asserts no stack secret in any output
      expect(stdout.length).toBeGreaterThan(100);
    }
    // pg really used the parameter as the password: the connections succeeded.
    const { stdout } = await mpgkit(env, 'doctor', '--mode', 'transaction');
    expect(check(stdout, 'connect (pooled)')).toMatch(/^✓/);
  });

  it('names a wrong password as such, with the fix, not as a timeout or a protocol violation', async () => {
    const wrong = (url: string) => Object.assign(new URL(url), { password: 'Zq9-wrong-password' }).href;
    const env = {
      DATABASE_URL: wrong(stack.url('transaction')),
      DIRECT_DATABASE_URL: wrong(stack.url('direct')),
    };
    const { code, stdout } = await mpgkit(env, 'doctor', '--mode', 'transaction');
    expect(check(stdout, 'connect (pooled)')).toMatch(
      /^✗ .*SASL authentication failed: password authentication failed/,
    );
    expect(check(stdout, 'connect (direct)')).toMatch(/^✗ .*password authentication failed for user/);
    expect(check(stdout, 'connect (pooled)')).toContain('Connect tab');
    expect(stdout).not.toMatch(/timeout|prepared statements/i);
    expect(stdout).not.toContain('Zq9-wrong-password');
    expect(code).toBe(1);
  });

  it('checks the budget when given a plan and groups', async () => {
    const { stdout } = await mpgkit(
      stack.envFor('session'),
      'doctor',
      '--mode',
      'session',
      '--plan',
      'basic',
      '--group',
      'web=3x10',
      '--group',
      'worker=2x5',
    );
    expect(check(stdout, 'pool budget')).toMatch(/^✓ pool budget\s+40 of 50 max database connections/);
  });

  it('--json reports every check', async () => {
    const { stdout } = await mpgkit(stack.envFor('transaction'), 'doctor', '--mode', 'transaction', '--json');
    const report = JSON.parse(stdout);
    expect(report.checks.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining([
        'pooled URL',
        'direct URL',
        'connect (pooled)',
        'connect (direct)',
        'pool mode',
        'runtime role',
        'pool budget',
      ]),
    );
    expect(report.failed).toBe(0);
  });
});

describe('mpgkit explain and env', () => {
  it('explain: a known error exits 0 with the ORM fix; unknown text exits 1', async () => {
    const known = await mpgkit({}, 'explain', 'prepared statement "s0" already exists', '--orm', 'prisma');
    expect(known.code).toBe(0);
    expect(known.stdout).toMatch(/fix\s+Prisma 7: remove statementNameGenerator/);
    expect((await mpgkit({}, 'explain', 'relation "users" does not exist')).code).toBe(1);
    expect((await mpgkit({}, 'explain')).code).toBe(2);
  });

  it('explain never echoes a password pasted with the error', async () => {
    const { stdout } = await mpgkit(
      {},
      'explain',
      `connect to postgresql://u:${stack.secrets()[0]}@h/db: Connection terminated unexpectedly`,
    );
    expect(stdout).toContain('Connection terminated unexpectedly');
  });

  it('env: the resolved settings, redacted, and the option each ORM gets', async () => {
    const { code, stdout } = await mpgkit(stack.envFor('transaction'), 'env', '--mode', 'transaction');
    expect(code).toBe(0);
    expect(stdout).toMatch(/pooled URL\s+postgresql:\/\/fly-user:\*\*\*@127\.0\.0\.1/);
    expect(stdout).toMatch(/named statements\s+off\s+sent unnamed\s+prepare: false\s+pgbouncer=true/);
    const json = JSON.parse((await mpgkit(stack.envFor('transaction'), 'env', '--json')).stdout);
    expect(json.policy.urls.pooled).toContain('***');
  });
});
