import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineDatabase, type Policy } from './policy/policy.ts';
import { toPgPoolConfig } from './pools/pg-pool-options.ts';
import { redactUrl } from './redact.ts';

// No surface that prints a policy, a URL or an options object ever shows a password, whatever the
// password is (any Unicode, reserved characters, spaces, newlines, equal to the user or the host), and
// wherever the URL carries it (userinfo, ?password=, ?pass%77ord= with an encoded key, as pg reads it).
const USER = 'fly-user';
const HOST = 'pgbouncer.c1.flympg.net';

const passwordArb = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }),
  fc.string({ unit: fc.constantFrom(...'@:/?#%&= +\n\t\'"\\ab9'), minLength: 1, maxLength: 16 }),
  fc.constantFrom(USER, HOST, 'fly-db', 'a b', 'line\nbreak', '%', '%E0%A4%A', 'pass%77ord'),
);
const placementArb = fc.constantFrom('userinfo', 'password-param', 'encoded-key-param');

function urlWith(password: string, placement: string, host = HOST): string {
  const encoded = encodeURIComponent(password);
  if (placement === 'userinfo') return `postgresql://${USER}:${encoded}@${host}/fly-db`;
  const key = placement === 'password-param' ? 'password' : 'pass%77ord';
  return `postgresql://${USER}@${host}/fly-db?sslmode=disable&${key}=${encoded}`;
}

function policyWith(password: string, placement: string): Policy {
  return defineDatabase({
    env: { DATABASE_URL: urlWith(password, placement) },
    poolMode: 'transaction',
    logger: { warn() {} },
    random: () => 0.5, // the same lifetimes in the baseline and the case
  });
}

// Everything a user might print.
const SURFACES: Record<string, (policy: Policy, url: string) => string> = {
  'JSON.stringify(policy)': (policy) => JSON.stringify(policy),
  'util.inspect(policy)': (policy) => inspect(policy, { depth: null }),
  'redactUrl(url)': (_, url) => redactUrl(url),
  'policy.redact(url)': (policy, url) => policy.redact(`failed: ${url}`),
  'util.inspect(toPgPoolConfig(policy))': (policy) => inspect(toPgPoolConfig(policy), { depth: null }),
  'JSON.stringify(toPgPoolConfig(policy))': (policy) => JSON.stringify(toPgPoolConfig(policy)),
};

describe('no surface prints a password (10,000 generated cases each)', () => {
  it.each(Object.keys(SURFACES))('%s', (name) => {
    const surface = SURFACES[name] as (policy: Policy, url: string) => string;
    fc.assert(
      fc.property(passwordArb, placementArb, (password, placement) => {
        const printed = surface(policyWith(password, placement), urlWith(password, placement));
        // What the surface prints with another password: a password found there is public text anyway
        // (it equals the user, the host, or a word of the output), not a leak.
        const placeholder = 'Qx7-placeholder-Qx7';
        const baseline = surface(policyWith(placeholder, placement), urlWith(placeholder, placement));
        if (!baseline.includes(password)) expect(printed).not.toContain(password);
      }),
      { numRuns: 10_000 },
    );
  });

  it('never over-redacts: a password equal to the user or the host leaves them readable', () => {
    for (const password of [USER, HOST]) {
      const shown = redactUrl(urlWith(password, 'userinfo'));
      expect(shown).toBe(`postgresql://${USER}:***@${HOST}/fly-db`);
      const policy = policyWith(password, 'userinfo');
      expect(policy.redact(`getaddrinfo ENOTFOUND ${HOST}`)).toBe(`getaddrinfo ENOTFOUND ${HOST}`);
    }
  });

  it('the driver still receives the real URL', () => {
    const config = toPgPoolConfig(policyWith('s3cret pw', 'userinfo'));
    expect(config.connectionString).toContain(encodeURIComponent('s3cret pw'));
    expect(Object.keys(config)).not.toContain('toJSON');
    expect({ ...config }.connectionString).toBe(config.connectionString);
  });

  it('negative control: an options object without the hooks prints the password', () => {
    const config = { ...toPgPoolConfig(policyWith('s3cret-pw', 'userinfo')) };
    expect(inspect(config)).toContain('s3cret-pw');
  });
});
