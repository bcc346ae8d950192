import { inspect } from 'node:util';
import { it } from 'vitest';
import { assertNoPasswordPrinted, jsonOf, printedThrough } from '../../../test-support/password-fuzz.ts';
import { drizzleKitConfig } from '../src/cli-config.ts';
import * as nodePostgres from '../src/node-postgres.ts';
import * as postgresJs from '../src/postgres-js.ts';

// Every object @mpgkit/drizzle builds, on both drivers, prints without the password (test-support/
// password-fuzz.ts).
it('no object @mpgkit/drizzle builds prints a password (10,000 generated passwords)', {
  timeout: 300_000,
}, () => {
  assertNoPasswordPrinted(
    printedThrough((policy) => {
      const pgDb = nodePostgres.createDrizzle(policy);
      const pgMigration = nodePostgres.createMigrationDrizzle(policy);
      const jsDb = postgresJs.createDrizzle(policy);
      const options = postgresJs.postgresJsOptions(policy);
      const kit = drizzleKitConfig(policy);
      const surfaces = {
        'util.inspect(node-postgres $client)': inspect(pgDb.$client, { depth: 4 }),
        'JSON.stringify(node-postgres $client.options)': jsonOf(pgDb.$client.options),
        'util.inspect(node-postgres migration $client.options)': inspect(pgMigration.$client.options),
        'util.inspect(postgres.js $client.options)': inspect(jsDb.$client.options, { depth: 8 }),
        'JSON.stringify(postgres.js $client.options)': jsonOf(jsDb.$client.options),
        'util.inspect(postgresJsOptions)': inspect(options, { depth: 8 }),
        'util.inspect(drizzleKitConfig)': inspect(kit, { depth: 8 }),
        'JSON.stringify(drizzleKitConfig)': jsonOf(kit),
      };
      void pgDb.$client.end();
      void pgMigration.$client.end();
      void jsDb.$client.end({ timeout: 0 });
      return surfaces;
    }),
  );
});
