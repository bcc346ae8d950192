// What `mpgkit connections` makes of pg_stat_activity: each server connection attributed to the app, process
// group and role mpgkit's application_name names, grouped, and flagged. Pure: the command queries, this decides.

/** One row of pg_stat_activity (a client backend), as `mpgkit connections` reads it. */
export interface ServerConnection {
  applicationName: string;
  /** `active`, `idle`, `idle in transaction`, ...; null when the role may not see it (no pg_read_all_stats). */
  state: string | null;
  /** Seconds since the backend started. */
  ageSeconds: number;
}

/** Who a connection belongs to, from the application_name mpgkit sets: `<app>:<group>[:<role>]`. */
export interface ConnectionOwner {
  app: string;
  group: string;
  /** `migrate`, `listen`, ...; undefined for the app's own pool. */
  role: string | undefined;
}

// mpgkit's names: `${FLY_APP_NAME ?? 'mpgkit'}:${FLY_PROCESS_GROUP ?? 'app'}`, a role appended for the
// migration and listener connections (core policy.ts applicationNameFor). Fly app names are lowercase letters,
// digits and hyphens; group names are letters, digits, `_ - .` (core validation.ts requireGroupName).
const OWNED = /^([^:\s]+):([^:\s]+)(?::([^:\s]+))?$/;

/**
 * The app, group and role an application_name names, or undefined for one mpgkit did not set (psql, a
 * dashboard, PgBouncer's own connections, an explicit `applicationName`).
 *
 * @example
 * ```ts
 * ownerOf('shop:web:listen'); // { app: 'shop', group: 'web', role: 'listen' }
 * ownerOf('psql'); // undefined
 * ```
 */
export function ownerOf(applicationName: string): ConnectionOwner | undefined {
  const match = OWNED.exec(applicationName);
  if (match === null) return undefined;
  const [, app = '', group = '', role] = match;
  return { app, group, role };
}

/** Connections of one owner (or of one application_name mpgkit did not set). */
export interface ConnectionGroup {
  /** `app:group[:role]`, or the raw application_name (`(no name)` when empty) for connections mpgkit did not open. */
  key: string;
  owner: ConnectionOwner | undefined;
  total: number;
  active: number;
  idle: number;
  idleInTransaction: number;
  /** Connections whose state this role may not see. */
  hidden: number;
  oldestSeconds: number;
  /**
   * PgBouncer's server connections: an mpgkit pool's own connections go through the pooled URL, so what
   * Postgres sees of them is PgBouncer's, which the proxy's drain does not cut (their age is PgBouncer's
   * `server_lifetime`). Connections with a role (`migrate`, `listen`) use the direct URL, through the proxy.
   */
  viaPgBouncer: boolean;
  /**
   * Connections older than the drain window that may go through the proxy (any but PgBouncer's): the next
   * drain cuts them.
   */
  pastDrainWindow: number;
  /** The connections the budget gives the app's pool in this group (machines × processes × pool), if known. */
  share: number | undefined;
}

// The key of connections with an empty application_name.
const UNNAMED = '(no name)';

/** What {@link groupConnections} flags, worst first. */
export interface ConnectionFlag {
  kind: 'over-share' | 'idle-in-transaction' | 'past-drain-window';
  key: string;
  count: number;
  message: string;
}

/** Options of {@link groupConnections}. */
export interface GroupingOptions {
  drainWindowSeconds: number;
  /** Budget share per process group name (the app's own pool; roles such as `listen` are direct, not shared). */
  shares?: ReadonlyMap<string, number>;
}

/**
 * Groups server connections by owner, counts their states, and flags a group over its share of the budget,
 * connections idle in a transaction, and connections older than the drain window.
 *
 * @example
 * ```ts
 * const { groups, flags } = groupConnections(rows, { drainWindowSeconds: 600, shares: new Map([['web', 20]]) });
 * ```
 */
export function groupConnections(
  connections: readonly ServerConnection[],
  options: GroupingOptions,
): { groups: ConnectionGroup[]; flags: ConnectionFlag[] } {
  const byKey = new Map<string, ConnectionGroup>();
  for (const connection of connections) {
    const owner = ownerOf(connection.applicationName);
    const key = owner === undefined ? connection.applicationName || UNNAMED : keyOf(owner);
    let group = byKey.get(key);
    if (group === undefined) {
      group = {
        key,
        owner,
        total: 0,
        active: 0,
        idle: 0,
        idleInTransaction: 0,
        hidden: 0,
        oldestSeconds: 0,
        viaPgBouncer: owner !== undefined && owner.role === undefined,
        pastDrainWindow: 0,
        share: owner !== undefined && owner.role === undefined ? options.shares?.get(owner.group) : undefined,
      };
      byKey.set(key, group);
    }
    group.total++;
    if (connection.state === null) group.hidden++;
    else if (connection.state === 'active') group.active++;
    else if (connection.state === 'idle') group.idle++;
    else if (connection.state.startsWith('idle in transaction')) group.idleInTransaction++;
    group.oldestSeconds = Math.max(group.oldestSeconds, connection.ageSeconds);
    if (!group.viaPgBouncer && connection.ageSeconds > options.drainWindowSeconds) group.pastDrainWindow++;
  }
  const groups = [...byKey.values()].sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
  const flags: ConnectionFlag[] = [];
  for (const group of groups) {
    if (group.share !== undefined && group.total > group.share) {
      flags.push({
        kind: 'over-share',
        key: group.key,
        count: group.total,
        message: `${group.key} holds ${group.total} connections, over its share of ${group.share}: a pool larger than the budget, or more machines than declared.`,
      });
    }
  }
  for (const group of groups) {
    if (group.idleInTransaction > 0) {
      flags.push({
        kind: 'idle-in-transaction',
        key: group.key,
        count: group.idleInTransaction,
        message: `${group.key}: ${plural(group.idleInTransaction, 'connection')} idle in a transaction (a transaction left open holds its connection, and its locks, until it ends).`,
      });
    }
  }
  for (const group of groups) {
    if (group.pastDrainWindow > 0 && group.key === UNNAMED) {
      flags.push({
        kind: 'past-drain-window',
        key: group.key,
        count: group.pastDrainWindow,
        message: `${plural(group.pastDrainWindow, 'connection')} without an application_name older than the ${options.drainWindowSeconds} s drain window (oldest ${formatAge(group.oldestSeconds)}): PgBouncer's idle server connections look like this (its DISCARD ALL resets the name when their client leaves), and so does a client that sets no name, which the next drain cuts if it uses the direct URL.`,
      });
    } else if (group.pastDrainWindow > 0) {
      flags.push({
        kind: 'past-drain-window',
        key: group.key,
        count: group.pastDrainWindow,
        message: `${group.key}: ${plural(group.pastDrainWindow, 'connection')} older than the ${options.drainWindowSeconds} s drain window (oldest ${formatAge(group.oldestSeconds)}): through the proxy (the direct URL), the next drain cuts ${group.pastDrainWindow === 1 ? 'it' : 'them'}. A pool without a max lifetime, or a script that stays connected.`,
      });
    }
  }
  return { groups, flags };
}

/**
 * A duration the way the table shows it: `45 s`, `12 min`, `3.5 h`.
 *
 * @example
 * ```ts
 * formatAge(754); // '12 min'
 * ```
 */
export function formatAge(seconds: number): string {
  if (seconds < 120) return `${Math.floor(seconds)} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function keyOf(owner: ConnectionOwner): string {
  return owner.role === undefined
    ? `${owner.app}:${owner.group}`
    : `${owner.app}:${owner.group}:${owner.role}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
