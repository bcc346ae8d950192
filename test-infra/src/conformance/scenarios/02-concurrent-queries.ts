import { namedStatementsSeen, statementLogOffset } from '../../probes.ts';
import { type ScenarioContext, withApp, withTimeout } from './context.ts';

// Scenario 2. concurrency through the pooler.

/** What {@link concurrentQueries} saw. */
export interface ConcurrencyOutcome {
  queries: number;
  errors: number;
  preparedStatementErrors: number;
  wrongRows: number;
  /** Named prepared statements Postgres executed meanwhile (from its statement log). */
  namedStatements: string[];
  errorSamples: string[];
}

/** `clients` concurrent loops × `perClient` queries and transactions, every row checked. */
export async function concurrentQueries(
  context: ScenarioContext & { clients?: number; perClient?: number; usePrepared?: boolean },
): Promise<ConcurrencyOutcome> {
  const clients = context.clients ?? 8;
  const perClient = context.perClient ?? 40;
  const offset = statementLogOffset(context.stack);
  const outcome: ConcurrencyOutcome = {
    queries: 0,
    errors: 0,
    preparedStatementErrors: 0,
    wrongRows: 0,
    namedStatements: [],
    errorSamples: [],
  };
  await withApp(context, async (app) => {
    const echo = context.usePrepared && app.preparedEcho ? app.preparedEcho.bind(app) : app.echo.bind(app);
    await Promise.all(
      Array.from({ length: clients }, async (_, worker) => {
        for (let n = 0; n < perClient; n++) {
          outcome.queries++;
          try {
            // A per-query timeout: a driver that hangs forever must fail here, not stall the run.
            const work =
              n % 5 === 4
                ? app.transaction(n).then((tx) => tx.n === n && tx.txids[0] === tx.txids[1])
                : echo(n, `c${worker}`).then((row) => row.n === n && row.s === `c${worker}`);
            if (!(await withTimeout(work, 5_000))) outcome.wrongRows++;
          } catch (error) {
            outcome.errors++;
            const message = String((error as Error)?.message ?? error);
            if (/prepared statement|42P05|26000/i.test(message)) outcome.preparedStatementErrors++;
            if (outcome.errorSamples.length < 3)
              outcome.errorSamples.push(
                context.stack.secrets().reduce((m, s) => m.replaceAll(s, '***'), message),
              );
          }
        }
      }),
    );
  });
  outcome.namedStatements = namedStatementsSeen(context.stack, offset);
  return outcome;
}
