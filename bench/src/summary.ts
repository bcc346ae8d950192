// results/summary.md: the latest results as Markdown tables, from the JSON files (the README quotes it).
import { existsSync, writeFileSync } from 'node:fs';
import type { DrainRow } from './drain.ts';
import type { FaultRow } from './faults.ts';
import { RESULTS_DIR, readResult } from './results.ts';
import type { StormRow } from './storms.ts';

interface Machine {
  date: string;
  cores: number;
  memoryGiB: number;
  node: string;
  pgbouncer: string;
  postgres: string;
}

export function writeSummary(): string {
  const has = (name: string) => existsSync(`${RESULTS_DIR}${name}.json`);
  const lines: string[] = [];
  const drain = has('drain')
    ? readResult<{ machine: Machine; rows: DrainRow[]; description: string }>('drain')
    : undefined;
  const machine = drain?.machine;
  if (machine) {
    lines.push(
      `Measured ${machine.date.slice(0, 10)} on ${machine.cores} cores / ${machine.memoryGiB} GiB, Node ${machine.node}, PostgreSQL ${machine.postgres}, PgBouncer ${machine.pgbouncer}.`,
      '',
    );
  }
  if (drain) {
    lines.push(
      '**Drain** ([chart](drain.svg)): ' + drain.description,
      '',
      '| client | queries ok | failed | crashed | latency p50 / p99 / max (ms) |',
      '|---|---:|---:|---|---|',
    );
    for (const row of drain.rows) {
      lines.push(
        `| ${row.subject} | ${row.ok} | ${row.failed} | ${row.crashed ? '**yes**' : 'no'} | ${row.latencyMs.p50} / ${row.latencyMs.p99} / ${row.latencyMs.max} |`,
      );
    }
    lines.push('');
  }
  if (has('faults')) {
    const faults = readResult<{ description: string; faults: string[]; rows: FaultRow[] }>('faults');
    lines.push(
      `**Faults**: ${faults.description} Each cell: failed queries · recovery · PgBouncer logins during the outage · writes acknowledged/stored (lost ones and failed-but-stored ones named).`,
    );
    for (const mode of ['transaction', 'session'] as const) {
      const rows = faults.rows.filter((row) => row.mode === mode);
      if (rows.length === 0) continue;
      lines.push(
        '',
        `${mode === 'transaction' ? 'Transaction' : 'Session'} mode:`,
        '',
        `| client | ${faults.faults.join(' | ')} |`,
        `|---|${faults.faults.map(() => '---').join('|')}|`,
      );
      for (const subject of [...new Set(rows.map((row) => row.subject))]) {
        const cells = faults.faults.map((fault) => {
          const row = rows.find((candidate) => candidate.subject === subject && candidate.fault === fault);
          return row === undefined ? '' : faultCell(row);
        });
        lines.push(`| ${subject} | ${cells.join(' | ')} |`);
      }
    }
    lines.push('');
  }
  if (has('storms')) {
    const storms = readResult<{ description: string; rows: StormRow[] }>('storms');
    const mpgkit = storms.rows.find((row) => row.kind === 'mpgkit');
    const fixed = storms.rows.find((row) => row.kind === 'fixed');
    const ratio =
      mpgkit && fixed && fixed.steady.peakLoginsPerScaledSecond > 0
        ? mpgkit.steady.peakLoginsPerScaledSecond / fixed.steady.peakLoginsPerScaledSecond
        : undefined;
    lines.push(
      `**Storms** ([chart](storms.svg)): ${storms.description} Target: mpgkit's steady peak ≤ 1/3 of the fixed lifetime's; after each fault 0 failed queries once recovered, recovery as fast, fewer logins than the seed's pool.`,
      '',
      `| fleet | steady: peak logins per scaled second / per second · logins · p50 / p99 ms | ${['drain', 'pgbouncer-restart', 'postgres-restart', 'wrong-password'].join(' | ')} |`,
      '|---|---|---|---|---|---|',
    );
    for (const row of storms.rows) {
      const cells = row.phases.map(
        (phase) =>
          `${phase.failed} failed (${phase.failedAfterRecovery} after recovery) · ${phase.recoveredSeconds.toFixed(2)} s · ${typeof phase.throughputBackSeconds === 'number' ? `${phase.throughputBackSeconds.toFixed(0)} s` : phase.throughputBackSeconds === 'never' ? '**never**' : 'unknown (no process survived to report)'} · ${phase.clientLogins} logins / ${phase.serverConnections} server`,
      );
      lines.push(
        `| ${row.label}${row.crashedProcesses > 0 ? ` (**${row.crashedProcesses} processes crashed**${row.firstCrash ? `, the first ${row.firstCrash.atSeconds} s in, during the ${row.firstCrash.during}` : ''})` : ''} | ${row.steady.peakLoginsPerScaledSecond} / ${row.steady.peakLoginsPerSecond} · ${row.steady.logins} · ${row.steady.p50Ms} / ${row.steady.p99Ms} | ${cells.join(' | ')} |`,
      );
    }
    lines.push(
      '',
      `Steady peak, mpgkit ÷ fixed lifetime: ${ratio === undefined ? 'n/a' : `**${ratio.toFixed(2)}**`}. Each fault cell: failed queries (those more than 2 s after the part worked again) · from the part working again to the fleet's last failure · to the first wall-clock second in which the fleet served 90 % of its steady rate again (a fleet that lost processes never does) · client logins / new server connections at PgBouncer until the next fault.`,
      '',
    );
  }
  if (has('overhead')) {
    const overhead = readResult<{
      rows: Array<{
        variant: string;
        medianQueriesPerSecond: number;
        ratioToSeed: number;
        clientCpuUsPerQuery?: number;
      }>;
      clientSideCostPerQuery: { guardNs: number; unnameNs: number };
      tlsRatioToPlaintext?: number;
      metricsRatio?: number;
      metricsTarget?: number;
      metricsCostPerQuery?: { bridgeNs: number; sdkNs: number; nonePerQueryNs?: number };
      controlRatio?: number;
      metricsClientCpu?: { addedUsPerQuery: number; share: number; controlAddedUsPerQuery: number };
      leanMetrics?: { ratio: number; addedUsPerQuery: number; share: number };
      description: string;
    }>('overhead');
    lines.push(
      '**Overhead** ([chart](overhead.svg)): ' + overhead.description,
      '',
      '| pool | median queries/s | ratio to the seed | client CPU per query (µs) |',
      '|---|---:|---:|---:|',
    );
    for (const row of overhead.rows)
      lines.push(
        `| ${row.variant} | ${row.medianQueriesPerSecond} | ${row.ratioToSeed} | ${row.clientCpuUsPerQuery ?? '—'} |`,
      );
    lines.push(
      '',
      `Client-side cost per query, without a network: guard ${overhead.clientSideCostPerQuery.guardNs} ns, unnaming ${overhead.clientSideCostPerQuery.unnameNs} ns.`,
      ...(overhead.tlsRatioToPlaintext === undefined
        ? []
        : [
            `Verified TLS ÷ plaintext, the same mpgkit pool in the same rounds: ${overhead.tlsRatioToPlaintext} (on loopback, where PgBouncer and PostgreSQL decrypt on the same cores as the client; connections are reused, so this is the per-query encryption cost, not handshakes).`,
          ]),
      ...(overhead.metricsRatio === undefined
        ? []
        : [
            `Pool metrics on ÷ off, the same mpgkit pool (guard on) in the same rounds, the real OpenTelemetry SDK collecting every second: **${overhead.metricsRatio}** (target ≥ ${overhead.metricsTarget}).${overhead.metricsCostPerQuery === undefined ? '' : ` Their cost per query without a network (a real pg Pool whose Client answers at once): mpgkit's bridge ${overhead.metricsCostPerQuery.bridgeNs} ns, the SDK's two histogram records ${overhead.metricsCostPerQuery.sdkNs} ns.`}`,
          ]),
      ...(overhead.metricsClientCpu === undefined || overhead.controlRatio === undefined
        ? []
        : [
            `On the stack, paired by round: the metrics add ${overhead.metricsClientCpu.addedUsPerQuery} µs of client CPU per query (${(overhead.metricsClientCpu.share * 100).toFixed(1)} % of the pool's own). The A/A control (a second, identical guard-on pool) gives ${overhead.controlRatio} and ${overhead.metricsClientCpu.controlAddedUsPerQuery} µs: how far two pools that differ in nothing land apart in this run.`,
          ]),
      ...(overhead.leanMetrics === undefined
        ? []
        : [
            `With a meter but nothing recorded per query (\`perQueryMetrics: false\`: no wait_time or use_time; counts, limits, pending, timeouts, create_time and closes stay): **${overhead.leanMetrics.ratio}**, ${overhead.leanMetrics.addedUsPerQuery} µs of client CPU per query (${(overhead.leanMetrics.share * 100).toFixed(1)} %)${overhead.metricsCostPerQuery?.nonePerQueryNs === undefined ? '' : `; ${overhead.metricsCostPerQuery.nonePerQueryNs} ns without a network`}.`,
          ]),
      '',
    );
  }
  if (has('fleet')) {
    const fleet = readResult<{
      rows: Array<{
        label: string;
        predicted: string;
        observed: string;
        served: number;
        starved: number;
        refused: number;
        connections: number;
      }>;
      allMatch: boolean;
      description: string;
    }>('fleet');
    lines.push(
      '**Fleet** ([chart](fleet.svg)): ' + fleet.description,
      '',
      '| fleet | core predicted | PgBouncer did | served | starved | refused |',
      '|---|---|---|---:|---:|---:|',
    );
    for (const row of fleet.rows)
      lines.push(
        `| ${row.label} | ${row.predicted} | ${row.observed} | ${row.served}/${row.connections} | ${row.starved} | ${row.refused} |`,
      );
    lines.push('', `Verdict matches in every shape: **${fleet.allMatch ? 'yes' : 'no'}**.`, '');
  }
  if (has('startup')) {
    const startup = readResult<{
      medianBareMs: number;
      medianWithMpgkitMs: number;
      medianAddedMs: number;
      medianPgImportAddedMs: number;
      ratioToPgImport: number;
      target: { ratioToPgImport: number };
      inTheProcess: { importMs: number; firstDefineDatabaseMs: number };
      inAnApp: {
        kyselyByHandAddedMs: number;
        kyselyWithMpgkitAddedMs: number;
        mpgkitOverByHandMs: number;
        mpgkitOverByHandQuartilesMs: [number, number];
      };
      description: string;
      whereTheTimeGoes: string;
    }>('startup');
    const { inTheProcess, inAnApp } = startup;
    lines.push(
      `**Startup** ([chart](startup.svg)): ${startup.description} Bare ${startup.medianBareMs} ms, with mpgkit ${startup.medianWithMpgkitMs} ms: **+${startup.medianAddedMs} ms**, ${startup.ratioToPgImport} of the ${startup.medianPgImportAddedMs} ms importing pg adds (target ≤ ${startup.target.ratioToPgImport}) (in the process: import ${inTheProcess.importMs} ms, first defineDatabase ${inTheProcess.firstDefineDatabaseMs} ms). An app on Kysely and pg: by hand +${inAnApp.kyselyByHandAddedMs} ms, through @mpgkit/kysely +${inAnApp.kyselyWithMpgkitAddedMs} ms: mpgkit adds ${inAnApp.mpgkitOverByHandMs} ms (paired quartiles ${inAnApp.mpgkitOverByHandQuartilesMs.join(' to ')} ms).`,
      '',
      startup.whereTheTimeGoes,
      '',
    );
  }
  const text = `${lines.join('\n')}\n`;
  writeFileSync(`${RESULTS_DIR}summary.md`, text);
  return text;
}

function faultCell(row: FaultRow): string {
  if (row.crashed) return '**crash**';
  const recovery =
    row.recoveredMs === null ? '**not recovered**' : `${(row.recoveredMs / 1000).toFixed(2)} s`;
  const writes =
    row.writes === null
      ? ''
      : ` · ${row.writes.acked}/${row.writes.stored}${row.writes.lost > 0 ? ` **${row.writes.lost} lost**` : ''}${row.writes.failedButStored > 0 ? ` (${row.writes.failedButStored} failed but stored)` : ''}`;
  const marks = [
    row.leaked ? '**slot leaked**' : '',
    row.leftOpen > 0 ? `**${row.leftOpen} left open**` : '',
    row.unexplained > 0 ? `${row.unexplained} unexplained` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${row.failed} · ${recovery} · ${row.logins}${writes}${marks === '' ? '' : ` · ${marks}`}`;
}
