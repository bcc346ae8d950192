import type { Policy } from '@mpgkit/core';
import { type NodeTlsOptions, type ResolvedTls, toPostgresJsSsl } from '@mpgkit/core/adapter';

// How the commands that talk to the database (doctor, connections) load pg and connect: as the app would, with
// the policy's TLS and connect timeout, under an application_name of their own.

/** The pg Client parts the commands use. */
export interface PgClient {
  connect(): Promise<unknown>;
  query(sql: string): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  connection?: { stream?: { encrypted?: boolean; getProtocol?: () => string | null } };
  /** The pid of the server's BackendKeyData: Postgres sends its own; PgBouncer makes up one of its own. */
  processID?: number | null;
}

/** The pg module, structurally. */
export type PgModule = { Client: new (config: Record<string, unknown>) => PgClient };

/**
 * Loads pg (a dependency of the CLI); says what to install when it is missing.
 *
 * @example
 * ```ts
 * const pg = await loadPg('mpgkit doctor');
 * ```
 */
export async function loadPg(command: string): Promise<PgModule> {
  try {
    const module = (await import('pg')) as unknown as { default?: PgModule } & PgModule;
    return module.default ?? module;
  } catch {
    throw new Error(`${command} connects with the pg package, which is not installed here: pnpm add -D pg`);
  }
}

/**
 * Connects one client to a URL of the policy, with the policy's TLS for that URL and its connect timeout.
 *
 * @example
 * ```ts
 * const client = await connect(pg, policy, policy.urls.pooled, 'mpgkit-doctor');
 * ```
 */
export async function connect(
  pg: PgModule,
  policy: Policy,
  url: string,
  applicationName: string,
): Promise<PgClient> {
  const tls = url === policy.urls.direct ? policy.tls.direct : policy.tls.pooled;
  const client = new pg.Client({
    connectionString: url,
    ssl: sslFor(tls),
    connectionTimeoutMillis: Math.round(policy.connectTimeoutSeconds * 1000),
    application_name: applicationName,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

// The policy's TLS, as the adapters would use it. `prefer` is a postgres.js-only mode; pg cannot fall back,
// so the command connects as postgres.js would once TLS is offered (the doctor's TLS check says whether it is).
function sslFor(tls: ResolvedTls | undefined): false | NodeTlsOptions {
  if (tls === undefined) return false;
  const ssl = toPostgresJsSsl(tls);
  return ssl === 'prefer' ? { rejectUnauthorized: false } : ssl;
}
