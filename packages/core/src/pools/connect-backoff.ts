import { connectSeeingErrors, type PgConnectingClientLike } from '../driver/pg-driver.ts';

/** Options of {@link ConnectBackoff}: the first delay's ceiling and the cap. */
export interface ConnectBackoffOptions {
  /** Ceiling of the delay after the first failure; it doubles with each further one. @default 50 */
  baseDelayMs?: number;
  /** The cap: no attempt waits longer. Kept below the connect timeout, so no query waits past it. @default 1000 */
  maxDelayMs?: number;
}

/** {@link ConnectBackoffOptions} with every default applied. */
export const DEFAULT_CONNECT_BACKOFF: Required<ConnectBackoffOptions> = { baseDelayMs: 50, maxDelayMs: 1000 };

/**
 * The wait before the next connection attempt after `failures` consecutive failures: 0 after none (the
 * first attempt is immediate), then a random time in [0, min(maxDelayMs, baseDelayMs × 2ⁿ⁻¹)] ("full
 * jitter", which spreads a fleet's retries best: https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 *
 * @param random - a number in [0, 1).
 * @example
 * ```ts
 * connectBackoffDelayMs(0, Math.random()); // 0
 * connectBackoffDelayMs(3, 0.5); // 100: half of min(1000, 50 × 2²)
 * ```
 */
export function connectBackoffDelayMs(
  failures: number,
  random: number,
  options: ConnectBackoffOptions = {},
): number {
  if (failures <= 0) return 0;
  const { baseDelayMs, maxDelayMs } = { ...DEFAULT_CONNECT_BACKOFF, ...options };
  // 2 ** 1024 is Infinity; min() keeps the cap either way.
  return random * Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(failures - 1, 1023));
}

/**
 * One pool's memory of failed connection attempts: every new connection of the pool asks it how long to
 * wait, and tells it how the attempt ended. Shared by the pool's connections, so a pool of ten retries as one.
 *
 * @example
 * ```ts
 * const backoff = new ConnectBackoff();
 * await sleep(backoff.delayMs());
 * try { await connect(); backoff.succeeded(); } catch { backoff.failed(); }
 * ```
 */
export class ConnectBackoff {
  #failures = 0;
  readonly #options: ConnectBackoffOptions;
  readonly #random: () => number;

  /**
   * @param options - delays. @default {@link DEFAULT_CONNECT_BACKOFF}
   * @param random - a random source in [0, 1). @default Math.random
   */
  constructor(options: ConnectBackoffOptions = {}, random: () => number = Math.random) {
    this.#options = options;
    this.#random = random;
  }

  /** Consecutive failures since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /** How long the next attempt waits: 0 while nothing has failed. */
  delayMs(): number {
    return connectBackoffDelayMs(this.#failures, this.#random(), this.#options);
  }

  /** An attempt failed: the next one waits longer (up to the cap). */
  failed(): void {
    this.#failures++;
  }

  /** A connection worked: the next attempt is immediate again. */
  succeeded(): void {
    this.#failures = 0;
  }
}

/**
 * Backoff options for a client whose connect timeout is `connectTimeoutMs`: the cap is kept to half of it, so a
 * query that waits for the backoff and then for the connection still gets its answer (a connect error the
 * catalogue explains) within the connect timeout, never after. postgres.js's `backoff` option uses it as is.
 *
 * @example
 * ```ts
 * connectBackoffOptionsWithin(1_000); // { baseDelayMs: 50, maxDelayMs: 500 }
 * ```
 */
export function connectBackoffOptionsWithin(
  connectTimeoutMs: number,
  options: ConnectBackoffOptions = {},
): Required<ConnectBackoffOptions> {
  const { baseDelayMs, maxDelayMs } = { ...DEFAULT_CONNECT_BACKOFF, ...options };
  const bound = connectTimeoutMs > 0 ? connectTimeoutMs / 2 : maxDelayMs;
  return { baseDelayMs, maxDelayMs: Math.min(maxDelayMs, bound) };
}

/**
 * A {@link ConnectBackoff} for a pool whose connect timeout is `connectTimeoutMs`, with the cap of
 * {@link connectBackoffOptionsWithin}.
 *
 * @param options - `false` for none: every attempt immediate, as the drivers do alone. @default {}
 * @example
 * ```ts
 * const backoff = connectBackoffWithin(5_000); // waits at most 1 s
 * ```
 */
export function connectBackoffWithin(
  connectTimeoutMs: number,
  options: ConnectBackoffOptions | false = {},
): ConnectBackoff | undefined {
  if (options === false) return undefined;
  return new ConnectBackoff(connectBackoffOptionsWithin(connectTimeoutMs, options));
}

/** The node-postgres client parts the backoff watches (pg's `Client` has them). */
interface WatchedPgClient extends PgConnectingClientLike {
  on(event: 'end', listener: () => void): unknown;
  connection?: {
    on(event: 'readyForQuery', listener: () => void): unknown;
    on(event: 'errorMessage', listener: (message: { severity?: string }) => void): unknown;
  };
  _ending?: boolean;
}

/**
 * A node-postgres client class whose connections wait {@link ConnectBackoff.delayMs} before connecting,
 * and report how they ended: a connection **works** once its first query is answered (its second
 * ReadyForQuery; the first ends the login), and **failed** if connecting fails, or before that the server
 * sends a FATAL error or the connection ends without the app ending it. The second rule matters behind PgBouncer: while Postgres restarts, a login
 * to PgBouncer succeeds and the first query gets `server login has been failing (server_login_retry)` and a
 * closed connection (PgBouncer 1.18 client.c), so counting only refused logins would miss the storm.
 * pg emits `readyForQuery` and `errorMessage` (with the severity) on its connection for every Z and E
 * message, and `end` on the client once the socket closes; `end()` sets `_ending` (pg 8.23 lib/client.js
 * `_connect`, `_attachListeners`, `end`; pg-protocol messages.ts DatabaseError.severity).
 *
 * Without a backoff (`undefined`, as {@link connectBackoffWithin} returns for `false`), `Client` itself.
 *
 * @example
 * ```ts
 * const pool = new pg.Pool({ ...config, Client: withConnectBackoff(pg.Client, new ConnectBackoff()) });
 * ```
 */
export function withConnectBackoff<C extends new (...args: never[]) => PgConnectingClientLike>(
  Client: C,
  backoff: ConnectBackoff | undefined,
): C {
  if (backoff === undefined) return Client;
  const Base = Client as unknown as new (...args: unknown[]) => WatchedPgClient;
  return class BackingOffClient extends Base {
    override connect(callback?: (error?: Error | null) => void): unknown {
      let settled = false;
      const settle = (worked: boolean) => {
        if (settled) return;
        settled = true;
        if (worked) backoff.succeeded();
        else backoff.failed();
      };
      let readyForQuery = 0;
      this.connection?.on('readyForQuery', () => {
        if (++readyForQuery === 2) settle(true);
      });
      // A FATAL error ends the connection; pg-pool then ends the client itself (release with an error calls
      // client.end()), so by the time the socket closes the end looks like the app's own.
      this.connection?.on('errorMessage', (message) => {
        if (message.severity === 'FATAL' || message.severity === 'PANIC') settle(false);
      });
      this.on('end', () => {
        if (!this._ending) settle(false);
      });
      const attempt = () =>
        connectSeeingErrors(
          (done) => super.connect(done),
          callback,
          () => settle(false),
        );
      const delay = backoff.delayMs();
      if (delay <= 0) return attempt();
      const waited = new Promise((resolve) => setTimeout(resolve, delay));
      if (callback === undefined) return waited.then(attempt);
      void waited.then(attempt);
      return undefined;
    }
  } as unknown as C;
}
