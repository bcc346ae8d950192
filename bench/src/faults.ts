// Faults: every fault of the conformance matrix (PostgreSQL restart, PgBouncer restart, pool-mode change,
// backends terminated, a wrong password for 2 s) under a steady load, for every client of the drain bench,
// mpgkit's and the hand-written ones, in one run on one stack. The conformance suite decides pass or fail;
// this records what each client went through, for the table in results/summary.md.

import type { PoolMode } from '@mpgkit/core';
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
  /** PgBouncer's pool mode: every client in transaction mode, mpgkit's also in session mode. */
  mode: PoolMode;
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
  /** Connections PgBouncer still held under the run's name after the client was closed. */
  leftOpen: number;
}

export async function runFaultBench(log: (line: string) => void): Promise<FaultRow[]> {
  const stack = await startStack({ hardStopAfterSeconds: 4 });
  const rows: FaultRow[] = [];
  try {
    const runs = [
      ...DRAIN_SUBJECTS.map((subject) => ({ subject, mode: 'transaction' as const })),
      ...DRAIN_SUBJECTS.filter((subject) => subject.kind === 'mpgkit').map((subject) => ({
        subject,
        mode: 'session' as const,
      })),
    ];
    for (const { subject, mode } of runs) {
      const cells: string[] = [];
      for (const fault of FAULTS) {
        const outcome = await loadAcrossFault({ stack, mode, subject, fault });
        const row: FaultRow = {
          subject: subject.name,
          kind: subject.kind,
          fault,
          mode,
          ok: outcome.ok,
          failed: outcome.failed,
          crashed: outcome.crashed,
          recoveredMs: outcome.recoveredMs ?? null,
          leaked: outcome.saturationMs === undefined ? null : outcome.saturationMs >= LEAK_MS,
          logins: outcome.loginsDuringOutage,
          unexplained: outcome.unexplained,
          writes: outcome.writesKept ?? null,
          leftOpen: outcome.leftOpenAfterClose,
        };
        rows.push(row);
        cells.push(
          row.crashed ? 'CRASH' : `${row.failed}f/${row.recoveredMs ?? '-'}ms${row.leaked ? '/LEAK' : ''}`,
        );
      }
      log(`  ${`${subject.name} (${mode})`.padEnd(44)} ${cells.join('  ')}`);
    }
  } finally {
    await stack.down();
  }
  writeResult('faults', {
    description:
      "Steady load (4 workers, pool of 4, one operation in five a write) through PgBouncer (every client in transaction mode, mpgkit's also in session mode), one fault at a time; policies scaled to a 4 s drain window. Recovery is measured from the component working again to the first query that succeeds; a leak is a pool slot lost (poolSize concurrent 0.2 s sleeps taking ≥ 0.4 s on warm connections).",
    faults: FAULTS,
    rows,
  });
  return rows;
}
