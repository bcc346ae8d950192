import { type DeployStrategy, MpgkitError, MpgkitErrorCode } from '@mpgkit/core';
import { DEPLOY_STRATEGIES } from '@mpgkit/core/adapter';
import { parse as parseToml, TomlError } from 'smol-toml';

// What Fly says about an app's fleet, from the two places it lives: fly.toml (declared) and `fly scale show
// --json` (running). Facts from Fly's configuration reference (https://fly.io/docs/reference/configuration/):
// `[processes]` maps group names to commands, and without it the one group is `app`; `[deploy] strategy` is
// rolling (the default), immediate, canary or bluegreen, `max_unavailable` bounds a rolling deploy, and
// `release_command` runs once per deploy on a temporary machine of its own (group fly_app_release_command).

/** The part of fly.toml the budget needs. */
export interface FlyToml {
  /** The path it was read from (for messages). */
  readonly source: string;
  readonly app: string | undefined;
  /** Process group names, in file order; `['app']` without a `[processes]` table. */
  readonly groups: readonly string[];
  readonly deploy: DeployStrategy;
  /** `[deploy] max_unavailable` as written (a count ≥ 1 or a fraction < 1); rolling deploys add no machines. */
  readonly maxUnavailable: number | undefined;
  /** Whether `[deploy] release_command` is set: one more direct connection while a deploy runs. */
  readonly releaseCommand: boolean;
}

/**
 * Reads the groups, deploy strategy and release command from a fly.toml text.
 *
 * @param source - The file's path, named in every error.
 * @throws {MpgkitError} `INVALID_OPTION` for invalid TOML (with its line) or values Fly would refuse.
 * @example
 * ```ts
 * readFlyToml('[processes]\nweb = "node server.js"\n', 'fly.toml').groups; // ['web']
 * ```
 */
export function readFlyToml(text: string, source: string): FlyToml {
  let config: Record<string, unknown>;
  try {
    config = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    const where = error instanceof TomlError ? ` at line ${error.line}, column ${error.column}` : '';
    throw invalid(`${source} is not valid TOML${where}. Fix it as \`fly config validate\` would.`, source);
  }
  const processes = config.processes;
  if (processes !== undefined && !isTable(processes)) {
    throw invalid(`${source}: [processes] must be a table of group = "command".`, source);
  }
  const groups = processes === undefined ? ['app'] : Object.keys(processes);
  if (groups.length === 0)
    throw invalid(`${source}: [processes] is empty; remove it or name a group.`, source);

  const deployTable = config.deploy;
  if (deployTable !== undefined && !isTable(deployTable)) {
    throw invalid(`${source}: [deploy] must be a table.`, source);
  }
  const strategy = deployTable?.strategy ?? 'rolling';
  if (typeof strategy !== 'string' || !(DEPLOY_STRATEGIES as readonly string[]).includes(strategy)) {
    throw invalid(
      `${source}: [deploy] strategy = ${JSON.stringify(strategy)} is not one of ${DEPLOY_STRATEGIES.join(', ')}.`,
      source,
    );
  }
  const maxUnavailable = deployTable?.max_unavailable;
  if (maxUnavailable !== undefined && !(typeof maxUnavailable === 'number' && maxUnavailable > 0)) {
    throw invalid(`${source}: [deploy] max_unavailable must be a count (≥ 1) or a fraction (< 1).`, source);
  }
  const releaseCommand = deployTable?.release_command;
  return Object.freeze({
    source,
    app: typeof config.app === 'string' ? config.app : undefined,
    groups: Object.freeze(groups),
    deploy: strategy as DeployStrategy,
    maxUnavailable,
    releaseCommand: typeof releaseCommand === 'string' && releaseCommand.trim() !== '',
  });
}

/**
 * Reads machine counts per process group from `fly scale show --json`: an array of
 * `{ Process, Count, CPUKind, CPUs, Memory, Regions }`, one per group that has machines (flyctl
 * internal/command/scale/show_machines.go, `groupData`). A group without machines is absent (0).
 *
 * @param source - The file's path (or `-` for standard input), named in every error.
 * @throws {MpgkitError} `INVALID_OPTION` when the text is not that shape.
 * @example
 * ```ts
 * readFlyScale('[{"Process":"web","Count":3}]', 'scale.json'); // { web: 3 }
 * ```
 */
export function readFlyScale(text: string, source: string): Readonly<Record<string, number>> {
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch {
    throw invalid(`${source} is not JSON. Write it with: fly scale show --json > ${source}`, source);
  }
  if (!Array.isArray(rows)) {
    throw invalid(`${source} is not the output of \`fly scale show --json\` (an array of groups).`, source);
  }
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const { Process: name, Count: count } = (isTable(row) ? row : {}) as {
      Process?: unknown;
      Count?: unknown;
    };
    if (typeof name !== 'string' || !(typeof count === 'number' && Number.isInteger(count) && count >= 0)) {
      throw invalid(
        `${source}: every entry needs "Process" (a group name) and "Count" (machines), as \`fly scale show --json\` prints.`,
        source,
      );
    }
    counts[name] = (counts[name] ?? 0) + count;
  }
  return Object.freeze(counts);
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string, source: string): MpgkitError {
  return new MpgkitError(MpgkitErrorCode.InvalidOption, message, { details: { source } });
}
