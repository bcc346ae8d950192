import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../test/thrown.ts';
import { MpgkitErrorCode } from '../errors.ts';
import { defineDatabase } from '../policy/policy.ts';
import { redact, redactUrl } from '../redact.ts';
import {
  classifyConnectionUrl,
  deriveDirectUrl,
  PRISMA_URL_PARAMS,
  removeQueryParams,
  resolveConnectionUrls,
  withCredentials,
  withDatabase,
} from './connection-url.ts';
import { parseConnectionUrl } from './parse-connection-url.ts';

const pooled = 'postgresql://fly-user:s3cr3t-pw@pgbouncer.my-cluster.flympg.net/fly-db';
const direct = 'postgresql://fly-user:s3cr3t-pw@direct.my-cluster.flympg.net/fly-db';

describe('parseConnectionUrl', () => {
  it.each([
    [undefined, MpgkitErrorCode.MissingEnvVar, 'DATABASE_URL is not set'],
    ['   ', MpgkitErrorCode.MissingEnvVar, 'DATABASE_URL is empty'],
    ['not a url at all', MpgkitErrorCode.InvalidConnectionUrl, 'is not a URL'],
    ['mysql://u:p@h/db', MpgkitErrorCode.InvalidConnectionUrl, 'uses mysql:'],
    ['postgresql://u:p@/db', MpgkitErrorCode.InvalidConnectionUrl, 'has no host'],
    [
      'postgresql://u:pw@h/%E0%A4%A',
      MpgkitErrorCode.InvalidConnectionUrl,
      'database name that is not valid percent-encoding',
    ],
    [
      'postgresql://u:p%ZZw@h/db',
      MpgkitErrorCode.InvalidConnectionUrl,
      'password that is not valid percent-encoding',
    ],
    ['postgresql://u:p#w@host/db', MpgkitErrorCode.InvalidConnectionUrl, 'is not a valid URL'],
    ['postgresql:///db', MpgkitErrorCode.InvalidConnectionUrl, 'has no host'],
    ['postgresql://u:p@host', MpgkitErrorCode.InvalidConnectionUrl, 'names no database'],
    ['postgresql://u:p@host/', MpgkitErrorCode.InvalidConnectionUrl, 'names no database'],
  ])('%j → %s', (value, code, message) => {
    const error = thrown(() => parseConnectionUrl(value, 'DATABASE_URL'));
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
    expect(error.message).toContain('DATABASE_URL');
  });

  it('accepts postgres:// and postgresql://', () => {
    expect(parseConnectionUrl('postgres://u@h/db').hostname).toBe('h');
    expect(parseConnectionUrl(pooled).pathname).toBe('/fly-db');
  });

  it('accepts what pg accepts: no host before the path when ?host= names one', () => {
    const url = 'postgresql://u@/db?host=/var/run/postgresql';
    expect(resolveConnectionUrls({ env: { DATABASE_URL: url } }).pooled).toBe(url);
  });

  it('never throws an untyped error, whatever the text (10,000 cases)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((text) => `postgresql://${text}`),
          fc.tuple(fc.string(), fc.string(), fc.string()).map(([u, h, d]) => `postgresql://${u}@${h}/${d}`),
        ),
        (value) => {
          try {
            resolveConnectionUrls({ env: { DATABASE_URL: value } });
          } catch (error) {
            expect(error).toMatchObject({ name: 'MpgkitError' });
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('accepts a Unix socket given as ?host=', () => {
    expect(parseConnectionUrl('postgresql:///db?host=/var/run/postgresql').searchParams.get('host')).toBe(
      '/var/run/postgresql',
    );
  });
});

describe('classify and derive', () => {
  it.each([
    [pooled, 'pooled'],
    [direct, 'direct'],
    ['postgresql://u:p@PGBOUNCER.Other.flympg.net/db', 'pooled'],
    ['postgresql://u:p@localhost:6432/db', 'pooled'],
    ['postgresql://u:p@localhost:5432/db', 'unknown'],
    ['postgresql://u:p@pgbouncer.example.com/db', 'unknown'],
  ])('%s is %s', (url, target) => {
    expect(classifyConnectionUrl(url)).toBe(target);
  });

  it('derives the direct URL from an MPG pooled URL, keeping everything else', () => {
    expect(deriveDirectUrl(`${pooled}?sslmode=require`)).toBe(`${direct}?sslmode=require`);
  });

  it('derives it from a pooled host in any case, as the lower-case direct host', () => {
    expect(deriveDirectUrl('postgresql://u:p@PGBouncer.My-Cluster.flympg.NET/db')).toBe(
      'postgresql://u:p@direct.my-cluster.flympg.net/db',
    );
  });

  it('derives nothing for other hosts', () => {
    expect(deriveDirectUrl('postgresql://u:p@db.example.com/app')).toBeUndefined();
    expect(deriveDirectUrl(direct)).toBeUndefined();
  });
});

describe('switching database and user', () => {
  it('withDatabase changes only the database', () => {
    expect(withDatabase(pooled, 'reports')).toBe(pooled.replace('/fly-db', '/reports'));
  });
  it('withCredentials sets user and password, encoding them', () => {
    const url = new URL(withCredentials(pooled, 'app writer', 'p@ss/word'));
    expect(decodeURIComponent(url.username)).toBe('app writer');
    expect(decodeURIComponent(url.password)).toBe('p@ss/word');
  });
  it('withCredentials without a password drops the old one', () => {
    expect(new URL(withCredentials(pooled, 'reader')).password).toBe('');
  });
  it.each(['', 'a/b'])('withDatabase rejects %j', (name) => {
    expect(thrown(() => withDatabase(pooled, name)).code).toBe(MpgkitErrorCode.InvalidOption);
  });
});

describe('removeQueryParams', () => {
  it('strips Prisma parameters and reports them', () => {
    const result = removeQueryParams(
      `${pooled}?pgbouncer=true&connection_limit=10&sslmode=require`,
      PRISMA_URL_PARAMS,
    );
    expect(result.url).toBe(`${pooled}?sslmode=require`);
    expect(result.removed).toEqual(['pgbouncer', 'connection_limit']);
  });
});

describe('resolveConnectionUrls', () => {
  it('reads DATABASE_URL and DIRECT_DATABASE_URL', () => {
    const urls = resolveConnectionUrls({ env: { DATABASE_URL: pooled, DIRECT_DATABASE_URL: direct } });
    expect(urls).toMatchObject({ pooled, direct, directSource: 'env', pooledTarget: 'pooled', warnings: [] });
  });

  it('derives the direct URL on MPG when it is not set', () => {
    expect(resolveConnectionUrls({ env: { DATABASE_URL: pooled } })).toMatchObject({
      direct,
      directSource: 'derived',
    });
  });

  it('leaves the direct URL unknown elsewhere', () => {
    const urls = resolveConnectionUrls({ env: { DATABASE_URL: 'postgresql://u:p@db.local/app' } });
    expect(urls).toMatchObject({ direct: undefined, directSource: 'none' });
  });

  it('honours renamed variables (fly mpg attach --variable-name)', () => {
    const urls = resolveConnectionUrls({
      env: { PG_URL: pooled, PG_DIRECT: direct },
      pooledEnvVar: 'PG_URL',
      directEnvVar: 'PG_DIRECT',
    });
    expect(urls.direct).toBe(direct);
    expect(thrown(() => resolveConnectionUrls({ env: {}, pooledEnvVar: 'PG_URL' })).message).toContain(
      'PG_URL',
    );
  });

  it('switches database and user on both URLs', () => {
    const urls = resolveConnectionUrls({
      env: { DATABASE_URL: pooled },
      database: 'reports',
      user: 'reader',
      password: 'pw2',
    });
    expect(new URL(urls.pooled).pathname).toBe('/reports');
    expect(new URL(urls.direct!).username).toBe('reader');
  });

  it('refuses a direct URL that points at PgBouncer', () => {
    const error = thrown(() =>
      resolveConnectionUrls({ env: { DATABASE_URL: pooled, DIRECT_DATABASE_URL: pooled } }),
    );
    expect(error.code).toBe(MpgkitErrorCode.WrongConnectionTarget);
    expect(error.message).toContain('DIRECT_DATABASE_URL');
    expect(error.message).not.toContain('s3cr3t-pw');
  });

  it('warns when the app URL bypasses PgBouncer', () => {
    expect(resolveConnectionUrls({ env: { DATABASE_URL: direct } }).warnings[0]).toContain(
      'bypasses PgBouncer',
    );
  });

  it('collects the passwords for redaction', () => {
    expect(resolveConnectionUrls({ env: { DATABASE_URL: pooled } }).secrets).toContain('s3cr3t-pw');
  });
});

// Passwords that cannot occur by chance elsewhere in a URL or message.
const passwordArb = fc
  .string({ unit: 'grapheme', minLength: 6, maxLength: 24 })
  .map((s) => `Zq9${s}`)
  .filter((s) => s.trim() === s);

describe('redaction (properties)', () => {
  it('redactUrl never shows the password, raw or encoded', () => {
    fc.assert(
      fc.property(passwordArb, (password) => {
        const url = `postgresql://fly-user:${encodeURIComponent(password)}@pgbouncer.c1.flympg.net/fly-db`;
        const shown = redactUrl(url);
        expect(shown).not.toContain(password);
        expect(shown).not.toContain(encodeURIComponent(password));
        expect(shown).toContain('pgbouncer.c1.flympg.net');
      }),
    );
  });

  it('redact() removes raw (unencoded) passwords from free text too', () => {
    fc.assert(
      fc.property(
        passwordArb.filter((p) => !/\s/.test(p)),
        (password) => {
          const text = `connect to postgres://app:${password}@db.internal:5432/app failed; password=${password}`;
          expect(redact(text)).not.toContain(password);
        },
      ),
    );
  });

  it('no error from parsing or resolving ever contains the password', () => {
    const brokenArb = fc.constantFrom(
      (p: string) => `postgresql://u:${p}@/db`,
      (p: string) => `postgresql://u:${p}@host`,
      (p: string) => `mysql://u:${p}@host/db`,
      (p: string) => `u:${p}@host/db`,
      (p: string) => `postgresql://u:${p}@pgbouncer.c.flympg.net/db`, // as a direct URL: wrong target
    );
    fc.assert(
      fc.property(passwordArb, brokenArb, (password, build) => {
        const value = build(encodeURIComponent(password));
        const env = { DATABASE_URL: 'postgresql://a:b@h/db', DIRECT_DATABASE_URL: value };
        const raw = build(password);
        for (const attempt of [
          () => parseConnectionUrl(value, 'DATABASE_URL'),
          () => resolveConnectionUrls({ env }),
          () => parseConnectionUrl(raw, 'DATABASE_URL'),
        ]) {
          try {
            attempt();
          } catch (error) {
            const message = String((error as Error).message);
            expect(message).not.toContain(password);
            expect(message).not.toContain(encodeURIComponent(password));
          }
        }
      }),
    );
  });

  it('derivation keeps the password intact (it is needed to connect)', () => {
    fc.assert(
      fc.property(passwordArb, fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), (password, cluster) => {
        const url = `postgresql://u:${encodeURIComponent(password)}@pgbouncer.${cluster}.flympg.net/fly-db`;
        const derived = new URL(deriveDirectUrl(url)!);
        expect(derived.hostname).toBe(`direct.${cluster}.flympg.net`);
        expect(decodeURIComponent(derived.password)).toBe(password);
      }),
    );
  });
});

describe('a direct URL that is not direct', () => {
  it.each([
    [pooled, 'the same URL'],
    [`${pooled}?sslmode=require`, 'the same endpoint with other parameters'],
    [
      'postgresql://other-user:pw2@PGBOUNCER.my-cluster.flympg.net:5432/fly-db',
      'another user, explicit default port',
    ],
  ])('is refused when DIRECT_DATABASE_URL is %s (%s)', (directUrl) => {
    const error = thrown(() =>
      resolveConnectionUrls({ env: { DATABASE_URL: pooled, DIRECT_DATABASE_URL: directUrl } }),
    );
    expect(error.code).toBe(MpgkitErrorCode.WrongConnectionTarget);
    expect(error.message).toContain('same host, port and database');
    expect(error.message).not.toContain('s3cr3t-pw');
  });

  it('is accepted when anything about the endpoint differs (another local port, as on the test stack)', () => {
    const local = 'postgresql://u:pw@127.0.0.1:16432/fly-db';
    expect(
      resolveConnectionUrls({
        env: { DATABASE_URL: local, DIRECT_DATABASE_URL: local.replace('16432', '15432') },
      }).direct,
    ).toContain(':15432');
  });
});

describe('URLs whose reading differs between drivers are read as they read them, or refused', () => {
  it('a duplicated sslmode counts as its last value, as libpq, pg and postgres.js read it', () => {
    const urls = resolveConnectionUrls({
      env: { DATABASE_URL: 'postgresql://u:p@db.example.com/app?sslmode=disable&sslmode=verify-full' },
    });
    expect(urls.tls.pooled.mode).toBe('verify-full');
  });

  it('a remote host with ?host= naming another (a loopback address) is refused: pg and postgres.js would dial different hosts', () => {
    const error = thrown(() =>
      parseConnectionUrl('postgresql://u:pw@db.example.com/app?host=127.0.0.1', 'DATABASE_URL'),
    );
    expect(error).toMatchObject({ code: 'INVALID_CONNECTION_URL' });
    expect((error as Error).message).toMatch(/more than one host/);
    expect((error as Error).message).not.toContain('pw@');
  });

  it('?host= with no host after @ (a socket) and the same host twice stay accepted', () => {
    expect(() => parseConnectionUrl('postgresql://u@/app?host=/run/postgresql')).not.toThrow();
    expect(() => parseConnectionUrl('postgresql://u@db.example.com/app?host=DB.example.com')).not.toThrow();
  });

  it('an MPG host written with a trailing dot is still MPG: the direct URL is derived', () => {
    const urls = resolveConnectionUrls({
      env: { DATABASE_URL: 'postgresql://u:p@pgbouncer.c1.flympg.net./fly-db' },
    });
    expect(urls.directSource).toBe('derived');
    expect(urls.pooledTarget).toBe('pooled');
  });

  it('a percent-encoded socket directory as host (pg reads it as a socket) is local: no TLS to a bogus name', () => {
    const urls = resolveConnectionUrls({
      env: { DATABASE_URL: 'postgresql://u@%2Fvar%2Frun%2Fpostgresql/db' },
    });
    expect(urls.tls.pooled).toMatchObject({ mode: 'disable', local: true, host: '/var/run/postgresql' });
  });
});

describe('property: hosts and repeated parameters (fast-check)', () => {
  const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
  const remoteHost = fc.tuple(label, label).map(([a, b]) => `${a}.${b}.example.com`);
  const localHost = fc.constantFrom('127.0.0.1', 'localhost', '::1', '/run/postgresql');
  const modes = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

  it('two different hosts, one of them remote, are always refused with a typed error; one host never is', () => {
    fc.assert(
      fc.property(
        remoteHost,
        fc.oneof(
          remoteHost,
          localHost,
          remoteHost.map((h) => h.toUpperCase()),
        ),
        fc.boolean(),
        (remote, other, swap) => {
          const [after, query] = swap
            ? [other.startsWith('/') ? 'h.example.com' : other, remote]
            : [remote, other];
          const url = `postgresql://u:pw@${after.includes(':') ? `[${after}]` : after}/db?host=${encodeURIComponent(query)}`;
          if (after.toLowerCase() === query.toLowerCase())
            expect(() => parseConnectionUrl(url)).not.toThrow();
          else
            expect(thrown(() => parseConnectionUrl(url))).toMatchObject({ code: 'INVALID_CONNECTION_URL' });
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('a repeated sslmode counts as its last value', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...modes), { minLength: 1, maxLength: 4 }), (given) => {
        const query = given.map((mode) => `sslmode=${mode}`).join('&');
        const urls = resolveConnectionUrls({
          env: { DATABASE_URL: `postgresql://u:p@db.example.com/app?${query}` },
        });
        expect(urls.tls.pooled.mode).toBe(given.at(-1));
      }),
      { numRuns: 500 },
    );
  });
});

describe('what a bundler may drop', () => {
  // tsdown once dropped the bare decodeURIComponent(text) call that decodable() kept only for its throw: the
  // built package threw a raw URIError here. The compatibility job runs this file against dist/.
  it('a database name with a broken percent escape is a typed INVALID_CONNECTION_URL, from the built package too', () => {
    const error = thrown(
      () =>
        defineDatabase({
          env: { DATABASE_URL: 'postgresql://u:p@db.example.com/%E0%A4%A' },
          logger: { warn() {} },
        }).urls,
    );
    expect(error).toMatchObject({ code: 'INVALID_CONNECTION_URL' });
  });
});
