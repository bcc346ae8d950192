import type { Policy } from '@mpgkit/core';
import { type KnownKeys, rejectUnknownKeys } from '@mpgkit/core/adapter';
import {
  type PrismaPgClass,
  type PrismaPgOptionsLike,
  prismaAdapter,
  prismaMigrationAdapter,
} from './driver-options.ts';

/** A generated `PrismaClient` class, structurally: it takes a driver adapter (Prisma 7). */
export type PrismaClientClass<A, C> = new (options: { adapter: A }) => C;

/** Options of {@link createPrisma} and {@link createMigrationPrisma}. */
export interface CreatePrismaOptions {
  /** Options for `PrismaPg` (e.g. `schema`). @default {} */
  adapter?: PrismaPgOptionsLike;
  /** Other `PrismaClient` options (e.g. `log`, `omit`); the adapter is always the policy's. @default {} */
  client?: Record<string, unknown>;
}

const CREATE_PRISMA_KEYS = { adapter: true, client: true } as const satisfies KnownKeys<CreatePrismaOptions>;

/**
 * The app's Prisma 7 client: your generated `PrismaClient` on {@link prismaAdapter}, the policy's pg pool
 * through PgBouncer. Both classes are passed in, as Prisma generates the client into your project.
 *
 * @throws {MpgkitError} `UNSAFE_ADAPTER_OPTION` for a `statementNameGenerator` in transaction mode.
 * @example
 * ```ts
 * import { PrismaPg } from '@prisma/adapter-pg';
 * import { PrismaClient } from './generated/client.ts';
 * export const prisma = createPrisma(policy, PrismaClient, PrismaPg);
 * ```
 */
export function createPrisma<A, C>(
  policy: Policy,
  PrismaClient: PrismaClientClass<A, C>,
  PrismaPg: PrismaPgClass<A>,
  options: CreatePrismaOptions = {},
): C {
  rejectUnknownKeys('createPrisma', options, CREATE_PRISMA_KEYS);
  return new PrismaClient({ ...options.client, adapter: prismaAdapter(policy, PrismaPg, options.adapter) });
}

/**
 * A Prisma 7 client on the **direct** URL with one connection ({@link prismaMigrationAdapter}), for
 * session work next to migrations (advisory locks, data backfills that must not share a pooled backend).
 *
 * @throws {MpgkitError} `MISSING_DIRECT_URL` when the policy has no direct URL.
 * @example
 * ```ts
 * const migrationPrisma = createMigrationPrisma(policy, PrismaClient, PrismaPg);
 * ```
 */
export function createMigrationPrisma<A, C>(
  policy: Policy,
  PrismaClient: PrismaClientClass<A, C>,
  PrismaPg: PrismaPgClass<A>,
  options: CreatePrismaOptions = {},
): C {
  rejectUnknownKeys('createMigrationPrisma', options, CREATE_PRISMA_KEYS);
  const adapter = prismaMigrationAdapter(policy, PrismaPg, options.adapter);
  return new PrismaClient({ ...options.client, adapter });
}
