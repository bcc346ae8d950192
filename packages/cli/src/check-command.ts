import { dirname, resolve } from 'node:path';
import { checkPoolBudget, formatBudgetReport } from '@mpgkit/core';
import {
  budgetInputOf,
  checkClusterBudget,
  formatClusterReport,
  resolvePlan,
  shareVerdictOf,
} from '@mpgkit/core/adapter';
import { importDefined, readAppFleet } from './app-fleet.ts';
import { type Cluster, isCluster } from './cluster-file.ts';
import { type Command, defineCommand } from './command.ts';
import { type CliIo, ExitCode } from './io.ts';
import { JSON_OPTION, STRICT_OPTION, usageError } from './options.ts';

/** `mpgkit check`: the app's policy module against its real fleet, or every app of a cluster file. */
export const checkCommand: Command = defineCommand({
  name: 'check',
  summary: "check the app's policy module against its real fleet: fly.toml and fly scale show --json",
  synopsis: [
    '[--policy <module>] [--export <name>] [--fly-toml <path>] [--scale <path|->] [--strict] [--json]',
    '--cluster <module> [--scale <app>=<path> ...] [--simultaneous-deploys] [--strict] [--json]',
  ],
  description: `Checks the pool budget of the fleet as it really is, from the policy module the app imports at startup
(its plan, pool mode and pools per group; no database URL or secret is needed), with the process groups,
deploy strategy and release command from fly.toml, and the machine counts from \`fly scale show --json\`.
With --cluster, checks every app a cluster file lists against the one cluster they share.`,
  options: {
    policy: {
      type: 'string',
      value: '<module>',
      help: "the app's policy module (.ts or .js) (default: db-policy.ts)",
    },
    export: {
      type: 'string',
      value: '<name>',
      help: 'which export is the policy (default: policy, else default, else the only policy exported)',
    },
    'fly-toml': {
      type: 'string',
      value: '<path>',
      help: 'fly.toml: groups, [deploy] strategy, release_command (a direct connection while deploying)',
    },
    scale: {
      type: 'string',
      multiple: true,
      value: '<path|->',
      help: "the output of `fly scale show --json` (- for standard input): machines per group;\nwithout it, the machines declared in the policy's fleet. With --cluster:\n<app>=<path>, once per app, instead of the scale file the cluster file names",
    },
    cluster: {
      type: 'string',
      value: '<module>',
      help: "a cluster file (defineCluster from 'mpgkit'): plan, pool mode, and each app's sources",
    },
    'simultaneous-deploys': {
      type: 'boolean',
      help: 'with --cluster: assume several apps can be mid-deploy at once (default: one at a time)',
    },
    strict: STRICT_OPTION,
    json: JSON_OPTION,
  },
  exitCodes: '0 fits, 1 over the limit (or reserve-only with --strict), 2 bad usage or files that disagree.',
  run: (input, io) => runCheck(input.values as CheckValues, io),
});

type CheckValues = {
  policy?: string;
  export?: string;
  'fly-toml'?: string;
  scale?: string[];
  cluster?: string;
  'simultaneous-deploys'?: boolean;
  strict?: boolean;
  json?: boolean;
};

async function runCheck(values: CheckValues, io: CliIo): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  if (values.cluster !== undefined) {
    const appFlags = (['policy', 'export', 'fly-toml'] as const).filter((flag) => values[flag] !== undefined);
    if (appFlags.length > 0) {
      throw usage(
        `--cluster reads each app's sources from the cluster file; drop ${appFlags.map((flag) => `--${flag}`).join(', ')} (or check one app without --cluster).`,
      );
    }
    return checkCluster(values.cluster, scaleOverrides(values.scale ?? [], cwd), cwd, io, values);
  }
  if (values['simultaneous-deploys']) throw usage('--simultaneous-deploys applies to --cluster only.');
  if ((values.scale?.length ?? 0) > 1) throw usage('Give --scale once: the scale output of this one app.');

  const modulePath = values.policy ?? 'db-policy.ts';
  const app = await readAppFleet(
    { policy: modulePath, export: values.export, flyToml: values['fly-toml'], scale: values.scale?.[0] },
    cwd,
    io,
  );
  const { policy, fly } = app;
  if (policy.plan === undefined) {
    throw usage(`${modulePath} declares no plan: add plan: '<name>' (or custom limits) to defineDatabase.`);
  }
  const report = checkPoolBudget(
    budgetInputOf(
      { ...policy, plan: policy.plan },
      { groups: app.groups, deploy: fly?.deploy, releaseCommand: fly?.releaseCommand },
    ),
  );
  const share = policy.budgetShare;
  const overShare = shareVerdictOf(report, share) === 'over';
  const shareLine =
    share === undefined
      ? []
      : [
          `share   ${report.peak} / ${share}  ${overShare ? 'OVER' : 'OK'} (budgetShare: this app's part of a shared cluster)`,
        ];
  if (values.json) {
    io.stdout(JSON.stringify({ sources: app.sources, report, share }, null, 2));
  } else {
    io.stdout([...app.sources, '', formatBudgetReport(report), ...shareLine].join('\n'));
  }
  if (overShare) return ExitCode.Failed;
  return verdictExit(report.verdict, values.strict, io);
}

// `--scale web=scale.json` in cluster mode: the app's scale output (a path from the working directory), which
// wins over the one the cluster file names.
function scaleOverrides(flags: readonly string[], cwd: string): Map<string, string> {
  const overrides = new Map<string, string>();
  for (const flag of flags) {
    const at = flag.indexOf('=');
    if (at <= 0 || at === flag.length - 1) {
      throw usage(`--scale with --cluster is <app>=<path> (e.g. --scale web=scale.json), got "${flag}".`);
    }
    overrides.set(flag.slice(0, at), resolve(cwd, flag.slice(at + 1)));
  }
  return overrides;
}

async function checkCluster(
  clusterPath: string,
  scales: ReadonlyMap<string, string>,
  cwd: string,
  io: CliIo,
  values: {
    strict?: boolean | undefined;
    json?: boolean | undefined;
    'simultaneous-deploys'?: boolean | undefined;
  },
): Promise<number> {
  const path = resolve(cwd, clusterPath);
  const cluster = await importDefined<Cluster>(
    path,
    clusterPath,
    undefined,
    isCluster,
    'cluster',
    'defineCluster',
  );
  // Each app's paths are relative to the cluster file; messages show them as the file writes them.
  const base = dirname(path);
  const unknown = [...scales.keys()].filter((name) => !Object.hasOwn(cluster.apps, name));
  if (unknown.length > 0) {
    throw usage(
      `--scale names ${unknown.map((name) => `"${name}"`).join(', ')}, which ${clusterPath} does not list (its apps: ${Object.keys(cluster.apps).join(', ')}).`,
    );
  }
  const apps = [];
  const sources: string[] = [`cluster: ${clusterPath}`];
  // The plan's name as core resolves it, the form a policy's `plan.name` has.
  const plan = resolvePlan(cluster.plan).name;
  for (const [name, listed] of Object.entries(cluster.apps)) {
    const scale = scales.get(name);
    const declared = scale === undefined ? listed : { ...listed, scale };
    const app = await readAppFleet(declared, base, io);
    const { policy, fly } = app;
    if (policy.poolMode !== cluster.poolMode) {
      throw usage(
        `App ${name}: ${declared.policy} says ${policy.poolMode} mode, but ${clusterPath} says ${cluster.poolMode}. ` +
          'A cluster has one pool mode (its Pooler Settings): make the two agree.',
      );
    }
    if (policy.plan !== undefined && policy.plan.name !== plan) {
      throw usage(
        `App ${name}: ${declared.policy} says plan ${policy.plan.name}, but ${clusterPath} says ${plan}. ` +
          'Apps on one cluster share its plan: make the two agree.',
      );
    }
    sources.push(...app.sources.map((line) => `${name}: ${line}`));
    apps.push({
      name,
      groups: app.groups,
      deploy: fly?.deploy ?? policy.deploy,
      directConnections: policy.directConnections,
      releaseCommand: fly?.releaseCommand ?? false,
      ...(policy.budgetShare === undefined ? {} : { share: policy.budgetShare }),
    });
  }
  const report = checkClusterBudget({
    ...(cluster.name === undefined ? {} : { name: cluster.name }),
    plan: cluster.plan,
    poolMode: cluster.poolMode,
    apps,
    simultaneousDeploys: values['simultaneous-deploys'] ?? cluster.simultaneousDeploys ?? false,
    ...(cluster.directConnectionLimit === undefined
      ? {}
      : { directConnectionLimit: cluster.directConnectionLimit }),
  });
  if (values.json) {
    io.stdout(JSON.stringify({ sources, report }, null, 2));
  } else {
    io.stdout([...sources, '', formatClusterReport(report)].join('\n'));
  }
  return verdictExit(report.verdict, values.strict, io);
}

function verdictExit(verdict: 'ok' | 'reserve' | 'over', strict: boolean | undefined, io: CliIo): number {
  if (verdict === 'reserve') {
    io.stderr('warning: the fleet fits only with the reserve pool; clients wait on every burst.');
    return strict ? ExitCode.Failed : ExitCode.Ok;
  }
  return verdict === 'ok' ? ExitCode.Ok : ExitCode.Failed;
}

const usage = usageError;
