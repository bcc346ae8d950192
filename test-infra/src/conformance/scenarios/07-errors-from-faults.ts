import { classifyError, defineDatabase } from '@mpgkit/core';
import type { AppClient } from '../subject.ts';
import { load, optionsFor, quiet, type ScenarioContext, sleep, withApp } from './context.ts';

// Scenario 7. errors from real faults, through the ORM, classified.

/** One error a fault produced through the subject, as {@link errorsFromFaults} captured it. */
export interface CapturedError {
  /** The fault that produced it. */
  fault: 'wrong password' | 'login cut by a stopped PgBouncer' | 'backend terminated in flight';
  /** What classifyError says of the error object as thrown. */
  classification: { id: string | undefined; phase: string | undefined; retrySafe: boolean };
  /** The error as plain data (message, name, codes, cause chain), passwords removed: for the corpus. */
  error: unknown;
}

// The suite's connect timeout is 5 s: an answer must come before it, plus the proxy's retry.
const LOGIN_CUT_WAIT_MS = 8_000;

/**
 * A wrong password, a login cut by a stopped PgBouncer, and a backend terminated while a query is in flight,
 * each through the subject's own query path; returns the errors as the ORM threw them, with their
 * classification.
 */
export async function errorsFromFaults(context: ScenarioContext): Promise<CapturedError[]> {
  const { stack, mode } = context;
  const options = optionsFor(context);
  const module = await load(context.subject);
  const captured: CapturedError[] = [];
  const record = (fault: CapturedError['fault'], error: unknown) =>
    captured.push({
      fault,
      classification: (({ id, phase, retrySafe }) => ({ id, phase, retrySafe }))(classifyError(error)),
      error: plainError(error, stack.secrets()),
    });

  // A wrong password: the pooled URL with another password.
  const url = new URL(stack.url(mode));
  url.password = 'not-the-password';
  const wrong = defineDatabase({
    ...options,
    env: { ...(options.env ?? {}), DATABASE_URL: url.href },
    logger: quiet,
  });
  let app: AppClient | undefined;
  try {
    app = await module.createAppClient(wrong);
    await app.echo(1, 'x');
    throw new Error('a wrong password was accepted');
  } catch (error) {
    record('wrong password', error);
  } finally {
    await app?.close().catch(() => undefined);
  }

  // A login cut: PgBouncer stopped behind the proxy, which accepts the client's connection and then closes it
  // while the client waits for the login's answer. Nothing of the work was sent: every adapter must say so.
  // The client is built with PgBouncer stopped, as an app starting during the outage would be (TypeORM's
  // DataSource connects when it initializes, the others on the first query).
  await stack.stop(mode);
  let cut: AppClient | undefined;
  try {
    const policy = defineDatabase({ ...optionsFor(context), logger: quiet });
    const attempt = async () => {
      cut = await module.createAppClient(policy);
      await cut.echo(1, 'x');
      return new Error('a query succeeded with PgBouncer stopped');
    };
    record(
      'login cut by a stopped PgBouncer',
      await Promise.race([
        attempt().catch((error: unknown) => error),
        sleep(LOGIN_CUT_WAIT_MS).then(
          () => new Error(`no answer within ${LOGIN_CUT_WAIT_MS} ms with PgBouncer stopped`),
        ),
      ]),
    );
  } finally {
    await stack.start(mode);
    await Promise.race([cut?.close().catch(() => undefined), sleep(2_000)]);
  }

  // A backend terminated while the subject's query sleeps on it.
  await withApp(context, async (client, policy) => {
    await client.echo(1, 'warm');
    const inFlight = client.sleep(3).then(
      () => new Error('the query survived its backend'),
      (error: unknown) => error,
    );
    await sleep(300);
    await stack.terminateBackends({ applicationName: policy.applicationName });
    record('backend terminated in flight', await inFlight);
  });
  return captured;
}

// An error as plain JSON-able data: the fields classifiers read, through the wrappers ORMs put around
// driver errors (cause, driverError, meta), secrets removed.
function plainError(error: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof error === 'string')
    return secrets.reduce((text, secret) => text.split(secret).join('***'), error);
  if (typeof error !== 'object' || error === null || depth > 4) {
    return typeof error === 'function' ? undefined : error;
  }
  const source = error as Record<string, unknown>;
  const keys = new Set([...Object.keys(source), 'name', 'message', 'code', 'cause']);
  const plain: Record<string, unknown> = {};
  for (const key of keys) {
    if (key === 'stack' || !(key in source)) continue;
    const value = plainError(source[key], secrets, depth + 1);
    if (value !== undefined) plain[key] = value;
  }
  return plain;
}
