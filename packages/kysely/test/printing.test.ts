import { inspect } from 'node:util';
import { it } from 'vitest';
import { assertNoPasswordPrinted, jsonOf, printedThrough } from '../../../test-support/password-fuzz.ts';
import { createKysely, createMigrationKysely, kyselyCtlConfig } from '../src/index.ts';

// Every object @mpgkit/kysely builds prints without the password (test-support/password-fuzz.ts).
it('no object @mpgkit/kysely builds prints a password (10,000 generated passwords)', {
  timeout: 300_000,
}, () => {
  assertNoPasswordPrinted(
    printedThrough((policy) => {
      const db = createKysely(policy);
      const migration = createMigrationKysely(policy);
      const cli = kyselyCtlConfig(policy);
      const surfaces = {
        'util.inspect(db)': inspect(db, { depth: 8 }),
        'util.inspect(migration db)': inspect(migration, { depth: 8 }),
        'util.inspect(kyselyCtlConfig)': inspect(cli, { depth: 8 }),
        'JSON.stringify(kyselyCtlConfig)': jsonOf(cli),
      };
      void db.destroy();
      void migration.destroy();
      return surfaces;
    }),
  );
});
