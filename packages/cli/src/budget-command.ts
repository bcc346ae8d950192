import { parseArgs } from 'node:util';
import {
  type CustomPlanLimits,
  checkPoolBudget,
  type DeployStrategy,
  formatBudgetReport,
  MpgkitError,
  MpgkitErrorCode,
  type PoolMode,
  type ProcessGroup,
  recommendPoolSizes,
} from '@mpgkit/core';
import { DEPLOY_STRATEGIES, formatTable, parsePoolMode, requireGroupName } from '@mpgkit/core/adapter';
import { type CliIo, ExitCode } from './io.ts';

/** Usage text of `mpgkit budget`. */
export const BUDGET_USAGE = `Usage: mpgkit budget --plan <name> --mode <session|transaction> --group <name>=<machines>x<pool>[x<processes>] [...]

Checks that a fleet's connection pools fit the plan's PgBouncer limits, normally and at the deploy peak.

Options:
  --plan <name>          basic, starter, launch, scale or performance
  --max-client-conn <n>  custom limits instead of --plan (with --max-db-conn, --reserve)
  --max-db-conn <n>
  --reserve <n>          reserve pool size (default 0 with custom limits)
  --mode <mode>          the cluster's pool mode: session or transaction
  --group <spec>         a process group, e.g. web=3x10 (3 machines, pool 10) or web=3x10x2 (2 processes
                         per machine); repeat for each group
  --deploy <strategy>    bluegreen, canary, rolling or immediate (default rolling)
  --direct <n>           connections that bypass PgBouncer (release command, listeners)
  --direct-limit <n>     Postgres connections left for them (max_connections less PgBouncer's and
                         the superuser reserve); without it direct connections are not judged
  --recommend            print the largest pool sizes that fit (groups may then omit the pool: web=3)
  --headroom <fraction>  with --recommend: share of the limit to keep free (default 0.2)
  --strict               exit 1 when the fleet fits only thanks to the reserve pool
  --json                 print the report as JSON

Exit codes: 0 fits, 1 over the limit (or reserve-only with --strict), 2 bad usage.`;

interface GroupSpec {
  name: string;
  machines: number;
  poolSize: number | undefined;
  processesPerMachine: number;
}

const GROUP_SPEC = /^([^=]+)=(\d+)(?:x(\d+))?(?:x(\d+))?$/;

/**
 * Parses `name=<machines>x<pool>[x<processes>]`.
 *
 * @example
 * ```ts
 * parseGroupSpec('web=3x10'); // { name: 'web', machines: 3, poolSize: 10, processesPerMachine: 1 }
 * ```
 */
export function parseGroupSpec(spec: string): GroupSpec {
  const match = GROUP_SPEC.exec(spec.trim());
  if (!match) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `--group "${spec}" is not <name>=<machines>x<pool>[x<processes>], e.g. web=3x10.`,
    );
  }
  const [, name = '', machines = '', pool, processes] = match;
  return {
    name: requireGroupName(name),
    machines: Number(machines),
    poolSize: pool === undefined ? undefined : Number(pool),
    processesPerMachine: processes === undefined ? 1 : Number(processes),
  };
}

/**
 * A parsed `--group` that must carry a pool size (the budget check and `mpgkit connections` need one; only
 * `--recommend` works without): the spec with its pool size, or an `INVALID_OPTION` error showing the form.
 *
 * @example
 * ```ts
 * withPoolSize(parseGroupSpec('web=3x10')).poolSize; // 10
 * withPoolSize(parseGroupSpec('web=3')); // throws: --group web needs a pool size (e.g. web=3x10).
 * ```
 */
export function withPoolSize(spec: GroupSpec): GroupSpec & { poolSize: number } {
  if (spec.poolSize === undefined)
    throw usage(`--group ${spec.name} needs a pool size (e.g. ${spec.name}=${spec.machines}x10).`);
  return { ...spec, poolSize: spec.poolSize };
}

/**
 * Runs `mpgkit budget` with the arguments after the command name.
 *
 * @example
 * ```ts
 * const code = runBudgetCommand(['--plan', 'basic', '--mode', 'session', '--group', 'web=3x10'], processIo);
 * ```
 */
export function runBudgetCommand(args: readonly string[], io: CliIo): number {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      plan: { type: 'string' },
      'max-client-conn': { type: 'string' },
      'max-db-conn': { type: 'string' },
      reserve: { type: 'string' },
      mode: { type: 'string' },
      group: { type: 'string', multiple: true },
      deploy: { type: 'string' },
      direct: { type: 'string' },
      'direct-limit': { type: 'string' },
      recommend: { type: 'boolean' },
      headroom: { type: 'string' },
      strict: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(BUDGET_USAGE);
    return ExitCode.Ok;
  }
  const plan = planFrom(values);
  if (values.mode === undefined) throw usage('--mode is required: session or transaction.');
  const poolMode = parsePoolMode(values.mode);
  const deploy = (values.deploy ?? 'rolling') as DeployStrategy;
  if (!DEPLOY_STRATEGIES.includes(deploy)) {
    throw usage(`--deploy "${values.deploy}" is not one of ${DEPLOY_STRATEGIES.join(', ')}.`);
  }
  const specs = (values.group ?? []).map(parseGroupSpec);
  if (specs.length === 0) throw usage('Give at least one --group, e.g. --group web=3x10.');
  const directConnections = values.direct === undefined ? 0 : count('--direct', values.direct, 0);
  const directConnectionLimit =
    values['direct-limit'] === undefined ? undefined : count('--direct-limit', values['direct-limit'], 0);

  if (values.recommend) {
    const headroom = values.headroom === undefined ? 0.2 : Number(values.headroom);
    return printRecommendation(io, { plan, poolMode, deploy, specs, headroom, json: values.json ?? false });
  }
  const groups: ProcessGroup[] = specs.map(withPoolSize);
  const report = checkPoolBudget({
    plan,
    poolMode,
    deploy,
    groups,
    directConnections,
    ...(directConnectionLimit === undefined ? {} : { directConnectionLimit }),
  });
  if (values.json) {
    io.stdout(JSON.stringify(report, null, 2));
  } else {
    io.stdout(formatBudgetReport(report));
  }
  if (report.verdict === 'reserve') {
    io.stderr('warning: the fleet fits only with the reserve pool; clients wait on every burst.');
    return values.strict ? ExitCode.Failed : ExitCode.Ok;
  }
  return report.verdict === 'ok' ? ExitCode.Ok : ExitCode.Failed;
}

function printRecommendation(
  io: CliIo,
  input: {
    plan: string | CustomPlanLimits;
    poolMode: PoolMode;
    deploy: DeployStrategy;
    specs: GroupSpec[];
    headroom: number;
    json: boolean;
  },
): number {
  const recommendation = recommendPoolSizes({
    plan: input.plan,
    poolMode: input.poolMode,
    deploy: input.deploy,
    headroom: input.headroom,
    groups: input.specs.map(({ name, machines, processesPerMachine }) => ({
      name,
      machines,
      processesPerMachine,
    })),
  });
  if (input.json) {
    io.stdout(JSON.stringify(recommendation, null, 2));
    return ExitCode.Ok;
  }
  const { report } = recommendation;
  const table = formatTable(
    [
      { header: 'group' },
      { header: 'current pool', align: 'right' },
      { header: 'recommended pool', align: 'right' },
    ],
    input.specs.map((spec) => [
      spec.name,
      spec.poolSize === undefined ? '-' : String(spec.poolSize),
      String(recommendation.poolSizes[spec.name]),
    ]),
  );
  io.stdout(
    [
      `Recommended pool sizes: plan ${report.plan.name}, ${report.poolMode} mode, ${report.deploy} deploy, ` +
        `${Math.round(input.headroom * 100)} % headroom (budget ${recommendation.budget} of ${report.limit})`,
      '',
      table,
      '',
      ...report.explanation,
    ].join('\n'),
  );
  return ExitCode.Ok;
}

function planFrom(values: {
  plan?: string | undefined;
  'max-client-conn'?: string | undefined;
  'max-db-conn'?: string | undefined;
  reserve?: string | undefined;
}): string | CustomPlanLimits {
  const custom = values['max-client-conn'] !== undefined || values['max-db-conn'] !== undefined;
  if (values.plan !== undefined && custom) throw usage('Give either --plan or custom limits, not both.');
  if (values.plan !== undefined) return values.plan;
  if (!custom)
    throw usage('--plan is required (basic, starter, launch, scale, performance) or custom limits.');
  if (values['max-client-conn'] === undefined || values['max-db-conn'] === undefined) {
    throw usage('Custom limits need both --max-client-conn and --max-db-conn.');
  }
  return {
    maxClientConnections: count('--max-client-conn', values['max-client-conn'], 1),
    maxDatabaseConnections: count('--max-db-conn', values['max-db-conn'], 1),
    reservePool: values.reserve === undefined ? 0 : count('--reserve', values.reserve, 0),
  };
}

function count(flag: string, value: string, min: number): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min)
    throw usage(`${flag} must be a whole number ≥ ${min}, got "${value}".`);
  return parsed;
}

function usage(message: string): MpgkitError {
  return new MpgkitError(MpgkitErrorCode.InvalidOption, message);
}
