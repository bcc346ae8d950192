import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../test/thrown.ts';
import { MpgkitErrorCode } from '../errors.ts';
import { connectionParts } from './connection-parts.ts';

describe('connectionParts', () => {
  it('splits MPG-shaped URLs, IPv6 hosts and socket directories', () => {
    expect(connectionParts('postgresql://fly-user:p%40ss@pgbouncer.c1.flympg.net/fly-db')).toEqual({
      host: 'pgbouncer.c1.flympg.net',
      user: 'fly-user',
      password: 'p@ss',
      database: 'fly-db',
    });
    expect(connectionParts('postgres://app@[fdaa:0:1::3]:5433/db')).toEqual({
      host: 'fdaa:0:1::3',
      port: 5433,
      user: 'app',
      database: 'db',
    });
    expect(connectionParts('postgres://app@localhost/db?host=/var/run/postgresql').host).toBe(
      '/var/run/postgresql',
    );
  });

  it('refuses a database named "." or "..", which URL parsers drop, saying so (found by the property below)', () => {
    for (const path of ['.', '..', '%2e', '%2E%2e']) {
      const error = thrown(() => connectionParts(`postgres://u:pw@db.internal:5432/${path}`));
      expect(error.code).toBe(MpgkitErrorCode.InvalidConnectionUrl);
      expect(error.message).toMatch(/names the database "\." or "\.\."/);
    }
    expect(thrown(() => connectionParts('postgres://u:pw@db.internal:5432/')).message).toMatch(
      /names no database/,
    );
  });

  it('never puts the password in its error', () => {
    const error = thrown(() => connectionParts('mysql://u:hunter2-secret@h/db', 'DIRECT_DATABASE_URL'));
    expect(error.code).toBe(MpgkitErrorCode.InvalidConnectionUrl);
    expect(error.message).not.toContain('hunter2-secret');
  });

  it('round-trips any user, password and database name (properties)', () => {
    const text = fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' });
    // "." and ".." cannot travel in a URL path (dot segments): refused, below.
    const database = text.filter((name) => name !== '.' && name !== '..');
    fc.assert(
      fc.property(
        text,
        text,
        database,
        fc.integer({ min: 1, max: 65535 }),
        (user, password, database, port) => {
          const url = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@db.internal:${port}/${encodeURIComponent(database)}`;
          expect(connectionParts(url)).toEqual({ host: 'db.internal', port, user, password, database });
        },
      ),
    );
  });
});
