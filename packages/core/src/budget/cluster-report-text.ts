import { formatTable } from '../text-table.ts';
import { directLine, verdictLabel } from './budget-report-text.ts';
import type { ClusterBudgetReport } from './cluster-budget.ts';

/**
 * The human-readable cluster budget: one row per app (its connections, its own deploy peak, its share), the
 * cluster's normal and peak totals against the binding limit, the arithmetic in words, and the verdict.
 *
 * @example
 * ```ts
 * console.log(formatClusterReport(checkClusterBudget({ plan: 'basic', poolMode: 'transaction', apps })));
 * ```
 */
export function formatClusterReport(report: ClusterBudgetReport): string {
  const rows = report.apps.map((app) => [
    app.name,
    app.report.groups.map((group) => group.name).join(', '),
    app.report.deploy,
    String(app.report.total),
    String(app.report.peak),
    app.share === undefined ? '-' : `${app.share}${app.shareVerdict === 'over' ? ' OVER' : ''}`,
    String(app.peakDirectConnections),
  ]);
  rows.push(['cluster', '', '', String(report.total), String(report.peak), String(report.shares ?? '-'), '']);
  const table = formatTable(
    [
      { header: 'app' },
      { header: 'groups' },
      { header: 'deploy' },
      { header: 'connections', align: 'right' },
      { header: 'peak', align: 'right' },
      { header: 'share', align: 'right' },
      { header: 'direct', align: 'right' },
    ],
    rows,
  );
  const direct = report.peakDirectConnections === 0 ? [] : [directLine(report)];
  return [
    `Cluster budget: ${report.name}, plan ${report.plan.name}, ${report.poolMode} mode, ${report.apps.length} apps`,
    '',
    table,
    '',
    `limit   ${report.limitName}: ${report.limit}${report.reserve > 0 ? ` (+ reserve pool ${report.reserve})` : ''}`,
    `normal  ${report.total} / ${report.limit}  ${verdictLabel(report.normalVerdict)}`,
    `peak    ${report.peak} / ${report.limit}  ${verdictLabel(report.peakVerdict)}` +
      (report.peakDuring === undefined
        ? ''
        : report.simultaneousDeploys
          ? ' (deploys overlapping)'
          : ` (during ${report.peakDuring}'s deploy; deploys not simultaneous)`),
    ...direct,
    '',
    ...report.explanation,
    '',
    `verdict: ${verdictLabel(report.verdict)}` +
      (report.verdict === 'ok'
        ? ` (${report.headroom} connections to spare at peak)`
        : // Transaction mode helps only a session-mode cluster.
          ` (smaller pools in the apps over their share, fewer machines${report.poolMode === 'session' ? ', transaction mode' : ''}, or a larger plan)`),
  ].join('\n');
}
