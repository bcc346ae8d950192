import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  checkPoolBudget,
  defineDatabase,
  explainError,
  isMpgkitError,
  MpgkitErrorCode,
  type Policy,
  type PoolMode,
  redactUrl,
} from '@mpgkit/core';
import { redact } from '@mpgkit/core/adapter';
import { type Command, defineCommand } from './command.ts';
import type { DoctorCheck } from './doctor-check.ts';
import { checkTls } from './doctor-tls.ts';
import { type CliIo, ExitCode } from './io.ts';
import {
  GROUP_OPTION,
  type GroupSpec,
  JSON_OPTION,
  MODE_OPTION,
  PLAN_OPTION,
  parseGroupSpec,
  poolModeOption,
} from './options.ts';
import { connect, loadPg, type PgClient, type PgModule } from './pg-connect.ts';

/** `mpgkit doctor`: a deployment's database setup, checked from the environment. */
export const doctorCommand: Command = defineCommand({
  name: 'doctor',
  summary: 'check a deployment: URLs, DNS, connections, TLS, pool mode, role, budget (needs pg)',
  synopsis: ['[--mode <session|transaction>] [--plan <name> --group <name>=<machines>x<pool> ...] [--json]'],
  description: `Checks a deployment's database setup from the environment (DATABASE_URL, DIRECT_DATABASE_URL):
URLs, DNS (including AAAA), TLS (what the server offers, whether its certificate verifies for the host,
and the mode the policy will use), connecting to the pooled and direct URLs within the connect timeout, the
pooler's real pool mode, whether the app's role can change the schema, and the pool budget.`,
  options: {
    mode: MODE_OPTION,
    plan: { ...PLAN_OPTION, help: 'the plan, to check the fleet given with --group against it' },
    group: {
      ...GROUP_OPTION,
      help: "a process group, as in mpgkit budget; the pool may be left out (web=3): the\npolicy's pool size is used",
    },
    json: JSON_OPTION,
  },
  note: 'Needs the pg package.',
  exitCodes: '0 no failure, 1 a check failed, 2 bad usage.',
  run: (input, io) => runDoctor(input.values as DoctorValues, io),
});

type DoctorValues = { mode?: string; plan?: string; group?: string[]; json?: boolean };

async function runDoctor(values: DoctorValues, io: CliIo): Promise<number> {
  const poolMode = poolModeOption(values);
  const groups = (values.group ?? []).map(parseGroupSpec);
  const pg = await loadPg('mpgkit doctor');
  const checks: DoctorCheck[] = [];
  const add = (check: DoctorCheck) => {
    checks.push(check);
    if (!values.json) io.stdout(line(check));
  };

  let policy: Policy;
  try {
    policy = defineDatabase({
      env: io.env,
      ...(poolMode === undefined ? {} : { poolMode }),
      budgetCheck: 'off',
      logger: {
        warn: (message) => add({ name: 'urls', status: 'warn', detail: message.replace('[mpgkit] ', '') }),
      },
    });
    void policy.urls; // resolved now, so a missing or malformed URL is reported here
  } catch (error) {
    add({ name: 'urls', status: 'fail', detail: redact((error as Error).message) });
    const exit = finish(io, checks, values.json ?? false);
    // A malformed or missing URL is a usage error (exit 2), as everywhere in mpgkit.
    const usage = [MpgkitErrorCode.InvalidConnectionUrl, MpgkitErrorCode.MissingEnvVar] as string[];
    return isMpgkitError(error) && usage.includes(error.code) ? ExitCode.Usage : exit;
  }
  const { urls } = policy;
  add({ name: 'pooled URL', status: 'ok', detail: redactUrl(urls.pooled) });
  add(
    urls.direct === undefined
      ? {
          name: 'direct URL',
          status: 'fail',
          detail: 'none: set DIRECT_DATABASE_URL (migrations, advisory locks and LISTEN need it)',
        }
      : { name: 'direct URL', status: 'ok', detail: `${redactUrl(urls.direct)} (${urls.directSource})` },
  );

  for (const [label, url] of [
    ['pooled', urls.pooled],
    ['direct', urls.direct],
  ] as const) {
    // The WHATWG parser keeps an IPv6 literal's brackets ([::1], Fly's [fdaa:…]); DNS needs it bare.
    if (url !== undefined) add(await checkDns(label, new URL(url).hostname.replace(/^\[(.*)\]$/, '$1')));
  }
  // Each URL: connect as the app would, then probe its TLS, unless nothing answered at that address (an
  // unreachable host costs seconds per attempt, and the connect check already said why).
  const timeoutMs = Math.round(policy.connectTimeoutSeconds * 1000);
  const pooled = await checkConnect(pg, policy, 'pooled', urls.pooled);
  add(pooled.check);
  if (pooled.reached) add(await checkTls('pooled', new URL(urls.pooled), policy.tls.pooled, timeoutMs));
  if (urls.direct !== undefined && policy.tls.direct !== undefined) {
    const direct = await checkConnect(pg, policy, 'direct', urls.direct);
    add(direct.check);
    if (direct.reached) add(await checkTls('direct', new URL(urls.direct), policy.tls.direct, timeoutMs));
  }

  if (pooled.ok) {
    add(await probePoolMode(pg, policy));
    add(await checkRole(pg, policy));
  }
  add(checkBudget(policy, values.plan, groups));
  return finish(io, checks, values.json ?? false);
}

function line(check: DoctorCheck): string {
  const mark = { ok: '✓', warn: '!', fail: '✗', skip: '-' }[check.status];
  return `${mark} ${check.name.padEnd(16)} ${check.detail}`;
}

function finish(io: CliIo, checks: DoctorCheck[], json: boolean): number {
  const failed = checks.filter((check) => check.status === 'fail').length;
  const warned = checks.filter((check) => check.status === 'warn').length;
  if (json) io.stdout(JSON.stringify({ checks, failed, warned }, null, 2));
  else io.stdout(`\n${failed} failed, ${warned} warnings`);
  return failed > 0 ? ExitCode.Failed : ExitCode.Ok;
}

async function checkDns(label: string, host: string): Promise<DoctorCheck> {
  const name = `DNS (${label})`;
  if (isIP(host) !== 0 || host === 'localhost')
    return { name, status: 'ok', detail: `${host} (no lookup needed)` };
  try {
    const addresses = await lookup(host, { all: true });
    const v6 = addresses.filter((address) => address.family === 6).length;
    const v4 = addresses.length - v6;
    const detail = `${host}: ${v6} AAAA, ${v4} A`;
    // Fly's private network is IPv6: a .flympg.net / .internal host without AAAA hangs on connect.
    if (v6 === 0 && /\.(flympg\.net|internal)$/.test(host)) {
      return {
        name,
        status: 'warn',
        detail: `${detail}; Fly private addresses are IPv6: enable IPv6 lookups in the app`,
      };
    }
    return { name, status: 'ok', detail };
  } catch (error) {
    return {
      name,
      status: 'fail',
      detail: `${host} does not resolve (${(error as { code?: string }).code ?? 'error'}); on Fly, check IPv6 DNS (AAAA)`,
    };
  }
}

async function checkConnect(
  pg: PgModule,
  policy: Policy,
  label: string,
  url: string,
): Promise<{ ok: boolean; reached: boolean; check: DoctorCheck }> {
  const name = `connect (${label})`;
  const started = performance.now();
  let client: PgClient | undefined;
  try {
    client = await connect(pg, policy, url, 'mpgkit-doctor');
    const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
    const ms = Math.round(performance.now() - started);
    const stream = client.connection?.stream;
    const tls = stream?.encrypted ? (stream.getProtocol?.() ?? 'TLS') : 'none';
    const host = new URL(url).hostname;
    const detail = `${ms} ms, TLS: ${tls}`;
    // Postgres's BackendKeyData carries the backend's own pid; a pooler answers with a cancel key of its
    // own (PgBouncer: a random pid), so the two differ exactly when a pooler sits between. Measured on the
    // stack: direct 8354 = 8354; PgBouncer session 850375951 ≠ 8359.
    const pooler = client.processID !== rows[0]?.pid;
    if (label === 'direct' && pooler) {
      return {
        ok: true,
        reached: true,
        check: {
          name,
          status: 'fail',
          detail:
            `${detail}; a pooler answers at the direct URL (its cancel key is not the backend's), so migrations, ` +
            "advisory locks and LISTEN would go through PgBouncer. Use the Connect tab's direct URL (direct.<cluster>.flympg.net).",
        },
      };
    }
    if (label === 'pooled' && !pooler) {
      return {
        ok: true,
        reached: true,
        check: {
          name,
          status: 'warn',
          detail: `${detail}; no pooler answers at the pooled URL: the app would use Postgres connection slots directly`,
        },
      };
    }
    const status = tls === 'none' && host.endsWith('.flympg.net') ? 'warn' : 'ok';
    const where = label === 'direct' ? 'Postgres itself' : 'through a pooler';
    return {
      ok: true,
      reached: true,
      check: {
        name,
        status,
        detail: `${detail}, ${where}${status === 'warn' ? " (MPG offers TLS: remove tls: 'disable' / sslmode=disable)" : ''}`,
      },
    };
  } catch (error) {
    return {
      ok: false,
      reached: answered(error),
      check: { name, status: 'fail', detail: failureDetail(policy, error) },
    };
  } finally {
    await client?.end().catch(() => undefined);
  }
}

// Client A runs a query and stays connected. Session mode pins A's server connection to A, so B gets
// another one; transaction mode released it after A's query, and PgBouncer hands the most recently used
// server connection to B. Three rounds: any shared backend means transaction mode.
async function probePoolMode(pg: PgModule, policy: Policy): Promise<DoctorCheck> {
  const name = 'pool mode';
  try {
    let shared = 0;
    for (let round = 0; round < 3; round++) {
      const a = await connect(pg, policy, policy.urls.pooled, 'mpgkit-doctor:probe');
      const b = await connect(pg, policy, policy.urls.pooled, 'mpgkit-doctor:probe');
      try {
        const pidA = (await a.query('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
        const pidB = (await b.query('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
        if (pidA === pidB) shared++;
      } finally {
        await Promise.all([a.end(), b.end()].map((p) => p.catch(() => undefined)));
      }
    }
    const observed: PoolMode = shared > 0 ? 'transaction' : 'session';
    if (observed !== policy.poolMode) {
      return {
        name,
        status: 'warn',
        detail: `the pooler behaves as ${observed} mode, but the policy says ${policy.poolMode}: set poolMode: '${observed}' (or --mode)`,
      };
    }
    return {
      name,
      status: 'ok',
      detail: `${observed} (probed: server connections ${shared > 0 ? 'shared across' : 'pinned to'} clients)`,
    };
  } catch (error) {
    return { name, status: 'warn', detail: `could not probe: ${policy.redact((error as Error).message)}` };
  }
}

// MPG roles (seed 001): Schema Admin can change the schema, Writer reads and writes data, Reader reads.
// Apps should run as a Writer and keep Schema Admin for migrations.
async function checkRole(pg: PgModule, policy: Policy): Promise<DoctorCheck> {
  const name = 'runtime role';
  let client: PgClient | undefined;
  try {
    client = await connect(pg, policy, policy.urls.pooled, 'mpgkit-doctor:role');
    const { rows } = await client.query(`
      SELECT current_user AS role, r.rolsuper AS superuser,
             has_schema_privilege('public', 'CREATE') AS can_create,
             (SELECT datdba = r.oid FROM pg_database WHERE datname = current_database()) AS owns_database,
             has_table_privilege_any AS can_write
        FROM pg_roles r,
             LATERAL (SELECT bool_or(has_table_privilege(c.oid, 'INSERT')) AS has_table_privilege_any
                        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE n.nspname = 'public' AND c.relkind = 'r') w
       WHERE r.rolname = current_user`);
    const row = rows[0] ?? {};
    const role = String(row.role);
    if (row.superuser === true || row.can_create === true || row.owns_database === true) {
      return {
        name,
        status: 'warn',
        detail:
          `"${role}" can change the schema (Schema Admin). Run the app as a Writer user (fly mpg users create) ` +
          'and keep Schema Admin for migrations on the direct URL.',
      };
    }
    return {
      name,
      status: 'ok',
      detail: `"${role}" cannot change the schema (${row.can_write === false ? 'Reader' : 'Writer'})`,
    };
  } catch (error) {
    return { name, status: 'warn', detail: `could not check: ${policy.redact((error as Error).message)}` };
  } finally {
    await client?.end().catch(() => undefined);
  }
}

function checkBudget(policy: Policy, plan: string | undefined, groups: readonly GroupSpec[]): DoctorCheck {
  const name = 'pool budget';
  if (plan === undefined || groups.length === 0) {
    return {
      name,
      status: 'skip',
      detail: 'give --plan and --group (e.g. --group app=3x10) to check the fleet against the plan',
    };
  }
  const specs = groups.map((spec) => ({ ...spec, poolSize: spec.poolSize ?? policy.poolSize }));
  const report = checkPoolBudget({ plan, poolMode: policy.poolMode, groups: specs });
  const detail = `${report.peak} of ${report.limit} ${report.limitName} at peak (${report.verdict})`;
  return {
    name,
    status: report.verdict === 'ok' ? 'ok' : report.verdict === 'reserve' ? 'warn' : 'fail',
    detail,
  };
}

// Whether something answered at the address: a TLS or server error says yes; a socket error (ECONNREFUSED,
// EHOSTUNREACH, ETIMEDOUT, ENOTFOUND, …) or the connect timeout says no.
function answered(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return false;
  return !/timeout|timed out/i.test(String((error as Error)?.message ?? ''));
}

// What went wrong and what to do, in one redacted line: the connect timeout is named only when it is what
// ran out (a wrong password is not a timeout).
function failureDetail(policy: Policy, error: unknown): string {
  const message = policy.redact(String((error as Error)?.message ?? error));
  const explanation = explainError(error);
  if (explanation === undefined) return message;
  const timeout = explanation.id === 'connection-timeout' ? ` after ${policy.connectTimeoutSeconds} s` : '';
  return `${message}${timeout}: ${explanation.title}. ${policy.redact(explanation.fix)}`;
}
