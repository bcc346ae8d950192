import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../test/thrown.ts';
import { MpgkitErrorCode } from '../errors.ts';
import { resolveConnectionUrls } from '../url/connection-url.ts';
import { isLocalHost, parseTlsMode, resolveTls, TLS_MODES, type TlsMode, tlsWarning } from './tls.ts';
import { toNodePostgresSsl, toPostgresJsSsl, toPrismaTlsParams } from './tls-driver-options.ts';

const PASSWORD = 's3cr3t-pw';
const remote = `postgresql://fly-user:${PASSWORD}@pgbouncer.my-cluster.flympg.net/fly-db`;
const local = `postgresql://fly-user:${PASSWORD}@127.0.0.1:16380/fly-db`;
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

const mode = fc.constantFrom(...TLS_MODES);
const remoteHost = fc
  .array(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/), { minLength: 2, maxLength: 4 })
  .map((labels) => labels.join('.'))
  .filter((host) => !isLocalHost(host));
const localHost = fc.oneof(
  fc.constant('localhost'),
  fc.constant('[::1]'),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `127.${a}.${b}.${c}`),
);

describe('resolveTls', () => {
  it('defaults to verify-full for every remote host and to disable for every local one', () => {
    fc.assert(
      fc.property(remoteHost, (host) => {
        const tls = resolveTls(new URL(`postgresql://u@${host}/db`), undefined, {}, 'DATABASE_URL');
        expect(tls).toMatchObject({ mode: 'verify-full', source: 'default', local: false });
      }),
    );
    fc.assert(
      fc.property(localHost, (host) => {
        const tls = resolveTls(new URL(`postgresql://u@${host}/db`), undefined, {}, 'DATABASE_URL');
        expect(tls).toMatchObject({ mode: 'disable', source: 'default', local: true });
      }),
    );
    // A Unix socket (pg's ?host=/dir) is local too.
    expect(resolveTls(new URL('postgresql://u@x/db?host=/run/pg'), undefined, {}, 'u').mode).toBe('disable');
  });

  it('reads sslmode from the URL, the option, or PGSSLMODE, in that order of precedence, and names both sides of a conflict', () => {
    fc.assert(
      fc.property(mode, mode, mode, (fromOption, fromUrl, fromEnv) => {
        const url = new URL(`${remote}?sslmode=${fromUrl}`);
        const env = { PGSSLMODE: fromEnv };
        expect(resolveTls(url, undefined, env, 'DATABASE_URL')).toMatchObject({
          mode: fromUrl,
          source: 'url',
        });
        expect(resolveTls(new URL(remote), undefined, env, 'DATABASE_URL')).toMatchObject({
          mode: fromEnv,
          source: 'env',
        });
        if (fromOption === fromUrl) {
          expect(resolveTls(url, fromOption, env, 'DATABASE_URL').mode).toBe(fromOption);
        } else {
          const error = thrown(() => resolveTls(url, { mode: fromOption }, env, 'DATABASE_URL'));
          expect(error.code).toBe(MpgkitErrorCode.InvalidOption);
          expect(error.message).toContain(`'${fromOption}'`);
          expect(error.message).toContain(`DATABASE_URL says sslmode=${fromUrl}`);
          expect(error.message).not.toContain(PASSWORD);
        }
      }),
    );
  });

  it("maps pg's no-verify and ssl=true, and refuses anything else with the list of modes", () => {
    expect(resolveTls(new URL(`${remote}?sslmode=no-verify`), undefined, {}, 'u').mode).toBe('require');
    expect(resolveTls(new URL(`${remote}?ssl=true`), undefined, {}, 'u').mode).toBe('verify-full');
    expect(resolveTls(new URL(`${remote}?ssl=0`), undefined, {}, 'u').mode).toBe('disable');
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }).filter((value) => {
          const text = value.trim();
          return text !== '' && text !== 'no-verify' && !(TLS_MODES as readonly string[]).includes(text);
        }),
        (value) => {
          const error = thrown(() => parseTlsMode(value.trim(), 'sslmode'));
          expect(error.code).toBe(MpgkitErrorCode.InvalidOption);
          expect(error.message).toContain('verify-full');
        },
      ),
    );
    expect(thrown(() => parseTlsMode('allow')).message).toContain(
      "'allow' (plaintext first) is not supported",
    );
  });

  it('refuses client certificate parameters instead of dropping them', () => {
    for (const name of ['sslcert', 'sslkey', 'sslpassword']) {
      const error = thrown(() => resolveTls(new URL(`${remote}?${name}=x`), undefined, {}, 'DATABASE_URL'));
      expect(error.message).toContain(`DATABASE_URL sets ${name}`);
    }
  });

  it('reads the CA from PEM text or a file, and says when the file is missing or holds no certificate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpgkit-tls-'));
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, PEM);
    const notPem = join(dir, 'key.txt');
    writeFileSync(notPem, 'hello');
    expect(resolveTls(new URL(remote), { ca: PEM }, {}, 'u')).toMatchObject({ ca: PEM, caPath: undefined });
    expect(resolveTls(new URL(`${remote}?sslrootcert=${caFile}`), undefined, {}, 'u')).toMatchObject({
      ca: PEM,
      caPath: caFile,
    });
    expect(resolveTls(new URL(remote), undefined, { PGSSLROOTCERT: caFile }, 'u').caPath).toBe(caFile);
    expect(resolveTls(new URL(`${remote}?sslrootcert=system`), undefined, {}, 'u').ca).toBeUndefined();
    expect(
      thrown(() => resolveTls(new URL(remote), { ca: join(dir, 'nope.pem') }, {}, 'u')).message,
    ).toContain('cannot be read: ENOENT');
    expect(thrown(() => resolveTls(new URL(remote), { ca: notPem }, {}, 'u')).message).toContain(
      'holds no PEM certificate',
    );
    expect(
      thrown(() => resolveTls(new URL(`${remote}?sslrootcert=${caFile}`), { ca: PEM }, {}, 'DATABASE_URL'))
        .message,
    ).toContain("DATABASE_URL's sslrootcert");
  });
});

describe('tlsWarning', () => {
  it('warns exactly when a remote host gets less than verify-full, and never shows a password', () => {
    fc.assert(
      fc.property(mode, fc.boolean(), (chosen, isLocal) => {
        const tls = resolveTls(new URL(isLocal ? local : remote), chosen, {}, 'DATABASE_URL');
        const warning = tlsWarning(tls, 'DATABASE_URL');
        expect(warning === undefined).toBe(isLocal || chosen === 'verify-full');
        if (warning !== undefined) {
          expect(warning).toContain(`tls option: ${chosen}`);
          expect(warning).not.toContain(PASSWORD);
        }
      }),
    );
  });

  it('reaches the policy once per URL, through resolveConnectionUrls', () => {
    const urls = resolveConnectionUrls({ env: { DATABASE_URL: `${remote}?sslmode=require` } });
    expect(urls.warnings.filter((warning) => warning.includes('not checked'))).toHaveLength(2);
  });
});

describe('driver options', () => {
  const resolved = (chosen: TlsMode, ca?: string) =>
    resolveTls(new URL(remote), { mode: chosen, ca }, {}, 'u');

  it('verify both ways in verify-full, the chain only in verify-ca, nothing in require, and no TLS in disable', () => {
    expect(toNodePostgresSsl(resolved('disable'))).toBe(false);
    expect(toNodePostgresSsl(resolved('require'))).toEqual({ rejectUnauthorized: false });
    const verifyCa = toNodePostgresSsl(resolved('verify-ca', PEM));
    expect(verifyCa).toMatchObject({ rejectUnauthorized: true, ca: PEM });
    expect(verifyCa === false ? 'no TLS' : verifyCa.checkServerIdentity?.('x', {})).toBeUndefined();
    expect(toNodePostgresSsl(resolved('verify-full', PEM))).toEqual({
      rejectUnauthorized: true,
      ca: PEM,
      host: 'pgbouncer.my-cluster.flympg.net',
    });
    expect(toPostgresJsSsl(resolved('prefer'))).toBe('prefer');
    // postgres.js leaves `host` unset for IP addresses: mpgkit names the host to check.
    const ipv6 = resolveTls(new URL('postgresql://u@[fdaa:0:1::4]:5432/db'), 'verify-full', {}, 'u');
    expect(toPostgresJsSsl(ipv6)).toEqual({ rejectUnauthorized: true, host: 'fdaa:0:1::4' });
    expect(thrown(() => toNodePostgresSsl(resolved('prefer'))).message).toContain('no plaintext fallback');
  });

  it("give Prisma's engines their own words, and refuse what they cannot express", () => {
    expect(toPrismaTlsParams(resolved('verify-full'))).toEqual({ sslmode: 'require', sslaccept: 'strict' });
    expect(toPrismaTlsParams(resolved('require'))).toEqual({
      sslmode: 'require',
      sslaccept: 'accept_invalid_certs',
    });
    expect(toPrismaTlsParams(resolved('disable'))).toEqual({ sslmode: 'disable' });
    expect(thrown(() => toPrismaTlsParams(resolved('verify-ca'))).code).toBe(MpgkitErrorCode.InvalidOption);
    expect(thrown(() => toPrismaTlsParams(resolved('verify-full', PEM))).message).toContain('as a path');
  });
});

describe('resolveConnectionUrls', () => {
  it('takes every TLS parameter out of the URLs drivers get, and keeps the rest', () => {
    fc.assert(
      fc.property(mode, fc.boolean(), (chosen, withOther) => {
        const query = `sslmode=${chosen}&uselibpqcompat=true${withOther ? '&application_name=x' : ''}`;
        const urls = resolveConnectionUrls({ env: { DATABASE_URL: `${remote}?${query}` } });
        for (const url of [urls.pooled, urls.direct ?? '']) {
          expect(url).not.toMatch(/ssl|uselibpqcompat/);
          expect(url.includes('application_name=x')).toBe(withOther);
        }
        expect(urls.tls.pooled.mode).toBe(chosen);
        expect(urls.tls.direct?.mode).toBe(chosen);
      }),
    );
  });
});
