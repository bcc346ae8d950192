import type { DeployStrategy, PoolMode } from '../pooler.ts';
import type { PoolBudgetInput, PoolBudgetReport, PoolDeclaration, ProcessGroup } from './budget-types.ts';
import type { PlanLimits } from './plans.ts';

// The budget owns its input: defineDatabase, `mpgkit check` and `mpgkit check --cluster` all build an app's
// budget input here, from the policy's declaration and what fly.toml and `fly scale show` say, and judge an
// app's share here. No caller assembles one by hand.

/** The part of a policy (or its validated configuration) the budget reads. */
export interface FleetDeclaration {
  readonly plan: PlanLimits | undefined;
  readonly poolMode: PoolMode;
  readonly deploy: DeployStrategy;
  readonly fleet:
    | Readonly<
        Record<
          string,
          {
            readonly machines: number;
            readonly poolSize: number;
            readonly processesPerMachine?: number;
            readonly pools?: Readonly<Record<string, PoolDeclaration>>;
          }
        >
      >
    | undefined;
  readonly directConnections: number;
  readonly directConnectionLimit: number | undefined;
}

/** What the deployment says beside the policy: real machine counts, fly.toml's strategy and release command. */
export interface DeployedFleet {
  /** The groups as they run (machines from `fly scale show`). @default the policy's fleet */
  readonly groups?: readonly ProcessGroup[];
  /** fly.toml's `[deploy] strategy`. @default the policy's deploy */
  readonly deploy?: DeployStrategy | undefined;
  /** Whether fly.toml has a `release_command`. @default false */
  readonly releaseCommand?: boolean | undefined;
}

/**
 * An app's budget input, from its policy's declaration and (when known) its deployment: the one builder
 * `defineDatabase`, `mpgkit check` and `mpgkit check --cluster` share, so the same app gets the same
 * numbers from each.
 *
 * @throws {Error} never itself; the budget check validates what it is given.
 * @example
 * ```ts
 * checkPoolBudget(budgetInputOf(policy, { groups, deploy: 'bluegreen', releaseCommand: true }));
 * ```
 */
export function budgetInputOf(
  declared: FleetDeclaration & { readonly plan: PlanLimits },
  deployed: DeployedFleet = {},
): PoolBudgetInput & { plan: PlanLimits; poolMode: PoolMode; deploy: DeployStrategy } {
  return {
    plan: declared.plan,
    poolMode: declared.poolMode,
    deploy: deployed.deploy ?? declared.deploy,
    groups:
      deployed.groups ??
      Object.entries(declared.fleet ?? {}).map(([name, group]): ProcessGroup => ({ name, ...group })),
    directConnections: declared.directConnections,
    releaseCommand: deployed.releaseCommand ?? false,
    ...(declared.directConnectionLimit === undefined
      ? {}
      : { directConnectionLimit: declared.directConnectionLimit }),
  };
}

/**
 * Whether an app's deploy peak stays within its share of a shared cluster (`budgetShare`): the one
 * judgement of a share, for the policy at startup, `mpgkit check` and `--cluster`.
 *
 * @example
 * ```ts
 * shareVerdictOf(report, 100); // 'over' when report.peak is 120
 * ```
 */
export function shareVerdictOf(
  report: Pick<PoolBudgetReport, 'peak'>,
  share: number | undefined,
): 'ok' | 'over' | undefined {
  if (share === undefined) return undefined;
  return report.peak <= share ? 'ok' : 'over';
}
