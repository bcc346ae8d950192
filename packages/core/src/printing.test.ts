import { inspect } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  assertNoPasswordPrinted,
  FUZZ_HOST,
  FUZZ_USER,
  printedThrough,
  urlWith,
} from '../../../test-support/password-fuzz.ts';
import { MpgkitError } from './errors.ts';
import { explainError } from './explain/explain-error.ts';
import { defineDatabase } from './policy/policy.ts';
import { resolveEndpoint } from './pools/endpoint.ts';
import { createPgPool } from './pools/pg-pool.ts';
import { toPgPoolConfig } from './pools/pg-pool-options.ts';
import { redact, redactUrl } from './redact.ts';

// No surface that prints a policy, a URL, an error or an object mpgkit builds ever shows a password,
// whatever the password is (any Unicode, controls, every reserved character, spaces, equal to the user or
// the host), however it is written (percent-encoded, or raw as users paste it), and wherever the URL carries
// it (userinfo, ?password=, ?pass%77ord= with an encoded key, as pg reads it). A URL mpgkit cannot read
// safely is refused with a typed error that does not echo it.
const USER = FUZZ_USER;
const HOST = FUZZ_HOST;

/** Everything a user might print, for one URL: each surface's text, or the typed error that refused the URL. */
const printed = printedThrough(
  (policy, url) => {
    const pool = createPgPool(policy, pg.Pool);
    const endpoint = resolveEndpoint(policy);
    const surfaces = {
      'JSON.stringify(policy)': JSON.stringify(policy),
      'util.inspect(policy)': inspect(policy, { depth: null }),
      'policy.budgetSummary()': String(policy.budgetSummary()),
      'redactUrl(url)': redactUrl(url),
      'redact(free text)': redact(`connect failed: ${url} (retrying)`),
      'policy.redact(url)': policy.redact(`failed: ${url}`),
      'util.inspect(toPgPoolConfig(policy))': inspect(toPgPoolConfig(policy), { depth: null }),
      'JSON.stringify(toPgPoolConfig(policy))': JSON.stringify(toPgPoolConfig(policy)),
      'util.inspect(pool)': inspect(pool, { depth: 4 }),
      'util.inspect(pool.options)': inspect(pool.options, { depth: null }),
      'JSON.stringify(pool.options)': JSON.stringify(pool.options),
      'util.inspect(endpoint)': inspect(endpoint),
      'JSON.stringify(endpoint)': JSON.stringify(endpoint),
      'explainError(error naming the url)': JSON.stringify(explainError(new Error(`ECONNREFUSED ${url}`))),
    };
    void pool.end();
    return surfaces;
  },
  // A URL the policy refuses: the typed error, every way it prints, and what redaction makes of the URL.
  (error, url) => ({
    'error.message': error.message,
    'util.inspect(error)': inspect(error, { depth: null }),
    'JSON.stringify(error)': JSON.stringify(error),
    'String(error)': String(error),
    'redactUrl(url)': redactUrl(url),
    'redact(free text)': redact(`connect failed: ${url} (retrying)`),
  }),
);

describe('no surface prints a password (10,000 generated passwords × every surface)', () => {
  it('property: 0 leaks, 0 untyped errors', { timeout: 120_000 }, () => {
    assertNoPasswordPrinted(printed);
  });

  it.each([
    ['#secret', 'fragment'],
    ['123?secret', 'query'],
    ['/secret', 'path'],
    ['pa\tss', 'a tab'],
    ['pa\nss', 'a line break'],
  ])(
    "a raw password like %j (which lands in the URL's %s) is refused with a typed error that says to percent-encode it",
    (password) => {
      const error = (() => {
        try {
          defineDatabase({ env: { DATABASE_URL: urlWith(password, 'raw-userinfo') }, logger: { warn() {} } })
            .urls;
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(error).toBeInstanceOf(MpgkitError);
      expect(error).toMatchObject({ code: 'INVALID_CONNECTION_URL' });
      expect((error as Error).message).toMatch(/percent-encode/i);
      expect((error as Error).message).not.toContain('secret');
    },
  );

  it('never over-redacts: a password equal to the user or the host leaves them readable', () => {
    for (const password of [USER, HOST]) {
      const shown = redactUrl(urlWith(password, 'userinfo'));
      expect(shown).toBe(`postgresql://${USER}:***@${HOST}/fly-db`);
      const policy = defineDatabase({
        env: { DATABASE_URL: urlWith(password, 'userinfo') },
        logger: { warn() {} },
      });
      expect(policy.redact(`getaddrinfo ENOTFOUND ${HOST}`)).toBe(`getaddrinfo ENOTFOUND ${HOST}`);
    }
  });

  it('the driver still receives the real URL', () => {
    const policy = defineDatabase({
      env: { DATABASE_URL: urlWith('s3cret pw', 'userinfo') },
      logger: { warn() {} },
    });
    const config = toPgPoolConfig(policy);
    expect(config.connectionString).toContain(encodeURIComponent('s3cret pw'));
    expect(Object.keys(config)).not.toContain('toJSON');
    expect({ ...config }.connectionString).toBe(config.connectionString);
    const pool = createPgPool(policy, pg.Pool);
    expect((pool.options as { connectionString: string }).connectionString).toBe(config.connectionString);
    void pool.end();
  });

  it('negative control: pg-pool copies the config, and the copy without the hooks prints the password', () => {
    const policy = defineDatabase({
      env: { DATABASE_URL: urlWith('s3cret-pw', 'userinfo') },
      logger: { warn() {} },
    });
    const pool = new pg.Pool(toPgPoolConfig(policy));
    expect(inspect(pool.options)).toContain('s3cret-pw');
    expect(inspect({ ...toPgPoolConfig(policy) })).toContain('s3cret-pw');
    void pool.end();
  });
});
