import { defineDatabase, MpgkitError, MpgkitErrorCode, type PoolMode, redactUrl } from '@mpgkit/core';
import { formatTable, requirePositiveSeconds, requireWholeNumber } from '@mpgkit/core/adapter';
import {
  type ConnectionFlag,
  type ConnectionGroup,
  formatAge,
  groupConnections,
  type ServerConnection,
} from './cluster-connections.ts';
import { type Command, defineCommand } from './command.ts';
import { type CliIo, ExitCode } from './io.ts';
import {
  GROUP_OPTION,
  JSON_OPTION,
  MODE_OPTION,
  parseGroupSpec,
  poolModeOption,
  withPoolSize,
} from './options.ts';
import { connect, loadPg, type PgClient } from './pg-connect.ts';

// Every client backend but this command's own. Sessions of other roles show a NULL state unless the role has
// pg_read_all_stats (PostgreSQL 16 docs, "pg_stat_activity": such columns are visible only to superusers,
// roles with pg_read_all_stats and the same role).
const ACTIVITY_SQL = `SELECT application_name, state, EXTRACT(EPOCH FROM now() - backend_start)::float8 AS age_seconds
  FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`;

/** One report of `mpgkit connections`, as `--json` prints it. */
export interface ConnectionsReport {
  at: string;
  poolMode: PoolMode;
  drainWindowSeconds: number;
  total: number;
  groups: ConnectionGroup[];
  flags: ConnectionFlag[];
  notes: string[];
}

/** `mpgkit connections`: who holds the cluster's connections now, by app, process group and role. */
export const connectionsCommand: Command = defineCommand({
  name: 'connections',
  summary: "who holds the cluster's connections now, by app and process group (needs pg)",
  synopsis: [
    '[--mode <session|transaction>] [--group <name>=<machines>x<pool> ...] [--json] [--watch [--interval <s>] [--times <n>]]',
  ],
  description: `Shows the connections the cluster holds right now, over the direct URL (DIRECT_DATABASE_URL), grouped by the
app, process group and role mpgkit puts in application_name (<app>:<group>[:migrate|:listen]), with their
states and ages, beside each group's share of the budget. Flags a group over its share, connections idle in
a transaction, and connections older than the drain window (MPGKIT_DRAIN_WINDOW_SECONDS, default 600 s).`,
  options: {
    mode: { ...MODE_OPTION, help: "the cluster's pool mode (default from the environment, else session)" },
    group: {
      ...GROUP_OPTION,
      help: "a group's share, as in mpgkit budget: web=3x10 is 3 machines with a pool of 10",
    },
    json: { ...JSON_OPTION, help: 'print the report as JSON (one line per report with --watch)' },
    watch: {
      type: 'boolean',
      help: 'report again every --interval seconds until interrupted, or --times reports',
    },
    interval: { type: 'string', value: '<s>', help: 'seconds between reports with --watch (default 2)' },
    times: { type: 'string', value: '<n>', help: 'stop after this many reports with --watch' },
  },
  note: 'Needs the pg package.',
  exitCodes: '0 nothing flagged, 1 something flagged, 2 bad usage.',
  run: (input, io) => runConnections(input.values as ConnectionsValues, io),
});

type ConnectionsValues = {
  mode?: string;
  group?: string[];
  json?: boolean;
  watch?: boolean;
  interval?: string;
  times?: string;
};

async function runConnections(values: ConnectionsValues, io: CliIo): Promise<number> {
  const poolMode = poolModeOption(values);
  const shares = new Map<string, number>();
  for (const spec of values.group ?? []) {
    const group = withPoolSize(parseGroupSpec(spec));
    shares.set(group.name, group.machines * group.processesPerMachine * group.poolSize);
  }
  const intervalSeconds =
    values.interval === undefined ? 2 : requirePositiveSeconds('--interval', numeric(values.interval));
  const times = values.times === undefined ? undefined : requireWholeNumber('--times', numeric(values.times));
  const policy = defineDatabase({
    env: io.env,
    ...(poolMode === undefined ? {} : { poolMode }),
    budgetCheck: 'off',
    logger: { warn: (message) => io.stderr(message) },
  });
  const direct = policy.urls.direct;
  if (direct === undefined) {
    throw new MpgkitError(
      MpgkitErrorCode.MissingEnvVar,
      'mpgkit connections reads pg_stat_activity over the direct URL: set DIRECT_DATABASE_URL (the pooled URL shows only what PgBouncer lets through).',
    );
  }
  const pg = await loadPg('mpgkit connections');
  const client = await connect(pg, policy, direct, 'mpgkit-connections');
  try {
    let flagged = false;
    for (let report = 1; ; report++) {
      const result = await connectionsReport(client, {
        poolMode: policy.poolMode,
        drainWindowSeconds: policy.drainWindowSeconds,
        shares,
      });
      flagged ||= result.flags.length > 0;
      if (values.json) io.stdout(JSON.stringify(result));
      else io.stdout(`${report > 1 ? '\n' : ''}${formatConnectionsReport(result, redactUrl(direct))}`);
      if (!values.watch || (times !== undefined && report >= times)) break;
      await new Promise((resolve) => setTimeout(resolve, intervalSeconds * 1000));
    }
    return flagged ? ExitCode.Failed : ExitCode.Ok;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function connectionsReport(
  client: PgClient,
  options: { poolMode: PoolMode; drainWindowSeconds: number; shares: ReadonlyMap<string, number> },
): Promise<ConnectionsReport> {
  const { rows } = await client.query(ACTIVITY_SQL);
  const connections: ServerConnection[] = rows.map((row) => ({
    applicationName: String(row.application_name ?? ''),
    state: typeof row.state === 'string' ? row.state : null,
    ageSeconds: Number(row.age_seconds ?? 0),
  }));
  const { groups, flags } = groupConnections(connections, options);
  return {
    at: new Date().toISOString(),
    poolMode: options.poolMode,
    drainWindowSeconds: options.drainWindowSeconds,
    total: connections.length,
    groups,
    flags,
    notes: notesFor(options.poolMode, groups),
  };
}

// What the server's view cannot show, said plainly.
function notesFor(poolMode: PoolMode, groups: readonly ConnectionGroup[]): string[] {
  const notes = [
    poolMode === 'transaction'
      ? "Transaction mode: PgBouncer's server connections are shared; each carries the application_name of the client that used it last, so a group's count here is what it used last, not what it holds. The app's own client connections are seen only in PgBouncer's admin console (SHOW CLIENTS)."
      : 'Session mode: each server connection belongs to one client connection for its whole session, so a group here is what it holds.',
  ];
  if (groups.some((group) => group.viaPgBouncer)) {
    notes.push(
      "An mpgkit pool's connections go through the pooled URL: Postgres sees PgBouncer's server connections, which the proxy's drain does not cut (their age is PgBouncer's server_lifetime). Connections marked direct or ? are the drain's to cut.",
    );
  }
  if (groups.some((group) => group.hidden > 0)) {
    notes.push(
      'Some states are hidden: sessions of other roles show no state without pg_read_all_stats (GRANT pg_read_all_stats TO the role you connect as).',
    );
  }
  return notes;
}

/**
 * The report as text: a table of groups, then what is flagged, then what the view cannot show.
 *
 * @example
 * ```ts
 * io.stdout(formatConnectionsReport(report, redactUrl(policy.urls.direct)));
 * ```
 */
export function formatConnectionsReport(report: ConnectionsReport, where: string): string {
  const table = formatTable(
    [
      { header: 'app' },
      { header: 'group' },
      { header: 'role' },
      { header: 'through' },
      { header: 'conns', align: 'right' },
      { header: 'active', align: 'right' },
      { header: 'idle', align: 'right' },
      { header: 'idle in tx', align: 'right' },
      { header: 'oldest', align: 'right' },
      { header: 'past drain', align: 'right' },
      { header: 'share', align: 'right' },
    ],
    report.groups.map((group) => [
      group.owner?.app ?? `(${group.key})`,
      group.owner?.group ?? '-',
      group.owner?.role ?? '-',
      group.viaPgBouncer ? 'PgBouncer' : group.owner === undefined ? '?' : 'direct',
      String(group.total),
      String(group.active),
      String(group.idle),
      String(group.idleInTransaction),
      formatAge(group.oldestSeconds),
      group.viaPgBouncer ? '-' : String(group.pastDrainWindow),
      group.share === undefined ? '-' : `${group.total}/${group.share}`,
    ]),
  );
  const lines = [
    `${report.total} connections at ${where} (${report.at}; ${report.poolMode} mode; drain window ${report.drainWindowSeconds} s)`,
    '',
    table,
  ];
  if (report.flags.length > 0) {
    lines.push(
      '',
      ...report.flags.map((flag) => `${flag.kind === 'over-share' ? '✗' : '!'} ${flag.message}`),
    );
  } else {
    lines.push(
      '',
      '✓ nothing flagged: no group over its share, none idle in a transaction, none past the drain window',
    );
  }
  lines.push('', ...report.notes.map((note) => `Note: ${note}`));
  return lines.join('\n');
}

// An argument as a number when it is one, else as given, so an error quotes what was typed ("2s", not NaN).
const numeric = (text: string): number | string =>
  text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
