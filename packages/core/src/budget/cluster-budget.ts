import { MpgkitError, MpgkitErrorCode } from '../errors.ts';
import { type DeployStrategy, type PoolMode, parseDeployStrategy, parsePoolMode } from '../pooler.ts';
import { requireGroupName, requireWholeNumber } from '../validation.ts';
import { pairName } from './budget-explanation.ts';
import type { BudgetVerdict, PoolBudgetReport, ProcessGroup } from './budget-types.ts';
import { shareVerdictOf } from './fleet-budget.ts';
import { type CustomPlanLimits, type PlanLimits, resolvePlan } from './plans.ts';
import { bindingLimitOf, budgetOf, judgeConnections, judgeDirect, worseVerdict } from './pool-budget.ts';

// Several apps on one cluster: a web app, a worker app and an admin app attached to the same MPG cluster
// share its PgBouncer, so their fleets add up against one plan. Each may fit alone while together they do
// not. Deploys of different apps are separate `fly deploy` runs: by default only one app is assumed to be
// mid-deploy at a time, and the report says so.

/** One app attached to the cluster. */
export interface ClusterAppInput {
  /** The app's name (its `fly.toml` `app`, or any name for the report). */
  name: string;
  /** Its process groups, as for `checkPoolBudget`. */
  groups: readonly ProcessGroup[];
  /** How it deploys. @default 'rolling' */
  deploy?: DeployStrategy;
  /** Its always-open direct connections (listeners, lock holders), beside its direct pools. @default 0 */
  directConnections?: number;
  /** Whether it runs a `release_command`: one more direct connection while it deploys. @default false */
  releaseCommand?: boolean;
  /** The part of the binding limit it may use (its policy's `budgetShare`). @default undefined */
  share?: number;
}

/** Input of {@link checkClusterBudget}. */
export interface ClusterBudgetInput {
  /** The cluster's name, for the report. @default 'cluster' */
  name?: string;
  /** The cluster's MPG plan, or custom PgBouncer limits. */
  plan: string | CustomPlanLimits | PlanLimits;
  /** The cluster's PgBouncer pool mode. */
  poolMode: PoolMode;
  /** Every app attached to it. */
  apps: readonly ClusterAppInput[];
  /** Whether several apps can be mid-deploy at once (deploys started together from one pipeline). @default false */
  simultaneousDeploys?: boolean;
  /** Postgres connections left for direct ones, when known. @default undefined */
  directConnectionLimit?: number;
}

/** One app's part of the cluster's budget. */
export interface ClusterAppUsage {
  readonly name: string;
  /** The app alone on the cluster's plan, with its own deploy peak. */
  readonly report: PoolBudgetReport;
  /** Its direct connections while it deploys: direct pools, declared ones and the release command. */
  readonly peakDirectConnections: number;
  readonly releaseCommand: boolean;
  readonly share: number | undefined;
  /** Its deploy peak against its share; `undefined` without a share. */
  readonly shareVerdict: 'ok' | 'over' | undefined;
}

/** The result of {@link checkClusterBudget}. */
export interface ClusterBudgetReport {
  readonly name: string;
  readonly plan: PlanLimits;
  readonly poolMode: PoolMode;
  readonly simultaneousDeploys: boolean;
  readonly apps: readonly ClusterAppUsage[];
  /** Σ of every app's connections in normal operation. */
  readonly total: number;
  /** The highest total while deploys run: one app's deploy at a time, or all at once. */
  readonly peak: number;
  /** Whose deploy makes the peak: an app's name, or `undefined` when no deploy adds connections. */
  readonly peakDuring: string | undefined;
  readonly limit: number;
  readonly limitName: PoolBudgetReport['limitName'];
  readonly reserve: number;
  readonly normalVerdict: BudgetVerdict;
  readonly peakVerdict: BudgetVerdict;
  /** Σ of the declared shares, when any app declares one. */
  readonly shares: number | undefined;
  /** Direct connections in normal operation (listeners, lock holders, direct pools). */
  readonly directConnections: number;
  /** The same while deploys run (release commands, direct pools of new machines). */
  readonly peakDirectConnections: number;
  readonly directConnectionLimit: number | undefined;
  readonly directVerdict: 'ok' | 'over' | 'unknown';
  /** The worst of everything above, shares and per-pair verdicts included. */
  readonly verdict: BudgetVerdict;
  /** limit − peak. */
  readonly headroom: number;
  /** The arithmetic and what it assumes, one sentence per line. */
  readonly explanation: readonly string[];
}

/**
 * Checks every app attached to one cluster against its plan: the sum of their fleets, the deploy peak (one
 * app deploying at a time unless `simultaneousDeploys`), the shares they declared, and direct connections.
 *
 * @throws {MpgkitError} `INVALID_OPTION` for no apps, an app named twice, or an invalid fleet (naming the app).
 * @example
 * ```ts
 * const report = checkClusterBudget({
 *   plan: 'basic', poolMode: 'transaction',
 *   apps: [
 *     { name: 'web', groups: [{ name: 'app', machines: 6, poolSize: 20 }] },
 *     { name: 'worker', groups: [{ name: 'app', machines: 4, poolSize: 20 }], deploy: 'bluegreen' },
 *   ],
 * });
 * report.peak; // 280: 120 + 80 normally, + 80 while the worker's bluegreen deploy runs
 * report.verdict; // 'over' (limit 200), though each app fits alone
 * ```
 */
export function checkClusterBudget(input: ClusterBudgetInput): ClusterBudgetReport {
  if (typeof input !== 'object' || input === null || !Array.isArray(input.apps) || input.apps.length === 0) {
    throw invalid(
      'checkClusterBudget needs { plan, poolMode, apps: [{ name, groups }] } with at least one app.',
    );
  }
  const plan = resolvePlan(input.plan);
  const poolMode = parsePoolMode(input.poolMode);
  const simultaneousDeploys = input.simultaneousDeploys ?? false;
  const directConnectionLimit =
    input.directConnectionLimit === undefined
      ? undefined
      : requireWholeNumber('directConnectionLimit', input.directConnectionLimit, 0);
  const seen = new Set<string>();
  const apps = input.apps.map((app): ClusterAppUsage => {
    const name = requireGroupName(app?.name);
    if (seen.has(name)) throw invalid(`App "${name}" is listed twice. List each app once.`);
    seen.add(name);
    let report: PoolBudgetReport;
    try {
      report = budgetOf({
        plan,
        poolMode,
        deploy: parseDeployStrategy(app.deploy ?? 'rolling'),
        groups: app.groups,
        directConnections: app.directConnections ?? 0,
        releaseCommand: app.releaseCommand ?? false,
      });
    } catch (error) {
      if (error instanceof MpgkitError) throw new MpgkitError(error.code, `App ${name}: ${error.message}`);
      throw error;
    }
    const share = app.share === undefined ? undefined : requireWholeNumber(`${name}.share`, app.share);
    return Object.freeze({
      name,
      report,
      peakDirectConnections: report.peakDirectConnections,
      releaseCommand: app.releaseCommand ?? false,
      share,
      shareVerdict: shareVerdictOf(report, share),
    });
  });

  const total = sum(apps.map((app) => app.report.total));
  const extras = apps.map((app) => app.report.peak - app.report.total);
  const directTotal = sum(apps.map((app) => app.report.directConnections));
  const directExtras = apps.map((app) => app.peakDirectConnections - app.report.directConnections);
  // Deploys that never overlap peak during the one that adds the most; deploys that may overlap add up.
  const largest = Math.max(...extras);
  const peak = total + (simultaneousDeploys ? sum(extras) : largest);
  const peakDirect = directTotal + (simultaneousDeploys ? sum(directExtras) : Math.max(...directExtras));
  const peakDuring = largest === 0 ? undefined : apps[extras.indexOf(largest)]?.name;

  const { limit, limitName, reserve } = bindingLimitOf(plan, poolMode);
  const normalVerdict = judgeConnections(total, limit, reserve, plan.maxClientConnections);
  const peakVerdict = judgeConnections(peak, limit, reserve, plan.maxClientConnections);
  const declaredShares = apps.flatMap((app) => (app.share === undefined ? [] : [app.share]));
  const shares = declaredShares.length === 0 ? undefined : sum(declaredShares);
  const directVerdict = judgeDirect(peakDirect, directConnectionLimit);
  const overElsewhere =
    directVerdict === 'over' ||
    (shares !== undefined && shares > limit) ||
    apps.some(
      (app) => app.shareVerdict === 'over' || app.report.pairs.some((pair) => pair.verdict === 'over'),
    );
  const report = {
    name: input.name === undefined ? 'cluster' : requireGroupName(input.name),
    plan,
    poolMode,
    simultaneousDeploys,
    apps: Object.freeze(apps),
    total,
    peak,
    peakDuring,
    limit,
    limitName,
    reserve,
    normalVerdict,
    peakVerdict,
    shares,
    directConnections: directTotal,
    peakDirectConnections: peakDirect,
    directConnectionLimit,
    directVerdict,
    verdict: overElsewhere ? 'over' : worseVerdict(normalVerdict, peakVerdict),
    headroom: limit - peak,
  } as const;
  return Object.freeze({ ...report, explanation: Object.freeze(explainCluster(report)) });
}

function explainCluster(report: Omit<ClusterBudgetReport, 'explanation'>): string[] {
  const { apps, limit } = report;
  const lines = [
    `${apps.length} apps share one PgBouncer (plan ${report.plan.name}, ${report.poolMode} mode): their pools ` +
      `add up against its ${report.limitName} (${limit}${report.reserve > 0 ? `, the last ${report.reserve} of them the reserve pool` : ''}).`,
    `Normal: ${apps.map((app) => `${app.name} ${app.report.total}`).join(' + ')} = ${report.total} of ${limit}: ` +
      `${describe(report.normalVerdict, report.total, limit)}.`,
  ];
  if (report.peakDuring === undefined) {
    lines.push(`Deploys: every app replaces machines in place, so the peak stays ${report.peak}.`);
  } else if (report.simultaneousDeploys) {
    const adding = apps.filter((app) => app.report.peak > app.report.total);
    lines.push(
      `Deploys may overlap (simultaneousDeploys): ${report.total} + ` +
        `${adding.map((app) => `${app.report.peak - app.report.total} (${app.name} ${app.report.deploy})`).join(' + ')} = ` +
        `${report.peak} of ${limit}: ${describe(report.peakVerdict, report.peak, limit)}.`,
    );
  } else {
    const app = apps.find((candidate) => candidate.name === report.peakDuring);
    const extra = app === undefined ? 0 : app.report.peak - app.report.total;
    lines.push(
      `Deploys of different apps are assumed not to overlap (pass --simultaneous-deploys if a pipeline runs them ` +
        `together): the highest peak is during ${report.peakDuring}'s ${app?.report.deploy} deploy, ` +
        `${report.total} + ${extra} = ${report.peak} of ${limit}: ${describe(report.peakVerdict, report.peak, limit)}.`,
    );
  }
  if (report.shares !== undefined) {
    const without = apps.filter((app) => app.share === undefined).map((app) => app.name);
    lines.push(
      `Shares (budgetShare): ${apps
        .filter((app) => app.share !== undefined)
        .map((app) => `${app.name} ${app.share}`)
        .join(' + ')} = ${report.shares} of ${limit}: ` +
        (report.shares > limit
          ? `over by ${report.shares - limit}: the shares promise more than the cluster has.`
          : `ok${without.length === 0 ? '' : `; ${without.join(', ')} declare${without.length === 1 ? 's' : ''} no share and may use what is left`}.`),
    );
    for (const app of apps) {
      if (app.shareVerdict === 'over' && app.share !== undefined) {
        lines.push(
          `${app.name}'s peak ${app.report.peak} is over its share ${app.share} by ${app.report.peak - app.share}.`,
        );
      }
    }
  }
  for (const app of apps) {
    const pairs = app.report.pairs.filter((pair) => pair.verdict === 'over');
    if (pairs.length > 0) {
      lines.push(
        `${app.name}: ${pairs.map((pair) => `${pairName(pair)} ${pair.peakConnections}`).join(', ')} ` +
          `over the per-pair pool size ${report.plan.poolSizePerPair}.`,
      );
    }
  }
  if (report.peakDirectConnections > 0) {
    lines.push(
      `Direct connections bypass PgBouncer: ${report.directConnections} always open, ${report.peakDirectConnections} ` +
        'while deploying (release commands, direct pools of new machines)' +
        (report.directConnectionLimit === undefined
          ? "; Postgres's own max_connections is not published: not checked (give directConnectionLimit)."
          : ` of ${report.directConnectionLimit}: ${report.directVerdict === 'over' ? 'over' : 'ok'}.`),
    );
  }
  return lines;
}

function describe(verdict: BudgetVerdict, connections: number, limit: number): string {
  switch (verdict) {
    case 'ok':
      return `ok, ${limit - connections} to spare`;
    case 'reserve':
      return 'fits only with the reserve pool; those clients wait for the reserve timeout first';
    case 'over':
      return `over by ${connections - limit}`;
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function invalid(message: string): MpgkitError {
  return new MpgkitError(MpgkitErrorCode.InvalidOption, message);
}
