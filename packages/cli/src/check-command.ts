import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  checkPoolBudget,
  formatBudgetReport,
  isMpgkitError,
  MpgkitError,
  MpgkitErrorCode,
  type Policy,
  type ProcessGroup,
} from '@mpgkit/core';
import { redact } from '@mpgkit/core/adapter';
import { type FlyToml, readFlyScale, readFlyToml } from './fly-fleet.ts';
import { type CliIo, ExitCode } from './io.ts';

/** Usage text of `mpgkit check`. */
export const CHECK_USAGE = `Usage: mpgkit check [--policy <module>] [--export <name>] [--fly-toml <path>] [--scale <path|->] [--strict] [--json]

Checks the pool budget of the fleet as it really is, from the policy module the app imports at startup
(its plan, pool mode and pool size per group; no database URL or secret is needed), with the process groups,
deploy strategy and release command from fly.toml, and the machine counts from \`fly scale show --json\`.

Options:
  --policy <module>   the app's policy module (.ts or .js) (default: db-policy.ts)
  --export <name>     which export is the policy (default: policy, else default, else the only policy exported)
  --fly-toml <path>   fly.toml: groups, [deploy] strategy, release_command (one more direct connection)
  --scale <path|->    the output of \`fly scale show --json\` (- for standard input): machines per group;
                      without it, the machines declared in the policy's fleet
  --strict            exit 1 when the fleet fits only thanks to the reserve pool
  --json              print the report as JSON

Exit codes: 0 fits, 1 over the limit (or reserve-only with --strict), 2 bad usage or files that disagree.`;

/**
 * Runs `mpgkit check`: the one source of truth (the policy module) checked against the real fleet.
 *
 * @example
 * ```ts
 * process.exitCode = await runCheckCommand(['--fly-toml', 'fly.toml', '--scale', 'scale.json'], processIo);
 * ```
 */
export async function runCheckCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      policy: { type: 'string' },
      export: { type: 'string' },
      'fly-toml': { type: 'string' },
      scale: { type: 'string' },
      strict: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(CHECK_USAGE);
    return ExitCode.Ok;
  }
  const cwd = io.cwd ?? process.cwd();
  const modulePath = values.policy ?? 'db-policy.ts';
  const policy = await loadPolicy(resolve(cwd, modulePath), modulePath, values.export);
  if (policy.plan === undefined) {
    throw usage(`${modulePath} declares no plan: add plan: '<name>' (or custom limits) to defineDatabase.`);
  }
  const fly =
    values['fly-toml'] === undefined
      ? undefined
      : readFlyToml(readText(cwd, values['fly-toml']), values['fly-toml']);
  const scaleSource = values.scale;
  const scaleName = scaleSource === '-' ? 'standard input' : scaleSource;
  const machines =
    scaleSource === undefined || scaleName === undefined
      ? undefined
      : readFlyScale(scaleSource === '-' ? await readStdin(io) : readText(cwd, scaleSource), scaleName);

  const groups = fleetOf(policy, modulePath, fly, machines, scaleName);
  const releaseCommand = fly?.releaseCommand ? 1 : 0;
  const report = checkPoolBudget({
    plan: policy.plan,
    poolMode: policy.poolMode,
    deploy: fly?.deploy ?? policy.deploy,
    groups,
    directConnections: policy.directConnections + releaseCommand,
    ...(policy.directConnectionLimit === undefined
      ? {}
      : { directConnectionLimit: policy.directConnectionLimit }),
  });
  const sources = [
    `policy: ${modulePath} (plan ${policy.plan.name}, ${policy.poolMode} mode, pool sizes)`,
    ...(fly === undefined
      ? []
      : [
          `fly.toml: ${fly.source} (groups ${fly.groups.join(', ')}; ${fly.deploy} deploy` +
            `${fly.maxUnavailable === undefined ? '' : `, max_unavailable ${fly.maxUnavailable}`}` +
            `${fly.releaseCommand ? '; release_command: +1 direct connection while deploying' : ''})`,
        ]),
    `machines: ${scaleName === undefined ? `declared in ${modulePath}` : `${scaleName} (fly scale show --json)`}`,
  ];
  if (values.json) {
    io.stdout(JSON.stringify({ sources, report }, null, 2));
  } else {
    io.stdout([...sources, '', formatBudgetReport(report)].join('\n'));
  }
  if (report.verdict === 'reserve') {
    io.stderr('warning: the fleet fits only with the reserve pool; clients wait on every burst.');
    return values.strict ? ExitCode.Failed : ExitCode.Ok;
  }
  return report.verdict === 'ok' ? ExitCode.Ok : ExitCode.Failed;
}

// The groups to check: names from fly.toml (which must match the policy's fleet), pool sizes from the policy,
// machines from the scale output (or, without it, from the policy's fleet).
function fleetOf(
  policy: Policy,
  modulePath: string,
  fly: FlyToml | undefined,
  machines: Readonly<Record<string, number>> | undefined,
  scaleName: string | undefined,
): ProcessGroup[] {
  const declared = policy.fleet;
  const names = fly?.groups ?? (declared === undefined ? undefined : Object.keys(declared));
  if (names === undefined) {
    throw usage(
      `${modulePath} declares no fleet: give --fly-toml (its groups then use the policy's pool size ${policy.poolSize}), or declare fleet in defineDatabase.`,
    );
  }
  if (fly !== undefined && declared !== undefined) {
    const onlyFly = fly.groups.filter((name) => !Object.hasOwn(declared, name));
    const onlyPolicy = Object.keys(declared).filter((name) => !fly.groups.includes(name));
    if (onlyFly.length > 0 || onlyPolicy.length > 0) {
      const differences = [
        ...onlyFly.map(
          (name) => `group "${name}" is in ${fly.source} [processes] but not in the fleet of ${modulePath}`,
        ),
        ...onlyPolicy.map(
          (name) => `group "${name}" is in the fleet of ${modulePath} but not in ${fly.source} [processes]`,
        ),
      ];
      throw usage(`${differences.join('; ')}. Make the two name the same groups.`);
    }
  }
  if (machines !== undefined && scaleName !== undefined) {
    const unknown = Object.keys(machines).filter((name) => !names.includes(name));
    if (unknown.length > 0) {
      const where = fly === undefined ? `the fleet of ${modulePath}` : `${fly.source} [processes]`;
      throw usage(
        `${scaleName} has machines for ${unknown.map((name) => `"${name}"`).join(', ')}, which ${where} does not name. Was the scale output taken from another app?`,
      );
    }
  }
  return names.map((name) => {
    const group = declared?.[name];
    const count = machines === undefined ? group?.machines : (machines[name] ?? 0);
    if (count === undefined) {
      throw usage(
        `No machine count for group "${name}": give --scale (fly scale show --json), or declare it in the fleet of ${modulePath}.`,
      );
    }
    return {
      name,
      machines: count,
      poolSize: group?.poolSize ?? policy.poolSize,
      ...(group?.processesPerMachine === undefined ? {} : { processesPerMachine: group.processesPerMachine }),
    };
  });
}

async function loadPolicy(path: string, shown: string, exportName: string | undefined): Promise<Policy> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    // The policy's own checks (a fleet over budget, an unknown plan) throw while the module loads: report them
    // as they are, not as a loading failure.
    if (isMpgkitError(error)) throw error;
    const code = (error as { code?: string }).code;
    const why =
      code === 'ERR_MODULE_NOT_FOUND'
        ? 'it (or a module it imports) was not found'
        : redact(String((error as Error)?.message ?? error));
    throw usage(`Cannot load the policy module ${shown}: ${why}. Give its path with --policy.`);
  }
  const candidates = exportName !== undefined ? [exportName] : ['policy', 'default'];
  for (const name of candidates) {
    if (isPolicy(module[name])) return module[name] as Policy;
  }
  if (exportName === undefined) {
    const policies = Object.entries(module).filter(([, value]) => isPolicy(value));
    if (policies.length === 1) return policies[0]?.[1] as Policy;
    if (policies.length > 1) {
      throw usage(
        `${shown} exports several policies (${policies.map(([name]) => name).join(', ')}): pick one with --export.`,
      );
    }
  }
  throw usage(
    `${shown} exports no policy${exportName === undefined ? '' : ` named "${exportName}"`}: export the result of defineDatabase (e.g. export const policy = defineDatabase({ ... })).`,
  );
}

function isPolicy(value: unknown): value is Policy {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Policy).nextLifetimeSeconds === 'function' &&
    typeof (value as Policy).poolMode === 'string'
  );
}

function readText(cwd: string, path: string): string {
  try {
    return readFileSync(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw usage(`Cannot read ${path}: ${(error as { code?: string }).code ?? 'error'}.`);
  }
}

async function readStdin(io: CliIo): Promise<string> {
  if (io.readStdin !== undefined) return io.readStdin();
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function usage(message: string): MpgkitError {
  return new MpgkitError(MpgkitErrorCode.InvalidOption, message);
}
