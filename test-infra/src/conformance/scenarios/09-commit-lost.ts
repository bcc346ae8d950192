import { classifyError, defineDatabase, retry } from '@mpgkit/core';
import { commandComplete, startProtocolRelay } from '../../protocol-relay.ts';
import { load, optionsFor, quiet, type ScenarioContext, sleep } from './context.ts';

// Scenario 9. A COMMIT whose answer is lost: the server committed, the client never heard it.

/** One way of repeating the work, and what the database holds afterwards. */
export interface CommitLostAttempt {
  /** The relay cut the connection right after the server's CommandComplete for COMMIT. */
  cut: boolean;
  /** How many times the work ran. */
  attempts: number;
  /** Rows the database holds for the work (1: it ran once; 2: it was written twice). */
  rows: number;
  /** How `classifyError` read the error the work finally threw, if it threw. */
  error?: { id: string | undefined; phase: string | undefined; retrySafe: boolean; message: string };
}

/** What {@link commitLost} saw. */
export interface CommitLostOutcome {
  /** The write under mpgkit's `retry()`. */
  underRetry: CommitLostAttempt;
  /** The same write under a naive retry (any error, up to 3 attempts): the negative control, same run. */
  naive: CommitLostAttempt;
}

/**
 * The app's pooled URL goes through a protocol relay in front of the pooler (test-infra protocol-relay.ts)
 * armed to cut the connection right after the server answers COMMIT; the subject's `writeInTransaction`
 * (its ORM's transaction API) runs once under `retry()` and once under a naive retry, and the table, which
 * has no key, says how many times each write landed.
 */
export async function commitLost(context: ScenarioContext): Promise<CommitLostOutcome> {
  const { stack, mode } = context;
  await stack.admin(
    `CREATE TABLE IF NOT EXISTS conformance_events (run text NOT NULL, id bigint NOT NULL);
     GRANT ALL ON conformance_events TO "${stack.state.users.admin.name}"`,
    [],
    stack.state.databases.main,
  );
  const pooler = new URL(stack.url(mode, { bypassProxy: true }));
  const relay = await startProtocolRelay({ host: pooler.hostname, port: Number(pooler.port) });
  const relayed = new URL(pooler.href);
  relayed.hostname = '127.0.0.1';
  relayed.port = String(relay.port);
  const options = optionsFor(context);
  const policy = defineDatabase({
    ...options,
    env: { DATABASE_URL: relayed.href, DIRECT_DATABASE_URL: stack.url('direct') },
    logger: quiet,
  });
  const run = `${options.applicationName}-${Date.now()}`;
  const rowsOf = async (key: string) =>
    (
      await stack.admin<{ n: number }>(
        'SELECT count(*)::int AS n FROM conformance_events WHERE run = $1',
        [key],
        stack.state.databases.main,
      )
    )[0]?.n ?? -1;
  const app = await (await load(context.subject)).createAppClient(policy);
  try {
    const attempt = async (
      key: string,
      repeat: (work: () => Promise<void>) => Promise<void>,
    ): Promise<CommitLostAttempt> => {
      const cutsBefore = relay.cuts;
      void relay.cutAfter(commandComplete('COMMIT'));
      let attempts = 0;
      let error: CommitLostAttempt['error'];
      try {
        await repeat(() => {
          attempts++;
          return app.writeInTransaction(key, 1);
        });
      } catch (thrown) {
        const classified = classifyError(thrown);
        error = {
          id: classified.id,
          phase: classified.phase,
          retrySafe: classified.retrySafe,
          message: thrown instanceof Error ? thrown.message : String(thrown),
        };
      }
      return { cut: relay.cuts > cutsBefore, attempts, rows: await rowsOf(key), ...(error ? { error } : {}) };
    };
    const underRetry = await attempt(`${run}-retry`, (work) => retry(work, { baseDelayMs: 10 }));
    const naive = await attempt(`${run}-naive`, async (work) => {
      for (let attempts = 1; ; attempts++) {
        try {
          return await work();
        } catch (error) {
          if (attempts >= 3) throw error;
          await sleep(10);
        }
      }
    });
    return { underRetry, naive };
  } finally {
    await app.close();
    await relay.close();
  }
}
