import { defineDatabase } from '@mpgkit/core';
import { applicationNameFor } from '@mpgkit/core/adapter';
import { showClients } from '../../probes.ts';
import {
  load,
  nextSequence,
  optionsFor,
  quiet,
  type ScenarioContext,
  sleep,
  withTimeout,
} from './context.ts';

// Scenario 5. migrations on the direct URL, app on the pooled one.

/** What {@link migrationRouting} saw. */
export interface MigrationRoutingOutcome {
  /** The session advisory lock is granted to the migration client's own backend. */
  lockHeldByMigrationBackend: boolean;
  /** Lock/unlock cycles in which `pg_advisory_unlock` returned true (it can't through a transaction pooler). */
  unlockCycles: { succeeded: number; attempted: number };
  /** A lock call waited more than 3 s: the lock was held by an orphaned session elsewhere. */
  lockWaitTimedOut: boolean;
  /** The migration client appeared as a PgBouncer client (it must not: it goes around the pooler). */
  migrationSeenByPooler: boolean;
  /** The app client appeared as a PgBouncer client (it must: it goes through the pooler). */
  appSeenByPooler: boolean;
}

export async function migrationRouting(context: ScenarioContext): Promise<MigrationRoutingOutcome> {
  const subject = await load(context.subject);
  if (subject.createMigrationClient === undefined)
    throw new Error(`${context.subject.name} has no migration client`);
  const policy = defineDatabase({ ...optionsFor(context), logger: quiet });
  const migration = await subject.createMigrationClient(policy);
  const app = await subject.createAppClient(policy);
  const key = 7_000_000 + (nextSequence() % 1000);
  // Deploys migrate while the app serves: app traffic runs meanwhile, taking pooled server connections.
  let serving = true;
  const traffic = Array.from({ length: policy.poolSize }, async (_, worker) => {
    for (let n = 0; serving; n++) await app.echo(n, `m${worker}`).catch(() => undefined);
  });
  try {
    const [own] = await migration.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pooledNames = async () =>
      new Set(
        [
          ...(await showClients(context.stack, 'transaction')),
          ...(await showClients(context.stack, 'session')),
        ].map((client) => client.application_name),
      );
    // Through a transaction pooler a lock can be orphaned on another backend and the next lock call
    // waits forever (Prisma's P1002): every call is bounded, and a timeout ends the cycles.
    const bounded = <T>(promise: Promise<T>) => withTimeout(promise, 3_000);
    const attempted = 20;
    let succeeded = 0;
    let lockWaitTimedOut = false;
    let lockHeldByMigrationBackend = false;
    let migrationSeenByPooler = false;
    try {
      for (let cycle = 0; cycle < attempted; cycle++) {
        await bounded(migration.query(`SELECT true AS locked FROM pg_advisory_lock(${key})`));
        if (cycle === 0) {
          const holders = await context.stack.admin<{ pid: number }>(
            `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted`,
            [key],
          );
          lockHeldByMigrationBackend = holders.length === 1 && holders[0]?.pid === own?.pid;
          migrationSeenByPooler = (await pooledNames()).has(applicationNameFor(policy, 'migrate'));
        }
        const [row] = await bounded(
          migration.query<{ ok: boolean }>(`SELECT pg_advisory_unlock(${key}) AS ok`),
        );
        if (row?.ok === true) succeeded++;
      }
    } catch {
      lockWaitTimedOut = true;
    }
    return {
      lockHeldByMigrationBackend,
      unlockCycles: { succeeded, attempted },
      lockWaitTimedOut,
      migrationSeenByPooler,
      appSeenByPooler: (await pooledNames()).has(policy.applicationName),
    };
  } finally {
    serving = false;
    await Promise.all(traffic);
    // Release anything a broken client left behind, so it can't block later scenarios.
    // Through a transaction pooler the lock is orphaned on pooled server backends (holding it or waiting
    // for it): end them, twice, since a waiter gets the lock when the holder goes.
    for (let round = 0; round < 2; round++) {
      await context.stack
        .admin(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1`, [
          key,
        ])
        .catch(() => undefined);
      await sleep(50);
    }
    await migration.close().catch(() => undefined);
    await app.close().catch(() => undefined);
  }
}
