import type { ListenClientConfig, PgConnectingClientLike, PgListenClientLike } from '../driver/pg-driver.ts';
import { MpgkitError, MpgkitErrorCode } from '../errors.ts';
import { recordPoolMetrics } from '../metrics/pool-metrics.ts';
import type { Policy } from '../policy/policy.ts';
import { type KnownKeys, rejectUnknownKeys } from '../unknown-keys.ts';
import { pgSslOf, resolveEndpoint } from './endpoint.ts';
import { ListenerRelay } from './listener-handover.ts';
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
  /**
   * How long the old connection may take to reach the handover marker once the new one listens; past it, the
   * old one is closed and the new one delivers what it held back. @default 1000
   */
  handoverTimeoutMs?: number;
  /** Reconnect backoff: attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs × 2ⁿ)]. @default 100 */
  baseDelayMs?: number;
  /** @default 5000 */
  maxDelayMs?: number;
}

const LISTENER_OPTION_KEYS = {
  channels: true,
  onNotification: true,
  onError: true,
  handoverTimeoutMs: true,
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
 * before the old one closes and a marker on a private channel splits the stream between them, so every
 * notification is delivered once and in commit order, identical ones included (see `ListenerRelay`). After
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
  const handoverTimeoutMs = options.handoverTimeoutMs ?? 1000;
  const onError =
    options.onError ??
    ((error: Error) =>
      policy.logger.warn(
        `[mpgkit] listener connection lost (${policy.redact(error.message)}); reconnecting.`,
      ));
  const stats = { notifications: 0, recycles: 0, reconnects: 0 };

  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Connections open and not yet closed by the listener itself: a loss of any other is no news. A connection
  // still connecting or LISTENing is not lost either: the code awaiting it handles its failure.
  const live = new Set<PgListenClientLike>();
  const connecting = new Set<PgListenClientLike>();
  const opened = new Set<PgListenClientLike>();
  const closing = new Set<Promise<void>>();
  const recycled = new WeakSet<PgListenClientLike>();
  const markerChannel = `mpgkit_handover_${randomToken()}${randomToken()}`;
  const relay = new ListenerRelay<PgListenClientLike>(
    markerChannel,
    (notification) => {
      if (stopped) return;
      stats.notifications++;
      options.onNotification(notification);
    },
    (old) => {
      if (old !== undefined) {
        recycled.add(old);
        stats.recycles++;
        close(old);
      }
      schedule(); // the next recycle, whether the old connection retired or was lost mid-handover
    },
  );

  // With a meter, the listener reports as a pool of its own (one connection, two while handing over), named by
  // its application_name: what it holds, how long opening took, and why each connection closed.
  const record =
    policy.meter === undefined
      ? undefined
      : recordPoolMetrics(policy.meter, {
          poolName: config.application_name,
          state: () => ({ idle: 0, used: opened.size, pending: 0, max: 2, min: 1 }),
        });

  const newClient = (): PgListenClientLike => {
    const client = new ListenClient(config);
    live.add(client);
    client.on('notification', (message) =>
      relay.received(client, {
        channel: message.channel,
        payload: message.payload ?? '',
        processId: message.processId,
      }),
    );
    client.on('error', (error) => lost(client, error));
    client.on('end', () => {
      lost(client, new Error('listener connection ended'));
      // A recycled connection closed because of its lifetime, even if stop() ended it during the handover.
      const reason = recycled.has(client) ? 'lifetime' : stopped ? 'pool-end' : undefined;
      if (record !== undefined && opened.has(client)) record.closed(client, reason);
      opened.delete(client);
    });
    return client;
  };
  const listen = async (client: PgListenClientLike) => {
    connecting.add(client);
    try {
      record?.creating(client);
      await client.connect();
      record?.opened(client);
      opened.add(client);
      for (const channel of [...options.channels, markerChannel]) {
        await client.query(`LISTEN ${quoteIdentifier(channel)}`);
      }
    } finally {
      connecting.delete(client);
    }
  };
  const close = (client: PgListenClientLike) => {
    live.delete(client);
    const ended = client.end().catch(() => undefined);
    closing.add(ended);
    void ended.then(() => closing.delete(ended));
  };

  const lost = (client: PgListenClientLike, error: Error) => {
    if (stopped || !live.has(client) || connecting.has(client)) return;
    live.delete(client);
    const outcome = relay.lost(client);
    if (outcome === 'retired') return;
    onError(error);
    if (outcome === 'handover-failed') return schedule(0.25); // try again soon, well within the lifetime
    record?.failed(client);
    if (outcome === 'reconnect') void reconnect();
    else stats.reconnects++; // handed over: the next connection already listens
  };

  const reconnect = async () => {
    clearTimeout(timer);
    for (let attempt = 0; !stopped; attempt++) {
      const client = newClient();
      // The relay takes what it receives from the first LISTEN on: nothing else listens now.
      relay.start(client);
      try {
        await listen(client);
      } catch (error) {
        relay.lost(client);
        close(client);
        onError(error as Error);
        const base = options.baseDelayMs ?? 100;
        await sleep(Math.random() * Math.min(options.maxDelayMs ?? 5000, base * 2 ** attempt));
        continue;
      }
      if (stopped) return close(client);
      stats.reconnects++;
      schedule();
      return;
    }
  };

  // Hand over to a fresh connection ahead of the lifetime: it LISTENs, then sends a marker both receive; the
  // relay delivers the old one's notifications up to the marker and the new one's after it.
  const recycle = async () => {
    const old = relay.current;
    if (stopped || old === undefined || relay.next !== undefined) return schedule(0.25);
    const next = newClient();
    const token = randomToken();
    relay.beginHandover(next, token);
    try {
      await listen(next);
      await next.query(`NOTIFY ${quoteIdentifier(markerChannel)}, '${token}'`);
    } catch (error) {
      lost(next, error as Error);
      close(next);
      return;
    }
    // An old connection that cannot reach the marker (a hung proxy) is let go: the relay aligns what the next
    // one holds with what the old one delivered.
    const watchdog = setTimeout(() => {
      if (relay.next !== next || relay.current !== old || !live.has(old)) return;
      lost(old, new Error(`the old listener connection did not catch up within ${handoverTimeoutMs} ms`));
      close(old);
    }, handoverTimeoutMs);
    watchdog.unref?.();
  };

  // Recycle ahead of the lifetime, leaving room to connect and for the handover.
  const schedule = (fraction?: number) => {
    clearTimeout(timer);
    if (stopped) return;
    const lifetimeMs = policy.nextLifetimeSeconds() * 1000;
    const delay =
      fraction === undefined
        ? Math.max(lifetimeMs * 0.5, lifetimeMs - handoverTimeoutMs - config.connectionTimeoutMillis)
        : lifetimeMs * fraction;
    timer = setTimeout(() => void recycle(), delay);
    timer.unref?.();
  };

  const first = newClient();
  relay.start(first);
  try {
    await listen(first);
  } catch (error) {
    live.delete(first);
    await first.end().catch(() => undefined);
    throw error;
  }
  schedule();
  return {
    stats,
    async stop() {
      stopped = true;
      record?.ending();
      clearTimeout(timer);
      const clients = [...live];
      live.clear();
      await Promise.all([...clients.map((client) => client.end().catch(() => undefined)), ...closing]);
    },
  };
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function randomToken(): string {
  return Math.random().toString(36).slice(2, 10).padEnd(8, '0');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
