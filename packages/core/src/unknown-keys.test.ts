import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolvePlan } from './budget/plans.ts';
import { isMpgkitError, MpgkitErrorCode } from './errors.ts';
import { retry } from './explain/retry.ts';
import { POLICY_DEFAULTS } from './policy/database-options.ts';
import { defineDatabase } from './policy/policy.ts';
import { defineTemplate } from './policy/policy-template.ts';
import { createListener } from './pools/listener.ts';
import { createPgPool } from './pools/pg-pool.ts';
import { closestName } from './unknown-keys.ts';

const env = {
  DATABASE_URL: 'postgresql://u:pw-secret@localhost:6432/db',
  DIRECT_DATABASE_URL: 'postgresql://u:pw-secret@localhost:5432/db',
};
const policy = defineDatabase({ env });

// createPgPool and createListener refuse before they build anything: these classes are never constructed.
class NeverPool {
  constructor() {
    throw new Error('the pool was built despite an unknown option');
  }
}
class NeverClient {
  constructor() {
    throw new Error('the client was built despite an unknown option');
  }
}

/** Every options object mpgkit's core takes, with `extra` added to a valid one. */
const SURFACES: Record<string, (extra: Record<string, unknown>) => unknown> = {
  defineDatabase: (extra) => defineDatabase({ env, ...extra }),
  'defineDatabase fleet group': (extra) =>
    defineDatabase({ env, fleet: { web: { machines: 1, poolSize: 2, ...extra } } }),
  'defineDatabase fleet pool': (extra) =>
    defineDatabase({
      env,
      fleet: { web: { machines: 1, poolSize: 2, pools: { r: { size: 1, ...extra } } } },
    }),
  'defineDatabase tls': (extra) => defineDatabase({ env, tls: { mode: 'disable', ...extra } }),
  defineTemplate: (extra) => defineTemplate('org', { poolMode: 'transaction', ...extra }),
  'a custom plan': (extra) => resolvePlan({ maxClientConnections: 10, maxDatabaseConnections: 5, ...extra }),
  createPgPool: (extra) => createPgPool(policy, NeverPool as never, { target: 'pooled', ...extra }),
  createListener: (extra) =>
    createListener(policy, NeverClient as never, { channels: ['c'], onNotification: () => {}, ...extra }),
  retry: (extra) => retry(async () => 1, { attempts: 1, ...extra }),
};

async function errorOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('unknown option keys', () => {
  it.each([
    ['poolmode', 'poolMode'],
    ['poolSzie', 'poolSize'],
    ['maxLifeTimeSeconds', 'maxLifetimeSeconds'],
    ['drainWindow', 'drainWindowSeconds'],
  ])('defineDatabase({ %s }) names %s', (key, closest) => {
    expect(() => defineDatabase({ env, [key]: 1 } as never)).toThrow(
      expect.objectContaining({
        code: MpgkitErrorCode.InvalidOption,
        message: expect.stringContaining(`no option "${key}". Did you mean "${closest}"?`),
      }),
    );
  });

  it('negative control: without the check, a typo would leave session mode in force', () => {
    // What the typo intended, and what the default is: the reason the key must be refused.
    expect(POLICY_DEFAULTS.poolMode).toBe('session');
    expect(defineDatabase({ env, poolMode: 'transaction' }).poolMode).toBe('transaction');
  });

  it('suggests nothing for a key that resembles no option', () => {
    expect(closestName('zzzzzzzz', ['poolMode', 'poolSize'])).toBeUndefined();
    expect(closestName('POOLMODE', ['poolMode'])).toBe('poolMode');
  });

  it('never echoes a URL password given as a key', async () => {
    const error = await errorOf(() => SURFACES.defineDatabase?.({ 'postgresql://u:hunter22@h/db': 1 }));
    expect(isMpgkitError(error)).toBe(true);
    expect(String((error as Error).message)).not.toContain('hunter22');
  });

  it('every valid key of every surface is accepted (the known-key tables are complete for what they see)', async () => {
    for (const [name, run] of Object.entries(SURFACES)) {
      const error = await errorOf(() => run({}));
      // The two builders fail on the never-built classes, after the check.
      if (name === 'createPgPool' || name === 'createListener') expect(String(error)).toMatch(/was built/);
      else expect(error, name).toBeUndefined();
    }
  });

  it('property: any key a surface does not have is refused with a typed error naming it (2,000 keys × 9 surfaces)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,30}$/),
          fc.string({ unit: 'grapheme', maxLength: 60 }),
        ),
        async (key) => {
          fc.pre(key !== '__proto__');
          for (const [name, run] of Object.entries(SURFACES)) {
            const error = await errorOf(() => run({ [key]: 1 }));
            if (
              isMpgkitError(error) &&
              error.code === MpgkitErrorCode.InvalidOption &&
              error.message.includes('has no option')
            ) {
              if (/^[a-zA-Z0-9_]+$/.test(key)) expect(error.message, name).toContain(`"${key}"`);
              expect(error.details?.field, name).toBeDefined();
              continue;
            }
            // Not refused as unknown: it must be a key the surface really has.
            expect(VALID_KEYS[name]?.has(key), `${name} accepted unknown key ${JSON.stringify(key)}`).toBe(
              true,
            );
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

// The keys each surface really has, for the property above: a generated key that is one of them is fine.
const VALID_KEYS: Record<string, Set<string>> = {
  defineDatabase: new Set([
    'env',
    'pooledEnvVar',
    'directEnvVar',
    'pooledUrl',
    'directUrl',
    'database',
    'user',
    'password',
    'tls',
    'poolMode',
    'plan',
    'fleet',
    'deploy',
    'directConnections',
    'directConnectionLimit',
    'budgetShare',
    'budgetCheck',
    'processGroup',
    'poolSize',
    'drainWindowSeconds',
    'maxLifetimeSeconds',
    'lifetimeJitter',
    'idleTimeoutSeconds',
    'connectTimeoutSeconds',
    'poolTimeoutSeconds',
    'applicationName',
    'transactionModeGuard',
    'logger',
    'meter',
    'perQueryMetrics',
    'random',
  ]),
  'defineDatabase fleet group': new Set(['machines', 'poolSize', 'processesPerMachine', 'pools']),
  'defineDatabase fleet pool': new Set(['size', 'route', 'user', 'database']),
  'defineDatabase tls': new Set(['mode', 'ca']),
  'a custom plan': new Set([
    'name',
    'maxClientConnections',
    'maxDatabaseConnections',
    'reservePool',
    'poolSizePerPair',
  ]),
  createPgPool: new Set(['target', 'max', 'role', 'onError', 'perConnectionJitter', 'connectBackoff']),
  createListener: new Set([
    'channels',
    'onNotification',
    'onError',
    'handoverTimeoutMs',
    'baseDelayMs',
    'maxDelayMs',
  ]),
  retry: new Set(['attempts', 'baseDelayMs', 'maxDelayMs', 'idempotent', 'onRetry', 'meter', 'random']),
};
VALID_KEYS.defineTemplate = VALID_KEYS.defineDatabase as Set<string>;
