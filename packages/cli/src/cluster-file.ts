import { type CustomPlanLimits, MpgkitError, MpgkitErrorCode, type PoolMode } from '@mpgkit/core';
import { type KnownKeys, parsePoolMode, rejectUnknownKeys, resolvePlan } from '@mpgkit/core/adapter';
import type { AppFleetSources } from './app-fleet.ts';

// A cluster file (mpgkit.cluster.ts) names one MPG cluster's plan and pool mode and lists the apps attached to
// it, each by the same sources `mpgkit check` reads for one app. Paths are relative to the cluster file, so it
// can sit in an org's template package or a monorepo's root.

/** One app attached to the cluster: where its policy and fleet are read from. */
export type ClusterAppSources = AppFleetSources;

/** What {@link defineCluster} takes. */
export interface ClusterDeclaration {
  /** The cluster's name, for the report. @default 'cluster' */
  name?: string;
  /** The cluster's plan (as in its dashboard), or custom PgBouncer limits. */
  plan: string | CustomPlanLimits;
  /** The cluster's pool mode (Pooler Settings); every app's policy must say the same. */
  poolMode: PoolMode;
  /** The apps attached to it, by name. */
  apps: Readonly<Record<string, ClusterAppSources>>;
  /** Whether several apps can be mid-deploy at once (one pipeline deploys them together). @default false */
  simultaneousDeploys?: boolean;
  /** Postgres connections left for direct ones, when known. @default undefined (reported, not judged) */
  directConnectionLimit?: number;
}

const CLUSTER_KEYS = {
  name: true,
  plan: true,
  poolMode: true,
  apps: true,
  simultaneousDeploys: true,
  directConnectionLimit: true,
} as const satisfies KnownKeys<ClusterDeclaration>;

const APP_SOURCE_KEYS = {
  policy: true,
  export: true,
  flyToml: true,
  scale: true,
} as const satisfies KnownKeys<ClusterAppSources>;

/** A validated cluster declaration, as `mpgkit check --cluster` loads it. */
export interface Cluster extends Readonly<ClusterDeclaration> {
  readonly kind: 'mpgkit-cluster';
}

/**
 * Declares the apps that share one MPG cluster, for `mpgkit check --cluster`.
 *
 * @throws {MpgkitError} `INVALID_OPTION` (or `UNKNOWN_PLAN`) naming the field that is wrong.
 * @example
 * ```ts
 * // mpgkit.cluster.ts
 * import { defineCluster } from 'mpgkit';
 * export const cluster = defineCluster({
 *   plan: 'launch',
 *   poolMode: 'transaction',
 *   apps: {
 *     web: { policy: '../web/src/db-policy.ts', flyToml: '../web/fly.toml', scale: '../web/scale.json' },
 *     worker: { policy: '../worker/src/db-policy.ts', flyToml: '../worker/fly.toml' },
 *   },
 * });
 * ```
 */
export function defineCluster(declaration: ClusterDeclaration): Cluster {
  if (typeof declaration !== 'object' || declaration === null) {
    throw invalid('defineCluster needs { plan, poolMode, apps: { <name>: { policy: <path> } } }.');
  }
  rejectUnknownKeys('defineCluster', declaration, CLUSTER_KEYS);
  resolvePlan(declaration.plan);
  parsePoolMode(declaration.poolMode);
  const apps = declaration.apps;
  if (typeof apps !== 'object' || apps === null || Object.keys(apps).length === 0) {
    throw invalid(
      'defineCluster: apps lists no app. Name each app attached to the cluster with its policy module.',
    );
  }
  for (const [name, app] of Object.entries(apps)) {
    rejectUnknownKeys(`defineCluster apps.${name}`, app, APP_SOURCE_KEYS);
    if (typeof app?.policy !== 'string' || app.policy.trim() === '') {
      throw invalid(
        `defineCluster: apps.${name}.policy must be the path of its policy module (relative to this file).`,
      );
    }
    for (const field of ['export', 'flyToml', 'scale'] as const) {
      if (app[field] !== undefined && typeof app[field] !== 'string') {
        throw invalid(`defineCluster: apps.${name}.${field} must be a path (a string).`);
      }
    }
    if (app.scale === '-') {
      throw invalid(`defineCluster: apps.${name}.scale cannot be standard input; give a file per app.`);
    }
  }
  return Object.freeze({
    ...declaration,
    apps: Object.freeze(
      Object.fromEntries(Object.entries(apps).map(([name, app]) => [name, Object.freeze({ ...app })])),
    ),
    kind: 'mpgkit-cluster',
  });
}

/**
 * Whether a value is a {@link defineCluster} result.
 *
 * @example
 * ```ts
 * isCluster(module.cluster); // true
 * ```
 */
export function isCluster(value: unknown): value is Cluster {
  return typeof value === 'object' && value !== null && (value as Cluster).kind === 'mpgkit-cluster';
}

function invalid(message: string): MpgkitError {
  return new MpgkitError(MpgkitErrorCode.InvalidOption, message);
}
