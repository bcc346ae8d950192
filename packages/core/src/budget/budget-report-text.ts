import { formatTable } from '../text-table.ts';
import type { BudgetVerdict, PoolBudgetReport } from './budget-types.ts';

// No Node imports here: this module is part of the library entry, and loading node:util alone adds
// ~6 ms to a process start (measured in bench/, startup).

/**
 * The human-readable budget report: per-group table, normal and peak against the binding limit, the
 * arithmetic in words, and the verdict.
 *
 * @example
 * ```ts
 * console.log(formatBudgetReport(checkPoolBudget({ ... })));
 * ```
 */
export function formatBudgetReport(report: PoolBudgetReport): string {
  // A process with several pools shows each pooled one's size ("10+5"); direct pools get their own column.
  const withDirect = report.groups.some((group) => group.directConnections > 0);
  const rows = report.groups.map((group) => [
    group.name,
    String(group.machines),
    String(group.processesPerMachine),
    group.pools
      .filter((pool) => pool.route === 'pooled')
      .map((pool) => pool.size)
      .join('+'),
    String(group.connections),
    String(group.peakConnections),
    ...(withDirect ? [String(group.peakDirectConnections)] : []),
  ]);
  rows.push(['total', '', '', '', String(report.total), String(report.peak), ...(withDirect ? [''] : [])]);
  const table = formatTable(
    [
      { header: 'group' },
      { header: 'machines', align: 'right' },
      { header: 'processes', align: 'right' },
      { header: 'pool', align: 'right' },
      { header: 'connections', align: 'right' },
      { header: `peak (${report.deploy})`, align: 'right' },
      ...(withDirect ? [{ header: 'direct pools', align: 'right' } as const] : []),
    ],
    rows,
  );
  const reserve = report.reserve > 0 ? ` (+ reserve pool ${report.reserve})` : '';
  return [
    `Pool budget: plan ${report.plan.name}, ${report.poolMode} mode, ${report.deploy} deploy`,
    '',
    table,
    '',
    `limit   ${report.limitName}: ${report.limit}${reserve}`,
    `normal  ${report.total} / ${report.limit}  ${verdictLabel(report.normalVerdict)}`,
    `peak    ${report.peak} / ${report.limit}  ${verdictLabel(report.peakVerdict)}`,
    ...(report.peakDirectConnections === 0 && report.directConnectionLimit === undefined
      ? []
      : [directLine(report)]),
    '',
    ...report.explanation,
    '',
    `verdict: ${verdictLabel(report.verdict)}${advice(report)}`,
  ].join('\n');
}

/**
 * A verdict as the text reports print it.
 *
 * @example
 * ```ts
 * verdictLabel('reserve'); // 'RESERVE ONLY'
 * ```
 */
export function verdictLabel(verdict: BudgetVerdict): string {
  return { ok: 'OK', reserve: 'RESERVE ONLY', over: 'OVER' }[verdict];
}

/**
 * The report line for direct connections at their peak, against Postgres's own limit when it is known.
 *
 * @example
 * ```ts
 * directLine({ peakDirectConnections: 2, directConnectionLimit: undefined, directVerdict: 'unknown' });
 * // 'direct  2 / ?  NOT CHECKED (limit unknown)'
 * ```
 */
export function directLine(report: {
  peakDirectConnections: number;
  directConnectionLimit: number | undefined;
  directVerdict: 'ok' | 'over' | 'unknown';
}): string {
  return report.directConnectionLimit === undefined
    ? `direct  ${report.peakDirectConnections} / ?  NOT CHECKED (limit unknown)`
    : `direct  ${report.peakDirectConnections} / ${report.directConnectionLimit}  ${verdictLabel(report.directVerdict === 'over' ? 'over' : 'ok')}`;
}

function advice(report: PoolBudgetReport): string {
  if (report.verdict === 'ok') return ` (${report.headroom} connections to spare at peak)`;
  if (report.directVerdict === 'over' && report.peakVerdict !== 'over' && report.normalVerdict !== 'over') {
    return ' (too many direct connections: fewer listeners or lock holders, or a larger plan)';
  }
  const modeHint = report.poolMode === 'session' ? ', switch to transaction mode' : '';
  return ` (run again with --recommend for pool sizes that fit${modeHint}, or choose a larger plan)`;
}
