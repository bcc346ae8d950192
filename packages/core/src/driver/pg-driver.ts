import type { NodeTlsOptions } from '../tls/tls-driver-options.ts';

// The node-postgres shapes mpgkit fills or calls, described structurally so core needs no `pg`
// (as Kysely's postgres-dialect-config.ts does): pg's own Pool and Client satisfy them. Names and units
// follow pg 8.23 / pg-pool 3.14 (https://github.com/brianc/node-postgres/tree/master/packages/pg-pool).

/** The part of a node-postgres client mpgkit uses: its `error` event, and `query`, which the guard and unnamed statements wrap. */
export interface PgClientLike {
  on(event: 'error', listener: (error: Error) => void): unknown;
  query?: (...args: never[]) => unknown;
}

/** The part of a node-postgres `Pool` mpgkit uses: its `error`, `connect`, `acquire` and `release` events and its options. */
export interface PgPoolLike {
  on(event: 'error', listener: (error: Error, client: PgClientLike) => void): unknown;
  on(event: 'connect', listener: (client: PgClientLike) => void): unknown;
  on(event: 'acquire', listener: (client: PgClientLike) => void): unknown;
  on(event: 'release', listener: (error: Error | undefined, client: PgClientLike) => void): unknown;
  /** pg-pool keeps its resolved options here and reads `maxLifetimeSeconds` for each new connection. */
  options?: object;
  /** The client class pg-pool instantiates for each new connection (read per connection). */
  Client?: new (
    ...args: never[]
  ) => PgConnectingClientLike;
}

/** A client pg-pool opens: `connect` takes pg-pool's callback. */
export interface PgConnectingClientLike {
  connect(callback?: (error?: Error | null) => void): unknown;
}

/**
 * Calls a node-postgres client's `connect` the way it was called (pg-pool passes a callback, apps await the
 * promise), letting `onError` see a failure before the caller does.
 *
 * @example
 * ```ts
 * override connect(callback) {
 *   return connectSeeingErrors((done) => super.connect(done), callback, (error) => count(error));
 * }
 * ```
 */
export function connectSeeingErrors(
  connect: (callback?: (error?: Error | null) => void) => unknown,
  callback: ((error?: Error | null) => void) | undefined,
  onError: (error: unknown) => void,
): unknown {
  if (callback === undefined) {
    return (connect() as Promise<unknown>).catch((error: unknown) => {
      onError(error);
      throw error;
    });
  }
  return connect((error) => {
    if (error) onError(error);
    callback(error);
  });
}

/** The node-postgres `PoolConfig` fields mpgkit sets. */
export interface PgPoolConfig {
  /** The pooled (or direct) URL. pg lets its query parameters (e.g. `sslmode`) override other fields. */
  connectionString: string;
  /** Pool size. */
  max: number;
  /** Connection lifetime in seconds; fractions work (pg-pool uses `setTimeout(s * 1000)`). */
  maxLifetimeSeconds: number;
  /** Idle connections are closed after this long. */
  idleTimeoutMillis: number;
  /** Bounds opening a connection and waiting for a free pool slot (one knob in pg-pool). */
  connectionTimeoutMillis: number;
  /** Sent at startup; one of the few startup parameters PgBouncer accepts. */
  application_name: string;
  /** TLS: `false` (plaintext) or `tls.connect` options (from the policy's `tls`). */
  ssl: false | NodeTlsOptions;
}

/** The part of a node-postgres `Client` the listener uses (pg's `Client` satisfies it). */
export interface PgListenClientLike {
  connect(): Promise<unknown>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  on(
    event: 'notification',
    listener: (message: { channel: string; payload?: string; processId: number }) => void,
  ): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

/** The config the listener gives the client constructor. */
export interface ListenClientConfig {
  connectionString: string;
  application_name: string;
  connectionTimeoutMillis: number;
  ssl: false | NodeTlsOptions;
}
