import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MpgkitError, MpgkitErrorCode, type Policy, type ProcessGroup } from '@mpgkit/core';
import { type FlyToml, readFlyScale, readFlyToml } from './fly-fleet.ts';
import type { CliIo } from './io.ts';
import { loadUserModule } from './user-module.ts';

/** Where one app's fleet is read from: its policy module, and optionally its fly.toml and scale output. */
export interface AppFleetSources {
  /** The policy module (.ts or .js). */
  policy: string;
  /** Which export is the policy. @default 'policy', else 'default', else the only policy exported */
  export?: string | undefined;
  /** fly.toml: groups, deploy strategy, release command. @default undefined */
  flyToml?: string | undefined;
  /** The output of `fly scale show --json`, or `-` for standard input. @default undefined (the policy's counts) */
  scale?: string | undefined;
}

/** One app's fleet as it really is: the policy's pools, fly.toml's groups, the scale output's machines. */
export interface AppFleet {
  readonly policy: Policy;
  readonly fly: FlyToml | undefined;
  readonly groups: readonly ProcessGroup[];
  /** Where each part came from, one line each, for the report. */
  readonly sources: readonly string[];
}

/**
 * Loads an app's policy module and reads its fleet: process groups from fly.toml (which must match the
 * policy's), pool sizes and other pools from the policy, machines from `fly scale show --json` (or the policy).
 *
 * @param cwd - Where the sources' relative paths start.
 * @throws {MpgkitError} `INVALID_OPTION` naming both files when they disagree, or a file that cannot be read.
 * @example
 * ```ts
 * const app = await readAppFleet({ policy: 'src/db-policy.ts', flyToml: 'fly.toml' }, process.cwd(), processIo);
 * ```
 */
export async function readAppFleet(sources: AppFleetSources, cwd: string, io: CliIo): Promise<AppFleet> {
  const modulePath = sources.policy;
  const policy = await loadPolicy(resolve(cwd, modulePath), modulePath, sources.export);
  const fly =
    sources.flyToml === undefined ? undefined : readFlyToml(readText(cwd, sources.flyToml), sources.flyToml);
  const scaleName = sources.scale === '-' ? 'standard input' : sources.scale;
  const machines =
    sources.scale === undefined || scaleName === undefined
      ? undefined
      : readFlyScale(sources.scale === '-' ? await readStdin(io) : readText(cwd, sources.scale), scaleName);
  return Object.freeze({
    policy,
    fly,
    groups: fleetOf(policy, modulePath, fly, machines, scaleName),
    sources: Object.freeze([
      `policy: ${modulePath} (${policy.plan === undefined ? 'no plan' : `plan ${policy.plan.name}`}, ${policy.poolMode} mode, pool sizes)`,
      ...(fly === undefined
        ? []
        : [
            `fly.toml: ${fly.source} (groups ${fly.groups.join(', ')}; ${fly.deploy} deploy` +
              `${fly.maxUnavailable === undefined ? '' : `, max_unavailable ${fly.maxUnavailable}`}` +
              `${fly.releaseCommand ? '; release_command: +1 direct connection while deploying' : ''})`,
          ]),
      `machines: ${scaleName === undefined ? `declared in ${modulePath}` : `${scaleName} (fly scale show --json)`}`,
    ]),
  });
}

// The groups to check: names from fly.toml (which must match the policy's fleet), pool sizes and other pools
// from the policy, machines from the scale output (or, without it, from the policy's fleet).
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
      `${modulePath} declares no fleet: give its fly.toml (its groups then use the policy's pool size ${policy.poolSize}), or declare fleet in defineDatabase.`,
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
        `No machine count for group "${name}": give its scale output (fly scale show --json), or declare it in the fleet of ${modulePath}.`,
      );
    }
    return {
      name,
      machines: count,
      poolSize: group?.poolSize ?? policy.poolSize,
      ...(group?.processesPerMachine === undefined ? {} : { processesPerMachine: group.processesPerMachine }),
      ...(group?.pools === undefined ? {} : { pools: group.pools }),
    };
  });
}

/**
 * Imports a module and returns its `defineX` result that `accept` recognises: the named export, else `policy`
 * (or `cluster`), else `default`, else the only such export.
 *
 * @example
 * ```ts
 * const policy = await importDefined(path, 'db-policy.ts', undefined, isPolicy, 'policy', 'defineDatabase');
 * ```
 */
export async function importDefined<T>(
  path: string,
  shown: string,
  exportName: string | undefined,
  accept: (value: unknown) => value is T,
  kind: 'policy' | 'cluster',
  definer: string,
): Promise<T> {
  const module = await loadUserModule(path, shown, kind);
  const candidates = exportName !== undefined ? [exportName] : [kind, 'default'];
  for (const name of candidates) {
    if (accept(module[name])) return module[name];
  }
  if (exportName === undefined) {
    const found = Object.entries(module).filter(([, value]) => accept(value));
    if (found.length === 1) return found[0]?.[1] as T;
    if (found.length > 1) {
      throw usage(
        `${shown} exports several ${kind === 'policy' ? 'policies' : 'clusters'} (${found.map(([name]) => name).join(', ')}): pick one with --export.`,
      );
    }
  }
  throw usage(
    `${shown} exports no ${kind}${exportName === undefined ? '' : ` named "${exportName}"`}: export the result of ${definer} (e.g. export const ${kind} = ${definer}({ ... })).`,
  );
}

/**
 * Loads an app's policy module (see {@link loadUserModule}) and returns its policy.
 *
 * @example
 * ```ts
 * const policy = await loadPolicy('/app/src/db-policy.ts', 'src/db-policy.ts', undefined);
 * ```
 */
export function loadPolicy(path: string, shown: string, exportName: string | undefined): Promise<Policy> {
  return importDefined(path, shown, exportName, isPolicy, 'policy', 'defineDatabase');
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
