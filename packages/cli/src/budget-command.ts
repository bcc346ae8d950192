import {
  type CustomPlanLimits,
  checkPoolBudget,
  type DeployStrategy,
  formatBudgetReport,
  type PoolMode,
  type ProcessGroup,
  recommendPoolSizes,
} from '@mpgkit/core';
import { DEPLOY_STRATEGIES, formatTable } from '@mpgkit/core/adapter';
import { type Command, defineCommand } from './command.ts';
import { type CliIo, ExitCode } from './io.ts';
import {
  count,
  GROUP_OPTION,
  type GroupSpec,
  JSON_OPTION,
  MODE_OPTION,
  PLAN_OPTION,
  parseGroupSpec,
  poolModeOption,
  STRICT_OPTION,
  usageError,
  withPoolSize,
} from './options.ts';

/** `mpgkit budget`: a fleet's pool sizes against a plan's PgBouncer limits. */
export const budgetCommand: Command = defineCommand({
  name: 'budget',
  summary: "check a fleet's pool sizes against a plan's PgBouncer limits",
  synopsis: [
    '--plan <name> --mode <session|transaction> --group <name>=<machines>x<pool>[x<processes>] [...]',
  ],
  description:
    "Checks that a fleet's connection pools fit the plan's PgBouncer limits, normally and at the deploy peak.",
  options: {
    plan: PLAN_OPTION,
    'max-client-conn': {
      type: 'string',
      value: '<n>',
      help: 'custom limits instead of --plan (with --max-db-conn, --reserve)',
    },
    'max-db-conn': { type: 'string', value: '<n>', help: 'custom limits: max_db_connections' },
    reserve: { type: 'string', value: '<n>', help: 'reserve pool size (default 0 with custom limits)' },
    mode: MODE_OPTION,
    group: GROUP_OPTION,
    deploy: {
      type: 'string',
      value: '<strategy>',
      help: 'bluegreen, canary, rolling or immediate (default rolling)',
    },
    direct: {
      type: 'string',
      value: '<n>',
      help: 'connections that bypass PgBouncer (listeners, lock holders)',
    },
    'direct-limit': {
      type: 'string',
      value: '<n>',
      help: "Postgres connections left for them (max_connections less PgBouncer's and\nthe superuser reserve); without it direct connections are not judged",
    },
    recommend: {
      type: 'boolean',
      help: 'print the largest pool sizes that fit (groups may then omit the pool: web=3)',
    },
    headroom: {
      type: 'string',
      value: '<fraction>',
      help: 'with --recommend: share of the limit to keep free, from 0 to below 1 (default 0.2)',
    },
    strict: STRICT_OPTION,
    json: JSON_OPTION,
  },
  exitCodes: '0 fits, 1 over the limit (or reserve-only with --strict), 2 bad usage.',
  run: (input, io) => runBudget(input.values as BudgetValues, io),
});

type BudgetValues = {
  plan?: string;
  'max-client-conn'?: string;
  'max-db-conn'?: string;
  reserve?: string;
  mode?: string;
  group?: string[];
  deploy?: string;
  direct?: string;
  'direct-limit'?: string;
  recommend?: boolean;
  headroom?: string;
  strict?: boolean;
  json?: boolean;
};

function runBudget(values: BudgetValues, io: CliIo): number {
  const plan = planFrom(values);
  const poolMode = poolModeOption(values);
  if (poolMode === undefined) throw usage('--mode is required: session or transaction.');
  const deploy = (values.deploy ?? 'rolling') as DeployStrategy;
  if (!DEPLOY_STRATEGIES.includes(deploy)) {
    throw usage(`--deploy "${values.deploy}" is not one of ${DEPLOY_STRATEGIES.join(', ')}.`);
  }
  const specs = (values.group ?? []).map(parseGroupSpec);
  if (specs.length === 0) throw usage('Give at least one --group, e.g. --group web=3x10.');
  const directConnections = values.direct === undefined ? 0 : count('--direct', values.direct, 0);
  const directConnectionLimit =
    values['direct-limit'] === undefined ? undefined : count('--direct-limit', values['direct-limit'], 0);

  if (values.headroom !== undefined && !values.recommend)
    throw usage('--headroom applies to --recommend only.');
  if (values.recommend) {
    const headroom = values.headroom === undefined ? 0.2 : fraction('--headroom', values.headroom);
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

// A fraction in [0, 1), as typed: "" or "abc" is refused with what was typed, never read as 0 or NaN.
function fraction(flag: string, value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || parsed >= 1) {
    throw usage(`${flag} must be a fraction from 0 to below 1 (e.g. 0.2), got "${value.slice(0, 20)}".`);
  }
  return parsed;
}

const usage = usageError;
