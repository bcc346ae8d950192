import { classifyError, defineDatabase } from '@mpgkit/core';
import type { TlsMode } from '@mpgkit/core/adapter';
import { createCertificateAuthority } from '../../certificates.ts';
import { tlsByApplication } from '../../probes.ts';
import { scaledPolicyOptions } from '../scaled-policy.ts';
import type { AppClient } from '../subject.ts';
import { clientsOf, load, nextSequence, quiet, type ScenarioContext } from './context.ts';

// Scenario 8. TLS, as the servers see it.

/** What {@link tlsAsServersSeeIt} saw. */
export interface TlsOutcome {
  /** Per mode: whether each of the app's connections was encrypted (`pg_stat_ssl`), and the migration client's. */
  byMode: Record<TlsMode, { app: boolean[]; migration: boolean | undefined }>;
  /** Through PgBouncer: the `tls` column of SHOW CLIENTS for the app's connections, under verify-full and disable. */
  pooler: { 'verify-full': string[]; disable: string[] };
  /** How the first query failed with `verify-full` against another CA, and against a name the certificate lacks. */
  refused: { wrongCa: string | undefined; wrongHost: string | undefined };
}

/**
 * Builds the subject's app and migration clients under each TLS mode (the stack's CA given for the verifying
 * ones), runs a query, and reads from PostgreSQL's `pg_stat_ssl` whether their connections were encrypted.
 * The app's URL is the proxy's direct route here, so PostgreSQL sees the app's own connections (through
 * PgBouncer it would see PgBouncer's); PgBouncer's view is read separately. Then `verify-full` meets a CA that
 * did not sign the server's certificate, and a host name (`localhost`) that the certificate does not name.
 */
export async function tlsAsServersSeeIt(context: Omit<ScenarioContext, 'mode'>): Promise<TlsOutcome> {
  const { stack } = context;
  const module = await load(context.subject);
  const ca = stack.state.tls.caFile;
  const base = (name: string, pooledUrl: string, tls: { mode: TlsMode; ca?: string }) => ({
    ...scaledPolicyOptions(stack, 'session', name),
    env: {},
    pooledUrl,
    directUrl: stack.url('direct', { bypassProxy: true }),
    tls,
  });

  const byMode = {} as TlsOutcome['byMode'];
  for (const mode of ['disable', 'require', 'verify-ca', 'verify-full'] as const) {
    const name = `${context.subject.name}-tls-${mode}-${nextSequence()}`
      .replace(/[^\w.-]/g, '_')
      .slice(0, 50);
    const policy = defineDatabase({ ...base(name, stack.url('direct'), { mode, ca }), logger: quiet });
    const app = await module.createAppClient(policy);
    let migration: boolean | undefined;
    try {
      await app.echo(1, mode);
      const seen = await tlsByApplication(stack, name);
      if (module.createMigrationClient !== undefined) {
        const client = await module.createMigrationClient(policy);
        try {
          const [row] = await client.query<{ ssl: boolean }>(
            'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
          );
          migration = row?.ssl;
        } finally {
          await client.close();
        }
      }
      byMode[mode] = { app: seen, migration };
    } finally {
      await app.close();
    }
  }

  const pooler = { 'verify-full': [] as string[], disable: [] as string[] };
  for (const mode of ['verify-full', 'disable'] as const) {
    const name = `${context.subject.name}-tlspool-${mode}-${nextSequence()}`
      .replace(/[^\w.-]/g, '_')
      .slice(0, 50);
    const policy = defineDatabase({ ...base(name, stack.url('session'), { mode, ca }), logger: quiet });
    const app = await module.createAppClient(policy);
    try {
      await app.echo(1, mode);
      pooler[mode] = (await clientsOf(stack, 'session', name)).map((client) => client.tls);
    } finally {
      await app.close();
    }
  }

  const firstQueryError = async (name: string, pooledUrl: string, tlsCa: string) => {
    const policy = defineDatabase({
      ...base(name, pooledUrl, { mode: 'verify-full', ca: tlsCa }),
      logger: quiet,
    });
    let app: AppClient | undefined;
    try {
      app = await module.createAppClient(policy);
      await app.echo(1, 'refused?');
      return undefined;
    } catch (error) {
      return classifyError(error).id;
    } finally {
      await app?.close().catch(() => undefined);
    }
  };
  const run = nextSequence();
  const other = createCertificateAuthority(stack.state.dir, `other-ca-${run}`);
  return {
    byMode,
    pooler,
    refused: {
      wrongCa: await firstQueryError(`tls-wrong-ca-${run}`, stack.url('direct'), other.certFile),
      wrongHost: await firstQueryError(
        `tls-wrong-host-${run}`,
        stack.url('direct', { host: 'localhost' }),
        ca,
      ),
    },
  };
}
