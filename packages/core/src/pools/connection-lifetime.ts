import type { Policy } from '../policy/policy.ts';

// For pools that have no lifetime of their own but call a validation hook on every acquire (knex's tarn,
// Sequelize's sequelize-pool): each connection is given its own lifetime from the policy when it opens, and the
// hook refuses it past that, so a connection is never handed out past its drawn lifetime. A WeakMap keeps the
// stamp, so nothing is added to the driver's client.
const retireAt = new WeakMap<object, number>();

/**
 * Gives a newly opened connection its lifetime, drawn from `policy.lifetime`.
 *
 * @example
 * ```ts
 * afterConnect: (connection) => startLifetime(connection, policy)
 * ```
 */
export function startLifetime(connection: object, policy: Pick<Policy, 'nextLifetimeSeconds'>): void {
  retireAt.set(connection, Date.now() + policy.nextLifetimeSeconds() * 1000);
}

/**
 * Whether a connection has outlived the lifetime {@link startLifetime} gave it (never, without one).
 *
 * @example
 * ```ts
 * validate: (connection) => !lifetimeOver(connection)
 * ```
 */
export function lifetimeOver(connection: object): boolean {
  return Date.now() >= (retireAt.get(connection) ?? Number.POSITIVE_INFINITY);
}
