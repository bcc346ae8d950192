// Faults: every fault of the conformance matrix (PostgreSQL restart, PgBouncer restart, pool-mode change,
// backends terminated, a wrong password for 2 s) under a steady load, for every client of the drain bench,
// mpgkit's and the hand-written ones, in one run on one stack. The conformance suite decides pass or fail;
// this records what each client went through, for the table in results/summary.md.

import { startStack } from '@mpgkit/test-infra';
import { FAULTS, type Fault, loadAcrossFault } from '@mpgkit/test-infra/conformance';
import { writeResult } from './results.ts';
import { type BenchSubject, DRAIN_SUBJECTS } from './subjects.ts';

/** A slot leaked by the fault makes one of poolSize concurrent 0.2 s sleeps wait for another (≥ 0.4 s). */
const LEAK_MS = 380;

export interface FaultRow {
  subject: string;
  kind: BenchSubject['kind'];
  fault: Fault;
  ok: number;
  failed: number;
  crashed: boolean;
  /** Milliseconds from the component working again to the first query that succeeded. */
  recoveredMs: number | null;
  /** Whether a pool slot was lost (null: not measured, the process was gone). */
  leaked: boolean | null;
  /** Client logins PgBouncer saw from the fault until recovery. */
  logins: number;
  /** Failures no catalogue entry explains. */
  unexplained: number;
  /** Writes acknowledged, stored, lost (acknowledged, not stored), and reported failed but stored. */
  writes: { acked: number; stored: number; lost: number; failedButStored: number } | null;
}

export async function runFaultBench(log: (line: string) => void): Promise<FaultRow[]> {
  const stack = await startStack({ hardStopAfterSeconds: 4 });
  const rows: FaultRow[] = [];
  try {
    for (const subject of DRAIN_SUBJECTS) {
      const cells: string[] = [];
      for (const fault of FAULTS) {
        const outcome = await loadAcrossFault({ stack, mode: 'transaction', subject, fault });
        const row: FaultRow = {
          subject: subject.name,
          kind: subject.kind,
          fault,
          ok: outcome.ok,
          failed: outcome.failed,
          crashed: outcome.crashed,
          recoveredMs: outcome.recoveredMs ?? null,
          leaked: outcome.saturationMs === undefined ? null : outcome.saturationMs >= LEAK_MS,
          logins: outcome.loginsDuringOutage,
          unexplained: outcome.unexplained,
          writes: outcome.writesKept ?? null,
        };
        rows.push(row);
        cells.push(
          row.crashed ? 'CRASH' : `${row.failed}f/${row.recoveredMs ?? '-'}ms${row.leaked ? '/LEAK' : ''}`,
        );
      }
      log(`  ${subject.name.padEnd(30)} ${cells.join('  ')}`);
    }
  } finally {
    await stack.down();
  }
  writeResult('faults', {
    description:
      'Steady load (4 workers, pool of 4, one operation in five a write) through a transaction-mode PgBouncer, one fault at a time; policies scaled to a 4 s drain window. Recovery is measured from the component working again to the first query that succeeds; a leak is a pool slot lost (poolSize concurrent 0.2 s sleeps taking ≥ 0.4 s on warm connections).',
    faults: FAULTS,
    rows,
  });
  return rows;
}
