import { clientsOf, type ScenarioContext, sleep, withApp } from './context.ts';

// Scenario 1. the policy's settings reached the driver.

/** What {@link settingsReachedDriver} saw. */
export interface SettingsOutcome {
  /** Client connections PgBouncer saw under the policy's application name. */
  clientsWithApplicationName: number;
  /** Connections (by client port and connect time) alive at the start of a steady load that were still open after lifetime + 1 s. */
  survivedPastLifetime: number;
  /** Client connections still open after idle timeout + 1 s of no queries. */
  openAfterIdle: number;
}

/**
 * Runs a steady load for longer than the policy's lifetime, then idles past the idle timeout, and reads
 * from PgBouncer which connections lived how long.
 */
export async function settingsReachedDriver(context: ScenarioContext): Promise<SettingsOutcome> {
  return withApp(context, async (app, policy) => {
    const { stack, mode } = context;
    let running = true;
    const loops = Array.from({ length: policy.poolSize }, async (_, worker) => {
      for (let n = 0; running; n++) {
        await app.echo(n, `w${worker}`);
        await sleep(5);
      }
    });
    await sleep(300);
    const first = await clientsOf(stack, mode, policy.applicationName);
    await sleep((policy.lifetime.maxSeconds + 1) * 1000);
    // A connection is its port and its connect time: a port alone can come back on a new connection (Linux's
    // default tcp_tw_reuse = 2 reuses TIME_WAIT ports for loopback connections).
    const identity = (client: { port: number; connect_time: string }) =>
      `${client.port}@${client.connect_time}`;
    const later = new Set((await clientsOf(stack, mode, policy.applicationName)).map(identity));
    running = false;
    await Promise.all(loops);
    await sleep((policy.idleTimeoutSeconds + 1) * 1000);
    const idle = await clientsOf(stack, mode, policy.applicationName);
    return {
      clientsWithApplicationName: first.length,
      survivedPastLifetime: first.filter((client) => later.has(identity(client))).length,
      openAfterIdle: idle.length,
    };
  });
}

/** What {@link oldestClientUnderLoad} saw. */
export interface ClientAgeOutcome {
  /** The oldest age (s) a client connection reached while PgBouncer still showed it open. */
  oldestSeconds: number;
  /** The policy's lifetime range, for the verdict. */
  lifetime: { minSeconds: number; maxSeconds: number };
}

/**
 * Runs a steady load (one loop per pool slot) for `seconds` and samples PgBouncer's `SHOW CLIENTS` every
 * 100 ms, tracking each client connection by port. Under a steady load every connection is acquired again
 * within milliseconds, so one PgBouncer still shows is one the pool would still hand out: the oldest age seen
 * is the lifetime the pool really gives its connections, measured on the server side.
 */
export async function oldestClientUnderLoad(
  context: ScenarioContext & { seconds: number },
): Promise<ClientAgeOutcome> {
  return withApp(context, async (app, policy) => {
    const firstSeen = new Map<number, number>();
    let oldestSeconds = 0;
    let running = true;
    const loops = Array.from({ length: policy.poolSize }, async (_, worker) => {
      for (let n = 0; running; n++) {
        await app.echo(n, `w${worker}`);
        await sleep(2);
      }
    });
    try {
      for (const until = Date.now() + context.seconds * 1000; Date.now() < until; await sleep(100)) {
        const now = Date.now();
        for (const client of await clientsOf(context.stack, context.mode, policy.applicationName)) {
          const since = firstSeen.get(client.port) ?? now;
          firstSeen.set(client.port, since);
          oldestSeconds = Math.max(oldestSeconds, (now - since) / 1000);
        }
      }
    } finally {
      running = false;
      await Promise.all(loops);
    }
    return { oldestSeconds, lifetime: policy.lifetime };
  });
}
