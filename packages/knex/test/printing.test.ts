import { inspect } from 'node:util';
import { it } from 'vitest';
import { assertNoPasswordPrinted, jsonOf, printedThrough } from '../../../test-support/password-fuzz.ts';
import { createKnex, createMigrationKnex, knexConfig, knexfileConfig } from '../src/index.ts';

// Every object @mpgkit/knex builds prints without the password (test-support/password-fuzz.ts).
it('no object @mpgkit/knex builds prints a password (10,000 generated passwords)', {
  timeout: 300_000,
}, () => {
  assertNoPasswordPrinted(
    printedThrough((policy) => {
      const db = createKnex(policy);
      const migration = createMigrationKnex(policy);
      const surfaces = {
        'util.inspect(db.client.config)': inspect(db.client.config, { depth: 8 }),
        'JSON.stringify(db.client.config)': jsonOf(db.client.config),
        'util.inspect(db.client.connectionSettings)': inspect(db.client.connectionSettings, { depth: 8 }),
        'JSON.stringify(db.client.connectionSettings)': jsonOf(db.client.connectionSettings),
        'util.inspect(db.client)': inspect(db.client, { depth: 3 }),
        'util.inspect(migration.client.config)': inspect(migration.client.config, { depth: 8 }),
        'util.inspect(knexConfig)': inspect(knexConfig(policy), { depth: 8 }),
        'JSON.stringify(knexfileConfig)': jsonOf(knexfileConfig(policy)),
      };
      void db.destroy();
      void migration.destroy();
      return surfaces;
    }),
  );
});
