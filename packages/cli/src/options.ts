import { MpgkitError, MpgkitErrorCode, type PoolMode } from '@mpgkit/core';
import { parsePoolMode, requireGroupName } from '@mpgkit/core/adapter';
import type { CommandOption } from './command.ts';

// The flags several commands share, defined once: the same flag means the same thing in every command, is
// parsed by the same function, and is refused with the same message.

/** `--mode`: the cluster's pool mode, as its Pooler Settings show it. */
export const MODE_OPTION: CommandOption = {
  type: 'string',
  value: '<session|transaction>',
  help: "the cluster's pool mode (its Pooler Settings)",
};

/** `--plan`: an MPG plan name. */
export const PLAN_OPTION: CommandOption = {
  type: 'string',
  value: '<name>',
  help: 'basic, starter, launch, scale or performance',
};

/** `--group`: one process group of the fleet, repeated for each. */
export const GROUP_OPTION: CommandOption = {
  type: 'string',
  multiple: true,
  value: '<spec>',
  help: 'a process group, <name>=<machines>x<pool>[x<processes>]: web=3x10 is 3 machines\nwith a pool of 10 (web=3x10x2: 2 processes each); repeat for each group',
};

/** `--json`: the report as JSON instead of text. */
export const JSON_OPTION: CommandOption = { type: 'boolean', help: 'print the report as JSON' };

/** `--strict`: a fleet that fits only thanks to the reserve pool fails. */
export const STRICT_OPTION: CommandOption = {
  type: 'boolean',
  help: 'exit 1 when the fleet fits only thanks to the reserve pool',
};

/**
 * The value of `--mode`, validated (the one parse every command uses), or `undefined` when not given.
 *
 * @throws {MpgkitError} `INVALID_OPTION` for anything but `session` or `transaction`.
 * @example
 * ```ts
 * poolModeOption(values); // 'transaction'
 * ```
 */
export function poolModeOption(values: { readonly mode?: unknown }): PoolMode | undefined {
  return values.mode === undefined ? undefined : parsePoolMode(values.mode);
}

/** A parsed `--group`. */
export interface GroupSpec {
  name: string;
  machines: number;
  poolSize: number | undefined;
  processesPerMachine: number;
}

const GROUP_SPEC = /^([^=]+)=(\d+)(?:x(\d+))?(?:x(\d+))?$/;

/**
 * Parses `--group <name>=<machines>x<pool>[x<processes>]`: the one meaning of `--group` in every command.
 *
 * @throws {MpgkitError} `INVALID_OPTION` showing the form.
 * @example
 * ```ts
 * parseGroupSpec('web=3x10'); // { name: 'web', machines: 3, poolSize: 10, processesPerMachine: 1 }
 * ```
 */
export function parseGroupSpec(spec: string): GroupSpec {
  const match = GROUP_SPEC.exec(spec.trim());
  if (!match) {
    throw usageError(
      `--group "${spec.slice(0, 60)}" is not <name>=<machines>x<pool>[x<processes>], e.g. web=3x10.`,
    );
  }
  const [, name = '', machines = '', pool, processes] = match;
  return {
    name: requireGroupName(name),
    machines: count(`--group ${name} machines`, machines, 1),
    poolSize: pool === undefined ? undefined : count(`--group ${name} pool`, pool, 1),
    processesPerMachine: processes === undefined ? 1 : count(`--group ${name} processes`, processes, 1),
  };
}

/**
 * A parsed `--group` that must carry a pool size (only `budget --recommend` and `doctor`, which have another
 * source for it, take one without).
 *
 * @example
 * ```ts
 * withPoolSize(parseGroupSpec('web=3')); // throws: --group web needs a pool size (e.g. web=3x10).
 * ```
 */
export function withPoolSize(spec: GroupSpec): GroupSpec & { poolSize: number } {
  if (spec.poolSize === undefined)
    throw usageError(`--group ${spec.name} needs a pool size (e.g. ${spec.name}=${spec.machines}x10).`);
  return { ...spec, poolSize: spec.poolSize };
}

/**
 * A whole number given on the command line, ≥ `min`; the error quotes what was typed, never `NaN`.
 *
 * @example
 * ```ts
 * count('--direct', '2', 0); // 2
 * ```
 */
export function count(flag: string, value: string, min: number): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min) {
    throw usageError(`${flag} must be a whole number ≥ ${min}, got "${value.slice(0, 20)}".`);
  }
  return parsed;
}

/**
 * A usage error (exit 2): `INVALID_OPTION` with a message that says what to give instead.
 *
 * @example
 * ```ts
 * throw usageError('--mode is required: session or transaction.');
 * ```
 */
export function usageError(message: string): MpgkitError {
  return new MpgkitError(MpgkitErrorCode.InvalidOption, message);
}
