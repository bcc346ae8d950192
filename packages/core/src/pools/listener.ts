import type { ListenClientConfig, PgConnectingClientLike, PgListenClientLike } from '../driver/pg-driver.ts';
import { MpgkitError, MpgkitErrorCode } from '../errors.ts';
import { recordPoolMetrics } from '../metrics/pool-metrics.ts';
import type { Policy } from '../policy/policy.ts';
import { type KnownKeys, rejectUnknownKeys } from '../unknown-keys.ts';
import { pgSslOf, resolveEndpoint } from './endpoint.ts';
import { hardenedPgClient } from './pg-hardened-client.ts';

/** A notification, as node-postgres delivers it. */
export interface Notification {
  readonly channel: string;
  readonly payload: string;
  /** The sender's backend pid. */
  readonly processId: number;
}

/** Options of {@link createListener}. */
export interface ListenerOptions {
  /** Channels to LISTEN on. */
  channels: readonly string[];
  /** Called once per notification, in arrival order. */
  onNotification: (notification: Notification) => void;
  /** Called when the connection is lost (the listener reconnects by itself). @default a redacted policy.logger.warn */
  onError?: (error: Error) => void;
  /** How long the old connection stays open after the new one listens, for notifications still in flight. @default 250 */
  overlapMs?: number;
  /** Reconnect backoff: attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs × 2ⁿ)]. @default 100 */
  baseDelayMs?: number;
  /** @default 5000 */
  maxDelayMs?: number;
}

const LISTENER_OPTION_KEYS = {
  channels: true,
  onNotification: true,
  onError: true,
  overlapMs: true,
  baseDelayMs: true,
  maxDelayMs: true,
} as const satisfies KnownKeys<ListenerOptions>;

/** A running listener. */
export interface Listener {
  /** Counts, for monitoring: notifications delivered, planned recycles, reconnects after failures. */
  readonly stats: { readonly notifications: number; readonly recycles: number; readonly reconnects: number };
  /** Stops listening and closes the connection(s). */
  stop(): Promise<void>;
}

/**
 * LISTEN on the **direct** URL (a transaction pooler loses notifications), with a connection that is
 * recycled within the policy's lifetime, so the proxy's drain never cuts it: the new connection LISTENs
 * before the old one closes, and notifications both receive during the overlap are delivered once. After
 * an unexpected loss it reconnects with backoff (full jitter) and reports the loss through `onError`, so
 * it never goes deaf silently. Notifications sent while no connection listens at all are lost, as in
 * Postgres itself.
 *
 * @throws {MpgkitError} `MISSING_DIRECT_URL` without a direct URL; `INVALID_OPTION` without channels.
 * @example
 * ```ts
 * import pg from 'pg';
 * const listener = await createListener(policy, pg.Client, {
 *   channels: ['orders'],
 *   onNotification: ({ payload }) => handle(payload),
 * });
 * ```
 */
export async function createListener(
  policy: Policy,
  Client: new (config: ListenClientConfig) => PgListenClientLike,
  options: ListenerOptions,
): Promise<Listener> {
  rejectUnknownKeys('createListener', options, LISTENER_OPTION_KEYS);
  if (options.channels.length === 0) {
    throw new MpgkitError(MpgkitErrorCode.InvalidOption, 'createListener needs at least one channel.');
  }
  const endpoint = resolveEndpoint(policy, 'direct', { role: 'listen', purpose: 'LISTEN' });
  const config: ListenClientConfig = {
    connectionString: endpoint.url,
    application_name: endpoint.applicationName,
    connectionTimeoutMillis: endpoint.connectTimeoutMs,
    ssl: pgSslOf(endpoint, 'the listener (pg)'),
  };
  // The direct URL: no guard to add. The listener's own reconnect backoff spaces its attempts, so the class
  // adds only the connect-phase marking.
  const ListenClient = hardenedPgClient(
    policy,
    Client as unknown as new (
      ...args: never[]
    ) => PgConnectingClientLike,
    endpoint,
    { connectBackoff: false },
  ) as unknown as typeof Client;
  const overlapMs = options.overlapMs ?? 250;
  const onError =
    options.onError ??
    ((error: Error) =>
      policy.logger.warn(
        `[mpgkit] listener connection lost (${policy.redact(error.message)}); reconnecting.`,
      ));
  const stats = { notifications: 0, recycles: 0, reconnects: 0 };

  let stopped = false;
  let current: PgListenClientLike | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // While two connections listen, count what each received: a notification is delivered when one
  // connection has seen it more often than it was delivered (identical notifications stay distinct).
  let overlap:
    | { seen: Map<PgListenClientLike, Map<string, number>>; delivered: Map<string, number> }
    | undefined;
  const retiring = new Set<PgListenClientLike>();

  const deliver = (
    from: PgListenClientLike,
    message: { channel: string; payload?: string; processId: number },
  ) => {
    if (stopped) return;
    const notification: Notification = {
      channel: message.channel,
      payload: message.payload ?? '',
      processId: message.processId,
    };
    if (overlap !== undefined) {
      const key = `${notification.channel}\u0000${notification.processId}\u0000${notification.payload}`;
      const seen = overlap.seen.get(from) ?? new Map<string, number>();
      overlap.seen.set(from, seen);
      const count = (seen.get(key) ?? 0) + 1;
      seen.set(key, count);
      if (count <= (overlap.delivered.get(key) ?? 0)) return;
      overlap.delivered.set(key, count);
    }
    stats.notifications++;
    options.onNotification(notification);
  };

  // With a meter, the listener reports as a pool of its own (one connection, two while recycling), named by
  // its application_name: what it holds, how long opening took, and why each connection closed.
  const record =
    policy.meter === undefined
      ? undefined
      : recordPoolMetrics(policy.meter, {
          poolName: config.application_name,
          state: () => {
            const used = (current === undefined ? 0 : 1) + retiring.size;
            return { idle: 0, used, pending: 0, max: 2, min: 1 };
          },
        });

  const opened = new WeakSet<PgListenClientLike>();
  const recycled = new WeakSet<PgListenClientLike>();
  const open = async (): Promise<PgListenClientLike> => {
    const client = new ListenClient(config);
    client.on('notification', (message) => deliver(client, message));
    client.on('error', (error) => lost(client, error));
    client.on('end', () => {
      lost(client, new Error('listener connection ended'));
      // A recycled connection closed because of its lifetime, even if stop() ended it during the overlap.
      const reason = recycled.has(client) ? 'lifetime' : stopped ? 'pool-end' : undefined;
      if (record !== undefined && opened.has(client)) record.closed(client, reason);
    });
    record?.creating(client);
    await client.connect();
    record?.opened(client);
    opened.add(client);
    for (const channel of options.channels) await client.query(`LISTEN ${quoteIdentifier(channel)}`);
    return client;
  };

  const lost = (client: PgListenClientLike, error: Error) => {
    if (stopped || retiring.has(client) || client !== current) return;
    record?.failed(client);
    current = undefined;
    onError(error);
    void reconnect();
  };

  const reconnect = async () => {
    clearTimeout(timer);
    for (let attempt = 0; !stopped; attempt++) {
      try {
        const client = await open();
        if (stopped) {
          await client.end().catch(() => undefined);
          return;
        }
        current = client;
        stats.reconnects++;
        schedule();
        return;
      } catch (error) {
        onError(error as Error);
        const base = options.baseDelayMs ?? 100;
        await sleep(Math.random() * Math.min(options.maxDelayMs ?? 5000, base * 2 ** attempt));
      }
    }
  };

  const recycle = async () => {
    const old = current;
    if (stopped || old === undefined) return;
    const thisOverlap = { seen: new Map(), delivered: new Map() };
    overlap = thisOverlap;
    // Another recycle may start while this one waits: each clears only its own overlap.
    const endOverlap = () => {
      if (overlap === thisOverlap) overlap = undefined;
    };
    let replacement: PgListenClientLike;
    try {
      replacement = await open();
    } catch (error) {
      endOverlap();
      onError(error as Error);
      schedule(0.25); // try again soon, well within the old connection's lifetime
      return;
    }
    if (current !== old || stopped) {
      // The old connection died meanwhile and reconnect() took over: this one is surplus. It may have delivered
      // notifications that reconnect()'s connection receives too: the overlap keeps counting both until the
      // surplus one ends, as it does for a recycled one (once, under a full CI run: 500 sent, 501 received).
      retiring.add(replacement);
      if (!stopped) await sleep(overlapMs);
      await replacement.end().catch(() => undefined);
      retiring.delete(replacement);
      endOverlap();
      return;
    }
    current = replacement;
    retiring.add(old);
    recycled.add(old);
    stats.recycles++;
    schedule();
    // Notifications committed before the new LISTEN may still be on their way on the old socket.
    await sleep(overlapMs);
    await old.end().catch(() => undefined);
    retiring.delete(old);
    endOverlap();
  };

  // Recycle ahead of the lifetime, leaving room to connect and for the overlap.
  const schedule = (fraction?: number) => {
    clearTimeout(timer);
    if (stopped) return;
    const lifetimeMs = policy.nextLifetimeSeconds() * 1000;
    const delay =
      fraction === undefined
        ? Math.max(lifetimeMs * 0.5, lifetimeMs - overlapMs - config.connectionTimeoutMillis)
        : lifetimeMs * fraction;
    timer = setTimeout(() => void recycle(), delay);
    timer.unref?.();
  };

  current = await open();
  schedule();
  return {
    stats,
    async stop() {
      stopped = true;
      record?.ending();
      clearTimeout(timer);
      const clients = [current, ...retiring].filter(
        (client): client is PgListenClientLike => client !== undefined,
      );
      current = undefined;
      await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
      retiring.clear();
    },
  };
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
